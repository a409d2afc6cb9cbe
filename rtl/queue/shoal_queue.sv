// Queue block: the command queues (docs/queues.md, registers from rtl/regmap/queue.toml).
//
// NQ queues, one 4 KiB page each (page q at block offset q * 0x1000; q = 0 is the admin queue,
// q = 1 + k partition k's), each a submission ring (SQ) and a completion ring (CQ) of DEPTH
// entries of EW words, held in one block RAM. The firmware's control registers sit in page 31.
//
// Who may write what (the bus origin bit reg_core_i tells the soft core from BAR0):
//   - SQ_TAIL, CQ_HEAD, IRQ_ENABLE, IRQ_STATUS (w1c), the SQ window: anyone;
//   - SQ_HEAD, CQ_TAIL, the CQ window, CTL_IRQ_ENABLE: the soft core only (firmware-written);
//   - everything else is read-only.
// A refused write (firmware-written from BAR0, read-only, an index >= DEPTH, no register there)
// answers with reg_err_o, changes nothing and is counted in the page's BAD_WRITES and in
// CTL_BAD_TOTAL. A read of an address with no register is refused too (not counted).
// Every access is answered one cycle after reg_req_i.
//
// Interrupts: host vector q (irq_o[q]) = IRQ_STATUS.cq & IRQ_ENABLE.cq of page q, where
// IRQ_STATUS.cq is latched whenever the firmware writes a CQ_TAIL that differs from the old one;
// core_irq_o = any queue whose SQ is not empty (SQ_TAIL != SQ_HEAD) and enabled in
// CTL_IRQ_ENABLE.
module shoal_queue #(
  parameter int unsigned NQ    = shoal_regs_pkg::PARAM_NUM_QUEUES,
  parameter int unsigned DEPTH = shoal_regs_pkg::PARAM_QUEUE_DEPTH,
  parameter int unsigned EW    = shoal_regs_pkg::PARAM_QUEUE_ENTRY_WORDS,
  localparam int unsigned IW   = $clog2(DEPTH),
  localparam int unsigned RW   = $clog2(DEPTH * EW),   // word index inside one ring
  localparam int unsigned QW   = $clog2(NQ),
  localparam int unsigned MW   = $clog2(NQ * 2 * DEPTH * EW)  // ring RAM word address
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // card-internal register bus (17-bit block offsets: the block spans 128 KiB)
  input  logic          reg_req_i,
  input  logic          reg_we_i,
  input  logic [16:0]   reg_addr_i,
  input  logic [31:0]   reg_wdata_i,
  input  logic [3:0]    reg_wstrb_i,
  input  logic          reg_core_i,
  output logic          reg_ack_o,
  output logic [31:0]   reg_rdata_o,
  output logic          reg_err_o,
  // interrupts
  output logic [NQ-1:0] irq_o,        // host vector host_irq_queue_base + q
  output logic          core_irq_o    // soft-core interrupt source core_irq_queue
);
  localparam logic [11:0] PageRegsEnd = 12'h800;  // registers below, SQ window from here

  // ---- state ----
  logic [IW-1:0] sq_tail_q [NQ];
  logic [IW-1:0] sq_head_q [NQ];
  logic [IW-1:0] cq_head_q [NQ];
  logic [IW-1:0] cq_tail_q [NQ];
  logic [NQ-1:0] irq_en_q, irq_st_q;
  logic [31:0]   bad_q [NQ];
  logic [31:0]   bad_total_q;
  logic [31:0]   ctl_irq_en_q;
  logic          ack_q, err_q, ram_rd_q;
  logic [31:0]   rdata_q;

  // ---- decode ----
  logic [4:0]  page;
  logic [11:0] off;
  logic [31:0] bmask;
  assign page  = reg_addr_i[16:12];
  assign off   = {reg_addr_i[11:2], 2'b00};
  assign bmask = {{8{reg_wstrb_i[3]}}, {8{reg_wstrb_i[2]}}, {8{reg_wstrb_i[1]}}, {8{reg_wstrb_i[0]}}};

  logic          is_page, is_ctl, in_sq, in_cq;
  logic [QW-1:0] q;
  assign is_page = ({27'd0, page} < NQ);
  assign is_ctl  = (page == 5'd31);
  assign q       = page[QW-1:0];
  assign in_sq   = is_page && off >= PageRegsEnd && off < 12'hC00;
  assign in_cq   = is_page && off >= 12'hC00;

  // the ring RAM: queue q's SQ at q * 2 * DEPTH * EW, its CQ right after
  logic [MW-1:0] ram_addr;
  logic [RW-1:0] ring_word;
  assign ring_word = off[RW+1:2];
  assign ram_addr  = MW'({q, in_cq, ring_word});

  // page-relative register offsets (the generated offsets of array element 0)
  function automatic logic at(input logic [11:0] o, input logic [31:0] reg_off);
    at = ({20'd0, o} == reg_off);
  endfunction

  // the value a write leaves in a 32-bit register image, per byte strobe
  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] wd,
                                        input logic [31:0] bm);
    merge = (old & ~bm) | (wd & bm);
  endfunction

  logic [31:0] wv_idx;   // the index a write would leave (SQ_TAIL / SQ_HEAD / CQ_HEAD / CQ_TAIL)
  logic [31:0] rd;       // register read data
  logic        known, writable, fw_only, idx_reg, idx_ok, ram_hit;
  always_comb begin
    rd       = 32'd0;
    known    = 1'b1;
    writable = 1'b0;
    fw_only  = 1'b0;
    idx_reg  = 1'b0;
    ram_hit  = 1'b0;
    wv_idx   = 32'd0;
    if (is_page && off < PageRegsEnd) begin
      if (at(off, shoal_regs_pkg::QUEUE_ID_OFFSET)) begin
        rd = shoal_regs_pkg::QUEUE_ID_RESET;
      end else if (at(off, shoal_regs_pkg::QUEUE_GEOMETRY_OFFSET)) begin
        rd[shoal_regs_pkg::QUEUE_GEOMETRY_DEPTH_LSB +: shoal_regs_pkg::QUEUE_GEOMETRY_DEPTH_WIDTH] =
            shoal_regs_pkg::QUEUE_GEOMETRY_DEPTH_WIDTH'(DEPTH);
        rd[shoal_regs_pkg::QUEUE_GEOMETRY_ENTRY_WORDS_LSB +: shoal_regs_pkg::QUEUE_GEOMETRY_ENTRY_WORDS_WIDTH] =
            shoal_regs_pkg::QUEUE_GEOMETRY_ENTRY_WORDS_WIDTH'(EW);
      end else if (at(off, shoal_regs_pkg::QUEUE_SQ_TAIL_OFFSET)) begin
        rd = 32'(sq_tail_q[q]);  writable = 1'b1;  idx_reg = 1'b1;
      end else if (at(off, shoal_regs_pkg::QUEUE_SQ_HEAD_OFFSET)) begin
        rd = 32'(sq_head_q[q]);  writable = 1'b1;  fw_only = 1'b1;  idx_reg = 1'b1;
      end else if (at(off, shoal_regs_pkg::QUEUE_CQ_HEAD_OFFSET)) begin
        rd = 32'(cq_head_q[q]);  writable = 1'b1;  idx_reg = 1'b1;
      end else if (at(off, shoal_regs_pkg::QUEUE_CQ_TAIL_OFFSET)) begin
        rd = 32'(cq_tail_q[q]);  writable = 1'b1;  fw_only = 1'b1;  idx_reg = 1'b1;
      end else if (at(off, shoal_regs_pkg::QUEUE_IRQ_ENABLE_OFFSET)) begin
        rd = 32'(irq_en_q[q]);  writable = 1'b1;
      end else if (at(off, shoal_regs_pkg::QUEUE_IRQ_STATUS_OFFSET)) begin
        rd = 32'(irq_st_q[q]);  writable = 1'b1;
      end else if (at(off, shoal_regs_pkg::QUEUE_BAD_WRITES_OFFSET)) begin
        rd = bad_q[q];
      end else begin
        known = 1'b0;
      end
    end else if (in_sq) begin
      ram_hit = 1'b1;  writable = 1'b1;
    end else if (in_cq) begin
      ram_hit = 1'b1;  writable = 1'b1;  fw_only = 1'b1;
    end else if (is_ctl) begin
      if ({15'd0, reg_addr_i[16:2], 2'b00} == shoal_regs_pkg::QUEUE_CTL_PENDING_OFFSET) begin
        rd = 32'(pending);
      end else if ({15'd0, reg_addr_i[16:2], 2'b00} == shoal_regs_pkg::QUEUE_CTL_IRQ_ENABLE_OFFSET) begin
        rd = ctl_irq_en_q;  writable = 1'b1;  fw_only = 1'b1;
      end else if ({15'd0, reg_addr_i[16:2], 2'b00} == shoal_regs_pkg::QUEUE_CTL_PARAMS_OFFSET) begin
        rd[shoal_regs_pkg::QUEUE_CTL_PARAMS_QUEUES_LSB +: shoal_regs_pkg::QUEUE_CTL_PARAMS_QUEUES_WIDTH] =
            shoal_regs_pkg::QUEUE_CTL_PARAMS_QUEUES_WIDTH'(NQ);
        rd[shoal_regs_pkg::QUEUE_CTL_PARAMS_DEPTH_LSB +: shoal_regs_pkg::QUEUE_CTL_PARAMS_DEPTH_WIDTH] =
            shoal_regs_pkg::QUEUE_CTL_PARAMS_DEPTH_WIDTH'(DEPTH);
      end else if ({15'd0, reg_addr_i[16:2], 2'b00} == shoal_regs_pkg::QUEUE_CTL_BAD_TOTAL_OFFSET) begin
        rd = bad_total_q;
      end else begin
        known = 1'b0;
      end
    end else begin
      known = 1'b0;
    end
    wv_idx = merge(rd, reg_wdata_i, bmask);
    idx_ok = !idx_reg || (wv_idx < DEPTH);
  end

  logic [NQ-1:0] pending;
  always_comb begin
    for (int i = 0; i < NQ; i++) pending[i] = (sq_tail_q[i] != sq_head_q[i]);
  end

  // an accepted write, and a refused one (counted when it hits a page)
  logic wr_ok, wr_bad, rd_bad;
  assign wr_ok  = reg_req_i && reg_we_i && known && writable && (!fw_only || reg_core_i) && idx_ok;
  assign wr_bad = reg_req_i && reg_we_i && !wr_ok;
  assign rd_bad = reg_req_i && !reg_we_i && !known;

  // ---- the ring RAM ----
  logic [31:0] ram_rdata;
  prim_ram_1p #(.Width(32), .Depth(NQ * 2 * DEPTH * EW)) u_ram (
    .clk_i,
    .req_i   (reg_req_i && ram_hit && (!reg_we_i || wr_ok)),
    .we_i    (reg_we_i),
    .be_i    (reg_wstrb_i),
    .addr_i  (ram_addr),
    .wdata_i (reg_wdata_i),
    .rdata_o (ram_rdata)
  );

  // ---- registers ----
  logic cq_tail_wr;
  assign cq_tail_wr = wr_ok && is_page && at(off, shoal_regs_pkg::QUEUE_CQ_TAIL_OFFSET);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int i = 0; i < NQ; i++) begin
        sq_tail_q[i] <= '0;
        sq_head_q[i] <= '0;
        cq_head_q[i] <= '0;
        cq_tail_q[i] <= '0;
        bad_q[i]     <= '0;
      end
      irq_en_q     <= '0;
      irq_st_q     <= '0;
      bad_total_q  <= '0;
      ctl_irq_en_q <= '0;
      ack_q        <= 1'b0;
      err_q        <= 1'b0;
      ram_rd_q     <= 1'b0;
      rdata_q      <= '0;
    end else begin
      ack_q    <= reg_req_i;
      err_q    <= wr_bad || rd_bad;
      ram_rd_q <= reg_req_i && !reg_we_i && ram_hit;
      rdata_q  <= (reg_req_i && !reg_we_i && known) ? rd : 32'd0;
      if (wr_ok && is_page) begin
        if (at(off, shoal_regs_pkg::QUEUE_SQ_TAIL_OFFSET)) sq_tail_q[q] <= wv_idx[IW-1:0];
        if (at(off, shoal_regs_pkg::QUEUE_SQ_HEAD_OFFSET)) sq_head_q[q] <= wv_idx[IW-1:0];
        if (at(off, shoal_regs_pkg::QUEUE_CQ_HEAD_OFFSET)) cq_head_q[q] <= wv_idx[IW-1:0];
        if (at(off, shoal_regs_pkg::QUEUE_CQ_TAIL_OFFSET)) cq_tail_q[q] <= wv_idx[IW-1:0];
        if (at(off, shoal_regs_pkg::QUEUE_IRQ_ENABLE_OFFSET))
          irq_en_q[q] <= wv_idx[shoal_regs_pkg::QUEUE_IRQ_ENABLE_CQ_LSB];
      end
      // IRQ_STATUS.cq: set by a changing CQ_TAIL (wins), cleared by writing 1
      for (int i = 0; i < NQ; i++) begin
        if (cq_tail_wr && QW'(i) == q && wv_idx[IW-1:0] != cq_tail_q[i]) begin
          irq_st_q[i] <= 1'b1;
        end else if (wr_ok && is_page && QW'(i) == q &&
                     at(off, shoal_regs_pkg::QUEUE_IRQ_STATUS_OFFSET) &&
                     reg_wdata_i[shoal_regs_pkg::QUEUE_IRQ_STATUS_CQ_LSB] &&
                     reg_wstrb_i[shoal_regs_pkg::QUEUE_IRQ_STATUS_CQ_LSB / 8]) begin
          irq_st_q[i] <= 1'b0;
        end
      end
      if (wr_ok && is_ctl) ctl_irq_en_q <= wv_idx;
      if (wr_bad) begin
        if (is_page && bad_q[q] != 32'hFFFF_FFFF) bad_q[q] <= bad_q[q] + 32'd1;
        if (bad_total_q != 32'hFFFF_FFFF) bad_total_q <= bad_total_q + 32'd1;
      end
    end
  end

  assign reg_ack_o   = ack_q;
  assign reg_err_o   = ack_q && err_q;
  assign reg_rdata_o = ram_rd_q ? ram_rdata : rdata_q;

  assign irq_o      = irq_st_q & irq_en_q;
  assign core_irq_o = |(pending & ctl_irq_en_q[NQ-1:0]);

  logic unused;
  assign unused = ^{ctl_irq_en_q, reg_addr_i[1:0]};

`ifndef SYNTHESIS
  // every index stays inside the ring; an error answer only ever comes with an ack
  always_ff @(posedge clk_i) begin
    if (rst_ni) begin
      assert (!(reg_err_o && !reg_ack_o)) else $error("shoal_queue: err without ack");
      assert (NQ <= 31) else $error("shoal_queue: at most 31 queues (page 31 is the control page)");
    end
  end
`endif
endmodule
