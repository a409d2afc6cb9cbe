// The signed firmware image: structural checks and the boot decision (shoal/fw_image.h).
#include "shoal/fw_image.h"

#include <string.h>

namespace shoal::boot {

const char* image_status_name(ImageStatus s) {
  switch (s) {
    case ImageStatus::Ok: return "ok";
    case ImageStatus::BadMagic: return "not a signed Shoal firmware image (bad magic)";
    case ImageStatus::BadFormat: return "unsupported image format (version, header size, flags or reserved bytes)";
    case ImageStatus::Truncated: return "image truncated (shorter than its header says)";
    case ImageStatus::Unsigned: return "image is not signed (no signature after the payload)";
    case ImageStatus::SigTruncated: return "signature truncated";
    case ImageStatus::TrailingData: return "unexpected bytes after the signature";
    case ImageStatus::TooLarge: return "image larger than the card's staging slot";
    case ImageStatus::BadLayout: return "bad segment layout (outside IRAM/DRAM, overlapping, misaligned, or entry not in code)";
    case ImageStatus::KeyMismatch: return "signed with another key (key id is not the card's)";
    case ImageStatus::BadSignature: return "bad signature";
    case ImageStatus::Rollback: return "older than the anti-rollback floor";
  }
  return "unknown";
}

void key_id(const uint8_t pk[crypto::kEd25519PublicKeyBytes], uint8_t out[kKeyIdBytes]) {
  uint8_t h[crypto::kSha512Bytes];
  crypto::sha512(pk, crypto::kEd25519PublicKeyBytes, h);
  memcpy(out, h, kKeyIdBytes);
}

namespace {
bool all_zero(const uint8_t* p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc |= p[i];
  return acc == 0;
}
// [a, a + n) inside [base, base + size), without overflow (n may be 0)
bool inside(uint32_t a, uint32_t n, uint32_t base, uint32_t size) {
  return a >= base && a - base <= size && n <= size - (a - base);
}
bool overlap(uint32_t a, uint32_t an, uint32_t b, uint32_t bn) {
  return an && bn && a < b + bn && b < a + an;  // callers ensure no wrap (both inside a RAM)
}
}  // namespace

ImageStatus parse_image(const uint8_t* img, size_t len, const MemMap& mem, Header& h) {
  memset(&h, 0, sizeof h);
  if (len < 4 || ld32(img + off::magic) != kImageMagic) return ImageStatus::BadMagic;
  if (len < kHeaderBytes) return ImageStatus::Truncated;
  if (ld16(img + off::format) != kImageFormat || ld16(img + off::header_bytes) != kHeaderBytes ||
      ld32(img + off::flags) != 0 || !all_zero(img + off::reserved0, 8) || !all_zero(img + off::reserved1, 16))
    return ImageStatus::BadFormat;
  h.rollback = ld32(img + off::rollback);
  h.fw_version = ld32(img + off::fw_version);
  h.payload_bytes = ld32(img + off::payload_bytes);
  h.entry = ld32(img + off::entry);
  h.segment_count = ld32(img + off::segment_count);
  memcpy(h.key_id, img + off::key_id, kKeyIdBytes);
  for (uint32_t i = 0; i < kMaxSegments; ++i) {
    const uint8_t* s = img + off::segments + i * off::segment_stride;
    h.seg[i] = {ld32(s), ld32(s + 4), ld32(s + 8), ld32(s + 12)};
  }
  // lengths: the payload size must be sane before any sum with it
  if (h.payload_bytes > mem.max_image_bytes) return ImageStatus::TooLarge;
  const size_t total = size_t(kHeaderBytes) + h.payload_bytes + kSignatureBytes;
  if (total > mem.max_image_bytes) return ImageStatus::TooLarge;
  if (len < kHeaderBytes + size_t(h.payload_bytes)) return ImageStatus::Truncated;
  if (len == kHeaderBytes + size_t(h.payload_bytes)) return ImageStatus::Unsigned;
  if (len < total) return ImageStatus::SigTruncated;
  if (len > total) return ImageStatus::TrailingData;
  // layout
  if (h.payload_bytes % 4 || h.segment_count < 1 || h.segment_count > kMaxSegments) return ImageStatus::BadLayout;
  bool entry_ok = false;
  uint32_t next_offset = 0;
  for (uint32_t i = 0; i < kMaxSegments; ++i) {
    const Segment& s = h.seg[i];
    if (i >= h.segment_count) {
      if (s.addr || s.file_bytes || s.offset || s.zero_bytes) return ImageStatus::BadLayout;
      continue;
    }
    if ((s.addr | s.file_bytes | s.offset | s.zero_bytes) % 4) return ImageStatus::BadLayout;
    if (s.file_bytes == 0 && s.zero_bytes == 0) return ImageStatus::BadLayout;
    // payload ranges back to back in segment order, within the payload
    if (s.offset != next_offset || s.file_bytes > h.payload_bytes - s.offset) return ImageStatus::BadLayout;
    next_offset = s.offset + s.file_bytes;
    if (s.zero_bytes > 0xFFFFFFFFu - s.file_bytes) return ImageStatus::BadLayout;
    const uint32_t n = s.file_bytes + s.zero_bytes;
    const bool in_iram = inside(s.addr, n, mem.iram_base, mem.iram_bytes);
    const bool in_dram = inside(s.addr, n, mem.dram_base, mem.dram_bytes);
    if (!in_iram && !in_dram) return ImageStatus::BadLayout;
    for (uint32_t j = 0; j < i; ++j) {
      if (overlap(s.addr, n, h.seg[j].addr, h.seg[j].file_bytes + h.seg[j].zero_bytes)) return ImageStatus::BadLayout;
    }
    if (in_iram && h.entry >= s.addr && h.entry - s.addr < s.file_bytes) entry_ok = true;
  }
  if (h.entry % 4 || !entry_ok) return ImageStatus::BadLayout;
  if (next_offset != h.payload_bytes) return ImageStatus::BadLayout;  // every payload byte belongs to a segment
  return ImageStatus::Ok;
}

ImageStatus check_image(const uint8_t* img, size_t len, const MemMap& mem,
                        const uint8_t pk[crypto::kEd25519PublicKeyBytes], uint32_t rollback_floor,
                        bool allow_rollback, Header& h, crypto::VerifyStatus* detail) {
  if (detail) *detail = crypto::VerifyStatus::Ok;
  const ImageStatus st = parse_image(img, len, mem, h);
  if (st != ImageStatus::Ok) return st;
  uint8_t id[kKeyIdBytes];
  key_id(pk, id);
  if (memcmp(id, h.key_id, kKeyIdBytes) != 0) return ImageStatus::KeyMismatch;
  const uint32_t signed_bytes = kHeaderBytes + h.payload_bytes;
  const crypto::VerifyStatus v = crypto::ed25519_verify(img + signed_bytes, img, signed_bytes, pk);
  if (detail) *detail = v;
  if (v != crypto::VerifyStatus::Ok) return ImageStatus::BadSignature;
  if (h.rollback < rollback_floor && !allow_rollback) return ImageStatus::Rollback;
  return ImageStatus::Ok;
}

void write_header(uint8_t hdr[kHeaderBytes], const Header& h) {
  memset(hdr, 0, kHeaderBytes);
  st32(hdr + off::magic, kImageMagic);
  st16(hdr + off::format, kImageFormat);
  st16(hdr + off::header_bytes, uint16_t(kHeaderBytes));
  st32(hdr + off::rollback, h.rollback);
  st32(hdr + off::fw_version, h.fw_version);
  st32(hdr + off::payload_bytes, h.payload_bytes);
  st32(hdr + off::entry, h.entry);
  st32(hdr + off::segment_count, h.segment_count);
  memcpy(hdr + off::key_id, h.key_id, kKeyIdBytes);
  for (uint32_t i = 0; i < kMaxSegments; ++i) {
    uint8_t* s = hdr + off::segments + i * off::segment_stride;
    st32(s, h.seg[i].addr);
    st32(s + 4, h.seg[i].file_bytes);
    st32(s + 8, h.seg[i].offset);
    st32(s + 12, h.seg[i].zero_bytes);
  }
}

}  // namespace shoal::boot
