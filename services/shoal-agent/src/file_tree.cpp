// FileTree: layout, raw access, locking, processes, dispatch and CPU hotplug. The cgroup rules
// are in file_tree_cgroup.cpp, resctrl in file_tree_resctrl.cpp.
#include "file_tree.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "file_tree_internal.hpp"

namespace shoal::agent {

namespace fs = std::filesystem;
using namespace ftree;

// ---- locking ---------------------------------------------------------------------------------

class FileTree::Lock {
 public:
  explicit Lock(int fd) : fd_(fd) {
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~Lock() { ::flock(fd_, LOCK_UN); }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  int fd_;
};

// ---- construction ----------------------------------------------------------------------------

namespace {

constexpr const char* kSpecFile = "/.shoal-filetree.toml";
constexpr const char* kLockFile = "/.shoal-filetree.lock";

std::string spec_to_toml(const FileTreeSpec& s) {
  toml::array doms;
  for (int d : s.l3_domains) doms.push_back(d);
  toml::table t{{"cpus", s.cpus},
                {"mem_nodes", s.mem_nodes},
                {"cgroup", s.cgroup},
                {"resctrl", s.resctrl},
                {"cbm_len", s.cbm_len},
                {"min_cbm_bits", s.min_cbm_bits},
                {"num_closids", s.num_closids},
                {"l3_domains", doms},
                {"mba", s.mba},
                {"mb_min", s.mb_min},
                {"mb_gran", s.mb_gran},
                {"monitoring", s.monitoring},
                {"num_rmids", s.num_rmids},
                {"cpu0_hotplug", s.cpu0_hotplug}};
  std::ostringstream os;
  os << "# shoal-agent file tree: the emulated host's shape (written by FileTree::create)\n" << t << "\n";
  return os.str();
}

std::string spec_problem(const FileTreeSpec& s) {
  if (s.cpus < 1 || s.cpus > 4096) return "cpus must be 1..4096";
  if (s.mem_nodes < 1 || s.mem_nodes > 64) return "mem_nodes must be 1..64";
  if (s.cgroup != "v1" && s.cgroup != "v2") return "cgroup must be \"v1\" or \"v2\"";
  if (s.cbm_len < 1 || s.cbm_len > 32) return "cbm_len must be 1..32";
  if (s.min_cbm_bits < 1 || s.min_cbm_bits > s.cbm_len) return "min_cbm_bits must be 1..cbm_len";
  if (s.num_closids < 1 || s.num_closids > 64) return "num_closids must be 1..64";
  if (s.l3_domains.empty()) return "l3_domains must not be empty";
  if (s.mb_min < 1 || s.mb_min > 100 || s.mb_gran < 1 || s.mb_gran > 100) return "mb_min and mb_gran must be 1..100";
  if (s.num_rmids < 1) return "num_rmids must be positive";
  return "";
}

}  // namespace

FileTree::FileTree(std::string root, FileTreeSpec spec) : root_(std::move(root)), spec_(std::move(spec)) {}

FileTree::~FileTree() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::unique_ptr<FileTree>> FileTree::create(const std::string& root_in, const FileTreeSpec& spec) {
  if (const auto p = spec_problem(spec); !p.empty()) return fail(Errc::invalid_arg, "file tree spec: " + p);
  std::error_code ec;
  fs::create_directories(root_in, ec);
  if (ec) return fail(Errc::io, "cannot create the file tree directory " + root_in + ": " + ec.message());
  const std::string root = fs::canonical(root_in, ec).string();
  if (ec) return fail(Errc::io, "cannot resolve " + root_in + ": " + ec.message());
  if (!fs::is_empty(root, ec)) return fail(Errc::invalid_arg, "file tree directory " + root + " is not empty");
  std::unique_ptr<FileTree> t(new FileTree(root, spec));
  t->put(kSpecFile, spec_to_toml(spec));
  t->lock_fd_ = ::open((root + kLockFile).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (t->lock_fd_ < 0) return fail(Errc::io, "cannot create " + root + kLockFile);
  {
    Lock l(t->lock_fd_);
    t->layout();
  }
  return t;
}

Result<std::unique_ptr<FileTree>> FileTree::open(const std::string& root_in) {
  std::error_code ec;
  const std::string root = fs::canonical(root_in, ec).string();
  if (ec) return fail(Errc::invalid_arg, "file tree " + root_in + ": " + ec.message());
  if (!fs::exists(root + kSpecFile))
    return fail(Errc::invalid_arg, "file tree " + root + ": not a shoal-agent file tree (no " +
                                       std::string(kSpecFile + 1) + "; make one with shoal-agent file-tree init)");
  FileTreeSpec s;
  try {
    const toml::table t = toml::parse_file(root + kSpecFile);
    s.cpus = t["cpus"].value_or(s.cpus);
    s.mem_nodes = t["mem_nodes"].value_or(s.mem_nodes);
    s.cgroup = t["cgroup"].value_or(s.cgroup);
    s.resctrl = t["resctrl"].value_or(s.resctrl);
    s.cbm_len = t["cbm_len"].value_or(s.cbm_len);
    s.min_cbm_bits = t["min_cbm_bits"].value_or(s.min_cbm_bits);
    s.num_closids = t["num_closids"].value_or(s.num_closids);
    if (const auto* a = t["l3_domains"].as_array()) {
      s.l3_domains.clear();
      for (const auto& v : *a) s.l3_domains.push_back(static_cast<int>(v.value_or(0LL)));
    }
    s.mba = t["mba"].value_or(s.mba);
    s.mb_min = t["mb_min"].value_or(s.mb_min);
    s.mb_gran = t["mb_gran"].value_or(s.mb_gran);
    s.monitoring = t["monitoring"].value_or(s.monitoring);
    s.num_rmids = t["num_rmids"].value_or(s.num_rmids);
    s.cpu0_hotplug = t["cpu0_hotplug"].value_or(s.cpu0_hotplug);
  } catch (const toml::parse_error& e) {
    return fail(Errc::invalid_arg, "file tree " + root + kSpecFile + ": " + std::string(e.description()));
  }
  if (const auto p = spec_problem(s); !p.empty()) return fail(Errc::invalid_arg, "file tree " + root + ": " + p);
  std::unique_ptr<FileTree> t(new FileTree(root, s));
  t->lock_fd_ = ::open((root + kLockFile).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (t->lock_fd_ < 0) return fail(Errc::io, "cannot open " + root + kLockFile);
  return t;
}

std::string FileTree::cpuset_mount() const { return v2() ? "/sys/fs/cgroup" : "/sys/fs/cgroup/cpuset"; }
std::string FileTree::cpuacct_mount() const { return v2() ? "" : "/sys/fs/cgroup/cpuacct"; }

void FileTree::layout() {
  const CpuMask all = CpuMask::range(0, spec_.cpus - 1);
  const CpuMask nodes = CpuMask::range(0, spec_.mem_nodes - 1);
  // CPUs and nodes
  const std::string cpu = kCpuSys;
  put(cpu + "/possible", all.list() + "\n");
  put(cpu + "/present", all.list() + "\n");
  put(cpu + "/online", all.list() + "\n");
  put(cpu + "/offline", "\n");
  put(cpu + "/kernel_max", std::to_string(std::max(spec_.cpus, 64) - 1) + "\n");
  for (int c = 0; c < spec_.cpus; ++c) {
    const std::string d = cpu + "/cpu" + std::to_string(c);
    fs::create_directories(tp(d));
    if (c != 0 || spec_.cpu0_hotplug) put(d + "/online", "1\n");
  }
  put("/sys/devices/system/node/possible", nodes.list() + "\n");
  put("/sys/devices/system/node/online", nodes.list() + "\n");

  // /proc
  std::string mounts = "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\nproc /proc proc rw,relatime 0 0\n";
  std::string filesystems = "nodev\tsysfs\nnodev\tproc\nnodev\ttmpfs\nnodev\tcgroup\nnodev\tcgroup2\n";
  if (v2()) {
    mounts += "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n";
    v2_make_cgroup("/sys/fs/cgroup", true);
  } else {
    mounts += "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n";
    mounts += "cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0\n";
    mounts += "cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0\n";
    mounts += "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";
    v1_make_cgroup(cpuset_mount(), true, "cpuset");
    v1_make_cgroup(cpuacct_mount(), true, "cpuacct");
    const std::string u = "/sys/fs/cgroup/unified";
    put(u + "/cgroup.controllers", "\n");
    put(u + "/cgroup.subtree_control", "\n");
    put(u + "/cgroup.procs", "");
    put(u + "/cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
  }
  if (spec_.resctrl) {
    mounts += "resctrl /sys/fs/resctrl resctrl rw,relatime 0 0\n";
    filesystems += "nodev\tresctrl\n";
    rc_make_group(kResctrl, true, false);
  }
  put("/proc/mounts", mounts);
  put("/proc/filesystems", filesystems);
  std::string stat = "cpu  0 0 0 0 0 0 0 0 0 0\n";
  for (int c = 0; c < spec_.cpus; ++c) stat += "cpu" + std::to_string(c) + " 0 0 0 0 0 0 0 0 0 0\n";
  stat += "intr 0\nctxt 0\nbtime 0\nprocesses 0\nprocs_running 1\nprocs_blocked 0\n";
  put("/proc/stat", stat);
}

// ---- raw access ------------------------------------------------------------------------------

std::string FileTree::get(const std::string& host) const {
  std::ifstream f(tp(host), std::ios::binary);
  if (!f) return {};
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void FileTree::put(const std::string& host, std::string_view text) const {
  const fs::path p = tp(host);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  // Write a sibling and rename it over the file, so a concurrent reader never sees half a file.
  const fs::path tmp = p.string() + ".shoal-tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  fs::rename(tmp, p, ec);
}

bool FileTree::has(const std::string& host) const {
  std::error_code ec;
  return fs::exists(tp(host), ec);
}

bool FileTree::has_dir(const std::string& host) const {
  std::error_code ec;
  return fs::is_directory(tp(host), ec);
}

std::vector<std::string> FileTree::subdirs(const std::string& host) const {
  std::vector<std::string> v;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(tp(host), ec))
    if (e.is_directory()) v.push_back(e.path().filename().string());
  std::sort(v.begin(), v.end());
  return v;
}

CpuMask FileTree::get_mask(const std::string& host, int nbits) const {
  CpuMask m;
  (void)CpuMask::parse_list(get(host), nbits, m);
  return m;
}

CpuMask FileTree::online() const { return get_mask(std::string(kCpuSys) + "/online", spec_.cpus); }

// ---- KernelFs --------------------------------------------------------------------------------

int FileTree::read(const std::string& path_in, std::string& out) {
  const std::string path = normalize(path_in);
  if (path.empty()) return EINVAL;
  Lock l(lock_fd_);
  if (!has(path)) return ENOENT;
  if (has_dir(path)) return EISDIR;
  std::string s = get(path);
  if (v2() && path.ends_with("/cgroup.events")) {
    // derived on read, like the kernel's notification file
    s = std::string("populated ") + (populated(parent_of(path)) ? "1" : "0") + "\nfrozen 0\n";
  }
  out = std::move(s);
  return 0;
}

int FileTree::write(const std::string& path_in, std::string_view data) {
  const std::string path = normalize(path_in);
  if (path.empty()) return EINVAL;
  Lock l(lock_fd_);
  if (!has(path)) return ENOENT;
  if (has_dir(path)) return EISDIR;
  return dispatch_write(path, data);
}

int FileTree::mkdir(const std::string& path_in) {
  const std::string path = normalize(path_in);
  if (path.empty() || path == "/") return EINVAL;
  Lock l(lock_fd_);
  if (has(path)) return EEXIST;
  const std::string parent = parent_of(path);
  if (!has_dir(parent)) return ENOENT;
  if (under(path, kResctrl)) return rc_mkdir(path);
  if (v2() && under(path, cpuset_mount())) {
    if (!has(parent + "/cgroup.procs")) return ENOENT;
    v2_make_cgroup(path, false);
    v2_recompute();
    return 0;
  }
  if (!v2()) {
    for (const auto& [mount, kind] : {std::pair{cpuset_mount(), "cpuset"}, std::pair{cpuacct_mount(), "cpuacct"}}) {
      if (!under(path, mount) || path == mount) continue;
      if (!has(parent + "/tasks")) return ENOENT;
      v1_make_cgroup(path, false, kind);
      return 0;
    }
    if (under(path, "/sys/fs/cgroup/unified")) return EPERM;  // no controllers: keep it simple
  }
  return EPERM;  // sysfs and proc do not take mkdir
}

int FileTree::rmdir(const std::string& path_in) {
  const std::string path = normalize(path_in);
  if (path.empty()) return EINVAL;
  Lock l(lock_fd_);
  if (!has(path)) return ENOENT;
  if (!has_dir(path)) return ENOTDIR;
  if (under(path, kResctrl)) return rc_rmdir(path);
  std::vector<std::string> mounts = {cpuset_mount()};
  if (!v2()) mounts.push_back(cpuacct_mount());
  for (const auto& mount : mounts) {
    if (!under(path, mount)) continue;
    if (path == mount) return EBUSY;
    if (!subdirs(path).empty()) return EBUSY;
    if (populated(path)) return EBUSY;
    std::error_code ec;
    fs::remove_all(tp(path), ec);
    if (v2()) v2_recompute();
    return ec ? EIO : 0;
  }
  return EPERM;
}

int FileTree::list(const std::string& dir_in, std::vector<std::string>& names) {
  const std::string dir = normalize(dir_in);
  if (dir.empty()) return EINVAL;
  Lock l(lock_fd_);
  if (!has(dir)) return ENOENT;
  if (!has_dir(dir)) return ENOTDIR;
  names.clear();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(tp(dir), ec)) {
    const std::string n = e.path().filename().string();
    if (n.starts_with(".shoal") || n.ends_with(".shoal-tmp")) continue;  // the tree's own files
    names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return 0;
}

bool FileTree::exists(const std::string& path_in) {
  const std::string path = normalize(path_in);
  if (path.empty()) return false;
  Lock l(lock_fd_);
  return has(path);
}

bool FileTree::is_dir(const std::string& path_in) {
  const std::string path = normalize(path_in);
  if (path.empty()) return false;
  Lock l(lock_fd_);
  return has_dir(path);
}

int FileTree::writable(const std::string& path_in) {
  const std::string path = normalize(path_in);
  if (path.empty()) return EINVAL;
  Lock l(lock_fd_);
  if (!has(path)) return ENOENT;
  return ::access(tp(path).c_str(), W_OK) == 0 ? 0 : errno;
}

// ---- processes -------------------------------------------------------------------------------


bool FileTree::load_task(int pid, TaskMeta& t) const {
  const std::string dir = "/proc/" + std::to_string(pid);
  if (!has(dir + "/.shoal-task")) return false;
  t = TaskMeta{};
  t.pid = pid;
  std::istringstream in(get(dir + "/.shoal-task"));
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "name") t.name = v;
    else if (k == "cpuset") t.cpuset = v;
    else if (k == "cpuacct") t.cpuacct = v;
    else if (k == "resctrl") t.resctrl = v;
    else if (k == "user") t.user = v;
    else if (k == "affinity") t.affinity = v;
  }
  return true;
}

void FileTree::save_task(const TaskMeta& t) const {
  const std::string dir = "/proc/" + std::to_string(t.pid);
  put(dir + "/.shoal-task", "name=" + t.name + "\ncpuset=" + t.cpuset + "\ncpuacct=" + t.cpuacct +
                                "\nresctrl=" + t.resctrl + "\nuser=" + t.user + "\naffinity=" + t.affinity + "\n");
  CpuMask aff;
  (void)CpuMask::parse_list(t.affinity, spec_.cpus, aff);
  put(dir + "/status", "Name:\t" + t.name + "\nState:\tS (sleeping)\nTgid:\t" + std::to_string(t.pid) +
                           "\nPid:\t" + std::to_string(t.pid) + "\nThreads:\t1\nCpus_allowed:\t" +
                           aff.hex(spec_.cpus) + "\nCpus_allowed_list:\t" + aff.list() + "\n");
  std::string cg;
  if (v2()) {
    cg = "0::" + rel_to(t.cpuset, cpuset_mount()) + "\n";
  } else {
    cg = "2:cpuacct:" + rel_to(t.cpuacct, cpuacct_mount()) + "\n1:cpuset:" + rel_to(t.cpuset, cpuset_mount()) +
         "\n0::/\n";
  }
  put(dir + "/cgroup", cg);
}

void FileTree::refresh_task(TaskMeta& t) const {
  // The cpuset that constrains the task: its own, or (v2, controller not enabled there) the
  // nearest ancestor that has the cpuset files.
  std::string d = t.cpuset;
  const std::string eff_file = v2() ? "/cpuset.cpus.effective" : "/cpuset.effective_cpus";
  while (!has(d + eff_file) && d != cpuset_mount() && d.size() > 1) d = parent_of(d);
  const CpuMask eff = get_mask(d + eff_file, spec_.cpus);
  CpuMask user;
  (void)CpuMask::parse_list(t.user, spec_.cpus, user);
  const CpuMask both = user & eff;
  t.affinity = (user.empty() || both.empty()) ? eff.list() : both.list();
  save_task(t);
}

std::vector<int> FileTree::read_pids(const std::string& file) const {
  std::vector<int> v;
  std::istringstream in(get(file));
  std::string line;
  while (std::getline(in, line)) {
    const auto t = trim(line);
    if (t.empty()) continue;
    v.push_back(std::atoi(std::string(t).c_str()));
  }
  return v;
}

void FileTree::write_pids(const std::string& file, const std::vector<int>& pids) const {
  std::vector<int> s = pids;
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  std::string out;
  for (int p : s) out += std::to_string(p) + "\n";
  put(file, out);
}

int FileTree::parse_pid(std::string_view data, int& pid) const {
  const std::string t(trim(data));
  if (t.empty()) return EINVAL;
  for (char c : t)
    if (c < '0' || c > '9') return EINVAL;
  if (t.size() > 9) return ESRCH;
  pid = std::atoi(t.c_str());
  if (pid == 0) return EINVAL;  // "0" means "me" in the kernel; the tree has no caller task
  TaskMeta m;
  if (!load_task(pid, m)) return ESRCH;
  return 0;
}

void FileTree::move_pid(const std::string& hier, const std::string& from_dir, const std::string& to_dir,
                        int pid) const {
  std::vector<std::string> files;
  if (hier == "resctrl") files = {"tasks"};
  else if (v2()) files = {"cgroup.procs", "cgroup.threads"};
  else files = {"tasks", "cgroup.procs"};
  for (const auto& f : files) {
    if (!from_dir.empty()) {
      auto v = read_pids(from_dir + "/" + f);
      v.erase(std::remove(v.begin(), v.end(), pid), v.end());
      write_pids(from_dir + "/" + f, v);
    }
    if (!to_dir.empty()) {
      auto v = read_pids(to_dir + "/" + f);
      v.push_back(pid);
      write_pids(to_dir + "/" + f, v);
    }
  }
}

bool FileTree::populated(const std::string& dir) const {
  const std::string f = has(dir + "/tasks") ? "/tasks" : "/cgroup.procs";
  if (!read_pids(dir + f).empty()) return true;
  for (const auto& s : subdirs(dir))
    if (populated(dir + "/" + s)) return true;
  return false;
}

void FileTree::refresh_tasks_in(const std::string& dir, bool recursive, bool reset_user) const {
  const std::string f = has(dir + "/tasks") ? "/tasks" : "/cgroup.procs";
  for (int pid : read_pids(dir + f)) {
    TaskMeta t;
    if (!load_task(pid, t)) continue;
    if (reset_user) t.user.clear();
    refresh_task(t);
  }
  if (recursive)
    for (const auto& s : subdirs(dir)) refresh_tasks_in(dir + "/" + s, true, reset_user);
}

int FileTree::spawn(int pid, const std::string& name) {
  if (pid <= 0) return EINVAL;
  Lock l(lock_fd_);
  TaskMeta t;
  if (load_task(pid, t)) return EEXIST;
  t.pid = pid;
  t.name = name;
  t.cpuset = cpuset_mount();
  move_pid("cgroup", "", t.cpuset, pid);
  if (!v2()) {
    t.cpuacct = cpuacct_mount();
    move_pid("cgroup", "", t.cpuacct, pid);
  }
  if (spec_.resctrl) {
    t.resctrl = kResctrl;
    move_pid("resctrl", "", t.resctrl, pid);
  }
  refresh_task(t);
  return 0;
}

int FileTree::exit_task(int pid) {
  Lock l(lock_fd_);
  TaskMeta t;
  if (!load_task(pid, t)) return ESRCH;
  move_pid("cgroup", t.cpuset, "", pid);
  if (!t.cpuacct.empty()) move_pid("cgroup", t.cpuacct, "", pid);
  if (!t.resctrl.empty()) move_pid("resctrl", t.resctrl, "", pid);
  std::error_code ec;
  fs::remove_all(tp("/proc/" + std::to_string(pid)), ec);
  return 0;
}

std::vector<int> FileTree::pids() {
  Lock l(lock_fd_);
  std::vector<int> v;
  for (const auto& d : subdirs("/proc")) {
    if (d.empty() || d.find_first_not_of("0123456789") != std::string::npos) continue;
    if (has("/proc/" + d + "/.shoal-task")) v.push_back(std::atoi(d.c_str()));
  }
  std::sort(v.begin(), v.end());
  return v;
}

int FileTree::get_affinity(int tid, CpuMask& out) {
  Lock l(lock_fd_);
  TaskMeta t;
  if (!load_task(tid, t)) return ESRCH;
  return CpuMask::parse_list(t.affinity, spec_.cpus, out);
}

int FileTree::set_affinity(int tid, const CpuMask& mask) {
  Lock l(lock_fd_);
  TaskMeta t;
  if (!load_task(tid, t)) return ESRCH;
  // sched_setaffinity: the mask is clamped to the task's cpuset; nothing left is EINVAL.
  const std::string eff_file = v2() ? "/cpuset.cpus.effective" : "/cpuset.effective_cpus";
  std::string d = t.cpuset;
  while (!has(d + eff_file) && d != cpuset_mount() && d.size() > 1) d = parent_of(d);
  const CpuMask eff = get_mask(d + eff_file, spec_.cpus);
  if ((mask & eff & online()).empty()) return EINVAL;
  t.user = mask.list();
  refresh_task(t);
  return 0;
}

int FileTree::raw_write(const std::string& path_in, std::string_view data) {
  const std::string path = normalize(path_in);
  if (path.empty()) return EINVAL;
  Lock l(lock_fd_);
  put(path, data);
  return 0;
}

// ---- dispatch --------------------------------------------------------------------------------

int FileTree::dispatch_write(const std::string& path, std::string_view data) {
  const std::string dir = parent_of(path), file = base_of(path);
  if (under(path, kResctrl)) return rc_write(dir, file, data);
  if (under(path, kCpuSys)) return cpu_write(path, data);
  if (v2() && under(path, cpuset_mount())) return v2_write(dir, file, data);
  if (!v2()) {
    if (under(path, cpuset_mount())) return v1_write(cpuset_mount(), dir, file, data);
    if (under(path, cpuacct_mount())) return v1_write(cpuacct_mount(), dir, file, data);
    if (under(path, "/sys/fs/cgroup/unified")) {
      if (file != "cgroup.subtree_control") return EINVAL;
      // no controller is available on this hierarchy
      for (const auto& tok : split_ws(data)) {
        if (tok.size() < 2 || (tok[0] != '+' && tok[0] != '-')) return EINVAL;
        if (!known_controller(tok.substr(1))) return EINVAL;
        if (tok[0] == '+') return ENOENT;
      }
      return 0;
    }
  }
  if (under(path, "/proc")) return EIO;
  return EACCES;  // sysfs: read-only attributes cannot be opened for writing
}

// ---- CPU hotplug -----------------------------------------------------------------------------

int FileTree::cpu_write(const std::string& path, std::string_view data) {
  const std::string dir = parent_of(path), file = base_of(path);
  const std::string name = base_of(dir);
  if (file != "online" || parent_of(dir) != kCpuSys || !name.starts_with("cpu")) return EACCES;
  const int cpu = std::atoi(name.c_str() + 3);
  // kstrtobool
  const std::string v(trim(data));
  bool want;
  if (v == "1" || v == "y" || v == "Y" || v == "on" || v == "On" || v == "ON") want = true;
  else if (v == "0" || v == "n" || v == "N" || v == "off" || v == "Off" || v == "OFF") want = false;
  else return EINVAL;
  CpuMask on = online();
  if (on.test(cpu) == want) return 0;
  if (!want && on.count() == 1) return EBUSY;
  if (want) on.set(cpu);
  else on.reset(cpu);
  const CpuMask all = CpuMask::range(0, spec_.cpus - 1);
  put(std::string(kCpuSys) + "/online", on.list() + "\n");
  put(std::string(kCpuSys) + "/offline", (all - on).list() + "\n");
  put(path, want ? "1\n" : "0\n");
  if (v2()) {
    v2_recompute();
  } else {
    v1_hotplug(cpu, want);
  }
  return 0;
}

}  // namespace shoal::agent
