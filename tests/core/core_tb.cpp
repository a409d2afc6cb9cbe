// core_tb: run RV32 ELF programs on the Verilated Shoal core complex.
//
//   core_tb [--max-cycles N] [--signature] [--echo] [--expect-fail] ELF...
//
// Each program runs until it writes `tohost` (1 = pass; otherwise (test << 1) | 1 or the
// failing test number) or the cycle limit. --signature prints the words between the symbols
// begin_signature and end_signature ("SIG <name>" then one hex word per line) for differential
// testing. Exit status 0 when every program passed (or, with --expect-fail, every one failed).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core_sim.hpp"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "verilated.h"
#pragma GCC diagnostic pop

using namespace shoal::coresim;

int main(int argc, char** argv) {
  Verilated::commandArgs(1, argv);
  uint64_t max_cycles = 2'000'000;
  bool sig = false, echo = false, expect_fail = false, quiet = false;
  std::vector<std::string> elfs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--max-cycles" && i + 1 < argc) max_cycles = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--signature") sig = true;
    else if (a == "--echo") echo = true;
    else if (a == "--quiet") quiet = true;
    else if (a == "--expect-fail") expect_fail = true;
    else if (a == "-h" || a == "--help") {
      std::puts("usage: core_tb [--max-cycles N] [--signature] [--echo] [--quiet] [--expect-fail] ELF...");
      return 0;
    } else elfs.push_back(a);
  }
  if (elfs.empty()) {
    std::fprintf(stderr, "core_tb: no ELF given\n");
    return 2;
  }
  int bad = 0;
  CoreSim sim;
  sim.set_echo_console(echo);
  for (const auto& path : elfs) {
    ElfImage img;
    std::string err = load_elf(path, img);
    if (!err.empty()) {
      std::fprintf(stderr, "core_tb: %s\n", err.c_str());
      return 2;
    }
    if (!img.symbols.count("tohost")) {
      std::fprintf(stderr, "core_tb: %s has no tohost symbol\n", path.c_str());
      return 2;
    }
    sim.load(img);
    RunResult r = sim.run(max_cycles);
    bool ok = (r == RunResult::Pass) != expect_fail;
    if (r == RunResult::Timeout) ok = false;
    if (!ok) ++bad;
    if (!quiet || !ok) {
      const char* what = r == RunResult::Pass ? "PASS" : r == RunResult::Fail ? "FAIL" : "TIMEOUT";
      std::printf("%s %s (%llu cycles", what, path.c_str(), (unsigned long long)sim.cycles());
      if (r == RunResult::Fail) {
        uint32_t v = sim.tohost_value();
        std::printf(", tohost=0x%x, test %u", v, (v & 1) ? v >> 1 : v);
      }
      std::printf(")\n");
    }
    if (!sim.console().empty() && !echo && !quiet) std::printf("console: %s\n", sim.console().c_str());
    if (sig) {
      auto b = img.symbols.find("begin_signature"), e = img.symbols.find("end_signature");
      if (b == img.symbols.end() || e == img.symbols.end()) {
        std::fprintf(stderr, "core_tb: %s has no begin/end_signature\n", path.c_str());
        return 2;
      }
      std::printf("SIG %s\n", path.c_str());
      for (uint32_t a = b->second; a < e->second; a += 4) std::printf("%08x\n", sim.read_word(a));
    }
  }
  return bad ? 1 : 0;
}
