/* The protocol's command checks (shoal/proto_check.h). */
#include "shoal/proto_check.h"

const struct shoal_proto_cmd* shoal_proto_find(uint32_t opcode) {
  uint32_t lo = 0, hi = shoal_proto_num_cmds;  /* the table is sorted by opcode */
  while (lo < hi) {
    const uint32_t mid = (lo + hi) / 2;
    const uint32_t op = shoal_proto_cmds[mid].opcode;
    if (op == opcode) return &shoal_proto_cmds[mid];
    if (op < opcode) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

uint32_t shoal_proto_field_get(const uint32_t* w, const struct shoal_proto_field* f, uint32_t i) {
  const uint32_t word = f->word + (i / f->per) * f->stride;
  const uint32_t lsb = f->lsb + (i % f->per) * f->width;
  return shoal_proto_get(w, word, lsb, f->width);
}

static uint32_t refuse(struct shoal_proto_fail* fail, const struct shoal_proto_field* f,
                       uint32_t element, uint32_t word, uint32_t value, uint32_t status) {
  if (fail) {
    fail->field = f;
    fail->element = element;
    fail->word = word;
    fail->value = value;
  }
  return status;
}

uint32_t shoal_proto_check(const uint32_t* sqe, const struct shoal_proto_ctx* ctx,
                           const struct shoal_proto_cmd** out, struct shoal_proto_fail* fail) {
  const uint32_t opcode = SHOAL_GET(sqe, SHOAL_SQE_OPCODE);
  const struct shoal_proto_cmd* c = shoal_proto_find(opcode);
  if (out) *out = c;
  /* 1. known and implemented */
  if (c == 0 || (ctx->implemented && !((ctx->implemented[opcode / 32] >> (opcode % 32)) & 1u)))
    return refuse(fail, 0, 0, 0, opcode, SHOAL_ST_UNSUPPORTED);
  /* 2. version */
  if (SHOAL_GET(sqe, SHOAL_SQE_VERSION) != c->version)
    return refuse(fail, 0, 0, 0, SHOAL_GET(sqe, SHOAL_SQE_VERSION), SHOAL_ST_BAD_VERSION);
  /* 3. admin-only */
  const int admin = ctx->queue == SHOAL_QUEUE_ADMIN;
  if (c->admin && !admin) return refuse(fail, 0, 0, 0, opcode, SHOAL_ST_PERMISSION);
  /* 4. reserved bits */
  for (uint32_t w = 0; w < SHOAL_PROTO_ENTRY_WORDS; ++w) {
    const uint32_t rsvd = sqe[w] & ~c->used[w];
    if (rsvd) return refuse(fail, 0, 0, w, rsvd, SHOAL_ST_INVALID);
  }
  /* 5. a partition queue names only its own partition */
  if (!admin) {
    const uint32_t own = ctx->queue - 1u;
    for (uint32_t i = 0; i < c->num_fields; ++i) {
      const struct shoal_proto_field* f = &c->fields[i];
      if (f->check != SHOAL_CHECK_PARTITION && f->check != SHOAL_CHECK_PARTITION_ANY) continue;
      for (uint32_t e = 0; e < f->count; ++e) {
        const uint32_t v = shoal_proto_field_get(sqe, f, e);
        if (v != own) return refuse(fail, f, e, f->word, v, SHOAL_ST_PERMISSION);
      }
    }
  }
  /* 6. ranges */
  for (uint32_t i = 0; i < c->num_fields; ++i) {
    const struct shoal_proto_field* f = &c->fields[i];
    for (uint32_t e = 0; e < f->count; ++e) {
      const uint32_t v = shoal_proto_field_get(sqe, f, e);
      int ok = v <= f->max;
      switch (f->check) {
        case SHOAL_CHECK_PARTITION: ok = ok && v < ctx->num_partitions; break;
        case SHOAL_CHECK_PARTITION_ANY: ok = ok && (v < ctx->num_partitions || v == f->special); break;
        case SHOAL_CHECK_TYPE: ok = ok && v < ctx->num_types; break;
        case SHOAL_CHECK_PROCESSOR: ok = ok && v < ctx->num_processors; break;
        case SHOAL_CHECK_NONZERO: ok = ok && v != 0; break;
        case SHOAL_CHECK_ENUM: {
          int found = 0;
          for (uint32_t k = 0; k < f->num_values; ++k) found |= f->values[k] == v;
          ok = ok && found;
          break;
        }
        default: break;
      }
      if (!ok) return refuse(fail, f, e, f->word, v, SHOAL_ST_INVALID);
    }
  }
  return refuse(fail, 0, 0, 0, 0, SHOAL_ST_OK);
}

static const char* name_of(const struct shoal_proto_code* t, uint32_t n, uint32_t code) {
  for (uint32_t i = 0; i < n; ++i)
    if (t[i].code == code) return t[i].name;
  return 0;
}
const char* shoal_proto_status_name(uint32_t s) { return name_of(shoal_proto_statuses, shoal_proto_num_statuses, s); }
const char* shoal_proto_event_name(uint32_t k) { return name_of(shoal_proto_events, shoal_proto_num_events, k); }
const char* shoal_proto_audit_kind_name(uint32_t k) { return name_of(shoal_proto_audit_kinds, shoal_proto_num_audit_kinds, k); }
const char* shoal_proto_audit_source_name(uint32_t s) { return name_of(shoal_proto_audit_sources, shoal_proto_num_audit_sources, s); }
