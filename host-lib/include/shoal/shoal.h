/* libshoal — the C ABI of the Shoal host library.
 *
 * Open a Shoal card by URI, read and write its BAR0 registers, wait for its interrupts, and
 * learn its shape (parameters, resource types, present blocks) from the device tree blob the
 * card serves in its DTB window. See host-lib/README.md.
 *
 * Conventions
 *  - Every function returns an int: SHOAL_OK (0) or one of enum shoal_err (positive).
 *    shoal_strerror(code) names the code; shoal_last_error() gives the detailed message of the
 *    most recent failure on the calling thread (it names the path, offset or value involved).
 *  - Handles are opaque (shoal_dev). One handle may be used from several threads.
 *  - Versioned structs: the first member of every struct the library fills is
 *    uint32_t struct_size. Set it to sizeof(the struct) before the call (SHOAL_INIT does it).
 *    The library fills at most struct_size bytes, so a program built against an older, smaller
 *    struct keeps working with a newer library; new members are only ever appended.
 *    struct_size smaller than the first published version of the struct is SHOAL_ERR_INVALID_ARG.
 */
#ifndef SHOAL_SHOAL_H
#define SHOAL_SHOAL_H

#include <stddef.h>
#include <stdint.h>

#include "shoal/proto.h" /* the command protocol: opcodes, fields, statuses (generated) */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SHOAL_BUILDING_LIBRARY) && defined(__GNUC__)
#define SHOAL_API __attribute__((visibility("default")))
#else
#define SHOAL_API
#endif

#define SHOAL_ABI_VERSION 1 /* bumped when the ABI changes incompatibly (soname follows) */

enum shoal_err {
  SHOAL_OK = 0,
  SHOAL_ERR_INVALID_ARG = 1, /* bad argument: NULL pointer, malformed URI, unaligned/out-of-range offset */
  SHOAL_ERR_NO_DEVICE = 2,   /* no such device or socket, or it is not a Shoal card */
  SHOAL_ERR_IO = 3,          /* operating-system I/O error */
  SHOAL_ERR_BUS = 4,         /* the card refused the access (bus error response) */
  SHOAL_ERR_PROTOCOL = 5,    /* the simulator broke the wire protocol / version mismatch */
  SHOAL_ERR_TIMEOUT = 6,     /* no answer / no event in time */
  SHOAL_ERR_BAD_DTB = 7,     /* the card's device tree blob is corrupted or inconsistent */
  SHOAL_ERR_UNSUPPORTED = 8, /* not available on this backend (e.g. events on pci: without vfio) */
  SHOAL_ERR_PERMISSION = 9,  /* the OS denied access; or a partition handle acted on what is not its own
                                (libshoal refuses first; the card's PERMISSION status gives it too) */
  SHOAL_ERR_CLOSED = 10,     /* the connection to the device was lost */
  SHOAL_ERR_NO_MEMORY = 11,  /* allocation failed */
  SHOAL_ERR_INTERNAL = 12,   /* a bug in libshoal */
  SHOAL_ERR_BUSY = 13,       /* the device serves as many clients as it can (shoal-sim full); try again later */
  SHOAL_ERR_FULL = 14,       /* a command queue's submission ring is full: take completions, then retry */
  SHOAL_ERR_REFUSED = 15     /* the card (or libshoal, checking first) refused a command: its protocol status
                                (SHOAL_ST_*, shoal/proto.h) is in the completion and in shoal_last_error() */
};

/* Opaque device handle. */
typedef struct shoal_dev shoal_dev;

/* Sets x.struct_size = sizeof x. */
#define SHOAL_INIT(x) ((x).struct_size = (uint32_t)sizeof(x))

#define SHOAL_NAME_MAX 32
#define SHOAL_TEXT_MAX 128

/* Bits of shoal_info.blocks_present, by block name (also the order of shoal_get_block for the
 * blocks this library knows; a newer card may list more). */
enum shoal_block_bit {
  SHOAL_BLOCK_CTRL = 1u << 0,
  SHOAL_BLOCK_DTB = 1u << 1,
  SHOAL_BLOCK_CORE = 1u << 2,
  SHOAL_BLOCK_DRRM = 1u << 3,
  SHOAL_BLOCK_WMU = 1u << 4,
  SHOAL_BLOCK_ALLOC = 1u << 5
};

/* What the card says about itself: identity registers plus its device tree. */
struct shoal_info {
  uint32_t struct_size;       /* in: sizeof(struct shoal_info) */
  uint32_t magic;             /* ctrl MAGIC register (0x53484F4C, "SHOL") */
  uint32_t ctrl_id;           /* ctrl ID register: block ID << 16 | block version */
  uint32_t version_reg;       /* ctrl VERSION register: major << 16 | minor << 8 | patch */
  uint32_t cap;               /* ctrl CAP register */
  uint32_t card_version_major; /* from the DTB: shoal,card-version */
  uint32_t card_version_minor;
  uint32_t card_version_patch;
  uint64_t bar0_size;         /* bytes, from the DTB (shoal,bar0-size) */
  uint64_t clock_hz;          /* card clock, from the DTB */
  uint32_t num_processors;    /* from the DTB */
  uint32_t num_partitions;
  uint32_t num_irq_vectors;
  uint32_t num_host_irqs;
  uint32_t num_resource_types; /* entries for shoal_get_resource */
  uint32_t num_blocks;        /* entries for shoal_get_block */
  uint32_t blocks_present;    /* enum shoal_block_bit: blocks with status "okay" in the DTB */
  uint32_t dtb_size;          /* bytes of the DTB (its FDT totalsize) */
  char model[SHOAL_TEXT_MAX];     /* DTB "model" */
  char transport[SHOAL_TEXT_MAX]; /* how the device is reached, e.g. "sim:/tmp/shoal.sock" */
  /* --- appended (older callers pass a smaller struct_size) --- */
  uint32_t num_slices;        /* entries for shoal_get_slice (0: the card describes none) */
};
#define SHOAL_INFO_SIZE_V1 336u /* sizeof(struct shoal_info) as first published */

/* One resource type the card's allocator manages (DTB /resources/<name>@<index>). */
struct shoal_resource {
  uint32_t struct_size; /* in: sizeof(struct shoal_resource) */
  uint32_t index;
  uint32_t units;
  char name[SHOAL_NAME_MAX];        /* e.g. "cache_ways" (the DTB node name, '-' read as '_') */
  char description[SHOAL_TEXT_MAX];
};

/* One accelerator slice (DTB /slices/<name>@<index>): an addressable unit of a reconfigurable
 * resource, by what it does (seed 004). The card's allocation service grants it to a local
 * partition; shoal-fabricd lends the lendable ones to other servers. */
#define SHOAL_SLICE_NO_RESOURCE 0xffffffffu
struct shoal_slice {
  uint32_t struct_size;        /* in: sizeof(struct shoal_slice) */
  uint32_t index;
  uint32_t capability_version; /* shoal,capability-version (>= 1) */
  uint32_t units;              /* units of the resource pool the slice holds */
  uint32_t resource_index;     /* that pool (shoal_get_resource), or SHOAL_SLICE_NO_RESOURCE */
  uint32_t lendable;           /* 1: may be lent to other servers */
  uint64_t partitions;         /* bit p: local partition p may use the slice (partitions 0..63) */
  char name[SHOAL_NAME_MAX];       /* e.g. "aes0" (the DTB node name, '-' read as '_') */
  char capability[SHOAL_NAME_MAX]; /* e.g. "aes" */
  char description[SHOAL_TEXT_MAX];
};
#define SHOAL_SLICE_SIZE_V1 224u /* sizeof(struct shoal_slice) as first published */

/* One register block or window of BAR0 (DTB /bar0/<name>@<base>). */
struct shoal_block {
  uint32_t struct_size; /* in: sizeof(struct shoal_block) */
  uint32_t present;     /* 1 if status = "okay" */
  uint64_t base;        /* BAR0 byte offset */
  uint64_t size;        /* bytes */
  uint32_t block_id;    /* shoal,block-id (0 for windows such as the DTB) */
  uint32_t block_version;
  char name[SHOAL_NAME_MAX];        /* e.g. "ctrl" */
  char compatible[SHOAL_NAME_MAX];  /* e.g. "shoal,ctrl" */
};

/* The short name of an error code ("bus error ..."); never NULL. */
SHOAL_API const char* shoal_strerror(int err);

/* The detailed message of the most recent failure on this thread ("" if none). Valid until the
 * next libshoal call on this thread. */
SHOAL_API const char* shoal_last_error(void);

/* The library's version, "MAJOR.MINOR.PATCH". */
SHOAL_API const char* shoal_version(void);

/* Opens a card. URI forms (see README): "sim:/path/to/socket", "pci:DDDD:BB:DD.F",
 * "pci:BB:DD.F", "pci:VVVV:DDDD" and "pci:VVVV:DDDD#N" (N-th match, 0-based). uri NULL or ""
 * means $SHOAL_DEVICE. Checks the MAGIC and ID registers, reads and validates the DTB.
 * On failure *out is set to NULL. */
SHOAL_API int shoal_open(const char* uri, shoal_dev** out);

/* Closes the handle; NULL is ignored. */
SHOAL_API void shoal_close(shoal_dev* dev);

/* Register access at a BAR0 byte offset (32-bit: 4-byte aligned, 64-bit: 8-byte aligned). */
SHOAL_API int shoal_reg_read32(shoal_dev* dev, uint64_t offset, uint32_t* value);
SHOAL_API int shoal_reg_write32(shoal_dev* dev, uint64_t offset, uint32_t value);
SHOAL_API int shoal_reg_read64(shoal_dev* dev, uint64_t offset, uint64_t* value);
SHOAL_API int shoal_reg_write64(shoal_dev* dev, uint64_t offset, uint64_t value);

/* Waits up to timeout_ms (0 polls) for host interrupt vectors; *vectors gets the mask of those
 * that fired. SHOAL_ERR_TIMEOUT if none; SHOAL_ERR_UNSUPPORTED on pci: (needs vfio). */
SHOAL_API int shoal_wait_event(shoal_dev* dev, uint32_t timeout_ms, uint32_t* vectors);

SHOAL_API int shoal_get_info(shoal_dev* dev, struct shoal_info* info);
SHOAL_API int shoal_get_resource(shoal_dev* dev, uint32_t index, struct shoal_resource* res);
SHOAL_API int shoal_get_block(shoal_dev* dev, uint32_t index, struct shoal_block* blk);
/* Slice `index` (0 .. shoal_info.num_slices - 1); SHOAL_ERR_INVALID_ARG out of range. */
SHOAL_API int shoal_get_slice(shoal_dev* dev, uint32_t index, struct shoal_slice* slice);

/* The card's raw DTB: copies min(*size, dtb size) bytes to buf (buf may be NULL) and sets
 * *size to the DTB size. */
SHOAL_API int shoal_get_dtb(shoal_dev* dev, void* buf, size_t* size);

/* ---- the cards present ---------------------------------------------------------------------- */

enum shoal_device_kind { SHOAL_DEVICE_PCI = 1, SHOAL_DEVICE_SIM = 2 };

struct shoal_device_entry {
  uint32_t struct_size;     /* in: sizeof(struct shoal_device_entry), the same in every entry */
  uint32_t kind;            /* enum shoal_device_kind */
  uint32_t pci_vendor;      /* SHOAL_DEVICE_PCI: its vendor and device ID; 0 otherwise */
  uint32_t pci_device;
  char uri[SHOAL_TEXT_MAX]; /* what shoal_open() takes, e.g. "pci:0000:03:00.0" or "sim:/run/user/1000/shoal/shoal-sim.sock" */
};

/* Lists the Shoal cards present without opening any: the PCI devices with the Shoal
 * vendor:device ID under ${SHOAL_SYSFS_ROOT:-/sys}/bus/pci/devices (by address), then the
 * sockets in the simulators' runtime directory ($SHOAL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/shoal,
 * else /tmp/shoal-UID; by name; a socket nobody listens on any more is listed too, shoal_open
 * says so). Fills up to `capacity` entries (entries may be NULL when capacity is 0); every
 * entry passed must have struct_size set, and the array's element size is
 * entries[0].struct_size. *count gets the number present, which may exceed capacity. */
SHOAL_API int shoal_list_devices(struct shoal_device_entry* entries, size_t capacity, size_t* count);

/* ---- soft-core firmware (the card's `core` block) ----------------------------------------
 *
 * shoal_fw_load: downloads an ELF image into the soft core and starts it. The file is read and
 * validated completely before the card is touched: ELF magic, ELFCLASS32, little-endian,
 * EM_RISCV, ET_EXEC, at least one PT_LOAD segment, every PT_LOAD segment (by physical address,
 * memsz bytes) word aligned and wholly inside the core's IRAM or DRAM as the core block reports
 * them (IRAM_BASE/IRAM_BYTES, DRAM_BASE/DRAM_BYTES), and the entry point at IRAM_BASE (the boot
 * address). A file that fails any check gives SHOAL_ERR_INVALID_ARG with the reason in
 * shoal_last_error(), and the core is left exactly as it was. A card without the core block
 * gives SHOAL_ERR_UNSUPPORTED.
 * Then: CTRL.reset = 1, wait for STATUS.running = 0, for each segment LOAD_ADDR then every
 * word to LOAD_DATA (memsz beyond filesz is zero-filled), check LOAD_COUNT, CTRL.reset = 0.
 * progress (may be NULL) is called with the bytes written so far and the total, now and then
 * and once at the end. A failure during the download leaves the core held in reset. */
typedef void (*shoal_fw_progress_fn)(void* ctx, uint64_t done_bytes, uint64_t total_bytes);
SHOAL_API int shoal_fw_load(shoal_dev* dev, const char* elf_path, shoal_fw_progress_fn progress,
                            void* ctx);

struct shoal_fw_state {
  uint32_t struct_size; /* in: sizeof(struct shoal_fw_state) */
  uint32_t ctrl;        /* core.CTRL */
  uint32_t status;      /* core.STATUS */
  uint32_t load_count;  /* core.LOAD_COUNT: words downloaded since the core was last put in reset */
  uint32_t iram_base, iram_bytes, dram_base, dram_bytes;
  uint32_t in_reset;    /* CTRL.reset */
  uint32_t running;     /* STATUS.running */
  uint32_t sleeping;    /* STATUS.sleeping (waits in wfi) */
  uint32_t core_id;     /* core.ID (block id << 16 | version) */
  /* --- appended (firmware report and watchdog; older callers pass a smaller struct_size) --- */
  uint32_t fw_version;  /* core.FW_VERSION: kind << 24 | major << 16 | minor << 8 | patch (0: none) */
  uint32_t fw_uptime;   /* core.FW_UPTIME: RTOS ticks (the heartbeat) */
  uint32_t fw_tasks;    /* core.FW_TASKS (raw) */
  uint32_t task_count;  /* FW_TASKS.count */
  uint32_t sched_running; /* FW_TASKS.running */
  uint32_t fw_fault;    /* core.FW_FAULT (raw); valid bit 31 */
  uint32_t fault_valid, fault_cause, fault_task, fault_count;
  uint32_t fault_data;  /* core.FW_FAULT_DATA */
  char fault_task_name[12]; /* core.FW_FAULT_NAME as text, NUL terminated */
  uint32_t wdog_ctrl, wdog_enabled, wdog_halt;
  uint32_t wdog_timeout; /* cycles */
  uint32_t wdog_count;  /* cycles left */
  uint32_t wdog_status; /* raw */
  uint32_t wdog_expired, wdog_kicks;
};
/* Text for shoal_fw_state.fault_cause ("none", "stack overflow", ...); "unknown" otherwise. */
SHOAL_API const char* shoal_fw_fault_name(uint32_t cause);
SHOAL_API int shoal_fw_status(shoal_dev* dev, struct shoal_fw_state* st);

/* ---- command queues (docs/queues.md; the commands: docs/commands.md, shoal/proto.h) --------
 *
 * A queue handle owns one of the card's command queues: SHOAL_QUEUE_ADMIN (queue 0) or
 * SHOAL_QUEUE_PARTITION(k) (queue 1 + k, partition k's page). A process may hold one handle per
 * queue of a card (a second open of the same queue is SHOAL_ERR_BUSY); one handle may be used
 * from several threads. Entries are SHOAL_PROTO_ENTRY_WORDS 32-bit words; build them with the
 * SHOAL_SET() accessors of shoal/proto.h.
 *
 * Completions are matched to their command by tag: shoal_queue_submit gives each command a
 * fresh tag (it writes word 1), shoal_queue_wait waits for that tag's completion; unsolicited
 * events (CQE header `event` = 1) are kept for shoal_queue_next_event (at most
 * SHOAL_QUEUE_EVENT_KEEP; more are dropped and counted in shoal_queue_stats.events_dropped).
 * With interrupts (sim:; pci: needs vfio-pci) waiting sleeps until the queue's host vector
 * fires; without them the library polls CQ_TAIL.
 *
 * The raw calls send what they are given (the card checks it: that is how its checks are
 * tested); the broker calls (shoal_part_*, shoal_request ..., below) check first. */
#define SHOAL_QUEUE_EVENT_KEEP 4096u  /* SHOAL_QUEUE_ADMIN / SHOAL_QUEUE_PARTITION(k): shoal/proto.h */

typedef struct shoal_queue shoal_queue;

/* Opens queue `queue` of the card; SHOAL_ERR_UNSUPPORTED if the card has no command queues,
 * SHOAL_ERR_INVALID_ARG for a queue it does not have. */
SHOAL_API int shoal_queue_open(shoal_dev* dev, uint32_t queue, shoal_queue** out);
/* Closes the handle (NULL is ignored); completions not yet taken are discarded. */
SHOAL_API void shoal_queue_close(shoal_queue* q);
SHOAL_API uint32_t shoal_queue_index(const shoal_queue* q);

/* Places one command in the submission ring and rings the doorbell. The library sets the tag
 * (word 1) and returns it in *tag (may be NULL). SHOAL_ERR_FULL when the ring is full. */
SHOAL_API int shoal_queue_submit(shoal_queue* q, const uint32_t* sqe, uint32_t* tag);
/* Waits up to timeout_ms (0: poll once) for the completion of `tag` and copies it to cqe.
 * SHOAL_ERR_TIMEOUT if it has not arrived; SHOAL_ERR_INVALID_ARG for a tag never submitted or
 * already taken. */
SHOAL_API int shoal_queue_wait(shoal_queue* q, uint32_t tag, uint32_t timeout_ms, uint32_t* cqe);
/* shoal_queue_submit then shoal_queue_wait. The completion's status is the caller's to read. */
SHOAL_API int shoal_queue_call(shoal_queue* q, const uint32_t* sqe, uint32_t* cqe, uint32_t timeout_ms);
/* The next event (oldest first), waiting up to timeout_ms; SHOAL_ERR_TIMEOUT if none. */
SHOAL_API int shoal_queue_next_event(shoal_queue* q, uint32_t timeout_ms, uint32_t* ev);
/* Takes what the card completed into the library (completions for shoal_queue_wait, events for
 * shoal_queue_next_event) without waiting; *taken (may be NULL) gets how many entries. */
SHOAL_API int shoal_queue_poll(shoal_queue* q, uint32_t* taken);
/* A file descriptor that becomes readable when the queue's host vector fired (for poll/epoll);
 * then call shoal_queue_poll (which also resets it). Owned by the handle. SHOAL_ERR_UNSUPPORTED
 * on a transport without interrupts. */
SHOAL_API int shoal_queue_fd(shoal_queue* q, int* fd);

struct shoal_queue_stats {
  uint32_t struct_size;       /* in: sizeof(struct shoal_queue_stats) */
  uint32_t queue;
  uint64_t submitted, completed, events, events_dropped;
  uint32_t sq_free;           /* free submission slots (as last seen) */
  uint32_t interrupts;        /* 1: waiting sleeps on the host vector; 0: polling */
  uint32_t bad_writes;        /* the page's BAD_WRITES register */
};
#define SHOAL_QUEUE_STATS_SIZE_V1 52u /* first published size */
SHOAL_API int shoal_queue_get_stats(shoal_queue* q, struct shoal_queue_stats* st);

/* ---- the audit log (docs/audit.md) -------------------------------------------------------- */
struct shoal_audit_state {
  uint32_t struct_size;       /* in: sizeof(struct shoal_audit_state) */
  uint32_t head, tail;        /* records head .. tail-1 are in the ring */
  uint32_t depth;
  uint32_t dropped;           /* records dropped since reset (each also counted in a GAP record) */
  uint32_t drop_pending;      /* ... not yet written into a GAP record */
};
#define SHOAL_AUDIT_STATE_SIZE_V1 24u
struct shoal_audit_record {
  uint32_t struct_size;       /* in: sizeof(struct shoal_audit_record) */
  uint32_t seq;
  uint64_t time;              /* card cycle */
  uint32_t kind, source, actor, status;   /* SHOAL_AUDIT_KIND_*, SHOAL_AUDIT_SRC_* (shoal/proto.h) */
  uint32_t part, part2, rtype, flags, amount, aux, data_lo, data_hi;
  uint32_t raw[8];            /* the record's words as the card holds them */
};
#define SHOAL_AUDIT_RECORD_SIZE_V1 96u
SHOAL_API int shoal_audit_get_state(shoal_dev* dev, struct shoal_audit_state* st);
/* Reads record `seq` without draining it; SHOAL_ERR_INVALID_ARG if it is not in the ring (not
 * yet written, or drained), with head and tail in the message. */
SHOAL_API int shoal_audit_read(shoal_dev* dev, uint32_t seq, struct shoal_audit_record* rec);
/* Drains every record before `seq` (writes HEAD); seq must lie in [head, tail]. */
SHOAL_API int shoal_audit_drain(shoal_dev* dev, uint32_t seq);
/* Names: "GRANT", "OK", ... (NULL for an unknown code). */
SHOAL_API const char* shoal_audit_kind_name(uint32_t kind);
SHOAL_API const char* shoal_audit_source_name(uint32_t source);
SHOAL_API const char* shoal_status_name(uint32_t status);
SHOAL_API const char* shoal_event_name(uint32_t kind);
SHOAL_API const char* shoal_command_name(uint32_t opcode);

#ifdef __cplusplus
} /* extern "C" */
#endif

/* The broker and Swarm API: admin and partition handles, partitions, resources, requests,
 * events and telemetry (docs/api.md). */
#include "shoal/broker.h"

#endif /* SHOAL_SHOAL_H */
