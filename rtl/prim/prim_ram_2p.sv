// Shared primitive: simple dual-port synchronous RAM: one write port (whole words) and one read
// port, Width bits wide and Depth words deep. Read data appears one cycle after the read
// request; a read of the word being written in the same cycle returns the old value. Not reset.
module prim_ram_2p #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 1024,
  localparam int unsigned AW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [AW-1:0]    waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             re_i,
  input  logic [AW-1:0]    raddr_i,
  output logic [Width-1:0] rdata_o
);
  logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end

  always_ff @(posedge clk_i) begin
    if (re_i) rdata_o <= mem_q[raddr_i];
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk_i) begin
    if (we_i) assert (32'(waddr_i) < Depth) else $error("prim_ram_2p: write address beyond Depth");
    if (re_i) assert (32'(raddr_i) < Depth) else $error("prim_ram_2p: read address beyond Depth");
  end
`endif
endmodule
