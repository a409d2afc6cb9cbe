// Shoal soft core: word-wide synchronous RAM with two ports, for the core complex's
// instruction and data memories (maps onto iCE40 block RAM).
//   port A: read/write with byte enables (read data one cycle after the request)
//   port B: read only (read data one cycle after the request)
// InitFile, when not empty, preloads the memory with $readmemh (one 32-bit word per line).
module shoal_core_ram #(
  parameter int unsigned Words    = 4096,
  parameter              InitFile = ""
) (
  input  logic                     clk_i,
  input  logic                     a_req_i,
  input  logic                     a_we_i,
  input  logic [3:0]               a_be_i,
  input  logic [$clog2(Words)-1:0] a_addr_i,
  input  logic [31:0]              a_wdata_i,
  output logic [31:0]              a_rdata_o,
  input  logic                     b_req_i,
  input  logic [$clog2(Words)-1:0] b_addr_i,
  output logic [31:0]              b_rdata_o
);
  logic [31:0] mem_q [Words] /* verilator public_flat_rw */;

  if (InitFile != "") begin : g_init
    initial $readmemh(InitFile, mem_q);
  end

  always_ff @(posedge clk_i) begin
    if (a_req_i) begin
      if (a_we_i) begin
        for (int i = 0; i < 4; i++) begin
          if (a_be_i[i]) mem_q[a_addr_i][8*i +: 8] <= a_wdata_i[8*i +: 8];
        end
      end
      a_rdata_o <= mem_q[a_addr_i];
    end
  end

  always_ff @(posedge clk_i) begin
    if (b_req_i) b_rdata_o <= mem_q[b_addr_i];
  end
endmodule
