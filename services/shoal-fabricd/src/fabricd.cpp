// shoal-fabricd: one per server. Publishes its card's slices into etcd under the server's lease,
// watches the fabric's inventory, asks for slices on behalf of its server's clients, and runs
// as a candidate for the fabric-manager role, which grants slices with etcd transactions.
// The protocol and the key layout are in ../README.md. Links libshoal only.
#include <CLI/CLI.hpp>
#include <openssl/rand.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "etcd.hpp"
#include "https_server.hpp"
#include "k8s.hpp"
#include "model.hpp"
#include "shoal/regs.h"
#include "shoal/shoal.hpp"

namespace shoal::fabric {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

struct Config {
  std::string name, device, location, prefix = "/shoal/fabric/", k8s_node;
  std::vector<std::string> etcd;
  std::string cacert, cert, key, manager_cert, manager_key;
  std::string listen = "127.0.0.1:0", api_cert, api_key, api_ca;
  std::vector<std::string> api_allow{"shoalctl"};
  int lease_ttl = 5;
  int card_poll_ms = 1000;
};

std::string random_id() {
  unsigned char b[8];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no randomness");
  char s[17];
  for (int i = 0; i < 8; ++i) std::snprintf(s + 2 * i, 3, "%02x", b[i]);
  return s;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Kv to_kv(const pb::KeyValue& k) { return Kv{k.key(), k.value(), k.create_revision(), k.mod_revision(), k.lease()}; }

HttpResponse reply(int status, const json& j) { return {status, j.dump()}; }
HttpResponse err(int status, const std::string& msg) { return reply(status, {{"error", msg}}); }

class Fabricd {
 public:
  explicit Fabricd(Config c) : cfg_(std::move(c)), keys_(cfg_.prefix), view_(keys_) {}

  int run() {
    auto dev = shoal::Device::open(cfg_.device);
    if (!dev) {
      log("cannot open the card " + cfg_.device + ": " + dev.error().message);
      return 1;
    }
    auto info = dev->info();
    auto slices = dev->slices();
    if (!info || !slices) {
      log("cannot read the card's description: " + (!info ? info.error().message : slices.error().message));
      return 1;
    }
    card_.emplace(std::move(*dev));
    card_desc_ = info->transport;
    card_model_ = info->model;
    for (const auto& s : *slices) {
      SliceRec r;
      r.server = cfg_.name;
      r.name = s.name;
      r.index = s.index;
      r.capability = s.capability;
      r.version = s.capability_version;
      r.units = s.units;
      r.partitions = s.partitions;
      r.lendable = s.lendable != 0;
      r.description = s.description;
      if (s.resource_index != SHOAL_SLICE_NO_RESOURCE) {
        if (auto res = card_->resource(s.resource_index)) r.resource = res->name;
      }
      card_slices_.push_back(r);
    }
    try {
      etcd_ = std::make_unique<Etcd>(cfg_.etcd, EtcdTls::from_files(cfg_.cacert, cfg_.cert, cfg_.key));
      if (!cfg_.manager_cert.empty()) {
        mgr_ = std::make_unique<Etcd>(cfg_.etcd, EtcdTls::from_files(cfg_.cacert, cfg_.manager_cert, cfg_.manager_key));
      }
      HttpsServer::Options o;
      const auto colon = cfg_.listen.rfind(':');
      o.host = cfg_.listen.substr(0, colon);
      o.port = std::stoi(cfg_.listen.substr(colon + 1));
      o.cert_file = cfg_.api_cert;
      o.key_file = cfg_.api_key;
      o.client_ca_file = cfg_.api_ca.empty() ? cfg_.cacert : cfg_.api_ca;
      o.allowed_cns = {cfg_.api_allow.begin(), cfg_.api_allow.end()};
      api_ = std::make_unique<HttpsServer>(o, [this](const HttpRequest& r) { return handle(r); });
    } catch (const std::exception& e) {
      log(e.what());
      return 1;
    }
    api_url_ = "https://127.0.0.1:" + std::to_string(api_->port());

    std::thread watcher([this] { watch_loop(); });
    // Publishing needs etcd; until it answers, the API says so (503) and the card is untouched.
    while (!g_stop && !publish()) sleep_or_stop(500ms);
    std::thread keeper([this] { keepalive_loop(); });
    std::thread manager([this] { manager_loop(); });
    std::thread card([this] { card_loop(); });
    std::printf("shoal-fabricd: ready server=%s api=%s slices=%zu\n", cfg_.name.c_str(), api_url_.c_str(),
                card_slices_.size());
    std::fflush(stdout);
    while (!g_stop) std::this_thread::sleep_for(50ms);

    log("stopping");
    api_->stop();
    {
      std::lock_guard<std::mutex> lk(mu_);
      cv_.notify_all();
    }
    manager.join();
    keeper.join();
    card.join();
    // Give our keys back at once: slices, requests and candidacy go with their leases (the
    // borrow lease carries the managers' grants, which we may not revoke: it expires).
    if (server_lease_) (void)etcd_->lease_revoke(server_lease_);
    if (mgr_ && manager_lease_) (void)mgr_->lease_revoke(manager_lease_);
    etcd_->stop();
    if (mgr_) mgr_->stop();
    watcher.join();
    return 0;
  }

 private:
  void log(const std::string& m) {
    std::lock_guard<std::mutex> lk(log_mu_);
    std::fprintf(stderr, "shoal-fabricd[%s]: %s\n", cfg_.name.c_str(), m.c_str());
  }
  void sleep_or_stop(std::chrono::milliseconds d) {
    const auto until = Clock::now() + d;
    while (!g_stop && Clock::now() < until) std::this_thread::sleep_for(std::min(d, 20ms));
  }

  // ---- publishing under the server lease -------------------------------------------------
  bool publish() {
    auto sl = etcd_->lease_grant(cfg_.lease_ttl);
    auto bl = sl ? etcd_->lease_grant(cfg_.lease_ttl) : decltype(sl){};
    if (!sl || !bl) {
      log("cannot publish: " + (!sl ? sl.error.message : bl.error.message));
      return false;
    }
    // A previous run's slices go first, so grants on them are seen as stale (new create revision).
    if (auto d = etcd_->del(keys_.slices_of(cfg_.name), prefix_end(keys_.slices_of(cfg_.name))); !d) {
      log("cannot publish: " + d.error.message);
      return false;
    }
    ServerRec srv;
    srv.server = cfg_.name;
    srv.location = cfg_.location;
    srv.api = api_url_;
    srv.card = card_ok_ ? card_desc_ : "lost";
    srv.model = card_model_;
    srv.k8s_node = cfg_.k8s_node.empty() ? cfg_.name : cfg_.k8s_node;
    srv.lease = sl.value.id();
    srv.borrow_lease = bl.value.id();
    pb::TxnRequest t;
    *t.add_success() = op_put(keys_.server(cfg_.name), srv.to_json().dump(), srv.lease);
    if (card_ok_) {
      for (const auto& s : card_slices_) *t.add_success() = op_put(keys_.slice(cfg_.name, s.name), s.to_json().dump(), srv.lease);
    }
    auto r = etcd_->txn(t);
    if (!r) {
      log("cannot publish: " + r.error.message);
      return false;
    }
    server_lease_ = srv.lease;
    borrow_lease_ = bl.value.id();
    log("published " + std::to_string(card_ok_ ? card_slices_.size() : 0) + " slices under lease " + std::to_string(srv.lease));
    return true;
  }

  void keepalive_loop() {
    const auto period = std::chrono::milliseconds(cfg_.lease_ttl * 1000 / 3);
    while (!g_stop) {
      sleep_or_stop(period);
      if (g_stop) break;
      bool lost = false;
      for (std::int64_t id : {server_lease_.load(), borrow_lease_.load()}) {
        auto r = etcd_->lease_keepalive(id);
        if (r && r.value.ttl() <= 0) lost = true;
        if (!r) log("keep-alive: " + r.error.message);
      }
      if (lost) {
        ++leases_lost_;
        log("our lease expired (etcd unreachable for longer than its TTL?): publishing again; requests in flight are lost");
        while (!g_stop && !publish()) sleep_or_stop(500ms);
      }
      if (mgr_ && manager_lease_) {
        auto r = mgr_->lease_keepalive(manager_lease_);
        if (r && r.value.ttl() <= 0) {
          log("manager lease expired: campaigning again");
          manager_lease_ = 0;
        }
      }
    }
  }

  // ---- the inventory: a view kept current by one watch on the whole prefix ---------------
  void watch_loop() {
    auto backoff = 50ms;
    while (!g_stop) {
      auto r = etcd_->range_prefix(keys_.p);
      if (!r) {
        set_unsynced(r.error.message);
        sleep_or_stop(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
        continue;
      }
      backoff = 50ms;
      std::vector<Kv> kvs;
      for (const auto& k : r.value.kvs()) kvs.push_back(to_kv(k));
      const std::int64_t rev = r.value.header().revision();
      {
        std::lock_guard<std::mutex> lk(mu_);
        view_.load(kvs);
        view_rev_ = rev;
        synced_ = true;
        etcd_error_.clear();
        cv_.notify_all();
      }
      auto why = etcd_->watch(keys_.p, prefix_end(keys_.p), rev + 1, [this](const pb::WatchResponse& w) {
        std::lock_guard<std::mutex> lk(mu_);
        for (const auto& e : w.events()) {
          if (e.type() == pb::Event::PUT) view_.apply_put(to_kv(e.kv()));
          else view_.apply_delete(e.kv().key());
        }
        view_rev_ = std::max(view_rev_, w.header().revision());
        cv_.notify_all();
        return !g_stop.load();
      });
      if (!g_stop) set_unsynced(why.message);
    }
  }
  void set_unsynced(const std::string& why) {
    std::lock_guard<std::mutex> lk(mu_);
    if (synced_ || etcd_error_ != why) log("inventory out of date: " + why);
    synced_ = false;
    etcd_error_ = why;
    cv_.notify_all();
  }
  // Waits until the view has seen revision `rev` (our own write); false on timeout.
  bool wait_rev(std::int64_t rev, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lk(mu_);
    return cv_.wait_for(lk, timeout, [&] { return (synced_ && view_rev_ >= rev) || g_stop; }) && !g_stop;
  }

  // ---- the manager role --------------------------------------------------------------------
  bool campaign() {
    auto l = mgr_->lease_grant(cfg_.lease_ttl);
    if (!l) return false;
    const std::string key = keys_.candidate(cfg_.name);
    const json me = {{"server", cfg_.name}, {"api", api_url_}, {"since_ms", now_ms()}};
    for (int i = 0; i < 3; ++i) {
      pb::TxnRequest t;
      *t.add_compare() = cmp_create(key, 0);
      *t.add_success() = op_put(key, me.dump(), l.value.id());
      *t.add_failure() = op_get(key);
      auto r = mgr_->txn(t);
      if (!r) {
        log("campaign: " + r.error.message);
        return false;
      }
      if (r.value.succeeded()) {
        manager_lease_ = l.value.id();
        my_rev_ = r.value.header().revision();
        log("candidate for the manager role (revision " + std::to_string(my_rev_) + ")");
        return true;
      }
      // our previous run's candidacy: withdraw it and stand again
      const auto& kvs = r.value.responses(0).response_range().kvs();
      if (!kvs.empty()) {
        pb::TxnRequest d;
        *d.add_compare() = cmp_mod(key, kvs[0].mod_revision());
        *d.add_success() = op_del(key);
        (void)mgr_->txn(d);
      }
    }
    return false;
  }

  void manager_loop() {
    if (!mgr_) return;
    bool was_leader = false;
    std::int64_t managed_rev = -1;
    while (!g_stop) {
      if (!manager_lease_ && !campaign()) {
        sleep_or_stop(500ms);
        continue;
      }
      View snap;
      {
        // wake on any change seen since the last round (a notification sent while we were busy
        // is not lost: the revision moved), or every 200 ms for the periodic sweep
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait_for(lk, 200ms, [&] { return g_stop || (synced_ && view_rev_ != managed_rev); });
        if (g_stop) break;
        if (!synced_) continue;
        snap = view_;
        managed_rev = view_rev_;
      }
      const bool leader = !snap.candidates.empty() && snap.candidates.front().second == cfg_.name &&
                          snap.candidates.front().first == my_rev_;
      if (leader != was_leader) log(leader ? "elected fabric manager" : "not the fabric manager");
      was_leader = leader;
      is_leader_ = leader;
      if (leader) manage(snap);
    }
  }

  pb::Compare guard() const { return cmp_create(keys_.candidate(cfg_.name), my_rev_); }

  void manage(View& v) {
    Work w = pending_work(v);
    for (const GrantRec* g : w.to_free) {
      pb::TxnRequest t;
      *t.add_compare() = cmp_mod(keys_.grant(g->lender, g->slice), g->mod_rev);
      *t.add_compare() = guard();
      *t.add_success() = op_del(keys_.grant(g->lender, g->slice));
      *t.add_success() = op_del(keys_.result(g->borrower, g->request_id));
      if (auto r = mgr_->txn(t); r && r.value.succeeded()) {
        ++freed_;
        wait_rev(r.value.header().revision(), 2s);
      }
    }
    for (const GrantRec* g : w.to_revoke) {
      pb::TxnRequest t;
      *t.add_compare() = cmp_mod(keys_.grant(g->lender, g->slice), g->mod_rev);
      *t.add_compare() = guard();
      *t.add_success() = op_del(keys_.grant(g->lender, g->slice));
      const json res = {{"id", g->request_id},     {"status", "revoked"}, {"lender", g->lender}, {"slice", g->slice},
                        {"reason", "the lender withdrew or re-published the slice"}};
      *t.add_success() = op_put(keys_.result(g->borrower, g->request_id), res.dump(), g->lease);
      if (auto r = mgr_->txn(t); r && r.value.succeeded()) {
        ++revoked_;
        wait_rev(r.value.header().revision(), 2s);
      }
    }
    for (const auto& k : w.stale_results) {
      const auto& kv = v.results.at(k);
      pb::TxnRequest t;
      *t.add_compare() = cmp_mod(kv.key, kv.mod_rev);
      *t.add_compare() = guard();
      *t.add_success() = op_del(kv.key);
      (void)mgr_->txn(t);
    }
    // Copies: allocate() changes the view as it grants.
    std::vector<RequestRec> todo;
    for (const RequestRec* r : w.to_allocate) todo.push_back(*r);
    std::sort(todo.begin(), todo.end(), [](const auto& a, const auto& b) { return a.create_rev < b.create_rev; });
    for (const auto& r : todo) {
      if (g_stop || !allocate(v, r)) break;
    }
  }

  // AllocateResource(r.server, r.capability). false: stop this round (lost the role, etcd down).
  bool allocate(View& v, const RequestRec& r) {
    const std::string req_key = keys_.request(r.server, r.id), res_key = keys_.result(r.server, r.id);
    for (int attempt = 0; attempt < 16; ++attempt) {
      auto cands = rank_candidates(v, r);
      pb::TxnRequest t;
      *t.add_compare() = cmp_create(req_key, r.create_rev);
      *t.add_compare() = cmp_create(res_key, 0);
      *t.add_compare() = guard();
      std::string grant_key;
      if (cands.empty()) {
        const json res = {{"id", r.id}, {"status", "unavailable"}, {"manager", cfg_.name},
                          {"reason", "no free slice of capability '" + r.capability + "' (version >= " +
                                         std::to_string(r.min_version) + ") that server " + r.server + " may use"}};
        *t.add_success() = op_put(res_key, res.dump(), r.borrow_lease);
      } else {
        const auto& c = cands.front();
        grant_key = keys_.grant(c.slice->server, c.slice->name);
        *t.add_compare() = cmp_create(grant_key, 0);
        *t.add_compare() = cmp_mod(keys_.slice(c.slice->server, c.slice->name), c.slice->mod_rev);
        GrantRec g;
        g.lender = c.slice->server;
        g.slice = c.slice->name;
        g.borrower = r.server;
        g.request_id = r.id;
        g.capability = c.slice->capability;
        g.version = c.slice->version;
        g.units = c.slice->units;
        g.hops = c.hops;
        g.slice_rev = c.slice->create_rev;
        g.manager = cfg_.name;
        json res = g.to_json();
        res["id"] = r.id;
        res["status"] = "granted";
        const auto lender = v.servers.find(g.lender);
        if (lender != v.servers.end()) res["lender_api"] = lender->second.api;
        res["granted_ms"] = now_ms();
        *t.add_success() = op_put(grant_key, g.to_json().dump(), r.borrow_lease);
        *t.add_success() = op_put(res_key, res.dump(), r.borrow_lease);
        *t.add_failure() = op_get(grant_key);
      }
      *t.add_failure() = op_get(res_key);
      *t.add_failure() = op_get(req_key);
      *t.add_failure() = op_get(keys_.candidate(cfg_.name));
      auto resp = mgr_->txn(t);
      if (!resp) {
        if (resp.error.code == 5 /*NOT_FOUND: the borrow lease is gone*/) return true;
        log("allocate " + r.server + "/" + r.id + ": " + resp.error.message);
        return false;
      }
      if (resp.value.succeeded()) {
        if (!grant_key.empty()) ++granted_;
        else ++unavailable_;
        const auto rev = resp.value.header().revision();
        // reflect our write at once (the watch brings the same a moment later)
        for (const auto& op : t.success()) {
          v.apply_put(Kv{op.request_put().key(), op.request_put().value(), rev, rev, r.borrow_lease});
        }
        return true;
      }
      // Why not? Look at what the failure branch read.
      const auto& rs = resp.value.responses();
      const int n = rs.size();
      const auto& mine = rs[n - 1].response_range().kvs();
      if (mine.empty() || mine[0].create_revision() != my_rev_) return false;  // no longer the manager
      const auto& req = rs[n - 2].response_range().kvs();
      if (req.empty() || req[0].create_revision() != r.create_rev) return true;  // withdrawn meanwhile
      if (!rs[n - 3].response_range().kvs().empty()) return true;  // answered (by us, before a lost reply)
      if (!grant_key.empty()) {
        const auto& g = rs[0].response_range().kvs();
        if (!g.empty()) {
          v.apply_put(to_kv(g[0]));  // someone holds it now: try the next one
          continue;
        }
      }
      // the slice changed or the result exists: refresh from the shared view
      std::lock_guard<std::mutex> lk(mu_);
      v = view_;
    }
    return true;
  }

  // ---- the card ----------------------------------------------------------------------------
  void card_loop() {
    while (!g_stop) {
      sleep_or_stop(std::chrono::milliseconds(cfg_.card_poll_ms));
      if (g_stop) break;
      auto m = card_->read32(SHOAL_CTRL_MAGIC_ADDR);
      const bool ok = m && *m == SHOAL_CTRL_MAGIC_RESET;
      if (ok == card_ok_) continue;
      card_ok_ = ok;
      log(ok ? "the card answers again: publishing its slices" : "the card does not answer: withdrawing its slices");
      // republish (the record says "lost" and no slice while the card is away)
      while (!g_stop && !publish()) sleep_or_stop(500ms);
    }
  }

  // ---- fabricd's API -----------------------------------------------------------------------
  HttpResponse handle(const HttpRequest& q) {
    std::vector<std::string> parts;
    for (std::size_t i = 1; i <= q.path.size();) {
      const auto j = q.path.find('/', i);
      parts.push_back(q.path.substr(i, j == std::string::npos ? std::string::npos : j - i));
      if (j == std::string::npos) break;
      i = j + 1;
    }
    if (parts.empty() || parts[0] != "v1") return err(404, "unknown path " + q.path + " (see GET /v1/health)");
    parts.erase(parts.begin());
    const std::string what = parts.empty() ? "" : parts[0];
    if (what == "health" && q.method == "GET") return health();
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!synced_) return err(503, "etcd is unreachable (" + etcd_error_ + "); the fabric's state is unknown");
    }
    if (server_lease_ == 0 || borrow_lease_ == 0) return err(503, "server " + cfg_.name + " has not published yet");
    if (what == "slices" && q.method == "GET") return list_slices(q);
    if (what == "servers" && q.method == "GET") return list_servers();
    if (what == "requests" && parts.size() == 1 && q.method == "GET") return list_requests();
    if (what == "requests" && parts.size() == 1 && q.method == "POST") return request(q);
    if (what == "requests" && parts.size() == 2 && q.method == "GET") return get_request(parts[1]);
    if (what == "requests" && parts.size() == 2 && q.method == "DELETE") return release(parts[1], q);
    if (what == "grants" && parts.size() == 3 && q.method == "DELETE") return release_slice(parts[1], parts[2], q);
    if (what == "k8s" && parts.size() == 2 && parts[1] == "resourceslices" && q.method == "GET") {
      K8sOptions o;
      if (q.query.count("driver")) o.driver = q.query.at("driver");
      if (!valid_driver_name(o.driver)) {
        return err(400, "driver '" + o.driver + "' is not a DNS subdomain of at most 63 characters");
      }
      std::lock_guard<std::mutex> lk(mu_);
      return reply(200, resource_slice_list(view_, o, q.query.count("server") ? q.query.at("server") : ""));
    }
    return err(404, "no such operation: " + q.method + " " + q.path);
  }

  HttpResponse health() {
    std::lock_guard<std::mutex> lk(mu_);
    return reply(200, {{"server", cfg_.name},
                       {"etcd", synced_ ? "ok" : "unreachable"},
                       {"etcd_error", etcd_error_},
                       {"revision", view_rev_},
                       {"manager", view_.leader()},
                       {"is_manager", is_leader_.load()},
                       {"card", card_ok_ ? "ok" : "lost"},
                       {"leases_lost", leases_lost_.load()},
                       {"granted", granted_.load()},
                       {"unavailable", unavailable_.load()},
                       {"freed", freed_.load()},
                       {"revoked", revoked_.load()},
                       {"api_refused_handshakes", api_ ? api_->refused_handshakes() : 0}});
  }

  json slice_json(const std::string& key, const SliceRec& s) {
    json j = s.to_json();
    auto g = view_.grants.find(key);
    j["state"] = g == view_.grants.end() ? "free" : "granted";
    if (g != view_.grants.end()) {
      j["borrower"] = g->second.borrower;
      j["request"] = g->second.request_id;
    }
    return j;
  }
  HttpResponse list_slices(const HttpRequest& q) {
    std::lock_guard<std::mutex> lk(mu_);
    json a = json::array();
    for (const auto& [k, s] : view_.slices) {
      if (q.query.count("server") && s.server != q.query.at("server")) continue;
      if (q.query.count("capability") && s.capability != q.query.at("capability")) continue;
      a.push_back(slice_json(k, s));
    }
    return reply(200, {{"revision", view_rev_}, {"slices", a}});
  }
  HttpResponse list_servers() {
    std::lock_guard<std::mutex> lk(mu_);
    json a = json::array();
    for (const auto& [n, s] : view_.servers) {
      json j = s.to_json();
      int slices = 0, lent = 0, borrowed = 0;
      for (const auto& [k, sl] : view_.slices) slices += sl.server == n;
      for (const auto& [k, g] : view_.grants) {
        lent += g.lender == n && g.borrower != n;
        borrowed += g.borrower == n && g.lender != n;
      }
      j["slices"] = slices;
      j["lent"] = lent;
      j["borrowed"] = borrowed;
      j["manager"] = view_.leader() == n;
      j["hops"] = fabric_hops(cfg_.name, cfg_.location, n, s.location);
      a.push_back(j);
    }
    return reply(200, {{"revision", view_rev_}, {"manager", view_.leader()}, {"servers", a}});
  }
  json request_json(const std::string& id) {
    const std::string k = cfg_.name + "/" + id;
    json j = {{"id", id}, {"server", cfg_.name}};
    auto r = view_.requests.find(k);
    if (r != view_.requests.end()) {
      j["capability"] = r->second.capability;
      j["status"] = "pending";
    }
    auto res = view_.results.find(k);
    if (res != view_.results.end()) {
      auto rj = json::parse(res->second.value, nullptr, false);
      if (rj.is_object()) j.update(rj);
    }
    return j;
  }
  HttpResponse list_requests() {
    std::lock_guard<std::mutex> lk(mu_);
    json a = json::array();
    for (const auto& [k, r] : view_.requests) {
      if (r.server == cfg_.name) a.push_back(request_json(r.id));
    }
    return reply(200, {{"revision", view_rev_}, {"requests", a}});
  }
  HttpResponse get_request(const std::string& id) {
    std::lock_guard<std::mutex> lk(mu_);
    if (!view_.requests.count(cfg_.name + "/" + id)) return err(404, "server " + cfg_.name + " has no request " + id);
    return reply(200, request_json(id));
  }

  HttpResponse request(const HttpRequest& q) {
    auto body = json::parse(q.body.empty() ? std::string("{}") : q.body, nullptr, false);
    if (!body.is_object()) return err(400, "the body must be a JSON object");
    RequestRec r;
    r.server = cfg_.name;
    r.id = random_id();
    try {
      r.capability = body.at("capability").get<std::string>();
      r.min_version = body.value("min_version", 1u);
      r.partition = body.value("partition", -1);
    } catch (const std::exception&) {
      return err(400, "expected {\"capability\": NAME, \"min_version\": N?, \"partition\": P?, \"wait_ms\": MS?}");
    }
    if (!valid_name(r.capability)) return err(400, "capability '" + r.capability + "' is not a valid name");
    if (r.partition < -1 || r.partition > 63) return err(400, "partition must be 0..63 (or absent)");
    const int wait_ms = std::clamp(body.value("wait_ms", 10000), 0, 60000);
    r.borrow_lease = borrow_lease_;
    const std::string key = keys_.request(r.server, r.id);
    pb::TxnRequest t;
    *t.add_compare() = cmp_create(key, 0);
    *t.add_success() = op_put(key, r.to_json().dump(), server_lease_);
    auto resp = etcd_->txn(t);
    if (!resp) return err(resp.error.permission() ? 403 : 503, resp.error.message);
    const auto t0 = Clock::now();
    std::unique_lock<std::mutex> lk(mu_);
    const std::string k = r.server + "/" + r.id;
    cv_.wait_for(lk, std::chrono::milliseconds(wait_ms), [&] {
      return g_stop || view_.results.count(k) || (view_rev_ >= resp.value.header().revision() && !view_.requests.count(k));
    });
    json j = request_json(r.id);
    j["wait_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    if (!view_.requests.count(k) && !view_.results.count(k)) return err(503, "the request was lost (our lease expired)");
    const std::string status = j.value("status", "pending");
    if (status == "granted") return reply(201, j);
    if (status == "pending") return reply(202, j);
    lk.unlock();
    (void)etcd_->del(key);  // unavailable: nothing to hold
    return reply(404, j);
  }

  HttpResponse release(const std::string& id, const HttpRequest& q) {
    const std::string k = cfg_.name + "/" + id;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!view_.requests.count(k)) return err(404, "server " + cfg_.name + " has no request " + id);
    }
    auto d = etcd_->del(keys_.request(cfg_.name, id));
    if (!d) return err(d.error.permission() ? 403 : 503, d.error.message);
    int wait_ms = 10000;
    if (q.query.count("wait_ms")) wait_ms = std::clamp(std::atoi(q.query.at("wait_ms").c_str()), 0, 60000);
    std::unique_lock<std::mutex> lk(mu_);
    const bool freed = cv_.wait_for(lk, std::chrono::milliseconds(wait_ms),
                                    [&] { return g_stop || view_.grant_of_request(cfg_.name, id) == nullptr; });
    return reply(200, {{"id", id}, {"released", true}, {"slice_freed", freed && !g_stop}});
  }

  HttpResponse release_slice(const std::string& lender, const std::string& slice, const HttpRequest& q) {
    std::string id;
    {
      std::lock_guard<std::mutex> lk(mu_);
      auto g = view_.grants.find(lender + "/" + slice);
      if (g == view_.grants.end()) return err(404, "slice " + lender + "/" + slice + " is not granted");
      if (g->second.borrower != cfg_.name) {
        return err(403, "slice " + lender + "/" + slice + " is held by " + g->second.borrower + ", not by " + cfg_.name +
                            ": a server may release only what it holds");
      }
      id = g->second.request_id;
    }
    return release(id, q);
  }

  Config cfg_;
  Keys keys_;
  std::optional<shoal::Device> card_;
  std::string card_desc_, card_model_;
  std::vector<SliceRec> card_slices_;
  std::atomic<bool> card_ok_{true};
  std::unique_ptr<Etcd> etcd_, mgr_;
  std::unique_ptr<HttpsServer> api_;
  std::string api_url_;
  std::atomic<std::int64_t> server_lease_{0}, borrow_lease_{0}, manager_lease_{0};
  std::int64_t my_rev_ = 0;
  std::atomic<bool> is_leader_{false};
  std::atomic<std::uint64_t> leases_lost_{0}, granted_{0}, unavailable_{0}, freed_{0}, revoked_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  View view_;
  std::int64_t view_rev_ = 0;
  bool synced_ = false;
  std::string etcd_error_ = "not connected yet";
  std::mutex log_mu_;
};

}  // namespace
}  // namespace shoal::fabric

int main(int argc, char** argv) {
  using shoal::fabric::Config;
  Config c;
  CLI::App app{"shoal-fabricd: lends and borrows this server's accelerator slices across the fabric (etcd)",
               "shoal-fabricd"};
  app.add_option("--name", c.name, "This server's name ([a-z0-9][a-z0-9_-]*, at most 63)")->required();
  app.add_option("-d,--device", c.device, "The card's device URI (default: $SHOAL_DEVICE)");
  app.add_option("--etcd", c.etcd, "etcd client URLs, https://HOST:PORT (repeat or comma-separate)")
      ->required()
      ->delimiter(',');
  app.add_option("--cacert", c.cacert, "CA certificate (PEM) that signed etcd's and the clients' certificates")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--cert", c.cert, "This server's etcd client certificate; its CN is the etcd user")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--key", c.key, "Its private key")->required()->check(CLI::ExistingFile);
  app.add_option("--manager-cert", c.manager_cert, "Manager identity certificate: stand for the manager role")
      ->check(CLI::ExistingFile);
  app.add_option("--manager-key", c.manager_key, "Its private key")->check(CLI::ExistingFile);
  app.add_option("--listen", c.listen, "API address, a loopback IPv4 HOST:PORT (port 0: any)")->capture_default_str();
  app.add_option("--api-cert", c.api_cert, "API server certificate")->required()->check(CLI::ExistingFile);
  app.add_option("--api-key", c.api_key, "API server private key")->required()->check(CLI::ExistingFile);
  app.add_option("--api-ca", c.api_ca, "CA for API client certificates (default: --cacert)")->check(CLI::ExistingFile);
  app.add_option("--api-allow-cn", c.api_allow, "Client certificate CNs allowed on the API")->capture_default_str();
  app.add_option("--location", c.location, "Place in the fabric's tree, e.g. pod1/rack2 (for hop counts)");
  app.add_option("--prefix", c.prefix, "etcd key prefix of the fabric")->capture_default_str();
  app.add_option("--lease-ttl", c.lease_ttl, "Lease time-to-live in seconds")->check(CLI::Range(2, 3600))->capture_default_str();
  app.add_option("--k8s-node", c.k8s_node, "Kubernetes node name of this server (default: --name)");
  app.add_option("--card-poll-ms", c.card_poll_ms, "How often the card is checked")->check(CLI::Range(50, 60000));
  CLI11_PARSE(app, argc, argv);
  if (!shoal::fabric::valid_name(c.name)) {
    std::cerr << "shoal-fabricd: --name '" << c.name << "' is not a valid server name\n";
    return 2;
  }
  if (c.manager_cert.empty() != c.manager_key.empty()) {
    std::cerr << "shoal-fabricd: --manager-cert and --manager-key go together\n";
    return 2;
  }
  struct sigaction sa{};
  sa.sa_handler = shoal::fabric::on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return shoal::fabric::Fabricd(std::move(c)).run();
}
