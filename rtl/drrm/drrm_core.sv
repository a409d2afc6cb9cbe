// DRRM core: processor -> partition table, partition windows, interrupt routing and the
// pause -> quiesce -> re-address -> resume engine (docs/drrm.md). Every output is registered;
// the cycle behaviour matches the reference hls/drrm/drrm.hpp exactly.
module drrm_core #(
  parameter int unsigned P = shoal_regs_pkg::PARAM_NUM_PROCESSORS,
  parameter int unsigned K = shoal_regs_pkg::PARAM_NUM_PARTITIONS,
  parameter int unsigned V = shoal_regs_pkg::PARAM_NUM_IRQ_VECTORS
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // command FIFO
  input  logic                     cmd_valid_i,
  output logic                     cmd_ready_o,
  input  logic [3:0]               cmd_op_i,
  input  logic [7:0]               cmd_tag_i,
  input  logic [7:0]               cmd_proc_i,
  input  logic [7:0]               cmd_part_i,
  input  logic [15:0]              cmd_vec_i,
  input  logic [1:0]               cmd_perm_i,
  input  logic [63:0]              cmd_data_i,
  input  logic [15:0]              timeout_i,
  // completion FIFO
  output logic                     cpl_valid_o,
  input  logic                     cpl_ready_i,
  output logic [7:0]               cpl_tag_o,
  output logic [3:0]               cpl_op_o,
  output logic [3:0]               cpl_status_o,
  output logic [31:0]              cpl_cycles_o,
  output logic                     busy_o,
  // processor control ports
  output logic [P-1:0]             pause_o,
  output logic [P-1:0]             resume_o,
  output logic [P*$clog2(K)-1:0]   part_o,
  output logic [P-1:0]             online_o,     // pstate != OFFLINE (the WMU's assigned_i)
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
  // events: migration lane and violation lane
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
  output logic [1:0]               evv_reason_o,
  output logic [31:0]              viol_count_o,
  // combinational read ports for the register wrapper
  input  logic [$clog2(P)-1:0]     rd_proc_i,
  output logic [$clog2(K)-1:0]     rd_proc_part_o,
  output logic [2:0]               rd_proc_state_o,
  input  logic [$clog2(K)-1:0]     rd_part_i,
  output logic [31:0]              rd_win_base_o,
  output logic [31:0]              rd_win_size_o,
  output logic [1:0]               rd_win_perm_o,
  input  logic [$clog2(V)-1:0]     rd_vec_i,
  output logic [$clog2(K)-1:0]     rd_route_o,
  output logic                     rd_pending_o
);
  localparam int unsigned PW = $clog2(P);
  localparam int unsigned KW = $clog2(K);
  localparam int unsigned VW = $clog2(V);
  localparam int unsigned D = 4;  // depth of both FIFOs
  localparam logic [63:0] PMASK = (64'd1 << P) - 64'd1;

  localparam logic [3:0] OP_MIGRATE = 4'd1;
  localparam logic [3:0] OP_MSET = 4'd2;
  localparam logic [3:0] OP_WINDOW = 4'd3;
  localparam logic [3:0] OP_ROUTE = 4'd4;
  localparam logic [3:0] OP_OFFLINE = 4'd5;
  localparam logic [3:0] OP_ONLINE = 4'd6;

  localparam logic [3:0] ST_OK = 4'd0;
  localparam logic [3:0] ST_BAD_OPCODE = 4'd1;
  localparam logic [3:0] ST_BAD_ARG = 4'd2;
  localparam logic [3:0] ST_BUSY = 4'd3;
  localparam logic [3:0] ST_TIMEOUT = 4'd4;
  localparam logic [3:0] ST_BAD_STATE = 4'd5;

  localparam logic [2:0] PS_RUNNING = 3'd0;
  localparam logic [2:0] PS_PAUSING = 3'd1;
  localparam logic [2:0] PS_PAUSED = 3'd2;
  localparam logic [2:0] PS_RESUMING = 3'd3;
  localparam logic [2:0] PS_OFFLINE = 3'd4;

  localparam logic [1:0] ENG_IDLE = 2'd0;
  localparam logic [1:0] ENG_WAIT = 2'd1;
  localparam logic [1:0] ENG_RESUME = 2'd2;

  localparam logic [1:0] VR_BAD_PROC = 2'd0;
  localparam logic [1:0] VR_NOT_RUNNING = 2'd1;
  localparam logic [1:0] VR_OUTSIDE = 2'd2;
  localparam logic [1:0] VR_PERM = 2'd3;

  // ---- state ---------------------------------------------------------------------------------
  logic [P*KW-1:0] part_q, part_d;
  logic [P*3-1:0]  pst_q, pst_d;
  logic [K*32-1:0] base_q, base_d;
  logic [K*32-1:0] size_q, size_d;
  logic [K*2-1:0]  perm_q, perm_d;
  logic [K*PW-1:0] rr_q, rr_d;
  logic [V*KW-1:0] route_q, route_d;
  logic [V-1:0]    pend_q, pend_d;
  logic [VW-1:0]   scan_q, scan_d;

  logic [D*4-1:0]  cq_op_q, cq_op_d;
  logic [D*8-1:0]  cq_tag_q, cq_tag_d;
  logic [D*8-1:0]  cq_proc_q, cq_proc_d;
  logic [D*8-1:0]  cq_part_q, cq_part_d;
  logic [D*16-1:0] cq_vec_q, cq_vec_d;
  logic [D*2-1:0]  cq_perm_q, cq_perm_d;
  logic [D*64-1:0] cq_data_q, cq_data_d;
  logic [1:0]      cmd_rd_q, cmd_rd_d, cmd_wr_q, cmd_wr_d;
  logic [2:0]      cmd_cnt_q, cmd_cnt_d;

  logic [D*8-1:0]  pq_tag_q, pq_tag_d;
  logic [D*4-1:0]  pq_op_q, pq_op_d;
  logic [D*4-1:0]  pq_st_q, pq_st_d;
  logic [D*32-1:0] pq_cyc_q, pq_cyc_d;
  logic [1:0]      cpl_rd_q, cpl_rd_d, cpl_wr_q, cpl_wr_d;
  logic [2:0]      cpl_cnt_q, cpl_cnt_d;

  logic [1:0]      eng_q, eng_d;
  logic [3:0]      eop_q, eop_d;
  logic [7:0]      etag_q, etag_d;
  logic [KW-1:0]   etgt_q, etgt_d;
  logic [P-1:0]    emask_q, emask_d;
  logic [3:0]      est_q, est_d;
  logic [15:0]     wcnt_q, wcnt_d;
  logic [15:0]     tmo_q, tmo_d;
  logic [31:0]     ecyc_q, ecyc_d;

  logic            chkv_q, chkv_d, chka_q, chka_d;
  logic            iov_q, iov_d;
  logic [PW-1:0]   iop_q, iop_d;
  logic [VW-1:0]   iovec_q, iovec_d;
  logic            evm_v_q, evm_v_d, evm_to_q, evm_to_d;
  logic [3:0]      evm_op_q, evm_op_d;
  logic [7:0]      evm_tag_q, evm_tag_d;
  logic [KW-1:0]   evm_part_q, evm_part_d;
  logic [P-1:0]    evm_mask_q, evm_mask_d;
  logic            evv_v_q, evv_v_d, evv_we_q, evv_we_d;
  logic [7:0]      evv_proc_q, evv_proc_d;
  logic [31:0]     evv_addr_q, evv_addr_d;
  logic [1:0]      evv_rsn_q, evv_rsn_d;
  logic [31:0]     viol_q, viol_d;

  // ---- the command FIFO head and its decode -------------------------------------------------
  logic [3:0]  h_op;
  logic [7:0]  h_tag, h_proc, h_part;
  logic [15:0] h_vec;
  logic [1:0]  h_perm;
  logic [63:0] h_data;
  assign h_op   = cq_op_q[cmd_rd_q*4 +: 4];
  assign h_tag  = cq_tag_q[cmd_rd_q*8 +: 8];
  assign h_proc = cq_proc_q[cmd_rd_q*8 +: 8];
  assign h_part = cq_part_q[cmd_rd_q*8 +: 8];
  assign h_vec  = cq_vec_q[cmd_rd_q*16 +: 16];
  assign h_perm = cq_perm_q[cmd_rd_q*2 +: 2];
  assign h_data = cq_data_q[cmd_rd_q*64 +: 64];

  logic            have_cmd, h_proc_ok, h_part_ok, h_vec_ok, h_known, h_need_proc, h_need_part;
  logic            h_any_off;
  logic [P-1:0]    h_set, offline_vec;
  logic [3:0]      h_status;

  always_comb begin
    have_cmd    = (cmd_cnt_q != 3'd0);
    h_proc_ok   = ({24'd0, h_proc} < P);
    h_part_ok   = ({24'd0, h_part} < K);
    h_vec_ok    = ({16'd0, h_vec} < V);
    h_known     = (h_op >= OP_MIGRATE) && (h_op <= OP_ONLINE);
    h_need_proc = (h_op == OP_MIGRATE) || (h_op == OP_OFFLINE) || (h_op == OP_ONLINE);
    h_need_part = (h_op == OP_MIGRATE) || (h_op == OP_MSET) || (h_op == OP_WINDOW) ||
                  (h_op == OP_ROUTE) || (h_op == OP_ONLINE);
    for (int unsigned p = 0; p < P; p++) begin
      offline_vec[p] = (pst_q[p*3 +: 3] == PS_OFFLINE);
      if (h_op == OP_MSET) begin
        h_set[p] = h_data[p];
      end else begin
        h_set[p] = h_proc_ok && (h_proc[PW-1:0] == PW'(p));
      end
    end
    h_any_off = |(h_set & offline_vec);
    online_o  = ~offline_vec;
    if (!h_known) begin
      h_status = ST_BAD_OPCODE;
    end else if (h_need_proc && !h_proc_ok) begin
      h_status = ST_BAD_ARG;
    end else if (h_need_part && !h_part_ok) begin
      h_status = ST_BAD_ARG;
    end else if ((h_op == OP_ROUTE) && !h_vec_ok) begin
      h_status = ST_BAD_ARG;
    end else if ((h_op == OP_MSET) && ((h_data == 64'd0) || ((h_data & ~PMASK) != 64'd0))) begin
      h_status = ST_BAD_ARG;
    end else if (((h_op == OP_MIGRATE) || (h_op == OP_MSET) || (h_op == OP_OFFLINE)) &&
                 h_any_off) begin
      h_status = ST_BAD_STATE;
    end else if ((h_op == OP_ONLINE) && !h_any_off) begin
      h_status = ST_BAD_STATE;
    end else begin
      h_status = ST_OK;
    end
  end

  // ---- interrupt routing: the round-robin pick ----------------------------------------------
  logic [VW-1:0]  ivec;
  logic [KW-1:0]  ik;
  logic [PW-1:0]  irr, ifirst, isel;
  logic [P-1:0]   ielig, irot;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2*P-1:0] idbl;  // rotation through a doubled vector; the upper half is unused
  /* verilator lint_on UNUSEDSIGNAL */
  logic           ifound, ideliver;

  always_comb begin
    ivec = irq_valid_i ? irq_vec_i : scan_q;
    ik   = route_q[ivec*KW +: KW];
    irr  = rr_q[ik*PW +: PW];
    for (int unsigned p = 0; p < P; p++) begin
      ielig[p] = (pst_q[p*3 +: 3] == PS_RUNNING) && (part_q[p*KW +: KW] == ik);
    end
    idbl   = {ielig, ielig} >> irr;
    irot   = idbl[P-1:0];
    ifound = |irot;
    ifirst = '0;
    for (int p = P - 1; p >= 0; p--) begin
      if (irot[p]) ifirst = PW'(p);
    end
    isel     = irr + ifirst;
    ideliver = ifound && (irq_valid_i || pend_q[ivec]);
  end

  // ---- address check -----------------------------------------------------------------------
  logic [PW-1:0] cp;
  logic [KW-1:0] ck;
  logic [31:0]   cbase, csize, coff;
  logic [1:0]    cperm;
  logic          callow;
  logic [1:0]    creason;

  always_comb begin
    cp    = chk_proc_i[PW-1:0];
    ck    = part_q[cp*KW +: KW];
    cbase = base_q[ck*32 +: 32];
    csize = size_q[ck*32 +: 32];
    cperm = perm_q[ck*2 +: 2];
    coff  = chk_addr_i - cbase;
    callow  = 1'b0;
    creason = VR_BAD_PROC;
    if ({24'd0, chk_proc_i} < P) begin
      if (pst_q[cp*3 +: 3] != PS_RUNNING) begin
        creason = VR_NOT_RUNNING;
      end else if ((chk_addr_i < cbase) || (coff >= csize)) begin
        creason = VR_OUTSIDE;
      end else if (!cperm[chk_we_i]) begin
        creason = VR_PERM;
      end else begin
        callow = 1'b1;
      end
    end
  end

  // ---- next state ----------------------------------------------------------------------------
  logic        cmd_pop, cmd_push, cpl_push, cpl_pop, all_q, conflict;
  logic [7:0]  n_tag;
  logic [3:0]  n_op, n_st;
  logic [31:0] n_cyc;
  logic [2:0]  wst;

  always_comb begin
    part_d = part_q;  pst_d = pst_q;  base_d = base_q;  size_d = size_q;  perm_d = perm_q;
    rr_d = rr_q;  route_d = route_q;  pend_d = pend_q;
    cq_op_d = cq_op_q;  cq_tag_d = cq_tag_q;  cq_proc_d = cq_proc_q;  cq_part_d = cq_part_q;
    cq_vec_d = cq_vec_q;  cq_perm_d = cq_perm_q;  cq_data_d = cq_data_q;
    cmd_rd_d = cmd_rd_q;  cmd_wr_d = cmd_wr_q;
    pq_tag_d = pq_tag_q;  pq_op_d = pq_op_q;  pq_st_d = pq_st_q;  pq_cyc_d = pq_cyc_q;
    cpl_rd_d = cpl_rd_q;  cpl_wr_d = cpl_wr_q;
    eng_d = eng_q;  eop_d = eop_q;  etag_d = etag_q;  etgt_d = etgt_q;  emask_d = emask_q;
    est_d = est_q;  wcnt_d = wcnt_q;  tmo_d = tmo_q;  ecyc_d = ecyc_q;
    evm_v_d = 1'b0;  evm_to_d = evm_to_q;  evm_op_d = evm_op_q;  evm_tag_d = evm_tag_q;
    evm_part_d = evm_part_q;  evm_mask_d = evm_mask_q;
    evv_v_d = 1'b0;  evv_we_d = evv_we_q;  evv_proc_d = evv_proc_q;  evv_addr_d = evv_addr_q;
    evv_rsn_d = evv_rsn_q;  viol_d = viol_q;
    cmd_pop = 1'b0;  cpl_push = 1'b0;
    n_tag = 8'd0;  n_op = 4'd0;  n_st = ST_OK;  n_cyc = 32'd0;
    all_q = 1'b1;  conflict = 1'b0;  wst = PS_RUNNING;

    // engine
    case (eng_q)
      ENG_IDLE: begin
        if (have_cmd && (cpl_cnt_q < 3'(D))) begin
          cmd_pop = 1'b1;
          if ((h_status != ST_OK) || (h_op == OP_WINDOW) || (h_op == OP_ROUTE)) begin
            if ((h_status == ST_OK) && (h_op == OP_WINDOW)) begin
              for (int unsigned k = 0; k < K; k++) begin
                if (h_part[KW-1:0] == KW'(k)) begin
                  base_d[k*32 +: 32] = h_data[31:0];
                  size_d[k*32 +: 32] = h_data[63:32];
                  perm_d[k*2 +: 2] = h_perm;
                end
              end
            end
            if ((h_status == ST_OK) && (h_op == OP_ROUTE)) begin
              for (int unsigned v = 0; v < V; v++) begin
                if (h_vec[VW-1:0] == VW'(v)) route_d[v*KW +: KW] = h_part[KW-1:0];
              end
            end
            cpl_push = 1'b1;
            n_tag = h_tag;  n_op = h_op;  n_st = h_status;  n_cyc = 32'd1;
          end else begin
            eop_d = h_op;
            etag_d = h_tag;
            etgt_d = (h_op == OP_OFFLINE) ? '0 : h_part[KW-1:0];
            emask_d = h_set;
            est_d = ST_OK;
            wcnt_d = 16'd0;
            tmo_d = timeout_i;
            ecyc_d = 32'd1;
            if (h_op == OP_ONLINE) begin
              for (int unsigned p = 0; p < P; p++) begin
                if (h_set[p]) begin
                  part_d[p*KW +: KW] = h_part[KW-1:0];
                  pst_d[p*3 +: 3] = PS_RESUMING;
                end
              end
              eng_d = ENG_RESUME;
            end else begin
              for (int unsigned p = 0; p < P; p++) begin
                if (h_set[p]) pst_d[p*3 +: 3] = PS_PAUSING;
              end
              eng_d = ENG_WAIT;
            end
          end
        end
      end
      ENG_WAIT: begin
        ecyc_d = ecyc_q + 32'd1;
        for (int unsigned p = 0; p < P; p++) begin
          if (emask_q[p]) begin
            wst = pst_q[p*3 +: 3];
            if ((wst == PS_PAUSING) && quiesced_i[p]) pst_d[p*3 +: 3] = PS_PAUSED;
            if (!((wst == PS_PAUSED) || ((wst == PS_PAUSING) && quiesced_i[p]))) all_q = 1'b0;
          end
        end
        if (all_q) begin
          if (eop_q == OP_OFFLINE) begin
            for (int unsigned p = 0; p < P; p++) begin
              if (emask_q[p]) pst_d[p*3 +: 3] = PS_OFFLINE;
            end
            cpl_push = 1'b1;
            n_tag = etag_q;  n_op = eop_q;  n_st = ST_OK;  n_cyc = ecyc_q + 32'd1;
            evm_v_d = 1'b1;  evm_to_d = 1'b0;  evm_op_d = eop_q;  evm_tag_d = etag_q;
            evm_part_d = etgt_q;  evm_mask_d = emask_q;
            eng_d = ENG_IDLE;
          end else begin
            for (int unsigned p = 0; p < P; p++) begin
              if (emask_q[p]) begin
                part_d[p*KW +: KW] = etgt_q;
                pst_d[p*3 +: 3] = PS_RESUMING;
              end
            end
            est_d = ST_OK;
            eng_d = ENG_RESUME;
          end
        end else if (wcnt_q == tmo_q) begin
          for (int unsigned p = 0; p < P; p++) begin
            if (emask_q[p]) pst_d[p*3 +: 3] = PS_RESUMING;
          end
          est_d = ST_TIMEOUT;
          eng_d = ENG_RESUME;
        end else begin
          wcnt_d = wcnt_q + 16'd1;
        end
      end
      default: begin  // ENG_RESUME
        ecyc_d = ecyc_q + 32'd1;
        for (int unsigned p = 0; p < P; p++) begin
          if (emask_q[p]) pst_d[p*3 +: 3] = PS_RUNNING;
        end
        cpl_push = 1'b1;
        n_tag = etag_q;  n_op = eop_q;  n_st = est_q;  n_cyc = ecyc_q + 32'd1;
        evm_v_d = 1'b1;  evm_to_d = (est_q == ST_TIMEOUT);  evm_op_d = eop_q;
        evm_tag_d = etag_q;  evm_part_d = etgt_q;  evm_mask_d = emask_q;
        eng_d = ENG_IDLE;
      end
    endcase

    // refusal of a command that names a processor of the transaction in flight
    if ((eng_q != ENG_IDLE) && !cpl_push && have_cmd && (cpl_cnt_q < 3'(D - 1))) begin
      if (((h_op == OP_MIGRATE) || (h_op == OP_OFFLINE) || (h_op == OP_ONLINE)) && h_proc_ok &&
          emask_q[h_proc[PW-1:0]]) begin
        conflict = 1'b1;
      end
      if ((h_op == OP_MSET) && ((h_data[P-1:0] & emask_q) != '0)) conflict = 1'b1;
      if (conflict) begin
        cmd_pop = 1'b1;
        cpl_push = 1'b1;
        n_tag = h_tag;  n_op = h_op;  n_st = ST_BUSY;  n_cyc = 32'd0;
      end
    end

    // command FIFO
    cmd_push = cmd_valid_i && (cmd_cnt_q < 3'(D));
    if (cmd_push) begin
      for (int unsigned i = 0; i < D; i++) begin
        if (cmd_wr_q == 2'(i)) begin
          cq_op_d[i*4 +: 4] = cmd_op_i;
          cq_tag_d[i*8 +: 8] = cmd_tag_i;
          cq_proc_d[i*8 +: 8] = cmd_proc_i;
          cq_part_d[i*8 +: 8] = cmd_part_i;
          cq_vec_d[i*16 +: 16] = cmd_vec_i;
          cq_perm_d[i*2 +: 2] = cmd_perm_i;
          cq_data_d[i*64 +: 64] = cmd_data_i;
        end
      end
      cmd_wr_d = cmd_wr_q + 2'd1;
    end
    if (cmd_pop) cmd_rd_d = cmd_rd_q + 2'd1;
    cmd_cnt_d = cmd_cnt_q + {2'd0, cmd_push} - {2'd0, cmd_pop};

    // completion FIFO
    cpl_pop = cpl_ready_i && (cpl_cnt_q != 3'd0);
    if (cpl_push) begin
      for (int unsigned i = 0; i < D; i++) begin
        if (cpl_wr_q == 2'(i)) begin
          pq_tag_d[i*8 +: 8] = n_tag;
          pq_op_d[i*4 +: 4] = n_op;
          pq_st_d[i*4 +: 4] = n_st;
          pq_cyc_d[i*32 +: 32] = n_cyc;
        end
      end
      cpl_wr_d = cpl_wr_q + 2'd1;
    end
    if (cpl_pop) cpl_rd_d = cpl_rd_q + 2'd1;
    cpl_cnt_d = cpl_cnt_q + {2'd0, cpl_push} - {2'd0, cpl_pop};

    // address check
    chkv_d = chk_valid_i;
    chka_d = chk_valid_i && callow;
    if (chk_valid_i && !callow) begin
      evv_v_d = 1'b1;
      evv_proc_d = chk_proc_i;
      evv_addr_d = chk_addr_i;
      evv_we_d = chk_we_i;
      evv_rsn_d = creason;
      viol_d = (viol_q == 32'hFFFF_FFFF) ? viol_q : viol_q + 32'd1;
    end

    // interrupt routing
    scan_d = scan_q + VW'(1);
    iov_d = ideliver;
    iop_d = iop_q;
    iovec_d = iovec_q;
    if (ideliver) begin
      iop_d = isel;
      iovec_d = ivec;
      for (int unsigned v = 0; v < V; v++) begin
        if (ivec == VW'(v)) pend_d[v] = 1'b0;
      end
      for (int unsigned k = 0; k < K; k++) begin
        if (ik == KW'(k)) rr_d[k*PW +: PW] = isel + PW'(1);
      end
    end else if (irq_valid_i) begin
      for (int unsigned v = 0; v < V; v++) begin
        if (ivec == VW'(v)) pend_d[v] = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      part_q <= '0;  pst_q <= '0;  base_q <= '0;  size_q <= '0;  perm_q <= '0;  rr_q <= '0;
      route_q <= '0;  pend_q <= '0;  scan_q <= '0;
      cq_op_q <= '0;  cq_tag_q <= '0;  cq_proc_q <= '0;  cq_part_q <= '0;  cq_vec_q <= '0;
      cq_perm_q <= '0;  cq_data_q <= '0;  cmd_rd_q <= '0;  cmd_wr_q <= '0;  cmd_cnt_q <= '0;
      pq_tag_q <= '0;  pq_op_q <= '0;  pq_st_q <= '0;  pq_cyc_q <= '0;
      cpl_rd_q <= '0;  cpl_wr_q <= '0;  cpl_cnt_q <= '0;
      eng_q <= ENG_IDLE;  eop_q <= '0;  etag_q <= '0;  etgt_q <= '0;  emask_q <= '0;
      est_q <= '0;  wcnt_q <= '0;  tmo_q <= '0;  ecyc_q <= '0;
      chkv_q <= 1'b0;  chka_q <= 1'b0;  iov_q <= 1'b0;  iop_q <= '0;  iovec_q <= '0;
      evm_v_q <= 1'b0;  evm_to_q <= 1'b0;  evm_op_q <= '0;  evm_tag_q <= '0;  evm_part_q <= '0;
      evm_mask_q <= '0;  evv_v_q <= 1'b0;  evv_we_q <= 1'b0;  evv_proc_q <= '0;
      evv_addr_q <= '0;  evv_rsn_q <= '0;  viol_q <= '0;
    end else begin
      part_q <= part_d;  pst_q <= pst_d;  base_q <= base_d;  size_q <= size_d;
      perm_q <= perm_d;  rr_q <= rr_d;  route_q <= route_d;  pend_q <= pend_d;
      scan_q <= scan_d;
      cq_op_q <= cq_op_d;  cq_tag_q <= cq_tag_d;  cq_proc_q <= cq_proc_d;
      cq_part_q <= cq_part_d;  cq_vec_q <= cq_vec_d;  cq_perm_q <= cq_perm_d;
      cq_data_q <= cq_data_d;  cmd_rd_q <= cmd_rd_d;  cmd_wr_q <= cmd_wr_d;
      cmd_cnt_q <= cmd_cnt_d;
      pq_tag_q <= pq_tag_d;  pq_op_q <= pq_op_d;  pq_st_q <= pq_st_d;  pq_cyc_q <= pq_cyc_d;
      cpl_rd_q <= cpl_rd_d;  cpl_wr_q <= cpl_wr_d;  cpl_cnt_q <= cpl_cnt_d;
      eng_q <= eng_d;  eop_q <= eop_d;  etag_q <= etag_d;  etgt_q <= etgt_d;
      emask_q <= emask_d;  est_q <= est_d;  wcnt_q <= wcnt_d;  tmo_q <= tmo_d;
      ecyc_q <= ecyc_d;
      chkv_q <= chkv_d;  chka_q <= chka_d;  iov_q <= iov_d;  iop_q <= iop_d;
      iovec_q <= iovec_d;
      evm_v_q <= evm_v_d;  evm_to_q <= evm_to_d;  evm_op_q <= evm_op_d;
      evm_tag_q <= evm_tag_d;  evm_part_q <= evm_part_d;  evm_mask_q <= evm_mask_d;
      evv_v_q <= evv_v_d;  evv_we_q <= evv_we_d;  evv_proc_q <= evv_proc_d;
      evv_addr_q <= evv_addr_d;  evv_rsn_q <= evv_rsn_d;  viol_q <= viol_d;
    end
  end

  // ---- outputs (all from registers) ---------------------------------------------------------
  always_comb begin
    for (int unsigned p = 0; p < P; p++) begin
      pause_o[p] = (pst_q[p*3 +: 3] == PS_PAUSING) || (pst_q[p*3 +: 3] == PS_PAUSED) ||
                   (pst_q[p*3 +: 3] == PS_OFFLINE);
      resume_o[p] = (pst_q[p*3 +: 3] == PS_RESUMING);
    end
  end
  assign part_o          = part_q;
  assign cmd_ready_o     = (cmd_cnt_q < 3'(D));
  assign cpl_valid_o     = (cpl_cnt_q != 3'd0);
  assign cpl_tag_o       = pq_tag_q[cpl_rd_q*8 +: 8];
  assign cpl_op_o        = pq_op_q[cpl_rd_q*4 +: 4];
  assign cpl_status_o    = pq_st_q[cpl_rd_q*4 +: 4];
  assign cpl_cycles_o    = pq_cyc_q[cpl_rd_q*32 +: 32];
  assign busy_o          = (eng_q != ENG_IDLE);
  assign chk_valid_o     = chkv_q;
  assign chk_allow_o     = chka_q;
  assign irq_out_valid_o = iov_q;
  assign irq_out_proc_o  = iop_q;
  assign irq_out_vec_o   = iovec_q;
  assign evm_valid_o     = evm_v_q;
  assign evm_timeout_o   = evm_to_q;
  assign evm_op_o        = evm_op_q;
  assign evm_tag_o       = evm_tag_q;
  assign evm_part_o      = evm_part_q;
  assign evm_mask_o      = evm_mask_q;
  assign evv_valid_o     = evv_v_q;
  assign evv_proc_o      = evv_proc_q;
  assign evv_addr_o      = evv_addr_q;
  assign evv_we_o        = evv_we_q;
  assign evv_reason_o    = evv_rsn_q;
  assign viol_count_o    = viol_q;

  assign rd_proc_part_o  = part_q[rd_proc_i*KW +: KW];
  assign rd_proc_state_o = pst_q[rd_proc_i*3 +: 3];
  assign rd_win_base_o   = base_q[rd_part_i*32 +: 32];
  assign rd_win_size_o   = size_q[rd_part_i*32 +: 32];
  assign rd_win_perm_o   = perm_q[rd_part_i*2 +: 2];
  assign rd_route_o      = route_q[rd_vec_i*KW +: KW];
  assign rd_pending_o    = pend_q[rd_vec_i];
endmodule
