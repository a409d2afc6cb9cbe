#include "fabric_cli.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace shoal::fabric {
namespace {

using json = nlohmann::json;

struct Conn {
  std::string api, cacert, cert, key;
  int timeout_s = 70;
};

std::string env(const char* n, const char* dflt = "") {
  const char* v = std::getenv(n);
  return v ? v : dflt;
}

size_t collect(char* p, size_t size, size_t n, void* ud) {
  static_cast<std::string*>(ud)->append(p, size * n);
  return size * n;
}

// One HTTPS call; returns the HTTP status (0 when the connection or the handshake failed).
int call(const Conn& c, const std::string& method, const std::string& path, const std::string& body, std::string& out,
         std::string& error) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h(curl_easy_init(), curl_easy_cleanup);
  if (!h) {
    error = "libcurl init failed";
    return 0;
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  const std::string url = c.api + path;
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(h.get(), CURLOPT_CAINFO, c.cacert.c_str());
  if (!c.cert.empty()) curl_easy_setopt(h.get(), CURLOPT_SSLCERT, c.cert.c_str());
  if (!c.key.empty()) curl_easy_setopt(h.get(), CURLOPT_SSLKEY, c.key.c_str());
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT, static_cast<long>(c.timeout_s));
  curl_easy_setopt(h.get(), CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(h.get(), CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_slist* hdr = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, hdr);
  if (!body.empty()) curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, body.c_str());
  const CURLcode rc = curl_easy_perform(h.get());
  curl_slist_free_all(hdr);
  if (rc != CURLE_OK) {
    error = "cannot reach shoal-fabricd at " + c.api + ": " + (errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return 0;
  }
  long status = 0;
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &status);
  return static_cast<int>(status);
}

// Runs a call and prints the answer: raw JSON with --json, else `text(j)`.
int run(const Conn& c, const bool& as_json, const std::string& method, const std::string& path, const std::string& body,
        const std::function<void(const json&)>& text) {
  if (c.api.empty()) {
    std::cerr << "shoal-fabric: no API given (--api or SHOAL_FABRIC_API, e.g. https://127.0.0.1:7480)\n";
    return 2;
  }
  std::string out, error;
  const int status = call(c, method, path, body, out, error);
  if (status == 0) {
    std::cerr << "shoal-fabric: " << error << "\n";
    return 1;
  }
  auto j = json::parse(out, nullptr, false);
  if (j.is_discarded()) {
    std::cerr << "shoal-fabric: shoal-fabricd answered " << status << " with something that is not JSON\n";
    return 1;
  }
  if (as_json) std::cout << j.dump(2) << "\n";
  if (status >= 400 && j.contains("error")) {
    if (!as_json) std::cerr << "shoal-fabric: " << j["error"].get<std::string>() << " [HTTP " << status << "]\n";
    return status == 400 ? 2 : 1;
  }
  if (!as_json) text(j);
  if (status == 404) return 3;  // no slice available
  return 0;
}

std::string s(const json& j, const char* k) {
  if (!j.contains(k)) return "";
  return j[k].is_string() ? j[k].get<std::string>() : j[k].dump();
}

}  // namespace

void add_fabric_commands(CLI::App& parent, const bool& as_json, int& rc) {
  auto c = std::make_shared<Conn>();
  c->api = env("SHOAL_FABRIC_API");
  c->cacert = env("SHOAL_FABRIC_CACERT");
  c->cert = env("SHOAL_FABRIC_CERT");
  c->key = env("SHOAL_FABRIC_KEY");
  parent.add_option("--api", c->api, "shoal-fabricd API URL (default: $SHOAL_FABRIC_API)");
  parent.add_option("--cacert", c->cacert, "CA of the API's certificate (default: $SHOAL_FABRIC_CACERT)");
  parent.add_option("--cert", c->cert, "Client certificate (default: $SHOAL_FABRIC_CERT)");
  parent.add_option("--key", c->key, "Client key (default: $SHOAL_FABRIC_KEY)");
  parent.require_subcommand(1);
  parent.fallthrough();

  auto filter = std::make_shared<std::pair<std::string, std::string>>();
  auto* sl = parent.add_subcommand("slices", "The fabric's slices: server, capability, state (free/granted), borrower");
  sl->add_option("--server", filter->first, "Only this server's");
  sl->add_option("--capability", filter->second, "Only this capability");
  sl->callback([c, filter, &as_json, &rc] {
    std::string q;
    if (!filter->first.empty()) q += "server=" + filter->first;
    if (!filter->second.empty()) q += (q.empty() ? "" : "&") + std::string("capability=") + filter->second;
    rc = run(*c, as_json, "GET", "/v1/slices" + (q.empty() ? "" : "?" + q), "", [](const json& j) {
      std::printf("%-12s %-10s %-10s %3s %5s %-8s %-12s\n", "SERVER", "SLICE", "CAPABILITY", "VER", "UNITS", "STATE",
                  "BORROWER");
      for (const auto& x : j["slices"]) {
        std::printf("%-12s %-10s %-10s %3s %5s %-8s %-12s\n", s(x, "server").c_str(), s(x, "slice").c_str(),
                    s(x, "capability").c_str(), s(x, "version").c_str(), s(x, "units").c_str(), s(x, "state").c_str(),
                    s(x, "borrower").c_str());
      }
    });
  });

  auto* sv = parent.add_subcommand("servers", "The fabric's servers: location, hops from here, slices, lent, borrowed, manager");
  sv->callback([c, &as_json, &rc] {
    rc = run(*c, as_json, "GET", "/v1/servers", "", [](const json& j) {
      std::printf("%-12s %-14s %4s %6s %4s %8s %s\n", "SERVER", "LOCATION", "HOPS", "SLICES", "LENT", "BORROWED", "MANAGER");
      for (const auto& x : j["servers"]) {
        std::printf("%-12s %-14s %4s %6s %4s %8s %s\n", s(x, "server").c_str(), s(x, "location").c_str(),
                    s(x, "hops").c_str(), s(x, "slices").c_str(), s(x, "lent").c_str(), s(x, "borrowed").c_str(),
                    x.value("manager", false) ? "yes" : "");
      }
    });
  });

  auto* rq = parent.add_subcommand("requests", "This server's requests and their outcomes");
  rq->callback([c, &as_json, &rc] {
    rc = run(*c, as_json, "GET", "/v1/requests", "", [](const json& j) {
      for (const auto& x : j["requests"]) {
        std::printf("%s %s %s %s/%s\n", s(x, "id").c_str(), s(x, "capability").c_str(), s(x, "status").c_str(),
                    s(x, "lender").c_str(), s(x, "slice").c_str());
      }
    });
  });

  struct Req {
    std::string capability;
    unsigned min_version = 1;
    int partition = -1;
    int wait_ms = 10000;
  };
  auto r = std::make_shared<Req>();
  auto* req = parent.add_subcommand("request", "AllocateResource: borrow a slice of CAPABILITY (exit 3: none available)");
  req->add_option("capability", r->capability, "Capability, e.g. aes")->required();
  req->add_option("--min-version", r->min_version, "Lowest capability version accepted")->check(CLI::Range(1u, 0xffffffffu));
  req->add_option("--partition", r->partition, "The local partition that will use it (local slices check their mask)")
      ->check(CLI::Range(0, 63));
  req->add_option("--wait-ms", r->wait_ms, "How long to wait for the manager's answer")->check(CLI::Range(0, 60000));
  req->callback([c, r, &as_json, &rc] {
    json b = {{"capability", r->capability}, {"min_version", r->min_version}, {"wait_ms", r->wait_ms}};
    if (r->partition >= 0) b["partition"] = r->partition;
    rc = run(*c, as_json, "POST", "/v1/requests", b.dump(), [](const json& j) {
      const std::string st = s(j, "status");
      if (st == "granted") {
        std::printf("granted %s/%s (%s v%s, %s units, %s hops) request %s\n", s(j, "lender").c_str(), s(j, "slice").c_str(),
                    s(j, "capability").c_str(), s(j, "version").c_str(), s(j, "units").c_str(), s(j, "hops").c_str(),
                    s(j, "id").c_str());
      } else {
        std::printf("%s: %s (request %s)\n", st.c_str(), s(j, "reason").c_str(), s(j, "id").c_str());
      }
    });
  });

  auto rel = std::make_shared<std::string>();
  auto* rl = parent.add_subcommand("release", "Give back a slice: release REQUEST_ID or release LENDER/SLICE");
  rl->add_option("what", *rel, "A request id, or LENDER/SLICE")->required();
  rl->callback([c, rel, &as_json, &rc] {
    const std::string path = rel->find('/') == std::string::npos ? "/v1/requests/" + *rel : "/v1/grants/" + *rel;
    rc = run(*c, as_json, "DELETE", path, "", [](const json& j) {
      std::printf("released %s%s\n", s(j, "id").c_str(), j.value("slice_freed", false) ? "" : " (the slice is not free yet)");
    });
  });

  auto k8s = std::make_shared<std::pair<std::string, std::string>>("fabric.shoal.dev", "");
  auto* kc = parent.add_subcommand("k8s", "Each server's slices as Kubernetes DRA ResourceSlices (resource.k8s.io/v1, JSON)");
  kc->add_option("--driver", k8s->first, "DRA driver name")->capture_default_str();
  kc->add_option("--server", k8s->second, "Only this server's pool");
  kc->callback([c, k8s, &rc] {
    std::string q = "?driver=" + k8s->first + (k8s->second.empty() ? "" : "&server=" + k8s->second);
    rc = run(*c, true, "GET", "/v1/k8s/resourceslices" + q, "", [](const json&) {});
  });
}

}  // namespace shoal::fabric
