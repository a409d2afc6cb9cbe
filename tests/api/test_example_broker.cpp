// examples/broker (issue 14, label api): the small broker runs its demand file against shoal-sim;
// every step's holdings are what the demand, the priorities and the pools allow.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "card_sim.hpp"

using namespace shoal::test;

TEST_CASE("the example broker follows the VMs' demand", "[api]") {
  CardSim card;
  {
    shoal_handle* h = nullptr;
    REQUIRE(shoal_admin_open(card.dev(), &h) == SHOAL_OK);
    shoal_policy p{};
    SHOAL_INIT(p);
    p.policy = SHOAL_OP_POLICY_SET_POLICY_STATIC;  // only the broker's requests move units
    p.epoch_windows = 1;
    p.alpha = 3;
    const int rc = shoal_policy_set(h, &p);
    shoal_handle_close(h);
    REQUIRE(rc == SHOAL_OK);
  }
  const std::string cmd = std::string(SHOAL_EXAMPLE_BROKER) + " " + card.uri() + " " + SHOAL_EXAMPLE_DEMAND + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = ::pclose(p);
  INFO(out);
  REQUIRE(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  auto has = [&](const std::string& s) { return out.find(s) != std::string::npos; };
  CHECK(has("vm db: partition 0, priority 8"));
  CHECK(has("holdings after step 0: db cpu=8,cache_ways=6; web cpu=4; ml cpu=16;"));
  CHECK(has("step 1: ml cpu 16 -> 40: OK, granted 24 (reclaimed 0)"));
  CHECK(has("holdings after step 1: db cpu=8,cache_ways=6; web cpu=12; ml cpu=40;"));
  // step 2: db gives 4 back first; ml wants 10 more, 8 are free, nobody below it to reclaim from
  CHECK(has("step 2: db cpu 8 -> 4: released 4"));
  CHECK(has("step 2: ml cpu 40 -> 50: PARTIAL, granted 8 (reclaimed 0)"));
  CHECK(has("holdings after step 2: db cpu=4,cache_ways=6; web cpu=12; ml cpu=48;"));
  CHECK(has("holdings after step 3: db cpu=4,cache_ways=6; web cpu=12,mem_bw=32; ml -;"));
  // and it cleaned up: no partition left, every unit back
  shoal_handle* h = nullptr;
  REQUIRE(shoal_admin_open(card.dev(), &h) == SHOAL_OK);
  std::uint64_t mask = 1;
  CHECK(shoal_part_list(h, &mask, nullptr) == SHOAL_OK);
  CHECK(mask == 0);
  shoal_res_info r{};
  SHOAL_INIT(r);
  CHECK(shoal_res_query(h, SHOAL_RES_CPU, &r) == SHOAL_OK);
  CHECK(r.free == r.units);
  shoal_handle_close(h);
}

TEST_CASE("the example broker refuses a bad demand file before creating anything", "[api]") {
  CardSim card;
  const std::string bad = card.dir().file("bad.txt");
  {
    FILE* f = std::fopen(bad.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("vm a 1\nat 0 a no_such_type 3\n", f);
    std::fclose(f);
  }
  const std::string cmd = std::string(SHOAL_EXAMPLE_BROKER) + " " + card.uri() + " " + bad + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[1024];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = ::pclose(p);
  INFO(out);
  CHECK(WEXITSTATUS(st) == 2);
  CHECK(out.find("bad.txt:2: unknown VM 'a' or type 'no_such_type'") != std::string::npos);
}
