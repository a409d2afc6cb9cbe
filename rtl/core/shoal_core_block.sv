// Shoal soft core block: what shoal_card instantiates. The `core` register block (BAR0 slave:
// reset/run, firmware download, doorbells) in front of the core complex (core, RAMs, CLINT,
// interrupt controller, console, and a master port on the card register bus).
//
// Interrupt controller sources: [7:0] = the host doorbells (core.DOORBELL), [NumIrqs-1:8] =
// card-internal sources (irq_src_i). Memory sizes and bases come from the register map.
module shoal_core_block #(
  parameter int unsigned IramBytes = shoal_regs_pkg::CORE_IRAM_BYTES_RESET,
  parameter int unsigned DramBytes = shoal_regs_pkg::CORE_DRAM_BYTES_RESET,
  parameter int unsigned NumIrqs   = 16,
  parameter bit          FastMul   = 1'b1,
  parameter              IramInit  = "",
  parameter              DramInit  = ""
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  // BAR0 register slave (block-relative 14-bit byte offset)
  input  logic               reg_req_i,
  input  logic               reg_we_i,
  input  logic [13:0]        reg_addr_i,
  input  logic [31:0]        reg_wdata_i,
  input  logic [3:0]         reg_wstrb_i,
  input  logic               reg_core_i,   // origin: 1 = the soft core's own card-bus access
  output logic               reg_ack_o,
  output logic [31:0]        reg_rdata_o,
  output logic               reg_err_o,
  // the core's master port on the card register bus (20-bit BAR0 byte offset)
  output logic               mst_req_o,
  output logic               mst_we_o,
  output logic [19:0]        mst_addr_o,
  output logic [31:0]        mst_wdata_o,
  output logic [3:0]         mst_wstrb_o,
  input  logic               mst_ack_i,
  input  logic [31:0]        mst_rdata_i,
  input  logic               mst_err_i,
  // card-internal interrupt sources (level)
  input  logic [NumIrqs-9:0] irq_src_i,
  // console bytes for the simulator / a UART
  output logic               console_valid_o,
  output logic [7:0]         console_data_o
);
  logic        core_reset, host_we, running, sleeping;

  logic [31:0] host_addr, host_wdata;
  logic [7:0]  doorbell;

  shoal_core_regs #(
    .IramBase  (shoal_regs_pkg::CORE_IRAM_BASE_RESET),
    .IramBytes (IramBytes),
    .DramBase  (shoal_regs_pkg::CORE_DRAM_BASE_RESET),
    .DramBytes (DramBytes)
  ) u_regs (
    .clk_i,
    .rst_ni,
    .reg_req_i,
    .reg_we_i,
    .reg_addr_i,
    .reg_wdata_i,
    .reg_wstrb_i,
    .reg_ack_o,
    .reg_rdata_o,
    .reg_err_o,
    .core_reset_o   (core_reset),
    .host_we_o      (host_we),
    .host_addr_o    (host_addr),
    .host_wdata_o   (host_wdata),
    .doorbell_o     (doorbell),
    .core_running_i (running),
    .core_sleep_i   (sleeping),
    .core_wr_i      (reg_core_i && reg_we_i)
  );

  shoal_core_complex #(
    .IramBytes (IramBytes),
    .DramBytes (DramBytes),
    .IramBase  (shoal_regs_pkg::CORE_IRAM_BASE_RESET),
    .DramBase  (shoal_regs_pkg::CORE_DRAM_BASE_RESET),
    .NumIrqs   (NumIrqs),
    .FastMul   (FastMul),
    .IramInit  (IramInit),
    .DramInit  (DramInit)
  ) u_complex (
    .clk_i,
    .rst_ni,
    .core_reset_i    (core_reset),
    .host_we_i       (host_we),
    .host_addr_i     (host_addr),
    .host_wdata_i    (host_wdata),
    .irq_src_i       ({irq_src_i, doorbell}),
    .console_valid_o,
    .console_data_o,
    .reg_req_o       (mst_req_o),
    .reg_we_o        (mst_we_o),
    .reg_addr_o      (mst_addr_o),
    .reg_wdata_o     (mst_wdata_o),
    .reg_wstrb_o     (mst_wstrb_o),
    .reg_ack_i       (mst_ack_i),
    .reg_rdata_i     (mst_rdata_i),
    .reg_err_i       (mst_err_i),
    .core_running_o  (running),
    .core_sleep_o    (sleeping)
  );
endmodule
