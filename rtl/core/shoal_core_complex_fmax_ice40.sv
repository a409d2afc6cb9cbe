// Timing harness for nextpnr: the core complex (small-FPGA configuration,
// shoal_core_complex with 4 KiB RAMs and FastMul = 0) with its ports behind registers, so it places on a 48-pin package.
// Inputs come from a shift register fed by one pin; outputs are registered and XOR-reduced onto
// one pin. Used only for the Fmax figure of bench-core; adds ~200 flip-flops.
module shoal_core_complex_fmax_ice40 (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic sin_i,
  output logic sout_o
);
  localparam int unsigned IW = 116;
  localparam int unsigned OW = 69;
  logic [IW-1:0] in_q;
  logic [OW-1:0] out, out_q;
  always_ff @(posedge clk_i) begin
    in_q   <= {in_q[IW-2:0], sin_i};
    out_q  <= out;
    sout_o <= ^out_q;
  end
  shoal_core_complex #(.IramBytes(4096), .DramBytes(4096), .FastMul(1'b0)) u_complex (
    .clk_i,
    .rst_ni,
    .core_reset_i    (in_q[0]),
    .host_we_i       (in_q[1]),
    .host_addr_i     (in_q[33:2]),
    .host_wdata_i    (in_q[65:34]),
    .irq_src_i       (in_q[81:66]),
    .console_valid_o (out[0]),
    .console_data_o  (out[8:1]),
    .reg_req_o       (out[9]),
    .reg_we_o        (out[10]),
    .reg_addr_o      (out[30:11]),
    .reg_wdata_o     (out[62:31]),
    .reg_wstrb_o     (out[66:63]),
    .reg_ack_i       (in_q[82]),
    .reg_rdata_i     (in_q[114:83]),
    .reg_err_i       (in_q[115]),
    .core_running_o  (out[67]),
    .core_sleep_o    (out[68])
  );
endmodule
