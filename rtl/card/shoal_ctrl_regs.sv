// ctrl register block (docs/registers/ctrl.md) on the internal register bus.
//
// Every offset, reset value and access mask comes from shoal_regs_pkg. Answers come one cycle
// after the request. A refused access (unmapped offset, write to an RO register, SOFT_RESET
// with a wrong key or partial strobes) changes no register except the bus-error capture
// (BUS_ERR_COUNT/ADDR/INFO, IRQ_STATUS.bus_err), which also records the refusals reported by
// the decoder on ext_err_*. SOFT_RESET with the key returns every register to its reset value
// and pulses soft_rst_o for the other blocks; the free-running cycle counter and the
// CYCLE_HI latch keep counting (software can time across a soft reset).
module shoal_ctrl_regs #(
  parameter int unsigned NUM_HOST_IRQS = shoal_regs_pkg::PARAM_NUM_HOST_IRQS
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // internal register bus slave
  input  logic                     reg_req_i,
  input  logic                     reg_we_i,
  input  logic [13:0]              reg_addr_i,
  input  logic [31:0]              reg_wdata_i,
  input  logic [3:0]               reg_wstrb_i,
  input  logic                     reg_core_i,   // origin of the request: 1 = the soft core
  output logic                     reg_ack_o,
  output logic [31:0]              reg_rdata_o,
  output logic                     reg_err_o,
  // refusals elsewhere on the bus (from the decoder)
  input  logic                     ext_err_i,
  input  logic [31:0]              ext_err_addr_i,
  input  logic [31:0]              ext_err_info_i,
  // host interrupts = IRQ_PENDING bits, and the soft-reset pulse for other blocks
  output logic [NUM_HOST_IRQS-1:0] irq_o,
  output logic                     soft_rst_o,
  // the free-running card cycle counter (CYCLE_LO/HI), for blocks that timestamp (the audit log)
  output logic [63:0]              cycle_o
);

  // ---- state ----
  logic [31:0] scratch_q, status_q, enable_q;
  // testbenches may preload the two counters (public_flat_rw)
  logic [31:0] err_count_q /*verilator public_flat_rw*/;
  logic [31:0] err_addr_q, err_info_q;
  logic [63:0] cycle_q /*verilator public_flat_rw*/;
  logic [31:0] cycle_hi_q;
  logic        ack_q, err_q, soft_rst_q;
  logic [31:0] rdata_q;

  logic [31:0] pending;
  assign pending = status_q & enable_q & shoal_regs_pkg::CTRL_IRQ_PENDING_RO_MASK;

  logic [31:0] bmask;
  assign bmask = {{8{reg_wstrb_i[3]}}, {8{reg_wstrb_i[2]}},
                  {8{reg_wstrb_i[1]}}, {8{reg_wstrb_i[0]}}};

  logic [31:0] offset;
  assign offset = {18'd0, reg_addr_i[13:2], 2'b00};

  // ---- access decode ----
  logic        rd_ok, wr_ro, known, key_ok;
  logic [31:0] rdata;
  always_comb begin
    rdata = 32'd0;
    known = 1'b1;
    wr_ro = 1'b0;  // a read-only register: writes are refused
    case (offset)
      shoal_regs_pkg::CTRL_ID_OFFSET: begin
        rdata = shoal_regs_pkg::CTRL_ID_RESET;  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_MAGIC_OFFSET: begin
        rdata = shoal_regs_pkg::CTRL_MAGIC_RESET;  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_VERSION_OFFSET: begin
        rdata = shoal_regs_pkg::CTRL_VERSION_RESET;  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_CAP_OFFSET: begin
        rdata = shoal_regs_pkg::CTRL_CAP_RESET;  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_SCRATCH_OFFSET:     rdata = scratch_q;
      shoal_regs_pkg::CTRL_IRQ_STATUS_OFFSET:  rdata = status_q;
      shoal_regs_pkg::CTRL_IRQ_ENABLE_OFFSET:  rdata = enable_q;
      shoal_regs_pkg::CTRL_IRQ_PENDING_OFFSET: begin
        rdata = pending;  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_IRQ_TEST_OFFSET:    rdata = 32'd0;  // W1S reads 0
      shoal_regs_pkg::CTRL_SOFT_RESET_OFFSET:  rdata = 32'd0;  // WO reads 0
      shoal_regs_pkg::CTRL_BUS_ERR_COUNT_OFFSET: begin
        rdata = err_count_q;  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_BUS_ERR_ADDR_OFFSET: begin
        rdata = err_addr_q;  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_BUS_ERR_INFO_OFFSET: begin
        rdata = err_info_q;  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_CYCLE_LO_OFFSET: begin
        rdata = cycle_q[31:0];  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_CYCLE_HI_OFFSET: begin
        rdata = cycle_hi_q;  wr_ro = 1'b1;
      end
      shoal_regs_pkg::CTRL_CLK_HZ_OFFSET: begin
        rdata = shoal_regs_pkg::CTRL_CLK_HZ_RESET;  wr_ro = 1'b1;
      end
      default: known = 1'b0;
    endcase
  end

  logic is_soft_reset;
  assign is_soft_reset = (offset == shoal_regs_pkg::CTRL_SOFT_RESET_OFFSET);
  assign key_ok = (reg_wdata_i == shoal_regs_pkg::CTRL_SOFT_RESET_KEY_TRIGGER) && (reg_wstrb_i == 4'hF);
  assign rd_ok  = known;

  logic wr, rd, refused, do_soft_rst;
  logic [31:0] own_info;
  assign wr          = reg_req_i && reg_we_i;
  assign rd          = reg_req_i && !reg_we_i;
  assign refused     = (rd && !rd_ok) || (wr && (!known || wr_ro || (is_soft_reset && !key_ok)));
  assign do_soft_rst = wr && is_soft_reset && key_ok;
  always_comb begin
    own_info = reg_we_i ? shoal_regs_pkg::CTRL_BUS_ERR_INFO_WRITE_MASK : 32'd0;
    if (reg_core_i) own_info |= shoal_regs_pkg::CTRL_BUS_ERR_INFO_CORE_MASK;
    if (!known) begin
      own_info |= shoal_regs_pkg::CTRL_BUS_ERR_INFO_UNMAPPED_MASK;
    end else if (wr_ro) begin
      own_info |= shoal_regs_pkg::CTRL_BUS_ERR_INFO_READONLY_MASK;
    end else begin
      own_info |= shoal_regs_pkg::CTRL_BUS_ERR_INFO_BADKEY_MASK;
    end
  end

  logic        cap;        // capture a refusal this cycle
  logic [31:0] cap_addr, cap_info;
  assign cap      = refused || ext_err_i;
  assign cap_addr = refused ? (shoal_regs_pkg::CTRL_BASE + offset) : ext_err_addr_i;
  assign cap_info = refused ? own_info : ext_err_info_i;

  // ---- registers ----
  logic [31:0] wr_bits;  // written bits with their byte strobe
  assign wr_bits = reg_wdata_i & bmask;

  logic wr_ok;
  assign wr_ok = wr && !refused;

  // IRQ_STATUS: W1C from software, W1S through IRQ_TEST, bus_err on any refusal;
  // a cause raised in the same cycle as a clear wins.
  logic [31:0] st_clr, st_set;
  always_comb begin
    st_clr = '0;
    st_set = '0;
    if (wr_ok && offset == shoal_regs_pkg::CTRL_IRQ_STATUS_OFFSET) begin
      st_clr = wr_bits & shoal_regs_pkg::CTRL_IRQ_STATUS_W1C_MASK;
    end
    if (wr_ok && offset == shoal_regs_pkg::CTRL_IRQ_TEST_OFFSET) begin
      st_set = wr_bits & shoal_regs_pkg::CTRL_IRQ_TEST_W1S_MASK;
    end
    if (cap) st_set |= shoal_regs_pkg::CTRL_IRQ_STATUS_BUS_ERR_MASK;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      scratch_q   <= shoal_regs_pkg::CTRL_SCRATCH_RESET;
      status_q    <= shoal_regs_pkg::CTRL_IRQ_STATUS_RESET;
      enable_q    <= shoal_regs_pkg::CTRL_IRQ_ENABLE_RESET;
      err_count_q <= shoal_regs_pkg::CTRL_BUS_ERR_COUNT_RESET;
      err_addr_q  <= shoal_regs_pkg::CTRL_BUS_ERR_ADDR_RESET;
      err_info_q  <= shoal_regs_pkg::CTRL_BUS_ERR_INFO_RESET;
    end else if (do_soft_rst) begin
      scratch_q   <= shoal_regs_pkg::CTRL_SCRATCH_RESET;
      status_q    <= shoal_regs_pkg::CTRL_IRQ_STATUS_RESET;
      enable_q    <= shoal_regs_pkg::CTRL_IRQ_ENABLE_RESET;
      err_count_q <= shoal_regs_pkg::CTRL_BUS_ERR_COUNT_RESET;
      err_addr_q  <= shoal_regs_pkg::CTRL_BUS_ERR_ADDR_RESET;
      err_info_q  <= shoal_regs_pkg::CTRL_BUS_ERR_INFO_RESET;
    end else begin
      if (wr_ok && offset == shoal_regs_pkg::CTRL_SCRATCH_OFFSET) begin
        scratch_q <= (scratch_q & ~(bmask & shoal_regs_pkg::CTRL_SCRATCH_RW_MASK))
                   | (wr_bits & shoal_regs_pkg::CTRL_SCRATCH_RW_MASK);
      end
      if (wr_ok && offset == shoal_regs_pkg::CTRL_IRQ_ENABLE_OFFSET) begin
        enable_q <= (enable_q & ~(bmask & shoal_regs_pkg::CTRL_IRQ_ENABLE_RW_MASK))
                  | (wr_bits & shoal_regs_pkg::CTRL_IRQ_ENABLE_RW_MASK);
      end
      status_q <= ((status_q & ~st_clr) | st_set)
                & shoal_regs_pkg::CTRL_IRQ_STATUS_W1C_MASK;
      if (cap) begin
        if (err_count_q != 32'hFFFF_FFFF) err_count_q <= err_count_q + 32'd1;
        err_addr_q <= cap_addr & shoal_regs_pkg::CTRL_BUS_ERR_ADDR_RO_MASK;
        err_info_q <= cap_info & shoal_regs_pkg::CTRL_BUS_ERR_INFO_RO_MASK;
      end
    end
  end

  // the cycle counter and its latch are reset only by rst_ni
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycle_q    <= 64'd0;
      cycle_hi_q <= shoal_regs_pkg::CTRL_CYCLE_HI_RESET;
    end else begin
      cycle_q <= cycle_q + 64'd1;
      if (rd && offset == shoal_regs_pkg::CTRL_CYCLE_LO_OFFSET) cycle_hi_q <= cycle_q[63:32];
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ack_q      <= 1'b0;
      err_q      <= 1'b0;
      rdata_q    <= '0;
      soft_rst_q <= 1'b0;
    end else begin
      ack_q      <= reg_req_i;
      err_q      <= reg_req_i && refused;
      rdata_q    <= (rd && rd_ok) ? rdata : 32'd0;
      soft_rst_q <= do_soft_rst;
    end
  end

  assign reg_ack_o   = ack_q;
  assign reg_err_o   = err_q;
  assign reg_rdata_o = rdata_q;
  assign soft_rst_o  = soft_rst_q;
  assign cycle_o     = cycle_q;

  always_comb begin
    irq_o = '0;
    for (int i = 0; i < NUM_HOST_IRQS && i < 32; i++) irq_o[i] = pending[i];
  end

  logic unused_addr_lsbs;
  assign unused_addr_lsbs = ^reg_addr_i[1:0];
endmodule
