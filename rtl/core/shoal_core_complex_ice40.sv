// Shoal soft core complex, small-FPGA configuration: 4 KiB instruction RAM and 4 KiB data RAM
// (8 of the iCE40's 4-Kbit block RAMs each) and the iterative multiplier, used for synthesis
// figures. Same ports as
// shoal_core_complex.
module shoal_core_complex_ice40 #(
  parameter int unsigned NumIrqs = 16
) (
  input  logic               clk_i,
  input  logic               rst_ni,

  // host control and firmware download
  input  logic               core_reset_i,
  input  logic               host_we_i,
  input  logic [31:0]        host_addr_i,
  input  logic [31:0]        host_wdata_i,

  // card-internal interrupt sources (level)
  input  logic [NumIrqs-1:0] irq_src_i,

  // console: one byte per pulse
  output logic               console_valid_o,
  output logic [7:0]         console_data_o,

  // master port on the card-internal register bus (20-bit BAR0 byte offset)
  output logic               reg_req_o,
  output logic               reg_we_o,
  output logic [19:0]        reg_addr_o,
  output logic [31:0]        reg_wdata_o,
  output logic [3:0]         reg_wstrb_o,
  input  logic               reg_ack_i,
  input  logic [31:0]        reg_rdata_i,
  input  logic               reg_err_i,

  output logic               core_running_o,
  output logic               core_sleep_o
);
  shoal_core_complex #(
    .IramBytes (4096),
    .DramBytes (4096),
    .NumIrqs   (NumIrqs),
    .FastMul   (1'b0)
  ) u_complex (
    .clk_i,
    .rst_ni,
    .core_reset_i,
    .host_we_i,
    .host_addr_i,
    .host_wdata_i,
    .irq_src_i,
    .console_valid_o,
    .console_data_o,
    .reg_req_o,
    .reg_we_o,
    .reg_addr_o,
    .reg_wdata_o,
    .reg_wstrb_o,
    .reg_ack_i,
    .reg_rdata_i,
    .reg_err_i,
    .core_running_o,
    .core_sleep_o
  );
endmodule
