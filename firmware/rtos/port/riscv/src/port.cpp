// Shoal RTOS, RISC-V port: scheduler glue, trap dispatch, CLINT tick, stack checks at every
// switch, fault hook, watchdog kick and heartbeat registers. See port.hpp and the README.
#include "shoal/rtos/port.hpp"

#include "shoal/core.hpp"
#include "shoal/regs.h"

using namespace shoal::fw;

extern "C" {
uint32_t shoal_rtos_crit_nesting = 0;  // read/written by port_asm.S too
void shoal_rtos_trap_entry();
void shoal_rtos_start_first(uint32_t* frame);
uint32_t shoal_rtos_trap(uint32_t mcause, uint32_t* frame);
uint32_t* shoal_rtos_switch(uint32_t* frame);
extern uint32_t __stack_top[];
extern uint32_t tohost[];
// Called by port::panic after the report, before the core halts (weak: by default nothing).
__attribute__((weak)) void shoal_rtos_panic_hook(uint32_t cause);
}

namespace shoal::rtos::port {

namespace {
Kernel g_kernel;
Task g_idle;
Config g_cfg;
Task* g_tasks[kMaxTasks];
uint32_t g_ntasks = 0;
uint64_t g_next_tick = 0;
uint32_t g_switches = 0;
uint32_t g_faults = 0;
uint32_t g_ext_id = 0;
uint32_t g_timer_irqs = 0;
uint32_t g_tickless_sleeps = 0;
Handler g_soft = nullptr;
Handler g_ext = nullptr;
Handler g_tick_hook = nullptr;

constexpr uint32_t kMstatusInitial = (3u << 11) | (1u << 7);  // MPP = M, MPIE = 1

inline void card_wr(uint32_t addr, uint32_t v) {
  if (g_cfg.card_registers) card_write(addr, v);
}

// Ask the trap entry for the switch the kernel wants. `ecall` is a call as far as registers
// go: the caller-saved registers are declared clobbered, so the trap entry's ecall path saves
// none of them (only s0-s11, mepc, mstatus and the critical-section depth).
__attribute__((always_inline)) inline void do_switch() {
  asm volatile("ecall"
               :
               :
               : "memory", "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a0", "a1", "a2",
                 "a3", "a4", "a5", "a6", "a7");
}

__attribute__((always_inline)) inline void crit_enter_inl() {
  irq_disable();
  ++shoal_rtos_crit_nesting;
}

__attribute__((always_inline)) inline void crit_exit_inl() {
  const uint32_t n = shoal_rtos_crit_nesting;
  if (n == 0) return;
  shoal_rtos_crit_nesting = n - 1;
  // before start() interrupts stay masked: the first task's frame unmasks them
  if (n == 1 && g_kernel.started()) irq_enable();
}

bool is_usage_error(Status st) {
  switch (st) {
    case Status::NullArg: case Status::BadArg: case Status::NotInitialized:
    case Status::WrongContext: case Status::NotOwner: case Status::IsIdle: case Status::Busy:
    case Status::Deadlock: case Status::NotStarted:
      return true;
    default:
      return false;
  }
}

__attribute__((noinline, cold)) void report_usage(Status st) {
  if (is_usage_error(st))
    fault(Fault::ApiMisuse, g_kernel.in_isr() ? nullptr : g_kernel.current(), uint32_t(uint8_t(int8_t(st))));
}

// The switch itself, out of line: the ecall clobbers every caller-saved register, so only this
// function (not the common path of finish) keeps its state in callee-saved registers.
__attribute__((noinline)) Status switch_away(Status st) {
  do_switch();
  return st == Status::Blocked ? g_kernel.wait_result(g_kernel.current()) : st;
}

// Ends a task-side call made inside crit_enter(): switch if the kernel asks for it, then the
// final status (a blocked caller's is wait_result once it runs again). Shared by every
// task-side call through a tail call. The common case (Ok, nothing to switch) is a few loads
// and compares: need_switch() is asked only if a ready list changed since it was last asked
// (Kernel::take_ready_changed).
__attribute__((noinline)) Status finish(Status st) {
  if (st == Status::Blocked || (g_kernel.take_ready_changed() && g_kernel.started() &&
                                 !g_kernel.in_isr() && g_kernel.need_switch()))
    st = switch_away(st);
  if (g_cfg.report_api_errors && int8_t(st) < 0) report_usage(st);
  crit_exit_inl();
  return st;
}

void program_next_tick();
void idle_tickless();

void idle_entry(void*) {
  for (;;) {
    heartbeat();
    if (g_cfg.tickless) idle_tickless();
    else wait_for_interrupt();
  }
}

// A task whose entry function returns lands here (ra of its first frame): it is deleted.
void task_exit() {
  task_delete(g_kernel.current());
  for (;;) {
  }
}

void program_next_tick() {
  // high word to all-ones first: no transient compare can match (no spurious interrupt)
  mmio_write(kMtimecmp + 4, 0xFFFFFFFFu);
  mmio_write(kMtimecmp, uint32_t(g_next_tick));
  mmio_write(kMtimecmp + 4, uint32_t(g_next_tick >> 32));
}

// Tickless idle: with only the idle task ready, move the next timer interrupt to the next
// deadline (n ticks), sleep, then count the whole ticks that passed (whatever woke the core)
// and restart the periodic tick. Runs in a critical section: wfi still wakes on a pending
// enabled interrupt with mstatus.MIE = 0, and the handler runs once the section ends, after
// the kernel's time is already correct. A timer interrupt that ended the sleep is consumed
// here (mtimecmp moves on before interrupts are unmasked).
void idle_tickless() {
  crit_enter();
  uint32_t n = 0;
  if (g_kernel.ready_bitmap() == 1u) {  // nothing but priority 0 ready
    const Tick w = g_kernel.next_wake_in();
    n = (w == kWaitForever || w > g_cfg.tickless_max_ticks) ? g_cfg.tickless_max_ticks : w;
  }
  if (n > 1) {
    const uint64_t base = g_next_tick - g_cfg.tick_cycles;  // the last tick
    g_next_tick = base + uint64_t(n) * g_cfg.tick_cycles;
    program_next_tick();
    wait_for_interrupt();
    const uint32_t since = uint32_t(mtime() - base);        // < 2^32: n * tick_cycles is bounded
    const uint32_t elapsed = since / g_cfg.tick_cycles;
    if (elapsed != 0) {
      g_kernel.advance(elapsed);  // O(1): no deadline lies inside the sleep
      if (g_tick_hook) g_tick_hook();
    }
    g_next_tick = base + uint64_t(elapsed + 1) * g_cfg.tick_cycles;
    program_next_tick();
    ++g_tickless_sleeps;
    if (g_kernel.need_switch()) do_switch();
    crit_exit();
    return;
  }
  crit_exit();
  wait_for_interrupt();
}

void on_tick() {
  ++g_timer_irqs;
  // stale: the tickless idle already counted this tick (without tickless idle nothing else
  // moves g_next_tick, so the interrupt is never stale: no mtime read)
  if (g_cfg.tickless && mtime() < g_next_tick) {
    program_next_tick();
    return;
  }
  g_next_tick += g_cfg.tick_cycles;  // drift-free; a late tick re-fires at once and catches up
  program_next_tick();
  g_kernel.tick();
  if (g_tick_hook) g_tick_hook();
}

// The outgoing task (it ran since its last check): saved stack pointer inside its stack and
// above the guard, guard words intact. A deleted task's stack is no longer checked.
__attribute__((always_inline)) inline void check_outgoing(const Task* t, uintptr_t sp) {
  if (t->state == TaskState::Deleted || t->magic == 0) return;
  if (!stack_pointer_ok(t->stack, sp)) panic(Fault::BadStackPointer, t, uint32_t(sp));
  if (!stack_guard_intact(t->stack)) panic(Fault::StackOverflow, t, uint32_t(sp));
}

// The incoming task: its saved stack pointer (the frame we are about to restore from) must lie
// inside its stack. Its guard words were checked when it was switched out and it has not run
// since (interrupts never use a stack other than the running task's), so they are not read
// again here.
__attribute__((always_inline)) inline void check_incoming(const Task* t) {
  if (!stack_pointer_ok(t->stack, t->saved_sp)) panic(Fault::BadStackPointer, t, uint32_t(t->saved_sp));
}

// The switch proper: save the outgoing frame, check, commit the next task, check it.
__attribute__((always_inline)) inline uint32_t* switch_from(uint32_t* frame) {
  Task* old = g_kernel.current();
  old->saved_sp = reinterpret_cast<uintptr_t>(frame);
  check_outgoing(old, old->saved_sp);
  Task* next = g_kernel.switch_next();
  check_incoming(next);
  if (next != old) ++g_switches;
  return reinterpret_cast<uint32_t*>(next->saved_sp);
}
}  // namespace

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::None: return "none";
    case Fault::StackOverflow: return "stack overflow";
    case Fault::BadStackPointer: return "bad stack pointer";
    case Fault::Assert: return "assert";
    case Fault::FatalTrap: return "fatal trap";
    case Fault::ApiMisuse: return "api misuse";
    case Fault::TaskReturned: return "task returned";
  }
  return "?";
}

Kernel& kernel() { return g_kernel; }
uint32_t switch_count() { return g_switches; }
uint32_t fault_count() { return g_faults; }
uint32_t timer_irq_count() { return g_timer_irqs; }
uint32_t tickless_sleeps() { return g_tickless_sleeps; }
uint32_t ext_claimed() { return g_ext_id; }
Tick now() { return g_kernel.now(); }

int task_index(const Task* t) {
  for (uint32_t i = 0; i < g_ntasks; ++i)
    if (g_tasks[i] == t) return int(i);
  return -1;
}

void crit_enter() { crit_enter_inl(); }
void crit_exit() { crit_exit_inl(); }

static void make_frame(Task* t) {
  uint32_t* top = reinterpret_cast<uint32_t*>(t->saved_sp);
  uint32_t* f = top - kFrameWords;
  for (uint32_t i = 0; i < kFrameWords; ++i) f[i] = 0;
  f[kFrameRa] = reinterpret_cast<uint32_t>(&task_exit);
  f[kFrameA0] = reinterpret_cast<uint32_t>(t->arg);
  f[kFrameMepc] = reinterpret_cast<uint32_t>(t->entry);
  f[kFrameMstatus] = kMstatusInitial;
  f[kFrameCrit] = 0;
  f[kFrameKind] = 0;  // full: the first start restores ra and a0
  t->saved_sp = reinterpret_cast<uintptr_t>(f);
  if (task_index(t) < 0 && g_ntasks < kMaxTasks) g_tasks[g_ntasks++] = t;
}

Status init(const Config& cfg) {
  irq_disable();
  shoal_rtos_crit_nesting = 0;
  g_cfg = cfg;
  g_ntasks = 0;
  Stack st{cfg.idle_stack, cfg.idle_stack_words};
  Status s = g_kernel.init(&g_idle, st, idle_entry);
  if (s != Status::Ok) return s;
  make_frame(&g_idle);
  SHOAL_CSR_WRITE(mscratch, reinterpret_cast<uint32_t>(__stack_top));
  SHOAL_CSR_WRITE(mtvec, reinterpret_cast<uint32_t>(&shoal_rtos_trap_entry));
  return Status::Ok;
}

Status create(Task* t, const TaskConfig& cfg) {
  if (t != nullptr && task_index(t) < 0 && g_ntasks >= kMaxTasks) return Status::Busy;
  crit_enter();
  Status st = g_kernel.task_create(t, cfg);
  if (st == Status::Ok) make_frame(t);
  return g_kernel.started() ? finish(st) : (crit_exit(), st);
}

void start() {
  irq_disable();
  shoal_rtos_crit_nesting = 0;
  g_kernel.start();
  card_wr(SHOAL_CORE_FW_VERSION_ADDR, g_cfg.fw_version);
  if (g_cfg.wdog_cycles != 0) {
    card_wr(SHOAL_CORE_WDOG_TIMEOUT_ADDR, g_cfg.wdog_cycles);
    card_wr(SHOAL_CORE_WDOG_CTRL_ADDR, SHOAL_CORE_WDOG_CTRL_ENABLE_MASK |
                                           (g_cfg.wdog_halt ? SHOAL_CORE_WDOG_CTRL_HALT_MASK : 0u));
  }
  heartbeat();
  g_next_tick = mtime() + g_cfg.tick_cycles;
  program_next_tick();
  SHOAL_CSR_SET(mie, kMieMtie);
  shoal_rtos_start_first(reinterpret_cast<uint32_t*>(g_kernel.current()->saved_sp));
  for (;;) {
  }
}

void heartbeat() {
  if (!g_cfg.card_registers) return;
  if (g_cfg.wdog_cycles != 0) card_write(SHOAL_CORE_WDOG_KICK_ADDR, SHOAL_CORE_WDOG_KICK_RESET);
  card_write(SHOAL_CORE_FW_UPTIME_ADDR, g_kernel.now());
  card_write(SHOAL_CORE_FW_TASKS_ADDR,
             ((g_kernel.task_count() << SHOAL_CORE_FW_TASKS_COUNT_LSB) & SHOAL_CORE_FW_TASKS_COUNT_MASK) |
             ((g_switches << SHOAL_CORE_FW_TASKS_SWITCHES_LSB) & SHOAL_CORE_FW_TASKS_SWITCHES_MASK) |
             (g_kernel.started() ? SHOAL_CORE_FW_TASKS_RUNNING_MASK : 0u));
}

// ---- task-side calls -------------------------------------------------------------------------
Status yield() { crit_enter_inl(); return finish(g_kernel.yield()); }
Status sleep(Tick ticks) { crit_enter_inl(); return finish(g_kernel.delay(ticks)); }
Status task_delete(Task* t) { crit_enter_inl(); return finish(g_kernel.task_delete(t)); }
Status task_set_priority(Task* t, uint8_t p) { crit_enter_inl(); return finish(g_kernel.task_set_priority(t, p)); }
Status sem_take(Semaphore* s, Tick to) { crit_enter_inl(); return finish(g_kernel.sem_take(s, to)); }
Status sem_give(Semaphore* s) { crit_enter_inl(); return finish(g_kernel.sem_give(s)); }
Status mutex_lock(Mutex* m, Tick to) { crit_enter_inl(); return finish(g_kernel.mutex_lock(m, to)); }
Status mutex_unlock(Mutex* m) { crit_enter_inl(); return finish(g_kernel.mutex_unlock(m)); }
Status queue_send(Queue* q, const void* p, Tick to) { crit_enter_inl(); return finish(g_kernel.queue_send(q, p, to)); }
Status queue_receive(Queue* q, void* p, Tick to) { crit_enter_inl(); return finish(g_kernel.queue_receive(q, p, to)); }
Status flags_set(EventFlags* f, uint32_t b) { crit_enter_inl(); return finish(g_kernel.flags_set(f, b)); }
Status flags_wait(EventFlags* f, uint32_t mask, uint8_t mode, Tick to, uint32_t* matched) {
  crit_enter_inl();
  return finish(g_kernel.flags_wait(f, mask, mode, to, matched));
}

// ---- interrupt side (the switch, if any, happens at the outermost exit) ----------------------
static inline Status isr_report(Status st) {
  if (g_cfg.report_api_errors) report_usage(st);  // cold; in an ISR it reports task "-"
  return st;
}
Status isr_sem_give(Semaphore* s) { bool sw = false; return isr_report(g_kernel.sem_give_from_isr(s, &sw)); }
Status isr_queue_send(Queue* q, const void* p) { bool sw = false; return isr_report(g_kernel.queue_send_from_isr(q, p, &sw)); }
Status isr_flags_set(EventFlags* f, uint32_t b) { bool sw = false; return isr_report(g_kernel.flags_set_from_isr(f, b, &sw)); }

void set_soft_handler(Handler h) { g_soft = h; SHOAL_CSR_SET(mie, kMieMsie); }
void set_external_handler(Handler h, uint32_t enable) {
  g_ext = h;
  mmio_write(kIntcEnable, enable);
  SHOAL_CSR_SET(mie, kMieMeie);
}
void set_tick_hook(Handler h) { g_tick_hook = h; }

// ---- faults ----------------------------------------------------------------------------------
void fault(Fault cause, const Task* t, uint32_t data) {
  if (g_faults < 255) ++g_faults;
  const char* name = (t != nullptr && t->name != nullptr) ? t->name : "-";
  puts("rtos fault: ");
  puts(fault_name(cause));
  puts(" in task '");
  puts(name);
  puts("' data=0x");
  put_hex(data);
  putc('\n');
  uint32_t w[2] = {0, 0};
  for (uint32_t i = 0; i < 8 && name[i] != 0; ++i) w[i / 4] |= uint32_t(uint8_t(name[i])) << (8 * (i % 4));
  int idx = task_index(t);
  card_wr(SHOAL_CORE_FW_FAULT_NAME_ADDR_N(0), w[0]);
  card_wr(SHOAL_CORE_FW_FAULT_NAME_ADDR_N(1), w[1]);
  card_wr(SHOAL_CORE_FW_FAULT_DATA_ADDR, data);
  card_wr(SHOAL_CORE_FW_FAULT_ADDR,
          SHOAL_CORE_FW_FAULT_VALID_MASK |
          ((g_faults << SHOAL_CORE_FW_FAULT_COUNT_LSB) & SHOAL_CORE_FW_FAULT_COUNT_MASK) |
          ((uint32_t(idx < 0 ? 0xFF : idx) << SHOAL_CORE_FW_FAULT_TASK_LSB) & SHOAL_CORE_FW_FAULT_TASK_MASK) |
          ((uint32_t(cause) << SHOAL_CORE_FW_FAULT_CAUSE_LSB) & SHOAL_CORE_FW_FAULT_CAUSE_MASK));
}

void panic(Fault cause, const Task* t, uint32_t data) {
  irq_disable();
  fault(cause, t, data);
  if (shoal_rtos_panic_hook) shoal_rtos_panic_hook(uint32_t(cause));
  puts("rtos: halted\n");
  // for bare runners (core_tb): tohost = failure (code 0x3FE) unless the hook reported already;
  // the watchdog, if enabled, trips since nothing kicks it any more
  if (tohost[0] == 0) {
    tohost[0] = (0x3FEu << 1) | 1u;
    tohost[1] = 0;
  }
  for (;;) wait_for_interrupt();
}

void assert_failed(uint32_t line) { panic(Fault::Assert, g_kernel.current(), line); }

}  // namespace shoal::rtos::port

using namespace shoal::rtos;
using namespace shoal::rtos::port;

// ---- called from port_asm.S ----------------------------------------------------------------
// Interrupts and exceptions other than ecall (the trap entry handles ecall itself).
extern "C" uint32_t shoal_rtos_trap(uint32_t mcause, uint32_t* frame) {
  if (mcause & 0x80000000u) {
    g_kernel.isr_enter();
    switch (mcause & 0x1Fu) {
      case 7:
        on_tick();
        break;
      case 3:
        if (g_soft) g_soft(); else mmio_write(kMsip, 0);
        break;
      case 11: {
        g_ext_id = mmio_read(kIntcClaim);
        if (g_ext_id && g_ext) g_ext();
        if (g_ext_id) mmio_write(kIntcClaim, g_ext_id);
        break;
      }
      default:
        break;
    }
    return g_kernel.isr_exit() ? 1u : 0u;
  }
  panic(Fault::FatalTrap, g_kernel.current(), frame[kFrameMepc]);
}

// s0-s11 are in the frame. Interrupt path: shoal_rtos_trap returned non-zero. ecall path: a
// task-side call found need_switch() (or blocked) before its ecall, so this does not ask again;
// should the kernel pick the same task after all, its stack is checked and the same frame is
// restored (not counted as a switch).
extern "C" uint32_t* shoal_rtos_switch(uint32_t* frame) { return switch_from(frame); }
