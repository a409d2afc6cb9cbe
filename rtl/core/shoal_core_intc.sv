// Shoal soft core: interrupt controller for card-internal sources (a small PLIC).
// Each source is a level input. A source becomes pending when its level is high and it is not
// in service; the core's external interrupt is raised while any pending source is enabled.
// Reading CLAIM returns the lowest-numbered pending and enabled source as id = index + 1 (0 =
// none), clears its pending bit and puts it in service; writing that id to CLAIM (complete)
// ends the service so the source can be pending again.
//   0x00 PENDING  (ro)  pending bits
//   0x04 ENABLE   (rw)  per-source enables
//   0x08 CLAIM    (rw)  read: claim; write: complete
//   0x0C ACTIVE   (ro)  in-service bits
// Register port: req with address/we/be/wdata; the answer (rdata, err) comes the next cycle.
module shoal_core_intc #(
  parameter int unsigned NumSrc = 16
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic [NumSrc-1:0] src_i,
  input  logic              req_i,
  input  logic              we_i,
  input  logic [7:0]        addr_i,
  input  logic [31:0]       wdata_i,
  output logic              rvalid_o,
  output logic [31:0]       rdata_o,
  output logic              err_o,
  output logic              irq_o
);
  logic [NumSrc-1:0] pending_q, enable_q, active_q;
  logic [NumSrc-1:0] cand;
  logic [31:0]       claim_id;
  logic [NumSrc-1:0] claim_mask, complete_mask;

  assign cand = pending_q & enable_q;
  always_comb begin
    claim_id   = 32'd0;
    claim_mask = '0;
    for (int i = NumSrc - 1; i >= 0; i--) begin
      if (cand[i]) begin
        claim_id   = i + 1;
        claim_mask = '0;
        claim_mask[i] = 1'b1;
      end
    end
  end
  always_comb begin
    complete_mask = '0;
    for (int i = 0; i < NumSrc; i++) begin
      if (wdata_i == i + 1) complete_mask[i] = 1'b1;
    end
  end

  logic [31:0] pend_ext, en_ext, act_ext;
  always_comb begin
    pend_ext = '0;
    en_ext   = '0;
    act_ext  = '0;
    pend_ext[NumSrc-1:0] = pending_q;
    en_ext[NumSrc-1:0]   = enable_q;
    act_ext[NumSrc-1:0]  = active_q;
  end

  logic sel_pend, sel_en, sel_claim, sel_act, hit;
  assign sel_pend  = (addr_i == 8'h00);
  assign sel_en    = (addr_i == 8'h04);
  assign sel_claim = (addr_i == 8'h08);
  assign sel_act   = (addr_i == 8'h0C);
  assign hit = sel_en | sel_claim | ((sel_pend | sel_act) & ~we_i);

  logic do_claim, do_complete;
  assign do_claim    = req_i & ~we_i & sel_claim;
  assign do_complete = req_i & we_i & sel_claim;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pending_q <= '0;
      enable_q  <= '0;
      active_q  <= '0;
      rvalid_o  <= 1'b0;
      rdata_o   <= '0;
      err_o     <= 1'b0;
    end else begin
      rvalid_o  <= req_i;
      err_o     <= req_i & ~hit;
      pending_q <= (pending_q | (src_i & ~active_q)) & ~(do_claim ? claim_mask : '0);
      active_q  <= (active_q | (do_claim ? claim_mask : '0)) &
                   ~(do_complete ? complete_mask : '0);
      if (req_i && we_i && sel_en) enable_q <= wdata_i[NumSrc-1:0];
      if (req_i && !we_i) begin
        unique case (1'b1)
          sel_pend:  rdata_o <= pend_ext;
          sel_en:    rdata_o <= en_ext;
          sel_claim: rdata_o <= claim_id;
          sel_act:   rdata_o <= act_ext;
          default:   rdata_o <= '0;
        endcase
      end
    end
  end

  assign irq_o = (cand != '0);
endmodule
