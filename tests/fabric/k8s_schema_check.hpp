// resource.k8s.io/v1 ResourceSlice: the rules of the published Kubernetes API (k8s.io/api
// resource/v1 types and the API server's validation of them), written out as checks for the
// tests. Returns the violations (empty: valid). Not a vendored schema: our own reading of it.
#pragma once

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fabric_test {

using kjson = nlohmann::json;


inline bool dns_label(const std::string& s) {
  return s.size() <= 63 && std::regex_match(s, std::regex("[a-z0-9]([-a-z0-9]*[a-z0-9])?"));
}
inline bool dns_subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t i = 0;
  while (true) {
    auto j = s.find('.', i);
    if (!dns_label(s.substr(i, j == std::string::npos ? std::string::npos : j - i))) return false;
    if (j == std::string::npos) return true;
    i = j + 1;
  }
}
inline bool c_identifier(const std::string& s) { return s.size() <= 32 && std::regex_match(s, std::regex("[A-Za-z_][A-Za-z0-9_]*")); }
inline bool qualified_name(const std::string& s) {
  const auto slash = s.find('/');
  if (slash == std::string::npos) return c_identifier(s);
  return s.substr(0, slash).size() <= 63 && dns_subdomain(s.substr(0, slash)) && c_identifier(s.substr(slash + 1));
}
inline bool quantity(const std::string& s) {
  return std::regex_match(s, std::regex("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?"));
}

// Returns the list of violations (empty: valid).
inline std::vector<std::string> validate_resource_slice(const kjson& o) {
  std::vector<std::string> bad;
  auto need = [&](bool ok, const std::string& what) {
    if (!ok) bad.push_back(what);
  };
  need(o.value("apiVersion", "") == "resource.k8s.io/v1", "apiVersion must be resource.k8s.io/v1");
  need(o.value("kind", "") == "ResourceSlice", "kind must be ResourceSlice");
  const auto& md = o.contains("metadata") ? o["metadata"] : kjson::object();
  need(md.contains("name") && md["name"].is_string() && dns_subdomain(md["name"]), "metadata.name must be a DNS subdomain");
  if (!o.contains("spec") || !o["spec"].is_object()) {
    bad.push_back("spec is required");
    return bad;
  }
  const auto& sp = o["spec"];
  for (const auto& [k, val] : sp.items()) {
    (void)val;
    static const std::set<std::string> known = {"driver", "pool", "nodeName", "nodeSelector", "allNodes",
                                                "perDeviceNodeSelection", "devices", "sharedCounters"};
    need(known.count(k) == 1, "spec." + k + " is not a field of ResourceSliceSpec");
  }
  need(sp.contains("driver") && sp["driver"].is_string() && sp["driver"].get<std::string>().size() <= 63 &&
           dns_subdomain(sp["driver"]),
       "spec.driver must be a DNS subdomain of at most 63 characters");
  if (!sp.contains("pool") || !sp["pool"].is_object()) {
    bad.push_back("spec.pool is required");
  } else {
    const auto& p = sp["pool"];
    bool name_ok = p.contains("name") && p["name"].is_string() && !p["name"].get<std::string>().empty() &&
                   p["name"].get<std::string>().size() <= 253;
    if (name_ok) {
      const std::string n = p["name"];
      std::size_t i = 0;
      while (name_ok) {
        auto j = n.find('/', i);
        name_ok = dns_subdomain(n.substr(i, j == std::string::npos ? std::string::npos : j - i));
        if (j == std::string::npos) break;
        i = j + 1;
      }
    }
    need(name_ok, "spec.pool.name must be DNS subdomains separated by '/'");
    need(p.contains("generation") && p["generation"].is_number_integer() && p["generation"].get<std::int64_t>() >= 0,
         "spec.pool.generation must be a non-negative integer");
    need(p.contains("resourceSliceCount") && p["resourceSliceCount"].is_number_integer() &&
             p["resourceSliceCount"].get<std::int64_t>() >= 1,
         "spec.pool.resourceSliceCount must be >= 1");
  }
  int selectors = 0;
  if (sp.contains("nodeName")) {
    ++selectors;
    need(sp["nodeName"].is_string() && dns_subdomain(sp["nodeName"]), "spec.nodeName must be a DNS subdomain");
  }
  for (const char* k : {"nodeSelector"}) selectors += sp.contains(k);
  for (const char* k : {"allNodes", "perDeviceNodeSelection"}) selectors += sp.contains(k) && sp[k] == true;
  need(selectors == 1, "exactly one of nodeName, nodeSelector, allNodes, perDeviceNodeSelection must be set");
  if (sp.contains("devices")) {
    const auto& d = sp["devices"];
    need(d.is_array() && d.size() <= 128, "spec.devices: at most 128");
    std::set<std::string> names;
    for (const auto& dev : d) {
      const std::string n = dev.value("name", "");
      need(dns_label(n), "device name '" + n + "' must be a DNS label");
      need(names.insert(n).second, "device name '" + n + "' repeated");
      std::size_t count = 0;
      for (const char* map : {"attributes", "capacity"}) {
        if (!dev.contains(map)) continue;
        need(dev[map].is_object(), std::string(map) + " must be a map");
        count += dev[map].size();
        for (const auto& [k, v] : dev[map].items()) {
          need(qualified_name(k), std::string(map) + " name '" + k + "' must be a qualified name");
          if (std::string(map) == "attributes") {
            int set = 0;
            set += v.contains("int") && v["int"].is_number_integer();
            set += v.contains("bool") && v["bool"].is_boolean();
            set += v.contains("string") && v["string"].is_string() && v["string"].get<std::string>().size() <= 64;
            set += v.contains("version") && v["version"].is_string();
            need(set == 1 && v.size() == 1, "attribute '" + k + "' must have exactly one of int, bool, string (<= 64), version");
          } else {
            need(v.contains("value") && v["value"].is_string() && quantity(v["value"]),
                 "capacity '" + k + "' must have a quantity value");
          }
        }
      }
      need(count <= 32, "device '" + n + "': at most 32 attributes and capacities");
    }
  }
  return bad;
}

}  // namespace fabric_test
