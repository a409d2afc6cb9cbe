// Shoal soft core complex: the RV32IM core with its instruction and data RAMs, a CLINT-style
// timer, an interrupt controller for card-internal sources, a console register and a master
// port on the card-internal register bus (docs/internal-bus.md).
//
// Core address map (docs/core.md):
//   0x0200_0000 .. 0x0200_FFFF  CLINT: msip 0x0, mtimecmp 0x4000/0x4004, mtime 0xBFF8/0xBFFC
//   0x0300_0000                 console TX (write: low byte is printed), 0x0300_0004 status
//   0x0300_0100 .. 0x0300_01FF  interrupt controller (PENDING, ENABLE, CLAIM, ACTIVE)
//   0x4000_0000 .. 0x400F_FFFF  card BAR0 registers through the internal bus (offset = addr - base)
//   IramBase (0x8000_0000)      instruction RAM, IramBytes (fetch only; data accesses fault)
//   DramBase (0x8010_0000)      data RAM, DramBytes
// Everything else faults (instruction / load / store access fault).
//
// Host side: core_reset_i holds the core in reset (registered here, so it may come from a
// register); host_we_i writes one word at host_addr_i (a core address in IRAM or DRAM) -- IRAM
// at any time, DRAM only while the core is held in reset.
module shoal_core_complex #(
  parameter int unsigned IramBytes = 16384,
  parameter int unsigned DramBytes = 16384,
  parameter logic [31:0] IramBase  = 32'h8000_0000,
  parameter logic [31:0] DramBase  = 32'h8010_0000,
  parameter int unsigned NumIrqs   = 16,
  parameter int unsigned TickDiv   = 1,
  parameter bit          FastMul   = 1'b1,
  parameter              IramInit  = "",
  parameter              DramInit  = ""
) (
  input  logic               clk_i,
  input  logic               rst_ni,

  // host control and firmware download
  input  logic               core_reset_i,
  input  logic               host_we_i,
  input  logic [31:0]        host_addr_i,
  input  logic [31:0]        host_wdata_i,

  // card-internal interrupt sources (level)
  input  logic [NumIrqs-1:0] irq_src_i,

  // console: one byte per pulse
  output logic               console_valid_o,
  output logic [7:0]         console_data_o,

  // master port on the card-internal register bus (20-bit BAR0 byte offset)
  output logic               reg_req_o,
  output logic               reg_we_o,
  output logic [19:0]        reg_addr_o,
  output logic [31:0]        reg_wdata_o,
  output logic [3:0]         reg_wstrb_o,
  input  logic               reg_ack_i,
  input  logic [31:0]        reg_rdata_i,
  input  logic               reg_err_i,

  output logic               core_running_o,
  output logic               core_sleep_o
);
  localparam int unsigned IramWords = IramBytes / 4;
  localparam int unsigned DramWords = DramBytes / 4;
  localparam int unsigned IramAw    = $clog2(IramWords);
  localparam int unsigned DramAw    = $clog2(DramWords);

  // core reset: registered from the host control
  // (core_run_q is the same flop for synchronous uses, so no net is both reset and data)
  logic core_rst_nq, core_run_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      core_rst_nq <= 1'b0;
      core_run_q  <= 1'b0;
    end else begin
      core_rst_nq <= ~core_reset_i;
      core_run_q  <= ~core_reset_i;
    end
  end
  assign core_running_o = core_run_q;

  // ------------------------------------------------------------------------------------------
  // the core
  logic        instr_req;
  logic [31:0] instr_addr, instr_rdata;
  logic        instr_err;
  logic        data_req, data_we, data_rvalid, data_err;
  logic [3:0]  data_be;
  logic [31:0] data_addr, data_wdata, data_rdata;
  logic        irq_soft, irq_timer, irq_ext;

  shoal_core #(
    .BootAddr (IramBase),
    .FastMul  (FastMul)
  ) u_core (
    .clk_i,
    .rst_ni         (core_rst_nq),
    .instr_req_o    (instr_req),
    .instr_addr_o   (instr_addr),
    .instr_rdata_i  (instr_rdata),
    .instr_err_i    (instr_err),
    .data_req_o     (data_req),
    .data_we_o      (data_we),
    .data_be_o      (data_be),
    .data_addr_o    (data_addr),
    .data_wdata_o   (data_wdata),
    .data_rvalid_i  (data_rvalid),
    .data_rdata_i   (data_rdata),
    .data_err_i     (data_err),
    .irq_software_i (irq_soft),
    .irq_timer_i    (irq_timer),
    .irq_external_i (irq_ext),
    .sleep_o        (core_sleep_o)
  );

  // ------------------------------------------------------------------------------------------
  // instruction RAM: port A = host download, port B = fetch
  logic        fetch_hit, fetch_err_q;
  logic        host_iram_hit, host_dram_hit;
  logic [31:0] instr_off, host_ioff, host_doff;
  assign instr_off     = instr_addr - IramBase;
  assign host_ioff     = host_addr_i - IramBase;
  assign host_doff     = host_addr_i - DramBase;
  assign fetch_hit     = (instr_off < IramBytes);
  assign host_iram_hit = (host_ioff < IramBytes);
  assign host_dram_hit = (host_doff < DramBytes);

  logic [31:0] iram_a_unused;
  shoal_core_ram #(.Words(IramWords), .InitFile(IramInit)) u_iram (
    .clk_i,
    .a_req_i   (host_we_i & host_iram_hit),
    .a_we_i    (1'b1),
    .a_be_i    (4'hF),
    .a_addr_i  (host_ioff[IramAw+1:2]),
    .a_wdata_i (host_wdata_i),
    .a_rdata_o (iram_a_unused),
    .b_req_i   (instr_req),
    .b_addr_i  (instr_off[IramAw+1:2]),
    .b_rdata_o (instr_rdata)
  );
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fetch_err_q <= 1'b0;
    else         fetch_err_q <= ~fetch_hit;
  end
  assign instr_err = fetch_err_q;

  // ------------------------------------------------------------------------------------------
  // data-side decode
  typedef enum logic [2:0] {SelNone, SelDram, SelClint, SelIntc, SelCons, SelBus} sel_e;
  sel_e        sel, sel_q;
  logic [31:0] data_doff;
  assign data_doff = data_addr - DramBase;
  always_comb begin
    if (data_doff < DramBytes)                  sel = SelDram;
    else if (data_addr[31:16] == 16'h0200)      sel = SelClint;
    else if (data_addr[31:8] == 24'h03_0001)    sel = SelIntc;
    else if (data_addr[31:8] == 24'h03_0000)    sel = SelCons;
    else if (data_addr[31:20] == 12'h400)       sel = SelBus;
    else                                        sel = SelNone;
  end

  // data RAM: the host owns the port while the core is held in reset
  logic        dram_req, dram_we;
  logic [3:0]  dram_be;
  logic [DramAw-1:0] dram_addr;
  logic [31:0] dram_wdata, dram_rdata, dram_b_unused;
  always_comb begin
    if (!core_run_q) begin
      dram_req   = host_we_i & host_dram_hit;
      dram_we    = 1'b1;
      dram_be    = 4'hF;
      dram_addr  = host_doff[DramAw+1:2];
      dram_wdata = host_wdata_i;
    end else begin
      dram_req   = data_req & (sel == SelDram);
      dram_we    = data_we;
      dram_be    = data_be;
      dram_addr  = data_doff[DramAw+1:2];
      dram_wdata = data_wdata;
    end
  end
  shoal_core_ram #(.Words(DramWords), .InitFile(DramInit)) u_dram (
    .clk_i,
    .a_req_i   (dram_req),
    .a_we_i    (dram_we),
    .a_be_i    (dram_be),
    .a_addr_i  (dram_addr),
    .a_wdata_i (dram_wdata),
    .a_rdata_o (dram_rdata),
    .b_req_i   (1'b0),
    .b_addr_i  ('0),
    .b_rdata_o (dram_b_unused)
  );

  // CLINT
  logic        clint_rvalid, clint_err;
  logic [31:0] clint_rdata;
  shoal_core_clint #(.TickDiv(TickDiv)) u_clint (
    .clk_i,
    .rst_ni      (core_rst_nq),
    .req_i       (data_req & (sel == SelClint)),
    .we_i        (data_we),
    .addr_i      (data_addr[15:0]),
    .be_i        (data_be),
    .wdata_i     (data_wdata),
    .rvalid_o    (clint_rvalid),
    .rdata_o     (clint_rdata),
    .err_o       (clint_err),
    .timer_irq_o (irq_timer),
    .soft_irq_o  (irq_soft)
  );

  // interrupt controller
  logic        intc_rvalid, intc_err;
  logic [31:0] intc_rdata;
  shoal_core_intc #(.NumSrc(NumIrqs)) u_intc (
    .clk_i,
    .rst_ni   (core_rst_nq),
    .src_i    (irq_src_i),
    .req_i    (data_req & (sel == SelIntc)),
    .we_i     (data_we),
    .addr_i   (data_addr[7:0]),
    .wdata_i  (data_wdata),
    .rvalid_o (intc_rvalid),
    .rdata_o  (intc_rdata),
    .err_o    (intc_err),
    .irq_o    (irq_ext)
  );

  // console: 0x0 TX (write), 0x4 STATUS (bit 0: ready, always 1)
  logic cons_req;
  assign cons_req = data_req & (sel == SelCons);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      console_valid_o <= 1'b0;
      console_data_o  <= '0;
    end else begin
      console_valid_o <= cons_req & data_we & data_be[0] & (data_addr[7:0] == 8'h00);
      if (cons_req && data_we && data_be[0] && data_addr[7:0] == 8'h00) begin
        console_data_o <= data_wdata[7:0];
      end
    end
  end

  // card register bus master: one request at a time, held until the slave acknowledges
  logic bus_busy_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      reg_req_o   <= 1'b0;
      reg_we_o    <= 1'b0;
      reg_addr_o  <= '0;
      reg_wdata_o <= '0;
      reg_wstrb_o <= '0;
      bus_busy_q  <= 1'b0;
    end else begin
      reg_req_o <= data_req & (sel == SelBus);
      if (data_req && sel == SelBus) begin
        reg_we_o    <= data_we;
        reg_addr_o  <= data_addr[19:0];
        reg_wdata_o <= data_wdata;
        reg_wstrb_o <= data_we ? data_be : 4'h0;
        bus_busy_q  <= 1'b1;
      end else if (reg_ack_i) begin
        bus_busy_q  <= 1'b0;
      end
    end
  end

  // response mux
  logic        none_err_q, cons_rvalid_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sel_q         <= SelNone;
      none_err_q    <= 1'b0;
      cons_rvalid_q <= 1'b0;
    end else begin
      if (data_req) sel_q <= sel;
      none_err_q    <= data_req & (sel == SelNone);
      cons_rvalid_q <= cons_req;
    end
  end
  always_comb begin
    data_rvalid = 1'b0;
    data_rdata  = 32'd0;
    data_err    = 1'b0;
    unique case (sel_q)
      SelDram:  begin data_rvalid = 1'b1;         data_rdata = dram_rdata; end
      SelClint: begin data_rvalid = clint_rvalid; data_rdata = clint_rdata; data_err = clint_err; end
      SelIntc:  begin data_rvalid = intc_rvalid;  data_rdata = intc_rdata;  data_err = intc_err; end
      SelCons:  begin data_rvalid = cons_rvalid_q; data_rdata = 32'd1; end
      SelBus:   begin data_rvalid = bus_busy_q & reg_ack_i; data_rdata = reg_rdata_i;
                      data_err = reg_err_i; end
      default:  begin data_rvalid = none_err_q;   data_err = 1'b1; end
    endcase
  end
endmodule
