// Timing harness for the benchmark only: alloc_regs behind a serial shift-in of its inputs and
// a registered XOR fold of its outputs, so the block places on a small iCE40 package (the block
// has ~160 ports) and nextpnr can report Fmax. Not part of the card.
module alloc_fmax_ice40 #(
  parameter int unsigned K = shoal_regs_pkg::PARAM_NUM_PARTITIONS,
  parameter int unsigned T = shoal_regs_pkg::PARAM_NUM_RESOURCE_TYPES
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic sdi_i,
  output logic sdo_o
);

  localparam int unsigned NIN = 53;   // req, we, addr[14], wdata[32], wstrb[4], ev_ready
  localparam int unsigned NOUT = 100; // ack, rdata[32], err, ev_valid, ev[64], inv_err

  logic [NIN-1:0]  sh_q;
  logic [NOUT-1:0] out_d, out_q;
  logic            ack, err, ev_valid, inv_err;
  logic [31:0]     rdata;
  logic [63:0]     ev;

  alloc_regs #(.K(K), .T(T)) u_regs (
    .clk_i,
    .rst_ni,
    .reg_req_i   (sh_q[0]),
    .reg_we_i    (sh_q[1]),
    .reg_addr_i  (sh_q[15:2]),
    .reg_wdata_i (sh_q[47:16]),
    .reg_wstrb_i (sh_q[51:48]),
    .reg_ack_o   (ack),
    .reg_rdata_o (rdata),
    .reg_err_o   (err),
    .ev_valid_o  (ev_valid),
    .ev_ready_i  (sh_q[52]),
    .ev_o        (ev),
    .inv_err_o   (inv_err)
  );

  assign out_d = {ack, rdata, err, ev_valid, ev, inv_err};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sh_q  <= '0;
      out_q <= '0;
      sdo_o <= 1'b0;
    end else begin
      sh_q  <= {sh_q[NIN-2:0], sdi_i};
      out_q <= out_d;
      sdo_o <= ^out_q;
    end
  end

endmodule
