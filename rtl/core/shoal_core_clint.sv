// Shoal soft core: CLINT-style timer and software interrupt (SiFive CLINT layout, one hart).
//   0x0000 msip      bit 0: machine software interrupt pending
//   0x4000 mtimecmp  low word, 0x4004 high word (reset: all ones)
//   0xBFF8 mtime     low word, 0xBFFC high word (counts every TickDiv clock cycles)
// Register port: req with address/we/be/wdata; the answer (rdata, err) comes the next cycle.
module shoal_core_clint #(
  parameter int unsigned TickDiv = 1
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_i,
  input  logic        we_i,
  input  logic [15:0] addr_i,
  input  logic [3:0]  be_i,
  input  logic [31:0] wdata_i,
  output logic        rvalid_o,
  output logic [31:0] rdata_o,
  output logic        err_o,
  output logic        timer_irq_o,
  output logic        soft_irq_o
);
  logic [63:0] mtime_q, mtimecmp_q;
  logic        msip_q;
  logic [31:0] tick_q;
  logic [31:0] bitmask;

  for (genvar i = 0; i < 4; i++) begin : g_mask
    assign bitmask[8*i +: 8] = {8{be_i[i]}};
  end

  logic sel_msip, sel_cmp_lo, sel_cmp_hi, sel_time_lo, sel_time_hi, hit;
  assign sel_msip    = (addr_i == 16'h0000);
  assign sel_cmp_lo  = (addr_i == 16'h4000);
  assign sel_cmp_hi  = (addr_i == 16'h4004);
  assign sel_time_lo = (addr_i == 16'hBFF8);
  assign sel_time_hi = (addr_i == 16'hBFFC);
  assign hit = sel_msip | sel_cmp_lo | sel_cmp_hi | sel_time_lo | sel_time_hi;

  logic tick;
  assign tick = (tick_q == TickDiv - 1);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mtime_q    <= '0;
      mtimecmp_q <= '1;
      msip_q     <= 1'b0;
      tick_q     <= '0;
      rvalid_o   <= 1'b0;
      rdata_o    <= '0;
      err_o      <= 1'b0;
    end else begin
      rvalid_o <= req_i;
      err_o    <= req_i & ~hit;
      tick_q   <= tick ? '0 : tick_q + 32'd1;
      if (req_i && we_i && sel_time_lo) begin
        mtime_q[31:0] <= (mtime_q[31:0] & ~bitmask) | (wdata_i & bitmask);
      end else if (req_i && we_i && sel_time_hi) begin
        mtime_q[63:32] <= (mtime_q[63:32] & ~bitmask) | (wdata_i & bitmask);
      end else if (tick) begin
        mtime_q <= mtime_q + 64'd1;
      end
      if (req_i && we_i) begin
        if (sel_msip && be_i[0]) msip_q <= wdata_i[0];
        if (sel_cmp_lo) mtimecmp_q[31:0]  <= (mtimecmp_q[31:0] & ~bitmask) | (wdata_i & bitmask);
        if (sel_cmp_hi) mtimecmp_q[63:32] <= (mtimecmp_q[63:32] & ~bitmask) | (wdata_i & bitmask);
      end
      if (req_i && !we_i) begin
        unique case (1'b1)
          sel_msip:    rdata_o <= {31'd0, msip_q};
          sel_cmp_lo:  rdata_o <= mtimecmp_q[31:0];
          sel_cmp_hi:  rdata_o <= mtimecmp_q[63:32];
          sel_time_lo: rdata_o <= mtime_q[31:0];
          sel_time_hi: rdata_o <= mtime_q[63:32];
          default:     rdata_o <= '0;
        endcase
      end
    end
  end

  assign timer_irq_o = (mtime_q >= mtimecmp_q);
  assign soft_irq_o  = msip_q;
endmodule
