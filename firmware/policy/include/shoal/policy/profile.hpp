// Shoal policy: the task profile of one partition and one resource type, and its online
// forecasters (issue 15; seed 001's TaskProfile / UpdatePrediction / GetPredictedNeeds).
//
// A Profile holds, in fixed-size arrays and fixed-width integers only (no pointers, so its
// bytes are the same on the host and on the RV32 core):
//   - a bounded history at the sampling granularity (the WMU window: the last kFineLen samples)
//     and at a coarser one (the last kCoarseLen means of `coarse_factor` samples each);
//   - five online forecasters, all updated on every sample (continuous retraining):
//       0 last value (naive), 1 EWMA, 2 Holt (level + damped trend),
//       3 seasonal (additive, configurable period, phase by sample or by coarse bin),
//       4 AR(p) on the standardized series, fitted by recursive least squares (RLS);
//   - an online ensemble that weights the members by their recent absolute error, tracked at a
//     short horizon (1 step) and a long one (sel_long steps) and interpolated linearly in
//     between (weights ~ (e_min / e_i)^power at each horizon);
//   - an error-distribution tracker per planning window (the peak of the next w samples versus
//     the forecast peak) giving an upper bound at a configurable quantile;
//   - the ensemble's forecast path for horizons 1..kMaxHorizon (cached after each update).
//
// Every coefficient is fixed point (formats in fixed.hpp; the ProfileConfig fields below state
// format, range and default). Nothing here uses floating point, the heap or exceptions.
#pragma once
#include <stdint.h>

#include "shoal/policy/fixed.hpp"
#include "shoal/policy/status.hpp"

namespace shoal::policy {

inline constexpr unsigned kFineLen = 12;     // fine history (samples): the longest window
inline constexpr unsigned kCoarseLen = 8;    // coarse history (bins)
inline constexpr unsigned kMaxPeriod = 24;   // seasonal table entries
inline constexpr unsigned kMaxArOrder = 3;   // AR(p), p <= 3
inline constexpr unsigned kArTri = kMaxArOrder * (kMaxArOrder + 1) / 2;  // packed covariance
inline constexpr unsigned kMaxHorizon = 12;  // forecast path length (steps)
static_assert(kMaxHorizon <= kFineLen, "a window's actual peak comes from the fine history");
inline constexpr unsigned kMaxLong = 8;      // selector's long horizon, at most
static_assert(kMaxLong <= kFineLen, "the naive forecast sel_long ago comes from the fine history");
inline constexpr unsigned kMaxWindows = 3;   // tracked planning windows
inline constexpr unsigned kWindowRing = 16;  // sum of the tracked windows, at most
inline constexpr unsigned kMembers = 5;

enum Member : uint8_t { kNaive = 0, kEwma = 1, kHolt = 2, kSeasonal = 3, kAr = 4 };
inline constexpr uint8_t kAllMembers = 0x1F;

// Configuration of the profiles of one resource type. Q16 = uint32 0..65536 (1.0); Q8.24 =
// int32 with 2^24 = 1.0. configure() checks every range and fills the derived fields; a
// profile must only be used with a configuration that configure() accepted.
struct ProfileConfig {
  // EWMA: s += alpha (x - s). Q16, 1..65536. Default 0.3.
  uint32_t ewma_alpha = 19661;
  // Holt: L' = a x + (1-a)(L + phi T); T' = b (L' - L) + (1-b) phi T;
  //       forecast(h) = L' + (phi + ... + phi^h) T'. Q16 each: a, b 1..65536, phi 0..65536
  //       (65536 = undamped). Defaults 0.3, 0.05, 0.85.
  uint32_t holt_alpha = 19661;
  uint32_t holt_beta = 3277;
  uint32_t holt_phi = 55706;
  // Seasonal (additive): L' = L + a (x - S[i] - L); S[i] += g (x - L' - S[i]);
  //   forecast(h) = L' + S[phase of t+h]. period 0 = off, else 2..kMaxPeriod entries;
  //   season_coarse = 1: an entry is a coarse bin (coarse_factor samples), else one sample.
  //   a, g: Q16 1..65536. Defaults: period 0 (off), 0.1, 0.3.
  uint8_t season_period = 0;
  uint8_t season_coarse = 0;
  uint32_t season_alpha = 6554;
  uint32_t season_gamma = 19661;
  // AR(p) by RLS on z = (x - mu) / sd, mu and sd (mean absolute deviation) tracked by EWMA:
  //   order 0 = off, 1..kMaxArOrder; lambda (forgetting) Q16 32768..65535 (0.5 .. <1), default
  //   0.99 (memory ~100 samples); mean_alpha Q16 1..65536, default 1/32; p0 the initial
  //   covariance diagonal, Q8.24 in (0, kArPMax], default 4.0.
  uint8_t ar_order = 3;
  uint32_t ar_lambda = 64881;
  uint32_t ar_mean_alpha = 2048;
  int32_t ar_p0 = 4 << 24;
  // Coarse history: fine samples per coarse bin, 1..255. Default 12.
  uint8_t coarse_factor = 12;
  // Ensemble: members (bit i = member i) it may use (>= 1 of them); long horizon L
  //   2..kMaxLong (default 8); error EWMA rate Q16 1..65536 (default 1/16); weights ~
  //   (e_min / e_i)^power, power 1..4 (default 2); equal weights for the first `warmup`
  //   samples (0..255, default 8).
  uint8_t members = kAllMembers;
  uint8_t sel_long = 8;
  uint32_t sel_beta = 4096;
  uint8_t sel_power = 2;
  uint8_t warmup = 8;
  // Upper bound: peak + max(0, q), q tracking the tau-quantile of the peak error e (actual peak
  //   of the window minus its forecast) by the scale-adaptive quantile (pinball) gradient
  //   q += q_eta * s * (tau - [e <= q]), s = EWMA (rate q_beta) of |e|. tau Q16 32768..65535
  //   (0.5 .. <1), default 0.9; q_beta Q16 1..65536, default 1/16; q_eta Q16 1..65536, default
  //   0.2; q starts at q_init, Level (Q8.24 FS) in [-kQMax, kQMax], default 0.
  uint32_t quantile = 58982;
  uint32_t q_beta = 4096;
  uint32_t q_eta = 13107;
  int32_t q_init = 0;
  // Planning windows whose upper bound is tracked: nwindows 1..kMaxWindows, each 1..kMaxHorizon,
  //   strictly increasing, sum <= kWindowRing. Default {1, 3, 12}.
  uint8_t nwindows = 3;
  uint8_t windows[kMaxWindows] = {1, 3, 12};

  // ---- derived by configure() -----------------------------------------------------------
  int32_t ar_inv_lambda = 0;   // Q8.24, 1 / lambda
  uint32_t blend_step = 0;     // Q16, 1 / (sel_long - 1)
  uint8_t ring_off[kMaxWindows] = {0, 0, 0};  // where each window's ring starts
  uint8_t configured = 0;
};

inline constexpr int32_t kArPMax = 16 << 24;    // covariance diagonal bound (Q8.24)
inline constexpr int32_t kArZMax = 4 << 24;     // standardized values are clamped to +-4
inline constexpr int32_t kArThetaMax = 4 << 24; // AR coefficients are clamped to +-4
inline constexpr int32_t kArSdMin = 1 << 12;    // sd floor: 2^-12 FS (Level units)
inline constexpr int32_t kQMax = 1 << 24;       // quantile margins stay within +-1 FS

// Checks `c` and fills its derived fields. BadConfig (and `c` unchanged apart from
// `configured` = 0) when a field is out of range.
Status configure(ProfileConfig& c);

// What GetPredictedNeeds returns: Q0.16 fractions of the resource's full scale.
struct Needs {
  uint16_t point = 0;   // forecast peak over the window (the ensemble's path)
  uint16_t upper = 0;   // point + the tracked quantile margin (>= point)
  uint32_t samples = 0; // samples the profile has seen (0: no data, both are 0)
};

struct Profile {
  // ---- history --------------------------------------------------------------------------
  uint32_t n;                      // samples seen (saturates)
  uint16_t fine[kFineLen];         // Q0.16 samples, newest at fine_head
  uint16_t coarse[kCoarseLen];     // Q0.16 means of coarse_factor samples, newest at coarse_head
  uint32_t coarse_acc;             // sum of the current bin's samples
  uint8_t fine_head, coarse_head, coarse_cnt, coarse_fill;  // coarse_fill: bins held (<= kCoarseLen)
  // ---- members ------------------------------------------------------------------------
  int32_t ewma;                    // Level (Q8.24)
  int32_t holt_l, holt_t;          // Level
  int32_t sea_l;                   // Level
  int16_t sea_s[kMaxPeriod];       // Q1.15 FS (seasonal deviations, +-1 FS)
  uint8_t sea_phase, sea_sub;      // table entry of the next sample; its place in the coarse bin
  uint8_t sel_slot;                // ring slot of the long-horizon pending forecasts
  uint8_t pad0;
  int32_t ar_mu, ar_sd;            // Level
  int32_t ar_theta[kMaxArOrder];   // Q8.24
  int32_t ar_p[kArTri];            // Q8.24, packed upper triangle of the covariance
  // ---- ensemble -----------------------------------------------------------------------
  int32_t err_s[kMembers];         // Level: EWMA |error| at horizon 1
  int32_t err_l[kMembers];         // Level: EWMA |error| at horizon sel_long
  uint16_t pend_s[kMembers];       // each member's forecast of the next sample
  uint16_t pend_l[kMembers - 1][kMaxLong];  // members 1..4: forecasts sel_long ahead (ring)
  uint16_t path[kMaxHorizon];      // the ensemble's forecast of t+1 .. t+kMaxHorizon
  // ---- upper-bound trackers (one per planning window) -------------------------------------
  uint16_t q_pend[kWindowRing];    // forecast peaks, ring of w entries per window
  uint8_t q_slot[kMaxWindows];
  uint8_t pad1;
  int32_t q_scale[kMaxWindows];    // Level: EWMA |peak error|
  int32_t q_m[kMaxWindows];        // Level: the quantile margin
};

// Starts a profile empty (no history, members at rest).
void profile_reset(Profile& p, const ProfileConfig& c);
// One sample (Q0.16 of full scale): scores the pending forecasts, updates every member, the
// history, the ensemble weights and the trackers, and recomputes the forecast path.
void profile_update(Profile& p, const ProfileConfig& c, uint16_t sample);
// GetPredictedNeeds over the next `window` samples (1..kMaxHorizon; BadWindow otherwise).
// The margin comes from the smallest tracked window >= `window` (the largest if none).
Status profile_needs(const Profile& p, const ProfileConfig& c, uint32_t window, Needs& out);

// ---- inspection (tests and the benchmark; also cheap enough for the firmware) ------------
// Each member's forecast path, out[m][h-1] = forecast of t+h (Q0.16), h = 1..kMaxHorizon.
void member_paths(const Profile& p, const ProfileConfig& c, uint16_t out[kMembers][kMaxHorizon]);
// The ensemble weights (Q16, summing to 65536) at horizon h (1..kMaxHorizon).
void ensemble_weights(const Profile& p, const ProfileConfig& c, uint32_t h, uint32_t w[kMembers]);
// The i-th most recent fine sample / coarse bin (0 = newest); 0 when not held.
uint16_t fine_at(const Profile& p, uint32_t age);
uint16_t coarse_at(const Profile& p, uint32_t age);
uint32_t fine_held(const Profile& p);
uint32_t coarse_held(const Profile& p);

}  // namespace shoal::policy
