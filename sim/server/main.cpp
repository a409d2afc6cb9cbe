// shoal-sim: runs the Verilated Shoal card and serves host clients (driver/'s sim: backend) on a
// UNIX socket. See sim/README.md.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "card_model.hpp"
#include "io_server.hpp"
#include "shoal/regs.hpp"
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
      "PATH is an error (exit status 1)."};
  std::string socket_path;
  std::string trace_path;
  uint64_t max_cycles = 0;
  bool quiet = false;
  bool no_console = false;
  std::string engine_name = "plain";
  app.add_option("--socket,-s", socket_path, "UNIX socket path to listen on")->required();
  app.add_option("--trace", trace_path,
                 "write FST waves of the whole run to FILE.fst (uses the traced model build; "
                 "much slower)");
  app.add_option("--max-cycles", max_cycles,
                 "stop by itself after N card cycles (0 = run until SIGINT/SIGTERM)");
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
  CLI11_PARSE(app, argc, argv);

  install_handlers();

  try {
    // The socket first: if another server owns the path, fail before touching its trace file.
    bool replaced = false;
    Listener listener(socket_path, &replaced);
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

    const uint32_t bar0 = shoal::regs::kBar0Size;
    SimCore core(*model, bar0, max_cycles ? max_cycles : ~uint64_t{0});
    IoServer::Options iopts;
    iopts.verbose = !quiet;
    IoServer io(listener, core, bar0, iopts);
    core.set_sink(&io);
    auto console = std::make_shared<ConsolePrinter>();
    if (!no_console) core.set_console_sink([console](const std::string& b) { (*console)(b); });
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
    core.drain_console();
    console->finish();
    if (!quiet) {
      const IoStats is = io.stats();
      const SimStats& ss = core.stats();
      std::fprintf(stderr,
                   "shoal-sim: stopped after %llu card cycles; %llu clients, %llu requests "
                   "(%llu malformed, %llu bus errors), %llu interrupt messages\n",
                   static_cast<unsigned long long>(model->cycle()),
                   static_cast<unsigned long long>(is.clients_accepted),
                   static_cast<unsigned long long>(ss.requests),
                   static_cast<unsigned long long>(ss.bad_requests),
                   static_cast<unsigned long long>(ss.bus_errors),
                   static_cast<unsigned long long>(ss.irq_messages));
    }
    // Leaving the scope closes the clients and the socket (removed) and then destroys the
    // model, which flushes and closes the waves.
    return 0;
  } catch (const SetupError& e) {
    std::fprintf(stderr, "shoal-sim: error: %s\n", e.what());
    return 1;
  }
}
