// Shoal policy: status codes of the policy library (freestanding).
#pragma once
#include <stdint.h>

namespace shoal::policy {

enum class Status : uint8_t {
  Ok = 0,
  BadConfig = 1,     // a configuration field out of its stated range (nothing changed)
  BadPartition = 2,  // partition index >= kMaxPartitions
  BadType = 3,       // resource type >= kNumTypes
  BadWindow = 4,     // window 0 or > kMaxHorizon
  BadInput = 5,      // decide(): inconsistent epoch input (the decision holds every partition)
  NoPredictor = 6,   // decide(): the predictive policy without a predictor
};

inline constexpr const char* status_name(Status s) {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::BadConfig: return "bad-config";
    case Status::BadPartition: return "bad-partition";
    case Status::BadType: return "bad-type";
    case Status::BadWindow: return "bad-window";
    case Status::BadInput: return "bad-input";
    case Status::NoPredictor: return "no-predictor";
  }
  return "?";
}

}  // namespace shoal::policy
