/* Loads and stores: every width, sign and zero extension, every byte lane, store-to-load
   ordering, loads feeding the next instruction, x0 as a load destination, misaligned accesses
   (either performed correctly or trapped with the right cause and mtval). */
#include "shoal_test.h"
TEST_BEGIN
  la s0, mdata
  TEST_CASE(1, a3, 0x000000ef, lbu a3, 0(s0))
  TEST_CASE(2, a3, 0xffffffef, lb a3, 0(s0))
  TEST_CASE(3, a3, 0xffffffbe, lb a3, 1(s0))
  TEST_CASE(4, a3, 0x000000ad, lbu a3, 2(s0))
  TEST_CASE(5, a3, 0xffffffde, lb a3, 3(s0))
  TEST_CASE(6, a3, 0xffffbeef, lh a3, 0(s0))
  TEST_CASE(7, a3, 0x0000beef, lhu a3, 0(s0))
  TEST_CASE(8, a3, 0xffffdead, lh a3, 2(s0))
  TEST_CASE(9, a3, 0x0000dead, lhu a3, 2(s0))
  TEST_CASE(10, a3, 0xdeadbeef, lw a3, 0(s0))
  TEST_CASE(11, a3, 0x00000012, lb a3, 4(s0))
  TEST_CASE(12, a3, 0x00007f12, lh a3, 4(s0))
  TEST_CASE(13, a3, 0x7f, lb a3, 5(s0))
  TEST_CASE(14, a3, 0x12345678, lw a3, 8(s0))
  TEST_CASE(15, a3, 0xdeadbeef, addi a1, s0, 8; lw a3, -8(a1))
  /* stores: each lane */
  TEST_CASE(16, a3, 0x000000aa, sw zero, 16(s0); li a1, 0xaa; sb a1, 16(s0); lw a3, 16(s0))
  TEST_CASE(17, a3, 0x0000bbaa, li a1, 0xbb; sb a1, 17(s0); lw a3, 16(s0))
  TEST_CASE(18, a3, 0x00ccbbaa, li a1, 0x1cc; sb a1, 18(s0); lw a3, 16(s0))
  TEST_CASE(19, a3, 0xddccbbaa, li a1, -35; sb a1, 19(s0); lw a3, 16(s0))
  TEST_CASE(20, a3, 0x1234bbaa, li a1, 0xfff1234; sh a1, 18(s0); lw a3, 16(s0))
  TEST_CASE(21, a3, 0x5678beef, li a1, 0x1235678; sw zero, 20(s0); li a2, 0xbeef; sh a2, 20(s0); srli a1, a1, 0; sh a1, 22(s0); lw a3, 20(s0))
  TEST_CASE(22, a3, 0x87654321, li a1, 0x87654321; sw a1, 24(s0); lw a3, 24(s0))
  /* load result used immediately (load-use forwarding) */
  TEST_CASE(23, a3, 0xdeadbef0, lw a1, 0(s0); addi a3, a1, 1)
  TEST_CASE(24, a3, 0xdeadbef0, lw a1, 0(s0); nop; addi a3, a1, 1)
  TEST_CASE(25, a3, 0x12345678, lw a1, 12(s0); lw a3, 0(a1))
  /* store data forwarded from the previous instruction, then reloaded */
  TEST_CASE(26, a3, 0x55, li a1, 0x50; addi a1, a1, 5; sw a1, 28(s0); lw a3, 28(s0))
  /* back-to-back stores and loads */
  TEST_CASE(27, a3, 6, li a1, 1; li a2, 2; sw a1, 32(s0); sw a2, 36(s0); lw a4, 32(s0); lw a5, 36(s0); add a3, a4, a5; add a3, a3, a4; add a3, a3, a5)
  /* a load into x0 is discarded */
  TEST_CASE(28, a3, 0, lw x0, 0(s0); mv a3, x0)
  /* negative offsets and sign-extended offsets */
  TEST_CASE(29, a3, 0x12345678, addi a1, s0, 2047; lw a3, -2039(a1))
  /* misaligned: either performed correctly or trapped with the right cause and mtval */
  la t0, mis_trap
  csrw mtvec, t0
  TEST_CASE(30, a3, 0, li s1, 0; li a3, 0x7f12; addi a1, s0, 3; li s2, 4; lh a2, 0(a1); \
            bnez s1, 13f; li t1, 0x12de; bne a2, t1, fail; j 14f; 13: csrr t1, mtval; bne t1, a1, fail; 14: li a3, 0)
  TEST_CASE(31, a3, 0, li s1, 0; addi a1, s0, 1; li s2, 4; lw a2, 0(a1); \
            bnez s1, 15f; li t1, 0x12deadbe; bne a2, t1, fail; j 16f; 15: csrr t1, mtval; bne t1, a1, fail; 16: li a3, 0)
  TEST_CASE(32, a3, 0, li s1, 0; addi a1, s0, 42; li s2, 6; li a2, 0x1234abcd; sw a2, 0(a1); \
            bnez s1, 17f; lhu t1, 42(s0); li t2, 0xabcd; bne t1, t2, fail; j 18f; 17: csrr t1, mtval; bne t1, a1, fail; 18: li a3, 0)
  TEST_CASE(33, a3, 0, li s1, 0; addi a1, s0, 49; li s2, 6; li a2, 0x77; sh a2, 0(a1); \
            bnez s1, 19f; lbu t1, 49(s0); li t2, 0x77; bne t1, t2, fail; j 20f; 19: csrr t1, mtval; bne t1, a1, fail; 20: li a3, 0)
  j pass

  /* misaligned trap handler: check mcause == s2 and skip the instruction */
  .align 2
mis_trap:
  csrr t1, mcause
  bne t1, s2, fail
  li s1, 1
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  mret
TEST_END
  .data
  .align 4
mdata:
  .word 0xdeadbeef
  .word 0x00007f12
  .word 0x12345678
  .word mdata + 8
  .space 48
