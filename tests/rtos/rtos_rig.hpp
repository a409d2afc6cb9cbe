// Test rig: a kernel with an idle task and a pool of static tasks, driven without a CPU port.
#pragma once
#include <catch2/catch.hpp>

#include "shoal/rtos/kernel.hpp"

namespace rtos_test {
using namespace shoal::rtos;

inline void noop(void*) {}

struct Rig {
  static constexpr int kTasks = 8;
  static constexpr size_t kWords = 64;
  Kernel k;
  Task idle;
  uint32_t idle_stack[kWords] = {};
  Task tasks[kTasks];
  uint32_t stacks[kTasks][kWords] = {};

  explicit Rig(Tick initial_tick = 0) {
    REQUIRE(k.init(&idle, Stack{idle_stack, kWords}, noop, nullptr, initial_tick) == Status::Ok);
  }
  Task* make(int i, uint8_t prio, const char* name = "t") {
    TaskConfig c;
    c.name = name;
    c.entry = noop;
    c.priority = prio;
    c.stack = Stack{stacks[i], kWords};
    REQUIRE(k.task_create(&tasks[i], c) == Status::Ok);
    return &tasks[i];
  }
  // What the port does on a switch request: run the chosen task.
  Task* run() { return k.switch_next(); }
  Task* start() {
    REQUIRE(k.start() == Status::Ok);
    return k.current();
  }
};

}  // namespace rtos_test
