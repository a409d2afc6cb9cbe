// shoal-agent units: CPU lists and masks in the kernel's formats, /proc/stat, the cache-way
// layout, schemata parsing, and the configuration file's refusals (file, line, key, reason).
#include <catch2/catch.hpp>

#include <cerrno>
#include <random>
#include <set>

#include "agent_support.hpp"
#include "backends.hpp"
#include "cpumask.hpp"
#include "reconcile.hpp"
#include "telemetry.hpp"

using namespace shoal::agent;
using namespace shoal::agent::test;

namespace {
std::set<int> as_set(const CpuMask& m) {
  const auto v = m.cpus();
  return {v.begin(), v.end()};
}
}  // namespace

TEST_CASE("CPU lists parse and print like the kernel's bitmap_parselist / %*pbl", "[cpumask]") {
  CpuMask m;
  REQUIRE(CpuMask::parse_list("0-3,5\n", 8, m) == 0);
  CHECK(as_set(m) == std::set<int>{0, 1, 2, 3, 5});
  CHECK(m.list() == "0-3,5");
  CHECK(m.count() == 5);
  CHECK(m.first() == 0);
  CHECK(m.last() == 5);
  REQUIRE(CpuMask::parse_list("", 8, m) == 0);
  CHECK(m.empty());
  CHECK(m.list().empty());
  REQUIRE(CpuMask::parse_list("  1 \n", 8, m) == 0);
  CHECK(m.list() == "1");
  // grouped ranges and N (the last bit)
  REQUIRE(CpuMask::parse_list("0-7:2/4", 8, m) == 0);
  CHECK(m.list() == "0-1,4-5");
  REQUIRE(CpuMask::parse_list("2-N", 6, m) == 0);
  CHECK(m.list() == "2-5");
  // the boundary: nbits - 1 is accepted, nbits is ERANGE
  REQUIRE(CpuMask::parse_list("3", 4, m) == 0);
  CHECK(m.list() == "3");
  CHECK(CpuMask::parse_list("4", 4, m) == ERANGE);
  CHECK(CpuMask::parse_list("1-70", 2, m) == ERANGE);
  CHECK(m.list() == "3");  // untouched on failure
  for (const char* bad : {"3-1", "1,", ",1", "a", "1-", "1--2", "0-7:3/2", "0-7:0/4", "0-7:1/0", "1 2", "-1"})
    CHECK(CpuMask::parse_list(bad, 8, m) == EINVAL);
}

TEST_CASE("CPU masks print like %*pb and parse like bitmap_parse", "[cpumask]") {
  CHECK(CpuMask{0, 1}.hex(2) == "3");
  CHECK(CpuMask{}.hex(2) == "0");
  CHECK(CpuMask::range(0, 63).hex(64) == "ffffffff,ffffffff");
  CHECK(CpuMask{32}.hex(40) == "01,00000000");
  CHECK(CpuMask{4}.hex(8) == "10");
  CpuMask m;
  REQUIRE(CpuMask::parse_hex("ff,00000001\n", 64, m) == 0);
  CHECK(m.list() == "0,32-39");
  CHECK(CpuMask::parse_hex("g", 8, m) == EINVAL);
  CHECK(CpuMask::parse_hex("", 8, m) == EINVAL);
  CHECK(CpuMask::parse_hex("100", 8, m) == ERANGE);
  CHECK(CpuMask::parse_hex("123456789", 64, m) == EINVAL);  // more than 8 digits in a group
}

TEST_CASE("CPU masks: random sets round-trip and set operations agree with std::set", "[cpumask]") {
  std::mt19937 rng(17);
  for (int nbits : {1, 2, 31, 32, 33, 63, 64, 65, 200}) {
    for (int round = 0; round < 200; ++round) {
      std::set<int> ref;
      CpuMask m;
      const int n = static_cast<int>(rng() % 12);
      for (int i = 0; i < n; ++i) {
        int c = static_cast<int>(rng() % static_cast<unsigned>(nbits));
        if (round % 5 == 0) c = (i % 2) ? nbits - 1 : 0;  // the boundaries
        ref.insert(c);
        m.set(c);
      }
      REQUIRE(as_set(m) == ref);
      CpuMask back;
      REQUIRE(CpuMask::parse_list(m.list(), nbits, back) == 0);
      REQUIRE(back == m);
      REQUIRE(CpuMask::parse_hex(m.hex(nbits), nbits, back) == 0);
      REQUIRE(back == m);
      CpuMask o;
      std::set<int> oref;
      for (int i = 0; i < 4; ++i) {
        const int c = static_cast<int>(rng() % static_cast<unsigned>(nbits));
        o.set(c);
        oref.insert(c);
      }
      std::set<int> u = ref, in, d;
      u.insert(oref.begin(), oref.end());
      for (int c : ref)
        if (oref.count(c)) in.insert(c);
        else d.insert(c);
      CHECK(as_set(m | o) == u);
      CHECK(as_set(m & o) == in);
      CHECK(as_set(m - o) == d);
      CHECK((m - o).subset_of(m));
      CHECK(m.intersects(o) == !in.empty());
      // equality ignores how the set was built (no trailing zero words)
      CpuMask r = m;
      r.set(nbits + 130);
      r.reset(nbits + 130);
      CHECK(r == m);
    }
  }
}

TEST_CASE("/proc/stat: per-CPU counters, the aggregate line skipped, malformed lines refused", "[telemetry]") {
  const std::string text =
      "cpu  10 0 10 80 0 0 0 0 0 0\n"
      "cpu0 1 2 3 4 5 6 7 8 0 0\n"
      "cpu1 100 0 50 850 0 0 0 0 0 0\n"
      "intr 5 1 2\nctxt 99\n";
  auto r = parse_proc_stat(text);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK(r->at(0).busy() == 1 + 2 + 3 + 6 + 7 + 8);
  CHECK(r->at(0).total() == 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8);
  CHECK(r->at(1).busy() == 150);
  CHECK(r->at(1).total() == 1000);
  CHECK_FALSE(parse_proc_stat("cpu0 1 2 3\n").ok());
  CHECK_FALSE(parse_proc_stat("cpu0 1 2 x 4 5 6 7 8\n").ok());
  CHECK_FALSE(parse_proc_stat("intr 1\n").ok());
}

TEST_CASE("cache ways are laid out as contiguous masks from bit 0, each at least min_cbm_bits", "[resctrl]") {
  auto m = layout_cache_ways({{0, 4}, {1, 2}}, 11, 2);
  REQUIRE(m.ok());
  CHECK(m->at(0) == 0xfUL);
  CHECK(m->at(1) == 0x30UL);
  auto full = layout_cache_ways({{3, 5}, {7, 6}}, 11, 2);  // exactly cbm_len
  REQUIRE(full.ok());
  CHECK(full->at(3) == 0x1fUL);
  CHECK(full->at(7) == 0x7e0UL);
  auto over = layout_cache_ways({{0, 6}, {1, 6}}, 11, 2);
  REQUIRE_FALSE(over.ok());
  CHECK_THAT(over.error().message, Catch::Contains("12 cache ways requested") && Catch::Contains("11"));
  auto small = layout_cache_ways({{0, 1}}, 11, 2);
  REQUIRE_FALSE(small.ok());
  CHECK_THAT(small.error().message, Catch::Contains("min_cbm_bits (2)"));
  CHECK_FALSE(layout_cache_ways({{0, 0}}, 11, 2).ok());
  auto one = layout_cache_ways({{0, 1}}, 4, 1);
  REQUIRE(one.ok());
  CHECK(one->at(0) == 1UL);
}

TEST_CASE("schemata files parse with the kernel's padding", "[resctrl]") {
  const auto s = parse_schemata("    L3:0=000ff;1=fff00\n    MB:0=  100;1=   50\n");
  REQUIRE(s.count("L3"));
  CHECK(s.at("L3").at(0) == 0xffUL);
  CHECK(s.at("L3").at(1) == 0xfff00UL);
  CHECK(s.at("MB").at(0) == 100UL);
  CHECK(s.at("MB").at(1) == 50UL);
}

// ---- configuration ---------------------------------------------------------------------------

namespace {

struct Refused {
  std::vector<ConfigError> errors;
  std::string all;
};

Refused refuse(const std::string& text) {
  shoal::test::TempDir d("shoal-agent-cfg");
  const auto p = d.path() / "agent.toml";
  write_text(p, text);
  Refused r;
  auto cfg = load_config(p.string(), r.errors);
  REQUIRE_FALSE(cfg.ok());
  REQUIRE_FALSE(r.errors.empty());
  CHECK_THAT(cfg.error().message, Catch::Contains(p.string()));
  for (const auto& e : r.errors) {
    CHECK(e.file == p.string());
    r.all += e.text() + "\n";
  }
  return r;
}

const char* kGood = R"([hal]
cpuset = "v1"

[[partition]]
id = 0
name = "db"
cgroup = "shoal/db"

[[partition]]
id = 1
name = "web"
cgroup = "shoal/web"

[processors]
0 = 1
)";

bool has_error(const Refused& r, int line, const std::string& key, const std::string& reason) {
  for (const auto& e : r.errors)
    if ((line == 0 || e.line == line) && e.key == key && e.reason.find(reason) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a good configuration loads", "[config]") {
  shoal::test::TempDir d("shoal-agent-cfg");
  write_text(d.path() / "agent.toml", kGood);
  std::vector<ConfigError> errors;
  auto cfg = load_config((d.path() / "agent.toml").string(), errors);
  REQUIRE(cfg.ok());
  CHECK(errors.empty());
  CHECK(cfg->hal.cpuset == "v1");
  CHECK(cfg->hal.partitions.size() == 2);
  CHECK(cfg->partition_by_name("web")->id == 1);
  CHECK(cfg->processors.at(0) == 1);
  CHECK(cfg->hal.managed.list() == "1");
  CHECK(cfg->processor_line.at(0) == 15);
  CHECK(cfg->mode == "host");
  CHECK(cfg->hal.affinity == AffinityPolicy::verify);
}

TEST_CASE("bad configuration files are refused with the file, line, key and reason", "[config]") {
  {
    std::vector<ConfigError> errors;
    auto cfg = load_config("/nonexistent/shoal/agent.toml", errors);
    REQUIRE_FALSE(cfg.ok());
    CHECK_THAT(cfg.error().message,
               Catch::Contains("/nonexistent/shoal/agent.toml") && Catch::Contains("No such file or directory"));
  }
  auto syntax = refuse("[hal]\ncpuset = \"v1\"\nthis is not toml\n");
  CHECK(syntax.errors.at(0).line == 3);
  CHECK_THAT(syntax.all, Catch::Contains("TOML syntax"));

  std::string typo = kGood;
  typo.replace(typo.find("cpuset = \"v1\""), 13, "cpuset = \"v1\"\ncpuset_mout = \"/x\"");
  auto t = refuse(typo);
  CHECK(has_error(t, 3, "hal.cpuset_mout", "unknown key"));

  std::string dup = kGood;
  dup.replace(dup.find("id = 1"), 6, "id = 0");
  auto d = refuse(dup);
  CHECK(has_error(d, 10, "partition[1].id", "used twice (first at line 5)"));

  std::string dupcg = kGood;
  dupcg.replace(dupcg.find("shoal/web"), 9, "shoal/db");
  CHECK(has_error(refuse(dupcg), 12, "partition[1].cgroup", "used twice (first at line 7)"));

  std::string badenum = kGood;
  badenum.replace(badenum.find("\"v1\""), 4, "\"v3\"");
  CHECK(has_error(refuse(badenum), 2, "hal.cpuset", "\"v3\" is not one of"));

  std::string badkey = kGood;
  badkey += "x = 2\n";
  CHECK(has_error(refuse(badkey), 16, "processors.x", "card processor number"));

  std::string twice = kGood;
  twice += "1 = 1\n";
  CHECK(has_error(refuse(twice), 16, "processors.1", "host CPU 1 is mapped twice (first at line 15)"));

  std::string fixed = kGood;
  fixed.replace(fixed.find("cgroup = \"shoal/db\""), 19, "cgroup = \"shoal/db\"\nfixed_cpus = \"0-1\"");
  CHECK(has_error(refuse(fixed), 4, "partition[0].fixed_cpus", "also card processor 0's CPU"));

  std::string badlist = kGood;
  badlist.replace(badlist.find("cgroup = \"shoal/db\""), 19, "cgroup = \"shoal/db\"\nfixed_cpus = \"0-\"");
  CHECK(has_error(refuse(badlist), 8, "partition[0].fixed_cpus", "not a CPU list"));

  std::string type = kGood;
  type.replace(type.find("id = 0"), 6, "id = \"zero\"");
  CHECK(has_error(refuse(type), 5, "partition[0].id", "must be an integer"));

  std::string name = kGood;
  name.replace(name.find("\"db\""), 4, "\"d b\"");
  CHECK(has_error(refuse(name), 6, "partition[0].name", "must be 1-64 characters"));

  CHECK(has_error(refuse("[hal]\ncpuset = \"v1\"\n[processors]\n0 = 1\n"), 0, "partition", "at least one partition"));
  CHECK(has_error(refuse("[[partition]]\nid = 0\nname = \"a\"\ncgroup = \"a\"\n"), 0, "processors", "no [processors]"));

  std::string tree = kGood;
  tree.replace(tree.find("cpuset = \"v1\""), 13, "mode = \"file-tree\"");
  CHECK(has_error(refuse(tree), 2, "hal.file_tree", "needs file_tree"));

  std::string interval = kGood + std::string("[telemetry]\ninterval_ms = 0\n");
  CHECK(has_error(refuse(interval), 17, "telemetry.interval_ms", "out of range 1..60000"));

  std::string missing = "[[partition]]\nname = \"a\"\n\n[processors]\n0 = 1\n";
  auto m = refuse(missing);
  CHECK(has_error(m, 1, "partition[0].id", "missing"));
  CHECK(has_error(m, 1, "partition[0].cgroup", "missing"));

  // every problem is reported, not only the first
  std::string many = kGood;
  many.replace(many.find("\"v1\""), 4, "\"v9\"");
  many += "[bogus]\n";
  auto all = refuse(many);
  CHECK(has_error(all, 2, "hal.cpuset", "not one of"));
  CHECK(has_error(all, 16, "bogus", "unknown key"));
}

TEST_CASE("the host refuses configurations naming CPUs it does not have", "[config]") {
  shoal::test::TempDir d("shoal-agent-cfg");
  write_text(d.path() / "agent.toml", std::string(kGood) + "1 = 7\n");
  std::vector<ConfigError> errors;
  auto cfg = load_config((d.path() / "agent.toml").string(), errors);
  REQUIRE(cfg.ok());
  HalInfo info;
  info.possible = CpuMask::range(0, 1);
  info.online = CpuMask::range(0, 1);
  const auto v = check_config_against_host(*cfg, info);
  REQUIRE(v.size() == 1);
  CHECK_FALSE(v[0].warning);
  CHECK(v[0].key == "processors.1");
  CHECK(v[0].line == 16);
  CHECK_THAT(v[0].text(), Catch::Contains("host CPU 7 does not exist on this host (possible CPUs: 0-1)"));
  info.online = CpuMask{0};
  const auto w = check_config_against_host(*cfg, info);
  CHECK(w.size() == 2);  // CPU 1 offline is a warning, CPU 7 an error
}

TEST_CASE("desired-state files are checked against the configuration", "[reconcile]") {
  shoal::test::TempDir d("shoal-agent-cfg");
  write_text(d.path() / "agent.toml", kGood);
  std::vector<ConfigError> errors;
  auto cfg = load_config((d.path() / "agent.toml").string(), errors);
  REQUIRE(cfg.ok());
  auto des = [&](const std::string& text) {
    write_text(d.path() / "want.toml", text);
    return load_desired((d.path() / "want.toml").string(), *cfg);
  };
  auto good = des("[processors]\n0 = 1\n[cache_ways]\n0 = 4\n[bandwidth]\n1 = 50\n");
  REQUIRE(good.ok());
  CHECK(good->processors.at(0) == 1);
  CHECK(good->cache_ways.at(0) == 4);
  CHECK(good->bandwidth.at(1) == 50);
  CHECK(des("[processors]\n0 = \"parked\"\n")->processors.at(0) == kParked);
  CHECK_THAT(des("[processors]\n5 = 1\n").error().message, Catch::Contains("card processor 5 is not in the configuration"));
  CHECK_THAT(des("[processors]\n0 = 9\n").error().message, Catch::Contains("configured partition id or \"parked\""));
  CHECK_THAT(des("[bandwidth]\n0 = 101\n").error().message, Catch::Contains("0..100"));
  CHECK_THAT(des("[cache_ways]\n4 = 1\n").error().message, Catch::Contains("unknown partition 4"));
  CHECK_THAT(des("[other]\n").error().message, Catch::Contains("unknown table"));
}

TEST_CASE("the example configuration in the tree loads", "[config]") {
  std::vector<ConfigError> errors;
  auto cfg = load_config(SHOAL_AGENT_EXAMPLE, errors);
  INFO((cfg.ok() ? "" : cfg.error().message));
  REQUIRE(cfg.ok());
  CHECK(errors.empty());
  CHECK(cfg->hal.partitions.size() == 2);
  CHECK(cfg->processors.at(0) == 1);
}
