/* Shoal RTOS, RISC-V port: trap entry and first-task start (direct-mode mtvec).

   Frame on the interrupted task's stack (32 words, 128 bytes; port.hpp kFrame*):
     0 ra, 1-3 t0-t2, 4-11 a0-a7, 12-15 t3-t6      caller-saved: saved on every interrupt
     16-27 s0-s11                                    callee-saved: saved only on a switch
     28 mepc, 29 mstatus, 30 critical-section depth,
     31 kind: 0 = full frame (interrupt, first start), 1 = ecall frame (no caller-saved state)
   The C code runs on the interrupt stack (mscratch = its top; the boot stack). Traps do not
   nest (mstatus.MIE stays 0 in the handler), so the frame is always on a task stack.

   Two ways in:
   - ecall (mcause 11): a task-side port call asks for a switch from inside its critical
     section. The `ecall` statement declares every caller-saved register clobbered (port.cpp
     do_switch), so none is saved or restored: only mepc + 4, mstatus, the depth and s0-s11
     (the switch is the reason for the ecall); shoal_rtos_switch(frame) returns the frame to
     restore (the same one if the kernel picks the same task after all).
   - anything else (interrupts, faults): the caller-saved registers, mepc, mstatus and the
     depth are saved; shoal_rtos_trap(mcause, frame) returns non-zero when the running task must
     change; only then s0-s11 go into the frame and shoal_rtos_switch(frame) returns the next
     task's frame. */
  .section .text.trap, "ax"
  .align 2
  .globl shoal_rtos_trap_entry
shoal_rtos_trap_entry:
  addi sp, sp, -128
  sw t0, 4(sp)
  csrr t0, mcause
  addi t0, t0, -11
  bnez t0, .Lfull
  /* ---- ecall from a task: lean path ---- */
  csrr t0, mepc
  addi t0, t0, 4              /* resume after the ecall */
  sw t0, 112(sp)
  csrr t0, mstatus
  sw t0, 116(sp)
  lui t1, %hi(shoal_rtos_crit_nesting)
  lw t0, %lo(shoal_rtos_crit_nesting)(t1)
  sw t0, 120(sp)
  li t0, 1                    /* in a handler, crit_exit() never unmasks */
  sw t0, %lo(shoal_rtos_crit_nesting)(t1)
  sw t0, 124(sp)              /* kind: ecall frame */
  sw s0, 64(sp)
  sw s1, 68(sp)
  sw s2, 72(sp)
  sw s3, 76(sp)
  sw s4, 80(sp)
  sw s5, 84(sp)
  sw s6, 88(sp)
  sw s7, 92(sp)
  sw s8, 96(sp)
  sw s9, 100(sp)
  sw s10, 104(sp)
  sw s11, 108(sp)
  mv a0, sp
  csrr sp, mscratch           /* interrupt stack */
  call shoal_rtos_switch      /* a0 = frame to restore */
  mv sp, a0
  j .Lrestore_full
  /* ---- interrupts and other exceptions: caller-saved frame ---- */
.Lfull:
  sw ra, 0(sp)
  sw t1, 8(sp)
  sw t2, 12(sp)
  sw a0, 16(sp)
  sw a1, 20(sp)
  sw a2, 24(sp)
  sw a3, 28(sp)
  sw a4, 32(sp)
  sw a5, 36(sp)
  sw a6, 40(sp)
  sw a7, 44(sp)
  sw t3, 48(sp)
  sw t4, 52(sp)
  sw t5, 56(sp)
  sw t6, 60(sp)
  csrr t0, mepc
  sw t0, 112(sp)
  csrr t1, mstatus
  sw t1, 116(sp)
  lui t3, %hi(shoal_rtos_crit_nesting)
  lw t2, %lo(shoal_rtos_crit_nesting)(t3)
  sw t2, 120(sp)
  li t2, 1                    /* in a handler, crit_exit() never unmasks */
  sw t2, %lo(shoal_rtos_crit_nesting)(t3)
  sw zero, 124(sp)            /* kind: full frame */
  mv a1, sp                   /* frame */
  csrr sp, mscratch           /* interrupt stack */
  addi sp, sp, -16
  sw a1, 0(sp)
  csrr a0, mcause
  call shoal_rtos_trap
  lw sp, 0(sp)                /* back to the frame */
  bnez a0, .Lswitch
.Lrestore:
  lw t2, 120(sp)
  lui t3, %hi(shoal_rtos_crit_nesting)
  sw t2, %lo(shoal_rtos_crit_nesting)(t3)
  lw t0, 112(sp)
  csrw mepc, t0
  lw t1, 116(sp)
  csrw mstatus, t1
  lw t0, 124(sp)
  bnez t0, .Lrestore_ecall    /* an ecall frame holds no caller-saved state */
  lw ra, 0(sp)
  lw t0, 4(sp)
  lw t1, 8(sp)
  lw t2, 12(sp)
  lw a0, 16(sp)
  lw a1, 20(sp)
  lw a2, 24(sp)
  lw a3, 28(sp)
  lw a4, 32(sp)
  lw a5, 36(sp)
  lw a6, 40(sp)
  lw a7, 44(sp)
  lw t3, 48(sp)
  lw t4, 52(sp)
  lw t5, 56(sp)
  lw t6, 60(sp)
.Lrestore_ecall:
  addi sp, sp, 128
  mret
.Lswitch:
  sw s0, 64(sp)
  sw s1, 68(sp)
  sw s2, 72(sp)
  sw s3, 76(sp)
  sw s4, 80(sp)
  sw s5, 84(sp)
  sw s6, 88(sp)
  sw s7, 92(sp)
  sw s8, 96(sp)
  sw s9, 100(sp)
  sw s10, 104(sp)
  sw s11, 108(sp)
  mv a0, sp
  csrr sp, mscratch
  call shoal_rtos_switch      /* a0 = next task's frame */
  mv sp, a0
.Lrestore_full:
  lw s0, 64(sp)
  lw s1, 68(sp)
  lw s2, 72(sp)
  lw s3, 76(sp)
  lw s4, 80(sp)
  lw s5, 84(sp)
  lw s6, 88(sp)
  lw s7, 92(sp)
  lw s8, 96(sp)
  lw s9, 100(sp)
  lw s10, 104(sp)
  lw s11, 108(sp)
  j .Lrestore
  .size shoal_rtos_trap_entry, . - shoal_rtos_trap_entry
  .type shoal_rtos_trap_entry, @function

/* shoal_rtos_start_first(frame): run the first task (its frame made by port::create) */
  .globl shoal_rtos_start_first
shoal_rtos_start_first:
  mv sp, a0
  j .Lrestore_full
  .size shoal_rtos_start_first, . - shoal_rtos_start_first
  .type shoal_rtos_start_first, @function
