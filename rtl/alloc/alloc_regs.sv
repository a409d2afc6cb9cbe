// ALLOC block top: the allocator engine behind the card-internal register bus
// (docs/internal-bus.md, registers from rtl/regmap/alloc.toml via shoal_regs_pkg).
//
// Firmware writes CMD_LO/CMD_HI and then CMD_GO; STATUS.busy stays set until the engine's
// response is latched into RESP0..3/VICTIM (STATUS.done). The host reads pool state at any
// time (POOL_FREE, POOL_SIZE, PART_PRIO, PART_STATE). Events go out on ev_* to the audit log.
// Every access is answered one cycle after reg_req_i; refused accesses change nothing.
module alloc_regs #(
  parameter int unsigned K = shoal_regs_pkg::PARAM_NUM_PARTITIONS,
  parameter int unsigned T = shoal_regs_pkg::PARAM_NUM_RESOURCE_TYPES
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // card-internal register bus
  input  logic        reg_req_i,
  input  logic        reg_we_i,
  input  logic [13:0] reg_addr_i,
  input  logic [31:0] reg_wdata_i,
  input  logic [3:0]  reg_wstrb_i,
  output logic        reg_ack_o,
  output logic [31:0] reg_rdata_o,
  output logic        reg_err_o,
  // events for the audit log
  output logic        ev_valid_o,
  input  logic        ev_ready_i,
  output logic [63:0] ev_o,
  // sticky invariant error (also STATUS.inv_err)
  output logic        inv_err_o
);

  localparam int unsigned UW = 9;

  // ---- engine ----------------------------------------------------------------------------------
  logic            eng_cmd_valid, eng_cmd_ready, eng_resp_valid;
  logic [3:0]      r_status, r_prio;
  logic [15:0]     r_granted, r_reclaimed;
  logic [UW-1:0]   r_alloc, r_floor, r_cap, r_free;
  logic [K*UW-1:0] r_victims;
  logic [7:0]      peek_part;
  logic [3:0]      peek_type;
  logic [UW-1:0]   pk_alloc, pk_floor, pk_cap, pk_free, pk_pool;
  logic [3:0]      pk_prio;
  logic [31:0]     cmd_lo_q, cmd_hi_q;

  alloc_engine #(.K(K), .T(T), .UW(UW)) u_engine (
    .clk_i,
    .rst_ni,
    .cmd_valid_i      (eng_cmd_valid),
    .cmd_ready_o      (eng_cmd_ready),
    .cmd_i            ({cmd_hi_q, cmd_lo_q}),
    .resp_valid_o     (eng_resp_valid),
    .resp_ready_i     (1'b1),
    .resp_status_o    (r_status),
    .resp_granted_o   (r_granted),
    .resp_reclaimed_o (r_reclaimed),
    .resp_alloc_o     (r_alloc),
    .resp_floor_o     (r_floor),
    .resp_cap_o       (r_cap),
    .resp_free_o      (r_free),
    .resp_prio_o      (r_prio),
    .resp_victims_o   (r_victims),
    .ev_valid_o,
    .ev_ready_i,
    .ev_o,
    .peek_part_i      (peek_part),
    .peek_type_i      (peek_type),
    .peek_alloc_o     (pk_alloc),
    .peek_floor_o     (pk_floor),
    .peek_cap_o       (pk_cap),
    .peek_free_o      (pk_free),
    .peek_pool_o      (pk_pool),
    .peek_prio_o      (pk_prio),
    .inv_err_o,
    .test_corrupt_i   (1'b0)
  );

  // ---- address decode --------------------------------------------------------------------------
  logic [31:0] addr;
  assign addr = {18'd0, reg_addr_i};

  function automatic logic in_array(input logic [31:0] a, input logic [31:0] off,
                                    input int unsigned count);
    in_array = (a >= off) && (a < off + count * 4);
  endfunction

  logic        hit_id, hit_params, hit_status, hit_cmd_lo, hit_cmd_hi, hit_go;
  logic        hit_resp0, hit_resp1, hit_resp2, hit_resp3, hit_evc, hit_evlo, hit_evhi;
  logic        hit_victim, hit_pfree, hit_psize, hit_prio, hit_state;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] idx_victim, idx_pfree, idx_psize, idx_prio, idx_state;  // high bits: range-decoded
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    hit_id     = addr == shoal_regs_pkg::ALLOC_ID_OFFSET;
    hit_params = addr == shoal_regs_pkg::ALLOC_PARAMS_OFFSET;
    hit_status = addr == shoal_regs_pkg::ALLOC_STATUS_OFFSET;
    hit_cmd_lo = addr == shoal_regs_pkg::ALLOC_CMD_LO_OFFSET;
    hit_cmd_hi = addr == shoal_regs_pkg::ALLOC_CMD_HI_OFFSET;
    hit_go     = addr == shoal_regs_pkg::ALLOC_CMD_GO_OFFSET;
    hit_resp0  = addr == shoal_regs_pkg::ALLOC_RESP0_OFFSET;
    hit_resp1  = addr == shoal_regs_pkg::ALLOC_RESP1_OFFSET;
    hit_resp2  = addr == shoal_regs_pkg::ALLOC_RESP2_OFFSET;
    hit_resp3  = addr == shoal_regs_pkg::ALLOC_RESP3_OFFSET;
    hit_evc    = addr == shoal_regs_pkg::ALLOC_EV_COUNT_OFFSET;
    hit_evlo   = addr == shoal_regs_pkg::ALLOC_EV_LAST_LO_OFFSET;
    hit_evhi   = addr == shoal_regs_pkg::ALLOC_EV_LAST_HI_OFFSET;
    hit_victim = in_array(addr, shoal_regs_pkg::ALLOC_VICTIM_OFFSET,
                          shoal_regs_pkg::ALLOC_VICTIM_COUNT);
    hit_pfree  = in_array(addr, shoal_regs_pkg::ALLOC_POOL_FREE_OFFSET,
                          shoal_regs_pkg::ALLOC_POOL_FREE_COUNT);
    hit_psize  = in_array(addr, shoal_regs_pkg::ALLOC_POOL_SIZE_OFFSET,
                          shoal_regs_pkg::ALLOC_POOL_SIZE_COUNT);
    hit_prio   = in_array(addr, shoal_regs_pkg::ALLOC_PART_PRIO_OFFSET,
                          shoal_regs_pkg::ALLOC_PART_PRIO_COUNT);
    hit_state  = in_array(addr, shoal_regs_pkg::ALLOC_PART_STATE_OFFSET,
                          shoal_regs_pkg::ALLOC_PART_STATE_COUNT);
    idx_victim = (addr - shoal_regs_pkg::ALLOC_VICTIM_OFFSET) >> 2;
    idx_pfree  = (addr - shoal_regs_pkg::ALLOC_POOL_FREE_OFFSET) >> 2;
    idx_psize  = (addr - shoal_regs_pkg::ALLOC_POOL_SIZE_OFFSET) >> 2;
    idx_prio   = (addr - shoal_regs_pkg::ALLOC_PART_PRIO_OFFSET) >> 2;
    idx_state  = (addr - shoal_regs_pkg::ALLOC_PART_STATE_OFFSET) >> 2;
  end

  // the engine's state read port follows the addressed array entry
  always_comb begin
    peek_part = 8'd0;
    peek_type = 4'd0;
    if (hit_pfree)      peek_type = idx_pfree[3:0];
    else if (hit_psize) peek_type = idx_psize[3:0];
    else if (hit_prio)  peek_part = idx_prio[7:0];
    else if (hit_state) begin
      peek_part = {2'd0, idx_state[8:3]};
      peek_type = {1'b0, idx_state[2:0]};
    end
  end

  // ---- registers -------------------------------------------------------------------------------
  logic            busy_q, done_q, pend_q;
  logic [31:0]     resp0_q, resp1_q, resp2_q, resp3_q, ev_count_q;
  logic [63:0]     ev_last_q;
  logic [K*UW-1:0] victims_q;

  function automatic logic [31:0] ext16(input logic [UW-1:0] x);
    ext16 = {{(32-UW){1'b0}}, x};
  endfunction

  // read data of the addressed register
  logic [31:0] rdata;
  logic        rd_ok;
  always_comb begin
    rdata = 32'd0;
    rd_ok = 1'b1;
    if (hit_id)          rdata = shoal_regs_pkg::ALLOC_ID_RESET;
    else if (hit_params) begin
      rdata = shoal_regs_pkg::ALLOC_PARAMS_RESET;
      rdata[7:0]  = K[7:0];
      rdata[11:8] = T[3:0];
    end
    else if (hit_status) rdata = {29'd0, inv_err_o, done_q, busy_q};
    else if (hit_cmd_lo) rdata = cmd_lo_q;
    else if (hit_cmd_hi) rdata = cmd_hi_q;
    else if (hit_go)     rdata = 32'd0;
    else if (hit_resp0)  rdata = resp0_q;
    else if (hit_resp1)  rdata = resp1_q;
    else if (hit_resp2)  rdata = resp2_q;
    else if (hit_resp3)  rdata = resp3_q;
    else if (hit_evc)    rdata = ev_count_q;
    else if (hit_evlo)   rdata = ev_last_q[31:0];
    else if (hit_evhi)   rdata = ev_last_q[63:32];
    else if (hit_victim) begin
      for (int k = 0; k < K; k++) begin
        if (idx_victim == k) rdata = ext16(victims_q[k*UW +: UW]);
      end
    end
    else if (hit_pfree)  rdata = (idx_pfree < T) ? ext16(pk_free) : 32'd0;
    else if (hit_psize)  rdata = (idx_psize < T) ? ext16(pk_pool) : 32'd0;
    else if (hit_prio)   rdata = (idx_prio < K) ? {28'd0, pk_prio} : 32'd0;
    else if (hit_state) begin
      if (({26'd0, idx_state[8:3]} < K) && ({29'd0, idx_state[2:0]} < T))
        rdata = {2'd0, 1'b0, pk_cap, 1'b0, pk_floor, 1'b0, pk_alloc};
    end
    else rd_ok = 1'b0;
  end

  // writes: CMD_LO/CMD_HI (rw, per byte), CMD_GO (w1s); everything else is refused
  logic wr_ok, go;
  assign wr_ok = hit_cmd_lo || hit_cmd_hi || (hit_go && !(busy_q && reg_wstrb_i[0] && reg_wdata_i[0]));
  assign go    = reg_req_i && reg_we_i && hit_go && !busy_q && reg_wstrb_i[0] && reg_wdata_i[0];

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] wd,
                                        input logic [3:0] strb);
    for (int b = 0; b < 4; b++) merge[b*8 +: 8] = strb[b] ? wd[b*8 +: 8] : old[b*8 +: 8];
  endfunction

  assign eng_cmd_valid = pend_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cmd_lo_q    <= shoal_regs_pkg::ALLOC_CMD_LO_RESET;
      cmd_hi_q    <= shoal_regs_pkg::ALLOC_CMD_HI_RESET;
      busy_q      <= 1'b0;
      done_q      <= 1'b0;
      pend_q      <= 1'b0;
      resp0_q     <= '0;
      resp1_q     <= '0;
      resp2_q     <= '0;
      resp3_q     <= '0;
      victims_q   <= '0;
      ev_count_q  <= '0;
      ev_last_q   <= '0;
      reg_ack_o   <= 1'b0;
      reg_err_o   <= 1'b0;
      reg_rdata_o <= '0;
    end else begin
      // bus
      reg_ack_o   <= reg_req_i;
      reg_err_o   <= reg_req_i && (reg_we_i ? !wr_ok : !rd_ok);
      reg_rdata_o <= (reg_req_i && !reg_we_i && rd_ok) ? rdata : 32'd0;
      if (reg_req_i && reg_we_i && hit_cmd_lo && !busy_q)
        cmd_lo_q <= merge(cmd_lo_q, reg_wdata_i, reg_wstrb_i);
      if (reg_req_i && reg_we_i && hit_cmd_hi && !busy_q)
        cmd_hi_q <= merge(cmd_hi_q, reg_wdata_i, reg_wstrb_i);
      // command in flight
      if (go) begin
        busy_q <= 1'b1;
        done_q <= 1'b0;
        pend_q <= 1'b1;
      end else if (pend_q && eng_cmd_ready) begin
        pend_q <= 1'b0;
      end
      if (eng_resp_valid) begin
        busy_q    <= 1'b0;
        done_q    <= 1'b1;
        resp0_q   <= {r_granted, 12'd0, r_status};
        resp1_q   <= {{(16-UW){1'b0}}, r_free, {(16-UW){1'b0}}, r_alloc};
        resp2_q   <= {{(16-UW){1'b0}}, r_cap, {(16-UW){1'b0}}, r_floor};
        resp3_q   <= {r_reclaimed, 12'd0, r_prio};
        victims_q <= r_victims;
      end
      // events
      if (ev_valid_o && ev_ready_i) begin
        ev_count_q <= ev_count_q + 32'd1;
        ev_last_q  <= ev_o;
      end
    end
  end

endmodule
