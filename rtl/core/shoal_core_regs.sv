// Shoal soft core: the `core` register block (docs/registers/core.md) on the card-internal
// register bus (docs/internal-bus.md): core reset/run control, status, memory geometry,
// firmware download (LOAD_ADDR / LOAD_DATA), host-to-firmware doorbells, the firmware's report
// registers (FW_VERSION / FW_UPTIME / FW_TASKS / FW_FAULT*: storage the firmware writes through
// its card window and the host reads) and the hardware watchdog (WDOG_*).
//
// Firmware-written registers (FW_*, WDOG_CTRL, WDOG_TIMEOUT) are read-only to the host: a write
// is accepted only with core_wr_i = 1 (a write whose origin on the card bus, reg_core_i of
// shoal_core_block, is the soft core; docs/internal-bus.md); otherwise it is refused like a
// write to any read-only register.
//
// Watchdog: while WDOG_CTRL.enable = 1 and the core runs, WDOG_COUNT counts core clock cycles
// down; a WDOG_KICK write with the key reloads it from WDOG_TIMEOUT (enabling reloads it too).
// When it is 0, WDOG_STATUS.expired is set (sticky until the host writes 1 to it) and the
// counter stays at 0; with WDOG_CTRL.halt = 1 the expiry also holds the core in reset
// (CTRL.reset = 1), as if the host had written it. Putting the core in reset (by the host or
// the watchdog) clears WDOG_CTRL, FW_VERSION, FW_UPTIME and FW_TASKS; FW_FAULT* and
// WDOG_STATUS.expired are kept for the host.
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
  input  logic        core_sleep_i,
  input  logic        core_wr_i        // this request is the core's own access (see above)
);
  logic        ctrl_reset_q;
  logic [31:0] load_addr_q, load_count_q;
  logic [7:0]  doorbell_q;
  logic [31:0] fw_version_q, fw_uptime_q, fw_tasks_q, fw_fault_q, fw_fault_data_q;
  logic [31:0] fw_name0_q, fw_name1_q;
  logic [1:0]  wdog_ctrl_q;
  logic [31:0] wdog_timeout_q, wdog_count_q;
  logic        wdog_expired_q;
  logic [7:0]  wdog_kicks_q;
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
  logic        kick_ok;
  assign kick_ok  = (reg_wstrb_i == 4'hF) && (reg_wdata_i == shoal_regs_pkg::CORE_WDOG_KICK_RESET);
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
      shoal_regs_pkg::CORE_FW_VERSION_OFFSET:    begin rdata = fw_version_q; wr_ro = !core_wr_i; end
      shoal_regs_pkg::CORE_FW_UPTIME_OFFSET:     begin rdata = fw_uptime_q; wr_ro = !core_wr_i; end
      shoal_regs_pkg::CORE_FW_TASKS_OFFSET:      begin rdata = fw_tasks_q; wr_ro = !core_wr_i; end
      shoal_regs_pkg::CORE_FW_FAULT_OFFSET:      begin rdata = fw_fault_q; wr_ro = !core_wr_i; end
      shoal_regs_pkg::CORE_FW_FAULT_DATA_OFFSET: begin rdata = fw_fault_data_q; wr_ro = !core_wr_i; end
      shoal_regs_pkg::CORE_FW_FAULT_NAME_OFFSET: begin rdata = fw_name0_q; wr_ro = !core_wr_i; end
      shoal_regs_pkg::CORE_FW_FAULT_NAME_OFFSET + shoal_regs_pkg::CORE_FW_FAULT_NAME_STRIDE: begin
        rdata = fw_name1_q;
        wr_ro = !core_wr_i;
      end
      shoal_regs_pkg::CORE_WDOG_CTRL_OFFSET:     begin rdata = {30'd0, wdog_ctrl_q}; wr_ro = !core_wr_i; end
      shoal_regs_pkg::CORE_WDOG_TIMEOUT_OFFSET:  begin rdata = wdog_timeout_q; wr_ro = !core_wr_i; end
      shoal_regs_pkg::CORE_WDOG_KICK_OFFSET:     rdata = 32'd0;
      shoal_regs_pkg::CORE_WDOG_COUNT_OFFSET:    begin rdata = wdog_count_q; wr_ro = 1'b1; end
      shoal_regs_pkg::CORE_WDOG_STATUS_OFFSET:
        rdata = (wdog_expired_q ? shoal_regs_pkg::CORE_WDOG_STATUS_EXPIRED_MASK : 32'd0) |
                ({24'd0, wdog_kicks_q} << shoal_regs_pkg::CORE_WDOG_STATUS_KICKS_LSB);
      default: known = 1'b0;
    endcase
  end

  logic wr, is_load, is_kick, refused, wr_ok;
  assign wr      = reg_req_i & reg_we_i;
  assign is_load = (offset == shoal_regs_pkg::CORE_LOAD_DATA_OFFSET);
  assign is_kick = (offset == shoal_regs_pkg::CORE_WDOG_KICK_OFFSET);
  assign refused = reg_req_i & (~known | (reg_we_i & (wr_ro | (is_load & ~load_ok) |
                                                      (is_kick & ~kick_ok))));
  assign wr_ok   = wr & ~refused;

  // watchdog expiry (this cycle) and entry into core reset (host write or watchdog halt)
  logic wdog_fire, host_reset, enter_reset;
  assign wdog_fire   = wdog_ctrl_q[0] && core_running_i && !wdog_expired_q && (wdog_count_q == 32'd0);
  assign host_reset  = wr_ok && (offset == shoal_regs_pkg::CORE_CTRL_OFFSET) && reg_wstrb_i[0] &&
                       reg_wdata_i[0];
  assign enter_reset = !ctrl_reset_q && (host_reset || (wdog_fire && wdog_ctrl_q[1]));

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
      fw_version_q    <= shoal_regs_pkg::CORE_FW_VERSION_RESET;
      fw_uptime_q     <= shoal_regs_pkg::CORE_FW_UPTIME_RESET;
      fw_tasks_q      <= shoal_regs_pkg::CORE_FW_TASKS_RESET;
      fw_fault_q      <= shoal_regs_pkg::CORE_FW_FAULT_RESET;
      fw_fault_data_q <= shoal_regs_pkg::CORE_FW_FAULT_DATA_RESET;
      fw_name0_q      <= shoal_regs_pkg::CORE_FW_FAULT_NAME_RESET;
      fw_name1_q      <= shoal_regs_pkg::CORE_FW_FAULT_NAME_RESET;
      wdog_ctrl_q     <= shoal_regs_pkg::CORE_WDOG_CTRL_RESET[1:0];
      wdog_timeout_q  <= shoal_regs_pkg::CORE_WDOG_TIMEOUT_RESET;
      wdog_count_q    <= '0;
      wdog_expired_q  <= 1'b0;
      wdog_kicks_q    <= '0;
    end else begin
      ack_q     <= reg_req_i;
      err_q     <= refused;
      rdata_q   <= (reg_req_i && !reg_we_i && known) ? rdata : 32'd0;
      host_we_q <= 1'b0;
      // watchdog: count down while enabled and the core runs; expire at 0
      if (wdog_ctrl_q[0] && core_running_i && wdog_count_q != 32'd0) wdog_count_q <= wdog_count_q - 32'd1;
      if (wdog_fire) wdog_expired_q <= 1'b1;
      if (wdog_fire && wdog_ctrl_q[1]) ctrl_reset_q <= 1'b1;
      if (enter_reset) begin
        load_count_q <= '0;
        fw_version_q <= '0;
        fw_uptime_q  <= '0;
        fw_tasks_q   <= '0;
        wdog_ctrl_q  <= '0;
        wdog_kicks_q <= '0;
      end
      if (wr_ok) begin
        unique case (offset)
          shoal_regs_pkg::CORE_CTRL_OFFSET: begin
            if (reg_wstrb_i[0]) ctrl_reset_q <= reg_wdata_i[0];
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
          shoal_regs_pkg::CORE_FW_VERSION_OFFSET:
            fw_version_q <= (fw_version_q & ~bmask) | (reg_wdata_i & bmask);
          shoal_regs_pkg::CORE_FW_UPTIME_OFFSET:
            fw_uptime_q <= (fw_uptime_q & ~bmask) | (reg_wdata_i & bmask);
          shoal_regs_pkg::CORE_FW_TASKS_OFFSET:
            fw_tasks_q <= ((fw_tasks_q & ~bmask) | (reg_wdata_i & bmask)) &
                          shoal_regs_pkg::CORE_FW_TASKS_RO_MASK;
          shoal_regs_pkg::CORE_FW_FAULT_OFFSET:
            fw_fault_q <= ((fw_fault_q & ~bmask) | (reg_wdata_i & bmask)) &
                          shoal_regs_pkg::CORE_FW_FAULT_RO_MASK;
          shoal_regs_pkg::CORE_FW_FAULT_DATA_OFFSET:
            fw_fault_data_q <= (fw_fault_data_q & ~bmask) | (reg_wdata_i & bmask);
          shoal_regs_pkg::CORE_FW_FAULT_NAME_OFFSET:
            fw_name0_q <= (fw_name0_q & ~bmask) | (reg_wdata_i & bmask);
          shoal_regs_pkg::CORE_FW_FAULT_NAME_OFFSET + shoal_regs_pkg::CORE_FW_FAULT_NAME_STRIDE:
            fw_name1_q <= (fw_name1_q & ~bmask) | (reg_wdata_i & bmask);
          shoal_regs_pkg::CORE_WDOG_CTRL_OFFSET: begin
            if (reg_wstrb_i[0]) begin
              wdog_ctrl_q <= reg_wdata_i[1:0];
              if (reg_wdata_i[0] && !wdog_ctrl_q[0]) wdog_count_q <= wdog_timeout_q;
            end
          end
          shoal_regs_pkg::CORE_WDOG_TIMEOUT_OFFSET:
            wdog_timeout_q <= (wdog_timeout_q & ~bmask) | (reg_wdata_i & bmask);
          shoal_regs_pkg::CORE_WDOG_KICK_OFFSET: begin
            wdog_count_q <= wdog_timeout_q;
            wdog_kicks_q <= wdog_kicks_q + 8'd1;
          end
          shoal_regs_pkg::CORE_WDOG_STATUS_OFFSET:
            if (reg_wstrb_i[0] && reg_wdata_i[0]) wdog_expired_q <= 1'b0;
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
