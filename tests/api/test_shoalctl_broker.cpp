// shoalctl's broker commands (issue 14, label api) against shoal-sim: partition
// list|create|set|destroy, resource list, request, release, swap, events, top --once, log; text
// and --json from one report; exit codes 0 (done), 2 (refused before the card), 3 (the card
// refused, or a partition handle named another partition).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <atomic>
#include <chrono>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "card_sim.hpp"

using namespace shoal::test;
using nlohmann::json;

namespace {

struct Run {
  int rc = -1;
  std::string out, err;
};

CardSim& card() {
  static CardSim c;
  return c;
}

Run shoalctl(const std::string& args) {
  const std::string err = card().dir().file("stderr.txt");
  const std::string cmd = std::string(SHOAL_TEST_SHOALCTL) + " --device " + card().uri() + " " + args + " 2>" + err;
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = slurp(err);
  return r;
}

json shoalctl_json(const std::string& args, int expect_rc = 0) {
  Run r = shoalctl(args + " --json");
  INFO("shoalctl " << args << " --json\nstdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.rc == expect_rc);
  return json::parse(r.out);
}

bool has(const std::string& s, const std::string& w) { return s.find(w) != std::string::npos; }

}  // namespace

TEST_CASE("shoalctl partition, resource, request, release, swap: text, JSON and exit codes", "[api]") {
  // the static policy: only these commands move units
  {
    shoal_handle* h = nullptr;
    REQUIRE(shoal_admin_open(card().dev(), &h) == SHOAL_OK);
    shoal_policy p{};
    SHOAL_INIT(p);
    p.policy = SHOAL_OP_POLICY_SET_POLICY_STATIC;
    p.epoch_windows = 1;
    p.alpha = 3;
    const int rc = shoal_policy_set(h, &p);
    shoal_handle_close(h);
    REQUIRE(rc == SHOAL_OK);
  }
  json c = shoalctl_json("partition create --prio 3");
  CHECK(c["partition"] == 0);
  c = shoalctl_json("partition create 5 --prio 9");
  CHECK(c["partition"] == 5);
  Run t = shoalctl("partition create 5");
  CHECK(t.rc == 3);
  CHECK(has(t.err, "PART_CREATE of partition 5: the card refused it: EXISTS"));

  json g = shoalctl_json("request 0 cache_ways 6");
  CHECK(g["status"] == SHOAL_ST_OK);
  CHECK(g["granted"] == 6);
  CHECK(g["held"] == 6);
  t = shoalctl("request 5 1 4");  // a type by number; text output
  CHECK(t.rc == 0);
  CHECK(has(t.out, "granted          4"));
  CHECK(has(t.out, "cache_ways"));
  // refused by the card: exit 3, the JSON error names the status
  json e = shoalctl_json("request 0 cache_ways 50", 3);
  CHECK(e["error"]["code"] == "refused");
  CHECK(has(e["error"]["message"], "DENIED_CAP"));
  CHECK(e["error"]["exit_code"] == 3);
  // refused before the card: exit 2
  t = shoalctl("request 0 no_such_type 1");
  CHECK(t.rc == 2);
  CHECK(has(t.err, "type 'no_such_type': one of cpu (0), cache_ways (1)"));
  t = shoalctl("request 0 cache_ways 0");
  CHECK(t.rc == 2);
  CHECK(has(t.err, "must not be 0"));
  // a partition handle acting on another partition: exit 3, nothing sent
  t = shoalctl("request --partition 0 5 cache_ways 1");
  CHECK(t.rc == 3);
  CHECK(has(t.err, "the handle of partition 0 may act only on partition 0"));
  json own = shoalctl_json("request --partition 0 0 cache_ways 1 --partial");
  CHECK(own["granted"] == 1);

  // partition list: one row per partition, holdings by type name
  json l = shoalctl_json("partition list");
  REQUIRE(l["partitions"].size() == 2);
  CHECK(l["partitions"][0]["partition"] == 0);
  CHECK(l["partitions"][0]["held"]["cache_ways"] == 7);
  CHECK(l["partitions"][1]["prio"] == 9);
  json lp = shoalctl_json("partition list --partition 5");
  REQUIRE(lp["partitions"].size() == 1);
  CHECK(lp["partitions"][0]["partition"] == 5);

  // set: a floor and cap of one type, the priority; the rest kept
  json s = shoalctl_json("partition set 0 --prio 4 --floor cache_ways=2 --cap cache_ways=12");
  CHECK(s["partitions"][0]["prio"] == 4);
  CHECK(s["partitions"][0]["floor"]["cache_ways"] == 2);
  CHECK(s["partitions"][0]["cap"]["cache_ways"] == 12);
  t = shoalctl("partition set 0 --cap cache_ways=3");
  CHECK(t.rc == 3);
  CHECK(has(t.err, "CAP_BELOW_ALLOC"));
  t = shoalctl("partition set 0");
  CHECK(t.rc == 2);
  CHECK(has(t.err, "nothing to set"));
  t = shoalctl("partition set --partition 0 0 --prio 1");
  CHECK(t.rc == 3);
  CHECK(has(t.err, "only the admin handle may do this"));

  // resource list: totals, free, allocations (a partition handle sees its own only)
  json rl = shoalctl_json("resource list");
  REQUIRE(rl["resources"].size() == SHOAL_PARAM_NUM_RESOURCE_TYPES);
  CHECK(rl["resources"][1]["name"] == "cache_ways");
  CHECK(rl["resources"][1]["units"] == 16);
  CHECK(rl["resources"][1]["free"] == 16 - 11);
  CHECK(rl["resources"][1]["alloc"]["0"] == 7);
  CHECK(rl["resources"][1]["alloc"]["5"] == 4);
  json rp = shoalctl_json("resource list --partition 5");
  CHECK(rp["resources"][1]["alloc"].size() == 1);
  CHECK(rp["resources"][1]["alloc"]["5"] == 4);

  // swap and release
  json sw = shoalctl_json("swap 0 5 cache_ways 3");
  CHECK(sw["moved"] == 3);
  t = shoalctl("swap 0 5 cache_ways 3");  // would leave 1 < floor 2
  CHECK(t.rc == 3);
  CHECK(has(t.err, "INSUFFICIENT"));
  json rel = shoalctl_json("release 5 cache_ways 2");
  CHECK(rel["held"] == 5);
  t = shoalctl("release 5 cache_ways 99");
  CHECK(t.rc == 3);

  // top --once: one frame, the same data
  json tp = shoalctl_json("top --once");
  CHECK(tp["service"]["state"] == "running");
  REQUIRE(tp["partitions"].size() == 2);
  CHECK(tp["partitions"][1]["held"]["cache_ways"] == 5);
  t = shoalctl("top --once");
  CHECK(t.rc == 0);
  CHECK(has(t.out, "partitions (2):"));
  CHECK(has(t.out, "[....................]"));  // the utilization bar, idle

  // log: the audit ring's records of what was just done
  json lg = shoalctl_json("log --last 200");
  bool swap_logged = false;
  for (const auto& rec : lg["records"]) swap_logged |= rec["kind"] == "SWAP" && rec["part"] == 0 && rec["part2"] == 5;
  CHECK(swap_logged);
  t = shoalctl("log --follow --for-ms 300 --last 1");
  CHECK(t.rc == 0);
  CHECK(has(t.out, "SEQ"));

  // register (every slot of this card is built in: no room) and migrate
  t = shoalctl("resource register gpu 4");
  CHECK(t.rc == 3);
  CHECK(has(t.err, "NO_SPACE"));
  t = shoalctl("resource register Bad 4");
  CHECK(t.rc == 2);
  json m = shoalctl_json("partition list");
  json mg = shoalctl_json("migrate 63 5");
  CHECK(mg["to"] == 5);
  CHECK(mg["cycles"].get<std::uint64_t>() > 0);
  json back = shoalctl_json("migrate 63 idle");
  CHECK(back["from"] == 5);
  CHECK(back["to"] == 255);
  t = shoalctl("migrate 63 nowhere");
  CHECK(t.rc == 2);

  // destroy
  json d = shoalctl_json("partition destroy 5");
  CHECK(d["released"]["cache_ways"] == 5);
  t = shoalctl("partition destroy 5");
  CHECK(t.rc == 3);
  CHECK(has(t.err, "NO_PARTITION"));
  t = shoalctl("partition destroy x");
  CHECK(t.rc == 2);
}

TEST_CASE("shoalctl events: what arrives on the handle's queue while it waits", "[api]") {
  // partition 1 holds ways above nothing; a higher-priority request reclaims them while
  // `shoalctl events --partition 1` listens
  shoal_handle* a = nullptr;
  REQUIRE(shoal_admin_open(card().dev(), &a) == SHOAL_OK);
  REQUIRE(shoal_part_create(a, 1, 1, nullptr) == SHOAL_OK);
  REQUIRE(shoal_part_create(a, 2, 8, nullptr) == SHOAL_OK);
  shoal_request_args r{};
  SHOAL_INIT(r);
  r.partition = 1;
  r.type = SHOAL_RES_PCIE_LANES;
  r.amount = SHOAL_RES_PCIE_LANES_UNITS;
  shoal_grant g{};
  SHOAL_INIT(g);
  REQUIRE(shoal_request(a, &r, &g) == SHOAL_OK);
  // a higher-priority partition takes one lane at a time, every 300 ms, until the listener has
  // seen one (events that came before it opened the queue are not its own): bounded, and no
  // timing decides the outcome
  std::atomic<bool> heard{false};
  std::thread taker([&] {
    for (int i = 0; i < 200 && !heard; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      shoal_request_args q = r;
      q.partition = 2;
      q.amount = 1;
      q.flags = SHOAL_REQ_ALLOW_RECLAIM;
      shoal_grant gg{};
      SHOAL_INIT(gg);
      const int rc = shoal_request(a, &q, &gg);  // INSUFFICIENT once partition 1 has none
      (void)rc;
    }
  });
  json ev = shoalctl_json("events --partition 1 --wait-ms 60000 --count 1");
  heard = true;
  taker.join();
  REQUIRE(ev["events"].size() == 1);
  CHECK(ev["events"][0]["kind"] == "RECLAIMED");
  CHECK(ev["events"][0]["other"] == 2);
  CHECK(ev["events"][0]["amount"] == 1);
  CHECK(has(ev["events"][0]["text"], "partition 1 lost 1 pcie_lanes to partition 2"));
  Run t = shoalctl("events --wait-ms x");
  CHECK(t.rc == 2);
  REQUIRE(shoal_part_destroy(a, 1, nullptr) == SHOAL_OK);
  REQUIRE(shoal_part_destroy(a, 2, nullptr) == SHOAL_OK);
  shoal_handle_close(a);
}
