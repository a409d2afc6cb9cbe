// The policy simulation (sim.hpp).
#include "sim.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "alloc/alloc.hpp"

namespace shoal::policysim {

namespace pol = shoal::policy;
namespace al = shoal::hls::alloc;

namespace {

constexpr unsigned K = pol::kMaxPartitions;
using AllocState = al::State<K, 1>;

struct Alloc {
  AllocState st;
  al::Resp<K> resp;
  al::Events<K> evs;
  uint32_t cmd(const al::Cmd& c) {
    al::alloc_top<K, 1>(al::encode_cmd(c), st, resp, evs);
    return resp.status;
  }
};

// the WMU post step for one partition (docs/wmu.md): U from busy/occ, EWMA, hysteresis
struct Wmu {
  uint16_t ewma = 0;
  bool high = false;
  static uint16_t util(uint64_t busy_q16, uint32_t held) {  // busy processors in Q16.16
    if (held == 0) return 0;
    const uint64_t u = busy_q16 / held;  // floor(busy * 2^16 / (held * 2^16))
    return uint16_t(std::min<uint64_t>(u, 0xFFFF));
  }
  void post(uint16_t u, uint8_t a, uint16_t hi, uint16_t lo) {
    if (a == 0) {
      ewma = u;
    } else {
      const int32_t d = int32_t(u) - int32_t(ewma) + (1 << (a - 1));
      ewma = uint16_t(int32_t(ewma) + (d >> a));  // arithmetic shift (floor)
    }
    if (!high && ewma >= hi) high = true;
    else if (high && ewma <= lo) high = false;
  }
};

}  // namespace

void SimResult::add(const SimResult& o) {
  demand += o.demand;
  served += o.served;
  unmet += o.unmet;
  allocated += o.allocated;
  steps += o.steps;
  migrations += o.migrations;
  reclaimed += o.reclaimed;
  decide_ns += o.decide_ns;
  decisions += o.decisions;
  plan_mismatch += o.plan_mismatch;
  decide_errors += o.decide_errors;
}

std::vector<uint16_t> static_shares(const SimConfig& cfg, const std::vector<const std::vector<float>*>& series,
                                    double q) {
  const size_t n = series.size();
  std::vector<double> want(n);
  for (size_t p = 0; p < n; ++p) {
    std::vector<float> v = *series[p];
    std::sort(v.begin(), v.end());
    const size_t idx = std::min(v.size() - 1, size_t(std::ceil(q * double(v.size() - 1))));
    const double d = double(v[idx]) / 100.0 * cfg.scale;
    want[p] = std::clamp(std::ceil(d - 1e-9), double(std::max<uint16_t>(cfg.floor, 1)), double(cfg.cap));
  }
  double sum = 0;
  for (double w : want) sum += w;
  std::vector<uint16_t> share(n);
  if (sum <= cfg.processors) {
    for (size_t p = 0; p < n; ++p) share[p] = uint16_t(want[p]);
    return share;
  }
  // scale to the pool: floors first, then the rest proportionally, largest remainders
  const double lo = std::max<uint16_t>(cfg.floor, 1);
  const double room = double(cfg.processors) - lo * double(n);
  double extra_sum = 0;
  for (double w : want) extra_sum += w - lo;
  std::vector<std::pair<double, size_t>> rem;
  uint32_t used = 0;
  for (size_t p = 0; p < n; ++p) {
    const double x = extra_sum > 0 ? (want[p] - lo) * room / extra_sum : 0;
    share[p] = uint16_t(lo + std::floor(x));
    used += share[p];
    rem.push_back({x - std::floor(x), p});
  }
  std::sort(rem.begin(), rem.end(), [](auto a, auto b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  for (size_t i = 0; used < cfg.processors && i < rem.size(); ++i, ++used) share[rem[i].second]++;
  return share;
}

bool simulate(const SimConfig& cfg, const std::vector<const std::vector<float>*>& series,
              SimResult& out, std::string& err) {
  out = SimResult{};
  const size_t n = series.size();
  if (n == 0 || n > K) {
    err = "a group needs 1.." + std::to_string(K) + " partitions";
    return false;
  }
  if (cfg.processors == 0 || cfg.processors > 511 || cfg.cap > cfg.processors || cfg.floor > cfg.cap ||
      uint64_t(cfg.floor) * n > cfg.processors) {
    err = "processors must be 1..511 and floor <= cap <= processors, floors fitting the pool";
    return false;
  }
  const size_t T = series[0]->size();
  for (const auto* s : series)
    if (s->size() != T) {
      err = "series of different lengths";
      return false;
    }
  const pol::PolicyConfig& pc = cfg.policy;  // Static with equal = 0: st.share as the caller set it
  // the ALLOC, configured as the service would: pool, limits, priorities, min holdings
  auto alloc = std::make_unique<Alloc>();
  const uint32_t pools[al::MAX_TYPES] = {cfg.processors, 0, 0, 0, 0, 0, 0, 0};
  al::alloc_reset<K, 1>(alloc->st, pools);
  for (size_t p = 0; p < n; ++p) {
    al::Cmd c;
    c.op = al::OP_SET_LIMITS;
    c.part = uint32_t(p);
    c.amount = cfg.floor;
    c.cap = cfg.cap;
    if (alloc->cmd(c) != al::ST_GRANTED) {
      err = "SET_LIMITS refused";
      return false;
    }
    c = al::Cmd{};
    c.op = al::OP_SET_PRIO;
    c.part = uint32_t(p);
    c.prio = p < cfg.prio.size() ? cfg.prio[p] : 0;
    alloc->cmd(c);
    const uint32_t start = std::max<uint32_t>(cfg.floor, pc.min_hold);
    if (start > 0) {
      c = al::Cmd{};
      c.op = al::OP_REQUEST;
      c.part = uint32_t(p);
      c.amount = start;
      if (alloc->cmd(c) != al::ST_GRANTED) {
        err = "initial REQUEST refused";
        return false;
      }
    }
  }
  auto pred = std::make_unique<pol::Predictor>();
  if (pred->set_config(pol::kCpu, cfg.profile, uint16_t(cfg.processors)) != pol::Status::Ok) {
    err = "the predictor's profile configuration is out of range";
    return false;
  }
  pol::PolicyState ps;
  pol::policy_state_reset(ps);
  std::vector<Wmu> wmu(n);
  if (cfg.record) {
    out.rec_demand.assign(n, std::vector<double>(T));
    out.rec_alloc = out.rec_point = out.rec_upper = out.rec_demand;
  }
  auto demand_q16 = [&](size_t p, size_t t) {
    return uint64_t(std::llround(double((*series[p])[t]) / 100.0 * cfg.scale * 65536.0));
  };
  for (size_t t = 0; t < T; ++t) {
    // this step: demand against the holding decided at the end of the previous one
    pol::EpochIn in;
    in.total = uint16_t(cfg.processors);
    in.free = uint16_t(alloc->st.free[0].to_u32());
    const bool counted = t >= cfg.warmup;
    for (size_t p = 0; p < n; ++p) {
      const uint32_t held = alloc->st.alloc[p][0].to_u32();
      const uint64_t d = demand_q16(p, t);
      const uint64_t served = std::min<uint64_t>(d, uint64_t(held) << 16);
      if (counted) {
        out.demand += double(d) / 65536.0;
        out.served += double(served) / 65536.0;
        out.unmet += double(d - served) / 65536.0;
        out.allocated += held;
      }
      if (cfg.record) {
        out.rec_demand[p][t] = double(d) / 65536.0;
        out.rec_alloc[p][t] = held;
      }
      const uint16_t u = Wmu::util(served, held);
      wmu[p].post(u, cfg.wmu_alpha, cfg.hi, cfg.lo);
      pol::PartIn& pi = in.part[p];
      pi.exists = 1;
      pi.prio = alloc->st.prio[p].to_u32();
      pi.floor = uint16_t(alloc->st.floor[p][0].to_u32());
      pi.cap = uint16_t(alloc->st.cap[p][0].to_u32());
      pi.held = uint16_t(held);
      pi.util = u;
      pi.util_ewma = wmu[p].ewma;
      pi.wmu_high = wmu[p].high;
      pi.hi = cfg.hi;
      pi.lo = cfg.lo;
      pi.future = uint32_t(demand_q16(p, t + 1 < T ? t + 1 : t));  // the oracle's knowledge
    }
    if (counted) out.steps += 1;
    pol::Decision dec;
    const auto t0 = std::chrono::steady_clock::now();
    if (pc.kind == pol::PolicyKind::Predictive) pol::observe_cpu(*pred, in);
    const pol::Status s = pol::decide(pc, ps, in, pred.get(), dec);
    out.decide_ns += double(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
    out.decisions++;
    if (s != pol::Status::Ok) out.decide_errors++;
    if (cfg.record && pc.kind == pol::PolicyKind::Predictive) {
      for (size_t p = 0; p < n; ++p) {
        pol::Needs nd;
        pred->get_predicted_needs(uint32_t(p), pol::kCpu, pc.pr.grant_window, nd);
        out.rec_point[p][t] = double(nd.point) / 65536.0 * cfg.processors;
        out.rec_upper[p][t] = double(nd.upper) / 65536.0 * cfg.processors;
      }
    }
    // apply the plan through the ALLOC, as the service does
    for (uint32_t i = 0; i < dec.nmoves; ++i) {
      const pol::Move& m = dec.move[i];
      al::Cmd c;
      c.op = m.op;
      c.part = m.part;
      c.amount = m.amount;
      c.reclaim = m.reclaim != 0;
      if (alloc->cmd(c) != al::ST_GRANTED) out.plan_mismatch++;
      if (counted) {
        out.migrations += m.amount;
        if (m.op == pol::kOpRequest) out.reclaimed += alloc->resp.reclaimed;
      }
    }
    for (size_t p = 0; p < K; ++p)
      if (alloc->st.alloc[p][0].to_u32() != dec.target[p]) out.plan_mismatch++;
    if (!al::alloc_invariant_ok<K, 1>(alloc->st)) out.plan_mismatch++;
  }
  return true;
}

}  // namespace shoal::policysim
