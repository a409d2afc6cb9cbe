// Internal register bus arbiter: two masters (the BAR0 AXI bridge and the soft core's bus
// master port) share the one bus into shoal_bus_decoder.
//
// Both masters follow the internal-bus protocol (docs/internal-bus.md): a one-cycle request
// pulse, at most one request outstanding, request fields held stable until the answer. The
// arbiter remembers a request it cannot issue at once (the bus is busy, or both masters asked
// in the same cycle) and issues it when the bus is free; an idle bus issues a request in the
// cycle it arrives, so a lone master sees no added latency.
//
// Origin: m_core_o says which master the request on the bus belongs to (1 = the soft core),
// valid with m_req_o and for as long as the request is in flight; the decoder uses it to keep
// the host off firmware-driven blocks.
//
// Fairness: round robin. When both masters wait, the one not granted last goes first, so each
// waits for at most one transaction of the other. Every transaction ends: the decoder answers
// every request (a silent block is timed out after its TIMEOUT cycles), so no master can hold
// the bus longer than that.
module shoal_bus_arbiter #(
  parameter int unsigned AW = 20
) (
  input  logic          clk_i,
  input  logic          rst_ni,
  // master 0: the host (AXI bridge)
  input  logic          h_req_i,
  input  logic          h_we_i,
  input  logic [AW-1:0] h_addr_i,
  input  logic [31:0]   h_wdata_i,
  input  logic [3:0]    h_wstrb_i,
  output logic          h_ack_o,
  output logic [31:0]   h_rdata_o,
  output logic          h_err_o,
  // master 1: the soft core
  input  logic          c_req_i,
  input  logic          c_we_i,
  input  logic [AW-1:0] c_addr_i,
  input  logic [31:0]   c_wdata_i,
  input  logic [3:0]    c_wstrb_i,
  output logic          c_ack_o,
  output logic [31:0]   c_rdata_o,
  output logic          c_err_o,
  // to the decoder
  output logic          m_req_o,
  output logic          m_we_o,
  output logic [AW-1:0] m_addr_o,
  output logic [31:0]   m_wdata_o,
  output logic [3:0]    m_wstrb_o,
  output logic          m_core_o,
  input  logic          m_ack_i,
  input  logic [31:0]   m_rdata_i,
  input  logic          m_err_i
);
  logic h_pend_q, c_pend_q;  // a request waits for the bus
  logic busy_q;              // a request is in flight at the decoder
  logic owner_q;             // its master: 0 = host, 1 = core
  logic last_q;              // the master granted last

  logic h_want, c_want, grant_h, grant_c;
  assign h_want  = h_req_i || h_pend_q;
  assign c_want  = c_req_i || c_pend_q;
  assign grant_h = !busy_q && h_want && (!c_want || last_q);
  assign grant_c = !busy_q && c_want && (!h_want || !last_q);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      h_pend_q <= 1'b0;
      c_pend_q <= 1'b0;
      busy_q   <= 1'b0;
      owner_q  <= 1'b0;
      last_q   <= 1'b0;
    end else begin
      h_pend_q <= h_want && !grant_h;
      c_pend_q <= c_want && !grant_c;
      if (grant_h || grant_c) begin
        busy_q  <= 1'b1;
        owner_q <= grant_c;
        last_q  <= grant_c;
      end else if (m_ack_i) begin
        busy_q  <= 1'b0;
      end
    end
  end

  // request fields: the granted master's this cycle, the owner's while in flight
  logic sel;
  assign sel       = busy_q ? owner_q : grant_c;
  assign m_req_o   = grant_h || grant_c;
  assign m_we_o    = sel ? c_we_i    : h_we_i;
  assign m_addr_o  = sel ? c_addr_i  : h_addr_i;
  assign m_wdata_o = sel ? c_wdata_i : h_wdata_i;
  assign m_wstrb_o = sel ? c_wstrb_i : h_wstrb_i;
  assign m_core_o  = sel;

  // the answer goes to the owner only
  assign h_ack_o   = busy_q && !owner_q && m_ack_i;
  assign c_ack_o   = busy_q && owner_q && m_ack_i;
  assign h_err_o   = h_ack_o && m_err_i;
  assign c_err_o   = c_ack_o && m_err_i;
  assign h_rdata_o = m_rdata_i;
  assign c_rdata_o = m_rdata_i;
endmodule
