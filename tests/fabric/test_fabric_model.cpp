// The fabric's pure policy (which slice a request gets, what the manager must clean up) and the
// Kubernetes ResourceSlice exporter, checked against resource.k8s.io/v1's published rules.
#include <catch2/catch.hpp>

#include "k8s.hpp"
#include "model.hpp"

using namespace shoal::fabric;

namespace {
Kv kv(const std::string& key, const json& j, std::int64_t rev) { return Kv{key, j.dump(), rev, rev, 0}; }

View three_servers() {
  View v;
  std::int64_t rev = 1;
  const std::pair<const char*, const char*> servers[] = {{"a", "pod1/rack1"}, {"b", "pod1/rack1"}, {"c", "pod1/rack2"}};
  for (auto [s, loc] : servers) {
    ServerRec r;
    r.server = s;
    r.location = loc;
    v.apply_put(kv(v.keys.server(s), r.to_json(), rev++));
    for (const char* n : {"aes0", "aes1"}) {
      SliceRec sl;
      sl.server = s;
      sl.name = n;
      sl.capability = "aes";
      sl.version = 1;
      sl.units = 4;
      sl.partitions = 0x3;
      sl.lendable = true;
      v.apply_put(kv(v.keys.slice(s, n), sl.to_json(), rev++));
    }
  }
  return v;
}

void grant(View& v, const std::string& lender, const std::string& slice, const std::string& borrower,
           const std::string& id) {
  GrantRec g;
  g.lender = lender;
  g.slice = slice;
  g.borrower = borrower;
  g.request_id = id;
  g.slice_rev = v.slices.at(lender + "/" + slice).create_rev;
  v.apply_put(kv(v.keys.grant(lender, slice), g.to_json(), 100));
}
}  // namespace

TEST_CASE("fabric: hops in the fabric's tree", "[model]") {
  CHECK(fabric_hops("a", "pod1/rack1", "a", "pod1/rack1") == 0);
  CHECK(fabric_hops("a", "pod1/rack1", "b", "pod1/rack1") == 2);
  CHECK(fabric_hops("a", "pod1/rack1", "c", "pod1/rack2") == 4);
  CHECK(fabric_hops("a", "pod1/rack1", "d", "pod2/rack1") == 6);
  CHECK(fabric_hops("a", "", "b", "") == 2);
  CHECK(fabric_hops("a", "x", "b", "x/y") == 3);
}

TEST_CASE("fabric: a request gets the same server first, then the fewest hops, then the least loaded", "[model]") {
  View v = three_servers();
  RequestRec r;
  r.server = "a";
  r.capability = "aes";
  auto c = rank_candidates(v, r);
  REQUIRE(c.size() == 6);
  CHECK(c[0].slice->server == "a");
  CHECK(c[1].slice->server == "a");
  CHECK(c[2].slice->server == "b");  // 2 hops before c's 4
  CHECK(c[2].hops == 2);
  CHECK(c[4].slice->server == "c");
  CHECK(c[4].hops == 4);

  // a's slices taken: b next; with one of b's granted, b and c tie on hops? no: b is nearer.
  grant(v, "a", "aes0", "a", "r1");
  grant(v, "a", "aes1", "a", "r2");
  c = rank_candidates(v, r);
  REQUIRE(c.size() == 4);
  CHECK(c[0].slice->server == "b");
  // From c's point of view a and b are both 4 hops away: the less loaded lender wins.
  RequestRec rc = r;
  rc.server = "x";  // unknown location: every lender at 2 hops... place it under pod1/rack9
  ServerRec x;
  x.server = "x";
  x.location = "pod1/rack9";
  v.apply_put(kv(v.keys.server("x"), x.to_json(), 200));
  c = rank_candidates(v, rc);
  REQUIRE(c.size() == 4);
  CHECK(c[0].hops == 4);
  CHECK(c[0].slice->server == "b");  // b: 0 of 2 granted; a is full; c too at 4 hops, then by name
  grant(v, "b", "aes0", "x", "r3");
  c = rank_candidates(v, rc);
  REQUIRE(c.size() == 3);
  CHECK(c[0].slice->server == "c");  // c (0/2) is now less loaded than b (1/2)

  // capability and version must match
  RequestRec other = r;
  other.capability = "pkt100g";
  CHECK(rank_candidates(v, other).empty());
  RequestRec newer = r;
  newer.min_version = 2;
  CHECK(rank_candidates(v, newer).empty());
}

TEST_CASE("fabric: partitions and lendable", "[model]") {
  View v = three_servers();
  RequestRec r;
  r.server = "a";
  r.capability = "aes";
  r.partition = 1;  // in the mask 0x3
  CHECK(rank_candidates(v, r).front().slice->server == "a");
  r.partition = 2;  // not in a's masks: only remote slices
  auto c = rank_candidates(v, r);
  REQUIRE(c.size() == 4);
  CHECK(c.front().slice->server == "b");
  auto sl = v.slices.at("b/aes0");
  sl.lendable = false;
  v.apply_put(kv(v.keys.slice("b", "aes0"), sl.to_json(), 300));
  c = rank_candidates(v, r);
  REQUIRE(c.size() == 3);
  CHECK(c.front().slice->name == "aes1");
}

TEST_CASE("fabric: the manager frees released grants and revokes stale ones", "[model]") {
  View v = three_servers();
  RequestRec r;
  r.server = "a";
  r.id = "r1";
  r.capability = "aes";
  r.borrow_lease = 7;
  v.apply_put(kv(v.keys.request("a", "r1"), r.to_json(), 50));
  auto w = pending_work(v);
  REQUIRE(w.to_allocate.size() == 1);
  grant(v, "b", "aes0", "a", "r1");
  v.apply_put(kv(v.keys.result("a", "r1"), json{{"status", "granted"}}, 101));
  w = pending_work(v);
  CHECK(w.to_allocate.empty());
  CHECK(w.to_free.empty());
  CHECK(w.to_revoke.empty());
  // the lender re-publishes its slice: a new create revision makes the grant stale
  auto sl = v.slices.at("b/aes0");
  v.apply_delete(v.keys.slice("b", "aes0"));
  w = pending_work(v);
  REQUIRE(w.to_revoke.size() == 1);
  v.apply_put(kv(v.keys.slice("b", "aes0"), sl.to_json(), 400));
  w = pending_work(v);
  REQUIRE(w.to_revoke.size() == 1);
  // the borrower releases (its request is gone): free
  v.apply_delete(v.keys.request("a", "r1"));
  w = pending_work(v);
  CHECK(w.to_free.size() == 1);
  CHECK(w.stale_results.size() == 1);
}

#include "k8s_schema_check.hpp"

using fabric_test::validate_resource_slice;

TEST_CASE("fabric: DRA driver names", "[model][k8s]") {
  CHECK(valid_driver_name("fabric.shoal.dev"));
  CHECK(valid_driver_name("a"));
  CHECK(valid_driver_name(std::string(63, 'a')));
  CHECK_FALSE(valid_driver_name(std::string(64, 'a')));
  CHECK_FALSE(valid_driver_name(""));
  CHECK_FALSE(valid_driver_name("Fabric.shoal.dev"));
  CHECK_FALSE(valid_driver_name("a..b"));
  CHECK_FALSE(valid_driver_name("-a.b"));
  CHECK_FALSE(valid_driver_name("a-.b"));
  CHECK_FALSE(valid_driver_name("a.b-"));
  CHECK_FALSE(valid_driver_name("a_b"));
  for (const char* ok : {"fabric.shoal.dev", "a", "x-y.z"}) {
    CHECK(fabric_test::dns_subdomain(ok));
  }
}

TEST_CASE("fabric: ResourceSlices follow resource.k8s.io/v1", "[model][k8s]") {
  View v = three_servers();
  K8sOptions o;
  auto list = resource_slice_list(v, o);
  REQUIRE(list["items"].size() == 3);
  for (const auto& item : list["items"]) {
    INFO(item.dump(2));
    CHECK(validate_resource_slice(item).empty());
    CHECK(item["spec"]["devices"].size() == 2);
    CHECK(item["spec"]["devices"][0]["attributes"]["capability"]["string"] == "aes");
    CHECK(item["spec"]["devices"][0]["capacity"]["units"]["value"] == "4");
  }
  CHECK(list["items"][0]["spec"]["nodeName"] == "a");
  CHECK(list["items"][0]["spec"]["pool"]["generation"] == v.servers.at("a").mod_rev);

  // The checks catch what they guard against: planted faults are refused.
  auto one = list["items"][0];
  auto broken = one;
  broken["spec"]["devices"][0]["name"] = "AES_0";
  CHECK_FALSE(validate_resource_slice(broken).empty());
  broken = one;
  broken["spec"]["allNodes"] = true;  // two node selections
  CHECK_FALSE(validate_resource_slice(broken).empty());
  broken = one;
  broken["spec"]["devices"][0]["attributes"]["capability"] = {{"string", "aes"}, {"int", 1}};
  CHECK_FALSE(validate_resource_slice(broken).empty());
  broken = one;
  broken["spec"]["devices"][0]["capacity"]["units"]["value"] = "four";
  CHECK_FALSE(validate_resource_slice(broken).empty());
  broken = one;
  broken["spec"]["devices"][0]["basic"] = json::object();  // v1beta1's shape is not v1's
  broken["spec"].erase("pool");
  CHECK_FALSE(validate_resource_slice(broken).empty());
  broken = one;
  broken["spec"]["devices"] = json::array();
  for (int i = 0; i < 129; ++i) broken["spec"]["devices"].push_back({{"name", "d" + std::to_string(i)}});
  CHECK_FALSE(validate_resource_slice(broken).empty());
  broken["spec"]["devices"].erase(128);  // exactly 128 is allowed
  CHECK(validate_resource_slice(broken).empty());
  broken = one;
  broken["spec"]["driver"] = std::string(64, 'a');
  CHECK_FALSE(validate_resource_slice(broken).empty());
}
