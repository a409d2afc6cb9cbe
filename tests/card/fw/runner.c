/* Card tests' script runner (tests/card/test_card_blocks.cpp): plays a script of card-register
 * operations that the host downloaded into DRAM with the program, through the soft core's
 * card-bus window, and reports on the console. It lets the host tests drive the
 * firmware-driven blocks (DRRM, WMU, ALLOC) the way the firmware does.
 *
 * Script: struct op[] at symbol `script` (host-written before the core starts), each
 *   {code, offset (BAR0), data, mask}:
 *   END   (0)                 print "END\n", stop
 *   WRITE (1) offset, data    card write
 *   READ  (2) offset          print "R <offset> <value>\n"
 *   POLL  (3) offset, data, mask  read until (value & mask) == data; after kPollLimit reads
 *                             print "TIMEOUT <offset> <value>\n" and stop
 *   WAIT  (4) data            spin `data` iterations
 *   PEEK  (5) offset          like READ, of a core address (e.g. the interrupt controller)
 * A trap (e.g. a bus error on a card access) prints "TRAP <mcause> <mepc> <mtval>\n" and stops.
 */
#include <stdint.h>

#define CARD_WINDOW 0x40000000u
#define CONSOLE_TX 0x03000000u
#define MAX_OPS 512u
#define POLL_LIMIT 200000u

struct op {
  uint32_t code, offset, data, mask;
};
__attribute__((section(".script"))) volatile struct op script[MAX_OPS];

static void putc_(char c) { *(volatile uint32_t*)CONSOLE_TX = (uint8_t)c; }
static void puts_(const char* s) {
  while (*s) putc_(*s++);
}
static void puthex(uint32_t v) {
  for (int i = 7; i >= 0; --i) putc_("0123456789abcdef"[(v >> (4 * i)) & 0xFu]);
}
static uint32_t rd(uint32_t off) { return *(volatile uint32_t*)(CARD_WINDOW + off); }
static void wr(uint32_t off, uint32_t v) { *(volatile uint32_t*)(CARD_WINDOW + off) = v; }

void runner_trap(uint32_t cause, uint32_t epc, uint32_t tval) {
  puts_("TRAP ");
  puthex(cause);
  putc_(' ');
  puthex(epc);
  putc_(' ');
  puthex(tval);
  putc_('\n');
}

int main(void) {
  for (uint32_t i = 0; i < MAX_OPS; ++i) {
    const uint32_t code = script[i].code, off = script[i].offset, data = script[i].data,
                   mask = script[i].mask;
    if (code == 1) {
      wr(off, data);
    } else if (code == 2 || code == 5) {
      puts_("R ");
      puthex(off);
      putc_(' ');
      puthex(code == 2 ? rd(off) : *(volatile uint32_t*)off);
      putc_('\n');
    } else if (code == 3) {
      uint32_t v = 0, n = 0;
      while (((v = rd(off)) & mask) != data) {
        if (++n == POLL_LIMIT) {
          puts_("TIMEOUT ");
          puthex(off);
          putc_(' ');
          puthex(v);
          putc_('\n');
          return 1;
        }
      }
    } else if (code == 4) {
      for (volatile uint32_t n = 0; n < data; ++n) {
      }
    } else {
      break;
    }
  }
  puts_("END\n");
  return 0;
}
