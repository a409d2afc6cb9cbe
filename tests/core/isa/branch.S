/* Branches and jumps: every condition taken and not taken, signed/unsigned boundaries,
   backward branches, jal/jalr link values, jalr clearing bit 0, x0 as link register. */
#include "shoal_test.h"

#define BR_TAKEN(n, inst, v1, v2) \
  li gp, n; li a1, v1; li a2, v2; inst a1, a2, 1f; j fail; 1:
#define BR_NOT(n, inst, v1, v2) \
  li gp, n; li a1, v1; li a2, v2; inst a1, a2, fail;

TEST_BEGIN
  BR_TAKEN(1, beq, 0, 0)
  BR_TAKEN(2, beq, -1, -1)
  BR_NOT(3, beq, 0, 1)
  BR_NOT(4, beq, 0x80000000, 0)
  BR_TAKEN(5, bne, 0, 1)
  BR_TAKEN(6, bne, 0x80000000, 0)
  BR_NOT(7, bne, 5, 5)
  BR_TAKEN(8, blt, -1, 0)
  BR_TAKEN(9, blt, 0x80000000, 0x7fffffff)
  BR_NOT(10, blt, 0, -1)
  BR_NOT(11, blt, 3, 3)
  BR_NOT(12, blt, 0x7fffffff, 0x80000000)
  BR_TAKEN(13, bge, 0, -1)
  BR_TAKEN(14, bge, 3, 3)
  BR_TAKEN(15, bge, 0x7fffffff, 0x80000000)
  BR_NOT(16, bge, -1, 0)
  BR_TAKEN(17, bltu, 0, -1)
  BR_TAKEN(18, bltu, 0x7fffffff, 0x80000000)
  BR_NOT(19, bltu, -1, 0)
  BR_NOT(20, bltu, 3, 3)
  BR_TAKEN(21, bgeu, -1, 0)
  BR_TAKEN(22, bgeu, 3, 3)
  BR_NOT(23, bgeu, 0, -1)
  BR_NOT(24, bgeu, 0x7fffffff, 0x80000000)

  /* backward branch loop: 10 iterations */
  TEST_CASE(25, a3, 55, li a3, 0; li a1, 10; 2: add a3, a3, a1; addi a1, a1, -1; bnez a1, 2b)
  /* the instruction after a taken branch must not execute */
  TEST_CASE(26, a3, 0, li a3, 0; beq x0, x0, 3f; li a3, 1; li a3, 2; 3: nop)
  TEST_CASE(27, a3, 0, li a3, 0; j 4f; li a3, 1; 4: nop)
  /* jal link value */
  TEST_CASE(28, a3, 0, la a4, 5f; jal a3, 5f; 5: sub a3, a3, a4)
  /* jal with x0 link */
  TEST_CASE(29, a3, 0, li a3, 0; jal x0, 6f; li a3, 1; 6: mv a4, x0; or a3, a3, a4)
  /* jalr: target = rs1 + imm with bit 0 cleared, link = pc + 4 */
  TEST_CASE(30, a3, 0, la a1, 7f; jalr a3, 0(a1); j fail; 7: addi a3, a3, -4; sub a3, a3, a1; addi a3, a3, 8)
  TEST_CASE(31, a3, 1, li a3, 0; la a1, 8f; addi a1, a1, -3; jalr a2, 4(a1); j fail; 8: li a3, 1)
  TEST_CASE(32, a3, 1, li a3, 0; la a1, 9f; addi a1, a1, 1; jalr x0, 0(a1); j fail; 9: li a3, 1)
  /* jalr where rd == rs1: target uses the old value */
  TEST_CASE(33, a3, 1, li a3, 0; la a1, 10f; jalr a1, 0(a1); j fail; 10: li a3, 1)
  /* branch on a value produced by the previous instruction and by a load */
  TEST_CASE(34, a3, 1, li a3, 0; li a1, 4; addi a1, a1, -4; beqz a1, 11f; j fail; 11: li a3, 1)
  TEST_CASE(35, a3, 1, li a3, 0; la a1, bdata; lw a2, 0(a1); bnez a2, 12f; j fail; 12: li a3, 1)
  /* call / return */
  TEST_CASE(36, a0, 42, li a0, 40; call addtwo)
  j pass
addtwo:
  addi a0, a0, 2
  ret
TEST_END
  .data
bdata: .word 7
