// The audit log at the card level (label audit): a random run of allocation commands on the
// co-simulated card (shoal-sim booting the default firmware), its records drained through
// libshoal's reader, against the events shoal-sim itself reports with --events (what the ALLOC's
// event port and the DRRM's migration lane emitted, taken off the model, not off the log).
//   - every ALLOC event and every DRRM migration appears exactly once, in order, field by field;
//   - sequence numbers are continuous;
//   - a ring that overflows shows GAP records whose counts add up to the card's DROPPED count,
//     the records around them still continuous, and what survived of the ALLOC's events is in
//     order with no more missing than were dropped.
#include <catch2/catch.hpp>

#include <cinttypes>
#include <cstdio>
#include <random>
#include <sstream>

#include "card_sim.hpp"

using namespace shoal::test;

namespace {

constexpr std::uint32_t kCpu = SHOAL_RES_CPU;
constexpr std::uint32_t kParts = 4;

struct Migration {
  std::uint32_t op = 0, tag = 0, part = 0;
  std::uint64_t mask = 0;
  bool timeout = false;
  bool operator==(const Migration& o) const {
    return op == o.op && tag == o.tag && part == o.part && mask == o.mask && timeout == o.timeout;
  }
};

std::ostream& operator<<(std::ostream& os, const Migration& m) {
  return os << "{op " << m.op << " tag " << m.tag << " part " << m.part << " mask 0x" << std::hex << m.mask
            << std::dec << (m.timeout ? " timeout" : "") << "}";
}

// What shoal-sim printed with --events (sim/server/main.cpp print_event).
struct SimEvents {
  std::vector<std::uint64_t> alloc;
  std::vector<Migration> mig;
};

SimEvents parse_events(const std::string& out) {
  SimEvents ev;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long cyc = 0, word = 0, mask = 0;
    unsigned op = 0, tag = 0, part = 0;
    if (std::sscanf(line.c_str(), "[ev] cycle %llu alloc 0x%llx", &cyc, &word) == 2) {
      ev.alloc.push_back(word);
    } else if (std::sscanf(line.c_str(), "[ev] cycle %llu drrm migration op %u tag %u -> partition %u processors 0x%llx",
                           &cyc, &op, &tag, &part, &mask) == 5) {
      ev.mig.push_back({op, tag, part, mask, line.find("TIMEOUT") != std::string::npos});
    }
  }
  return ev;
}

// Reads every record in the ring (HEAD .. TAIL-1) and drains them.
std::vector<shoal_audit_record> drain_all(CardSim& card) {
  shoal_audit_state st{};
  SHOAL_INIT(st);
  REQUIRE(shoal_audit_get_state(card.dev(), &st) == SHOAL_OK);
  std::vector<shoal_audit_record> out;
  for (std::uint32_t s = st.head; s != st.tail; ++s) {
    shoal_audit_record r{};
    SHOAL_INIT(r);
    INFO(shoal_last_error());
    REQUIRE(shoal_audit_read(card.dev(), s, &r) == SHOAL_OK);
    out.push_back(r);
  }
  REQUIRE(shoal_audit_drain(card.dev(), st.tail) == SHOAL_OK);
  return out;
}

std::uint64_t alloc_word(const shoal_audit_record& r) { return std::uint64_t{r.data_hi} << 32 | r.data_lo; }

Migration migration_of(const shoal_audit_record& r) {
  return {(r.aux >> 8) & 0xF, r.aux & 0xFF, r.part, std::uint64_t{r.data_hi} << 32 | r.data_lo,
          r.kind == SHOAL_AUDIT_KIND_ROLLBACK};
}

// One random command: a request or release from a partition's own queue, or an admin swap.
// Amounts reach 0 (refused before the ALLOC: no event), 1 and more than the pool.
void random_command(CardSim& card, std::mt19937& rng) {
  static constexpr std::uint32_t types[] = {kCpu, SHOAL_RES_CACHE_WAYS, SHOAL_RES_MEM_BW};
  const std::uint32_t p = rng() % kParts, t = types[rng() % 3];
  const std::uint32_t pool = card.rd(SHOAL_ALLOC_POOL_SIZE_ADDR_N(t)) & SHOAL_ALLOC_POOL_SIZE_UNITS_MASK;
  const std::uint32_t pick = rng() % 8;
  const std::uint32_t amount = pick == 0 ? 0 : pick == 1 ? pool + 1 : 1 + rng() % 4;
  const std::uint32_t flags = (rng() % 2 ? SHOAL_REQ_ALLOW_PARTIAL : 0) | (rng() % 2 ? SHOAL_REQ_ALLOW_RECLAIM : 0);
  Cmd c(SHOAL_OP_NOP);
  switch (rng() % 3) {
    case 0:
      c = Cmd(SHOAL_OP_REQUEST);
      CSET(c, SHOAL_OP_REQUEST_PARTITION, p);
      CSET(c, SHOAL_OP_REQUEST_TYPE, t);
      CSET(c, SHOAL_OP_REQUEST_AMOUNT, amount);
      CSET(c, SHOAL_OP_REQUEST_FLAGS, flags);
      card.call(SHOAL_QUEUE_PARTITION(p), c);
      break;
    case 1:
      c = Cmd(SHOAL_OP_RELEASE);
      CSET(c, SHOAL_OP_RELEASE_PARTITION, p);
      CSET(c, SHOAL_OP_RELEASE_TYPE, t);
      CSET(c, SHOAL_OP_RELEASE_AMOUNT, amount);
      card.call(SHOAL_QUEUE_PARTITION(p), c);
      break;
    default:
      c = Cmd(SHOAL_OP_SWAP);
      CSET(c, SHOAL_OP_SWAP_FROM, p);
      CSET(c, SHOAL_OP_SWAP_TO, (p + 1 + rng() % (kParts - 1)) % kParts);
      CSET(c, SHOAL_OP_SWAP_TYPE, t);
      CSET(c, SHOAL_OP_SWAP_AMOUNT, amount);
      card.admin_call(c);
      break;
  }
}

void setup(CardSim& card, std::mt19937& rng) {
  card.static_policy();
  for (std::uint32_t p = 0; p < kParts; ++p) {
    Cmd c(SHOAL_OP_PART_CREATE);
    CSET(c, SHOAL_OP_PART_CREATE_PARTITION, p);
    CSET(c, SHOAL_OP_PART_CREATE_PRIO, 1 + rng() % 6);
    REQUIRE(status_of(card.admin_call(c)) == SHOAL_ST_OK);
  }
}

// Waits (bounded) until shoal-sim has printed at least `alloc` ALLOC and `mig` migration events.
SimEvents events_at_least(CardSim& card, std::size_t alloc, std::size_t mig) {
  SimEvents ev = parse_events(card.proc().output());
  for (int i = 0; i < 100 && (ev.alloc.size() < alloc || ev.mig.size() < mig); ++i) {
    card.proc().wait_for_line("\x01never\x01", 100);  // reads what arrives for 100 ms
    ev = parse_events(card.proc().output());
  }
  card.proc().wait_for_line("\x01never\x01", 200);  // and whatever more is on its way
  return parse_events(card.proc().output());
}

void check_continuous(const std::vector<shoal_audit_record>& recs) {
  for (std::size_t i = 1; i < recs.size(); ++i) {
    INFO("record " << i);
    REQUIRE(recs[i].seq == recs[i - 1].seq + 1);
  }
}

}  // namespace

TEST_CASE("every ALLOC and DRRM event of a random run is in the log exactly once, in order", "[audit]") {
  CardSim card({"--events"});
  std::mt19937 rng(Catch::rngSeed() ? Catch::rngSeed() : 12);
  const auto before = drain_all(card);  // the boot's records (parking every processor, ...)
  setup(card, rng);
  std::vector<shoal_audit_record> recs = before;
  for (int i = 0; i < 160; ++i) {
    random_command(card, rng);
    if (i % 8 == 7) {  // drain often: this run must lose nothing
      auto more = drain_all(card);
      recs.insert(recs.end(), more.begin(), more.end());
    }
  }
  auto more = drain_all(card);
  recs.insert(recs.end(), more.begin(), more.end());
  check_continuous(recs);

  std::vector<std::uint64_t> alloc;
  std::vector<Migration> mig;
  for (const auto& r : recs) {
    REQUIRE(r.source != SHOAL_AUDIT_SRC_GAP);  // nothing was dropped
    if (r.source == SHOAL_AUDIT_SRC_ALLOC) alloc.push_back(alloc_word(r));
    if (r.source == SHOAL_AUDIT_SRC_MIGRATION) mig.push_back(migration_of(r));
  }
  const SimEvents ev = events_at_least(card, alloc.size(), mig.size());
  // the run did exercise both sources (processors move on CPU grants, releases and swaps)
  CHECK(alloc.size() > 50);
  CHECK(mig.size() > 10);
  // exactly once, in order: the same sequences, element by element
  REQUIRE(ev.alloc.size() == alloc.size());
  for (std::size_t i = 0; i < alloc.size(); ++i) {
    INFO("ALLOC event " << i);
    REQUIRE(ev.alloc[i] == alloc[i]);
  }
  REQUIRE(ev.mig.size() == mig.size());
  for (std::size_t i = 0; i < mig.size(); ++i) {
    INFO("migration " << i << ": shoal-sim " << ev.mig[i] << ", log " << mig[i]);
    REQUIRE(ev.mig[i] == mig[i]);
  }
  // the card's own counters agree: nothing dropped
  shoal_audit_state st{};
  SHOAL_INIT(st);
  REQUIRE(shoal_audit_get_state(card.dev(), &st) == SHOAL_OK);
  CHECK(st.dropped == 0);
}

TEST_CASE("an audit ring that overflows shows GAP records with the exact drop count", "[audit]") {
  CardSim card({"--events"});
  std::mt19937 rng(Catch::rngSeed() ? Catch::rngSeed() : 34);
  std::vector<shoal_audit_record> recs = drain_all(card);
  setup(card, rng);
  // nobody drains: run until the ring has dropped records (bounded)
  shoal_audit_state st{};
  SHOAL_INIT(st);
  int ops = 0;
  for (; ops < 3000; ++ops) {
    random_command(card, rng);
    if (ops % 16 == 15) {
      REQUIRE(shoal_audit_get_state(card.dev(), &st) == SHOAL_OK);
      if (st.dropped > 20) break;
    }
  }
  INFO(ops << " commands");
  REQUIRE(st.dropped > 0);
  CHECK(st.tail - st.head == st.depth);  // full
  // drain: the card then writes the GAP record(s) for what it dropped
  auto more = drain_all(card);
  recs.insert(recs.end(), more.begin(), more.end());
  for (int i = 0; i < 50; ++i) {
    REQUIRE(shoal_audit_get_state(card.dev(), &st) == SHOAL_OK);
    if (st.drop_pending == 0) break;
    card.proc().wait_for_line("\x01never\x01", 20);
  }
  REQUIRE(st.drop_pending == 0);
  more = drain_all(card);
  recs.insert(recs.end(), more.begin(), more.end());
  check_continuous(recs);

  std::uint64_t gaps = 0;
  std::size_t ngap = 0;
  std::vector<std::uint64_t> alloc;
  for (const auto& r : recs) {
    if (r.source == SHOAL_AUDIT_SRC_GAP) {
      CHECK(r.kind == SHOAL_AUDIT_KIND_GAP);
      gaps += r.data_lo;
      ++ngap;
    }
    if (r.source == SHOAL_AUDIT_SRC_ALLOC) alloc.push_back(alloc_word(r));
  }
  CHECK(ngap >= 1);
  CHECK(gaps == st.dropped);  // the GAP records account for every dropped record
  // what survived of the ALLOC's events is in order (a subsequence of what it emitted), and no
  // more are missing than were dropped
  const SimEvents ev = events_at_least(card, alloc.size(), 0);
  REQUIRE(ev.alloc.size() >= alloc.size());
  std::size_t j = 0;
  for (std::size_t i = 0; i < ev.alloc.size() && j < alloc.size(); ++i)
    if (ev.alloc[i] == alloc[j]) ++j;
  CHECK(j == alloc.size());
  CHECK(ev.alloc.size() - alloc.size() <= gaps);
}
