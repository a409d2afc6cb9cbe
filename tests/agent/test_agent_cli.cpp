// build/bin/shoal-agent as a program: help, --check (text and --json), refused configurations
// with file:line, the manual commands over a file tree, dry runs, exit codes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "agent_support.hpp"

using namespace shoal::agent;
using namespace shoal::agent::test;
using json = nlohmann::json;

namespace {

struct Cli {
  explicit Cli(const std::string& cgroup = "v1", const std::string& processors = "0 = 1\n1 = 2\n") : dir("shoal-agent-cli") {
    tree = (dir.path() / "tree").string();
    auto r = agent({"file-tree", "init", tree, "--cpus", "4", "--cgroup", cgroup});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    config = (dir.path() / "agent.toml").string();
    write_text(config, tree_config(tree, cgroup, "", "", processors));
  }
  RunResult agent(std::vector<std::string> args) const {
    args.insert(args.begin(), SHOAL_TEST_AGENT);
    return run(args);
  }
  RunResult with_config(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--config", config});
    return agent(args);
  }
  std::map<std::string, std::string> snap() const { return snapshot(tree); }
  std::string r(const std::string& p) const { return std::string(trim(read_text(tree + p))); }
  shoal::test::TempDir dir;
  std::string tree, config;
};

json parse(const RunResult& r) {
  INFO(r.out << r.err);
  REQUIRE_NOTHROW(json::parse(r.out));
  return json::parse(r.out);
}

}  // namespace

TEST_CASE("shoal-agent --help and usage errors", "[cli]") {
  Cli c;
  auto h = c.agent({"--help"});
  CHECK(h.exit_code == 0);
  CHECK_THAT(h.out, Catch::Contains("--check") && Catch::Contains("apply") && Catch::Contains("reconcile") &&
                        Catch::Contains("Exit codes") && Catch::Contains("--dry-run"));
  auto ah = c.agent({"apply", "--help"});
  CHECK(ah.exit_code == 0);
  CHECK_THAT(ah.out, Catch::Contains("--proc") && Catch::Contains("--partition"));
  auto none = c.with_config({});
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("nothing to do"));
  auto bad = c.with_config({"apply", "--proc"});
  CHECK(bad.exit_code == 2);
  auto pct = c.with_config({"bandwidth", "--partition", "a", "--percent", "101"});
  CHECK(pct.exit_code == 2);
}

TEST_CASE("shoal-agent --check over a file tree: text and JSON", "[cli]") {
  Cli c;
  auto t = c.with_config({"--check"});
  INFO(t.out << t.err);
  CHECK(t.exit_code == 0);
  CHECK_THAT(t.out, Catch::Contains("configuration " + c.config + ": ok (2 partition(s), 2 card processor(s)") &&
                        Catch::Contains("cpuset    cgroup v1 at /sys/fs/cgroup/cpuset") &&
                        Catch::Contains("L3 cbm_mask 7ff (11 ways), min_cbm_bits 2") &&
                        Catch::Contains("hotplug   CPUs 1-3 hot-pluggable") && Catch::Contains("check: ok"));
  auto j = parse(c.with_config({"--check", "--json"}));
  CHECK(j["ok"] == true);
  CHECK(j["cpuset"]["flavor"] == "v1");
  CHECK(j["resctrl"]["cbm_len"] == 11);
  CHECK(j["cpus"]["possible"] == "0-3");
  CHECK(j["partitions"].size() == 2);
  CHECK(j["partitions"][0]["exists"] == false);
  CHECK(j["processors"][1]["cpu"] == 2);
  CHECK(j["problems"].empty());

  Cli v2("v2");
  auto t2 = v2.with_config({"--check"});
  CHECK(t2.exit_code == 0);
  CHECK_THAT(t2.out, Catch::Contains("cgroup v2 at /sys/fs/cgroup "));
}

TEST_CASE("shoal-agent refuses bad configurations at start: file, line, key, reason; nothing changed", "[cli]") {
  Cli c;
  const auto before = c.snap();
  write_text(c.config, read_text(c.config) + "[hal.extra]\n");
  auto r = c.with_config({"--check"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::Contains("REFUSED") && Catch::Contains(c.config + ":"));
  auto j = parse(c.with_config({"--check", "--json"}));
  CHECK(j["ok"] == false);
  bool found = false;
  for (const auto& p : j["problems"]) found = found || (p["key"] == "hal.extra" && p["line"].get<int>() > 0);
  CHECK(found);
  auto a = c.with_config({"apply", "--proc", "0", "--partition", "a"});
  CHECK(a.exit_code == 2);
  CHECK_THAT(a.err, Catch::Contains(c.config) && Catch::Contains("hal.extra: unknown key"));
  auto missing = c.agent({"--config", c.dir.file("nope.toml"), "--check"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.out + missing.err, Catch::Contains("nope.toml") && Catch::Contains("No such file"));

  // a CPU the host (here: the 4-CPU tree) does not have
  Cli big("v1", "0 = 1\n1 = 9\n");
  const auto before_big = big.snap();
  auto n = big.with_config({"apply", "--proc", "0", "--partition", "a"});
  CHECK(n.exit_code == 2);
  CHECK_THAT(n.err, Catch::Contains("processors.1: host CPU 9 does not exist on this host (possible CPUs: 0-3)"));
  auto nc = big.with_config({"--check"});
  CHECK(nc.exit_code == 1);
  CHECK_THAT(nc.out, Catch::Contains("DOES NOT EXIST") && Catch::Contains("check: FAILED"));
  CHECK(big.snap() == before_big);
  CHECK(c.snap() == before);
}

TEST_CASE("shoal-agent apply, state, dry run, unknown partitions and processors", "[cli]") {
  Cli c;
  auto a = c.with_config({"apply", "--proc", "0", "--partition", "b"});
  INFO(a.out << a.err);
  CHECK(a.exit_code == 0);
  CHECK_THAT(a.out, Catch::Contains("assign card processor 0 (host CPU 1) to partition 1 'b': resumed"));
  CHECK(c.r("/sys/fs/cgroup/cpuset/shoal/b/cpuset.cpus") == "0-1");
  auto s = parse(c.with_config({"state", "--json"}));
  CHECK(s["processors"]["0"]["partitions"] == json::array({1}));
  CHECK(s["partitions"][0]["cpus"] == "0");

  const auto before = c.snap();
  auto d = c.with_config({"--dry-run", "apply", "--proc", "0", "--partition", "a"});
  CHECK(d.exit_code == 0);
  CHECK_THAT(d.out, Catch::Contains("dry run: nothing was changed") &&
                        Catch::Contains("write '0-1\\n' to /sys/fs/cgroup/cpuset/shoal/a/cpuset.cpus") &&
                        Catch::Contains("write '0\\n' to /sys/fs/cgroup/cpuset/shoal/b/cpuset.cpus"));
  CHECK(c.snap() == before);
  auto u = c.with_config({"apply", "--proc", "0", "--partition", "zzz"});
  CHECK(u.exit_code == 2);
  CHECK_THAT(u.err, Catch::Contains("unknown partition 'zzz'") && Catch::Contains("0 (a), 1 (b)") &&
                        Catch::Contains("nothing changed"));
  auto p = c.with_config({"apply", "--proc", "9", "--partition", "a"});
  CHECK(p.exit_code == 2);
  CHECK_THAT(p.err, Catch::Contains("card processor 9 is not in"));
  CHECK(c.snap() == before);
  auto j = parse(c.with_config({"--json", "apply", "--proc", "0", "--partition", "0"}));
  CHECK(j["status"] == "resumed");
  CHECK(j["apply_us"].get<double>() > 0);
}

TEST_CASE("shoal-agent cache, bandwidth, park, reconcile and telemetry over a file tree", "[cli]") {
  Cli c;
  REQUIRE(c.with_config({"apply", "--proc", "0", "--partition", "a"}).exit_code == 0);
  auto w = c.with_config({"cache", "--ways", "a=4,b=3"});
  INFO(w.out << w.err);
  CHECK(w.exit_code == 0);
  CHECK(c.r("/sys/fs/resctrl/shoal-b/schemata") == "L3:0=070\nMB:0=100");
  auto bw = c.with_config({"bandwidth", "--partition", "a", "--percent", "5"});
  CHECK(bw.exit_code == 1);
  CHECK_THAT(bw.err, Catch::Contains("the kernel says: MB value 5 out of range [10,100]"));
  CHECK(c.with_config({"park", "--proc", "1"}).exit_code == 0);
  CHECK(c.r("/sys/devices/system/cpu/online") == "0-1,3");
  CHECK(c.with_config({"unpark", "--proc", "1"}).exit_code == 0);
  CHECK(c.r("/sys/devices/system/cpu/online") == "0-3");

  write_text(c.dir.file("want.toml"), "[processors]\n0 = 1\n1 = 1\n[cache_ways]\n0 = 2\n1 = 2\n");
  auto rep = c.with_config({"reconcile", "--desired", c.dir.file("want.toml")});
  CHECK(rep.exit_code == 3);
  CHECK_THAT(rep.out, Catch::Contains("partition 'a' holds CPU 1, which is not its") &&
                          Catch::Contains("partition 'b' lacks CPU 2"));
  auto fix = c.with_config({"reconcile", "--desired", c.dir.file("want.toml"), "--repair"});
  INFO(fix.out << fix.err);
  CHECK(fix.exit_code == 0);
  CHECK_THAT(fix.out, Catch::Contains("the host now matches the desired state"));
  auto again = parse(c.with_config({"--json", "reconcile", "--desired", c.dir.file("want.toml")}));
  CHECK(again["found"].empty());
  write_text(c.dir.file("bad.toml"), "[processors]\n0 = 7\n");
  auto bad = c.with_config({"reconcile", "--desired", c.dir.file("bad.toml")});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("bad.toml:2: processors.0: must be a configured partition id"));

  auto tel = parse(c.with_config({"--json", "telemetry", "--count", "2", "--interval-ms", "1"}));
  CHECK(tel["samples"].size() == 2);
}

TEST_CASE("shoal-agent --check on this host agrees with the HAL's own probe", "[cli]") {
  shoal::test::TempDir d("shoal-agent-cli");
  const std::string cfg = d.file("host.toml");
  write_text(cfg,
             "[hal]\ncpuset = \"auto\"\nresctrl = \"auto\"\nhotplug = \"auto\"\n\n[[partition]]\nid = 0\nname = \"x\"\n"
             "cgroup = \"shoal-agent-check-never-created\"\n\n[processors]\n0 = 0\n");
  auto r = run({SHOAL_TEST_AGENT, "--config", cfg, "--check", "--json"});
  INFO(r.out << r.err);
  CHECK((r.exit_code == 0 || r.exit_code == 1));
  HostFs h;
  HalSettings s;
  const HalInfo info = probe_host(h, s);
  auto j = parse(r);
  CHECK(j["cpuset"]["flavor"] == info.cpuset.flavor);
  CHECK(j["resctrl"]["present"] == info.resctrl.present);
  CHECK(j["cpus"]["online"] == info.online.list());
  CHECK(j["hotplug"]["hotpluggable"] == info.hotplug.hotpluggable.list());
  CHECK_FALSE(fs::exists(info.cpuset.mount + "/shoal-agent-check-never-created"));  // --check creates nothing
}
