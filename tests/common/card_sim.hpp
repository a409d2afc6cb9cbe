// A co-simulated card for tests that talk to its firmware: starts the real shoal-sim (the
// Verilated card booting the default firmware), waits until the allocation service is up,
// opens it with libshoal, and builds and sends commands (shoal/proto.h).
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "shoal/proto.h"
#include "shoal/proto_check.h"
#include "shoal/regs.h"
#include "shoal/shoal.h"
#include "sim_process.hpp"
#include "temp_dir.hpp"

namespace shoal::test {

using Words = std::array<std::uint32_t, SHOAL_PROTO_ENTRY_WORDS>;

// A command being built: the opcode and its current version set, every other word 0.
struct Cmd {
  Words w{};
  explicit Cmd(std::uint32_t op) {
    SHOAL_SET(w.data(), SHOAL_SQE_OPCODE, op);
    const shoal_proto_cmd* c = shoal_proto_find(op);
    SHOAL_SET(w.data(), SHOAL_SQE_VERSION, c ? c->version : 1u);
  }
};
#define CSET(cmd, F, v) SHOAL_SET((cmd).w.data(), F, (v))
#define CSET_I(cmd, F, i, v) SHOAL_SET_I((cmd).w.data(), F, i, (v))

inline std::uint32_t status_of(const Words& c) { return SHOAL_GET(c.data(), SHOAL_CQE_STATUS); }
inline std::string status_name(std::uint32_t s) {
  const char* n = shoal_proto_status_name(s);
  return n ? n : "status " + std::to_string(s);
}

inline std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CardSim {
 public:
  explicit CardSim(std::vector<std::string> extra = {}) : proc_(SHOAL_SIM_BIN, args(sock_, std::move(extra)), log_) {
    INFO("shoal-sim stderr:\n" << slurp(log_));
    REQUIRE(proc_.wait_for_line("shoal-sim: listening on sim:" + sock_));
    INFO("shoal-sim stdout:\n" << proc_.output());
    REQUIRE(proc_.wait_for_line("allocation service up", 180000));
    REQUIRE(shoal_open(uri().c_str(), &dev_) == SHOAL_OK);
  }
  ~CardSim() {
    for (auto& [k, q] : queues_) shoal_queue_close(q);
    shoal_close(dev_);
  }
  CardSim(const CardSim&) = delete;
  CardSim& operator=(const CardSim&) = delete;

  std::string uri() const { return "sim:" + sock_; }
  shoal_dev* dev() { return dev_; }
  sim::testing::SimProcess& proc() { return proc_; }
  TempDir& dir() { return dir_; }

  shoal_queue* queue(std::uint32_t q) {
    auto it = queues_.find(q);
    if (it != queues_.end()) return it->second;
    shoal_queue* h = nullptr;
    INFO(shoal_last_error());
    REQUIRE(shoal_queue_open(dev_, q, &h) == SHOAL_OK);
    queues_[q] = h;
    return h;
  }
  shoal_queue* admin() { return queue(SHOAL_QUEUE_ADMIN); }

  // Sends one command on queue q and returns its completion (the test fails on no completion).
  Words call(std::uint32_t q, const Cmd& c, std::uint32_t timeout_ms = 60000) {
    Words out{};
    const int rc = shoal_queue_call(queue(q), c.w.data(), out.data(), timeout_ms);
    INFO("queue " << q << " opcode " << SHOAL_GET(c.w.data(), SHOAL_SQE_OPCODE) << ": " << shoal_last_error());
    REQUIRE(rc == SHOAL_OK);
    return out;
  }
  Words admin_call(const Cmd& c) { return call(SHOAL_QUEUE_ADMIN, c); }

  // Only explicit commands move units (the default policy, REACTIVE, takes processors from idle
  // partitions on its own): for tests that count holdings.
  void static_policy() {
    Cmd c(SHOAL_OP_POLICY_SET);
    CSET(c, SHOAL_OP_POLICY_SET_POLICY, SHOAL_OP_POLICY_SET_POLICY_STATIC);
    CSET(c, SHOAL_OP_POLICY_SET_EPOCH_WINDOWS, 1);
    CSET(c, SHOAL_OP_POLICY_SET_ALPHA, 3);
    REQUIRE(status_of(admin_call(c)) == SHOAL_ST_OK);
  }

  std::uint32_t rd(std::uint32_t off) {
    std::uint32_t v = 0;
    REQUIRE(shoal_reg_read32(dev_, off, &v) == SHOAL_OK);
    return v;
  }

  // convenience: the partition's CPU grant in the ALLOC and the processors the DRRM maps to it
  std::uint32_t alloc_held(std::uint32_t p, std::uint32_t t) {
    return (rd(SHOAL_ALLOC_PART_STATE_ADDR_N(p * 8 + t)) & SHOAL_ALLOC_PART_STATE_ALLOC_MASK) >>
           SHOAL_ALLOC_PART_STATE_ALLOC_LSB;
  }
  std::uint32_t drrm_mapped(std::uint32_t p) {
    std::uint32_t n = 0;
    for (std::uint32_t x = 0; x < SHOAL_PARAM_NUM_PROCESSORS; ++x) {
      const std::uint32_t v = rd(SHOAL_DRRM_PROC_ADDR_N(x));
      const std::uint32_t st = (v & SHOAL_DRRM_PROC_STATE_MASK) >> SHOAL_DRRM_PROC_STATE_LSB;
      const std::uint32_t part = (v & SHOAL_DRRM_PROC_PART_MASK) >> SHOAL_DRRM_PROC_PART_LSB;
      n += st == SHOAL_DRRM_PROC_STATE_RUNNING && part == p;
    }
    return n;
  }

 private:
  static std::vector<std::string> args(const std::string& s, std::vector<std::string> extra) {
    std::vector<std::string> a{"--socket", s, "--quiet"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  TempDir dir_;
  std::string sock_ = dir_.file("card.sock");
  std::string log_ = dir_.file("shoal-sim.log");
  sim::testing::SimProcess proc_;
  shoal_dev* dev_ = nullptr;
  std::map<std::uint32_t, shoal_queue*> queues_;
};

}  // namespace shoal::test
