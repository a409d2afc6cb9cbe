// Helpers for the allocation service's card-level tests: one call per command, on the
// co-simulated card (tests/common/card_sim.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "card_sim.hpp"

namespace shoal::test {

struct Service {
  CardSim& card;

  Words create(std::uint32_t p, std::uint32_t prio) {
    Cmd c(SHOAL_OP_PART_CREATE);
    CSET(c, SHOAL_OP_PART_CREATE_PARTITION, p);
    CSET(c, SHOAL_OP_PART_CREATE_PRIO, prio);
    return card.admin_call(c);
  }
  Words limits(std::uint32_t p, std::uint32_t t, std::uint32_t floor, std::uint32_t cap) {
    Cmd c(SHOAL_OP_PART_CONFIGURE);
    CSET(c, SHOAL_OP_PART_CONFIGURE_PARTITION, p);
    CSET(c, SHOAL_OP_PART_CONFIGURE_SET, SHOAL_OP_PART_CONFIGURE_SET_LIMITS);
    CSET(c, SHOAL_OP_PART_CONFIGURE_TYPES, 1u << t);
    CSET_I(c, SHOAL_OP_PART_CONFIGURE_FLOOR, t, floor);
    CSET_I(c, SHOAL_OP_PART_CONFIGURE_CAP, t, cap);
    return card.admin_call(c);
  }
  Words thresholds(std::uint32_t p, std::uint32_t hi, std::uint32_t lo) {
    Cmd c(SHOAL_OP_PART_CONFIGURE);
    CSET(c, SHOAL_OP_PART_CONFIGURE_PARTITION, p);
    CSET(c, SHOAL_OP_PART_CONFIGURE_SET, SHOAL_OP_PART_CONFIGURE_SET_THRESH);
    CSET(c, SHOAL_OP_PART_CONFIGURE_THR_HI, hi);
    CSET(c, SHOAL_OP_PART_CONFIGURE_THR_LO, lo);
    return card.admin_call(c);
  }
  Words request(std::uint32_t q, std::uint32_t p, std::uint32_t t, std::uint32_t amount, std::uint32_t flags = 0,
                std::uint32_t timeout_us = 0) {
    Cmd c(SHOAL_OP_REQUEST);
    CSET(c, SHOAL_OP_REQUEST_PARTITION, p);
    CSET(c, SHOAL_OP_REQUEST_TYPE, t);
    CSET(c, SHOAL_OP_REQUEST_AMOUNT, amount);
    CSET(c, SHOAL_OP_REQUEST_FLAGS, flags);
    CSET(c, SHOAL_OP_REQUEST_TIMEOUT, timeout_us);
    return card.call(q, c);
  }
  Words release(std::uint32_t q, std::uint32_t p, std::uint32_t t, std::uint32_t amount) {
    Cmd c(SHOAL_OP_RELEASE);
    CSET(c, SHOAL_OP_RELEASE_PARTITION, p);
    CSET(c, SHOAL_OP_RELEASE_TYPE, t);
    CSET(c, SHOAL_OP_RELEASE_AMOUNT, amount);
    return card.call(q, c);
  }
  Words swap(std::uint32_t from, std::uint32_t to, std::uint32_t t, std::uint32_t amount) {
    Cmd c(SHOAL_OP_SWAP);
    CSET(c, SHOAL_OP_SWAP_FROM, from);
    CSET(c, SHOAL_OP_SWAP_TO, to);
    CSET(c, SHOAL_OP_SWAP_TYPE, t);
    CSET(c, SHOAL_OP_SWAP_AMOUNT, amount);
    return card.admin_call(c);
  }
  Words policy(std::uint32_t policy, std::uint32_t epoch_windows, std::uint32_t window = 0, std::uint32_t alpha = 2,
               std::uint32_t quantile = 90) {
    Cmd c(SHOAL_OP_POLICY_SET);
    CSET(c, SHOAL_OP_POLICY_SET_POLICY, policy);
    CSET(c, SHOAL_OP_POLICY_SET_EPOCH_WINDOWS, epoch_windows);
    CSET(c, SHOAL_OP_POLICY_SET_WINDOW, window);
    CSET(c, SHOAL_OP_POLICY_SET_ALPHA, alpha);
    CSET(c, SHOAL_OP_POLICY_SET_QUANTILE, quantile);
    CSET(c, SHOAL_OP_POLICY_SET_MOVE_COST, 8);
    return card.admin_call(c);
  }
  Words query(std::uint32_t p) {
    Cmd c(SHOAL_OP_PART_QUERY);
    CSET(c, SHOAL_OP_PART_QUERY_PARTITION, p);
    return card.admin_call(c);
  }
  std::uint32_t held(std::uint32_t p, std::uint32_t t) {
    return SHOAL_GET_I(query(p).data(), SHOAL_CPL_PART_QUERY_HELD, t);
  }
  Words status() { return card.admin_call(Cmd(SHOAL_OP_SERVICE_STATUS)); }

  // the card-wide invariants, read over BAR0: free + sum(alloc) = pool per type, and every
  // partition's CPU grant equals the processors the DRRM maps to it
  void require_invariants() {
    for (std::uint32_t t = 0; t < SHOAL_PARAM_NUM_RESOURCE_TYPES; ++t) {
      std::uint32_t sum = card.rd(SHOAL_ALLOC_POOL_FREE_ADDR_N(t));
      for (std::uint32_t p = 0; p < SHOAL_PARAM_NUM_PARTITIONS; ++p) sum += card.alloc_held(p, t);
      INFO("type " << t);
      REQUIRE(sum == card.rd(SHOAL_ALLOC_POOL_SIZE_ADDR_N(t)));
    }
    for (std::uint32_t p = 0; p < SHOAL_PARAM_NUM_PARTITIONS; ++p) {
      INFO("partition " << p);
      REQUIRE(card.drrm_mapped(p) == card.alloc_held(p, SHOAL_RES_CPU));
    }
    REQUIRE(SHOAL_GET(status().data(), SHOAL_CPL_SERVICE_STATUS_STATE) == SHOAL_CPL_SERVICE_STATUS_STATE_RUNNING);
  }

  // the records the audit log holds now (not drained)
  std::vector<shoal_audit_record> audit() {
    shoal_audit_state st{};
    SHOAL_INIT(st);
    REQUIRE(shoal_audit_get_state(card.dev(), &st) == SHOAL_OK);
    std::vector<shoal_audit_record> out;
    for (std::uint32_t s = st.head; s != st.tail; ++s) {
      shoal_audit_record r{};
      SHOAL_INIT(r);
      REQUIRE(shoal_audit_read(card.dev(), s, &r) == SHOAL_OK);
      out.push_back(r);
    }
    return out;
  }

  // the next event on queue q (fails the test if none arrives)
  Words event(std::uint32_t q, std::uint32_t timeout_ms = 30000) {
    Words ev{};
    INFO("queue " << q << ": " << shoal_last_error());
    REQUIRE(shoal_queue_next_event(card.queue(q), timeout_ms, ev.data()) == SHOAL_OK);
    return ev;
  }
  // every event of `kind` on queue q that arrives within timeout_ms (others are skipped)
  std::vector<Words> events_of(std::uint32_t q, std::uint32_t kind, std::uint32_t timeout_ms = 200) {
    std::vector<Words> out;
    Words ev{};
    while (shoal_queue_next_event(card.queue(q), timeout_ms, ev.data()) == SHOAL_OK) {
      if (SHOAL_GET(ev.data(), SHOAL_EV_KIND) == kind) out.push_back(ev);
    }
    return out;
  }
};

inline std::uint32_t st(const Words& w) { return status_of(w); }

}  // namespace shoal::test
