// bench-policy end to end on the trace excerpt (gzip and plain): it runs, every figure it writes
// to JSON has a name and a unit, the plan check reports zero mismatches, the pictures exist
// (when gnuplot is installed); bad command lines and bad traces give a clear error and exit 1/2.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.hpp"

namespace {

struct Run {
  int status = -1;
  std::string out;
};

Run run(const std::string& args) {
  Run r;
  const std::string cmd = std::string(SHOAL_BENCH_POLICY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST_CASE("bench-policy on the excerpt: table, JSON, plan check, pictures", "[bench]") {
  shoal::test::TempDir dir("shoal-bench-policy");
  const auto json = dir.path() / "out.json";
  const auto plots = dir.path() / "plots";
  const auto per = dir.path() / "per.csv";
  const Run r = run(std::string(SHOAL_PREDICT_DATA "/planetlab_12series.csv") + " --partitions 4 --no-oncore -q --json " +
                    q(json) + " --plots " + q(plots) + " --per-series " + q(per));
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("plan check: 0 ALLOC responses or holdings differing from decide()'s plan, 0 decide() errors") != std::string::npos);
  CHECK(r.out.find("goal.mae_vs_last_value.h3") != std::string::npos);
  std::ifstream f(json);
  const auto j = nlohmann::json::parse(f);
  REQUIRE(j.is_array());
  size_t policy = 0, accuracy = 0, goals = 0;
  for (const auto& fig : j) {
    REQUIRE(fig.contains("name"));
    REQUIRE(fig.contains("unit"));
    REQUIRE(fig.contains("parameters"));
    const std::string n = fig["name"];
    policy += n.rfind("policy.", 0) == 0;
    accuracy += n.rfind("accuracy.", 0) == 0;
    if (n.rfind("goal.", 0) == 0) {
      ++goals;
      CHECK(fig["parameters"].contains("target"));
      CHECK(fig["parameters"].contains("status"));
    }
    if (n.find(".unmet_demand") != std::string::npos || n.find(".utilization") != std::string::npos) {
      REQUIRE(fig["value"].is_number());
      CHECK(fig["value"].get<double>() >= 0);
      CHECK(fig["value"].get<double>() <= 1);
    }
  }
  CHECK(accuracy >= 7 * 3 * 4);
  CHECK(policy >= 5 * 7);
  CHECK(goals == 6);
  std::ifstream ps(per);
  std::string line;
  size_t lines = 0;
  while (std::getline(ps, line)) ++lines;
  CHECK(lines == 1 + 12);  // header + one per series
  if (std::system("command -v gnuplot > /dev/null 2>&1") == 0) {
    for (const char* png : {"series.png", "policies.png", "accuracy.png"}) {
      INFO(png);
      CHECK(std::filesystem::file_size(plots / png) > 1000);
    }
  } else {
    CHECK(r.out.find("gnuplot not found") != std::string::npos);
  }
}

TEST_CASE("bench-policy reads gzip traces; bad input is refused clearly", "[bench]") {
  shoal::test::TempDir dir("shoal-bench-policy");
  // the excerpt, compressed: the same accuracy figures as the plain file
  std::ifstream in(SHOAL_PREDICT_DATA "/planetlab_12series.csv", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto gz = dir.path() / "ex.csv.gz";
  gzFile g = gzopen(gz.c_str(), "wb");
  REQUIRE(g);
  REQUIRE(gzwrite(g, text.data(), unsigned(text.size())) == int(text.size()));
  REQUIRE(gzclose(g) == Z_OK);
  const Run a = run(q(gz) + " --partitions 4 --no-oncore --no-plots -q");
  const Run b = run(std::string(SHOAL_PREDICT_DATA "/planetlab_12series.csv") + " --partitions 4 --no-oncore --no-plots -q");
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  auto line_of = [](const std::string& out, const std::string& key) {
    const auto at = out.find(key);
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  };
  CHECK(line_of(a.out, "accuracy.ensemble.h3.mae ") == line_of(b.out, "accuracy.ensemble.h3.mae "));
  CHECK(!line_of(a.out, "accuracy.ensemble.h3.mae ").empty());

  const Run missing = run(q(dir.path() / "nope.csv") + " --no-oncore --no-plots");
  CHECK(missing.status == 1);
  CHECK(missing.out.find("cannot open") != std::string::npos);
  const auto bad = dir.path() / "bad.csv";
  {
    std::ofstream f(bad);
    f << "step,a,b\n0,1,2\n1,3,oops\n";
  }
  const Run badr = run(q(bad) + " --no-oncore --no-plots");
  CHECK(badr.status == 1);
  CHECK(badr.out.find("line 3, column 3: not a number") != std::string::npos);
  const auto shortf = dir.path() / "short.csv";
  {
    std::ofstream f(shortf);
    f << "step,a\n0,1\n1,2\n";
  }
  const Run shortr = run(q(shortf) + " --no-oncore --no-plots");
  CHECK(shortr.status == 1);
  CHECK(shortr.out.find("accuracy needs more") != std::string::npos);
  const Run opt = run(std::string(SHOAL_PREDICT_DATA "/planetlab_12series.csv") + " --partitions 17");
  CHECK(opt.status != 0);
  CHECK(opt.out.find("--partitions") != std::string::npos);
  const Run lohi = run(std::string(SHOAL_PREDICT_DATA "/planetlab_12series.csv") + " --lo 0.9 --hi 0.8 --no-oncore");
  CHECK(lohi.status == 2);
  CHECK(lohi.out.find("--lo must be below --hi") != std::string::npos);
}
