// Small path and text helpers shared by the FileTree sources (not part of the agent's API).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shoal::agent::ftree {

// "/a//b/" -> "/a/b"; "" for relative paths or paths with "." / ".." components.
inline std::string normalize(std::string_view p) {
  if (p.empty() || p.front() != '/') return {};
  std::string out;
  std::size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') ++i;
    std::size_t j = i;
    while (j < p.size() && p[j] != '/') ++j;
    if (j > i) {
      const std::string_view part = p.substr(i, j - i);
      if (part == "." || part == "..") return {};
      out += '/';
      out += part;
    }
    i = j;
  }
  return out.empty() ? "/" : out;
}

inline std::string parent_of(const std::string& p) {
  const auto s = p.rfind('/');
  if (s == std::string::npos || s == 0) return "/";
  return p.substr(0, s);
}

inline std::string base_of(const std::string& p) {
  const auto s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

// True when `p` is `dir` or below it.
inline bool under(const std::string& p, const std::string& dir) {
  if (dir.empty()) return false;
  return p == dir || (p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/');
}

// `p` relative to `mount`, as /proc/<pid>/cgroup shows it ("/" for the mount itself).
inline std::string rel_to(const std::string& p, const std::string& mount) {
  if (!under(p, mount) || p == mount) return "/";
  return p.substr(mount.size());
}

inline std::vector<std::string> split_ws(std::string_view s) {
  std::vector<std::string> v;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!cur.empty()) v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) v.push_back(cur);
  return v;
}

inline bool known_controller(std::string_view n) {
  return n == "cpuset" || n == "cpu" || n == "io" || n == "memory" || n == "pids" || n == "hugetlb" ||
         n == "rdma" || n == "misc";
}

}  // namespace shoal::agent::ftree
