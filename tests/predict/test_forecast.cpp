// Predictor: each forecaster against series with known answers (constant, linear trend, pure
// seasonal, AR processes with known coefficients), the ensemble, the quantile tracker, the
// history and the configuration checks. Error bounds: firmware/policy/README.md ("Accuracy").
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "shoal/policy/predictor.hpp"

using namespace shoal::policy;

namespace {

constexpr double kLsb = 1.0 / 65536.0;

uint16_t to_s(double fs) { return uint16_t(std::lround(std::clamp(fs, 0.0, 65535.0 / 65536.0) * 65536.0)); }
double fs(uint16_t s) { return double(s) / 65536.0; }

ProfileConfig configured(ProfileConfig c) {
  REQUIRE(configure(c) == Status::Ok);
  return c;
}

// Runs `gen(t)` (FS units) through a profile; after each update past `from`, calls
// check(t, profile, member paths) -- the paths forecast t+1 .. t+12.
void run(const ProfileConfig& c, int n, const std::function<double(int)>& gen, int from,
         const std::function<void(int, const Profile&, const uint16_t (*)[kMaxHorizon])>& check) {
  Profile p;
  profile_reset(p, c);
  for (int t = 0; t < n; ++t) {
    profile_update(p, c, to_s(gen(t)));
    if (t >= from) {
      uint16_t mp[kMembers][kMaxHorizon];
      member_paths(p, c, mp);
      check(t, p, mp);
    }
  }
}

// Mean absolute error of member m (or the ensemble, m = kMembers) at horizon h over [from, n-h).
struct Mae {
  double sum[kMembers + 1][kMaxHorizon + 1] = {};
  int cnt[kMaxHorizon + 1] = {};
  double at(int m, int h) const { return sum[m][h] / cnt[h]; }
};
Mae mae_of(const ProfileConfig& c, int n, const std::function<double(int)>& gen, int from) {
  std::vector<double> x(size_t(n) + kMaxHorizon);
  for (int t = 0; t < n + int(kMaxHorizon); ++t) x[size_t(t)] = fs(to_s(gen(t)));
  Mae r;
  run(c, n, [&](int t) { return x[size_t(t)]; }, from, [&](int t, const Profile& p, const uint16_t (*mp)[kMaxHorizon]) {
    for (int h = 1; h <= int(kMaxHorizon); ++h) {
      const double a = x[size_t(t + h)];
      for (int m = 0; m < int(kMembers); ++m) r.sum[m][h] += std::fabs(fs(mp[m][h - 1]) - a);
      r.sum[kMembers][h] += std::fabs(fs(p.path[h - 1]) - a);
      r.cnt[h]++;
    }
  });
  return r;
}

// a deterministic normal generator (Box-Muller on mt19937, same on every platform)
struct Gauss {
  std::mt19937 g;
  explicit Gauss(uint32_t seed) : g(seed) {}
  double operator()() {
    const double u1 = (double(g()) + 1.0) / 4294967297.0, u2 = double(g()) / 4294967296.0;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
};

}  // namespace

TEST_CASE("constant series: every member, the ensemble and the bound are exact", "[forecast]") {
  const ProfileConfig c = configured([] {
    ProfileConfig k;
    k.season_period = 12;
    return k;
  }());
  for (uint16_t v : {uint16_t(0), uint16_t(1), uint16_t(19661), uint16_t(65534), uint16_t(65535)}) {
    INFO("value " << v);
    run(c, 200, [&](int) { return fs(v); }, 0, [&](int, const Profile& p, const uint16_t (*mp)[kMaxHorizon]) {
      for (unsigned m = 0; m < kMembers; ++m)
        for (unsigned h = 0; h < kMaxHorizon; ++h) REQUIRE(mp[m][h] == v);
      for (unsigned h = 0; h < kMaxHorizon; ++h) REQUIRE(p.path[h] == v);
      for (uint32_t w = 1; w <= kMaxHorizon; ++w) {
        Needs n;
        REQUIRE(profile_needs(p, c, w, n) == Status::Ok);
        REQUIRE(n.point == v);
        REQUIRE(n.upper == v);  // no error seen, no margin
      }
    });
  }
}

TEST_CASE("constant after a step: EWMA converges geometrically", "[forecast]") {
  ProfileConfig k;
  k.ewma_alpha = 16384;  // 0.25
  const ProfileConfig c = configured(k);
  // 0.2 for 10 samples, then 0.6: |f - 0.6| <= 0.4 (1 - a)^(t - 9) + 1 LSB
  run(c, 120, [](int t) { return t < 10 ? 0.2 : 0.6; }, 10, [&](int t, const Profile&, const uint16_t (*mp)[kMaxHorizon]) {
    const double bound = std::fabs(fs(to_s(0.6)) - fs(to_s(0.2))) * std::pow(0.75, t - 9) + kLsb;
    REQUIRE(std::fabs(fs(mp[kEwma][0]) - fs(to_s(0.6))) <= bound);
    REQUIRE(mp[kNaive][0] == to_s(0.6));
  });
}

TEST_CASE("linear trend: undamped Holt forecasts every horizon", "[forecast]") {
  ProfileConfig k;
  k.holt_phi = 65536;  // undamped
  const ProfileConfig c = configured(k);
  for (double slope : {7.0 * kLsb, -5.0 * kLsb, 40.0 * kLsb}) {
    INFO("slope " << slope);
    const double a = slope > 0 ? 0.05 : 0.95;
    // Holt starts on the trend (L = x1, T = x1 - x0) and stays there: within 2 LSB
    run(c, 600, [&](int t) { return a + slope * t; }, 2, [&](int t, const Profile&, const uint16_t (*mp)[kMaxHorizon]) {
      for (int h = 1; h <= int(kMaxHorizon); ++h) {
        const double want = fs(to_s(a + slope * (t + h)));
        REQUIRE(std::fabs(fs(mp[kHolt][h - 1]) - want) <= 2 * kLsb);
      }
    });
  }
  // a damped Holt on the same series: L + (phi + .. + phi^h) T, checked against the closed form
  ProfileConfig d;
  d.holt_phi = 52429;  // 0.8
  const ProfileConfig cd = configured(d);
  const double slope = 10 * kLsb;
  run(cd, 300, [&](int t) { return 0.1 + slope * t; }, 50, [&](int t, const Profile& p, const uint16_t (*mp)[kMaxHorizon]) {
    double damp = 0, pw = 1;
    for (int h = 1; h <= int(kMaxHorizon); ++h) {
      pw *= 0.8;
      damp += pw;
      const double want = p.holt_l / 16777216.0 + damp * p.holt_t / 16777216.0;
      REQUIRE(std::fabs(fs(mp[kHolt][h - 1]) - want) <= 2 * kLsb);
    }
    (void)t;
  });
}

TEST_CASE("pure seasonal: the seasonal member learns the pattern", "[forecast]") {
  for (uint8_t m : {uint8_t(12), uint8_t(24), uint8_t(5)}) {
    INFO("period " << int(m));
    ProfileConfig k;
    k.season_period = m;
    const ProfileConfig c = configured(k);
    auto gen = [&](int t) { return 0.4 + 0.25 * std::sin(2 * M_PI * t / m) + 0.05 * std::cos(4 * M_PI * t / m); };
    // after 80 periods: every horizon within 0.003 FS
    run(c, 100 * m, gen, 80 * m, [&](int t, const Profile&, const uint16_t (*mp)[kMaxHorizon]) {
      for (int h = 1; h <= int(kMaxHorizon); ++h)
        REQUIRE(std::fabs(fs(mp[kSeasonal][h - 1]) - fs(to_s(gen(t + h)))) <= 0.003);
    });
  }
  // phase by coarse bin: a pattern that is constant within each bin of 4 samples, 6 bins
  ProfileConfig k;
  k.season_period = 6;
  k.season_coarse = 1;
  k.coarse_factor = 4;
  const ProfileConfig c = configured(k);
  const double level[6] = {0.1, 0.5, 0.3, 0.8, 0.2, 0.6};
  auto gen = [&](int t) { return level[(t / 4) % 6]; };
  run(c, 24 * 120, gen, 24 * 100, [&](int t, const Profile&, const uint16_t (*mp)[kMaxHorizon]) {
    for (int h = 1; h <= int(kMaxHorizon); ++h)
      REQUIRE(std::fabs(fs(mp[kSeasonal][h - 1]) - fs(to_s(gen(t + h)))) <= 0.003);
  });
}

TEST_CASE("AR processes with known coefficients: RLS finds them", "[forecast]") {
  struct Case {
    double a1, a2;
    uint8_t order;
  };
  for (const Case& cs : {Case{0.8, 0.0, 1}, Case{0.6, -0.3, 2}, Case{1.2, -0.5, 3}}) {
    INFO("a1 " << cs.a1 << " a2 " << cs.a2 << " order " << int(cs.order));
    ProfileConfig k;
    k.ar_order = cs.order;
    k.ar_lambda = 65470;  // 0.999: a long memory for a stationary process
    k.ar_mean_alpha = 256;
    const ProfileConfig c = configured(k);
    const double mu = 0.45, sigma = 0.03;
    Gauss g(7 + cs.order);
    std::vector<double> x(6000);
    double d1 = 0, d2 = 0;
    for (auto& v : x) {
      const double d = cs.a1 * d1 + cs.a2 * d2 + sigma * g();
      d2 = d1;
      d1 = d;
      v = fs(to_s(mu + d));
    }
    double excess = 0;  // mean |forecast - the forecast with the true coefficients| at h = 1
    int cnt = 0;
    Profile last{};
    run(c, 5999, [&](int t) { return x[size_t(t)]; }, 4000, [&](int t, const Profile& p, const uint16_t (*mp)[kMaxHorizon]) {
      const double best = mu + cs.a1 * (x[size_t(t)] - mu) + cs.a2 * (x[size_t(t - 1)] - mu);
      excess += std::fabs(fs(mp[kAr][0]) - best);
      ++cnt;
      last = p;
    });
    const double th1 = last.ar_theta[0] / 16777216.0;
    const double th2 = cs.order >= 2 ? last.ar_theta[1] / 16777216.0 : 0.0;
    CHECK(std::fabs(th1 - cs.a1) <= 0.08);
    CHECK(std::fabs(th2 - cs.a2) <= 0.08);
    if (cs.order == 3) CHECK(std::fabs(last.ar_theta[2] / 16777216.0) <= 0.08);
    // the fitted one-step forecast is within 0.2 sigma of the best possible one on average
    CHECK(excess / cnt <= 0.2 * sigma);
  }
}

TEST_CASE("the ensemble follows the best member on each kind of series", "[forecast][ensemble]") {
  ProfileConfig k;
  k.season_period = 12;
  const ProfileConfig c = configured(k);
  Gauss g(3);
  std::vector<double> noise(4000);
  for (auto& v : noise) v = g();
  struct Series {
    const char* name;
    std::function<double(int)> f;
  };
  double d1 = 0;
  std::vector<double> ar(4000);
  for (size_t i = 0; i < ar.size(); ++i) {
    d1 = 0.85 * d1 + 0.03 * noise[i];
    ar[i] = 0.3 + d1;
  }
  const Series series[] = {
      {"seasonal", [](int t) { return 0.5 + 0.3 * std::sin(2 * M_PI * t / 12); }},
      {"noisy seasonal", [&](int t) { return 0.5 + 0.3 * std::sin(2 * M_PI * t / 12) + 0.02 * noise[size_t(t) % noise.size()]; }},
      {"ar(1)", [&](int t) { return ar[size_t(t) % ar.size()]; }},
      {"white noise", [&](int t) { return 0.3 + 0.05 * noise[size_t(t) % noise.size()]; }},
      {"random walk", [&](int t) {
         double s = 0.5;
         for (int i = 0; i <= t % 2000; ++i) s += 0.004 * noise[size_t(i)];
         return s;
       }},
  };
  for (const Series& s : series) {
    INFO(s.name);
    const Mae r = mae_of(c, 2000, s.f, 600);
    for (int h : {1, 3, 12}) {
      double best = 1e9;
      for (int m = 0; m < int(kMembers); ++m) best = std::min(best, r.at(m, h));
      INFO("h " << h << " ensemble " << r.at(kMembers, h) << " best member " << best);
      CHECK(r.at(kMembers, h) <= 1.25 * best + 1e-4);
    }
  }
}

TEST_CASE("ensemble weights: sum to 1.0, zero for members left out, equal during warm-up", "[forecast][ensemble]") {
  ProfileConfig k;
  k.members = (1u << kEwma) | (1u << kAr);
  k.warmup = 20;
  const ProfileConfig c = configured(k);
  Profile p;
  profile_reset(p, c);
  Gauss g(11);
  for (int t = 0; t < 300; ++t) {
    profile_update(p, c, to_s(0.4 + 0.1 * g()));
    for (uint32_t h = 1; h <= kMaxHorizon; ++h) {
      uint32_t w[kMembers];
      ensemble_weights(p, c, h, w);
      REQUIRE(w[0] + w[1] + w[2] + w[3] + w[4] == 65536u);
      REQUIRE(w[kNaive] == 0);
      REQUIRE(w[kHolt] == 0);
      REQUIRE(w[kSeasonal] == 0);
      if (p.n < 20) REQUIRE(w[kEwma] == w[kAr]);
    }
  }
}

TEST_CASE("upper bound: the tracked quantile covers the configured share of peaks", "[forecast][quantile]") {
  for (uint32_t tau : {52429u, 58982u, 62259u}) {  // 0.8, 0.9, 0.95
    ProfileConfig k;
    k.quantile = tau;
    const ProfileConfig c = configured(k);
    Profile p;
    profile_reset(p, c);
    std::mt19937 g(tau);
    std::vector<uint16_t> x(30000);
    for (auto& v : x) v = to_s(0.3 + 0.2 * (double(g()) / 4294967296.0));  // iid uniform
    struct Bound {
      size_t t;
      uint16_t upper;
    };
    std::vector<std::vector<Bound>> bounds(c.nwindows);
    for (size_t t = 0; t < x.size(); ++t) {
      profile_update(p, c, x[t]);
      if (t < 2000 || t + 12 >= x.size()) continue;
      for (unsigned wi = 0; wi < c.nwindows; ++wi) {
        Needs n;
        REQUIRE(profile_needs(p, c, c.windows[wi], n) == Status::Ok);
        REQUIRE(n.upper >= n.point);
        bounds[wi].push_back({t, n.upper});
      }
    }
    for (unsigned wi = 0; wi < c.nwindows; ++wi) {
      const unsigned w = c.windows[wi];
      size_t covered = 0;
      for (const Bound& b : bounds[wi]) {
        uint16_t peak = 0;
        for (unsigned h = 1; h <= w; ++h) peak = std::max(peak, x[b.t + h]);
        covered += peak <= b.upper;
      }
      const double share = double(covered) / double(bounds[wi].size());
      INFO("tau " << tau / 65536.0 << " window " << w << " coverage " << share);
      // overlapping 12-step windows give strongly correlated errors: a looser tolerance
      CHECK(std::fabs(share - tau / 65536.0) <= (w >= 12 ? 0.04 : 0.03));
    }
  }
}

TEST_CASE("history: fine ring, coarse means, bounded", "[forecast][history]") {
  ProfileConfig k;
  k.coarse_factor = 3;
  const ProfileConfig c = configured(k);
  Profile p;
  profile_reset(p, c);
  REQUIRE(fine_held(p) == 0);
  REQUIRE(fine_at(p, 0) == 0);
  std::vector<uint16_t> xs;
  for (int t = 0; t < 100; ++t) {
    const uint16_t v = uint16_t(t == 50 ? 65535 : (t * t * 7919 + 13 * t + 5) % 65000);  // bin sums of every residue
    xs.push_back(v);
    profile_update(p, c, v);
    REQUIRE(p.n == uint32_t(t + 1));
    REQUIRE(fine_held(p) == std::min<uint32_t>(uint32_t(t + 1), kFineLen));
    for (uint32_t a = 0; a < fine_held(p); ++a) REQUIRE(fine_at(p, a) == xs[xs.size() - 1 - a]);
    REQUIRE(fine_at(p, fine_held(p)) == 0);
    const uint32_t bins = uint32_t(t + 1) / 3;
    REQUIRE(coarse_held(p) == std::min<uint32_t>(bins, kCoarseLen));
    for (uint32_t a = 0; a < coarse_held(p); ++a) {
      const size_t end = size_t(bins - a) * 3;  // bin covers xs[end-3 .. end-1]
      const uint32_t sum = uint32_t(xs[end - 3]) + xs[end - 2] + xs[end - 1];
      REQUIRE(coarse_at(p, a) == (sum + 1) / 3);
    }
  }
}

TEST_CASE("configure: every field's range is checked", "[forecast][config]") {
  ProfileConfig ok;
  REQUIRE(configure(ok) == Status::Ok);
  REQUIRE(ok.configured == 1);
  REQUIRE(ok.ar_inv_lambda == int32_t(std::floor(16777216.0 * 65536.0 / 64881.0)));
  using Mut = std::function<void(ProfileConfig&)>;
  struct Edge {
    const char* what;
    Mut bad, good;
  };
  const Edge edges[] = {
      {"ewma_alpha", [](ProfileConfig& c) { c.ewma_alpha = 0; }, [](ProfileConfig& c) { c.ewma_alpha = 65536; }},
      {"ewma_alpha hi", [](ProfileConfig& c) { c.ewma_alpha = 65537; }, [](ProfileConfig& c) { c.ewma_alpha = 1; }},
      {"holt_phi", [](ProfileConfig& c) { c.holt_phi = 65537; }, [](ProfileConfig& c) { c.holt_phi = 0; }},
      {"season_period 1", [](ProfileConfig& c) { c.season_period = 1; }, [](ProfileConfig& c) { c.season_period = 2; }},
      {"season_period max", [](ProfileConfig& c) { c.season_period = kMaxPeriod + 1; }, [](ProfileConfig& c) { c.season_period = kMaxPeriod; }},
      {"season_coarse", [](ProfileConfig& c) { c.season_coarse = 2; }, [](ProfileConfig& c) { c.season_coarse = 1; }},
      {"ar_order", [](ProfileConfig& c) { c.ar_order = kMaxArOrder + 1; }, [](ProfileConfig& c) { c.ar_order = 0; }},
      {"ar_lambda lo", [](ProfileConfig& c) { c.ar_lambda = 32767; }, [](ProfileConfig& c) { c.ar_lambda = 32768; }},
      {"ar_lambda hi", [](ProfileConfig& c) { c.ar_lambda = 65536; }, [](ProfileConfig& c) { c.ar_lambda = 65535; }},
      {"ar_p0", [](ProfileConfig& c) { c.ar_p0 = 0; }, [](ProfileConfig& c) { c.ar_p0 = kArPMax; }},
      {"ar_p0 hi", [](ProfileConfig& c) { c.ar_p0 = kArPMax + 1; }, [](ProfileConfig& c) { c.ar_p0 = 1; }},
      {"coarse_factor", [](ProfileConfig& c) { c.coarse_factor = 0; }, [](ProfileConfig& c) { c.coarse_factor = 255; }},
      {"members none", [](ProfileConfig& c) { c.members = 0; }, [](ProfileConfig& c) { c.members = 1; }},
      {"members unknown", [](ProfileConfig& c) { c.members = 0x20; }, [](ProfileConfig& c) { c.members = 0x1F; }},
      {"members only off ones", [](ProfileConfig& c) { c.members = 1u << kSeasonal; c.season_period = 0; },
       [](ProfileConfig& c) { c.members = 1u << kSeasonal; c.season_period = 4; }},
      {"sel_long lo", [](ProfileConfig& c) { c.sel_long = 1; }, [](ProfileConfig& c) { c.sel_long = 2; }},
      {"sel_long hi", [](ProfileConfig& c) { c.sel_long = kMaxLong + 1; }, [](ProfileConfig& c) { c.sel_long = kMaxLong; }},
      {"sel_power", [](ProfileConfig& c) { c.sel_power = 5; }, [](ProfileConfig& c) { c.sel_power = 4; }},
      {"sel_power 0", [](ProfileConfig& c) { c.sel_power = 0; }, [](ProfileConfig& c) { c.sel_power = 1; }},
      {"quantile", [](ProfileConfig& c) { c.quantile = 32767; }, [](ProfileConfig& c) { c.quantile = 65535; }},
      {"q_init", [](ProfileConfig& c) { c.q_init = kQMax + 1; }, [](ProfileConfig& c) { c.q_init = -kQMax; }},
      {"nwindows 0", [](ProfileConfig& c) { c.nwindows = 0; }, [](ProfileConfig& c) { c.nwindows = 1; }},
      {"nwindows 4", [](ProfileConfig& c) { c.nwindows = 4; }, [](ProfileConfig& c) { c.nwindows = 2; }},
      {"window 0", [](ProfileConfig& c) { c.windows[0] = 0; }, [](ProfileConfig& c) { c.windows[0] = 2; c.windows[2] = 11; }},
      {"window order", [](ProfileConfig& c) { c.windows[1] = 1; }, [](ProfileConfig& c) { c.windows[1] = 2; }},
      {"window max", [](ProfileConfig& c) { c.windows[2] = kMaxHorizon + 1; }, [](ProfileConfig& c) { c.windows[2] = kMaxHorizon; }},
      {"window ring", [](ProfileConfig& c) { c.windows[0] = 2; c.windows[1] = 3; c.windows[2] = 12; },
       [](ProfileConfig& c) { c.windows[0] = 1; c.windows[1] = 3; c.windows[2] = 12; }},
  };
  for (const Edge& e : edges) {
    INFO(e.what);
    ProfileConfig b;
    e.bad(b);
    REQUIRE(configure(b) == Status::BadConfig);
    REQUIRE(b.configured == 0);
    ProfileConfig g;
    e.good(g);
    REQUIRE(configure(g) == Status::Ok);
  }
}

TEST_CASE("predictor: bad arguments change nothing; units and CPU samples at the edges", "[forecast][predictor]") {
  static Predictor pr;  // large: not on the stack
  REQUIRE(predictor_init(pr, 64, 256, 32) == Status::Ok);
  for (int t = 0; t < 40; ++t) {
    REQUIRE(pr.update(1, kCpu, uint16_t(1000 + 50 * t)) == Status::Ok);
    REQUIRE(pr.update(1, kMem, uint16_t(30000)) == Status::Ok);
  }
  static Predictor before;
  before = pr;
  Needs n;
  REQUIRE(pr.update(kMaxPartitions, kCpu, 5) == Status::BadPartition);
  REQUIRE(pr.update(0, kNumTypes, 5) == Status::BadType);
  REQUIRE(pr.get_predicted_needs(0, kCpu, 0, n) == Status::BadWindow);
  REQUIRE(pr.get_predicted_needs(0, kCpu, kMaxHorizon + 1, n) == Status::BadWindow);
  REQUIRE(pr.get_predicted_needs(kMaxPartitions, kCpu, 1, n) == Status::BadPartition);
  REQUIRE(pr.reset(kMaxPartitions) == Status::BadPartition);
  ProfileConfig bad;
  bad.ewma_alpha = 0;
  REQUIRE(pr.set_config(kCpu, bad, 64) == Status::BadConfig);
  REQUIRE(pr.set_config(kCpu, ProfileConfig{}, 0) == Status::BadConfig);
  REQUIRE(pr.set_config(kNumTypes, ProfileConfig{}, 64) == Status::BadType);
  RequestVector rv;
  REQUIRE(pr.analyze(0, 1, 16, rv) == Status::BadConfig);
  REQUIRE(std::memcmp(&pr, &before, sizeof pr) == 0);

  // the analyzer's vector: the upper bounds in units, rounded up
  REQUIRE(pr.analyze(1, 3, 7, rv) == Status::Ok);
  REQUIRE(rv.valid == 1);
  REQUIRE(rv.prio == 7);
  for (uint32_t t = 0; t < kNumTypes; ++t) {
    REQUIRE(pr.get_predicted_needs(1, t, 3, n) == Status::Ok);
    const uint16_t want = units_of(n.upper, pr.full_scale[t]);
    REQUIRE((t == kCpu ? rv.cpu : t == kMem ? rv.mem : rv.io) == want);
  }
  REQUIRE(rv.io == 0);  // no IO samples: nothing forecast
  REQUIRE(pr.analyze(2, 3, 0, rv) == Status::Ok);
  REQUIRE(rv.valid == 0);
  REQUIRE(rv.cpu == 0);

  REQUIRE(units_of(0, 64) == 0);
  REQUIRE(units_of(1, 64) == 1);
  REQUIRE(units_of(1024, 64) == 1);  // exactly one processor
  REQUIRE(units_of(1025, 64) == 2);
  REQUIRE(units_of(65535, 64) == 64);
  REQUIRE(units_of(65535, 65535) == 65535);
  REQUIRE(cpu_sample(0, 8, 64) == 0);
  REQUIRE(cpu_sample(65535, 64, 64) == 65535);
  REQUIRE(cpu_sample(32768, 8, 64) == 4096);  // 4 of 64 processors
  REQUIRE(cpu_sample(65535, 65535, 1) == 65535);  // saturates
  REQUIRE(cpu_sample(65535, 8, 0) == 0);
}
