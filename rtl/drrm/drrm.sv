// DRRM block: drrm_core behind the card-internal register bus (docs/internal-bus.md,
// docs/drrm.md section 10). Offsets, resets and masks come from shoal_regs_pkg (rtl/regmap/
// drrm.toml). Every request is answered one cycle later; a refused access changes nothing.
module drrm #(
  parameter int unsigned P = shoal_regs_pkg::PARAM_NUM_PROCESSORS,
  parameter int unsigned K = shoal_regs_pkg::PARAM_NUM_PARTITIONS,
  parameter int unsigned V = shoal_regs_pkg::PARAM_NUM_IRQ_VECTORS
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // card-internal register bus
  input  logic                     reg_req_i,
  input  logic                     reg_we_i,
  input  logic [13:0]              reg_addr_i,
  input  logic [31:0]              reg_wdata_i,
  input  logic [3:0]               reg_wstrb_i,
  output logic                     reg_ack_o,
  output logic [31:0]              reg_rdata_o,
  output logic                     reg_err_o,
  output logic                     irq_o,
  // processor control ports
  output logic [P-1:0]             pause_o,
  output logic [P-1:0]             resume_o,
  output logic [P*$clog2(K)-1:0]   part_o,
  output logic [P-1:0]             online_o,
  input  logic [P-1:0]             quiesced_i,
  // address check
  input  logic                     chk_valid_i,
  input  logic [7:0]               chk_proc_i,
  input  logic [31:0]              chk_addr_i,
  input  logic                     chk_we_i,
  output logic                     chk_valid_o,
  output logic                     chk_allow_o,
  // interrupt routing
  input  logic                     irq_valid_i,
  input  logic [$clog2(V)-1:0]     irq_vec_i,
  output logic                     irq_out_valid_o,
  output logic [$clog2(P)-1:0]     irq_out_proc_o,
  output logic [$clog2(V)-1:0]     irq_out_vec_o,
  // events
  output logic                     evm_valid_o,
  output logic                     evm_timeout_o,
  output logic [3:0]               evm_op_o,
  output logic [7:0]               evm_tag_o,
  output logic [$clog2(K)-1:0]     evm_part_o,
  output logic [P-1:0]             evm_mask_o,
  output logic                     evv_valid_o,
  output logic [7:0]               evv_proc_o,
  output logic [31:0]              evv_addr_o,
  output logic                     evv_we_o,
  output logic [1:0]               evv_reason_o
);
  localparam int unsigned PW = $clog2(P);
  localparam int unsigned KW = $clog2(K);
  localparam int unsigned VW = $clog2(V);

  // ---- registers owned by the wrapper -------------------------------------------------------
  logic [31:0] timeout_q, arg_q, mlo_q, mhi_q, base_q, size_q;
  logic [1:0]  irq_st_q, irq_en_q;
  logic        ack_q, err_q;
  logic [31:0] rdata_q;

  // ---- core ----------------------------------------------------------------------------------
  logic        cmd_valid, cmd_ready, cpl_valid, cpl_ready, busy;
  logic [3:0]  cmd_op, cpl_op, cpl_status;
  logic [7:0]  cmd_tag, cpl_tag;
  logic [1:0]  cmd_perm;
  logic [63:0] cmd_data;
  logic [31:0] cpl_cycles, viol_count;
  logic [PW-1:0] rd_proc;
  logic [KW-1:0] rd_part, rd_proc_part, rd_route;
  logic [VW-1:0] rd_vec;
  logic [2:0]    rd_proc_state;
  logic [31:0]   rd_win_base, rd_win_size;
  logic [1:0]    rd_win_perm;
  logic          rd_pending;
  logic          evv_valid;

  drrm_core #(.P(P), .K(K), .V(V)) u_core (
    .clk_i, .rst_ni,
    .cmd_valid_i(cmd_valid), .cmd_ready_o(cmd_ready), .cmd_op_i(cmd_op), .cmd_tag_i(cmd_tag),
    .cmd_proc_i(arg_q[7:0]), .cmd_part_i(arg_q[15:8]), .cmd_vec_i(arg_q[31:16]),
    .cmd_perm_i(cmd_perm), .cmd_data_i(cmd_data), .timeout_i(timeout_q[15:0]),
    .cpl_valid_o(cpl_valid), .cpl_ready_i(cpl_ready), .cpl_tag_o(cpl_tag), .cpl_op_o(cpl_op),
    .cpl_status_o(cpl_status), .cpl_cycles_o(cpl_cycles), .busy_o(busy),
    .pause_o, .resume_o, .part_o, .online_o, .quiesced_i,
    .chk_valid_i, .chk_proc_i, .chk_addr_i, .chk_we_i, .chk_valid_o, .chk_allow_o,
    .irq_valid_i, .irq_vec_i, .irq_out_valid_o, .irq_out_proc_o, .irq_out_vec_o,
    .evm_valid_o, .evm_timeout_o, .evm_op_o, .evm_tag_o, .evm_part_o, .evm_mask_o,
    .evv_valid_o(evv_valid), .evv_proc_o, .evv_addr_o, .evv_we_o, .evv_reason_o,
    .viol_count_o(viol_count),
    .rd_proc_i(rd_proc), .rd_proc_part_o(rd_proc_part), .rd_proc_state_o(rd_proc_state),
    .rd_part_i(rd_part), .rd_win_base_o(rd_win_base), .rd_win_size_o(rd_win_size),
    .rd_win_perm_o(rd_win_perm), .rd_vec_i(rd_vec), .rd_route_o(rd_route),
    .rd_pending_o(rd_pending)
  );
  assign evv_valid_o = evv_valid;

  // ---- decode --------------------------------------------------------------------------------
  logic [31:0] a, bm, wd, idx_proc, idx_base, idx_size, idx_perm, idx_route;
  logic in_proc, in_base, in_size, in_perm, in_route;
  logic hit_ro, hit_rw, hit_wo, ok, do_push;
  logic [31:0] rval;

  always_comb begin
    a  = {18'd0, reg_addr_i[13:2], 2'b00};
    bm = {{8{reg_wstrb_i[3]}}, {8{reg_wstrb_i[2]}}, {8{reg_wstrb_i[1]}}, {8{reg_wstrb_i[0]}}};
    wd = reg_wdata_i & bm;
    idx_proc  = (a - shoal_regs_pkg::DRRM_PROC_OFFSET) >> 2;
    idx_base  = (a - shoal_regs_pkg::DRRM_WIN_BASE_OFFSET) >> 2;
    idx_size  = (a - shoal_regs_pkg::DRRM_WIN_SIZE_OFFSET) >> 2;
    idx_perm  = (a - shoal_regs_pkg::DRRM_WIN_PERM_OFFSET) >> 2;
    idx_route = (a - shoal_regs_pkg::DRRM_ROUTE_OFFSET) >> 2;
    in_proc  = (a >= shoal_regs_pkg::DRRM_PROC_OFFSET) &&
               (idx_proc < shoal_regs_pkg::DRRM_PROC_COUNT);
    in_base  = (a >= shoal_regs_pkg::DRRM_WIN_BASE_OFFSET) &&
               (idx_base < shoal_regs_pkg::DRRM_WIN_BASE_COUNT);
    in_size  = (a >= shoal_regs_pkg::DRRM_WIN_SIZE_OFFSET) &&
               (idx_size < shoal_regs_pkg::DRRM_WIN_SIZE_COUNT);
    in_perm  = (a >= shoal_regs_pkg::DRRM_WIN_PERM_OFFSET) &&
               (idx_perm < shoal_regs_pkg::DRRM_WIN_PERM_COUNT);
    in_route = (a >= shoal_regs_pkg::DRRM_ROUTE_OFFSET) &&
               (idx_route < shoal_regs_pkg::DRRM_ROUTE_COUNT);
    rd_proc = idx_proc[PW-1:0];
    rd_part = (in_base ? idx_base[KW-1:0] : (in_size ? idx_size[KW-1:0] : idx_perm[KW-1:0]));
    rd_vec  = idx_route[VW-1:0];
  end

  always_comb begin
    hit_ro = in_proc || in_base || in_size || in_perm || in_route ||
             (a == shoal_regs_pkg::DRRM_ID_OFFSET) || (a == shoal_regs_pkg::DRRM_PARAMS_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_STATUS_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_CPL_HEAD_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_CPL_CYCLES_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_VIOL_COUNT_OFFSET);
    hit_rw = (a == shoal_regs_pkg::DRRM_TIMEOUT_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_CMD_ARG_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_CMD_MASK_LO_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_CMD_MASK_HI_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_CMD_BASE_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_CMD_SIZE_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_IRQ_STATUS_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_IRQ_ENABLE_OFFSET);
    hit_wo = (a == shoal_regs_pkg::DRRM_CMD_PUSH_OFFSET) ||
             (a == shoal_regs_pkg::DRRM_CPL_POP_OFFSET);

    // a write to CMD_PUSH is refused when the command FIFO is full
    do_push = reg_req_i && reg_we_i && (a == shoal_regs_pkg::DRRM_CMD_PUSH_OFFSET) && cmd_ready;
    if (reg_we_i) begin
      ok = hit_rw || (hit_wo && ((a != shoal_regs_pkg::DRRM_CMD_PUSH_OFFSET) || cmd_ready));
    end else begin
      ok = hit_ro || hit_rw || hit_wo;
    end

    cmd_valid = do_push;
    cmd_op    = wd[3:0];
    cmd_perm  = wd[5:4];
    cmd_tag   = wd[15:8];
    cmd_data  = (wd[3:0] == 4'd3) ? {size_q, base_q} : {mhi_q, mlo_q};
    cpl_ready = reg_req_i && reg_we_i && (a == shoal_regs_pkg::DRRM_CPL_POP_OFFSET) && wd[0];

    rval = 32'd0;
    if (a == shoal_regs_pkg::DRRM_ID_OFFSET) rval = shoal_regs_pkg::DRRM_ID_RESET;
    if (a == shoal_regs_pkg::DRRM_PARAMS_OFFSET) rval = {16'(V), 8'(K), 8'(P)};
    if (a == shoal_regs_pkg::DRRM_STATUS_OFFSET) rval = {29'd0, cpl_valid, cmd_ready, busy};
    if (a == shoal_regs_pkg::DRRM_TIMEOUT_OFFSET) rval = timeout_q;
    if (a == shoal_regs_pkg::DRRM_CMD_ARG_OFFSET) rval = arg_q;
    if (a == shoal_regs_pkg::DRRM_CMD_MASK_LO_OFFSET) rval = mlo_q;
    if (a == shoal_regs_pkg::DRRM_CMD_MASK_HI_OFFSET) rval = mhi_q;
    if (a == shoal_regs_pkg::DRRM_CMD_BASE_OFFSET) rval = base_q;
    if (a == shoal_regs_pkg::DRRM_CMD_SIZE_OFFSET) rval = size_q;
    if (a == shoal_regs_pkg::DRRM_CPL_HEAD_OFFSET) begin
      rval = {cpl_valid, 15'd0, cpl_status, cpl_op, cpl_tag};
    end
    if (a == shoal_regs_pkg::DRRM_CPL_CYCLES_OFFSET) rval = cpl_cycles;
    if (a == shoal_regs_pkg::DRRM_VIOL_COUNT_OFFSET) rval = viol_count;
    if (a == shoal_regs_pkg::DRRM_IRQ_STATUS_OFFSET) rval = {30'd0, irq_st_q};
    if (a == shoal_regs_pkg::DRRM_IRQ_ENABLE_OFFSET) rval = {30'd0, irq_en_q};
    if (in_proc && (idx_proc < P)) rval = {21'd0, rd_proc_state, 8'(rd_proc_part)};
    if (in_base && (idx_base < K)) rval = rd_win_base;
    if (in_size && (idx_size < K)) rval = rd_win_size;
    if (in_perm && (idx_perm < K)) rval = {30'd0, rd_win_perm};
    if (in_route && (idx_route < V)) rval = {23'd0, rd_pending, 8'(rd_route)};
  end

  // ---- register writes, response, interrupt causes -------------------------------------------
  logic wr_ok;
  logic unused_addr_lsbs;
  assign unused_addr_lsbs = ^reg_addr_i[1:0];  // word aligned: the two low bits are ignored
  assign wr_ok = reg_req_i && reg_we_i && ok;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      timeout_q <= shoal_regs_pkg::DRRM_TIMEOUT_RESET;
      arg_q     <= shoal_regs_pkg::DRRM_CMD_ARG_RESET;
      mlo_q     <= shoal_regs_pkg::DRRM_CMD_MASK_LO_RESET;
      mhi_q     <= shoal_regs_pkg::DRRM_CMD_MASK_HI_RESET;
      base_q    <= shoal_regs_pkg::DRRM_CMD_BASE_RESET;
      size_q    <= shoal_regs_pkg::DRRM_CMD_SIZE_RESET;
      irq_st_q  <= '0;
      irq_en_q  <= '0;
      ack_q     <= 1'b0;
      err_q     <= 1'b0;
      rdata_q   <= '0;
    end else begin
      ack_q   <= reg_req_i;
      err_q   <= reg_req_i && !ok;
      rdata_q <= (reg_req_i && !reg_we_i && ok) ? rval : 32'd0;
      if (wr_ok && (a == shoal_regs_pkg::DRRM_TIMEOUT_OFFSET)) begin
        timeout_q <= (timeout_q & ~(bm & shoal_regs_pkg::DRRM_TIMEOUT_RW_MASK)) |
                     (wd & shoal_regs_pkg::DRRM_TIMEOUT_RW_MASK);
      end
      if (wr_ok && (a == shoal_regs_pkg::DRRM_CMD_ARG_OFFSET)) arg_q <= (arg_q & ~bm) | wd;
      if (wr_ok && (a == shoal_regs_pkg::DRRM_CMD_MASK_LO_OFFSET)) mlo_q <= (mlo_q & ~bm) | wd;
      if (wr_ok && (a == shoal_regs_pkg::DRRM_CMD_MASK_HI_OFFSET)) mhi_q <= (mhi_q & ~bm) | wd;
      if (wr_ok && (a == shoal_regs_pkg::DRRM_CMD_BASE_OFFSET)) base_q <= (base_q & ~bm) | wd;
      if (wr_ok && (a == shoal_regs_pkg::DRRM_CMD_SIZE_OFFSET)) size_q <= (size_q & ~bm) | wd;
      if (wr_ok && (a == shoal_regs_pkg::DRRM_IRQ_ENABLE_OFFSET)) irq_en_q <= wd[1:0] |
          (irq_en_q & ~bm[1:0]);
      // causes: hardware sets win over a clear in the same cycle
      irq_st_q <= ((wr_ok && (a == shoal_regs_pkg::DRRM_IRQ_STATUS_OFFSET)) ?
                   (irq_st_q & ~wd[1:0]) : irq_st_q) | {cpl_valid, evv_valid};
    end
  end

  assign reg_ack_o   = ack_q;
  assign reg_err_o   = err_q;
  assign reg_rdata_o = rdata_q;
  assign irq_o       = |(irq_st_q & irq_en_q);
endmodule
