// Shoal soft core: the `core` register block (docs/registers/core.md) on the card-internal
// register bus (docs/internal-bus.md): core reset/run control, status, memory geometry,
// firmware download (LOAD_ADDR / LOAD_DATA), and host-to-firmware doorbells.
//
// Offsets, reset values and masks come from shoal_regs_pkg. Answers come one cycle after the
// request. A refused access (unmapped offset, write to a read-only register, a LOAD_DATA write
// that is partial, misaligned, outside both RAMs or made while the core runs) changes nothing.
module shoal_core_regs #(
  parameter logic [31:0] IramBase  = shoal_regs_pkg::CORE_IRAM_BASE_RESET,
  parameter int unsigned IramBytes = shoal_regs_pkg::CORE_IRAM_BYTES_RESET,
  parameter logic [31:0] DramBase  = shoal_regs_pkg::CORE_DRAM_BASE_RESET,
  parameter int unsigned DramBytes = shoal_regs_pkg::CORE_DRAM_BYTES_RESET
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // internal register bus slave
  input  logic        reg_req_i,
  input  logic        reg_we_i,
  input  logic [13:0] reg_addr_i,
  input  logic [31:0] reg_wdata_i,
  input  logic [3:0]  reg_wstrb_i,
  output logic        reg_ack_o,
  output logic [31:0] reg_rdata_o,
  output logic        reg_err_o,
  // to / from the core complex
  output logic        core_reset_o,
  output logic        host_we_o,
  output logic [31:0] host_addr_o,
  output logic [31:0] host_wdata_o,
  output logic [7:0]  doorbell_o,
  input  logic        core_running_i,
  input  logic        core_sleep_i
);
  logic        ctrl_reset_q;
  logic [31:0] load_addr_q, load_count_q;
  logic [7:0]  doorbell_q;
  logic        ack_q, err_q;
  logic [31:0] rdata_q;
  logic        host_we_q;
  logic [31:0] host_addr_q, host_wdata_q;

  logic [31:0] offset, bmask;
  logic        unused_addr_lsbs;
  assign unused_addr_lsbs = ^reg_addr_i[1:0];   // word aligned by the bus contract
  assign offset = {18'd0, reg_addr_i[13:2], 2'b00};
  assign bmask  = {{8{reg_wstrb_i[3]}}, {8{reg_wstrb_i[2]}}, {8{reg_wstrb_i[1]}}, {8{reg_wstrb_i[0]}}};

  logic [31:0] iram_off, dram_off;
  logic        load_ok;
  assign iram_off = load_addr_q - IramBase;
  assign dram_off = load_addr_q - DramBase;
  assign load_ok  = (reg_wstrb_i == 4'hF) && (load_addr_q[1:0] == 2'b00) && ctrl_reset_q &&
                    !core_running_i && ((iram_off < IramBytes) || (dram_off < DramBytes));

  logic        known, wr_ro;
  logic [31:0] rdata;
  always_comb begin
    known = 1'b1;
    wr_ro = 1'b0;
    rdata = 32'd0;
    unique case (offset)
      shoal_regs_pkg::CORE_ID_OFFSET:         begin rdata = shoal_regs_pkg::CORE_ID_RESET; wr_ro = 1'b1; end
      shoal_regs_pkg::CORE_CTRL_OFFSET:       rdata = {31'd0, ctrl_reset_q};
      shoal_regs_pkg::CORE_STATUS_OFFSET: begin
        rdata = (core_running_i ? shoal_regs_pkg::CORE_STATUS_RUNNING_MASK : 32'd0) |
                (core_sleep_i ? shoal_regs_pkg::CORE_STATUS_SLEEPING_MASK : 32'd0);
        wr_ro = 1'b1;
      end
      shoal_regs_pkg::CORE_IRAM_BASE_OFFSET:  begin rdata = IramBase; wr_ro = 1'b1; end
      shoal_regs_pkg::CORE_IRAM_BYTES_OFFSET: begin rdata = IramBytes; wr_ro = 1'b1; end
      shoal_regs_pkg::CORE_DRAM_BASE_OFFSET:  begin rdata = DramBase; wr_ro = 1'b1; end
      shoal_regs_pkg::CORE_DRAM_BYTES_OFFSET: begin rdata = DramBytes; wr_ro = 1'b1; end
      shoal_regs_pkg::CORE_LOAD_ADDR_OFFSET:  rdata = load_addr_q;
      shoal_regs_pkg::CORE_LOAD_DATA_OFFSET:  rdata = 32'd0;
      shoal_regs_pkg::CORE_LOAD_COUNT_OFFSET: begin rdata = load_count_q; wr_ro = 1'b1; end
      shoal_regs_pkg::CORE_DOORBELL_OFFSET:   rdata = {24'd0, doorbell_q};
      shoal_regs_pkg::CORE_DOORBELL_SET_OFFSET: rdata = 32'd0;
      default: known = 1'b0;
    endcase
  end

  logic wr, is_load, refused, wr_ok;
  assign wr      = reg_req_i & reg_we_i;
  assign is_load = (offset == shoal_regs_pkg::CORE_LOAD_DATA_OFFSET);
  assign refused = reg_req_i & (~known | (reg_we_i & (wr_ro | (is_load & ~load_ok))));
  assign wr_ok   = wr & ~refused;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ctrl_reset_q <= shoal_regs_pkg::CORE_CTRL_RESET[0];
      load_addr_q  <= shoal_regs_pkg::CORE_LOAD_ADDR_RESET;
      load_count_q <= '0;
      doorbell_q   <= '0;
      ack_q        <= 1'b0;
      err_q        <= 1'b0;
      rdata_q      <= '0;
      host_we_q    <= 1'b0;
      host_addr_q  <= '0;
      host_wdata_q <= '0;
    end else begin
      ack_q     <= reg_req_i;
      err_q     <= refused;
      rdata_q   <= (reg_req_i && !reg_we_i && known) ? rdata : 32'd0;
      host_we_q <= 1'b0;
      if (wr_ok) begin
        unique case (offset)
          shoal_regs_pkg::CORE_CTRL_OFFSET: begin
            if (reg_wstrb_i[0]) begin
              ctrl_reset_q <= reg_wdata_i[0];
              if (reg_wdata_i[0] && !ctrl_reset_q) load_count_q <= '0;
            end
          end
          shoal_regs_pkg::CORE_LOAD_ADDR_OFFSET:
            load_addr_q <= (load_addr_q & ~bmask) | (reg_wdata_i & bmask);
          shoal_regs_pkg::CORE_LOAD_DATA_OFFSET: begin
            host_we_q    <= 1'b1;
            host_addr_q  <= load_addr_q;
            host_wdata_q <= reg_wdata_i;
            load_addr_q  <= load_addr_q + 32'd4;
            load_count_q <= load_count_q + 32'd1;
          end
          shoal_regs_pkg::CORE_DOORBELL_OFFSET:
            doorbell_q <= doorbell_q & ~(reg_wdata_i[7:0] & bmask[7:0]);
          shoal_regs_pkg::CORE_DOORBELL_SET_OFFSET:
            doorbell_q <= doorbell_q | (reg_wdata_i[7:0] & bmask[7:0]);
          default: ;
        endcase
      end
    end
  end

  assign reg_ack_o    = ack_q;
  assign reg_err_o    = err_q;
  assign reg_rdata_o  = rdata_q;
  assign core_reset_o = ctrl_reset_q;
  assign host_we_o    = host_we_q;
  assign host_addr_o  = host_addr_q;
  assign host_wdata_o = host_wdata_q;
  assign doorbell_o   = doorbell_q;
endmodule
