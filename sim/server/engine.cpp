// The two clocking engines for SimCore: a plain loop and a SystemC module.
#include <cstdlib>

#include <systemc>

#include "sim_core.hpp"

namespace shoal::sim {

void run_plain(SimCore& core) {
  while (core.tick()) {
  }
}

namespace {

// SystemC top: one thread that clocks the card model through the core. SystemC time advances
// by one card clock period for every card cycle consumed, including the cycles a bus
// transaction took inside the model, so sc_time_stamp() tracks card time.
class CardClocker : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(CardClocker);
  CardClocker(sc_core::sc_module_name name, SimCore& core, double clock_hz)
      : sc_core::sc_module(name), core_(core), period_(1e9 / clock_hz, sc_core::SC_NS) {
    SC_THREAD(run);
  }
  uint64_t ticks() const { return ticks_; }

 private:
  void run() {
    CardModel& m = core_.model();
    for (;;) {
      const uint64_t before = m.cycle();
      const bool more = core_.tick();
      ++ticks_;
      const uint64_t used = m.cycle() - before;
      if (used == 1)
        wait(period_);
      else if (used > 1)
        wait(period_ * static_cast<double>(used));
      if (!more) return;  // no more events: sc_start() returns
    }
  }

  SimCore& core_;
  sc_core::sc_time period_;
  uint64_t ticks_ = 0;
};

}  // namespace

void run_systemc(SimCore& core, double clock_hz) {
  // Keep the kernel quiet: no banner on stdout (shoal-sim's stdout is read by tests).
  if (!std::getenv("SYSC_DISABLE_COPYRIGHT_MESSAGE")) setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  CardClocker top("shoal_card_clocker", core, clock_hz);
  sc_core::sc_start();
}

}  // namespace shoal::sim

// libsystemc.so calls sc_main from its own main(); our programs have their own main(), so this
// is never called, but the shared library needs the symbol to link.
int sc_main(int, char**) { return 1; }
