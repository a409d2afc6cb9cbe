// Audit-log block (docs/audit.md; registers from rtl/regmap/audit.toml, record layout, sources
// and kinds from the protocol schema through shoal_proto_pkg).
//
// Four sources feed one ring of DEPTH records of 8 words:
//   ALLOC      the allocator's event port (ready/valid; a 64-bit event per beat)
//   MIGRATION  the DRRM's migration lane (evm_*, one-cycle pulses, no back-pressure)
//   VIOLATION  the DRRM's isolation-violation lane (evv_*, one-cycle pulses)
//   FIRMWARE   FW_REC[0..4] + a write to FW_PUSH, from the soft core only
// Each source has a small FIFO; an entry is stamped with the card cycle (cycle_i) and, for the
// three hardware sources, the ACTOR register when it enters. One record leaves the FIFOs per
// cycle (round robin); it is written at TAIL (its sequence number) when the ring has room, and
// otherwise dropped and counted (DROPPED, DROP_PENDING). A source whose FIFO is full also drops
// and counts (the DRRM lanes cannot wait; the ALLOC port waits only while its FIFO is full, so
// a host that never drains the ring can never stall the allocator). While DROP_PENDING > 0 and
// a slot is free, a GAP record carrying the count takes its round-robin turn: sequence numbers
// stay continuous and a reader knows exactly how many records it missed, and where.
//
// The host drains by writing HEAD (anything outside [HEAD, TAIL] is refused); records
// HEAD .. TAIL-1 are in slots seq mod DEPTH of the RING window. Every access is answered one
// cycle after reg_req_i.
module shoal_audit #(
  parameter int unsigned DEPTH = shoal_regs_pkg::PARAM_AUDIT_DEPTH,
  parameter int unsigned P     = shoal_regs_pkg::PARAM_NUM_PROCESSORS,
  parameter int unsigned K     = shoal_regs_pkg::PARAM_NUM_PARTITIONS,
  parameter int unsigned FIFO  = 4,
  localparam int unsigned KW = $clog2(K),
  localparam int unsigned DW = $clog2(DEPTH)
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic [63:0]   cycle_i,       // the card cycle counter (ctrl CYCLE_*)
  // card-internal register bus (16-bit block offsets: the block spans 64 KiB)
  input  logic          reg_req_i,
  input  logic          reg_we_i,
  input  logic [15:0]   reg_addr_i,
  input  logic [31:0]   reg_wdata_i,
  input  logic [3:0]    reg_wstrb_i,
  input  logic          reg_core_i,
  output logic          reg_ack_o,
  output logic [31:0]   reg_rdata_o,
  output logic          reg_err_o,
  // ALLOC events (docs/alloc.md)
  input  logic          alloc_valid_i,
  output logic          alloc_ready_o,
  input  logic [63:0]   alloc_ev_i,
  // DRRM migration lane (docs/drrm.md section 9)
  input  logic          evm_valid_i,
  input  logic          evm_timeout_i,
  input  logic [3:0]    evm_op_i,
  input  logic [7:0]    evm_tag_i,
  input  logic [KW-1:0] evm_part_i,
  input  logic [P-1:0]  evm_mask_i,
  // DRRM violation lane
  input  logic          evv_valid_i,
  input  logic [7:0]    evv_proc_i,
  input  logic [31:0]   evv_addr_i,
  input  logic          evv_we_i,
  input  logic [1:0]    evv_reason_i,
  // host interrupt (vector host_irq_audit)
  output logic          irq_o
);
  localparam int unsigned NS = 4;  // FIFO sources: 0 alloc, 1 migration, 2 violation, 3 firmware
  localparam int unsigned PL = 256 - 32;  // a FIFO entry: record words 1..7 (word 0, seq, at write)

  // record field positions (bit offsets in the 256-bit record, word 0 at bits 31:0)
  localparam int unsigned F_TLO    = shoal_proto_pkg::AUDIT_TIME_LO_WORD * 32 + shoal_proto_pkg::AUDIT_TIME_LO_LSB;
  localparam int unsigned F_THI    = shoal_proto_pkg::AUDIT_TIME_HI_WORD * 32 + shoal_proto_pkg::AUDIT_TIME_HI_LSB;
  localparam int unsigned F_KIND   = shoal_proto_pkg::AUDIT_KIND_WORD * 32 + shoal_proto_pkg::AUDIT_KIND_LSB;
  localparam int unsigned F_SOURCE = shoal_proto_pkg::AUDIT_SOURCE_WORD * 32 + shoal_proto_pkg::AUDIT_SOURCE_LSB;
  localparam int unsigned F_ACTOR  = shoal_proto_pkg::AUDIT_ACTOR_WORD * 32 + shoal_proto_pkg::AUDIT_ACTOR_LSB;
  localparam int unsigned F_STATUS = shoal_proto_pkg::AUDIT_STATUS_WORD * 32 + shoal_proto_pkg::AUDIT_STATUS_LSB;
  localparam int unsigned F_PART   = shoal_proto_pkg::AUDIT_PART_WORD * 32 + shoal_proto_pkg::AUDIT_PART_LSB;
  localparam int unsigned F_PART2  = shoal_proto_pkg::AUDIT_PART2_WORD * 32 + shoal_proto_pkg::AUDIT_PART2_LSB;
  localparam int unsigned F_RTYPE  = shoal_proto_pkg::AUDIT_RTYPE_WORD * 32 + shoal_proto_pkg::AUDIT_RTYPE_LSB;
  localparam int unsigned F_FLAGS  = shoal_proto_pkg::AUDIT_FLAGS_WORD * 32 + shoal_proto_pkg::AUDIT_FLAGS_LSB;
  localparam int unsigned F_AMOUNT = shoal_proto_pkg::AUDIT_AMOUNT_WORD * 32 + shoal_proto_pkg::AUDIT_AMOUNT_LSB;
  localparam int unsigned F_AUX    = shoal_proto_pkg::AUDIT_AUX_WORD * 32 + shoal_proto_pkg::AUDIT_AUX_LSB;
  localparam int unsigned F_DLO    = shoal_proto_pkg::AUDIT_DATA_LO_WORD * 32 + shoal_proto_pkg::AUDIT_DATA_LO_LSB;
  localparam int unsigned F_DHI    = shoal_proto_pkg::AUDIT_DATA_HI_WORD * 32 + shoal_proto_pkg::AUDIT_DATA_HI_LSB;
  localparam int unsigned W_SOURCE = shoal_proto_pkg::AUDIT_SOURCE_WIDTH;
  localparam int unsigned W_ACTOR  = shoal_proto_pkg::AUDIT_ACTOR_WIDTH;
  localparam int unsigned FW_BASE  = shoal_proto_pkg::AUDIT_KIND_WORD;   // FW_REC[0] = record word 3

  // ---- state ----
  logic [31:0] head_q, tail_q, dropped_q, drop_pend_q, bad_q;
  logic [31:0] src_cnt_q [5];
  logic [7:0]  actor_q;
  logic [31:0] fw_rec_q [5];
  logic [1:0]  irq_en_q, irq_st_q;
  logic [2:0]  rr_q;           // round-robin pointer over the sources and the GAP record
  logic        ack_q, err_q, ring_rd_q;
  logic [2:0]  ring_word_q;
  logic [31:0] rdata_q;

  // ---- register decode ----
  logic [31:0] addr, bmask;
  assign addr  = {16'd0, reg_addr_i[15:2], 2'b00};
  assign bmask = {{8{reg_wstrb_i[3]}}, {8{reg_wstrb_i[2]}}, {8{reg_wstrb_i[1]}}, {8{reg_wstrb_i[0]}}};

  function automatic logic in_arr(input logic [31:0] a, input logic [31:0] base, input int unsigned n);
    in_arr = (a >= base) && (a < base + 4 * n);
  endfunction

  logic [31:0] count;   // records in the ring (<= DEPTH)
  logic        full, in_ring;
  assign count   = tail_q - head_q;
  assign full    = (count >= DEPTH);
  assign in_ring = (addr >= shoal_regs_pkg::AUDIT_RING_OFFSET) &&
                   (addr < shoal_regs_pkg::AUDIT_RING_OFFSET + shoal_regs_pkg::AUDIT_RING_SIZE);

  logic [31:0] rd, wv, rel_rec, rel_src;
  logic [2:0]  idx_rec, idx_src;
  logic        known, writable, fw_only, head_ok, is_head, is_actor, is_rec, is_push, is_ien, is_ist;
  always_comb begin
    rd = 32'd0;  known = 1'b1;  writable = 1'b0;  fw_only = 1'b0;
    is_head = 1'b0;  is_actor = 1'b0;  is_rec = 1'b0;  is_push = 1'b0;  is_ien = 1'b0;  is_ist = 1'b0;
    rel_rec = addr - shoal_regs_pkg::AUDIT_FW_REC_OFFSET;
    rel_src = addr - shoal_regs_pkg::AUDIT_SRC_COUNT_OFFSET;
    idx_rec = rel_rec[4:2];
    idx_src = rel_src[4:2];
    if (addr == shoal_regs_pkg::AUDIT_ID_OFFSET)                rd = shoal_regs_pkg::AUDIT_ID_RESET;
    else if (addr == shoal_regs_pkg::AUDIT_PARAMS_OFFSET) begin
      rd[shoal_regs_pkg::AUDIT_PARAMS_DEPTH_LSB +: shoal_regs_pkg::AUDIT_PARAMS_DEPTH_WIDTH] =
          shoal_regs_pkg::AUDIT_PARAMS_DEPTH_WIDTH'(DEPTH);
      rd[shoal_regs_pkg::AUDIT_PARAMS_RECORD_WORDS_LSB +: shoal_regs_pkg::AUDIT_PARAMS_RECORD_WORDS_WIDTH] =
          shoal_regs_pkg::AUDIT_PARAMS_RECORD_WORDS_WIDTH'(shoal_proto_pkg::AUDIT_WORDS);
    end
    else if (addr == shoal_regs_pkg::AUDIT_HEAD_OFFSET)       begin rd = head_q;  writable = 1'b1;  is_head = 1'b1; end
    else if (addr == shoal_regs_pkg::AUDIT_TAIL_OFFSET)         rd = tail_q;
    else if (addr == shoal_regs_pkg::AUDIT_DROPPED_OFFSET)      rd = dropped_q;
    else if (addr == shoal_regs_pkg::AUDIT_DROP_PENDING_OFFSET) rd = drop_pend_q;
    else if (addr == shoal_regs_pkg::AUDIT_BAD_WRITES_OFFSET)   rd = bad_q;
    else if (addr == shoal_regs_pkg::AUDIT_STATUS_OFFSET) begin
      rd[shoal_regs_pkg::AUDIT_STATUS_EMPTY_LSB]       = (count == 32'd0);
      rd[shoal_regs_pkg::AUDIT_STATUS_FULL_LSB]        = full;
      rd[shoal_regs_pkg::AUDIT_STATUS_GAP_PENDING_LSB] = (drop_pend_q != 32'd0);
    end
    else if (addr == shoal_regs_pkg::AUDIT_IRQ_ENABLE_OFFSET) begin rd = 32'(irq_en_q);  writable = 1'b1;  is_ien = 1'b1; end
    else if (addr == shoal_regs_pkg::AUDIT_IRQ_STATUS_OFFSET) begin rd = 32'(irq_st_q);  writable = 1'b1;  is_ist = 1'b1; end
    else if (addr == shoal_regs_pkg::AUDIT_ACTOR_OFFSET) begin
      rd = 32'(actor_q);  writable = 1'b1;  fw_only = 1'b1;  is_actor = 1'b1;
    end
    else if (in_arr(addr, shoal_regs_pkg::AUDIT_FW_REC_OFFSET, shoal_regs_pkg::AUDIT_FW_REC_COUNT)) begin
      rd = fw_rec_q[idx_rec];  writable = 1'b1;  fw_only = 1'b1;  is_rec = 1'b1;
    end
    else if (addr == shoal_regs_pkg::AUDIT_FW_PUSH_OFFSET) begin writable = 1'b1;  fw_only = 1'b1;  is_push = 1'b1; end
    else if (in_arr(addr, shoal_regs_pkg::AUDIT_SRC_COUNT_OFFSET, shoal_regs_pkg::AUDIT_SRC_COUNT_COUNT))
      rd = src_cnt_q[idx_src];
    else if (in_ring) rd = 32'd0;  // from the ring RAM
    else known = 1'b0;
    wv = (rd & ~bmask) | (reg_wdata_i & bmask);
    head_ok = !is_head || ((wv - head_q) <= count);
  end

  logic wr_ok, wr_bad, rd_bad;
  assign wr_ok  = reg_req_i && reg_we_i && known && writable && (!fw_only || reg_core_i) && head_ok;
  assign wr_bad = reg_req_i && reg_we_i && !wr_ok;
  assign rd_bad = reg_req_i && !reg_we_i && !known;

  // ---- sources: compose the record (words 1..7) as it enters its FIFO ----
  logic [255:32] rec_alloc, rec_mig, rec_viol, rec_fw;  // record words 1..7
  always_comb begin
    rec_alloc = '0;
    rec_alloc[F_TLO +: 32]       = cycle_i[31:0];
    rec_alloc[F_THI +: 32]       = cycle_i[63:32];
    rec_alloc[F_KIND +: 8]       = {4'd0, alloc_ev_i[3:0]};
    rec_alloc[F_SOURCE +: W_SOURCE] = shoal_proto_pkg::AUDIT_SRC_ALLOC;
    rec_alloc[F_ACTOR +: W_ACTOR] = actor_q;
    rec_alloc[F_STATUS +: 8]     = {4'd0, alloc_ev_i[27:24]};
    rec_alloc[F_PART +: 8]       = alloc_ev_i[15:8];
    rec_alloc[F_PART2 +: 8]      = alloc_ev_i[23:16];
    rec_alloc[F_RTYPE +: 8]      = {4'd0, alloc_ev_i[7:4]};
    rec_alloc[F_AMOUNT +: 16]    = alloc_ev_i[47:32];
    rec_alloc[F_AUX +: 16]       = alloc_ev_i[63:48];
    rec_alloc[F_DLO +: 32]       = alloc_ev_i[31:0];
    rec_alloc[F_DHI +: 32]       = alloc_ev_i[63:32];

    rec_mig = '0;
    rec_mig[F_TLO +: 32]         = cycle_i[31:0];
    rec_mig[F_THI +: 32]         = cycle_i[63:32];
    rec_mig[F_KIND +: 8]         = evm_timeout_i ? shoal_proto_pkg::AUDIT_KIND_ROLLBACK
                                                 : shoal_proto_pkg::AUDIT_KIND_MIGRATE;
    rec_mig[F_SOURCE +: W_SOURCE] = shoal_proto_pkg::AUDIT_SRC_MIGRATION;
    rec_mig[F_ACTOR +: W_ACTOR]  = actor_q;
    rec_mig[F_STATUS +: 8]       = evm_timeout_i ? 8'(shoal_regs_pkg::DRRM_CPL_HEAD_STATUS_TIMEOUT)
                                                 : 8'(shoal_regs_pkg::DRRM_CPL_HEAD_STATUS_OK);
    rec_mig[F_PART +: 8]         = 8'(evm_part_i);
    rec_mig[F_AMOUNT +: 16]      = 16'($countones(evm_mask_i));
    rec_mig[F_AUX +: 16]         = {4'd0, evm_op_i, evm_tag_i};
    rec_mig[F_DLO +: 64]         = 64'(evm_mask_i);

    rec_viol = '0;
    rec_viol[F_TLO +: 32]        = cycle_i[31:0];
    rec_viol[F_THI +: 32]        = cycle_i[63:32];
    rec_viol[F_KIND +: 8]        = shoal_proto_pkg::AUDIT_KIND_VIOLATION;
    rec_viol[F_SOURCE +: W_SOURCE] = shoal_proto_pkg::AUDIT_SRC_VIOLATION;
    rec_viol[F_ACTOR +: W_ACTOR] = actor_q;
    rec_viol[F_STATUS +: 8]      = {6'd0, evv_reason_i};
    rec_viol[F_FLAGS +: 8]       = {7'd0, evv_we_i};
    rec_viol[F_AMOUNT +: 16]     = {8'd0, evv_proc_i};
    rec_viol[F_DLO +: 32]        = evv_addr_i;

    // the firmware's record: FW_REC[i] is record word 3 + i; the card sets source and time
    rec_fw = '0;
    for (int i = 0; i < 5; i++) rec_fw[(FW_BASE + i) * 32 +: 32] = fw_rec_q[i];
    rec_fw[F_TLO +: 32]          = cycle_i[31:0];
    rec_fw[F_THI +: 32]          = cycle_i[63:32];
    rec_fw[F_SOURCE +: W_SOURCE] = shoal_proto_pkg::AUDIT_SRC_FIRMWARE;
  end

  logic [NS-1:0]  f_wvalid, f_wready, f_rvalid, f_rready;
  logic [PL-1:0]  f_wdata [NS];
  logic [PL-1:0]  f_rdata [NS];
  assign f_wvalid = {wr_ok && is_push, evv_valid_i, evm_valid_i, alloc_valid_i};
  assign f_wdata[0] = rec_alloc;
  assign f_wdata[1] = rec_mig;
  assign f_wdata[2] = rec_viol;
  assign f_wdata[3] = rec_fw;
  assign alloc_ready_o = f_wready[0];

  for (genvar s = 0; s < NS; s++) begin : g_src
    /* verilator lint_off PINCONNECTEMPTY */
    prim_fifo_sync #(.Width(PL), .Depth(FIFO)) u_fifo (
      .clk_i, .rst_ni,
      .wvalid_i (f_wvalid[s]), .wready_o (f_wready[s]), .wdata_i (f_wdata[s]),
      .rvalid_o (f_rvalid[s]), .rready_i (f_rready[s]), .rdata_o (f_rdata[s]),
      .depth_o  ()
    );
    /* verilator lint_on PINCONNECTEMPTY */
  end

  // a hardware lane or a firmware push that finds its FIFO full is dropped (counted); the
  // ALLOC port waits instead (alloc_ready_o)
  logic [2:0] entry_drops;
  assign entry_drops = 3'(f_wvalid[1] && !f_wready[1]) + 3'(f_wvalid[2] && !f_wready[2]) +
                       3'(f_wvalid[3] && !f_wready[3]);

  // ---- the writer: one record per cycle, round robin over the four sources and the GAP record
  // (due while DROP_PENDING > 0), so a GAP never starves the sources nor they it. While the ring
  // is full the sources still drain (their records are dropped and counted) and no GAP is due.
  logic        gap_due, gap_now, pick_valid, ring_we, ring_drop;
  logic [2:0]  pick;
  logic [NS:0] cand;
  logic [PL-1:0] pick_data;
  logic [255:32] gap_rec;
  logic [255:0]  wrow;
  always_comb begin
    gap_due    = (drop_pend_q != 32'd0) && !full;
    cand       = {gap_due, f_rvalid};
    pick_valid = 1'b0;
    pick       = rr_q;
    for (int k = 0; k <= NS; k++) begin
      if (!pick_valid && cand[(32'(rr_q) + k) % (NS + 1)]) begin
        pick_valid = 1'b1;
        pick       = 3'((32'(rr_q) + k) % (NS + 1));
      end
    end
    gap_now  = pick_valid && (pick == 3'(NS));
    f_rready = '0;
    if (pick_valid && !gap_now) f_rready[pick[1:0]] = 1'b1;
    pick_data = f_rdata[pick[1:0]];

    gap_rec = '0;
    gap_rec[F_TLO +: 32]          = cycle_i[31:0];
    gap_rec[F_THI +: 32]          = cycle_i[63:32];
    gap_rec[F_KIND +: 8]          = shoal_proto_pkg::AUDIT_KIND_GAP;
    gap_rec[F_SOURCE +: W_SOURCE] = shoal_proto_pkg::AUDIT_SRC_GAP;
    gap_rec[F_ACTOR +: W_ACTOR]   = 8'hFF;
    gap_rec[F_AMOUNT +: 16]       = drop_pend_q[15:0];
    gap_rec[F_DLO +: 32]          = drop_pend_q;

    ring_we   = pick_valid && !full;
    ring_drop = pick_valid && !gap_now && full;
    wrow      = gap_now ? {gap_rec, tail_q} : {pick_data, tail_q};
  end

  logic [DW-1:0] rd_row;
  logic [255:0]  ring_rdata;
  assign rd_row = addr[DW+4:5];
  prim_ram_2p #(.Width(256), .Depth(DEPTH)) u_ring (
    .clk_i,
    .we_i    (ring_we),
    .waddr_i (tail_q[DW-1:0]),
    .wdata_i (wrow),
    .re_i    (reg_req_i && !reg_we_i && in_ring),
    .raddr_i (rd_row),
    .rdata_o (ring_rdata)
  );

  function automatic logic [31:0] sat_add(input logic [31:0] a, input logic [31:0] b);
    logic [32:0] s;
    s = {1'b0, a} + {1'b0, b};
    sat_add = s[32] ? 32'hFFFF_FFFF : s[31:0];
  endfunction

  logic [31:0] drops_now;
  assign drops_now = 32'(entry_drops) + 32'(ring_drop);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      head_q      <= '0;
      tail_q      <= '0;
      dropped_q   <= '0;
      drop_pend_q <= '0;
      bad_q       <= '0;
      for (int i = 0; i < 5; i++) begin
        src_cnt_q[i] <= '0;
        fw_rec_q[i]  <= '0;
      end
      actor_q     <= 8'hFF;
      irq_en_q    <= '0;
      irq_st_q    <= '0;
      rr_q        <= '0;
      ack_q       <= 1'b0;
      err_q       <= 1'b0;
      ring_rd_q   <= 1'b0;
      ring_word_q <= '0;
      rdata_q     <= '0;
    end else begin
      ack_q       <= reg_req_i;
      err_q       <= wr_bad || rd_bad;
      ring_rd_q   <= reg_req_i && !reg_we_i && in_ring;
      ring_word_q <= addr[4:2];
      rdata_q     <= (reg_req_i && !reg_we_i && known) ? rd : 32'd0;
      if (wr_ok) begin
        if (is_head)  head_q <= wv;
        if (is_actor) actor_q <= wv[7:0];
        if (is_rec)   fw_rec_q[idx_rec] <= wv;
        if (is_ien)   irq_en_q <= wv[1:0];
      end
      if (wr_bad && bad_q != 32'hFFFF_FFFF) bad_q <= bad_q + 32'd1;
      // the ring
      if (ring_we) begin
        tail_q <= tail_q + 32'd1;
        if (gap_now) src_cnt_q[3'(shoal_proto_pkg::AUDIT_SRC_GAP)] <=
            sat_add(src_cnt_q[3'(shoal_proto_pkg::AUDIT_SRC_GAP)], 32'd1);
        else src_cnt_q[pick + 3'd1] <= sat_add(src_cnt_q[pick + 3'd1], 32'd1);
      end
      if (pick_valid) rr_q <= (pick == 3'(NS)) ? 3'd0 : pick + 3'd1;
      dropped_q   <= sat_add(dropped_q, drops_now);
      drop_pend_q <= sat_add(gap_now ? 32'd0 : drop_pend_q, drops_now);
      // interrupt causes: a hardware set wins over a same-cycle write-1-to-clear
      for (int b = 0; b < 2; b++) begin
        if (wr_ok && is_ist && reg_wstrb_i[0] && reg_wdata_i[b]) irq_st_q[b] <= 1'b0;
      end
      if (ring_we) irq_st_q[shoal_regs_pkg::AUDIT_IRQ_STATUS_REC_LSB] <= 1'b1;
      if (drops_now != 32'd0) irq_st_q[shoal_regs_pkg::AUDIT_IRQ_STATUS_DROP_LSB] <= 1'b1;
    end
  end

  assign reg_ack_o   = ack_q;
  assign reg_err_o   = ack_q && err_q;
  assign reg_rdata_o = ring_rd_q ? ring_rdata[32'(ring_word_q) * 32 +: 32] : rdata_q;
  assign irq_o       = |(irq_st_q & irq_en_q);

  logic unused;
  assign unused = ^{reg_addr_i[1:0], rel_rec[31:5], rel_rec[1:0], rel_src[31:5], rel_src[1:0]};

`ifndef SYNTHESIS
  // the ring never holds more than DEPTH records; sources map onto SRC_COUNT 1..4
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      assert (count <= DEPTH) else $error("shoal_audit: more records than slots");
      assert (!(ring_we && ring_drop)) else $error("shoal_audit: a record both written and dropped");
    end
  end
  initial begin
    assert (shoal_proto_pkg::AUDIT_WORDS == 8) else $error("shoal_audit: records are 8 words");
    assert (shoal_proto_pkg::AUDIT_SRC_ALLOC == 1 && shoal_proto_pkg::AUDIT_SRC_MIGRATION == 2 &&
            shoal_proto_pkg::AUDIT_SRC_VIOLATION == 3 && shoal_proto_pkg::AUDIT_SRC_FIRMWARE == 4)
      else $error("shoal_audit: the FIFO order must follow the source codes");
    assert (P <= 64) else $error("shoal_audit: a migration record holds at most 64 processors");
  end
`endif
endmodule
