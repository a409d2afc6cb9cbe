// Shoal soft core: RV32IM + Zicsr, machine mode only, four-stage pipeline.
//
//   IF  the fetch address is presented to the instruction memory (synchronous, 1 cycle)
//   ID  the memory's read data is the instruction; the register file (two synchronous-read
//       copies, so it maps onto block RAM) is read with its rs1/rs2 fields
//   EX  decode, operands (register file data, forwarded from WB and from the write made while
//       the register file was read), ALU / single-cycle multiply / branch, CSR access, data
//       request, trap decision
//   WB  data response (loads: align + sign extend), register write-back, bus access faults
//
// jal is resolved in ID (one bubble); taken branches, jalr, traps and mret redirect fetch from
// EX (two bubbles). Loads
// forward their data from WB straight into EX, so a dependent instruction does not stall
// (the memory answers in one cycle). Division (and multiplication when FastMul = 0) stalls EX
// in shoal_core_muldiv. All traps are precise: an instruction commits in EX only when WB holds
// no outstanding data access; a bus error reported in WB squashes the instruction behind it.
//
// Instruction port: instr_req_o/instr_addr_o now, instr_rdata_i/instr_err_i next cycle (a
// stalled core re-presents the same address so the data stays valid).
// Data port: one outstanding request; data_req_o is a one-cycle pulse with address (word
// aligned), write enable, byte enables and write data; the answer (data_rvalid_i with
// data_rdata_i / data_err_i) comes one or more cycles later.
module shoal_core #(
  parameter logic [31:0] BootAddr = 32'h8000_0000,
  parameter logic [31:0] HartId   = 32'd0,
  parameter logic [31:0] MarchId  = 32'd0,
  parameter logic [31:0] MimpId   = 32'h0000_0100,
  parameter bit          FastMul  = 1'b1
) (
  input  logic        clk_i,
  input  logic        rst_ni,

  output logic        instr_req_o,
  output logic [31:0] instr_addr_o,
  input  logic [31:0] instr_rdata_i,
  input  logic        instr_err_i,

  output logic        data_req_o,
  output logic        data_we_o,
  output logic [3:0]  data_be_o,
  output logic [31:0] data_addr_o,
  output logic [31:0] data_wdata_o,
  input  logic        data_rvalid_i,
  input  logic [31:0] data_rdata_i,
  input  logic        data_err_i,

  input  logic        irq_software_i,
  input  logic        irq_timer_i,
  input  logic        irq_external_i,

  output logic        sleep_o
);
  // ------------------------------------------------------------------------------------------
  // constants
  localparam logic [6:0] OpLoad   = 7'b0000011;
  localparam logic [6:0] OpMisc   = 7'b0001111;
  localparam logic [6:0] OpImm    = 7'b0010011;
  localparam logic [6:0] OpAuipc  = 7'b0010111;
  localparam logic [6:0] OpStore  = 7'b0100011;
  localparam logic [6:0] OpReg    = 7'b0110011;
  localparam logic [6:0] OpLui    = 7'b0110111;
  localparam logic [6:0] OpBranch = 7'b1100011;
  localparam logic [6:0] OpJalr   = 7'b1100111;
  localparam logic [6:0] OpJal    = 7'b1101111;
  localparam logic [6:0] OpSystem = 7'b1110011;

  localparam logic [11:0] CsrMstatus   = 12'h300;
  localparam logic [11:0] CsrMisa      = 12'h301;
  localparam logic [11:0] CsrMie       = 12'h304;
  localparam logic [11:0] CsrMtvec     = 12'h305;
  localparam logic [11:0] CsrMstatush  = 12'h310;
  localparam logic [11:0] CsrMscratch  = 12'h340;
  localparam logic [11:0] CsrMepc      = 12'h341;
  localparam logic [11:0] CsrMcause    = 12'h342;
  localparam logic [11:0] CsrMtval     = 12'h343;
  localparam logic [11:0] CsrMip       = 12'h344;
  localparam logic [11:0] CsrMcycle    = 12'hB00;
  localparam logic [11:0] CsrMinstret  = 12'hB02;
  localparam logic [11:0] CsrMcycleh   = 12'hB80;
  localparam logic [11:0] CsrMinstreth = 12'hB82;
  localparam logic [11:0] CsrCycle     = 12'hC00;
  localparam logic [11:0] CsrInstret   = 12'hC02;
  localparam logic [11:0] CsrCycleh    = 12'hC80;
  localparam logic [11:0] CsrInstreth  = 12'hC82;
  localparam logic [11:0] CsrMvendorid = 12'hF11;
  localparam logic [11:0] CsrMarchid   = 12'hF12;
  localparam logic [11:0] CsrMimpid    = 12'hF13;
  localparam logic [11:0] CsrMhartid   = 12'hF14;

  localparam logic [31:0] ExcInstrMisaligned = 32'd0;
  localparam logic [31:0] ExcInstrAccess     = 32'd1;
  localparam logic [31:0] ExcIllegal         = 32'd2;
  localparam logic [31:0] ExcBreakpoint      = 32'd3;
  localparam logic [31:0] ExcLoadMisaligned  = 32'd4;
  localparam logic [31:0] ExcLoadAccess      = 32'd5;
  localparam logic [31:0] ExcStoreMisaligned = 32'd6;
  localparam logic [31:0] ExcStoreAccess     = 32'd7;
  localparam logic [31:0] ExcEcallM          = 32'd11;

  // ------------------------------------------------------------------------------------------
  // state
  logic [31:0] pc_q;            // next address to fetch
  logic [31:0] id_pc_q;         // address fetched last cycle = PC of the instruction in ID
  logic        id_valid_q;      // the instruction memory output is a live instruction
  logic [31:0] ex_instr_q;      // instruction in EX
  logic [31:0] ex_pc_q;
  logic        ex_valid_q;
  logic        ex_ierr_q;       // its fetch faulted

  logic        wb_valid_q;
  logic        wb_we_q;         // writes rd
  logic [4:0]  wb_rd_q;
  logic [31:0] wb_result_q;
  logic        wb_mem_q;        // waits for a data response
  logic        wb_load_q;
  logic [2:0]  wb_funct3_q;
  logic [31:0] wb_addr_q;       // byte address of the access (mtval on a fault)
  logic [31:0] wb_pc_q;

  // register file: two copies (one per read port), synchronous read in ID
  logic [31:0] rf_a_q [32];
  logic [31:0] rf_b_q [32];
  logic [31:0] rf_a_rdata_q, rf_b_rdata_q;
  // the register write made at the edge that read the register file (not in its data)
  logic        wbp_valid_q;
  logic [4:0]  wbp_rd_q;
  logic [31:0] wbp_data_q;

  // CSRs
  logic        mstatus_mie_q, mstatus_mpie_q;
  logic [31:0] mtvec_q, mepc_q, mcause_q, mtval_q, mscratch_q;
  logic [2:0]  mie_q;           // {MEIE, MTIE, MSIE}
  logic [63:0] mcycle_q, minstret_q;

  // ------------------------------------------------------------------------------------------
  // decode (EX)
  logic [31:0] instr;
  logic [6:0]  opcode;
  logic [4:0]  rd, rs1, rs2;
  logic [2:0]  funct3;
  logic [6:0]  funct7;
  logic [31:0] imm_i, imm_s, imm_b, imm_u, imm_j;

  assign instr  = ex_instr_q;
  assign opcode = instr[6:0];
  assign rd     = instr[11:7];
  assign funct3 = instr[14:12];
  assign rs1    = instr[19:15];
  assign rs2    = instr[24:20];
  assign funct7 = instr[31:25];
  assign imm_i  = {{20{instr[31]}}, instr[31:20]};
  assign imm_s  = {{20{instr[31]}}, instr[31:25], instr[11:7]};
  assign imm_b  = {{19{instr[31]}}, instr[31], instr[7], instr[30:25], instr[11:8], 1'b0};
  assign imm_u  = {instr[31:12], 12'd0};
  assign imm_j  = {{11{instr[31]}}, instr[31], instr[19:12], instr[20], instr[30:21], 1'b0};

  // ------------------------------------------------------------------------------------------
  // WB stage: load alignment, write-back value, outstanding access
  logic        wb_wait;         // WB waits for its data response
  logic        wb_fault;        // the response is an error: precise access-fault trap
  logic [31:0] wb_load_data;
  logic [31:0] wb_wdata;
  logic        wb_rf_we;
  logic [31:0] load_shifted;

  assign wb_wait  = wb_valid_q & wb_mem_q & ~data_rvalid_i;
  assign wb_fault = wb_valid_q & wb_mem_q & data_rvalid_i & data_err_i;

  assign load_shifted = data_rdata_i >> {wb_addr_q[1:0], 3'b000};
  always_comb begin
    unique case (wb_funct3_q)
      3'b000:  wb_load_data = {{24{load_shifted[7]}}, load_shifted[7:0]};
      3'b001:  wb_load_data = {{16{load_shifted[15]}}, load_shifted[15:0]};
      3'b100:  wb_load_data = {24'd0, load_shifted[7:0]};
      3'b101:  wb_load_data = {16'd0, load_shifted[15:0]};
      default: wb_load_data = load_shifted;
    endcase
  end
  assign wb_wdata = wb_load_q ? wb_load_data : wb_result_q;
  assign wb_rf_we = wb_valid_q & wb_we_q & (wb_rd_q != 5'd0) & ~wb_wait & ~wb_fault;

  // register read with forwarding from WB (the only stage ahead of EX that writes)
  logic [31:0] rs1_val, rs2_val;
  always_comb begin
    if (rs1 == 5'd0) rs1_val = 32'd0;
    else if (wb_rf_we && wb_rd_q == rs1) rs1_val = wb_wdata;
    else if (wbp_valid_q && wbp_rd_q == rs1) rs1_val = wbp_data_q;
    else rs1_val = rf_a_rdata_q;
    if (rs2 == 5'd0) rs2_val = 32'd0;
    else if (wb_rf_we && wb_rd_q == rs2) rs2_val = wb_wdata;
    else if (wbp_valid_q && wbp_rd_q == rs2) rs2_val = wbp_data_q;
    else rs2_val = rf_b_rdata_q;
  end

  // ------------------------------------------------------------------------------------------
  // EX: instruction classes and legality
  logic is_lui, is_auipc, is_jal, is_jalr, is_branch, is_load, is_store, is_opimm, is_op;
  logic is_misc, is_system, is_csr, is_ecall, is_ebreak, is_mret, is_wfi, is_m;
  logic is_md_unit;             // executes in the multi-cycle unit
  logic illegal;

  assign is_lui    = (opcode == OpLui);
  assign is_auipc  = (opcode == OpAuipc);
  assign is_jal    = (opcode == OpJal);
  assign is_jalr   = (opcode == OpJalr);
  assign is_branch = (opcode == OpBranch);
  assign is_load   = (opcode == OpLoad);
  assign is_store  = (opcode == OpStore);
  assign is_opimm  = (opcode == OpImm);
  assign is_op     = (opcode == OpReg);
  assign is_misc   = (opcode == OpMisc);
  assign is_system = (opcode == OpSystem);
  assign is_csr    = is_system & (funct3[1:0] != 2'b00);
  assign is_ecall  = is_system & (instr == 32'h0000_0073);
  assign is_ebreak = is_system & (instr == 32'h0010_0073);
  assign is_mret   = is_system & (instr == 32'h3020_0073);
  assign is_wfi    = is_system & (instr == 32'h1050_0073);
  assign is_m      = is_op & (funct7 == 7'b0000001);
  assign is_md_unit = is_m & (funct3[2] | ~FastMul);

  // CSR existence and write permission
  logic [11:0] csr_addr;
  logic        csr_exists;
  logic        csr_write;       // the instruction writes the CSR
  logic        csr_illegal;
  assign csr_addr = instr[31:20];
  always_comb begin
    unique case (csr_addr)
      CsrMstatus, CsrMisa, CsrMie, CsrMtvec, CsrMstatush, CsrMscratch, CsrMepc, CsrMcause,
      CsrMtval, CsrMip, CsrMcycle, CsrMinstret, CsrMcycleh, CsrMinstreth, CsrCycle,
      CsrInstret, CsrCycleh, CsrInstreth, CsrMvendorid, CsrMarchid, CsrMimpid,
      CsrMhartid: csr_exists = 1'b1;
      default: csr_exists = 1'b0;
    endcase
  end
  // csrrw/csrrwi always write; csrrs/csrrc(i) write only with a non-zero rs1/uimm field
  assign csr_write   = (funct3[1:0] == 2'b01) | (rs1 != 5'd0);
  assign csr_illegal = ~csr_exists | (csr_write & (csr_addr[11:10] == 2'b11));

  always_comb begin
    illegal = 1'b0;
    if (instr[1:0] != 2'b11) begin
      illegal = 1'b1;
    end else begin
      unique case (opcode)
        OpLui, OpAuipc, OpJal: illegal = 1'b0;
        OpJalr:   illegal = (funct3 != 3'b000);
        OpBranch: illegal = (funct3[2:1] == 2'b01);
        OpLoad:   illegal = (funct3 == 3'b011) | (funct3[2:1] == 2'b11);
        OpStore:  illegal = (funct3[2] | (funct3[1:0] == 2'b11));
        OpImm: begin
          if (funct3 == 3'b001) illegal = (funct7 != 7'b0000000);
          else if (funct3 == 3'b101) illegal = (funct7 != 7'b0000000) & (funct7 != 7'b0100000);
          else illegal = 1'b0;
        end
        OpReg: begin
          if (funct7 == 7'b0000001) illegal = 1'b0;
          else if (funct7 == 7'b0100000) illegal = (funct3 != 3'b000) & (funct3 != 3'b101);
          else illegal = (funct7 != 7'b0000000);
        end
        OpMisc:   illegal = (funct3[2:1] != 2'b00);   // fence, fence.i
        OpSystem: begin
          if (funct3 == 3'b000) illegal = ~(is_ecall | is_ebreak | is_mret | is_wfi);
          else if (funct3 == 3'b100) illegal = 1'b1;
          else illegal = csr_illegal;
        end
        default:  illegal = 1'b1;
      endcase
    end
  end

  // ------------------------------------------------------------------------------------------
  // EX: ALU
  logic [31:0] alu_a, alu_b, alu_res;
  logic        alu_sub;
  logic [31:0] alu_sum;
  logic [2:0]  alu_f3;
  logic        alu_alt;         // SUB / SRA

  assign alu_a   = rs1_val;
  // I-type immediates for op-imm, loads and jalr, S-type for stores: the ALU adder also forms
  // load/store addresses and jalr targets
  assign alu_b   = (is_opimm | is_load | is_jalr) ? imm_i : (is_store ? imm_s : rs2_val);
  assign alu_f3  = funct3;
  assign alu_alt = instr[30] & (is_op | (is_opimm & (funct3 == 3'b101)));
  assign alu_sub = is_op & instr[30] & (funct3 == 3'b000);
  assign alu_sum = alu_a + (alu_sub ? ~alu_b : alu_b) + {31'd0, alu_sub};

  // one 33-bit arithmetic right shifter serves srl, sra and (on the bit-reversed operand) sll
  logic [31:0] shift_in, shift_rev, shift_out;
  logic signed [32:0] shift_full;
  logic [31:0] shift_out_rev;
  always_comb begin
    for (int i = 0; i < 32; i++) begin
      shift_rev[i]     = alu_a[31 - i];
      shift_out_rev[i] = shift_out[31 - i];
    end
  end
  assign shift_in  = (alu_f3 == 3'b001) ? shift_rev : alu_a;
  assign shift_full = $signed({alu_alt & alu_a[31], shift_in}) >>> alu_b[4:0];
  assign shift_out = shift_full[31:0];
  logic unused_shift;
  assign unused_shift = shift_full[32];

  logic        lt_signed, lt_unsigned;
  assign lt_signed   = $signed(alu_a) < $signed(alu_b);
  assign lt_unsigned = alu_a < alu_b;

  always_comb begin
    unique case (alu_f3)
      3'b000:  alu_res = alu_sum[31:0];
      3'b001:  alu_res = shift_out_rev;
      3'b010:  alu_res = {31'd0, lt_signed};
      3'b011:  alu_res = {31'd0, lt_unsigned};
      3'b100:  alu_res = alu_a ^ alu_b;
      3'b101:  alu_res = shift_out;
      3'b110:  alu_res = alu_a | alu_b;
      default: alu_res = alu_a & alu_b;
    endcase
  end

  // single-cycle multiplier (FastMul)
  logic [31:0] mul_res;
  if (FastMul) begin : g_fast_mul
    logic signed [32:0] mul_a, mul_b;
    logic signed [65:0] mul_p;
    assign mul_a = {funct3[1:0] != 2'b11 ? rs1_val[31] : 1'b0, rs1_val};
    assign mul_b = {funct3[1:0] == 2'b01 ? rs2_val[31] : 1'b0, rs2_val};
    assign mul_p = mul_a * mul_b;
    assign mul_res = (funct3[1:0] == 2'b00) ? mul_p[31:0] : mul_p[63:32];
    logic unused_mul_p;
    assign unused_mul_p = ^mul_p[65:64];
  end else begin : g_no_fast_mul
    assign mul_res = 32'd0;
  end

  // branches and jumps
  logic        br_taken;
  logic [31:0] br_target, jalr_target;
  always_comb begin
    unique case (funct3)
      3'b000:  br_taken = (rs1_val == rs2_val);
      3'b001:  br_taken = (rs1_val != rs2_val);
      3'b100:  br_taken = lt_signed;
      3'b101:  br_taken = ~lt_signed;
      3'b110:  br_taken = lt_unsigned;
      default: br_taken = ~lt_unsigned;
    endcase
  end
  assign br_target   = ex_pc_q + (is_jal ? imm_j : (is_auipc ? imm_u : imm_b));
  assign jalr_target = {alu_sum[31:1], 1'b0};

  logic        jump;
  logic [31:0] jump_target;
  assign jump        = is_jal | is_jalr | (is_branch & br_taken);
  assign jump_target = is_jalr ? jalr_target : br_target;

  // loads and stores
  logic [31:0] mem_addr;
  logic        mem_misaligned;
  assign mem_addr = alu_sum;
  always_comb begin
    unique case (funct3[1:0])
      2'b00:   mem_misaligned = 1'b0;
      2'b01:   mem_misaligned = mem_addr[0];
      default: mem_misaligned = (mem_addr[1:0] != 2'b00);
    endcase
  end

  // ------------------------------------------------------------------------------------------
  // CSR read / write value
  logic [31:0] mip_val, mstatus_val, mie_val, csr_rdata, csr_src, csr_wdata;
  logic [2:0]  irq_pend;        // {MEIP, MTIP, MSIP}
  assign irq_pend    = {irq_external_i, irq_timer_i, irq_software_i};
  assign mip_val     = {20'd0, irq_pend[2], 3'd0, irq_pend[1], 3'd0, irq_pend[0], 3'd0};
  assign mie_val     = {20'd0, mie_q[2], 3'd0, mie_q[1], 3'd0, mie_q[0], 3'd0};
  assign mstatus_val = {19'd0, 2'b11, 3'd0, mstatus_mpie_q, 3'd0, mstatus_mie_q, 3'd0};

  always_comb begin
    unique case (csr_addr)
      CsrMstatus:               csr_rdata = mstatus_val;
      CsrMisa:                  csr_rdata = 32'h4000_1100;   // MXL=32, I, M
      CsrMie:                   csr_rdata = mie_val;
      CsrMtvec:                 csr_rdata = mtvec_q;
      CsrMscratch:              csr_rdata = mscratch_q;
      CsrMepc:                  csr_rdata = mepc_q;
      CsrMcause:                csr_rdata = mcause_q;
      CsrMtval:                 csr_rdata = mtval_q;
      CsrMip:                   csr_rdata = mip_val;
      CsrMcycle, CsrCycle:      csr_rdata = mcycle_q[31:0];
      CsrMcycleh, CsrCycleh:    csr_rdata = mcycle_q[63:32];
      CsrMinstret, CsrInstret:  csr_rdata = minstret_q[31:0];
      CsrMinstreth, CsrInstreth: csr_rdata = minstret_q[63:32];
      CsrMarchid:               csr_rdata = MarchId;
      CsrMimpid:                csr_rdata = MimpId;
      CsrMhartid:               csr_rdata = HartId;
      default:                  csr_rdata = 32'd0;           // mvendorid, mstatush
    endcase
  end
  assign csr_src = funct3[2] ? {27'd0, rs1} : rs1_val;
  always_comb begin
    unique case (funct3[1:0])
      2'b01:   csr_wdata = csr_src;
      2'b10:   csr_wdata = csr_rdata | csr_src;
      default: csr_wdata = csr_rdata & ~csr_src;
    endcase
  end

  // ------------------------------------------------------------------------------------------
  // multi-cycle unit
  logic        md_start, md_ack, md_kill, md_busy, md_done;
  logic [31:0] md_result;

  // ------------------------------------------------------------------------------------------
  // EX control: stall, exceptions, interrupts, commit
  logic        ex_stall, ex_go, ex_exc, take_irq, ex_commit, ex_trap;
  logic [31:0] ex_cause, ex_tval;
  logic [2:0]  irq_en;
  logic        irq_any;
  logic [31:0] irq_cause;

  assign irq_en  = irq_pend & mie_q;
  assign irq_any = mstatus_mie_q & (irq_en != 3'd0);
  always_comb begin
    if (irq_en[2])      irq_cause = 32'h8000_000B;   // machine external
    else if (irq_en[0]) irq_cause = 32'h8000_0003;   // machine software
    else                irq_cause = 32'h8000_0007;   // machine timer
  end

  // exceptions raised by the instruction in EX, in priority order
  always_comb begin
    ex_exc   = 1'b1;
    ex_cause = ExcIllegal;
    ex_tval  = 32'd0;
    if (ex_ierr_q) begin
      ex_cause = ExcInstrAccess;
      ex_tval  = ex_pc_q;
    end else if (illegal) begin
      ex_cause = ExcIllegal;
      ex_tval  = instr;
    end else if (jump && jump_target[1]) begin
      ex_cause = ExcInstrMisaligned;
      ex_tval  = jump_target;
    end else if (is_ecall) begin
      ex_cause = ExcEcallM;
    end else if (is_ebreak) begin
      ex_cause = ExcBreakpoint;
    end else if (is_load && mem_misaligned) begin
      ex_cause = ExcLoadMisaligned;
      ex_tval  = mem_addr;
    end else if (is_store && mem_misaligned) begin
      ex_cause = ExcStoreMisaligned;
      ex_tval  = mem_addr;
    end else begin
      ex_exc = 1'b0;
    end
  end

  logic ex_md_wait, ex_wfi_wait;
  assign ex_md_wait  = is_md_unit & ~illegal & ~ex_ierr_q & ~md_done;
  assign ex_wfi_wait = is_wfi & ~ex_ierr_q & (irq_en == 3'd0);
  // an interrupt is taken in front of a valid instruction; never inside a division in flight
  // and never in front of a wfi (wfi completes first, the interrupt then hits pc + 4)
  assign take_irq  = ex_valid_q & irq_any & ~wb_wait & ~wb_fault & ~md_busy &
                     ~(is_wfi & ~ex_ierr_q);
  assign ex_stall  = wb_wait | (ex_valid_q & ~take_irq & (ex_md_wait | ex_wfi_wait));
  assign ex_go     = ex_valid_q & ~ex_stall & ~wb_fault;
  assign ex_trap   = ex_go & (take_irq | ex_exc);
  assign ex_commit = ex_go & ~take_irq & ~ex_exc;

  assign md_start = ex_valid_q & is_md_unit & ~illegal & ~ex_ierr_q & ~wb_wait & ~take_irq;
  assign md_ack   = ex_commit;
  assign md_kill  = wb_fault | take_irq;

  shoal_core_muldiv u_muldiv (
    .clk_i,
    .rst_ni,
    .start_i  (md_start),
    .op_i     (funct3),
    .a_i      (rs1_val),
    .b_i      (rs2_val),
    .ack_i    (md_ack),
    .kill_i   (md_kill),
    .busy_o   (md_busy),
    .done_o   (md_done),
    .result_o (md_result)
  );

  // result written to rd
  logic        ex_rd_we;
  logic [31:0] ex_result;
  always_comb begin
    ex_rd_we  = 1'b1;
    ex_result = alu_res;
    if (is_lui) ex_result = imm_u;
    else if (is_auipc) ex_result = br_target;
    else if (is_jal || is_jalr) ex_result = ex_pc_q + 32'd4;
    else if (is_m) ex_result = is_md_unit ? md_result : mul_res;
    else if (is_csr) ex_result = csr_rdata;
    if (is_branch || is_store || is_misc || (is_system && !is_csr)) ex_rd_we = 1'b0;
  end

  // ------------------------------------------------------------------------------------------
  // data request (issued in EX when the instruction commits)
  assign data_req_o   = ex_commit & (is_load | is_store);
  assign data_we_o    = is_store;
  assign data_addr_o  = {mem_addr[31:2], 2'b00};
  always_comb begin
    unique case (funct3[1:0])
      2'b00:   begin data_be_o = 4'b0001 << mem_addr[1:0];
                     data_wdata_o = {4{rs2_val[7:0]}}; end
      2'b01:   begin data_be_o = mem_addr[1] ? 4'b1100 : 4'b0011;
                     data_wdata_o = {2{rs2_val[15:0]}}; end
      default: begin data_be_o = 4'b1111; data_wdata_o = rs2_val; end
    endcase
  end

  // ------------------------------------------------------------------------------------------
  // traps and redirects
  logic        trap;
  logic [31:0] trap_cause, trap_tval, trap_epc, trap_vector;
  logic        redirect;
  logic [31:0] redirect_pc;

  assign trap = wb_fault | ex_trap;
  always_comb begin
    if (wb_fault) begin
      trap_cause = wb_load_q ? ExcLoadAccess : ExcStoreAccess;
      trap_tval  = wb_addr_q;
      trap_epc   = wb_pc_q;
    end else if (take_irq) begin
      trap_cause = irq_cause;
      trap_tval  = 32'd0;
      trap_epc   = ex_pc_q;
    end else begin
      trap_cause = ex_cause;
      trap_tval  = ex_tval;
      trap_epc   = ex_pc_q;
    end
  end
  assign trap_vector = (mtvec_q[0] && trap_cause[31]) ?
                       ({mtvec_q[31:2], 2'b00} + {trap_cause[29:0], 2'b00}) :
                       {mtvec_q[31:2], 2'b00};

  // (a jal already redirected fetch from ID)
  assign redirect    = trap | (ex_commit & ((jump & ~is_jal) | is_mret));
  assign redirect_pc = trap ? trap_vector : (is_mret ? mepc_q : jump_target);

  // ------------------------------------------------------------------------------------------
  // fetch
  // jal is resolved in ID: fetch follows it one cycle after it was fetched
  logic [31:0] id_instr, id_jal_target;
  logic        id_jal;
  assign id_instr      = instr_rdata_i;
  assign id_jal        = id_valid_q & ~instr_err_i & (id_instr[6:0] == OpJal);
  assign id_jal_target = id_pc_q + {{11{id_instr[31]}}, id_instr[31], id_instr[19:12],
                                    id_instr[20], id_instr[30:21], 1'b0};

  assign instr_req_o  = 1'b1;
  assign instr_addr_o = (ex_stall && !trap) ? id_pc_q : pc_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pc_q       <= BootAddr;
      id_pc_q    <= BootAddr;
      id_valid_q <= 1'b0;
      ex_instr_q <= 32'h0000_0013;
      ex_pc_q    <= BootAddr;
      ex_valid_q <= 1'b0;
      ex_ierr_q  <= 1'b0;
    end else if (redirect) begin
      pc_q       <= redirect_pc;
      id_pc_q    <= pc_q;
      id_valid_q <= 1'b0;
      ex_valid_q <= 1'b0;
    end else if (!ex_stall) begin
      // a jal in ID redirects fetch; the instruction fetched behind it is dropped
      pc_q       <= id_jal ? id_jal_target : pc_q + 32'd4;
      id_pc_q    <= pc_q;
      id_valid_q <= ~id_jal;
      ex_instr_q <= id_instr;
      ex_pc_q    <= id_pc_q;
      ex_valid_q <= id_valid_q;
      ex_ierr_q  <= instr_err_i;
    end
  end

  // register file read addresses: the instruction that is in EX after the next edge
  logic [4:0] rf_raddr_a, rf_raddr_b;
  assign rf_raddr_a = ex_stall ? rs1 : id_instr[19:15];
  assign rf_raddr_b = ex_stall ? rs2 : id_instr[24:20];

  // ------------------------------------------------------------------------------------------
  // WB pipeline register
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wb_valid_q  <= 1'b0;
      wb_we_q     <= 1'b0;
      wb_rd_q     <= '0;
      wb_result_q <= '0;
      wb_mem_q    <= 1'b0;
      wb_load_q   <= 1'b0;
      wb_funct3_q <= '0;
      wb_addr_q   <= '0;
      wb_pc_q     <= '0;
    end else if (!wb_wait) begin
      wb_valid_q  <= ex_commit;
      wb_we_q     <= ex_rd_we;
      wb_rd_q     <= rd;
      wb_result_q <= ex_result;
      wb_mem_q    <= is_load | is_store;
      wb_load_q   <= is_load;
      wb_funct3_q <= funct3;
      wb_addr_q   <= mem_addr;
      wb_pc_q     <= ex_pc_q;
    end
  end

  // register file: written in WB (x0 is never written and reads as zero above)
  always_ff @(posedge clk_i) begin
    if (wb_rf_we) rf_a_q[wb_rd_q] <= wb_wdata;
    rf_a_rdata_q <= rf_a_q[rf_raddr_a];
  end
  always_ff @(posedge clk_i) begin
    if (wb_rf_we) rf_b_q[wb_rd_q] <= wb_wdata;
    rf_b_rdata_q <= rf_b_q[rf_raddr_b];
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wbp_valid_q <= 1'b0;
      wbp_rd_q    <= '0;
      wbp_data_q  <= '0;
    end else begin
      wbp_valid_q <= wb_rf_we;
      wbp_rd_q    <= wb_rd_q;
      wbp_data_q  <= wb_wdata;
    end
  end

  // ------------------------------------------------------------------------------------------
  // CSR state
  logic csr_we;
  assign csr_we = ex_commit & is_csr & csr_write;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mstatus_mie_q  <= 1'b0;
      mstatus_mpie_q <= 1'b0;
      mtvec_q        <= BootAddr;
      mepc_q         <= '0;
      mcause_q       <= '0;
      mtval_q        <= '0;
      mscratch_q     <= '0;
      mie_q          <= '0;
    end else if (trap) begin
      mstatus_mpie_q <= mstatus_mie_q;
      mstatus_mie_q  <= 1'b0;
      mepc_q         <= trap_epc;
      mcause_q       <= trap_cause;
      mtval_q        <= trap_tval;
    end else if (ex_commit && is_mret) begin
      mstatus_mie_q  <= mstatus_mpie_q;
      mstatus_mpie_q <= 1'b1;
    end else if (csr_we) begin
      unique case (csr_addr)
        CsrMstatus: begin
          mstatus_mie_q  <= csr_wdata[3];
          mstatus_mpie_q <= csr_wdata[7];
        end
        CsrMie:      mie_q      <= {csr_wdata[11], csr_wdata[7], csr_wdata[3]};
        CsrMtvec:    mtvec_q    <= {csr_wdata[31:2], 1'b0, csr_wdata[0]};
        CsrMscratch: mscratch_q <= csr_wdata;
        CsrMepc:     mepc_q     <= {csr_wdata[31:2], 2'b00};
        CsrMcause:   mcause_q   <= csr_wdata;
        CsrMtval:    mtval_q    <= csr_wdata;
        default: ;
      endcase
    end
  end

  // counters: mcycle counts every cycle, minstret every retired instruction (an instruction
  // that retired in EX but faults in WB is taken back); a CSR write replaces the count
  logic ex_retire;
  assign ex_retire = ex_commit;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mcycle_q   <= '0;
      minstret_q <= '0;
    end else begin
      if (csr_we && csr_addr == CsrMcycle) mcycle_q[31:0] <= csr_wdata;
      else if (csr_we && csr_addr == CsrMcycleh) mcycle_q[63:32] <= csr_wdata;
      else mcycle_q <= mcycle_q + 64'd1;
      if (csr_we && csr_addr == CsrMinstret) minstret_q[31:0] <= csr_wdata;
      else if (csr_we && csr_addr == CsrMinstreth) minstret_q[63:32] <= csr_wdata;
      else if (wb_fault) minstret_q <= minstret_q - 64'd1;
      else if (ex_retire) minstret_q <= minstret_q + 64'd1;
    end
  end

  assign sleep_o = ex_valid_q & ex_wfi_wait & ~take_irq;
endmodule
