// The simulated processors' workload side (sim/model/processor_model.hpp, processor_trace.hpp):
// exact duty cycles, event rates, and the utilization-trace parser's refusals.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "processor_model.hpp"
#include "processor_trace.hpp"
#include "temp_dir.hpp"

using shoal::sim::UtilTrace;
using shoal::sim::Workload;

TEST_CASE("a workload is busy exactly duty percent of any 100 running cycles", "[wmu][procs]") {
  for (uint32_t duty : {0u, 1u, 33u, 50u, 99u, 100u}) {
    Workload w;
    w.set_duty(duty);
    w.set_mem(25);
    w.set_io(10);
    unsigned busy = 0, mem = 0, io = 0, window = 0;
    std::vector<bool> hist;
    for (unsigned c = 0; c < 1000; ++c) {
      const auto t = w.clock(true);
      hist.push_back(t.busy);
      busy += t.busy;
      mem += t.mem;
      io += t.io;
      CHECK((t.busy || (!t.mem && !t.io)));  // events only on busy cycles
    }
    INFO("duty " << duty);
    CHECK(busy == 10 * duty);
    CHECK(mem == busy / 4);
    CHECK(io == busy / 10);
    for (unsigned start = 0; start + 100 <= hist.size(); start += 37) {
      window = 0;
      for (unsigned c = start; c < start + 100; ++c) window += hist[c];
      CHECK(window == duty);
    }
  }
}

TEST_CASE("a processor that does not run is idle and keeps its phase", "[wmu][procs]") {
  Workload w;
  w.set_duty(50);
  CHECK(w.clock(true).busy == false);
  for (int i = 0; i < 10; ++i) CHECK_FALSE(w.clock(false).busy);
  CHECK(w.clock(true).busy == true);
  w.set_duty(250);  // clamped
  CHECK(w.duty() == 100);
}

TEST_CASE("utilization traces: a real trace excerpt from the project's test data loads", "[wmu][procs]") {
  const std::string path = std::string(SHOAL_TEST_DATA_DIR) + "/planetlab_excerpt.csv";
  const auto t = UtilTrace::load(path);
  // read the file independently: every value of every row, in order
  std::ifstream in(path);
  std::string line;
  REQUIRE(std::getline(in, line));  // header
  std::size_t header_cols = 0;
  {
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) ++header_cols;
    }
  }
  CHECK(t.series() == header_cols);
  std::size_t row = 0;
  unsigned max_seen = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream cells(line);
    std::string cell;
    std::getline(cells, cell, ',');  // the step label
    for (std::size_t s = 0; std::getline(cells, cell, ','); ++s) {
      REQUIRE(s < t.series());
      CHECK(t.at(row, s) == static_cast<unsigned>(std::stoul(cell)));
      max_seen = std::max(max_seen, t.at(row, s));
    }
    ++row;
  }
  CHECK(t.steps() == row);
  CHECK(row >= 24);
  CHECK(max_seen > 50);  // real, bursty data, not a constant
}

TEST_CASE("utilization traces: the shared format parses, bad input is refused clearly",
          "[wmu][procs]") {
  const auto t = UtilTrace::parse("step,\"vm a\",\"vm,b\"\n0,10,100\r\n1,0,55\n\n", "t");
  CHECK(t.series() == 2);
  CHECK(t.steps() == 2);
  CHECK(t.at(0, 0) == 10);
  CHECK(t.at(0, 1) == 100);
  CHECK(t.at(1, 1) == 55);

  auto refused = [](const std::string& text, const std::string& what) {
    try {
      (void)UtilTrace::parse(text, "bad.csv");
    } catch (const std::runtime_error& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(what) != std::string::npos);
      CHECK(std::string(e.what()).find("bad.csv") != std::string::npos);
      return;
    }
    FAIL("accepted: " << text);
  };
  refused("", "empty");
  refused("step,a\n", "no data rows");
  refused("step\n0\n", "at least one series");
  refused("step,a,b\n0,1\n", "line 2: has 2 columns, the header has 3");
  refused("step,a\n0,101\n", "line 2: column 2: '101' is not a utilization");
  refused("step,a\n0,-1\n", "'-1' is not a utilization");
  refused("step,a\n0,1.5\n", "'1.5'");
  refused("step,a\n0,\n", "'' is not a utilization");

  shoal::test::TempDir dir;
  const std::string gz = dir.file("t.csv.gz");
  std::ofstream(gz, std::ios::binary) << "\x1f\x8b\x08rest";
  CHECK_THROWS_WITH(UtilTrace::load(gz), Catch::Contains("gzip"));
  CHECK_THROWS_WITH(UtilTrace::load(dir.file("none.csv")), Catch::Contains("cannot open"));
}
