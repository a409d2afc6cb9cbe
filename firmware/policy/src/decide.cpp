// Shoal policy: the policy decision (decide.hpp). Freestanding C++17, integer arithmetic only.
#include "shoal/policy/decide.hpp"

namespace shoal::policy {

namespace {

constexpr uint32_t K = kMaxPartitions;

inline uint32_t min_u(uint32_t a, uint32_t b) { return a < b ? a : b; }
inline uint32_t max_u(uint32_t a, uint32_t b) { return a > b ? a : b; }

void hold(const EpochIn& in, Decision& out) {
  out = Decision{};
  for (uint32_t p = 0; p < K; ++p) out.target[p] = in.part[p].held;
}

// The lowest holding a policy keeps a partition at (and grants it up to): max(floor, min_hold),
// at most its cap.
uint32_t low_bound(const PolicyConfig& c, const PartIn& p) {
  return min_u(max_u(p.floor, c.min_hold), p.cap);
}

// Processors for a forecast fraction of `fs` processors: ceil(frac * fs - tol), tol in Q0.16
// processors.
uint32_t procs(uint16_t frac, uint32_t fs, uint32_t tol) {
  if (frac == 0xFFFF) return fs;
  const uint32_t q16 = uint32_t(frac) * fs;  // processors in Q16.16 (< 2^32)
  return q16 > tol ? (q16 - tol + 0xFFFFu) >> 16 : 0;
}

// ---- the planner: the ALLOC's REQUEST rules on a copy of the CPU pool ------------------------
struct Sim {
  uint32_t alloc[K];
  uint32_t free;
};

// REQUEST of `ask` units for p (ask <= cap - alloc), with or without reclaim, exactly as the ALLOC
// computes it (docs/alloc.md, steps 4-8): returns the grant and records the victims.
uint32_t sim_request(Sim& s, const EpochIn& in, uint32_t p, uint32_t ask, bool reclaim,
                     uint16_t* taken) {
  uint32_t ex[K];
  uint32_t reclaimable = 0;
  for (uint32_t v = 0; v < K; ++v) {
    const bool cand = reclaim && in.part[v].prio < in.part[p].prio && s.alloc[v] > in.part[v].floor;
    ex[v] = cand ? s.alloc[v] - in.part[v].floor : 0;
    reclaimable += ex[v];
  }
  const uint32_t g = min_u(ask, s.free + reclaimable);
  if (g == 0) return 0;
  const uint32_t from_free = min_u(g, s.free);
  const uint32_t need = g - from_free;
  // victims in (prio asc, excess desc, index asc) order: take(v) = clamp(need - pre(v), 0, ex(v))
  for (uint32_t v = 0; v < K && need > 0; ++v) {
    if (ex[v] == 0) continue;
    uint32_t pre = 0;
    for (uint32_t j = 0; j < K; ++j) {
      if (ex[j] == 0) continue;
      const uint32_t pj = in.part[j].prio, pv = in.part[v].prio;
      if (pj < pv || (pj == pv && (ex[j] > ex[v] || (ex[j] == ex[v] && j < v)))) pre += ex[j];
    }
    if (need > pre) {
      const uint32_t take = min_u(need - pre, ex[v]);
      s.alloc[v] -= take;
      taken[v] = uint16_t(taken[v] + take);
    }
  }
  s.free -= from_free;
  s.alloc[p] += g;
  return g;
}

void add_move(Decision& d, uint8_t op, uint32_t p, uint32_t amount, bool reclaim) {
  if (d.nmoves >= kMaxMoves) return;  // cannot happen: at most one release + two requests each
  Move& m = d.move[d.nmoves++];
  m.op = op;
  m.part = uint8_t(p);
  m.reclaim = reclaim ? 1 : 0;
  m.pad = 0;
  m.amount = uint16_t(amount);
}

// The predictive policy's headroom (want - firm: the upper bound above the point forecast, and
// processors kept for the keep window) comes only from what the firm needs leave of the pool:
// when the pool is short, it is shared by priority (descending, then index) and whoever holds
// more than its share returns the rest, so no headroom is held while a firm need goes unserved.
void share_headroom(const PolicyConfig& c, const EpochIn& in, uint32_t* want, uint32_t* firm) {
  uint32_t need = 0, extra = 0;
  for (uint32_t p = 0; p < K; ++p) {
    const PartIn& pi = in.part[p];
    if (!pi.exists) continue;
    const uint32_t lo = low_bound(c, pi);
    firm[p] = min_u(max_u(firm[p], lo), pi.cap);
    if (want[p] < firm[p]) want[p] = firm[p];
    want[p] = min_u(want[p], pi.cap);
    need += firm[p];
    extra += want[p] - firm[p];
  }
  if (need + extra <= in.total) return;
  uint32_t room = in.total > need ? in.total - need : 0;
  for (int prio = 15; prio >= 0; --prio) {
    for (uint32_t p = 0; p < K; ++p) {
      if (!in.part[p].exists || in.part[p].prio != uint32_t(prio)) continue;
      const uint32_t h = min_u(want[p] - firm[p], room);
      room -= h;
      want[p] = firm[p] + h;
    }
  }
}

// want[p]: what the policy wants p to hold; firm[p] <= want[p]: the part it may reclaim for
// (the rest only from the idle pool). Releases first, then requests by priority, firm then want.
void plan(const PolicyConfig& c, const EpochIn& in, const uint32_t* want_in, const uint32_t* firm_in,
          bool may_reclaim, Decision& out) {
  out = Decision{};
  uint32_t want[K], firm[K];
  Sim s;
  s.free = in.free;
  for (uint32_t p = 0; p < K; ++p) {
    const PartIn& pi = in.part[p];
    s.alloc[p] = pi.held;
    if (!pi.exists) {
      want[p] = firm[p] = 0;
      continue;
    }
    const uint32_t lo = low_bound(c, pi);
    want[p] = min_u(max_u(want_in[p], lo), pi.cap);
    firm[p] = min_u(max_u(firm_in[p], lo), want[p]);
  }
  // 1. voluntary releases, never below max(floor, min_hold)
  for (uint32_t p = 0; p < K; ++p) {
    if (!in.part[p].exists || want[p] >= s.alloc[p]) continue;
    const uint32_t rel = s.alloc[p] - want[p];
    s.alloc[p] -= rel;
    s.free += rel;
    out.released = uint16_t(out.released + rel);
    add_move(out, kOpRelease, p, rel, false);
  }
  // 2. requests by descending priority, ascending index: firm (may reclaim), then the headroom
  for (int stage = 0; stage < 2; ++stage) {
    for (int prio = 15; prio >= 0; --prio) {
      for (uint32_t p = 0; p < K; ++p) {
        const PartIn& pi = in.part[p];
        if (!pi.exists || pi.prio != uint32_t(prio)) continue;
        const uint32_t goal = stage == 0 ? firm[p] : want[p];
        if (goal <= s.alloc[p]) continue;
        const bool reclaim = may_reclaim && stage == 0;
        const uint32_t free_before = s.free;
        const uint32_t g = sim_request(s, in, p, goal - s.alloc[p], reclaim, out.taken);
        if (g == 0) continue;
        out.granted = uint16_t(out.granted + g);
        add_move(out, kOpRequest, p, g, g > free_before);
      }
    }
  }
  for (uint32_t p = 0; p < K; ++p) {
    out.target[p] = uint16_t(s.alloc[p]);
    out.reclaimed = uint16_t(out.reclaimed + out.taken[p]);
  }
}

}  // namespace

void policy_state_reset(PolicyState& s) { s = PolicyState{}; }

Status check_config(const PolicyConfig& c) {
  if (uint32_t(c.kind) > uint32_t(PolicyKind::Oracle)) return Status::BadConfig;
  if (c.re.setpoint == 0) return Status::BadConfig;
  const PredictiveConfig& r = c.pr;
  if (r.grant_window < 1 || r.grant_window > kMaxHorizon || r.keep_window < r.grant_window ||
      r.keep_window > kMaxHorizon || r.min_release < 1 || r.sat_util == 0)
    return Status::BadConfig;
  return Status::Ok;
}

Status check_input(const EpochIn& in) {
  uint32_t sum = 0, floors = 0;
  for (uint32_t p = 0; p < K; ++p) {
    const PartIn& pi = in.part[p];
    if (!pi.exists) {
      if (pi.held != 0) return Status::BadInput;
      continue;
    }
    if (pi.prio > 15 || pi.floor > pi.cap || pi.cap > in.total || pi.held > pi.cap)
      return Status::BadInput;
    sum += pi.held;
    floors += pi.floor;
  }
  if (sum + in.free != in.total || floors > in.total) return Status::BadInput;
  return Status::Ok;
}

Status decide(const PolicyConfig& cfg, PolicyState& st, const EpochIn& in, const Predictor* pred,
              Decision& out) {
  hold(in, out);
  Status s = check_config(cfg);
  if (s != Status::Ok) return s;
  s = check_input(in);
  if (s != Status::Ok) return s;
  if (cfg.kind == PolicyKind::Predictive && pred == nullptr) return Status::NoPredictor;

  uint32_t want[K], firm[K];
  uint32_t nexist = 0;
  for (uint32_t p = 0; p < K; ++p) nexist += in.part[p].exists ? 1u : 0u;
  uint32_t nth = 0;  // index among existing partitions (static equal shares)
  uint16_t run[K];
  for (uint32_t p = 0; p < K; ++p) run[p] = st.surplus_run[p];

  for (uint32_t p = 0; p < K; ++p) {
    const PartIn& pi = in.part[p];
    const uint32_t held = pi.held;
    want[p] = firm[p] = held;
    if (!pi.exists) {
      run[p] = 0;
      continue;
    }
    switch (cfg.kind) {
      case PolicyKind::Static: {
        uint32_t share;
        if (cfg.st.equal) {
          share = in.total / nexist + (nth < in.total % nexist ? 1u : 0u);
        } else {
          share = cfg.st.share[p];
        }
        want[p] = firm[p] = share;
        break;
      }
      case PolicyKind::Reactive: {
        // size = ceil(held * util / setpoint)
        const uint32_t size = (held * uint32_t(pi.util) + cfg.re.setpoint - 1u) / cfg.re.setpoint;
        if (pi.hi != 0 && pi.util_ewma >= pi.hi) {
          uint32_t w = max_u(held + 1u, size);
          if (cfg.re.step_up) w = min_u(w, held + cfg.re.step_up);
          want[p] = firm[p] = w;
        } else if (pi.util_ewma <= pi.lo) {
          uint32_t w = size;
          if (cfg.re.step_down && held > cfg.re.step_down) w = max_u(w, held - cfg.re.step_down);
          want[p] = firm[p] = min_u(w, held);
        }
        break;
      }
      case PolicyKind::Oracle: {
        want[p] = firm[p] = (pi.future + 0xFFFFu) >> 16;
        break;
      }
      case PolicyKind::Predictive: {
        const PredictiveConfig& r = cfg.pr;
        uint32_t kw = (uint32_t(r.migration_cost) * 2u + 255u) >> 8;  // ceil(2 * cost) epochs
        kw = min_u(max_u(kw, r.keep_window), kMaxHorizon);
        Needs ng, nk;
        if (pred->get_predicted_needs(p, kCpu, r.grant_window, ng) != Status::Ok ||
            pred->get_predicted_needs(p, kCpu, kw, nk) != Status::Ok || ng.samples == 0) {
          run[p] = 0;
          break;  // no forecast yet: hold
        }
        const uint32_t fs = pred->full_scale[kCpu];
        uint32_t up = procs(ng.upper, fs, r.round_tol);
        uint32_t point = procs(ng.point, fs, r.round_tol);
        const uint32_t keep = max_u(procs(nk.upper, fs, r.round_tol), up);
        const bool censored = pi.util >= r.sat_util;  // demand >= held, unknown by how much
        if (censored || (pi.hi != 0 && pi.util_ewma >= pi.hi)) {
          // at or over HI, or censored: at least as fast as the reactive rule (the forecast of a
          // censored load lags it): the firm part is max(held + 1, ceil(held * util / setpoint))
          const uint32_t rsize = (held * uint32_t(pi.util) + cfg.re.setpoint - 1u) / cfg.re.setpoint;
          point = max_u(point, max_u(held + 1u, rsize));
          up = max_u(up, point);
        }
        if (censored) {  // and the headroom at least the probe, held + max(1, probe * held)
          const uint32_t extra = max_u(1u, (held * uint32_t(r.probe) + 0xFFFFu) >> 16);
          up = max_u(up, held + extra);
        }
        if (up > held) {
          want[p] = up;
          firm[p] = min_u(point, up);
          run[p] = 0;
        } else {
          firm[p] = min_u(held, max_u(point, low_bound(cfg, pi)));
          const uint32_t floor_to = max_u(keep, low_bound(cfg, pi));
          const uint32_t surplus = held > floor_to ? held - floor_to : 0;
          if (surplus >= r.min_release) {
            run[p] = uint16_t(run[p] < 0xFFFF ? run[p] + 1 : run[p]);
            // gradual: at most max(min_release, ceil(release_frac * held)) per epoch
            uint32_t rel = surplus;
            if (r.release_frac != 0) {
              const uint32_t step = max_u(r.min_release, (held * uint32_t(r.release_frac) + 0xFFFFu) >> 16);
              rel = min_u(rel, step);
            }
            if (run[p] >= r.dwell && st.since_grant[p] >= r.dwell) want[p] = firm[p] = held - rel;
          } else {
            run[p] = 0;
          }
        }
        break;
      }
    }
    ++nth;
  }
  if (cfg.kind == PolicyKind::Predictive) share_headroom(cfg, in, want, firm);
  plan(cfg, in, want, firm, true, out);
  // the policies' memory
  st.epoch++;
  for (uint32_t p = 0; p < K; ++p) {
    if (!in.part[p].exists) {
      st.since_grant[p] = 0;
      st.surplus_run[p] = 0;
      continue;
    }
    if (out.target[p] > in.part[p].held) {
      st.since_grant[p] = 0;
    } else if (st.since_grant[p] < 0xFFFF) {
      st.since_grant[p]++;
    }
    st.surplus_run[p] = out.target[p] < in.part[p].held ? 0 : run[p];
  }
  return Status::Ok;
}

void observe_cpu(Predictor& pred, const EpochIn& in) {
  for (uint32_t p = 0; p < K; ++p) {
    const PartIn& pi = in.part[p];
    if (!pi.exists || pi.held == 0) continue;
    pred.update(p, kCpu, cpu_sample(pi.util, pi.held, pred.full_scale[kCpu]));
  }
}

}  // namespace shoal::policy
