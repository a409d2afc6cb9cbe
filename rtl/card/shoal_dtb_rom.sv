// DTB ROM window: serves the card's device tree blob read-only on the internal register bus.
// The image comes from the generated package shoal_dtb_pkg (scripts/dtb2sv.py), word i holding
// blob bytes 4i..4i+3 little-endian. Offsets past the blob read 0; writes are refused.
// Read data is registered without reset so synthesis maps the ROM to block RAM.
module shoal_dtb_rom (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        reg_req_i,
  input  logic        reg_we_i,
  input  logic [13:0] reg_addr_i,
  input  logic [31:0] reg_wdata_i,
  input  logic [3:0]  reg_wstrb_i,
  output logic        reg_ack_o,
  output logic [31:0] reg_rdata_o,
  output logic        reg_err_o
);
  localparam int unsigned AW     = shoal_dtb_pkg::DTB_ROM_AW;
  localparam int unsigned DEPTH  = 1 << AW;
  localparam int unsigned WORDS  = shoal_dtb_pkg::DTB_WORDS;
  localparam int unsigned IMG_W  = WORDS * 32;
  localparam logic [IMG_W-1:0] IMAGE = shoal_dtb_pkg::DTB_IMAGE;

  logic [31:0] rom [DEPTH];
  initial begin
    for (int i = 0; i < DEPTH; i++) begin
      rom[i] = (i < WORDS) ? IMAGE[i*32 +: 32] : 32'd0;
    end
  end

  logic [11:0] word;  // word index inside the 16 KiB window
  logic        in_blob;
  assign word    = reg_addr_i[13:2];
  assign in_blob = ({20'd0, word} < WORDS);

  logic        ack_q, err_q, hit_q;
  logic [31:0] data_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ack_q <= 1'b0;
      err_q <= 1'b0;
      hit_q <= 1'b0;
    end else begin
      ack_q <= reg_req_i;
      if (reg_req_i) begin
        err_q <= reg_we_i;
        hit_q <= in_blob && !reg_we_i;
      end
    end
  end

  // No reset on the data register: a BRAM output register has none.
  always_ff @(posedge clk_i) begin
    if (reg_req_i) data_q <= rom[word[AW-1:0]];
  end

  assign reg_ack_o   = ack_q;
  assign reg_err_o   = ack_q && err_q;
  assign reg_rdata_o = (ack_q && hit_q) ? data_q : 32'd0;

  logic unused_wr;
  assign unused_wr = ^{reg_wdata_i, reg_wstrb_i, reg_addr_i[1:0]};
endmodule
