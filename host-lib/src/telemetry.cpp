// libshoal: telemetry (shoal/broker.h) — TELEM_PART, TELEM_PROC (the WMU's figures), PREDICT
// (the service's forecasts) and SERVICE_STATUS (the allocation service's counters).
#include "handle.hpp"

using shoal::Errc;
using shoal::hostlib::Builder;
using shoal::hostlib::guarded;
using shoal::hostlib::set_error;
using shoal::hostlib::Words;

extern "C" {

int shoal_telemetry_partition(shoal_handle* h, uint32_t partition, struct shoal_part_telemetry* t) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_telemetry_partition: NULL handle");
    if (t == nullptr || t->struct_size < SHOAL_PART_TELEMETRY_SIZE_V1) {
      shoal_part_telemetry dummy{};
      return shoal::hostlib::fill_versioned(t, dummy, SHOAL_PART_TELEMETRY_SIZE_V1, "shoal_part_telemetry");
    }
    Builder b(SHOAL_OP_TELEM_PART, "TELEM_PART of partition " + std::to_string(partition));
    SHOAL_BSET(b, SHOAL_OP_TELEM_PART_PARTITION, partition, "partition");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*h, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    const std::uint32_t* c = cqe.data();
    shoal_part_telemetry full{};
    full.struct_size = sizeof full;
    full.partition = partition;
    full.util = SHOAL_GET(c, SHOAL_CPL_TELEM_PART_UTIL);
    full.ewma = SHOAL_GET(c, SHOAL_CPL_TELEM_PART_EWMA);
    full.seq = SHOAL_GET(c, SHOAL_CPL_TELEM_PART_SEQ);
    full.procs = SHOAL_GET(c, SHOAL_CPL_TELEM_PART_PROCS);
    full.window = SHOAL_GET(c, SHOAL_CPL_TELEM_PART_WINDOW);
    full.busy = SHOAL_GET(c, SHOAL_CPL_TELEM_PART_BUSY);
    full.mem = SHOAL_GET(c, SHOAL_CPL_TELEM_PART_MEM);
    full.io = SHOAL_GET(c, SHOAL_CPL_TELEM_PART_IO);
    return shoal::hostlib::fill_versioned(t, full, SHOAL_PART_TELEMETRY_SIZE_V1, "shoal_part_telemetry");
  });
}

int shoal_telemetry_processor(shoal_handle* h, uint32_t processor, struct shoal_proc_telemetry* t) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_telemetry_processor: NULL handle");
    if (t == nullptr || t->struct_size < SHOAL_PROC_TELEMETRY_SIZE_V1) {
      shoal_proc_telemetry dummy{};
      return shoal::hostlib::fill_versioned(t, dummy, SHOAL_PROC_TELEMETRY_SIZE_V1, "shoal_proc_telemetry");
    }
    Builder b(SHOAL_OP_TELEM_PROC, "TELEM_PROC of processor " + std::to_string(processor));
    SHOAL_BSET(b, SHOAL_OP_TELEM_PROC_PROCESSOR, processor, "processor");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*h, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    const std::uint32_t* c = cqe.data();
    shoal_proc_telemetry full{};
    full.struct_size = sizeof full;
    full.processor = processor;
    full.partition = SHOAL_GET(c, SHOAL_CPL_TELEM_PROC_PARTITION);
    full.state = SHOAL_GET(c, SHOAL_CPL_TELEM_PROC_STATE);
    full.busy = SHOAL_GET(c, SHOAL_CPL_TELEM_PROC_BUSY);
    full.mem = SHOAL_GET(c, SHOAL_CPL_TELEM_PROC_MEM);
    full.io = SHOAL_GET(c, SHOAL_CPL_TELEM_PROC_IO);
    return shoal::hostlib::fill_versioned(t, full, SHOAL_PROC_TELEMETRY_SIZE_V1, "shoal_proc_telemetry");
  });
}

int shoal_predict(shoal_handle* h, uint32_t partition, uint32_t type, uint32_t window, struct shoal_prediction* out) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_predict: NULL handle");
    if (out == nullptr || out->struct_size < SHOAL_PREDICTION_SIZE_V1) {
      shoal_prediction dummy{};
      return shoal::hostlib::fill_versioned(out, dummy, SHOAL_PREDICTION_SIZE_V1, "shoal_prediction");
    }
    Builder b(SHOAL_OP_PREDICT, "PREDICT of type " + std::to_string(type) + " for partition " + std::to_string(partition) +
                                    " over " + std::to_string(window) + " epochs");
    SHOAL_BSET(b, SHOAL_OP_PREDICT_PARTITION, partition, "partition");
    SHOAL_BSET(b, SHOAL_OP_PREDICT_TYPE, type, "type");
    SHOAL_BSET(b, SHOAL_OP_PREDICT_WINDOW, window, "window");
    if (b.rc != SHOAL_OK) return b.rc;
    Words cqe{};
    if (int rc = shoal::hostlib::call(*h, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    const std::uint32_t* c = cqe.data();
    shoal_prediction full{};
    full.struct_size = sizeof full;
    full.partition = partition;
    full.type = type;
    full.window = window;
    full.point = SHOAL_GET(c, SHOAL_CPL_PREDICT_POINT);
    full.upper = SHOAL_GET(c, SHOAL_CPL_PREDICT_UPPER);
    full.quantile = SHOAL_GET(c, SHOAL_CPL_PREDICT_QUANTILE);
    full.model = SHOAL_GET(c, SHOAL_CPL_PREDICT_MODEL);
    full.samples = SHOAL_GET(c, SHOAL_CPL_PREDICT_SAMPLES);
    return shoal::hostlib::fill_versioned(out, full, SHOAL_PREDICTION_SIZE_V1, "shoal_prediction");
  });
}

int shoal_service_status(shoal_handle* h, struct shoal_service_state* st) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_service_status: NULL handle");
    if (st == nullptr || st->struct_size < SHOAL_SERVICE_STATE_SIZE_V1) {
      shoal_service_state dummy{};
      return shoal::hostlib::fill_versioned(st, dummy, SHOAL_SERVICE_STATE_SIZE_V1, "shoal_service_state");
    }
    Builder b(SHOAL_OP_SERVICE_STATUS, "SERVICE_STATUS");
    Words cqe{};
    if (int rc = shoal::hostlib::call(*h, b.w, cqe, b.what); rc != SHOAL_OK) return rc;
    const std::uint32_t* c = cqe.data();
    shoal_service_state full{};
    full.struct_size = sizeof full;
    full.state = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_STATE);
    full.policy = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_POLICY);
    full.fault = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_FAULT);
    full.fault_count = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_FAULT_COUNT);
    full.completed = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_COMPLETED);
    full.refused = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_REFUSED);
    full.checks = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_CHECKS);
    full.epochs = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_EPOCHS);
    full.migrations = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_MIGRATIONS);
    full.rollbacks = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_ROLLBACKS);
    full.events_lost = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_EVENTS_LOST);
    full.pending = SHOAL_GET(c, SHOAL_CPL_SERVICE_STATUS_PENDING);
    return shoal::hostlib::fill_versioned(st, full, SHOAL_SERVICE_STATE_SIZE_V1, "shoal_service_state");
  });
}

}  // extern "C"
