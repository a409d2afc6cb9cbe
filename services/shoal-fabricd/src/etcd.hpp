// A small etcd v3 client over gRPC (the subset in proto/etcd_v3_subset.proto), with mutual TLS:
// the client certificate's CN is the etcd user (etcd --client-cert-auth with auth enabled).
//
// Every call has a deadline. Calls that fail because a member is unreachable or has no leader
// (UNAVAILABLE, DEADLINE_EXCEEDED) move to the next endpoint and are retried with a growing
// back-off, for at most `retry_budget` in all; anything else (PERMISSION_DENIED, bad request,
// ...) is returned at once. Callers make their writes safe to repeat (transactions guarded by
// create/mod revisions), so a retry after an answer was lost never does a write twice.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "etcd_v3_subset.grpc.pb.h"
#include "etcd_v3_subset.pb.h"

namespace shoal::fabric {

namespace pb = etcdserverpb;

struct EtcdError {
  int code = 0;         // grpc::StatusCode
  std::string message;  // names the endpoint and etcd's own message
  bool permission() const { return code == 7 /*PERMISSION_DENIED*/; }
  bool unreachable() const { return code == 14 /*UNAVAILABLE*/ || code == 4 /*DEADLINE_EXCEEDED*/; }
};

template <class T>
struct EtcdResult {
  bool ok = false;
  T value{};
  EtcdError error;
  explicit operator bool() const { return ok; }
};

struct EtcdTls {
  std::string ca_pem, cert_pem, key_pem;
  static EtcdTls from_files(const std::string& ca, const std::string& cert, const std::string& key);
};

// The end of a prefix range: the prefix with its last byte incremented.
std::string prefix_end(const std::string& prefix);

class Etcd {
 public:
  Etcd(std::vector<std::string> endpoints, const EtcdTls& tls,
       std::chrono::milliseconds call_timeout = std::chrono::milliseconds(2000),
       std::chrono::milliseconds retry_budget = std::chrono::milliseconds(8000));
  ~Etcd();
  Etcd(const Etcd&) = delete;
  Etcd& operator=(const Etcd&) = delete;

  EtcdResult<pb::RangeResponse> range(const std::string& key, const std::string& range_end = {}, std::int64_t revision = 0);
  EtcdResult<pb::RangeResponse> range_prefix(const std::string& prefix, std::int64_t revision = 0) {
    return range(prefix, prefix_end(prefix), revision);
  }
  EtcdResult<pb::PutResponse> put(const std::string& key, const std::string& value, std::int64_t lease = 0);
  EtcdResult<pb::DeleteRangeResponse> del(const std::string& key, const std::string& range_end = {});
  EtcdResult<pb::TxnResponse> txn(const pb::TxnRequest& req);
  EtcdResult<pb::LeaseGrantResponse> lease_grant(std::int64_t ttl_s);
  EtcdResult<pb::LeaseRevokeResponse> lease_revoke(std::int64_t id);
  // One keep-alive round trip; value.TTL() <= 0 means the lease is gone.
  EtcdResult<pb::LeaseKeepAliveResponse> lease_keepalive(std::int64_t id);
  // Status of one endpoint (by index), no retry.
  EtcdResult<pb::StatusResponse> status(std::size_t endpoint);

  // Watches [key, range_end) from start_revision, calling on_response for every response, until
  // the stream breaks, on_response returns false or stop() is called. Returns why it ended.
  EtcdError watch(const std::string& key, const std::string& range_end, std::int64_t start_revision,
                  const std::function<bool(const pb::WatchResponse&)>& on_response);
  void stop();  // ends watch() calls and makes further calls fail fast

  const std::vector<std::string>& endpoints() const { return endpoints_; }
  std::string current_endpoint() const;

 private:
  struct Channel;
  template <class Resp, class Fn>
  EtcdResult<Resp> call(const char* what, Fn&& fn);
  std::shared_ptr<Channel> channel(std::size_t i);

  std::vector<std::string> endpoints_;
  std::vector<std::shared_ptr<Channel>> channels_;
  std::atomic<std::size_t> current_{0};
  std::chrono::milliseconds call_timeout_, retry_budget_;
  std::atomic<bool> stopped_{false};
  std::mutex watch_mu_;
  std::vector<std::weak_ptr<void>> watch_contexts_;
};

// Helpers to build transactions.
pb::Compare cmp_create(const std::string& key, std::int64_t rev, pb::Compare::CompareResult r = pb::Compare::EQUAL);
pb::Compare cmp_mod(const std::string& key, std::int64_t rev, pb::Compare::CompareResult r = pb::Compare::EQUAL);
pb::RequestOp op_put(const std::string& key, const std::string& value, std::int64_t lease = 0);
pb::RequestOp op_del(const std::string& key);
pb::RequestOp op_get(const std::string& key);

}  // namespace shoal::fabric
