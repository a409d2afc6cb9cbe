// Timing shell for place-and-route of the DRRM block alone (bench-drrm only; not part of the
// card). The block has hundreds of ports, more than any iCE40 package has pins, so this shell
// feeds every input from a serial shift register and folds every output into a shift register
// (XOR-chained, so no output can be optimized away). Only clk_i, rst_ni, si_i and so_o are pins.
module drrm_fmax_shell #(
  parameter int unsigned P = shoal_regs_pkg::PARAM_NUM_PROCESSORS,
  parameter int unsigned K = shoal_regs_pkg::PARAM_NUM_PARTITIONS,
  parameter int unsigned V = shoal_regs_pkg::PARAM_NUM_IRQ_VECTORS
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic si_i,
  output logic so_o
);
  localparam int unsigned PW = $clog2(P);
  localparam int unsigned KW = $clog2(K);
  localparam int unsigned VW = $clog2(V);
  localparam int unsigned IW = 1 + 1 + 14 + 32 + 4 + P + 1 + 8 + 32 + 1 + 1 + VW;
  localparam int unsigned OW = 1 + 32 + 1 + 1 + P + P + P * KW + P + 1 + 1 + 1 + PW + VW +
                               1 + 1 + 4 + 8 + KW + P + 1 + 8 + 32 + 1 + 2;

  logic [IW-1:0] in_q;
  logic [OW-1:0] out_q, out_w;

  logic          reg_req, reg_we, reg_ack, reg_err, irq, chk_valid, chk_we, irq_valid;
  logic [13:0]   reg_addr;
  logic [31:0]   reg_wdata, reg_rdata, chk_addr;
  logic [3:0]    reg_wstrb;
  logic [P-1:0]  quiesced, pause, resume, online, evm_mask;
  logic [7:0]    chk_proc;
  logic [VW-1:0] irq_vec;
  logic [P*KW-1:0] part;
  logic          chk_valid_o, chk_allow_o, irq_out_valid, evm_valid, evm_timeout, evv_valid;
  logic          evv_we;
  logic [PW-1:0] irq_out_proc;
  logic [VW-1:0] irq_out_vec;
  logic [3:0]    evm_op;
  logic [7:0]    evm_tag, evv_proc;
  logic [KW-1:0] evm_part;
  logic [31:0]   evv_addr;
  logic [1:0]    evv_reason;

  assign {reg_req, reg_we, reg_addr, reg_wdata, reg_wstrb, quiesced, chk_valid, chk_proc,
          chk_addr, chk_we, irq_valid, irq_vec} = in_q;

  drrm #(.P(P), .K(K), .V(V)) u_drrm (
    .clk_i, .rst_ni,
    .reg_req_i(reg_req), .reg_we_i(reg_we), .reg_addr_i(reg_addr), .reg_wdata_i(reg_wdata),
    .reg_wstrb_i(reg_wstrb), .reg_ack_o(reg_ack), .reg_rdata_o(reg_rdata), .reg_err_o(reg_err),
    .irq_o(irq),
    .pause_o(pause), .resume_o(resume), .part_o(part), .online_o(online),
    .quiesced_i(quiesced),
    .chk_valid_i(chk_valid), .chk_proc_i(chk_proc), .chk_addr_i(chk_addr), .chk_we_i(chk_we),
    .chk_valid_o(chk_valid_o), .chk_allow_o(chk_allow_o),
    .irq_valid_i(irq_valid), .irq_vec_i(irq_vec), .irq_out_valid_o(irq_out_valid),
    .irq_out_proc_o(irq_out_proc), .irq_out_vec_o(irq_out_vec),
    .evm_valid_o(evm_valid), .evm_timeout_o(evm_timeout), .evm_op_o(evm_op),
    .evm_tag_o(evm_tag), .evm_part_o(evm_part), .evm_mask_o(evm_mask),
    .evv_valid_o(evv_valid), .evv_proc_o(evv_proc), .evv_addr_o(evv_addr), .evv_we_o(evv_we),
    .evv_reason_o(evv_reason)
  );

  assign out_w = {reg_ack, reg_rdata, reg_err, irq, pause, resume, part, online, chk_valid_o,
                  chk_allow_o, irq_out_valid, irq_out_proc, irq_out_vec, evm_valid, evm_timeout,
                  evm_op, evm_tag, evm_part, evm_mask, evv_valid, evv_proc, evv_addr, evv_we,
                  evv_reason};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      in_q  <= '0;
      out_q <= '0;
    end else begin
      in_q  <= {in_q[IW-2:0], si_i};
      out_q <= {out_q[OW-2:0], 1'b0} ^ out_w;
    end
  end
  assign so_o = out_q[OW-1];
endmodule
