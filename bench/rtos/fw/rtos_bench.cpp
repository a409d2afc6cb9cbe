// bench-rtos firmware: measures the RTOS on the core with mcycle and prints one line per
// figure, "BENCH <name> <min> <mean> <samples>" (cycles), then "BENCH-DONE". bench/rtos/
// bench_rtos.cpp runs it on the Verilated core block and reports the table / JSON.
#include <stdint.h>

#include "shoal/core.hpp"
#include "shoal/rtos/port.hpp"

using namespace shoal::fw;
namespace rtos = shoal::rtos;
namespace port = shoal::rtos::port;
using rtos::Status;

namespace {
constexpr uint32_t kN = 32;

inline uint32_t cyc() { return SHOAL_CSR_READ(mcycle); }
inline uint32_t ins() { return SHOAL_CSR_READ(minstret); }

struct Stat {
  uint32_t min = 0xFFFFFFFFu;
  uint64_t sum = 0;
  uint32_t n = 0;
  void add(uint32_t v) {
    min = v < min ? v : min;
    sum += v;
    ++n;
  }
  void print(const char* name) const {
    puts("BENCH ");
    puts(name);
    putc(' ');
    put_dec(min);
    putc(' ');
    put_dec(n ? uint32_t(sum / n) : 0);
    putc(' ');
    put_dec(n);
    putc('\n');
  }
};

template <uint32_t W>
struct Slot {
  rtos::Task t;
  uint32_t stack[W];
  void create(const char* name, rtos::TaskEntry e, uint8_t prio) {
    rtos::TaskConfig c;
    c.name = name;
    c.entry = e;
    c.priority = prio;
    c.stack = rtos::Stack{stack, W};
    // a slot is reused only after its previous task ended (deleted): anything else is a bug
    // of this program, not a figure
    if (port::create(&t, c) != Status::Ok) port::panic(port::Fault::Assert, nullptr, __LINE__);
  }
};

uint32_t g_idle_stack[128];
Slot<256> g_ctl, g_a, g_b, g_h, g_l;
rtos::Semaphore g_done, g_sem, g_isr_sem;
rtos::Queue g_q;
uint32_t g_qbuf[4];
rtos::Mutex g_m;
volatile uint32_t g_t0 = 0;
volatile uint32_t g_i0 = 0;  // minstret next to g_t0: instructions on the measured path
volatile uint32_t g_stop = 0;
volatile uint32_t g_last = 0;
Stat g_switch, g_isr, g_tick_sw;
Stat g_switch_i, g_isr_i;

// 1. yield -> first instruction of the next task (A and B ping-pong at one priority)
void yield_a(void*) {
  for (uint32_t i = 0; i < kN; ++i) {
    g_i0 = ins();
    g_t0 = cyc();
    port::yield();
    uint32_t t = cyc();
    uint32_t n = ins();
    g_switch.add(t - g_t0);
    g_switch_i.add(n - g_i0);
  }
  g_stop = 1;
  port::sem_give(&g_done);
}
void yield_b(void*) {
  while (!g_stop) {
    g_i0 = ins();
    g_t0 = cyc();
    port::yield();
    uint32_t t = cyc();
    uint32_t n = ins();
    if (!g_stop) {
      g_switch.add(t - g_t0);
      g_switch_i.add(n - g_i0);
    }
  }
}

// 2. interrupt -> first instruction of the woken task: L raises msip, the ISR gives, H runs
void on_soft() {
  mmio_write(kMsip, 0);
  port::isr_sem_give(&g_isr_sem);
}
void isr_high(void*) {
  for (uint32_t i = 0; i < kN; ++i) {
    port::sem_take(&g_isr_sem, rtos::kWaitForever);
    uint32_t t = cyc();
    uint32_t n = ins();
    g_isr.add(t - g_t0);
    g_isr_i.add(n - g_i0);
  }
  port::sem_give(&g_done);
}
void isr_low(void*) {
  for (;;) {
    g_i0 = ins();
    g_t0 = cyc();
    mmio_write(kMsip, 1);
    for (volatile int k = 0; k < 20; k = k + 1) {
    }
  }
}

// 5. tick with a switch: L spins publishing mcycle, H sleeps one tick at a time
void tick_high(void*) {
  port::sleep(1);
  for (uint32_t i = 0; i < kN; ++i) {
    port::sleep(1);
    uint32_t t = cyc();
    g_tick_sw.add(t - g_last);
  }
  port::sem_give(&g_done);
}
void spin_low(void*) {
  for (;;) g_last = cyc();
}

void controller(void*) {
  auto& k = port::kernel();
  k.sem_init(&g_done, 0, 4);
  k.sem_init(&g_sem, 0, 1);
  k.sem_init(&g_isr_sem, 0, 4);
  k.queue_init(&g_q, g_qbuf, 4, 4);
  k.mutex_init(&g_m);
  port::crit_enter();
  k.set_time_slicing(false);  // measured paths only; the yield test rotates by itself
  port::crit_exit();

  // 3. queue send + receive, 4. semaphore give + take, mutex lock + unlock: no switch
  Stat q, s, m, qi, si, mi;
  for (uint32_t i = 0; i < kN; ++i) {
    uint32_t v = i, out = 0;
    uint32_t n0 = ins();
    uint32_t t0 = cyc();
    port::queue_send(&g_q, &v, rtos::kNoWait);
    port::queue_receive(&g_q, &out, rtos::kNoWait);
    uint32_t t1 = cyc();
    uint32_t n1 = ins();
    q.add(t1 - t0);
    qi.add(n1 - n0);
    n0 = ins();
    t0 = cyc();
    port::sem_give(&g_sem);
    port::sem_take(&g_sem, rtos::kNoWait);
    t1 = cyc();
    n1 = ins();
    s.add(t1 - t0);
    si.add(n1 - n0);
    n0 = ins();
    t0 = cyc();
    port::mutex_lock(&g_m, rtos::kNoWait);
    port::mutex_unlock(&g_m);
    t1 = cyc();
    n1 = ins();
    m.add(t1 - t0);
    mi.add(n1 - n0);
  }
  Stat empty;
  for (uint32_t i = 0; i < kN; ++i) {
    uint32_t t0 = cyc();
    uint32_t t1 = cyc();
    empty.add(t1 - t0);
  }

  puts("bench: yield\n");
  // 1. context switch by yield
  g_a.create("ya", yield_a, 5);
  g_b.create("yb", yield_b, 5);
  port::sem_take(&g_done, rtos::kWaitForever);
  port::sleep(2);  // B sees g_stop and returns

  puts("bench: irq\n");
  // 2. interrupt to task
  port::set_soft_handler(on_soft);
  g_h.create("ih", isr_high, 6);
  g_l.create("il", isr_low, 4);
  port::sem_take(&g_done, rtos::kWaitForever);
  port::task_delete(&g_l.t);
  port::sleep(2);  // at least one whole tick: H returns from its entry (its slot is reused)

  puts("bench: tick\n");
  // 5a. tick without a switch: a lone spinning task sees the tick as a gap in its mcycle reads
  Stat tick_nosw, loop;
  // per tick interval: the largest gap between two mcycle reads is the tick interrupt
  port::sleep(1);
  for (uint32_t i = 0; i < kN; ++i) {
    rtos::Tick t = port::now();
    while (port::now() == t) {
    }
    t = port::now();
    uint32_t prev = cyc(), max = 0, min = 0xFFFFFFFFu;
    while (port::now() == t) {
      uint32_t c = cyc();
      uint32_t d = c - prev;
      prev = c;
      if (d > max) max = d;
      if (d < min) min = d;
    }
    // the interval ends on the next tick's gap: count the tick after it, once per interval
    uint32_t c = cyc();
    uint32_t d = c - prev;
    if (d > max) max = d;
    tick_nosw.add(max);
    loop.add(min);
  }
  // 5b. tick that wakes a higher task
  g_a.create("sl", spin_low, 2);
  g_h.create("th", tick_high, 7);
  port::sem_take(&g_done, rtos::kWaitForever);
  port::task_delete(&g_a.t);

  q.print("queue_send_receive");
  s.print("sem_give_take");
  m.print("mutex_lock_unlock");
  empty.print("mcycle_read_pair");
  g_switch.print("yield_switch");
  g_isr.print("irq_to_task");
  loop.print("spin_loop");
  tick_nosw.print("tick_no_switch_gap");
  g_tick_sw.print("tick_switch_to_task");
  // instructions retired on the same paths (minstret; includes the two counter reads)
  qi.print("queue_send_receive_instr");
  si.print("sem_give_take_instr");
  mi.print("mutex_lock_unlock_instr");
  g_switch_i.print("yield_switch_instr");
  g_isr_i.print("irq_to_task_instr");
  puts("BENCH-SIZE kernel_struct ");
  put_dec(sizeof(rtos::Kernel));
  puts("\nBENCH-SIZE task_struct ");
  put_dec(sizeof(rtos::Task));
  puts("\nBENCH-SIZE queue_struct ");
  put_dec(sizeof(rtos::Queue));
  puts("\nBENCH-SIZE isr_stack_used ");
  put_dec(2048 - stack_unused_bytes());
  puts("\nBENCH-SIZE task_frame ");
  put_dec(port::kFrameWords * 4);
  puts("\nBENCH-SWITCHES ");
  put_dec(port::switch_count());
  puts("\nBENCH-DONE\n");
  for (;;) port::sleep(1000);
}
}  // namespace

int main() {
  port::Config cfg;
  cfg.tick_cycles = 2000;
  cfg.idle_stack = g_idle_stack;
  cfg.idle_stack_words = 128;
  if (port::init(cfg) != Status::Ok) return 3;
  g_ctl.create("ctl", controller, 10);  // above every measured task: it only runs when they block
  port::start();
}
