// Shoal soft core, small-FPGA configuration: the iterative multiplier (FastMul = 0) so the
// core fits an iCE40 UP5K / HX8K; used for synthesis figures. Same ports as shoal_core.
module shoal_core_ice40 (
  input  logic        clk_i,
  input  logic        rst_ni,

  output logic        instr_req_o,
  output logic [31:0] instr_addr_o,
  input  logic [31:0] instr_rdata_i,
  input  logic        instr_err_i,

  output logic        data_req_o,
  output logic        data_we_o,
  output logic [3:0]  data_be_o,
  output logic [31:0] data_addr_o,
  output logic [31:0] data_wdata_o,
  input  logic        data_rvalid_i,
  input  logic [31:0] data_rdata_i,
  input  logic        data_err_i,

  input  logic        irq_software_i,
  input  logic        irq_timer_i,
  input  logic        irq_external_i,

  output logic        sleep_o
);
  shoal_core #(
    .FastMul (1'b0)
  ) u_core (
    .clk_i,
    .rst_ni,
    .instr_req_o,
    .instr_addr_o,
    .instr_rdata_i,
    .instr_err_i,
    .data_req_o,
    .data_we_o,
    .data_be_o,
    .data_addr_o,
    .data_wdata_o,
    .data_rvalid_i,
    .data_rdata_i,
    .data_err_i,
    .irq_software_i,
    .irq_timer_i,
    .irq_external_i,
    .sleep_o
  );
endmodule
