// The predictor's on-core bit-exactness kernel, compiled twice: into the RV32 test image
// (predict_oncore.cpp, with the firmware build of firmware/policy) and into the host test
// (test_oncore.cpp, with the host build). Both run the same input and must produce the same
// output, word for word: per step a digest of every forecast of every profile (each member's
// path, the ensemble path, GetPredictedNeeds for every window), the profiles' final bytes, and
// per epoch a digest of the decisions of all four policies over 16 partitions.
// Freestanding C++17 (C headers only).
#pragma once
#include <stdint.h>

#include "shoal/policy/decide.hpp"

namespace shoal::predicttest {

namespace pol = shoal::policy;

inline constexpr uint32_t kMagic = 0x44455250u;  // "PRED"
inline constexpr uint32_t kMaxProfiles = 8;
inline constexpr uint32_t kMaxSamples = 4096;
inline constexpr uint32_t kMaxSteps = 1024;
inline constexpr uint32_t kMaxEpochs = 64;

// Written by the host into the image (the symbol g_in) before the download.
struct Input {
  uint32_t magic;
  uint32_t nprof;    // profiles (1..kMaxProfiles)
  uint32_t nsteps;   // samples per profile; samples[t * nprof + i]
  uint32_t nepochs;  // decision epochs (0..kMaxEpochs), 16 partitions, demand from the samples
  pol::ProfileConfig cfg;  // as given: configure() runs on the core
  uint16_t samples[kMaxSamples];
};

struct Output {
  uint32_t magic;
  uint32_t status;  // 0 ok; 1 bad input; 2 configure() refused
  uint32_t size_profile, size_config, size_predictor, size_decision;
  uint32_t step_digest[kMaxSteps];
  uint32_t epoch_digest[kMaxEpochs];
  pol::Profile state[kMaxProfiles];
};

struct Fnv {
  uint32_t h = 2166136261u;
  void byte(uint8_t b) { h = (h ^ b) * 16777619u; }
  void u16(uint32_t v) {
    byte(uint8_t(v));
    byte(uint8_t(v >> 8));
  }
  void u32(uint32_t v) {
    u16(v & 0xFFFFu);
    u16(v >> 16);
  }
};

inline void digest_decision(Fnv& f, const pol::Decision& d, pol::Status s) {
  f.u32(uint32_t(s));
  for (uint32_t p = 0; p < pol::kMaxPartitions; ++p) {
    f.u16(d.target[p]);
    f.u16(d.taken[p]);
  }
  f.u32(d.nmoves);
  for (uint32_t i = 0; i < d.nmoves && i < pol::kMaxMoves; ++i) {
    f.byte(d.move[i].op);
    f.byte(d.move[i].part);
    f.byte(d.move[i].reclaim);
    f.u16(d.move[i].amount);
  }
  f.u16(d.released);
  f.u16(d.granted);
  f.u16(d.reclaimed);
}

// `prof` holds kMaxProfiles profiles, `pred` a predictor (both large: the caller's statics).
inline void run_kernel(const Input& in, Output& out, pol::Profile* prof, pol::Predictor& pred) {
  out.magic = kMagic;
  out.status = 0;
  out.size_profile = sizeof(pol::Profile);
  out.size_config = sizeof(pol::ProfileConfig);
  out.size_predictor = sizeof(pol::Predictor);
  out.size_decision = sizeof(pol::Decision);
  if (in.magic != kMagic || in.nprof == 0 || in.nprof > kMaxProfiles || in.nsteps > kMaxSteps ||
      uint64_t(in.nprof) * in.nsteps > kMaxSamples || in.nepochs > kMaxEpochs) {
    out.status = 1;
    return;
  }
  pol::ProfileConfig c = in.cfg;
  if (pol::configure(c) != pol::Status::Ok) {
    out.status = 2;
    return;
  }
  for (uint32_t i = 0; i < in.nprof; ++i) pol::profile_reset(prof[i], c);
  for (uint32_t t = 0; t < in.nsteps; ++t) {
    Fnv f;
    for (uint32_t i = 0; i < in.nprof; ++i) {
      pol::Profile& p = prof[i];
      pol::profile_update(p, c, in.samples[t * in.nprof + i]);
      uint16_t mp[pol::kMembers][pol::kMaxHorizon];
      pol::member_paths(p, c, mp);
      for (uint32_t m = 0; m < pol::kMembers; ++m)
        for (uint32_t h = 0; h < pol::kMaxHorizon; ++h) f.u16(mp[m][h]);
      for (uint32_t h = 0; h < pol::kMaxHorizon; ++h) f.u16(p.path[h]);
      for (uint32_t w = 1; w <= pol::kMaxHorizon; ++w) {
        pol::Needs n;
        f.u32(uint32_t(pol::profile_needs(p, c, w, n)));
        f.u16(n.point);
        f.u16(n.upper);
        f.u32(n.samples);
      }
    }
    out.step_digest[t] = f.h;
  }
  for (uint32_t i = 0; i < in.nprof; ++i) out.state[i] = prof[i];

  // decisions: 16 partitions sharing 64 processors; partition k's demand comes from profile
  // (k mod nprof)'s samples, scaled to 0..16 processors and shifted in time by k
  if (in.nepochs == 0 || in.nsteps == 0) return;
  if (pol::predictor_init(pred, 64, 256, 32) != pol::Status::Ok ||
      pred.set_config(pol::kCpu, c, 64) != pol::Status::Ok) {
    out.status = 2;
    return;
  }
  pol::EpochIn ein;
  pol::PolicyState st[4];
  for (auto& s : st) pol::policy_state_reset(s);
  for (uint32_t k = 0; k < pol::kMaxPartitions; ++k) {
    pol::PartIn& pi = ein.part[k];
    pi.exists = k < 14 ? 1 : 0;  // two empty slots
    pi.prio = uint8_t(k % 4);
    pi.floor = pi.exists ? uint16_t(k % 3 == 0 ? 2 : 1) : 0;
    pi.cap = pi.exists ? 16 : 0;
    pi.held = pi.exists ? 2 : 0;
    pi.hi = 55706;
    pi.lo = 32768;
  }
  ein.total = 64;
  ein.free = 64 - 14 * 2;
  uint16_t ewma[pol::kMaxPartitions] = {};
  for (uint32_t e = 0; e < in.nepochs; ++e) {
    for (uint32_t k = 0; k < pol::kMaxPartitions; ++k) {
      pol::PartIn& pi = ein.part[k];
      if (!pi.exists) continue;
      const uint32_t t = (e + k) % in.nsteps;
      const uint32_t s = in.samples[t * in.nprof + (k % in.nprof)];
      const uint32_t demand = s * 16u;                  // processors, Q16.16 (0..16)
      const uint32_t have = uint32_t(pi.held) << 16;
      const uint32_t used = demand < have ? demand : have;
      pi.util = uint16_t(pi.held ? (used / pi.held > 0xFFFFu ? 0xFFFFu : used / pi.held) : 0);
      ewma[k] = uint16_t(int32_t(ewma[k]) + ((int32_t(pi.util) - int32_t(ewma[k]) + 1) >> 1));
      pi.util_ewma = ewma[k];
      pi.wmu_high = pi.util_ewma >= pi.hi ? 1 : 0;
      const uint32_t tn = (e + k + 1) % in.nsteps;
      pi.future = uint32_t(in.samples[tn * in.nprof + (k % in.nprof)]) * 16u;
    }
    pol::observe_cpu(pred, ein);
    Fnv f;
    pol::Decision keep;
    for (uint32_t kind = 0; kind < 4; ++kind) {
      pol::PolicyConfig pc;
      pc.kind = pol::PolicyKind(kind);
      pc.st.equal = uint8_t(e % 2);
      for (uint32_t k = 0; k < pol::kMaxPartitions; ++k) pc.st.share[k] = uint16_t(k % 5);
      pol::Decision d;
      const pol::Status s = pol::decide(pc, st[kind], ein, &pred, d);
      digest_decision(f, d, s);
      if (kind == uint32_t(pol::PolicyKind::Predictive)) keep = d;
    }
    out.epoch_digest[e] = f.h;
    // the predictive plan is applied (the ALLOC reaches exactly the targets)
    uint32_t sum = 0;
    for (uint32_t k = 0; k < pol::kMaxPartitions; ++k) {
      ein.part[k].held = keep.target[k];
      sum += keep.target[k];
    }
    ein.free = uint16_t(ein.total - sum);
  }
}

}  // namespace shoal::predicttest
