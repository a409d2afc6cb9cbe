// bench-policy's on-core program: the predictor for 16 partitions x 3 resource types and the
// policies, measured with mcycle on the soft core. Prints "BENCH <name> <min> <mean> <max> <n>"
// (cycles) and "BENCH-SIZE <name> <bytes>" lines, then "BENCH-DONE". The host side
// (bench/policy/oncore.cpp) may set g_epochs in the image before the download.
#include <stdint.h>

#include "shoal/core.hpp"
#include "shoal/policy/decide.hpp"

using namespace shoal::fw;
namespace pol = shoal::policy;

extern "C" {
// epochs measured (the host may patch it); in .data so the image carries it
volatile uint32_t g_epochs __attribute__((used)) = 8;
}

namespace {

inline uint32_t cyc() { return SHOAL_CSR_READ(mcycle); }

struct Stat {
  uint32_t min = 0xFFFFFFFFu, max = 0;
  uint64_t sum = 0;
  uint32_t n = 0;
  void add(uint32_t v) {
    min = v < min ? v : min;
    max = v > max ? v : max;
    sum += v;
    ++n;
  }
  void print(const char* name) const {
    puts("BENCH ");
    puts(name);
    putc(' ');
    put_dec(n ? min : 0);
    putc(' ');
    put_dec(n ? uint32_t(sum / n) : 0);
    putc(' ');
    put_dec(max);
    putc(' ');
    put_dec(n);
    putc('\n');
  }
};

void size(const char* name, uint32_t v) {
  puts("BENCH-SIZE ");
  puts(name);
  putc(' ');
  put_dec(v);
  putc('\n');
}

pol::Predictor g_pred;
pol::EpochIn g_in;
pol::Decision g_dec;
pol::PolicyState g_ps;

// deterministic load: per profile a random walk around a level, with a daily-like wave
uint32_t g_lcg = 12345;
uint32_t rnd() {
  g_lcg = g_lcg * 1664525u + 1013904223u;
  return g_lcg >> 8;
}
int32_t g_level[pol::kMaxPartitions][pol::kNumTypes];

uint16_t sample(uint32_t p, uint32_t t, uint32_t step) {
  int32_t& l = g_level[p][t];
  l += int32_t(rnd() % 2001u) - 1000;
  if (l < 2000) l = 2000;
  if (l > 50000) l = 50000;
  const int32_t wave = int32_t((step * (7u + p)) % 64u) * 160 - 5120;
  int32_t v = l + wave;
  return uint16_t(v < 0 ? 0 : (v > 65535 ? 65535 : v));
}

}  // namespace

int main() {
  const uint32_t epochs = g_epochs;
  // every member on: the seasonal model by coarse bin (24 x 12), AR(3)
  pol::ProfileConfig c;
  c.season_period = 24;
  c.season_coarse = 1;
  c.coarse_factor = 12;
  const uint16_t fs[pol::kNumTypes] = {64, 256, 32};
  for (uint32_t t = 0; t < pol::kNumTypes; ++t)
    if (g_pred.set_config(t, c, fs[t]) != pol::Status::Ok) {
      puts("BENCH-FAIL config\n");
      return 1;
    }
  for (uint32_t p = 0; p < pol::kMaxPartitions; ++p)
    for (uint32_t t = 0; t < pol::kNumTypes; ++t) g_level[p][t] = int32_t(4000 + 2500 * p);
  for (uint32_t p = 0; p < pol::kMaxPartitions; ++p) {
    pol::PartIn& pi = g_in.part[p];
    pi.exists = 1;
    pi.prio = uint8_t(p % 4);
    pi.floor = 1;
    pi.cap = 16;
    pi.held = 4;
    pi.hi = 55706;
    pi.lo = 32768;
  }
  g_in.total = 64;
  g_in.free = 0;
  Stat upd, fc, an, obs, dpred, dreact, dstat, dorac, pair;
  const uint32_t warm = 16;
  for (uint32_t e = 0; e < warm + epochs; ++e) {
    const bool m = e >= warm;
    for (uint32_t p = 0; p < pol::kMaxPartitions; ++p)
      for (uint32_t t = 0; t < pol::kNumTypes; ++t) {
        const uint16_t s = sample(p, t, e);
        const uint32_t c0 = cyc();
        g_pred.update(p, t, s);
        const uint32_t c1 = cyc();
        if (m) upd.add(c1 - c0);
      }
    for (uint32_t p = 0; p < pol::kMaxPartitions; ++p) {
      for (uint32_t t = 0; t < pol::kNumTypes; ++t) {
        pol::Needs n;
        const uint32_t c0 = cyc();
        g_pred.get_predicted_needs(p, t, 3, n);
        const uint32_t c1 = cyc();
        if (m) fc.add(c1 - c0);
      }
      pol::RequestVector rv;
      const uint32_t c0 = cyc();
      g_pred.analyze(p, 3, uint8_t(p % 4), rv);
      const uint32_t c1 = cyc();
      if (m) an.add(c1 - c0);
    }
    // an epoch of the service: utilization from the CPU sample, then the decisions
    for (uint32_t p = 0; p < pol::kMaxPartitions; ++p) {
      pol::PartIn& pi = g_in.part[p];
      const uint32_t demand = uint32_t(pol::fx::from_sample(sample(p, 0, e))) >> 8;  // Q0.16 of 64
      const uint32_t have = uint32_t(pi.held) * 1024u;                                // Q0.16 of 64
      const uint32_t used = demand < have ? demand : have;
      pi.util = uint16_t(have ? (used * 65535u) / have : 0);
      pi.util_ewma = uint16_t((uint32_t(pi.util_ewma) + pi.util) / 2u);
    }
    uint32_t c0 = cyc();
    for (uint32_t p = 0; p < pol::kMaxPartitions; ++p) {
      const pol::PartIn& pi = g_in.part[p];
      g_pred.update(p, pol::kCpu, pol::cpu_sample(pi.util, pi.held, 64));
    }
    uint32_t c1 = cyc();
    if (m) obs.add(c1 - c0);
    pol::PolicyConfig pc;
    pc.kind = pol::PolicyKind::Reactive;
    c0 = cyc();
    pol::decide(pc, g_ps, g_in, &g_pred, g_dec);
    c1 = cyc();
    if (m) dreact.add(c1 - c0);
    pc.kind = pol::PolicyKind::Static;
    c0 = cyc();
    pol::decide(pc, g_ps, g_in, &g_pred, g_dec);
    c1 = cyc();
    if (m) dstat.add(c1 - c0);
    pc.kind = pol::PolicyKind::Oracle;
    c0 = cyc();
    pol::decide(pc, g_ps, g_in, &g_pred, g_dec);
    c1 = cyc();
    if (m) dorac.add(c1 - c0);
    pc.kind = pol::PolicyKind::Predictive;
    c0 = cyc();
    const pol::Status st = pol::decide(pc, g_ps, g_in, &g_pred, g_dec);
    c1 = cyc();
    if (m) dpred.add(c1 - c0);
    if (st != pol::Status::Ok) {
      puts("BENCH-FAIL decide\n");
      return 1;
    }
    // apply the predictive plan (the ALLOC would reach exactly these targets)
    uint32_t sum = 0;
    for (uint32_t p = 0; p < pol::kMaxPartitions; ++p) {
      g_in.part[p].held = g_dec.target[p];
      sum += g_dec.target[p];
    }
    g_in.free = uint16_t(64u - sum);
    c0 = cyc();
    c1 = cyc();
    pair.add(c1 - c0);
  }
  upd.print("update");
  fc.print("forecast");
  an.print("analyze");
  obs.print("observe_cpu_16");
  dpred.print("decide_predictive_16");
  dreact.print("decide_reactive_16");
  dstat.print("decide_static_16");
  dorac.print("decide_oracle_16");
  pair.print("mcycle_read_pair");
  size("profile", sizeof(pol::Profile));
  size("profile_config", sizeof(pol::ProfileConfig));
  size("predictor", sizeof(pol::Predictor));
  size("epoch_in", sizeof(pol::EpochIn));
  size("decision", sizeof(pol::Decision));
  size("policy_state", sizeof(pol::PolicyState));
  size("stack_used", 2048u - stack_unused_bytes());
  puts("BENCH-DONE\n");
  return 0;
}
