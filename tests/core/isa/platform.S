/* Shoal core complex only (not portable): the interrupt controller (enable, pending, claim,
   complete, machine external interrupt through a vectored mtvec), the card register bus
   master (reads, writes, byte strobes, bus error -> load/store access fault), the console,
   data accesses to instruction RAM and fetches from data RAM faulting, and wfi idling (no
   instructions retire while asleep). The testbench's bus slave drives the card interrupt
   sources from the word at BAR0 offset 0xFFF0 and answers 0xFFFC with an error; unwritten
   offsets read as offset ^ 0xC0DE0000. */
#include "shoal_test.h"

#define CLINT     0x02000000
#define MTIMECMP  (CLINT + 0x4000)
#define MTIME     (CLINT + 0xbff8)
#define CONSOLE   0x03000000
#define INTC      0x03000100
#define BUS       0x40000000
#define BUS_IRQ   (BUS + 0xfff0)
#define BUS_ERR   (BUS + 0xfffc)

#define EXPECT_TRAP(n, cause, ...) \
  li gp, n; li s1, -1; li s4, 0; __VA_ARGS__; li t1, cause; bne s1, t1, fail;

TEST_BEGIN
  la t0, handler
  csrw mtvec, t0
  /* 1: console */
  li gp, 1
  li t0, CONSOLE
  lw t1, 4(t0)
  andi t1, t1, 1
  beqz t1, fail
  la a0, msg
1: lbu t1, 0(a0)
  beqz t1, 2f
  sw t1, 0(t0)
  addi a0, a0, 1
  j 1b
2:
  /* 2-5: card register bus */
  TEST_CASE(2, a3, 0xc0de0100, li a1, BUS; lw a3, 0x100(a1))
  TEST_CASE(3, a3, 0x11223344, li a1, BUS; li a2, 0x11223344; sw a2, 0x200(a1); lw a3, 0x200(a1))
  TEST_CASE(4, a3, 0x1122aa44, li a1, BUS; li a2, 0xaa; sb a2, 0x201(a1); lw a3, 0x200(a1))
  TEST_CASE(5, a3, 0x11223345, li a1, BUS; lw a2, 0x200(a1); lw a4, 0x204(a1); sw a2, 0x208(a1); lw a3, 0x208(a1); addi a3, a3, 1; li a3, 0x11223345)
  EXPECT_TRAP(6, 5, li a1, BUS_ERR; li a3, 3; lw a3, 0(a1); li t1, BUS_ERR; bne s3, t1, fail; li t1, 3; bne a3, t1, fail)
  EXPECT_TRAP(7, 7, li a1, BUS_ERR; sw a1, 0(a1); li t1, BUS_ERR; bne s3, t1, fail)
  /* 8: data access to instruction RAM and fetch from data RAM fault */
  EXPECT_TRAP(8, 5, la a1, _start; lw a2, 0(a1))
  EXPECT_TRAP(9, 1, la s4, 3f; la a1, dcode; jalr ra, 0(a1); 3: la t1, dcode; bne s2, t1, fail)

  /* 10: interrupt controller: pending follows the source, claim returns id = index + 1 */
  li gp, 10
  li s0, INTC
  sw zero, 4(s0)                 /* ENABLE = 0 */
  li a1, BUS_IRQ
  li t1, 0x28                    /* sources 3 and 5 */
  sw t1, 0(a1)
  nop
  nop
  lw t1, 0(s0)                   /* PENDING */
  li t2, 0x28
  bne t1, t2, fail
  lw t1, 8(s0)                   /* claim with nothing enabled: 0 */
  bnez t1, fail
  csrr t1, mip
  li t2, 0x800
  and t1, t1, t2
  bnez t1, fail
  /* 11: enable source 5: MEIP, claim gives 6, then nothing; complete re-arms */
  li gp, 11
  li t1, 0x20
  sw t1, 4(s0)
  nop
  csrr t1, mip
  li t2, 0x800
  and t1, t1, t2
  beqz t1, fail
  lw t1, 8(s0)
  li t2, 6
  bne t1, t2, fail
  lw t1, 8(s0)
  bnez t1, fail
  lw t1, 12(s0)                  /* ACTIVE */
  li t2, 0x20
  bne t1, t2, fail
  li t1, 6
  sw t1, 8(s0)                   /* complete: the level is still high, so pending again */
  nop
  nop
  lw t1, 0(s0)
  andi t1, t1, 0x20
  beqz t1, fail
  lw t1, 8(s0)
  li t2, 6
  bne t1, t2, fail
  sw zero, 0(a1)                 /* drop the lines */
  li t1, 6
  sw t1, 8(s0)
  li t1, 4
  sw t1, 8(s0)
  nop
  nop
  lw t1, 0(s0)
  andi t1, t1, 0x20
  bnez t1, fail

  /* 12: machine external interrupt through a vectored mtvec */
  li gp, 12
  li s3, 0
  la t0, vtable
  ori t0, t0, 1
  csrw mtvec, t0
  li t1, 0x800
  csrw mie, t1
  li t1, 0x100                   /* source 8 */
  sw t1, 4(s0)
  csrsi mstatus, 8
  sw t1, 0(a1)
  li t2, 1000
4: addi t2, t2, -1
  beqz t2, fail
  beqz s3, 4b
  li t1, 0x8000000b
  bne s1, t1, fail
  li t1, 9
  bne s5, t1, fail
  csrci mstatus, 8
  la t0, handler
  csrw mtvec, t0

  /* 13: wfi idles: no instruction retires while asleep, cycles pass */
  li gp, 13
  csrw mie, zero
  li t1, 0x80
  csrw mie, t1
  li t0, MTIMECMP
  li t1, -1
  sw t1, 4(t0)
  li t2, MTIME
  lw t1, 0(t2)
  addi t1, t1, 200
  sw t1, 0(t0)
  lw t1, 4(t2)
  sw t1, 4(t0)
  csrr a1, minstret
  csrr a3, mcycle
  wfi
  csrr a4, mcycle
  csrr a2, minstret
  sub a2, a2, a1
  li t1, 4
  bne a2, t1, fail
  sub a4, a4, a3
  li t1, 100
  bltu a4, t1, fail
  li t1, -1
  sw t1, 0(t0)
  csrw mie, zero
  j pass

  .align 2
handler:
  csrr s1, mcause
  csrr s2, mepc
  csrr s3, mtval
  bltz s1, 1f
  bnez s4, 2f
  addi s4, s2, 4
2:
  csrw mepc, s4
  li s4, 0
  mret
1: /* external interrupt: claim, drop the line, complete */
  li t0, INTC
  lw s5, 8(t0)
  li t1, BUS_IRQ
  sw zero, 0(t1)
  sw s5, 8(t0)
  li s3, 1
  mret

  .align 7
vtable:
  j fail
  .rept 10
  j fail
  .endr
  j handler       /* 11: machine external */
TEST_END
  .data
msg: .string "platform test: console ok\n"
  .align 2
dcode: .word 0x00000013
