// The allocation service's view of the card: the blocks it drives (ALLOC, DRRM, WMU, audit log)
// behind one small interface, and where its events go. The firmware implements CardPort with
// the block drivers (firmware/dif) on the real card; host tests implement it with models.
// Portable C++17: no heap, no exceptions, C headers only.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "shoal/proto.h"
#include "shoal/regs.h"

namespace shoal::service {

constexpr uint32_t K = SHOAL_PARAM_NUM_PARTITIONS;     // partitions
constexpr uint32_t T = SHOAL_PARAM_NUM_RESOURCE_TYPES; // resource types (ALLOC slots)
constexpr uint32_t P = SHOAL_PARAM_NUM_PROCESSORS;     // processors
constexpr uint32_t Q = SHOAL_PARAM_NUM_QUEUES;         // queues: admin + one per partition
constexpr uint8_t kNone = 0xFF;                        // no partition (the idle pool), no actor
constexpr uint32_t kCpu = SHOAL_RES_CPU;               // the CPU-core type: processors
constexpr uint32_t kMem = SHOAL_RES_MEM_REGION;        // memory regions: contiguous chunks
static_assert(K + 1 == Q, "one queue per partition plus the admin queue");
static_assert(P <= 64, "processor masks are 64 bits");
static_assert(K <= 31 && T <= 8, "partition and type bitmaps");

inline uint32_t queue_of(uint32_t partition) { return partition + 1; }

// One ALLOC response (docs/alloc.md).
struct AllocResp {
  uint32_t status = 0;   // ALLOC status (0 granted, 1 partial, 2 denied cap, 3 insufficient, ...)
  uint32_t granted = 0, reclaimed = 0;
  uint32_t alloc = 0, floor = 0, cap = 0, free = 0, prio = 0;
  uint16_t victim[K] = {};
};

// One DRRM completion (docs/drrm.md section 5).
struct DrrmCpl {
  uint32_t status = 0;   // 0 OK, 1 BAD_OPCODE, 2 BAD_ARG, 3 BUSY, 4 TIMEOUT, 5 BAD_STATE
  uint32_t cycles = 0;
};

// WMU telemetry of one partition.
struct PartTelemetry {
  uint32_t util = 0, ewma = 0, seq = 0;   // Q0.16, the latest sample
  uint32_t busy = 0, mem = 0, io = 0;     // cumulative counters
};

class CardPort {
 public:
  // ALLOC: one command (docs/alloc.md command encoding), waits for the response
  virtual AllocResp alloc(uint64_t cmd) = 0;
  virtual bool alloc_selfcheck_failed() = 0;                 // STATUS.inv_err
  virtual uint32_t alloc_free(uint32_t type) = 0;            // POOL_FREE[t]
  virtual uint32_t alloc_pool(uint32_t type) = 0;            // POOL_SIZE[t]
  virtual uint32_t alloc_held(uint32_t part, uint32_t type) = 0;  // PART_STATE alloc field
  // sets the pool of an unused type slot (run-time registered types); false when this ALLOC
  // cannot (its pools are fixed when it is built)
  virtual bool alloc_set_pool(uint32_t type, uint32_t units) = 0;
  // DRRM: one command, waits for its completion (bounded by the DRRM's own timeout)
  virtual DrrmCpl drrm(uint32_t op, uint32_t proc, uint32_t part, uint64_t mask, uint32_t base,
                       uint32_t size, uint32_t perm, uint32_t tag) = 0;
  virtual void drrm_set_timeout(uint32_t cycles) = 0;
  virtual uint32_t drrm_proc_state(uint32_t proc) = 0;       // PROC[p].state (docs/drrm.md)
  virtual uint32_t drrm_proc_part(uint32_t proc) = 0;        // PROC[p].part
  // WMU
  // window (card cycles) and EWMA weight, counting on; false (nothing changed) for a window the
  // WMU refuses (below its minimum)
  virtual bool wmu_configure(uint32_t window, uint32_t alpha) = 0;
  virtual uint32_t wmu_window() = 0;
  virtual uint32_t wmu_alpha() = 0;
  virtual void wmu_thresholds(uint32_t part, uint32_t hi, uint32_t lo, bool enable) = 0;
  virtual PartTelemetry wmu_part(uint32_t part) = 0;
  virtual void wmu_proc(uint32_t proc, uint32_t* busy, uint32_t* mem, uint32_t* io) = 0;
  // audit log: the actor stamped on hardware records, and a firmware record (words 3..7)
  virtual void audit_actor(uint32_t actor) = 0;
  virtual void audit(const uint32_t words[5]) = 0;
  // card time (card cycles) and the firmware's own version
  virtual uint64_t now() = 0;
  virtual uint32_t fw_version() = 0;

 protected:
  ~CardPort() = default;  // never deleted through the interface (no heap on the card)
};

// Where the service's events go (the dispatcher writes them into the queue's CQ).
class EventSink {
 public:
  // An event CQE for `queue`: words 2.. of the event (SHOAL_EV_* fields)
  virtual void event(uint32_t queue, const uint32_t words[SHOAL_PROTO_ENTRY_WORDS]) = 0;

 protected:
  ~EventSink() = default;
};

}  // namespace shoal::service
