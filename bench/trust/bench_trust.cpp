// bench-trust: the firmware's Ed25519 verification (firmware/crypto) on the soft core, with
// mcycle: whole verifications (accepted, refused late, refused early), each layer of the
// arithmetic, SHA-512 per block, stack use, and the code a boot stage would carry, for the
// verifier at -Os (the card's firmware flags) and at -O2.
//
//   bench-trust [--json FILE] [--quick]
//
// The programs run on the core-complex harness (rtl/core/sim, CoreSim: the same core, 64 KiB
// memories so that the -O2 build fits); one verification also runs on the card configuration
// (shoal_core_block, 16 KiB + 16 KiB, the tests/trust/fw image) to show the figure is the same
// there. --quick skips the -O2 runs. See bench/trust/README.md.
#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench_report.hpp"
#include "boot_rig.hpp"
#include "image_util.hpp"
#include "oncore_job.hpp"
#include "rfc8032_vectors.hpp"

namespace {
using shoal::bench::json_string;
using shoal::trusttest::OncoreResult;

std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out(h.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) out[i] = uint8_t(std::stoul(h.substr(2 * i, 2), nullptr, 16));
  return out;
}

void set_case(ShoalTrustCase& c, const std::vector<uint8_t>& sig, const std::vector<uint8_t>& pk,
              const std::vector<uint8_t>& msg, uint32_t kind = SHOAL_TRUST_VERIFY) {
  std::memset(&c, 0, sizeof c);
  c.kind = kind;
  c.len = uint32_t(msg.size());
  std::copy(sig.begin(), sig.end(), c.sig);
  std::copy(pk.begin(), pk.end(), c.pk);
  std::copy(msg.begin(), msg.end(), c.msg);
}

// Sizes from the ELF symbol table.
struct Sizes {
  uint32_t crypto_text = 0, crypto_rodata = 0, helpers = 0;
  bool ok = false;
};
template <typename T>
T rd(const std::vector<unsigned char>& b, size_t off) {
  T v{};
  if (off + sizeof(T) <= b.size()) std::memcpy(&v, b.data() + off, sizeof(T));
  return v;
}
Sizes elf_sizes(const std::string& path) {
  Sizes s;
  std::ifstream f(path, std::ios::binary);
  std::vector<unsigned char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (b.size() < 52 || std::memcmp(b.data(), "\x7f" "ELF", 4) != 0 || b[4] != 1) return s;
  const uint32_t shoff = rd<uint32_t>(b, 32);
  const uint16_t shentsize = rd<uint16_t>(b, 46), shnum = rd<uint16_t>(b, 48);
  // the libc / libgcc routines the verifier calls (a boot stage must carry them too)
  // (-msave-restore's __riscv_save_N / __riscv_restore_N are entry points into two shared
  // routines: their address ranges are merged, not added)
  const char* helpers[] = {"memcpy", "memset", "memcmp", "__ashldi3", "__lshrdi3"};
  std::map<uint32_t, uint32_t> ranges;  // start -> end
  for (uint16_t i = 0; i < shnum; ++i) {
    const size_t sh = shoff + size_t(i) * shentsize;
    if (rd<uint32_t>(b, sh + 4) != 2) continue;  // SHT_SYMTAB
    const uint32_t off = rd<uint32_t>(b, sh + 16), size = rd<uint32_t>(b, sh + 20);
    const uint32_t link = rd<uint32_t>(b, sh + 24), entsize = rd<uint32_t>(b, sh + 36);
    const uint32_t stroff = rd<uint32_t>(b, shoff + size_t(link) * shentsize + 16);
    for (uint32_t e = 0; entsize && e + entsize <= size; e += entsize) {
      const size_t sym = off + e;
      const uint32_t name = rd<uint32_t>(b, sym), ssize = rd<uint32_t>(b, sym + 8);
      const uint8_t type = b[sym + 12] & 0xF;
      if (stroff + name >= b.size()) continue;
      const std::string n(reinterpret_cast<const char*>(b.data() + stroff + name));
      const bool crypto = n.find("5shoal6crypto") != std::string::npos;
      if (crypto && type == 2) s.crypto_text += ssize;
      if (crypto && type == 1) s.crypto_rodata += ssize;
      bool helper = type == 2 && (n.rfind("__riscv_save_", 0) == 0 || n.rfind("__riscv_restore_", 0) == 0);
      for (const char* h : helpers) helper = helper || (type == 2 && n == h);
      if (helper && ssize) {
        const uint32_t a = rd<uint32_t>(b, sym + 4);
        ranges[a] = std::max(ranges[a], a + ssize);
      }
    }
    s.ok = true;
  }
  uint32_t end = 0;
  for (const auto& [a, e] : ranges) {  // union of the ranges
    if (e <= end) continue;
    s.helpers += e - std::max(a, end);
    end = e;
  }
  return s;
}

std::map<std::string, double> parse_bench(const std::string& console) {
  std::map<std::string, double> m;
  std::istringstream in(console);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string tag, name;
    double v = 0;
    ls >> tag >> name >> v;
    if (tag == "BENCH" && ls) m[name] = v;
  }
  return m;
}
}  // namespace

int main(int argc, char** argv) {
  std::string json;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (shoal::bench::json_arg(argc, argv, i, json)) continue;
    const std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
      continue;
    }
    std::printf("usage: bench-trust [--json FILE] [--quick]\n");
    return a == "-h" || a == "--help" ? 0 : 2;
  }
  if (sodium_init() < 0) {
    std::fprintf(stderr, "bench-trust: libsodium failed to initialise\n");
    return 1;
  }
  const std::string dir = SHOAL_TRUST_FW_DIR;
  shoal::bench::Report report("bench-trust", 2);
  const double mhz = 100.0;

  // the job: accepted (empty message, 512-byte message), refused after the full computation,
  // refused early (S >= L; R of small order), SHA-512 of 512 bytes
  static ShoalTrustJob job;
  std::memset(&job, 0, sizeof job);
  job.magic = SHOAL_TRUST_JOB_MAGIC;
  job.count = 6;
  const auto& t1 = shoal::trusttest::kRfc8032[0];
  set_case(job.cases[0], unhex(t1.signature_hex), unhex(t1.public_hex), {});
  std::vector<uint8_t> pk(32), sk(64), sig(64), msg(SHOAL_TRUST_MAX_MSG);
  crypto_sign_seed_keypair(pk.data(), sk.data(), unhex(t1.secret_hex).data());
  for (size_t i = 0; i < msg.size(); ++i) msg[i] = uint8_t(i * 131 + 7);
  crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk.data());
  set_case(job.cases[1], sig, pk, msg);
  auto bad = msg;
  bad[100] ^= 1;
  set_case(job.cases[2], sig, pk, bad);
  auto big_s = sig;
  big_s[63] |= 0xF0;
  set_case(job.cases[3], big_s, pk, msg);
  auto weak = sig;
  std::memset(weak.data(), 0, 32);
  weak[0] = 1;  // R = identity
  set_case(job.cases[4], weak, pk, msg);
  set_case(job.cases[5], {}, {}, msg, SHOAL_TRUST_SHA512);
  const char* names[6] = {"verify_ok_empty_msg", "verify_ok_512B_msg", "verify_refused_mismatch_512B",
                          "verify_refused_S_ge_L_512B", "verify_refused_weak_R_512B", "sha512_512B"};
  const char* what[6] = {"RFC 8032 TEST 1 (empty message): accepted",
                         "a 512-byte message: accepted",
                         "the same with one message bit flipped: refused after the full computation",
                         "S >= L: refused by the first check (the message is hashed first)",
                         "R = identity: refused after decoding A and R and the small-order checks",
                         "SHA-512 of 512 bytes (5 blocks with the padding)"};
  const uint32_t want[5] = {0, 0, 6, 1, 5};

  uint32_t stack_max = 0;
  for (const char* v : {"os", "o2"}) {
    if (quick && std::string(v) == "o2") continue;
    const std::string cfg = std::string("\"core\": \"core complex harness (FastMul)\", \"crypto\": \"-") +
                            (std::string(v) == "os" ? "Os" : "O2") + "\"";
    const std::string sfx = std::string("_") + v;
    std::vector<OncoreResult> res;
    std::string console;
    const std::string err =
        shoal::trusttest::run_coresim(dir + "/trust_verify_sim_" + v + ".elf", job, 60'000'000, res, console);
    if (!err.empty()) {
      std::fprintf(stderr, "bench-trust: trust_verify_sim_%s: %s\nconsole:\n%s\n", v, err.c_str(), console.c_str());
      return 1;
    }
    for (int i = 0; i < 6; ++i) {
      if (i < 5 && res[size_t(i)].status != want[i]) {
        std::fprintf(stderr, "bench-trust: case %s gave status %u, expected %u\n", names[i], res[size_t(i)].status, want[i]);
        return 1;
      }
      const double cyc = double(res[size_t(i)].cycles);
      auto& f = report.add(std::string(names[i]) + sfx, cyc, "cycles",
                           "{" + cfg + ", \"what\": " + json_string(what[i]) + "}");
      f.shown = std::string(what[i]) + "; -" + (std::string(v) == "os" ? "Os" : "O2");
      if (i == 1) {
        report.add(std::string("verify_ms_at_100MHz") + sfx, cyc / (mhz * 1000.0), "ms",
                   "{" + cfg + ", \"what\": \"verify_ok_512B_msg at 100 MHz\"}");
      }
      stack_max = std::max(stack_max, res[size_t(i)].stack);
    }
    report.add(std::string("verify_stack") + sfx, double(res[1].stack), "bytes",
               "{" + cfg + ", \"what\": \"stack below ed25519_verify's caller, painted and scanned (includes the 304-byte Ed25519Verifier)\"}");

    // the layers
    const std::string bconsole = [&] {
      shoal::coresim::ElfImage img;
      std::string e = shoal::coresim::load_elf(dir + "/trust_bench_" + v + ".elf", img);
      if (!e.empty()) return std::string();
      shoal::coresim::CoreSim sim;
      if (!sim.load(img).empty()) return std::string();
      sim.run(20'000'000);
      return sim.console();
    }();
    const auto m = parse_bench(bconsole);
    if (!m.count("ge_double_scalarmult")) {
      std::fprintf(stderr, "bench-trust: trust_bench_%s did not finish; console:\n%s\n", v, bconsole.c_str());
      return 1;
    }
    const char* layers[] = {"fe_mul", "fe_sq", "fe_add", "fe_sub", "fe_invert", "fe_tobytes", "ge_decode",
                            "ge_dbl", "ge_dbl_no_t", "ge_add_cached", "ge_add_niels", "ge_small_order",
                            "sc_reduce512", "sc_wnaf", "ge_double_scalarmult"};
    for (const char* k : layers) {
      auto it = m.find(k);
      if (it == m.end()) continue;
      auto& f = report.add(std::string("layer_") + k + sfx, it->second, "cycles", "{" + cfg + "}");
      f.shown = std::string("one ") + k + "; -" + (std::string(v) == "os" ? "Os" : "O2");
    }
    if (m.count("sha512_1024") && m.count("sha512_empty")) {
      report.add(std::string("sha512_block") + sfx, (m.at("sha512_1024") - m.at("sha512_empty")) / 8.0, "cycles",
                 "{" + cfg + ", \"what\": \"one 128-byte block: (sha512 of 1024 B - of 0 B) / 8\"}");
    }

    const Sizes s = elf_sizes(dir + "/trust_verify_sim_" + v + ".elf");
    if (s.ok) {
      report.add(std::string("code_verifier_text") + sfx, s.crypto_text, "bytes",
                 "{" + cfg + ", \"what\": \"functions of shoal::crypto (SHA-512 + Ed25519 verify)\"}");
      report.add(std::string("code_verifier_rodata") + sfx, s.crypto_rodata, "bytes",
                 "{" + cfg + ", \"what\": \"constants: SHA-512 K, base-point table, d, sqrt(-1), L\"}");
      report.add(std::string("code_helpers") + sfx, s.helpers, "bytes",
                 "{" + cfg + ", \"what\": \"memcpy, memset, memcmp, libgcc shifts, -msave-restore's save/restore routines\"}");
      report.add(std::string("code_boot_stage_carries") + sfx, s.crypto_text + s.crypto_rodata + s.helpers,
                 "bytes", "{" + cfg + ", \"what\": \"the three above: what a boot ROM holds for verification\"}");
    }
  }

  // the card configuration: one accepted verification on shoal_core_block
  {
    static ShoalTrustJob one;
    one = job;
    one.count = 1;
    std::vector<OncoreResult> res;
    std::string console;
    const std::string err = shoal::trusttest::run_oncore(dir + "/trust_verify.elf", one, 20'000'000, res, console);
    if (!err.empty() || res[0].status != 0) {
      std::fprintf(stderr, "bench-trust: trust_verify.elf on the core block: %s\nconsole:\n%s\n", err.c_str(),
                   console.c_str());
      return 1;
    }
    auto& f = report.add("verify_ok_empty_msg_card_block", double(res[0].cycles), "cycles",
                         "{\"core\": \"shoal_core_block (16 KiB + 16 KiB, FastMul)\", \"crypto\": \"-Os\"}");
    f.shown = "RFC 8032 TEST 1 on the card configuration (tests/trust/fw/trust_verify.elf)";
  }
  // the boot stage: the ROM build's size, and the prototype's activation of a good image
  {
    const std::string rom = dir + "/shoal_boot_rom.elf";
    std::ifstream f(rom, std::ios::binary);
    std::vector<unsigned char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    uint32_t text = 0, ro = 0;
    if (b.size() > 52 && std::memcmp(b.data(), "\x7f" "ELF", 4) == 0) {
      const uint32_t shoff = rd<uint32_t>(b, 32);
      const uint16_t shentsize = rd<uint16_t>(b, 46), shnum = rd<uint16_t>(b, 48), shstrndx = rd<uint16_t>(b, 50);
      const uint32_t strs = rd<uint32_t>(b, shoff + size_t(shstrndx) * shentsize + 16);
      for (uint16_t i = 0; i < shnum; ++i) {
        const size_t sh = shoff + size_t(i) * shentsize;
        const std::string n(reinterpret_cast<const char*>(b.data() + strs + rd<uint32_t>(b, sh)));
        const uint32_t size = rd<uint32_t>(b, sh + 20);
        if (n == ".text") text = size;
        if (n == ".rodata" || n == ".init_array") ro += size;
      }
    }
    const std::string cfg = "\"build\": \"firmware/boot/rom.ld: ROM at 0x0001_0000, -Os -msave-restore\"";
    report.add("boot_rom_text", text, "bytes", "{" + cfg + ", \"what\": \"the boot stage's code (verifier, image checks, boot logic, console)\"}");
    report.add("boot_rom_rodata", ro, "bytes", "{" + cfg + ", \"what\": \"its constants and messages\"}");
    report.add("boot_rom_total", text + ro, "bytes", "{" + cfg + ", \"what\": \"of the proposed 20 KiB ROM\"}");

    const auto key = shoal::trusttest::test_key();
    for (const char* which : {"boot_app_v2", "shoal_fw"}) {
      const auto img = shoal::trusttest::slurp(dir + "/" + which + ".simg");
      shoal::trusttest::BootRig r(dir + "/shoal_boot_proto.elf", key.pk);
      r.power_up(shoal::trusttest::slurp(dir + "/boot_app_v1.simg"), true, 0);
      if (!r.run_until("app v1 running", 2'000'000) || !r.stage_inactive(img)) {
        std::fprintf(stderr, "bench-trust: the boot prototype did not come up:\n%s\n", r.console().c_str());
        return 1;
      }
      r.activate();
      const bool done = r.run_until("running slot 1", 40'000'000);
      r.run(20'000);  // the install request follows the message
      if (!done || r.active() != 1) {
        std::fprintf(stderr, "bench-trust: the boot prototype did not accept %s:\n%s\n", which, r.console().c_str());
        return 1;
      }
      const auto at = r.console().rfind("stack used ");
      const double stack = at == std::string::npos ? 0 : std::stod(r.console().substr(at + 11));
      const std::string p = "{\"core\": \"shoal_core_block + modelled boot hardware (tests/trust/boot_rig.hpp)\", \"image_bytes\": " +
                            std::to_string(img.size()) + "}";
      auto& f = report.add(std::string("boot_activate_") + which, double(r.boot_cycles()), "cycles", p);
      f.shown = "reset into the boot program -> install request, accepting " + std::string(which) + ".simg (" +
                std::to_string(img.size()) + " B; the slot is read over the card bus in the prototype)";
      report.add(std::string("boot_activate_") + which + "_ms_at_100MHz", double(r.boot_cycles()) / (mhz * 1000.0), "ms", p);
      report.add(std::string("boot_stack_") + which, stack, "bytes", p + "");
    }
  }
  report.note("cycles of the Verilated core; ms assume a 100 MHz core clock (the iCE40 build does not reach it, docs/core.md)");
  report.note("the -Os build is what the card's 16 KiB instruction RAM holds; -O2 does not fit there");
  report.print_table();
  if (!json.empty() && !report.write_json(json)) return 1;
  return 0;
}
