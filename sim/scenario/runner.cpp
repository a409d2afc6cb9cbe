// Running a scenario on the card model (runner.hpp).
#include "runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "shoal/proto_check.h"

namespace shoal::scenario {
namespace {

constexpr uint32_t kP = SHOAL_PARAM_NUM_PROCESSORS;
constexpr uint32_t kCpu = SHOAL_RES_CPU;
constexpr uint32_t kAdmin = SHOAL_QUEUE_ADMIN;

uint32_t q16(double frac) { return uint32_t(std::lround(std::clamp(frac, 0.0, 1.0) * 65535.0)); }

Words policy_cmd(const Scenario& s, Policy p) {
  Words c = command(SHOAL_OP_POLICY_SET);
  SHOAL_SET(c.data(), SHOAL_OP_POLICY_SET_POLICY, uint32_t(p));
  SHOAL_SET(c.data(), SHOAL_OP_POLICY_SET_EPOCH_WINDOWS, s.epoch_windows);
  SHOAL_SET(c.data(), SHOAL_OP_POLICY_SET_WINDOW, s.window_cycles);
  SHOAL_SET(c.data(), SHOAL_OP_POLICY_SET_ALPHA, s.alpha);
  SHOAL_SET(c.data(), SHOAL_OP_POLICY_SET_QUANTILE, s.quantile);
  SHOAL_SET(c.data(), SHOAL_OP_POLICY_SET_MOVE_COST, s.move_cost);
  return c;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, std::size_t(std::ceil(p * double(v.size())) - 1));
  return v[i];
}

}  // namespace

AuditRecord AuditRecord::decode(const AuditWords& w) {
  AuditRecord r;
  r.seq = SHOAL_GET(w.data(), SHOAL_AUDIT_SEQ);
  r.time = uint64_t(w[2]) << 32 | w[1];
  r.kind = SHOAL_GET(w.data(), SHOAL_AUDIT_KIND);
  r.source = SHOAL_GET(w.data(), SHOAL_AUDIT_SOURCE);
  r.actor = SHOAL_GET(w.data(), SHOAL_AUDIT_ACTOR);
  r.status = SHOAL_GET(w.data(), SHOAL_AUDIT_STATUS);
  r.part = SHOAL_GET(w.data(), SHOAL_AUDIT_PART);
  r.part2 = SHOAL_GET(w.data(), SHOAL_AUDIT_PART2);
  r.rtype = SHOAL_GET(w.data(), SHOAL_AUDIT_RTYPE);
  r.flags = SHOAL_GET(w.data(), SHOAL_AUDIT_FLAGS);
  r.amount = SHOAL_GET(w.data(), SHOAL_AUDIT_AMOUNT);
  r.aux = SHOAL_GET(w.data(), SHOAL_AUDIT_AUX);
  r.data_lo = SHOAL_GET(w.data(), SHOAL_AUDIT_DATA_LO);
  r.data_hi = SHOAL_GET(w.data(), SHOAL_AUDIT_DATA_HI);
  return r;
}

RunResult run_scenario(const Scenario& s, Policy policy, const std::function<void(uint32_t, uint32_t)>& progress) {
  const auto wall0 = std::chrono::steady_clock::now();
  RunResult res;
  res.scenario = s;
  res.policy = policy;
  const std::size_t K = s.parts.size();
  const uint32_t nt = s.steps * s.ticks;
  const uint64_t tick_cycles = s.step_cycles / s.ticks;
  const double tick_hours = s.step_seconds / s.ticks / 3600.0;
  std::vector<std::vector<double>> demand(K);
  for (std::size_t k = 0; k < K; ++k) demand[k] = s.parts[k].demand.sample(s.seed, uint32_t(k), s.steps, s.ticks);

  auto model = sim::make_card_model();
  sim::CardModel& m = *model;
  for (uint32_t x = 0; x < kP; ++x) m.set_processor(x, {8, 0, 0, 0});
  CardHost h(m);
  h.boot();
  res.boot_cycles = m.cycle();

  // the set-up: STATIC while the partitions are made, so nothing moves before the run
  h.call_ok(kAdmin, policy_cmd(s, Policy::Static), "POLICY_SET static");
  for (std::size_t k = 0; k < K; ++k) {
    const PartitionSpec& p = s.parts[k];
    Words c = command(SHOAL_OP_PART_CREATE);
    SHOAL_SET(c.data(), SHOAL_OP_PART_CREATE_PARTITION, uint32_t(k));
    SHOAL_SET(c.data(), SHOAL_OP_PART_CREATE_PRIO, p.priority);
    h.call_ok(kAdmin, c, "PART_CREATE " + p.name);
    Words l = command(SHOAL_OP_PART_CONFIGURE);
    SHOAL_SET(l.data(), SHOAL_OP_PART_CONFIGURE_PARTITION, uint32_t(k));
    SHOAL_SET(l.data(), SHOAL_OP_PART_CONFIGURE_SET, SHOAL_OP_PART_CONFIGURE_SET_LIMITS | SHOAL_OP_PART_CONFIGURE_SET_THRESH);
    SHOAL_SET(l.data(), SHOAL_OP_PART_CONFIGURE_TYPES, 1u << kCpu);
    SHOAL_SET_I(l.data(), SHOAL_OP_PART_CONFIGURE_FLOOR, kCpu, p.floor);
    SHOAL_SET_I(l.data(), SHOAL_OP_PART_CONFIGURE_CAP, kCpu, p.cap);
    SHOAL_SET(l.data(), SHOAL_OP_PART_CONFIGURE_THR_HI, q16(p.threshold_hi));
    SHOAL_SET(l.data(), SHOAL_OP_PART_CONFIGURE_THR_LO, q16(p.threshold_lo));
    h.call_ok(kAdmin, l, "PART_CONFIGURE " + p.name);
    if (p.initial) {
      Words r = command(SHOAL_OP_REQUEST);
      SHOAL_SET(r.data(), SHOAL_OP_REQUEST_PARTITION, uint32_t(k));
      SHOAL_SET(r.data(), SHOAL_OP_REQUEST_TYPE, kCpu);
      SHOAL_SET(r.data(), SHOAL_OP_REQUEST_AMOUNT, p.initial);
      h.call_ok(kAdmin, r, "REQUEST of " + p.name + "'s initial processors");
    }
  }
  // the audit log from here on explains the map: replay starts from what the DRRM shows now
  const uint64_t off = h.cycle_offset();
  std::vector<int> replay(kP, kIdle), last(kP, kIdle);
  for (uint32_t x = 0; x < kP; ++x) {
    const uint32_t v = h.rd(SHOAL_DRRM_PROC_ADDR_N(x));
    const uint32_t st = (v & SHOAL_DRRM_PROC_STATE_MASK) >> SHOAL_DRRM_PROC_STATE_LSB;
    const uint32_t part = (v & SHOAL_DRRM_PROC_PART_MASK) >> SHOAL_DRRM_PROC_PART_LSB;
    replay[x] = last[x] = st == SHOAL_DRRM_PROC_STATE_RUNNING ? int(part) : kIdle;
  }
  res.initial_owner = last;
  (void)h.drain_audit();
  h.call_ok(kAdmin, policy_cmd(s, policy), std::string("POLICY_SET ") + to_string(policy));
  const uint64_t run0 = m.cycle();

  std::vector<AuditRecord> pending;  // drained but later than the map read they are compared with
  auto apply = [&](const AuditRecord& r) {
    if (r.kind == SHOAL_AUDIT_KIND_MIGRATE) {
      const uint32_t op = r.aux >> 8;
      const uint64_t mask = uint64_t(r.data_hi) << 32 | r.data_lo;
      for (uint32_t x = 0; x < kP; ++x)
        if ((mask >> x) & 1u) replay[x] = op == SHOAL_DRRM_CMD_PUSH_OP_OFFLINE ? kIdle : int(r.part);
    }
  };
  res.totals.assign(K, PartitionTotals{});
  res.ticks.reserve(nt);
  std::vector<double> decision_cycles;
  double held_ticks = 0, served_ticks = 0;
  for (uint32_t i = 0; i < nt; ++i) {
    Tick t;
    t.demand.resize(K);
    t.held.assign(K, 0);
    t.granted.assign(K, 0);
    // the DRRM map, as the card keeps it
    const uint64_t t0 = m.cycle() - off;
    std::vector<int> owner(kP, kIdle);
    for (uint32_t x = 0; x < kP; ++x) {
      const uint32_t v = h.rd(SHOAL_DRRM_PROC_ADDR_N(x));
      const uint32_t st = (v & SHOAL_DRRM_PROC_STATE_MASK) >> SHOAL_DRRM_PROC_STATE_LSB;
      const uint32_t part = (v & SHOAL_DRRM_PROC_PART_MASK) >> SHOAL_DRRM_PROC_PART_LSB;
      if (st == SHOAL_DRRM_PROC_STATE_RUNNING && part < K) {
        owner[x] = int(part);
        ++t.held[part];
      } else if (st == SHOAL_DRRM_PROC_STATE_OFFLINE) {
        ++t.parked;
      } else {
        owner[x] = kMoving;
        ++t.moving;
      }
    }
    const uint64_t t1 = m.cycle() - off;
    for (std::size_t k = 0; k < K; ++k)
      t.granted[k] = (h.rd(SHOAL_ALLOC_PART_STATE_ADDR_N(uint32_t(k) * 8 + kCpu)) & SHOAL_ALLOC_PART_STATE_ALLOC_MASK) >>
                     SHOAL_ALLOC_PART_STATE_ALLOC_LSB;
    t.free = h.rd(SHOAL_ALLOC_POOL_FREE_ADDR_N(kCpu));
    // the audit log up to the map read, replayed, must give the same owners
    std::vector<AuditRecord> later;
    bool racing = false;
    for (const AuditWords& w : h.drain_audit()) pending.push_back(AuditRecord::decode(w));
    for (const AuditRecord& r : pending) {
      if (r.time < t0) {
        apply(r);
        res.audit.push_back(r);
      } else {
        racing |= r.kind == SHOAL_AUDIT_KIND_MIGRATE && r.time <= t1;
        later.push_back(r);
      }
    }
    pending.swap(later);
    if (!racing && t.moving == 0) {
      ++res.audit_checked_ticks;
      for (uint32_t x = 0; x < kP; ++x) t.map_matches_audit &= replay[x] == owner[x];
      if (!t.map_matches_audit) ++res.audit_mismatch_ticks;
    }
    // moves since the last tick (a processor seen mid-move counts when it lands)
    for (uint32_t x = 0; x < kP; ++x) {
      if (owner[x] == kMoving || owner[x] == last[x]) continue;
      res.moves.push_back({i, x, last[x], owner[x]});
      last[x] = owner[x];
    }
    // the workload: each partition's demand shared by the processors it holds
    double watts = 0;
    std::vector<uint32_t> duty(K, 0);
    for (std::size_t k = 0; k < K; ++k) {
      const double d = demand[k][i];
      t.demand[k] = d;
      const uint32_t hk = t.held[k];
      duty[k] = hk ? uint32_t(std::lround(100.0 * std::min(1.0, d / hk))) : 0;
      const double served = std::min(d, double(hk));
      PartitionTotals& pt = res.totals[k];
      pt.demand += d;
      pt.served += served;
      pt.unmet += d - served;
      pt.min_held = std::min(pt.min_held, hk);
      pt.max_held = std::max(pt.max_held, hk);
      held_ticks += hk;
      served_ticks += served;
    }
    for (uint32_t x = 0; x < kP; ++x) {
      sim::ProcessorConfig pc{8, 0, 0, 0};
      if (owner[x] >= 0) {
        const PartitionSpec& p = s.parts[std::size_t(owner[x])];
        pc.duty_pct = duty[std::size_t(owner[x])];
        pc.mem_pct = p.mem_pct;
        pc.io_pct = p.io_pct;
        watts += pc.duty_pct / 100.0 * s.power.active_w + (1 - pc.duty_pct / 100.0) * s.power.idle_w;
      } else if (owner[x] == kIdle) {
        watts += s.power.parked_w;
      } else {
        watts += s.power.idle_w;
      }
      m.set_processor(x, pc);
    }
    t.power_w = watts;
    res.energy_wh += watts * tick_hours;
    res.ticks.push_back(std::move(t));
    // the card runs the tick; the host keeps the rings drained
    m.step(tick_cycles);
    h.drain_events();
    if (progress && (i % s.ticks == 0 || i + 1 == nt)) progress(i + 1, nt);
  }
  for (const AuditWords& w : h.drain_audit()) pending.push_back(AuditRecord::decode(w));
  for (const AuditRecord& r : pending) res.audit.push_back(r);
  const Words st = h.call_ok(kAdmin, command(SHOAL_OP_SERVICE_STATUS), "SERVICE_STATUS");
  res.fw_epochs = SHOAL_GET(st.data(), SHOAL_CPL_SERVICE_STATUS_EPOCHS);
  res.fw_migrations = SHOAL_GET(st.data(), SHOAL_CPL_SERVICE_STATUS_MIGRATIONS);
  res.fw_rollbacks = SHOAL_GET(st.data(), SHOAL_CPL_SERVICE_STATUS_ROLLBACKS);
  res.fw_decide_max = SHOAL_GET(st.data(), SHOAL_CPL_SERVICE_STATUS_DECIDE_MAX);
  for (const AuditRecord& r : res.audit) {
    if (r.kind == SHOAL_AUDIT_KIND_DECISION) {
      ++res.decisions;
      decision_cycles.push_back(double(r.data_hi));
    }
    if (r.kind == SHOAL_AUDIT_KIND_MIGRATE)
      res.audit_migrations += uint32_t(__builtin_popcountll(uint64_t(r.data_hi) << 32 | r.data_lo));
    if (r.kind == SHOAL_AUDIT_KIND_GAP) res.audit_gaps += r.data_lo;
  }
  res.decision_p99_cycles = percentile(decision_cycles, 0.99);
  res.decision_p50_cycles = percentile(decision_cycles, 0.50);
  res.migrations = uint32_t(res.moves.size());
  res.held_busy = held_ticks > 0 ? served_ticks / held_ticks : 0;
  res.pool_busy = nt ? served_ticks / (double(nt) * kP) : 0;
  res.run_cycles = m.cycle() - run0;
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return res;
}

}  // namespace shoal::scenario
