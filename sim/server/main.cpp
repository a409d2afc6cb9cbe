// shoal-sim: runs the Verilated Shoal card and serves host clients (driver/'s sim: backend) on a
// UNIX socket. See sim/README.md.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "card_model.hpp"
#include "cli.hpp"  // sim/scenario: --scenario
#include "io_server.hpp"
#include "shoal/regs.hpp"
#include "shoal/sim_socket.hpp"
#include "sim_core.hpp"

namespace {

// Firmware console bytes -> stdout, one "[fw] " prefix per line, flushed per complete line.
class ConsolePrinter {
 public:
  void operator()(const std::string& bytes) {
    for (char c : bytes) {
      if (c == '\r') continue;
      if (c == '\n') {
        flush_line();
      } else {
        line_.push_back(c);
        if (line_.size() >= kMaxLine) flush_line();  // a runaway line still shows up
      }
    }
  }
  // Prints what is left of an unterminated line (end of run).
  void finish() {
    if (!line_.empty()) flush_line();
  }

 private:
  static constexpr std::size_t kMaxLine = 4096;
  void flush_line() {
    std::string out = "[fw] ";
    for (char c : line_) {  // keep the terminal sane: control bytes become '.'
      const auto u = static_cast<unsigned char>(c);
      out.push_back((u < 0x20 && u != '\t') || u == 0x7f ? '.' : c);
    }
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    line_.clear();
  }
  std::string line_;
};

// Audit events -> stdout as "[ev] ..." lines (with --events).
void print_event(const shoal::sim::CardEvent& e) {
  using K = shoal::sim::CardEvent::Kind;
  char buf[200];
  switch (e.kind) {
    case K::Migration:
      std::snprintf(buf, sizeof buf,
                    "[ev] cycle %llu drrm migration op %u tag %u -> partition %u processors "
                    "0x%llx%s\n",
                    static_cast<unsigned long long>(e.cycle), e.op, e.tag, e.part,
                    static_cast<unsigned long long>(e.mask), e.timeout ? " TIMEOUT (rolled back)" : "");
      break;
    case K::Violation:
      std::snprintf(buf, sizeof buf,
                    "[ev] cycle %llu drrm violation processor %u %s 0x%08x reason %u\n",
                    static_cast<unsigned long long>(e.cycle), e.proc, e.we ? "write" : "read",
                    e.addr, e.reason);
      break;
    case K::Alloc:
      std::snprintf(buf, sizeof buf, "[ev] cycle %llu alloc 0x%016llx\n",
                    static_cast<unsigned long long>(e.cycle),
                    static_cast<unsigned long long>(e.word));
      break;
  }
  std::fputs(buf, stdout);
  std::fflush(stdout);
}

// "--proc-duty 100,50,0": processor i takes the i-th value, the rest the last one.
std::vector<uint32_t> expand(const std::vector<uint32_t>& values, unsigned n) {
  std::vector<uint32_t> out(n, values.empty() ? 0 : values.back());
  for (unsigned i = 0; i < n && i < values.size(); ++i) out[i] = values[i];
  return out;
}

std::atomic<bool> g_stop{false};
std::atomic<shoal::sim::SimCore*> g_core{nullptr};

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
  if (shoal::sim::SimCore* c = g_core.load()) c->request_stop();
}

void install_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  struct sigaction ign{};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shoal::sim;
  setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);  // before any thread exists

  CLI::App app{
      "shoal-sim: the co-simulated Shoal card. Runs the Verilated card RTL, free-running, and\n"
      "serves host programs on a UNIX socket; they connect with the device URI sim:PATH, e.g.\n"
      "  shoal-sim --socket /tmp/shoal.sock &\n"
      "  shoalctl --device sim:/tmp/shoal.sock info\n"
      "Several clients may connect at once. Prints 'shoal-sim: listening on sim:PATH' when\n"
      "ready; SIGINT/SIGTERM stop it cleanly (socket removed, waves flushed, exit status 0).\n"
      "A stale socket left by a crashed run is replaced; a live server or a non-socket file at\n"
      "PATH is an error (exit status 1). PATH is owned through an flock on PATH.lock: of several\n"
      "servers started at once on one path, exactly one listens. Bad options: exit status 2.\n"
      "Numbers are decimal (a leading 0 is still decimal) or 0x hex."};
  std::string socket_path;
  std::string trace_path;
  uint64_t max_cycles = 0;
  bool quiet = false;
  bool no_console = false;
  std::string engine_name = "plain";
  std::vector<uint32_t> duty{0};
  uint32_t mem_pct = 0, io_pct = 0, drain = 8;
  std::vector<unsigned> stuck;
  std::string workload_trace;
  uint64_t trace_step_cycles = 10000;
  bool events = false;
  // Decimal means decimal: CLI11 reads a leading 0 as octal ("010" = 8); strip leading zeros of
  // decimal numbers first (0x hex stays as it is).
  auto decimal = [](std::string v) {
    if (v.size() > 1 && v[0] == '0' && v[1] != 'x' && v[1] != 'X') {
      const auto nz = v.find_first_not_of('0');
      v = nz == std::string::npos ? "0" : v.substr(nz);
    }
    return v;
  };
  const std::string default_socket = shoal::sim_socket::default_path();
  app.add_option("--socket,-s", socket_path,
                 "UNIX socket path to listen on (default: " + default_socket +
                     ", in the runtime directory $SHOAL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/shoal, "
                     "else /tmp/shoal-UID, where 'shoalctl list' looks)");
  std::string socket_mode = "0600";
  std::string socket_group;
  app.add_option("--socket-mode", socket_mode,
                 "permission bits of the socket file, octal (default 0600: only this user may "
                 "connect; e.g. 0660 with --socket-group lets a group in). The umask plays no part")
      ->capture_default_str();
  app.add_option("--socket-group", socket_group,
                 "group of the socket file (a name or number; this user must be a member)");
  app.add_option("--trace", trace_path,
                 "write FST waves of the whole run to FILE.fst (uses the traced model build; "
                 "much slower). Only FST is written: any other name is refused (convert with "
                 "fst2vcd from the gtkwave package if you need VCD)")
      ->check([](const std::string& p) -> std::string {
        const auto ext = std::filesystem::path(p).extension().string();
        if (ext == ".fst") return {};
        return "shoal-sim writes FST waves only, so the file must end in .fst (got '" + p +
               "'); for VCD, convert the FST file with fst2vcd (Debian package gtkwave)";
      });
  app.add_option("--max-cycles", max_cycles,
                 "stop by itself after N card cycles (0 = run until SIGINT/SIGTERM)")
      ->transform(decimal, "");
  app.add_option("--engine", engine_name,
                 "how the card is clocked: 'plain' (C++ loop, the default: faster, see "
                 "sim/README.md) or 'systemc' (an SC_THREAD in a SystemC module; SystemC time "
                 "= card time)")
      ->check(CLI::IsMember({"plain", "systemc"}))
      ->capture_default_str();
  app.add_flag("--quiet,-q", quiet,
               "print only the listening line, errors and the firmware console");
  app.add_flag("--no-console", no_console,
               "do not print the soft core's console (by default every line the firmware "
               "writes appears on stdout as '[fw] LINE')");
  const unsigned nproc = shoal::regs::param::num_processors;
  auto* procs = app.add_option_group(
      "Processors", "the simulated host processors behind the card's processor ports "
                    "(sim/README.md)");
  procs->add_option("--proc-duty", duty,
                    "busy percent of each processor: one value for all, or a comma list "
                    "(processor i takes the i-th value, the rest the last one)")
      ->transform(decimal, "")
      ->delimiter(',')
      ->check(CLI::Range(0u, 100u))
      ->capture_default_str();
  procs->add_option("--proc-mem", mem_pct, "percent of busy cycles with a memory event")
      ->transform(decimal, "")
      ->check(CLI::Range(0u, 100u))
      ->capture_default_str();
  procs->add_option("--proc-io", io_pct, "percent of busy cycles with an I/O event")
      ->transform(decimal, "")
      ->check(CLI::Range(0u, 100u))
      ->capture_default_str();
  procs->add_option("--proc-drain", drain,
                    "cycles a processor takes to quiesce after the DRRM pauses it")
      ->transform(decimal, "")
      ->check(CLI::Range(1u, 1000000u))
      ->capture_default_str();
  procs->add_option("--proc-stuck", stuck,
                    "comma list of processors that never quiesce (migrations of them time out "
                    "and roll back)")
      ->transform(decimal, "")
      ->delimiter(',')
      ->check(CLI::Range(0u, nproc - 1));
  procs->add_option("--workload-trace", workload_trace,
                    "drive the busy percentages from a utilization trace (CSV: header, then "
                    "rows of step,pct,pct,...; e.g. tests/data/planetlab_excerpt.csv); "
                    "processor p plays column p mod the number of series")
      ->check(CLI::ExistingFile);
  procs->add_option("--trace-step-cycles", trace_step_cycles,
                    "card cycles each trace row lasts")
      ->transform(decimal, "")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->capture_default_str();
  shoal::scenario::CliOptions scen;
  auto* sg = app.add_option_group(
      "Scenario", "instead of serving clients: play a scenario file on the in-process card and report "
                  "(sim/README.md, \"Scenarios\"; scenarios/README.md)");
  sg->add_option("--scenario", scen.file, "the scenario file (TOML), e.g. scenarios/db-web-ml.toml")
      ->check(CLI::ExistingFile);
  sg->add_option("--compare", scen.compare,
                 "run the scenario under each of these policies (comma list of static, reactive, predictive) "
                 "and write one table and one picture");
  sg->add_option("--policy", scen.policy, "the policy of a single run (default: the file's)");
  sg->add_option("--out", scen.out, "directory for the pictures and tables")->capture_default_str();
  sg->add_option("--jobs", scen.jobs, "runs at once with --compare (each its own card model)")
      ->check(CLI::Range(1u, 8u))
      ->capture_default_str();
  app.add_flag("--events", events,
               "print the card's audit events (DRRM migrations and violations, ALLOC grants, "
               "releases, reclaims) as '[ev] ...' lines");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    (void)app.exit(e);  // prints the message
    return 2;
  }
  if (!scen.file.empty()) {
    scen.progress = !quiet;
    return shoal::scenario::run_cli(scen);
  }
  if (!scen.compare.empty() || !scen.policy.empty()) {
    std::fprintf(stderr, "shoal-sim: error: --compare and --policy need --scenario FILE\n");
    return 2;
  }
  SocketAccess access;
  if (auto m = parse_socket_mode(socket_mode)) {
    access.mode = *m;
  } else {
    std::fprintf(stderr, "shoal-sim: error: --socket-mode '%s' is not an octal permission mode (0..0777), e.g. 0660\n",
                 socket_mode.c_str());
    return 2;
  }
  access.group = socket_group;
  if (socket_path.empty()) {
    socket_path = default_socket;
    // the runtime directory: private to this user unless it exists already
    const std::string dir = shoal::sim_socket::runtime_dir();
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
      std::filesystem::create_directories(dir, ec);
      if (!ec) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
      if (ec) {
        std::fprintf(stderr, "shoal-sim: error: cannot create the runtime directory %s: %s\n", dir.c_str(),
                     ec.message().c_str());
        return 1;
      }
    }
  }

  std::shared_ptr<const UtilTrace> trace;
  if (!workload_trace.empty()) {
    try {
      trace = std::make_shared<const UtilTrace>(UtilTrace::load(workload_trace));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "shoal-sim: error: %s\n", e.what());
      return 2;
    }
  }

  install_handlers();

  try {
    // The socket first: if another server owns the path, fail before touching its trace file.
    bool replaced = false;
    Listener listener(socket_path, &replaced, access);
    if (replaced && !quiet)
      std::fprintf(stderr, "shoal-sim: replaced a stale socket at %s\n", socket_path.c_str());

    CardModelOptions mopts;
    mopts.trace_path = trace_path;
    std::unique_ptr<CardModel> model;
    try {
      model = make_card_model(mopts);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "shoal-sim: error: cannot build the card model: %s\n", e.what());
      return 1;
    }

    const auto duties = expand(duty, model->num_processors());
    for (unsigned p = 0; p < model->num_processors(); ++p) {
      ProcessorConfig pc;
      pc.duty_pct = duties[p];
      pc.mem_pct = mem_pct;
      pc.io_pct = io_pct;
      pc.drain_cycles = drain;
      for (unsigned s : stuck)
        if (s == p) pc.drain_cycles = ProcessorPort::kNever;
      model->set_processor(p, pc);
    }
    if (trace) model->set_workload_trace(trace, trace_step_cycles);

    const uint32_t bar0 = shoal::regs::kBar0Size;
    SimCore core(*model, bar0, max_cycles ? max_cycles : ~uint64_t{0});
    IoServer::Options iopts;
    iopts.verbose = !quiet;
    IoServer io(listener, core, bar0, iopts);
    core.set_sink(&io);
    auto console = std::make_shared<ConsolePrinter>();
    if (!no_console) core.set_console_sink([console](const std::string& b) { (*console)(b); });
    if (events) core.set_event_sink(print_event);
    g_core.store(&core);
    if (g_stop.load()) core.request_stop();  // a signal arrived while starting
    io.start();

    std::printf("shoal-sim: listening on sim:%s\n", socket_path.c_str());
    std::fflush(stdout);
    if (!quiet)
      std::fprintf(stderr, "shoal-sim: card running (engine %s%s%s)\n", engine_name.c_str(),
                   trace_path.empty() ? "" : ", waves to ", trace_path.c_str());

    if (!core.stop_requested()) {
      if (engine_name == "systemc")
        run_systemc(core, static_cast<double>(shoal::regs::param::clock_hz));
      else
        run_plain(core);
    }

    g_core.store(nullptr);
    io.stop();
    core.set_sink(nullptr);
    core.drain_outputs();
    console->finish();
    if (!quiet) {
      const IoStats is = io.stats();
      const SimStats& ss = core.stats();
      std::fprintf(stderr,
                   "shoal-sim: stopped after %llu card cycles; %llu clients (%llu refused: "
                   "full, %llu closed: lost message sync), %llu requests (%llu malformed, %llu "
                   "bus errors, %llu 64-bit accesses refused as a whole), %llu interrupt "
                   "messages, %llu audit events\n",
                   static_cast<unsigned long long>(model->cycle()),
                   static_cast<unsigned long long>(is.clients_accepted),
                   static_cast<unsigned long long>(is.clients_refused),
                   static_cast<unsigned long long>(is.clients_desynced),
                   static_cast<unsigned long long>(ss.requests),
                   static_cast<unsigned long long>(ss.bad_requests),
                   static_cast<unsigned long long>(ss.bus_errors),
                   static_cast<unsigned long long>(ss.wide_refused),
                   static_cast<unsigned long long>(ss.irq_messages),
                   static_cast<unsigned long long>(ss.events));
    }
    // Leaving the scope closes the clients and the socket (removed) and then destroys the
    // model, which flushes and closes the waves.
    return 0;
  } catch (const SetupError& e) {
    std::fprintf(stderr, "shoal-sim: error: %s\n", e.what());
    return 1;
  }
}
