#include "cpumask.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>

namespace shoal::agent {

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

CpuMask::CpuMask(std::initializer_list<int> cpus) {
  for (int c : cpus) set(c);
}

CpuMask CpuMask::range(int first, int last) {
  CpuMask m;
  for (int c = std::max(first, 0); c <= last; ++c) m.set(c);
  return m;
}

void CpuMask::set(int cpu) {
  if (cpu < 0) return;
  const auto word = static_cast<std::size_t>(cpu / 64);
  if (w_.size() <= word) w_.resize(word + 1, 0);
  w_[word] |= std::uint64_t{1} << (cpu % 64);
}

void CpuMask::reset(int cpu) {
  if (cpu < 0) return;
  const auto word = static_cast<std::size_t>(cpu / 64);
  if (word >= w_.size()) return;
  w_[word] &= ~(std::uint64_t{1} << (cpu % 64));
  shrink();
}

bool CpuMask::test(int cpu) const {
  if (cpu < 0) return false;
  const auto word = static_cast<std::size_t>(cpu / 64);
  return word < w_.size() && ((w_[word] >> (cpu % 64)) & 1U) != 0;
}

int CpuMask::count() const {
  int n = 0;
  for (auto w : w_) n += std::popcount(w);
  return n;
}

int CpuMask::first() const {
  for (std::size_t i = 0; i < w_.size(); ++i)
    if (w_[i]) return static_cast<int>(i * 64) + std::countr_zero(w_[i]);
  return -1;
}

int CpuMask::last() const {
  if (w_.empty()) return -1;
  const std::size_t i = w_.size() - 1;
  return static_cast<int>(i * 64) + 63 - std::countl_zero(w_[i]);
}

std::vector<int> CpuMask::cpus() const {
  std::vector<int> v;
  for (std::size_t i = 0; i < w_.size(); ++i) {
    auto w = w_[i];
    while (w) {
      v.push_back(static_cast<int>(i * 64) + std::countr_zero(w));
      w &= w - 1;
    }
  }
  return v;
}

void CpuMask::shrink() {
  while (!w_.empty() && w_.back() == 0) w_.pop_back();
}

CpuMask CpuMask::operator|(const CpuMask& o) const {
  CpuMask r = *this;
  if (r.w_.size() < o.w_.size()) r.w_.resize(o.w_.size(), 0);
  for (std::size_t i = 0; i < o.w_.size(); ++i) r.w_[i] |= o.w_[i];
  return r;
}

CpuMask CpuMask::operator&(const CpuMask& o) const {
  CpuMask r;
  r.w_.resize(std::min(w_.size(), o.w_.size()));
  for (std::size_t i = 0; i < r.w_.size(); ++i) r.w_[i] = w_[i] & o.w_[i];
  r.shrink();
  return r;
}

CpuMask CpuMask::operator-(const CpuMask& o) const {
  CpuMask r = *this;
  for (std::size_t i = 0; i < std::min(r.w_.size(), o.w_.size()); ++i) r.w_[i] &= ~o.w_[i];
  r.shrink();
  return r;
}

std::string CpuMask::list() const {
  std::string out;
  const auto v = cpus();
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(v[i]);
    if (j > i) out += '-' + std::to_string(v[j]);
    i = j + 1;
  }
  return out;
}

std::string CpuMask::hex(int nbits) const {
  const int groups = std::max(1, (std::max(nbits, last() + 1) + 31) / 32);
  std::string out;
  for (int g = groups - 1; g >= 0; --g) {
    std::uint32_t v = 0;
    for (int b = 0; b < 32; ++b)
      if (test(g * 32 + b)) v |= 1U << b;
    char buf[16];
    if (g == groups - 1) {
      // The kernel prints the top group with only as many digits as nbits needs.
      int top_bits = nbits - g * 32;
      int digits = std::clamp((top_bits + 3) / 4, 1, 8);
      std::snprintf(buf, sizeof buf, "%0*x", digits, v);
    } else {
      std::snprintf(buf, sizeof buf, "%08x", v);
    }
    if (!out.empty()) out += ',';
    out += buf;
  }
  return out;
}

namespace {

// Reads a decimal number at `s[p]`; false when there is none or it overflows.
bool read_uint(std::string_view s, std::size_t& p, long& value) {
  if (p >= s.size() || s[p] < '0' || s[p] > '9') return false;
  long v = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
    v = v * 10 + (s[p] - '0');
    if (v > (1L << 40)) return false;
    ++p;
  }
  value = v;
  return true;
}

// A region bound: a number or "N" (the last bit, nbits - 1).
bool read_bound(std::string_view s, std::size_t& p, int nbits, long& value) {
  if (p < s.size() && s[p] == 'N') {
    ++p;
    value = nbits - 1;
    return true;
  }
  return read_uint(s, p, value);
}

}  // namespace

int CpuMask::parse_list(std::string_view text, int nbits, CpuMask& out) {
  const std::string_view s = trim(text);
  CpuMask m;
  std::size_t p = 0;
  while (p < s.size()) {
    long a = 0, b = 0, used = 0, group = 0;
    if (!read_bound(s, p, nbits, a)) return EINVAL;
    b = a;
    if (p < s.size() && s[p] == '-') {
      ++p;
      if (!read_bound(s, p, nbits, b)) return EINVAL;
    }
    bool has_group = false;
    if (p < s.size() && s[p] == ':') {
      ++p;
      if (!read_uint(s, p, used) || p >= s.size() || s[p] != '/') return EINVAL;
      ++p;
      if (!read_uint(s, p, group)) return EINVAL;
      has_group = true;
    }
    if (p < s.size()) {
      if (s[p] != ',') return EINVAL;
      ++p;
      if (p == s.size()) return EINVAL;  // trailing comma
    }
    if (a > b) return EINVAL;
    if (has_group && (group == 0 || used == 0 || used > group)) return EINVAL;
    if (b >= nbits || b >= kMaxBits) return ERANGE;
    for (long c = a; c <= b; ++c) {
      if (has_group && (c - a) % group >= used) continue;
      m.set(static_cast<int>(c));
    }
  }
  out = m;
  return 0;
}

int CpuMask::parse_hex(std::string_view text, int nbits, CpuMask& out) {
  const std::string_view s = trim(text);
  if (s.empty()) return EINVAL;
  // Groups of up to 8 hex digits separated by commas, most significant first.
  std::vector<std::string_view> groups;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ',') {
      groups.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  CpuMask m;
  int bit_base = 0;
  for (auto it = groups.rbegin(); it != groups.rend(); ++it, bit_base += 32) {
    const std::string_view g = *it;
    if (g.empty() || g.size() > 8) return EINVAL;
    std::uint32_t v = 0;
    for (char c : g) {
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return EINVAL;
      v = (v << 4) | static_cast<std::uint32_t>(d);
    }
    for (int b = 0; b < 32; ++b) {
      if (!((v >> b) & 1U)) continue;
      const int cpu = bit_base + b;
      if (cpu >= nbits || cpu >= kMaxBits) return ERANGE;
      m.set(cpu);
    }
  }
  out = m;
  return 0;
}

}  // namespace shoal::agent
