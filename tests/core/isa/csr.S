/* Zicsr: all six CSR instructions (old value returned, set/clear/write semantics, x0 forms
   that do not write), the machine CSRs and their WARL fields, counters that count, and illegal
   accesses (unknown CSR, write to a read-only CSR). */
#include "shoal_test.h"
TEST_BEGIN
  /* csrrw / csrrs / csrrc on mscratch */
  TEST_CASE(1, a3, 0, li a1, 0x12345678; csrw mscratch, a1; li a2, 0xffff0000; csrrw a3, mscratch, a2; li t1, 0x12345678; sub a3, a3, t1)
  TEST_CASE(2, a3, 0xffff0000, csrr a3, mscratch)
  TEST_CASE(3, a3, 0xffff00ff, li a1, 0xff; csrrs a4, mscratch, a1; csrr a3, mscratch; li t1, 0xffff0000; bne a4, t1, fail)
  TEST_CASE(4, a3, 0x0fff00f0, li a1, 0xf000000f; csrrc a4, mscratch, a1; csrr a3, mscratch)
  TEST_CASE(5, a3, 0x0000001f, csrrwi a4, mscratch, 31; csrr a3, mscratch; li t1, 0x0fff00f0; bne a4, t1, fail)
  TEST_CASE(6, a3, 0x0000001f, csrrsi a4, mscratch, 0; csrr a3, mscratch)
  TEST_CASE(7, a3, 0x00000015, csrrci a4, mscratch, 10; csrr a3, mscratch)
  TEST_CASE(8, a3, 0x00000017, csrrsi a4, mscratch, 2; csrr a3, mscratch)
  /* csrrs/csrrc with rs1 = x0 read without writing (allowed on read-only CSRs) */
  TEST_CASE(9, a3, 0x00000017, csrrs a4, mscratch, x0; csrrc a5, mscratch, x0; csrr a3, mscratch)
  TEST_CASE(10, a3, 0, csrrs a3, mhartid, x0)
  TEST_CASE(11, a3, 0, csrrci a4, mhartid, 0; csrrsi a5, mvendorid, 0; li a3, 0)
  /* CSR value forwarded from the previous instruction and used immediately */
  TEST_CASE(12, a3, 0x101, li a1, 0x100; csrw mscratch, a1; csrr a2, mscratch; addi a3, a2, 1)
  /* misa: RV32 with I and M */
  TEST_CASE(13, a3, 0x40000000, csrr a1, misa; li t1, 0xc0000000; and a3, a1, t1)
  TEST_CASE(14, a3, 0x1100, csrr a1, misa; li t1, 0x1100; and a3, a1, t1)
  /* mtvec keeps the base and the mode (direct / vectored) */
  TEST_CASE(15, a3, 0x80000100, li a1, 0x80000100; csrw mtvec, a1; csrr a3, mtvec)
  TEST_CASE(16, a3, 0x80000101, li a1, 0x80000101; csrw mtvec, a1; csrr a3, mtvec)
  la t0, unexpected_trap
  csrw mtvec, t0
  /* mepc: low bits read as zero (no C extension), other bits kept */
  TEST_CASE(17, a3, 0x80001238, li a1, 0x80001238; csrw mepc, a1; csrr a3, mepc)
  TEST_CASE(18, a3, 0x80001234, li a1, 0x80001234; csrw mepc, a1; csrr a3, mepc)
  /* mcause, mtval hold what is written */
  TEST_CASE(19, a3, 0x8000000b, li a1, 0x8000000b; csrw mcause, a1; csrr a3, mcause)
  TEST_CASE(20, a3, 0xdeadbeef, li a1, 0xdeadbeef; csrw mtval, a1; csrr a3, mtval)
  /* mstatus: MIE and MPIE are writable */
  TEST_CASE(21, a3, 0x88, csrw mstatus, zero; csrsi mstatus, 8; li a1, 0x80; csrs mstatus, a1; csrr a2, mstatus; andi a3, a2, 0x88)
  TEST_CASE(22, a3, 0, csrw mstatus, zero; csrr a2, mstatus; andi a3, a2, 0x88)
  /* mie: the three machine interrupt enables are writable */
  TEST_CASE(23, a3, 0x888, li a1, 0x888; csrw mie, a1; csrr a3, mie; li t1, 0x888; and a3, a3, t1)
  TEST_CASE(24, a3, 0, csrw mie, zero; csrr a3, mie)
  /* counters count: mcycle and minstret advance, minstret by exactly the instructions run */
  TEST_CASE(25, a3, 1, csrr a1, mcycle; nop; nop; csrr a2, mcycle; sltu a3, a1, a2)
  TEST_CASE(26, a3, 3, csrr a1, minstret; nop; nop; csrr a2, minstret; sub a3, a2, a1)
  TEST_CASE(27, a3, 1, csrr a1, cycle; nop; csrr a2, cycle; sltu a3, a1, a2)
  TEST_CASE(28, a3, 2, csrr a1, instret; nop; csrr a2, instret; sub a3, a2, a1)
  /* counters are writable (low and high halves) */
  TEST_CASE(29, a3, 0x1234, li a1, 0x1234; csrw minstreth, a1; csrr a3, minstreth)
  TEST_CASE(30, a3, 1, li a1, 0x100; csrw mcycle, zero; csrr a2, mcycle; sltu a3, a2, a1)
  TEST_CASE(31, a3, 1, csrr a1, mcycleh; csrr a2, minstret; li a3, 1)

  /* illegal CSR accesses trap with cause 2 and do not change rd */
  la t0, ill_trap
  csrw mtvec, t0
  TEST_CASE(32, a3, 1, li s1, 0; li a3, 7; csrr a3, 0x7c0; bne a3, s1, 21f; j fail; 21: li t1, 7; bne a3, t1, fail; mv a3, s1)
  TEST_CASE(33, a3, 1, li s1, 0; li a1, 5; csrw mhartid, a1; mv a3, s1)
  TEST_CASE(34, a3, 1, li s1, 0; csrwi mvendorid, 0; mv a3, s1)
  TEST_CASE(35, a3, 1, li s1, 0; csrsi misa, 0; li s1, 1; mv a3, s1)
  TEST_CASE(36, a3, 1, li s1, 0; li a1, 1; csrs cycle, a1; mv a3, s1)
  j pass

  .align 2
ill_trap:
  csrr t1, mcause
  li t2, 2
  bne t1, t2, fail
  li s1, 1
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  mret
TEST_END
