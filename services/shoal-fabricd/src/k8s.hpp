// Kubernetes Dynamic Resource Allocation: each server's slices as a resource.k8s.io/v1
// ResourceSlice (one pool per server, one ResourceSlice per pool, one device per slice).
#pragma once

#include "model.hpp"

namespace shoal::fabric {

struct K8sOptions {
  std::string driver = "fabric.shoal.dev";  // a DNS subdomain owned by the driver's vendor
};

// A DRA driver name: a DNS subdomain (lower-case labels separated by dots), at most 63 characters.
bool valid_driver_name(const std::string& s);

// The pool's generation is the server record's mod revision: fabricd rewrites the record
// whenever it changes the slices it publishes, and etcd revisions only grow.
json resource_slice(const View& v, const ServerRec& server, const K8sOptions& o);
json resource_slice_list(const View& v, const K8sOptions& o, const std::string& only_server = {});

}  // namespace shoal::fabric
