// Scenarios on the co-simulated card (issue 16, label scenario): the scenario file and its
// errors, demand curves, and seed 000's database + web + ML story played on the Verilated card
// booting the default firmware -- the firmware's policy makes every decision; the test only
// reads what happened (the DRRM map, the ALLOC's grants, the audit log).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "report.hpp"
#include "runner.hpp"
#include "scenario.hpp"
#include "temp_dir.hpp"

using namespace shoal::scenario;

namespace {

// A minimal valid file; `extra` is appended (a further table or a broken line).
std::string base_file(const std::string& extra = "", const std::string& part_extra = "") {
  return "[scenario]\n"           // line 1
         "name = \"t\"\n"         // 2
         "steps = 10\n"           // 3
         "\n"                     // 4
         "[[partition]]\n"        // 5
         "name = \"a\"\n"         // 6
         "floor = 2\n"            // 7
         "cap = 10\n"             // 8
         "initial = 4\n" +        // 9
         part_extra +
         "  [[partition.demand]]\n"
         "  kind = \"constant\"\n"
         "  level = 3\n" +
         extra;
}

struct Refusal {
  int line;
  std::string reason;
};

Refusal refuse(const std::string& text) {
  try {
    (void)parse_scenario(text, "bad.toml", ".");
  } catch (const ScenarioError& e) {
    const std::string w = e.what();
    CHECK(w.rfind("bad.toml:" + std::to_string(e.line()) + ":", 0) == 0);  // file:line:col: reason
    CHECK(w.find(e.reason()) != std::string::npos);
    return {e.line(), e.reason()};
  }
  FAIL("accepted:\n" << text);
  return {0, ""};
}

}  // namespace

TEST_CASE("a scenario file is read with its defaults; every refusal names the file, line and reason", "[scenario]") {
  const Scenario s = parse_scenario(base_file(), "ok.toml", ".");
  REQUIRE(s.parts.size() == 1);
  CHECK(s.parts[0].name == "a");
  CHECK(s.parts[0].floor == 2);
  CHECK(s.steps == 10);
  CHECK(s.policy == Policy::Predictive);

  Refusal r = refuse(base_file("[scenario.x\n"));  // TOML syntax, line 13
  CHECK(r.line == 13);
  r = refuse(base_file("", "flor = 3\n"));  // a typo is not a silent default
  CHECK(r.line == 10);
  CHECK(r.reason.find("unknown key 'flor'") != std::string::npos);
  r = refuse(base_file("", "threshold_hi = 0.3\nthreshold_lo = 0.5\n"));
  CHECK(r.line == 11);
  CHECK(r.reason.find("threshold_lo must be below threshold_hi") != std::string::npos);
  r = refuse(base_file("[[partition]]\nname = \"a\"\n"));  // line 13, the name on 14
  CHECK(r.line == 14);
  CHECK(r.reason.find("defined twice") != std::string::npos);
  std::string capped = base_file();
  capped.replace(capped.find("cap = 10"), 8, "cap = 1");
  r = refuse(capped);
  CHECK(r.line == 7);
  CHECK(r.reason.find("floor 2 is above cap 1") != std::string::npos);
  r = refuse(base_file("  [[partition.demand]]\n  kind = \"sawtooth\"\n"));
  CHECK(r.line == 14);
  CHECK(r.reason.find("unknown demand kind \"sawtooth\"") != std::string::npos);
  r = refuse(base_file("  [[partition.demand]]\n  kind = \"phases\"\n  points = [[0, 1], [0, 2]]\n"));
  CHECK(r.line == 15);
  CHECK(r.reason.find("must increase") != std::string::npos);
  r = refuse(base_file("[card]\nquantile = 20\n"));
  CHECK(r.line == 14);
  r = refuse(base_file("[scenario2]\n"));
  CHECK(r.reason.find("unknown key 'scenario2'") != std::string::npos);
  std::string floors = base_file();
  for (int i = 0; i < 2; ++i)
    floors += "[[partition]]\nname = \"f" + std::to_string(i) + "\"\nfloor = 40\ncap = 40\ninitial = 40\n"
              "  [[partition.demand]]\n  kind = \"constant\"\n  level = 1\n";
  r = refuse(floors);
  CHECK(r.reason.find("more than the card's 64") != std::string::npos);
  r = refuse(base_file("  [[partition.demand]]\n  kind = \"trace\"\n  file = \"no-such.csv\"\n  column = 0\n  scale = 4\n"));
  CHECK(r.line == 15);
  CHECK(r.reason.find("cannot read the trace") != std::string::npos);
  // a file that is not there
  try {
    (void)load_scenario("/nonexistent/s.toml");
    FAIL("accepted a missing file");
  } catch (const ScenarioError& e) {
    CHECK(std::string(e.what()).find("/nonexistent/s.toml:0:0: cannot open") == 0);
  }
}

TEST_CASE("demand curves: phases, periodic, bursts, noise and a trace column; the same seed repeats", "[scenario]") {
  shoal::test::TempDir dir;
  {
    std::ofstream f(dir.file("t.csv"));
    f << "step,\"vm1\",\"vm2\"\n0,10,50\n1,20,100\n2,0,25\n";
  }
  const std::string text = base_file(
      "  [[partition.demand]]\n  kind = \"phases\"\n  points = [[0, 0], [4, 8]]\n"
      "[[partition]]\nname = \"b\"\n"
      "  [[partition.demand]]\n  kind = \"trace\"\n  file = \"t.csv\"\n  column = \"vm2\"\n  scale = 8\n"
      "[[partition]]\nname = \"c\"\n"
      "  [[partition.demand]]\n  kind = \"periodic\"\n  period = 4\n  low = 1\n  high = 3\n  shape = \"square\"\n"
      "  [[partition.demand]]\n  kind = \"bursts\"\n  every = 2\n  height = 5\n"
      "  [[partition.demand]]\n  kind = \"noise\"\n  sigma = 1\n");
  const Scenario s = parse_scenario(text, "d.toml", dir.path().string());
  const auto a = s.parts[0].demand.sample(7, 0, 10, 2);
  REQUIRE(a.size() == 20);
  CHECK(a[0] == Approx(3.0));     // 3 + phases at 0
  CHECK(a[1] == Approx(4.0));     // step 0.5: 3 + 1
  CHECK(a[8] == Approx(11.0));    // step 4: 3 + 8
  CHECK(a[19] == Approx(11.0));   // held after the last point
  const auto b = s.parts[1].demand.sample(7, 1, 4, 1);
  CHECK(b == std::vector<double>{4.0, 8.0, 2.0, 4.0});  // 50 %, 100 %, 25 % of 8, then it repeats
  const auto c1 = s.parts[2].demand.sample(7, 2, 200, 1), c2 = s.parts[2].demand.sample(7, 2, 200, 1),
             c3 = s.parts[2].demand.sample(8, 2, 200, 1);
  CHECK(c1 == c2);  // deterministic
  CHECK(c1 != c3);  // and the seed matters
  int bursts = 0;
  for (double v : c1) {
    CHECK(v >= 0);
    bursts += v > 5.5;  // square wave <= 3, noise rarely > 2.5: above that a burst
  }
  CHECK(bursts > 40);  // about one step in two
  CHECK(bursts < 160);

  // a real trace in the tree, as scenarios/README.md shows it: column 3 as up to 20 processors
  const std::string real = std::string(SHOAL_SOURCE_DIR) + "/tests/data/planetlab_12series.csv";
  const Scenario t = parse_scenario(base_file("", "") + "  [[partition.demand]]\n  kind = \"trace\"\n  file = \"" + real +
                                        "\"\n  column = 3\n  scale = 20\n  steps_per_row = 2\n",
                                    "t.toml", ".");
  std::ifstream f(real);
  std::string line;
  std::getline(f, line);  // header
  std::vector<double> col;
  while (std::getline(f, line) && col.size() < 5) {
    std::stringstream ss(line);
    std::string cell;
    for (int i = 0; i <= 4 && std::getline(ss, cell, ','); ++i)
      if (i == 4) col.push_back(std::stod(cell));  // column 3 after the step label
  }
  const auto v = t.parts[0].demand.sample(1, 0, 10, 1);
  for (std::size_t i = 0; i < 10; ++i) CHECK(v[i] == Approx(3.0 + col[i / 2] / 100.0 * 20));
}

namespace {

std::string scenario_path() { return std::string(SHOAL_SOURCE_DIR) + "/" + SHOAL_TEST_SCENARIO; }

// The scenario under the three policies, run once for all the cases below (two at a time).
const std::map<Policy, RunResult>& runs() {
  static std::map<Policy, RunResult> out;
  static std::once_flag once;
  std::call_once(once, [] {
    const Scenario s = load_scenario(scenario_path());
    const Policy ps[] = {Policy::Predictive, Policy::Reactive, Policy::Static};
    RunResult r[3];
    std::thread t0([&] { r[0] = run_scenario(s, ps[0]); });
    std::thread t1([&] { r[1] = run_scenario(s, ps[1]); });
    t0.join();
    t1.join();
    r[2] = run_scenario(s, ps[2]);
    for (int i = 0; i < 3; ++i) out[ps[i]] = std::move(r[i]);
  });
  return out;
}

}  // namespace

TEST_CASE("db-web-ml: during ML's peak ML gains processors from web; they return when web's load rises",
          "[scenario][cosim]") {
  for (Policy p : {Policy::Predictive, Policy::Reactive}) {
    const RunResult& r = runs().at(p);
    const Story st = tell(r);
    INFO(to_string(p) << ":\n" << narrative(r, st));
    REQUIRE(st.peak_start >= 0);
    CHECK(st.held_peak > st.held_before);  // more than before the peak
    CHECK(st.from_donor > 0);              // some of them web's
    REQUIRE(st.donor_rise >= 0);
    CHECK(st.returned >= 0);               // web holds as many as before again
    CHECK(st.back_to_donor > 0);           // and some came back from ML
  }
  // under STATIC nothing moves
  const Story st = tell(runs().at(Policy::Static));
  CHECK(st.held_peak == st.held_before);
  CHECK(runs().at(Policy::Static).migrations == 0);
}

TEST_CASE("db-web-ml: the database never below its floor, the processors all accounted for at every tick, "
          "the audit log explains every move", "[scenario][cosim]") {
  for (const auto& [p, r] : runs()) {
    INFO(to_string(p));
    const Scenario& s = r.scenario;
    const int db = s.index_of("db");
    REQUIRE(db >= 0);
    REQUIRE(r.ticks.size() == std::size_t(s.steps) * s.ticks);
    for (std::size_t i = 0; i < r.ticks.size(); ++i) {
      const Tick& t = r.ticks[i];
      INFO("tick " << i);
      CHECK(t.granted[std::size_t(db)] >= s.parts[std::size_t(db)].floor);
      uint32_t held = t.parked + t.moving, granted = t.free;
      for (std::size_t k = 0; k < s.parts.size(); ++k) {
        held += t.held[k];
        granted += t.granted[k];
      }
      CHECK(held == SHOAL_PARAM_NUM_PROCESSORS);     // the DRRM map
      CHECK(granted == SHOAL_PARAM_NUM_PROCESSORS);  // the ALLOC's CPU pool
      CHECK(t.map_matches_audit);
    }
    // the owners replayed from the audit log matched the map at nearly every tick (the others
    // had a migration in flight while the map was read), and no record was lost
    CHECK(r.audit_mismatch_ticks == 0);
    CHECK(r.audit_checked_ticks * 10 >= r.ticks.size() * 9);
    CHECK(r.audit_gaps == 0);
    CHECK(r.audit_migrations >= r.migrations);
    if (p != Policy::Static) {
      CHECK(r.migrations > 0);
      CHECK(r.decisions > 0);
    }
    // every decision the card's own policy (actor 0xFF)
    for (const AuditRecord& a : r.audit)
      if (a.kind == SHOAL_AUDIT_KIND_DECISION) CHECK(a.actor == 0xFFu);
  }
}

TEST_CASE("db-web-ml: the dynamic policies serve far more of the demand than static; predictive parks more",
          "[scenario][cosim]") {
  const SummaryRow pr = summarize(runs().at(Policy::Predictive)), re = summarize(runs().at(Policy::Reactive)),
                   st = summarize(runs().at(Policy::Static));
  INFO("unmet processor-hours: predictive " << pr.unmet_total_ph << ", reactive " << re.unmet_total_ph << ", static "
                                            << st.unmet_total_ph << "; energy (Wh): predictive " << pr.energy_wh
                                            << ", reactive " << re.energy_wh << ", static " << st.energy_wh);
  CHECK(re.unmet_total_ph * 2 < st.unmet_total_ph);
  // ML's peak: both dynamic policies serve more of ML than the static split does
  CHECK(pr.unmet_ph[2] < st.unmet_ph[2]);
  CHECK(re.unmet_ph[2] < st.unmet_ph[2]);
  // predictive gives idle processors back sooner: fewer run idle, less energy
  CHECK(pr.energy_wh < re.energy_wh);
}

// The aim (measured, scenarios/README.md): on this scenario the predictive policy leaves
// less demand unmet than the reactive one, and far less than static, in the same run.
TEST_CASE("db-web-ml: predictive serves less unmet demand than reactive and far less than static", "[scenario][cosim]") {
  const double pr = summarize(runs().at(Policy::Predictive)).unmet_total_ph,
               re = summarize(runs().at(Policy::Reactive)).unmet_total_ph,
               st = summarize(runs().at(Policy::Static)).unmet_total_ph;
  INFO("unmet processor-hours: predictive " << pr << ", reactive " << re << ", static " << st);
  CHECK(pr < re);
  CHECK(pr * 2 < st);
}
