// End to end, soft core: shoal-sim boots the default firmware image (its console banner shows
// on shoal-sim's stdout), `shoalctl fw load` downloads an ELF through the sim: transport and
// it runs, and bad images (too big, not RV32, not ELF, ...) are refused with a clear error, a
// non-zero exit and the core untouched.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "shoal/regs.h"
#include "shoal/shoal.h"
#include "sim_process.hpp"

using shoal::sim::testing::SimProcess;
namespace fs = std::filesystem;

namespace {

const std::string kSimBin = SHOAL_SIM_BIN;
const std::string kCtlBin = SHOALCTL_BIN;
const std::string kTestElf = SHOAL_FW_TEST_ELF;  // prints "downloaded ok" on the console
const std::string kDefaultElf = SHOAL_FW_DEFAULT_ELF;

using shoal::test::TempDir;

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void spit(const std::string& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

struct Sim {
  TempDir dir;
  std::string sock = dir.file("card.sock");
  std::string log = dir.file("shoal-sim.log");
  SimProcess proc;
  explicit Sim(std::vector<std::string> extra = {}) : proc(kSimBin, args(sock, std::move(extra)), log) {
    INFO("shoal-sim stderr:\n" << slurp(log));
    REQUIRE(proc.wait_for_line("shoal-sim: listening on sim:" + sock));
  }
  static std::vector<std::string> args(const std::string& s, std::vector<std::string> extra) {
    std::vector<std::string> a{"--socket", s};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::string uri() const { return "sim:" + sock; }
};

struct RunResult {
  int status = -1;
  std::string out, err;
};

// Runs shoalctl to completion, stdout and stderr captured.
RunResult ctl(const std::vector<std::string>& args, const TempDir& dir) {
  const std::string err_path = dir.file("shoalctl.err");
  std::error_code ec;
  fs::remove(err_path, ec);
  SimProcess p(kCtlBin, args, err_path);
  p.wait_for_line("\x01never\x01", 120000);  // reads stdout to EOF
  auto st = p.wait_exit(120000);
  RunResult r;
  r.status = st && WIFEXITED(*st) ? WEXITSTATUS(*st) : -1;
  r.out = p.output();
  r.err = slurp(err_path);
  return r;
}

struct CoreRegs {
  uint32_t ctrl = 0, status = 0, load_count = 0, load_addr = 0;
  bool operator==(const CoreRegs&) const = default;
};

CoreRegs core_regs(shoal_dev* dev) {
  CoreRegs r;
  REQUIRE(shoal_reg_read32(dev, SHOAL_CORE_CTRL_ADDR, &r.ctrl) == SHOAL_OK);
  REQUIRE(shoal_reg_read32(dev, SHOAL_CORE_STATUS_ADDR, &r.status) == SHOAL_OK);
  REQUIRE(shoal_reg_read32(dev, SHOAL_CORE_LOAD_COUNT_ADDR, &r.load_count) == SHOAL_OK);
  REQUIRE(shoal_reg_read32(dev, SHOAL_CORE_LOAD_ADDR_ADDR, &r.load_addr) == SHOAL_OK);
  return r;
}

// ELF32 header fields we patch to build bad images from a good one.
void put16(std::string& f, size_t at, uint16_t v) {
  f[at] = char(v & 0xff);
  f[at + 1] = char(v >> 8);
}
void put32(std::string& f, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) f[at + i] = char((v >> (8 * i)) & 0xff);
}
uint32_t get32(const std::string& f, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(uint8_t(f[at + i])) << (8 * i);
  return v;
}
uint16_t get16(const std::string& f, size_t at) {
  return uint16_t(uint8_t(f[at]) | (uint8_t(f[at + 1]) << 8));
}
// Offset of the program header of the first PT_LOAD segment.
size_t first_load_ph(const std::string& f) {
  const uint32_t phoff = get32(f, 28);
  const uint16_t phentsize = get16(f, 42), phnum = get16(f, 44);
  for (uint16_t i = 0; i < phnum; ++i) {
    const size_t ph = phoff + size_t(i) * phentsize;
    if (get32(f, ph) == 1) return ph;
  }
  FAIL("no PT_LOAD in the test ELF");
  return 0;
}

// Waits until `needle` appears in the process's stdout at or after byte `from`.
bool wait_after(SimProcess& p, const std::string& needle, size_t from, int timeout_ms = 60000) {
  for (int waited = 0; waited < timeout_ms; waited += 100) {
    if (p.output().find(needle, from) != std::string::npos) return true;
    p.wait_for_line("\x01never\x01", 100);  // reads whatever arrives for 100 ms
  }
  return p.output().find(needle, from) != std::string::npos;
}

}  // namespace

TEST_CASE("shoal-sim boots the default firmware and prints its console with a prefix", "[fw]") {
  Sim sim;
  INFO("shoal-sim stdout:\n" << sim.proc.output());
  REQUIRE(sim.proc.wait_for_line("[fw] shoal fw: hello from hart 0, misa=40001100", 120000));
  REQUIRE(sim.proc.wait_for_line("[fw] shoal fw: card ctrl.MAGIC = 53484f4c", 120000));
  REQUIRE(sim.proc.wait_for_line("[fw] shoal fw: rtos running, 3 timer ticks, 3 tasks", 120000));

  // shoalctl sees the core block, running from the build-time image (nothing downloaded)
  const auto info = ctl({"-d", sim.uri(), "info"}, sim.dir);
  INFO(info.err);
  REQUIRE(info.status == 0);
  CHECK(info.out.find("core   present") != std::string::npos);
  CHECK(info.out.find("soft core:") != std::string::npos);
  const auto st = ctl({"-d", sim.uri(), "fw", "status"}, sim.dir);
  REQUIRE(st.status == 0);
  CHECK(st.out.find("running") != std::string::npos);
  CHECK(st.out.find("LOAD_COUNT       0 words") != std::string::npos);
  // the RTOS image reports itself through the core block's FW_* / WDOG_* registers
  CHECK(info.out.find("firmware         0.5.0 (RTOS image)") != std::string::npos);
  CHECK(info.out.find("tasks            3 (scheduler running)") != std::string::npos);
  CHECK(info.out.find("last fault       none") != std::string::npos);
  // the allocation service answers SERVICE_STATUS on the admin queue (docs/service.md)
  CHECK(info.out.find("allocation service:") != std::string::npos);
  const auto ij = ctl({"-d", sim.uri(), "--json", "info"}, sim.dir);
  REQUIRE(ij.status == 0);
  const auto svc = ij.out.find("\"service\": {");
  REQUIRE(svc != std::string::npos);
  CHECK(ij.out.find("\"state\": \"running\"", svc) != std::string::npos);
  CHECK(ij.out.find("\"policy\": \"REACTIVE\"", svc) != std::string::npos);
  CHECK(ij.out.find("\"fault\": \"none\"", svc) != std::string::npos);
  CHECK(st.out.find("watchdog         on, timeout 4000000 cycles") != std::string::npos);
  CHECK(st.out.find("EXPIRED") == std::string::npos);
  const auto js = ctl({"-d", sim.uri(), "--json", "fw", "status"}, sim.dir);
  REQUIRE(js.status == 0);
  CHECK(js.out.find("\"fw_version\": 16778496") != std::string::npos);  // 0x01000500
  CHECK(js.out.find("\"task_count\": 3") != std::string::npos);
  CHECK(js.out.find("\"expired\": false") != std::string::npos);
  CHECK(js.out.find("\"uptime_ticks\": 0,") == std::string::npos);  // the heartbeat moved
  REQUIRE(sim.proc.stop().has_value());
}

TEST_CASE("--no-console keeps the firmware's lines off stdout", "[fw]") {
  Sim sim({"--no-console", "--max-cycles", "200000"});
  const auto st = sim.proc.wait_exit(120000);
  REQUIRE(st.has_value());
  sim.proc.wait_for_line("\x01never\x01", 1000);
  CHECK(sim.proc.output().find("[fw]") == std::string::npos);
}

TEST_CASE("shoalctl fw load downloads an ELF through shoal-sim and it runs", "[fw]") {
  Sim sim;
  REQUIRE(sim.proc.wait_for_line("[fw] shoal fw: stack unused", 120000));
  const auto r = ctl({"-d", sim.uri(), "fw", "load", kTestElf}, sim.dir);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("loaded " + kTestElf) != std::string::npos);
  // stdout is a pipe here: no progress bar
  CHECK(r.err.find("[###") == std::string::npos);
  INFO("shoal-sim stdout:\n" << sim.proc.output());
  REQUIRE(sim.proc.wait_for_line("[fw] downloaded ok", 60000));
  // --json fw load prints JSON too (issue 11, item 3)
  const auto j = ctl({"-d", sim.uri(), "--json", "fw", "load", kTestElf}, sim.dir);
  INFO("stdout: " << j.out << "\nstderr: " << j.err);
  REQUIRE(j.status == 0);
  CHECK(j.out.rfind("{", 0) == 0);
  CHECK(j.out.find("\"loaded\": \"" + kTestElf + "\"") != std::string::npos);
  CHECK(j.out.find("\"load_count\": ") != std::string::npos);
  CHECK(j.out.find("\"firmware\": {") != std::string::npos);
  // a firmware without the allocation service: info says the service does not answer
  const auto ni = ctl({"-d", sim.uri(), "--json", "info"}, sim.dir);
  REQUIRE(ni.status == 0);
  const auto nsvc = ni.out.find("\"service\": {");
  REQUIRE(nsvc != std::string::npos);
  CHECK(ni.out.find("\"state\": \"not answering", nsvc) != std::string::npos);

  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open(sim.uri().c_str(), &dev) == SHOAL_OK);
  shoal_fw_state fs{};
  SHOAL_INIT(fs);
  REQUIRE(shoal_fw_status(dev, &fs) == SHOAL_OK);
  CHECK(fs.in_reset == 0);
  CHECK(fs.running == 1);
  CHECK(fs.load_count > 0);
  CHECK(fs.iram_base == SHOAL_CORE_IRAM_BASE_RESET);

  // the library entry point, with progress: the default image again, the banner comes back
  struct Progress {
    uint64_t calls = 0, last = 0, total = 0;
  } pr;
  auto cb = [](void* ctx, uint64_t done, uint64_t total) {
    auto* p = static_cast<Progress*>(ctx);
    ++p->calls;
    REQUIRE(done >= p->last);
    p->last = done;
    p->total = total;
  };
  const size_t before = sim.proc.output().size();
  REQUIRE(shoal_fw_load(dev, kDefaultElf.c_str(), cb, &pr) == SHOAL_OK);
  CHECK(pr.calls >= 2);
  CHECK(pr.last == pr.total);
  CHECK(pr.total > 0);
  REQUIRE(shoal_fw_status(dev, &fs) == SHOAL_OK);
  CHECK(uint64_t(fs.load_count) * 4 == pr.total);
  CHECK(wait_after(sim.proc, "[fw] shoal fw: hello from hart 0", before));
  CHECK(wait_after(sim.proc, "[fw] shoal fw: stack unused", before));
  shoal_close(dev);
}

TEST_CASE("bad firmware images are refused before the card is touched", "[fw]") {
  Sim sim;
  TempDir dir;
  REQUIRE(sim.proc.wait_for_line("[fw] shoal fw: stack unused", 120000));
  // a known, non-reset state first: the test image downloaded (LOAD_COUNT > 0)
  REQUIRE(ctl({"-d", sim.uri(), "fw", "load", kTestElf}, dir).status == 0);
  REQUIRE(sim.proc.wait_for_line("[fw] downloaded ok", 60000));

  const std::string good = slurp(kTestElf);
  REQUIRE(good.size() > 52);
  const size_t ph = first_load_ph(good);

  struct Case {
    const char* name;
    std::string path;
    const char* message;  // part of the error text
  };
  std::vector<Case> cases;
  cases.push_back({"x86-64 ELF", "/bin/true", "not a 32-bit ELF"});
  const std::string text = dir.file("notes.txt");
  spit(text, "this is not firmware\n");
  cases.push_back({"text file", text, "not an ELF file"});
  const std::string empty = dir.file("empty.elf");
  spit(empty, "");
  cases.push_back({"empty file", empty, "not an ELF file"});
  cases.push_back({"missing file", dir.file("nope.elf"), "cannot open"});
  {
    std::string f = good;
    put16(f, 18, 62);  // EM_X86_64 in an ELF32
    const std::string p = dir.file("x86.elf");
    spit(p, f);
    cases.push_back({"ELF32 for another machine", p, "not a RISC-V ELF"});
  }
  {
    std::string f = good;
    f[5] = 2;  // big-endian
    const std::string p = dir.file("be.elf");
    spit(p, f);
    cases.push_back({"big-endian", p, "not a little-endian ELF"});
  }
  {
    std::string f = good;  // the first segment grows past the end of IRAM
    put32(f, ph + 20, SHOAL_CORE_IRAM_BYTES_RESET + 4);
    put32(f, ph + 16, std::min<uint32_t>(get32(f, ph + 16), SHOAL_CORE_IRAM_BYTES_RESET));
    const std::string p = dir.file("big.elf");
    spit(p, f);
    cases.push_back({"image larger than IRAM", p, "does not fit the core's memories"});
  }
  {
    std::string f = good;  // a segment placed outside both memories
    put32(f, ph + 12, 0x10000000u);
    put32(f, ph + 8, 0x10000000u);
    const std::string p = dir.file("elsewhere.elf");
    spit(p, f);
    cases.push_back({"segment outside the RAMs", p, "does not fit the core's memories"});
  }
  {
    std::string f = good;
    f.resize(40);
    const std::string p = dir.file("truncated.elf");
    spit(p, f);
    cases.push_back({"truncated header", p, "truncated ELF header"});
  }

  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open(sim.uri().c_str(), &dev) == SHOAL_OK);
  const CoreRegs before = core_regs(dev);
  CHECK(before.ctrl == 0);
  CHECK(before.load_count > 0);
  const size_t out_before = sim.proc.output().size();
  for (const auto& c : cases) {
    INFO(c.name << ": " << c.path);
    const auto r = ctl({"-d", sim.uri(), "fw", "load", c.path}, dir);
    INFO("stderr: " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(c.message) != std::string::npos);
    CHECK(r.out.empty());
    // the library says the same, with an error code
    CHECK(shoal_fw_load(dev, c.path.c_str(), nullptr, nullptr) == SHOAL_ERR_INVALID_ARG);
    CHECK(std::string(shoal_last_error()).find(c.message) != std::string::npos);
    CHECK(core_regs(dev) == before);
  }
  // the core kept running the test image: no reboot, no new console output
  CHECK_FALSE(wait_after(sim.proc, "[fw]", out_before, 1000));
  shoal_close(dev);
}
