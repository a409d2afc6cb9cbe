// On-core RTOS test programs: tiny check helpers. A failed check prints "FAIL line N: expr";
// done() prints "RESULT PASS" or "RESULT FAIL" (what tests/rtos/test_oncore.cpp waits for) and
// sets tohost (1 = pass) for bare runners.
#pragma once
#include <stdint.h>

#include "shoal/core.hpp"
#include "shoal/regs.h"
#include "shoal/rtos/port.hpp"

extern "C" uint32_t tohost[];

namespace fwt {
using namespace shoal::fw;
namespace rtos = shoal::rtos;
namespace port = shoal::rtos::port;

inline uint32_t g_failures = 0;

inline void check(bool ok, const char* what, int line) {
  if (ok) return;
  ++g_failures;
  puts("FAIL line ");
  put_dec(uint32_t(line));
  puts(": ");
  puts(what);
  putc('\n');
}

inline void done() {
  puts(g_failures ? "RESULT FAIL\n" : "RESULT PASS\n");
  tohost[0] = g_failures ? ((g_failures << 1) | 1u) : 1u;
  tohost[1] = 0;
}

// a small append-only log of characters, to check orders
struct Log {
  char buf[96];
  uint32_t n = 0;
  void add(char c) {
    if (n + 1 < sizeof buf) buf[n++] = c;
    buf[n] = 0;
  }
  void clear() { n = 0; buf[0] = 0; }
  bool is(const char* s) const {
    uint32_t i = 0;
    for (; s[i] != 0; ++i)
      if (i >= n || buf[i] != s[i]) return false;
    return i == n;
  }
};

inline void show(const char* label, const Log& l) {
  puts(label);
  puts(l.n ? l.buf : "(empty)");
  putc('\n');
}

// static task + stack
template <uint32_t Words>
struct TaskSlot {
  rtos::Task task;
  uint32_t stack[Words];
  rtos::Status create(const char* name, rtos::TaskEntry entry, uint8_t prio, void* arg = nullptr) {
    rtos::TaskConfig c;
    c.name = name;
    c.entry = entry;
    c.arg = arg;
    c.priority = prio;
    c.stack = rtos::Stack{stack, Words};
    return port::create(&task, c);
  }
};

inline void spin_cycles(uint32_t n) {
  uint32_t c0 = SHOAL_CSR_READ(mcycle);
  while (uint32_t(SHOAL_CSR_READ(mcycle)) - c0 < n) {
  }
}

// boot: init the port with an idle task, create the controller task, start
inline uint32_t g_idle_stack[128];
inline void boot(rtos::TaskEntry controller, uint8_t prio, port::Config cfg = port::Config{}) {
  static TaskSlot<384> ctl;
  cfg.idle_stack = g_idle_stack;
  cfg.idle_stack_words = 128;
  if (port::init(cfg) != rtos::Status::Ok) {
    puts("RESULT FAIL init\n");
    return;
  }
  if (ctl.create("ctl", controller, prio) != rtos::Status::Ok) {
    puts("RESULT FAIL create\n");
    return;
  }
  port::start();
}

}  // namespace fwt

#define T_CHECK(c) ::fwt::check((c), #c, __LINE__)
