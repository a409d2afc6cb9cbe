/* Synchronous traps: ecall, ebreak, illegal instructions, instruction-address misaligned
   (jumps and taken branches; skipped on cores with the C extension), load/store/fetch access
   faults at an unmapped address, mcause/mepc/mtval, MIE -> MPIE on entry, mret restoring MIE,
   vectored mtvec sending exceptions to the base. The handler records mcause in s1, mepc in
   s2 and mtval in s3, and resumes at the address in s4 (or mepc + 4 when s4 is 0). */
#include "shoal_test.h"

#define EXPECT_TRAP(n, cause, ...) \
  li gp, n; li s1, -1; li s4, 0; __VA_ARGS__; li t1, cause; bne s1, t1, fail;

#define UNMAPPED 0x00000010

TEST_BEGIN
  la t0, handler
  csrw mtvec, t0
  /* ecall: cause 11, mepc = the ecall, mtval = 0 */
  EXPECT_TRAP(1, 11, 1: ecall; la t1, 1b; bne s2, t1, fail; bnez s3, fail)
  /* ebreak: cause 3 */
  EXPECT_TRAP(2, 3, 2: ebreak; la t1, 2b; bne s2, t1, fail)
  /* illegal: all-zero word (mtval is 0 either way), unknown funct7, unknown SYSTEM */
  EXPECT_TRAP(3, 2, 3: .word 0; la t1, 3b; bne s2, t1, fail; bnez s3, fail)
  EXPECT_TRAP(4, 2, .word 0xfe000033)
  EXPECT_TRAP(5, 2, .word 0xffffffff)
  EXPECT_TRAP(6, 2, .word 0x00200073)
  /* illegal instructions do not write rd */
  EXPECT_TRAP(7, 2, li a3, 5; .word 0xfe0006b3; li t1, 5; bne a3, t1, fail)
  /* load / store / fetch access faults at an unmapped address */
  EXPECT_TRAP(8, 5, li a1, UNMAPPED; li a3, 9; lw a3, 0(a1); li t1, UNMAPPED; bne s3, t1, fail; li t1, 9; bne a3, t1, fail)
  EXPECT_TRAP(9, 7, li a1, UNMAPPED; sw a1, 4(a1); li t1, UNMAPPED + 4; bne s3, t1, fail)
  EXPECT_TRAP(10, 5, li a1, UNMAPPED; lb a3, 2(a1); li t1, UNMAPPED + 2; bne s3, t1, fail)
  EXPECT_TRAP(11, 1, la s4, 4f; li a1, UNMAPPED; jalr ra, 0(a1); 4: li t1, UNMAPPED; bne s2, t1, fail)
  /* the instruction after a faulting load must not execute */
  EXPECT_TRAP(12, 5, la s4, 10f; li a3, 0; li a1, UNMAPPED; lw a2, 0(a1); li a3, 1; 10: bnez a3, fail)
  /* trap entry: MPIE <- MIE, MIE <- 0; mret: MIE <- MPIE, MPIE <- 1 */
  li gp, 13
  csrw mie, zero
  csrsi mstatus, 8
  ecall
  andi t1, s5, 0x88
  li t2, 0x80
  bne t1, t2, fail
  csrr t1, mstatus
  andi t1, t1, 0x88
  li t2, 0x88
  bne t1, t2, fail
  csrci mstatus, 8
  /* mret jumps to mepc */
  li gp, 14
  li t1, 0x1800         /* MPP = M (cores with U-mode set MPP to U after an mret) */
  csrs mstatus, t1
  la t1, 5f
  csrw mepc, t1
  mret
  j fail
5:
  /* vectored mtvec: exceptions still go to the base */
  la t0, vtable
  ori t0, t0, 1
  csrw mtvec, t0
  EXPECT_TRAP(15, 11, ecall)
  la t0, handler
  csrw mtvec, t0
  /* misaligned jump targets (only on cores without C) */
  csrr t1, misa
  andi t1, t1, 4
  bnez t1, pass
  EXPECT_TRAP(16, 0, la s4, 6f; la a1, 6f; addi a1, a1, 2; li ra, 0; jalr ra, 0(a1); 6: addi t1, a1, 0; bne s3, t1, fail; bnez ra, fail)
  EXPECT_TRAP(17, 0, la s4, 7f; la t2, 8f; li a1, 1; li ra, 0; jal ra, 8f + 2; 7: addi t2, t2, 2; bne s3, t2, fail; bnez ra, fail)
  EXPECT_TRAP(18, 0, la s4, 9f; la t2, 8f; li a1, 1; beq a1, a1, 8f + 2; 9: addi t2, t2, 2; bne s3, t2, fail)
  /* a not-taken branch to a misaligned target does not trap */
  li gp, 19
  li s1, -1
  li a1, 1
  beq a1, zero, 8f + 2
  li t1, -1
  bne s1, t1, fail
  j pass
8:
  nop
  nop
  j fail

  .align 2
handler:
  csrr s1, mcause
  csrr s2, mepc
  csrr s3, mtval
  csrr s5, mstatus
  bnez s4, 1f
  addi s4, s2, 4
1:
  csrw mepc, s4
  li s4, 0
  mret

  .align 7
vtable:
  j handler
  .rept 15
  j fail
  .endr
TEST_END
