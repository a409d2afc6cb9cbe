// FileTree: a directory that behaves like the kernel's control files, for tests and machines
// where the real interface is absent (no resctrl, no cgroup v2 cpuset, no CPU hotplug rights).
//
// The tree mirrors host paths under its root (<root>/sys/fs/cgroup/cpuset/db/cpuset.cpus) and
// holds the state in those files, so a person can `cat` it and a restarted agent finds it as
// it was. Every change goes through write()/mkdir()/rmdir()/set_affinity(), which apply the
// kernel's rules and return the errno the kernel would:
//   cgroup v1 cpuset   cpus/mems must be subsets of the parent (EACCES) and supersets of the
//                      children (EBUSY); a populated cpuset cannot go empty (ENOSPC); exclusive
//                      siblings cannot overlap (EINVAL); an exclusive child needs an exclusive
//                      parent (EACCES); CPUs past nr_cpu_ids are ERANGE; attaching to an empty
//                      cpuset is ENOSPC; the root is read-only (EACCES); read-only files EINVAL;
//                      tasks' affinity is reset to the cpuset's CPUs on every change; hot-unplug
//                      removes the CPU from every cpuset for good (v1 never gives it back) and
//                      moves tasks of emptied cpusets to the nearest non-empty ancestor.
//   cgroup v2 cpuset   controller files appear with "+cpuset" in the parent's
//                      cgroup.subtree_control; cpuset.cpus.partition takes member/root/isolated
//                      and reads back "root invalid (<kernel reason>)" when the partition cannot
//                      be valid (the write itself succeeds, as in the kernel); partition CPUs
//                      leave the parent's cpuset.cpus.effective; a conflicting cpuset.cpus write
//                      succeeds and invalidates the partitions it conflicts with; no internal
//                      processes (EBUSY); tasks keep their own affinity within the cpuset.
//   resctrl            info/ (cbm_mask, min_cbm_bits, num_closids, MB min/granularity, L3_MON),
//                      schemata parsed line by line all-or-nothing with the kernel's messages in
//                      info/last_cmd_status ("The mask 5 has non-consecutive 1-bits", "Need at
//                      least 2 bits in the mask", "MB value 5 out of range [10,100]", ...),
//                      EINVAL without touching last_cmd_status when the trailing newline is
//                      missing, MB rounded up to the granularity, "Out of CLOSIDs"/"Out of RMIDs"
//                      on mkdir, new groups' CBM chosen as the kernel does, exclusive mode,
//                      tasks, cpus/cpus_list, mon_data counters (set by the "hardware" below).
//   CPU hotplug        cpuN/online (none for CPU 0 unless the spec says so), online/offline
//                      lists, EBUSY for the last online CPU, the cgroup effects above.
// State derived in the kernel (effective masks, partition validity) is recomputed from the
// requested state after each change; the v2 partition rules are those of the 6.x kernels as
// documented in Documentation/admin-guide/cgroup-v2.rst.
//
// Processes are emulated: spawn() makes a pid with /proc/<pid>/status (Cpus_allowed_list) that
// moves between cgroups when its pid is written to tasks/cgroup.procs. raw_write() changes a
// file without any semantics — the way hardware counters, /proc/stat or a third party would.
// One flock(2) on <root>/.shoal-filetree.lock serializes every operation, so several processes
// (a test and an agent) can share a tree.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernel_fs.hpp"
#include "shoal/result.hpp"

namespace shoal::agent {

struct FileTreeSpec {
  int cpus = 4;               // possible = present = online at creation: 0..cpus-1
  int mem_nodes = 1;          // memory nodes 0..mem_nodes-1
  std::string cgroup = "v1";  // "v1": cpuset and cpuacct v1 hierarchies (+ an empty cgroup2 at
                              //       /sys/fs/cgroup/unified); "v2": cgroup2 at /sys/fs/cgroup
  bool resctrl = true;
  int cbm_len = 11;           // L3 capacity bitmask length (cbm_mask = 2^cbm_len - 1)
  int min_cbm_bits = 2;
  int num_closids = 16;
  std::vector<int> l3_domains{0};
  bool mba = true;
  int mb_min = 10;
  int mb_gran = 10;
  bool monitoring = true;
  int num_rmids = 64;
  bool cpu0_hotplug = false;  // x86 kernels usually have no cpu0/online
};

class FileTree final : public KernelFs {
 public:
  // Lays out a fresh tree in `root` (created if missing; must be empty).
  static Result<std::unique_ptr<FileTree>> create(const std::string& root, const FileTreeSpec& spec);
  // Opens a tree made by create().
  static Result<std::unique_ptr<FileTree>> open(const std::string& root);
  ~FileTree() override;

  const FileTreeSpec& spec() const { return spec_; }
  const std::string& root() const { return root_; }
  std::string host_path_in_tree(const std::string& host_path) const { return root_ + host_path; }

  // Mount points inside the tree, as host paths.
  std::string cpuset_mount() const;   // v1 cpuset hierarchy, or the cgroup2 mount in v2
  std::string cpuacct_mount() const;  // v1 only ("" in v2)
  static constexpr const char* kResctrl = "/sys/fs/resctrl";
  static constexpr const char* kCpuSys = "/sys/devices/system/cpu";

  // KernelFs
  std::string describe() const override { return "file tree " + root_; }
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

  // The world outside the control files.
  int spawn(int pid, const std::string& name = "task");  // EEXIST if the pid exists
  int exit_task(int pid);                                 // ESRCH if it does not
  int raw_write(const std::string& path, std::string_view data);
  std::vector<int> pids();

 private:
  class Lock;
  struct TaskMeta {
    int pid = 0;
    std::string name;
    std::string cpuset;    // the task's cgroup in the cpuset hierarchy (v1) or in cgroup2 (v2)
    std::string cpuacct;   // v1 only
    std::string resctrl;   // resctrl group directory ("" without resctrl)
    std::string user;      // affinity the task asked for (sched_setaffinity), "" for none
    std::string affinity;  // as shown in Cpus_allowed_list
  };
  FileTree(std::string root, FileTreeSpec spec);

  // raw access to the tree (host paths, no semantics, no lock)
  std::string tp(const std::string& host) const { return root_ + host; }
  std::string get(const std::string& host) const;
  void put(const std::string& host, std::string_view text) const;
  bool has(const std::string& host) const;
  bool has_dir(const std::string& host) const;
  std::vector<std::string> subdirs(const std::string& host) const;
  CpuMask get_mask(const std::string& host, int nbits) const;
  CpuMask online() const;
  bool v2() const { return spec_.cgroup == "v2"; }

  void layout();
  int dispatch_write(const std::string& path, std::string_view data);

  // tasks
  bool load_task(int pid, TaskMeta& t) const;
  void save_task(const TaskMeta& t) const;
  void refresh_task(TaskMeta& t) const;  // recompute affinity from the cgroups, rewrite status
  std::vector<int> read_pids(const std::string& file) const;
  void write_pids(const std::string& file, const std::vector<int>& pids) const;
  int parse_pid(std::string_view data, int& pid) const;
  void move_pid(const std::string& hier, const std::string& from_dir, const std::string& to_dir,
                int pid) const;
  bool populated(const std::string& dir) const;
  void refresh_tasks_in(const std::string& dir, bool recursive, bool reset_user) const;

  // cgroup v1
  void v1_make_cgroup(const std::string& dir, bool is_root, const std::string& kind) const;
  int v1_write(const std::string& mount, const std::string& dir, const std::string& file,
               std::string_view data);
  int v1_cpuset_write(const std::string& dir, const std::string& file, std::string_view data);
  int v1_attach(const std::string& mount, const std::string& dir, std::string_view data);
  void v1_hotplug(int cpu, bool online);
  // cgroup v2
  void v2_make_cgroup(const std::string& dir, bool is_root) const;
  void v2_controller_files(const std::string& dir, const std::string& controller, bool on) const;
  int v2_write(const std::string& dir, const std::string& file, std::string_view data);
  // `changed`: the cgroup whose write caused the recompute; it is the one that loses a conflict
  // for its parent's CPUs (valid partitions keep theirs, as in the kernel).
  void v2_recompute(const std::string& changed = "") const;
  void v2_recompute_dir(const std::string& dir, const CpuMask& pool, const std::string& parent_state,
                        const std::string& changed, CpuMask& isolated) const;
  // resctrl
  void rc_make_group(const std::string& dir, bool is_root, bool mon_only) const;
  int rc_write(const std::string& dir, const std::string& file, std::string_view data);
  int rc_mkdir(const std::string& path);
  int rc_rmdir(const std::string& path);
  void rc_status(std::string_view msg) const;  // appends to info/last_cmd_status
  void rc_clear() const;
  std::vector<std::string> rc_ctrl_groups() const;  // root first
  // cpu hotplug
  int cpu_write(const std::string& path, std::string_view data);

  std::string root_;
  FileTreeSpec spec_;
  int lock_fd_ = -1;
};

}  // namespace shoal::agent
