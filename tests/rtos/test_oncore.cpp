// On-core RTOS tests: the test programs of tests/rtos/fw (built with the firmware toolchain) run
// on the Verilated shoal_core_block (the card configuration: 16 KiB + 16 KiB) inside a minimal
// card bus (oncore_rig.hpp). The programs check the kernel from inside and print
// "RESULT PASS"; this side checks what the host can see: the console, the FW_* report
// registers, the watchdog, and drives the doorbell interrupt.
#include <catch2/catch.hpp>

#include <string>

#include "oncore_rig.hpp"

using shoal::rtostest::BlockRig;

namespace {
const std::string kDir = SHOAL_RTOS_FW_DIR;

std::string reg_name(BlockRig& r) {
  std::string s;
  for (uint32_t i = 0; i < SHOAL_CORE_FW_FAULT_NAME_COUNT; ++i) {
    uint32_t w = r.rd(SHOAL_CORE_FW_FAULT_NAME_OFFSET + i * SHOAL_CORE_FW_FAULT_NAME_STRIDE);
    for (int k = 0; k < 4; ++k) {
      char c = char((w >> (8 * k)) & 0xFF);
      if (c) s.push_back(c);
    }
  }
  return s;
}
uint32_t field(uint32_t v, uint32_t mask, uint32_t lsb) { return (v & mask) >> lsb; }

// Load `elf`, run until "RESULT" (or the limit), require "RESULT PASS".
void run_program(BlockRig& r, const std::string& elf, uint64_t max_cycles) {
  REQUIRE(r.load(kDir + "/" + elf) == "");
  bool finished = r.run_until("RESULT", max_cycles);
  INFO("console:\n" << r.console());
  REQUIRE(finished);
  r.run(2000);  // the rest of the line
  REQUIRE(r.console().find("RESULT PASS") != std::string::npos);
  REQUIRE(r.console().find("FAIL") == std::string::npos);
}
}  // namespace

TEST_CASE("preemption order, round robin, time-slice fairness, exact timeouts", "[sched]") {
  BlockRig r;
  run_program(r, "rtos_sched.elf", 3'000'000);
  CHECK(r.console().find("preempt: KBkCkAk") != std::string::npos);
  CHECK(r.console().find("yield: 123123123") != std::string::npos);
  CHECK(r.console().find("wake order: 357") != std::string::npos);
  uint32_t tasks = r.rd(SHOAL_CORE_FW_TASKS_OFFSET);
  CHECK((tasks & SHOAL_CORE_FW_TASKS_RUNNING_MASK) != 0);
  CHECK(r.rd(SHOAL_CORE_FW_FAULT_OFFSET) == 0);  // nothing went wrong
}

TEST_CASE("queues block both ways, ISRs wake tasks (msip and a host doorbell), inheritance", "[sync]") {
  BlockRig r;
  REQUIRE(r.load(kDir + "/rtos_sync.elf") == "");
  {
    bool waiting = r.run_until("WAIT-DOORBELL", 3'000'000);
    INFO("console:\n" << r.console());
    REQUIRE(waiting);
  }
  r.run(500);
  REQUIRE(r.wr(SHOAL_CORE_DOORBELL_SET_OFFSET, 1u << 2));
  bool finished = r.run_until("RESULT", 3'000'000);
  INFO("console:\n" << r.console());
  REQUIRE(finished);
  r.run(2000);
  REQUIRE(r.console().find("RESULT PASS") != std::string::npos);
  CHECK(r.console().find("doorbell taken") != std::string::npos);
  CHECK(r.console().find("inheritance: HML") != std::string::npos);
  CHECK(r.rd(SHOAL_CORE_DOORBELL_OFFSET) == 0);  // the ISR cleared it through the card window
}

TEST_CASE("bad API use: error codes and the fault hook, no corruption", "[misuse]") {
  BlockRig r;
  run_program(r, "rtos_misuse.elf", 3'000'000);
  CHECK(r.console().find("rtos fault: api misuse in task 'ctl'") != std::string::npos);
  CHECK(r.console().find("rtos fault: api misuse in task '-'") != std::string::npos);  // the ISR
  uint32_t f = r.rd(SHOAL_CORE_FW_FAULT_OFFSET);
  CHECK((f & SHOAL_CORE_FW_FAULT_VALID_MASK) != 0);
  CHECK(field(f, SHOAL_CORE_FW_FAULT_CAUSE_MASK, SHOAL_CORE_FW_FAULT_CAUSE_LSB) == 5);
  CHECK(field(f, SHOAL_CORE_FW_FAULT_COUNT_MASK, SHOAL_CORE_FW_FAULT_COUNT_LSB) == 11);
  CHECK(field(f, SHOAL_CORE_FW_FAULT_TASK_MASK, SHOAL_CORE_FW_FAULT_TASK_LSB) == 1);  // idle 0, ctl 1
  CHECK(r.rd(SHOAL_CORE_FW_FAULT_DATA_OFFSET) == 0xFBu);  // last: sleep(forever) = BadArg (-5)
  CHECK(reg_name(r) == "ctl");
  CHECK(r.console().find("rtos: halted") == std::string::npos);  // misuse is not fatal
}

TEST_CASE("a deliberate stack overflow is caught at a switch and reported", "[stack]") {
  BlockRig r;
  run_program(r, "rtos_stack.elf", 3'000'000);
  const std::string& c = r.console();
  bool so = c.find("rtos fault: stack overflow in task 'greedy'") != std::string::npos;
  bool sp = c.find("rtos fault: bad stack pointer in task 'greedy'") != std::string::npos;
  CHECK((so || sp));
  CHECK(c.find("lower red zone intact 64/64") != std::string::npos);
  CHECK(c.find("rtos: halted") != std::string::npos);
  uint32_t f = r.rd(SHOAL_CORE_FW_FAULT_OFFSET);
  CHECK((f & SHOAL_CORE_FW_FAULT_VALID_MASK) != 0);
  uint32_t cause = field(f, SHOAL_CORE_FW_FAULT_CAUSE_MASK, SHOAL_CORE_FW_FAULT_CAUSE_LSB);
  CHECK((cause == 1 || cause == 2));
  CHECK(field(f, SHOAL_CORE_FW_FAULT_TASK_MASK, SHOAL_CORE_FW_FAULT_TASK_LSB) == 2);  // idle, other, greedy
  CHECK(reg_name(r) == "greedy");
  uint32_t sp_reported = r.rd(SHOAL_CORE_FW_FAULT_DATA_OFFSET);
  CHECK(sp_reported >= SHOAL_CORE_DRAM_BASE_RESET);
  CHECK(sp_reported < SHOAL_CORE_DRAM_BASE_RESET + SHOAL_CORE_DRAM_BYTES_RESET);
}

TEST_CASE("heartbeat registers, and a hung task trips the watchdog the host sees", "[watchdog]") {
  BlockRig r;
  REQUIRE(r.load(kDir + "/rtos_wdog.elf") == "");
  REQUIRE(r.run_until("wdog test: started", 200'000));
  r.run(10 * 2000);
  // version, task count, uptime, watchdog on and kicked
  CHECK(r.rd(SHOAL_CORE_FW_VERSION_OFFSET) == 0x01000407u);
  uint32_t t = r.rd(SHOAL_CORE_FW_TASKS_OFFSET);
  CHECK(field(t, SHOAL_CORE_FW_TASKS_COUNT_MASK, SHOAL_CORE_FW_TASKS_COUNT_LSB) == 3);
  CHECK((t & SHOAL_CORE_FW_TASKS_RUNNING_MASK) != 0);
  uint32_t up1 = r.rd(SHOAL_CORE_FW_UPTIME_OFFSET);
  CHECK(up1 >= 5);
  CHECK((r.rd(SHOAL_CORE_WDOG_CTRL_OFFSET) & SHOAL_CORE_WDOG_CTRL_ENABLE_MASK) != 0);
  CHECK(r.rd(SHOAL_CORE_WDOG_TIMEOUT_OFFSET) == 30000);
  uint32_t st = r.rd(SHOAL_CORE_WDOG_STATUS_OFFSET);
  CHECK((st & SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK) == 0);
  uint32_t kicks1 = field(st, SHOAL_CORE_WDOG_STATUS_KICKS_MASK, SHOAL_CORE_WDOG_STATUS_KICKS_LSB);
  CHECK(kicks1 >= 5);
  uint32_t c1 = r.rd(SHOAL_CORE_WDOG_COUNT_OFFSET);
  CHECK(c1 <= 30000);
  CHECK(c1 > 0);
  // the register rules: a wrong key, partial strobes, and host writes to what the firmware
  // owns are refused (and change nothing)
  CHECK_FALSE(r.wr(SHOAL_CORE_WDOG_KICK_OFFSET, 0x12345678));
  CHECK_FALSE(r.wr(SHOAL_CORE_WDOG_KICK_OFFSET, SHOAL_CORE_WDOG_KICK_RESET, 0x3));
  CHECK_FALSE(r.wr(SHOAL_CORE_WDOG_COUNT_OFFSET, 5));
  CHECK_FALSE(r.wr(SHOAL_CORE_WDOG_CTRL_OFFSET, 0));
  CHECK_FALSE(r.wr(SHOAL_CORE_WDOG_TIMEOUT_OFFSET, 1));
  CHECK_FALSE(r.wr(SHOAL_CORE_FW_UPTIME_OFFSET, 0));
  CHECK_FALSE(r.wr(SHOAL_CORE_FW_VERSION_OFFSET, 0));
  CHECK_FALSE(r.wr(SHOAL_CORE_FW_FAULT_OFFSET, 0x80000001u));
  CHECK(r.rd(SHOAL_CORE_FW_VERSION_OFFSET) == 0x01000407u);
  CHECK((r.rd(SHOAL_CORE_WDOG_CTRL_OFFSET) & SHOAL_CORE_WDOG_CTRL_ENABLE_MASK) != 0);
  CHECK(r.rd(SHOAL_CORE_WDOG_TIMEOUT_OFFSET) == 30000);
  CHECK(r.rd(SHOAL_CORE_FW_FAULT_OFFSET) == 0);
  CHECK(r.rd(SHOAL_CORE_WDOG_KICK_OFFSET) == 0);
  // anyone may kick with the key: the counter reloads
  REQUIRE(r.wr(SHOAL_CORE_WDOG_KICK_OFFSET, SHOAL_CORE_WDOG_KICK_RESET));
  CHECK(r.rd(SHOAL_CORE_WDOG_COUNT_OFFSET) > 29000);
  r.run(4000);
  uint32_t up2 = r.rd(SHOAL_CORE_FW_UPTIME_OFFSET);
  CHECK(up2 > up1);  // the heartbeat moves

  // hog starts spinning at tick 20: no more kicks -> expired within the timeout
  {
    bool hog = r.run_until("hog: spinning", 200'000);
    INFO("console:\n" << r.console());
    REQUIRE(hog);
  }
  uint32_t up3 = r.rd(SHOAL_CORE_FW_UPTIME_OFFSET);
  r.run(20000);
  CHECK((r.rd(SHOAL_CORE_WDOG_STATUS_OFFSET) & SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK) == 0);
  r.run(15000);
  st = r.rd(SHOAL_CORE_WDOG_STATUS_OFFSET);
  CHECK((st & SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK) != 0);
  CHECK(r.rd(SHOAL_CORE_WDOG_COUNT_OFFSET) == 0);
  CHECK(r.rd(SHOAL_CORE_FW_UPTIME_OFFSET) == up3);  // the heartbeat stopped
  CHECK((r.rd(SHOAL_CORE_STATUS_OFFSET) & SHOAL_CORE_STATUS_RUNNING_MASK) != 0);  // report only
  // still hung: clearing the sticky flag re-expires at once
  REQUIRE(r.wr(SHOAL_CORE_WDOG_STATUS_OFFSET, SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK));
  r.run(10);
  CHECK((r.rd(SHOAL_CORE_WDOG_STATUS_OFFSET) & SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK) != 0);

  CHECK((r.rd(SHOAL_CORE_CTRL_OFFSET) & SHOAL_CORE_CTRL_RESET_MASK) == 0);
}

TEST_CASE("with WDOG_CTRL.halt a hung task's watchdog expiry holds the core in reset", "[watchdog]") {
  BlockRig r;
  REQUIRE(r.load(kDir + "/rtos_wdog.elf", false) == "");
  REQUIRE(r.wr(SHOAL_CORE_DOORBELL_SET_OFFSET, 1u << 7));  // asks the test image for halt
  REQUIRE(r.release());
  REQUIRE(r.run_until("hog: spinning", 300'000));
  CHECK(r.rd(SHOAL_CORE_WDOG_CTRL_OFFSET) ==
        (SHOAL_CORE_WDOG_CTRL_ENABLE_MASK | SHOAL_CORE_WDOG_CTRL_HALT_MASK));
  CHECK(r.rd(SHOAL_CORE_FW_VERSION_OFFSET) == 0x01000407u);
  r.run(35000);
  CHECK((r.rd(SHOAL_CORE_WDOG_STATUS_OFFSET) & SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK) != 0);
  CHECK((r.rd(SHOAL_CORE_CTRL_OFFSET) & SHOAL_CORE_CTRL_RESET_MASK) != 0);
  CHECK((r.rd(SHOAL_CORE_STATUS_OFFSET) & SHOAL_CORE_STATUS_RUNNING_MASK) == 0);
  // entering reset cleared the firmware's report and switched the watchdog off
  CHECK(r.rd(SHOAL_CORE_WDOG_CTRL_OFFSET) == 0);
  CHECK(r.rd(SHOAL_CORE_FW_UPTIME_OFFSET) == 0);
  CHECK(r.rd(SHOAL_CORE_FW_VERSION_OFFSET) == 0);
  // the host sees the cause, clears it, and may restart the core
  REQUIRE(r.wr(SHOAL_CORE_WDOG_STATUS_OFFSET, SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK));
  CHECK((r.rd(SHOAL_CORE_WDOG_STATUS_OFFSET) & SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK) == 0);
}

TEST_CASE("the default image runs on the RTOS and reports itself", "[default]") {
  BlockRig r;  // boots shoal_fw from $readmemh, no download
  bool up = r.run_until("rtos running, 3 timer ticks, 2 tasks", 400'000);
  INFO("console:\n" << r.console());
  REQUIRE(up);
  CHECK(r.console().find("shoal fw: hello from hart 0") != std::string::npos);
  CHECK(r.rd(SHOAL_CORE_FW_VERSION_OFFSET) == 0x01000500u);
  uint32_t t = r.rd(SHOAL_CORE_FW_TASKS_OFFSET);
  CHECK(field(t, SHOAL_CORE_FW_TASKS_COUNT_MASK, SHOAL_CORE_FW_TASKS_COUNT_LSB) == 2);
  uint32_t up1 = r.rd(SHOAL_CORE_FW_UPTIME_OFFSET);
  uint32_t k1 = field(r.rd(SHOAL_CORE_WDOG_STATUS_OFFSET), SHOAL_CORE_WDOG_STATUS_KICKS_MASK,
                      SHOAL_CORE_WDOG_STATUS_KICKS_LSB);
  r.run(20000);
  CHECK(r.rd(SHOAL_CORE_FW_UPTIME_OFFSET) >= up1 + 9);
  uint32_t st = r.rd(SHOAL_CORE_WDOG_STATUS_OFFSET);
  CHECK(field(st, SHOAL_CORE_WDOG_STATUS_KICKS_MASK, SHOAL_CORE_WDOG_STATUS_KICKS_LSB) != k1);
  CHECK((st & SHOAL_CORE_WDOG_STATUS_EXPIRED_MASK) == 0);
  CHECK(r.rd(SHOAL_CORE_FW_FAULT_OFFSET) == 0);
}

TEST_CASE("tickless idle: exact sleeps with few timer interrupts, early wake by a doorbell", "[tickless]") {
  BlockRig r;
  REQUIRE(r.load(kDir + "/rtos_tickless.elf") == "");
  {
    bool waiting = r.run_until("WAIT-DOORBELL", 3'000'000);
    INFO("console:\n" << r.console());
    REQUIRE(waiting);
  }
  r.run(100'000);  // 50 ticks of 2000 cycles, the core asleep
  REQUIRE(r.wr(SHOAL_CORE_DOORBELL_SET_OFFSET, 1u << 1));
  bool finished = r.run_until("RESULT", 1'000'000);
  INFO("console:\n" << r.console());
  REQUIRE(finished);
  r.run(2000);
  REQUIRE(r.console().find("RESULT PASS") != std::string::npos);
  CHECK(r.console().find("wake order: 10") != std::string::npos);
  CHECK((r.rd(SHOAL_CORE_STATUS_OFFSET) & SHOAL_CORE_STATUS_SLEEPING_MASK) != 0);  // idle in wfi
}
