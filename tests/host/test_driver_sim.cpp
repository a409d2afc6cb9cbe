// driver/ sim: backend against a tiny in-test server speaking the shoal-sim wire protocol.
#include <catch2/catch.hpp>

#include "shoal/driver/transport.hpp"
#include "shoal/regs.h"
#include "shoal/shoal.h"
#include "test_support.hpp"

using namespace shoal;
using namespace shoal::test;
using driver::open_transport;
using driver::TransportOptions;
using std::chrono::milliseconds;

namespace {
TransportOptions quick(int ms = 300) {
  TransportOptions o;
  o.sim_timeout = milliseconds(ms);
  return o;
}
}  // namespace

TEST_CASE("sim: HELLO handshake, reads and writes", "[sim]") {
  FakeSimServer srv(card_image());
  auto t = open_transport(srv.uri());
  REQUIRE(t.ok());
  auto& tr = **t;
  CHECK(tr.bar_size() == regs::kBar0Size);
  CHECK(tr.describe() == srv.uri());
  CHECK(tr.read32(SHOAL_CTRL_MAGIC_ADDR).value() == SHOAL_CTRL_MAGIC_RESET);
  CHECK(tr.read32(SHOAL_CTRL_ID_ADDR).value() == SHOAL_CTRL_ID_RESET);
  CHECK(tr.read64(SHOAL_CTRL_ID_ADDR).value() == (std::uint64_t{SHOAL_CTRL_MAGIC_RESET} << 32 | SHOAL_CTRL_ID_RESET));
  REQUIRE(tr.write32(SHOAL_CTRL_SCRATCH_ADDR, 0xcafef00d).ok());
  CHECK(srv.word(SHOAL_CTRL_SCRATCH_ADDR) == 0xcafef00du);
  CHECK(tr.read32(SHOAL_CTRL_SCRATCH_ADDR).value() == 0xcafef00du);
  REQUIRE(tr.write64(0x1000, 0x1122334455667788ull).ok());
  CHECK(srv.word(0x1000) == 0x55667788u);
  CHECK(srv.word(0x1004) == 0x11223344u);
  // Bad arguments are refused before anything is sent.
  const int before = srv.requests();
  CHECK(tr.read32(3).code() == Errc::invalid_arg);
  CHECK(tr.write64(regs::kBar0Size, 0).code() == Errc::invalid_arg);
  CHECK(srv.requests() == before);
}

TEST_CASE("sim: a bus error from the card is Errc::bus / SHOAL_ERR_BUS", "[sim]") {
  FakeSimServer::Behaviour b;
  b.bus_error_at = 0x2000;
  FakeSimServer srv(card_image(), b);
  auto t = open_transport(srv.uri());
  REQUIRE(t.ok());
  auto r = (*t)->read32(0x2000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::bus);
  CHECK_THAT(r.error().message, Catch::Contains("0x2000"));
  CHECK((*t)->write32(0x2000, 1).code() == Errc::bus);
  // The connection stays usable after a bus error.
  CHECK((*t)->read32(SHOAL_CTRL_MAGIC_ADDR).value() == SHOAL_CTRL_MAGIC_RESET);
  t.value().reset();

  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open(srv.uri().c_str(), &dev) == SHOAL_OK);
  std::uint32_t v = 0;
  CHECK(shoal_reg_read32(dev, 0x2000, &v) == SHOAL_ERR_BUS);
  CHECK_THAT(shoal_last_error(), Catch::Contains("refused"));
  shoal_close(dev);
}

TEST_CASE("sim: IRQ messages are queued during a request and delivered to wait", "[sim]") {
  FakeSimServer::Behaviour b;
  b.irq_before_at = SHOAL_CTRL_SCRATCH_ADDR;
  b.irq_mask = 0x5;
  FakeSimServer srv(card_image(), b);
  auto t = open_transport(srv.uri());
  REQUIRE(t.ok());
  auto& tr = **t;
  // Nothing pending yet: a poll times out at once.
  CHECK(tr.wait_for_interrupt(milliseconds(0)).code() == Errc::timeout);
  // The IRQ arrives before the RESP; the read still succeeds and the IRQ is kept.
  CHECK(tr.read32(SHOAL_CTRL_SCRATCH_ADDR).ok());
  auto v = tr.wait_for_interrupt(milliseconds(0));
  REQUIRE(v.ok());
  CHECK(*v == 0x5u);
  // Delivered once.
  CHECK(tr.wait_for_interrupt(milliseconds(0)).code() == Errc::timeout);

  // An asynchronous IRQ wakes a waiting client.
  srv.raise_irq(0x80);
  auto w = tr.wait_for_interrupt(milliseconds(2000));
  REQUIRE(w.ok());
  CHECK(*w == 0x80u);

  // An IRQ that already arrived is seen by a zero-timeout poll.
  srv.raise_irq(0x40);
  std::this_thread::sleep_for(milliseconds(100));
  auto polled = tr.wait_for_interrupt(milliseconds(0));
  REQUIRE(polled.ok());
  CHECK(*polled == 0x40u);

  // No IRQ: the wait ends with a timeout status, not an event and not forever.
  auto none = tr.wait_for_interrupt(milliseconds(150));
  CHECK(none.code() == Errc::timeout);
}

TEST_CASE("sim: IRQ through the C ABI shoal_wait_event", "[sim]") {
  FakeSimServer srv(card_image());
  shoal_dev* dev = nullptr;
  REQUIRE(shoal_open(srv.uri().c_str(), &dev) == SHOAL_OK);
  std::uint32_t vec = 0;
  CHECK(shoal_wait_event(dev, 0, &vec) == SHOAL_ERR_TIMEOUT);
  srv.raise_irq(0x3);
  CHECK(shoal_wait_event(dev, 2000, &vec) == SHOAL_OK);
  CHECK(vec == 0x3u);
  shoal_close(dev);
}

TEST_CASE("sim: the server closing mid-request is a clear error, not a hang", "[sim]") {
  FakeSimServer::Behaviour b;
  b.close_at = 0x3000;
  FakeSimServer srv(card_image(), b);
  // A long request timeout: had the close gone unnoticed, the status would be timeout.
  auto t = open_transport(srv.uri(), quick(60000));
  REQUIRE(t.ok());
  auto r = (*t)->read32(0x3000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::closed);
  CHECK_THAT(r.error().message, Catch::Contains(srv.path().string()) && Catch::Contains("closed the connection"));
  // Later calls fail the same way instead of touching a dead socket.
  auto again = (*t)->read32(SHOAL_CTRL_MAGIC_ADDR);
  CHECK(again.code() == Errc::closed);
  CHECK((*t)->wait_for_interrupt(milliseconds(10)).code() == Errc::closed);
}

TEST_CASE("sim: a server that stops answering times out", "[sim]") {
  FakeSimServer::Behaviour b;
  b.silent_at = 0x3000;
  FakeSimServer srv(card_image(), b);
  auto t = open_transport(srv.uri(), quick(300));
  REQUIRE(t.ok());
  auto r = (*t)->read32(0x3000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::timeout);
  CHECK_THAT(r.error().message, Catch::Contains("did not answer"));
}

TEST_CASE("sim: SHOAL_SIM_TIMEOUT_MS sets the request timeout", "[sim]") {
  FakeSimServer::Behaviour b;
  b.silent_at = 0x3000;
  FakeSimServer srv(card_image(), b);
  ScopedEnv env("SHOAL_SIM_TIMEOUT_MS", "200");
  auto t = open_transport(srv.uri());
  REQUIRE(t.ok());
  auto r = (*t)->read32(0x3000);
  CHECK(r.code() == Errc::timeout);
  // the message states the timeout in force: the variable's, not the 5000 ms default
  CHECK_THAT(r.error().message, Catch::Contains("within 200 ms"));
}

TEST_CASE("sim: missing socket, stale socket and bad paths are clear errors", "[sim]") {
  TempDir dir;
  const auto path = (dir.path() / "nobody-here.sock").string();
  auto r = open_transport("sim:" + path, quick());
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::no_device);
  CHECK_THAT(r.error().message, Catch::Contains(path));

  shoal_dev* dev = reinterpret_cast<shoal_dev*>(&dir);
  CHECK(shoal_open(("sim:" + path).c_str(), &dev) == SHOAL_ERR_NO_DEVICE);
  CHECK(dev == nullptr);
  CHECK_THAT(shoal_last_error(), Catch::Contains(path));

  // A socket file nobody listens on (left behind by a crashed simulator).
  const auto stale = (dir.path() / "stale.sock").string();
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, stale.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
  }
  auto s = open_transport("sim:" + stale, quick());
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == Errc::no_device);
  CHECK_THAT(s.error().message, Catch::Contains(stale) && Catch::Contains("nothing is listening"));

  CHECK(open_transport("sim:", quick()).code() == Errc::invalid_arg);
  CHECK(open_transport("sim:/" + std::string(200, 'x'), quick()).code() == Errc::invalid_arg);
}

TEST_CASE("sim: a server speaking another protocol version is refused", "[sim]") {
  FakeSimServer::Behaviour b;
  b.hello_status = SHOAL_SIM_BAD_VERSION;
  FakeSimServer srv(card_image(), b);
  auto r = open_transport(srv.uri(), quick());
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::protocol);
  CHECK_THAT(r.error().message, Catch::Contains("protocol version"));
}

TEST_CASE("sim: a server offering a BAR0 smaller than the card's is refused", "[sim]") {
  FakeSimServer::Behaviour b;
  b.bar_size = 0x1000;
  FakeSimServer srv(card_image(), b);
  auto r = open_transport(srv.uri(), quick());
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::no_device);
}

TEST_CASE("sim: one transport shared by a reading thread and a waiting thread", "[sim]") {
  FakeSimServer srv(card_image());
  auto t = open_transport(srv.uri());
  REQUIRE(t.ok());
  auto& tr = **t;
  std::atomic<int> good_reads{0};
  std::thread reader([&] {
    for (int i = 0; i < 300; ++i) {
      auto r = tr.read32(SHOAL_CTRL_MAGIC_ADDR);
      if (r.ok() && *r == SHOAL_CTRL_MAGIC_RESET) ++good_reads;
    }
  });
  std::this_thread::sleep_for(milliseconds(20));
  srv.raise_irq(0x2);
  auto w = tr.wait_for_interrupt(milliseconds(3000));
  reader.join();
  REQUIRE(w.ok());
  CHECK(*w == 0x2u);
  CHECK(good_reads == 300);
}
