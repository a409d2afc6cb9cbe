/* Shoal ISA conformance tests: common macros (our own; see tests/core/README.md).
 *
 * Convention: every test case loads its number into gp (x3) and branches to `fail` on a
 * mismatch. The program ends by storing to the 64-bit `tohost` word:
 *   1                    all cases passed
 *   (n << 1) | 1         case n failed (n >= 1); an unexpected trap reports n = 0x3FF
 * (the HTIF exit convention: QEMU -M spike exits with status n). The low word is written
 * first, then the high word (0), which is the write HTIF acts on.
 * Code at 0x8000_0000 (.text), data at 0x8010_0000 (.data, .tohost): link.ld.
 */
#ifndef SHOAL_TEST_H
#define SHOAL_TEST_H

#define TEST_BEGIN                                                     \
  .section .text.init, "ax";                                           \
  .globl _start;                                                       \
_start:                                                                \
  li gp, 0;                                                            \
  la t0, unexpected_trap;                                              \
  csrw mtvec, t0;                                                      \
  j test_body;                                                         \
  .align 2;                                                            \
unexpected_trap:                                                       \
  li gp, 0x3FF;                                                        \
  j fail;                                                              \
test_body:

#define TEST_END                                                       \
pass:                                                                  \
  li a0, 1;                                                            \
  j write_tohost;                                                      \
fail:                                                                  \
  slli a0, gp, 1;                                                      \
  ori a0, a0, 1;                                                       \
write_tohost:                                                          \
  la t0, tohost;                                                       \
  sw a0, 0(t0);                                                        \
  sw zero, 4(t0);                                                      \
1:                                                                     \
  j 1b;                                                                \
  .section .tohost, "aw", @progbits;                                   \
  .align 3;                                                            \
  .globl tohost;                                                       \
tohost: .word 0, 0; .size tohost, 8;                                   \
  .globl fromhost;                                                     \
fromhost: .word 0, 0; .size fromhost, 8;

/* rd = inst(v1, v2), compared with exp */
#define TEST_RR(n, inst, exp, v1, v2)                                  \
  li gp, n; li a1, v1; li a2, v2; inst a3, a1, a2;                     \
  li t2, exp; bne a3, t2, fail;
/* rd = inst(v1, imm) */
#define TEST_RI(n, inst, exp, v1, imm)                                 \
  li gp, n; li a1, v1; inst a3, a1, imm;                               \
  li t2, exp; bne a3, t2, fail;
/* source and destination the same register */
#define TEST_RR_SRC1_DEST(n, inst, exp, v1, v2)                        \
  li gp, n; li a1, v1; li a2, v2; inst a1, a1, a2;                     \
  li t2, exp; bne a1, t2, fail;
#define TEST_RR_SRC2_DEST(n, inst, exp, v1, v2)                        \
  li gp, n; li a1, v1; li a2, v2; inst a2, a1, a2;                     \
  li t2, exp; bne a2, t2, fail;
/* writes to x0 are discarded */
#define TEST_RR_X0(n, inst, v1, v2)                                    \
  li gp, n; li a1, v1; li a2, v2; inst x0, a1, a2; bnez x0, fail;      \
  mv a3, x0; bnez a3, fail;
/* the result is consumed by the very next instruction and after 1, 2 nops */
#define TEST_RR_BYPASS(n, inst, exp, v1, v2)                           \
  li gp, n; li a1, v1; li a2, v2; li t2, exp;                          \
  inst a3, a1, a2; bne a3, t2, fail;                                   \
  inst a4, a1, a2; nop; bne a4, t2, fail;                              \
  inst a5, a1, a2; nop; nop; bne a5, t2, fail;                         \
  inst a3, a1, a2; addi a4, a3, 0; bne a4, t2, fail;                   \
  inst a3, a1, a2; add a4, x0, a3; bne a4, t2, fail;
/* arbitrary code, then compare a register */
#define TEST_CASE(n, reg, exp, ...)                                    \
  li gp, n; __VA_ARGS__; li t2, exp; bne reg, t2, fail;

#endif
