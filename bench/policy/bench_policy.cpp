// bench-policy: the predictor and the allocation policies (firmware/policy) measured on a real
// workload trace, and their cost on the soft core. See bench/policy/README.md.
//
//   bench-policy TRACE [--json FILE] [--plots DIR | --no-plots] [--per-series FILE] ...
//
// 1. Forecast accuracy at horizons 1, 3 and 12 steps: MAE, RMSE and MASE for every forecaster
//    and the ensemble against the last-value and moving-average baselines, pooled and per series,
//    plus the coverage of the upper bounds.
// 2. Policy simulation: groups of N series share P processors; static (equal, peak and
//    quantile-sized shares), reactive, predictive and oracle, each run through decide() and the
//    ALLOC's HLS reference (bench/policy/lib/sim.hpp).
// 3. The goals, as targets next to the measured values (never asserted).
// 4. Pictures (gnuplot, pngcairo) and, when the firmware image is built, the on-core cost.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "bench_report.hpp"
#include "oncore.hpp"
#include "shoal/policy/decide.hpp"
#include "sim.hpp"
#include "trace.hpp"

namespace pol = shoal::policy;
namespace ps = shoal::policysim;
using shoal::bench::json_number;
using shoal::bench::json_string;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kHorizons[3] = {1, 3, 12};

double secs_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Progress lines on stderr, at most one a second (and never with --quiet).
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), last_(Clock::now()) {}
  void tick(const char* what, size_t done, size_t total) {
    if (quiet_) return;
    const auto now = Clock::now();
    if (done != total && std::chrono::duration<double>(now - last_).count() < 1.0) return;
    last_ = now;
    std::fprintf(stderr, "bench-policy: %s %zu/%zu\n", what, done, total);
  }

 private:
  bool quiet_;
  Clock::time_point last_;
};

// ---- accuracy ------------------------------------------------------------------------------
enum Method { kLast = 0, kMa, kEw, kHo, kSe, kAr, kEns, kNumMethods };
const char* const kMethodName[kNumMethods] = {"last_value", "moving_average", "ewma", "holt",
                                              "seasonal", "ar", "ensemble"};

struct Acc {
  double abs = 0, sq = 0;
  size_t n = 0;
};
struct SeriesAcc {
  Acc a[kNumMethods][3];
  double naive1 = 0;  // in-sample one-step naive MAE (percent)
  size_t cover_hit[pol::kMaxWindows] = {}, cover_n[pol::kMaxWindows] = {};
  double headroom[pol::kMaxWindows] = {};  // sum of (upper - point), percent
};

SeriesAcc score_series(const std::vector<float>& x, const pol::ProfileConfig& cfg, int warmup, int ma_k) {
  SeriesAcc r;
  const size_t T = x.size();
  for (size_t t = 1; t < T; ++t) r.naive1 += std::fabs(double(x[t]) - double(x[t - 1]));
  r.naive1 = T > 1 ? r.naive1 / double(T - 1) : 0;
  pol::Profile p;
  pol::profile_reset(p, cfg);
  // forecasts made at t for t + h: f[t][method][k]
  std::vector<std::array<std::array<double, 3>, kNumMethods>> f(T);
  std::vector<std::array<double, pol::kMaxWindows>> up(T), pt(T);
  double ma_sum = 0;
  for (size_t t = 0; t < T; ++t) {
    const uint16_t s = uint16_t(std::lround(double(x[t]) / 100.0 * 65535.0));
    pol::profile_update(p, cfg, s);
    ma_sum += x[t];
    if (t >= size_t(ma_k)) ma_sum -= x[t - size_t(ma_k)];
    const double ma = ma_sum / double(std::min<size_t>(t + 1, size_t(ma_k)));
    uint16_t mp[pol::kMembers][pol::kMaxHorizon];
    pol::member_paths(p, cfg, mp);
    auto pct = [](uint16_t v) { return double(v) * 100.0 / 65535.0; };
    for (int k = 0; k < 3; ++k) {
      const int h = kHorizons[k];
      f[t][kLast][k] = x[t];
      f[t][kMa][k] = ma;
      f[t][kEw][k] = pct(mp[pol::kEwma][h - 1]);
      f[t][kHo][k] = pct(mp[pol::kHolt][h - 1]);
      f[t][kSe][k] = pct(mp[pol::kSeasonal][h - 1]);
      f[t][kAr][k] = pct(mp[pol::kAr][h - 1]);
      f[t][kEns][k] = pct(p.path[h - 1]);
    }
    for (unsigned wi = 0; wi < cfg.nwindows; ++wi) {
      pol::Needs nd;
      pol::profile_needs(p, cfg, cfg.windows[wi], nd);
      up[t][wi] = pct(nd.upper);
      pt[t][wi] = pct(nd.point);
    }
  }
  for (size_t t = size_t(warmup); t < T; ++t) {
    for (int k = 0; k < 3; ++k) {
      const size_t tt = t + size_t(kHorizons[k]);
      if (tt >= T) continue;
      for (int m = 0; m < kNumMethods; ++m) {
        const double e = double(x[tt]) - f[t][m][k];
        r.a[m][k].abs += std::fabs(e);
        r.a[m][k].sq += e * e;
        r.a[m][k].n++;
      }
    }
    for (unsigned wi = 0; wi < cfg.nwindows; ++wi) {
      const size_t w = cfg.windows[wi];
      if (t + w >= T) continue;
      double peak = 0;
      for (size_t h = 1; h <= w; ++h) peak = std::max(peak, double(x[t + h]));
      r.cover_n[wi]++;
      // the bound is in Q0.16: compare with the sample the trace value became
      r.cover_hit[wi] += peak <= up[t][wi] + 0.5 * 100.0 / 65535.0;
      r.headroom[wi] += up[t][wi] - pt[t][wi];
    }
  }
  return r;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// linear interpolation of y at x0 over points sorted by x; nullopt outside the range
std::optional<double> interp(std::vector<std::pair<double, double>> pts, double x0) {
  std::sort(pts.begin(), pts.end());
  if (pts.empty() || x0 < pts.front().first - 1e-12 || x0 > pts.back().first + 1e-12) return std::nullopt;
  for (size_t i = 1; i < pts.size(); ++i) {
    if (x0 <= pts[i].first) {
      const auto [x1, y1] = pts[i - 1];
      const auto [x2, y2] = pts[i];
      if (x2 - x1 < 1e-12) return 0.5 * (y1 + y2);
      return y1 + (y2 - y1) * (x0 - x1) / (x2 - x1);
    }
  }
  return pts.back().second;
}

uint16_t q16_of(double v) { return uint16_t(std::clamp(std::lround(v * 65536.0), 0L, 65535L)); }
uint32_t coef_of(double v) { return uint32_t(std::clamp(std::lround(v * 65536.0), 0L, 65536L)); }

struct PolicyRun {
  std::string name;   // figure name part
  std::string label;  // human label
  ps::SimResult r;
  double param = 0;   // the swept parameter (quantile, threshold, tau)
};

// ---- pictures (gnuplot, pngcairo) ----------------------------------------------------------
std::string gp_quote(std::string s) {  // a gnuplot string literal
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

// Writes the data and a gnuplot script into `dir` and runs gnuplot there; "" or why not.
std::string write_plots(const std::string& dir, const ps::Trace& tr, unsigned partitions,
                        const std::vector<PolicyRun>& runs, const ps::SimResult& pred, const ps::SimResult& react,
                        const double mae[kNumMethods][3], bool seasonal) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) return "gnuplot not found (Debian package gnuplot-nox)";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  auto out = [&](const std::string& name) { return std::ofstream(std::filesystem::path(dir) / name); };
  const size_t nshow = std::min<size_t>({4, partitions, pred.rec_demand.size(), react.rec_demand.size()});
  for (size_t p = 0; p < nshow; ++p) {
    auto f = out("series_" + std::to_string(p) + ".dat");
    f << "# step demand predictive_alloc reactive_alloc predictive_upper(for this step)\n";
    const size_t T = pred.rec_demand[p].size();
    for (size_t t = 0; t < T; ++t)
      f << t << " " << pred.rec_demand[p][t] << " " << pred.rec_alloc[p][t] << " " << react.rec_alloc[p][t] << " "
        << (t > 0 ? pred.rec_upper[p][t - 1] : NAN) << "\n";
  }
  auto sweep = [&](const std::string& prefix, const std::string& file) {
    auto f = out(file);
    std::vector<std::pair<double, double>> pts;
    for (const auto& r : runs)
      if (r.name.rfind(prefix, 0) == 0) pts.push_back({r.r.allocated / r.r.steps, 100 * r.r.unmet_share()});
    std::sort(pts.begin(), pts.end());
    for (auto [a, u] : pts) f << a << " " << u << "\n";
  };
  sweep("sweep.static", "sweep_static.dat");
  sweep("sweep.reactive", "sweep_reactive.dat");
  sweep("sweep.predictive", "sweep_predictive.dat");
  {
    auto f = out("defaults.dat");
    for (const auto& r : runs) {
      if (r.name.rfind("sweep.", 0) == 0) continue;
      f << gp_quote(r.name) << " " << r.r.allocated / r.r.steps << " " << 100 * r.r.unmet_share() << " "
        << 100 * r.r.utilization() << " " << 100 * r.r.slack() << " " << r.r.migrations / r.r.steps << "\n";
    }
  }
  {
    auto f = out("accuracy.dat");
    for (int m = 0; m < kNumMethods; ++m) {
      if (m == kSe && !seasonal) continue;
      f << gp_quote(kMethodName[m]) << " " << mae[m][0] << " " << mae[m][1] << " " << mae[m][2] << "\n";
    }
  }
  auto g = out("plots.gp");
  g << "set terminal pngcairo size 1400,900 noenhanced font 'sans,10'\n"
       "set output 'series.png'\n"
       "set multiplot layout 2,2 title 'demand, predictive upper forecast and allocations (group 0)'\n"
       "set xlabel 'step'; set ylabel 'processors'; set key top left; set grid\n";
  for (size_t p = 0; p < nshow; ++p) {
    g << "set title " << gp_quote("partition " + std::to_string(p) + ": " + tr.names[p]) << "\n"
      << "plot 'series_" << p << ".dat' using 1:2 with lines lw 1.5 lc rgb '#222222' title 'demand', "
      << "'' using 1:5 with lines lw 1 dt 2 lc rgb '#2a9d8f' title 'predictive upper bound', "
      << "'' using 1:3 with steps lw 1.5 lc rgb '#e76f51' title 'predictive allocation', "
      << "'' using 1:4 with steps lw 1 lc rgb '#457b9d' title 'reactive allocation'\n";
  }
  g << "unset multiplot\n"
       "set output 'policies.png'\n"
       "set multiplot layout 1,2 title 'policies on the trace'\n"
       "set title 'unmet demand vs processors held (sweeps: static quantile, reactive HI, predictive tau)'\n"
       "set xlabel 'mean processors held per group'; set ylabel 'unmet demand (% of demand)'; set key top right\n"
       "plot 'sweep_static.dat' using 1:2 with linespoints lc rgb '#6c757d' title 'static (quantile-sized)', "
       "'sweep_reactive.dat' using 1:2 with linespoints lc rgb '#457b9d' title 'reactive (HI)', "
       "'sweep_predictive.dat' using 1:2 with linespoints lc rgb '#e76f51' title 'predictive (tau)', "
       "'defaults.dat' using 2:3 with points pt 7 ps 1.5 lc rgb '#000000' title 'defaults', "
       "'' using 2:3:1 with labels offset 1,1 left notitle\n"
       "set title 'defaults: utilization, slack (%) and migrations per step'\n"
       "set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1\n"
       "set xlabel ''; set ylabel '% / processors per step'; set yrange [0:*]; set xtics rotate by -30\n"
       "plot 'defaults.dat' using 4:xtic(1) title 'utilization %', '' using 5 title 'slack %', "
       "'' using 6 title 'migrations / step'\n"
       "unset multiplot\n"
       "set output 'accuracy.png'\n"
       "set title 'forecast MAE by horizon (pooled, percentage points)'\n"
       "set ylabel 'MAE (percentage points)'; set key top left\n"
       "plot 'accuracy.dat' using 2:xtic(1) title 'h = 1', '' using 3 title 'h = 3', '' using 4 title 'h = 12'\n";
  g.close();
  const std::string cmd = "cd " + shoal::bench::shell_quote(dir) + " && gnuplot plots.gp > gnuplot.log 2>&1";
  if (std::system(cmd.c_str()) != 0) return "gnuplot failed (see " + dir + "/gnuplot.log)";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "bench-policy: forecast accuracy and allocation policies (firmware/policy) on a workload "
      "trace in the wide CSV form (header step,<series>...; one row per step; utilization "
      "percent), gzip or plain; and the predictor's cost on the soft core.",
      "bench-policy"};
  std::string trace_path, json, plots = "bench-policy-plots", per_series;
  bool no_plots = false, quiet = false, no_oncore = false;
  int warmup = 24, ma_k = 6, sim_warmup = 12;
  size_t max_series = 0;
  unsigned partitions = 16, processors = 64, prio_levels = 4, oncore_epochs = 8;
  // the library's defaults (one source): the benchmark runs what the firmware would
  const pol::ProfileConfig pdef;
  const pol::PolicyConfig cdef;
  auto q = [](uint32_t v) { return double(v) / 65536.0; };
  double scale = 16, quantile = q(pdef.quantile), hi = 0.85, lo = 0.5, setpoint = q(cdef.re.setpoint);
  int season_period = 24, season_coarse = 12, ar_order = pdef.ar_order, sel_power = pdef.sel_power;
  unsigned grant_window = cdef.pr.grant_window, keep_window = cdef.pr.keep_window, dwell = cdef.pr.dwell;
  double migration_cost = cdef.pr.migration_cost / 256.0, probe = q(cdef.pr.probe), sat_util = q(cdef.pr.sat_util);
  double q_eta = q(pdef.q_eta), q_beta = q(pdef.q_beta), sel_beta = q(pdef.sel_beta);
  app.option_defaults()->always_capture_default();  // --help shows every default
  app.add_option("trace", trace_path, "the trace (CSV, or CSV.gz)")->required();
  app.add_option("--json", json, "also write the figures as JSON to FILE");
  app.add_option("--plots", plots, "directory for the PNG pictures and their data (default bench-policy-plots)");
  app.add_flag("--no-plots", no_plots, "draw no pictures");
  app.add_option("--per-series", per_series, "write per-series accuracy (MAE, MASE) to this CSV file");
  app.add_flag("-q,--quiet", quiet, "no progress lines on stderr");
  app.add_option("--max-series", max_series, "use only the first N series (0: all)");
  app.add_option("--warmup", warmup, "accuracy: steps before scoring starts (default 24)")->check(CLI::Range(0, 100000));
  app.add_option("--ma-window", ma_k, "accuracy: moving-average baseline window (default 6)")->check(CLI::Range(1, 10000));
  app.add_option("--partitions", partitions, "simulation: series per group sharing the pool (1..16, default 16)")->check(CLI::Range(1u, pol::kMaxPartitions));
  app.add_option("--processors", processors, "simulation: processors in the pool (default 64)")->check(CLI::Range(1u, 511u));
  app.add_option("--scale", scale, "simulation: processors a series demands at 100 % (default 16)")->check(CLI::Range(0.01, 511.0));
  app.add_option("--priorities", prio_levels, "simulation: partition i gets priority i mod N (default 4; 1 = all equal)")->check(CLI::Range(1u, 16u));
  app.add_option("--sim-warmup", sim_warmup, "simulation: steps simulated but not counted (default 12)")->check(CLI::Range(0, 100000));
  app.add_option("--quantile", quantile, "upper-bound quantile tau")->check(CLI::Range(0.5, 0.999));
  app.add_option("--q-eta", q_eta, "upper bound: quantile step, times the error scale")->check(CLI::Range(0.0001, 1.0));
  app.add_option("--q-beta", q_beta, "upper bound: error-scale EWMA rate")->check(CLI::Range(0.0001, 1.0));
  app.add_option("--season-period", season_period, "seasonal table entries (0 = off, 2..24; default 24)")->check(CLI::Range(0, 24));
  app.add_option("--season-coarse", season_coarse, "samples per seasonal entry (1 = by sample; default 12: 24 x 12 = one day of 5-minute steps)")->check(CLI::Range(1, 255));
  app.add_option("--ar-order", ar_order, "AR order (0..3)")->check(CLI::Range(0, 3));
  app.add_option("--sel-power", sel_power, "ensemble weights ~ (e_min/e)^power (1..4)")->check(CLI::Range(1, 4));
  app.add_option("--sel-beta", sel_beta, "ensemble: error EWMA rate")->check(CLI::Range(0.0001, 1.0));
  app.add_option("--hi", hi, "WMU HI threshold / reactive up (default 0.85)")->check(CLI::Range(0.01, 1.0));
  app.add_option("--lo", lo, "WMU LO threshold / reactive down (default 0.5)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--setpoint", setpoint, "reactive resize target utilization")->check(CLI::Range(0.05, 1.0));
  app.add_option("--grant-window", grant_window, "predictive: epochs a grant covers")->check(CLI::Range(1u, pol::kMaxHorizon));
  app.add_option("--keep-window", keep_window, "predictive: epochs a kept processor covers")->check(CLI::Range(1u, pol::kMaxHorizon));
  app.add_option("--dwell", dwell, "predictive: churn dwell, epochs")->check(CLI::Range(0u, 255u));
  app.add_option("--migration-cost", migration_cost, "predictive: processor-epochs per move")->check(CLI::Range(0.0, 100.0));
  app.add_option("--probe", probe, "predictive: growth of a saturated partition, fraction of its holding")->check(CLI::Range(0.0, 0.99998));
  app.add_option("--sat-util", sat_util, "predictive: utilization from which the demand counts as censored")->check(CLI::Range(0.01, 0.99998));
  app.add_flag("--no-oncore", no_oncore, "skip the on-core cost measurement");
  app.add_option("--oncore-epochs", oncore_epochs, "on-core: epochs of 16 partitions x 3 types measured (default 8)")->check(CLI::Range(1u, 1000u));
  CLI11_PARSE(app, argc, argv);
  if (lo >= hi) {
    std::fprintf(stderr, "bench-policy: --lo must be below --hi\n");
    return 2;
  }
  if (keep_window < grant_window) {
    std::fprintf(stderr, "bench-policy: --keep-window must be at least --grant-window\n");
    return 2;
  }

  const auto t_start = Clock::now();
  Progress prog(quiet);
  ps::Trace tr;
  std::string err;
  if (!ps::read_trace(trace_path, tr, err, [&](size_t b) {
        if (!quiet && b > (16u << 20)) std::fprintf(stderr, "bench-policy: reading %s: %zu MB\n", trace_path.c_str(), b >> 20);
      })) {
    std::fprintf(stderr, "bench-policy: %s\n", err.c_str());
    return 1;
  }
  if (max_series && tr.series.size() > max_series) {
    tr.series.resize(max_series);
    tr.names.resize(max_series);
  }
  const size_t S = tr.series.size(), T = tr.steps;
  const double t_read = secs_since(t_start);
  if (!quiet) std::fprintf(stderr, "bench-policy: %zu series x %zu steps (%.1f s to read)\n", S, T, t_read);
  if (T < size_t(warmup) + 13) {
    std::fprintf(stderr, "bench-policy: %s: %zu steps; accuracy needs more than --warmup (%d) + 12\n",
                 trace_path.c_str(), T, warmup);
    return 1;
  }

  // ---- the predictor's configuration ------------------------------------------------------
  pol::ProfileConfig pcfg;
  pcfg.quantile = coef_of(quantile);
  pcfg.season_period = uint8_t(season_period);
  pcfg.season_coarse = season_coarse > 1 ? 1 : 0;
  pcfg.coarse_factor = uint8_t(season_coarse > 1 ? season_coarse : pcfg.coarse_factor);
  pcfg.ar_order = uint8_t(ar_order);
  pcfg.sel_power = uint8_t(sel_power);
  pcfg.q_eta = coef_of(q_eta);
  pcfg.sel_beta = coef_of(sel_beta);
  pcfg.q_beta = coef_of(q_beta);
  if (pol::configure(pcfg) != pol::Status::Ok) {
    std::fprintf(stderr, "bench-policy: the predictor configuration is out of range\n");
    return 2;
  }
  const std::string trace_param = "\"trace\": " + json_string(std::filesystem::path(trace_path).filename().string()) +
                                  ", \"series\": " + std::to_string(S) + ", \"steps\": " + std::to_string(T);
  shoal::bench::Report report("bench-policy", 3);

  // ---- 1. accuracy ---------------------------------------------------------------------------
  const auto t_acc = Clock::now();
  std::vector<SeriesAcc> acc(S);
  for (size_t i = 0; i < S; ++i) {
    acc[i] = score_series(tr.series[i], pcfg, warmup, ma_k);
    prog.tick("accuracy: series", i + 1, S);
  }
  const double acc_s = secs_since(t_acc);
  double pooled_mae[kNumMethods][3] = {};
  for (int m = 0; m < kNumMethods; ++m) {
    if (m == kSe && season_period == 0) continue;
    for (int k = 0; k < 3; ++k) {
      Acc tot;
      std::vector<double> mase;
      size_t beats = 0, valid = 0;
      for (const SeriesAcc& a : acc) {
        tot.abs += a.a[m][k].abs;
        tot.sq += a.a[m][k].sq;
        tot.n += a.a[m][k].n;
        if (a.naive1 > 0 && a.a[m][k].n) {
          mase.push_back(a.a[m][k].abs / double(a.a[m][k].n) / a.naive1);
          ++valid;
          beats += a.a[m][k].abs < a.a[kLast][k].abs;
        }
      }
      const double mae = tot.abs / double(tot.n), rmse = std::sqrt(tot.sq / double(tot.n));
      pooled_mae[m][k] = mae;
      double mase_mean = 0;
      for (double v : mase) mase_mean += v;
      mase_mean /= double(std::max<size_t>(mase.size(), 1));
      const std::string base = std::string("accuracy.") + kMethodName[m] + ".h" + std::to_string(kHorizons[k]);
      const std::string par = "{" + trace_param + ", \"horizon\": " + std::to_string(kHorizons[k]) +
                              ", \"scored\": " + std::to_string(tot.n) + ", \"unit\": \"utilization percentage points\"}";
      report.add(base + ".mae", mae, "pct-points", par).shown = "pooled over " + std::to_string(tot.n) + " forecasts";
      report.add(base + ".rmse", rmse, "pct-points", par).shown = "pooled";
      report.add(base + ".mase_mean", mase_mean, "ratio", par).shown =
          "mean over " + std::to_string(valid) + " series (MAE / in-sample one-step naive MAE)";
      report.add(base + ".mase_median", median(mase), "ratio", par).shown = "median over series";
      if (m != kLast)
        report.add(base + ".series_beating_last_value", valid ? double(beats) / double(valid) : 0.0, "share", par).shown =
            "share of series whose MAE is below last-value's";
    }
  }
  for (unsigned wi = 0; wi < pcfg.nwindows; ++wi) {
    size_t hit = 0, n = 0;
    double head = 0;
    for (const SeriesAcc& a : acc) {
      hit += a.cover_hit[wi];
      n += a.cover_n[wi];
      head += a.headroom[wi];
    }
    const std::string w = std::to_string(pcfg.windows[wi]);
    const std::string par = "{" + trace_param + ", \"window\": " + w + ", \"quantile\": " + json_number(quantile) + "}";
    report.add("upper_bound.w" + w + ".coverage", double(hit) / double(std::max<size_t>(n, 1)), "share", par).shown =
        "peak of the next " + w + " steps <= the upper bound (nominal " + json_number(quantile) + ")";
    report.add("upper_bound.w" + w + ".headroom", head / double(std::max<size_t>(n, 1)), "pct-points", par).shown =
        "mean upper bound minus point forecast";
  }
  size_t flat = 0;
  for (const SeriesAcc& a : acc) flat += a.naive1 == 0;
  if (flat) report.note(std::to_string(flat) + " constant series have no MASE (naive MAE 0); counted in MAE/RMSE only");
  report.note("accuracy: every series starts an empty profile; the first " + std::to_string(warmup) +
              " steps are not scored; moving average over " + std::to_string(ma_k) +
              " steps; last-value is the naive member (identical), so it is listed once");
  if (!per_series.empty()) {
    std::ofstream f(per_series);
    f << "series";
    for (int m = 0; m < kNumMethods; ++m)
      for (int k = 0; k < 3; ++k) f << "," << kMethodName[m] << "_mae_h" << kHorizons[k];
    f << ",naive1_mae";
    for (int k = 0; k < 3; ++k) f << ",ensemble_mase_h" << kHorizons[k];
    f << "\n";
    for (size_t i = 0; i < S; ++i) {
      std::string name = tr.names[i];
      std::replace(name.begin(), name.end(), '"', '\'');
      f << '"' << name << '"';
      for (int m = 0; m < kNumMethods; ++m)
        for (int k = 0; k < 3; ++k) f << "," << acc[i].a[m][k].abs / double(std::max<size_t>(acc[i].a[m][k].n, 1));
      f << "," << acc[i].naive1;
      for (int k = 0; k < 3; ++k)
        f << "," << (acc[i].naive1 > 0 ? acc[i].a[kEns][k].abs / double(std::max<size_t>(acc[i].a[kEns][k].n, 1)) / acc[i].naive1 : NAN);
      f << "\n";
    }
    if (!f) {
      std::fprintf(stderr, "bench-policy: cannot write %s\n", per_series.c_str());
      return 1;
    }
  }

  // ---- 2. policy simulation ----------------------------------------------------------------
  const auto t_sim = Clock::now();
  const size_t groups = S / partitions;
  const size_t dropped = S - groups * partitions;
  std::vector<PolicyRun> runs;
  ps::SimConfig base;
  base.processors = processors;
  base.scale = scale;
  base.floor = 1;
  base.cap = uint16_t(std::min<double>(processors, std::ceil(scale)));
  for (unsigned p = 0; p < partitions; ++p) base.prio.push_back(uint8_t(p % prio_levels));
  base.hi = q16_of(hi);
  base.lo = q16_of(lo);
  base.profile = pcfg;
  base.warmup = uint32_t(sim_warmup);
  base.policy.re.setpoint = q16_of(setpoint);
  base.policy.pr.grant_window = uint8_t(grant_window);
  base.policy.pr.keep_window = uint8_t(keep_window);
  base.policy.pr.dwell = uint8_t(dwell);
  base.policy.pr.migration_cost = uint16_t(std::lround(migration_cost * 256));
  base.policy.pr.probe = q16_of(probe);
  base.policy.pr.sat_util = q16_of(sat_util);
  if (groups == 0) {
    std::fprintf(stderr, "bench-policy: %zu series are fewer than --partitions %u: no policy simulation\n", S, partitions);
  }
  // every policy run: all groups; recorded series of group 0
  ps::SimResult rec_pred, rec_react;
  size_t runs_total = 0, runs_done = 0;
  auto run_all = [&](ps::SimConfig cfg, const std::string& name, const std::string& label, double param,
                     double static_q, ps::SimResult* rec) -> bool {
    PolicyRun pr;
    pr.name = name;
    pr.label = label;
    pr.param = param;
    for (size_t g = 0; g < groups; ++g) {
      std::vector<const std::vector<float>*> ser;
      for (unsigned p = 0; p < partitions; ++p) ser.push_back(&tr.series[g * partitions + p]);
      ps::SimConfig c = cfg;
      if (c.policy.kind == pol::PolicyKind::Static && !c.policy.st.equal) {
        const auto sh = ps::static_shares(c, ser, static_q);
        for (size_t p = 0; p < sh.size(); ++p) c.policy.st.share[p] = sh[p];
      }
      c.record = rec && g == 0;
      ps::SimResult r;
      if (!ps::simulate(c, ser, r, err)) {
        std::fprintf(stderr, "bench-policy: simulation: %s\n", err.c_str());
        return false;
      }
      if (c.record) *rec = r;
      pr.r.add(r);
    }
    runs.push_back(pr);
    prog.tick("policy runs", ++runs_done, runs_total);
    return true;
  };
  const double static_qs[] = {0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0};
  const double react_his[][2] = {{0.95, 0.6}, {0.9, 0.55}, {0.75, 0.4}, {0.65, 0.3}, {0.55, 0.2}, {0.45, 0.15}};
  const double pred_taus[] = {0.5, 0.7, 0.8, 0.95, 0.98};
  runs_total = 5 + std::size(static_qs) + std::size(react_his) + std::size(pred_taus);
  bool ok = groups > 0;
  if (ok) {
    ps::SimConfig c = base;
    c.policy.kind = pol::PolicyKind::Static;
    c.policy.st.equal = 1;
    ok = ok && run_all(c, "static_equal", "static, equal shares", 0, 0, nullptr);
    c.policy.st.equal = 0;
    ok = ok && run_all(c, "static_peak", "static, peak-sized shares", 1.0, 1.0, nullptr);
    c = base;
    c.policy.kind = pol::PolicyKind::Reactive;
    ok = ok && run_all(c, "reactive", "reactive", hi, 0, &rec_react);
    c.policy.kind = pol::PolicyKind::Predictive;
    ok = ok && run_all(c, "predictive", "predictive", quantile, 0, &rec_pred);
    c.policy.kind = pol::PolicyKind::Oracle;
    ok = ok && run_all(c, "oracle", "oracle (knows the next step)", 0, 0, nullptr);
    for (double q : static_qs) {
      c = base;
      c.policy.kind = pol::PolicyKind::Static;
      c.policy.st.equal = 0;
      ok = ok && run_all(c, "sweep.static_q" + json_number(q), "static at the " + json_number(q) + " quantile", q, q, nullptr);
    }
    for (const auto& hl : react_his) {
      c = base;
      c.policy.kind = pol::PolicyKind::Reactive;
      c.hi = q16_of(hl[0]);
      c.lo = q16_of(hl[1]);
      c.policy.re.setpoint = q16_of(0.5 * (hl[0] + hl[1]));
      ok = ok && run_all(c, "sweep.reactive_hi" + json_number(hl[0]), "reactive, HI " + json_number(hl[0]), hl[0], 0, nullptr);
    }
    for (double tau : pred_taus) {
      c = base;
      c.policy.kind = pol::PolicyKind::Predictive;
      c.profile.quantile = coef_of(tau);
      pol::configure(c.profile);
      ok = ok && run_all(c, "sweep.predictive_tau" + json_number(tau), "predictive, tau " + json_number(tau), tau, 0, nullptr);
    }
    if (!ok) return 1;
  }
  const double sim_s = secs_since(t_sim);
  auto find = [&](const std::string& n) -> const PolicyRun* {
    for (const auto& r : runs)
      if (r.name == n) return &r;
    return nullptr;
  };
  const std::string sim_param = trace_param + ", \"groups\": " + std::to_string(groups) +
                                ", \"partitions\": " + std::to_string(partitions) +
                                ", \"processors\": " + std::to_string(processors) + ", \"scale\": " + json_number(scale);
  uint64_t mismatches = 0, derrors = 0;
  for (const auto& r : runs) {
    mismatches += r.r.plan_mismatch;
    derrors += r.r.decide_errors;
    const bool sweep = r.name.rfind("sweep.", 0) == 0;
    const std::string par = "{" + sim_param + ", \"policy\": " + json_string(r.label) + "}";
    const double alloc_mean = r.r.allocated / std::max(r.r.steps, 1.0);
    auto add = [&](const std::string& what, double v, const std::string& unit, const std::string& shown) {
      report.add("policy." + r.name + "." + what, v, unit, par).shown = r.label + ": " + shown;
    };
    add("unmet_demand", r.r.unmet_share(), "share", "processor-steps not served / demanded");
    if (sweep) {
      add("allocated_mean", alloc_mean, "processors", "mean processors held per group");
      add("utilization", r.r.utilization(), "share", "used / held processor-steps");
      continue;
    }
    add("unmet_processor_steps", r.r.unmet, "processor-steps", "demand not served, all groups");
    add("utilization", r.r.utilization(), "share", "used / held processor-steps");
    add("slack", r.r.slack(), "share", "(held - used) / held");
    add("allocated_mean", alloc_mean, "processors", "mean processors held per group (pool " + std::to_string(processors) + ")");
    add("migrations_per_step", r.r.migrations / std::max(r.r.steps, 1.0), "processors", "processors moved per step per group");
    add("reclaimed_per_step", r.r.reclaimed / std::max(r.r.steps, 1.0), "processors", "of which by reclaim");
    add("decide_host_ns", r.r.decide_ns / double(std::max<uint64_t>(r.r.decisions, 1)), "ns",
        "host time per decision (" + std::to_string(partitions) + " partitions; predictive includes observe_cpu)");
  }
  if (dropped) report.note(std::to_string(dropped) + " series left out of the policy simulation (not a whole group of " + std::to_string(partitions) + ")");
  report.note("simulation: " + std::to_string(groups) + " groups of " + std::to_string(partitions) + " series, " +
              std::to_string(processors) + " processors each, demand = percent / 100 x " + json_number(scale) +
              " processors, floor 1, cap " + std::to_string(base.cap) + ", priority = index mod " + std::to_string(prio_levels) +
              "; first " + std::to_string(sim_warmup) + " steps not counted; static shares are sized offline from the whole trace");
  report.note("plan check: " + std::to_string(mismatches) + " ALLOC responses or holdings differing from decide()'s plan, " +
              std::to_string(derrors) + " decide() errors (both must be 0)");

  // ---- 3. the goals: targets next to the measured values ------------------------------
  auto goal = [&](const std::string& name, std::optional<double> v, const std::string& target, bool met_if_le,
                  double bound, const std::string& what) {
    std::string status = "n/a";
    if (v) status = ((met_if_le ? *v <= bound : *v >= bound) ? "met" : "not met");
    auto& f = report.add("goal." + name, v, "ratio",
                         "{" + trace_param + ", \"target\": " + json_string(target) + ", \"status\": " + json_string(status) + "}");
    f.shown = "target " + target + " (" + status + "): " + what;
  };
  for (int k : {1, 2}) {
    const double r = pooled_mae[kEns][k] / pooled_mae[kLast][k];
    goal("mae_vs_last_value.h" + std::to_string(kHorizons[k]), r, "<= 0.90", true, 0.90,
         "ensemble MAE / last-value MAE at horizon " + std::to_string(kHorizons[k]));
  }
  const PolicyRun* pred = find("predictive");
  const PolicyRun* react = find("reactive");
  if (pred && react) {
    goal("predictive_slack", pred->r.slack(), "< 0.15", true, 0.15, "slack of the predictive policy");
    const double pa = pred->r.allocated / pred->r.steps;
    std::vector<std::pair<double, double>> rp;
    rp.push_back({react->r.allocated / react->r.steps, react->r.unmet_share()});
    for (const auto& r : runs)
      if (r.name.rfind("sweep.reactive", 0) == 0) rp.push_back({r.r.allocated / r.r.steps, r.r.unmet_share()});
    const auto ru = interp(rp, pa);
    goal("unmet_vs_reactive_at_equal_allocation", ru && *ru > 0 ? std::optional<double>(pred->r.unmet_share() / *ru) : std::nullopt,
         "<= 0.50", true, 0.50,
         "predictive unmet demand / reactive's at the predictive allocation (interpolated over the reactive sweep" +
             std::string(ru ? ")" : "; outside its range)"));
    goal("unmet_vs_reactive_default", react->r.unmet_share() > 0 ? std::optional<double>(pred->r.unmet_share() / react->r.unmet_share()) : std::nullopt,
         "<= 0.50", true, 0.50,
         "predictive / default reactive unmet demand; allocated " + json_number(std::round(pa * 100) / 100) + " vs " +
             json_number(std::round(react->r.allocated / react->r.steps * 100) / 100) + " processors");
    std::vector<std::pair<double, double>> sp;
    for (const auto& r : runs)
      if (r.name.rfind("sweep.static", 0) == 0) sp.push_back({r.r.unmet_share(), r.r.utilization()});
    const auto su = interp(sp, pred->r.unmet_share());
    goal("utilization_vs_static_at_equal_unmet", su ? std::optional<double>(pred->r.utilization() / *su) : std::nullopt,
         ">= 1.25", false, 1.25,
         "predictive utilization / static's at the predictive unmet demand (interpolated over the static sweep" +
             std::string(su ? ")" : "; outside its range)"));
  }

  // ---- 4. pictures ---------------------------------------------------------------------------
  if (!no_plots && groups > 0) {
    std::string perr = write_plots(plots, tr, partitions, runs, rec_pred, rec_react, pooled_mae, season_period != 0);
    if (perr.empty()) {
      report.note("pictures: " + plots + "/series.png, " + plots + "/policies.png, " + plots + "/accuracy.png (gnuplot pngcairo)");
    } else {
      report.note("pictures not drawn: " + perr);
    }
  }

  // ---- 5. on-core cost -------------------------------------------------------------------------
  if (!no_oncore) {
    std::string oerr = oncore_costs(report, oncore_epochs);
    if (!oerr.empty()) report.note("on-core cost not measured: " + oerr);
  }
  report.note("host: read " + json_number(std::round(t_read * 100) / 100) + " s, accuracy " +
              json_number(std::round(acc_s * 100) / 100) + " s, simulation " + json_number(std::round(sim_s * 100) / 100) +
              " s, total " + json_number(std::round(secs_since(t_start) * 100) / 100) + " s");
  report.print_table();
  if (!json.empty() && !report.write_json(json)) return 1;
  return 0;
}
