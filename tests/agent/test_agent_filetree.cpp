// The file-tree backend's kernel semantics, file by file: cgroup v1 cpusets, cgroup v2 cpuset
// partitions, resctrl (schemata messages in info/last_cmd_status) and CPU hotplug. The v1
// errnos are the ones this machine's kernel returns (test_agent_real.cpp compares them live).
#include <catch2/catch.hpp>

#include <cerrno>

#include "agent_support.hpp"

using namespace shoal::agent;
using namespace shoal::agent::test;

namespace {

struct Tree {
  explicit Tree(FileTreeSpec spec = {}) : dir("shoal-agent-tree") {
    auto t = FileTree::create((dir.path() / "t").string(), spec);
    if (!t) throw std::runtime_error(t.error().message);
    tree = std::move(*t);
  }
  int w(const std::string& path, const std::string& v) { return tree->write(path, v); }
  std::string r(const std::string& path) { return tree_read(*tree, path); }
  std::string status() { return r("/sys/fs/resctrl/info/last_cmd_status"); }
  CpuMask aff(int pid) {
    CpuMask m;
    REQUIRE(tree->get_affinity(pid, m) == 0);
    return m;
  }
  shoal::test::TempDir dir;
  std::unique_ptr<FileTree> tree;
};

const std::string V1 = "/sys/fs/cgroup/cpuset";
const std::string V2 = "/sys/fs/cgroup";
const std::string RC = "/sys/fs/resctrl";
const std::string CPU = "/sys/devices/system/cpu";

}  // namespace

TEST_CASE("file tree: creating and opening", "[filetree]") {
  Tree t;
  CHECK(t.r("/proc/mounts").find("cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset") != std::string::npos);
  CHECK(t.r(CPU + "/possible") == "0-3");
  auto again = FileTree::open(t.tree->root());
  REQUIRE(again.ok());
  CHECK((*again)->spec().cpus == 4);
  CHECK_FALSE(FileTree::create(t.tree->root(), {}).ok());  // not empty
  shoal::test::TempDir empty("shoal-agent-tree");
  CHECK_THAT(FileTree::open(empty.path().string()).error().message, Catch::Contains("not a shoal-agent file tree"));
  FileTreeSpec bad;
  bad.min_cbm_bits = 12;
  CHECK_FALSE(FileTree::create((empty.path() / "x").string(), bad).ok());
  // a relative path or one with ".." is refused
  std::string s;
  CHECK(t.tree->read("proc/mounts", s) == EINVAL);
  CHECK(t.tree->read("/sys/../proc/mounts", s) == EINVAL);
}

TEST_CASE("file tree: cgroup v1 cpuset rules and errnos", "[filetree][v1]") {
  Tree t;
  CHECK(t.r(V1 + "/cpuset.cpus") == "0-3");
  CHECK(t.w(V1 + "/cpuset.cpus", "0-1\n") == EACCES);           // the top cpuset is read-only
  CHECK(t.w(V1 + "/cpuset.effective_cpus", "1\n") == EINVAL);   // read-only file
  CHECK(t.tree->mkdir(V1 + "/x/y") == ENOENT);
  REQUIRE(t.tree->mkdir(V1 + "/p") == 0);
  CHECK(t.tree->mkdir(V1 + "/p") == EEXIST);
  CHECK(t.r(V1 + "/p/cpuset.cpus").empty());
  REQUIRE(t.tree->spawn(100) == 0);
  CHECK(t.tree->spawn(100) == EEXIST);
  CHECK(t.aff(100).list() == "0-3");
  CHECK(t.w(V1 + "/p/tasks", "100\n") == ENOSPC);  // no CPUs yet
  CHECK(t.w(V1 + "/p/cpuset.cpus", "5\n") == ERANGE);
  CHECK(t.w(V1 + "/p/cpuset.cpus", "abc\n") == EINVAL);
  REQUIRE(t.w(V1 + "/p/cpuset.cpus", "1-2\n") == 0);
  CHECK(t.w(V1 + "/p/tasks", "100\n") == ENOSPC);  // no memory nodes yet
  REQUIRE(t.w(V1 + "/p/cpuset.mems", "0\n") == 0);
  CHECK(t.w(V1 + "/p/tasks", "999\n") == ESRCH);
  CHECK(t.w(V1 + "/p/tasks", "x\n") == EINVAL);
  REQUIRE(t.w(V1 + "/p/tasks", "100\n") == 0);
  CHECK(t.r(V1 + "/p/tasks") == "100");
  CHECK(t.r(V1 + "/tasks").empty());
  CHECK(t.aff(100).list() == "1-2");
  CHECK(t.r("/proc/100/status").find("Cpus_allowed_list:\t1-2") != std::string::npos);
  CHECK(t.r("/proc/100/status").find("Cpus_allowed:\t6") != std::string::npos);
  CHECK(t.w(V1 + "/p/cpuset.cpus", "\n") == ENOSPC);  // populated: cannot go empty
  // children must stay subsets (EBUSY); a child must be a subset of its parent (EACCES)
  REQUIRE(t.tree->mkdir(V1 + "/p/c") == 0);
  REQUIRE(t.w(V1 + "/p/c/cpuset.cpus", "1\n") == 0);
  CHECK(t.w(V1 + "/p/cpuset.cpus", "2\n") == EBUSY);
  CHECK(t.w(V1 + "/p/c/cpuset.cpus", "3\n") == EACCES);
  CHECK(t.tree->rmdir(V1 + "/p") == EBUSY);  // has a child
  REQUIRE(t.tree->rmdir(V1 + "/p/c") == 0);
  CHECK(t.tree->rmdir(V1 + "/p") == EBUSY);  // has a task
  // the affinity follows the cpuset (and v1 resets a narrower one)
  REQUIRE(t.tree->set_affinity(100, CpuMask{2}) == 0);
  CHECK(t.aff(100).list() == "2");
  CHECK(t.tree->set_affinity(100, CpuMask{3}) == EINVAL);  // outside the cpuset
  REQUIRE(t.w(V1 + "/p/cpuset.cpus", "1-3\n") == 0);
  CHECK(t.aff(100).list() == "1-3");
  CHECK(t.r(V1 + "/p/cpuset.effective_cpus") == "1-3");
  CHECK(t.tree->rmdir(V1) == EBUSY);
  REQUIRE(t.tree->exit_task(100) == 0);
  CHECK(t.tree->exit_task(100) == ESRCH);
  CHECK(t.r(V1 + "/p/tasks").empty());
  REQUIRE(t.tree->rmdir(V1 + "/p") == 0);
}

TEST_CASE("file tree: cgroup v1 exclusive cpusets", "[filetree][v1]") {
  Tree t;
  for (const char* n : {"/a", "/b"}) {
    REQUIRE(t.tree->mkdir(V1 + n) == 0);
    REQUIRE(t.w(V1 + n + "/cpuset.mems", "0") == 0);
  }
  REQUIRE(t.w(V1 + "/a/cpuset.cpus", "1-2") == 0);
  REQUIRE(t.w(V1 + "/b/cpuset.cpus", "2-3") == 0);
  CHECK(t.w(V1 + "/a/cpuset.cpu_exclusive", "1") == EINVAL);  // overlaps b
  REQUIRE(t.w(V1 + "/b/cpuset.cpus", "3") == 0);
  REQUIRE(t.w(V1 + "/a/cpuset.cpu_exclusive", "1") == 0);
  CHECK(t.w(V1 + "/b/cpuset.cpus", "2-3") == EINVAL);  // would overlap exclusive a
  CHECK(t.w(V1 + "/a/cpuset.cpu_exclusive", "yes") == EINVAL);
  REQUIRE(t.tree->mkdir(V1 + "/b/c") == 0);
  CHECK(t.w(V1 + "/b/c/cpuset.cpu_exclusive", "1") == EACCES);  // parent b is not exclusive
  REQUIRE(t.tree->mkdir(V1 + "/a/c") == 0);
  REQUIRE(t.w(V1 + "/a/c/cpuset.cpus", "1") == 0);
  REQUIRE(t.w(V1 + "/a/c/cpuset.cpu_exclusive", "1") == 0);
  CHECK(t.w(V1 + "/a/cpuset.cpu_exclusive", "0") == EBUSY);  // a child is exclusive
}

TEST_CASE("file tree: CPU hotplug, and v1 cpusets never getting an unplugged CPU back", "[filetree][hotplug]") {
  Tree t;
  CHECK_FALSE(t.tree->exists(CPU + "/cpu0/online"));
  CHECK(t.w(CPU + "/cpu0/online", "0") == ENOENT);
  CHECK(t.w(CPU + "/online", "0-1") == EACCES);
  CHECK(t.w(CPU + "/cpu2/online", "maybe") == EINVAL);
  REQUIRE(t.tree->mkdir(V1 + "/p") == 0);
  REQUIRE(t.w(V1 + "/p/cpuset.mems", "0") == 0);
  REQUIRE(t.w(V1 + "/p/cpuset.cpus", "1-2") == 0);
  REQUIRE(t.tree->mkdir(V1 + "/q") == 0);
  REQUIRE(t.w(V1 + "/q/cpuset.mems", "0") == 0);
  REQUIRE(t.w(V1 + "/q/cpuset.cpus", "2") == 0);
  REQUIRE(t.tree->spawn(7) == 0);
  REQUIRE(t.w(V1 + "/q/tasks", "7") == 0);
  REQUIRE(t.w(CPU + "/cpu2/online", "0\n") == 0);
  CHECK(t.w(CPU + "/cpu2/online", "0\n") == 0);  // already offline: no-op
  CHECK(t.r(CPU + "/online") == "0-1,3");
  CHECK(t.r(CPU + "/offline") == "2");
  CHECK(t.r(V1 + "/cpuset.cpus") == "0-1,3");
  CHECK(t.r(V1 + "/p/cpuset.cpus") == "1");
  CHECK(t.r(V1 + "/q/cpuset.cpus").empty());
  CHECK(t.r(V1 + "/q/tasks").empty());  // moved to the nearest ancestor with CPUs
  CHECK(t.r(V1 + "/tasks") == "7");
  CHECK(t.aff(7).list() == "0-1,3");
  REQUIRE(t.w(CPU + "/cpu2/online", "1") == 0);
  CHECK(t.r(V1 + "/cpuset.cpus") == "0-3");
  CHECK(t.r(V1 + "/p/cpuset.cpus") == "1");  // v1: not given back
  REQUIRE(t.w(CPU + "/cpu1/online", "0") == 0);
  REQUIRE(t.w(CPU + "/cpu2/online", "0") == 0);
  CHECK(t.w(CPU + "/cpu3/online", "0") == 0);
  CHECK(t.r(CPU + "/online") == "0");
  FileTreeSpec s;
  s.cpu0_hotplug = true;
  Tree t0(s);
  for (int c = 1; c < 4; ++c) REQUIRE(t0.w(CPU + "/cpu" + std::to_string(c) + "/online", "0") == 0);
  CHECK(t0.w(CPU + "/cpu0/online", "0") == EBUSY);  // the last online CPU
}

TEST_CASE("file tree: cgroup v2 controllers and no internal processes", "[filetree][v2]") {
  FileTreeSpec s;
  s.cgroup = "v2";
  Tree t(s);
  CHECK(t.r(V2 + "/cgroup.controllers") == "cpuset cpu");
  REQUIRE(t.tree->mkdir(V2 + "/a") == 0);
  CHECK_FALSE(t.tree->exists(V2 + "/a/cpuset.cpus"));
  CHECK(t.w(V2 + "/cgroup.subtree_control", "+bogus") == EINVAL);
  CHECK(t.w(V2 + "/cgroup.subtree_control", "+memory") == ENOENT);
  REQUIRE(t.w(V2 + "/cgroup.subtree_control", "+cpuset +cpu") == 0);
  CHECK(t.r(V2 + "/cgroup.subtree_control") == "cpuset cpu");
  CHECK(t.r(V2 + "/a/cgroup.controllers") == "cpuset cpu");
  CHECK(t.r(V2 + "/a/cpuset.cpus.partition") == "member");
  CHECK(t.r(V2 + "/a/cpuset.cpus.effective") == "0-3");
  REQUIRE(t.tree->spawn(5) == 0);
  REQUIRE(t.w(V2 + "/a/cgroup.procs", "5") == 0);
  CHECK(t.w(V2 + "/a/cgroup.subtree_control", "+cpuset") == EBUSY);  // a has processes
  REQUIRE(t.tree->mkdir(V2 + "/b") == 0);
  REQUIRE(t.tree->mkdir(V2 + "/b/c") == 0);
  REQUIRE(t.w(V2 + "/b/cgroup.subtree_control", "+cpuset") == 0);
  CHECK(t.w(V2 + "/b/cgroup.procs", "5") == EBUSY);  // b hands controllers down: no tasks in it
  CHECK(t.r(V2 + "/a/cgroup.events").find("populated 1") != std::string::npos);
  CHECK(t.tree->rmdir(V2 + "/a") == EBUSY);
  REQUIRE(t.w(V2 + "/cgroup.subtree_control", "-cpu") == 0);
  CHECK_FALSE(t.tree->exists(V2 + "/a/cpu.weight"));
}

TEST_CASE("file tree: cgroup v2 partitions, their kernel reasons and effective CPUs", "[filetree][v2]") {
  FileTreeSpec s;
  s.cgroup = "v2";
  Tree t(s);
  REQUIRE(t.w(V2 + "/cgroup.subtree_control", "+cpuset") == 0);
  for (const char* n : {"/a", "/b", "/c"}) REQUIRE(t.tree->mkdir(V2 + n) == 0);
  REQUIRE(t.tree->spawn(9) == 0);
  REQUIRE(t.w(V2 + "/a/cgroup.procs", "9") == 0);
  REQUIRE(t.w(V2 + "/a/cpuset.cpus", "1") == 0);
  CHECK(t.w(V2 + "/a/cpuset.cpus.partition", "bogus") == EINVAL);
  REQUIRE(t.w(V2 + "/a/cpuset.cpus.partition", "root\n") == 0);
  CHECK(t.r(V2 + "/a/cpuset.cpus.partition") == "root");
  CHECK(t.r(V2 + "/a/cpuset.cpus.effective") == "1");
  CHECK(t.r(V2 + "/a/cpuset.cpus.exclusive.effective") == "1");
  CHECK(t.r(V2 + "/cpuset.cpus.effective") == "0,2-3");   // the partition's CPU left the root
  CHECK(t.r(V2 + "/b/cpuset.cpus.effective") == "0,2-3");  // and its siblings
  CHECK(t.aff(9).list() == "1");
  // a sibling's conflicting cpuset.cpus is accepted and invalidates the partition
  REQUIRE(t.w(V2 + "/b/cpuset.cpus", "1-2") == 0);
  CHECK(t.r(V2 + "/a/cpuset.cpus.partition") == "root invalid (Cpu list in cpuset.cpus not exclusive)");
  CHECK(t.r(V2 + "/cpuset.cpus.effective") == "0-3");
  REQUIRE(t.w(V2 + "/b/cpuset.cpus", "2") == 0);
  CHECK(t.r(V2 + "/a/cpuset.cpus.partition") == "root");
  // empty, isolated, and taking the parent's last CPUs
  REQUIRE(t.w(V2 + "/c/cpuset.cpus.partition", "root") == 0);
  CHECK(t.r(V2 + "/c/cpuset.cpus.partition") == "root invalid (cpuset.cpus and cpuset.cpus.exclusive are empty)");
  REQUIRE(t.w(V2 + "/c/cpuset.cpus", "3") == 0);
  REQUIRE(t.w(V2 + "/c/cpuset.cpus.partition", "isolated") == 0);
  CHECK(t.r(V2 + "/c/cpuset.cpus.partition") == "isolated");
  CHECK(t.r(V2 + "/cpuset.cpus.isolated") == "3");
  REQUIRE(t.w(V2 + "/b/cpuset.cpus.partition", "root") == 0);
  CHECK(t.r(V2 + "/b/cpuset.cpus.partition") == "root");
  CHECK(t.r(V2 + "/cpuset.cpus.effective") == "0");
  REQUIRE(t.w(V2 + "/b/cpuset.cpus", "0,2") == 0);  // would leave the root cgroup no CPU
  CHECK(t.r(V2 + "/b/cpuset.cpus.partition") == "root invalid (Parent unable to distribute cpu downstream)");
  REQUIRE(t.w(V2 + "/b/cpuset.cpus", "2") == 0);
  // a partition below a member is not a (local) partition
  REQUIRE(t.w(V2 + "/b/cpuset.cpus.partition", "member") == 0);
  REQUIRE(t.tree->mkdir(V2 + "/b/d") == 0);
  REQUIRE(t.w(V2 + "/b/cgroup.subtree_control", "+cpuset") == 0);
  REQUIRE(t.w(V2 + "/b/d/cpuset.cpus", "2") == 0);
  REQUIRE(t.w(V2 + "/b/d/cpuset.cpus.partition", "root") == 0);
  CHECK(t.r(V2 + "/b/d/cpuset.cpus.partition") == "root invalid (Parent is not a partition root)");
  // v2 keeps a task's own narrower affinity within its cpuset
  REQUIRE(t.w(V2 + "/a/cpuset.cpus", "1-2") == 0);
  CHECK(t.r(V2 + "/a/cpuset.cpus.partition") == "root invalid (Cpu list in cpuset.cpus not exclusive)");
  REQUIRE(t.w(V2 + "/b/cpuset.cpus", "0") == 0);
  REQUIRE(t.w(V2 + "/b/d/cpuset.cpus", "0") == 0);
  CHECK(t.r(V2 + "/a/cpuset.cpus.partition") == "root");
  CHECK(t.aff(9).list() == "1-2");
  REQUIRE(t.tree->set_affinity(9, CpuMask{2}) == 0);
  REQUIRE(t.w(V2 + "/a/cpuset.cpus", "1-2,3") == 0);  // conflicts with isolated c: a invalid
  CHECK(t.aff(9).list() == "2");
  CHECK(t.w(V2 + "/a/cpuset.cpus", "") == ENOSPC);  // populated
  // hotplug: an unplugged partition CPU invalidates the partition; it comes back valid
  REQUIRE(t.w(V2 + "/a/cpuset.cpus", "1") == 0);
  CHECK(t.r(V2 + "/a/cpuset.cpus.partition") == "root");
  REQUIRE(t.w(CPU + "/cpu1/online", "0") == 0);
  CHECK(t.r(V2 + "/a/cpuset.cpus.partition") == "root invalid (No cpu available due to hotplug)");
  CHECK(t.r(V2 + "/a/cpuset.cpus") == "1");  // v2 keeps the requested list
  REQUIRE(t.w(CPU + "/cpu1/online", "1") == 0);
  CHECK(t.r(V2 + "/a/cpuset.cpus.partition") == "root");
  CHECK(t.r(V2 + "/a/cpuset.cpus.effective") == "1");
}

TEST_CASE("file tree: resctrl info, schemata format and CLOSIDs", "[filetree][resctrl]") {
  FileTreeSpec s;
  s.l3_domains = {0, 1};
  s.num_closids = 4;
  Tree t(s);
  CHECK(t.r(RC + "/info/L3/cbm_mask") == "7ff");
  CHECK(t.r(RC + "/info/L3/min_cbm_bits") == "2");
  CHECK(t.r(RC + "/info/MB/bandwidth_gran") == "10");
  CHECK(t.r(RC + "/info/last_cmd_status") == "ok");
  std::string sch;
  REQUIRE(t.tree->read(RC + "/schemata", sch) == 0);
  CHECK(sch == "L3:0=7ff;1=7ff\nMB:0=100;1=100\n");
  REQUIRE(t.tree->mkdir(RC + "/g1") == 0);
  REQUIRE(t.w(RC + "/g1/schemata", "L3:1=f\nMB:0=55\n") == 0);
  REQUIRE(t.tree->read(RC + "/g1/schemata", sch) == 0);
  CHECK(sch == "L3:0=7ff;1=00f\nMB:0= 60;1=100\n");  // MB rounded up to the granularity; padding
  REQUIRE(t.tree->mkdir(RC + "/g2") == 0);
  REQUIRE(t.tree->mkdir(RC + "/g3") == 0);
  CHECK(t.tree->mkdir(RC + "/g4") == ENOSPC);
  CHECK(t.status() == "Out of CLOSIDs");
  CHECK(t.tree->mkdir(RC + "/info/x") == EPERM);
  CHECK(t.tree->rmdir(RC + "/info") == EPERM);
  REQUIRE(t.tree->mkdir(RC + "/g1/mon_groups/m1") == 0);
  CHECK(t.tree->exists(RC + "/g1/mon_groups/m1/mon_data/mon_L3_01/mbm_total_bytes"));
  CHECK(t.w(RC + "/g1/mon_data/mon_L3_00/llc_occupancy", "5\n") == EINVAL);
  CHECK(t.w(RC + "/info/L3/cbm_mask", "3\n") == EINVAL);
}

TEST_CASE("file tree: resctrl schemata errors carry the kernel's last_cmd_status strings", "[filetree][resctrl]") {
  Tree t;
  REQUIRE(t.tree->mkdir(RC + "/g") == 0);
  const std::string f = RC + "/g/schemata";
  struct Case {
    const char* write;
    int err;
    const char* status;
  };
  const Case cases[] = {
      {"L3:0=5\n", EINVAL, "The mask 5 has non-consecutive 1-bits"},
      {"L3:0=1\n", EINVAL, "Need at least 2 bits in the mask"},
      {"L3:0=fff\n", EINVAL, "Mask out of range"},
      {"L3:0=0\n", EINVAL, "Mask out of range"},
      {"L3:0=xyz\n", EINVAL, "Non-hex character in the mask xyz"},
      {"L3:0=3;0=3\n", EINVAL, "Duplicate domain 0"},
      {"L3:5=3\n", EINVAL, "ok"},  // an unknown domain: the kernel gives no reason
      {"L2:0=3\n", EINVAL, "Unknown or unsupported resource name 'L2'"},
      {"L3\n", EINVAL, "Missing ':'"},
      {"L3:\n", EINVAL, "Missing 'L3' value"},
      {"L3:x=3\n", EINVAL, "Missing '=' or non-numeric domain"},
      {"MB:0=5\n", EINVAL, "MB value 5 out of range [10,100]"},
      {"MB:0=abc\n", EINVAL, "Non-decimal digit in MB value abc"},
      {"L3:0=f\nMB:0=5\n", EINVAL, "MB value 5 out of range [10,100]"},  // all or nothing
      {"L3:0=0x3c\n", 0, "ok"},
      {"L3:0=7ff\nMB:0=100\n", 0, "ok"},
  };
  for (const auto& c : cases) {
    INFO(quoted(c.write));
    const std::string before = t.r(f);
    CHECK(t.w(f, c.write) == c.err);
    CHECK(t.status() == c.status);
    if (c.err) CHECK(t.r(f) == before);
  }
  CHECK(t.r(f) == "L3:0=7ff\nMB:0=100");
  // without the trailing newline: EINVAL, and last_cmd_status keeps the previous message
  REQUIRE(t.w(f, "L3:0=5\n") == EINVAL);
  CHECK(t.w(f, "L3:0=3") == EINVAL);
  CHECK(t.status() == "The mask 5 has non-consecutive 1-bits");
}

TEST_CASE("file tree: resctrl exclusive groups, initial masks, tasks and CPUs", "[filetree][resctrl]") {
  Tree t;
  REQUIRE(t.w(RC + "/schemata", "L3:0=7fc\n") == 0);
  REQUIRE(t.tree->mkdir(RC + "/x") == 0);
  CHECK(t.r(RC + "/x/schemata") == "L3:0=7ff\nMB:0=100");  // the shareable bits and the unused ones
  REQUIRE(t.w(RC + "/x/schemata", "L3:0=3\n") == 0);
  REQUIRE(t.w(RC + "/x/mode", "exclusive\n") == 0);
  CHECK(t.r(RC + "/x/mode") == "exclusive");
  REQUIRE(t.tree->mkdir(RC + "/y") == 0);
  CHECK(t.r(RC + "/y/schemata") == "L3:0=7fc\nMB:0=100");  // x's exclusive bits are not offered

  CHECK(t.w(RC + "/y/schemata", "L3:0=6\n") == EINVAL);
  CHECK(t.status() == "Overlaps with exclusive group");
  CHECK(t.w(RC + "/y/mode", "exclusive") == EINVAL);
  CHECK(t.status() == "Schemata overlaps");
  CHECK(t.w(RC + "/y/mode", "bogus") == EINVAL);
  CHECK(t.status() == "Unknown or unsupported mode");
  CHECK(t.w(RC + "/y/mode", "pseudo-locksetup") == EINVAL);
  CHECK(t.status() == "Pseudo-locking not supported");
  // tasks
  CHECK(t.w(RC + "/y/tasks", "999\n") == ESRCH);
  CHECK(t.status() == "No task 999");
  REQUIRE(t.tree->spawn(42) == 0);
  CHECK(t.r(RC + "/tasks") == "42");
  REQUIRE(t.w(RC + "/y/tasks", "42\n") == 0);
  CHECK(t.status() == "ok");
  CHECK(t.r(RC + "/y/tasks") == "42");
  CHECK(t.r(RC + "/tasks").empty());
  // CPUs
  CHECK(t.w(RC + "/y/cpus_list", "9") == ERANGE);
  CHECK(t.status() == "Bad CPU list/mask");
  CHECK(t.w(RC + "/cpus_list", "0-2") == EINVAL);
  CHECK(t.status() == "Can't drop CPUs from default group");
  REQUIRE(t.w(RC + "/y/cpus_list", "1") == 0);
  CHECK(t.r(RC + "/y/cpus") == "2");
  CHECK(t.r(RC + "/cpus_list") == "0,2-3");
  REQUIRE(t.w(CPU + "/cpu3/online", "0") == 0);
  CHECK(t.w(RC + "/y/cpus", "8") == EINVAL);
  CHECK(t.status() == "Can only assign online CPUs");
  // removing the group gives its tasks and CPUs back to the default group
  REQUIRE(t.tree->rmdir(RC + "/y") == 0);
  CHECK(t.r(RC + "/tasks") == "42");
  CHECK(t.r(RC + "/cpus_list") == "0-3");
  // no space for a new group's minimum
  FileTreeSpec s;
  s.cbm_len = 4;
  s.min_cbm_bits = 2;
  Tree small(s);
  REQUIRE(small.w(RC + "/schemata", "L3:0=3\n") == 0);
  REQUIRE(small.tree->mkdir(RC + "/a") == 0);
  REQUIRE(small.w(RC + "/a/schemata", "L3:0=c\n") == 0);
  REQUIRE(small.w(RC + "/a/mode", "exclusive") == 0);
  REQUIRE(small.w(RC + "/schemata", "L3:0=2\n") == EINVAL);  // root needs 2 bits
  REQUIRE(small.tree->mkdir(RC + "/b") == 0);                 // gets root's shareable 3
  CHECK(small.r(RC + "/b/schemata") == "L3:0=003\nMB:0=100");  // padded to MB's width
  // an exclusive group in the middle splits what is offered: the lowest run is taken
  FileTreeSpec s8;
  s8.cbm_len = 8;
  Tree mid(s8);
  REQUIRE(mid.w(RC + "/schemata", "L3:0=0f\n") == 0);
  REQUIRE(mid.tree->mkdir(RC + "/x") == 0);
  REQUIRE(mid.w(RC + "/x/schemata", "L3:0=30\n") == 0);
  REQUIRE(mid.w(RC + "/x/mode", "exclusive") == 0);
  REQUIRE(mid.tree->mkdir(RC + "/y") == 0);
  CHECK(mid.r(RC + "/y/schemata") == "L3:0=00f\nMB:0=100");  // offered: 0f and c0
}
