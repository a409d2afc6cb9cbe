/* ABI (issue 14, label api): a consumer built against the broker structs as they were first
 * published. The structs below are that consumer's copies — frozen here, not included from
 * today's header — with struct_size = their first published size, each followed by a guard the
 * library must never write; plus a consumer built against a *future*, larger struct (members
 * libshoal does not know yet), whose extra members must come back untouched; and a struct_size
 * below the first published size, which must be refused. C, through the C ABI only. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <shoal/regs.h>
#include <shoal/shoal.h>

#include "abi_v1.h"

/* ---- the first published layouts (never edit: they are what old binaries were built with) ---- */
struct v1_part_info {
  uint32_t struct_size, partition, exists, high, prio, pending, thr_hi, thr_lo, util, ewma, num_types, num_procs;
  uint64_t procs;
  uint32_t held[8], floor[8], cap[8];
};
struct v1_request {
  uint32_t struct_size, partition, type, amount, flags, timeout_us;
};
struct v1_grant {
  uint32_t struct_size, status, granted, reclaimed, request_id, held, base, size;
};
struct v1_res_info {
  uint32_t struct_size, type, state, units, free, num_partitions;
  char name[32];
  uint64_t visible;
  uint32_t alloc[64];
};
struct v1_event {
  uint32_t struct_size, kind, queue, partition, type, other, amount, request_id, data;
};

#define GUARD 0xA5u

static int failf(char* msg, size_t n, const char* what) {
  snprintf(msg, n, "%s (libshoal: %s)", what, shoal_last_error());
  return 1;
}

/* `size` bytes of `buf` after the struct must still be GUARD */
static int guarded(const unsigned char* p, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i)
    if (p[i] != GUARD) return 0;
  return 1;
}

int abi_v1_run(const char* uri, char* msg, size_t n) {
  _Static_assert(sizeof(struct v1_part_info) == 152, "v1 shoal_part_info");
  _Static_assert(sizeof(struct v1_request) == 24, "v1 shoal_request_args");
  _Static_assert(sizeof(struct v1_grant) == 32, "v1 shoal_grant");
  _Static_assert(sizeof(struct v1_res_info) == 320, "v1 shoal_res_info");
  _Static_assert(sizeof(struct v1_event) == 36, "v1 shoal_event");
  shoal_dev* dev = NULL;
  shoal_handle* admin = NULL;
  if (shoal_open(uri, &dev) != SHOAL_OK) return failf(msg, n, "shoal_open");
  if (shoal_admin_open(dev, &admin) != SHOAL_OK) return failf(msg, n, "shoal_admin_open");
  uint32_t p = 0;
  if (shoal_part_create(admin, SHOAL_PARTITION_ANY, 2, &p) != SHOAL_OK) return failf(msg, n, "shoal_part_create");

  /* a request and its grant, at the first published sizes, with guards after them */
  union {
    struct v1_request r;
    unsigned char b[sizeof(struct v1_request) + 16];
  } rq;
  memset(rq.b, 0, sizeof rq.b);
  rq.r.struct_size = SHOAL_REQUEST_ARGS_SIZE_V1;
  rq.r.partition = p;
  rq.r.type = SHOAL_RES_MEM_BW;
  rq.r.amount = 5;
  memset(rq.b + sizeof rq.r, 0x7F, 16); /* junk beyond struct_size must be ignored */
  union {
    struct v1_grant g;
    unsigned char b[sizeof(struct v1_grant) + 16];
  } gr;
  memset(gr.b, GUARD, sizeof gr.b);
  gr.g.struct_size = SHOAL_GRANT_SIZE_V1;
  if (shoal_request(admin, (const struct shoal_request_args*)(const void*)&rq.r, (struct shoal_grant*)(void*)&gr.g) != SHOAL_OK)
    return failf(msg, n, "shoal_request (v1 structs)");
  if (gr.g.struct_size != SHOAL_GRANT_SIZE_V1 || gr.g.status != SHOAL_ST_OK || gr.g.granted != 5 || gr.g.held != 5)
    return failf(msg, n, "v1 shoal_grant: wrong contents");
  if (!guarded(gr.b, sizeof gr.g, sizeof gr.b)) return failf(msg, n, "v1 shoal_grant: the library wrote past struct_size");

  union {
    struct v1_part_info i;
    unsigned char b[sizeof(struct v1_part_info) + 16];
  } pi;
  memset(pi.b, GUARD, sizeof pi.b);
  pi.i.struct_size = SHOAL_PART_INFO_SIZE_V1;
  if (shoal_part_query(admin, p, (struct shoal_part_info*)(void*)&pi.i) != SHOAL_OK) return failf(msg, n, "shoal_part_query (v1)");
  if (pi.i.exists != 1 || pi.i.prio != 2 || pi.i.held[SHOAL_RES_MEM_BW] != 5) return failf(msg, n, "v1 shoal_part_info: wrong contents");
  if (!guarded(pi.b, sizeof pi.i, sizeof pi.b)) return failf(msg, n, "v1 shoal_part_info: the library wrote past struct_size");

  union {
    struct v1_res_info i;
    unsigned char b[sizeof(struct v1_res_info) + 16];
  } ri;
  memset(ri.b, GUARD, sizeof ri.b);
  ri.i.struct_size = SHOAL_RES_INFO_SIZE_V1;
  if (shoal_res_query(admin, SHOAL_RES_MEM_BW, (struct shoal_res_info*)(void*)&ri.i) != SHOAL_OK) return failf(msg, n, "shoal_res_query (v1)");
  if (ri.i.alloc[p] != 5 || strcmp(ri.i.name, "mem_bw") != 0) return failf(msg, n, "v1 shoal_res_info: wrong contents");
  if (!guarded(ri.b, sizeof ri.i, sizeof ri.b)) return failf(msg, n, "v1 shoal_res_info: the library wrote past struct_size");

  union {
    struct v1_event e;
    unsigned char b[sizeof(struct v1_event) + 16];
  } ev;
  memset(ev.b, GUARD, sizeof ev.b);
  ev.e.struct_size = SHOAL_EVENT_SIZE_V1;
  if (shoal_next_event(admin, 0, (struct shoal_event*)(void*)&ev.e) != SHOAL_ERR_TIMEOUT) return failf(msg, n, "shoal_next_event: expected no event");
  if (!guarded(ev.b, sizeof ev.e, sizeof ev.b)) return failf(msg, n, "v1 shoal_event: written past struct_size");

  /* a consumer from the future: a larger struct; the members libshoal does not know stay as set */
  union {
    struct shoal_grant g;
    unsigned char b[sizeof(struct shoal_grant) + 16];
  } fut;
  memset(fut.b, GUARD, sizeof fut.b);
  fut.g.struct_size = (uint32_t)sizeof fut.b;
  struct shoal_request_args r2;
  memset(&r2, 0, sizeof r2);
  SHOAL_INIT(r2);
  r2.partition = p;
  r2.type = SHOAL_RES_MEM_BW;
  r2.amount = 1;
  if (shoal_request(admin, &r2, &fut.g) != SHOAL_OK) return failf(msg, n, "shoal_request (future struct)");
  if (fut.g.struct_size != sizeof fut.b || fut.g.granted != 1 || fut.g.held != 6) return failf(msg, n, "future shoal_grant: wrong contents");
  if (!guarded(fut.b, sizeof fut.g, sizeof fut.b)) return failf(msg, n, "future shoal_grant: its unknown members were written");

  /* below the first published size: refused, nothing sent, nothing written */
  union {
    struct v1_grant g;
    unsigned char b[sizeof(struct v1_grant)];
  } small;
  memset(small.b, GUARD, sizeof small.b);
  small.g.struct_size = SHOAL_GRANT_SIZE_V1 - 4;
  if (shoal_request(admin, &r2, (struct shoal_grant*)(void*)&small.g) != SHOAL_ERR_INVALID_ARG) return failf(msg, n, "a short shoal_grant was not refused");
  if (!guarded(small.b, 4, sizeof small.b)) return failf(msg, n, "a refused short shoal_grant was written");
  if (strstr(shoal_last_error(), "shoal_grant.struct_size is 28") == NULL) return failf(msg, n, "the refusal does not say why");

  struct shoal_part_info after;
  memset(&after, 0, sizeof after);
  SHOAL_INIT(after);
  if (shoal_part_query(admin, p, &after) != SHOAL_OK || after.held[SHOAL_RES_MEM_BW] != 6) return failf(msg, n, "the refused call changed something");
  if (shoal_part_destroy(admin, p, NULL) != SHOAL_OK) return failf(msg, n, "shoal_part_destroy");
  shoal_handle_close(admin);
  shoal_close(dev);
  snprintf(msg, n, "ok");
  return 0;
}
