// Shoal card top: BAR0 AXI4-Lite slave -> internal register bus -> register blocks and the
// DTB ROM window. See rtl/card/README.md for the module map.
module shoal_card #(
  parameter int unsigned NUM_HOST_IRQS = shoal_regs_pkg::PARAM_NUM_HOST_IRQS
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic [19:0] s_axil_awaddr_i, input logic [2:0] s_axil_awprot_i,
  input  logic s_axil_awvalid_i, output logic s_axil_awready_o,
  input  logic [31:0] s_axil_wdata_i, input logic [3:0] s_axil_wstrb_i,
  input  logic s_axil_wvalid_i, output logic s_axil_wready_o,
  output logic [1:0] s_axil_bresp_o, output logic s_axil_bvalid_o, input logic s_axil_bready_i,
  input  logic [19:0] s_axil_araddr_i, input logic [2:0] s_axil_arprot_i,
  input  logic s_axil_arvalid_i, output logic s_axil_arready_o,
  output logic [31:0] s_axil_rdata_o, output logic [1:0] s_axil_rresp_o,
  output logic s_axil_rvalid_o, input logic s_axil_rready_i,
  output logic [NUM_HOST_IRQS-1:0] irq_o
);
  // ---- BAR0 port ----
  logic        bus_req, bus_we, bus_ack, bus_err;
  logic [19:0] bus_addr;
  logic [31:0] bus_wdata, bus_rdata;
  logic [3:0]  bus_wstrb;

  shoal_axil_bridge #(.AW(20)) u_bridge (
    .clk_i, .rst_ni,
    .s_axil_awaddr_i, .s_axil_awvalid_i, .s_axil_awready_o,
    .s_axil_wdata_i, .s_axil_wstrb_i, .s_axil_wvalid_i, .s_axil_wready_o,
    .s_axil_bresp_o, .s_axil_bvalid_o, .s_axil_bready_i,
    .s_axil_araddr_i, .s_axil_arvalid_i, .s_axil_arready_o,
    .s_axil_rdata_o, .s_axil_rresp_o, .s_axil_rvalid_o, .s_axil_rready_i,
    .bus_req_o(bus_req), .bus_we_o(bus_we), .bus_addr_o(bus_addr),
    .bus_wdata_o(bus_wdata), .bus_wstrb_o(bus_wstrb),
    .bus_ack_i(bus_ack), .bus_rdata_i(bus_rdata), .bus_err_i(bus_err)
  );

  // AXI protection bits carry no meaning on this card
  logic unused_prot;
  assign unused_prot = ^{s_axil_awprot_i, s_axil_arprot_i};

  // ---- decoder ----
  logic        blk_we;
  logic [13:0] blk_addr;
  logic [31:0] blk_wdata;
  logic [3:0]  blk_wstrb;
  logic        ctrl_req, ctrl_ack, ctrl_err;
  logic [31:0] ctrl_rdata;
  logic        dtb_req, dtb_ack, dtb_err;
  logic [31:0] dtb_rdata;
  logic        core_req, core_ack, core_err;
  logic [31:0] core_rdata;
  logic        drrm_req, drrm_ack, drrm_err;
  logic [31:0] drrm_rdata;
  logic        wmu_req, wmu_ack, wmu_err;
  logic [31:0] wmu_rdata;
  logic        alloc_req, alloc_ack, alloc_err;
  logic [31:0] alloc_rdata;
  logic        err_evt;
  logic [31:0] err_addr, err_info;

  shoal_bus_decoder #(.AW(20)) u_decoder (
    .clk_i, .rst_ni,
    .m_req_i(bus_req), .m_we_i(bus_we), .m_addr_i(bus_addr), .m_wdata_i(bus_wdata),
    .m_wstrb_i(bus_wstrb), .m_ack_o(bus_ack), .m_rdata_o(bus_rdata), .m_err_o(bus_err),
    .blk_we_o(blk_we), .blk_addr_o(blk_addr), .blk_wdata_o(blk_wdata), .blk_wstrb_o(blk_wstrb),
    .ctrl_req_o(ctrl_req), .ctrl_ack_i(ctrl_ack), .ctrl_rdata_i(ctrl_rdata), .ctrl_err_i(ctrl_err),
    .dtb_req_o(dtb_req), .dtb_ack_i(dtb_ack), .dtb_rdata_i(dtb_rdata), .dtb_err_i(dtb_err),
    .core_req_o(core_req), .core_ack_i(core_ack), .core_rdata_i(core_rdata), .core_err_i(core_err),
    .drrm_req_o(drrm_req), .drrm_ack_i(drrm_ack), .drrm_rdata_i(drrm_rdata), .drrm_err_i(drrm_err),
    .wmu_req_o(wmu_req), .wmu_ack_i(wmu_ack), .wmu_rdata_i(wmu_rdata), .wmu_err_i(wmu_err),
    .alloc_req_o(alloc_req), .alloc_ack_i(alloc_ack), .alloc_rdata_i(alloc_rdata),
    .alloc_err_i(alloc_err),
    .err_evt_o(err_evt), .err_addr_o(err_addr), .err_info_o(err_info)
  );

  // ---- ctrl block ----
  logic soft_rst;  // pulse on a keyed SOFT_RESET write; for blocks with their own state

  shoal_ctrl_regs #(.NUM_HOST_IRQS(NUM_HOST_IRQS)) u_ctrl (
    .clk_i, .rst_ni,
    .reg_req_i(ctrl_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_ack_o(ctrl_ack), .reg_rdata_o(ctrl_rdata), .reg_err_o(ctrl_err),
    .ext_err_i(err_evt), .ext_err_addr_i(err_addr), .ext_err_info_i(err_info),
    .irq_o, .soft_rst_o(soft_rst)
  );

  // ---- DTB ROM window ----
  shoal_dtb_rom u_dtb (
    .clk_i, .rst_ni,
    .reg_req_i(dtb_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_ack_o(dtb_ack), .reg_rdata_o(dtb_rdata), .reg_err_o(dtb_err)
  );

  // ---- optional blocks ----
  // None is built into the card yet (<BLOCK>_PRESENT = 0 in rtl/regmap/card.toml, so the
  // decoder never selects them). A block is wired by instantiating it here on blk_* and its
  // <block>_req/_ack/_rdata/_err, passing soft_rst, and setting present = true.
  assign core_ack  = 1'b0;
  assign core_rdata = '0;
  assign core_err  = 1'b0;
  assign drrm_ack  = 1'b0;
  assign drrm_rdata = '0;
  assign drrm_err  = 1'b0;
  assign wmu_ack   = 1'b0;
  assign wmu_rdata = '0;
  assign wmu_err   = 1'b0;
  assign alloc_ack = 1'b0;
  assign alloc_rdata = '0;
  assign alloc_err = 1'b0;

  logic unused_blocks;
  assign unused_blocks = ^{core_req, drrm_req, wmu_req, alloc_req, soft_rst};
endmodule
