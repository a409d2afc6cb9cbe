// shoal-sim's server logic in one process, against the behavioural card double: protocol
// handling, malformed requests, interrupts, misbehaving clients, socket-path rules and both
// clocking engines. The same code drives the Verilated card in shoal-sim (test_e2e.cpp).
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <systemc>

#include "fake_card_model.hpp"
#include "io_server.hpp"
#include "raw_client.hpp"
#include "shoal/regs.hpp"
#include "sim_core.hpp"

using shoal::test::RawClient;
using namespace shoal::sim;
namespace ctrl = shoal::regs::ctrl;
namespace fs = std::filesystem;

namespace {

using shoal::test::TempDir;

// The server with the fake card, its sim loop on a thread (the plain engine).
struct Server {
  TempDir dir;
  std::string sock = (dir.path() / "card.sock").string();
  testing::FakeCardModel model{std::vector<uint8_t>{0xd0, 0x0d, 0xfe, 0xed, 1, 2, 3, 4}};
  SimCore core{model, shoal::regs::kBar0Size};
  std::unique_ptr<Listener> listener;
  std::unique_ptr<IoServer> io;
  std::thread sim;

  Server() {
    listener = std::make_unique<Listener>(sock);
    IoServer::Options o;
    o.verbose = false;
    io = std::make_unique<IoServer>(*listener, core, shoal::regs::kBar0Size, o);
    core.set_sink(io.get());
    io->start();
    sim = std::thread([this] { run_plain(core); });
  }
  void stop() {
    if (!sim.joinable()) return;
    core.request_stop();
    sim.join();
    io->stop();
    core.set_sink(nullptr);
  }
  ~Server() {
    stop();
    io.reset();
    listener.reset();
  }
};

constexpr uint32_t kIdValue = (uint32_t(ctrl::kBlockId) << 16) | ctrl::kBlockVersion;

}  // namespace

TEST_CASE("HELLO, reads and writes, 64-bit accesses", "[sim-server]") {
  Server s;
  RawClient c(s.sock);
  REQUIRE(c.connected());
  auto h = c.hello();
  REQUIRE(h);
  CHECK(h->op == SHOAL_SIM_OP_HELLO);
  CHECK(h->status == SHOAL_SIM_OK);
  CHECK(h->data == SHOAL_SIM_PROTO_VERSION);
  CHECK(h->offset == shoal::regs::kBar0Size);

  CHECK(c.read(ctrl::kId) == kIdValue);
  CHECK(c.read(ctrl::kMagic) == 0x53484f4cu);
  CHECK(c.write(ctrl::kScratch, 0xcafef00d));
  CHECK(c.read(ctrl::kScratch) == 0xcafef00du);
  // 64-bit read: two bus reads, low word first (ID at 0x0, MAGIC at 0x4).
  CHECK(c.read(ctrl::kId, 8) == ((uint64_t(0x53484f4cu) << 32) | kIdValue));
  // The DTB window.
  CHECK(c.read(shoal::regs::kWinDtbBase) == 0xedfe0dd0u);
  // The card free-runs: its cycle counter moves between two reads with no traffic.
  auto c0 = c.read(ctrl::kCycleLo);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto c1 = c.read(ctrl::kCycleLo);
  REQUIRE(c0);
  REQUIRE(c1);
  CHECK(*c1 != *c0);

  // The response echoes tag, size and offset.
  REQUIRE(c.send(RawClient::msg(SHOAL_SIM_OP_READ, 4, ctrl::kMagic, 0, 0xabcdef)));
  auto r = c.recv_reply();
  REQUIRE(r);
  CHECK(r->op == SHOAL_SIM_OP_RESP);
  CHECK(r->tag == 0xabcdefu);
  CHECK(r->size == 4);
  CHECK(r->offset == ctrl::kMagic);
}

TEST_CASE("malformed requests are refused and change nothing", "[sim-server]") {
  Server s;
  RawClient c(s.sock);
  REQUIRE(c.hello());
  REQUIRE(c.write(ctrl::kScratch, 0x11111111));

  auto status_of = [&](shoal_sim_msg m) -> int {
    m.tag = 77;
    if (!c.send(m)) return -1;
    auto r = c.recv_reply();
    if (!r || r->op != SHOAL_SIM_OP_RESP || r->tag != 77) return -2;
    return r->status;
  };
  shoal_sim_msg m = RawClient::msg(SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch, 0x22222222);
  m.magic = 0x12345678;
  CHECK(status_of(m) == SHOAL_SIM_BAD_REQUEST);                                      // magic
  CHECK(status_of(RawClient::msg(99, 4, ctrl::kScratch, 0x2)) == SHOAL_SIM_BAD_REQUEST);  // op
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_RESP, 4, ctrl::kScratch, 0x2)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_WRITE, 2, ctrl::kScratch, 0x2)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_WRITE, 0, ctrl::kScratch, 0x2)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch + 1, 0x2)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_WRITE, 8, ctrl::kScratch + 4, 0x2)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_WRITE, 4, shoal::regs::kBar0Size, 0x2)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_WRITE, 8, shoal::regs::kBar0Size - 4, 0x2)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_READ, 4, uint64_t(1) << 40)) == SHOAL_SIM_BAD_REQUEST);
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch, uint64_t(1) << 32)) == SHOAL_SIM_BAD_REQUEST);
  // Still the value written before, and the connection is still usable.
  CHECK(c.read(ctrl::kScratch) == 0x11111111u);
  // A card error response is a bus error, not a malformed request.
  CHECK(status_of(RawClient::msg(SHOAL_SIM_OP_READ, 4, 0x0ffc)) == SHOAL_SIM_BUS_ERROR);
  s.stop();
  // Only the well-formed accesses reached the card: write, read, read-with-bus-error.
  CHECK(s.model.transactions() == 3);
  CHECK(s.core.stats().bad_requests == 11);
}

TEST_CASE("a HELLO with another protocol version is refused and the connection closed",
          "[sim-server]") {
  Server s;
  RawClient c(s.sock);
  auto h = c.hello(SHOAL_SIM_PROTO_VERSION + 1);
  REQUIRE(h);
  CHECK(h->op == SHOAL_SIM_OP_HELLO);
  CHECK(h->status == SHOAL_SIM_BAD_VERSION);
  CHECK(c.wait_closed());
}

TEST_CASE("interrupt edges reach every client that said HELLO", "[sim-server]") {
  Server s;
  RawClient a(s.sock), b(s.sock), mute(s.sock);
  REQUIRE(a.hello());
  REQUIRE(b.hello());
  REQUIRE(a.write(ctrl::kIrqEnable, 1));
  REQUIRE(a.write(ctrl::kIrqTest, 1));
  auto ia = a.irqs().empty() ? a.recv() : std::optional<shoal_sim_msg>(a.irqs().front());
  auto ib = b.recv();
  REQUIRE(ia);
  REQUIRE(ib);
  CHECK(ia->op == SHOAL_SIM_OP_IRQ);
  CHECK(ia->data == 1);
  CHECK(ib->op == SHOAL_SIM_OP_IRQ);
  CHECK(ib->data == 1);
  CHECK(ib->offset > 0);  // the card cycle
  // Level stays high: no second message until it falls and rises again.
  a.irqs().clear();
  REQUIRE(a.write(ctrl::kIrqStatus, 1));  // W1C: falls
  REQUIRE(a.write(ctrl::kIrqTest, 1));    // rises again
  auto again = b.recv();
  REQUIRE(again);
  CHECK(again->op == SHOAL_SIM_OP_IRQ);
  // A client that never said HELLO gets no unsolicited messages.
  CHECK_FALSE(mute.recv(200));
}

TEST_CASE("clients that die, send garbage or half a message do not disturb the others",
          "[sim-server]") {
  Server s;
  RawClient good(s.sock);
  REQUIRE(good.hello());
  REQUIRE(good.write(ctrl::kScratch, 0x5a5a5a5a));

  for (int round = 0; round < 3; ++round) {
    // A forked child sends a READ (or half a message, or garbage) and is SIGKILLed.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      RawClient c(s.sock);
      c.hello();
      if (round == 0) {
        c.send(RawClient::msg(SHOAL_SIM_OP_READ, 4, ctrl::kMagic, 0, 1));
      } else if (round == 1) {
        uint8_t buf[SHOAL_SIM_MSG_SIZE];
        auto m = RawClient::msg(SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch, 0xdead);
        shoal_sim_encode(&m, buf);
        c.send_bytes(buf, 13);
      } else {
        const char junk[] = "GET / HTTP/1.1\r\nthis is not the protocol you are looking for\r\n";
        c.send_bytes(junk, sizeof junk);
      }
      ::pause();
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::kill(pid, SIGKILL);
    int st = 0;
    ::waitpid(pid, &st, 0);
    CHECK(good.read(ctrl::kMagic) == 0x53484f4cu);
    CHECK(good.read(ctrl::kScratch) == 0x5a5a5a5au);  // the half WRITE never happened
  }

  // A client that floods requests without ever reading replies, then vanishes.
  {
    RawClient flood(s.sock);
    REQUIRE(flood.hello());
    // Non-blocking, so the test never waits on its own full socket buffer.
    ::fcntl(flood.fd(), F_SETFL, ::fcntl(flood.fd(), F_GETFL) | O_NONBLOCK);
    int sent = 0;
    for (int i = 0; i < 4000; ++i, ++sent)
      if (!flood.send(RawClient::msg(SHOAL_SIM_OP_READ, 4, ctrl::kId, 0, i))) break;
    CHECK(sent > 64);  // more than the server reads ahead for one client
    CHECK(good.read(ctrl::kId) == kIdValue);
  }
  CHECK(good.read(ctrl::kId) == kIdValue);
  CHECK(good.read(ctrl::kScratch) == 0x5a5a5a5au);
}

TEST_CASE("two clients at once, each gets its own answers", "[sim-server]") {
  Server s;
  auto worker = [&](uint32_t seed, int& ok) {
    RawClient c(s.sock);
    if (!c.hello()) return;
    for (int i = 0; i < 300; ++i) {
      // Reads of constant registers by both, interleaved on the card.
      if (c.read(ctrl::kMagic) != 0x53484f4cu) return;
      if (c.read(shoal::regs::kWinDtbBase + 4) != 0x04030201u) return;
      (void)seed;
    }
    ok = 1;
  };
  int ok1 = 0, ok2 = 0;
  std::thread t1(worker, 1, std::ref(ok1)), t2(worker, 2, std::ref(ok2));
  t1.join();
  t2.join();
  CHECK(ok1 == 1);
  CHECK(ok2 == 1);
}

TEST_CASE("socket path rules: stale replaced, live refused, non-socket refused", "[sim-server]") {
  TempDir d;
  const std::string p = (d.path() / "s.sock").string();

  SECTION("a stale socket (nobody listening) is replaced") {
    {
      // Make a bound-but-closed socket file, as a crashed server leaves behind.
      UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strncpy(a.sun_path, p.c_str(), sizeof a.sun_path - 1);
      REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    REQUIRE(fs::exists(p));
    bool replaced = false;
    {
      Listener l(p, &replaced);
      CHECK(replaced);
      RawClient c;
      CHECK(c.connect(p) == 0);
    }
    CHECK_FALSE(fs::exists(p));  // removed on the way out
  }
  SECTION("a live server on the path is refused and left alone") {
    Listener first(p);
    try {
      Listener second(p);
      FAIL("a second listener on a live socket was allowed");
    } catch (const SetupError& e) {
      CHECK(std::string(e.what()).find("already listening") != std::string::npos);
    }
    RawClient c;
    CHECK(c.connect(p) == 0);  // the first one still owns it
  }
  SECTION("a regular file is refused and not deleted") {
    { std::ofstream(p) << "precious"; }
    CHECK_THROWS_AS(Listener(p), SetupError);
    std::ifstream in(p);
    std::string s;
    in >> s;
    CHECK(s == "precious");
  }
  SECTION("a path too long for sun_path is a clear error") {
    const std::string longp = (d.path() / std::string(200, 'x')).string();
    try {
      Listener l(longp);
      FAIL("accepted an over-long path");
    } catch (const SetupError& e) {
      CHECK(std::string(e.what()).find("too long") != std::string::npos);
    }
  }
}

TEST_CASE("the SystemC engine clocks the same core; SystemC time is card time", "[sim-server]") {
  // SystemC elaborates once per process: this is the only test that runs it.
  testing::FakeCardModel model;
  SimCore core(model, shoal::regs::kBar0Size, 20000);
  // A request queued before the run is served by the SC_THREAD.
  struct Collect : OutgoingSink {
    std::vector<Outgoing> got;
    void deliver(std::vector<Outgoing>& b) override {
      got.insert(got.end(), b.begin(), b.end());
      b.clear();
    }
  } sink;
  core.set_sink(&sink);
  Request r{};
  r.client = 42;
  r.msg = RawClient::msg(SHOAL_SIM_OP_READ, 4, ctrl::kMagic, 0, 9);
  core.submit(r);
  run_systemc(core, 50e6);
  CHECK(model.cycle() == 20000);
  REQUIRE(sink.got.size() == 1);
  CHECK(sink.got[0].client == 42);
  CHECK(sink.got[0].msg.data == 0x53484f4cu);
  CHECK(sc_core::sc_time_stamp() == sc_core::sc_time(20.0 * 20000, sc_core::SC_NS));
}

TEST_CASE("the plain engine stops at max cycles", "[sim-server]") {
  testing::FakeCardModel model;
  SimCore core(model, shoal::regs::kBar0Size, 12345);
  run_plain(core);
  CHECK(model.cycle() == 12345);
}
