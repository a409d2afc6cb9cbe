// The firmware build of the predictor on the Verilated core gives the same forecasts as the host
// build, bit for bit: fw/predict_oncore.elf (firmware/policy built for RV32 by the firmware
// sub-build) runs the kernel of fw/oncore_kernel.hpp on the core complex (rtl/core/sim); this
// side writes the input into the image, runs the same kernel natively and compares every word.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core_sim.hpp"
#include "oncore_kernel.hpp"
#include "trace.hpp"

namespace pt = shoal::predicttest;
namespace pol = shoal::policy;
using shoal::coresim::CoreSim;
using shoal::coresim::ElfImage;

namespace {

const std::string kElf = std::string(SHOAL_PREDICT_FW_DIR) + "/predict_oncore.elf";

struct Statics {  // large: not on the stack
  pt::Input in;
  pt::Output host, core;
  pol::Profile prof[pt::kMaxProfiles];
  pol::Predictor pred;
};

std::vector<std::vector<uint16_t>> excerpt_series() {
  shoal::policysim::Trace tr;
  std::string err;
  REQUIRE(shoal::policysim::read_trace(SHOAL_PREDICT_DATA "/planetlab_12series.csv", tr, err));
  std::vector<std::vector<uint16_t>> out;
  for (const auto& s : tr.series) {
    std::vector<uint16_t> v;
    for (float x : s) v.push_back(uint16_t(std::lround(double(x) / 100.0 * 65535.0)));
    out.push_back(v);
  }
  return out;
}

// a series that reaches the boundaries: runs of 0 and 0xFFFF, single spikes, a ramp
std::vector<uint16_t> boundary_series(size_t n) {
  std::vector<uint16_t> v(n);
  std::mt19937 g(5);
  for (size_t t = 0; t < n; ++t) {
    const size_t ph = (t / 8) % 6;
    v[t] = ph == 0 ? 0 : ph == 1 ? 0xFFFF : ph == 2 ? uint16_t(t % 2 ? 0xFFFF : 0)
         : ph == 3 ? uint16_t((t % 8) * 9362) : ph == 4 ? uint16_t(g()) : uint16_t(1);
  }
  return v;
}

// Downloads the image with `in` written into g_in, runs it, reads g_out.
void run_on_core(const pt::Input& in, pt::Output& out, uint64_t& cycles) {
  ElfImage img;
  REQUIRE(shoal::coresim::load_elf(kElf, img) == "");
  const auto gi = img.symbols.find("g_in");
  const auto go = img.symbols.find("g_out");
  REQUIRE(gi != img.symbols.end());
  REQUIRE(go != img.symbols.end());
  bool patched = false;
  for (auto& seg : img.segments) {
    if (gi->second >= seg.addr && gi->second + sizeof in <= seg.addr + seg.bytes.size()) {
      std::memcpy(seg.bytes.data() + (gi->second - seg.addr), &in, sizeof in);
      patched = true;
    }
  }
  REQUIRE(patched);
  auto sim = std::make_unique<CoreSim>();
  REQUIRE(sim->load(img) == "");
  const auto rr = sim->run(200'000'000);
  INFO("console: " << sim->console());
  REQUIRE(rr == shoal::coresim::RunResult::Pass);
  cycles = sim->cycles();
  std::vector<uint32_t> words(sizeof out / 4);
  for (size_t i = 0; i < words.size(); ++i) words[i] = sim->read_word(go->second + uint32_t(4 * i));
  std::memcpy(&out, words.data(), sizeof out);
}

void compare(Statics& s) {
  uint64_t cycles = 0;
  run_on_core(s.in, s.core, cycles);
  std::memset(&s.host, 0, sizeof s.host);
  pt::run_kernel(s.in, s.host, s.prof, s.pred);
  WARN("on-core run: " << cycles << " cycles");
  REQUIRE(s.core.magic == pt::kMagic);
  REQUIRE(s.host.status == 0);
  REQUIRE(s.core.status == 0);
  // the same layout on both builds (what makes the state comparison meaningful)
  REQUIRE(s.core.size_profile == sizeof(pol::Profile));
  REQUIRE(s.core.size_config == sizeof(pol::ProfileConfig));
  REQUIRE(s.core.size_predictor == sizeof(pol::Predictor));
  REQUIRE(s.core.size_decision == sizeof(pol::Decision));
  size_t distinct = 0;
  for (uint32_t t = 0; t < s.in.nsteps; ++t) {
    INFO("step " << t);
    REQUIRE(s.core.step_digest[t] == s.host.step_digest[t]);
    distinct += t > 0 && s.host.step_digest[t] != s.host.step_digest[t - 1];
  }
  CHECK(distinct + 1 >= s.in.nsteps / 2);  // the forecasts do change from step to step
  for (uint32_t e = 0; e < s.in.nepochs; ++e) {
    INFO("epoch " << e);
    REQUIRE(s.core.epoch_digest[e] == s.host.epoch_digest[e]);
  }
  for (uint32_t i = 0; i < s.in.nprof; ++i) {
    INFO("profile " << i);
    REQUIRE(std::memcmp(&s.core.state[i], &s.host.state[i], sizeof(pol::Profile)) == 0);
    REQUIRE(s.host.state[i].n == s.in.nsteps);
  }
}

void fill(pt::Input& in, const std::vector<std::vector<uint16_t>>& series, uint32_t steps) {
  in.magic = pt::kMagic;
  in.nprof = uint32_t(series.size());
  in.nsteps = steps;
  for (uint32_t t = 0; t < steps; ++t)
    for (uint32_t i = 0; i < in.nprof; ++i) in.samples[t * in.nprof + i] = series[i][t % series[i].size()];
}

}  // namespace

TEST_CASE("on core = on host, bit for bit: default configuration, trace excerpt and boundaries", "[oncore][forecast]") {
  auto s = std::make_unique<Statics>();
  s->in = pt::Input{};
  const auto ex = excerpt_series();
  fill(s->in, {ex[0], ex[4], ex[7], boundary_series(96)}, 96);
  s->in.cfg = pol::ProfileConfig{};
  s->in.nepochs = 0;
  compare(*s);
}

TEST_CASE("on core = on host, bit for bit: other coefficients, and the policies' decisions", "[oncore][decide]") {
  auto s = std::make_unique<Statics>();
  s->in = pt::Input{};
  const auto ex = excerpt_series();
  fill(s->in, {ex[9], ex[10], boundary_series(64)}, 64);
  pol::ProfileConfig c;
  c.season_period = 12;
  c.ar_order = 1;
  c.sel_power = 4;
  c.sel_long = 5;
  c.quantile = 62259;
  c.holt_phi = 65536;
  c.windows[0] = 2;
  c.windows[1] = 5;
  c.windows[2] = 9;
  s->in.cfg = c;
  s->in.nepochs = 16;
  compare(*s);
  // the decisions moved processors (not a vacuous comparison)
  CHECK(s->host.epoch_digest[0] != s->host.epoch_digest[15]);
}

TEST_CASE("the digest sees a one-sample change (the comparison is not vacuous)", "[oncore][digest]") {
  auto s = std::make_unique<Statics>();
  s->in = pt::Input{};
  const auto ex = excerpt_series();
  fill(s->in, {ex[2], ex[3]}, 40);
  s->in.cfg = pol::ProfileConfig{};
  pt::run_kernel(s->in, s->host, s->prof, s->pred);
  const uint32_t d19 = s->host.step_digest[19], d20 = s->host.step_digest[20];
  s->in.samples[20 * 2 + 1] ^= 1;  // one LSB of one sample
  pt::run_kernel(s->in, s->host, s->prof, s->pred);
  CHECK(s->host.step_digest[19] == d19);  // before the change: the same
  CHECK(s->host.step_digest[20] != d20);  // the step of the change: seen
  // bad input: refused on both builds alike
  s->in.nprof = pt::kMaxProfiles + 1;
  pt::run_kernel(s->in, s->host, s->prof, s->pred);
  CHECK(s->host.status == 1);
  s->in.nprof = 2;
  s->in.cfg.ewma_alpha = 0;
  pt::run_kernel(s->in, s->host, s->prof, s->pred);
  CHECK(s->host.status == 2);
}
