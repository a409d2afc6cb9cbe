#include "model.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <tuple>

namespace shoal::fabric {

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '_'))) return false;
  }
  return true;
}

namespace {
std::string hex64(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}
std::uint64_t parse_hex(const json& j) {
  if (!j.is_string()) return 0;
  return std::stoull(j.get<std::string>(), nullptr, 16);
}
std::optional<json> parse(const Kv& kv) {
  auto j = json::parse(kv.value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}
// "P<section>/<a>/<b>" -> {a, b}
std::pair<std::string, std::string> split2(const std::string& rest) {
  const auto slash = rest.find('/');
  if (slash == std::string::npos) return {rest, {}};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}
}  // namespace

json SliceRec::to_json() const {
  return {{"server", server},   {"slice", name},          {"index", index},       {"capability", capability},
          {"version", version}, {"units", units},         {"resource", resource}, {"partitions", hex64(partitions)},
          {"lendable", lendable}, {"description", description}};
}
std::optional<SliceRec> SliceRec::from(const Kv& kv) {
  auto j = parse(kv);
  if (!j) return std::nullopt;
  try {
    SliceRec s;
    s.server = j->at("server");
    s.name = j->at("slice");
    s.index = j->value("index", 0u);
    s.capability = j->at("capability");
    s.version = j->at("version");
    s.units = j->at("units");
    s.resource = j->value("resource", "");
    s.partitions = parse_hex(j->value("partitions", json("0x0")));
    s.lendable = j->value("lendable", false);
    s.description = j->value("description", "");
    s.create_rev = kv.create_rev;
    s.mod_rev = kv.mod_rev;
    return s;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

json ServerRec::to_json() const {
  return {{"server", server}, {"location", location},       {"api", api},
          {"card", card},     {"model", model},             {"k8s_node", k8s_node},
          {"lease", hex64(static_cast<std::uint64_t>(lease))}, {"borrow_lease", hex64(static_cast<std::uint64_t>(borrow_lease))}};
}
std::optional<ServerRec> ServerRec::from(const Kv& kv) {
  auto j = parse(kv);
  if (!j) return std::nullopt;
  try {
    ServerRec s;
    s.server = j->at("server");
    s.location = j->value("location", "");
    s.api = j->value("api", "");
    s.card = j->value("card", "");
    s.model = j->value("model", "");
    s.k8s_node = j->value("k8s_node", s.server);
    s.lease = static_cast<std::int64_t>(parse_hex(j->value("lease", json("0x0"))));
    s.borrow_lease = static_cast<std::int64_t>(parse_hex(j->value("borrow_lease", json("0x0"))));
    s.create_rev = kv.create_rev;
    s.mod_rev = kv.mod_rev;
    return s;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

json RequestRec::to_json() const {
  return {{"server", server},       {"id", id},
          {"capability", capability}, {"min_version", min_version},
          {"partition", partition}, {"borrow_lease", hex64(static_cast<std::uint64_t>(borrow_lease))}};
}
std::optional<RequestRec> RequestRec::from(const Kv& kv) {
  auto j = parse(kv);
  if (!j) return std::nullopt;
  try {
    RequestRec r;
    r.server = j->at("server");
    r.id = j->at("id");
    r.capability = j->at("capability");
    r.min_version = j->value("min_version", 1u);
    r.partition = j->value("partition", -1);
    r.borrow_lease = static_cast<std::int64_t>(parse_hex(j->at("borrow_lease")));
    r.create_rev = kv.create_rev;
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

json GrantRec::to_json() const {
  return {{"lender", lender},       {"slice", slice},     {"borrower", borrower}, {"request", request_id},
          {"capability", capability}, {"version", version}, {"units", units},       {"hops", hops},
          {"slice_rev", slice_rev}, {"manager", manager}};
}
std::optional<GrantRec> GrantRec::from(const Kv& kv) {
  auto j = parse(kv);
  if (!j) return std::nullopt;
  try {
    GrantRec g;
    g.lender = j->at("lender");
    g.slice = j->at("slice");
    g.borrower = j->at("borrower");
    g.request_id = j->at("request");
    g.capability = j->value("capability", "");
    g.version = j->value("version", 0u);
    g.units = j->value("units", 0u);
    g.hops = j->value("hops", 0u);
    g.slice_rev = j->at("slice_rev");
    g.manager = j->value("manager", "");
    g.create_rev = kv.create_rev;
    g.mod_rev = kv.mod_rev;
    g.lease = kv.lease;
    return g;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::uint32_t fabric_hops(const std::string& a, const std::string& loc_a, const std::string& b, const std::string& loc_b) {
  if (a == b) return 0;
  auto parts = [](const std::string& s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i <= s.size()) {
      const auto j = s.find('/', i);
      const auto part = s.substr(i, j == std::string::npos ? std::string::npos : j - i);
      if (!part.empty()) out.push_back(part);
      if (j == std::string::npos) break;
      i = j + 1;
    }
    return out;
  };
  const auto pa = parts(loc_a), pb = parts(loc_b);
  std::size_t common = 0;
  while (common < pa.size() && common < pb.size() && pa[common] == pb[common]) ++common;
  return static_cast<std::uint32_t>(2 + (pa.size() - common) + (pb.size() - common));
}

void View::load(const std::vector<Kv>& kvs) {
  servers.clear();
  slices.clear();
  requests.clear();
  grants.clear();
  results.clear();
  candidates.clear();
  for (const auto& kv : kvs) apply_put(kv);
}

void View::apply_put(const Kv& kv) {
  const auto& k = kv.key;
  auto under = [&](const std::string& pre, std::string& rest) {
    if (k.rfind(pre, 0) != 0) return false;
    rest = k.substr(pre.size());
    return true;
  };
  std::string rest;
  if (under(keys.servers(), rest)) {
    if (auto s = ServerRec::from(kv); s && s->server == rest) servers[rest] = *s;
  } else if (under(keys.slices(), rest)) {
    auto [srv, name] = split2(rest);
    if (auto s = SliceRec::from(kv); s && s->server == srv && s->name == name) slices[rest] = *s;
  } else if (under(keys.requests(), rest)) {
    auto [srv, id] = split2(rest);
    if (auto r = RequestRec::from(kv); r && r->server == srv && r->id == id) requests[rest] = *r;
  } else if (under(keys.grants(), rest)) {
    auto [lender, name] = split2(rest);
    if (auto g = GrantRec::from(kv); g && g->lender == lender && g->slice == name) grants[rest] = *g;
  } else if (under(keys.results(), rest)) {
    results[rest] = kv;
  } else if (under(keys.election(), rest)) {
    std::erase_if(candidates, [&](const auto& c) { return c.second == rest; });
    candidates.emplace_back(kv.create_rev, rest);
    std::sort(candidates.begin(), candidates.end());
  }
}

void View::apply_delete(const std::string& k) {
  auto under = [&](const std::string& pre, std::string& rest) {
    if (k.rfind(pre, 0) != 0) return false;
    rest = k.substr(pre.size());
    return true;
  };
  std::string rest;
  if (under(keys.servers(), rest)) servers.erase(rest);
  else if (under(keys.slices(), rest)) slices.erase(rest);
  else if (under(keys.requests(), rest)) requests.erase(rest);
  else if (under(keys.grants(), rest)) grants.erase(rest);
  else if (under(keys.results(), rest)) results.erase(rest);
  else if (under(keys.election(), rest)) std::erase_if(candidates, [&](const auto& c) { return c.second == rest; });
}

const GrantRec* View::grant_of_request(const std::string& server, const std::string& id) const {
  for (const auto& [k, g] : grants) {
    if (g.borrower == server && g.request_id == id) return &g;
  }
  return nullptr;
}

std::vector<Candidate> rank_candidates(const View& v, const RequestRec& req) {
  std::map<std::string, std::pair<std::uint32_t, std::uint32_t>> load;  // server -> (granted, total)
  for (const auto& [k, s] : v.slices) {
    auto& l = load[s.server];
    ++l.second;
    if (v.grants.count(k)) ++l.first;
  }
  const auto req_srv = v.servers.find(req.server);
  const std::string req_loc = req_srv == v.servers.end() ? std::string() : req_srv->second.location;
  std::vector<Candidate> out;
  for (const auto& [k, s] : v.slices) {
    if (s.capability != req.capability || s.version < req.min_version) continue;
    if (v.grants.count(k)) continue;
    const bool local = s.server == req.server;
    if (local) {
      if (req.partition >= 0 && (req.partition >= 64 || !((s.partitions >> req.partition) & 1u))) continue;
    } else if (!s.lendable) {
      continue;
    }
    const auto lender = v.servers.find(s.server);
    if (lender == v.servers.end()) continue;  // a slice whose server record is gone is not offered
    Candidate c;
    c.slice = &s;
    c.hops = fabric_hops(req.server, req_loc, s.server, lender->second.location);
    c.lender_granted = load[s.server].first;
    c.lender_total = load[s.server].second;
    out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [&](const Candidate& a, const Candidate& b) {
    const bool la = a.slice->server == req.server, lb = b.slice->server == req.server;
    if (la != lb) return la;
    if (a.hops != b.hops) return a.hops < b.hops;
    // load a.g/a.t < b.g/b.t, exactly
    const std::uint64_t x = std::uint64_t{a.lender_granted} * b.lender_total;
    const std::uint64_t y = std::uint64_t{b.lender_granted} * a.lender_total;
    if (x != y) return x < y;
    return std::tie(a.slice->server, a.slice->name) < std::tie(b.slice->server, b.slice->name);
  });
  return out;
}

Work pending_work(const View& v) {
  Work w;
  for (const auto& [k, r] : v.requests) {
    if (!v.results.count(k)) w.to_allocate.push_back(&r);
  }
  for (const auto& [k, g] : v.grants) {
    const auto req = v.requests.find(g.borrower + "/" + g.request_id);
    const auto sl = v.slices.find(k);
    if (req == v.requests.end()) {
      w.to_free.push_back(&g);
    } else if (sl == v.slices.end() || sl->second.create_rev != g.slice_rev) {
      // revoke only once: a revoked result is left for the borrower to see and release
      auto res = v.results.find(g.borrower + "/" + g.request_id);
      (void)res;
      w.to_revoke.push_back(&g);
    }
  }
  for (const auto& [k, kv] : v.results) {
    if (!v.requests.count(k)) w.stale_results.push_back(k);
  }
  return w;
}

}  // namespace shoal::fabric
