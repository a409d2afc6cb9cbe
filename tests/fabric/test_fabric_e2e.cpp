// The fabric end to end: real etcd (one node, or a 3-node cluster for the faults), three
// shoal-sim cards and three shoal-fabricd. Each card describes 2 "aes" slices and 1 "pkt100g".
#include <atomic>
#include <set>

#include <catch2/catch.hpp>

#include "fabric_rig.hpp"
#include "k8s_schema_check.hpp"

using namespace fabric_test;

namespace {
const std::string kPrefix = "/shoal/fabric/";
constexpr int kTtl = 3;  // lease TTL (s) of the servers under test

struct Fabric {
  shoal::test::TempDir dir{"shoal-fabric"};
  Pki pki{dir.path()};
  EtcdCluster etcd;
  std::vector<std::unique_ptr<Server>> servers;
  std::unique_ptr<fab::Etcd> root;
  explicit Fabric(int members)
      : etcd(dir.path(), pki, members, {"a", "b", "c"}) {
    root = std::make_unique<fab::Etcd>(etcd.endpoints(), pki.tls("root"));
    const std::pair<const char*, const char*> where[] = {{"a", "pod1/rack1"}, {"b", "pod1/rack1"}, {"c", "pod1/rack2"}};
    for (auto [n, loc] : where) servers.push_back(std::make_unique<Server>(dir.path(), pki, n, loc, etcd.endpoints(), kTtl));
  }
  Server& s(int i) { return *servers[i]; }
  std::size_t count(const std::string& sub) {
    auto r = root->range_prefix(kPrefix + sub);
    REQUIRE(r);
    return static_cast<std::size_t>(r.value.kvs_size());
  }
  std::string manager() {
    auto h = s(0).call("GET", "/v1/health");
    return h.status == 200 ? h.body.value("manager", "") : "";
  }
};

void wait_inventory(Fabric& f, std::size_t slices) {
  for (int i = 0; i < 3; ++i) {
    eventually([&] {
      auto r = f.s(i).call("GET", "/v1/slices");
      return r.status == 200 && r.body["slices"].size() == slices;
    }, "server " + f.s(i).name() + " sees " + std::to_string(slices) + " slices");
  }
}

// Many concurrent requests from every server for fewer slices than requests; returns grants.
int burst(Fabric& f, int per_server, const std::string& cap, std::vector<std::pair<int, std::string>>& held,
          std::atomic<int>* failed = nullptr) {
  std::mutex mu;
  std::vector<std::thread> t;
  std::vector<std::string> errors;  // Catch assertions stay on the test's thread
  int granted = 0;
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < per_server; ++k) {
      t.emplace_back([&, i] {
        auto r = f.s(i).request(cap);
        std::lock_guard<std::mutex> lk(mu);
        if (r.status == 201) {
          ++granted;
          held.emplace_back(i, r.body["id"].get<std::string>());
        } else if (r.status != 404) {
          if (failed) ++*failed;
          else errors.push_back("request answered " + std::to_string(r.status) + ": " + r.body.dump() + r.error);
        }
      });
    }
  }
  for (auto& x : t) x.join();
  for (const auto& e : errors) FAIL_CHECK(e);
  return granted;
}

void release_all(Fabric& f, std::vector<std::pair<int, std::string>>& held) {
  for (auto& [i, id] : held) {
    auto r = f.s(i).call("DELETE", "/v1/requests/" + id);
    CHECK(r.status == 200);
  }
  held.clear();
}
}  // namespace

TEST_CASE("fabric: discovery, request, grant, use, release, refusals, no double grant, a server's death",
          "[single]") {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Fabric f(1);
  wait_inventory(f, 9);

  {  // inventory and servers agree everywhere
    for (int i = 0; i < 3; ++i) {
      auto r = f.s(i).call("GET", "/v1/servers");
      REQUIRE(r.status == 200);
      REQUIRE(r.body["servers"].size() == 3);
      CHECK(!r.body["manager"].get<std::string>().empty());
      for (const auto& sv : r.body["servers"]) CHECK(sv["slices"] == 3);
    }
  }

  // Kubernetes: every server's pool as a ResourceSlice that follows resource.k8s.io/v1
  {
    auto k = f.s(2).call("GET", "/v1/k8s/resourceslices?driver=fabric.shoal.dev");
    REQUIRE(k.status == 200);
    REQUIRE(k.body["items"].size() == 3);
    for (const auto& item : k.body["items"]) {
      INFO(item.dump(2));
      CHECK(validate_resource_slice(item).empty());
      CHECK(item["spec"]["devices"].size() == 3);
      CHECK(item["spec"]["pool"]["generation"].get<std::int64_t>() > 0);
    }
    auto bad = f.s(2).call("GET", "/v1/k8s/resourceslices?driver=Not_A_Domain");
    CHECK(bad.status == 400);  // refused, not rendered into an invalid object
  }

  // request -> grant: own server first, then the nearer server b, then c
  auto g1 = f.s(0).request("aes");
  REQUIRE(g1.status == 201);
  CHECK(g1.body["lender"] == "a");
  CHECK(g1.body["hops"] == 0);
  auto g2 = f.s(0).request("aes");
  REQUIRE(g2.status == 201);
  CHECK(g2.body["lender"] == "a");
  auto g3 = f.s(0).request("aes");
  REQUIRE(g3.status == 201);
  CHECK(g3.body["lender"] == "b");
  CHECK(g3.body["hops"] == 2);
  const std::string slice3 = g3.body["slice"];
  {
    // the grant is itself leased: on the borrower's borrow lease, so it dies with the borrower
    auto gk = f.root->range(kPrefix + "grants/b/" + slice3);
    auto ak = f.root->range(kPrefix + "servers/a");
    REQUIRE(gk);
    REQUIRE(ak);
    REQUIRE(gk.value.kvs_size() == 1);
    REQUIRE(ak.value.kvs_size() == 1);
    const auto rec = fab::ServerRec::from(fab::Kv{ak.value.kvs(0).key(), ak.value.kvs(0).value(), 0, 0, 0});
    REQUIRE(rec);
    CHECK(gk.value.kvs(0).lease() != 0);
    CHECK(gk.value.kvs(0).lease() == rec->borrow_lease);
    CHECK(rec->borrow_lease != rec->lease);
  }

  // use: the lender sees its slice lent to a, and its card still describes it
  auto onb = f.s(1).call("GET", "/v1/slices?server=b");
  REQUIRE(onb.status == 200);
  int lent = 0;
  for (const auto& x : onb.body["slices"]) {
    if (x["slice"] == slice3) {
      CHECK(x["state"] == "granted");
      CHECK(x["borrower"] == "a");
      ++lent;
    }
  }
  CHECK(lent == 1);
  auto srv = f.s(1).call("GET", "/v1/servers");
  for (const auto& x : srv.body["servers"]) {
    if (x["server"] == "b") CHECK(x["lent"] == 1);
    if (x["server"] == "a") CHECK(x["borrowed"] == 1);
  }

  // refused: c releasing a's slice through its fabricd
  auto steal = f.s(2).call("DELETE", "/v1/grants/b/" + slice3);
  CHECK(steal.status == 403);
  CHECK_THAT(steal.body.value("error", ""), Catch::Contains("held by a"));
  auto steal2 = f.s(2).call("DELETE", "/v1/requests/" + g3.body["id"].get<std::string>());
  CHECK(steal2.status == 404);
  // refused by etcd itself: c's identity may not publish b's slice, release a's grant, or a's request
  {
    fab::Etcd c(f.etcd.endpoints(), f.pki.tls("srv-c"));
    auto p = c.put(kPrefix + "slices/b/forged", "{}");
    CHECK_FALSE(p);
    CHECK(p.error.permission());
    auto d = c.del(kPrefix + "grants/b/" + slice3);
    CHECK_FALSE(d);
    CHECK(d.error.permission());
    auto d2 = c.del(kPrefix + "requests/a/" + g3.body["id"].get<std::string>());
    CHECK(d2.error.permission());
    auto own = c.put(kPrefix + "slices/c/probe", "{}");  // its own prefix: allowed
    CHECK(own);
    CHECK(c.del(kPrefix + "slices/c/probe"));
    fab::Etcd m(f.etcd.endpoints(), f.pki.tls("mgr-c"));
    auto e = m.put(kPrefix + "election/a", "{}");  // may not stand as another server's manager
    CHECK(e.error.permission());
  }
  CHECK(f.count("grants/") == 3);

  // refused: clients without a valid certificate
  {
    auto none = https(f.s(0).api() + "/v1/slices", "GET", "", f.pki.ca(), "", "");
    CHECK(none.status == 0);
    f.pki.issue("evil", "shoalctl", true);
    auto evil = https(f.s(0).api() + "/v1/slices", "GET", "", f.pki.ca(), f.pki.crt("evil"), f.pki.key("evil"));
    CHECK(evil.status == 0);
    f.pki.issue("stranger", "stranger");
    auto stranger = https(f.s(0).api() + "/v1/slices", "GET", "", f.pki.ca(), f.pki.crt("stranger"), f.pki.key("stranger"));
    CHECK(stranger.status == 403);
    fab::Etcd e(f.etcd.endpoints(), f.pki.tls("evil"), std::chrono::milliseconds(500), std::chrono::milliseconds(500));
    CHECK_FALSE(e.range(kPrefix + "servers/"));
    fab::Etcd s(f.etcd.endpoints(), f.pki.tls("stranger"));  // a CA-signed cert of no etcd user
    CHECK_FALSE(s.range(kPrefix + "servers/"));
  }

  // release
  auto rel = f.s(0).call("DELETE", "/v1/requests/" + g3.body["id"].get<std::string>());
  REQUIRE(rel.status == 200);
  CHECK(rel.body["slice_freed"] == true);
  CHECK(f.s(0).call("DELETE", "/v1/requests/" + g1.body["id"].get<std::string>()).status == 200);
  CHECK(f.s(0).call("DELETE", "/v1/requests/" + g2.body["id"].get<std::string>()).status == 200);
  eventually([&] { return f.count("grants/") == 0; }, "every grant released");

  // the command line: shoal-fabric (the `fabric` command group of shoalctl)
  {
    const std::string cli = f.s(1).cli_env() + " " + SHOAL_TEST_FABRIC_CLI;
    auto [rc, out] = run_capture(cli + " --json slices");
    CHECK(rc == 0);
    auto j = json::parse(out, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["slices"].size() == 9);
    std::tie(rc, out) = run_capture(cli + " servers");
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("pod1/rack2"));
    std::tie(rc, out) = run_capture(cli + " --json request aes --wait-ms 20000");
    CHECK(rc == 0);
    j = json::parse(out, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["status"] == "granted");
    CHECK(j["lender"] == "b");
    std::tie(rc, out) = run_capture(cli + " release " + j["id"].get<std::string>());
    CHECK(rc == 0);
    CHECK_THAT(out, Catch::Contains("released"));
    std::tie(rc, out) = run_capture(cli + " request gpu");
    CHECK(rc == 3);
    std::tie(rc, out) = run_capture(cli + " request 'a b'");
    CHECK(rc == 2);
    std::tie(rc, out) = run_capture("SHOAL_FABRIC_API=" + f.s(1).api() + " SHOAL_FABRIC_CACERT=" + f.pki.ca() + " " +
                                    SHOAL_TEST_FABRIC_CLI + " slices 2>&1");
    CHECK(rc == 1);  // no client certificate
    CHECK_THAT(out, Catch::Contains("cannot reach shoal-fabricd"));
    // the same command group under shoalctl
    std::tie(rc, out) = run_capture(f.s(1).cli_env() + " " + SHOAL_TEST_SHOALCTL + " --json fabric servers");
    CHECK(rc == 0);
    j = json::parse(out, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["servers"].size() == 3);
  }

  // etcd unreachable: clear errors, no hang, and back in sync when it returns
  {
    f.etcd.members[0].proc->kill(SIGKILL);
    eventually([&] {
      auto h = f.s(0).call("GET", "/v1/health");
      return h.status == 200 && h.body["etcd"] == "unreachable";
    }, "fabricd notices etcd is gone");
    auto sl = f.s(0).call("GET", "/v1/slices");
    CHECK(sl.status == 503);
    CHECK_THAT(sl.body.value("error", ""), Catch::Contains("etcd is unreachable"));
    auto rq = f.s(0).request("aes");
    CHECK(rq.status == 503);
    f.etcd.restart(0);
    for (int i = 0; i < 3; ++i) {
      INFO("fabricd " << f.s(i).name() << " log:\n" << f.s(i).log());
      CHECK_NOTHROW(eventually([&] {
        auto h = f.s(i).call("GET", "/v1/health");
        return h.status == 200 && h.body["etcd"] == "ok";
      }, "fabricd back in sync with etcd"));
    }
    wait_inventory(f, 9);
    auto ok = f.s(0).request("aes");
    CHECK(ok.status == 201);
    CHECK(f.s(0).call("DELETE", "/v1/requests/" + ok.body.value("id", "")).status == 200);
  }

  // unknown capability: unavailable, and nothing left behind
  auto none = f.s(1).request("gpu");
  CHECK(none.status == 404);
  CHECK(none.body["status"] == "unavailable");

  // no double grant: 3 servers x 6 concurrent requests for 6 aes slices, 3 rounds
  std::vector<std::pair<int, std::string>> held;
  for (int round = 0; round < 3; ++round) {
    const int granted = burst(f, 6, "aes", held);
    CHECK(granted == 6);
    CHECK(f.count("grants/") == 6);
    release_all(f, held);
    eventually([&] { return f.count("grants/") == 0; }, "round released");
  }
  const auto hist = check_history(*f.root, kPrefix);
  CHECK(hist.violations.empty());
  for (const auto& v : hist.violations) UNSCOPED_INFO(v);
  const std::size_t history = hist.grants;
  CHECK(history == 3 + 18 + 2);

  // a server's death: c dies holding a slice of a; its slices and its grant go with its leases
  auto hold = f.s(2).request("pkt100g");
  REQUIRE(hold.status == 201);
  CHECK(hold.body["lender"] == "c");
  auto hold2 = f.s(2).request("pkt100g");
  REQUIRE(hold2.status == 201);
  const std::string lender2 = hold2.body["lender"];
  CHECK(lender2 != "c");
  // and a holds one of c's slices: a's own two, b's two (nearer), then c's
  std::vector<std::string> a_ids;
  std::string on_c;
  for (int k = 0; k < 5; ++k) {
    auto r = f.s(0).request("aes");
    REQUIRE(r.status == 201);
    a_ids.push_back(r.body["id"]);
    if (r.body["lender"] == "c") on_c = r.body["id"];
  }
  REQUIRE(!on_c.empty());
  f.s(2).kill_fabricd();
  eventually([&] {
    auto r = f.s(0).call("GET", "/v1/servers");
    return r.status == 200 && r.body["servers"].size() == 2;
  }, "c's server record expires");
  eventually([&] {
    auto r = f.s(0).call("GET", "/v1/requests/" + on_c);
    return r.status == 200 && r.body.value("status", "") == "revoked";
  }, "a's grant on c's slice is revoked");
  eventually([&] { return f.count("grants/") == 4; }, "c's grants gone, a keeps its four");
  for (const auto& id : a_ids) CHECK(f.s(0).call("DELETE", "/v1/requests/" + id).status == 200);
  eventually([&] {
    auto r = f.s(0).call("GET", "/v1/slices");
    return r.status == 200 && r.body["slices"].size() == 6;
  }, "c's slices expire");
  eventually([&] { return f.count("grants/") == 0; }, "the grant c held comes back");
  CHECK(f.count("slices/c/") == 0);
  const auto end = check_history(*f.root, kPrefix);
  CHECK(end.violations.empty());
  CHECK(end.grants == history + 2 + 5);

  // b's card stops answering: b withdraws its slices (its fabricd stays, the record says so)
  f.s(1).kill_card();
  eventually([&] {
    auto r = f.s(0).call("GET", "/v1/slices");
    return r.status == 200 && r.body["slices"].size() == 3;
  }, "b withdraws the slices of its lost card");
  auto h = f.s(1).call("GET", "/v1/health");
  CHECK(h.body["card"] == "lost");
}

TEST_CASE("fabric faults: etcd leader killed during a burst, manager killed, borrower killed", "[faults]") {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Fabric f(3);
  wait_inventory(f, 9);

  // 1. kill the etcd leader while grants are being made
  std::vector<std::pair<int, std::string>> held;
  std::atomic<int> failed{0};
  int killed = -1;
  std::thread killer([&] {
    std::this_thread::sleep_for(100ms);
    for (int tries = 0; tries < 100 && killed < 0; ++tries) {  // bounded: a busy machine answers late
      killed = f.etcd.leader(*f.root);
      if (killed < 0) std::this_thread::sleep_for(50ms);
    }
    if (killed >= 0) f.etcd.members[killed].proc->kill(SIGKILL);
  });
  const int granted = burst(f, 8, "aes", held, &failed);
  killer.join();
  INFO("last status error: " << f.etcd.last_status_error);
  REQUIRE(killed >= 0);
  INFO("requests that failed while etcd elected a new leader: " << failed.load());
  CHECK(granted <= 6);
  // nothing lost: after the election, every slice is either held by an answered request or free,
  // and requests that got no answer in time are answered later
  eventually([&] { return f.etcd.leader(*f.root) >= 0; }, "a new etcd leader");
  eventually([&] {
    auto r = f.s(0).call("GET", "/v1/health");
    return r.status == 200 && r.body["etcd"] == "ok";
  }, "fabricd back in sync");
  release_all(f, held);
  eventually([&] {
    // requests left pending by the outage are granted or refused, then we give them back
    for (int i = 0; i < 3; ++i) {
      auto r = f.s(i).call("GET", "/v1/requests");
      if (r.status != 200) return false;
      for (const auto& q : r.body["requests"]) {
        if (q.value("status", "") == "pending") return false;
        f.s(i).call("DELETE", "/v1/requests/" + q["id"].get<std::string>());
      }
    }
    return f.count("grants/") == 0 && f.count("requests/") == 0;
  }, "every request answered and released");
  auto after = burst(f, 3, "aes", held);
  CHECK(after == 6);  // every slice still there to be granted
  release_all(f, held);
  const auto h1 = check_history(*f.root, kPrefix);
  CHECK(h1.violations.empty());
  const std::size_t history = h1.grants;

  // 2. kill the elected manager; another takes over and grants
  const std::string mgr = f.manager();
  REQUIRE(!mgr.empty());
  const int mi = mgr == "a" ? 0 : mgr == "b" ? 1 : 2;
  f.s(mi).kill_fabricd();
  const int other = (mi + 1) % 3;
  eventually([&] {
    auto h = f.s(other).call("GET", "/v1/health");
    return h.status == 200 && !h.body.value("manager", "").empty() && h.body["manager"] != mgr;
  }, "a new fabric manager after " + mgr + " died");
  auto g = f.s(other).request("aes");
  CHECK(g.status == 201);
  CHECK(g.body["manager"] != mgr);
  CHECK(g.body["lender"] != mgr);

  // 3. kill a borrower holding slices: they come back
  const int borrower = (mi + 2) % 3;
  std::vector<std::string> ids;
  for (int k = 0; k < 3; ++k) {
    auto r = f.s(borrower).request("aes");
    if (r.status == 201) ids.push_back(r.body["id"]);
  }
  CHECK(ids.size() == 3);  // 4 aes slices alive, one held by `other`
  f.s(borrower).kill_fabricd();
  eventually([&] { return f.count("grants/") == 1; }, "the dead borrower's grants expire");
  auto again = f.s(other).request("aes");
  CHECK(again.status == 201);  // a slice of `other` itself is free again
  const auto h2 = check_history(*f.root, kPrefix);
  CHECK(h2.violations.empty());
  CHECK(h2.grants >= history + 5);
}
