// The allocation service's card port and queue I/O on the real card: the block drivers of
// firmware/dif behind service::CardPort and service::QueueIo.
#pragma once
#include "shoal/service/dispatch.hpp"

namespace shoal::fw {

class FwCard final : public service::CardPort {
 public:
  explicit FwCard(uint32_t fw_version) : fw_version_(fw_version) {}
  service::AllocResp alloc(uint64_t cmd) override;
  bool alloc_selfcheck_failed() override;
  uint32_t alloc_free(uint32_t type) override;
  uint32_t alloc_pool(uint32_t type) override;
  uint32_t alloc_held(uint32_t part, uint32_t type) override;
  bool alloc_set_pool(uint32_t, uint32_t) override { return false; }  // this ALLOC's pools are fixed
  service::DrrmCpl drrm(uint32_t op, uint32_t proc, uint32_t part, uint64_t mask, uint32_t base,
                        uint32_t size, uint32_t perm, uint32_t tag) override;
  void drrm_set_timeout(uint32_t cycles) override;
  uint32_t drrm_proc_state(uint32_t proc) override;
  uint32_t drrm_proc_part(uint32_t proc) override;
  bool wmu_configure(uint32_t window, uint32_t alpha) override;
  uint32_t wmu_window() override;
  uint32_t wmu_alpha() override;
  void wmu_thresholds(uint32_t part, uint32_t hi, uint32_t lo, bool enable) override;
  service::PartTelemetry wmu_part(uint32_t part) override;
  void wmu_proc(uint32_t proc, uint32_t* busy, uint32_t* mem, uint32_t* io) override;
  void audit_actor(uint32_t actor) override;
  void audit(const uint32_t words[5]) override;
  uint64_t now() override;
  uint32_t fw_version() override { return fw_version_; }

 private:
  uint32_t fw_version_;
};

class FwQueues final : public service::QueueIo {
 public:
  void init();  // picks up the rings where the block has them (a firmware restart keeps them)
  uint32_t pending() override;
  bool take(uint32_t q, uint32_t* sqe) override;
  uint32_t cq_free(uint32_t q) override;
  bool post(uint32_t q, const uint32_t* cqe) override;

 private:
  uint8_t sq_head_[service::Q] = {};
  uint8_t cq_tail_[service::Q] = {};
};

}  // namespace shoal::fw
