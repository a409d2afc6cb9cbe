// The fabric's state as it lives in etcd: the key layout, the JSON records, and the pure
// decisions taken on them (which slice a request gets, what the manager must clean up). No I/O
// here, so the policy is unit-tested without etcd. See ../README.md for the layout and protocol.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shoal::fabric {

using json = nlohmann::json;

// Keys under the fabric prefix P (default "/shoal/fabric/"):
//   P servers/<S>            server record       written by S          on S's server lease
//   P slices/<S>/<slice>     a slice S lends     written by S          on S's server lease
//   P requests/<S>/<id>      S asks for a slice  written by S          on S's server lease
//   P grants/<L>/<slice>     who holds L's slice written by a manager  on the borrower's borrow lease
//   P results/<S>/<id>       outcome for S       written by a manager  on the borrower's borrow lease
//   P election/<S>           S's manager candidacy, written by S's manager identity, on its manager lease
struct Keys {
  std::string p;  // ends with '/'
  explicit Keys(std::string prefix = "/shoal/fabric/") : p(std::move(prefix)) {
    if (p.empty() || p.back() != '/') p += '/';
  }
  std::string servers() const { return p + "servers/"; }
  std::string server(const std::string& s) const { return servers() + s; }
  std::string slices() const { return p + "slices/"; }
  std::string slices_of(const std::string& s) const { return slices() + s + "/"; }
  std::string slice(const std::string& s, const std::string& n) const { return slices_of(s) + n; }
  std::string requests() const { return p + "requests/"; }
  std::string requests_of(const std::string& s) const { return requests() + s + "/"; }
  std::string request(const std::string& s, const std::string& id) const { return requests_of(s) + id; }
  std::string grants() const { return p + "grants/"; }
  std::string grant(const std::string& lender, const std::string& n) const { return grants() + lender + "/" + n; }
  std::string results() const { return p + "results/"; }
  std::string result(const std::string& s, const std::string& id) const { return results() + s + "/" + id; }
  std::string election() const { return p + "election/"; }
  std::string candidate(const std::string& s) const { return election() + s; }
};

// A server, request or slice name: [a-z0-9] then [a-z0-9-_], at most 63 characters.
bool valid_name(const std::string& s);

struct Kv {
  std::string key, value;
  std::int64_t create_rev = 0, mod_rev = 0, lease = 0;
};

struct SliceRec {
  std::string server, name, capability, description, resource;
  std::uint32_t index = 0, version = 0, units = 0;
  std::uint64_t partitions = 0;
  bool lendable = false;
  std::int64_t create_rev = 0, mod_rev = 0;  // of its key
  json to_json() const;
  static std::optional<SliceRec> from(const Kv& kv);
};

struct ServerRec {
  std::string server, location, api, card, model, k8s_node;
  std::int64_t lease = 0, borrow_lease = 0;
  std::int64_t create_rev = 0, mod_rev = 0;
  json to_json() const;
  static std::optional<ServerRec> from(const Kv& kv);
};

struct RequestRec {
  std::string server, id, capability;
  std::uint32_t min_version = 1;
  std::int32_t partition = -1;  // -1: any
  std::int64_t borrow_lease = 0;
  std::int64_t create_rev = 0;
  json to_json() const;
  static std::optional<RequestRec> from(const Kv& kv);
};

struct GrantRec {
  std::string lender, slice, borrower, request_id, capability, manager;
  std::uint32_t version = 0, units = 0, hops = 0;
  std::int64_t slice_rev = 0;  // create revision of the slice key it was granted on
  std::int64_t create_rev = 0, mod_rev = 0, lease = 0;
  json to_json() const;
  static std::optional<GrantRec> from(const Kv& kv);
};

// Fabric hops between two servers placed in a tree by their location paths ("pod1/rack2"):
// 0 to itself; 2 within one leaf (server, switch, server); 2 more for every level up.
std::uint32_t fabric_hops(const std::string& server_a, const std::string& loc_a, const std::string& server_b,
                          const std::string& loc_b);

// A point-in-time view of the fabric, keyed by etcd key.
struct View {
  Keys keys;
  std::map<std::string, ServerRec> servers;      // by server name
  std::map<std::string, SliceRec> slices;        // by "server/slice"
  std::map<std::string, RequestRec> requests;    // by "server/id"
  std::map<std::string, GrantRec> grants;        // by "lender/slice"
  std::map<std::string, Kv> results;             // by "server/id"
  std::vector<std::pair<std::int64_t, std::string>> candidates;  // (create revision, server), ascending
  explicit View(Keys k = Keys()) : keys(std::move(k)) {}
  void load(const std::vector<Kv>& kvs);  // replaces everything
  void apply_put(const Kv& kv);
  void apply_delete(const std::string& key);
  std::string leader() const { return candidates.empty() ? std::string() : candidates.front().second; }
  const GrantRec* grant_of_request(const std::string& server, const std::string& id) const;
};

struct Candidate {
  const SliceRec* slice = nullptr;
  std::uint32_t hops = 0;
  std::uint32_t lender_granted = 0, lender_total = 0;
};

// AllocateResource's choice: every free slice of the capability (version >= min) the request may
// use, best first: the requester's own server, then fewest fabric hops, then the least loaded
// lender (granted / published slices), then by name. Local slices need the request's partition
// in their mask; remote ones must be lendable.
std::vector<Candidate> rank_candidates(const View& v, const RequestRec& req);

// What the manager must do now.
struct Work {
  std::vector<const RequestRec*> to_allocate;  // no result yet
  std::vector<const GrantRec*> to_free;        // the request behind it is gone: released
  std::vector<const GrantRec*> to_revoke;      // the slice is gone or was re-published
  std::vector<std::string> stale_results;      // "server/id" whose request is gone
};
Work pending_work(const View& v);

}  // namespace shoal::fabric
