// WMU block: wmu_core plus its register interface on the card-internal bus
// (docs/internal-bus.md; registers: rtl/regmap/wmu.toml via shoal_regs_pkg; contract: docs/wmu.md).
// Every request is answered exactly one cycle later; a refused access changes nothing.
module wmu #(
  parameter int unsigned P  = shoal_regs_pkg::PARAM_NUM_PROCESSORS,
  parameter int unsigned K  = shoal_regs_pkg::PARAM_NUM_PARTITIONS,
  parameter int unsigned CW = 32,
  localparam int unsigned PW = (K > 1) ? $clog2(K) : 1
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  // telemetry (per processor) and the DRRM's partition map
  input  logic [P-1:0]    busy_i,
  input  logic [P-1:0]    mem_i,
  input  logic [P-1:0]    io_i,
  input  logic [P-1:0]    assigned_i,
  input  logic [P*PW-1:0] part_i,
  // card-internal register bus
  input  logic            reg_req_i,
  input  logic            reg_we_i,
  input  logic [13:0]     reg_addr_i,
  input  logic [31:0]     reg_wdata_i,
  input  logic [3:0]      reg_wstrb_i,
  output logic            reg_ack_o,
  output logic [31:0]     reg_rdata_o,
  output logic            reg_err_o,
  // interrupt: level, |(IRQ_UP | IRQ_DOWN)
  output logic            irq_o,
  // interrupt cause, one-cycle pulse per threshold crossing
  output logic            evt_valid_o,
  output logic [3:0]      evt_part_o,
  output logic            evt_up_o,
  // sample stream, one-cycle pulse per partition per window
  output logic            smp_valid_o,
  output logic [3:0]      smp_part_o,
  output logic [15:0]     smp_seq_o,
  output logic [15:0]     smp_util_o,
  output logic [15:0]     smp_ewma_o
);

  localparam int unsigned WIN_MIN = 18 * K + 2;
  localparam int unsigned D = 16;

  // ---- register state ----------------------------------------------------------------------
  logic            en_q, en_d;
  logic [23:0]     window_q, window_d;
  logic [3:0]      alpha_q, alpha_d;
  logic [K*16-1:0] hi_q, hi_d, lo_q, lo_d, rd_seq_q, rd_seq_d;
  logic [K-1:0]    irq_up_q, irq_up_d, irq_down_q, irq_down_d, irq_en_q, irq_en_d;
  logic [31:0]     evt_count_q, evt_count_d;
  logic [31:0]     last_evt_q, last_evt_d;
  logic            ack_q, err_q, core_rd_q;
  logic [31:0]     rdata_q, rdata_d;
  logic            err_d, core_rd_d, clr;

  // ---- core ----------------------------------------------------------------------------------
  logic [3:0]  rd_sel;
  logic [7:0]  rd_idx;
  logic [31:0] core_rdata, core_seq;
  logic        core_busy;
  logic [23:0] core_win_pos;

  wmu_core #(.P(P), .K(K), .CW(CW)) u_core (
    .clk_i,
    .rst_ni,
    .busy_i,
    .mem_i,
    .io_i,
    .assigned_i,
    .part_i,
    .en_i       (en_q),
    .window_i   (window_q),
    .alpha_i    (alpha_q),
    .hi_i       (hi_q),
    .lo_i       (lo_q),
    .rd_seq_i   (rd_seq_q),
    .clr_i      (clr),
    .rd_sel_i   (rd_sel),
    .rd_idx_i   (rd_idx),
    .rd_data_o  (core_rdata),
    .smp_valid_o,
    .smp_part_o,
    .smp_seq_o,
    .smp_util_o,
    .smp_ewma_o,
    .evt_valid_o,
    .evt_part_o,
    .evt_up_o,
    .busy_o     (core_busy),
    .seq_o      (core_seq),
    .win_pos_o  (core_win_pos)
  );

  // ---- decode --------------------------------------------------------------------------------
  logic [31:0] addr, bmask, wd;
  logic [31:0] off_hi, off_lo, off_ewma, off_rdseq, off_ovr, off_pb, off_pm, off_pi;
  logic [31:0] off_qb, off_qm, off_qi, off_ring;
  logic        wr, rd;
  logic [31:0] win_new;

  assign addr  = {18'd0, reg_addr_i[13:2], 2'b00};
  assign bmask = {{8{reg_wstrb_i[3]}}, {8{reg_wstrb_i[2]}}, {8{reg_wstrb_i[1]}},
                  {8{reg_wstrb_i[0]}}};
  assign wd    = reg_wdata_i & bmask;
  assign wr    = reg_req_i & reg_we_i;
  assign rd    = reg_req_i & ~reg_we_i;
  // word index of addr inside each array (meaningful only when addr lies in the array)
  assign off_hi    = (addr - shoal_regs_pkg::WMU_HI_OFFSET) >> 2;
  assign off_lo    = (addr - shoal_regs_pkg::WMU_LO_OFFSET) >> 2;
  assign off_ewma  = (addr - shoal_regs_pkg::WMU_EWMA_OFFSET) >> 2;
  assign off_rdseq = (addr - shoal_regs_pkg::WMU_RD_SEQ_OFFSET) >> 2;
  assign off_ovr   = (addr - shoal_regs_pkg::WMU_OVERRUN_OFFSET) >> 2;
  assign off_pb    = (addr - shoal_regs_pkg::WMU_PART_BUSY_OFFSET) >> 2;
  assign off_pm    = (addr - shoal_regs_pkg::WMU_PART_MEM_OFFSET) >> 2;
  assign off_pi    = (addr - shoal_regs_pkg::WMU_PART_IO_OFFSET) >> 2;
  assign off_qb    = (addr - shoal_regs_pkg::WMU_PROC_BUSY_OFFSET) >> 2;
  assign off_qm    = (addr - shoal_regs_pkg::WMU_PROC_MEM_OFFSET) >> 2;
  assign off_qi    = (addr - shoal_regs_pkg::WMU_PROC_IO_OFFSET) >> 2;
  assign off_ring  = (addr - shoal_regs_pkg::WMU_RING_OFFSET) >> 2;
  assign win_new   = ({8'd0, window_q} & ~bmask) | wd;

  always_comb begin
    en_d        = en_q;
    window_d    = window_q;
    alpha_d     = alpha_q;
    hi_d        = hi_q;
    lo_d        = lo_q;
    rd_seq_d    = rd_seq_q;
    irq_up_d    = irq_up_q;
    irq_down_d  = irq_down_q;
    irq_en_d    = irq_en_q;
    evt_count_d = evt_count_q;
    last_evt_d  = last_evt_q;
    rdata_d     = 32'd0;
    err_d       = 1'b0;
    core_rd_d   = 1'b0;
    clr         = 1'b0;
    rd_sel      = 4'hF;
    rd_idx      = 8'd0;

    if (reg_req_i) begin
      if (addr == shoal_regs_pkg::WMU_ID_OFFSET) begin
        rdata_d = shoal_regs_pkg::WMU_ID_RESET;
        err_d   = wr;
      end else if (addr == shoal_regs_pkg::WMU_CTRL_OFFSET) begin
        rdata_d = {31'd0, en_q};
        if (wr && reg_wstrb_i[0]) en_d = reg_wdata_i[0];
      end else if (addr == shoal_regs_pkg::WMU_CMD_OFFSET) begin
        clr = wr && reg_wstrb_i[0] && reg_wdata_i[0];
      end else if (addr == shoal_regs_pkg::WMU_WINDOW_OFFSET) begin
        rdata_d = {8'd0, window_q};
        if (wr) begin
          if ((win_new & shoal_regs_pkg::WMU_WINDOW_RW_MASK) < WIN_MIN) err_d = 1'b1;
          else window_d = win_new[23:0];
        end
      end else if (addr == shoal_regs_pkg::WMU_ALPHA_OFFSET) begin
        rdata_d = {28'd0, alpha_q};
        if (wr && reg_wstrb_i[0]) alpha_d = reg_wdata_i[3:0];
      end else if (addr == shoal_regs_pkg::WMU_SEQ_OFFSET) begin
        rdata_d = core_seq;
        err_d   = wr;
      end else if (addr == shoal_regs_pkg::WMU_STATUS_OFFSET) begin
        rdata_d = {31'd0, core_busy};
        err_d   = wr;
      end else if (addr == shoal_regs_pkg::WMU_CONFIG_OFFSET) begin
        rdata_d = {8'(CW), 8'(D), 8'(K), 8'(P)};
        err_d   = wr;
      end else if (addr == shoal_regs_pkg::WMU_WIN_MIN_OFFSET) begin
        rdata_d = 32'(WIN_MIN);
        err_d   = wr;
      end else if (addr == shoal_regs_pkg::WMU_WIN_POS_OFFSET) begin
        rdata_d = {8'd0, core_win_pos};
        err_d   = wr;
      end else if (addr == shoal_regs_pkg::WMU_IRQ_UP_OFFSET) begin
        rdata_d = 32'(irq_up_q);
        if (wr) irq_up_d = irq_up_q & ~wd[K-1:0];
      end else if (addr == shoal_regs_pkg::WMU_IRQ_DOWN_OFFSET) begin
        rdata_d = 32'(irq_down_q);
        if (wr) irq_down_d = irq_down_q & ~wd[K-1:0];
      end else if (addr == shoal_regs_pkg::WMU_IRQ_EN_OFFSET) begin
        rdata_d = 32'(irq_en_q);
        if (wr) irq_en_d = (irq_en_q & ~bmask[K-1:0]) | wd[K-1:0];
      end else if (addr == shoal_regs_pkg::WMU_EVT_COUNT_OFFSET) begin
        rdata_d = evt_count_q;
        err_d   = wr;
      end else if (addr == shoal_regs_pkg::WMU_LAST_EVT_OFFSET) begin
        rdata_d = last_evt_q;
        err_d   = wr;
      end else if (off_hi < K) begin
        for (int k = 0; k < K; k++) begin
          if (off_hi == k) begin
            rdata_d = {16'd0, hi_q[k*16 +: 16]};
            if (wr) hi_d[k*16 +: 16] = (hi_q[k*16 +: 16] & ~bmask[15:0]) | wd[15:0];
          end
        end
      end else if (off_lo < K) begin
        for (int k = 0; k < K; k++) begin
          if (off_lo == k) begin
            rdata_d = {16'd0, lo_q[k*16 +: 16]};
            if (wr) lo_d[k*16 +: 16] = (lo_q[k*16 +: 16] & ~bmask[15:0]) | wd[15:0];
          end
        end
      end else if (off_rdseq < K) begin
        for (int k = 0; k < K; k++) begin
          if (off_rdseq == k) begin
            rdata_d = {16'd0, rd_seq_q[k*16 +: 16]};
            if (wr) rd_seq_d[k*16 +: 16] = (rd_seq_q[k*16 +: 16] & ~bmask[15:0]) | wd[15:0];
          end
        end
      end else if (off_ewma < K) begin
        err_d = wr; core_rd_d = rd; rd_sel = 4'd7; rd_idx = off_ewma[7:0];
      end else if (off_ovr < K) begin
        err_d = wr; core_rd_d = rd; rd_sel = 4'd6; rd_idx = off_ovr[7:0];
      end else if (off_pb < K) begin
        err_d = wr; core_rd_d = rd; rd_sel = 4'd3; rd_idx = off_pb[7:0];
      end else if (off_pm < K) begin
        err_d = wr; core_rd_d = rd; rd_sel = 4'd4; rd_idx = off_pm[7:0];
      end else if (off_pi < K) begin
        err_d = wr; core_rd_d = rd; rd_sel = 4'd5; rd_idx = off_pi[7:0];
      end else if (off_qb < P) begin
        err_d = wr; core_rd_d = rd; rd_sel = 4'd0; rd_idx = off_qb[7:0];
      end else if (off_qm < P) begin
        err_d = wr; core_rd_d = rd; rd_sel = 4'd1; rd_idx = off_qm[7:0];
      end else if (off_qi < P) begin
        err_d = wr; core_rd_d = rd; rd_sel = 4'd2; rd_idx = off_qi[7:0];
      end else if (off_ring < K * D) begin
        err_d = wr; core_rd_d = rd; rd_sel = 4'd8; rd_idx = off_ring[7:0];
      end else begin
        err_d = 1'b1;  // no register here (or an array element this build does not have)
      end
    end

    // interrupt causes and event log (a new event wins over a same-cycle clear)
    if (evt_valid_o) begin
      if (irq_en_q[evt_part_o[PW-1:0]]) begin
        if (evt_up_o) irq_up_d[evt_part_o[PW-1:0]] = 1'b1;
        else          irq_down_d[evt_part_o[PW-1:0]] = 1'b1;
      end
      if (evt_count_q != 32'hFFFF_FFFF) evt_count_d = evt_count_q + 32'd1;
      last_evt_d = {smp_seq_o, 1'b1, 6'd0, evt_up_o, 4'd0, evt_part_o};
    end
    if (clr) evt_count_d = 32'd0;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      en_q        <= shoal_regs_pkg::WMU_CTRL_RESET[0];
      window_q    <= shoal_regs_pkg::WMU_WINDOW_RESET[23:0];
      alpha_q     <= shoal_regs_pkg::WMU_ALPHA_RESET[3:0];
      hi_q        <= {K{shoal_regs_pkg::WMU_HI_RESET[15:0]}};
      lo_q        <= {K{shoal_regs_pkg::WMU_LO_RESET[15:0]}};
      rd_seq_q    <= {K{shoal_regs_pkg::WMU_RD_SEQ_RESET[15:0]}};
      irq_up_q    <= '0;
      irq_down_q  <= '0;
      irq_en_q    <= '0;
      evt_count_q <= '0;
      last_evt_q  <= '0;
      ack_q       <= 1'b0;
      err_q       <= 1'b0;
      core_rd_q   <= 1'b0;
      rdata_q     <= '0;
    end else begin
      en_q        <= en_d;
      window_q    <= window_d;
      alpha_q     <= alpha_d;
      hi_q        <= hi_d;
      lo_q        <= lo_d;
      rd_seq_q    <= rd_seq_d;
      irq_up_q    <= irq_up_d;
      irq_down_q  <= irq_down_d;
      irq_en_q    <= irq_en_d;
      evt_count_q <= evt_count_d;
      last_evt_q  <= last_evt_d;
      ack_q       <= reg_req_i;
      err_q       <= err_d;
      core_rd_q   <= core_rd_d;
      rdata_q     <= rdata_d;
    end
  end

  assign reg_ack_o   = ack_q;
  assign reg_err_o   = ack_q & err_q;
  assign reg_rdata_o = !ack_q ? 32'd0 : (core_rd_q ? core_rdata : rdata_q);
  assign irq_o       = |{irq_up_q, irq_down_q};

  logic unused_addr;
  assign unused_addr = ^reg_addr_i[1:0];  // word-aligned bus

endmodule
