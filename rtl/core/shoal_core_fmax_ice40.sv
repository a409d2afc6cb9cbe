// Timing harness for nextpnr: the core (small-FPGA configuration: FastMul = 0) with its
// ports behind registers, so it places on a 48-pin package. Inputs come from a shift register
// fed by one pin; outputs are registered and XOR-reduced onto one pin (nothing is optimized
// away). Used only for the Fmax figure of bench-core; adds ~180 flip-flops.
module shoal_core_fmax_ice40 (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic sin_i,
  output logic sout_o
);
  localparam int unsigned IW = 70;
  localparam int unsigned OW = 104;
  logic [IW-1:0] in_q;
  logic [OW-1:0] out, out_q;
  always_ff @(posedge clk_i) begin
    in_q   <= {in_q[IW-2:0], sin_i};
    out_q  <= out;
    sout_o <= ^out_q;
  end
  shoal_core #(.FastMul(1'b0)) u_core (
    .clk_i,
    .rst_ni,
    .instr_req_o    (out[0]),
    .instr_addr_o   (out[32:1]),
    .instr_rdata_i  (in_q[31:0]),
    .instr_err_i    (in_q[32]),
    .data_req_o     (out[33]),
    .data_we_o      (out[34]),
    .data_be_o      (out[38:35]),
    .data_addr_o    (out[70:39]),
    .data_wdata_o   (out[102:71]),
    .data_rvalid_i  (in_q[33]),
    .data_rdata_i   (in_q[65:34]),
    .data_err_i     (in_q[66]),
    .irq_software_i (in_q[67]),
    .irq_timer_i    (in_q[68]),
    .irq_external_i (in_q[69]),
    .sleep_o        (out[103])
  );
endmodule
