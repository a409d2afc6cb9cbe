/* Benchmark start-up: stack, .bss clear, run(), then tohost = 1. run() measures its kernel
   with mcycle/minstret and stores the counts in bench_result (see bench.h). */
  .section .text.init, "ax"
  .globl _start
_start:
  la sp, __stack_top
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:
  call run
  la t0, tohost
  li t1, 1
  sw t1, 0(t0)
  sw zero, 4(t0)
3:
  j 3b
  .section .tohost, "aw", @progbits
  .align 3
  .globl tohost
tohost: .word 0, 0
  .size tohost, 8
