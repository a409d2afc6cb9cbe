// Shoal RTOS: the RISC-V (RV32, machine mode) port. Owns the one Kernel instance, the context
// switch, the trap entry, the CLINT tick, the fault hook and the watchdog / heartbeat
// registers of the card's `core` block. Tasks call the functions here (not the Kernel
// directly): each wraps one kernel call in a critical section and performs the switch the
// kernel asks for. Interrupt handlers use the isr_* calls; the switch they may cause happens
// once, on the outermost interrupt exit.
//
// Interrupts: the trap entry saves the caller-saved registers, mepc, mstatus and the
// critical-section depth on the task's own stack (a 128-byte frame), then runs the C handler on
// the separate interrupt stack (the boot stack, __stack_top; mscratch holds it). The
// callee-saved registers s0-s11 are stored into the same frame only when a switch really
// happens. Yield: `ecall` (mcause 11), executed only by the port when the kernel wants a
// switch; it is treated as a call (the port's ecall statement clobbers every caller-saved
// register), so its frame holds only s0-s11, mepc, mstatus and the depth. `ecall` is reserved
// for the port: application code must not execute it. See firmware/rtos/README.md.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "shoal/rtos/kernel.hpp"

namespace shoal::rtos::port {

// Frame the trap entry builds on the task stack (words).
constexpr uint32_t kFrameWords = 32;
constexpr uint32_t kFrameRa = 0, kFrameA0 = 4, kFrameS0 = 16, kFrameMepc = 28,
                   kFrameMstatus = 29, kFrameCrit = 30,
                   kFrameKind = 31;  // 0: full frame (interrupt, first start), 1: ecall frame
constexpr uint32_t kMaxTasks = 16;

// Causes reported through FW_FAULT.cause (rtl/regmap/core.toml).
enum class Fault : uint8_t {
  None = 0,
  StackOverflow = 1,   // the stack's guard words lost their fill pattern
  BadStackPointer = 2, // the saved stack pointer lies outside the task's stack
  Assert = 3,          // SHOAL_RTOS_ASSERT failed (data = line)
  FatalTrap = 4,       // an exception other than ecall (data = mepc)
  ApiMisuse = 5,       // a call returned a usage error (data = status code, as uint8_t)
  TaskReturned = 6,    // reserved (a returning task is deleted, not reported)
};
const char* fault_name(Fault f);

struct Config {
  uint32_t tick_cycles = 2000;        // mtime units per tick
  uint32_t wdog_cycles = 0;           // watchdog timeout in core cycles; 0 = leave it off
  bool wdog_halt = false;             // expiry also holds the core in reset (WDOG_CTRL.halt)
  // Tickless idle: when only the idle task is ready, it stops the periodic tick until the next
  // delay/timeout (at most tickless_max_ticks; keep that well inside the watchdog timeout, the
  // idle task kicks once per sleep) and accounts for the ticks that passed when it wakes.
  bool tickless = false;
  uint32_t tickless_max_ticks = 100;
  uint32_t fw_version = 0;            // FW_VERSION (kind << 24 | major << 16 | minor << 8 | patch)
  bool report_api_errors = false;     // usage errors also go to the fault hook (not fatal)
  bool card_registers = true;         // write the core block's FW_* / WDOG_* registers
  uint32_t* idle_stack = nullptr;
  size_t idle_stack_words = 0;
};

Kernel& kernel();
Status init(const Config& cfg);
Status create(Task* t, const TaskConfig& cfg);   // task_create + initial frame
[[noreturn]] void start();                       // from main(), interrupts off

// ---- critical sections (nest; interrupts masked while depth > 0) ----
void crit_enter();
void crit_exit();
struct CritGuard {
  CritGuard() { crit_enter(); }
  ~CritGuard() { crit_exit(); }
  CritGuard(const CritGuard&) = delete;
  CritGuard& operator=(const CritGuard&) = delete;
};

// ---- task-side calls: final status (Ok, Timeout, or an error code) ----
Status yield();
Status sleep(Tick ticks);
Status task_delete(Task* t);
Status task_set_priority(Task* t, uint8_t prio);
Status sem_take(Semaphore* s, Tick timeout);
Status sem_give(Semaphore* s);
Status mutex_lock(Mutex* m, Tick timeout);
Status mutex_unlock(Mutex* m);
Status queue_send(Queue* q, const void* item, Tick timeout);
Status queue_receive(Queue* q, void* out, Tick timeout);
Status flags_set(EventFlags* f, uint32_t bits);
Status flags_wait(EventFlags* f, uint32_t mask, uint8_t mode, Tick timeout, uint32_t* matched);
Tick now();

// ---- interrupt-side calls (from handlers installed below) ----
Status isr_sem_give(Semaphore* s);
Status isr_queue_send(Queue* q, const void* item);
Status isr_flags_set(EventFlags* f, uint32_t bits);

using Handler = void (*)();
void set_soft_handler(Handler h);                        // CLINT msip (clear msip in it)
void set_external_handler(Handler h, uint32_t enable);   // claimed id in ext_claimed()
void set_tick_hook(Handler h);                           // after each tick, in the ISR
uint32_t ext_claimed();

// ---- hooks and figures ----
void fault(Fault cause, const Task* t, uint32_t data);   // report on console + FW_FAULT*
[[noreturn]] void panic(Fault cause, const Task* t, uint32_t data);  // report, then halt
[[noreturn]] void assert_failed(uint32_t line);
uint32_t switch_count();
uint32_t fault_count();
uint32_t timer_irq_count();                              // timer interrupts taken
uint32_t tickless_sleeps();                              // tickless idle sleeps of > 1 tick
int task_index(const Task* t);                           // creation order; -1 unknown
void heartbeat();                                        // FW_UPTIME / FW_TASKS / watchdog kick

}  // namespace shoal::rtos::port

#define SHOAL_RTOS_ASSERT(c) \
  do {                       \
    if (!(c)) ::shoal::rtos::port::assert_failed(__LINE__); \
  } while (0)
