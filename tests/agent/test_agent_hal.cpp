// The HAL over the file tree: moving CPUs between v1 and v2 partitions with the tasks' affinity
// following, the order the kernel needs, rollback when the kernel refuses, resctrl masks and
// kernel error strings, hotplug, dry runs, reconciliation (including an agent killed mid-move),
// telemetry, and the decision/acknowledgement seam.
#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <deque>
#include <set>

#include "agent.hpp"
#include "agent_support.hpp"
#include "reconcile.hpp"
#include "telemetry.hpp"

using namespace shoal::agent;
using namespace shoal::agent::test;

namespace {

const std::string V1 = "/sys/fs/cgroup/cpuset";
const std::string V2 = "/sys/fs/cgroup";
const std::string RC = "/sys/fs/resctrl";

struct Rig {
  Rig(const std::string& cgroup, const std::string& partitions = "", const std::string& processors = "0 = 1\n1 = 2\n",
      const std::string& extra_hal = "", FileTreeSpec spec = {})
      : dir("shoal-agent-hal") {
    spec.cgroup = cgroup;
    auto t = FileTree::create((dir.path() / "tree").string(), spec);
    if (!t) throw std::runtime_error(t.error().message);
    tree = std::move(*t);
    text = tree_config(tree->root(), cgroup, extra_hal, partitions, processors);
    stack = open_stack(dir.path(), text);
  }
  Hal& hal() { return stack.hal(); }
  std::string r(const std::string& p) { return tree_read(*tree, p); }
  CpuMask aff(int pid) {
    CpuMask m;
    REQUIRE(tree->get_affinity(pid, m) == 0);
    return m;
  }
  std::map<std::string, std::string> snap() { return snapshot(tree->root()); }
  shoal::test::TempDir dir;
  std::unique_ptr<FileTree> tree;
  std::string text;
  Stack stack;
};

#define REQUIRE_OK(expr)                       \
  do {                                         \
    auto _r = (expr);                          \
    INFO((_r.ok() ? "" : _r.error().message)); \
    REQUIRE(_r.ok());                          \
  } while (0)

// A KernelFs over the file tree whose affinity reads are stale until the task's affinity is set
// explicitly: a kernel where the tasks do not follow their cpuset.
class StaleAffinityFs final : public KernelFs {
 public:
  explicit StaleAffinityFs(FileTree& t) : t_(t) {}
  std::string describe() const override { return "stale-affinity " + t_.describe(); }
  int read(const std::string& p, std::string& o) override { return t_.read(p, o); }
  int write(const std::string& p, std::string_view d) override { return t_.write(p, d); }
  int mkdir(const std::string& p) override { return t_.mkdir(p); }
  int rmdir(const std::string& p) override { return t_.rmdir(p); }
  int list(const std::string& d, std::vector<std::string>& n) override { return t_.list(d, n); }
  bool exists(const std::string& p) override { return t_.exists(p); }
  bool is_dir(const std::string& p) override { return t_.is_dir(p); }
  int writable(const std::string& p) override { return t_.writable(p); }
  int get_affinity(int tid, CpuMask& out) override {
    if (!frozen.count(tid)) {
      const int e = t_.get_affinity(tid, out);
      if (e == 0) frozen[tid] = out;
      return e;
    }
    out = frozen[tid];
    return 0;
  }
  int set_affinity(int tid, const CpuMask& m) override {
    const int e = t_.set_affinity(tid, m);
    if (e == 0) frozen.erase(tid);
    ++sets;
    return e;
  }
  std::map<int, CpuMask> frozen;
  int sets = 0;

 private:
  FileTree& t_;
};

}  // namespace

TEST_CASE("HAL cpuset-v1: a CPU moves between partitions and the tasks' affinity follows", "[hal][v1]") {
  Rig rig("v1");
  CHECK(rig.hal().backends() == "cpuset-v1 + resctrl + hotplug on file tree " + rig.tree->root());
  REQUIRE_OK(rig.hal().ensure_partitions());
  CHECK(rig.r(V1 + "/shoal/cpuset.cpus") == "0-3");  // intermediate level: the parent's CPUs
  CHECK(rig.r(V1 + "/shoal/a/cpuset.cpus") == "0");  // fixed CPU
  CHECK(rig.r(V1 + "/shoal/a/cpuset.mems") == "0");
  CHECK(rig.tree->is_dir(RC + "/shoal-a"));
  REQUIRE(rig.tree->spawn(100) == 0);
  REQUIRE(rig.tree->spawn(101) == 0);
  REQUIRE(rig.tree->write(V1 + "/shoal/a/tasks", "100") == 0);
  REQUIRE(rig.tree->write(V1 + "/shoal/b/tasks", "101") == 0);
  REQUIRE_OK(rig.hal().assign_cpu(1, 0));
  CHECK(rig.r(V1 + "/shoal/a/cpuset.cpus") == "0-1");
  CHECK(rig.aff(100).list() == "0-1");
  CHECK(rig.aff(101).list() == "0");
  REQUIRE_OK(rig.hal().assign_cpu(1, 1));
  CHECK(rig.r(V1 + "/shoal/a/cpuset.cpus") == "0");
  CHECK(rig.r(V1 + "/shoal/b/cpuset.cpus") == "0-1");
  CHECK(rig.aff(100).list() == "0");
  CHECK(rig.aff(101).list() == "0-1");
  REQUIRE_OK(rig.hal().assign_cpu(1, 0));  // and back
  CHECK(rig.aff(100).list() == "0-1");
  CHECK(rig.aff(101).list() == "0");
  auto st = rig.hal().read_state();
  REQUIRE(st.ok());
  CHECK(st->find(0)->tasks == std::vector<int>{100});
  CHECK(st->find(0)->effective.list() == "0-1");
  CHECK(st->find(0)->stray.empty());

  // bad requests change nothing
  const auto before = rig.snap();
  auto unknown = rig.hal().assign_cpu(1, 5);
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("unknown partition 5") && Catch::Contains("0 (a), 1 (b)"));
  auto nocpu = rig.hal().assign_cpu(7, 0);
  REQUIRE_FALSE(nocpu.ok());
  CHECK_THAT(nocpu.error().message, Catch::Contains("host CPU 7 does not exist (possible CPUs: 0-3)"));
  auto notcard = rig.hal().assign_cpu(3, 0);
  REQUIRE_FALSE(notcard.ok());
  CHECK_THAT(notcard.error().message, Catch::Contains("not one of the card's processors"));
  auto last = rig.hal().set_cpus({{0, CpuMask{}}});
  REQUIRE_FALSE(last.ok());
  CHECK_THAT(last.error().message, Catch::Contains("no CPU left but holds 1 live task"));
  INFO(snapshot_diff(before, rig.snap()));
  CHECK(rig.snap() == before);
}

TEST_CASE("HAL cpuset-v1: a refusal by the kernel midway is rolled back", "[hal][v1]") {
  Rig rig("v1");
  REQUIRE_OK(rig.hal().ensure_partitions());
  REQUIRE_OK(rig.hal().assign_cpu(1, 1));
  // a child cgroup of b uses CPU 1: the kernel refuses to take it from b (EBUSY), after a got it
  REQUIRE(rig.tree->mkdir(V1 + "/shoal/b/sub") == 0);
  REQUIRE(rig.tree->write(V1 + "/shoal/b/sub/cpuset.cpus", "1") == 0);
  const auto before = rig.snap();
  auto r = rig.hal().assign_cpu(1, 0);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("writing '0' to cpuset.cpus") &&
                                    Catch::Contains("Device or resource busy (EBUSY)") &&
                                    Catch::Contains("a child cgroup still uses CPUs") && Catch::Contains("rolled back"));
  INFO(snapshot_diff(before, rig.snap()));
  CHECK(rig.snap() == before);
}

TEST_CASE("HAL cpuset-v1: exclusive partitions are shrunk before they are grown", "[hal][v1]") {
  const std::string parts =
      "[[partition]]\nid = 0\nname = \"a\"\ncgroup = \"x/a\"\n\n[[partition]]\nid = 1\nname = \"b\"\ncgroup = \"x/b\"\n";
  Rig rig("v1", parts, "0 = 1\n1 = 2\n2 = 3\n");
  REQUIRE_OK(rig.hal().ensure_partitions());
  REQUIRE_OK(rig.hal().assign_cpu(1, 0));
  REQUIRE_OK(rig.hal().assign_cpu(3, 0));
  REQUIRE_OK(rig.hal().assign_cpu(2, 1));
  REQUIRE(rig.tree->write(V1 + "/x/cpuset.cpu_exclusive", "1") == 0);
  REQUIRE(rig.tree->write(V1 + "/x/a/cpuset.cpu_exclusive", "1") == 0);
  REQUIRE(rig.tree->write(V1 + "/x/b/cpuset.cpu_exclusive", "1") == 0);
  REQUIRE_OK(rig.hal().assign_cpu(1, 1));  // growing b first would overlap exclusive a (EINVAL)
  CHECK(rig.r(V1 + "/x/a/cpuset.cpus") == "3");
  CHECK(rig.r(V1 + "/x/b/cpuset.cpus") == "1-2");
  // swapping the only CPUs of exclusive partitions with tasks is refused up front
  REQUIRE(rig.tree->spawn(5) == 0);
  REQUIRE(rig.tree->spawn(6) == 0);
  REQUIRE(rig.tree->write(V1 + "/x/a/tasks", "5") == 0);
  REQUIRE(rig.tree->write(V1 + "/x/b/tasks", "6") == 0);
  REQUIRE_OK(rig.hal().assign_cpu(1, 0));
  REQUIRE_OK(rig.hal().assign_cpu(3, 1));  // a = {1}, b = {2,3}
  REQUIRE_OK(rig.hal().assign_cpu(2, 0));  // a = {1,2}, b = {3}
  auto swap = rig.hal().set_cpus({{0, CpuMask{3}}, {1, CpuMask{1, 2}}});
  REQUIRE_FALSE(swap.ok());
  CHECK_THAT(swap.error().message, Catch::Contains("cannot trade their only CPUs"));
}

TEST_CASE("HAL: the affinity check catches tasks that do not follow, enforce repairs them", "[hal][v1]") {
  Rig rig("v1");
  REQUIRE_OK(rig.hal().ensure_partitions());
  REQUIRE(rig.tree->spawn(100) == 0);
  REQUIRE(rig.tree->write(V1 + "/shoal/a/tasks", "100") == 0);
  for (const char* policy : {"verify", "enforce"}) {
    DYNAMIC_SECTION(policy) {
      StaleAffinityFs stale(*rig.tree);
      HalSettings s = rig.stack.cfg.hal;
      s.affinity = std::string(policy) == "verify" ? AffinityPolicy::verify : AffinityPolicy::enforce;
      const HalInfo info = probe_host(stale, s);
      auto hal = make_hal(stale, s, info);
      REQUIRE(hal.ok());
      const auto before = rig.snap();
      auto r = (*hal)->assign_cpu(1, 0);
      if (s.affinity == AffinityPolicy::verify) {
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains("the affinity of task(s) 100 {0} did not follow") &&
                                          Catch::Contains("rolled back"));
        INFO(snapshot_diff(before, rig.snap()));
        CHECK(rig.snap() == before);
      } else {
        REQUIRE(r.ok());
        CHECK(stale.sets == 1);  // set explicitly
        CHECK(rig.aff(100).list() == "0-1");
      }
    }
  }
}

TEST_CASE("HAL: a dry run changes nothing and says what it would write", "[hal][dryrun]") {
  Rig rig("v1");
  REQUIRE_OK(rig.hal().ensure_partitions());
  Stack dry = open_stack(rig.dir.path(), rig.text, true);
  const auto before = rig.snap();
  REQUIRE_OK(dry.hal().assign_cpu(1, 0));
  REQUIRE_OK(dry.hal().set_cache_ways({{0, 4}}));
  CHECK(rig.snap() == before);
  const auto& j = dry.host->dry->journal();
  REQUIRE(j.size() == 2);
  CHECK(j[0] == "write '0-1\\n' to " + V1 + "/shoal/a/cpuset.cpus");
  CHECK(j[1] == "write 'L3:0=f\\n' to " + RC + "/shoal-a/schemata");
}

TEST_CASE("HAL cpuset-v2: partitions stay valid roots as CPUs move; invalidations are caught and rolled back", "[hal][v2]") {
  const std::string parts =
      "[[partition]]\nid = 0\nname = \"a\"\ncgroup = \"a\"\ntype = \"root\"\n\n"
      "[[partition]]\nid = 1\nname = \"b\"\ncgroup = \"b\"\ntype = \"isolated\"\n";
  Rig rig("v2", parts, "0 = 1\n1 = 2\n2 = 3\n");
  REQUIRE_OK(rig.hal().ensure_partitions());
  CHECK(rig.r(V2 + "/cgroup.subtree_control") == "cpuset");
  REQUIRE_OK(rig.hal().assign_cpu(1, 0));
  REQUIRE_OK(rig.hal().assign_cpu(2, 1));
  CHECK(rig.r(V2 + "/a/cpuset.cpus.partition") == "root");
  CHECK(rig.r(V2 + "/b/cpuset.cpus.partition") == "isolated");
  CHECK(rig.r(V2 + "/cpuset.cpus.effective") == "0,3");
  CHECK(rig.r(V2 + "/cpuset.cpus.isolated") == "2");
  REQUIRE(rig.tree->spawn(50) == 0);
  REQUIRE(rig.tree->write(V2 + "/a/cgroup.procs", "50") == 0);
  CHECK(rig.aff(50).list() == "1");
  REQUIRE_OK(rig.hal().assign_cpu(3, 1));
  CHECK(rig.r(V2 + "/cpuset.cpus.isolated") == "2-3");
  REQUIRE_OK(rig.hal().assign_cpu(3, 0));  // b shrinks first, then a grows
  CHECK(rig.r(V2 + "/a/cpuset.cpus.effective") == "1,3");
  CHECK(rig.r(V2 + "/b/cpuset.cpus.effective") == "2");
  CHECK(rig.aff(50).list() == "1,3");
  REQUIRE_OK(rig.hal().release_cpu(3));
  CHECK(rig.aff(50).list() == "1");
  CHECK(rig.r(V2 + "/cpuset.cpus.effective") == "0,3");

  // a cgroup the agent does not manage holds CPU 3: giving it to a makes the kernel invalidate
  // a (the write itself succeeds); the HAL reads the partition back and rolls back
  REQUIRE(rig.tree->mkdir(V2 + "/other") == 0);
  REQUIRE(rig.tree->write(V2 + "/other/cpuset.cpus", "3") == 0);
  auto before = rig.snap();
  auto r = rig.hal().assign_cpu(3, 0);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("root invalid (Cpu list in cpuset.cpus not exclusive)") &&
                                    Catch::Contains("rolled back"));
  INFO(snapshot_diff(before, rig.snap()));
  CHECK(rig.snap() == before);
  // a partition left without CPUs is invalid too
  auto empty = rig.hal().assign_cpu(2, 0);
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.error().message,
             Catch::Contains("isolated invalid (cpuset.cpus and cpuset.cpus.exclusive are empty)") &&
                 Catch::Contains("rolled back"));
  CHECK(rig.snap() == before);
  // and one holding tasks is refused before anything is written
  auto last = rig.hal().assign_cpu(1, 1);
  REQUIRE_FALSE(last.ok());
  CHECK_THAT(last.error().message, Catch::Contains("no CPU left but holds 1 live task"));
  CHECK(rig.snap() == before);
}

TEST_CASE("HAL resctrl: cache ways and bandwidth, kernel error strings, rollback, tasks, counters", "[hal][resctrl]") {
  Rig rig("v1");
  REQUIRE_OK(rig.hal().ensure_partitions());
  REQUIRE_OK(rig.hal().set_cache_ways({{0, 4}, {1, 3}}));
  CHECK(rig.r(RC + "/shoal-a/schemata") == "L3:0=00f\nMB:0=100");
  CHECK(rig.r(RC + "/shoal-b/schemata") == "L3:0=070\nMB:0=100");
  REQUIRE_OK(rig.hal().set_bandwidth({{0, 55}}));  // the kernel rounds up to 60: accepted
  CHECK(rig.r(RC + "/shoal-a/schemata") == "L3:0=00f\nMB:0= 60");
  auto st = rig.hal().read_state();
  REQUIRE(st.ok());
  CHECK(st->find(0)->l3.at(0) == 0xfUL);
  CHECK(st->find(0)->mb.at(0) == 60UL);

  auto before = rig.snap();
  auto low = rig.hal().set_bandwidth({{0, 5}});
  REQUIRE_FALSE(low.ok());
  CHECK_THAT(low.error().message, Catch::Contains("Invalid argument (EINVAL)") &&
                                      Catch::Contains("the kernel says: MB value 5 out of range [10,100]") &&
                                      Catch::Contains("nothing changed"));
  auto few = rig.hal().set_cache_ways({{0, 1}});
  REQUIRE_FALSE(few.ok());
  CHECK_THAT(few.error().message, Catch::Contains("below this L3's min_cbm_bits (2)"));
  auto many = rig.hal().set_cache_ways({{0, 6}, {1, 6}});
  REQUIRE_FALSE(many.ok());
  CHECK_THAT(many.error().message, Catch::Contains("12 cache ways requested in all; this L3 has 11"));
  // status files are rewritten by every command; compare the groups' schemata only
  CHECK(rig.r(RC + "/shoal-a/schemata") == "L3:0=00f\nMB:0= 60");
  CHECK(rig.r(RC + "/shoal-b/schemata") == "L3:0=070\nMB:0=100");

  // a group the agent does not manage holds ways 9-10 exclusively: b's new mask overlaps them
  REQUIRE(rig.tree->write(RC + "/schemata", "L3:0=1ff\n") == 0);
  REQUIRE(rig.tree->mkdir(RC + "/other") == 0);
  REQUIRE(rig.tree->write(RC + "/other/schemata", "L3:0=600\n") == 0);
  REQUIRE(rig.tree->write(RC + "/other/mode", "exclusive\n") == 0);
  auto ov = rig.hal().set_cache_ways({{0, 2}, {1, 8}});
  REQUIRE_FALSE(ov.ok());
  CHECK_THAT(ov.error().message, Catch::Contains("the kernel says: Overlaps with exclusive group") &&
                                     Catch::Contains("rolled back"));
  CHECK(rig.r(RC + "/shoal-a/schemata") == "L3:0=00f\nMB:0= 60");  // a was set to 3 and restored
  CHECK(rig.r(RC + "/shoal-b/schemata") == "L3:0=070\nMB:0=100");

  // tasks follow the cgroup into the resctrl group; counters
  REQUIRE(rig.tree->spawn(100) == 0);
  REQUIRE(rig.tree->write(V1 + "/shoal/a/tasks", "100") == 0);
  REQUIRE_OK(rig.hal().sync_resctrl_tasks(0));
  CHECK(rig.r(RC + "/shoal-a/tasks") == "100");
  REQUIRE(rig.tree->raw_write(RC + "/shoal-a/mon_data/mon_L3_00/llc_occupancy", "1048576\n") == 0);
  REQUIRE(rig.tree->raw_write(RC + "/shoal-a/mon_data/mon_L3_00/mbm_total_bytes", "Unavailable\n") == 0);
  auto mon = rig.hal().read_monitoring(0);
  REQUIRE(mon.ok());
  REQUIRE(mon->llc_occupancy.has_value());
  CHECK(*mon->llc_occupancy == 1048576ULL);
  CHECK_FALSE(mon->mbm_total_bytes.has_value());
  (void)before;
}

TEST_CASE("HAL hotplug: parking never touches CPU 0; unplugged v1 CPUs come back through reconcile", "[hal][hotplug]") {
  const std::string parts =
      "[[partition]]\nid = 0\nname = \"a\"\ncgroup = \"shoal/a\"\n\n[[partition]]\nid = 1\nname = \"b\"\ncgroup = \"shoal/b\"\n";
  Rig rig("v1", parts, "0 = 1\n1 = 2\n2 = 0\n");
  REQUIRE_OK(rig.hal().ensure_partitions());
  REQUIRE_OK(rig.hal().assign_cpu(0, 0));
  REQUIRE_OK(rig.hal().assign_cpu(1, 0));
  REQUIRE_OK(rig.hal().assign_cpu(2, 1));
  auto zero = rig.hal().park_cpu(0);
  REQUIRE_FALSE(zero.ok());
  CHECK_THAT(zero.error().message, Catch::Contains("CPU 0 is never parked"));
  REQUIRE_OK(rig.hal().park_cpu(2));
  CHECK(rig.r("/sys/devices/system/cpu/online") == "0-1,3");
  CHECK(rig.r(V1 + "/shoal/b/cpuset.cpus").empty());
  auto busy = rig.hal().assign_cpu(2, 1);  // an offline CPU cannot be given
  REQUIRE_FALSE(busy.ok());
  CHECK_THAT(busy.error().message, Catch::Contains("CPU 2 is offline (parked)"));
  REQUIRE_OK(rig.hal().unpark_cpu(2));
  CHECK(rig.r(V1 + "/shoal/b/cpuset.cpus").empty());  // v1 never gives it back by itself
  Desired want;
  want.processors = {{0, 0}, {1, 1}, {2, 0}};  // processor = host CPU: 0 = 1, 1 = 2, 2 = 0
  auto rep = reconcile(rig.hal(), rig.stack.cfg, want, true);
  REQUIRE(rep.ok());
  REQUIRE(rep->found.size() == 1);
  CHECK(rep->found[0].kind == "cpu-missing");
  CHECK(rep->found[0].cpu == 2);
  CHECK(rep->found[0].repaired);
  CHECK(rep->remaining.empty());
  CHECK(rig.r(V1 + "/shoal/b/cpuset.cpus") == "2");
  // parking through reconcile
  want.processors[1] = kParked;
  rep = reconcile(rig.hal(), rig.stack.cfg, want, true);
  REQUIRE(rep.ok());
  CHECK(rep->remaining.empty());
  CHECK(rig.r("/sys/devices/system/cpu/online") == "0-1,3");
  CHECK(rig.r(V1 + "/shoal/a/cpuset.cpus") == "0-1");
  CHECK(rig.r(V1 + "/shoal/b/cpuset.cpus").empty());
}

TEST_CASE("reconcile: an agent killed mid-move leaves a CPU in two partitions or in none; the restarted agent repairs it",
          "[reconcile]") {
  Rig rig("v1");
  REQUIRE_OK(rig.hal().ensure_partitions());
  REQUIRE_OK(rig.hal().assign_cpu(1, 0));
  REQUIRE_OK(rig.hal().assign_cpu(2, 1));
  REQUIRE(rig.tree->spawn(100) == 0);
  REQUIRE(rig.tree->write(V1 + "/shoal/a/tasks", "100") == 0);
  // killed after growing b, before shrinking a (the non-exclusive order)
  REQUIRE(rig.tree->write(V1 + "/shoal/b/cpuset.cpus", "0-2") == 0);
  Desired want;
  want.processors = {{0, 1}, {1, 1}};
  want.cache_ways = {{0, 2}, {1, 4}};
  want.bandwidth = {{1, 40}};

  // a fresh agent: report only, then repair
  Stack fresh = open_stack(rig.dir.path(), rig.text);
  auto report = reconcile(fresh.hal(), fresh.cfg, want, false);
  REQUIRE(report.ok());
  std::set<std::string> kinds;
  for (const auto& d : report->found) kinds.insert(d.kind);
  CHECK(kinds == std::set<std::string>{"cpu-extra", "cache-ways", "bandwidth", "resctrl-tasks"});
  CHECK(report->remaining.size() == report->found.size());
  CHECK(rig.r(V1 + "/shoal/a/cpuset.cpus") == "0-1");  // report only: untouched

  // a dry run repairs nothing
  Stack dry = open_stack(rig.dir.path(), rig.text, true);
  const auto before = rig.snap();
  auto dr = reconcile(dry.hal(), dry.cfg, want, true);
  REQUIRE(dr.ok());
  CHECK(dr->remaining.size() == dr->found.size());
  CHECK(dr->found.at(0).note == "dry run: nothing was changed");
  CHECK(rig.snap() == before);
  CHECK_FALSE(dry.host->dry->journal().empty());

  auto rep = reconcile(fresh.hal(), fresh.cfg, want, true);
  REQUIRE(rep.ok());
  INFO([&] {
    std::string s;
    for (const auto& e : rep->errors) s += e + "\n";
    for (const auto& d : rep->remaining) s += d.text + "\n";
    return s;
  }());
  CHECK(rep->errors.empty());
  CHECK(rep->remaining.empty());
  for (const auto& d : rep->found) CHECK(d.repaired);
  CHECK(rig.r(V1 + "/shoal/a/cpuset.cpus") == "0");
  CHECK(rig.r(V1 + "/shoal/b/cpuset.cpus") == "0-2");
  CHECK(rig.aff(100).list() == "0");
  CHECK(rig.r(RC + "/shoal-a/schemata") == "L3:0=003\nMB:0=100");
  CHECK(rig.r(RC + "/shoal-b/schemata") == "L3:0=03c\nMB:0= 40");
  CHECK(rig.r(RC + "/shoal-a/tasks") == "100");

  // killed in the other order (shrunk, not yet grown): the CPU is in no partition; a partition
  // cgroup removed by someone else is recreated
  REQUIRE(rig.tree->write(V1 + "/shoal/b/cpuset.cpus", "0,2") == 0);
  REQUIRE(rig.tree->write(V1 + "/tasks", "100") == 0);
  REQUIRE(rig.tree->rmdir(V1 + "/shoal/a") == 0);
  auto again = reconcile(fresh.hal(), fresh.cfg, want, true);
  REQUIRE(again.ok());
  kinds.clear();
  for (const auto& d : again->found) kinds.insert(d.kind);
  CHECK(kinds == std::set<std::string>{"cgroup-missing", "cpu-missing"});
  CHECK(again->remaining.empty());
  CHECK(rig.r(V1 + "/shoal/a/cpuset.cpus") == "0");
  CHECK(rig.r(V1 + "/shoal/b/cpuset.cpus") == "0-2");

  // what cannot be repaired is reported, not hidden: b has a child cgroup using CPU 2, and the
  // desired state moves CPU 2 to a
  REQUIRE(rig.tree->mkdir(V1 + "/shoal/b/sub") == 0);
  REQUIRE(rig.tree->write(V1 + "/shoal/b/sub/cpuset.cpus", "2") == 0);
  want.processors[1] = 0;
  auto stuck = reconcile(fresh.hal(), fresh.cfg, want, true);
  REQUIRE(stuck.ok());
  CHECK_FALSE(stuck->remaining.empty());
  REQUIRE(stuck->errors.size() == 1);
  CHECK_THAT(stuck->errors[0], Catch::Contains("EBUSY"));
  for (const auto& d : stuck->found) {
    CHECK_FALSE(d.repaired);
    CHECK(d.note == "still there after the repair");
  }
}

TEST_CASE("telemetry: per-CPU busy from /proc/stat, per-partition usage, card busy inputs", "[telemetry]") {
  Rig rig("v1");
  REQUIRE_OK(rig.hal().ensure_partitions());
  REQUIRE(rig.tree->mkdir("/sys/fs/cgroup/cpuacct/shoal") == 0);
  REQUIRE(rig.tree->mkdir("/sys/fs/cgroup/cpuacct/shoal/a") == 0);
  auto stat = [&](int busy1, int idle1) {
    return "cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 10 0 0 90 0 0 0 0 0 0\ncpu1 " + std::to_string(busy1) + " 0 0 " +
           std::to_string(idle1) + " 0 0 0 0 0 0\ncpu2 0 0 0 0 0 0 0 0 0 0\nintr 0\n";
  };
  REQUIRE(rig.tree->raw_write("/proc/stat", stat(100, 100)) == 0);
  REQUIRE(rig.tree->raw_write("/sys/fs/cgroup/cpuacct/shoal/a/cpuacct.usage", "1000\n") == 0);
  TelemetrySampler s(rig.hal(), rig.stack.cfg);
  REQUIRE_OK(s.prime());
  REQUIRE(rig.tree->raw_write("/proc/stat", stat(130, 170)) == 0);
  REQUIRE(rig.tree->raw_write("/sys/fs/cgroup/cpuacct/shoal/a/cpuacct.usage", "5001000\n") == 0);
  auto smp = s.sample();
  REQUIRE(smp.ok());
  CHECK(smp->cpu_busy.at(1) == Approx(0.3));
  CHECK(smp->cpu_busy_ticks.at(1) == 30);
  CHECK(smp->cpu_total_ticks.at(1) == 100);
  CHECK(smp->cpu_busy.count(0) == 0);  // no ticks
  CHECK(smp->card_busy_permille.at(0) == 300);
  CHECK(smp->card_busy_permille.count(1) == 0);  // CPU 2 had no ticks either
  CHECK(smp->partition_usage_ns.at(0) == 5000000);
  CHECK(smp->partition_usage_ns.count(1) == 0);  // no cpuacct cgroup for b
  bool b_unavailable = false;
  for (const auto& u : smp->unavailable) b_unavailable = b_unavailable || u.find("partition 'b' CPU usage") == 0;
  CHECK(b_unavailable);
  // counters that go backwards (the CPU was unplugged and came back) are not a sample
  REQUIRE(rig.tree->raw_write("/proc/stat", stat(10, 10)) == 0);
  auto back = s.sample();
  REQUIRE(back.ok());
  CHECK(back->cpu_busy.count(1) == 0);

  // cgroup v2: cpu.stat usage_usec
  shoal::test::TempDir d("shoal-agent-hal");
  FileTreeSpec v2spec;
  v2spec.cgroup = "v2";
  auto t2 = FileTree::create((d.path() / "t").string(), v2spec);
  REQUIRE(t2.ok());
  REQUIRE((*t2)->mkdir("/sys/fs/cgroup/p") == 0);
  REQUIRE((*t2)->raw_write("/sys/fs/cgroup/p/cpu.stat", "usage_usec 1234\nuser_usec 1000\n") == 0);
  auto u = read_cgroup_usage_ns(**t2, "/sys/fs/cgroup/p");
  REQUIRE(u.ok());
  CHECK(*u == 1234000ULL);
  REQUIRE((*t2)->raw_write("/sys/fs/cgroup/p/cpu.stat", "user_usec 1000\n") == 0);
  CHECK_FALSE(read_cgroup_usage_ns(**t2, "/sys/fs/cgroup/p").ok());
}

namespace {

class ListSource final : public DecisionSource {
 public:
  ListSource(std::deque<Decision> d, std::atomic<bool>& stop) : d_(std::move(d)), stop_(stop) {}
  shoal::Result<std::optional<Decision>> next(std::chrono::milliseconds) override {
    if (d_.empty()) {
      stop_ = true;
      return std::optional<Decision>();
    }
    Decision x = d_.front();
    d_.pop_front();
    return std::optional<Decision>(x);
  }

 private:
  std::deque<Decision> d_;
  std::atomic<bool>& stop_;
};

class Recorder final : public Acknowledger, public TelemetrySink {
 public:
  shoal::Status acknowledge(const Ack& a) override {
    acks.push_back(a);
    return {};
  }
  shoal::Status publish(const TelemetrySample& s) override {
    samples.push_back(s);
    return {};
  }
  std::vector<Ack> acks;
  std::vector<TelemetrySample> samples;
};

}  // namespace

TEST_CASE("the decision/acknowledgement seam: each decision applied and acknowledged in order", "[agent]") {
  Rig rig("v1");
  REQUIRE_OK(rig.hal().ensure_partitions());
  REQUIRE(rig.tree->raw_write("/proc/stat", "cpu0 1 0 0 1 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0\n") == 0);
  using K = Decision::Kind;
  std::deque<Decision> ds = {
      {K::assign, 1, 0, 1, 0},        // processor 0 (CPU 1) -> b
      {K::release, 2, 0, -1, 0},      // quiesce processor 0
      {K::assign, 3, 0, 0, 0},        // resume it in a
      {K::assign, 4, 9, 0, 0},        // a processor the configuration does not have
      {K::assign, 5, 1, 7, 0},        // a partition it does not have
      {K::cache_ways, 6, -1, 0, 4},   //
      {K::cache_ways, 7, -1, 1, 1},   // below min_cbm_bits
      {K::bandwidth, 8, -1, 1, 30},   //
      {K::park, 9, 1, -1, 0},         // processor 1 = CPU 2
      {K::unpark, 10, 1, -1, 0},
  };
  std::atomic<bool> stop{false};
  ListSource src(ds, stop);
  Recorder rec;
  Agent agent(rig.hal(), rig.stack.cfg);
  REQUIRE_OK(agent.run(src, rec, &rec, stop));
  REQUIRE(rec.acks.size() == ds.size());
  for (std::size_t i = 0; i < ds.size(); ++i) CHECK(rec.acks[i].seq == ds[i].seq);
  using S = Ack::Status;
  CHECK(rec.acks[0].status == S::resumed);
  CHECK(rec.acks[1].status == S::quiesced);
  CHECK(rec.acks[2].status == S::resumed);
  CHECK(rec.acks[3].status == S::failed);
  CHECK_THAT(rec.acks[3].reason, Catch::Contains("card processor 9 is not in the configuration"));
  CHECK(rec.acks[4].status == S::failed);
  CHECK_THAT(rec.acks[4].reason, Catch::Contains("unknown partition 7"));
  CHECK(rec.acks[5].status == S::resumed);
  CHECK(rec.acks[6].status == S::failed);
  CHECK_THAT(rec.acks[6].reason, Catch::Contains("min_cbm_bits"));
  CHECK(rec.acks[7].status == S::resumed);
  CHECK(rec.acks[8].status == S::quiesced);
  CHECK(rec.acks[9].status == S::resumed);
  CHECK(agent.cache_ways() == std::map<int, int>{{0, 4}});  // the refused grant is not remembered
  CHECK(rig.r(V1 + "/shoal/a/cpuset.cpus") == "0-1");
  CHECK(rig.r(V1 + "/shoal/b/cpuset.cpus") == "0");
  CHECK(rig.r("/sys/devices/system/cpu/online") == "0-3");
  CHECK(rig.r(RC + "/shoal-b/schemata") == "L3:0=7ff\nMB:0= 30");
  CHECK_FALSE(rec.samples.empty());
}

TEST_CASE("HAL with resctrl only (cpuset = \"none\"): cache ways reconcile, CPU moves are refused clearly", "[hal][resctrl]") {
  Rig rig("v1", "", "0 = 1\n1 = 2\n", "resctrl = \"on\"\n");
  Stack only = open_stack(rig.dir.path(),
                          tree_config(rig.tree->root(), "none", "resctrl = \"on\"\nhotplug = \"off\"\n"));
  CHECK(only.hal().backends() == "resctrl on file tree " + rig.tree->root());
  REQUIRE_OK(only.hal().ensure_partitions());
  CHECK_FALSE(rig.tree->exists(V1 + "/shoal"));  // no cpuset work at all
  auto move = only.hal().assign_cpu(1, 0);
  REQUIRE_FALSE(move.ok());
  CHECK_THAT(move.error().message, Catch::Contains("cpuset: disabled in the configuration"));
  Desired want;
  want.cache_ways = {{0, 3}, {1, 3}};
  auto rep = reconcile(only.hal(), only.cfg, want, true);
  REQUIRE(rep.ok());
  REQUIRE(rep->found.size() == 2);
  for (const auto& d : rep->found) {
    CHECK(d.kind == "cache-ways");
    CHECK(d.repaired);
  }
  CHECK(rig.r(RC + "/shoal-b/schemata") == "L3:0=038\nMB:0=100");
}
