// On-core: a deliberate stack overflow. Task "greedy" recurses with ~64-byte frames and sleeps
// at every level, so the port's check at each switch sees its stack. The check must stop it
// (fault hook: console + FW_FAULT / FW_FAULT_DATA / FW_FAULT_NAME; then the port halts) before
// it runs far into the red zone placed below its stack: the panic hook checks that the lower
// half of the red zone is untouched and prints the result for the host.
#include "fwtest.hpp"

using namespace fwt;

namespace {
struct Guarded {
  uint32_t redzone[128];
  uint32_t stack[96];
} g_mem;
rtos::Task g_greedy;
TaskSlot<128> g_other;
volatile uint32_t g_depth = 0;

uint32_t recurse(uint32_t n) {
  volatile uint32_t local[12];
  for (uint32_t i = 0; i < 12; ++i) local[i] = n + i;
  g_depth = n;
  port::sleep(1);  // a switch: the port checks this stack
  if (n > 1000) return local[3];  // never reached: the port stops the task long before
  return recurse(n + 1) + local[3];
}

void greedy(void*) {
  puts("greedy: start\n");
  recurse(0);
}

void other(void*) {
  for (;;) port::sleep(1);
}
}  // namespace

// called by port::panic after the report, before halting
extern "C" void shoal_rtos_panic_hook(uint32_t cause) {
  uint32_t clean = 0;
  for (uint32_t i = 0; i < 64; ++i) clean += g_mem.redzone[i] == 0x5AFEC0DEu;
  puts("panic hook: cause ");
  put_dec(cause);
  puts(", depth ");
  put_dec(g_depth);
  puts(", lower red zone intact ");
  put_dec(clean);
  puts("/64\n");
  T_CHECK(cause == 1 || cause == 2);
  T_CHECK(clean == 64);
  T_CHECK(g_depth >= 1);
  done();
}

int main() {
  for (uint32_t& w : g_mem.redzone) w = 0x5AFEC0DEu;
  port::Config cfg;
  cfg.idle_stack = g_idle_stack;
  cfg.idle_stack_words = 128;
  if (port::init(cfg) != rtos::Status::Ok) return 3;
  if (g_other.create("other", other, 1) != rtos::Status::Ok) return 4;
  rtos::TaskConfig c;
  c.name = "greedy";
  c.entry = greedy;
  c.priority = 2;
  c.stack = rtos::Stack{g_mem.stack, 96};
  if (port::create(&g_greedy, c) != rtos::Status::Ok) return 5;
  port::start();
}
