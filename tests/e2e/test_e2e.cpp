// End to end: the real shoal-sim process (Verilated card) serving libshoal clients through the
// driver's sim: backend, plus shoalctl. No timing thresholds: the timeouts only stop hangs.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "raw_client.hpp"
#include "shoal/regs.hpp"
#include "shoal/shoal.h"
#include "sim_process.hpp"

using shoal::sim::testing::SimProcess;
using shoal::test::RawClient;
namespace ctrl = shoal::regs::ctrl;
namespace param = shoal::regs::param;
namespace fs = std::filesystem;

namespace {

const std::string kSimBin = SHOAL_SIM_BIN;
const std::string kCtlBin = SHOALCTL_BIN;
const std::string kDtbPath = SHOAL_DTB_PATH;
constexpr uint32_t kMagicValue = 0x53484f4cu;
constexpr uint32_t kIdValue = (uint32_t(ctrl::kBlockId) << 16) | ctrl::kBlockVersion;

using shoal::test::TempDir;

// shoal-sim on a socket in a fresh temporary directory, up and listening.
struct Sim {
  TempDir dir;
  std::string sock = dir.file("card.sock");
  std::string log = dir.file("shoal-sim.log");
  SimProcess proc;
  explicit Sim(std::vector<std::string> extra = {})
      : proc(kSimBin, args(sock, std::move(extra)), log) {
    INFO("shoal-sim stderr:\n" << slurp(log));
    REQUIRE(proc.wait_for_line("shoal-sim: listening on sim:" + sock));
  }
  static std::vector<std::string> args(const std::string& s, std::vector<std::string> extra) {
    std::vector<std::string> a{"--socket", s};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string uri() const { return "sim:" + sock; }
};

std::vector<uint8_t> read_file(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Runs a program to completion; returns {exit status, stdout}.
std::pair<int, std::string> run(const std::string& bin, const std::vector<std::string>& args) {
  SimProcess p(bin, args, "/dev/null");
  p.wait_for_line("\x01never\x01", 60000);  // reads stdout to EOF
  auto st = p.wait_exit(60000);
  return {st && WIFEXITED(*st) ? WEXITSTATUS(*st) : -1, p.output()};
}

// Everything one libshoal client checks about the card.
void check_card_through_libshoal(const std::string& uri, std::vector<uint8_t>& dtb_out,
                                 std::string& failure) {
  auto fail = [&](const std::string& what) {
    failure = what + ": " + shoal_last_error();
  };
  shoal_dev* dev = nullptr;
  if (shoal_open(uri.c_str(), &dev) != SHOAL_OK) return fail("shoal_open");
  struct Closer {
    shoal_dev* d;
    ~Closer() { shoal_close(d); }
  } closer{dev};
  uint32_t v = 0;
  if (shoal_reg_read32(dev, ctrl::kId, &v) != SHOAL_OK || v != kIdValue) return fail("ID");
  if (shoal_reg_read32(dev, ctrl::kMagic, &v) != SHOAL_OK || v != kMagicValue) return fail("MAGIC");
  shoal_info info{};
  SHOAL_INIT(info);
  if (shoal_get_info(dev, &info) != SHOAL_OK) return fail("shoal_get_info");
  if (info.magic != kMagicValue || info.ctrl_id != kIdValue) return fail("info identity");
  if (info.bar0_size != shoal::regs::kBar0Size) return fail("bar0_size");
  if (info.clock_hz != param::clock_hz) return fail("clock_hz");
  if (info.num_processors != param::num_processors) return fail("num_processors");
  if (info.num_partitions != param::num_partitions) return fail("num_partitions");
  if (info.num_irq_vectors != param::num_irq_vectors) return fail("num_irq_vectors");
  if (info.num_host_irqs != param::num_host_irqs) return fail("num_host_irqs");
  if (info.num_resource_types != param::num_resource_types) return fail("num_resource_types");
  if (info.card_version_major != shoal::regs::kCardVersionMajor ||
      info.card_version_minor != shoal::regs::kCardVersionMinor ||
      info.card_version_patch != shoal::regs::kCardVersionPatch)
    return fail("card version");
  if (!(info.blocks_present & SHOAL_BLOCK_CTRL) || !(info.blocks_present & SHOAL_BLOCK_DTB))
    return fail("blocks_present");
  for (uint32_t i = 0; i < info.num_resource_types; ++i) {
    shoal_resource r{};
    SHOAL_INIT(r);
    if (shoal_get_resource(dev, i, &r) != SHOAL_OK) return fail("shoal_get_resource");
    const auto& want = shoal::regs::kResources[i];
    if (r.index != i || r.units != want.units || std::string(r.name) != want.name ||
        std::string(r.description) != want.description)
      return fail("resource " + std::to_string(i) + " (" + r.name + ")");
  }
  size_t size = 0;
  if (shoal_get_dtb(dev, nullptr, &size) != SHOAL_OK || size == 0) return fail("dtb size");
  dtb_out.resize(size);
  if (shoal_get_dtb(dev, dtb_out.data(), &size) != SHOAL_OK) return fail("dtb bytes");
  // Keep reading for a while, interleaved with the other client on the card.
  for (int i = 0; i < 200; ++i) {
    if (shoal_reg_read32(dev, ctrl::kMagic, &v) != SHOAL_OK || v != kMagicValue)
      return fail("MAGIC in loop");
    uint64_t w = 0;
    if (shoal_reg_read64(dev, ctrl::kId, &w) != SHOAL_OK ||
        w != ((uint64_t(kMagicValue) << 32) | kIdValue))
      return fail("64-bit read");
  }
}

}  // namespace

TEST_CASE("two libshoal clients at once read identity and DTB capabilities that match the .dts",
          "[e2e]") {
  Sim sim;
  std::vector<uint8_t> dtb1, dtb2;
  std::string f1, f2;
  std::thread t1([&] { check_card_through_libshoal(sim.uri(), dtb1, f1); });
  std::thread t2([&] { check_card_through_libshoal(sim.uri(), dtb2, f2); });
  t1.join();
  t2.join();
  CHECK(f1 == "");
  CHECK(f2 == "");
  // The card serves exactly the blob dtc built from the .dts.
  const std::vector<uint8_t> built = read_file(kDtbPath);
  REQUIRE(!built.empty());
  CHECK(dtb1 == built);
  CHECK(dtb2 == built);
}

TEST_CASE("a client killed mid-read leaves the simulation and the other client working", "[e2e]") {
  Sim sim;
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open(sim.uri().c_str(), &dev) == SHOAL_OK);
  REQUIRE(shoal_reg_write32(dev, ctrl::kScratch, 0x600dcafe) == SHOAL_OK);

  for (int round = 0; round < 3; ++round) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      RawClient c(sim.sock);
      c.hello();
      if (round == 0) {  // a whole READ, then die before the answer is read
        c.send(RawClient::msg(SHOAL_SIM_OP_READ, 4, shoal::regs::kWinDtbBase, 0, 1));
      } else if (round == 1) {  // half a WRITE to SCRATCH, then die
        uint8_t buf[SHOAL_SIM_MSG_SIZE];
        auto m = RawClient::msg(SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch, 0xbad);
        shoal_sim_encode(&m, buf);
        c.send_bytes(buf, 20);
      } else {  // garbage
        const char junk[] = "\xff\xfe garbage that is not a Shoal message at all..........";
        c.send_bytes(junk, sizeof junk);
      }
      ::pause();
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::kill(pid, SIGKILL);
    int st = 0;
    ::waitpid(pid, &st, 0);
    uint32_t v = 0;
    CHECK(shoal_reg_read32(dev, ctrl::kMagic, &v) == SHOAL_OK);
    CHECK(v == kMagicValue);
    CHECK(shoal_reg_read32(dev, ctrl::kScratch, &v) == SHOAL_OK);
    CHECK(v == 0x600dcafeu);  // the half-sent WRITE never reached the card
  }
  CHECK(sim.proc.running());
  shoal_close(dev);
}

TEST_CASE("malformed requests get BAD_REQUEST and never reach the card", "[e2e]") {
  Sim sim;
  RawClient c(sim.sock);
  REQUIRE(c.hello());
  auto before = c.read(ctrl::kBusErrCount);
  REQUIRE(before);
  auto status = [&](shoal_sim_msg m) -> int {
    m.tag = 5;
    if (!c.send(m)) return -1;
    auto r = c.recv_reply();
    return r && r->op == SHOAL_SIM_OP_RESP ? r->status : -2;
  };
  CHECK(status(RawClient::msg(SHOAL_SIM_OP_READ, 4, 0x2)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status(RawClient::msg(SHOAL_SIM_OP_READ, 3, 0x0)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status(RawClient::msg(SHOAL_SIM_OP_WRITE, 4, shoal::regs::kBar0Size, 1)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status(RawClient::msg(42, 4, 0x0)) == SHOAL_SIM_BAD_REQUEST);
  // None of them reached the card: its refused-access counter did not move.
  CHECK(c.read(ctrl::kBusErrCount) == before);
  // A well-formed access the card refuses is a bus error, and the card counts it.
  CHECK(status(RawClient::msg(SHOAL_SIM_OP_READ, 4, 0xff000)) == SHOAL_SIM_BUS_ERROR);
  CHECK(c.read(ctrl::kBusErrCount) == *before + 1);
}

TEST_CASE("an interrupt raised through IRQ_TEST reaches shoal_wait_event", "[e2e]") {
  Sim sim;
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open(sim.uri().c_str(), &dev) == SHOAL_OK);
  uint32_t vec = 0;
  CHECK(shoal_wait_event(dev, 0, &vec) == SHOAL_ERR_TIMEOUT);  // nothing pending yet
  REQUIRE(shoal_reg_write32(dev, ctrl::kIrqEnable, 1) == SHOAL_OK);
  REQUIRE(shoal_reg_write32(dev, ctrl::kIrqTest, 1) == SHOAL_OK);
  REQUIRE(shoal_wait_event(dev, 20000, &vec) == SHOAL_OK);
  CHECK((vec & 1u) == 1u);
  uint32_t pend = 0;
  CHECK(shoal_reg_read32(dev, ctrl::kIrqPending, &pend) == SHOAL_OK);
  CHECK((pend & 1u) == 1u);
  // Clear (W1C) and raise again: a second edge, a second event.
  REQUIRE(shoal_reg_write32(dev, ctrl::kIrqStatus, 1) == SHOAL_OK);
  REQUIRE(shoal_reg_write32(dev, ctrl::kIrqTest, 1) == SHOAL_OK);
  vec = 0;
  CHECK(shoal_wait_event(dev, 20000, &vec) == SHOAL_OK);
  CHECK((vec & 1u) == 1u);
  shoal_close(dev);
}

TEST_CASE("shoalctl info and --json info against shoal-sim", "[e2e]") {
  Sim sim;
  auto [rc, out] = run(kCtlBin, {"--device", sim.uri(), "info"});
  CHECK(rc == 0);
  CHECK(out.find(std::to_string(param::num_processors)) != std::string::npos);
  CHECK(out.find("cache") != std::string::npos);
  auto [jrc, json] = run(kCtlBin, {"--device", sim.uri(), "--json", "info"});
  CHECK(jrc == 0);
  CHECK(json.rfind("{", 0) == 0);
  CHECK(json.find("\"num_processors\": " + std::to_string(param::num_processors)) != std::string::npos);
  CHECK(json.find("\"num_partitions\": " + std::to_string(param::num_partitions)) != std::string::npos);
  CHECK(json.find("\"magic\": " + std::to_string(kMagicValue)) != std::string::npos);
}

TEST_CASE("opening a missing socket is a clear error", "[e2e]") {
  TempDir d;
  const std::string p = d.file("nobody-home.sock");
  shoal_dev* dev = reinterpret_cast<shoal_dev*>(1);
  const int rc = shoal_open(("sim:" + p).c_str(), &dev);
  CHECK(rc == SHOAL_ERR_NO_DEVICE);
  CHECK(dev == nullptr);
  const std::string msg = shoal_last_error();
  INFO(msg);
  CHECK(msg.find(p) != std::string::npos);
  auto [crc, out] = run(kCtlBin, {"--device", "sim:" + p, "info"});
  CHECK(crc != 0);
}

TEST_CASE("socket path rules of shoal-sim", "[e2e]") {
  SECTION("a stale socket from a crashed run is replaced") {
    TempDir d;
    const std::string p = d.file("stale.sock");
    {
      const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strncpy(a.sun_path, p.c_str(), sizeof a.sun_path - 1);
      REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
      ::close(fd);  // the file stays: nobody listens on it
    }
    SimProcess proc(kSimBin, {"--socket", p}, d.file("log"));
    REQUIRE(proc.wait_for_line("listening on sim:" + p));
    RawClient c(p);
    REQUIRE(c.hello());
    CHECK(c.read(ctrl::kMagic) == kMagicValue);
    auto st = proc.stop(SIGTERM);
    REQUIRE(st);
    CHECK(WIFEXITED(*st));
    CHECK(WEXITSTATUS(*st) == 0);
    CHECK_FALSE(fs::exists(p));
  }
  SECTION("a live server on the path is refused, nothing deleted") {
    Sim first;
    SimProcess second(kSimBin, {"--socket", first.sock}, first.dir.file("second.log"));
    auto st = second.wait_exit(60000);
    REQUIRE(st);
    CHECK(WIFEXITED(*st));
    CHECK(WEXITSTATUS(*st) != 0);
    CHECK(Sim::slurp(first.dir.file("second.log")).find("already listening") != std::string::npos);
    CHECK(fs::exists(first.sock));
    RawClient c(first.sock);
    REQUIRE(c.hello());
    CHECK(c.read(ctrl::kMagic) == kMagicValue);
  }
  SECTION("a file that is not a socket is refused and kept") {
    TempDir d;
    const std::string p = d.file("precious.txt");
    { std::ofstream(p) << "keep me"; }
    SimProcess proc(kSimBin, {"--socket", p}, d.file("log"));
    auto st = proc.wait_exit(60000);
    REQUIRE(st);
    CHECK(WEXITSTATUS(*st) != 0);
    CHECK(Sim::slurp(d.file("log")).find("not a socket") != std::string::npos);
    CHECK(Sim::slurp(p) == "keep me");
  }
}

TEST_CASE("SIGTERM and SIGINT stop shoal-sim cleanly: exit 0, socket gone", "[e2e]") {
  for (int sig : {SIGTERM, SIGINT}) {
    Sim sim;
    {
      RawClient c(sim.sock);  // a connected client does not keep it alive
      REQUIRE(c.hello());
      auto st = sim.proc.stop(sig);
      REQUIRE(st);
      CHECK(WIFEXITED(*st));
      CHECK(WEXITSTATUS(*st) == 0);
      CHECK(c.wait_closed());
    }
    CHECK_FALSE(fs::exists(sim.sock));
  }
}

TEST_CASE("--max-cycles ends the run by itself; --trace writes FST waves", "[e2e]") {
  TempDir d;
  const std::string p = d.file("t.sock");
  const std::string fst = d.file("waves.fst");
  SimProcess proc(kSimBin, {"--socket", p, "--trace", fst, "--max-cycles", "20000", "--quiet"},
                  d.file("log"));
  REQUIRE(proc.wait_for_line("listening on sim:" + p));
  auto st = proc.wait_exit(120000);
  REQUIRE(st);
  CHECK(WIFEXITED(*st));
  CHECK(WEXITSTATUS(*st) == 0);
  CHECK_FALSE(fs::exists(p));
  REQUIRE(fs::exists(fst));
  const auto bytes = read_file(fst);
  CHECK(bytes.size() > 64);
}

TEST_CASE("--engine systemc serves clients too", "[e2e]") {
  Sim sim({"--engine", "systemc"});
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open(sim.uri().c_str(), &dev) == SHOAL_OK);
  uint32_t v = 0;
  CHECK(shoal_reg_read32(dev, ctrl::kMagic, &v) == SHOAL_OK);
  CHECK(v == kMagicValue);
  shoal_close(dev);
  auto st = sim.proc.stop(SIGTERM);
  REQUIRE(st);
  CHECK(WEXITSTATUS(*st) == 0);
}

TEST_CASE("shoal-sim's processor options: bad values and traces are refused before the card "
          "starts, good ones run",
          "[e2e]") {
  TempDir d;
  const std::string p = d.file("p.sock");
  auto refused = [&](std::vector<std::string> extra, const std::string& message) {
    std::vector<std::string> args{"--socket", p};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string log = d.file("refused.log");
    fs::remove(log);
    SimProcess proc(kSimBin, args, log);
    auto st = proc.wait_exit(60000);
    REQUIRE(st);
    INFO(Sim::slurp(log));
    CHECK(WIFEXITED(*st));
    CHECK(WEXITSTATUS(*st) != 0);
    CHECK(Sim::slurp(log).find(message) != std::string::npos);
    CHECK_FALSE(fs::exists(p));  // nothing started
  };
  refused({"--proc-duty", "50,101"}, "--proc-duty");
  refused({"--proc-stuck", "64"}, "--proc-stuck");
  refused({"--proc-drain", "0"}, "--proc-drain");
  refused({"--workload-trace", d.file("missing.csv")}, "--workload-trace");
  { std::ofstream(d.file("bad.csv")) << "step,a,b\n0,10,20\n1,10,200\n"; }
  refused({"--workload-trace", d.file("bad.csv")}, "line 3: column 3: '200' is not a utilization");

  { std::ofstream(d.file("good.csv")) << "step,a,b\n0,100,0\n1,0,100\n"; }
  SimProcess proc(kSimBin,
                  {"--socket", p, "--max-cycles", "20000", "--events", "--proc-duty", "100,50",
                   "--proc-stuck", "3,5", "--proc-drain", "20", "--workload-trace",
                   d.file("good.csv"), "--trace-step-cycles", "100"},
                  d.file("ok.log"));
  REQUIRE(proc.wait_for_line("listening on sim:" + p));
  auto st = proc.wait_exit(120000);
  REQUIRE(st);
  INFO(Sim::slurp(d.file("ok.log")));
  CHECK(WIFEXITED(*st));
  CHECK(WEXITSTATUS(*st) == 0);
  CHECK(Sim::slurp(d.file("ok.log")).find("audit events") != std::string::npos);
}

// ---- issue 11 against the real card -----------------------------------------------------------

TEST_CASE("a refused 64-bit write changes nothing on the real card (item 9)", "[e2e][tooling]") {
  Sim sim;
  RawClient c(sim.sock);
  REQUIRE(c.hello());
  REQUIRE(c.write(ctrl::kScratch, 0));
  REQUIRE(c.write(ctrl::kIrqEnable, 1));
  const auto errs = c.read(ctrl::kBusErrCount);
  REQUIRE(errs);
  auto wide = [&](uint8_t op, uint64_t off, uint64_t data) {
    auto r = c.transact(op, 8, off, data);
    return r ? r->status * 100 + static_cast<int>(r->reason) : -1;
  };
  const int refused = SHOAL_SIM_BUS_ERROR * 100 + SHOAL_SIM_REASON_WIDE_SPLIT;
  CHECK(wide(SHOAL_SIM_OP_WRITE, ctrl::kScratch, 1) == refused);                  // SCRATCH + nothing
  CHECK(wide(SHOAL_SIM_OP_WRITE, ctrl::kIrqPending, uint64_t(1) << 32) == refused);  // RO + IRQ_TEST
  CHECK(wide(SHOAL_SIM_OP_WRITE, ctrl::kSoftReset, 0x52535421u) == refused);       // a command register
  CHECK(c.read(ctrl::kScratch) == 0u);
  CHECK(c.read(ctrl::kIrqStatus) == 0u);  // the test interrupt never fired
  CHECK(c.read(ctrl::kIrqEnable) == 1u);  // no soft reset either
  CHECK(c.read(ctrl::kBusErrCount) == errs);  // nothing reached the card
  CHECK(c.irqs().empty());
  // libshoal says so
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open(sim.uri().c_str(), &dev) == SHOAL_OK);
  CHECK(shoal_reg_write64(dev, ctrl::kScratch, 1) == SHOAL_ERR_BUS);
  CHECK(std::string(shoal_last_error()).find("nothing changed") != std::string::npos);
  // both halves writable: one transaction that happens; a 64-bit read of the cycle counter
  CHECK(shoal_reg_write64(dev, ctrl::kIrqStatus, uint64_t(3) << 32) == SHOAL_OK);
  uint32_t en = 0;
  CHECK(shoal_reg_read32(dev, ctrl::kIrqEnable, &en) == SHOAL_OK);
  CHECK(en == 3u);
  uint64_t cyc = 0;
  CHECK(shoal_reg_read64(dev, ctrl::kCycleLo, &cyc) == SHOAL_OK);
  CHECK(cyc > 0);
  shoal_close(dev);
  auto [rc, out] = run(kCtlBin, {"-d", sim.uri(), "reg", "read", "ctrl.SCRATCH"});
  CHECK(rc == 0);
  CHECK(out.find("= 0x00000000") != std::string::npos);
}

TEST_CASE("shoal-sim --trace writes FST only: another name is refused before anything starts (item 6)",
          "[e2e][tooling]") {
  TempDir d;
  for (const char* name : {"w.vcd", "w.fst.vcd", "waves"}) {
    const std::string p = d.file("t.sock"), wave = d.file(name), log = d.file("log");
    SimProcess proc(kSimBin, {"--socket", p, "--trace", wave}, log);
    auto st = proc.wait_exit(60000);
    REQUIRE(st);
    INFO(Sim::slurp(log));
    CHECK(WEXITSTATUS(*st) == 2);
    CHECK(Sim::slurp(log).find("FST waves only") != std::string::npos);
    CHECK_FALSE(fs::exists(wave));
    CHECK_FALSE(fs::exists(p));
  }
}

TEST_CASE("three shoal-sim at once on one stale path: exactly one serves; its socket is 0600 (item 11)",
          "[e2e][tooling]") {
  TempDir d;
  const std::string p = d.file("race.sock");
  const mode_t old = ::umask(0);  // children inherit it: the mode must not follow
  struct Restore {
    mode_t m;
    ~Restore() { ::umask(m); }
  } restore{old};
  for (int round = 0; round < 20; ++round) {  // the race was seen in 2 of 80 trials
    {  // a stale socket, as a crashed run leaves
      const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strncpy(a.sun_path, p.c_str(), sizeof a.sun_path - 1);
      REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
      ::close(fd);
    }
    std::vector<std::unique_ptr<SimProcess>> sims;
    for (int i = 0; i < 3; ++i) {
      sims.push_back(std::make_unique<SimProcess>(kSimBin, std::vector<std::string>{"--socket", p, "--no-console"},
                                                  d.file("race" + std::to_string(i) + ".log")));
    }
    int listening = 0, refused = 0;
    for (auto& s : sims) {
      if (s->wait_for_line("listening on sim:" + p, 60000)) {
        ++listening;
      } else {
        auto st = s->wait_exit(60000);
        REQUIRE(st);
        CHECK(WEXITSTATUS(*st) == 1);
        ++refused;
      }
    }
    INFO("round " << round);
    REQUIRE(listening == 1);
    CHECK(refused == 2);
    struct stat st{};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    RawClient c(p);
    REQUIRE(c.hello());  // the one that listens is the one the path reaches
    CHECK(c.read(ctrl::kMagic) == kMagicValue);
    c.close();
    for (auto& s : sims) {
      if (s->running()) REQUIRE(s->stop(SIGTERM).has_value());
    }
    CHECK_FALSE(fs::exists(p));
  }
  for (int i = 0; i < 3; ++i) {
    const std::string log = Sim::slurp(d.file("race" + std::to_string(i) + ".log"));
    if (log.find("error") != std::string::npos) CHECK(log.find("already listening") != std::string::npos);
  }
}

TEST_CASE("a full shoal-sim says so (item 12); without --socket it listens in the runtime directory",
          "[e2e][tooling]") {
  TempDir d;
  const std::string rundir = d.file("run");  // does not exist yet: shoal-sim makes it, 0700
  ::setenv("SHOAL_RUNTIME_DIR", rundir.c_str(), 1);
  SimProcess proc(kSimBin, {"--no-console", "--quiet"}, d.file("log"));
  const std::string sock = rundir + "/shoal-sim.sock";
  REQUIRE(proc.wait_for_line("listening on sim:" + sock, 60000));
  struct stat st{};
  REQUIRE(::stat(rundir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  auto [lrc, listed] = run(kCtlBin, {"--json", "list"});
  CHECK(lrc == 0);
  CHECK(listed.find("\"sim:" + sock + "\"") != std::string::npos);
  ::unsetenv("SHOAL_RUNTIME_DIR");

  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 256; ++i) {
    clients.push_back(std::make_unique<RawClient>(sock));
    REQUIRE(clients.back()->connected());
  }
  for (auto& c : clients) REQUIRE(c->hello());  // all 256 are served
  RawClient extra(sock);
  auto h = extra.hello();
  REQUIRE(h);
  CHECK(h->status == SHOAL_SIM_SERVER_FULL);
  CHECK(h->offset == 256u);
  shoal_dev* dev = reinterpret_cast<shoal_dev*>(1);
  CHECK(shoal_open(("sim:" + sock).c_str(), &dev) == SHOAL_ERR_BUSY);
  const std::string msg = shoal_last_error();
  INFO(msg);
  CHECK(msg.find("is full") != std::string::npos);
  CHECK(msg.find("256") != std::string::npos);
  CHECK(msg.find("reset") == std::string::npos);
  clients.clear();
  REQUIRE(proc.stop(SIGTERM).has_value());
}
