// Host side of the on-core trust program (fw/trust_verify.cpp): builds a job block, writes it
// into the downloaded image's data RAM through the core block's download registers (the core
// held in reset), runs the core and parses the CASE lines. Shared by test_oncore.cpp and
// bench/trust.
#pragma once
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "core_sim.hpp"
#include "oncore_rig.hpp"
#include "verify_job.h"

namespace shoal::trusttest {

struct OncoreResult {
  uint32_t kind = 0;
  uint32_t status = 0;  // VerifyStatus, or the first 4 SHA-512 digest bytes (big-endian)
  uint64_t cycles = 0;
  uint32_t stack = 0;
};

// The CASE lines of a finished run; "" or what is wrong.
inline std::string parse_cases(const std::string& console, uint32_t count, std::vector<OncoreResult>& out) {
  if (console.find("RESULT DONE") == std::string::npos) return "the program reported a failure";
  std::istringstream in(console);
  std::string line;
  out.clear();
  while (std::getline(in, line)) {
    unsigned idx = 0, kind = 0, stack = 0;
    unsigned long long cyc = 0;
    char st[16] = {0};
    if (std::sscanf(line.c_str(), "CASE %u kind=%u status=%15s cycles=%llu stack=%u", &idx, &kind, st, &cyc,
                    &stack) == 5) {
      OncoreResult r;
      r.kind = kind;
      r.status = uint32_t(std::strtoul(st, nullptr, kind == SHOAL_TRUST_SHA512 ? 16 : 10));
      r.cycles = cyc;
      r.stack = stack;
      if (idx != out.size()) return "CASE lines out of order";
      out.push_back(r);
    }
  }
  if (out.size() != count) return "expected " + std::to_string(count) + " CASE lines";
  return "";
}

// Runs `job` on a fresh core block (the card configuration); returns "" or why not. `console`
// receives the output.
inline std::string run_oncore(const std::string& elf, const ShoalTrustJob& job, uint64_t max_cycles,
                              std::vector<OncoreResult>& out, std::string& console,
                              uint64_t* total_cycles = nullptr) {
  shoal::coresim::ElfImage img;
  std::string err = shoal::coresim::load_elf(elf, img);
  if (!err.empty()) return err;
  auto sym = img.symbols.find("shoal_trust_job");
  if (sym == img.symbols.end()) return elf + ": no shoal_trust_job symbol";
  shoal::rtostest::BlockRig rig;
  err = rig.load(elf, false);
  if (!err.empty()) return err;
  std::vector<uint8_t> bytes(sizeof job);
  std::memcpy(bytes.data(), &job, sizeof job);
  if (!rig.wr(SHOAL_CORE_LOAD_ADDR_OFFSET, sym->second)) return "LOAD_ADDR refused";
  for (size_t i = 0; i < bytes.size(); i += 4) {
    uint32_t w = 0;
    std::memcpy(&w, bytes.data() + i, 4);
    if (!rig.wr(SHOAL_CORE_LOAD_DATA_OFFSET, w)) return "LOAD_DATA refused (job block)";
  }
  if (!rig.release()) return "CTRL refused";
  const bool done = rig.run_until("RESULT", max_cycles);
  rig.run(2000);
  console = rig.console();
  if (total_cycles) *total_cycles = rig.cycles();
  if (!done) return "the program did not finish within " + std::to_string(max_cycles) + " cycles";
  return parse_cases(console, job.count, out);
}

// The same on the core-complex harness (CoreSim, 64 KiB + 64 KiB): the job is patched into
// the ELF's data segment before the download.
inline std::string run_coresim(const std::string& elf, const ShoalTrustJob& job, uint64_t max_cycles,
                               std::vector<OncoreResult>& out, std::string& console) {
  shoal::coresim::ElfImage img;
  std::string err = shoal::coresim::load_elf(elf, img);
  if (!err.empty()) return err;
  auto sym = img.symbols.find("shoal_trust_job");
  if (sym == img.symbols.end()) return elf + ": no shoal_trust_job symbol";
  bool patched = false;
  for (auto& seg : img.segments) {
    if (sym->second >= seg.addr && sym->second + sizeof job <= seg.addr + seg.bytes.size()) {
      std::memcpy(seg.bytes.data() + (sym->second - seg.addr), &job, sizeof job);
      patched = true;
    }
  }
  if (!patched) return "shoal_trust_job is not inside a loaded segment";
  shoal::coresim::CoreSim sim;
  err = sim.load(img);
  if (!err.empty()) return err;
  const auto rr = sim.run(max_cycles);
  console = sim.console();
  if (rr == shoal::coresim::RunResult::Timeout) return "the program did not finish within " + std::to_string(max_cycles) + " cycles";
  return parse_cases(console, job.count, out);
}

}  // namespace shoal::trusttest
