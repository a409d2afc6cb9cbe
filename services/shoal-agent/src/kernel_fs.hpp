// KernelFs: how the HAL backends reach the kernel's control files. Every backend (cpuset v1/v2,
// resctrl, CPU hotplug, telemetry) is written once against this interface; what is behind it is
// chosen in the configuration:
//   HostFs      the running kernel: open/read/write(2) on the real paths, sched_{get,set}affinity
//   FileTree    a directory that reproduces the kernel files' semantics (file_tree.hpp)
//   DryRunFs    wraps either: reads pass through, changes are journaled and not made
//
// Paths are the host's absolute paths ("/sys/fs/cgroup/cpuset/db/cpuset.cpus"). A write is one
// write(2) of the whole buffer, the way the kernel's control files want it; results are 0 or an
// errno value, exactly what the kernel returned.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cpumask.hpp"

namespace shoal::agent {

class KernelFs {
 public:
  virtual ~KernelFs() = default;

  virtual std::string describe() const = 0;  // "host", "file tree /tmp/x", "dry run over host"
  virtual bool dry_run() const { return false; }

  virtual int read(const std::string& path, std::string& out) = 0;
  virtual int write(const std::string& path, std::string_view data) = 0;
  virtual int mkdir(const std::string& path) = 0;
  virtual int rmdir(const std::string& path) = 0;
  // Names in a directory (no "." or ".."), sorted.
  virtual int list(const std::string& dir, std::vector<std::string>& names) = 0;
  virtual bool exists(const std::string& path) = 0;
  virtual bool is_dir(const std::string& path) = 0;
  // 0 when a write to `path` would be permitted (mode bits, read-only mounts); nothing is written.
  virtual int writable(const std::string& path) = 0;

  // A thread's CPU affinity (sched_getaffinity / sched_setaffinity).
  virtual int get_affinity(int tid, CpuMask& out) = 0;
  virtual int set_affinity(int tid, const CpuMask& mask) = 0;
};

// The running kernel.
class HostFs final : public KernelFs {
 public:
  std::string describe() const override { return "host"; }
  int read(const std::string& path, std::string& out) override;
  int write(const std::string& path, std::string_view data) override;
  int mkdir(const std::string& path) override;
  int rmdir(const std::string& path) override;
  int list(const std::string& dir, std::vector<std::string>& names) override;
  bool exists(const std::string& path) override;
  bool is_dir(const std::string& path) override;
  int writable(const std::string& path) override;
  int get_affinity(int tid, CpuMask& out) override;
  int set_affinity(int tid, const CpuMask& mask) override;
};

// Reads from `inner`; records every change in journal() and reports success without making it.
class DryRunFs final : public KernelFs {
 public:
  explicit DryRunFs(KernelFs& inner) : inner_(inner) {}
  std::string describe() const override { return "dry run over " + inner_.describe(); }
  bool dry_run() const override { return true; }
  int read(const std::string& path, std::string& out) override { return inner_.read(path, out); }
  int write(const std::string& path, std::string_view data) override;
  int mkdir(const std::string& path) override;
  int rmdir(const std::string& path) override;
  int list(const std::string& dir, std::vector<std::string>& names) override { return inner_.list(dir, names); }
  bool exists(const std::string& path) override { return inner_.exists(path); }
  bool is_dir(const std::string& path) override { return inner_.is_dir(path); }
  int writable(const std::string& path) override { return inner_.writable(path); }
  int get_affinity(int tid, CpuMask& out) override { return inner_.get_affinity(tid, out); }
  int set_affinity(int tid, const CpuMask& mask) override;

  const std::vector<std::string>& journal() const { return journal_; }

 private:
  KernelFs& inner_;
  std::vector<std::string> journal_;
};

// "ENOSPC"; "errno 1234" for values without a name.
std::string errno_name(int err);
// "No space left on device (ENOSPC)".
std::string errno_text(int err);
// `s` with control characters escaped, quoted: used to show written values in messages.
std::string quoted(std::string_view s);

// Convenience readers over a KernelFs; 0 or errno.
int read_trimmed(KernelFs& fs, const std::string& path, std::string& out);
int read_mask(KernelFs& fs, const std::string& path, int nbits, CpuMask& out);
int read_int(KernelFs& fs, const std::string& path, long long& out);

// Joins path parts with single slashes.
std::string path_join(std::string_view a, std::string_view b);

}  // namespace shoal::agent
