// Shoal policy: task profile and forecasters (profile.hpp). Freestanding C++17, fixed point.
#include "shoal/policy/profile.hpp"

namespace shoal::policy {

using namespace fx;

namespace {

inline uint32_t tri(uint32_t i, uint32_t j) {  // packed upper triangle, i <= j
  return i * kMaxArOrder - (i * (i - 1u)) / 2u + (j - i);
}
inline int32_t abs32(int32_t v) { return v < 0 ? -v : v; }
inline uint16_t max16(uint16_t a, uint16_t b) { return a > b ? a : b; }
// the age-th most recent fine sample; the caller knows it is held (age < fine_held)
inline uint16_t fine_age(const Profile& p, uint32_t age) {
  return p.fine[p.fine_head >= age ? p.fine_head - age : p.fine_head + kFineLen - age];
}

bool coef_ok(uint32_t v, uint32_t lo, uint32_t hi) { return v >= lo && v <= hi; }

// ---- AR helpers --------------------------------------------------------------------------
// (x - mu) / sd as Q8.24, clamped to +-kArZMax. `r` = recip16(sd).
inline int32_t standardize(int32_t x, int32_t mu, Recip r) {
  const int64_t d = int64_t(x) - int64_t(mu);           // Level, |d| < 2^31
  // z = d / sd = d * m * 2^-(31 + e) * 2^24 (Q8.24): shift 7 + e (sd >= kArSdMin keeps it >= 1)
  const int64_t z = rshift_round(d * int64_t(r.m), unsigned(7 + r.e));
  return int32_t(clamp64(z, -kArZMax, kArZMax));
}

void ar_reset_p(Profile& p, const ProfileConfig& c) {
  for (uint32_t i = 0; i < kArTri; ++i) p.ar_p[i] = 0;
  for (uint32_t i = 0; i < kMaxArOrder; ++i) p.ar_p[tri(i, i)] = c.ar_p0;
}

// One RLS step: regressors z[0..q-1] (Q8.24), target y (Q8.24).
void rls_step(Profile& p, const ProfileConfig& c, const int32_t* z, int32_t y) {
  const uint32_t q = c.ar_order;
  int32_t pz[kMaxArOrder];  // P z, Q12.20
  int64_t zpz = 0;          // z' P z, Q.44
  for (uint32_t i = 0; i < q; ++i) {
    int64_t s = 0;
    for (uint32_t j = 0; j < q; ++j) {
      const int32_t pij = i <= j ? p.ar_p[tri(i, j)] : p.ar_p[tri(j, i)];
      s += int64_t(pij) * int64_t(z[j]);  // Q.48, |.| < 2^57
    }
    pz[i] = int32_t(rshift_round(s, 28));  // Q.20
    zpz += int64_t(z[i]) * int64_t(pz[i]); // Q.44
  }
  if (zpz < 0) {  // P lost positive definiteness (rounding): start it again
    ar_reset_p(p, c);
    return;
  }
  // den = lambda + z'Pz in Q16 (<= 1 + 3*4*192 < 2^12, fits)
  const uint32_t den = c.ar_lambda + uint32_t(rshift_round(zpz, 28));
  const Recip r = recip16(den);  // den >= 2^15, so r.e >= 0
  int32_t k[kMaxArOrder];       // gain, Q8.24: pz * 2^20 / den = pz * m >> (11 + e)
  for (uint32_t i = 0; i < q; ++i)
    k[i] = int32_t(rshift_round(int64_t(pz[i]) * int64_t(r.m), unsigned(11 + r.e)));
  // a-priori error
  int64_t s = 0;
  for (uint32_t i = 0; i < q; ++i) s += int64_t(p.ar_theta[i]) * int64_t(z[i]);
  const int32_t err = sat32(int64_t(y) - rshift_round(s, 24));
  for (uint32_t i = 0; i < q; ++i)
    p.ar_theta[i] = clamp32(sat32(int64_t(p.ar_theta[i]) + rshift_round(int64_t(k[i]) * err, 24)),
                            -kArThetaMax, kArThetaMax);
  // P' = (P - k (Pz)') / lambda, upper triangle
  bool over = false, bad = false;
  for (uint32_t i = 0; i < q; ++i) {
    for (uint32_t j = i; j < q; ++j) {
      int32_t& pij = p.ar_p[tri(i, j)];
      const int64_t kpz = rshift_round(int64_t(k[i]) * int64_t(pz[j]), 20);  // Q.24
      const int32_t v = sat32(int64_t(pij) - kpz);
      pij = mul24(v, c.ar_inv_lambda);
      if (i == j) {
        if (pij > kArPMax) over = true;
        if (pij <= 0) bad = true;
      }
    }
  }
  if (bad) {
    ar_reset_p(p, c);
  } else if (over) {  // bounded covariance (no wind-up without excitation): halve it, stays PSD
    for (uint32_t i = 0; i < kArTri; ++i) p.ar_p[i] = int32_t(rshift_round(p.ar_p[i], 1));
  }
}

// ---- member paths ------------------------------------------------------------------------
void paths(const Profile& p, const ProfileConfig& c, uint16_t out[kMembers][kMaxHorizon]) {
  const uint16_t last = p.n ? p.fine[p.fine_head] : 0;
  const uint16_t ew = to_sample(p.ewma);
  // Holt: L + (phi + .. + phi^h) T
  int32_t damp = 0;                  // Q16.16 sum of powers (<= 12 * 65536)
  int32_t pw = kOne16;               // phi^h, Q16
  // seasonal: the table entry of t+1 (sea_phase, sea_sub), advanced per horizon
  const uint32_t m = c.season_period;
  uint32_t si = p.sea_phase, ss = p.sea_sub;
  for (uint32_t h = 1; h <= kMaxHorizon; ++h) {
    out[kNaive][h - 1] = last;
    out[kEwma][h - 1] = ew;
    pw = int32_t(rshift_round(int64_t(pw) * int64_t(c.holt_phi), 16));
    damp += pw;
    out[kHolt][h - 1] = to_sample(clamp_level(int64_t(p.holt_l) +
                                              rshift_round(int64_t(p.holt_t) * damp, 16)));
    if (m >= 2) {
      out[kSeasonal][h - 1] = to_sample(clamp_level(int64_t(p.sea_l) + (int64_t(p.sea_s[si]) << 9)));
      if (c.season_coarse) {
        if (++ss >= c.coarse_factor) {
          ss = 0;
          si = si + 1 >= m ? 0 : si + 1;
        }
      } else {
        si = si + 1 >= m ? 0 : si + 1;
      }
    } else {
      out[kSeasonal][h - 1] = to_sample(p.sea_l);
    }
  }
  // AR: iterate z(t+h) = sum theta_j z(t+h-j) on the standardized series, x = mu + sd z
  const uint32_t q = c.ar_order;
  if (q == 0 || p.n < q) {
    const uint16_t mu = to_sample(p.ar_mu);
    for (uint32_t h = 0; h < kMaxHorizon; ++h) out[kAr][h] = mu;
    return;
  }
  const Recip r = recip16(uint32_t(p.ar_sd));
  int32_t zb[kMaxArOrder + kMaxHorizon];  // zb[q-1-j] = z(t-j); zb[q-1+h] = z(t+h)
  for (uint32_t j = 0; j < q; ++j) zb[q - 1 - j] = standardize(from_sample(fine_age(p, j)), p.ar_mu, r);
  for (uint32_t h = 1; h <= kMaxHorizon; ++h) {
    int64_t s = 0;
    for (uint32_t j = 1; j <= q; ++j) s += int64_t(p.ar_theta[j - 1]) * int64_t(zb[q - 1 + h - j]);
    const int32_t zh = int32_t(clamp64(rshift_round(s, 24), -4 * kArZMax, 4 * kArZMax));
    zb[q - 1 + h] = zh;
    out[kAr][h - 1] = to_sample(clamp_level(int64_t(p.ar_mu) + rshift_round(int64_t(p.ar_sd) * zh, 24)));
  }
}

// Weights (Q16, sum 65536) from one error set: w_i ~ (e_min / e_i)^power over the members the
// ensemble may use. 32-bit arithmetic: the errors are scaled down together so the largest fits
// 16 bits; six divisions.
uint8_t usable_mask(const ProfileConfig& c) {
  uint8_t mask = c.members;
  if (c.season_period < 2) mask &= uint8_t(~(1u << kSeasonal));
  if (c.ar_order == 0) mask &= uint8_t(~(1u << kAr));
  return mask ? mask : uint8_t(1u << kNaive);  // configure() forbids an empty set
}

void weights_from(const Profile& p, const ProfileConfig& c, const int32_t* err, uint32_t w[kMembers]) {
  const uint8_t mask = usable_mask(c);
  uint32_t v[kMembers];
  if (p.n < c.warmup || p.n < 2) {
    for (uint32_t i = 0; i < kMembers; ++i) v[i] = (mask >> i) & 1u;
  } else {
    uint32_t emin = 0xFFFFFFFFu, emax = 1;
    for (uint32_t i = 0; i < kMembers; ++i) {
      if (!((mask >> i) & 1u)) continue;
      const uint32_t e = err[i] < 1 ? 1u : uint32_t(err[i]);
      emin = e < emin ? e : emin;
      emax = e > emax ? e : emax;
    }
    const uint32_t sh = emax >= 0x10000u ? 16u - clz32(emax) : 0u;  // emax >> sh < 2^16
    uint32_t m16 = emin >> sh;
    if (m16 == 0) m16 = 1;
    for (uint32_t i = 0; i < kMembers; ++i) {
      v[i] = 0;
      if (!((mask >> i) & 1u)) continue;
      uint32_t e16 = (err[i] < 1 ? 1u : uint32_t(err[i])) >> sh;
      if (e16 < m16) e16 = m16;
      uint32_t r0 = (m16 << 16) / e16;  // e_min / e_i, Q16, <= 1.0
      if (r0 > 65535u) r0 = 65535u;
      uint32_t x = r0;
      for (uint32_t k = 1; k < c.sel_power; ++k) x = (x * r0 + 32768u) >> 16;
      v[i] = x ? x : 1u;
    }
  }
  uint32_t sum = 0;
  for (uint32_t i = 0; i < kMembers; ++i) sum += v[i];  // < 5 * 2^16
  const uint32_t inv = 0xFFFFFFFFu / sum;                // 2^32 / sum, >= 2^13
  uint32_t tot = 0, best = 0, bi = 0;
  for (uint32_t i = 0; i < kMembers; ++i) {
    w[i] = uint32_t((uint64_t(v[i]) * inv + 32768u) >> 16);
    tot += w[i];
    if (w[i] > best) {
      best = w[i];
      bi = i;
    }
  }
  // the rounding remainder goes to the heaviest member, so the weights sum to exactly 1.0
  w[bi] = w[bi] + kOne16 - tot;
}

// The error estimates at horizon h: err_s at h = 1, err_l from h = sel_long on, linear in
// between (errors grow with the horizon; weights are computed from the interpolated errors).
void errors_at(const Profile& p, const ProfileConfig& c, uint32_t h, int32_t e[kMembers]) {
  if (h <= 1) {
    for (uint32_t i = 0; i < kMembers; ++i) e[i] = p.err_s[i];
    return;
  }
  if (h >= c.sel_long) {
    for (uint32_t i = 0; i < kMembers; ++i) e[i] = p.err_l[i];
    return;
  }
  const int64_t frac = int64_t(h - 1u) * int64_t(c.blend_step);  // Q16, < 1
  for (uint32_t i = 0; i < kMembers; ++i)
    e[i] = sat32(int64_t(p.err_s[i]) + rshift_round((int64_t(p.err_l[i]) - p.err_s[i]) * frac, 16));
}

uint16_t combine(const uint32_t w[kMembers], const uint16_t mp[kMembers][kMaxHorizon], uint32_t h) {
  uint32_t s = 32768u;  // sum w <= 65536, f <= 65535: < 2^32
  for (uint32_t i = 0; i < kMembers; ++i) s += w[i] * uint32_t(mp[i][h]);
  return uint16_t(s >> 16);
}

// The weights at the knots h = 1, 2, 4, .. (powers of two below sel_long) and sel_long, from
// the interpolated errors; between two knots the weights are interpolated linearly; beyond
// sel_long they stay those of sel_long.
void weights_at(const Profile& p, const ProfileConfig& c, uint32_t h, uint32_t w[kMembers]) {
  int32_t e[kMembers];
  const uint32_t L = c.sel_long;
  if (h >= L) h = L;
  uint32_t ka = 1;
  while (ka * 2u <= h && ka * 2u < L) ka *= 2u;  // the knot at or below h
  errors_at(p, c, ka, e);
  weights_from(p, c, e, w);
  if (ka == h) return;
  const uint32_t kb = ka * 2u < L ? ka * 2u : L;  // the knot above h
  uint32_t wb[kMembers];
  errors_at(p, c, kb, e);
  weights_from(p, c, e, wb);
  const uint32_t f = ((h - ka) << 16) / (kb - ka);  // Q16
  uint32_t tot = 0, best = 0, bi = 0;
  for (uint32_t i = 0; i < kMembers; ++i) {
    const int64_t v = int64_t(w[i]) + rshift_round((int64_t(wb[i]) - int64_t(w[i])) * int64_t(f), 16);
    w[i] = uint32_t(clamp64(v, 0, kOne16));
    tot += w[i];
    if (w[i] > best) {
      best = w[i];
      bi = i;
    }
  }
  w[bi] = uint32_t(int64_t(w[bi]) + int64_t(kOne16) - int64_t(tot));
}

void compute_path(Profile& p, const ProfileConfig& c, const uint16_t mp[kMembers][kMaxHorizon]) {
  // the knots' weights once each, then the horizons between them
  uint32_t knot_w[6][kMembers];
  uint32_t knot_h[6];
  uint32_t nk = 0;
  const uint32_t L = c.sel_long;
  for (uint32_t k = 1; k < L; k *= 2u) knot_h[nk++] = k;
  knot_h[nk++] = L;
  for (uint32_t j = 0; j < nk; ++j) {
    int32_t e[kMembers];
    errors_at(p, c, knot_h[j], e);
    weights_from(p, c, e, knot_w[j]);
  }
  uint32_t j = 0;
  for (uint32_t h = 1; h <= kMaxHorizon; ++h) {
    while (j + 1 < nk && knot_h[j + 1] <= h) ++j;
    uint32_t w[kMembers];
    if (h == knot_h[j] || j + 1 >= nk) {
      for (uint32_t i = 0; i < kMembers; ++i) w[i] = knot_w[j][i];
    } else {
      const uint32_t f = ((h - knot_h[j]) << 16) / (knot_h[j + 1] - knot_h[j]);
      uint32_t tot = 0, best = 0, bi = 0;
      for (uint32_t i = 0; i < kMembers; ++i) {
        const int64_t v = int64_t(knot_w[j][i]) +
                          rshift_round((int64_t(knot_w[j + 1][i]) - int64_t(knot_w[j][i])) * int64_t(f), 16);
        w[i] = uint32_t(clamp64(v, 0, kOne16));
        tot += w[i];
        if (w[i] > best) {
          best = w[i];
          bi = i;
        }
      }
      w[bi] = uint32_t(int64_t(w[bi]) + int64_t(kOne16) - int64_t(tot));
    }
    p.path[h - 1] = combine(w, mp, h - 1);
  }
}

}  // namespace

// ---- configuration -----------------------------------------------------------------------
Status configure(ProfileConfig& c) {
  c.configured = 0;
  bool ok = coef_ok(c.ewma_alpha, 1, kOne16) && coef_ok(c.holt_alpha, 1, kOne16) &&
            coef_ok(c.holt_beta, 1, kOne16) && coef_ok(c.holt_phi, 0, kOne16) &&
            (c.season_period == 0 || (c.season_period >= 2 && c.season_period <= kMaxPeriod)) &&
            c.season_coarse <= 1 && coef_ok(c.season_alpha, 1, kOne16) &&
            coef_ok(c.season_gamma, 1, kOne16) && c.ar_order <= kMaxArOrder &&
            coef_ok(c.ar_lambda, 32768, kOne16 - 1) && coef_ok(c.ar_mean_alpha, 1, kOne16) &&
            c.ar_p0 > 0 && c.ar_p0 <= kArPMax && c.coarse_factor >= 1 &&
            (c.members & kAllMembers) != 0 && (c.members & ~kAllMembers) == 0 &&
            c.sel_long >= 2 && c.sel_long <= kMaxLong && coef_ok(c.sel_beta, 1, kOne16) &&
            c.sel_power >= 1 && c.sel_power <= 4 && coef_ok(c.quantile, 32768, kOne16 - 1) &&
            coef_ok(c.q_beta, 1, kOne16) && coef_ok(c.q_eta, 1, kOne16) &&
            c.q_init >= -kQMax && c.q_init <= kQMax && c.nwindows >= 1 &&
            c.nwindows <= kMaxWindows;
  if (!ok) return Status::BadConfig;
  // the members the ensemble may use must include one that exists
  uint8_t usable = c.members;
  if (c.season_period < 2) usable &= uint8_t(~(1u << kSeasonal));
  if (c.ar_order == 0) usable &= uint8_t(~(1u << kAr));
  if (usable == 0) return Status::BadConfig;
  uint32_t sum = 0;
  for (uint32_t i = 0; i < c.nwindows; ++i) {
    const uint32_t w = c.windows[i];
    if (w < 1 || w > kMaxHorizon || (i > 0 && w <= c.windows[i - 1])) return Status::BadConfig;
    sum += w;
  }
  if (sum > kWindowRing) return Status::BadConfig;
  // 1 / lambda in Q8.24 = 2^40 / lambda_q16 = div_q16(2^24, lambda)
  c.ar_inv_lambda = int32_t(div_q16(uint32_t(kOne24), c.ar_lambda));
  c.blend_step = kOne16 / (c.sel_long - 1u);
  uint32_t off = 0;
  for (uint32_t i = 0; i < kMaxWindows; ++i) {
    c.ring_off[i] = uint8_t(off);
    if (i < c.nwindows) off += c.windows[i];
  }
  c.configured = 1;
  return Status::Ok;
}

// ---- history -----------------------------------------------------------------------------
uint32_t fine_held(const Profile& p) { return p.n < kFineLen ? p.n : kFineLen; }
uint32_t coarse_held(const Profile& p) { return p.coarse_fill; }
uint16_t fine_at(const Profile& p, uint32_t age) {
  if (age >= fine_held(p)) return 0;
  return fine_age(p, age);
}
uint16_t coarse_at(const Profile& p, uint32_t age) {
  if (age >= p.coarse_fill) return 0;
  return p.coarse[(p.coarse_head + kCoarseLen - age) % kCoarseLen];
}

// ---- profile -----------------------------------------------------------------------------
void profile_reset(Profile& p, const ProfileConfig& c) {
  p = Profile{};
  p.ar_sd = kArSdMin * 16;
  ar_reset_p(p, c);
  for (uint32_t i = 0; i < kMaxWindows; ++i) p.q_m[i] = c.q_init;
}

void profile_update(Profile& p, const ProfileConfig& c, uint16_t sample) {
  const int32_t x = from_sample(sample);
  // ---- 1. score the forecasts made for this sample --------------------------------------
  const uint32_t L = c.sel_long;
  if (p.n >= 1) {
    for (uint32_t i = 0; i < kMembers; ++i) {
      const int32_t e = abs32(x - from_sample(p.pend_s[i]));
      p.err_s[i] = p.n == 1 ? e : smooth(p.err_s[i], e, c.sel_beta);
    }
  }
  if (p.n >= L) {
    for (uint32_t i = 0; i < kMembers; ++i) {
      const uint16_t f = i == kNaive ? fine_age(p, L - 1u) : p.pend_l[i - 1][p.sel_slot];
      const int32_t e = abs32(x - from_sample(f));
      p.err_l[i] = p.n == L ? e : smooth(p.err_l[i], e, c.sel_beta);
    }
  }
  for (uint32_t wi = 0; wi < c.nwindows; ++wi) {
    const uint32_t w = c.windows[wi];
    if (p.n < w) continue;
    uint16_t peak = sample;  // the actual peak of the last w samples
    for (uint32_t a = 0; a + 1u < w; ++a) peak = max16(peak, fine_age(p, a));  // n >= w: held
    const uint16_t fpk = p.q_pend[c.ring_off[wi] + p.q_slot[wi]];
    const int32_t e = from_sample(peak) - from_sample(fpk);
    // quantile (pinball-loss) gradient step, scaled by the error scale:
    //   q += eta * s * (tau - [e <= q])
    const bool covered = e <= p.q_m[wi];
    const int32_t ae = abs32(e);
    p.q_scale[wi] = p.n == w ? ae : smooth(p.q_scale[wi], ae, c.q_beta);
    const int64_t st = mul_coef(p.q_scale[wi], c.q_eta);  // Level
    const int64_t step = covered ? -st * int64_t(kOne16 - c.quantile) : st * int64_t(c.quantile);
    p.q_m[wi] = int32_t(clamp64(int64_t(p.q_m[wi]) + rshift_round(step, 16), -kQMax, kQMax));
  }
  // ---- 2. members -----------------------------------------------------------------------
  if (p.n == 0) {
    p.ewma = x;
    p.holt_l = x;
    p.holt_t = 0;
    p.sea_l = x;
    p.ar_mu = x;
  } else {
    p.ewma = smooth(p.ewma, x, c.ewma_alpha);
    // Holt, damped: L' = a x + (1-a)(L + phi T); T' = b (L' - L) + (1-b) phi T
    const int32_t pt = mul_coef(p.holt_t, c.holt_phi);
    if (p.n == 1) {
      p.holt_t = clamp_level(int64_t(x) - p.holt_l);
      p.holt_l = x;
    } else {
      const int32_t lp = smooth(clamp_level(int64_t(p.holt_l) + pt), x, c.holt_alpha);
      p.holt_t = smooth(pt, clamp_level(int64_t(lp) - p.holt_l), c.holt_beta);
      p.holt_l = lp;
    }
    // seasonal: L' = L + a (x - S - L); S += g (x - L' - S)
    if (c.season_period >= 2) {
      int16_t& s = p.sea_s[p.sea_phase];
      const int32_t sl = int32_t(s) << 9;  // Q1.15 -> Q8.24
      p.sea_l = smooth(p.sea_l, clamp_level(int64_t(x) - sl), c.season_alpha);
      const int32_t ns = smooth(sl, clamp_level(int64_t(x) - p.sea_l), c.season_gamma);
      s = int16_t(clamp32(int32_t(rshift_round(ns, 9)), -32768, 32767));
    } else {
      p.sea_l = smooth(p.sea_l, x, c.season_alpha);
    }
    // AR: one RLS step on the standardized series (regressors: the last q samples)
    const uint32_t q = c.ar_order;
    if (q > 0 && p.n >= q) {
      const Recip r = recip16(uint32_t(p.ar_sd));
      int32_t z[kMaxArOrder];
      for (uint32_t j = 0; j < q; ++j) z[j] = standardize(from_sample(fine_age(p, j)), p.ar_mu, r);
      rls_step(p, c, z, standardize(x, p.ar_mu, r));
    }
    p.ar_mu = smooth(p.ar_mu, x, c.ar_mean_alpha);
    int32_t sd = smooth(p.ar_sd, abs32(x - p.ar_mu), c.ar_mean_alpha);
    p.ar_sd = sd < kArSdMin ? kArSdMin : sd;
  }
  if (c.season_period >= 2) {  // advance to the next sample's table entry
    if (c.season_coarse) {
      if (++p.sea_sub >= c.coarse_factor) {
        p.sea_sub = 0;
        p.sea_phase = uint8_t(p.sea_phase + 1u >= c.season_period ? 0 : p.sea_phase + 1u);
      }
    } else {
      p.sea_phase = uint8_t(p.sea_phase + 1u >= c.season_period ? 0 : p.sea_phase + 1u);
    }
  }
  // ---- 3. history -----------------------------------------------------------------------
  p.fine_head = uint8_t(p.fine_head + 1u >= kFineLen ? 0 : p.fine_head + 1u);
  if (p.n == 0) p.fine_head = 0;
  p.fine[p.fine_head] = sample;
  p.coarse_acc += sample;
  if (++p.coarse_cnt >= c.coarse_factor) {
    const uint32_t mean = (p.coarse_acc + c.coarse_factor / 2u) / c.coarse_factor;
    p.coarse_head = uint8_t((p.coarse_head + (p.coarse_fill ? 1u : 0u)) % kCoarseLen);
    p.coarse[p.coarse_head] = uint16_t(mean > 0xFFFF ? 0xFFFF : mean);
    if (p.coarse_fill < kCoarseLen) ++p.coarse_fill;
    p.coarse_acc = 0;
    p.coarse_cnt = 0;
  }
  if (p.n != 0xFFFFFFFFu) ++p.n;
  // ---- 4. forecasts: member paths, ensemble path, pending forecasts ----------------------
  uint16_t mp[kMembers][kMaxHorizon];
  paths(p, c, mp);
  compute_path(p, c, mp);
  for (uint32_t i = 0; i < kMembers; ++i) p.pend_s[i] = mp[i][0];
  for (uint32_t i = 1; i < kMembers; ++i) p.pend_l[i - 1][p.sel_slot] = mp[i][L - 1];
  p.sel_slot = uint8_t(p.sel_slot + 1u >= L ? 0 : p.sel_slot + 1u);
  for (uint32_t wi = 0; wi < c.nwindows; ++wi) {
    const uint32_t w = c.windows[wi];
    uint16_t pk = p.path[0];
    for (uint32_t h = 1; h < w; ++h) pk = max16(pk, p.path[h]);
    p.q_pend[c.ring_off[wi] + p.q_slot[wi]] = pk;
    p.q_slot[wi] = uint8_t(p.q_slot[wi] + 1u >= w ? 0 : p.q_slot[wi] + 1u);
  }
}

Status profile_needs(const Profile& p, const ProfileConfig& c, uint32_t window, Needs& out) {
  if (window < 1 || window > kMaxHorizon) return Status::BadWindow;
  out.samples = p.n;
  if (p.n == 0) {
    out.point = out.upper = 0;
    return Status::Ok;
  }
  uint16_t pk = p.path[0];
  for (uint32_t h = 1; h < window; ++h) pk = max16(pk, p.path[h]);
  uint32_t wi = c.nwindows - 1u;
  for (uint32_t i = 0; i < c.nwindows; ++i)
    if (c.windows[i] >= window) {
      wi = i;
      break;
    }
  const int32_t margin = p.q_m[wi] < 0 ? 0 : p.q_m[wi];
  out.point = pk;
  out.upper = to_sample(clamp_level(int64_t(from_sample(pk)) + margin));
  if (out.upper < out.point) out.upper = out.point;
  return Status::Ok;
}

void member_paths(const Profile& p, const ProfileConfig& c, uint16_t out[kMembers][kMaxHorizon]) {
  paths(p, c, out);
}

void ensemble_weights(const Profile& p, const ProfileConfig& c, uint32_t h, uint32_t w[kMembers]) {
  weights_at(p, c, h < 1 ? 1 : h, w);
}

}  // namespace shoal::policy
