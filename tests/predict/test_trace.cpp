// The wide-CSV trace reader of bench-policy (bench/policy/lib/trace.hpp): quoting, line ends,
// clamping (counted), gzip and plain files, and clear errors for bad input.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "temp_dir.hpp"
#include "trace.hpp"

using shoal::policysim::parse_trace;
using shoal::policysim::read_trace;
using shoal::policysim::Trace;

TEST_CASE("trace: names, quoting, CRLF, blank lines, clamping", "[trace]") {
  Trace t;
  std::string err;
  const std::string text =
      "step,\"a,b\",\"say \"\"hi\"\"\",plain\r\n"
      "0,1,2.5,100\r\n"
      "\n"
      "1,-3,101,0\n"
      "2,0,50,7";
  REQUIRE(parse_trace(text, "x.csv", t, err));
  REQUIRE(t.names.size() == 3);
  CHECK(t.names[0] == "a,b");
  CHECK(t.names[1] == "say \"hi\"");
  CHECK(t.names[2] == "plain");
  REQUIRE(t.steps == 3);
  CHECK(t.series[0] == std::vector<float>{1, 0, 0});
  CHECK(t.series[1] == std::vector<float>{2.5f, 100, 50});
  CHECK(t.series[2] == std::vector<float>{100, 0, 7});
  CHECK(t.clamped == 2);  // -3 and 101
}

TEST_CASE("trace: bad input gets a clear error with its place", "[trace]") {
  struct Bad {
    const char* text;
    const char* says;
  };
  const Bad bad[] = {
      {"", "empty"},
      {"step,a\n", "no rows"},
      {"time,a\n0,1\n", "must start with `step`"},
      {"step\n0\n", "at least one series"},
      {"step,a,b\n0,1\n", "line 2: 2 fields, the header has 3"},
      {"step,a\n0,x\n", "line 2, column 2: not a number: \"x\""},
      {"step,a\n0,\n", "line 2, column 2: not a number"},
      {"step,a\n0,1e999\n", "not a number"},
      {"step,a\n0,nan\n", "not a number"},
      {"step,\"a\n0,1\n", "line 1, column 2: unterminated quote"},
      {"step,a\n0,1\n1,2,3\n", "line 3"},
  };
  for (const Bad& b : bad) {
    INFO(b.text);
    Trace t;
    std::string err;
    REQUIRE_FALSE(parse_trace(b.text, "t.csv", t, err));
    CHECK(err.find("t.csv") == 0);
    CHECK(err.find(b.says) != std::string::npos);
  }
}

TEST_CASE("trace: gzip and plain files read the same; missing and corrupt files refused", "[trace]") {
  shoal::test::TempDir dir("shoal-trace");
  const std::string text = "step,\"s 1\",s2\n0,5,6\n1,7,8\n2,9,10\n";
  const std::string plain = dir.path() / "t.csv";
  const std::string gz = dir.path() / "t.csv.gz";
  {
    std::ofstream f(plain);
    f << text;
  }
  {
    gzFile f = gzopen(gz.c_str(), "wb");
    REQUIRE(f);
    REQUIRE(gzwrite(f, text.data(), unsigned(text.size())) == int(text.size()));
    REQUIRE(gzclose(f) == Z_OK);
  }
  Trace a, b;
  std::string err;
  REQUIRE(read_trace(plain, a, err));
  REQUIRE(read_trace(gz, b, err));
  CHECK(a.names == b.names);
  CHECK(a.series == b.series);
  CHECK(a.steps == 3);
  CHECK(b.bytes == text.size());
  // truncated compressed data
  std::string bytes;
  {
    std::ifstream f(gz, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  const std::string cut = dir.path() / "cut.csv.gz";
  {
    std::ofstream f(cut, std::ios::binary);
    f << bytes.substr(0, bytes.size() - 6);
  }
  Trace c;
  CHECK_FALSE(read_trace(cut, c, err));
  CHECK(err.find("cut.csv.gz") != std::string::npos);
  Trace d;
  CHECK_FALSE(read_trace((dir.path() / "none.csv").string(), d, err));
  CHECK(err.find("cannot open") != std::string::npos);
  CHECK_FALSE(read_trace(dir.path().string(), d, err));  // a directory
}
