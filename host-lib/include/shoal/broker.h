/* libshoal — the broker and Swarm API (C ABI): partitions, resources, requests, telemetry and
 * events, over the card's command queues. Included by shoal/shoal.h; see docs/api.md.
 *
 * Handles
 *  - An admin handle (shoal_admin_open) owns the admin queue (queue 0) and may act on every
 *    partition; only it may create, configure or destroy partitions, register resource types
 *    and swap units between partitions.
 *  - A partition handle (shoal_partition_open) owns partition k's queue (queue 1 + k) and
 *    nothing else: every call that names a partition must name k. libshoal refuses any other
 *    first (SHOAL_ERR_PERMISSION, nothing is sent); the card enforces the same rule by the queue
 *    a command arrives on, so a forged command sent on the partition's page is refused too.
 *  - One handle per queue per shoal_dev (a second one is SHOAL_ERR_BUSY). A handle may be used
 *    from several threads at once; each call is one command and its completion.
 *
 * Results
 *  - Every call returns SHOAL_OK or a SHOAL_ERR_* code; shoal_last_error() has the message.
 *  - Before sending, libshoal runs the protocol's own checks (firmware/proto): a field out of
 *    range is SHOAL_ERR_INVALID_ARG, an admin-only command or another partition on a partition
 *    handle SHOAL_ERR_PERMISSION; nothing reaches the card.
 *  - The card's answer: a status below 0x10 (OK, PARTIAL, POSTPONED, NEGOTIATING, ELSEWHERE) is
 *    SHOAL_OK, with the status in the result struct; a refusal (0x10 and up) is
 *    SHOAL_ERR_REFUSED (SHOAL_ERR_PERMISSION for the card's PERMISSION), nothing changed.
 *  - shoal_last_status() gives the protocol status (SHOAL_ST_*, shoal/proto.h) of the calling
 *    thread's last broker call: the card's, the status libshoal's own check gave, or
 *    SHOAL_STATUS_NONE when the command got no answer (transport error, timeout).
 *  - Synchronous calls wait for the completion up to the handle's timeout
 *    (shoal_handle_set_timeout, default SHOAL_HANDLE_TIMEOUT_MS): SHOAL_ERR_TIMEOUT after that.
 *
 * Structs follow shoal.h's rule: struct_size first, set by the caller (SHOAL_INIT); members are
 * only appended; *_SIZE_V1 is the first published size, the least the library accepts. Input
 * structs (shoal_request_args, shoal_part_config, shoal_request_vec) are read up to their
 * struct_size, members beyond it taken as 0.
 */
#ifndef SHOAL_BROKER_H
#define SHOAL_BROKER_H

#ifndef SHOAL_SHOAL_H
#error "include shoal/shoal.h, which includes this header"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SHOAL_NODISCARD __attribute__((warn_unused_result))
#else
#define SHOAL_NODISCARD
#endif

#define SHOAL_MAX_TYPES 8u          /* resource types (ALLOC slots) the protocol carries per command */
#define SHOAL_MAX_PARTITIONS 64u    /* partitions a struct below can describe */
#define SHOAL_HANDLE_ADMIN 0xFFFFFFFFu  /* shoal_handle_partition() of an admin handle */
#define SHOAL_PARTITION_ANY 0xFFu   /* shoal_part_create: the lowest free partition */
#define SHOAL_STATUS_NONE 0xFFFFFFFFu /* shoal_last_status(): no status (no answer) */
#define SHOAL_HANDLE_TIMEOUT_MS 30000u

typedef struct shoal_handle shoal_handle;

/* What the card's IDENTIFY said when the handle was opened. */
struct shoal_handle_info {
  uint32_t struct_size;     /* in: sizeof(struct shoal_handle_info) */
  uint32_t queue;           /* 0 = admin, 1 + k = partition k */
  uint32_t partition;       /* k, or SHOAL_HANDLE_ADMIN */
  uint32_t proto_major, proto_minor;
  uint32_t fw_version;
  uint32_t num_partitions, num_types, num_queues, num_processors;
  uint32_t service_state;   /* SHOAL_CPL_SERVICE_STATUS_STATE_*: 0 running, 1 stopped */
  uint32_t timeout_ms;      /* the handle's timeout for synchronous calls */
};
#define SHOAL_HANDLE_INFO_SIZE_V1 48u

/* Opens the admin queue (IDENTIFY is asked once). */
SHOAL_API SHOAL_NODISCARD int shoal_admin_open(shoal_dev* dev, shoal_handle** out);
/* Opens partition k's queue; SHOAL_ERR_INVALID_ARG for a partition the card does not have. The
 * partition need not exist yet (the admin creates it); calls fail with NO_PARTITION until then. */
SHOAL_API SHOAL_NODISCARD int shoal_partition_open(shoal_dev* dev, uint32_t partition, shoal_handle** out);
/* Closes the handle (NULL is ignored); completions and events not yet taken are discarded. */
SHOAL_API void shoal_handle_close(shoal_handle* h);
/* The handle's partition, or SHOAL_HANDLE_ADMIN (also for NULL). */
SHOAL_API uint32_t shoal_handle_partition(const shoal_handle* h);
SHOAL_API SHOAL_NODISCARD int shoal_handle_get_info(shoal_handle* h, struct shoal_handle_info* info);
/* The timeout of the handle's synchronous calls, 1 ms .. 3600000 ms. */
SHOAL_API SHOAL_NODISCARD int shoal_handle_set_timeout(shoal_handle* h, uint32_t timeout_ms);
/* The protocol status of this thread's last broker call (see above). */
SHOAL_API uint32_t shoal_last_status(void);

/* ---- partitions (partition.cpp) ---------------------------------------------------------- */

/* Which partitions exist: bit k of *mask (a partition handle sees only itself); *count (may be
 * NULL) how many. */
SHOAL_API SHOAL_NODISCARD int shoal_part_list(shoal_handle* h, uint64_t* mask, uint32_t* count);

struct shoal_part_info {
  uint32_t struct_size;      /* in: sizeof(struct shoal_part_info) */
  uint32_t partition;
  uint32_t exists;           /* 0: no such partition (the other fields are 0) */
  uint32_t high;             /* utilization above thr_hi (the hysteresis state) */
  uint32_t prio;             /* 0..15, higher wins reclaim */
  uint32_t pending;          /* postponed requests waiting */
  uint32_t thr_hi, thr_lo;   /* utilization thresholds, Q0.16 */
  uint32_t util, ewma;       /* last window utilization and its EWMA, Q0.16 */
  uint32_t num_types;        /* entries of held/floor/cap that are the card's types */
  uint32_t num_procs;        /* processors the DRRM maps to it */
  uint64_t procs;            /* bit p: processor p (processors 0..63) */
  uint32_t held[SHOAL_MAX_TYPES];
  uint32_t floor[SHOAL_MAX_TYPES]; /* saturated to 255 by the protocol */
  uint32_t cap[SHOAL_MAX_TYPES];   /* saturated to 255 by the protocol */
};
#define SHOAL_PART_INFO_SIZE_V1 152u
/* A partition's state. A missing partition is SHOAL_OK with exists = 0. */
SHOAL_API SHOAL_NODISCARD int shoal_part_query(shoal_handle* h, uint32_t partition, struct shoal_part_info* info);

/* Admin: creates a partition (or SHOAL_PARTITION_ANY: the lowest free one) with priority 0..15;
 * *created (may be NULL) gets its index. EXISTS / NO_SPACE are SHOAL_ERR_REFUSED. */
SHOAL_API SHOAL_NODISCARD int shoal_part_create(shoal_handle* admin, uint32_t partition, uint32_t prio,
                                                uint32_t* created);

enum shoal_part_set { SHOAL_PART_SET_PRIO = 1u, SHOAL_PART_SET_THRESH = 2u, SHOAL_PART_SET_LIMITS = 4u };
struct shoal_part_config {
  uint32_t struct_size;      /* in: sizeof(struct shoal_part_config) */
  uint32_t set;              /* enum shoal_part_set: what to change (the rest is kept) */
  uint32_t prio;             /* SET_PRIO: 0..15 */
  uint32_t thr_hi, thr_lo;   /* SET_THRESH: Q0.16, thr_lo < thr_hi */
  uint32_t types;            /* SET_LIMITS: bit t = set type t's floor and cap */
  uint32_t floor[SHOAL_MAX_TYPES];
  uint32_t cap[SHOAL_MAX_TYPES];
  uint32_t failed_type;      /* out: FLOOR_SUM / CAP_BELOW_ALLOC: the first type that refused */
};
#define SHOAL_PART_CONFIG_SIZE_V1 92u
/* Admin: sets priority, thresholds and floors/caps, all or nothing. */
SHOAL_API SHOAL_NODISCARD int shoal_part_configure(shoal_handle* admin, uint32_t partition, struct shoal_part_config* cfg);
/* Admin: destroys a partition (pending requests cancelled, units back to the pools);
 * released (may be NULL) gets SHOAL_MAX_TYPES counts of what returned. */
SHOAL_API SHOAL_NODISCARD int shoal_part_destroy(shoal_handle* admin, uint32_t partition, uint32_t* released);

/* ---- resources (resource.cpp) ------------------------------------------------------------ */

enum shoal_res_state { SHOAL_RES_FREE = 0, SHOAL_RES_BUILTIN = 1, SHOAL_RES_REGISTERED = 2 };
struct shoal_res_info {
  uint32_t struct_size;      /* in: sizeof(struct shoal_res_info) */
  uint32_t type;             /* ALLOC slot */
  uint32_t state;            /* enum shoal_res_state (FREE: an empty slot) */
  uint32_t units, free;
  uint32_t num_partitions;   /* entries of alloc[] that are the card's partitions */
  char name[SHOAL_NAME_MAX];
  uint64_t visible;          /* bit k: alloc[k] is known (a partition handle sees only its own) */
  uint32_t alloc[SHOAL_MAX_PARTITIONS]; /* units each partition holds */
};
#define SHOAL_RES_INFO_SIZE_V1 320u
/* Resource type `type` (0 .. shoal_handle_info.num_types - 1): totals, free, allocations. */
SHOAL_API SHOAL_NODISCARD int shoal_res_query(shoal_handle* h, uint32_t type, struct shoal_res_info* info);
/* Admin: registers a type (name [a-z0-9_], at most 8 bytes, unique; units 1..511); *type (may
 * be NULL) gets its slot. */
SHOAL_API SHOAL_NODISCARD int shoal_res_register(shoal_handle* admin, const char* name, uint32_t units, uint32_t* type);
/* Admin: retires a type registered at run time (IN_USE while held or floored). */
SHOAL_API SHOAL_NODISCARD int shoal_res_retire(shoal_handle* admin, uint32_t type);

/* ---- requests (request.cpp) -------------------------------------------------------------- */

/* flags: SHOAL_REQ_ALLOW_PARTIAL, _ALLOW_RECLAIM, _POSTPONE, _NEGOTIATE, _ELSEWHERE (proto.h) */
struct shoal_request_args {
  uint32_t struct_size;      /* in: sizeof(struct shoal_request_args) */
  uint32_t partition;
  uint32_t type;
  uint32_t amount;           /* 1..65535 */
  uint32_t flags;
  uint32_t timeout_us;       /* POSTPONE: deadline in card microseconds (0: the service's default) */
};
#define SHOAL_REQUEST_ARGS_SIZE_V1 24u
struct shoal_grant {
  uint32_t struct_size;      /* in: sizeof(struct shoal_grant) */
  uint32_t status;           /* SHOAL_ST_*: OK, PARTIAL, POSTPONED, NEGOTIATING, ELSEWHERE, or a refusal */
  uint32_t granted;          /* units granted now */
  uint32_t reclaimed;        /* of those, reclaimed from lower-priority partitions */
  uint32_t request_id;       /* POSTPONED: for shoal_cancel and the GRANTED / EXPIRED event */
  uint32_t held;             /* units of the type the partition holds now */
  uint32_t base, size;       /* a memory region: card address and bytes now mapped */
};
#define SHOAL_GRANT_SIZE_V1 32u
/* Asks for units (seed 002's allocateResource) and waits for the answer. The grant is filled
 * on SHOAL_OK and on SHOAL_ERR_REFUSED (status says why). */
SHOAL_API SHOAL_NODISCARD int shoal_request(shoal_handle* h, const struct shoal_request_args* req, struct shoal_grant* grant);
/* Gives units back; *held (may be NULL) gets what the partition holds now. */
SHOAL_API SHOAL_NODISCARD int shoal_release(shoal_handle* h, uint32_t partition, uint32_t type, uint32_t amount,
                                            uint32_t* held);
/* Admin: moves units from one partition to another in one step; *moved (may be NULL). */
SHOAL_API SHOAL_NODISCARD int shoal_swap(shoal_handle* admin, uint32_t from, uint32_t to, uint32_t type, uint32_t amount,
                                         uint32_t* moved);

struct shoal_request_vec {
  uint32_t struct_size;      /* in: sizeof(struct shoal_request_vec) */
  uint32_t partition;
  uint32_t flags;            /* ALLOW_PARTIAL is INVALID: a vector is all or nothing */
  uint32_t timeout_us;
  uint32_t amount[SHOAL_MAX_TYPES]; /* per type, 0 = none */
};
#define SHOAL_REQUEST_VEC_SIZE_V1 48u
struct shoal_vec_grant {
  uint32_t struct_size;      /* in: sizeof(struct shoal_vec_grant) */
  uint32_t status;
  uint32_t request_id;
  uint32_t granted[SHOAL_MAX_TYPES];
};
#define SHOAL_VEC_GRANT_SIZE_V1 44u
/* Several types at once, all or nothing (seed 003). THROTTLED: nothing applied, retry later. */
SHOAL_API SHOAL_NODISCARD int shoal_request_vector(shoal_handle* h, const struct shoal_request_vec* req,
                                                   struct shoal_vec_grant* grant);
/* Cancels a postponed request (NOT_FOUND: no such request on that partition). */
SHOAL_API SHOAL_NODISCARD int shoal_cancel(shoal_handle* h, uint32_t partition, uint32_t request_id);

/* Asynchronous requests: submit returns at once with a ticket; shoal_request_result takes the
 * answer, waiting up to timeout_ms (0: only look) — SHOAL_ERR_TIMEOUT while it has not come,
 * SHOAL_ERR_INVALID_ARG for a ticket never issued or already taken. At most 15 commands of a
 * handle are in flight (SHOAL_ERR_FULL beyond: take results first). To fit an event loop,
 * watch shoal_handle_fd() for POLLIN, then call shoal_handle_poll() and take the results. */
SHOAL_API SHOAL_NODISCARD int shoal_request_submit(shoal_handle* h, const struct shoal_request_args* req, uint32_t* ticket);
SHOAL_API SHOAL_NODISCARD int shoal_request_result(shoal_handle* h, uint32_t ticket, uint32_t timeout_ms,
                                                   struct shoal_grant* grant);
/* A file descriptor that becomes readable when the card answered or sent an event (owned by the
 * handle); SHOAL_ERR_UNSUPPORTED on a transport without interrupts (then poll periodically). */
SHOAL_API SHOAL_NODISCARD int shoal_handle_fd(shoal_handle* h, int* fd);
/* Takes what the card wrote into the library and resets the fd, then runs the callbacks of
 * shoal_request_async requests whose answers came; *taken (may be NULL): entries taken. */
SHOAL_API SHOAL_NODISCARD int shoal_handle_poll(shoal_handle* h, uint32_t* taken);

/* Asynchronous with a completion callback: like shoal_request_submit, and when the answer has
 * come, the next shoal_handle_poll() on any thread calls cb(ctx, ticket, rc, grant) on that
 * thread (rc as shoal_request would return; grant valid during the call). Do not pass such a
 * ticket to shoal_request_result. */
typedef void (*shoal_request_cb)(void* ctx, uint32_t ticket, int rc, const struct shoal_grant* grant);
SHOAL_API SHOAL_NODISCARD int shoal_request_async(shoal_handle* h, const struct shoal_request_args* req,
                                                  shoal_request_cb cb, void* ctx, uint32_t* ticket);

/* Admin: moves one processor to a partition, or SHOAL_PROC_IDLE for the idle pool (its CPU
 * unit moves with it). *cycles (may be NULL): card cycles from the command to the processor
 * running; *from (may be NULL): the partition it left (0xFF: the idle pool). BUSY: already
 * migrating; TIMEOUT: it did not quiesce, rolled back. */
#define SHOAL_PROC_IDLE 0xFFu
SHOAL_API SHOAL_NODISCARD int shoal_migrate(shoal_handle* admin, uint32_t processor, uint32_t partition,
                                            uint32_t* cycles, uint32_t* from);

/* ---- events (event.cpp) ------------------------------------------------------------------ */

/* kind: SHOAL_EV_KIND_* (shoal/proto.h; shoal_event_name()): RECLAIMED, GIVE_BACK ("give back
 * `amount` units of `type`"), GRANTED / EXPIRED (request_id), PROC_JOINED / PROC_LEFT
 * (processor in `type`), THRESHOLD (amount 1 = up, 0 = down; data = EWMA), FAULT, ELSEWHERE
 * (admin), EVENTS_LOST, ROLLBACK. */
struct shoal_event {
  uint32_t struct_size;      /* in: sizeof(struct shoal_event) */
  uint32_t kind;
  uint32_t queue;            /* the queue it arrived on (stamped by the card) */
  uint32_t partition;
  uint32_t type;             /* resource type, or the processor for PROC_* / ROLLBACK */
  uint32_t other;            /* RECLAIMED / GIVE_BACK: the other partition */
  uint32_t amount;
  uint32_t request_id;       /* GRANTED / EXPIRED */
  uint32_t data;             /* THRESHOLD: the EWMA, Q0.16 */
};
#define SHOAL_EVENT_SIZE_V1 36u
/* The handle's next event, oldest first, waiting up to timeout_ms (0: only look);
 * SHOAL_ERR_TIMEOUT if none. */
SHOAL_API SHOAL_NODISCARD int shoal_next_event(shoal_handle* h, uint32_t timeout_ms, struct shoal_event* ev);

/* ---- telemetry (telemetry.cpp) ----------------------------------------------------------- */

struct shoal_part_telemetry {
  uint32_t struct_size;      /* in: sizeof(struct shoal_part_telemetry) */
  uint32_t partition;
  uint32_t util, ewma;       /* Q0.16 */
  uint32_t seq;              /* the WMU window's sample number */
  uint32_t procs;            /* processors it holds */
  uint32_t window;           /* WMU window, card cycles */
  uint32_t busy, mem, io;    /* cumulative, saturating: busy processor-cycles, memory and I/O events */
};
#define SHOAL_PART_TELEMETRY_SIZE_V1 40u
SHOAL_API SHOAL_NODISCARD int shoal_telemetry_partition(shoal_handle* h, uint32_t partition,
                                                        struct shoal_part_telemetry* t);
struct shoal_proc_telemetry {
  uint32_t struct_size;      /* in: sizeof(struct shoal_proc_telemetry) */
  uint32_t processor;
  uint32_t partition;        /* its partition (0xFF: the idle pool) */
  uint32_t state;            /* SHOAL_CPL_TELEM_PROC_STATE_* (RUNNING, ..., IDLE, PARKED) */
  uint32_t busy, mem, io;
};
#define SHOAL_PROC_TELEMETRY_SIZE_V1 28u
/* A processor's telemetry (a partition handle: only its own processors; the card says). */
SHOAL_API SHOAL_NODISCARD int shoal_telemetry_processor(shoal_handle* h, uint32_t processor,
                                                        struct shoal_proc_telemetry* t);
/* The service's forecast of a partition's needs (GetPredictedNeeds): the peak units of `type`
 * over the next `window` planning epochs (1..12). CPU, mem_bw and pcie_lanes are profiled; another
 * type is refused (INVALID). */
struct shoal_prediction {
  uint32_t struct_size;      /* in: sizeof(struct shoal_prediction) */
  uint32_t partition, type, window;
  uint32_t point;            /* point forecast, Q8.8 units (saturates) */
  uint32_t upper;            /* upper bound at the policy's quantile, Q8.8 */
  uint32_t quantile;         /* that quantile, percent */
  uint32_t model;            /* the forecaster weighted most (firmware/policy/README.md) */
  uint32_t samples;          /* samples the profile has seen */
};
#define SHOAL_PREDICTION_SIZE_V1 36u
SHOAL_API SHOAL_NODISCARD int shoal_predict(shoal_handle* h, uint32_t partition, uint32_t type, uint32_t window,
                                            struct shoal_prediction* out);
struct shoal_service_state {
  uint32_t struct_size;      /* in: sizeof(struct shoal_service_state) */
  uint32_t state, policy, fault;
  uint32_t fault_count, completed, refused, checks, epochs, migrations, rollbacks, events_lost, pending;
};
#define SHOAL_SERVICE_STATE_SIZE_V1 52u
SHOAL_API SHOAL_NODISCARD int shoal_service_status(shoal_handle* h, struct shoal_service_state* st);

/* ---- the allocation policy (policy.cpp) ---------------------------------------------------- */

/* policy: SHOAL_OP_POLICY_SET_POLICY_STATIC (only explicit requests move units), _REACTIVE (WMU
 * thresholds move processors), _PREDICTIVE (the forecasts do). */
struct shoal_policy {
  uint32_t struct_size;      /* in: sizeof(struct shoal_policy) */
  uint32_t policy;
  uint32_t epoch_windows;    /* WMU windows per planning epoch, >= 1 */
  uint32_t alpha;            /* EWMA weight: E += (U - E) / 2^alpha, 0..15 */
  uint32_t window;           /* WMU window in card cycles (set: 0 keeps it) */
  uint32_t quantile;         /* PREDICTIVE: 0 or 50..99 */
  uint32_t move_cost;        /* PREDICTIVE: processor-epochs, Q4.4 */
};
#define SHOAL_POLICY_SIZE_V1 28u
SHOAL_API SHOAL_NODISCARD int shoal_policy_get(shoal_handle* h, struct shoal_policy* p);
/* Admin: selects the policy and its parameters. */
SHOAL_API SHOAL_NODISCARD int shoal_policy_set(shoal_handle* admin, const struct shoal_policy* p);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SHOAL_BROKER_H */
