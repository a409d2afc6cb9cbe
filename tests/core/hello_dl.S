/* A tiny program for the download test: prints "downloaded ok" on the console, then sleeps. */
  .section .text.init, "ax"
  .globl _start
_start:
  la a0, msg
  li t0, 0x03000000
1:
  lbu t1, 0(a0)
  beqz t1, 2f
  sw t1, 0(t0)
  addi a0, a0, 1
  j 1b
2:
  wfi
  j 2b
  .section .tohost, "aw", @progbits
  .align 3
  .globl tohost
tohost: .word 0, 0
  .size tohost, 8
  .data
msg: .string "downloaded ok\n"
