// Shoal card top: BAR0 AXI4-Lite slave and the soft core's bus master -> arbiter -> internal
// register bus -> register blocks (ctrl, core, DRRM, WMU, ALLOC) and the DTB ROM window. See
// rtl/card/README.md for the map and the ports.
//
// The DRRM drives the processors' control ports and tells the WMU where each processor is
// (partition map, online); the WMU watches the processors' telemetry; DRRM, WMU and ALLOC
// interrupt the soft core (sources PARAM_CORE_IRQ_*), whose firmware drives them. Their events
// go into the audit log (rtl/audit), and are also shown on the ev* trace ports. Host software
// talks to the firmware through the command queues (rtl/queue): one 4 KiB page per queue, a
// doorbell interrupts the soft core, a completion raises the queue's host vector.
//
// IramInit / DramInit: $readmemh images the soft core boots from at card reset ("" = none; the
// simulation models pass build/firmware/shoal_fw.{iram,dram}.hex).
module shoal_card #(
  parameter int unsigned NUM_HOST_IRQS = shoal_regs_pkg::PARAM_NUM_HOST_IRQS,
  parameter int unsigned P             = shoal_regs_pkg::PARAM_NUM_PROCESSORS,
  parameter int unsigned K             = shoal_regs_pkg::PARAM_NUM_PARTITIONS,
  parameter int unsigned V             = shoal_regs_pkg::PARAM_NUM_IRQ_VECTORS,
  parameter int unsigned T             = shoal_regs_pkg::PARAM_NUM_RESOURCE_TYPES,
  parameter              IramInit      = "",
  parameter              DramInit      = "",
  localparam int unsigned KW = $clog2(K),
  localparam int unsigned PW = $clog2(P),
  localparam int unsigned VW = $clog2(V)
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
  output logic [NUM_HOST_IRQS-1:0] irq_o,
  // soft-core console: one byte per valid cycle (for the simulator, or a UART on a board)
  output logic console_valid_o,
  output logic [7:0] console_data_o,
  // processor control ports (DRRM), bit / lane p = processor p
  output logic [P-1:0] proc_pause_o,
  output logic [P-1:0] proc_resume_o,
  output logic [P*KW-1:0] proc_part_o,
  output logic [P-1:0] proc_online_o,
  input  logic [P-1:0] proc_quiesced_i,
  // processor telemetry (WMU): busy (vs idle), one memory / I/O event per cycle
  input  logic [P-1:0] proc_busy_i,
  input  logic [P-1:0] proc_mem_i,
  input  logic [P-1:0] proc_io_i,
  // address check (DRRM isolation): request -> allow/deny
  input  logic chk_valid_i, input logic [7:0] chk_proc_i, input logic [31:0] chk_addr_i,
  input  logic chk_we_i, output logic chk_valid_o, output logic chk_allow_o,
  // device interrupts into the DRRM's routing table -> delivery to a processor
  input  logic dev_irq_valid_i, input logic [VW-1:0] dev_irq_vec_i,
  output logic proc_irq_valid_o, output logic [PW-1:0] proc_irq_proc_o,
  output logic [VW-1:0] proc_irq_vec_o,
  // event trace port (what the audit log records, for observers): DRRM migrations (evm_*), DRRM
  // isolation violations (evv_*), ALLOC events as the audit log takes them (alloc_ev_*: a beat
  // in every cycle alloc_ev_valid_o is 1)
  output logic evm_valid_o, output logic evm_timeout_o, output logic [3:0] evm_op_o,
  output logic [7:0] evm_tag_o, output logic [KW-1:0] evm_part_o, output logic [P-1:0] evm_mask_o,
  output logic evv_valid_o, output logic [7:0] evv_proc_o, output logic [31:0] evv_addr_o,
  output logic evv_we_o, output logic [1:0] evv_reason_o,
  output logic alloc_ev_valid_o, output logic [63:0] alloc_ev_o
);
  logic alloc_ev_valid, alloc_ev_ready;
  // ---- BAR0 port ----
  logic        host_req, host_we, host_ack, host_err;
  logic [19:0] host_addr;
  logic [31:0] host_wdata, host_rdata;
  logic [3:0]  host_wstrb;

  shoal_axil_bridge #(.AW(20)) u_bridge (
    .clk_i, .rst_ni,
    .s_axil_awaddr_i, .s_axil_awvalid_i, .s_axil_awready_o,
    .s_axil_wdata_i, .s_axil_wstrb_i, .s_axil_wvalid_i, .s_axil_wready_o,
    .s_axil_bresp_o, .s_axil_bvalid_o, .s_axil_bready_i,
    .s_axil_araddr_i, .s_axil_arvalid_i, .s_axil_arready_o,
    .s_axil_rdata_o, .s_axil_rresp_o, .s_axil_rvalid_o, .s_axil_rready_i,
    .bus_req_o(host_req), .bus_we_o(host_we), .bus_addr_o(host_addr),
    .bus_wdata_o(host_wdata), .bus_wstrb_o(host_wstrb),
    .bus_ack_i(host_ack), .bus_rdata_i(host_rdata), .bus_err_i(host_err)
  );

  // AXI protection bits carry no meaning on this card
  logic unused_prot;
  assign unused_prot = ^{s_axil_awprot_i, s_axil_arprot_i};

  // ---- arbiter: host port and soft-core master share the internal bus (round robin) ----
  logic        mst_req, mst_we, mst_ack, mst_err;
  logic [19:0] mst_addr;
  logic [31:0] mst_wdata, mst_rdata;
  logic [3:0]  mst_wstrb;
  logic        bus_req, bus_we, bus_ack, bus_err;
  logic [19:0] bus_addr;
  logic [31:0] bus_wdata, bus_rdata;
  logic [3:0]  bus_wstrb;
  logic        bus_core;

  shoal_bus_arbiter #(.AW(20)) u_arbiter (
    .clk_i, .rst_ni,
    .h_req_i(host_req), .h_we_i(host_we), .h_addr_i(host_addr), .h_wdata_i(host_wdata),
    .h_wstrb_i(host_wstrb), .h_ack_o(host_ack), .h_rdata_o(host_rdata), .h_err_o(host_err),
    .c_req_i(mst_req), .c_we_i(mst_we), .c_addr_i(mst_addr), .c_wdata_i(mst_wdata),
    .c_wstrb_i(mst_wstrb), .c_ack_o(mst_ack), .c_rdata_o(mst_rdata), .c_err_o(mst_err),
    .m_req_o(bus_req), .m_we_o(bus_we), .m_addr_o(bus_addr), .m_wdata_o(bus_wdata),
    .m_wstrb_o(bus_wstrb), .m_core_o(bus_core), .m_ack_i(bus_ack), .m_rdata_i(bus_rdata), .m_err_i(bus_err)
  );

  // ---- decoder ----
  logic        blk_we, blk_core;
  logic [16:0] blk_addr;   // block offset; the blocks up to 16 KiB take [13:0]
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
  logic        audit_req, audit_ack, audit_err;
  logic [31:0] audit_rdata;
  logic        queue_req, queue_ack, queue_err;
  logic [31:0] queue_rdata;
  logic        err_evt;
  logic [31:0] err_addr, err_info;

  shoal_bus_decoder #(.AW(20)) u_decoder (
    .clk_i, .rst_ni,
    .m_req_i(bus_req), .m_we_i(bus_we), .m_addr_i(bus_addr), .m_wdata_i(bus_wdata),
    .m_wstrb_i(bus_wstrb), .m_core_i(bus_core), .m_ack_o(bus_ack), .m_rdata_o(bus_rdata),
    .m_err_o(bus_err),
    .blk_we_o(blk_we), .blk_addr_o(blk_addr), .blk_wdata_o(blk_wdata), .blk_wstrb_o(blk_wstrb),
    .blk_core_o(blk_core),
    .ctrl_req_o(ctrl_req), .ctrl_ack_i(ctrl_ack), .ctrl_rdata_i(ctrl_rdata), .ctrl_err_i(ctrl_err),
    .dtb_req_o(dtb_req), .dtb_ack_i(dtb_ack), .dtb_rdata_i(dtb_rdata), .dtb_err_i(dtb_err),
    .core_req_o(core_req), .core_ack_i(core_ack), .core_rdata_i(core_rdata), .core_err_i(core_err),
    .drrm_req_o(drrm_req), .drrm_ack_i(drrm_ack), .drrm_rdata_i(drrm_rdata), .drrm_err_i(drrm_err),
    .wmu_req_o(wmu_req), .wmu_ack_i(wmu_ack), .wmu_rdata_i(wmu_rdata), .wmu_err_i(wmu_err),
    .alloc_req_o(alloc_req), .alloc_ack_i(alloc_ack), .alloc_rdata_i(alloc_rdata),
    .alloc_err_i(alloc_err),
    .audit_req_o(audit_req), .audit_ack_i(audit_ack), .audit_rdata_i(audit_rdata),
    .audit_err_i(audit_err),
    .queue_req_o(queue_req), .queue_ack_i(queue_ack), .queue_rdata_i(queue_rdata),
    .queue_err_i(queue_err),
    .err_evt_o(err_evt), .err_addr_o(err_addr), .err_info_o(err_info)
  );

  // ---- ctrl block ----
  logic soft_rst;  // pulse on a keyed SOFT_RESET write; for blocks with their own state
  logic [NUM_HOST_IRQS-1:0] ctrl_irq;
  logic [63:0] cycle;

  shoal_ctrl_regs #(.NUM_HOST_IRQS(NUM_HOST_IRQS)) u_ctrl (
    .clk_i, .rst_ni,
    .reg_req_i(ctrl_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr[13:0]), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_core_i(blk_core), .reg_ack_o(ctrl_ack), .reg_rdata_o(ctrl_rdata),
    .reg_err_o(ctrl_err),
    .ext_err_i(err_evt), .ext_err_addr_i(err_addr), .ext_err_info_i(err_info),
    .irq_o(ctrl_irq), .soft_rst_o(soft_rst), .cycle_o(cycle)
  );

  // ---- DTB ROM window ----
  shoal_dtb_rom u_dtb (
    .clk_i, .rst_ni,
    .reg_req_i(dtb_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr[13:0]), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_ack_o(dtb_ack), .reg_rdata_o(dtb_rdata), .reg_err_o(dtb_err)
  );

  // ---- soft core (rtl/core: core register block + core complex) ----
  // The core reaches every block through the arbiter, its own register block included (the
  // block answers on its own, so that cannot deadlock). Interrupt sources [7:0] are the host
  // doorbells inside the block; the card-internal ones follow (shoal_regs_pkg::PARAM_CORE_IRQ_*).
  localparam int unsigned CoreIrqs = 16;
  logic drrm_irq, wmu_irq, alloc_inv_err, queue_core_irq;
  logic [CoreIrqs-9:0] core_irq_src;
  always_comb begin
    core_irq_src = '0;
    core_irq_src[shoal_regs_pkg::PARAM_CORE_IRQ_DRRM - 8]  = drrm_irq;
    core_irq_src[shoal_regs_pkg::PARAM_CORE_IRQ_WMU - 8]   = wmu_irq;
    core_irq_src[shoal_regs_pkg::PARAM_CORE_IRQ_ALLOC - 8] = alloc_inv_err;
    core_irq_src[shoal_regs_pkg::PARAM_CORE_IRQ_QUEUE - 8] = queue_core_irq;
  end

  shoal_core_block #(
    .NumIrqs  (CoreIrqs),
    .IramInit (IramInit),
    .DramInit (DramInit)
  ) u_core (
    .clk_i, .rst_ni,
    .reg_req_i(core_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr[13:0]), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_core_i(blk_core), .reg_ack_o(core_ack),
    .reg_rdata_o(core_rdata), .reg_err_o(core_err),
    .mst_req_o(mst_req), .mst_we_o(mst_we), .mst_addr_o(mst_addr), .mst_wdata_o(mst_wdata),
    .mst_wstrb_o(mst_wstrb), .mst_ack_i(mst_ack), .mst_rdata_i(mst_rdata), .mst_err_i(mst_err),
    .irq_src_i(core_irq_src),
    .console_valid_o, .console_data_o
  );

  // ---- DRRM, WMU, ALLOC ----
  // A keyed SOFT_RESET returns their state to reset too (one registered pulse; the soft core
  // keeps running across it: the host restarts it with core.CTRL.reset).
  logic blk_rst_nq, blk_rst_n;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) blk_rst_nq <= 1'b1;
    else         blk_rst_nq <= !soft_rst;
  end
  assign blk_rst_n = rst_ni && blk_rst_nq;

  // The processor-side inputs come from outside the card (the processors' agents): one register
  // stage at the boundary, so no input reaches block logic combinationally.
  logic [P-1:0]  quiesced_q, busy_q, mem_q, io_q;
  logic          chk_valid_q, chk_we_q, dev_irq_valid_q;
  logic [7:0]    chk_proc_q;
  logic [31:0]   chk_addr_q;
  logic [VW-1:0] dev_irq_vec_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      quiesced_q      <= '0;
      busy_q          <= '0;
      mem_q           <= '0;
      io_q            <= '0;
      chk_valid_q     <= 1'b0;
      chk_we_q        <= 1'b0;
      chk_proc_q      <= '0;
      chk_addr_q      <= '0;
      dev_irq_valid_q <= 1'b0;
      dev_irq_vec_q   <= '0;
    end else begin
      quiesced_q      <= proc_quiesced_i;
      busy_q          <= proc_busy_i;
      mem_q           <= proc_mem_i;
      io_q            <= proc_io_i;
      chk_valid_q     <= chk_valid_i;
      chk_we_q        <= chk_we_i;
      chk_proc_q      <= chk_proc_i;
      chk_addr_q      <= chk_addr_i;
      dev_irq_valid_q <= dev_irq_valid_i;
      dev_irq_vec_q   <= dev_irq_vec_i;
    end
  end

  logic [P-1:0] drrm_online;
  drrm #(.P(P), .K(K), .V(V)) u_drrm (
    .clk_i, .rst_ni(blk_rst_n),
    .reg_req_i(drrm_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr[13:0]), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_ack_o(drrm_ack), .reg_rdata_o(drrm_rdata), .reg_err_o(drrm_err),
    .irq_o(drrm_irq),
    .pause_o(proc_pause_o), .resume_o(proc_resume_o), .part_o(proc_part_o),
    .online_o(drrm_online), .quiesced_i(quiesced_q),
    .chk_valid_i(chk_valid_q), .chk_proc_i(chk_proc_q), .chk_addr_i(chk_addr_q),
    .chk_we_i(chk_we_q), .chk_valid_o, .chk_allow_o,
    .irq_valid_i(dev_irq_valid_q), .irq_vec_i(dev_irq_vec_q), .irq_out_valid_o(proc_irq_valid_o),
    .irq_out_proc_o(proc_irq_proc_o), .irq_out_vec_o(proc_irq_vec_o),
    .evm_valid_o, .evm_timeout_o, .evm_op_o, .evm_tag_o, .evm_part_o, .evm_mask_o,
    .evv_valid_o, .evv_proc_o, .evv_addr_o, .evv_we_o, .evv_reason_o
  );
  assign proc_online_o = drrm_online;

  // the WMU's sample and crossing lanes are for a future consumer; firmware reads the registers
  logic        wmu_evt_valid, wmu_evt_up, wmu_smp_valid;
  logic [3:0]  wmu_evt_part, wmu_smp_part;
  logic [15:0] wmu_smp_seq, wmu_smp_util, wmu_smp_ewma;
  wmu #(.P(P), .K(K)) u_wmu (
    .clk_i, .rst_ni(blk_rst_n),
    .busy_i(busy_q), .mem_i(mem_q), .io_i(io_q),
    .assigned_i(drrm_online), .part_i(proc_part_o),
    .reg_req_i(wmu_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr[13:0]), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_ack_o(wmu_ack), .reg_rdata_o(wmu_rdata), .reg_err_o(wmu_err),
    .irq_o(wmu_irq),
    .evt_valid_o(wmu_evt_valid), .evt_part_o(wmu_evt_part), .evt_up_o(wmu_evt_up),
    .smp_valid_o(wmu_smp_valid), .smp_part_o(wmu_smp_part), .smp_seq_o(wmu_smp_seq),
    .smp_util_o(wmu_smp_util), .smp_ewma_o(wmu_smp_ewma)
  );
  logic unused_wmu_lanes;
  assign unused_wmu_lanes = ^{wmu_evt_valid, wmu_evt_up, wmu_evt_part, wmu_smp_valid,
                              wmu_smp_part, wmu_smp_seq, wmu_smp_util, wmu_smp_ewma};

  alloc_regs #(.K(K), .T(T)) u_alloc (
    .clk_i, .rst_ni(blk_rst_n),
    .reg_req_i(alloc_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr[13:0]), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_ack_o(alloc_ack), .reg_rdata_o(alloc_rdata),
    .reg_err_o(alloc_err),
    .ev_valid_o(alloc_ev_valid), .ev_ready_i(alloc_ev_ready), .ev_o(alloc_ev_o),
    .inv_err_o(alloc_inv_err)
  );
  // the event trace port shows the ALLOC events as the audit log takes them
  assign alloc_ev_valid_o = alloc_ev_valid && alloc_ev_ready;

  // ---- audit log (rtl/audit, docs/audit.md): the ALLOC and DRRM events and firmware records ----
  logic audit_irq;
  shoal_audit #(.P(P), .K(K)) u_audit (
    .clk_i, .rst_ni(blk_rst_n), .cycle_i(cycle),
    .reg_req_i(audit_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr[15:0]), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_core_i(blk_core), .reg_ack_o(audit_ack),
    .reg_rdata_o(audit_rdata), .reg_err_o(audit_err),
    .alloc_valid_i(alloc_ev_valid), .alloc_ready_o(alloc_ev_ready), .alloc_ev_i(alloc_ev_o),
    .evm_valid_i(evm_valid_o), .evm_timeout_i(evm_timeout_o), .evm_op_i(evm_op_o),
    .evm_tag_i(evm_tag_o), .evm_part_i(evm_part_o), .evm_mask_i(evm_mask_o),
    .evv_valid_i(evv_valid_o), .evv_proc_i(evv_proc_o), .evv_addr_i(evv_addr_o),
    .evv_we_i(evv_we_o), .evv_reason_i(evv_reason_o),
    .irq_o(audit_irq)
  );

  // ---- command queues (rtl/queue, docs/queues.md) ----
  logic [shoal_regs_pkg::PARAM_NUM_QUEUES-1:0] queue_irq;
  shoal_queue u_queue (
    .clk_i, .rst_ni(blk_rst_n),
    .reg_req_i(queue_req), .reg_we_i(blk_we), .reg_addr_i(blk_addr), .reg_wdata_i(blk_wdata),
    .reg_wstrb_i(blk_wstrb), .reg_core_i(blk_core), .reg_ack_o(queue_ack),
    .reg_rdata_o(queue_rdata), .reg_err_o(queue_err),
    .irq_o(queue_irq), .core_irq_o(queue_core_irq)
  );

  // ---- host interrupt vectors: ctrl's causes, the audit log, one per queue ----
  always_comb begin
    irq_o = ctrl_irq;
    irq_o[shoal_regs_pkg::PARAM_HOST_IRQ_AUDIT] = irq_o[shoal_regs_pkg::PARAM_HOST_IRQ_AUDIT] | audit_irq;
    for (int q = 0; q < shoal_regs_pkg::PARAM_NUM_QUEUES; q++) begin
      irq_o[shoal_regs_pkg::PARAM_HOST_IRQ_QUEUE_BASE + q] =
          irq_o[shoal_regs_pkg::PARAM_HOST_IRQ_QUEUE_BASE + q] | queue_irq[q];
    end
  end
endmodule
