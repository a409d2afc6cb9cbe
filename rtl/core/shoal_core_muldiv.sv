// Shoal soft core: multi-cycle multiply/divide unit for the M extension.
//
// Division (DIV, DIVU, REM, REMU) is always iterative: one quotient bit per cycle on the
// operand magnitudes (32 cycles + 1 to load + 1 to deliver), with the RISC-V special cases
// (division by zero, INT_MIN / -1) handled by the same datapath or explicitly.
// Multiplication is iterative too (one bit per cycle) unless the core is built with
// FastMul = 1, in which case the core multiplies in its execute stage and never sends MUL*
// here.
//
// Handshake: the execute stage holds start_i high while it needs a result; the unit loads the
// operands, iterates, then raises done_o with result_o and holds them until ack_i (the
// instruction left execute) or kill_i (the instruction was squashed by a trap).
module shoal_core_muldiv (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic [2:0]  op_i,      // funct3 of the M instruction
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  input  logic        ack_i,
  input  logic        kill_i,
  output logic        busy_o,
  output logic        done_o,
  output logic [31:0] result_o
);
  typedef enum logic [1:0] {MdIdle, MdBusy, MdDone} md_state_e;

  md_state_e   state_q, state_d;
  logic [5:0]  count_q, count_d;
  logic [31:0] lo_q, lo_d;       // quotient being built / multiplier and product low half
  logic [32:0] hi_q, hi_d;       // remainder / product high half (+ carry)
  logic [31:0] div_q, div_d;     // |divisor| or |multiplicand|
  logic        neg_q, neg_d;     // negate the result at the end
  logic [2:0]  op_q, op_d;
  logic        dz_q, dz_d;       // division by zero
  logic [31:0] a_q, a_d;         // original dividend (for x % 0)
  logic [31:0] result_q, result_d;

  logic        is_div;
  logic        a_signed, b_signed;
  logic        a_neg, b_neg;
  logic [31:0] a_abs, b_abs;
  logic [32:0] trial;
  logic [63:0] prod;
  logic [32:0] mul_sum;

  assign is_div = op_i[2];
  always_comb begin
    // MUL(000) MULH(001) MULHSU(010) MULHU(011) DIV(100) DIVU(101) REM(110) REMU(111)
    unique case (op_i)
      3'b001:  begin a_signed = 1'b1; b_signed = 1'b1; end
      3'b010:  begin a_signed = 1'b1; b_signed = 1'b0; end
      3'b100, 3'b110: begin a_signed = 1'b1; b_signed = 1'b1; end
      default: begin a_signed = 1'b0; b_signed = 1'b0; end
    endcase
  end
  assign a_neg = a_signed & a_i[31];
  assign b_neg = b_signed & b_i[31];
  assign a_abs = a_neg ? (~a_i + 32'd1) : a_i;
  assign b_abs = b_neg ? (~b_i + 32'd1) : b_i;

  // one restoring-division step: shift {hi, lo} left, try subtracting the divisor
  assign trial = {hi_q[31:0], lo_q[31]} - {1'b0, div_q};
  assign prod  = {hi_q[31:0], lo_q};
  assign mul_sum = {1'b0, hi_q[31:0]} + (lo_q[0] ? {1'b0, div_q} : 33'd0);

  always_comb begin
    state_d  = state_q;
    count_d  = count_q;
    lo_d     = lo_q;
    hi_d     = hi_q;
    div_d    = div_q;
    neg_d    = neg_q;
    op_d     = op_q;
    dz_d     = dz_q;
    a_d      = a_q;
    result_d = result_q;
    unique case (state_q)
      MdIdle: begin
        if (start_i && !kill_i) begin
          state_d = MdBusy;
          count_d = 6'd32;
          op_d    = op_i;
          a_d     = a_i;
          dz_d    = (b_i == 32'd0);
          hi_d    = 33'd0;
          if (is_div) begin
            lo_d  = a_abs;
            div_d = b_abs;
            // quotient sign: a^b; remainder sign: sign of the dividend
            neg_d = op_i[1] ? a_neg : (a_neg ^ b_neg);
          end else begin
            lo_d  = b_abs;
            div_d = a_abs;
            neg_d = a_neg ^ b_neg;
          end
        end
      end
      MdBusy: begin
        if (count_q == 6'd0) begin
          state_d = MdDone;
          if (op_q[2]) begin
            if (dz_q) begin
              result_d = op_q[1] ? a_q : 32'hFFFF_FFFF;
            end else if (op_q[1]) begin
              result_d = neg_q ? (~hi_q[31:0] + 32'd1) : hi_q[31:0];
            end else begin
              result_d = neg_q ? (~lo_q + 32'd1) : lo_q;
            end
          end else begin
            if (op_q == 3'b000) begin
              result_d = neg_q ? (~lo_q + 32'd1) : lo_q;
            end else begin
              // high word of the (possibly negated) 64-bit product
              result_d = neg_q ? (~prod[63:32] + {31'd0, (prod[31:0] == 32'd0)})
                               : prod[63:32];
            end
          end
        end else begin
          count_d = count_q - 6'd1;
          if (op_q[2]) begin
            if (!trial[32]) begin
              hi_d = {1'b0, trial[31:0]};
              lo_d = {lo_q[30:0], 1'b1};
            end else begin
              hi_d = {hi_q[31:0], lo_q[31]};
              lo_d = {lo_q[30:0], 1'b0};
            end
          end else begin
            // shift-add multiply: {hi, lo} = ({hi + (lo[0] ? mcand : 0)}, lo) >> 1
            hi_d = {1'b0, mul_sum[32:1]};
            lo_d = {mul_sum[0], lo_q[31:1]};
          end
        end
      end
      MdDone: begin
        if (ack_i) state_d = MdIdle;
      end
      default: state_d = MdIdle;
    endcase
    if (kill_i) state_d = MdIdle;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= MdIdle;
      count_q  <= '0;
      lo_q     <= '0;
      hi_q     <= '0;
      div_q    <= '0;
      neg_q    <= 1'b0;
      op_q     <= '0;
      dz_q     <= 1'b0;
      a_q      <= '0;
      result_q <= '0;
    end else begin
      state_q  <= state_d;
      count_q  <= count_d;
      lo_q     <= lo_d;
      hi_q     <= hi_d;
      div_q    <= div_d;
      neg_q    <= neg_d;
      op_q     <= op_d;
      dz_q     <= dz_d;
      a_q      <= a_d;
      result_q <= result_d;
    end
  end

  assign busy_o   = (state_q == MdBusy);
  assign done_o   = (state_q == MdDone);
  assign result_o = result_q;
endmodule
