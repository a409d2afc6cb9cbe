// Shoal soft core: C++ harness around the Verilated core complex (shoal_core_complex).
// Loads an RV32 ELF through the complex's host download port, runs the core, watches the
// `tohost` word, captures the console and models a small card-register-bus slave.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

class Vshoal_core_complex;

namespace shoal::coresim {

struct ElfSegment {
  uint32_t addr = 0;
  std::vector<uint8_t> bytes;  // file bytes followed by zeros up to memsz
};

struct ElfImage {
  uint32_t entry = 0;
  std::vector<ElfSegment> segments;
  std::map<std::string, uint32_t> symbols;
};

// Parses an ELF32 little-endian RISC-V executable; returns an error string on failure.
std::string load_elf(const std::string& path, ElfImage& out);

enum class RunResult { Pass, Fail, Timeout };

class CoreSim {
 public:
  CoreSim();
  ~CoreSim();
  CoreSim(const CoreSim&) = delete;
  CoreSim& operator=(const CoreSim&) = delete;

  // Holds the core in reset, downloads the image, releases the core. Returns "" or an error.
  std::string load(const ElfImage& img);
  // Runs until tohost is written (non-zero) or max_cycles pass.
  RunResult run(uint64_t max_cycles);
  uint32_t tohost_value() const { return tohost_; }
  uint64_t cycles() const { return cycles_; }
  void step();

  uint32_t read_word(uint32_t addr) const;  // DRAM backdoor (0 outside)
  const std::string& console() const { return console_; }
  void set_echo_console(bool on) { echo_ = on; }

  // card-bus slave model: writes to BusIrqOffset drive irq_src_i; BusErrOffset answers err
  static constexpr uint32_t kBusIrqOffset = 0xFFF0;
  static constexpr uint32_t kBusErrOffset = 0xFFFC;
  uint64_t bus_requests() const { return bus_requests_; }

 private:
  void tick();
  std::unique_ptr<Vshoal_core_complex> top_;
  uint32_t tohost_addr_ = 0;
  bool have_tohost_ = false;
  uint32_t tohost_ = 0;
  uint64_t cycles_ = 0;
  std::string console_;
  bool echo_ = false;
  // bus slave
  std::map<uint32_t, uint32_t> bus_regs_;
  int bus_wait_ = -1;
  uint32_t bus_rdata_ = 0;
  bool bus_err_ = false;
  uint64_t bus_requests_ = 0;
};

}  // namespace shoal::coresim
