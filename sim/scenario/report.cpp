// Narrative, tables and pictures of scenario runs (report.hpp).
#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace shoal::scenario {
namespace {

constexpr double kClockMHz = SHOAL_PARAM_CLOCK_HZ / 1e6;

std::vector<double> per_step(const RunResult& r, std::size_t k) {
  const Scenario& s = r.scenario;
  std::vector<double> out(s.steps, 0.0);
  for (std::size_t i = 0; i < r.ticks.size(); ++i) out[i / s.ticks] += r.ticks[i].demand[k] / s.ticks;
  return out;
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

// scenario time of a (fractional) step, as "5h05" or "42 s"
std::string when(const Scenario& s, double step) {
  const double sec = step * s.step_seconds;
  if (sec >= 3600) {
    const long m = std::lround(sec / 60);
    char b[32];
    std::snprintf(b, sizeof b, "%ldh%02ld", m / 60, m % 60);
    return b;
  }
  if (sec >= 60) return fmt("%.0f min", sec / 60);
  return fmt("%.1f s", sec);
}

}  // namespace

Story tell(const RunResult& r) {
  Story st;
  const Scenario& s = r.scenario;
  const int R = s.index_of(s.receiver), D = s.index_of(s.donor);
  if (R < 0 || D < 0 || R == D || r.ticks.empty()) return st;
  st.donor = s.donor;
  st.receiver = s.receiver;
  const std::vector<double> rd = per_step(r, std::size_t(R)), dd = per_step(r, std::size_t(D));
  const double lo = *std::min_element(rd.begin(), rd.end()), hi = *std::max_element(rd.begin(), rd.end());
  const double mid = (lo + hi) / 2;
  for (uint32_t i = 0; i < s.steps && st.peak_start < 0; ++i)
    if (rd[i] >= mid && hi > lo) st.peak_start = int(i);
  if (st.peak_start < 0) return st;
  st.peak_end = int(s.steps);
  for (uint32_t i = uint32_t(st.peak_start); i < s.steps; ++i)
    if (rd[i] < mid) {
      st.peak_end = int(i);
      break;
    }
  st.peak_from = rd[std::size_t(std::max(0, st.peak_start - 1))];
  st.peak_to = hi;
  const uint32_t t0 = r.tick_of_step(uint32_t(st.peak_start)), t1 = r.tick_of_step(uint32_t(st.peak_end));
  st.held_before = r.ticks[t0].held[std::size_t(R)];
  st.donor_before = r.ticks[t0 > s.ticks ? t0 - s.ticks : 0].held[std::size_t(D)];
  for (uint32_t i = t0; i < t1 && i < r.ticks.size(); ++i)
    if (r.ticks[i].held[std::size_t(R)] > st.held_peak) {
      st.held_peak = r.ticks[i].held[std::size_t(R)];
      st.reached = int(i);
    }
  for (uint32_t i = t0; i < t1 && i < r.ticks.size() && st.half_gain < 0 && st.held_peak > st.held_before; ++i)
    if (r.ticks[i].held[std::size_t(R)] >= (st.held_before + st.held_peak) / 2) st.half_gain = int(i);
  // the donor's load rising again: its demand above the middle of its range after the peak began
  double dlo = 1e18, dhi = 0;
  for (uint32_t i = uint32_t(st.peak_start); i < s.steps; ++i) {
    dlo = std::min(dlo, dd[i]);
    dhi = std::max(dhi, dd[i]);
  }
  bool seen_low = false;
  for (uint32_t i = uint32_t(st.peak_start); i < s.steps && st.donor_rise < 0 && dhi > dlo; ++i) {
    seen_low |= dd[i] < (dlo + dhi) / 2;
    if (seen_low && dd[i] >= (dlo + dhi) / 2) st.donor_rise = int(i);
  }
  if (st.donor_rise >= 0)
    for (uint32_t i = r.tick_of_step(uint32_t(st.donor_rise)); i < r.ticks.size() && st.returned < 0; ++i)
      if (r.ticks[i].held[std::size_t(D)] >= st.donor_before) st.returned = int(i);
  // where each processor came from: its last partition, through the idle pool if it was parked
  std::vector<int> prev = r.initial_owner;
  prev.resize(SHOAL_PARAM_NUM_PROCESSORS, kIdle);
  for (const Move& m : r.moves) {
    if (m.to == R && m.tick >= t0 && m.tick < t1) {
      if (st.first_gain < 0) st.first_gain = int(m.tick);
      st.from_donor += prev[m.proc] == D;
    }
    if (m.to == D && m.tick >= t0 && prev[m.proc] == R) ++st.back_to_donor;
    if (m.to >= 0) prev[m.proc] = m.to;
  }
  return st;
}

std::string narrative(const RunResult& r, const Story& st) {
  const Scenario& s = r.scenario;
  std::ostringstream o;
  if (st.receiver.empty()) return "(no [narrative] donor/receiver in the scenario)\n";
  if (st.peak_start < 0) return st.receiver + "'s demand never peaks\n";
  const double tps = s.ticks;
  o << "- " << st.receiver << "'s peak began at step " << st.peak_start << " (" << when(s, st.peak_start)
    << "): demand " << fmt("%.1f", st.peak_from) << " -> " << fmt("%.1f", st.peak_to) << " processors, until step "
    << st.peak_end << " (" << when(s, st.peak_end) << ").\n";
  o << "- " << st.receiver << " held " << st.held_before << " processors when it began and at most " << st.held_peak
    << " during it";
  if (st.reached >= 0) {
    const double dt = (st.reached - st.peak_start * tps) / tps;
    if (st.half_gain >= 0) {
      const double hg = (st.half_gain - st.peak_start * tps) / tps;
      o << "; half of that gain " << fmt("%.2f", hg) << " steps after it began (" << when(s, hg) << ")";
    }
    o << ", all of it " << fmt("%.1f", dt) << " steps after (" << when(s, dt) << " of scenario time, "
      << fmt("%.2f", dt * double(s.step_cycles) / kClockMHz / 1000.0) << " ms of card time)";
  }
  o << ".\n";
  o << "- " << st.from_donor << " processors went " << st.donor << " -> " << st.receiver
    << " during the peak (directly or through the idle pool)";
  if (st.first_gain >= 0)
    o << "; the first reached " << st.receiver << " " << fmt("%.2f", (st.first_gain - st.peak_start * tps) / tps)
      << " steps after the peak began";
  o << ".\n";
  if (st.donor_rise >= 0) {
    o << "- " << st.donor << "'s load rose again at step " << st.donor_rise << " (" << when(s, st.donor_rise) << "); ";
    if (st.returned >= 0)
      o << st.donor << " held its " << st.donor_before << " processors again at step "
        << fmt("%.2f", st.returned / tps) << " (" << when(s, (st.returned - st.donor_rise * tps) / tps)
        << " later); ";
    else
      o << st.donor << " never held its " << st.donor_before << " processors again; ";
    o << st.back_to_donor << " processors went back " << st.receiver << " -> " << st.donor << ".\n";
  }
  return o.str();
}

SummaryRow summarize(const RunResult& r) {
  SummaryRow row;
  row.policy = to_string(r.policy);
  const double tick_h = r.scenario.step_seconds / r.scenario.ticks / 3600.0;
  for (std::size_t k = 0; k < r.scenario.parts.size(); ++k) {
    const PartitionTotals& t = r.totals[k];
    row.parts.push_back(r.scenario.parts[k].name);
    row.unmet_pct.push_back(t.demand > 0 ? 100.0 * t.unmet / t.demand : 0.0);
    row.unmet_ph.push_back(t.unmet * tick_h);
    row.unmet_total_ph += t.unmet * tick_h;
  }
  row.held_busy = 100.0 * r.held_busy;
  row.pool_busy = 100.0 * r.pool_busy;
  row.migrations = r.migrations;
  row.decisions = r.decisions;
  row.energy_wh = r.energy_wh;
  row.decision_p99_cycles = r.decision_p99_cycles;
  row.decision_p99_us = r.decision_p99_cycles / kClockMHz;
  row.wall_s = r.wall_seconds;
  return row;
}

std::string table_text(const std::vector<SummaryRow>& rows) {
  if (rows.empty()) return "";
  std::ostringstream o;
  char b[256];
  std::string head = "policy     ";
  for (const auto& p : rows[0].parts) {
    std::snprintf(b, sizeof b, " %14s", ("unmet " + p.substr(0, 8)).c_str());
    head += b;
  }
  head += "   total unmet  held busy  pool busy  moves  energy   decision p99";
  o << head << "\n";
  for (const SummaryRow& r : rows) {
    std::snprintf(b, sizeof b, "%-11s", r.policy.c_str());
    o << b;
    for (std::size_t k = 0; k < r.parts.size(); ++k) {
      std::snprintf(b, sizeof b, " %6.2f%% %5.1fph", r.unmet_pct[k], r.unmet_ph[k]);
      o << b;
    }
    std::snprintf(b, sizeof b, "   %8.1f ph   %6.1f %%   %6.1f %%  %5u  %5.0f Wh  ", r.unmet_total_ph, r.held_busy,
                  r.pool_busy, r.migrations, r.energy_wh);
    o << b;
    if (r.decisions) {
      std::snprintf(b, sizeof b, "%6.1f us\n", r.decision_p99_us);
      o << b;
    } else {
      o << "     (none)\n";
    }
  }
  o << "(unmet: demand above the processors held, % of the partition's demand and processor-hours of scenario time;\n"
       " busy: served demand / processors held, / all 64; moves: processors changing hands in the DRRM map;\n"
       " decision p99: the firmware's DECISION records, card time at "
    << kClockMHz << " MHz)\n";
  return o.str();
}

std::string table_json(const std::vector<SummaryRow>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (const SummaryRow& r : rows) {
    nlohmann::json parts = nlohmann::json::object();
    for (std::size_t k = 0; k < r.parts.size(); ++k)
      parts[r.parts[k]] = {{"unmet_pct", r.unmet_pct[k]}, {"unmet_processor_hours", r.unmet_ph[k]}};
    j.push_back({{"policy", r.policy},
                 {"partitions", parts},
                 {"unmet_processor_hours", r.unmet_total_ph},
                 {"held_busy_pct", r.held_busy},
                 {"pool_busy_pct", r.pool_busy},
                 {"migrations", r.migrations},
                 {"decisions", r.decisions},
                 {"energy_wh", r.energy_wh},
                 {"decision_p99_cycles", r.decision_p99_cycles},
                 {"decision_p99_us", r.decision_p99_us},
                 {"wall_seconds", r.wall_s}});
  }
  return j.dump(2) + "\n";
}

std::string plot(const std::vector<const RunResult*>& runs, const std::string& dir, const std::string& base) {
  if (runs.empty()) return "nothing to plot";
  const Scenario& s = runs[0]->scenario;
  const std::size_t K = s.parts.size(), R = runs.size();
  const std::string dat = dir + "/" + base + ".dat", gp = dir + "/" + base + ".gp", png = dir + "/" + base + ".png";
  {
    // one block per run: hours, then per partition demand and held, then moves in this tick
    std::ofstream f(dat);
    if (!f) return "cannot write " + dat;
    for (std::size_t ri = 0; ri < R; ++ri) {
      const RunResult& r = *runs[ri];
      std::vector<uint32_t> moves(r.ticks.size(), 0);
      for (const Move& m : r.moves) ++moves[m.tick];
      f << "# run " << to_string(r.policy) << "\n";
      for (std::size_t i = 0; i < r.ticks.size(); ++i) {
        f << double(i) / s.ticks * s.step_seconds / 3600.0;
        for (std::size_t k = 0; k < K; ++k) f << ' ' << r.ticks[i].demand[k] << ' ' << r.ticks[i].held[k];
        f << ' ' << moves[i] << "\n";
      }
      f << "\n\n";
    }
  }
  static const char* const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"};
  std::ofstream g(gp);
  if (!g) return "cannot write " + gp;
  const int w = int(R == 1 ? 1200 : 560 * R), h = int(180 * (K + 1) + 60);
  g << "set terminal pngcairo size " << w << "," << h << " font 'sans,9'\n";
  g << "set output '" << png << "'\n";
  g << "set multiplot layout " << K + 1 << "," << R << " columnsfirst title '" << (s.name.empty() ? base : s.name)
    << ": processors held (solid) against demand (dashed), moves per tick below'\n";
  g << "set grid ytics\nset key top left horizontal\nset lmargin 8\nset rmargin 2\n";
  for (std::size_t ri = 0; ri < R; ++ri) {
    for (std::size_t k = 0; k < K; ++k) {
      const char* c = colors[k % 8];
      const std::size_t dc = 2 + 2 * k, hc = 3 + 2 * k;
      g << "set title '" << to_string(runs[ri]->policy) << ": " << s.parts[k].name << "'\n";
      g << "set ylabel 'processors'\nunset xlabel\nset yrange [0:*]\n";
      g << "plot '" << dat << "' index " << ri << " using 1:" << dc << " with lines dt 2 lw 1.5 lc rgb '" << c
        << "' title 'demand', '' index " << ri << " using 1:" << hc << " with steps lw 2 lc rgb '" << c
        << "' title 'held'\n";
    }
    g << "set title '" << to_string(runs[ri]->policy) << ": processors changing hands'\n";
    g << "set xlabel 'scenario time (hours)'\nset ylabel 'moves'\n";
    g << "plot '" << dat << "' index " << ri << " using 1:" << 2 + 2 * K << " with impulses lw 2 lc rgb '#444444' title 'moves'\n";
  }
  g << "unset multiplot\n";
  g.close();
  const std::string cmd = "gnuplot '" + gp + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "cannot run gnuplot";
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int rc = pclose(p);
  if (rc != 0) return "gnuplot failed (is gnuplot-nox installed?): " + out;
  return "";
}

}  // namespace shoal::scenario
