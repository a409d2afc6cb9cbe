/* Shoal co-simulation wire protocol: driver/'s sim: backend (client) <-> shoal-sim (server).
 *
 * Transport: a UNIX stream socket. Every message in both directions is exactly
 * SHOAL_SIM_MSG_SIZE bytes, little-endian, laid out as struct shoal_sim_msg and converted with
 * shoal_sim_encode()/shoal_sim_decode() (never by casting buffers), so both ends agree whatever
 * the host's byte order and padding rules.
 *
 * Conversation:
 *   client -> HELLO {data = SHOAL_SIM_PROTO_VERSION}
 *   server -> HELLO {status = OK, data = server version, offset = BAR0 size}
 *             (status = BAD_VERSION if the versions differ, SERVER_FULL with offset = the
 *             server's client limit if it serves as many clients as it can; then it closes)
 *   client -> READ  {tag, size = 4|8, offset}          server -> RESP {tag, status, data}
 *   client -> WRITE {tag, size = 4|8, offset, data}    server -> RESP {tag, status}
 *   server -> IRQ   {data = host interrupt vectors that rose, offset = card cycle}  (any time)
 *   client -> BYE   (optional; closing the socket is the same)
 *   server -> BYE   {status, reason}: the server closes the connection, saying why (the
 *             stream lost sync, or the server is stopping)
 * A client may have one request outstanding at a time; requests from different clients are
 * served in arrival order.
 * A 64-bit access is one transaction on the two 32-bit registers at offset (bits 31:0) and
 * offset + 4 (bits 63:32): the card's bus is 32 bits wide, so the server does it as two bus
 * accesses, low word first, but only where the card takes both (shoal/bar_access.hpp);
 * otherwise it answers BUS_ERROR, reason WIDE_SPLIT, and sends neither: refused as a whole
 * means nothing changed.
 * A malformed request (unknown op, size not 4 or 8, offset unaligned or beyond BAR0, a
 * 32-bit WRITE with data above bit 31, a reserved field or one the op does not use not 0) is
 * answered with status BAD_REQUEST and a reason, and changes nothing. 32 bytes without the
 * magic mean the stream lost its message boundaries: the server answers what came before,
 * sends BYE {BAD_REQUEST, BAD_MAGIC} and closes the connection.
 * Every RESP, HELLO reply and server BYE with a status other than OK says why in `reason`
 * (enum shoal_sim_reason, shoal_sim_reason_text()).
 *
 * C and C++, freestanding-safe (only <stdint.h>).
 */
#ifndef SHOAL_SIM_PROTOCOL_H
#define SHOAL_SIM_PROTOCOL_H

#include <stdint.h>

#define SHOAL_SIM_PROTO_MAGIC 0x4d495348u /* bytes "HSIM" on the wire */
#define SHOAL_SIM_PROTO_VERSION 1u
#define SHOAL_SIM_MSG_SIZE 32u

enum shoal_sim_op {
  SHOAL_SIM_OP_HELLO = 1,
  SHOAL_SIM_OP_READ = 2,
  SHOAL_SIM_OP_WRITE = 3,
  SHOAL_SIM_OP_RESP = 4,
  SHOAL_SIM_OP_IRQ = 5,
  SHOAL_SIM_OP_BYE = 6
};

enum shoal_sim_status {
  SHOAL_SIM_OK = 0,
  SHOAL_SIM_BUS_ERROR = 1,   /* the card answered SLVERR/DECERR */
  SHOAL_SIM_BAD_REQUEST = 2, /* malformed request; nothing was done */
  SHOAL_SIM_BAD_VERSION = 3, /* HELLO with a protocol version the server does not speak */
  SHOAL_SIM_SERVER_FULL = 4  /* HELLO reply: the server already serves its limit of clients */
};

/* Why a status is not OK (server -> client `reason`; 0 with status OK). */
enum shoal_sim_reason {
  SHOAL_SIM_REASON_NONE = 0,
  SHOAL_SIM_REASON_BAD_OP = 1,        /* BAD_REQUEST: the op is not READ or WRITE */
  SHOAL_SIM_REASON_BAD_SIZE = 2,      /* BAD_REQUEST: size is not 4 or 8 */
  SHOAL_SIM_REASON_UNALIGNED = 3,     /* BAD_REQUEST: offset not a multiple of size */
  SHOAL_SIM_REASON_OUT_OF_RANGE = 4,  /* BAD_REQUEST: the access is not entirely inside BAR0 */
  SHOAL_SIM_REASON_DATA_TOO_WIDE = 5, /* BAD_REQUEST: a 32-bit WRITE with data above bit 31 */
  SHOAL_SIM_REASON_RESERVED = 6,      /* BAD_REQUEST: a reserved field, or one the op does not use, is not 0 */
  SHOAL_SIM_REASON_BAD_MAGIC = 7,     /* BYE: 32 bytes without the magic: the stream lost sync */
  SHOAL_SIM_REASON_CARD_REFUSED = 8,  /* BUS_ERROR: the card answered SLVERR/DECERR */
  SHOAL_SIM_REASON_CARD_TIMEOUT = 9,  /* BUS_ERROR: the card never answered (it was reset) */
  SHOAL_SIM_REASON_WIDE_SPLIT = 10,   /* BUS_ERROR: a 64-bit access the card cannot take as one
                                         transaction; neither half was sent */
  SHOAL_SIM_REASON_VERSION = 11,      /* BAD_VERSION */
  SHOAL_SIM_REASON_FULL = 12,         /* SERVER_FULL */
  SHOAL_SIM_REASON_SHUTDOWN = 13      /* BYE: the server is stopping */
};

static inline const char* shoal_sim_reason_text(uint32_t reason) {
  switch (reason) {
    case SHOAL_SIM_REASON_NONE: return "no reason given";
    case SHOAL_SIM_REASON_BAD_OP: return "the op is not READ or WRITE";
    case SHOAL_SIM_REASON_BAD_SIZE: return "the size is not 4 or 8 bytes";
    case SHOAL_SIM_REASON_UNALIGNED: return "the offset is not a multiple of the access size";
    case SHOAL_SIM_REASON_OUT_OF_RANGE: return "the access is not entirely inside BAR0";
    case SHOAL_SIM_REASON_DATA_TOO_WIDE: return "a 32-bit write with data above bit 31";
    case SHOAL_SIM_REASON_RESERVED: return "a reserved field (or one the op does not use) is not 0";
    case SHOAL_SIM_REASON_BAD_MAGIC: return "bytes without the protocol magic: the message stream lost sync";
    case SHOAL_SIM_REASON_CARD_REFUSED: return "the card answered with an error response (SLVERR/DECERR)";
    case SHOAL_SIM_REASON_CARD_TIMEOUT: return "the card did not answer and was reset";
    case SHOAL_SIM_REASON_WIDE_SPLIT:
      return "a 64-bit access the card cannot take as one transaction (see shoal/bar_access.hpp); nothing was sent to the card";
    case SHOAL_SIM_REASON_VERSION: return "another protocol version";
    case SHOAL_SIM_REASON_FULL: return "the server already serves as many clients as it can";
    case SHOAL_SIM_REASON_SHUTDOWN: return "the server is stopping";
    default: return "unknown reason";
  }
}

struct shoal_sim_msg {
  uint32_t magic;  /* SHOAL_SIM_PROTO_MAGIC */
  uint8_t op;      /* enum shoal_sim_op */
  uint8_t size;    /* READ/WRITE: 4 or 8 bytes */
  uint8_t status;  /* RESP/HELLO reply: enum shoal_sim_status */
  uint8_t flags;   /* reserved, 0 */
  uint32_t tag;    /* chosen by the client, echoed in the RESP */
  uint32_t reason; /* server -> client with a status other than OK: enum shoal_sim_reason; else 0 */
  uint64_t offset; /* BAR0 byte offset (IRQ: card cycle; HELLO reply: BAR0 size) */
  uint64_t data;   /* write data / read data / IRQ vector mask / protocol version */
};

static inline void shoal_sim_put(uint8_t* p, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) p[i] = (uint8_t)(v >> (8u * i));
}

static inline uint64_t shoal_sim_get(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= (uint64_t)p[i] << (8u * i);
  return v;
}

static inline void shoal_sim_encode(const struct shoal_sim_msg* m, uint8_t out[SHOAL_SIM_MSG_SIZE]) {
  shoal_sim_put(out + 0, m->magic, 4);
  out[4] = m->op;
  out[5] = m->size;
  out[6] = m->status;
  out[7] = m->flags;
  shoal_sim_put(out + 8, m->tag, 4);
  shoal_sim_put(out + 12, m->reason, 4);
  shoal_sim_put(out + 16, m->offset, 8);
  shoal_sim_put(out + 24, m->data, 8);
}

/* Returns 0, or -1 if the bytes do not carry the protocol magic. */
static inline int shoal_sim_decode(const uint8_t in[SHOAL_SIM_MSG_SIZE], struct shoal_sim_msg* m) {
  m->magic = (uint32_t)shoal_sim_get(in + 0, 4);
  m->op = in[4];
  m->size = in[5];
  m->status = in[6];
  m->flags = in[7];
  m->tag = (uint32_t)shoal_sim_get(in + 8, 4);
  m->reason = (uint32_t)shoal_sim_get(in + 12, 4);
  m->offset = shoal_sim_get(in + 16, 8);
  m->data = shoal_sim_get(in + 24, 8);
  return m->magic == SHOAL_SIM_PROTO_MAGIC ? 0 : -1;
}

#endif /* SHOAL_SIM_PROTOCOL_H */
