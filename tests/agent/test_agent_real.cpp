// shoal-agent on this machine's real cgroup cpuset: CPU 1 moves between two partition cgroups
// that hold live processes, and sched_getaffinity of every process (and thread) follows; the
// move back restores it; a refusal by the kernel is rolled back; bad input changes nothing; the
// file tree's v1 errnos are compared with the kernel's, write for write; cpuacct telemetry.
//
// Run as `agent-real-cpuset v1` or `... v2`. Where the interface is absent or not writable it
// prints why and exits 77 (CTest SKIP_RETURN_CODE): skipped, not passed. Throwaway cgroups are
// named shoal-agent-test-<pid> and removed at the end, also on failure (and stale ones of dead
// runs are swept first). Child processes are bounded: alarm(60) and PR_SET_PDEATHSIG.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>

#include "agent_support.hpp"
#include "file_tree_internal.hpp"
#include "telemetry.hpp"

using namespace shoal::agent;
using namespace shoal::agent::test;

namespace {

std::string g_flavor = "v1";
std::string g_mount;     // the cpuset hierarchy (v1) or the cgroup2 mount (v2)
std::string g_cpuacct;   // v1 cpuacct hierarchy ("" if none)

std::string host_read(const std::string& p) {
  std::string s;
  HostFs h;
  if (h.read(p, s) != 0) return "<unreadable>";
  return std::string(trim(s));
}

int host_write(const std::string& p, const std::string& v) {
  HostFs h;
  return h.write(p, v);
}

CpuMask affinity_of(pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(::sched_getaffinity(tid, sizeof set, &set) == 0);
  CpuMask m;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) m.set(c);
  return m;
}

std::vector<pid_t> threads_of(pid_t pid) {
  std::vector<pid_t> v;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec))
    v.push_back(std::atoi(e.path().filename().c_str()));
  return v;
}

void* sleeper(void*) {
  for (;;) ::pause();
  return nullptr;
}

// A live process for the test: sleeps (with `threads` extra threads) or spins `spin` iterations
// then sleeps. Dies by itself after 60 s and with its parent.
pid_t start_child(int threads, long long spin = 0) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::alarm(60);
    for (int i = 0; i < threads; ++i) {
      pthread_t t;
      ::pthread_create(&t, nullptr, sleeper, nullptr);
    }
    volatile unsigned long long x = 0;
    for (long long i = 0; i < spin; ++i) x = x + static_cast<unsigned long long>(i);
    for (;;) ::pause();
  }
  REQUIRE(pid > 0);
  return pid;
}

// The throwaway cgroups of one test and its children; everything is removed in the destructor.
struct Scratch {
  explicit Scratch(const std::string& name) {
    dir = g_mount + "/shoal-agent-test-" + std::to_string(::getpid()) + "-" + name;
    REQUIRE(HostFs().mkdir(dir) == 0);
    made.push_back(dir);
    if (g_flavor == "v1") {
      REQUIRE(host_write(dir + "/cpuset.cpus", host_read(g_mount + "/cpuset.cpus") + "\n") == 0);
      REQUIRE(host_write(dir + "/cpuset.mems", host_read(g_mount + "/cpuset.mems") + "\n") == 0);
    } else {
      REQUIRE(host_write(dir + "/cgroup.subtree_control", "+cpuset\n") == 0);
    }
  }
  ~Scratch() {
    for (pid_t p : children) {
      ::kill(p, SIGKILL);
      ::waitpid(p, nullptr, 0);
    }
    std::vector<std::string> all;  // every directory below `made`, deepest first
    for (const auto& m : made) {
      std::error_code ec;
      for (const auto& e : fs::recursive_directory_iterator(m, ec))
        if (e.is_directory()) all.push_back(e.path().string());
      all.push_back(m);
    }
    std::sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& d : all) {
      for (int i = 0; i < 100 && ::rmdir(d.c_str()) != 0 && errno == EBUSY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  pid_t child(int threads = 0, long long spin = 0) {
    children.push_back(start_child(threads, spin));
    return children.back();
  }
  void attach(pid_t pid, const std::string& cg) { REQUIRE(host_write(cg + "/cgroup.procs", std::to_string(pid) + "\n") == 0); }
  std::string dir;
  std::vector<std::string> made;
  std::vector<pid_t> children;
};

// Removes throwaway cgroups left by runs that died (their pid is gone, they are older than ten
// minutes and hold no tasks: rmdir refuses populated cgroups).
void sweep_stale(const std::string& mount) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(mount, ec)) {
    const std::string n = e.path().filename().string();
    if (!e.is_directory() || !n.starts_with("shoal-agent-test-")) continue;
    const int pid = std::atoi(n.c_str() + std::strlen("shoal-agent-test-"));
    if (pid > 0 && ::kill(pid, 0) == 0) continue;  // a live run owns it
    // and only when it is old: a run elsewhere (another PID namespace) might be using it
    const auto age = fs::file_time_type::clock::now() - fs::last_write_time(e.path(), ec);
    if (ec || age < std::chrono::minutes(10)) continue;
    std::vector<std::string> all;
    for (const auto& s : fs::recursive_directory_iterator(e.path(), ec))
      if (s.is_directory()) all.push_back(s.path().string());
    all.push_back(e.path().string());
    std::sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& d : all) ::rmdir(d.c_str());
  }
}

std::string config_for(const Scratch& s, const std::string& partitions, const std::string& processors) {
  return "[hal]\ncpuset = \"" + g_flavor + "\"\ncpuset_mount = \"" + g_mount +
         "\"\nresctrl = \"off\"\nhotplug = \"off\"\n\n" + partitions + "\n[processors]\n" + processors;
  (void)s;
}

std::string two_partitions(const Scratch& s) {
  return "[[partition]]\nid = 0\nname = \"a\"\ncgroup = \"" + s.dir + "/a\"\nfixed_cpus = \"0\"\n\n" +
         "[[partition]]\nid = 1\nname = \"b\"\ncgroup = \"" + s.dir + "/b\"\nfixed_cpus = \"0\"\n";
}

#define REQUIRE_OK(expr)                       \
  do {                                         \
    auto _r = (expr);                          \
    INFO((_r.ok() ? "" : _r.error().message)); \
    REQUIRE(_r.ok());                          \
  } while (0)

}  // namespace

TEST_CASE("real cpuset: CPU 1 moves between partitions holding live processes; affinity follows and is restored",
          "[real]") {
  Scratch s("move");
  shoal::test::TempDir tmp("shoal-agent-real");
  Stack st = open_stack(tmp.path(), config_for(s, two_partitions(s), "0 = 1\n"));
  REQUIRE(st.host->info.cpuset.flavor == g_flavor);
  REQUIRE_OK(st.hal().ensure_partitions());
  const std::string a = s.dir + "/a", b = s.dir + "/b";
  CHECK(host_read(a + "/cpuset.cpus") == "0");
  REQUIRE_OK(st.hal().assign_cpu(1, 0));
  CHECK(host_read(a + "/cpuset.cpus") == "0-1");
  CHECK(host_read(b + "/cpuset.cpus") == "0");

  const pid_t one = s.child();
  const pid_t three = s.child(2);  // three threads
  s.attach(one, a);
  s.attach(three, b);
  for (int i = 0; i < 200 && threads_of(three).size() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(threads_of(three).size() == 3);
  CHECK(affinity_of(one).list() == "0-1");
  for (pid_t t : threads_of(three)) CHECK(affinity_of(t).list() == "0");

  REQUIRE_OK(st.hal().assign_cpu(1, 1));
  CHECK(host_read(a + "/cpuset.cpus") == "0");
  CHECK(host_read(b + "/cpuset.cpus") == "0-1");
  CHECK(affinity_of(one).list() == "0");
  for (pid_t t : threads_of(three)) CHECK(affinity_of(t).list() == "0-1");
  auto state = st.hal().read_state();
  REQUIRE(state.ok());
  CHECK(state->find(1)->tasks.size() == 3);

  REQUIRE_OK(st.hal().assign_cpu(1, 0));  // back
  CHECK(affinity_of(one).list() == "0-1");
  for (pid_t t : threads_of(three)) CHECK(affinity_of(t).list() == "0");
  CHECK(host_read(a + "/cpuset.cpus") == "0-1");
  CHECK(host_read(b + "/cpuset.cpus") == "0");
}

TEST_CASE("real cpuset: the kernel's refusal midway is rolled back; bad input changes nothing", "[real]") {
  Scratch s("refuse");
  shoal::test::TempDir tmp("shoal-agent-real");
  Stack st = open_stack(tmp.path(), config_for(s, two_partitions(s), "0 = 1\n"));
  REQUIRE_OK(st.hal().ensure_partitions());
  const std::string a = s.dir + "/a", b = s.dir + "/b";
  REQUIRE_OK(st.hal().assign_cpu(1, 1));
  const pid_t p = s.child();
  s.attach(p, a);
  // a child cgroup of b uses CPU 1: the kernel refuses to take CPU 1 from b
  REQUIRE(HostFs().mkdir(b + "/sub") == 0);
  if (g_flavor == "v1") REQUIRE(host_write(b + "/sub/cpuset.mems", host_read(b + "/cpuset.mems") + "\n") == 0);
  const int sub = host_write(b + "/sub/cpuset.cpus", "1\n");
  if (g_flavor == "v1") {
    REQUIRE(sub == 0);
    auto r = st.hal().assign_cpu(1, 0);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("EBUSY") && Catch::Contains("rolled back"));
    CHECK(host_read(a + "/cpuset.cpus") == "0");
    CHECK(host_read(b + "/cpuset.cpus") == "0-1");
    CHECK(affinity_of(p).list() == "0");
  }
  ::rmdir((b + "/sub").c_str());
  // unknown partition, a CPU that does not exist, a CPU that is not the card's: nothing changes
  const std::string ca = host_read(a + "/cpuset.cpus"), cb = host_read(b + "/cpuset.cpus");
  CHECK_THAT(st.hal().assign_cpu(1, 9).error().message, Catch::Contains("unknown partition 9"));
  CHECK_THAT(st.hal().assign_cpu(4095, 0).error().message, Catch::Contains("does not exist"));
  CHECK_THAT(st.hal().assign_cpu(0, 0).error().message, Catch::Contains("not one of the card's processors"));
  // a configuration naming a CPU this host does not have is refused before the HAL is built
  std::vector<ConfigError> errors;
  write_text(tmp.path() / "bad.toml", config_for(s, two_partitions(s), "0 = 1\n1 = 4095\n"));
  auto bad = load_config((tmp.path() / "bad.toml").string(), errors);
  REQUIRE(bad.ok());
  const auto host_errors = check_config_against_host(*bad, st.host->info);
  REQUIRE(host_errors.size() == 1);
  CHECK_THAT(host_errors[0].text(), Catch::Contains("processors.1") && Catch::Contains("host CPU 4095 does not exist"));
  CHECK(host_read(a + "/cpuset.cpus") == ca);
  CHECK(host_read(b + "/cpuset.cpus") == cb);
  CHECK(affinity_of(p).list() == ca);
}

TEST_CASE("real cpuset: a partition holding processes is never left without CPUs", "[real]") {
  Scratch s("last");
  shoal::test::TempDir tmp("shoal-agent-real");
  const std::string parts = "[[partition]]\nid = 0\nname = \"a\"\ncgroup = \"" + s.dir + "/a\"\nfixed_cpus = \"0\"\n\n" +
                            "[[partition]]\nid = 2\nname = \"c\"\ncgroup = \"" + s.dir + "/c\"\n";
  Stack st = open_stack(tmp.path(), config_for(s, parts, "0 = 1\n"));
  REQUIRE_OK(st.hal().ensure_partitions());
  REQUIRE_OK(st.hal().assign_cpu(1, 2));
  const pid_t p = s.child();
  s.attach(p, s.dir + "/c");
  CHECK(affinity_of(p).list() == "1");
  auto r = st.hal().assign_cpu(1, 0);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("no CPU left but holds 1 live task"));
  CHECK(host_read(s.dir + "/c/cpuset.cpus") == "1");
  CHECK(affinity_of(p).list() == "1");
  if (g_flavor == "v1") CHECK(host_write(s.dir + "/c/cpuset.cpus", "\n") == ENOSPC);  // what the kernel would say
}

TEST_CASE("real cpuset v1: the file tree returns the kernel's errnos, write for write", "[real][v1]") {
  if (g_flavor != "v1") return;
  Scratch s("diff");
  shoal::test::TempDir tmp("shoal-agent-real");
  FileTreeSpec spec;
  spec.cpus = std::atoi(host_read("/sys/devices/system/cpu/possible").substr(host_read("/sys/devices/system/cpu/possible").rfind('-') + 1).c_str()) + 1;
  auto tree = FileTree::create((tmp.path() / "t").string(), spec);
  REQUIRE(tree.ok());
  FileTree& t = **tree;
  const pid_t p = s.child();
  REQUIRE(t.spawn(p) == 0);
  // the same operations on both, relative to a parent that has all CPUs and nodes
  const std::string tp = "/sys/fs/cgroup/cpuset/shoal-agent-diff";
  REQUIRE(t.mkdir(tp) == 0);
  REQUIRE(t.write(tp + "/cpuset.cpus", host_read(s.dir + "/cpuset.cpus")) == 0);
  REQUIRE(t.write(tp + "/cpuset.mems", host_read(s.dir + "/cpuset.mems")) == 0);
  const std::string big = std::to_string(spec.cpus + 3);
  struct Op {
    const char* op;  // "w" write, "m" mkdir, "r" rmdir
    std::string path, value;
  };
  const std::vector<Op> ops = {
      {"m", "/d", ""},
      {"m", "/d", ""},                               // EEXIST
      {"m", "/x/y", ""},                             // ENOENT
      {"w", "/d/cpuset.cpus", big + "\n"},           // ERANGE
      {"w", "/d/cpuset.cpus", "abc\n"},              // EINVAL
      {"w", "/d/cpuset.cpus", "1\n"},
      {"w", "/d/tasks", std::to_string(p) + "\n"},   // ENOSPC: no memory nodes yet
      {"w", "/d/cpuset.mems", "0\n"},
      {"w", "/d/tasks", "abc\n"},                    // EINVAL
      {"w", "/d/tasks", "999999999\n"},              // ESRCH
      {"w", "/d/tasks", std::to_string(p) + "\n"},
      {"w", "/d/cpuset.cpus", "\n"},                 // ENOSPC: populated
      {"w", "/d/cpuset.effective_cpus", "1\n"},      // EINVAL: read-only
      {"m", "/d/e", ""},
      {"w", "/d/e/cpuset.cpus", "0\n"},              // EACCES: not a subset of d
      {"w", "/d/e/cpuset.cpus", "1\n"},
      {"w", "/d/cpuset.cpus", "0\n"},                // EBUSY: e uses CPU 1
      {"w", "/d/cpuset.cpu_exclusive", "1\n"},       // EACCES: the parent is not exclusive
      {"w", "/d/cpuset.cpu_exclusive", "x\n"},       // EINVAL
      {"r", "/d", ""},                               // EBUSY: has a child
      {"r", "/d/e", ""},
      {"r", "/d", ""},                               // EBUSY: has a task
      {"w", "/d/cpuset.cpus", "0-1\n"},
      {"w", "/d/cpuset.sched_load_balance", "0\n"},
  };
  for (const auto& op : ops) {
    INFO(op.op << " " << op.path << " " << quoted(op.value));
    int real = 0, emu = 0;
    if (op.op == std::string("m")) {
      real = HostFs().mkdir(s.dir + op.path);
      emu = t.mkdir(tp + op.path);
    } else if (op.op == std::string("r")) {
      real = HostFs().rmdir(s.dir + op.path);
      emu = t.rmdir(tp + op.path);
    } else {
      real = host_write(s.dir + op.path, op.value);
      emu = t.write(tp + op.path, op.value);
    }
    CHECK(errno_name(emu) == errno_name(real));
    if (op.op == std::string("w") && real == 0 && op.path.find("tasks") == std::string::npos) {
      std::string es;
      REQUIRE(t.read(tp + op.path, es) == 0);
      CHECK(std::string(trim(es)) == host_read(s.dir + op.path));
    }
  }
  CpuMask emu_aff;
  REQUIRE(t.get_affinity(p, emu_aff) == 0);
  CHECK(emu_aff == affinity_of(p));
  // the top cpuset is read-only in both (the same value is written, in case it were not)
  CHECK(errno_name(t.write("/sys/fs/cgroup/cpuset/cpuset.cpus", host_read(g_mount + "/cpuset.cpus") + "\n")) ==
        errno_name(host_write(g_mount + "/cpuset.cpus", host_read(g_mount + "/cpuset.cpus") + "\n")));
}

TEST_CASE("real telemetry: /proc/stat and the partitions' CPU usage", "[real][telemetry]") {
  if (g_flavor == "v1" && g_cpuacct.empty()) {
    WARN("no cgroup v1 cpuacct hierarchy: per-partition usage not tested");
    return;
  }
  Scratch s("tel");
  shoal::test::TempDir tmp("shoal-agent-real");
  Stack st = open_stack(tmp.path(), config_for(s, two_partitions(s), "0 = 1\n"));
  REQUIRE_OK(st.hal().ensure_partitions());
  REQUIRE_OK(st.hal().assign_cpu(1, 0));
  const auto& specs = st.hal().settings().partitions;
  if (g_flavor == "v1") {
    // the cpuacct twins of the partition cgroups (the same relative paths)
    Scratch* owner = &s;
    const std::string base = g_cpuacct + s.dir.substr(g_mount.size());
    REQUIRE(HostFs().mkdir(base) == 0);
    owner->made.push_back(base);
    for (const auto& p : specs) REQUIRE(HostFs().mkdir(p.usage_cgroup) == 0);
  }
  TelemetrySampler sampler(st.hal(), st.cfg);
  REQUIRE_OK(sampler.prime());
  const pid_t busy = s.child(0, 300'000'000LL);  // spins, then sleeps
  const pid_t idle = s.child();
  s.attach(busy, specs[0].cgroup);
  s.attach(idle, specs[1].cgroup);
  s.attach(busy, specs[0].usage_cgroup);
  s.attach(idle, specs[1].usage_cgroup);
  // wait (bounded) until the spinner has used some CPU time
  for (int i = 0; i < 300; ++i) {
    std::string stat = host_read("/proc/" + std::to_string(busy) + "/stat");
    const auto f = ftree::split_ws(stat.substr(stat.rfind(')') + 2));
    if (f.size() > 12 && std::atoll(f[11].c_str()) + std::atoll(f[12].c_str()) >= 5) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto smp = sampler.sample();
  REQUIRE(smp.ok());
  INFO([&] {
    std::string u;
    for (const auto& x : smp->unavailable) u += x + "\n";
    return u;
  }());
  const CpuMask online = st.host->info.online;
  for (int c : online.cpus()) {
    REQUIRE(smp->cpu_total_ticks.count(c));
    CHECK(smp->cpu_total_ticks.at(c) > 0);
  }
  REQUIRE(smp->partition_usage_ns.count(0));
  REQUIRE(smp->partition_usage_ns.count(1));
  CHECK(smp->partition_usage_ns.at(0) > smp->partition_usage_ns.at(1));
  CHECK(smp->partition_usage_ns.at(0) > 0);
  CHECK(smp->card_busy_permille.count(0) == 1);
  CHECK(smp->card_busy_permille.at(0) <= 1000);
}

int main(int argc, char** argv) {
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "v1" || a == "v2") g_flavor = a;
    else rest.push_back(argv[i]);
  }
  auto skip = [](const std::string& why) {
    std::cout << "SKIPPED (cgroup " << g_flavor << "): " << why << "\n";
    return 77;
  };
  HostFs h;
  HalSettings s;
  s.cpuset = g_flavor;
  const HalInfo info = probe_host(h, s);
  if (!info.problem.empty()) return skip(info.problem);
  if (info.cpuset.flavor != g_flavor) return skip(info.cpuset.problem);
  g_mount = info.cpuset.mount;
  g_cpuacct = info.cpuset.cpuacct_mount;
  if (!info.online.test(0) || !info.online.test(1)) return skip("needs CPUs 0 and 1 online (online: " + info.online.list() + ")");
  if (g_flavor == "v2") {
    std::string sc = host_read(g_mount + "/cgroup.subtree_control");
    if (sc.find("cpuset") == std::string::npos)
      return skip("the cgroup2 root does not hand the cpuset controller down (cgroup.subtree_control: \"" + sc +
                  "\"); enabling it for the whole machine is not a test's business");
  }
  sweep_stale(g_mount);
  if (!g_cpuacct.empty()) sweep_stale(g_cpuacct);
  const std::string probe = g_mount + "/shoal-agent-test-" + std::to_string(::getpid()) + "-probe";
  if (const int e = h.mkdir(probe)) return skip("cannot create a cgroup under " + g_mount + ": " + errno_text(e));
  ::rmdir(probe.c_str());
  std::cout << "real cgroup " << g_flavor << " cpuset at " << g_mount << (g_cpuacct.empty() ? "" : ", cpuacct at " + g_cpuacct)
            << "; CPUs online " << info.online.list() << "\n";
  return Catch::Session().run(static_cast<int>(rest.size()), rest.data());
}
