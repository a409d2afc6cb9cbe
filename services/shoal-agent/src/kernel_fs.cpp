#include "kernel_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace shoal::agent {

// ---- HostFs ----------------------------------------------------------------------------------

int HostFs::read(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  std::string data;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  out = std::move(data);
  return 0;
}

int HostFs::write(const std::string& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = 0;
  for (;;) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    else if (static_cast<std::size_t>(n) != data.size()) err = EIO;  // control files take one write
    break;
  }
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

int HostFs::mkdir(const std::string& path) { return ::mkdir(path.c_str(), 0755) == 0 ? 0 : errno; }
int HostFs::rmdir(const std::string& path) { return ::rmdir(path.c_str()) == 0 ? 0 : errno; }

int HostFs::list(const std::string& dir, std::vector<std::string>& names) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return errno;
  names.clear();
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return 0;
}

bool HostFs::exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

bool HostFs::is_dir(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int HostFs::writable(const std::string& path) {
  struct statvfs vfs{};
  if (::statvfs(path.c_str(), &vfs) != 0) return errno;
  if (vfs.f_flag & ST_RDONLY) return EROFS;
  return ::access(path.c_str(), W_OK) == 0 ? 0 : errno;
}

int HostFs::get_affinity(int tid, CpuMask& out) {
  // Sized for the largest kernels (CONFIG_NR_CPUS up to 8192).
  constexpr int kBits = 8192;
  cpu_set_t* set = CPU_ALLOC(kBits);
  if (!set) return ENOMEM;
  const std::size_t size = CPU_ALLOC_SIZE(kBits);
  CPU_ZERO_S(size, set);
  int err = 0;
  if (::sched_getaffinity(tid, size, set) != 0) {
    err = errno;
  } else {
    CpuMask m;
    for (int c = 0; c < kBits; ++c)
      if (CPU_ISSET_S(c, size, set)) m.set(c);
    out = m;
  }
  CPU_FREE(set);
  return err;
}

int HostFs::set_affinity(int tid, const CpuMask& mask) {
  const int bits = std::max(mask.last() + 1, 64);
  cpu_set_t* set = CPU_ALLOC(bits);
  if (!set) return ENOMEM;
  const std::size_t size = CPU_ALLOC_SIZE(bits);
  CPU_ZERO_S(size, set);
  for (int c : mask.cpus()) CPU_SET_S(c, size, set);
  const int err = ::sched_setaffinity(tid, size, set) == 0 ? 0 : errno;
  CPU_FREE(set);
  return err;
}

// ---- DryRunFs --------------------------------------------------------------------------------

int DryRunFs::write(const std::string& path, std::string_view data) {
  journal_.push_back("write " + quoted(data) + " to " + path);
  return 0;
}

int DryRunFs::mkdir(const std::string& path) {
  journal_.push_back("mkdir " + path);
  return 0;
}

int DryRunFs::rmdir(const std::string& path) {
  journal_.push_back("rmdir " + path);
  return 0;
}

int DryRunFs::set_affinity(int tid, const CpuMask& mask) {
  journal_.push_back("sched_setaffinity(" + std::to_string(tid) + ", {" + mask.list() + "})");
  return 0;
}

// ---- helpers ---------------------------------------------------------------------------------

std::string errno_name(int err) {
  switch (err) {
    case 0: return "OK";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ERANGE: return "ERANGE";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return "errno " + std::to_string(err);
  }
}

std::string errno_text(int err) { return std::string(std::strerror(err)) + " (" + errno_name(err) + ")"; }

std::string quoted(std::string_view s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\n') o += "\\n";
    else if (c == '\t') o += "\\t";
    else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", static_cast<unsigned char>(c));
      o += b;
    } else {
      o += c;
    }
  }
  return o + "'";
}

int read_trimmed(KernelFs& fs, const std::string& path, std::string& out) {
  std::string s;
  if (const int e = fs.read(path, s)) return e;
  out = std::string(trim(s));
  return 0;
}

int read_mask(KernelFs& fs, const std::string& path, int nbits, CpuMask& out) {
  std::string s;
  if (const int e = fs.read(path, s)) return e;
  return CpuMask::parse_list(s, nbits, out);
}

int read_int(KernelFs& fs, const std::string& path, long long& out) {
  std::string s;
  if (const int e = read_trimmed(fs, path, s)) return e;
  if (s.empty()) return EINVAL;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str() || *end != '\0') return EINVAL;
  out = v;
  return 0;
}

std::string path_join(std::string_view a, std::string_view b) {
  std::string r(a);
  while (!r.empty() && r.back() == '/') r.pop_back();
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  if (b.empty()) return r.empty() ? "/" : r;
  return r + "/" + std::string(b);
}

}  // namespace shoal::agent
