// The Resource Allocation Manager: the card firmware's allocation service (docs/service.md).
//
// It turns commands (from the dispatcher) and telemetry (WMU crossings, planning epochs) into
// ALLOC grants and DRRM processor migrations, and keeps, at every moment, each partition's
// CPU-core grant in the ALLOC equal to the processors the DRRM maps to it. Portable C++17 (no
// heap, C headers only): the same sources build into the firmware and into host tests, with the
// card reached through CardPort.
//
// Every operation returns a protocol status (SHOAL_ST_*) and changes nothing when it refuses.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "shoal/policy/decide.hpp"
#include "shoal/service/port.hpp"
#include "shoal/service/swarm.hpp"

namespace shoal::service {

constexpr uint32_t kMaxPending = 16;   // postponed requests the service holds
constexpr uint32_t kNameBytes = 8;     // resource-type names

enum class Policy : uint8_t { Static = 0, Reactive = 1, Predictive = 2 };

// Why the service stopped (SERVICE_STATUS.fault)
enum class Fault : uint8_t { None = 0, AllocSelfcheck = 1, PoolSum = 2, CpuMap = 3, ProcLost = 4 };

struct PartitionState {
  bool exists = false;
  bool high = false;          // the WMU said: above thr_hi (until it says below thr_lo)
  uint8_t prio = 0;
  uint16_t thr_hi = 0xD99A;   // 85 %
  uint16_t thr_lo = 0x4CCD;   // 30 %
  uint16_t floor[T] = {};
  uint16_t cap[T] = {};
};

struct TypeState {
  uint8_t state = SHOAL_CPL_RES_QUERY_STATE_FREE;
  char name[kNameBytes] = {};
  uint16_t units = 0;
};

struct Pending {
  bool used = false;
  bool vector = false;
  uint8_t part = 0;
  uint8_t type = 0;           // single-type requests
  uint16_t id = 0;
  uint32_t flags = 0;
  uint16_t amount[T] = {};
  uint64_t deadline = 0;      // card cycle
};

struct Stats {
  uint32_t completed = 0, refused = 0, checks = 0, epochs = 0, migrations = 0, rollbacks = 0;
  uint32_t events_lost = 0, fault_count = 0;
  uint32_t decide_last = 0, decide_max = 0;
};

// The result of a request.
struct Grant {
  uint16_t granted = 0, reclaimed = 0, held = 0, request = 0;
  uint32_t base = 0, size = 0;     // mem_region
};

struct PolicyParams {
  Policy policy = Policy::Reactive;
  uint8_t epoch_windows = 4;
  uint8_t quantile = 90;     // upper-bound quantile in percent: 0 (the point forecast) or 50..99
  uint8_t move_cost = 8;     // processor-epochs a move costs, Q4.4 (8 = 0.5)
};

// The forecast of a partition's needs (GetPredictedNeeds), in units of the type, Q8.8
struct Prediction {
  uint32_t point = 0, upper = 0, quantile = 0, model = 0, samples = 0;
};

class Service {
 public:
  Service(CardPort& card, EventSink& events) : card_(card), events_(events) {}

  // Boot: every processor to the idle pool, the blocks configured, the types from the
  // register map, a SERVICE_START record. Returns the number of processors it could not park.
  uint32_t start();

  // ---- partitions (admin) ----
  uint32_t part_create(uint32_t want, uint32_t prio, uint32_t* got);
  uint32_t part_configure(uint32_t p, uint32_t set, uint32_t prio, uint32_t hi, uint32_t lo,
                          uint32_t types, const uint16_t floor[T], const uint16_t cap[T],
                          uint32_t* bad_type);
  uint32_t part_destroy(uint32_t p, uint16_t released[T]);
  const PartitionState& partition(uint32_t p) const { return parts_[p]; }
  uint32_t held(uint32_t p, uint32_t t) const { return held_[p][t]; }
  uint64_t procs_of(uint32_t p) const;       // bit x: processor x is mapped to p
  uint32_t pending_of(uint32_t p) const;

  // ---- resources ----
  const TypeState& type(uint32_t t) const { return types_[t]; }
  uint32_t free_units(uint32_t t) const;
  uint32_t res_register(const char name[kNameBytes], uint32_t units, uint32_t* t);
  uint32_t res_retire(uint32_t t);

  // ---- requests (queue: who asks, for events and the actor) ----
  uint32_t request(uint32_t queue, uint32_t p, uint32_t t, uint32_t amount, uint32_t flags,
                   uint32_t timeout_us, Grant* g);
  uint32_t release(uint32_t p, uint32_t t, uint32_t amount, uint32_t* released);
  uint32_t swap(uint32_t from, uint32_t to, uint32_t t, uint32_t amount, uint32_t* moved);
  uint32_t request_vector(uint32_t queue, uint32_t p, uint32_t flags, const uint16_t amount[T],
                          uint32_t timeout_us, uint16_t granted[T], uint16_t* request);
  uint32_t cancel(uint32_t p, uint32_t request);
  uint32_t migrate(uint32_t proc, uint32_t target, uint32_t* cycles, uint32_t* from);

  // ---- processors ----
  uint32_t owner(uint32_t proc) const { return owner_[proc]; }   // kNone: the idle pool
  bool proc_of(uint32_t proc, uint32_t p) const { return owner_[proc] == p; }

  // ---- policy and telemetry ----
  uint32_t policy_set(const PolicyParams& pp, uint32_t window, uint32_t alpha);
  const PolicyParams& policy() const { return policy_; }
  // WMU crossings: bit k of up / down (the reactive policy reacts at once)
  void on_crossings(uint32_t up, uint32_t down);
  // A planning epoch: the policy's decision, postponed requests, deadlines, invariants
  void on_epoch();
  // Postponed requests whose deadline passed, and those that can be granted now
  void serve_pending();

  // ---- invariants ----
  // Checks free + sum(alloc) = pool, the ALLOC self-check and DRRM map = CPU grants; a
  // violation stops the service (sticky) with a FAULT record. Returns the fault (None = fine).
  Fault check_invariants();
  Fault fault() const { return fault_; }
  bool running() const { return fault_ == Fault::None; }
  uint32_t clear_fault(uint32_t* was);

  Stats& stats() { return stats_; }
  CardPort& card() { return card_; }
  // the queue whose command runs (stamped into audit records and DRRM tags); kNone: the policy
  void set_actor(uint32_t actor);
  uint32_t actor() const { return actor_; }
  // PREDICT: the predictor's forecast of partition p's needs of type t over `window` epochs
  uint32_t predict(uint32_t p, uint32_t t, uint32_t window, Prediction* out) const;

 private:
  // the mirror of ALLOC state kept from its responses (checked against the ALLOC)
  void apply_resp(uint32_t p, uint32_t t, const AllocResp& r);
  AllocResp alloc_cmd(uint32_t op, uint32_t p, uint32_t t, uint32_t amount, uint32_t cap,
                      bool partial, bool reclaim, uint32_t prio = 0);
  uint32_t reclaimable(uint32_t p, uint32_t t) const;
  uint32_t try_request(uint32_t queue, uint32_t p, uint32_t t, uint32_t amount, uint32_t flags,
                       Grant* g);
  uint32_t request_cpu(uint32_t p, uint32_t amount, bool partial, bool reclaim, Grant* g);
  uint32_t release_cpu(uint32_t p, uint32_t amount, uint32_t* released);
  uint32_t request_mem(uint32_t p, uint32_t amount, Grant* g);
  uint32_t release_mem(uint32_t p, uint32_t amount);
  bool vector_feasible(uint32_t p, const uint16_t amount[T], bool reclaim, uint32_t* short_type,
                       uint32_t* status) const;
  // move one processor: to a partition (or kNone = the idle pool); false when it timed out
  bool move(uint32_t proc, uint32_t to, uint32_t* cycles);
  void fallback_negotiate(uint32_t p, uint32_t t, uint32_t missing);
  uint32_t postpone(uint32_t p, uint32_t t, bool vector, const uint16_t amount[T], uint32_t flags,
                    uint32_t timeout_us, uint16_t* id);
  void set_target(uint32_t p, uint32_t target, uint64_t since);  // since: the card time the decision began
  void record(uint32_t kind, uint32_t status, uint32_t part, uint32_t part2, uint32_t rtype,
              uint32_t flags, uint32_t amount, uint32_t aux, uint32_t data_lo, uint32_t data_hi,
              uint32_t actor = kNone);
  void event(uint32_t queue, uint32_t kind, uint32_t part, uint32_t type, uint32_t other,
             uint32_t amount, uint32_t request, uint32_t data);
  void stop(Fault f, uint32_t detail);
  SwarmView view() const;

  CardPort& card_;
  EventSink& events_;
  PartitionState parts_[K];
  TypeState types_[T];
  uint16_t held_[K][T] = {};     // mirror of the ALLOC's alloc[p][t]
  uint16_t pool_[T] = {};
  uint8_t owner_[P] = {};        // processor -> partition, kNone = idle pool
  uint32_t last_busy_[P] = {};   // WMU busy counter at the last epoch (how warm it is)
  uint8_t heat_[P] = {};         // busy fraction over the last epoch, 0..255
  Pending pending_[kMaxPending];
  uint16_t next_id_ = 1;
  // memory regions: one contiguous extent per partition
  uint8_t mem_start_[K] = {};
  uint8_t chunk_owner_[SHOAL_RES_MEM_REGION_UNITS] = {};
  PolicyParams policy_;
  void decide_epoch();
  void feed_predictor_with(const shoal::policy::EpochIn& in);
  void vector_epoch();
  uint32_t actor_ = kNone;
  shoal::policy::Predictor pred_;
  shoal::policy::PolicyConfig pcfg_;
  shoal::policy::PolicyState pstate_;
  uint32_t last_mem_[K] = {}, last_io_[K] = {}, last_pbusy_[K] = {};
  Fault fault_ = Fault::None;
  uint32_t fault_detail_ = 0;
  Stats stats_;
};

}  // namespace shoal::service
