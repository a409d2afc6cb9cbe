#include "k8s.hpp"

namespace shoal::fabric {

namespace {
// DNS-label form of a name: lower case, '_' -> '-'.
std::string dns_label(std::string s) {
  for (auto& c : s) {
    if (c == '_') c = '-';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}
}  // namespace

bool valid_driver_name(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-') return false;
      label = 0;
    } else if (alnum || (c == '-' && label > 0)) {
      ++label;
    } else {
      return false;
    }
  }
  return label > 0 && s.back() != '-';
}

json resource_slice(const View& v, const ServerRec& srv, const K8sOptions& o) {
  json devices = json::array();
  for (const auto& [k, s] : v.slices) {
    if (s.server != srv.server) continue;
    json attrs = {
        {"capability", {{"string", s.capability}}},
        {"capabilityVersion", {{"int", s.version}}},
        {"lendable", {{"bool", s.lendable}}},
        {"index", {{"int", s.index}}},
        {"server", {{"string", srv.server}}},
    };
    if (!srv.location.empty()) attrs["location"] = {{"string", srv.location.substr(0, 64)}};
    if (!s.resource.empty()) attrs["pool"] = {{"string", s.resource}};
    devices.push_back({{"name", dns_label(s.name)},
                       {"attributes", attrs},
                       {"capacity", {{"units", {{"value", std::to_string(s.units)}}}}}});
  }
  const std::string node = srv.k8s_node.empty() ? srv.server : srv.k8s_node;
  return {{"apiVersion", "resource.k8s.io/v1"},
          {"kind", "ResourceSlice"},
          {"metadata", {{"name", dns_label(node) + "-" + o.driver + "-" + dns_label(srv.server)}}},
          {"spec",
           {{"driver", o.driver},
            {"pool", {{"name", dns_label(srv.server)}, {"generation", srv.mod_rev}, {"resourceSliceCount", 1}}},
            {"nodeName", node},
            {"devices", devices}}}};
}

json resource_slice_list(const View& v, const K8sOptions& o, const std::string& only) {
  json items = json::array();
  for (const auto& [name, srv] : v.servers) {
    if (!only.empty() && name != only) continue;
    items.push_back(resource_slice(v, srv, o));
  }
  return {{"apiVersion", "resource.k8s.io/v1"}, {"kind", "ResourceSliceList"}, {"metadata", json::object()}, {"items", items}};
}

}  // namespace shoal::fabric
