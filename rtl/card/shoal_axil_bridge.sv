// AXI4-Lite slave (BAR0) to the card-internal register bus (docs/internal-bus.md).
//
// AW, W and AR each have a one-entry holding register; a channel is ready while its entry is
// empty, so AW and W may arrive in either order or together. A write is issued once both its
// AW and W are held and the B slot is free; a read once AR is held and the R slot is free.
// When both are ready the one that did not go last wins (fair alternation). The held entries
// stay put until the bus answers (so the bus request is stable), then the answer goes to the
// B or R register and is held there until the master takes it. The low two address bits are
// ignored; a refused access (reg_err) is answered with SLVERR.
module shoal_axil_bridge #(
  parameter int unsigned AW = 20
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // AXI4-Lite slave
  input  logic [AW-1:0] s_axil_awaddr_i,
  input  logic          s_axil_awvalid_i,
  output logic          s_axil_awready_o,
  input  logic [31:0]   s_axil_wdata_i,
  input  logic [3:0]    s_axil_wstrb_i,
  input  logic          s_axil_wvalid_i,
  output logic          s_axil_wready_o,
  output logic [1:0]    s_axil_bresp_o,
  output logic          s_axil_bvalid_o,
  input  logic          s_axil_bready_i,
  input  logic [AW-1:0] s_axil_araddr_i,
  input  logic          s_axil_arvalid_i,
  output logic          s_axil_arready_o,
  output logic [31:0]   s_axil_rdata_o,
  output logic [1:0]    s_axil_rresp_o,
  output logic          s_axil_rvalid_o,
  input  logic          s_axil_rready_i,
  // internal bus master (one request outstanding)
  output logic          bus_req_o,
  output logic          bus_we_o,
  output logic [AW-1:0] bus_addr_o,
  output logic [31:0]   bus_wdata_o,
  output logic [3:0]    bus_wstrb_o,
  input  logic          bus_ack_i,
  input  logic [31:0]   bus_rdata_i,
  input  logic          bus_err_i
);
  localparam logic [1:0] RespOkay   = 2'b00;
  localparam logic [1:0] RespSlvErr = 2'b10;

  // holding registers
  logic          aw_full_q, w_full_q, ar_full_q;
  logic [AW-1:0] aw_addr_q, ar_addr_q;
  logic [31:0]   w_data_q;
  logic [3:0]    w_strb_q;
  // bus state
  logic          busy_q, cur_we_q, last_write_q;
  // response registers
  logic          b_valid_q, r_valid_q;
  logic [1:0]    b_resp_q, r_resp_q;
  logic [31:0]   r_data_q;

  logic wr_ready, rd_ready, grant_wr, grant_rd;
  assign wr_ready = aw_full_q && w_full_q && !b_valid_q;
  assign rd_ready = ar_full_q && !r_valid_q;
  always_comb begin
    grant_wr = 1'b0;
    grant_rd = 1'b0;
    if (!busy_q) begin
      if (wr_ready && rd_ready) begin
        grant_wr = !last_write_q;
        grant_rd = last_write_q;
      end else begin
        grant_wr = wr_ready;
        grant_rd = rd_ready;
      end
    end
  end

  logic aw_hs, w_hs, ar_hs, wr_done, rd_done;
  assign aw_hs   = s_axil_awvalid_i && !aw_full_q;
  assign w_hs    = s_axil_wvalid_i && !w_full_q;
  assign ar_hs   = s_axil_arvalid_i && !ar_full_q;
  assign wr_done = busy_q && bus_ack_i && cur_we_q;
  assign rd_done = busy_q && bus_ack_i && !cur_we_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_full_q    <= 1'b0;
      w_full_q     <= 1'b0;
      ar_full_q    <= 1'b0;
      aw_addr_q    <= '0;
      ar_addr_q    <= '0;
      w_data_q     <= '0;
      w_strb_q     <= '0;
      busy_q       <= 1'b0;
      cur_we_q     <= 1'b0;
      last_write_q <= 1'b0;
      b_valid_q    <= 1'b0;
      b_resp_q     <= RespOkay;
      r_valid_q    <= 1'b0;
      r_resp_q     <= RespOkay;
      r_data_q     <= '0;
    end else begin
      // accept AW / W / AR into empty holding registers
      if (aw_hs) begin
        aw_full_q <= 1'b1;
        aw_addr_q <= {s_axil_awaddr_i[AW-1:2], 2'b00};
      end
      if (w_hs) begin
        w_full_q <= 1'b1;
        w_data_q <= s_axil_wdata_i;
        w_strb_q <= s_axil_wstrb_i;
      end
      if (ar_hs) begin
        ar_full_q <= 1'b1;
        ar_addr_q <= {s_axil_araddr_i[AW-1:2], 2'b00};
      end
      // issue
      if (grant_wr || grant_rd) begin
        busy_q       <= 1'b1;
        cur_we_q     <= grant_wr;
        last_write_q <= grant_wr;
      end
      // answer: free the holding registers (they are full, so no accept this cycle)
      if (wr_done) begin
        busy_q    <= 1'b0;
        aw_full_q <= 1'b0;
        w_full_q  <= 1'b0;
        b_valid_q <= 1'b1;
        b_resp_q  <= bus_err_i ? RespSlvErr : RespOkay;
      end else if (b_valid_q && s_axil_bready_i) begin
        b_valid_q <= 1'b0;
      end
      if (rd_done) begin
        busy_q    <= 1'b0;
        ar_full_q <= 1'b0;
        r_valid_q <= 1'b1;
        r_resp_q  <= bus_err_i ? RespSlvErr : RespOkay;
        r_data_q  <= bus_err_i ? 32'd0 : bus_rdata_i;
      end else if (r_valid_q && s_axil_rready_i) begin
        r_valid_q <= 1'b0;
      end
    end
  end

  // The request is a one-cycle pulse; address and data stay stable in the holding registers
  // until the answer.
  assign bus_req_o   = grant_wr || grant_rd;
  assign bus_we_o    = busy_q ? cur_we_q : grant_wr;
  assign bus_addr_o  = bus_we_o ? aw_addr_q : ar_addr_q;
  assign bus_wdata_o = w_data_q;
  assign bus_wstrb_o = w_strb_q;

  assign s_axil_awready_o = !aw_full_q;
  assign s_axil_wready_o  = !w_full_q;
  assign s_axil_arready_o = !ar_full_q;
  assign s_axil_bvalid_o  = b_valid_q;
  assign s_axil_bresp_o   = b_resp_q;
  assign s_axil_rvalid_o  = r_valid_q;
  assign s_axil_rresp_o   = r_resp_q;
  assign s_axil_rdata_o   = r_data_q;

  logic unused_addr_lsbs;
  assign unused_addr_lsbs = ^{s_axil_awaddr_i[1:0], s_axil_araddr_i[1:0]};
endmodule
