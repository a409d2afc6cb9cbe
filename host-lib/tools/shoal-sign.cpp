// shoal-sign: creates Ed25519 firmware signing keys and signed firmware images for the card's
// boot stage (docs/firmware-signing.md), with libsodium. Every image it writes is checked with
// the card's own acceptance code (firmware/boot, the same sources as the boot ROM program).
//
//   shoal-sign keygen -o PREFIX [--test-key] [--force]      PREFIX.key (secret) + PREFIX.pub
//   shoal-sign sign IMAGE.elf --key K.key --version N [--fw-version X.Y.Z] -o OUT.simg
//   shoal-sign verify OUT.simg (--pub K.pub | --key K.key) [--floor N] [--allow-rollback]
//   shoal-sign show OUT.simg [--json]
//   shoal-sign pubkey K.key                                  print the public key line
//
// Exit status: 0 done / accepted, 1 refused (verify), 2 bad input or usage (nothing written).
#include <sodium.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "shoal/fw_image.h"
#include "shoal/regs.h"

namespace {
using shoal::boot::Header;
using shoal::boot::ImageStatus;
using shoal::boot::MemMap;

constexpr const char* kSecretTag = "shoal-sign-secret-key-v1";
constexpr const char* kPublicTag = "shoal-sign-public-key-v1";
// The documented co-simulation test key: this seed is public (docs/firmware-signing.md). An image
// signed with it proves nothing; never provision its public half into real hardware.
constexpr char kTestSeed[] = "SHOAL TEST KEY - NOT A SECRET!!!";
static_assert(sizeof kTestSeed == 33, "the test seed is 32 bytes");

struct Fail : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}
bool unhex(const std::string& h, uint8_t* out, size_t n) {
  if (h.size() != 2 * n) return false;
  for (size_t i = 0; i < n; ++i) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int a = nib(h[2 * i]), b = nib(h[2 * i + 1]);
    if (a < 0 || b < 0) return false;
    out[i] = uint8_t(a << 4 | b);
  }
  return true;
}

std::vector<uint8_t> read_file(const std::string& path, size_t limit = size_t(64) << 20) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Fail("cannot open " + path + ": " + std::strerror(errno));
  std::vector<uint8_t> v;
  uint8_t buf[65536];
  for (;;) {
    const size_t n = std::fread(buf, 1, sizeof buf, f);
    v.insert(v.end(), buf, buf + n);
    if (n < sizeof buf) break;
    if (v.size() > limit) {
      std::fclose(f);
      throw Fail(path + ": larger than " + std::to_string(limit >> 20) + " MiB");
    }
  }
  const bool err = std::ferror(f) != 0;
  std::fclose(f);
  if (err) throw Fail("cannot read " + path);
  return v;
}

// Writes via a temporary file and rename: a failure leaves no partial output behind.
void write_file(const std::string& path, const void* data, size_t n, mode_t mode) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw Fail("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = std::fwrite(data, 1, n, f) == n;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || ::chmod(tmp.c_str(), mode) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    throw Fail("cannot write " + path + ": " + std::strerror(e));
  }
}

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

// ---- keys -------------------------------------------------------------------------------------

std::string tagged_value(const std::string& path, const char* tag) {
  const auto bytes = read_file(path, 1 << 16);
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string t, v;
    ls >> t >> v;
    if (t == tag) return v;
  }
  return "";
}

struct KeyPair {
  uint8_t pk[crypto_sign_PUBLICKEYBYTES];
  uint8_t sk[crypto_sign_SECRETKEYBYTES];
};

KeyPair load_secret(const std::string& path) {
  const std::string v = tagged_value(path, kSecretTag);
  uint8_t seed[crypto_sign_SEEDBYTES];
  if (v.empty()) {
    if (!tagged_value(path, kPublicTag).empty())
      throw Fail(path + ": this is a public key file; signing needs the secret key (.key)");
    throw Fail(path + ": not a shoal-sign secret key (no '" + std::string(kSecretTag) + "' line)");
  }
  if (!unhex(v, seed, sizeof seed)) throw Fail(path + ": the secret key is not 64 hex digits");
  KeyPair k;
  crypto_sign_seed_keypair(k.pk, k.sk, seed);
  sodium_memzero(seed, sizeof seed);
  return k;
}

std::vector<uint8_t> load_public(const std::string& path) {
  std::vector<uint8_t> pk(crypto_sign_PUBLICKEYBYTES);
  const std::string v = tagged_value(path, kPublicTag);
  if (!v.empty()) {
    if (!unhex(v, pk.data(), pk.size())) throw Fail(path + ": the public key is not 64 hex digits");
    return pk;
  }
  if (!tagged_value(path, kSecretTag).empty()) {
    const KeyPair k = load_secret(path);
    std::copy(k.pk, k.pk + sizeof k.pk, pk.begin());
    return pk;
  }
  throw Fail(path + ": not a shoal-sign key file (no '" + std::string(kPublicTag) + "' line)");
}

std::string key_id_hex(const uint8_t* pk) {
  uint8_t id[shoal::boot::kKeyIdBytes];
  shoal::boot::key_id(pk, id);
  return hex(id, sizeof id);
}

std::string public_text(const uint8_t* pk, bool test) {
  std::string s = "# Shoal firmware signing public key (Ed25519), key id " + key_id_hex(pk) + "\n";
  if (test)
    s += "# TEST KEY for co-simulation: its seed is published (docs/firmware-signing.md); never provision it into real hardware\n";
  return s + kPublicTag + " " + hex(pk, 32) + "\n";
}

int cmd_keygen(const std::string& prefix, bool test, bool force) {
  const std::string kf = prefix + ".key", pf = prefix + ".pub";
  if (!force && (exists(kf) || exists(pf)))
    throw Fail(kf + " or " + pf + " exists; refusing to overwrite a key (use --force)");
  uint8_t seed[crypto_sign_SEEDBYTES];
  if (test) {
    std::memcpy(seed, kTestSeed, sizeof seed);
  } else {
    randombytes_buf(seed, sizeof seed);
  }
  KeyPair k;
  crypto_sign_seed_keypair(k.pk, k.sk, seed);
  std::string sec = "# Shoal firmware signing SECRET key (Ed25519 seed), key id " + key_id_hex(k.pk) + "\n";
  if (test) {
    sec += "# TEST KEY for co-simulation: the seed is the published string \"" + std::string(kTestSeed) +
           "\";\n# images signed with it prove nothing\n";
  } else {
    sec += "# Whoever holds this file can sign firmware that cards provisioned with its public key run.\n";
  }
  sec += std::string(kSecretTag) + " " + hex(seed, sizeof seed) + "\n";
  sodium_memzero(seed, sizeof seed);
  write_file(kf, sec.data(), sec.size(), 0600);
  const std::string pub = public_text(k.pk, test);
  write_file(pf, pub.data(), pub.size(), 0644);
  std::printf("wrote %s (secret, mode 0600) and %s; key id %s%s\n", kf.c_str(), pf.c_str(), key_id_hex(k.pk).c_str(),
              test ? " (the co-simulation TEST key)" : "");
  return 0;
}

// ---- ELF ----------------------------------------------------------------------------------------

uint32_t le32(const std::vector<uint8_t>& f, size_t o) { return shoal::boot::ld32(f.data() + o); }
uint32_t le16(const std::vector<uint8_t>& f, size_t o) { return shoal::boot::ld16(f.data() + o); }
std::string hex32(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

struct Loadable {
  shoal::boot::Segment seg;
  std::vector<uint8_t> bytes;  // file_bytes long
};

std::vector<Loadable> elf_segments(const std::string& path, uint32_t& entry) {
  const auto f = read_file(path);
  auto bad = [&](const std::string& why) { return Fail(path + ": " + why); };
  if (f.size() < 4 || f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F') throw bad("not an ELF file");
  if (f.size() < 52) throw bad("truncated ELF header");
  if (f[4] != 1) throw bad("not a 32-bit ELF; the soft core is RV32");
  if (f[5] != 1) throw bad("not a little-endian ELF");
  if (le16(f, 18) != 243) throw bad("not a RISC-V ELF (e_machine " + std::to_string(le16(f, 18)) + ")");
  if (le16(f, 16) != 2) throw bad("not an executable ELF (e_type " + std::to_string(le16(f, 16)) + ")");
  entry = le32(f, 24);
  const uint32_t phoff = le32(f, 28), phentsize = le16(f, 42), phnum = le16(f, 44);
  if (phnum == 0 || phentsize < 32 || uint64_t(phoff) + uint64_t(phnum) * phentsize > f.size())
    throw bad("bad or missing program headers");
  std::vector<Loadable> out;
  uint32_t offset = 0;
  for (uint32_t i = 0; i < phnum; ++i) {
    const size_t ph = phoff + size_t(i) * phentsize;
    const uint32_t type = le32(f, ph), poff = le32(f, ph + 4), paddr = le32(f, ph + 12);
    const uint32_t filesz = le32(f, ph + 16), memsz = le32(f, ph + 20);
    if (type != 1 || memsz == 0) continue;
    const std::string which = "segment " + std::to_string(i) + " (" + hex32(paddr) + ", " + std::to_string(memsz) + " bytes)";
    if (filesz > memsz) throw bad(which + ": filesz larger than memsz");
    if (uint64_t(poff) + filesz > f.size()) throw bad(which + ": data beyond the end of the file");
    if (paddr % 4) throw bad(which + ": not word aligned");
    if (out.size() == shoal::boot::kMaxSegments)
      throw bad("more than " + std::to_string(shoal::boot::kMaxSegments) + " loadable segments");
    Loadable l;
    const uint32_t fb = (filesz + 3) & ~3u, mb = (memsz + 3) & ~3u;
    l.seg = {paddr, fb, offset, mb > fb ? mb - fb : 0};
    l.bytes.assign(fb, 0);
    std::copy(f.begin() + poff, f.begin() + poff + filesz, l.bytes.begin());
    offset += fb;
    out.push_back(std::move(l));
  }
  if (out.empty()) throw bad("no loadable segments");
  return out;
}

struct MemOpts {
  uint32_t iram_base = SHOAL_CORE_IRAM_BASE_RESET, iram_bytes = SHOAL_CORE_IRAM_BYTES_RESET;
  uint32_t dram_base = SHOAL_CORE_DRAM_BASE_RESET, dram_bytes = SHOAL_CORE_DRAM_BYTES_RESET;
  uint32_t slot_bytes = shoal::boot::kProposedSlotBytes;
  MemMap map() const { return {iram_base, iram_bytes, dram_base, dram_bytes, slot_bytes}; }
};

uint32_t parse_fw_version(const std::string& s) {
  if (s.empty()) return 0;
  unsigned a = 0, b = 0, c = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%u.%u.%u%c", &a, &b, &c, &tail) != 3 || a > 255 || b > 255 || c > 255)
    throw Fail("--fw-version must be MAJOR.MINOR.PATCH with each part 0..255, not '" + s + "'");
  return 1u << 24 | a << 16 | b << 8 | c;  // kind 1: RTOS image (core.FW_VERSION)
}

int cmd_sign(const std::string& elf, const std::string& keyf, uint32_t version, const std::string& fwv,
             const std::string& out, const MemOpts& mo) {
  const KeyPair k = load_secret(keyf);
  uint32_t entry = 0;
  const auto segs = elf_segments(elf, entry);
  Header h{};
  h.rollback = version;
  h.fw_version = parse_fw_version(fwv);
  h.entry = entry;
  h.segment_count = uint32_t(segs.size());
  shoal::boot::key_id(k.pk, h.key_id);
  std::vector<uint8_t> img(shoal::boot::kHeaderBytes);
  for (size_t i = 0; i < segs.size(); ++i) {
    h.seg[i] = segs[i].seg;
    img.insert(img.end(), segs[i].bytes.begin(), segs[i].bytes.end());
  }
  h.payload_bytes = uint32_t(img.size() - shoal::boot::kHeaderBytes);
  shoal::boot::write_header(img.data(), h);
  uint8_t sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, img.data(), img.size(), k.sk);
  img.insert(img.end(), sig, sig + sizeof sig);
  // the card's own decision on what we are about to write
  Header chk;
  shoal::crypto::VerifyStatus detail;
  const ImageStatus st = shoal::boot::check_image(img.data(), img.size(), mo.map(), k.pk, 0, false, chk, &detail);
  if (st != ImageStatus::Ok) {
    std::string why = shoal::boot::image_status_name(st);
    if (st == ImageStatus::BadLayout) {
      why += " -- IRAM " + hex32(mo.iram_base) + "+" + std::to_string(mo.iram_bytes) + ", DRAM " + hex32(mo.dram_base) +
             "+" + std::to_string(mo.dram_bytes) + ", entry " + hex32(entry);
    }
    if (st == ImageStatus::TooLarge)
      why += " (" + std::to_string(img.size()) + " bytes, slot " + std::to_string(mo.slot_bytes) + ")";
    throw Fail(elf + ": the card would refuse this image: " + why);
  }
  write_file(out, img.data(), img.size(), 0644);
  std::printf("signed %s -> %s: %zu bytes, %u segment(s), rollback version %u, key id %s\n", elf.c_str(), out.c_str(),
              img.size(), h.segment_count, version, key_id_hex(k.pk).c_str());
  return 0;
}

int cmd_verify(const std::string& image, const std::vector<uint8_t>& pk, uint32_t floor, bool allow, const MemOpts& mo) {
  const auto img = read_file(image);
  Header h;
  shoal::crypto::VerifyStatus detail;
  const ImageStatus st = shoal::boot::check_image(img.data(), img.size(), mo.map(), pk.data(), floor, allow, h, &detail);
  // libsodium's opinion of the signature, when there is one to check
  if (st == ImageStatus::Ok || st == ImageStatus::BadSignature || st == ImageStatus::Rollback) {
    const size_t n = shoal::boot::kHeaderBytes + h.payload_bytes;
    const bool sodium = crypto_sign_verify_detached(img.data() + n, img.data(), n, pk.data()) == 0;
    if (sodium != (st != ImageStatus::BadSignature)) {
      std::fprintf(stderr, "shoal-sign: internal error: libsodium and the card's verifier disagree on %s\n", image.c_str());
      return 2;
    }
  }
  if (st != ImageStatus::Ok) {
    std::string why = shoal::boot::image_status_name(st);
    if (st == ImageStatus::BadSignature) why += std::string(" (") + shoal::crypto::verify_status_name(detail) + ")";
    if (st == ImageStatus::KeyMismatch) why += " (image key id " + hex(h.key_id, 8) + ", key " + key_id_hex(pk.data()) + ")";
    if (st == ImageStatus::Rollback) why += " (version " + std::to_string(h.rollback) + " < floor " + std::to_string(floor) + ")";
    std::printf("%s: REFUSED (status %u): %s\n", image.c_str(), unsigned(st), why.c_str());
    return 1;
  }
  std::printf("%s: OK: rollback version %u, key id %s, %u segment(s), %zu bytes\n", image.c_str(), h.rollback,
              hex(h.key_id, 8).c_str(), h.segment_count, img.size());
  return 0;
}

int cmd_show(const std::string& image, bool json, const MemOpts& mo) {
  const auto img = read_file(image);
  Header h;
  const ImageStatus st = shoal::boot::parse_image(img.data(), img.size(), mo.map(), h);
  const bool have_header = st != ImageStatus::BadMagic && !(st == ImageStatus::Truncated && img.size() < shoal::boot::kHeaderBytes) &&
                           st != ImageStatus::BadFormat;
  const char* sig = st == ImageStatus::Unsigned ? "missing" : st == ImageStatus::SigTruncated ? "truncated" : "present";
  if (json) {
    std::printf("{\"file\": \"%s\", \"bytes\": %zu, \"structure\": %u, \"structure_text\": \"%s\"", image.c_str(), img.size(),
                unsigned(st), shoal::boot::image_status_name(st));
    if (have_header) {
      std::printf(", \"rollback\": %u, \"fw_version\": %u, \"entry\": %u, \"payload_bytes\": %u, \"key_id\": \"%s\", "
                  "\"signature\": \"%s\", \"segments\": [",
                  h.rollback, h.fw_version, h.entry, h.payload_bytes, hex(h.key_id, 8).c_str(), sig);
      for (uint32_t i = 0; i < h.segment_count && i < shoal::boot::kMaxSegments; ++i)
        std::printf("%s{\"addr\": %u, \"file_bytes\": %u, \"offset\": %u, \"zero_bytes\": %u}", i ? ", " : "", h.seg[i].addr,
                    h.seg[i].file_bytes, h.seg[i].offset, h.seg[i].zero_bytes);
      std::printf("]");
    }
    std::printf("}\n");
    return have_header ? 0 : 2;
  }
  std::printf("file          %s (%zu bytes)\nstructure     %s\n", image.c_str(), img.size(), shoal::boot::image_status_name(st));
  if (!have_header) return 2;
  std::printf("rollback      %u\nfw_version    %u.%u.%u (kind %u)\nentry         %s\npayload       %u bytes\n"
              "key id        %s\nsignature     %s\n",
              h.rollback, (h.fw_version >> 16) & 255, (h.fw_version >> 8) & 255, h.fw_version & 255, h.fw_version >> 24,
              hex32(h.entry).c_str(), h.payload_bytes, hex(h.key_id, 8).c_str(), sig);
  for (uint32_t i = 0; i < h.segment_count && i < shoal::boot::kMaxSegments; ++i)
    std::printf("segment %u     %s: %u bytes from payload +%u, then %u zero bytes\n", i, hex32(h.seg[i].addr).c_str(),
                h.seg[i].file_bytes, h.seg[i].offset, h.seg[i].zero_bytes);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "shoal-sign: libsodium failed to initialise\n");
    return 2;
  }
  CLI::App app{"shoal-sign: Ed25519 keys and signed firmware images for the Shoal card's boot stage "
               "(docs/firmware-signing.md)"};
  app.require_subcommand(1);
  MemOpts mo;
  auto mem_opts = [&](CLI::App* s) {
    s->add_option("--iram-base", mo.iram_base, "core address of instruction RAM")->capture_default_str();
    s->add_option("--iram-bytes", mo.iram_bytes, "instruction RAM bytes")->capture_default_str();
    s->add_option("--dram-base", mo.dram_base, "core address of data RAM")->capture_default_str();
    s->add_option("--dram-bytes", mo.dram_bytes, "data RAM bytes")->capture_default_str();
    s->add_option("--slot-bytes", mo.slot_bytes, "largest image the card stages")->capture_default_str();
  };

  std::string prefix;
  bool test_key = false, force = false;
  auto* kg = app.add_subcommand("keygen", "create a key pair: PREFIX.key (secret, mode 0600) and PREFIX.pub");
  kg->add_option("-o,--out", prefix, "output prefix")->required();
  kg->add_flag("--test-key", test_key, "the documented co-simulation TEST key (fixed, public seed; never for real hardware)");
  kg->add_flag("--force", force, "overwrite existing key files");

  std::string elf, keyf, out, fwv, image, pubf;
  uint32_t version = 0, floor = 0;
  bool allow = false, json = false;
  auto* sg = app.add_subcommand("sign", "sign a firmware ELF into a signed image");
  sg->add_option("elf", elf, "firmware ELF (RV32, as the firmware build writes it)")->required();
  sg->add_option("--key", keyf, "secret key file (.key)")->required();
  sg->add_option("--version", version, "anti-rollback version written into the signed header")->required();
  sg->add_option("--fw-version", fwv, "informational firmware version MAJOR.MINOR.PATCH");
  sg->add_option("-o,--out", out, "output signed image")->required();
  mem_opts(sg);

  auto* vf = app.add_subcommand("verify", "check a signed image as the card's boot stage does");
  vf->add_option("image", image, "signed image")->required();
  auto* o_pub = vf->add_option("--pub", pubf, "public key file (.pub)");
  auto* o_key = vf->add_option("--key", keyf, "or the secret key file (its public half is used)");
  o_pub->excludes(o_key);
  vf->add_option("--floor", floor, "the card's anti-rollback floor")->capture_default_str();
  vf->add_flag("--allow-rollback", allow, "as after the admin's explicit rollback clear");
  mem_opts(vf);

  auto* sh = app.add_subcommand("show", "print a signed image's header and segments");
  sh->add_option("image", image, "signed image")->required();
  sh->add_flag("--json", json, "JSON output");
  mem_opts(sh);

  auto* pk = app.add_subcommand("pubkey", "print the public key line of a key file");
  pk->add_option("key", keyf, "key file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    if (*kg) return cmd_keygen(prefix, test_key, force);
    if (*sg) return cmd_sign(elf, keyf, version, fwv, out, mo);
    if (*vf) {
      if (pubf.empty() && keyf.empty()) throw Fail("verify needs --pub K.pub or --key K.key");
      return cmd_verify(image, load_public(pubf.empty() ? keyf : pubf), floor, allow, mo);
    }
    if (*sh) return cmd_show(image, json, mo);
    if (*pk) {
      const auto p = load_public(keyf);
      std::printf("%s", public_text(p.data(), false).c_str());
      return 0;
    }
  } catch (const Fail& e) {
    std::fprintf(stderr, "shoal-sign: %s\n", e.what());
    return 2;
  }
  return 2;
}
