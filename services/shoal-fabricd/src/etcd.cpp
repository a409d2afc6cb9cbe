#include "etcd.hpp"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace shoal::fabric {

namespace {
std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

EtcdTls EtcdTls::from_files(const std::string& ca, const std::string& cert, const std::string& key) {
  return EtcdTls{read_all(ca), read_all(cert), read_all(key)};
}

std::string prefix_end(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto& c = reinterpret_cast<unsigned char&>(end.back());
    if (c < 0xff) {
      ++c;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // the whole key space
}

struct Etcd::Channel {
  std::string target;
  std::shared_ptr<grpc::Channel> ch;
  std::unique_ptr<pb::KV::Stub> kv;
  std::unique_ptr<pb::Lease::Stub> lease;
  std::unique_ptr<pb::Watch::Stub> watch;
  std::unique_ptr<pb::Maintenance::Stub> maint;
};

Etcd::Etcd(std::vector<std::string> endpoints, const EtcdTls& tls, std::chrono::milliseconds call_timeout,
           std::chrono::milliseconds retry_budget)
    : endpoints_(std::move(endpoints)), call_timeout_(call_timeout), retry_budget_(retry_budget) {
  if (endpoints_.empty()) throw std::invalid_argument("no etcd endpoints given");
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = tls.ca_pem;
  o.pem_cert_chain = tls.cert_pem;
  o.pem_private_key = tls.key_pem;
  auto creds = grpc::SslCredentials(o);
  for (auto& e : endpoints_) {
    std::string target = e;
    for (const char* scheme : {"https://", "http://"}) {
      if (target.rfind(scheme, 0) == 0) target = target.substr(std::string(scheme).size());
    }
    auto c = std::make_shared<Channel>();
    c->target = target;
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    c->ch = grpc::CreateCustomChannel(target, creds, args);
    c->kv = pb::KV::NewStub(c->ch);
    c->lease = pb::Lease::NewStub(c->ch);
    c->watch = pb::Watch::NewStub(c->ch);
    c->maint = pb::Maintenance::NewStub(c->ch);
    channels_.push_back(std::move(c));
  }
}

Etcd::~Etcd() { stop(); }

std::shared_ptr<Etcd::Channel> Etcd::channel(std::size_t i) { return channels_[i % channels_.size()]; }

std::string Etcd::current_endpoint() const { return endpoints_[current_.load() % endpoints_.size()]; }

void Etcd::stop() {
  stopped_ = true;
  std::lock_guard<std::mutex> lk(watch_mu_);
  for (auto& w : watch_contexts_) {
    if (auto p = w.lock()) static_cast<grpc::ClientContext*>(p.get())->TryCancel();
  }
}

template <class Resp, class Fn>
EtcdResult<Resp> Etcd::call(const char* what, Fn&& fn) {
  EtcdResult<Resp> r;
  const auto give_up = std::chrono::steady_clock::now() + retry_budget_;
  auto backoff = std::chrono::milliseconds(20);
  for (int attempt = 0;; ++attempt) {
    if (stopped_) {
      r.error = {1, std::string("etcd ") + what + ": client stopped"};
      return r;
    }
    const std::size_t idx = current_.load();
    auto c = channel(idx);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + call_timeout_);
    grpc::Status st = fn(*c, ctx, r.value);
    if (st.ok()) {
      r.ok = true;
      return r;
    }
    r.error.code = st.error_code();
    r.error.message = std::string("etcd ") + what + " at " + c->target + ": " + st.error_message();
    if (!r.error.unreachable() || std::chrono::steady_clock::now() + backoff >= give_up) return r;
    // the member is down, partitioned or without a leader: try the next one
    std::size_t expect = idx;
    current_.compare_exchange_strong(expect, idx + 1);
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(400));
    r.value = Resp{};
  }
}

EtcdResult<pb::RangeResponse> Etcd::range(const std::string& key, const std::string& range_end, std::int64_t revision) {
  pb::RangeRequest req;
  req.set_key(key);
  if (!range_end.empty()) req.set_range_end(range_end);
  req.set_revision(revision);
  return call<pb::RangeResponse>("range", [&](Channel& c, grpc::ClientContext& ctx, pb::RangeResponse& out) {
    return c.kv->Range(&ctx, req, &out);
  });
}

EtcdResult<pb::PutResponse> Etcd::put(const std::string& key, const std::string& value, std::int64_t lease) {
  pb::PutRequest req;
  req.set_key(key);
  req.set_value(value);
  req.set_lease(lease);
  return call<pb::PutResponse>("put", [&](Channel& c, grpc::ClientContext& ctx, pb::PutResponse& out) {
    return c.kv->Put(&ctx, req, &out);
  });
}

EtcdResult<pb::DeleteRangeResponse> Etcd::del(const std::string& key, const std::string& range_end) {
  pb::DeleteRangeRequest req;
  req.set_key(key);
  if (!range_end.empty()) req.set_range_end(range_end);
  return call<pb::DeleteRangeResponse>("delete", [&](Channel& c, grpc::ClientContext& ctx, pb::DeleteRangeResponse& out) {
    return c.kv->DeleteRange(&ctx, req, &out);
  });
}

EtcdResult<pb::TxnResponse> Etcd::txn(const pb::TxnRequest& req) {
  return call<pb::TxnResponse>("txn", [&](Channel& c, grpc::ClientContext& ctx, pb::TxnResponse& out) {
    return c.kv->Txn(&ctx, req, &out);
  });
}

EtcdResult<pb::LeaseGrantResponse> Etcd::lease_grant(std::int64_t ttl_s) {
  pb::LeaseGrantRequest req;
  req.set_ttl(ttl_s);
  return call<pb::LeaseGrantResponse>("lease grant", [&](Channel& c, grpc::ClientContext& ctx, pb::LeaseGrantResponse& out) {
    return c.lease->LeaseGrant(&ctx, req, &out);
  });
}

EtcdResult<pb::LeaseRevokeResponse> Etcd::lease_revoke(std::int64_t id) {
  pb::LeaseRevokeRequest req;
  req.set_id(id);
  return call<pb::LeaseRevokeResponse>("lease revoke", [&](Channel& c, grpc::ClientContext& ctx, pb::LeaseRevokeResponse& out) {
    return c.lease->LeaseRevoke(&ctx, req, &out);
  });
}

EtcdResult<pb::LeaseKeepAliveResponse> Etcd::lease_keepalive(std::int64_t id) {
  return call<pb::LeaseKeepAliveResponse>(
      "lease keep-alive", [&](Channel& c, grpc::ClientContext& ctx, pb::LeaseKeepAliveResponse& out) {
        auto stream = c.lease->LeaseKeepAlive(&ctx);
        pb::LeaseKeepAliveRequest req;
        req.set_id(id);
        if (!stream->Write(req)) return stream->Finish();
        stream->WritesDone();
        if (!stream->Read(&out)) {
          auto st = stream->Finish();
          return st.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "keep-alive stream closed") : st;
        }
        ctx.TryCancel();
        (void)stream->Finish();
        return grpc::Status::OK;
      });
}

EtcdResult<pb::StatusResponse> Etcd::status(std::size_t endpoint) {
  EtcdResult<pb::StatusResponse> r;
  auto c = channel(endpoint);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + call_timeout_);
  auto st = c->maint->Status(&ctx, pb::StatusRequest{}, &r.value);
  r.ok = st.ok();
  if (!r.ok) r.error = {st.error_code(), "etcd status at " + c->target + ": " + st.error_message()};
  return r;
}

EtcdError Etcd::watch(const std::string& key, const std::string& range_end, std::int64_t start_revision,
                      const std::function<bool(const pb::WatchResponse&)>& on_response) {
  if (stopped_) return {1, "etcd watch: client stopped"};
  auto c = channel(current_.load());
  auto ctx = std::make_shared<grpc::ClientContext>();
  {
    std::lock_guard<std::mutex> lk(watch_mu_);
    watch_contexts_.push_back(std::static_pointer_cast<void>(ctx));
  }
  auto stream = c->watch->Watch(ctx.get());
  pb::WatchRequest req;
  auto* cr = req.mutable_create_request();
  cr->set_key(key);
  cr->set_range_end(range_end);
  cr->set_start_revision(start_revision);
  cr->set_progress_notify(true);
  EtcdError why;
  if (!stream->Write(req)) {
    why = {14, "etcd watch at " + c->target + ": cannot open the stream"};
  } else {
    pb::WatchResponse resp;
    bool go = true;
    while (go && stream->Read(&resp)) {
      if (resp.canceled()) {
        why = {9, "etcd watch at " + c->target + " canceled: " + resp.cancel_reason() +
                      (resp.compact_revision() ? " (compacted at " + std::to_string(resp.compact_revision()) + ")" : "")};
        go = false;
        break;
      }
      go = on_response(resp);
    }
    if (go && why.code == 0) why = {14, "etcd watch at " + c->target + ": stream ended"};
    if (!go && why.code == 0) why = {1, "etcd watch: stopped by the caller"};
  }
  ctx->TryCancel();
  auto st = stream->Finish();
  if (why.code == 14 && !st.ok()) why.message += ": " + st.error_message();
  if (why.code == 14) {
    std::size_t expect = current_.load();
    (void)expect;  // the caller re-syncs; a broken stream may mean this member died: rotate
    current_.compare_exchange_strong(expect, expect + 1);
  }
  std::lock_guard<std::mutex> lk(watch_mu_);
  std::erase_if(watch_contexts_, [](const auto& w) { return w.expired(); });
  return why;
}

pb::Compare cmp_create(const std::string& key, std::int64_t rev, pb::Compare::CompareResult r) {
  pb::Compare c;
  c.set_key(key);
  c.set_target(pb::Compare::CREATE);
  c.set_result(r);
  c.set_create_revision(rev);
  return c;
}
pb::Compare cmp_mod(const std::string& key, std::int64_t rev, pb::Compare::CompareResult r) {
  pb::Compare c;
  c.set_key(key);
  c.set_target(pb::Compare::MOD);
  c.set_result(r);
  c.set_mod_revision(rev);
  return c;
}
pb::RequestOp op_put(const std::string& key, const std::string& value, std::int64_t lease) {
  pb::RequestOp op;
  auto* p = op.mutable_request_put();
  p->set_key(key);
  p->set_value(value);
  p->set_lease(lease);
  return op;
}
pb::RequestOp op_del(const std::string& key) {
  pb::RequestOp op;
  op.mutable_request_delete_range()->set_key(key);
  return op;
}
pb::RequestOp op_get(const std::string& key) {
  pb::RequestOp op;
  op.mutable_request_range()->set_key(key);
  return op;
}

}  // namespace shoal::fabric
