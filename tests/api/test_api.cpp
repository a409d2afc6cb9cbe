// The broker and Swarm API (issue 14, label api) against the co-simulated card: every call of
// shoal/broker.h through sim: to the firmware's allocation service, each error path with its
// message, partition isolation (also with forged commands on a partition's own page), one
// handle shared by threads and several handles at once, checked against the card's invariants.
// One shoal-sim serves the whole file; each test case uses its own partitions and destroys them.
#include <catch2/catch.hpp>

#include <poll.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "card_sim.hpp"
#include "shoal/shoal.hpp"

using namespace shoal::test;

namespace {

constexpr std::uint32_t kCpu = SHOAL_RES_CPU, kWays = SHOAL_RES_CACHE_WAYS, kBw = SHOAL_RES_MEM_BW,
                        kLanes = SHOAL_RES_PCIE_LANES;

// The card (its device handle carries the tests' broker handles: no raw queue is opened on it
// but by the isolation test, after its handle closed).
CardSim& card();

// An RAII handle for the tests.
struct H {
  shoal_handle* h = nullptr;
  H() = default;
  explicit H(shoal_handle* x) : h(x) {}
  H(H&& o) noexcept : h(o.h) { o.h = nullptr; }
  ~H() { shoal_handle_close(h); }
  operator shoal_handle*() const { return h; }
};

H admin() {
  shoal_handle* h = nullptr;
  INFO(shoal_last_error());
  REQUIRE(shoal_admin_open(card().dev(), &h) == SHOAL_OK);
  return H(h);
}
// Only explicit requests move units (the default, REACTIVE, moves processors by itself).
CardSim& card() {
  static CardSim c;
  static bool once = [] {
    shoal_handle* h = nullptr;
    REQUIRE(shoal_admin_open(c.dev(), &h) == SHOAL_OK);
    shoal_policy p{};
    SHOAL_INIT(p);
    p.policy = SHOAL_OP_POLICY_SET_POLICY_STATIC;
    p.epoch_windows = 1;
    p.alpha = 3;
    const int rc = shoal_policy_set(h, &p);
    shoal_handle_close(h);
    REQUIRE(rc == SHOAL_OK);
    return true;
  }();
  (void)once;
  return c;
}

// The card-wide invariants, over BAR0 and the admin handle: free + sum(alloc) = pool per type,
// every partition's CPU grant = the processors the DRRM maps to it, the service running.
void require_invariants(shoal_handle* a) {
  CardSim& c = card();
  for (std::uint32_t t = 0; t < SHOAL_PARAM_NUM_RESOURCE_TYPES; ++t) {
    std::uint32_t sum = c.rd(SHOAL_ALLOC_POOL_FREE_ADDR_N(t));
    for (std::uint32_t p = 0; p < SHOAL_PARAM_NUM_PARTITIONS; ++p) sum += c.alloc_held(p, t);
    INFO("type " << t);
    REQUIRE(sum == c.rd(SHOAL_ALLOC_POOL_SIZE_ADDR_N(t)));
  }
  for (std::uint32_t p = 0; p < SHOAL_PARAM_NUM_PARTITIONS; ++p) {
    INFO("partition " << p);
    REQUIRE(c.drrm_mapped(p) == c.alloc_held(p, SHOAL_RES_CPU));
  }
  shoal_service_state ss{};
  SHOAL_INIT(ss);
  REQUIRE(shoal_service_status(a, &ss) == SHOAL_OK);
  REQUIRE(ss.state == SHOAL_CPL_SERVICE_STATUS_STATE_RUNNING);
}

H part(std::uint32_t k) {
  shoal_handle* h = nullptr;
  INFO(shoal_last_error());
  REQUIRE(shoal_partition_open(card().dev(), k, &h) == SHOAL_OK);
  return H(h);
}

bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }
#define CHECK_ERR(call, code, text)                  \
  do {                                               \
    const int rc_ = (call);                          \
    const std::string msg_ = shoal_last_error();     \
    INFO(#call << " -> " << rc_ << ": " << msg_);    \
    CHECK(rc_ == (code));                            \
    CHECK(contains(msg_, text));                     \
  } while (0)
#define REQUIRE_OK(call)                                  \
  do {                                                    \
    const int rc_ = (call);                               \
    INFO(#call << ": " << shoal_last_error());            \
    REQUIRE(rc_ == SHOAL_OK);                             \
  } while (0)

shoal_request_args req(std::uint32_t p, std::uint32_t t, std::uint32_t amount, std::uint32_t flags = 0,
                  std::uint32_t timeout_us = 0) {
  shoal_request_args r{};
  SHOAL_INIT(r);
  r.partition = p;
  r.type = t;
  r.amount = amount;
  r.flags = flags;
  r.timeout_us = timeout_us;
  return r;
}

shoal_part_info query(shoal_handle* h, std::uint32_t p) {
  shoal_part_info i{};
  SHOAL_INIT(i);
  REQUIRE_OK(shoal_part_query(h, p, &i));
  return i;
}


}  // namespace

TEST_CASE("handles: admin and partition handles, their identity and their errors", "[api]") {
  H a = admin();
  shoal_handle_info info{};
  SHOAL_INIT(info);
  REQUIRE_OK(shoal_handle_get_info(a, &info));
  CHECK(info.queue == 0);
  CHECK(info.partition == SHOAL_HANDLE_ADMIN);
  CHECK(info.num_partitions == SHOAL_PARAM_NUM_PARTITIONS);
  CHECK(info.num_types == SHOAL_PARAM_NUM_RESOURCE_TYPES);
  CHECK(info.num_processors == SHOAL_PARAM_NUM_PROCESSORS);
  CHECK(info.proto_major == SHOAL_PROTO_VERSION_MAJOR);
  CHECK(info.timeout_ms == SHOAL_HANDLE_TIMEOUT_MS);
  CHECK(shoal_handle_partition(a) == SHOAL_HANDLE_ADMIN);
  {
    H p = part(3);
    CHECK(shoal_handle_partition(p) == 3);
    REQUIRE_OK(shoal_handle_get_info(p, &info));
    CHECK(info.queue == SHOAL_QUEUE_PARTITION(3));
    // one handle per queue per device
    shoal_handle* again = reinterpret_cast<shoal_handle*>(&info);
    CHECK_ERR(shoal_partition_open(card().dev(), 3, &again), SHOAL_ERR_BUSY, "already open");
    CHECK(again == nullptr);
  }
  shoal_handle* x = nullptr;
  CHECK_ERR(shoal_partition_open(card().dev(), SHOAL_PARAM_NUM_PARTITIONS, &x), SHOAL_ERR_INVALID_ARG,
            "partition 16 does not exist on this card: it has 16");
  CHECK_ERR(shoal_admin_open(card().dev(), &x), SHOAL_ERR_BUSY, "already open");
  CHECK_ERR(shoal_admin_open(nullptr, &x), SHOAL_ERR_INVALID_ARG, "NULL");
  CHECK_ERR(shoal_handle_set_timeout(a, 0), SHOAL_ERR_INVALID_ARG, "must be 1 .. 3600000 ms");
  REQUIRE_OK(shoal_handle_set_timeout(a, 5000));
  REQUIRE_OK(shoal_handle_get_info(a, &info));
  CHECK(info.timeout_ms == 5000);
  shoal_handle_info small{};
  small.struct_size = SHOAL_HANDLE_INFO_SIZE_V1 - 4;
  CHECK_ERR(shoal_handle_get_info(a, &small), SHOAL_ERR_INVALID_ARG, "at least 48");
  shoal_service_state ss{};
  SHOAL_INIT(ss);
  REQUIRE_OK(shoal_service_status(a, &ss));
  CHECK(ss.state == SHOAL_CPL_SERVICE_STATUS_STATE_RUNNING);
  CHECK(ss.completed > 0);
  shoal_handle_close(nullptr);  // ignored

  // telemetry and forecasts of a partition
  REQUIRE_OK(shoal_part_create(a, 15, 2, nullptr));
  shoal_part_telemetry pt{};
  SHOAL_INIT(pt);
  REQUIRE_OK(shoal_telemetry_partition(a, 15, &pt));
  CHECK(pt.partition == 15);
  CHECK(pt.window > 0);
  CHECK(pt.procs == 0);
  shoal_prediction pr{};
  SHOAL_INIT(pr);
  REQUIRE_OK(shoal_predict(a, 15, kCpu, 3, &pr));
  CHECK(pr.window == 3);
  CHECK(pr.upper >= pr.point);
  CHECK_ERR(shoal_predict(a, 15, kCpu, 0, &pr), SHOAL_ERR_INVALID_ARG, "must not be 0");
  CHECK_ERR(shoal_predict(a, 15, kWays, 3, &pr), SHOAL_ERR_REFUSED, "PREDICT of type 1 for partition 15 over 3 epochs: the card refused it: INVALID");
  shoal_policy pol{};
  SHOAL_INIT(pol);
  REQUIRE_OK(shoal_policy_get(a, &pol));
  CHECK(pol.policy == SHOAL_OP_POLICY_SET_POLICY_STATIC);
  {
    H p = part(15);
    CHECK_ERR(shoal_policy_set(p, &pol), SHOAL_ERR_PERMISSION, "only the admin handle");
    REQUIRE_OK(shoal_policy_get(p, &pol));
  }
  REQUIRE_OK(shoal_part_destroy(a, 15, nullptr));
}

TEST_CASE("partitions: list, create, query, configure, destroy and every refusal", "[api]") {
  H a = admin();
  std::uint32_t made = 99;
  REQUIRE_OK(shoal_part_create(a, 0, 3, &made));
  CHECK(made == 0);
  REQUIRE_OK(shoal_part_create(a, SHOAL_PARTITION_ANY, 5, &made));
  CHECK(made == 1);
  std::uint64_t mask = 0;
  std::uint32_t count = 0;
  REQUIRE_OK(shoal_part_list(a, &mask, &count));
  CHECK(mask == 0x3);
  CHECK(count == 2);
  CHECK_ERR(shoal_part_create(a, 0, 3, nullptr), SHOAL_ERR_REFUSED, "PART_CREATE of partition 0: the card refused it: EXISTS");
  CHECK(shoal_last_status() == SHOAL_ST_EXISTS);
  CHECK_ERR(shoal_part_create(a, 2, 16, nullptr), SHOAL_ERR_INVALID_ARG, "prio = 16 does not fit its field (at most 15");
  CHECK(shoal_last_status() == SHOAL_ST_INVALID);
  CHECK_ERR(shoal_part_create(a, 20, 1, nullptr), SHOAL_ERR_INVALID_ARG, "partitions are 0..15 or 255");

  shoal_part_info i = query(a, 1);
  CHECK(i.exists == 1);
  CHECK(i.prio == 5);
  CHECK(i.num_types == SHOAL_PARAM_NUM_RESOURCE_TYPES);
  CHECK(i.cap[kWays] == SHOAL_RES_CACHE_WAYS_UNITS);
  CHECK(query(a, 7).exists == 0);

  // configure: priority, thresholds, limits
  shoal_part_config cfg{};
  SHOAL_INIT(cfg);
  cfg.set = SHOAL_PART_SET_PRIO | SHOAL_PART_SET_THRESH | SHOAL_PART_SET_LIMITS;
  cfg.prio = 9;
  cfg.thr_hi = 50000;
  cfg.thr_lo = 10000;
  cfg.types = 1u << kWays;
  cfg.floor[kWays] = 2;
  cfg.cap[kWays] = 10;
  REQUIRE_OK(shoal_part_configure(a, 1, &cfg));
  i = query(a, 1);
  CHECK(i.prio == 9);
  CHECK(i.thr_hi == 50000);
  CHECK(i.thr_lo == 10000);
  CHECK(i.floor[kWays] == 2);
  CHECK(i.cap[kWays] == 10);
  // floors above the pool: FLOOR_SUM names the type, nothing changes
  cfg.set = SHOAL_PART_SET_LIMITS;
  cfg.floor[kWays] = SHOAL_RES_CACHE_WAYS_UNITS - 2;
  cfg.cap[kWays] = SHOAL_RES_CACHE_WAYS_UNITS;
  shoal_part_config c0 = cfg;
  REQUIRE_OK(shoal_part_configure(a, 0, &c0));  // 0 takes 14 of 16 as its floor, 1 has 2
  cfg.floor[kWays] = 3;
  CHECK_ERR(shoal_part_configure(a, 1, &cfg), SHOAL_ERR_REFUSED, "FLOOR_SUM");
  CHECK(cfg.failed_type == kWays);
  CHECK(query(a, 1).floor[kWays] == 2);
  c0.floor[kWays] = 0;
  REQUIRE_OK(shoal_part_configure(a, 0, &c0));
  // a cap below what it holds
  shoal_grant g{};
  SHOAL_INIT(g);
  shoal_request_args r = req(1, kWays, 4);
  REQUIRE_OK(shoal_request(a, &r, &g));
  cfg.floor[kWays] = 0;
  cfg.cap[kWays] = 3;
  CHECK_ERR(shoal_part_configure(a, 1, &cfg), SHOAL_ERR_REFUSED, "CAP_BELOW_ALLOC");
  CHECK(shoal_last_status() == SHOAL_ST_CAP_BELOW_ALLOC);
  // the library's own checks
  cfg.set = 0;
  CHECK_ERR(shoal_part_configure(a, 1, &cfg), SHOAL_ERR_INVALID_ARG, "name what to change");
  cfg.set = SHOAL_PART_SET_THRESH;
  cfg.thr_hi = 100;
  cfg.thr_lo = 200;
  CHECK_ERR(shoal_part_configure(a, 1, &cfg), SHOAL_ERR_INVALID_ARG, "must be below thr_hi");
  cfg.set = SHOAL_PART_SET_LIMITS;
  cfg.types = 1u << 9;
  CHECK_ERR(shoal_part_configure(a, 1, &cfg), SHOAL_ERR_INVALID_ARG, "LIMITS needs bits for types 0..7");
  shoal_part_config old{};
  old.struct_size = 8;
  CHECK_ERR(shoal_part_configure(a, 1, &old), SHOAL_ERR_INVALID_ARG, "shoal_part_config.struct_size is 8");

  // partition handles may not configure anything
  {
    H p = part(1);
    CHECK_ERR(shoal_part_create(p, 5, 1, nullptr), SHOAL_ERR_PERMISSION, "only the admin handle may do this");
    CHECK_ERR(shoal_part_configure(p, 1, &c0), SHOAL_ERR_PERMISSION, "only the admin handle may do this");
    CHECK_ERR(shoal_part_destroy(p, 1, nullptr), SHOAL_ERR_PERMISSION, "only the admin handle may do this");
    CHECK(shoal_last_status() == SHOAL_ST_PERMISSION);
  }

  std::uint32_t released[SHOAL_MAX_TYPES] = {};
  REQUIRE_OK(shoal_part_destroy(a, 1, released));
  CHECK(released[kWays] == 4);
  CHECK_ERR(shoal_part_destroy(a, 1, nullptr), SHOAL_ERR_REFUSED, "NO_PARTITION");
  REQUIRE_OK(shoal_part_destroy(a, 0, nullptr));
  REQUIRE_OK(shoal_part_list(a, &mask, &count));
  CHECK(mask == 0);
  require_invariants(a);
}

TEST_CASE("resources: totals, free units, allocations; register and retire refusals", "[api]") {
  H a = admin();
  REQUIRE_OK(shoal_part_create(a, 2, 1, nullptr));
  REQUIRE_OK(shoal_part_create(a, 3, 1, nullptr));
  shoal_grant g{};
  SHOAL_INIT(g);
  shoal_request_args r2 = req(2, kBw, 10), r3 = req(3, kBw, 7);
  REQUIRE_OK(shoal_request(a, &r2, &g));
  REQUIRE_OK(shoal_request(a, &r3, &g));
  shoal_res_info ri{};
  SHOAL_INIT(ri);
  REQUIRE_OK(shoal_res_query(a, kBw, &ri));
  CHECK(ri.state == SHOAL_RES_BUILTIN);
  CHECK(std::string(ri.name) == "mem_bw");
  CHECK(ri.units == SHOAL_RES_MEM_BW_UNITS);
  CHECK(ri.free == SHOAL_RES_MEM_BW_UNITS - 17);
  CHECK(ri.num_partitions == SHOAL_PARAM_NUM_PARTITIONS);
  CHECK(ri.alloc[2] == 10);
  CHECK(ri.alloc[3] == 7);
  CHECK(ri.visible == 0xFFFF);
  {
    // a partition handle sees the totals and only its own allocation
    H p = part(2);
    SHOAL_INIT(ri);
    REQUIRE_OK(shoal_res_query(p, kBw, &ri));
    CHECK(ri.free == SHOAL_RES_MEM_BW_UNITS - 17);
    CHECK(ri.alloc[2] == 10);
    CHECK(ri.alloc[3] == 0);
    CHECK(ri.visible == 1u << 2);
  }
  CHECK_ERR(shoal_res_query(a, SHOAL_PARAM_NUM_RESOURCE_TYPES, &ri), SHOAL_ERR_INVALID_ARG, "types are 0..7");
  ri.struct_size = 100;
  CHECK_ERR(shoal_res_query(a, 0, &ri), SHOAL_ERR_INVALID_ARG, "at least 320");
  // every slot of this card is built in: no room to register; a built-in is not retired
  CHECK_ERR(shoal_res_register(a, "gpu", 4, nullptr), SHOAL_ERR_REFUSED, "NO_SPACE");
  CHECK_ERR(shoal_res_register(a, "Bad-Name", 4, nullptr), SHOAL_ERR_INVALID_ARG, "[a-z0-9_]");
  CHECK_ERR(shoal_res_register(a, "waytoolongname", 4, nullptr), SHOAL_ERR_INVALID_ARG, "1..8 bytes");
  CHECK_ERR(shoal_res_register(a, "gpu", 512, nullptr), SHOAL_ERR_INVALID_ARG, "at most 511");
  CHECK_ERR(shoal_res_retire(a, kBw), SHOAL_ERR_REFUSED, "INVALID");
  {
    H p = part(2);
    CHECK_ERR(shoal_res_register(p, "gpu", 4, nullptr), SHOAL_ERR_PERMISSION, "only the admin handle");
    CHECK_ERR(shoal_res_retire(p, kBw), SHOAL_ERR_PERMISSION, "only the admin handle");
  }
  REQUIRE_OK(shoal_part_destroy(a, 2, nullptr));
  REQUIRE_OK(shoal_part_destroy(a, 3, nullptr));
}

TEST_CASE("requests: grant, partial, refusals, release, swap, vectors, postpone and cancel", "[api]") {
  H a = admin();
  REQUIRE_OK(shoal_part_create(a, 4, 1, nullptr));
  REQUIRE_OK(shoal_part_create(a, 5, 8, nullptr));
  H p4 = part(4), p5 = part(5);
  shoal_grant g{};
  SHOAL_INIT(g);
  shoal_request_args r = req(4, kWays, 12);
  REQUIRE_OK(shoal_request(p4, &r, &g));
  CHECK(g.status == SHOAL_ST_OK);
  CHECK(g.granted == 12);
  CHECK(g.held == 12);
  // 4 left: 8 is short; partial takes the 4
  r = req(5, kWays, 8);
  CHECK_ERR(shoal_request(p5, &r, &g), SHOAL_ERR_REFUSED,
            "REQUEST of 8 units of type 1 for partition 5: the card refused it: INSUFFICIENT");
  CHECK(g.status == SHOAL_ST_INSUFFICIENT);
  CHECK(shoal_last_status() == SHOAL_ST_INSUFFICIENT);
  CHECK(g.granted == 0);
  r.flags = SHOAL_REQ_ALLOW_PARTIAL;
  REQUIRE_OK(shoal_request(p5, &r, &g));
  CHECK(g.status == SHOAL_ST_PARTIAL);
  CHECK(g.granted == 4);
  // reclaim from the lower priority
  r = req(5, kWays, 3, SHOAL_REQ_ALLOW_RECLAIM);
  REQUIRE_OK(shoal_request(p5, &r, &g));
  CHECK(g.reclaimed == 3);
  CHECK(g.held == 7);
  shoal_event ev{};
  SHOAL_INIT(ev);
  REQUIRE_OK(shoal_next_event(p4, 5000, &ev));  // the victim is told
  CHECK(ev.kind == SHOAL_EV_KIND_RECLAIMED);
  CHECK(ev.partition == 4);
  CHECK(ev.other == 5);
  CHECK(ev.amount == 3);
  CHECK(ev.queue == SHOAL_QUEUE_PARTITION(4));
  CHECK_ERR(shoal_next_event(p4, 0, &ev), SHOAL_ERR_TIMEOUT, "no event");
  // libshoal's checks before the card
  r = req(4, kWays, 0);
  CHECK_ERR(shoal_request(p4, &r, &g), SHOAL_ERR_INVALID_ARG, "out of range (amount = 0); must not be 0");
  r = req(4, kWays, 70000);
  CHECK_ERR(shoal_request(p4, &r, &g), SHOAL_ERR_INVALID_ARG, "amount = 70000 does not fit its field (at most 65535");
  r = req(4, 9, 1);
  CHECK_ERR(shoal_request(p4, &r, &g), SHOAL_ERR_INVALID_ARG, "types are 0..7");
  r = req(4, kWays, 1, SHOAL_REQ_POSTPONE | SHOAL_REQ_NEGOTIATE);
  CHECK_ERR(shoal_request(p4, &r, &g), SHOAL_ERR_INVALID_ARG, "at most one of POSTPONE, NEGOTIATE, ELSEWHERE");
  r = req(4, kWays, 1, 1u << 7);
  CHECK_ERR(shoal_request(p4, &r, &g), SHOAL_ERR_INVALID_ARG, "unknown flags 128");
  shoal_request_args tiny{};
  tiny.struct_size = 4;
  CHECK_ERR(shoal_request(p4, &tiny, &g), SHOAL_ERR_INVALID_ARG, "shoal_request_args.struct_size is 4");
  shoal_grant gsmall{};
  gsmall.struct_size = 16;
  r = req(4, kWays, 1);
  CHECK_ERR(shoal_request(p4, &r, &gsmall), SHOAL_ERR_INVALID_ARG, "shoal_grant.struct_size is 16");
  // a cap
  shoal_part_config cfg{};
  SHOAL_INIT(cfg);
  cfg.set = SHOAL_PART_SET_LIMITS;
  cfg.types = 1u << kBw;
  cfg.cap[kBw] = 5;
  REQUIRE_OK(shoal_part_configure(a, 4, &cfg));
  r = req(4, kBw, 6);
  CHECK_ERR(shoal_request(p4, &r, &g), SHOAL_ERR_REFUSED, "DENIED_CAP");

  // release
  std::uint32_t held = 0;
  REQUIRE_OK(shoal_release(p4, 4, kWays, 2, &held));
  CHECK(held == 7);
  CHECK_ERR(shoal_release(p4, 4, kWays, 50, &held), SHOAL_ERR_REFUSED, "RELEASE of 50 units of type 1 by partition 4: the card refused it: INVALID");
  CHECK_ERR(shoal_release(p4, 4, kWays, 0, &held), SHOAL_ERR_INVALID_ARG, "must not be 0");

  // swap (admin only)
  std::uint32_t moved = 0;
  REQUIRE_OK(shoal_swap(a, 4, 5, kWays, 2, &moved));
  CHECK(moved == 2);
  CHECK(query(a, 5).held[kWays] == 9);
  CHECK_ERR(shoal_swap(p4, 4, 5, kWays, 1, &moved), SHOAL_ERR_PERMISSION, "only the admin handle");
  CHECK_ERR(shoal_swap(a, 4, 4, kWays, 1, &moved), SHOAL_ERR_INVALID_ARG, "must differ");
  CHECK_ERR(shoal_swap(a, 4, 5, kWays, 100, &moved), SHOAL_ERR_REFUSED, "SWAP of 100 units");

  // vectors: all or nothing
  shoal_request_vec v{};
  SHOAL_INIT(v);
  v.partition = 5;
  v.amount[kCpu] = 2;
  v.amount[kLanes] = 3;
  shoal_vec_grant vg{};
  SHOAL_INIT(vg);
  REQUIRE_OK(shoal_request_vector(p5, &v, &vg));
  CHECK(vg.status == SHOAL_ST_OK);
  CHECK(vg.granted[kCpu] == 2);
  CHECK(vg.granted[kLanes] == 3);
  r = req(4, kLanes, 20);
  REQUIRE_OK(shoal_request(p4, &r, &g));
  v.amount[kLanes] = 10;  // 9 left: nothing of the vector is applied
  CHECK_ERR(shoal_request_vector(p5, &v, &vg), SHOAL_ERR_REFUSED, "THROTTLED");
  CHECK(vg.status == SHOAL_ST_THROTTLED);
  CHECK(query(a, 5).held[kCpu] == 2);
  v.flags = SHOAL_REQ_ALLOW_PARTIAL;
  CHECK_ERR(shoal_request_vector(p5, &v, &vg), SHOAL_ERR_INVALID_ARG, "a vector is all or nothing");
  shoal_request_vec none{};
  SHOAL_INIT(none);
  none.partition = 5;
  CHECK_ERR(shoal_request_vector(p5, &none, &vg), SHOAL_ERR_INVALID_ARG, "every amount is 0");

  // postpone, then granted by a release (an event on the asker's queue); postpone and cancel
  r = req(5, kWays, 4, SHOAL_REQ_POSTPONE, 60000000);
  REQUIRE_OK(shoal_request(p5, &r, &g));
  CHECK(g.status == SHOAL_ST_POSTPONED);
  const std::uint32_t id = g.request_id;
  CHECK(id != 0);
  CHECK(query(a, 5).pending == 1);
  REQUIRE_OK(shoal_release(p4, 4, kWays, 5, &held));
  bool granted = false;
  for (int n = 0; n < 20 && !granted; ++n) {
    SHOAL_INIT(ev);
    if (shoal_next_event(p5, 2000, &ev) != SHOAL_OK) break;
    granted = ev.kind == SHOAL_EV_KIND_GRANTED && ev.request_id == id && ev.amount == 4;
  }
  CHECK(granted);
  r = req(4, kWays, 10, SHOAL_REQ_POSTPONE, 60000000);  // 3 free
  REQUIRE_OK(shoal_request(p4, &r, &g));
  REQUIRE(g.status == SHOAL_ST_POSTPONED);
  CHECK(query(a, 4).pending == 1);
  REQUIRE_OK(shoal_cancel(p4, 4, g.request_id));
  CHECK_ERR(shoal_cancel(p4, 4, g.request_id), SHOAL_ERR_REFUSED, "CANCEL of request " + std::to_string(g.request_id) +
                                                                       " of partition 4: the card refused it: NOT_FOUND");
  CHECK(query(a, 4).pending == 0);

  REQUIRE_OK(shoal_part_destroy(a, 4, nullptr));
  REQUIRE_OK(shoal_part_destroy(a, 5, nullptr));
  require_invariants(a);
}

TEST_CASE("asynchronous requests: tickets, the pollable fd, results in any order", "[api]") {
  H a = admin();
  REQUIRE_OK(shoal_part_create(a, 6, 1, nullptr));
  H p = part(6);
  int fd = -1;
  REQUIRE_OK(shoal_handle_fd(p, &fd));
  REQUIRE(fd >= 0);
  std::vector<std::uint32_t> tickets;
  for (std::uint32_t i = 0; i < 5; ++i) {
    shoal_request_args r = req(6, kBw, 1 + i);
    std::uint32_t t = 0;
    REQUIRE_OK(shoal_request_submit(p, &r, &t));
    tickets.push_back(t);
  }
  // the fd becomes readable once the card answered
  pollfd pf{fd, POLLIN, 0};
  int ready = 0;
  for (int n = 0; n < 100 && ready == 0; ++n) ready = ::poll(&pf, 1, 100);
  CHECK(ready == 1);
  std::uint32_t taken = 0;
  REQUIRE_OK(shoal_handle_poll(p, &taken));
  // results, last first
  shoal_grant g{};
  std::uint32_t sum = 0;
  for (std::size_t i = tickets.size(); i-- > 0;) {
    SHOAL_INIT(g);
    REQUIRE_OK(shoal_request_result(p, tickets[i], 10000, &g));
    CHECK(g.status == SHOAL_ST_OK);
    CHECK(g.granted == i + 1);
    sum += g.granted;
  }
  CHECK(sum == 15);
  CHECK(query(a, 6).held[kBw] == 15);
  CHECK_ERR(shoal_request_result(p, tickets[0], 0, &g), SHOAL_ERR_INVALID_ARG, "was not submitted on this handle");
  // refused before the card: no ticket
  shoal_request_args bad = req(7, kBw, 1);
  std::uint32_t t = 0;
  CHECK_ERR(shoal_request_submit(p, &bad, &t), SHOAL_ERR_PERMISSION, "may act only on partition 6");
  // a refusal by the card comes with the result
  shoal_request_args big = req(6, kBw, 1000);
  REQUIRE_OK(shoal_request_submit(p, &big, &t));
  SHOAL_INIT(g);
  CHECK_ERR(shoal_request_result(p, t, 10000, &g), SHOAL_ERR_REFUSED, "REQUEST (ticket " + std::to_string(t) + "): the card refused it: DENIED_CAP");
  CHECK(g.status == SHOAL_ST_DENIED_CAP);
  CHECK(g.granted == 0);
  REQUIRE_OK(shoal_part_destroy(a, 6, nullptr));
}

TEST_CASE("completion callbacks run from shoal_handle_poll; migrate moves one processor", "[api]") {
  H a = admin();
  REQUIRE_OK(shoal_part_create(a, 7, 1, nullptr));
  H p = part(7);
  struct Seen {
    std::vector<std::uint32_t> tickets;
    std::uint32_t granted = 0;
    int refused = 0;
  } seen;
  auto cb = [](void* ctx, std::uint32_t ticket, int rc, const shoal_grant* g) {
    auto* s = static_cast<Seen*>(ctx);
    s->tickets.push_back(ticket);
    if (rc == SHOAL_OK) s->granted += g->granted;
    if (rc == SHOAL_ERR_REFUSED && g->status == SHOAL_ST_DENIED_CAP) ++s->refused;
  };
  std::vector<std::uint32_t> mine;
  for (std::uint32_t i = 1; i <= 3; ++i) {
    shoal_request_args r = req(7, kBw, i);
    std::uint32_t t = 0;
    REQUIRE_OK(shoal_request_async(p, &r, cb, &seen, &t));
    mine.push_back(t);
  }
  shoal_request_args big = req(7, kBw, 1000);
  std::uint32_t t = 0;
  REQUIRE_OK(shoal_request_async(p, &big, cb, &seen, &t));
  mine.push_back(t);
  CHECK_ERR(shoal_request_async(p, &big, nullptr, nullptr, &t), SHOAL_ERR_INVALID_ARG, "NULL argument");
  for (int n = 0; n < 200 && seen.tickets.size() < 4; ++n) {
    REQUIRE_OK(shoal_handle_poll(p, nullptr));
    if (seen.tickets.size() < 4) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(seen.tickets == mine);  // each once, in order
  CHECK(seen.granted == 6);
  CHECK(seen.refused == 1);
  CHECK(query(a, 7).held[kBw] == 6);

  // migrate: an idle processor into partition 7, then back to the idle pool
  std::uint32_t proc = SHOAL_PARAM_NUM_PROCESSORS;
  for (std::uint32_t x = 0; x < SHOAL_PARAM_NUM_PROCESSORS && proc == SHOAL_PARAM_NUM_PROCESSORS; ++x) {
    shoal_proc_telemetry pt{};
    SHOAL_INIT(pt);
    REQUIRE_OK(shoal_telemetry_processor(a, x, &pt));
    if (pt.state == SHOAL_CPL_TELEM_PROC_STATE_PARKED || pt.state == SHOAL_CPL_TELEM_PROC_STATE_IDLE) proc = x;
  }
  REQUIRE(proc < SHOAL_PARAM_NUM_PROCESSORS);
  std::uint32_t cycles = 0, from = 0;
  REQUIRE_OK(shoal_migrate(a, proc, 7, &cycles, &from));
  CHECK(cycles > 0);
  CHECK(from == SHOAL_PROC_IDLE);
  shoal_part_info i = query(a, 7);
  CHECK(((i.procs >> proc) & 1u) == 1u);
  CHECK(i.held[kCpu] == 1);
  require_invariants(a);
  CHECK_ERR(shoal_migrate(p, proc, 7, &cycles, &from), SHOAL_ERR_PERMISSION, "only the admin handle");
  CHECK_ERR(shoal_migrate(a, SHOAL_PARAM_NUM_PROCESSORS, 7, &cycles, &from), SHOAL_ERR_INVALID_ARG, "processors are 0..63");
  REQUIRE_OK(shoal_migrate(a, proc, SHOAL_PROC_IDLE, &cycles, &from));
  CHECK(from == 7);
  CHECK(query(a, 7).held[kCpu] == 0);
  REQUIRE_OK(shoal_part_destroy(a, 7, nullptr));
  require_invariants(a);
}

TEST_CASE("isolation: a partition handle reaches only its own partition, even with forged commands", "[api]") {
  H a = admin();
  REQUIRE_OK(shoal_part_create(a, 8, 1, nullptr));
  REQUIRE_OK(shoal_part_create(a, 9, 1, nullptr));
  shoal_grant g{};
  SHOAL_INIT(g);
  shoal_request_args r9 = req(9, kWays, 3);
  REQUIRE_OK(shoal_request(a, &r9, &g));
  const shoal_part_info before = query(a, 9);
  {
    H p = part(8);
    // through the API: refused by libshoal, nothing sent
    shoal_part_info i{};
    SHOAL_INIT(i);
    CHECK_ERR(shoal_part_query(p, 9, &i), SHOAL_ERR_PERMISSION, "the handle of partition 8 may act only on partition 8");
    shoal_request_args r = req(9, kWays, 1);
    CHECK_ERR(shoal_request(p, &r, &g), SHOAL_ERR_PERMISSION, "partition = 9");
    CHECK_ERR(shoal_release(p, 9, kWays, 1, nullptr), SHOAL_ERR_PERMISSION, "may act only on partition 8");
    CHECK_ERR(shoal_cancel(p, 9, 1), SHOAL_ERR_PERMISSION, "may act only on partition 8");
    shoal_part_telemetry t{};
    SHOAL_INIT(t);
    CHECK_ERR(shoal_telemetry_partition(p, 9, &t), SHOAL_ERR_PERMISSION, "may act only on partition 8");
    // what it may see: itself only
    std::uint64_t mask = 0;
    REQUIRE_OK(shoal_part_list(p, &mask, nullptr));
    CHECK(mask == 1u << 8);
    REQUIRE_OK(shoal_telemetry_partition(p, 8, &t));
    CHECK(t.partition == 8);
    // a processor of another partition: the card refuses
    REQUIRE_OK(shoal_request(a, &(r9 = req(9, kCpu, 1)), &g));
    const std::uint64_t procs9 = query(a, 9).procs;
    REQUIRE(procs9 != 0);
    std::uint32_t proc = 0;
    while (!((procs9 >> proc) & 1u)) ++proc;
    shoal_proc_telemetry pt{};
    SHOAL_INIT(pt);
    CHECK_ERR(shoal_telemetry_processor(p, proc, &pt), SHOAL_ERR_PERMISSION, "the card refused it: PERMISSION");
    REQUIRE_OK(shoal_telemetry_processor(a, proc, &pt));
    CHECK(pt.partition == 9);
  }
  // forged: raw commands on partition 8's own page naming partition 9 (what a VM could write)
  {
    shoal_queue* q = nullptr;
    REQUIRE(shoal_queue_open(card().dev(), SHOAL_QUEUE_PARTITION(8), &q) == SHOAL_OK);
    auto forged = [&](Cmd c) {
      Words out{};
      REQUIRE(shoal_queue_call(q, c.w.data(), out.data(), 60000) == SHOAL_OK);
      CHECK(SHOAL_GET(out.data(), SHOAL_CQE_QUEUE) == SHOAL_QUEUE_PARTITION(8));  // the card's stamp
      return status_of(out);
    };
    Cmd rq(SHOAL_OP_REQUEST);
    CSET(rq, SHOAL_OP_REQUEST_PARTITION, 9);
    CSET(rq, SHOAL_OP_REQUEST_TYPE, kWays);
    CSET(rq, SHOAL_OP_REQUEST_AMOUNT, 1);
    CHECK(forged(rq) == SHOAL_ST_PERMISSION);
    Cmd rl(SHOAL_OP_RELEASE);
    CSET(rl, SHOAL_OP_RELEASE_PARTITION, 9);
    CSET(rl, SHOAL_OP_RELEASE_TYPE, kWays);
    CSET(rl, SHOAL_OP_RELEASE_AMOUNT, 3);
    CHECK(forged(rl) == SHOAL_ST_PERMISSION);
    Cmd pq(SHOAL_OP_PART_QUERY);
    CSET(pq, SHOAL_OP_PART_QUERY_PARTITION, 9);
    CHECK(forged(pq) == SHOAL_ST_PERMISSION);
    Cmd sw(SHOAL_OP_SWAP);
    CSET(sw, SHOAL_OP_SWAP_FROM, 9);
    CSET(sw, SHOAL_OP_SWAP_TO, 8);
    CSET(sw, SHOAL_OP_SWAP_TYPE, kWays);
    CSET(sw, SHOAL_OP_SWAP_AMOUNT, 3);
    CHECK(forged(sw) == SHOAL_ST_PERMISSION);
    Cmd ds(SHOAL_OP_PART_DESTROY);
    CSET(ds, SHOAL_OP_PART_DESTROY_PARTITION, 9);
    CHECK(forged(ds) == SHOAL_ST_PERMISSION);
    // RES_QUERY from partition 8's page shows no other partition's allocation
    Cmd rs(SHOAL_OP_RES_QUERY);
    CSET(rs, SHOAL_OP_RES_QUERY_TYPE, kWays);
    Words out{};
    REQUIRE(shoal_queue_call(q, rs.w.data(), out.data(), 60000) == SHOAL_OK);
    CHECK(SHOAL_GET_I(out.data(), SHOAL_CPL_RES_QUERY_ALLOC, 9) == 0);
    shoal_queue_close(q);
  }
  const shoal_part_info after = query(a, 9);
  CHECK(after.exists == 1);
  CHECK(after.held[kWays] == before.held[kWays]);
  CHECK(after.held[kWays] == 3);
  REQUIRE_OK(shoal_part_destroy(a, 8, nullptr));
  REQUIRE_OK(shoal_part_destroy(a, 9, nullptr));
  require_invariants(a);
}

TEST_CASE("concurrency: threads on one handle and on several handles; grants add up", "[api][concurrency]") {
  constexpr std::uint32_t kHandles = 4, kThreadsPerHandle = 2, kRounds = 12;
  constexpr std::uint32_t kFirst = 10;
  H a = admin();
  std::vector<H> hs;
  for (std::uint32_t k = 0; k < kHandles; ++k) {
    REQUIRE_OK(shoal_part_create(a, kFirst + k, 1 + k, nullptr));
    hs.push_back(part(kFirst + k));
  }
  // every thread: request 1..3 units of mem_bw or pcie_lanes, release every other grant
  std::atomic<std::uint32_t> failures{0};
  std::vector<std::array<std::atomic<std::int64_t>, SHOAL_MAX_TYPES>> net(kHandles);
  for (auto& n : net)
    for (auto& x : n) x = 0;
  std::vector<std::thread> threads;
  for (std::uint32_t k = 0; k < kHandles; ++k) {
    for (std::uint32_t t = 0; t < kThreadsPerHandle; ++t) {
      threads.emplace_back([&, k, t] {
        const std::uint32_t p = kFirst + k;
        for (std::uint32_t i = 0; i < kRounds; ++i) {
          const std::uint32_t type = (i + t) % 2 ? kBw : kLanes;
          shoal_request_args r = req(p, type, 1 + (i % 3), SHOAL_REQ_ALLOW_PARTIAL);
          shoal_grant g{};
          SHOAL_INIT(g);
          const int rc = shoal_request(hs[k], &r, &g);
          if (rc != SHOAL_OK && !(rc == SHOAL_ERR_REFUSED && g.status == SHOAL_ST_INSUFFICIENT)) {
            ++failures;
            continue;
          }
          net[k][type] += g.granted;
          if (i % 2 == 1 && g.granted > 0) {
            if (shoal_release(hs[k], p, type, 1, nullptr) == SHOAL_OK) net[k][type] -= 1;
            else ++failures;
          }
        }
      });
    }
  }
  // the admin handle reads meanwhile
  threads.emplace_back([&] {
    for (std::uint32_t i = 0; i < kRounds; ++i) {
      shoal_res_info ri{};
      SHOAL_INIT(ri);
      if (shoal_res_query(a, kBw, &ri) != SHOAL_OK) ++failures;
    }
  });
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  std::uint32_t total_bw = 0, total_lanes = 0;
  for (std::uint32_t k = 0; k < kHandles; ++k) {
    const shoal_part_info i = query(a, kFirst + k);
    INFO("partition " << kFirst + k);
    CHECK(static_cast<std::int64_t>(i.held[kBw]) == net[k][kBw]);
    CHECK(static_cast<std::int64_t>(i.held[kLanes]) == net[k][kLanes]);
    total_bw += i.held[kBw];
    total_lanes += i.held[kLanes];
  }
  shoal_res_info bw{}, lanes{};
  SHOAL_INIT(bw);
  SHOAL_INIT(lanes);
  REQUIRE_OK(shoal_res_query(a, kBw, &bw));
  REQUIRE_OK(shoal_res_query(a, kLanes, &lanes));
  std::uint32_t all_bw = 0, all_lanes = 0;  // every partition's, ours and any other
  for (std::uint32_t k = 0; k < SHOAL_PARAM_NUM_PARTITIONS; ++k) {
    all_bw += bw.alloc[k];
    all_lanes += lanes.alloc[k];
    if (k >= kFirst && k < kFirst + kHandles) {
      CHECK(bw.alloc[k] == query(a, k).held[kBw]);
      CHECK(lanes.alloc[k] == query(a, k).held[kLanes]);
    }
  }
  CHECK(bw.units - bw.free == all_bw);
  CHECK(lanes.units - lanes.free == all_lanes);
  CHECK(all_bw >= total_bw);
  CHECK(total_bw > 0);
  require_invariants(a);
  for (std::uint32_t k = 0; k < kHandles; ++k) REQUIRE_OK(shoal_part_destroy(a, kFirst + k, nullptr));
}

TEST_CASE("the C++ API: the same calls as values and errors", "[api]") {
  auto dev = shoal::Device::open(card().uri());
  REQUIRE(dev);
  auto a = shoal::Handle::admin(*dev);
  INFO((a ? std::string() : a.error().message));
  REQUIRE(a);
  auto made = a->create(shoal::kAnyPartition, 2);
  REQUIRE(made);
  const std::uint32_t p = *made;
  auto h = shoal::Handle::partition(*dev, p);
  REQUIRE(h);
  CHECK(h->partition_index() == p);
  CHECK_FALSE(h->is_admin());
  auto g = h->request(p, kBw, 4);
  REQUIRE(g);
  CHECK(g->granted == 4);
  auto denied = h->request(p + 1, kBw, 4);
  REQUIRE_FALSE(denied);
  CHECK(denied.error().code == shoal::Errc::permission);
  CHECK(shoal::last_status() == SHOAL_ST_PERMISSION);
  auto parts = h->partitions();
  REQUIRE(parts);
  CHECK(*parts == std::vector<std::uint32_t>{p});
  auto res = a->resources();
  REQUIRE(res);
  CHECK(res->size() == SHOAL_PARAM_NUM_RESOURCE_TYPES);
  CHECK((*res)[kBw].alloc[p] == 4);
  auto held = h->release(p, kBw, 4);
  REQUIRE(held);
  CHECK(*held == 0);
  auto e = h->next_event(std::chrono::milliseconds(0));
  CHECK_FALSE(e);
  CHECK(a->destroy(p));
  CHECK_FALSE(a->destroy(p));
}
