// The command channel end to end (issue 12): host -> libshoal -> sim: -> the queue block ->
// the firmware's dispatcher and back, on the co-simulated card. The protocol's checks in order,
// the card's stamp of the queue, partition isolation, completions in order with their tags,
// events, and a fuzz run of garbage into the queue pages that must not wedge the firmware,
// change the allocation state or disturb the other queues.
#include <catch2/catch.hpp>

#include <poll.h>

#include <chrono>
#include <thread>

#include <random>
#include <set>

#include "card_sim.hpp"

using namespace shoal::test;

namespace {

constexpr std::uint32_t kP0 = SHOAL_QUEUE_PARTITION(0);

// every command in the schema, with fields that pass the protocol's checks on queue q
// (partition fields name q's own partition, or 0 on the admin queue)
Cmd valid_instance(const shoal_proto_cmd& c, std::uint32_t q) {
  Cmd cmd(c.opcode);
  const std::uint32_t own = q == 0 ? 0 : q - 1;
  for (std::uint32_t i = 0; i < c.num_fields; ++i) {
    const shoal_proto_field& f = c.fields[i];
    std::uint32_t v = 0;
    switch (f.check) {
      case SHOAL_CHECK_PARTITION:
      case SHOAL_CHECK_PARTITION_ANY: v = own; break;
      case SHOAL_CHECK_NONZERO: v = 1; break;
      case SHOAL_CHECK_ENUM: v = f.values[0]; break;
      default: break;
    }
    for (std::uint32_t e = 0; e < f.count; ++e)
      shoal_proto_set(cmd.w.data(), f.word + (e / f.per) * f.stride, f.lsb + (e % f.per) * f.width, f.width, v);
  }
  return cmd;
}

}  // namespace

TEST_CASE("the protocol's checks, in order, on the card", "[queue]") {
  CardSim card;
  SECTION("an unknown opcode is UNSUPPORTED; a known one with another version BAD_VERSION") {
    for (std::uint32_t op : {0x06u, 0x77u, 0xEFu, 0xF0u, 0xFFu}) {
      Cmd c(op);
      SHOAL_SET(c.w.data(), SHOAL_SQE_VERSION, 1);
      INFO("opcode " << op);
      const Words r = card.admin_call(c);
      CHECK(status_of(r) == SHOAL_ST_UNSUPPORTED);
      CHECK(SHOAL_GET(r.data(), SHOAL_CQE_OPCODE) == op);
    }
    Cmd c(SHOAL_OP_NOP);
    SHOAL_SET(c.w.data(), SHOAL_SQE_VERSION, SHOAL_OP_NOP_VERSION + 1);
    CHECK(status_of(card.admin_call(c)) == SHOAL_ST_BAD_VERSION);
    SHOAL_SET(c.w.data(), SHOAL_SQE_VERSION, 0);
    CHECK(status_of(card.admin_call(c)) == SHOAL_ST_BAD_VERSION);
  }
  SECTION("every reserved bit is checked, in the header and in the fields") {
    // NOP: every bit of words 2..15 and bits 31:16 of word 0 are reserved
    std::mt19937 rng(7);
    for (std::uint32_t word = 0; word < SHOAL_PROTO_ENTRY_WORDS; ++word) {
      if (word == 1) continue;  // the tag
      const std::uint32_t bit = word == 0 ? 16 + rng() % 16 : rng() % 32;
      Cmd c(SHOAL_OP_NOP);
      c.w[word] |= 1u << bit;
      INFO("word " << word << " bit " << bit);
      CHECK(status_of(card.admin_call(c)) == SHOAL_ST_INVALID);
    }
    // REQUEST: bit 21 of word 2 is above its flags, bit 16 of word 3 above its amount
    for (auto [word, bit] : {std::pair{2u, 21u}, {3u, 16u}, {5u, 0u}, {15u, 31u}}) {
      Cmd c(SHOAL_OP_REQUEST);
      CSET(c, SHOAL_OP_REQUEST_AMOUNT, 1);
      c.w[word] |= 1u << bit;
      INFO("REQUEST word " << word << " bit " << bit);
      CHECK(status_of(card.admin_call(c)) == SHOAL_ST_INVALID);
    }
  }
  SECTION("field ranges: partitions, types, processors, non-zero, enums, maxima") {
    auto req = [&](std::uint32_t p, std::uint32_t t, std::uint32_t amount) {
      Cmd c(SHOAL_OP_REQUEST);
      CSET(c, SHOAL_OP_REQUEST_PARTITION, p);
      CSET(c, SHOAL_OP_REQUEST_TYPE, t);
      CSET(c, SHOAL_OP_REQUEST_AMOUNT, amount);
      return status_of(card.admin_call(c));
    };
    CHECK(req(SHOAL_PARAM_NUM_PARTITIONS, 0, 1) == SHOAL_ST_INVALID);      // first partition too far
    CHECK(req(0xFF, 0, 1) == SHOAL_ST_INVALID);
    CHECK(req(0, SHOAL_PARAM_NUM_RESOURCE_TYPES, 1) == SHOAL_ST_INVALID);  // first type too far
    CHECK(req(0, 0, 0) == SHOAL_ST_INVALID);                               // amount 0
    CHECK(req(SHOAL_PARAM_NUM_PARTITIONS - 1, SHOAL_PARAM_NUM_RESOURCE_TYPES - 1, 0xFFFF) ==
          SHOAL_ST_NO_PARTITION);  // the last of each is in range: the service answers
    Cmd m(SHOAL_OP_MIGRATE);
    CSET(m, SHOAL_OP_MIGRATE_PROCESSOR, SHOAL_PARAM_NUM_PROCESSORS);
    CHECK(status_of(card.admin_call(m)) == SHOAL_ST_INVALID);
    Cmd pol(SHOAL_OP_POLICY_SET);
    CSET(pol, SHOAL_OP_POLICY_SET_POLICY, 3);  // not one of the enum's values
    CSET(pol, SHOAL_OP_POLICY_SET_EPOCH_WINDOWS, 1);
    CHECK(status_of(card.admin_call(pol)) == SHOAL_ST_INVALID);
    CSET(pol, SHOAL_OP_POLICY_SET_POLICY, SHOAL_OP_POLICY_SET_POLICY_REACTIVE);
    CSET(pol, SHOAL_OP_POLICY_SET_QUANTILE, 100);  // max 99
    CHECK(status_of(card.admin_call(pol)) == SHOAL_ST_INVALID);
    CSET(pol, SHOAL_OP_POLICY_SET_QUANTILE, 99);
    CHECK(status_of(card.admin_call(pol)) == SHOAL_ST_OK);
  }
}

TEST_CASE("every command of the schema is answered on every kind of queue", "[queue]") {
  CardSim card;
  std::uint32_t impl[8];
  Words id = card.admin_call(Cmd(SHOAL_OP_IDENTIFY));
  REQUIRE(status_of(id) == SHOAL_ST_OK);
  for (std::uint32_t i = 0; i < 8; ++i) impl[i] = SHOAL_GET_I(id.data(), SHOAL_CPL_IDENTIFY_SUPPORTED, i);
  CHECK(SHOAL_GET(id.data(), SHOAL_CPL_IDENTIFY_PROTO_MAJOR) == SHOAL_PROTO_VERSION_MAJOR);
  CHECK(SHOAL_GET(id.data(), SHOAL_CPL_IDENTIFY_ADMIN) == 1);
  CHECK(SHOAL_GET(id.data(), SHOAL_CPL_IDENTIFY_PARTITIONS) == SHOAL_PARAM_NUM_PARTITIONS);
  CHECK(SHOAL_GET(id.data(), SHOAL_CPL_IDENTIFY_QUEUES) == SHOAL_PARAM_NUM_QUEUES);
  CHECK(SHOAL_GET(id.data(), SHOAL_CPL_IDENTIFY_PROCESSORS) == SHOAL_PARAM_NUM_PROCESSORS);
  for (std::uint32_t q : {0u, kP0, SHOAL_QUEUE_PARTITION(SHOAL_PARAM_NUM_PARTITIONS - 1)}) {
    for (std::uint32_t i = 0; i < shoal_proto_num_cmds; ++i) {
      const shoal_proto_cmd& c = shoal_proto_cmds[i];
      const Cmd cmd = valid_instance(c, q);
      const Words r = card.call(q, cmd);
      const std::uint32_t st = status_of(r);
      INFO("queue " << q << " " << c.name << ": " << status_name(st));
      CHECK(SHOAL_GET(r.data(), SHOAL_CQE_QUEUE) == q);  // the card's stamp
      CHECK(SHOAL_GET(r.data(), SHOAL_CQE_OPCODE) == c.opcode);
      CHECK(SHOAL_GET(r.data(), SHOAL_CQE_EVENT) == 0);
      CHECK(SHOAL_GET(r.data(), SHOAL_CQE_TAG) != 0);
      const bool implemented = (impl[c.opcode / 32] >> (c.opcode % 32)) & 1u;
      if (!implemented) {
        CHECK(st == SHOAL_ST_UNSUPPORTED);
      } else if (c.admin && q != 0) {
        CHECK(st == SHOAL_ST_PERMISSION);
      } else {
        // the checks passed: the answer is the service's (a real outcome, never a check's)
        CHECK(st != SHOAL_ST_UNSUPPORTED);
        CHECK(st != SHOAL_ST_BAD_VERSION);
        // (a partition queue asking about a processor that is not its own is the service's
        // PERMISSION: processors move between partitions)
        if (c.opcode != SHOAL_OP_TELEM_PROC || q == 0) CHECK(st != SHOAL_ST_PERMISSION);
        CHECK(shoal_proto_status_name(st) != nullptr);
      }
    }
  }
  // IDENTIFY says which queue asked, and only the admin queue is admin
  Words pid = card.call(SHOAL_QUEUE_PARTITION(5), Cmd(SHOAL_OP_IDENTIFY));
  CHECK(SHOAL_GET(pid.data(), SHOAL_CPL_IDENTIFY_QUEUE) == SHOAL_QUEUE_PARTITION(5));
  CHECK(SHOAL_GET(pid.data(), SHOAL_CPL_IDENTIFY_ADMIN) == 0);
}

TEST_CASE("a partition queue acts only on its own partition; the queue cannot be forged",
          "[queue][isolation]") {
  CardSim card;
  // partitions 2 and 3 exist
  for (std::uint32_t p : {2u, 3u}) {
    Cmd c(SHOAL_OP_PART_CREATE);
    CSET(c, SHOAL_OP_PART_CREATE_PARTITION, p);
    CSET(c, SHOAL_OP_PART_CREATE_PRIO, 4);
    REQUIRE(status_of(card.admin_call(c)) == SHOAL_ST_OK);
  }
  const std::uint32_t q2 = SHOAL_QUEUE_PARTITION(2);
  std::mt19937 rng(11);
  unsigned refused = 0;
  for (int i = 0; i < 40; ++i) {
    const std::uint32_t other = i % 4 == 0 ? 3 : rng() % 256;  // another partition, or garbage
    if (other == 2) continue;
    Cmd r(SHOAL_OP_REQUEST);
    CSET(r, SHOAL_OP_REQUEST_PARTITION, other);
    CSET(r, SHOAL_OP_REQUEST_AMOUNT, 1);
    const Words out = card.call(q2, r);
    INFO("naming partition " << other);
    CHECK(status_of(out) == SHOAL_ST_PERMISSION);
    ++refused;
  }
  for (std::uint32_t op : {SHOAL_OP_PART_QUERY, SHOAL_OP_TELEM_PART, SHOAL_OP_RELEASE, SHOAL_OP_CANCEL}) {
    Cmd c(op);
    SHOAL_SET(c.w.data(), SHOAL_OP_PART_QUERY_PARTITION, 3);  // word 2 bits 7:0 in all four
    if (op == SHOAL_OP_RELEASE) CSET(c, SHOAL_OP_RELEASE_AMOUNT, 1);
    CHECK(status_of(card.call(q2, c)) == SHOAL_ST_PERMISSION);
  }
  // the admin queue may: the same request succeeds there
  Cmd r(SHOAL_OP_REQUEST);
  CSET(r, SHOAL_OP_REQUEST_PARTITION, 3);
  CSET(r, SHOAL_OP_REQUEST_TYPE, SHOAL_RES_CACHE_WAYS);
  CSET(r, SHOAL_OP_REQUEST_AMOUNT, 2);
  CHECK(status_of(card.admin_call(r)) == SHOAL_ST_OK);
  // partition 2 for itself: fine; it sees only itself in lists
  CSET(r, SHOAL_OP_REQUEST_PARTITION, 2);
  CHECK(status_of(card.call(q2, r)) == SHOAL_ST_OK);
  Words list = card.call(q2, Cmd(SHOAL_OP_PART_LIST));
  CHECK(SHOAL_GET(list.data(), SHOAL_CPL_PART_LIST_EXISTS) == (1u << 2));
  Cmd rq(SHOAL_OP_RES_QUERY);
  CSET(rq, SHOAL_OP_RES_QUERY_TYPE, SHOAL_RES_CACHE_WAYS);
  Words res = card.call(q2, rq);
  CHECK(SHOAL_GET_I(res.data(), SHOAL_CPL_RES_QUERY_ALLOC, 2) == 2);
  CHECK(SHOAL_GET_I(res.data(), SHOAL_CPL_RES_QUERY_ALLOC, 3) == 0);  // not its business
  Words resa = card.admin_call(rq);
  CHECK(SHOAL_GET_I(resa.data(), SHOAL_CPL_RES_QUERY_ALLOC, 3) == 2);
  // forging: the queue field of word 0 is reserved in a command; setting it is INVALID, and the
  // completion still carries the real queue
  Cmd forged(SHOAL_OP_NOP);
  forged.w[0] |= 1u << 24;
  Words f = card.call(q2, forged);
  CHECK(status_of(f) == SHOAL_ST_INVALID);
  CHECK(SHOAL_GET(f.data(), SHOAL_CQE_QUEUE) == q2);
  // the firmware audited every refusal with the queue as the actor
  shoal_audit_state st{};
  SHOAL_INIT(st);
  REQUIRE(shoal_audit_get_state(card.dev(), &st) == SHOAL_OK);
  unsigned refusals = 0;
  for (std::uint32_t s = st.head; s != st.tail; ++s) {
    shoal_audit_record rec{};
    SHOAL_INIT(rec);
    REQUIRE(shoal_audit_read(card.dev(), s, &rec) == SHOAL_OK);
    if (rec.kind == SHOAL_AUDIT_KIND_REFUSED && rec.status == SHOAL_ST_PERMISSION) {
      CHECK(rec.actor == q2);
      ++refusals;
    }
  }
  CHECK(refusals == refused + 4);
}

TEST_CASE("completions come in order with their tags; several in flight; the ring fills",
          "[queue]") {
  CardSim card;
  shoal_queue* q = card.queue(kP0);
  std::vector<std::uint32_t> tags;
  const std::uint32_t depth = SHOAL_PARAM_QUEUE_DEPTH;
  // depth - 1 in flight, then the ring is full (the firmware may already have taken some:
  // submit until FULL, at most 3 * depth)
  int rc = SHOAL_OK;
  for (std::uint32_t i = 0; i < 3 * depth && rc == SHOAL_OK; ++i) {
    std::uint32_t tag = 0;
    rc = shoal_queue_submit(q, Cmd(SHOAL_OP_NOP).w.data(), &tag);
    if (rc == SHOAL_OK) tags.push_back(tag);
  }
  CHECK(tags.size() >= depth - 1);
  std::set<std::uint32_t> unique(tags.begin(), tags.end());
  CHECK(unique.size() == tags.size());
  // taking completions in reverse order of submission still finds each one
  for (auto it = tags.rbegin(); it != tags.rend(); ++it) {
    Words c{};
    INFO(shoal_last_error());
    REQUIRE(shoal_queue_wait(q, *it, 60000, c.data()) == SHOAL_OK);
    CHECK(SHOAL_GET(c.data(), SHOAL_CQE_TAG) == *it);
    CHECK(status_of(c) == SHOAL_ST_OK);
  }
  Words c{};
  CHECK(shoal_queue_wait(q, tags.front(), 0, c.data()) == SHOAL_ERR_INVALID_ARG);  // already taken
  shoal_queue_stats qs{};
  SHOAL_INIT(qs);
  REQUIRE(shoal_queue_get_stats(q, &qs) == SHOAL_OK);
  CHECK(qs.submitted == tags.size());
  CHECK(qs.completed == tags.size());
  CHECK(qs.interrupts == 1);
  // a second handle on the same queue is refused
  shoal_queue* again = nullptr;
  CHECK(shoal_queue_open(card.dev(), kP0, &again) == SHOAL_ERR_BUSY);
  CHECK(shoal_queue_open(card.dev(), SHOAL_PARAM_NUM_QUEUES, &again) == SHOAL_ERR_INVALID_ARG);
}

TEST_CASE("events reach the partition's queue and its pollable descriptor", "[queue]") {
  CardSim card;
  card.static_policy();
  Cmd c(SHOAL_OP_PART_CREATE);
  CSET(c, SHOAL_OP_PART_CREATE_PARTITION, 0);
  REQUIRE(status_of(card.admin_call(c)) == SHOAL_ST_OK);
  shoal_queue* q0 = card.queue(kP0);  // opened before the event
  int fd = -1;
  REQUIRE(shoal_queue_fd(q0, &fd) == SHOAL_OK);
  Cmd r(SHOAL_OP_REQUEST);
  CSET(r, SHOAL_OP_REQUEST_PARTITION, 0);
  CSET(r, SHOAL_OP_REQUEST_TYPE, SHOAL_RES_CPU);
  CSET(r, SHOAL_OP_REQUEST_AMOUNT, 2);
  Words g = card.admin_call(r);
  REQUIRE(status_of(g) == SHOAL_ST_OK);
  CHECK(SHOAL_GET(g.data(), SHOAL_CPL_REQUEST_GRANTED) == 2);
  // the processors joined: two PROC_JOINED events on partition 0's queue; the fd says so
  pollfd pf{fd, POLLIN, 0};
  CHECK(::poll(&pf, 1, 30000) == 1);
  std::set<std::uint32_t> procs;
  for (int i = 0; i < 2; ++i) {
    Words ev{};
    INFO(shoal_last_error());
    REQUIRE(shoal_queue_next_event(q0, 30000, ev.data()) == SHOAL_OK);
    CHECK(SHOAL_GET(ev.data(), SHOAL_CQE_EVENT) == 1);
    CHECK(SHOAL_GET(ev.data(), SHOAL_CQE_TAG) == 0);
    CHECK(SHOAL_GET(ev.data(), SHOAL_CQE_QUEUE) == kP0);
    CHECK(SHOAL_GET(ev.data(), SHOAL_EV_KIND) == SHOAL_EV_KIND_PROC_JOINED);
    CHECK(SHOAL_GET(ev.data(), SHOAL_EV_PARTITION) == 0);
    procs.insert(SHOAL_GET(ev.data(), SHOAL_EV_TYPE));
  }
  CHECK(procs.size() == 2);
  CHECK(card.drrm_mapped(0) == 2);
  CHECK(card.alloc_held(0, SHOAL_RES_CPU) == 2);
  Words none{};
  CHECK(shoal_queue_next_event(q0, 0, none.data()) == SHOAL_ERR_TIMEOUT);
}

TEST_CASE("garbage in the queue pages never wedges the firmware nor changes the card",
          "[queue][fuzz]") {
  CardSim card;
  card.static_policy();
  // a partition with resources, so "unchanged" means something
  Cmd c(SHOAL_OP_PART_CREATE);
  CSET(c, SHOAL_OP_PART_CREATE_PARTITION, 1);
  REQUIRE(status_of(card.admin_call(c)) == SHOAL_ST_OK);
  Cmd r(SHOAL_OP_REQUEST);
  CSET(r, SHOAL_OP_REQUEST_PARTITION, 1);
  CSET(r, SHOAL_OP_REQUEST_TYPE, SHOAL_RES_CPU);
  CSET(r, SHOAL_OP_REQUEST_AMOUNT, 3);
  REQUIRE(status_of(card.admin_call(r)) == SHOAL_ST_OK);
  auto snapshot = [&] {
    std::vector<std::uint32_t> s;
    for (std::uint32_t i = 0; i < SHOAL_ALLOC_PART_STATE_COUNT; ++i) s.push_back(card.rd(SHOAL_ALLOC_PART_STATE_ADDR_N(i)));
    for (std::uint32_t x = 0; x < SHOAL_PARAM_NUM_PROCESSORS; ++x) s.push_back(card.rd(SHOAL_DRRM_PROC_ADDR_N(x)));
    return s;
  };
  const auto before = snapshot();
  const std::uint32_t up0 = card.rd(SHOAL_CORE_FW_UPTIME_ADDR);
  std::mt19937 rng(2026);
  const int kWords = 100000;
  unsigned refused = 0;
  for (int i = 0; i < kWords; ++i) {
    // partition pages 1..16, the control page and the space between; never the admin page
    std::uint32_t page = 1 + rng() % SHOAL_PARAM_NUM_PARTITIONS;
    if (rng() % 16 == 0) page = 17 + rng() % 15;
    std::uint32_t off;
    switch (rng() % 4) {
      case 0: off = 4 * (rng() % 16); break;                                   // the registers
      case 1: off = SHOAL_QUEUE_SQ_OFFSET + 4 * (rng() % 256); break;          // commands
      case 2: off = SHOAL_QUEUE_SQ_TAIL_OFFSET; break;                         // doorbells
      default: off = 4 * (rng() % 1024); break;                                // anywhere
    }
    std::uint32_t v = rng();
    if (off == SHOAL_QUEUE_SQ_TAIL_OFFSET && rng() % 2) v = rng() % SHOAL_PARAM_QUEUE_DEPTH;
    if (off == SHOAL_QUEUE_CQ_HEAD_OFFSET && rng() % 2) v = rng() % SHOAL_PARAM_QUEUE_DEPTH;
    const std::uint32_t addr = SHOAL_QUEUE_BASE + page * 0x1000 + off;
    int rc;
    if (off >= SHOAL_QUEUE_SQ_OFFSET && off < SHOAL_QUEUE_CQ_OFFSET && off % 8 == 0 && page <= SHOAL_PARAM_NUM_PARTITIONS &&
        rng() % 2) {
      rc = shoal_reg_write64(card.dev(), addr, std::uint64_t{v} << 32 | rng());  // two words at once
      ++i;
    } else {
      rc = shoal_reg_write32(card.dev(), addr, v);
    }
    if (rc == SHOAL_ERR_BUS) ++refused;
    else REQUIRE(rc == SHOAL_OK);
  }
  CHECK(refused > 0);
  // the admin queue still answers, the firmware's heartbeat advanced, nothing changed
  for (int i = 0; i < 3; ++i) CHECK(status_of(card.admin_call(Cmd(SHOAL_OP_NOP))) == SHOAL_ST_OK);
  Words svc = card.admin_call(Cmd(SHOAL_OP_SERVICE_STATUS));
  CHECK(SHOAL_GET(svc.data(), SHOAL_CPL_SERVICE_STATUS_STATE) == SHOAL_CPL_SERVICE_STATUS_STATE_RUNNING);
  CHECK(SHOAL_GET(svc.data(), SHOAL_CPL_SERVICE_STATUS_REFUSED) > 0);  // it did serve garbage
  // the heartbeat moves on (bounded wait: a loaded machine runs the card slowly)
  for (int i = 0; i < 100 && card.rd(SHOAL_CORE_FW_UPTIME_ADDR) == up0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(card.rd(SHOAL_CORE_FW_UPTIME_ADDR) != up0);
  CHECK(snapshot() == before);
  CHECK(card.rd(SHOAL_QUEUE_CTL_BAD_TOTAL_ADDR) >= refused);
}
