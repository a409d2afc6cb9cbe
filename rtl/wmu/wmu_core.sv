// WMU datapath: per-processor / per-partition counters, windowed utilization samples (restoring
// divider, one quotient bit per cycle), EWMA, threshold hysteresis and the sample rings.
// Contract: docs/wmu.md. Bit- and cycle-exact twin of hls/wmu/wmu.hpp (Wmu<P, K, CW>::cycle).
module wmu_core #(
  parameter int unsigned P  = 64,  // processors
  parameter int unsigned K  = 16,  // partitions (<= 16)
  parameter int unsigned CW = 32,  // cumulative counter width (saturating)
  localparam int unsigned PW = (K > 1) ? $clog2(K) : 1,  // partition-id width
  localparam int unsigned WW = 24,                       // WINDOW width
  localparam int unsigned PB = $clog2(P + 1),            // holds 0..P
  localparam int unsigned AW = WW + PB,                  // window accumulators
  localparam int unsigned D  = 16,                       // ring entries per partition
  localparam int unsigned RING_N = K * D,
  localparam int unsigned RAW = $clog2(RING_N),
  localparam int unsigned WIN_MIN = 18 * K + 2
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // telemetry, one bit per processor per cycle
  input  logic [P-1:0]      busy_i,
  input  logic [P-1:0]      mem_i,
  input  logic [P-1:0]      io_i,
  // from the DRRM: membership and partition id of each processor (id of p at [p*PW +: PW])
  input  logic [P-1:0]      assigned_i,
  input  logic [P*PW-1:0]   part_i,
  // configuration
  input  logic              en_i,
  input  logic [WW-1:0]     window_i,
  input  logic [3:0]        alpha_i,
  input  logic [K*16-1:0]   hi_i,
  input  logic [K*16-1:0]   lo_i,
  input  logic [K*16-1:0]   rd_seq_i,
  input  logic              clr_i,
  // read port: value before this cycle's edge, on rd_data_o the next cycle
  input  logic [3:0]        rd_sel_i,
  input  logic [7:0]        rd_idx_i,
  output logic [31:0]       rd_data_o,
  // one sample per cycle during the window-end pipeline
  output logic              smp_valid_o,
  output logic [3:0]        smp_part_o,
  output logic [15:0]       smp_seq_o,
  output logic [15:0]       smp_util_o,
  output logic [15:0]       smp_ewma_o,
  // threshold crossing (interrupt cause)
  output logic              evt_valid_o,
  output logic [3:0]        evt_part_o,
  output logic              evt_up_o,
  // status
  output logic              busy_o,
  output logic [31:0]       seq_o,
  output logic [WW-1:0]     win_pos_o
);

  localparam int unsigned SW = ((CW > PB) ? CW : PB) + 1;  // saturating-add width
  localparam logic [CW-1:0] CNT_MAX = {CW{1'b1}};
  localparam logic [SW-1:0] CNT_MAX_W = SW'(CNT_MAX);
  localparam logic [WW-1:0] WIN_MIN_W = WW'(WIN_MIN);

  // ---- state -------------------------------------------------------------------------------
  logic [P*CW-1:0]  proc_busy_q, proc_busy_d, proc_mem_q, proc_mem_d, proc_io_q, proc_io_d;
  logic [K*CW-1:0]  part_busy_q, part_busy_d, part_mem_q, part_mem_d, part_io_q, part_io_d;
  logic [K*AW-1:0]  acc_busy_q, acc_busy_d, acc_occ_q, acc_occ_d;
  logic [K*AW-1:0]  snap_busy_q, snap_busy_d, snap_occ_q, snap_occ_d;
  logic [WW-1:0]    win_pos_q, win_pos_d;
  logic [31:0]      seq_q, seq_d, snap_seq_q, snap_seq_d;
  logic             pipe_active_q, pipe_active_d;
  logic [3:0]       pipe_k_q, pipe_k_d;
  logic [4:0]       pipe_step_q, pipe_step_d;
  logic [AW:0]      div_r_q, div_r_d;
  logic [16:0]      div_q_q, div_q_d;
  logic [K*16-1:0]  ewma_q, ewma_d, ewma_seq_q, ewma_seq_d;
  logic [K-1:0]     high_q, high_d;
  logic [K*16-1:0]  overrun_q, overrun_d;
  // output registers
  logic             smp_valid_d, evt_valid_d, evt_up_d;
  logic [3:0]       smp_part_d, evt_part_d;
  logic [15:0]      smp_seq_d, smp_util_d, smp_ewma_d;
  logic [31:0]      rd_other_d, rd_other_q;
  logic             rd_ring_q, rd_ring_ok_q;
  // ring memory (not reset)
  logic [31:0]      ring_mem [0:RING_N-1];
  logic [31:0]      ring_rdata_q;
  logic             ring_we;
  logic [RAW-1:0]   ring_waddr;
  logic [31:0]      ring_wdata;

  // ---- per-cycle attribution ---------------------------------------------------------------
  // Per partition: how many attributed processors were busy / made a memory or I/O access /
  // were attributed at all. The partition ids are first transposed into PW bit planes (plane b
  // holds bit b of every processor's id, P bits wide); partition k's membership mask is then
  // the AND of `assigned_i` and each plane or its complement (as bit b of k is 1 or 0), and the
  // four counts are population counts of P-bit masks. Apart from the transposition (P*PW bit
  // moves) these are whole-vector operations, so the Verilated model works on P-bit words (and
  // a native popcount) rather than on K*P single bits; Yosys maps $countones to an adder tree
  // no larger than the former four-at-a-time LUT counts.
  logic [PW*P-1:0] id_pl;  // plane b at [b*P +: P]
  always_comb begin
    for (int p = 0; p < P; p++) begin
      for (int b = 0; b < PW; b++) begin
        id_pl[b*P + p] = part_i[p*PW + b];
      end
    end
  end

  logic [K*PB-1:0] b_cnt, m_cnt, i_cnt, o_cnt;
  logic [P-1:0]    in_k;
  always_comb begin
    b_cnt = '0;
    m_cnt = '0;
    i_cnt = '0;
    o_cnt = '0;
    in_k  = '0;
    for (int k = 0; k < K; k++) begin
      in_k = assigned_i;
      for (int b = 0; b < PW; b++) begin
        if (((k >> b) & 1) != 0) in_k = in_k & id_pl[b*P +: P];
        else                     in_k = in_k & ~id_pl[b*P +: P];
      end
      o_cnt[k*PB +: PB] = PB'($countones(in_k));
      b_cnt[k*PB +: PB] = PB'($countones(in_k & busy_i));
      m_cnt[k*PB +: PB] = PB'($countones(in_k & mem_i));
      i_cnt[k*PB +: PB] = PB'($countones(in_k & io_i));
    end
  end

  // ---- sampling pipeline: divider, EWMA, ring, overrun, thresholds -------------------------
  logic [AW:0]        r_in, occ_w;
  logic [15:0]        q_in;
  logic               ge;
  logic [15:0]        util, e_old, e_new, s16, behind, hi_k, lo_k;
  logic signed [17:0] ew_d, ew_rnd, ew_t;
  logic [17:0]        ew_sum;
  logic [AW-1:0]      snap_occ_k;

  // the current partition's operands (constant part-selects: a mux, not a barrel shifter)
  logic [AW-1:0] snap_busy_k;
  logic [15:0]   rd_seq_k, overrun_k;
  logic          high_k;
  always_comb begin
    snap_occ_k  = '0;
    snap_busy_k = '0;
    e_old       = '0;
    rd_seq_k    = '0;
    hi_k        = '0;
    lo_k        = '0;
    overrun_k   = '0;
    high_k      = 1'b0;
    for (int k = 0; k < K; k++) begin
      if (32'(pipe_k_q) == k) begin
        snap_occ_k  = snap_occ_q[k*AW +: AW];
        snap_busy_k = snap_busy_q[k*AW +: AW];
        e_old       = ewma_q[k*16 +: 16];
        rd_seq_k    = rd_seq_i[k*16 +: 16];
        hi_k        = hi_i[k*16 +: 16];
        lo_k        = lo_i[k*16 +: 16];
        overrun_k   = overrun_q[k*16 +: 16];
        high_k      = high_q[k];
      end
    end
  end

  always_comb begin
    occ_w      = {1'b0, snap_occ_k};
    r_in       = (pipe_step_q == 5'd0) ? {1'b0, snap_busy_k} : div_r_q;
    q_in       = (pipe_step_q == 5'd0) ? 16'd0 : div_q_q[15:0];
    ge         = (r_in >= occ_w);
    util       = (snap_occ_k == '0) ? 16'd0 : (div_q_q[16] ? 16'hFFFF : div_q_q[15:0]);
    s16        = snap_seq_q[15:0];
    ew_d       = $signed({2'b00, util}) - $signed({2'b00, e_old});
    ew_rnd     = (alpha_i == 4'd0) ? 18'sd0 : (18'sd1 <<< (alpha_i - 4'd1));
    ew_t       = (ew_d + ew_rnd) >>> alpha_i;
    ew_sum     = {2'b00, e_old} + ew_t;
    e_new      = (alpha_i == 4'd0) ? util : ew_sum[15:0];
    behind     = s16 - rd_seq_k;
  end
  logic unused_ew;
  assign unused_ew = ^ew_sum[17:16];

  // ---- next state --------------------------------------------------------------------------
  logic [WW-1:0] w_eff;
  logic [SW-1:0] sum;

  always_comb begin
    proc_busy_d   = proc_busy_q;
    proc_mem_d    = proc_mem_q;
    proc_io_d     = proc_io_q;
    part_busy_d   = part_busy_q;
    part_mem_d    = part_mem_q;
    part_io_d     = part_io_q;
    acc_busy_d    = acc_busy_q;
    acc_occ_d     = acc_occ_q;
    snap_busy_d   = snap_busy_q;
    snap_occ_d    = snap_occ_q;
    win_pos_d     = win_pos_q;
    seq_d         = seq_q;
    snap_seq_d    = snap_seq_q;
    pipe_active_d = pipe_active_q;
    pipe_k_d      = pipe_k_q;
    pipe_step_d   = pipe_step_q;
    div_r_d       = div_r_q;
    div_q_d       = div_q_q;
    ewma_d        = ewma_q;
    ewma_seq_d    = ewma_seq_q;
    high_d        = high_q;
    overrun_d     = overrun_q;
    smp_valid_d   = 1'b0;
    smp_part_d    = 4'd0;
    smp_seq_d     = 16'd0;
    smp_util_d    = 16'd0;
    smp_ewma_d    = 16'd0;
    evt_valid_d   = 1'b0;
    evt_part_d    = 4'd0;
    evt_up_d      = 1'b0;
    ring_we       = 1'b0;
    ring_waddr    = RAW'({pipe_k_q, snap_seq_q[3:0]});
    ring_wdata    = {s16, util};
    w_eff         = (window_i < WIN_MIN_W) ? WIN_MIN_W : window_i;
    sum           = '0;

    // sampling pipeline
    if (pipe_active_q) begin
      if (pipe_step_q < 5'd17) begin
        div_q_d     = {q_in, ge};
        div_r_d     = (ge ? (r_in - occ_w) : r_in) << 1;
        pipe_step_d = pipe_step_q + 5'd1;
      end else begin
        for (int k = 0; k < K; k++) begin
          if (32'(pipe_k_q) == k) begin
            ewma_d[k*16 +: 16]     = e_new;
            ewma_seq_d[k*16 +: 16] = s16;
            if (behind >= 16'(D) && overrun_k != 16'hFFFF) begin
              overrun_d[k*16 +: 16] = overrun_k + 16'd1;
            end
            if (!high_k && (e_new >= hi_k)) begin
              high_d[k]   = 1'b1;
              evt_valid_d = 1'b1;
              evt_up_d    = 1'b1;
              evt_part_d  = pipe_k_q;
            end else if (high_k && (e_new <= lo_k)) begin
              high_d[k]   = 1'b0;
              evt_valid_d = 1'b1;
              evt_up_d    = 1'b0;
              evt_part_d  = pipe_k_q;
            end
          end
        end
        ring_we = 1'b1;
        smp_valid_d = 1'b1;
        smp_part_d  = pipe_k_q;
        smp_seq_d   = s16;
        smp_util_d  = util;
        smp_ewma_d  = e_new;
        pipe_step_d = 5'd0;
        if (32'(pipe_k_q) == K - 1) begin
          pipe_active_d = 1'b0;
          pipe_k_d      = 4'd0;
        end else begin
          pipe_k_d = pipe_k_q + 4'd1;
        end
      end
    end

    // counters and the window
    if (en_i) begin
      for (int p = 0; p < P; p++) begin
        if (busy_i[p] && proc_busy_q[p*CW +: CW] != CNT_MAX)
          proc_busy_d[p*CW +: CW] = proc_busy_q[p*CW +: CW] + CW'(1);
        if (mem_i[p] && proc_mem_q[p*CW +: CW] != CNT_MAX)
          proc_mem_d[p*CW +: CW] = proc_mem_q[p*CW +: CW] + CW'(1);
        if (io_i[p] && proc_io_q[p*CW +: CW] != CNT_MAX)
          proc_io_d[p*CW +: CW] = proc_io_q[p*CW +: CW] + CW'(1);
      end
      for (int k = 0; k < K; k++) begin
        sum = SW'(part_busy_q[k*CW +: CW]) + SW'(b_cnt[k*PB +: PB]);
        part_busy_d[k*CW +: CW] = (sum > CNT_MAX_W) ? CNT_MAX : sum[CW-1:0];
        sum = SW'(part_mem_q[k*CW +: CW]) + SW'(m_cnt[k*PB +: PB]);
        part_mem_d[k*CW +: CW] = (sum > CNT_MAX_W) ? CNT_MAX : sum[CW-1:0];
        sum = SW'(part_io_q[k*CW +: CW]) + SW'(i_cnt[k*PB +: PB]);
        part_io_d[k*CW +: CW] = (sum > CNT_MAX_W) ? CNT_MAX : sum[CW-1:0];
      end
      if (win_pos_q >= w_eff - WW'(1)) begin
        for (int k = 0; k < K; k++) begin
          snap_busy_d[k*AW +: AW] = acc_busy_q[k*AW +: AW] + AW'(b_cnt[k*PB +: PB]);
          snap_occ_d[k*AW +: AW]  = acc_occ_q[k*AW +: AW] + AW'(o_cnt[k*PB +: PB]);
        end
        acc_busy_d    = '0;
        acc_occ_d     = '0;
        win_pos_d     = '0;
        snap_seq_d    = seq_q;
        seq_d         = seq_q + 32'd1;
        pipe_active_d = 1'b1;
        pipe_k_d      = 4'd0;
        pipe_step_d   = 5'd0;
      end else begin
        for (int k = 0; k < K; k++) begin
          acc_busy_d[k*AW +: AW] = acc_busy_q[k*AW +: AW] + AW'(b_cnt[k*PB +: PB]);
          acc_occ_d[k*AW +: AW]  = acc_occ_q[k*AW +: AW] + AW'(o_cnt[k*PB +: PB]);
        end
        win_pos_d = win_pos_q + WW'(1);
      end
    end else begin
      win_pos_d = '0;
      acc_busy_d = '0;
      acc_occ_d  = '0;
    end

    // clear wins over this cycle's increments
    if (clr_i) begin
      proc_busy_d = '0;
      proc_mem_d  = '0;
      proc_io_d   = '0;
      part_busy_d = '0;
      part_mem_d  = '0;
      part_io_d   = '0;
      overrun_d   = '0;
    end
  end

  // ---- read port ---------------------------------------------------------------------------
  always_comb begin
    rd_other_d = 32'd0;
    for (int p = 0; p < P; p++) begin
      if (32'(rd_idx_i) == p) begin
        case (rd_sel_i)
          4'd0: rd_other_d = 32'(proc_busy_q[p*CW +: CW]);
          4'd1: rd_other_d = 32'(proc_mem_q[p*CW +: CW]);
          4'd2: rd_other_d = 32'(proc_io_q[p*CW +: CW]);
          default: ;
        endcase
      end
    end
    for (int k = 0; k < K; k++) begin
      if (32'(rd_idx_i) == k) begin
        case (rd_sel_i)
          4'd3: rd_other_d = 32'(part_busy_q[k*CW +: CW]);
          4'd4: rd_other_d = 32'(part_mem_q[k*CW +: CW]);
          4'd5: rd_other_d = 32'(part_io_q[k*CW +: CW]);
          4'd6: rd_other_d = 32'(overrun_q[k*16 +: 16]);
          4'd7: rd_other_d = {ewma_seq_q[k*16 +: 16], ewma_q[k*16 +: 16]};
          default: ;
        endcase
      end
    end
  end

  // ring memory: one write (post step) and one read (read port) per cycle, no reset
  always_ff @(posedge clk_i) begin
    if (ring_we) ring_mem[ring_waddr] <= ring_wdata;
    ring_rdata_q <= ring_mem[rd_idx_i[RAW-1:0]];
  end

  // ---- registers ---------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      proc_busy_q   <= '0;
      proc_mem_q    <= '0;
      proc_io_q     <= '0;
      part_busy_q   <= '0;
      part_mem_q    <= '0;
      part_io_q     <= '0;
      acc_busy_q    <= '0;
      acc_occ_q     <= '0;
      snap_busy_q   <= '0;
      snap_occ_q    <= '0;
      win_pos_q     <= '0;
      seq_q         <= '0;
      snap_seq_q    <= '0;
      pipe_active_q <= 1'b0;
      pipe_k_q      <= '0;
      pipe_step_q   <= '0;
      div_r_q       <= '0;
      div_q_q       <= '0;
      ewma_q        <= '0;
      ewma_seq_q    <= '0;
      high_q        <= '0;
      overrun_q     <= '0;
      smp_valid_o   <= 1'b0;
      smp_part_o    <= '0;
      smp_seq_o     <= '0;
      smp_util_o    <= '0;
      smp_ewma_o    <= '0;
      evt_valid_o   <= 1'b0;
      evt_part_o    <= '0;
      evt_up_o      <= 1'b0;
      rd_other_q    <= '0;
      rd_ring_q     <= 1'b0;
      rd_ring_ok_q  <= 1'b0;
    end else begin
      proc_busy_q   <= proc_busy_d;
      proc_mem_q    <= proc_mem_d;
      proc_io_q     <= proc_io_d;
      part_busy_q   <= part_busy_d;
      part_mem_q    <= part_mem_d;
      part_io_q     <= part_io_d;
      acc_busy_q    <= acc_busy_d;
      acc_occ_q     <= acc_occ_d;
      snap_busy_q   <= snap_busy_d;
      snap_occ_q    <= snap_occ_d;
      win_pos_q     <= win_pos_d;
      seq_q         <= seq_d;
      snap_seq_q    <= snap_seq_d;
      pipe_active_q <= pipe_active_d;
      pipe_k_q      <= pipe_k_d;
      pipe_step_q   <= pipe_step_d;
      div_r_q       <= div_r_d;
      div_q_q       <= div_q_d;
      ewma_q        <= ewma_d;
      ewma_seq_q    <= ewma_seq_d;
      high_q        <= high_d;
      overrun_q     <= overrun_d;
      smp_valid_o   <= smp_valid_d;
      smp_part_o    <= smp_part_d;
      smp_seq_o     <= smp_seq_d;
      smp_util_o    <= smp_util_d;
      smp_ewma_o    <= smp_ewma_d;
      evt_valid_o   <= evt_valid_d;
      evt_part_o    <= evt_part_d;
      evt_up_o      <= evt_up_d;
      rd_other_q    <= rd_other_d;
      rd_ring_q     <= (rd_sel_i == 4'd8);
      rd_ring_ok_q  <= (32'(rd_idx_i) < RING_N);
    end
  end

  assign rd_data_o = rd_ring_q ? (rd_ring_ok_q ? ring_rdata_q : 32'd0) : rd_other_q;
  assign busy_o    = pipe_active_q;
  assign seq_o     = seq_q;
  assign win_pos_o = win_pos_q;

endmodule
