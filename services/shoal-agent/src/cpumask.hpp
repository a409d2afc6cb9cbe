// CpuMask: a set of host CPU numbers (or memory nodes), with the kernel's two text forms:
//   list  "0-3,8,10-11"       (cpuset.cpus, cpus_list, Cpus_allowed_list; kernel "%*pbl")
//   hex   "ff,00000001"       (resctrl "cpus", Cpus_allowed; kernel "%*pb": 32-bit groups)
// Parsing follows lib/bitmap-str.c: bitmap_parselist (ranges, "a-b:used/group", "N" for the
// last bit) and bitmap_parse, returning 0 or the errno the kernel's write would return
// (EINVAL for malformed text, ERANGE for a bit beyond `nbits`).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::agent {

class CpuMask {
 public:
  // Masks larger than this are refused by the parsers (ERANGE) before any allocation.
  static constexpr int kMaxBits = 1 << 16;

  CpuMask() = default;
  CpuMask(std::initializer_list<int> cpus);
  static CpuMask range(int first, int last);  // [first, last]; empty when last < first

  void set(int cpu);
  void reset(int cpu);
  bool test(int cpu) const;
  bool empty() const { return w_.empty(); }
  int count() const;
  int first() const;  // -1 when empty
  int last() const;   // -1 when empty
  std::vector<int> cpus() const;

  CpuMask operator|(const CpuMask& o) const;
  CpuMask operator&(const CpuMask& o) const;
  CpuMask operator-(const CpuMask& o) const;  // set difference
  CpuMask& operator|=(const CpuMask& o) { return *this = *this | o; }
  CpuMask& operator&=(const CpuMask& o) { return *this = *this & o; }
  CpuMask& operator-=(const CpuMask& o) { return *this = *this - o; }
  bool operator==(const CpuMask& o) const { return w_ == o.w_; }
  bool subset_of(const CpuMask& o) const { return (*this - o).empty(); }
  bool intersects(const CpuMask& o) const { return !(*this & o).empty(); }

  std::string list() const;          // "" when empty
  std::string hex(int nbits) const;  // at least one group; nbits rounds up to 32-bit groups

  // Kernel bitmap_parselist over `nbits` bits. Leading/trailing white space (the "\n" of a
  // write) is ignored; "" is the empty mask. Returns 0, EINVAL or ERANGE; `out` is written only
  // on success.
  static int parse_list(std::string_view text, int nbits, CpuMask& out);
  // Kernel bitmap_parse (hex, optional comma-separated 32-bit groups).
  static int parse_hex(std::string_view text, int nbits, CpuMask& out);

 private:
  void shrink();
  std::vector<std::uint64_t> w_;  // no trailing zero words: equal sets compare equal
};

// Trims ASCII white space at both ends.
std::string_view trim(std::string_view s);

}  // namespace shoal::agent
