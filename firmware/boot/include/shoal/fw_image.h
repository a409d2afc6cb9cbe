// The signed firmware image format (docs/firmware-signing.md): layout, structural checks and the
// boot stage's acceptance decision. Portable freestanding C++17 (no heap, no exceptions, C
// headers only): the boot ROM program, shoal-sign and the host tests share this one source.
//
//   0x00  u32  magic          0x57464853 ("SHFW")
//   0x04  u16  format         1
//   0x06  u16  header_bytes   128
//   0x08  u32  rollback       anti-rollback version
//   0x0C  u32  fw_version     informational, core.FW_VERSION layout (kind, major, minor, patch)
//   0x10  u32  payload_bytes  bytes after the header, a multiple of 4
//   0x14  u32  entry          core address of the first instruction
//   0x18  u32  segment_count  1..4
//   0x1C  u32  flags          0
//   0x20  u8[8] key_id        first 8 bytes of SHA-512(public key) of the signer
//   0x28  u8[8] reserved      0
//   0x30  segment[4]          {addr, file_bytes, offset, zero_bytes}; unused entries all 0
//   0x70  u8[16] reserved     0
//   0x80  payload             the segments' bytes
//   0x80 + payload_bytes: the Ed25519 signature (64 bytes) of every byte before it
// All fields little-endian. The image is exactly 128 + payload_bytes + 64 bytes long.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "shoal/crypto/ed25519.h"

namespace shoal::boot {

constexpr uint32_t kImageMagic = 0x57464853u;  // "SHFW"
constexpr uint16_t kImageFormat = 1;
constexpr uint32_t kHeaderBytes = 128;
constexpr uint32_t kSignatureBytes = 64;
constexpr uint32_t kMaxSegments = 4;
constexpr uint32_t kKeyIdBytes = 8;
// The staging slot size docs/firmware-signing.md proposes for the core block (36 KiB: the
// header, 16 KiB of code, up to 20 KiB of initialised data, the signature): the default largest
// image until the register map carries the real value.
constexpr uint32_t kProposedSlotBytes = 131072;  // IRAM + DRAM of the card (64 KiB each)

// Header field offsets (the one place they are written down in code).
namespace off {
constexpr uint32_t magic = 0x00, format = 0x04, header_bytes = 0x06, rollback = 0x08,
                   fw_version = 0x0C, payload_bytes = 0x10, entry = 0x14, segment_count = 0x18,
                   flags = 0x1C, key_id = 0x20, reserved0 = 0x28, segments = 0x30,
                   segment_stride = 16, reserved1 = 0x70;
}  // namespace off

struct Segment {
  uint32_t addr;        // core address the bytes are loaded at
  uint32_t file_bytes;  // bytes in the payload (a multiple of 4)
  uint32_t offset;      // where in the payload (a multiple of 4)
  uint32_t zero_bytes;  // bytes cleared after them (a multiple of 4; e.g. .bss)
};

struct Header {
  uint32_t rollback;
  uint32_t fw_version;
  uint32_t payload_bytes;
  uint32_t entry;
  uint32_t segment_count;
  uint8_t key_id[kKeyIdBytes];
  Segment seg[kMaxSegments];
};

// The memories an image may load into (the core block's IRAM/DRAM registers) and the largest
// image the card accepts (its staging slot).
struct MemMap {
  uint32_t iram_base, iram_bytes;
  uint32_t dram_base, dram_bytes;
  uint32_t max_image_bytes;
};

// Why an image is refused; the numbers are the boot stage's BOOT_STATUS.result codes.
enum class ImageStatus : uint8_t {
  Ok = 0,
  BadMagic = 1,       // not a signed image (an ELF, text, empty)
  BadFormat = 2,      // unknown format version, header size, flags or non-zero reserved bytes
  Truncated = 3,      // shorter than its header says (header or payload cut)
  Unsigned = 4,       // header and payload, no signature
  SigTruncated = 5,   // the signature is cut short
  TrailingData = 6,   // bytes after the signature
  TooLarge = 7,       // larger than the card's staging slot
  BadLayout = 8,      // a segment outside IRAM/DRAM, overlapping, misaligned; entry not in code
  KeyMismatch = 9,    // signed for another key (key id differs from the card's)
  BadSignature = 10,  // the Ed25519 signature does not verify (detail: crypto::VerifyStatus)
  Rollback = 11,      // authentic, but older than the card's anti-rollback floor
};
const char* image_status_name(ImageStatus s);

// key_id = SHA-512(pk)[0..8)
void key_id(const uint8_t pk[crypto::kEd25519PublicKeyBytes], uint8_t out[kKeyIdBytes]);

inline uint32_t image_bytes(const Header& h) { return kHeaderBytes + h.payload_bytes + kSignatureBytes; }

// Structure only (no cryptography): the header fields, lengths and layout. Safe on any input;
// fills `out` when it returns Ok (and as far as it got otherwise).
ImageStatus parse_image(const uint8_t* img, size_t len, const MemMap& mem, Header& out);

// The boot stage's decision, in this order: structure (parse_image), key id, signature,
// anti-rollback (rollback >= floor, unless allow_rollback). `detail` receives the Ed25519
// status when the signature is checked (Ok otherwise).
ImageStatus check_image(const uint8_t* img, size_t len, const MemMap& mem,
                        const uint8_t pk[crypto::kEd25519PublicKeyBytes], uint32_t rollback_floor,
                        bool allow_rollback, Header& out, crypto::VerifyStatus* detail);

// Little-endian helpers (host tools write headers with them).
inline uint32_t ld32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint16_t ld16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
inline void st32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v >> 16);
  p[3] = uint8_t(v >> 24);
}
inline void st16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}

// Writes a header (all reserved bytes zero) into hdr[kHeaderBytes].
void write_header(uint8_t hdr[kHeaderBytes], const Header& h);

}  // namespace shoal::boot
