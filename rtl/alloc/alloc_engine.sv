// ALLOC engine: the interposer allocator's transaction pipeline (contract: docs/alloc.md).
//
//   S1  command register
//   S2  execute: read the state, compute the result, write the state back (same cycle), so
//       the next command sees the updated state: results equal strictly sequential semantics
//   S3  output register: the response (held until resp_ready_i) and the event serializer
//       (RECLAIM per victim by ascending partition, then the command's own event)
//
// Grant latency 2 cycles (accept -> resp_valid_o); one command per cycle when the response and
// event ports are ready. A round-robin self-check raises the sticky inv_err_o when
// free + sum(alloc) != pool or alloc > cap for some type.
module alloc_engine #(
  parameter int unsigned K  = shoal_regs_pkg::PARAM_NUM_PARTITIONS,
  parameter int unsigned T  = shoal_regs_pkg::PARAM_NUM_RESOURCE_TYPES,
  parameter int unsigned UW = 9  // unit-count width (fixed by the contract)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // commands
  input  logic              cmd_valid_i,
  output logic              cmd_ready_o,
  input  logic [63:0]       cmd_i,
  // responses
  output logic              resp_valid_o,
  input  logic              resp_ready_i,
  output logic [3:0]        resp_status_o,
  output logic [15:0]       resp_granted_o,
  output logic [15:0]       resp_reclaimed_o,
  output logic [UW-1:0]     resp_alloc_o,
  output logic [UW-1:0]     resp_floor_o,
  output logic [UW-1:0]     resp_cap_o,
  output logic [UW-1:0]     resp_free_o,
  output logic [3:0]        resp_prio_o,
  output logic [K*UW-1:0]   resp_victims_o,
  // events for the audit log
  output logic              ev_valid_o,
  input  logic              ev_ready_i,
  output logic [63:0]       ev_o,
  // state read port (combinational) for the register wrapper
  input  logic [7:0]        peek_part_i,
  input  logic [3:0]        peek_type_i,
  output logic [UW-1:0]     peek_alloc_o,
  output logic [UW-1:0]     peek_floor_o,
  output logic [UW-1:0]     peek_cap_o,
  output logic [UW-1:0]     peek_free_o,
  output logic [UW-1:0]     peek_pool_o,
  output logic [3:0]        peek_prio_o,
  // self-check
  output logic              inv_err_o,
  input  logic              test_corrupt_i
);

  localparam int unsigned SW = 16;  // width of sums over partitions (K * 511 < 2^16)

  localparam logic [3:0] OP_REQUEST    = 4'd1;
  localparam logic [3:0] OP_RELEASE    = 4'd2;
  localparam logic [3:0] OP_SET_LIMITS = 4'd3;
  localparam logic [3:0] OP_SET_PRIO   = 4'd4;
  localparam logic [3:0] OP_QUERY      = 4'd5;

  localparam logic [3:0] ST_GRANTED         = 4'd0;
  localparam logic [3:0] ST_PARTIAL         = 4'd1;
  localparam logic [3:0] ST_DENIED_CAP      = 4'd2;
  localparam logic [3:0] ST_INSUFFICIENT    = 4'd3;
  localparam logic [3:0] ST_INVALID         = 4'd4;
  localparam logic [3:0] ST_CAP_BELOW_ALLOC = 4'd5;
  localparam logic [3:0] ST_FLOOR_SUM       = 4'd6;

  localparam logic [3:0] EV_GRANT   = 4'd1;
  localparam logic [3:0] EV_RELEASE = 4'd2;
  localparam logic [3:0] EV_RECLAIM = 4'd3;
  localparam logic [3:0] EV_LIMITS  = 4'd4;
  localparam logic [3:0] EV_PRIO    = 4'd5;

  // Pool size of type t, from the register map.
  function automatic logic [UW-1:0] pool_of(input int t);
    /* verilator lint_off UNUSEDSIGNAL */
    logic [31:0] v;  // only UW bits are used: pools are at most 2^UW - 1
    /* verilator lint_on UNUSEDSIGNAL */
    case (t)
      0:       v = shoal_regs_pkg::RES_CPU_UNITS;
      1:       v = shoal_regs_pkg::RES_CACHE_WAYS_UNITS;
      2:       v = shoal_regs_pkg::RES_MEM_BW_UNITS;
      3:       v = shoal_regs_pkg::RES_MEM_REGION_UNITS;
      4:       v = shoal_regs_pkg::RES_PCIE_LANES_UNITS;
      5:       v = shoal_regs_pkg::RES_ACCEL_SLICES_UNITS;
      6:       v = shoal_regs_pkg::RES_NET_BW_UNITS;
      7:       v = shoal_regs_pkg::RES_STORAGE_IOPS_UNITS;
      default: v = 32'd0;
    endcase
    pool_of = v[UW-1:0];
  endfunction

  function automatic logic [SW-1:0] ext(input logic [UW-1:0] x);
    ext = {{(SW-UW){1'b0}}, x};
  endfunction

  // ---- state -----------------------------------------------------------------------------------
  logic [K*T*UW-1:0] alloc_q, alloc_d, floor_q, floor_d, cap_q, cap_d;
  logic [K*4-1:0]    prio_q, prio_d;
  logic [T*UW-1:0]   free_q, free_d, fsum_q, fsum_d, pool;

  always_comb begin
    pool = '0;
    for (int t = 0; t < T; t++) pool[t*UW +: UW] = pool_of(t);
  end

  // ---- S1: command register --------------------------------------------------------------------
  logic        s1_valid_q;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [63:0] s1_cmd_q;  // reserved bits [31:24], [7:6] are ignored
  /* verilator lint_on UNUSEDSIGNAL */
  logic        s2_fire;   // S1 executes and moves into S3 this cycle
  logic        s3_free;   // S3 can take a new result this cycle

  assign s2_fire     = s1_valid_q && s3_free;
  assign cmd_ready_o = !s1_valid_q || s3_free;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_cmd_q   <= '0;
    end else if (cmd_ready_o) begin
      s1_valid_q <= cmd_valid_i;
      if (cmd_valid_i) s1_cmd_q <= cmd_i;
    end
  end

  // ---- S2: execute -----------------------------------------------------------------------------
  logic [3:0]  op, typ, nprio;
  logic [7:0]  part;
  logic        f_partial, f_reclaim;
  logic [15:0] amount, capv;
  assign op        = s1_cmd_q[3:0];
  assign f_partial = s1_cmd_q[4];
  assign f_reclaim = s1_cmd_q[5];
  assign part      = s1_cmd_q[15:8];
  assign typ       = s1_cmd_q[19:16];
  assign nprio     = s1_cmd_q[23:20];
  assign amount    = s1_cmd_q[47:32];
  assign capv      = s1_cmd_q[63:48];

  logic        p_ok, t_ok;
  logic [31:0] p_sel, t_sel;  // clamped to 0 when out of range
  assign p_ok  = {24'd0, part} < K;
  assign t_ok  = {28'd0, typ} < T;
  assign p_sel = p_ok ? {24'd0, part} : 32'd0;
  assign t_sel = t_ok ? {28'd0, typ} : 32'd0;

  // the column of type t_sel, and partition p_sel's row entries
  logic [K*UW-1:0] col_a, col_f, col_c;
  logic [UW-1:0]   free_t, fsum_t, pool_t, a_p, f_p, c_p;
  logic [3:0]      pr_p;
  always_comb begin
    col_a = '0; col_f = '0; col_c = '0;
    free_t = '0; fsum_t = '0; pool_t = '0;
    for (int t = 0; t < T; t++) begin
      if (t_sel == t) begin
        for (int k = 0; k < K; k++) begin
          col_a[k*UW +: UW] = alloc_q[(k*T+t)*UW +: UW];
          col_f[k*UW +: UW] = floor_q[(k*T+t)*UW +: UW];
          col_c[k*UW +: UW] = cap_q[(k*T+t)*UW +: UW];
        end
        free_t = free_q[t*UW +: UW];
        fsum_t = fsum_q[t*UW +: UW];
        pool_t = pool[t*UW +: UW];
      end
    end
    a_p = '0; f_p = '0; c_p = '0; pr_p = '0;
    for (int k = 0; k < K; k++) begin
      if (p_sel == k) begin
        a_p  = col_a[k*UW +: UW];
        f_p  = col_f[k*UW +: UW];
        c_p  = col_c[k*UW +: UW];
        pr_p = prio_q[k*4 +: 4];
      end
    end
  end

  // reclaim candidates, excess, and the greedy take per victim
  logic [K*UW-1:0] ex, take;
  logic [K-1:0]    exnz;
  logic [SW-1:0]   reclaimable, taken;
  logic [SW-1:0]   head, want, avail, g, from_free, need;
  logic            deny_cap;
  always_comb begin
    ex = '0;
    exnz = '0;
    reclaimable = '0;
    for (int k = 0; k < K; k++) begin
      if (f_reclaim && (prio_q[k*4 +: 4] < pr_p) && (col_a[k*UW +: UW] > col_f[k*UW +: UW])) begin
        ex[k*UW +: UW] = col_a[k*UW +: UW] - col_f[k*UW +: UW];
        exnz[k] = 1'b1;
      end
      reclaimable = reclaimable + ext(ex[k*UW +: UW]);
    end
    head     = ext(c_p - a_p);
    deny_cap = (amount > head) && ((head == '0) || !f_partial);
    want     = (amount < head) ? amount : head;
    avail    = ext(free_t) + reclaimable;
    if (want <= avail)                  g = want;
    else if (f_partial && avail != '0)  g = avail;
    else                                g = '0;
    from_free = (g < ext(free_t)) ? g : ext(free_t);
    need      = g - from_free;
  end

  // pre(v) = sum of the excess of candidates ordered before v (prio asc, excess desc, index asc)
  logic [SW-1:0] pre, rem;
  logic          is_before;
  always_comb begin
    pre = '0;
    rem = '0;
    is_before = 1'b0;
    take  = '0;
    taken = '0;
    for (int v = 0; v < K; v++) begin
      pre = '0;
      for (int j = 0; j < K; j++) begin
        is_before = (prio_q[j*4 +: 4] < prio_q[v*4 +: 4]) ||
                 ((prio_q[j*4 +: 4] == prio_q[v*4 +: 4]) &&
                  ((ex[j*UW +: UW] > ex[v*UW +: UW]) ||
                   ((ex[j*UW +: UW] == ex[v*UW +: UW]) && (j < v))));
        if (exnz[j] && is_before) pre = pre + ext(ex[j*UW +: UW]);
      end
      rem = need - pre;
      if (exnz[v] && (need > pre)) begin
        take[v*UW +: UW] = (rem > ext(ex[v*UW +: UW])) ? ex[v*UW +: UW] : rem[UW-1:0];
      end
      taken = taken + ext(take[v*UW +: UW]);
    end
  end

  // outcome of the command
  logic          do_grant, do_release, do_limits, do_prio;
  logic [3:0]    status;
  logic [SW-1:0] fsum_new;
  logic [K*UW-1:0] col_a_new;
  logic [UW-1:0] a_after, f_after, c_after, free_after;
  logic [3:0]    pr_after;
  logic          snap;
  always_comb begin
    do_grant   = 1'b0;
    do_release = 1'b0;
    do_limits  = 1'b0;
    do_prio    = 1'b0;
    status     = ST_INVALID;
    fsum_new   = ext(fsum_t) - ext(f_p) + amount;
    if (op == OP_REQUEST && p_ok && t_ok && amount != '0) begin
      if (deny_cap)          status = ST_DENIED_CAP;
      else if (g == '0)      status = ST_INSUFFICIENT;
      else begin
        do_grant = 1'b1;
        status   = (g == amount) ? ST_GRANTED : ST_PARTIAL;
      end
    end else if (op == OP_RELEASE && p_ok && t_ok && amount != '0 && amount <= ext(a_p)) begin
      do_release = 1'b1;
      status     = ST_GRANTED;
    end else if (op == OP_SET_LIMITS && p_ok && t_ok && amount <= capv && capv <= ext(pool_t)) begin
      if (ext(a_p) > capv)               status = ST_CAP_BELOW_ALLOC;
      else if (fsum_new > ext(pool_t))   status = ST_FLOOR_SUM;
      else begin
        do_limits = 1'b1;
        status    = ST_GRANTED;
      end
    end else if (op == OP_SET_PRIO && p_ok) begin
      do_prio = 1'b1;
      status  = ST_GRANTED;
    end else if (op == OP_QUERY && p_ok && t_ok) begin
      status = ST_GRANTED;
    end

    col_a_new = col_a;
    for (int k = 0; k < K; k++) begin
      if (do_grant) col_a_new[k*UW +: UW] = col_a[k*UW +: UW] - take[k*UW +: UW];
      if (p_sel == k) begin
        if (do_grant)   col_a_new[k*UW +: UW] = a_p + g[UW-1:0];
        if (do_release) col_a_new[k*UW +: UW] = a_p - amount[UW-1:0];
      end
    end
    a_after    = do_grant ? (a_p + g[UW-1:0]) : do_release ? (a_p - amount[UW-1:0]) : a_p;
    f_after    = do_limits ? amount[UW-1:0] : f_p;
    c_after    = do_limits ? capv[UW-1:0] : c_p;
    free_after = do_grant ? (free_t - from_free[UW-1:0]) :
                 do_release ? (free_t + amount[UW-1:0]) : free_t;
    pr_after   = do_prio ? nprio : pr_p;
    snap       = (status != ST_INVALID) && p_ok && t_ok;
  end

  // next state
  always_comb begin
    alloc_d = alloc_q;
    floor_d = floor_q;
    cap_d   = cap_q;
    prio_d  = prio_q;
    free_d  = free_q;
    fsum_d  = fsum_q;
    if (s2_fire) begin
      for (int t = 0; t < T; t++) begin
        if (t_sel == t) begin
          for (int k = 0; k < K; k++) begin
            if (do_grant || do_release) alloc_d[(k*T+t)*UW +: UW] = col_a_new[k*UW +: UW];
            if (do_limits && p_sel == k) begin
              floor_d[(k*T+t)*UW +: UW] = amount[UW-1:0];
              cap_d[(k*T+t)*UW +: UW]   = capv[UW-1:0];
            end
          end
          if (do_grant || do_release) free_d[t*UW +: UW] = free_after;
          if (do_limits) fsum_d[t*UW +: UW] = fsum_new[UW-1:0];
        end
      end
      for (int k = 0; k < K; k++) begin
        if (do_prio && p_sel == k) prio_d[k*4 +: 4] = nprio;
      end
    end
    if (test_corrupt_i) free_d[UW-1:0] = free_d[UW-1:0] + 1'b1;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      alloc_q <= '0;
      floor_q <= '0;
      for (int k = 0; k < K; k++) begin
        for (int t = 0; t < T; t++) cap_q[(k*T+t)*UW +: UW] <= pool_of(t);
      end
      prio_q <= '0;
      for (int t = 0; t < T; t++) free_q[t*UW +: UW] <= pool_of(t);
      fsum_q <= '0;
    end else begin
      alloc_q <= alloc_d;
      floor_q <= floor_d;
      cap_q   <= cap_d;
      prio_q  <= prio_d;
      free_q  <= free_d;
      fsum_q  <= fsum_d;
    end
  end

  // ---- S3: output register and event serializer ------------------------------------------------
  logic            s3_valid_q, s3_resp_done_q, s3_main_pend_q;
  logic [3:0]      s3_status_q, s3_prio_q, s3_type_q;
  logic [15:0]     s3_granted_q, s3_reclaimed_q;
  logic [UW-1:0]   s3_alloc_q, s3_floor_q, s3_cap_q, s3_free_q;
  logic [K*UW-1:0] s3_victims_q;
  logic [K-1:0]    s3_vmask_q;
  logic [7:0]      s3_part_q;
  logic [63:0]     s3_main_ev_q;

  // the command's own event, built in S2
  logic [63:0] main_ev;
  logic        main_ev_valid;
  logic [K-1:0] vmask;
  always_comb begin
    main_ev = '0;
    main_ev[15:8] = part;
    main_ev[7:4]  = typ;
    main_ev_valid = do_grant || do_release || do_limits || do_prio;
    if (do_grant) begin
      main_ev[3:0]   = EV_GRANT;
      main_ev[27:24] = status;
      main_ev[47:32] = g;
    end else if (do_release) begin
      main_ev[3:0]   = EV_RELEASE;
      main_ev[47:32] = amount;
    end else if (do_limits) begin
      main_ev[3:0]   = EV_LIMITS;
      main_ev[47:32] = amount;
      main_ev[63:48] = capv;
    end else if (do_prio) begin
      main_ev[3:0]   = EV_PRIO;
      main_ev[7:4]   = 4'd0;
      main_ev[35:32] = nprio;
    end
    for (int k = 0; k < K; k++) vmask[k] = do_grant && (take[k*UW +: UW] != '0);
  end

  // current event and the completion of the output stage
  logic [31:0] vsel;
  logic        ev_last, ev_none, resp_ok;
  always_comb begin
    vsel = 32'd0;
    for (int k = K - 1; k >= 0; k--) begin
      if (s3_vmask_q[k]) vsel = k;
    end
    ev_o = s3_main_ev_q;
    if (s3_vmask_q != '0) begin
      ev_o = '0;
      ev_o[3:0]   = EV_RECLAIM;
      ev_o[7:4]   = s3_type_q;
      ev_o[15:8]  = vsel[7:0];
      ev_o[23:16] = s3_part_q;
      for (int k = 0; k < K; k++) begin
        if (vsel == k) ev_o[32 +: UW] = s3_victims_q[k*UW +: UW];
      end
    end
    ev_none = (s3_vmask_q == '0) && !s3_main_pend_q;
    // exactly one event left (a RECLAIM is always followed by the GRANT)
    ev_last = (s3_vmask_q == '0) && s3_main_pend_q;
  end
  assign ev_valid_o = s3_valid_q && !ev_none;
  assign resp_valid_o = s3_valid_q && !s3_resp_done_q;
  assign resp_ok = s3_resp_done_q || resp_ready_i;
  assign s3_free = !s3_valid_q || (resp_ok && (ev_none || (ev_last && ev_ready_i)));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s3_valid_q     <= 1'b0;
      s3_resp_done_q <= 1'b0;
      s3_main_pend_q <= 1'b0;
      s3_status_q    <= '0;
      s3_prio_q      <= '0;
      s3_type_q      <= '0;
      s3_granted_q   <= '0;
      s3_reclaimed_q <= '0;
      s3_alloc_q     <= '0;
      s3_floor_q     <= '0;
      s3_cap_q       <= '0;
      s3_free_q      <= '0;
      s3_victims_q   <= '0;
      s3_vmask_q     <= '0;
      s3_part_q      <= '0;
      s3_main_ev_q   <= '0;
    end else if (s3_free) begin
      s3_valid_q     <= s2_fire;
      s3_resp_done_q <= 1'b0;
      if (s2_fire) begin
        s3_main_pend_q <= main_ev_valid;
        s3_status_q    <= status;
        s3_prio_q      <= snap ? pr_after : 4'd0;
        s3_type_q      <= typ;
        s3_granted_q   <= do_grant ? g : do_release ? amount : 16'd0;
        s3_reclaimed_q <= do_grant ? taken : 16'd0;
        s3_alloc_q     <= snap ? a_after : '0;
        s3_floor_q     <= snap ? f_after : '0;
        s3_cap_q       <= snap ? c_after : '0;
        s3_free_q      <= snap ? free_after : '0;
        s3_victims_q   <= do_grant ? take : '0;
        s3_vmask_q     <= vmask;
        s3_part_q      <= part;
        s3_main_ev_q   <= main_ev;
      end else begin
        s3_main_pend_q <= 1'b0;
        s3_vmask_q     <= '0;
      end
    end else begin
      if (resp_ready_i) s3_resp_done_q <= 1'b1;
      if (ev_ready_i && !ev_none) begin
        if (s3_vmask_q != '0) s3_vmask_q <= s3_vmask_q & (s3_vmask_q - 1'b1);
        else                  s3_main_pend_q <= 1'b0;
      end
    end
  end

  assign resp_status_o    = s3_status_q;
  assign resp_granted_o   = s3_granted_q;
  assign resp_reclaimed_o = s3_reclaimed_q;
  assign resp_alloc_o     = s3_alloc_q;
  assign resp_floor_o     = s3_floor_q;
  assign resp_cap_o       = s3_cap_q;
  assign resp_free_o      = s3_free_q;
  assign resp_prio_o      = s3_prio_q;
  assign resp_victims_o   = s3_victims_q;

  // ---- state read port -------------------------------------------------------------------------
  always_comb begin
    peek_alloc_o = '0;
    peek_floor_o = '0;
    peek_cap_o   = '0;
    peek_free_o  = '0;
    peek_pool_o  = '0;
    peek_prio_o  = '0;
    for (int k = 0; k < K; k++) begin
      if ({24'd0, peek_part_i} == k) begin
        peek_prio_o = prio_q[k*4 +: 4];
        for (int t = 0; t < T; t++) begin
          if ({28'd0, peek_type_i} == t) begin
            peek_alloc_o = alloc_q[(k*T+t)*UW +: UW];
            peek_floor_o = floor_q[(k*T+t)*UW +: UW];
            peek_cap_o   = cap_q[(k*T+t)*UW +: UW];
          end
        end
      end
    end
    for (int t = 0; t < T; t++) begin
      if ({28'd0, peek_type_i} == t) begin
        peek_free_o = free_q[t*UW +: UW];
        peek_pool_o = pool[t*UW +: UW];
      end
    end
  end

  // ---- invariant self-check (one type per cycle, round robin) ----------------------------------
  logic [31:0]   chk_q;
  logic          inv_err_q, chk_bad;
  logic [SW-1:0] chk_sum;
  always_comb begin
    chk_sum = '0;
    chk_bad = 1'b0;
    for (int t = 0; t < T; t++) begin
      if (chk_q == t) begin
        chk_sum = ext(free_q[t*UW +: UW]);
        for (int k = 0; k < K; k++) begin
          chk_sum = chk_sum + ext(alloc_q[(k*T+t)*UW +: UW]);
          if (alloc_q[(k*T+t)*UW +: UW] > cap_q[(k*T+t)*UW +: UW]) chk_bad = 1'b1;
        end
        if (chk_sum != ext(pool[t*UW +: UW])) chk_bad = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      chk_q     <= 32'd0;
      inv_err_q <= 1'b0;
    end else begin
      chk_q     <= (chk_q == T - 1) ? 32'd0 : chk_q + 32'd1;
      inv_err_q <= inv_err_q || chk_bad;
    end
  end
  assign inv_err_o = inv_err_q;

endmodule
