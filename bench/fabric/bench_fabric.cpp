// bench-fabric: the fabric manager on loopback (real etcd, three shoal-sim cards, three
// shoal-fabricd): request -> grant latency (p50/p99, one client and under load), grants per
// second, and how long a dead server's slices stay in the inventory; against one etcd node and
// a 3-node cluster. Honest wall-clock measurements on whatever machine runs it, never targets.
//
//   bench-fabric [--json FILE] [--requests N] [--clients N] [--ttl S]
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "bench_report.hpp"
#include "fabric_rig.hpp"

using namespace fabric_test;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::min<double>(v.size() - 1, std::ceil(p / 100.0 * v.size()) - 1));
  return v[i];
}

struct Config {
  int requests = 300, clients = 6, ttl = 3;
};

void run(int members, const Config& c, shoal::bench::Report& rep) {
  shoal::test::TempDir dir("shoal-bench-fabric");
  Pki pki(dir.path());
  EtcdCluster etcd(dir.path(), pki, members, {"a", "b", "c"});
  std::vector<std::unique_ptr<Server>> s;
  const std::pair<const char*, const char*> where[] = {{"a", "pod1/rack1"}, {"b", "pod1/rack1"}, {"c", "pod1/rack2"}};
  for (auto [n, loc] : where) s.push_back(std::make_unique<Server>(dir.path(), pki, n, loc, etcd.endpoints(), c.ttl));
  eventually([&] {
    auto r = s[0]->call("GET", "/v1/slices");
    return r.status == 200 && r.body["slices"].size() == 9;
  }, "inventory");
  const std::string params = "{\"etcd_members\": " + std::to_string(members) + ", \"lease_ttl_s\": " +
                             std::to_string(c.ttl) + "}";
  const std::string tag = members == 1 ? "1 node" : std::to_string(members) + " nodes";

  // one client: request (a remote or local aes slice) then release, one at a time
  std::vector<double> lat, rel;
  int refused = 0;
  for (int i = 0; i < c.requests; ++i) {
    auto t0 = Clock::now();
    auto r = s[i % 3]->request("aes");
    const double l = ms_since(t0);
    if (r.status != 201) {
      ++refused;
      continue;
    }
    lat.push_back(l);
    t0 = Clock::now();
    auto d = s[i % 3]->call("DELETE", "/v1/requests/" + r.body["id"].get<std::string>());
    if (d.status == 200) rel.push_back(ms_since(t0));
  }
  rep.add("request->grant p50, one client (" + tag + ")", pct(lat, 50), "ms", params);
  rep.add("request->grant p99, one client (" + tag + ")", pct(lat, 99), "ms", params);
  rep.add("release->freed p50, one client (" + tag + ")", pct(rel, 50), "ms", params);

  // load: `clients` threads on the three servers, each requests and releases in a loop; 6 aes
  // slices in all, so some requests are refused (counted apart)
  std::mutex mu;
  std::vector<double> load_lat;
  std::atomic<int> grants{0}, unavailable{0}, errors{0};
  const int per = std::max(1, c.requests / c.clients);
  const auto t0 = Clock::now();
  std::vector<std::thread> th;
  for (int k = 0; k < c.clients; ++k) {
    th.emplace_back([&, k] {
      for (int i = 0; i < per; ++i) {
        const auto q0 = Clock::now();
        auto r = s[k % 3]->request("aes");
        const double l = ms_since(q0);
        if (r.status == 201) {
          ++grants;
          {
            std::lock_guard<std::mutex> lk(mu);
            load_lat.push_back(l);
          }
          s[k % 3]->call("DELETE", "/v1/requests/" + r.body["id"].get<std::string>() + "?wait_ms=0");
        } else if (r.status == 404) {
          ++unavailable;
        } else {
          ++errors;
        }
      }
    });
  }
  for (auto& t : th) t.join();
  const double secs = ms_since(t0) / 1000.0;
  rep.add("grants per second, " + std::to_string(c.clients) + " clients (" + tag + ")", grants / secs, "1/s", params);
  rep.add("request->grant p50 under load (" + tag + ")", pct(load_lat, 50), "ms", params);
  rep.add("request->grant p99 under load (" + tag + ")", pct(load_lat, 99), "ms", params);
  rep.note(tag + ": " + std::to_string(lat.size()) + " one-client grants (" + std::to_string(refused) +
           " refused); under load " + std::to_string(grants.load()) + " grants, " + std::to_string(unavailable.load()) +
           " unavailable (all 6 slices held), " + std::to_string(errors.load()) + " errors");
  eventually([&] {
    auto r = s[0]->call("GET", "/v1/slices?capability=aes");
    if (r.status != 200) return false;
    for (const auto& x : r.body["slices"]) {
      if (x["state"] != "free") return false;
    }
    return true;
  }, "every slice free again");

  // a dead server: SIGKILL c's fabricd, time until its slices leave a's view
  const auto k0 = Clock::now();
  s[2]->kill_fabricd();
  eventually([&] {
    auto r = s[0]->call("GET", "/v1/slices");
    return r.status == 200 && r.body["slices"].size() == 6;
  }, "c's slices expire", std::chrono::seconds(10 * c.ttl + 30));
  rep.add("dead server's slices gone after (" + tag + ")", ms_since(k0), "ms", params);
}

}  // namespace

int main(int argc, char** argv) {
  std::string json;
  Config c;
  for (int i = 1; i < argc; ++i) {
    if (shoal::bench::json_arg(argc, argv, i, json)) continue;
    const std::string a = argv[i];
    auto num = [&](int& v) {
      if (i + 1 >= argc) return false;
      v = std::atoi(argv[++i]);
      return v > 0;
    };
    if ((a == "--requests" && num(c.requests)) || (a == "--clients" && num(c.clients)) || (a == "--ttl" && num(c.ttl))) continue;
    std::printf("usage: bench-fabric [--json FILE] [--requests N] [--clients N] [--ttl S]\n");
    return a == "-h" || a == "--help" ? 0 : 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  shoal::bench::Report rep("bench-fabric", 2);
  try {
    run(1, c, rep);
    run(3, c, rep);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-fabric: %s\n", e.what());
    return 1;
  }
  rep.note("loopback, TLS everywhere (fabricd API and etcd gRPC), etcd --unsafe-no-fsync; the dead-server time is "
           "the lease TTL plus the time to notice");
  rep.print_table();
  if (!json.empty() && !rep.write_json(json)) return 1;
  return 0;
}
