// Shoal policy: the predictor (predictor.hpp). Freestanding C++17, fixed point.
#include "shoal/policy/predictor.hpp"

namespace shoal::policy {

Status Predictor::set_config(uint32_t type, const ProfileConfig& c, uint16_t full_scale_units) {
  if (type >= kNumTypes) return Status::BadType;
  if (full_scale_units == 0) return Status::BadConfig;
  ProfileConfig t = c;
  const Status s = configure(t);
  if (s != Status::Ok) return s;
  cfg[type] = t;
  full_scale[type] = full_scale_units;
  for (uint32_t k = 0; k < kMaxPartitions; ++k) profile_reset(prof[k][type], cfg[type]);
  return Status::Ok;
}

Status Predictor::reset(uint32_t part) {
  if (part >= kMaxPartitions) return Status::BadPartition;
  for (uint32_t t = 0; t < kNumTypes; ++t) profile_reset(prof[part][t], cfg[t]);
  return Status::Ok;
}

Status Predictor::update(uint32_t part, uint32_t type, uint16_t sample) {
  if (part >= kMaxPartitions) return Status::BadPartition;
  if (type >= kNumTypes) return Status::BadType;
  if (!cfg[type].configured) return Status::BadConfig;
  profile_update(prof[part][type], cfg[type], sample);
  return Status::Ok;
}

Status Predictor::get_predicted_needs(uint32_t part, uint32_t type, uint32_t window, Needs& out) const {
  if (part >= kMaxPartitions) return Status::BadPartition;
  if (type >= kNumTypes) return Status::BadType;
  if (!cfg[type].configured) return Status::BadConfig;
  return profile_needs(prof[part][type], cfg[type], window, out);
}

Status Predictor::predicted_units(uint32_t part, uint32_t type, uint32_t window, uint16_t& point,
                                  uint16_t& upper) const {
  Needs n;
  const Status s = get_predicted_needs(part, type, window, n);
  if (s != Status::Ok) return s;
  point = units_of(n.point, full_scale[type]);
  upper = units_of(n.upper, full_scale[type]);
  return Status::Ok;
}

Status Predictor::analyze(uint32_t part, uint32_t window, uint8_t prio, RequestVector& out) const {
  if (part >= kMaxPartitions) return Status::BadPartition;
  if (prio > 15) return Status::BadConfig;
  uint16_t u[kNumTypes];
  bool any = false;
  for (uint32_t t = 0; t < kNumTypes; ++t) {
    Needs n;
    const Status s = get_predicted_needs(part, t, window, n);
    if (s != Status::Ok) return s;
    u[t] = units_of(n.upper, full_scale[t]);
    any = any || n.samples != 0;
  }
  out.cpu = u[kCpu];
  out.mem = u[kMem];
  out.io = u[kIo];
  out.prio = prio;
  out.valid = any ? 1 : 0;
  return Status::Ok;
}

Status predictor_init(Predictor& p, uint16_t cpu_units, uint16_t mem_units, uint16_t io_units) {
  const ProfileConfig c;
  const uint16_t fs[kNumTypes] = {cpu_units, mem_units, io_units};
  for (uint32_t t = 0; t < kNumTypes; ++t) {
    const Status s = p.set_config(t, c, fs[t]);
    if (s != Status::Ok) return s;
  }
  return Status::Ok;
}

uint16_t cpu_sample(uint16_t util, uint32_t held, uint32_t full_scale) {
  if (full_scale == 0) return 0;
  // util * held / full_scale, Q0.16; util * held < 2^16 * 2^16 fits 32 bits for held < 65536
  const uint32_t h = held > 0xFFFFu ? 0xFFFFu : held;
  const uint32_t v = (uint32_t(util) * h + full_scale / 2u) / full_scale;
  return uint16_t(v > 0xFFFFu ? 0xFFFFu : v);
}

uint16_t units_of(uint16_t fraction, uint16_t full_scale) {
  // ceil(fraction * full_scale / 65536); 0xFFFF counts as the whole full scale
  if (fraction == 0xFFFF) return full_scale;
  return uint16_t((uint32_t(fraction) * full_scale + 0xFFFFu) >> 16);
}

}  // namespace shoal::policy
