// Shared primitive: synchronous FIFO with valid/ready on both sides (after OpenTitan's
// prim_fifo_sync in shape; written for Shoal). Depth entries (a power of two, >= 2) of Width
// bits in flip-flops. The output is the head entry, valid while the FIFO is not empty (no
// fall-through: an entry pushed in cycle t is visible from t + 1). A push and a pop in the same
// cycle are both taken (when not full / not empty). `depth_o` is the number of entries.
module prim_fifo_sync #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 4,
  localparam int unsigned PW = $clog2(Depth)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             wvalid_i,
  output logic             wready_o,
  input  logic [Width-1:0] wdata_i,
  output logic             rvalid_o,
  input  logic             rready_i,
  output logic [Width-1:0] rdata_o,
  output logic [PW:0]      depth_o
);
  logic [Width-1:0] mem_q [Depth];
  logic [PW-1:0]    wptr_q, rptr_q;
  logic [PW:0]      cnt_q;

  logic push, pop;
  assign wready_o = !cnt_q[PW];  // cnt_q <= Depth = 2^PW: the top bit means full
  assign rvalid_o = (cnt_q != '0);
  assign push     = wvalid_i && wready_o;
  assign pop      = rvalid_o && rready_i;
  assign rdata_o  = mem_q[rptr_q];
  assign depth_o  = cnt_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q <= '0;
      rptr_q <= '0;
      cnt_q  <= '0;
    end else begin
      if (push) wptr_q <= wptr_q + 1'b1;
      if (pop)  rptr_q <= rptr_q + 1'b1;
      if (push && !pop)      cnt_q <= cnt_q + 1'b1;
      else if (pop && !push) cnt_q <= cnt_q - 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (push) mem_q[wptr_q] <= wdata_i;
  end

`ifndef SYNTHESIS
  initial begin
    assert (Depth >= 2 && (Depth & (Depth - 1)) == 0)
      else $error("prim_fifo_sync: Depth %0d must be a power of two >= 2", Depth);
  end
  // the count never exceeds the depth, and the pointers stay consistent with it
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      assert (!cnt_q[PW] || cnt_q[PW-1:0] == '0) else $error("prim_fifo_sync: count beyond depth");
      assert (wptr_q - rptr_q == cnt_q[PW-1:0]) else $error("prim_fifo_sync: pointers and count disagree");
    end
  end
`endif
endmodule
