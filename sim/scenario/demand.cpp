// Demand curves (demand.hpp).
#include "demand.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace shoal::scenario {
namespace {

constexpr double kPi = 3.14159265358979323846;

double phases_at(const std::vector<std::pair<double, double>>& pts, double t) {
  if (pts.empty()) return 0;
  if (t <= pts.front().first) return pts.front().second;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    if (t < pts[i].first) {
      const auto& a = pts[i - 1];
      const auto& b = pts[i];
      return a.second + (b.second - a.second) * (t - a.first) / (b.first - a.first);
    }
  }
  return pts.back().second;
}

}  // namespace

std::vector<double> Demand::sample(uint64_t seed, uint32_t stream, uint32_t steps, uint32_t ticks) const {
  const uint32_t n = steps * ticks;
  std::vector<double> out(n, 0.0);
  // one generator per partition and component: adding a component elsewhere changes nothing here
  for (std::size_t c = 0; c < parts.size(); ++c) {
    const DemandComponent& d = parts[c];
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + (uint64_t(stream) << 20) + c);
    std::vector<double> per_step(steps, 0.0);
    if (d.kind == DemandComponent::Kind::Bursts) {
      std::uniform_real_distribution<double> u(0.0, 1.0);
      uint32_t left = 0;
      for (uint32_t s = 0; s < steps; ++s) {
        const bool inside = s >= d.from && s < d.to;
        const double draw = u(rng);  // drawn every step, so the window does not shift the draws
        if (left == 0 && inside && d.every > 0 && draw < 1.0 / d.every) left = d.length;
        if (left > 0) {
          per_step[s] = d.height;
          --left;
        }
      }
    } else if (d.kind == DemandComponent::Kind::Noise) {
      std::normal_distribution<double> g(0.0, d.sigma > 0 ? d.sigma : 1.0);
      for (uint32_t s = 0; s < steps; ++s) {
        const double v = g(rng);
        per_step[s] = (s >= d.from && s < d.to && d.sigma > 0) ? v : 0.0;
      }
    }
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t s = i / ticks;
      const double t = double(i) / ticks;  // fractional step: ramps move within a step
      double v = 0;
      switch (d.kind) {
        case DemandComponent::Kind::Constant: v = d.level; break;
        case DemandComponent::Kind::Phases: v = phases_at(d.points, t); break;
        case DemandComponent::Kind::Periodic: {
          const double x = std::fmod(t + d.phase, d.period) / d.period;  // 0..1
          const double w = d.square ? (x < d.duty ? 1.0 : 0.0) : 0.5 - 0.5 * std::cos(2 * kPi * x);
          v = d.low + (d.high - d.low) * w;
          break;
        }
        case DemandComponent::Kind::Bursts:
        case DemandComponent::Kind::Noise: v = per_step[s]; break;
        case DemandComponent::Kind::Trace: {
          const std::size_t row = (d.offset + s / d.steps_per_row) % d.series.size();
          v = d.series[row] / 100.0 * d.scale;
          break;
        }
      }
      out[i] += v;
    }
  }
  for (double& v : out) v = std::max(0.0, v);
  return out;
}

}  // namespace shoal::scenario
