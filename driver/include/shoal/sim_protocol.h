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
 *             (status = BAD_VERSION and the server closes if the versions differ)
 *   client -> READ  {tag, size = 4|8, offset}          server -> RESP {tag, status, data}
 *   client -> WRITE {tag, size = 4|8, offset, data}    server -> RESP {tag, status}
 *   server -> IRQ   {data = host interrupt vectors that rose, offset = card cycle}  (any time)
 *   client -> BYE   (optional; closing the socket is the same)
 * A client may have one request outstanding at a time; requests from different clients are
 * served in arrival order. A 64-bit access is two 32-bit bus transactions, low word first.
 * A malformed message (bad magic, unknown op, size not 4 or 8, offset unaligned or beyond BAR0)
 * is answered with status BAD_REQUEST and changes nothing.
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
  SHOAL_SIM_BAD_VERSION = 3  /* HELLO with a protocol version the server does not speak */
};

struct shoal_sim_msg {
  uint32_t magic;  /* SHOAL_SIM_PROTO_MAGIC */
  uint8_t op;      /* enum shoal_sim_op */
  uint8_t size;    /* READ/WRITE: 4 or 8 bytes */
  uint8_t status;  /* RESP/HELLO reply: enum shoal_sim_status */
  uint8_t flags;   /* reserved, 0 */
  uint32_t tag;    /* chosen by the client, echoed in the RESP */
  uint32_t rsvd;   /* reserved, 0 */
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
  shoal_sim_put(out + 12, m->rsvd, 4);
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
  m->rsvd = (uint32_t)shoal_sim_get(in + 12, 4);
  m->offset = shoal_sim_get(in + 16, 8);
  m->data = shoal_sim_get(in + 24, 8);
  return m->magic == SHOAL_SIM_PROTO_MAGIC ? 0 : -1;
}

#endif /* SHOAL_SIM_PROTOCOL_H */
