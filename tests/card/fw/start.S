/* Script runner start: stack at the top of DRAM, traps to runner_trap, then main(). */
  .section .text.init, "ax"
  .globl _start
_start:
  la sp, __stack_top
  la t0, trap_entry
  csrw mtvec, t0
  call main
1:
  wfi
  j 1b

  .align 2
trap_entry:
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call runner_trap
2:
  wfi
  j 2b
