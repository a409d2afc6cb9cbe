// Fixed point vs the double-precision reference of the same algorithms (ref_model.hpp) on a real
// trace excerpt (tests/data/planetlab_12series.csv: 12 PlanetLab series, one day): the largest
// difference of every member's forecasts, of the ensemble and of the upper bound stays within
// the bounds firmware/policy/README.md states ("Accuracy").
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <string>

#include "ref_model.hpp"
#include "shoal/policy/profile.hpp"
#include "trace.hpp"

using namespace shoal::policy;

namespace {

// The bounds stated in firmware/policy/README.md, in FS (full scale) units.
constexpr double kBoundSimple = 2.0 / 65536;    // naive, EWMA, Holt: 2 LSB
constexpr double kBoundSeasonal = 8.0 / 65536;  // seasonal (table in Q1.15): 8 LSB
constexpr double kBoundAr = 0.002;              // AR(p) by RLS
constexpr double kBoundEnsemble = 0.001;        // the ensemble path
// the upper bounds, every window: the quantile step is a discontinuous function of the error
// ([e <= q]); where the two builds see an error on opposite sides of the margin they take
// opposite steps (q_eta * s apart) and converge again: one step at most, 0.01 FS here
constexpr double kBoundUpper = 0.01;
constexpr double kBoundMeanUpper = 1e-4;        // mean |difference| of the upper bounds

struct Worst {
  double member[kMembers] = {};
  double ens = 0, upper = 0, upper_sum = 0;
  std::size_t upper_n = 0;
};

void compare(const ProfileConfig& c, const std::vector<float>& pct, Worst& w) {
  Profile p;
  profile_reset(p, c);
  ref::RefProfile r(c);
  for (float v : pct) {
    const uint16_t s = uint16_t(std::lround(double(v) / 100.0 * 65535.0));
    profile_update(p, c, s);
    r.update(s);
    uint16_t mp[kMembers][kMaxHorizon];
    member_paths(p, c, mp);
    std::array<std::array<double, kMaxHorizon>, kMembers> rp;
    r.members(rp);
    for (unsigned m = 0; m < kMembers; ++m)
      for (unsigned h = 0; h < kMaxHorizon; ++h)
        w.member[m] = std::max(w.member[m], std::fabs(mp[m][h] / 65536.0 - rp[m][h]));
    for (unsigned h = 0; h < kMaxHorizon; ++h)
      w.ens = std::max(w.ens, std::fabs(p.path[h] / 65536.0 - r.path[h]));
    for (uint32_t win = 1; win <= kMaxHorizon; ++win) {
      Needs n;
      REQUIRE(profile_needs(p, c, win, n) == Status::Ok);
      double point, upper;
      r.needs(win, point, upper);
      const double d = std::fabs(n.upper / 65536.0 - upper);
      w.upper = std::max(w.upper, d);
      w.upper_sum += d;
      w.upper_n++;
    }
  }
}

}  // namespace

TEST_CASE("fixed point vs double reference on the PlanetLab excerpt", "[fixed-vs-double]") {
  shoal::policysim::Trace tr;
  std::string err;
  REQUIRE(shoal::policysim::read_trace(SHOAL_PREDICT_DATA "/planetlab_12series.csv", tr, err));
  REQUIRE(tr.series.size() == 12);
  REQUIRE(tr.steps == 288);

  struct Variant {
    const char* name;
    ProfileConfig c;
  };
  std::vector<Variant> vs(4);
  vs[0].name = "default";
  vs[1].name = "seasonal 12, AR(1), power 1";
  vs[1].c.season_period = 12;
  vs[1].c.ar_order = 1;
  vs[1].c.sel_power = 1;
  vs[2].name = "coarse seasonal 24 x 12, AR(2), tau 0.95";
  vs[2].c.season_period = 24;
  vs[2].c.season_coarse = 1;
  vs[2].c.ar_order = 2;
  vs[2].c.quantile = 62259;
  vs[3].name = "fast: alphas 0.6, lambda 0.95, undamped Holt, power 4";
  vs[3].c.ewma_alpha = vs[3].c.holt_alpha = 39322;
  vs[3].c.holt_phi = 65536;
  vs[3].c.ar_lambda = 62259;
  vs[3].c.sel_power = 4;
  for (Variant& v : vs) {
    REQUIRE(configure(v.c) == Status::Ok);
    Worst w;
    for (const auto& s : tr.series) compare(v.c, s, w);
    const double mean_upper = w.upper_sum / double(w.upper_n);
    std::printf("%-52s naive %.2g ewma %.2g holt %.2g seasonal %.2g ar %.3g ensemble %.3g upper %.3g "
                "(mean %.2g) FS\n",
                v.name, w.member[kNaive], w.member[kEwma], w.member[kHolt], w.member[kSeasonal],
                w.member[kAr], w.ens, w.upper, mean_upper);
    INFO(v.name);
    CHECK(w.member[kNaive] <= kBoundSimple);
    CHECK(w.member[kEwma] <= kBoundSimple);
    CHECK(w.member[kHolt] <= kBoundSimple);
    CHECK(w.member[kSeasonal] <= kBoundSeasonal);
    CHECK(w.member[kAr] <= kBoundAr);
    CHECK(w.ens <= kBoundEnsemble);
    CHECK(w.upper <= kBoundUpper);
    CHECK(mean_upper <= kBoundMeanUpper);
  }
}
