// shoal-sim's server logic in one process, against the behavioural card double: protocol
// handling, malformed requests, interrupts, misbehaving clients, socket-path rules and both
// clocking engines. The same code drives the Verilated card in shoal-sim (test_e2e.cpp).
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include <systemc>

#include "fake_card_model.hpp"
#include "io_server.hpp"
#include "raw_client.hpp"
#include "shoal/driver/transport.hpp"
#include "shoal/regs.hpp"
#include "shoal/sim_socket.hpp"
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

  explicit Server(size_t max_clients = 256) {
    listener = std::make_unique<Listener>(sock);
    IoServer::Options o;
    o.verbose = false;
    o.max_clients = max_clients;
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

TEST_CASE("malformed requests are refused with a reason and change nothing", "[sim-server]") {
  Server s;
  RawClient c(s.sock);
  REQUIRE(c.hello());
  REQUIRE(c.write(ctrl::kScratch, 0x11111111));
  const uint64_t before = s.model.transactions();

  // status * 100 + reason, -1/-2 on transport trouble
  auto answer = [&](shoal_sim_msg m) -> int {
    m.tag = 77;
    if (!c.send(m)) return -1;
    auto r = c.recv_reply();
    if (!r || r->op != SHOAL_SIM_OP_RESP || r->tag != 77) return -2;
    return r->status * 100 + static_cast<int>(r->reason);
  };
  auto bad = [](uint32_t reason) { return SHOAL_SIM_BAD_REQUEST * 100 + static_cast<int>(reason); };
  using M = RawClient;
  CHECK(answer(M::msg(99, 4, ctrl::kScratch, 0x2)) == bad(SHOAL_SIM_REASON_BAD_OP));
  CHECK(answer(M::msg(SHOAL_SIM_OP_RESP, 4, ctrl::kScratch, 0x2)) == bad(SHOAL_SIM_REASON_BAD_OP));
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 2, ctrl::kScratch, 0x2)) == bad(SHOAL_SIM_REASON_BAD_SIZE));
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 0, ctrl::kScratch, 0x2)) == bad(SHOAL_SIM_REASON_BAD_SIZE));
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch + 1, 0x2)) == bad(SHOAL_SIM_REASON_UNALIGNED));
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 8, ctrl::kScratch + 4, 0x2)) == bad(SHOAL_SIM_REASON_UNALIGNED));
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 4, shoal::regs::kBar0Size, 0x2)) == bad(SHOAL_SIM_REASON_OUT_OF_RANGE));
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 8, shoal::regs::kBar0Size - 4, 0x2)) == bad(SHOAL_SIM_REASON_UNALIGNED));
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 8, shoal::regs::kBar0Size - 8, 0x2)) !=
        bad(SHOAL_SIM_REASON_OUT_OF_RANGE));  // the last 8 bytes are inside (boundary)
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 8, shoal::regs::kBar0Size, 0x2)) == bad(SHOAL_SIM_REASON_OUT_OF_RANGE));
  CHECK(answer(M::msg(SHOAL_SIM_OP_READ, 4, uint64_t(1) << 40)) == bad(SHOAL_SIM_REASON_OUT_OF_RANGE));
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch, uint64_t(1) << 32)) ==
        bad(SHOAL_SIM_REASON_DATA_TOO_WIDE));
  CHECK(answer(M::msg(SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch, 0xffffffffu)) == 0);  // bit 31 is fine (boundary)
  REQUIRE(c.write(ctrl::kScratch, 0x11111111));
  // reserved fields, and one the op does not use (a READ's data), must be 0
  for (int field = 0; field < 4; ++field) {
    shoal_sim_msg m = M::msg(field == 3 ? SHOAL_SIM_OP_READ : SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch, field == 3 ? 1 : 0x22);
    if (field == 0) m.flags = 1;
    if (field == 1) m.status = 1;
    if (field == 2) m.reason = 0x80000000u;
    INFO("field " << field);
    CHECK(answer(m) == bad(SHOAL_SIM_REASON_RESERVED));
  }
  // Still the value written before, and the connection is still usable.
  CHECK(c.read(ctrl::kScratch) == 0x11111111u);
  // A card error response is a bus error with its reason, not a malformed request.
  CHECK(answer(M::msg(SHOAL_SIM_OP_READ, 4, 0x0ffc)) == SHOAL_SIM_BUS_ERROR * 100 + SHOAL_SIM_REASON_CARD_REFUSED);
  s.stop();
  // Only the well-formed accesses reached the card: the 0xffffffff write, the second write of
  // 0x11111111, the read back, the read with a bus error (the 64-bit write at the end of BAR0
  // is well formed but refused as a whole: no register there).
  CHECK(s.model.transactions() - before == 4);
  CHECK(s.core.stats().bad_requests == 15);
}

TEST_CASE("bytes without the magic: the server answers what came before, says BYE and closes",
          "[sim-server]") {
  Server s;
  RawClient c(s.sock);
  REQUIRE(c.hello());
  // a good READ, then 5 stray bytes, then what would be a good WRITE: out of step now
  uint8_t buf[3 * SHOAL_SIM_MSG_SIZE] = {};
  auto rd = RawClient::msg(SHOAL_SIM_OP_READ, 4, ctrl::kMagic, 0, 5);
  auto wr = RawClient::msg(SHOAL_SIM_OP_WRITE, 4, ctrl::kScratch, 0x77, 6);
  shoal_sim_encode(&rd, buf);
  std::memcpy(buf + SHOAL_SIM_MSG_SIZE, "junk!", 5);
  shoal_sim_encode(&wr, buf + SHOAL_SIM_MSG_SIZE + 5);
  REQUIRE(c.send_bytes(buf, 2 * SHOAL_SIM_MSG_SIZE + 5));
  auto r = c.recv_reply();
  REQUIRE(r);
  CHECK(r->op == SHOAL_SIM_OP_RESP);
  CHECK(r->tag == 5u);
  CHECK(r->data == 0x53484f4cu);
  auto bye = c.recv_reply();
  REQUIRE(bye);
  CHECK(bye->op == SHOAL_SIM_OP_BYE);
  CHECK(bye->status == SHOAL_SIM_BAD_REQUEST);
  CHECK(bye->reason == SHOAL_SIM_REASON_BAD_MAGIC);
  CHECK(c.wait_closed());
  RawClient other(s.sock);
  REQUIRE(other.hello());
  CHECK(other.read(ctrl::kScratch) == 0u);  // the shifted WRITE never happened
  CHECK(s.io->stats().clients_desynced == 1);
}

TEST_CASE("a HELLO with reserved fields set is refused with a reason", "[sim-server]") {
  Server s;
  RawClient c(s.sock);
  auto m = RawClient::msg(SHOAL_SIM_OP_HELLO, 0, 0, SHOAL_SIM_PROTO_VERSION, 1);
  m.flags = 3;
  REQUIRE(c.send(m));
  auto h = c.recv_reply();
  REQUIRE(h);
  CHECK(h->op == SHOAL_SIM_OP_HELLO);
  CHECK(h->status == SHOAL_SIM_BAD_REQUEST);
  CHECK(h->reason == SHOAL_SIM_REASON_RESERVED);
  CHECK(c.wait_closed());
}

TEST_CASE("a 64-bit access is one transaction: refused as a whole, nothing reaches the card",
          "[sim-server]") {
  Server s;
  RawClient c(s.sock);
  REQUIRE(c.hello());
  REQUIRE(c.write(ctrl::kScratch, 0));
  auto answer = [&](uint8_t op, uint64_t off, uint64_t data) {
    auto r = c.transact(op, 8, off, data);
    return r ? r->status * 100 + static_cast<int>(r->reason) : -1;
  };
  const int refused = SHOAL_SIM_BUS_ERROR * 100 + SHOAL_SIM_REASON_WIDE_SPLIT;
  const uint64_t t0 = s.model.transactions();
  // SCRATCH + nothing at 0x14: the low half would have been written (issue 11, item 9)
  CHECK(answer(SHOAL_SIM_OP_WRITE, ctrl::kScratch, 1) == refused);
  // IRQ_PENDING (RO) + IRQ_TEST: the high half would have fired the test interrupt
  REQUIRE(c.write(ctrl::kIrqEnable, 1));
  CHECK(answer(SHOAL_SIM_OP_WRITE, ctrl::kIrqPending, uint64_t(1) << 32) == refused);
  // reads: SCRATCH + nothing
  CHECK(answer(SHOAL_SIM_OP_READ, ctrl::kScratch, 0) == refused);
  CHECK(s.model.transactions() - t0 == 1);  // only the IRQ_ENABLE write
  CHECK(c.read(ctrl::kScratch) == 0u);
  CHECK(c.read(ctrl::kIrqStatus) == 0u);
  CHECK_FALSE(c.recv(100));  // no interrupt message
  CHECK(c.irqs().empty());
  // both halves writable: IRQ_STATUS (W1C) + IRQ_ENABLE (RW) -> two bus writes, both done
  CHECK(answer(SHOAL_SIM_OP_WRITE, ctrl::kIrqStatus, uint64_t(3) << 32) == 0);
  CHECK(c.read(ctrl::kIrqEnable) == 3u);
  s.stop();
  CHECK(s.core.stats().wide_refused == 3);
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

TEST_CASE("a full server says so, to raw clients and to the driver", "[sim-server]") {
  Server s(3);
  std::vector<std::unique_ptr<RawClient>> in;
  for (int i = 0; i < 3; ++i) {
    in.push_back(std::make_unique<RawClient>(s.sock));
    REQUIRE(in.back()->hello());
  }
  RawClient extra(s.sock);
  REQUIRE(extra.connected());
  auto h = extra.hello();
  REQUIRE(h);
  CHECK(h->op == SHOAL_SIM_OP_HELLO);
  CHECK(h->status == SHOAL_SIM_SERVER_FULL);
  CHECK(h->reason == SHOAL_SIM_REASON_FULL);
  CHECK(h->offset == 3u);  // the limit
  CHECK(extra.wait_closed());
  // libshoal's transport: "full", not "reset the connection"
  auto t = shoal::driver::open_sim(s.sock);
  REQUIRE_FALSE(t.ok());
  CHECK(t.code() == shoal::Errc::busy);
  CHECK_THAT(t.error().message, Catch::Contains("is full") && Catch::Contains("at most 3 clients"));
  // the ones inside are served; once one leaves, a newcomer is too
  CHECK(in[0]->read(ctrl::kMagic) == 0x53484f4cu);
  in.pop_back();
  bool served = false;
  for (int i = 0; i < 200 && !served; ++i) {  // the server notices the hang-up on its next round
    auto again = shoal::driver::open_sim(s.sock);
    served = again.ok();
    if (!served) {
      REQUIRE(again.code() == shoal::Errc::busy);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  CHECK(served);
  CHECK(s.io->stats().clients_refused >= 2);
}

TEST_CASE("the driver says why the server closed: it is stopping", "[sim-server]") {
  Server s;
  auto t = shoal::driver::open_sim(s.sock);
  REQUIRE(t.ok());
  REQUIRE((*t)->read32(ctrl::kMagic).ok());
  s.stop();
  s.io.reset();  // the I/O thread ends: every client gets BYE {SHUTDOWN}
  auto r = (*t)->read32(ctrl::kMagic);
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == shoal::Errc::closed);
  CHECK_THAT(r.error().message, Catch::Contains("stopping"));
}

TEST_CASE("sim: on a regular file or a directory says what it is", "[sim-server]") {
  TempDir d;
  const std::string file = (d.path() / "notasocket").string();
  { std::ofstream(file) << "x"; }
  auto a = shoal::driver::open_sim(file);
  REQUIRE_FALSE(a.ok());
  CHECK(a.code() == shoal::Errc::no_device);
  CHECK_THAT(a.error().message, Catch::Contains("a regular file, not a shoal-sim socket"));
  auto b = shoal::driver::open_sim(d.path().string());
  REQUIRE_FALSE(b.ok());
  CHECK_THAT(b.error().message, Catch::Contains("a directory, not a shoal-sim socket"));
  CHECK_THAT(b.error().message, !Catch::Contains("stale"));
}

namespace {
// A socket file nobody listens on, as a crashed server leaves behind.
void make_stale(const std::string& p) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, p.c_str(), sizeof a.sun_path - 1);
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
}
}  // namespace

TEST_CASE("the socket path is owned through a lock file: a holder keeps others out", "[sim-server]") {
  TempDir d;
  const std::string p = (d.path() / "s.sock").string();
  make_stale(p);
  struct stat before{};
  REQUIRE(::stat(p.c_str(), &before) == 0);
  {
    // somebody (a server starting up) holds the lock: the stale socket is not theirs to judge
    UniqueFd lk(::open(shoal::sim_socket::lock_path(p).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    REQUIRE(::flock(lk.get(), LOCK_EX | LOCK_NB) == 0);
    try {
      Listener l(p);
      FAIL("a listener started while another held the lock");
    } catch (const SetupError& e) {
      CHECK_THAT(e.what(), Catch::Contains("already listening") && Catch::Contains(".lock"));
    }
    struct stat after{};
    REQUIRE(::stat(p.c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino);  // left alone
  }
  {
    Listener l(p);  // lock free again: the stale socket is replaced
    CHECK(fs::exists(shoal::sim_socket::lock_path(p)));
  }
  CHECK_FALSE(fs::exists(p));
  CHECK_FALSE(fs::exists(shoal::sim_socket::lock_path(p)));  // both removed on the way out
}

TEST_CASE("servers started at once on one stale path: exactly one listens, every time",
          "[sim-server]") {
  TempDir d;
  const std::string p = (d.path() / "race.sock").string();
  constexpr int kRounds = 400, kStarters = 6;
  for (int round = 0; round < kRounds; ++round) {
    make_stale(p);
    std::promise<void> go;
    std::shared_future<void> start = go.get_future().share();
    std::vector<std::unique_ptr<Listener>> got(kStarters);
    std::vector<std::thread> th;
    for (int i = 0; i < kStarters; ++i) {
      th.emplace_back([&, i, start] {
        start.wait();  // all at once
        try {
          got[i] = std::make_unique<Listener>(p);
        } catch (const SetupError&) {
        }
      });
    }
    go.set_value();
    for (auto& t : th) t.join();
    int listening = 0;
    for (auto& l : got) listening += l != nullptr;
    INFO("round " << round);
    REQUIRE(listening == 1);
    RawClient c;
    CHECK(c.connect(p) == 0);  // and the path reaches it
    got.clear();
    CHECK_FALSE(fs::exists(p));
  }
}

TEST_CASE("the socket is created 0600 whatever the umask; --socket-mode/--socket-group widen it",
          "[sim-server]") {
  TempDir d;
  const std::string p = (d.path() / "m.sock").string();
  const mode_t old = ::umask(0);  // the most permissive umask: the mode must not follow it
  struct Restore {
    mode_t m;
    ~Restore() { ::umask(m); }
  } restore{old};
  struct stat st{};
  {
    Listener l(p);
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  {
    SocketAccess a;
    a.mode = 0660;
    a.group = std::to_string(::getgid());
    Listener l(p, nullptr, a);
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0660);
    CHECK(st.st_gid == ::getgid());
  }
  SocketAccess owner_locked_out;
  owner_locked_out.mode = 0440;
  CHECK_THROWS_WITH(Listener(p, nullptr, owner_locked_out), Catch::Contains("0600"));
  SocketAccess no_group;
  no_group.group = "no-such-group-shoal-test";
  CHECK_THROWS_WITH(Listener(p, nullptr, no_group), Catch::Contains("no such group"));
  CHECK_FALSE(fs::exists(p));
  CHECK(parse_socket_mode("0660") == 0660u);
  CHECK(parse_socket_mode("660") == 0660u);
  CHECK(parse_socket_mode("0o777") == 0777u);
  CHECK_FALSE(parse_socket_mode("0800"));
  CHECK_FALSE(parse_socket_mode("1777"));
  CHECK_FALSE(parse_socket_mode(""));
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
