// bench-rtos: the RTOS measured on the soft core (Verilated shoal_core_block, the card
// configuration) with mcycle: context switch, interrupt to task, queue, semaphore, mutex, tick
// cost with and without a switch; and the kernel's code and RAM size (from the ELF symbols).
//
//   bench-rtos [--json FILE]
//
// The firmware (fw/rtos_bench.cpp) prints "BENCH <name> <min> <mean> <samples>"; every figure
// reported here is the minimum over the samples (the mean is in the parameters). The mcycle
// reads bracketing each measurement are included (mcycle_read_pair shows what two reads cost).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "bench_report.hpp"
#include "oncore_rig.hpp"

namespace {
struct Sample {
  double min = 0, mean = 0, n = 0;
  bool ok = false;
};

// sums of STT_FUNC / STT_OBJECT symbol sizes by a name filter, from the ELF32 symbol table
struct ElfSizes {
  uint32_t kernel_text = 0, port_text = 0, kernel_data = 0, port_data = 0;
  bool ok = false;
};
template <typename T>
T rd(const std::vector<unsigned char>& b, size_t off) {
  T v{};
  if (off + sizeof(T) <= b.size()) std::memcpy(&v, b.data() + off, sizeof(T));
  return v;
}
ElfSizes elf_sizes(const std::string& path) {
  ElfSizes s;
  std::ifstream f(path, std::ios::binary);
  std::vector<unsigned char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (b.size() < 52 || std::memcmp(b.data(), "\x7f" "ELF", 4) != 0 || b[4] != 1) return s;
  uint32_t shoff = rd<uint32_t>(b, 32);
  uint16_t shentsize = rd<uint16_t>(b, 46), shnum = rd<uint16_t>(b, 48);
  for (uint16_t i = 0; i < shnum; ++i) {
    size_t sh = shoff + size_t(i) * shentsize;
    if (rd<uint32_t>(b, sh + 4) != 2) continue;  // SHT_SYMTAB
    uint32_t off = rd<uint32_t>(b, sh + 16), size = rd<uint32_t>(b, sh + 20);
    uint32_t link = rd<uint32_t>(b, sh + 24), entsize = rd<uint32_t>(b, sh + 36);
    size_t strsh = shoff + size_t(link) * shentsize;
    uint32_t stroff = rd<uint32_t>(b, strsh + 16);
    for (uint32_t e = 0; entsize && e + entsize <= size; e += entsize) {
      size_t sym = off + e;
      uint32_t name = rd<uint32_t>(b, sym), ssize = rd<uint32_t>(b, sym + 8);
      uint8_t type = b[sym + 12] & 0xF;
      if (stroff + name >= b.size()) continue;
      std::string n(reinterpret_cast<const char*>(b.data() + stroff + name));
      bool port = n.find("5shoal4rtos4port") != std::string::npos || n.rfind("shoal_rtos_", 0) == 0;
      bool kern = !port && n.find("5shoal4rtos") != std::string::npos;
      if (type == 2) {  // STT_FUNC
        if (port) s.port_text += ssize;
        if (kern) s.kernel_text += ssize;
      } else if (type == 1) {  // STT_OBJECT
        if (port) s.port_data += ssize;
        if (kern) s.kernel_data += ssize;
      }
    }
    s.ok = true;
  }
  return s;
}
}  // namespace

int main(int argc, char** argv) {
  std::string json;
  for (int i = 1; i < argc; ++i) {
    if (shoal::bench::json_arg(argc, argv, i, json)) continue;
    std::string a = argv[i];
    std::printf("usage: bench-rtos [--json FILE]\n");
    return a == "-h" || a == "--help" ? 0 : 2;
  }
  const std::string elf = std::string(SHOAL_RTOS_FW_DIR) + "/rtos_bench.elf";
  shoal::rtostest::BlockRig rig;
  std::string err = rig.load(elf);
  if (!err.empty()) {
    std::fprintf(stderr, "bench-rtos: %s: %s\n", elf.c_str(), err.c_str());
    return 1;
  }
  if (!rig.run_until("BENCH-DONE", 20'000'000)) {
    std::fprintf(stderr, "bench-rtos: the benchmark firmware did not finish; console:\n%s\n",
                 rig.console().c_str());
    return 1;
  }
  // SHOAL_BENCH_CONSOLE=1: the firmware's raw console (BENCH lines) on stderr, for profiling
  if (std::getenv("SHOAL_BENCH_CONSOLE")) std::fprintf(stderr, "%s", rig.console().c_str());
  std::map<std::string, Sample> m;
  std::map<std::string, double> sizes;
  std::istringstream in(rig.console());
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag, name;
    ls >> tag >> name;
    if (tag == "BENCH") {
      Sample s;
      ls >> s.min >> s.mean >> s.n;
      s.ok = bool(ls);
      m[name] = s;
    } else if (tag == "BENCH-SIZE") {
      double v = 0;
      ls >> v;
      sizes[name] = v;
    }
  }
  using shoal::bench::json_object;
  shoal::bench::Report report("bench-rtos", 1);
  const std::string cfg = "\"core\": \"shoal_core_block (16 KiB + 16 KiB, FastMul)\", \"firmware\": \"-Os\"";
  auto fig = [&](const std::string& key, const std::string& name, const std::string& what, double minus = 0) {
    auto it = m.find(key);
    if (it == m.end() || !it->second.ok) {
      report.add(name, std::nullopt, "cycles", "{" + cfg + "}");
      return;
    }
    const Sample& s = it->second;
    std::ostringstream p;
    p << "{" << cfg << ", \"what\": " << shoal::bench::json_string(what) << ", \"samples\": " << s.n
      << ", \"mean\": " << shoal::bench::json_number(s.mean - minus) << "}";
    auto& f = report.add(name, s.min - minus, "cycles", p.str());
    std::ostringstream shown;
    shown << "min of " << s.n << ", mean " << s.mean - minus << "; " << what;
    f.shown = shown.str();
  };
  fig("yield_switch", "context_switch_yield", "mcycle before yield() in one task to mcycle after yield() returns in the other (same priority)");
  fig("irq_to_task", "irq_to_task", "mcycle before the msip store to mcycle after sem_take() returns in the task the ISR woke");
  fig("queue_send_receive", "queue_send_receive", "queue_send + queue_receive of 4 bytes, no waiter, no switch");
  fig("sem_give_take", "sem_give_take", "sem_give + sem_take, no waiter, no switch");
  fig("mutex_lock_unlock", "mutex_lock_unlock", "uncontended mutex_lock + mutex_unlock");
  double loop = m.count("spin_loop") ? m["spin_loop"].min : 0;
  fig("tick_no_switch_gap", "tick_no_switch", "timer interrupt taken from a spinning task and returned to it (gap in its mcycle reads minus one loop iteration)", loop);
  fig("tick_switch_to_task", "tick_with_switch", "last mcycle published by a spinning task to mcycle after sleep(1) returns in the higher task the tick woke");
  fig("mcycle_read_pair", "mcycle_read_pair", "two back-to-back mcycle reads (included in every figure above)");
  // minstret over the same paths (the profile: cycles / instructions = the CPI of the path)
  for (const char* k : {"yield_switch", "irq_to_task", "queue_send_receive", "sem_give_take", "mutex_lock_unlock"}) {
    auto it = m.find(std::string(k) + "_instr");
    if (it == m.end() || !it->second.ok) continue;
    std::ostringstream p;
    p << "{" << cfg << ", \"what\": \"instructions retired (minstret) on the path of " << k
      << "\", \"samples\": " << it->second.n << ", \"mean\": " << shoal::bench::json_number(it->second.mean) << "}";
    auto& f = report.add(std::string(k) + "_instructions", it->second.min, "instructions", p.str());
    std::ostringstream shown;
    shown << "min of " << it->second.n << ", mean " << it->second.mean << "; minstret on the path of " << k;
    f.shown = shown.str();
  }
  ElfSizes es = elf_sizes(elf);
  if (es.ok) {
    report.add("kernel_code", es.kernel_text, "bytes", "{" + cfg + ", \"what\": \"portable kernel (shoal::rtos), .text\"}");
    report.add("port_code", es.port_text, "bytes", "{" + cfg + ", \"what\": \"RISC-V port (shoal::rtos::port, trap entry), .text\"}");
    report.add("port_ram", es.port_data + es.kernel_data, "bytes", "{" + cfg + ", \"what\": \"static RAM of kernel + port (Kernel, idle TCB, task table, state), without stacks\"}");
  }
  for (const char* k : {"kernel_struct", "task_struct", "queue_struct", "task_frame", "isr_stack_used"}) {
    auto it = sizes.find(k);
    if (it != sizes.end()) report.add(std::string("ram_") + k, it->second, "bytes", "{" + cfg + "}");
  }
  report.note("cycles of the Verilated core at its clock; the card bus, console and memories are the card configuration");
  report.print_table();
  if (!json.empty() && !report.write_json(json)) return 1;
  return 0;
}
