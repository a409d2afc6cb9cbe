// Internal register bus decoder: one master (the AXI bridge, BAR0 byte offsets) to the
// register blocks and the DTB ROM window, by the bases and sizes in shoal_regs_pkg.
//
// - A block whose <BLOCK>_PRESENT is 0 is not decoded: its offsets are unmapped.
// - An unmapped offset, or a write to the read-only DTB window, is refused here: no block sees
//   it, the answer (err) comes one cycle later.
// - A block with <BLOCK>_HOST_WRITE = 0 (host_write = false in the register map: the firmware
//   drives it) takes writes from the soft core only (m_core_i = 1): a host write to it is
//   refused here the same way (BUS_ERR_INFO.fwonly); the host may read it.
// - A block that does not answer within TIMEOUT cycles is answered with err (the card never
//   wedges); a late answer from it is dropped.
// - Every refusal except the ctrl block's own (ctrl records those itself, knowing their kind)
//   is reported on err_evt_o with the BAR0 offset and a BUS_ERR_INFO word for ctrl to capture.
module shoal_bus_decoder #(
  parameter int unsigned AW      = 20,
  parameter int unsigned TIMEOUT = 255
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // from the bus master
  input  logic          m_req_i,
  input  logic          m_we_i,
  input  logic [AW-1:0] m_addr_i,
  input  logic [31:0]   m_wdata_i,
  input  logic [3:0]    m_wstrb_i,
  input  logic          m_core_i,   // origin: 1 = the soft core, 0 = the host (BAR0)
  output logic          m_ack_o,
  output logic [31:0]   m_rdata_o,
  output logic          m_err_o,
  // to the blocks: shared request fields (offset inside the selected block) ...
  output logic          blk_we_o,
  output logic [16:0]   blk_addr_o,   // offset inside the block (most blocks use [13:0])
  output logic [31:0]   blk_wdata_o,
  output logic [3:0]    blk_wstrb_o,
  output logic          blk_core_o,
  // ... and one request/answer set per target
  output logic          ctrl_req_o,
  input  logic          ctrl_ack_i,
  input  logic [31:0]   ctrl_rdata_i,
  input  logic          ctrl_err_i,
  output logic          dtb_req_o,
  input  logic          dtb_ack_i,
  input  logic [31:0]   dtb_rdata_i,
  input  logic          dtb_err_i,
  output logic          core_req_o,
  input  logic          core_ack_i,
  input  logic [31:0]   core_rdata_i,
  input  logic          core_err_i,
  output logic          drrm_req_o,
  input  logic          drrm_ack_i,
  input  logic [31:0]   drrm_rdata_i,
  input  logic          drrm_err_i,
  output logic          wmu_req_o,
  input  logic          wmu_ack_i,
  input  logic [31:0]   wmu_rdata_i,
  input  logic          wmu_err_i,
  output logic          alloc_req_o,
  input  logic          alloc_ack_i,
  input  logic [31:0]   alloc_rdata_i,
  input  logic          alloc_err_i,
  output logic          audit_req_o,
  input  logic          audit_ack_i,
  input  logic [31:0]   audit_rdata_i,
  input  logic          audit_err_i,
  output logic          queue_req_o,
  input  logic          queue_ack_i,
  input  logic [31:0]   queue_rdata_i,
  input  logic          queue_err_i,
  // refused-access report for the ctrl block's BUS_ERR_* registers
  output logic          err_evt_o,
  output logic [31:0]   err_addr_o,
  output logic [31:0]   err_info_o
);
  localparam int unsigned NT = 8;  // targets: ctrl, dtb, core, drrm, wmu, alloc, audit, queue (bit order)

  function automatic logic in_range(input logic [31:0] a, input logic [31:0] base,
                                    input logic [31:0] size, input logic present);
    in_range = present && (a >= base) && (a < base + size);
  endfunction

  logic [31:0] addr;
  assign addr = {{(32 - AW){1'b0}}, m_addr_i};

  // ---- decode (combinational on the request) ----
  logic [NT-1:0] hit;
  always_comb begin
    hit[0] = in_range(addr, shoal_regs_pkg::CTRL_BASE, shoal_regs_pkg::CTRL_SIZE,
                      shoal_regs_pkg::CTRL_PRESENT != 0);
    hit[1] = in_range(addr, shoal_regs_pkg::WIN_DTB_BASE, shoal_regs_pkg::WIN_DTB_SIZE, 1'b1);
    hit[2] = in_range(addr, shoal_regs_pkg::CORE_BASE, shoal_regs_pkg::CORE_SIZE,
                      shoal_regs_pkg::CORE_PRESENT != 0);
    hit[3] = in_range(addr, shoal_regs_pkg::DRRM_BASE, shoal_regs_pkg::DRRM_SIZE,
                      shoal_regs_pkg::DRRM_PRESENT != 0);
    hit[4] = in_range(addr, shoal_regs_pkg::WMU_BASE, shoal_regs_pkg::WMU_SIZE,
                      shoal_regs_pkg::WMU_PRESENT != 0);
    hit[5] = in_range(addr, shoal_regs_pkg::ALLOC_BASE, shoal_regs_pkg::ALLOC_SIZE,
                      shoal_regs_pkg::ALLOC_PRESENT != 0);
    hit[6] = in_range(addr, shoal_regs_pkg::AUDIT_BASE, shoal_regs_pkg::AUDIT_SIZE,
                      shoal_regs_pkg::AUDIT_PRESENT != 0);
    hit[7] = in_range(addr, shoal_regs_pkg::QUEUE_BASE, shoal_regs_pkg::QUEUE_SIZE,
                      shoal_regs_pkg::QUEUE_PRESENT != 0);
  end

  // targets that refuse writes from the host (the DTB window is refused for everyone below)
  logic [NT-1:0] fw_only;
  assign fw_only = {shoal_regs_pkg::QUEUE_HOST_WRITE == 0, shoal_regs_pkg::AUDIT_HOST_WRITE == 0,
                    shoal_regs_pkg::ALLOC_HOST_WRITE == 0, shoal_regs_pkg::WMU_HOST_WRITE == 0,
                    shoal_regs_pkg::DRRM_HOST_WRITE == 0, shoal_regs_pkg::CORE_HOST_WRITE == 0,
                    1'b0, shoal_regs_pkg::CTRL_HOST_WRITE == 0};

  logic [31:0] base;
  always_comb begin
    base = ({32{hit[0]}} & shoal_regs_pkg::CTRL_BASE)
         | ({32{hit[1]}} & shoal_regs_pkg::WIN_DTB_BASE)
         | ({32{hit[2]}} & shoal_regs_pkg::CORE_BASE)
         | ({32{hit[3]}} & shoal_regs_pkg::DRRM_BASE)
         | ({32{hit[4]}} & shoal_regs_pkg::WMU_BASE)
         | ({32{hit[5]}} & shoal_regs_pkg::ALLOC_BASE)
         | ({32{hit[6]}} & shoal_regs_pkg::AUDIT_BASE)
         | ({32{hit[7]}} & shoal_regs_pkg::QUEUE_BASE);
  end

  logic [31:0] offset;
  assign offset = addr - base;
  logic unused_offset_msbs;
  assign unused_offset_msbs = ^offset[31:17];  // blocks span at most 128 KiB

  // the DTB window is a ROM: writes to it are refused here, never forwarded; so are host
  // writes to the firmware-driven blocks
  logic dtb_write, host_write, fwd, refuse;
  assign dtb_write  = hit[1] && m_we_i;
  assign host_write = m_we_i && !m_core_i && ((hit & fw_only) != '0);
  assign fwd        = m_req_i && (hit != '0) && !dtb_write && !host_write;
  assign refuse    = m_req_i && !fwd;

  logic [NT-1:0] req;
  assign req = fwd ? hit : '0;

  assign ctrl_req_o  = req[0];
  assign dtb_req_o   = req[1];
  assign core_req_o  = req[2];
  assign drrm_req_o  = req[3];
  assign wmu_req_o   = req[4];
  assign alloc_req_o = req[5];
  assign audit_req_o = req[6];
  assign queue_req_o = req[7];

  assign blk_we_o    = m_we_i;
  assign blk_addr_o  = offset[16:0];
  assign blk_wdata_o = m_wdata_i;
  assign blk_wstrb_o = m_wstrb_i;
  assign blk_core_o  = m_core_i;

  // ---- answers ----
  logic [NT-1:0] acks, errs;
  assign acks = {queue_ack_i, audit_ack_i, alloc_ack_i, wmu_ack_i, drrm_ack_i, core_ack_i,
                 dtb_ack_i, ctrl_ack_i};
  assign errs = {queue_err_i, audit_err_i, alloc_err_i, wmu_err_i, drrm_err_i, core_err_i,
                 dtb_err_i, ctrl_err_i};

  logic [NT-1:0] sel_q;          // target of the request in flight (one-hot, 0 = none)
  logic          loc_q;          // a refusal of ours is due
  logic          loc_ro_q;       // ... because of a write to a read-only window
  logic          loc_fw_q;       // ... because of a host write to a firmware-driven block
  logic          core_q;         // the request came from the soft core
  logic          we_q;
  logic [31:0]   addr_q;
  logic [7:0]    wait_q;

  logic          blk_ack, blk_err, timed_out;
  logic [31:0]   blk_rdata;
  always_comb begin
    blk_ack   = |(sel_q & acks);
    blk_err   = |(sel_q & acks & errs);
    blk_rdata = '0;
    blk_rdata |= {32{sel_q[0]}} & ctrl_rdata_i;
    blk_rdata |= {32{sel_q[1]}} & dtb_rdata_i;
    blk_rdata |= {32{sel_q[2]}} & core_rdata_i;
    blk_rdata |= {32{sel_q[3]}} & drrm_rdata_i;
    blk_rdata |= {32{sel_q[4]}} & wmu_rdata_i;
    blk_rdata |= {32{sel_q[5]}} & alloc_rdata_i;
    blk_rdata |= {32{sel_q[6]}} & audit_rdata_i;
    blk_rdata |= {32{sel_q[7]}} & queue_rdata_i;
  end
  assign timed_out = (sel_q != '0) && !blk_ack && ({24'd0, wait_q} >= TIMEOUT);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sel_q    <= '0;
      loc_q    <= 1'b0;
      loc_ro_q <= 1'b0;
      loc_fw_q <= 1'b0;
      core_q   <= 1'b0;
      we_q     <= 1'b0;
      addr_q   <= '0;
      wait_q   <= '0;
    end else begin
      loc_q <= refuse;
      if (m_req_i) begin
        sel_q    <= req;
        loc_ro_q <= dtb_write;
        loc_fw_q <= host_write;
        core_q   <= m_core_i;
        we_q     <= m_we_i;
        addr_q   <= addr;
        wait_q   <= '0;
      end else if (blk_ack || timed_out) begin
        sel_q <= '0;
      end else if (sel_q != '0) begin
        wait_q <= wait_q + 8'd1;
      end
    end
  end

  assign m_ack_o   = loc_q || blk_ack || timed_out;
  assign m_err_o   = loc_q || blk_err || timed_out;
  assign m_rdata_o = (blk_ack && !blk_err) ? blk_rdata : 32'd0;

  // ---- refusal report (ctrl's own refusals excluded) ----
  logic [31:0] info;
  always_comb begin
    info = we_q ? shoal_regs_pkg::CTRL_BUS_ERR_INFO_WRITE_MASK : 32'd0;
    if (core_q) info |= shoal_regs_pkg::CTRL_BUS_ERR_INFO_CORE_MASK;
    if (loc_q) begin
      if (loc_ro_q) info |= shoal_regs_pkg::CTRL_BUS_ERR_INFO_READONLY_MASK;
      else if (loc_fw_q) info |= shoal_regs_pkg::CTRL_BUS_ERR_INFO_FWONLY_MASK;
      else info |= shoal_regs_pkg::CTRL_BUS_ERR_INFO_UNMAPPED_MASK;
    end
  end
  assign err_evt_o  = loc_q || timed_out || (blk_err && !sel_q[0]);
  assign err_addr_o = addr_q;
  assign err_info_o = info;
endmodule
