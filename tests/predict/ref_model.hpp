// Double-precision reference of the predictor's algorithms (firmware/policy/src/profile.cpp):
// the same members, ensemble, trackers, clamps and bounds, written independently in double, with
// the coefficients of the same ProfileConfig. The fixed-point build must stay within the error
// bounds firmware/policy/README.md states (test_fixed_vs_double.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "shoal/policy/profile.hpp"

namespace shoal::policy::ref {

constexpr int M = int(kMembers);
constexpr int H = int(kMaxHorizon);

inline double q16(uint32_t v) { return double(v) / 65536.0; }
inline double q24(int32_t v) { return double(v) / 16777216.0; }
inline double clamp_fs(double v) { return std::clamp(v, 0.0, 65535.0 / 65536.0); }

struct RefProfile {
  const ProfileConfig& c;
  uint64_t n = 0;
  std::vector<double> hist;  // every sample (the reference keeps all)
  double ewma = 0, hl = 0, ht = 0, sl = 0;
  std::array<double, kMaxPeriod> ss{};
  unsigned phase = 0, sub = 0;
  double mu = 0, sd = q24(kArSdMin) * 16;
  std::array<double, kMaxArOrder> theta{};
  std::array<std::array<double, kMaxArOrder>, kMaxArOrder> P{};
  std::array<double, M> es{}, el{};
  std::array<double, M> pend_s{};
  std::vector<std::array<double, M>> pend_l;  // by sample index
  std::array<double, H> path{};
  std::vector<std::array<double, kMaxWindows>> qpend;  // forecast peaks by sample index
  std::array<double, kMaxWindows> qs{}, qk{};

  explicit RefProfile(const ProfileConfig& cfg) : c(cfg) {
    reset_p();
    for (auto& k : qk) k = q24(c.q_init);
  }
  void reset_p() {
    for (auto& r : P) r.fill(0);
    for (unsigned i = 0; i < kMaxArOrder; ++i) P[i][i] = q24(c.ar_p0);
  }
  double at(unsigned age) const { return hist[hist.size() - 1 - age]; }  // newest = 0
  double zst(double x) const { return std::clamp((x - mu) / sd, -4.0, 4.0); }

  void members(std::array<std::array<double, H>, M>& out) const {
    const double last = n ? at(0) : 0;
    double damp = 0, pw = 1;
    const double phi = q16(c.holt_phi);
    for (int h = 1; h <= H; ++h) {
      out[kNaive][h - 1] = clamp_fs(last);
      out[kEwma][h - 1] = clamp_fs(ewma);
      pw *= phi;
      damp += pw;
      out[kHolt][h - 1] = clamp_fs(hl + damp * ht);
      if (c.season_period >= 2) {
        unsigned i;
        if (!c.season_coarse) i = (phase + h - 1) % c.season_period;
        else i = (phase + (sub + h - 1) / c.coarse_factor) % c.season_period;
        out[kSeasonal][h - 1] = clamp_fs(sl + ss[i]);
      } else {
        out[kSeasonal][h - 1] = clamp_fs(sl);
      }
    }
    const unsigned q = c.ar_order;
    if (q == 0 || n < q) {
      for (int h = 0; h < H; ++h) out[kAr][h] = clamp_fs(mu);
      return;
    }
    std::vector<double> z;
    for (int j = int(q) - 1; j >= 0; --j) z.push_back(zst(at(unsigned(j))));  // oldest first
    for (int h = 1; h <= H; ++h) {
      double s = 0;
      for (unsigned j = 1; j <= q; ++j) s += theta[j - 1] * z[z.size() - j];
      s = std::clamp(s, -16.0, 16.0);
      z.push_back(s);
      out[kAr][h - 1] = clamp_fs(mu + sd * s);
    }
  }

  void weights(const std::array<double, M>& err, std::array<double, M>& w) const {
    unsigned mask = c.members;
    if (c.season_period < 2) mask &= ~(1u << kSeasonal);
    if (c.ar_order == 0) mask &= ~(1u << kAr);
    int cnt = 0;
    for (int i = 0; i < M; ++i) cnt += (mask >> i) & 1;
    if (n < c.warmup || n < 2) {
      for (int i = 0; i < M; ++i) w[i] = ((mask >> i) & 1) ? 1.0 / cnt : 0;
      return;
    }
    const double floor = 1.0 / 16777216.0;
    double emin = 1e9;
    for (int i = 0; i < M; ++i)
      if ((mask >> i) & 1) emin = std::min(emin, std::max(err[i], floor));
    double sum = 0;
    for (int i = 0; i < M; ++i) {
      w[i] = 0;
      if (!((mask >> i) & 1)) continue;
      w[i] = std::pow(emin / std::max(err[i], floor), double(c.sel_power));
      sum += w[i];
    }
    for (auto& v : w) v /= sum;
  }

  void errors_at(unsigned h, std::array<double, M>& e) const {
    if (h <= 1) e = es;
    else if (h >= c.sel_long) e = el;
    else {
      const double f = double(h - 1) / double(c.sel_long - 1);
      for (int i = 0; i < M; ++i) e[i] = es[i] + (el[i] - es[i]) * f;
    }
  }
  // weights at the knots 1, 2, 4, .. (< sel_long) and sel_long; linear in between
  void ens_weights(unsigned h, std::array<double, M>& w) const {
    const unsigned L = c.sel_long;
    h = std::min(h, L);
    unsigned ka = 1;
    while (ka * 2 <= h && ka * 2 < L) ka *= 2;
    std::array<double, M> e;
    errors_at(ka, e);
    weights(e, w);
    if (ka == h) return;
    const unsigned kb = ka * 2 < L ? ka * 2 : L;
    std::array<double, M> wb;
    errors_at(kb, e);
    weights(e, wb);
    const double f = double(h - ka) / double(kb - ka);
    for (int i = 0; i < M; ++i) w[i] += (wb[i] - w[i]) * f;
  }

  void update(uint16_t sample) {
    const double x = double(sample) / 65536.0;
    const double sel_b = q16(c.sel_beta);
    const unsigned L = c.sel_long;
    if (n >= 1)
      for (int i = 0; i < M; ++i) {
        const double e = std::fabs(x - pend_s[i]);
        es[i] = n == 1 ? e : es[i] + sel_b * (e - es[i]);
      }
    if (n >= L)
      for (int i = 0; i < M; ++i) {
        const double f = i == kNaive ? at(L - 1) : pend_l[n - L][i];
        const double e = std::fabs(x - f);
        el[i] = n == L ? e : el[i] + sel_b * (e - el[i]);
      }
    for (unsigned wi = 0; wi < c.nwindows; ++wi) {
      const unsigned w = c.windows[wi];
      if (n < w) continue;
      double peak = x;
      for (unsigned a = 0; a + 1 < w; ++a) peak = std::max(peak, at(a));
      const double e = peak - qpend[n - w][wi];
      const bool covered = e <= qk[wi];
      const double tau = q16(c.quantile), eta = q16(c.q_eta);
      qs[wi] = n == w ? std::fabs(e) : qs[wi] + q16(c.q_beta) * (std::fabs(e) - qs[wi]);
      qk[wi] = std::clamp(qk[wi] + eta * qs[wi] * (covered ? -(1 - tau) : tau), -1.0, 1.0);
    }
    if (n == 0) {
      ewma = hl = sl = mu = x;
      ht = 0;
    } else {
      ewma += q16(c.ewma_alpha) * (x - ewma);
      const double pt = q16(c.holt_phi) * ht;
      if (n == 1) {
        ht = x - hl;
        hl = x;
      } else {
        const double lp = (hl + pt) + q16(c.holt_alpha) * (x - (hl + pt));
        ht = pt + q16(c.holt_beta) * ((lp - hl) - pt);
        hl = lp;
      }
      if (c.season_period >= 2) {
        double& s = ss[phase];
        sl += q16(c.season_alpha) * ((x - s) - sl);
        s += q16(c.season_gamma) * ((x - sl) - s);
      } else {
        sl += q16(c.season_alpha) * (x - sl);
      }
      const unsigned q = c.ar_order;
      if (q > 0 && n >= q) {
        double z[kMaxArOrder];
        for (unsigned j = 0; j < q; ++j) z[j] = zst(at(j));
        rls(z, zst(x));
      }
      mu += q16(c.ar_mean_alpha) * (x - mu);
      sd += q16(c.ar_mean_alpha) * (std::fabs(x - mu) - sd);
      sd = std::max(sd, q24(kArSdMin));
    }
    if (c.season_period >= 2) {
      if (c.season_coarse) {
        if (++sub >= c.coarse_factor) {
          sub = 0;
          phase = (phase + 1) % c.season_period;
        }
      } else {
        phase = (phase + 1) % c.season_period;
      }
    }
    hist.push_back(x);
    ++n;
    std::array<std::array<double, H>, M> mp;
    members(mp);
    for (unsigned h = 1; h <= unsigned(H); ++h) {
      std::array<double, M> w;
      ens_weights(h, w);
      double s = 0;
      for (int i = 0; i < M; ++i) s += w[i] * mp[i][h - 1];
      path[h - 1] = s;
    }
    for (int i = 0; i < M; ++i) pend_s[i] = mp[i][0];
    std::array<double, M> pl{};
    for (int i = 0; i < M; ++i) pl[i] = mp[i][L - 1];
    pend_l.push_back(pl);
    std::array<double, kMaxWindows> qp{};
    for (unsigned wi = 0; wi < c.nwindows; ++wi)
      qp[wi] = *std::max_element(path.begin(), path.begin() + c.windows[wi]);
    qpend.push_back(qp);
  }

  void rls(const double* z, double y) {
    const unsigned q = c.ar_order;
    double pz[kMaxArOrder] = {};
    double zpz = 0;
    for (unsigned i = 0; i < q; ++i) {
      for (unsigned j = 0; j < q; ++j) pz[i] += P[std::min(i, j)][std::max(i, j)] * z[j];
      zpz += z[i] * pz[i];
    }
    if (zpz < 0) {
      reset_p();
      return;
    }
    const double lambda = q16(c.ar_lambda);
    const double den = lambda + zpz;
    double k[kMaxArOrder];
    for (unsigned i = 0; i < q; ++i) k[i] = pz[i] / den;
    double s = 0;
    for (unsigned i = 0; i < q; ++i) s += theta[i] * z[i];
    const double err = y - s;
    for (unsigned i = 0; i < q; ++i) theta[i] = std::clamp(theta[i] + k[i] * err, -4.0, 4.0);
    bool over = false, bad = false;
    for (unsigned i = 0; i < q; ++i)
      for (unsigned j = i; j < q; ++j) {
        P[i][j] = (P[i][j] - k[i] * pz[j]) / lambda;
        if (i == j && P[i][j] > 16.0) over = true;
        if (i == j && P[i][j] <= 0) bad = true;
      }
    if (bad) reset_p();
    else if (over)
      for (auto& r : P)
        for (auto& v : r) v *= 0.5;
  }

  // GetPredictedNeeds in FS units
  void needs(unsigned window, double& point, double& upper) const {
    point = *std::max_element(path.begin(), path.begin() + window);
    unsigned wi = c.nwindows - 1;
    for (unsigned i = 0; i < c.nwindows; ++i)
      if (c.windows[i] >= window) {
        wi = i;
        break;
      }
    upper = clamp_fs(point + std::max(0.0, qk[wi]));
    point = clamp_fs(point);
  }
};

}  // namespace shoal::policy::ref
