/* The command checks of the protocol (docs/commands.md, "Checks, in order"), written once and
 * compiled into both the firmware (which enforces them) and libshoal (which refuses early with
 * a clear message). Table-driven: the tables come from the protocol schema (shoal/proto.h,
 * src/proto_tables.c). C11, freestanding-safe. */
#ifndef SHOAL_PROTO_CHECK_H
#define SHOAL_PROTO_CHECK_H

#include <stdint.h>

#include "shoal/proto.h"

#ifdef __cplusplus
extern "C" {
#endif

struct shoal_proto_ctx {
  uint32_t queue;            /* the queue the command arrived on */
  uint32_t num_partitions;   /* K */
  uint32_t num_types;        /* T */
  uint32_t num_processors;   /* P */
  const uint32_t* implemented; /* bitmap of implemented opcodes (8 words), NULL = all in the schema */
};

/* Where a check failed, for messages. */
struct shoal_proto_fail {
  const struct shoal_proto_field* field; /* the field that failed (NULL: opcode/version/admin) */
  uint32_t element;                      /* the array element */
  uint32_t word;                         /* the word with a reserved bit set (INVALID, field NULL) */
  uint32_t value;                        /* the offending value / reserved bits */
};

/* The descriptor of an opcode, or NULL. */
const struct shoal_proto_cmd* shoal_proto_find(uint32_t opcode);

/* Runs checks 1-6 on a submission entry (SHOAL_PROTO_ENTRY_WORDS words). Returns SHOAL_ST_OK or
 * the refusal status; *cmd (may be NULL) gets the descriptor when the opcode is known, *fail
 * (may be NULL) where it failed. */
uint32_t shoal_proto_check(const uint32_t* sqe, const struct shoal_proto_ctx* ctx,
                           const struct shoal_proto_cmd** cmd, struct shoal_proto_fail* fail);

/* The value of element i of a field. */
uint32_t shoal_proto_field_get(const uint32_t* words, const struct shoal_proto_field* f, uint32_t i);

/* Names (NULL when the tables were built without SHOAL_PROTO_NAMES, or the code is unknown). */
const char* shoal_proto_status_name(uint32_t status);
const char* shoal_proto_event_name(uint32_t kind);
const char* shoal_proto_audit_kind_name(uint32_t kind);
const char* shoal_proto_audit_source_name(uint32_t source);

#ifdef __cplusplus
}
#endif

#endif /* SHOAL_PROTO_CHECK_H */
