// Shared primitive: single-port synchronous RAM, Width bits wide and Depth words deep, with a
// write enable per byte (Width must be a multiple of 8). Read data appears one cycle after the
// request (the value before a write in the same cycle: read-first), as block RAM gives it.
// The memory is not reset.
module prim_ram_1p #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 1024,
  localparam int unsigned AW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned BW = Width / 8
) (
  input  logic             clk_i,
  input  logic             req_i,
  input  logic             we_i,
  input  logic [BW-1:0]    be_i,
  input  logic [AW-1:0]    addr_i,
  input  logic [Width-1:0] wdata_i,
  output logic [Width-1:0] rdata_o
);
  logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (req_i) begin
      if (we_i) begin
        for (int i = 0; i < BW; i++) begin
          if (be_i[i]) mem_q[addr_i][8*i +: 8] <= wdata_i[8*i +: 8];
        end
      end
      rdata_o <= mem_q[addr_i];
    end
  end

`ifndef SYNTHESIS
  initial begin
    assert (Width % 8 == 0) else $error("prim_ram_1p: Width %0d is not a multiple of 8", Width);
  end
  always_ff @(posedge clk_i) begin
    if (req_i) assert (32'(addr_i) < Depth) else $error("prim_ram_1p: address beyond Depth");
  end
`endif
endmodule
