/* Interrupts through a SiFive-style CLINT at 0x0200_0000 (msip, mtimecmp, mtime): machine
   software and timer interrupts, mcause values, gating by mstatus.MIE and by mie, mip
   reflecting the pending lines, priority (software before timer), vectored mtvec,
   wfi waking on a pending interrupt even with MIE clear, and wfi followed by the trap
   (mepc = the instruction after the wfi). The handler records mcause in s1, mepc in s2 and
   counts interrupts in s3; it silences the source. */
#include "shoal_test.h"

#define CLINT     0x02000000
#define MSIP      (CLINT + 0x0)
#define MTIMECMP  (CLINT + 0x4000)
#define MTIME     (CLINT + 0xbff8)

/* mtimecmp = mtime + d (hi first to avoid a spurious match) */
#define TIMER_IN(d) \
  li t0, MTIMECMP; li t1, -1; sw t1, 4(t0); li t2, MTIME; lw t1, 0(t2); addi t1, t1, d; \
  sw t1, 0(t0); lw t1, 4(t2); sw t1, 4(t0);
#define TIMER_OFF li t0, MTIMECMP; li t1, -1; sw t1, 4(t0); sw t1, 0(t0);

TEST_BEGIN
  la t0, handler
  csrw mtvec, t0
  csrw mie, zero
  csrw mstatus, zero
  TIMER_OFF
  li s0, MSIP
  sw zero, 0(s0)

  /* 1: software interrupt taken */
  li gp, 1
  li s3, 0
  li t1, 8
  csrw mie, t1
  csrsi mstatus, 8
  li t1, 1
  sw t1, 0(s0)
  li t2, 1000
1: addi t2, t2, -1
  beqz t2, fail
  beqz s3, 1b
  li t1, 0x80000003
  bne s1, t1, fail
  csrr t1, mstatus           /* MIE restored by mret */
  andi t1, t1, 8
  beqz t1, fail

  /* 2: with mstatus.MIE clear the interrupt stays pending in mip */
  li gp, 2
  csrci mstatus, 8
  li s3, 0
  li t1, 1
  sw t1, 0(s0)
  nop
  nop
  nop
  csrr t1, mip
  andi t1, t1, 8
  beqz t1, fail
  bnez s3, fail
  /* 3: ... and is taken as soon as MIE is set */
  li gp, 3
  csrsi mstatus, 8
  nop
  nop
  nop
  nop
  beqz s3, fail
  csrr t1, mip
  andi t1, t1, 8
  bnez t1, fail

  /* 4: masked by mie */
  li gp, 4
  li s3, 0
  csrw mie, zero
  li t1, 1
  sw t1, 0(s0)
  nop
  nop
  nop
  bnez s3, fail
  sw zero, 0(s0)

  /* 5: timer interrupt */
  li gp, 5
  li s3, 0
  li t1, 0x80
  csrw mie, t1
  TIMER_IN(20)
  li t2, 100000
2: addi t2, t2, -1
  beqz t2, fail
  beqz s3, 2b
  li t1, 0x80000007
  bne s1, t1, fail

  /* 6: priority: software before timer when both are pending */
  li gp, 6
  csrci mstatus, 8
  li s3, 0
  li t1, 0x88
  csrw mie, t1
  li t1, 1
  sw t1, 0(s0)
  TIMER_IN(0)
  li t2, 100000
3: addi t2, t2, -1
  beqz t2, fail
  csrr t1, mip
  andi t1, t1, 0x80
  beqz t1, 3b
  la s4, order
  csrsi mstatus, 8
  nop
  nop
  nop
  nop
  li t1, 2
  bne s3, t1, fail
  la t0, order
  lw t1, 0(t0)
  li t2, 0x80000003
  bne t1, t2, fail
  lw t1, 4(t0)
  li t2, 0x80000007
  bne t1, t2, fail
  li s4, 0

  /* 7: wfi with MIE clear wakes up on a pending interrupt without trapping (that it idles
     meanwhile is checked in platform.S: QEMU's minstret advances across a wfi) */
  li gp, 7
  csrci mstatus, 8
  li s3, 0
  li t1, 0x80
  csrw mie, t1
  TIMER_IN(50)
  wfi
  csrr t1, mip
  andi t1, t1, 0x80
  beqz t1, fail
  bnez s3, fail
  TIMER_OFF

  /* 8: wfi with MIE set: the trap is taken with mepc after the wfi */
  li gp, 8
  li s3, 0
  TIMER_IN(50)
  csrsi mstatus, 8
4: wfi
5: beqz s3, 4b
  la t1, 5b
  bne s2, t1, fail
  li t1, 0x80000007
  bne s1, t1, fail

  /* 9: vectored mode: the timer interrupt enters at base + 4 * 7 */
  li gp, 9
  csrci mstatus, 8
  li s3, 0
  la t0, vtable
  ori t0, t0, 1
  csrw mtvec, t0
  TIMER_IN(20)
  csrsi mstatus, 8
  li t2, 100000
6: addi t2, t2, -1
  beqz t2, fail
  beqz s3, 6b
  li t1, 7
  bne s5, t1, fail
  li t1, 0x80000007
  bne s1, t1, fail
  /* 10: and the software interrupt at base + 4 * 3 */
  li gp, 10
  li s3, 0
  li t1, 8
  csrw mie, t1
  li t1, 1
  sw t1, 0(s0)
  li t2, 1000
7: addi t2, t2, -1
  beqz t2, fail
  beqz s3, 7b
  li t1, 3
  bne s5, t1, fail
  csrci mstatus, 8
  j pass

  .align 2
handler:
  csrr s1, mcause
  csrr s2, mepc
  bgez s1, fail              /* an exception here is a failure */
  addi s3, s3, 1
  beqz s4, 1f
  sw s1, 0(s4)               /* record the order of interrupts */
  addi s4, s4, 4
1:
  li t1, 0x80000003
  bne s1, t1, 2f
  li t0, MSIP
  sw zero, 0(t0)
  mret
2:
  li t0, MTIMECMP
  li t1, -1
  sw t1, 4(t0)
  sw t1, 0(t0)
  mret

vsoft:
  li s5, 3
  j handler
vtimer:
  li s5, 7
  j handler

  .align 7
vtable:
  j fail          /* 0: exceptions */
  j fail
  j fail
  j vsoft         /* 3: machine software */
  j fail
  j fail
  j fail
  j vtimer        /* 7: machine timer */
  j fail
  j fail
  j fail
  j fail          /* 11: machine external */
TEST_END
  .data
order: .word 0, 0, 0, 0
