/* Shoal firmware start-up: stack, global pointer, trap vector, .bss cleared, C++ static
   constructors, main(). When main returns, its status goes to `tohost` (0 -> 1 = pass,
   otherwise (status << 1) | 1) and the core sleeps. */
  .section .text.start, "ax"
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  la t0, shoal_trap_entry
  csrw mtvec, t0
  csrw mie, zero
  /* clear .bss */
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:
  /* paint the stack so its high-water mark can be checked */
  la t0, __stack_bottom
  mv t1, sp
  li t2, 0x5354434b
3:
  bgeu t0, t1, 4f
  sw t2, 0(t0)
  addi t0, t0, 4
  j 3b
4:
  /* static constructors */
  la s0, __init_array_start
  la s1, __init_array_end
5:
  bgeu s0, s1, 6f
  lw t0, 0(s0)
  jalr t0
  addi s0, s0, 4
  j 5b
6:
  li a0, 0
  li a1, 0
  call main
  /* report the exit status */
  li t0, 1
  beqz a0, 7f
  slli t0, a0, 1
  ori t0, t0, 1
7:
  la t1, tohost
  sw t0, 0(t1)
  sw zero, 4(t1)
8:
  wfi
  j 8b

  .section .tohost, "aw", @progbits
  .align 3
  .globl tohost
tohost: .word 0, 0
  .size tohost, 8
