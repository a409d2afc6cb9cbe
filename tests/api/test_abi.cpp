// ABI (issue 14, label api): tests/api/abi_v1.c — a C consumer built against the first published
// broker structs — against shoal-sim.
#include <catch2/catch.hpp>

#include "abi_v1.h"
#include "card_sim.hpp"

TEST_CASE("a consumer built against the first published struct sizes still works", "[api][abi]") {
  shoal::test::CardSim card;
  char msg[512] = {0};
  const int rc = abi_v1_run(card.uri().c_str(), msg, sizeof msg);
  INFO(msg);
  CHECK(rc == 0);
}
