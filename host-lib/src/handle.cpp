// libshoal: admin and partition handles (shoal/broker.h) and the path every broker call takes
// to the card: libshoal's own checks, the command queue, the completion's status.
#include "handle.hpp"

#include <memory>

using shoal::Errc;
using shoal::hostlib::guarded;
using shoal::hostlib::ok;
using shoal::hostlib::set_error;
using shoal::hostlib::Words;

namespace shoal::hostlib {
namespace {
thread_local std::uint32_t t_last_status = SHOAL_STATUS_NONE;

std::string status_text(std::uint32_t st) {
  const char* n = shoal_proto_status_name(st);
  return n ? n : "status " + std::to_string(st);
}
}  // namespace

void set_status(std::uint32_t status) { t_last_status = status; }

Words command(std::uint32_t opcode) {
  Words w{};
  SHOAL_SET(w.data(), SHOAL_SQE_OPCODE, opcode);
  const shoal_proto_cmd* c = shoal_proto_find(opcode);
  SHOAL_SET(w.data(), SHOAL_SQE_VERSION, c ? c->version : 1u);
  return w;
}

Builder::Builder(std::uint32_t opcode, std::string what_) : w(command(opcode)), what(std::move(what_)) {}

void Builder::set(std::uint32_t word, std::uint32_t lsb, std::uint32_t width, std::uint64_t v, const char* name) {
  if (rc != SHOAL_OK) return;
  const std::uint64_t max = (std::uint64_t{1} << width) - 1;
  if (v > max) {
    set_status(SHOAL_ST_INVALID);
    rc = set_error(Errc::invalid_arg, what + ": " + name + " = " + std::to_string(v) + " does not fit its field (at most " +
                                          std::to_string(max) + "; nothing was sent)");
    return;
  }
  shoal_proto_set(w.data(), word, lsb, width, static_cast<std::uint32_t>(v));
}

std::string who(const shoal_handle& h) {
  return h.admin() ? std::string("the admin handle") : "the handle of partition " + std::to_string(h.partition);
}

int require_admin(const shoal_handle& h, const std::string& what) {
  if (h.admin()) return SHOAL_OK;
  set_status(SHOAL_ST_PERMISSION);
  return set_error(Errc::permission, what + ": only the admin handle may do this; " + who(h) +
                                         " acts only on its own partition (nothing was sent)");
}

int check(const shoal_handle& h, const Words& sqe, const std::string& what) {
  shoal_proto_ctx ctx{};
  ctx.queue = h.queue;
  ctx.num_partitions = h.num_partitions;
  ctx.num_types = h.num_types;
  ctx.num_processors = h.num_processors;
  ctx.implemented = h.implemented;
  const shoal_proto_cmd* cmd = nullptr;
  shoal_proto_fail f{};
  const std::uint32_t st = shoal_proto_check(sqe.data(), &ctx, &cmd, &f);
  if (st == SHOAL_ST_OK) return SHOAL_OK;
  set_status(st);
  std::string field;
  if (f.field != nullptr && f.field->name != nullptr) {
    field = std::string(" (") + f.field->name + (f.field->count > 1 ? "[" + std::to_string(f.element) + "]" : "") +
            " = " + std::to_string(f.value) + ")";
  }
  switch (st) {
    case SHOAL_ST_PERMISSION:
      if (cmd != nullptr && cmd->admin && !h.admin()) return require_admin(h, what);
      return set_error(Errc::permission, what + field + ": " + who(h) + " may act only on partition " +
                                             std::to_string(h.partition) + " (nothing was sent)");
    case SHOAL_ST_UNSUPPORTED:
      return set_error(Errc::unsupported, what + ": the card's firmware does not implement this command");
    case SHOAL_ST_INVALID: {
      std::string range;
      if (f.field != nullptr) {
        switch (f.field->check) {
          case SHOAL_CHECK_PARTITION: range = "; partitions are 0.." + std::to_string(h.num_partitions - 1); break;
          case SHOAL_CHECK_PARTITION_ANY:
            range = "; partitions are 0.." + std::to_string(h.num_partitions - 1) + " or " + std::to_string(f.field->special);
            break;
          case SHOAL_CHECK_TYPE: range = "; types are 0.." + std::to_string(h.num_types - 1); break;
          case SHOAL_CHECK_PROCESSOR: range = "; processors are 0.." + std::to_string(h.num_processors - 1); break;
          case SHOAL_CHECK_NONZERO:
            if (f.value == 0) range = "; must not be 0";
            break;
          default: break;
        }
        const std::uint32_t all = f.field->width >= 32 ? 0xFFFFFFFFu : (1u << f.field->width) - 1u;
        if (range.empty() && f.field->max != all) range = "; at most " + std::to_string(f.field->max);
        return set_error(Errc::invalid_arg, what + ": out of range" + field + range + " (nothing was sent)");
      }
      return set_error(Errc::invalid_arg, what + ": a value does not fit its field (nothing was sent)");
    }
    default:
      return set_error(Errc::invalid_arg, what + ": refused by libshoal's check: " + status_text(st) + field);
  }
}

int from_status(const shoal_handle& h, const Words& cqe, const std::string& what) {
  const std::uint32_t st = SHOAL_GET(cqe.data(), SHOAL_CQE_STATUS);
  set_status(st);
  if (!SHOAL_ST_REFUSED(st)) return ok();
  const std::string msg = what + ": the card refused it: " + status_text(st) + " (on queue " + std::to_string(h.queue) +
                          "; nothing changed)";
  return set_error(st == SHOAL_ST_PERMISSION ? Errc::permission : Errc::refused, msg);
}

int call(shoal_handle& h, const Words& sqe, Words& cqe, const std::string& what) {
  set_status(SHOAL_STATUS_NONE);
  if (int rc = check(h, sqe, what); rc != SHOAL_OK) return rc;
  const int rc = shoal_queue_call(h.q, sqe.data(), cqe.data(), h.timeout_ms.load());
  if (rc != SHOAL_OK) {
    const std::string m = shoal_last_error();
    return set_error(static_cast<Errc>(rc), what + ": " + m);
  }
  return from_status(h, cqe, what);
}

}  // namespace shoal::hostlib

namespace {

int open_handle(shoal_dev* dev, std::uint32_t partition, bool admin, shoal_handle** out) {
  using namespace shoal::hostlib;
  set_status(SHOAL_STATUS_NONE);
  if (out) *out = nullptr;
  if (dev == nullptr || out == nullptr) return set_error(Errc::invalid_arg, "shoal_*_open: NULL argument");
  const std::uint32_t parts = dev->card.num_partitions;
  if (!admin && partition >= parts) {
    return set_error(Errc::invalid_arg, "partition " + std::to_string(partition) + " does not exist on this card: it has " +
                                            std::to_string(parts) + " (0.." + std::to_string(parts - 1) + ")");
  }
  auto h = std::make_unique<shoal_handle>();
  h->dev = dev;
  h->queue = admin ? SHOAL_QUEUE_ADMIN : SHOAL_QUEUE_PARTITION(partition);
  h->partition = admin ? SHOAL_HANDLE_ADMIN : partition;
  if (int rc = shoal_queue_open(dev, h->queue, &h->q); rc != SHOAL_OK) return rc;
  std::unique_ptr<shoal_queue, void (*)(shoal_queue*)> qguard(h->q, shoal_queue_close);
  // IDENTIFY: the card's shape as its firmware sees it, and which commands it implements
  Words sqe = command(SHOAL_OP_IDENTIFY), cqe{};
  if (int rc = shoal_queue_call(h->q, sqe.data(), cqe.data(), h->timeout_ms.load()); rc != SHOAL_OK) {
    const std::string m = shoal_last_error();
    return set_error(static_cast<Errc>(rc), "IDENTIFY on queue " + std::to_string(h->queue) + ": " + m);
  }
  if (SHOAL_GET(cqe.data(), SHOAL_CQE_STATUS) != SHOAL_ST_OK) {
    return set_error(Errc::protocol, "IDENTIFY on queue " + std::to_string(h->queue) + " was refused (status " +
                                         std::to_string(SHOAL_GET(cqe.data(), SHOAL_CQE_STATUS)) +
                                         "): is the allocation service running?");
  }
  h->proto_major = SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_PROTO_MAJOR);
  h->proto_minor = SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_PROTO_MINOR);
  if (h->proto_major != SHOAL_PROTO_VERSION_MAJOR) {
    return set_error(Errc::protocol, "the card speaks protocol " + std::to_string(h->proto_major) + "." +
                                         std::to_string(h->proto_minor) + "; this libshoal speaks " +
                                         std::to_string(SHOAL_PROTO_VERSION_MAJOR) + ".x");
  }
  if (SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_QUEUE) != h->queue) {
    return set_error(Errc::protocol, "IDENTIFY answered for queue " +
                                         std::to_string(SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_QUEUE)) + ", not " +
                                         std::to_string(h->queue));
  }
  h->fw_version = SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_FW_VERSION);
  h->num_partitions = SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_PARTITIONS);
  h->num_types = SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_TYPES);
  h->num_queues = SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_QUEUES);
  h->num_processors = SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_PROCESSORS);
  h->service_state = SHOAL_GET(cqe.data(), SHOAL_CPL_IDENTIFY_STATE);
  for (std::uint32_t i = 0; i < 8; ++i) h->implemented[i] = SHOAL_GET_I(cqe.data(), SHOAL_CPL_IDENTIFY_SUPPORTED, i);
  if (h->num_types > SHOAL_MAX_TYPES || h->num_partitions > SHOAL_MAX_PARTITIONS || h->num_processors > 64) {
    return set_error(Errc::unsupported, "the card has " + std::to_string(h->num_partitions) + " partitions, " +
                                            std::to_string(h->num_types) + " types and " +
                                            std::to_string(h->num_processors) + " processors; this libshoal describes at most " +
                                            std::to_string(SHOAL_MAX_PARTITIONS) + ", " + std::to_string(SHOAL_MAX_TYPES) +
                                            " and 64");
  }
  qguard.release();
  *out = h.release();
  return ok();
}

}  // namespace

extern "C" {

int shoal_admin_open(shoal_dev* dev, shoal_handle** out) {
  return guarded([&] { return open_handle(dev, 0, true, out); });
}

int shoal_partition_open(shoal_dev* dev, uint32_t partition, shoal_handle** out) {
  return guarded([&] { return open_handle(dev, partition, false, out); });
}

void shoal_handle_close(shoal_handle* h) {
  if (h == nullptr) return;
  shoal_queue_close(h->q);
  delete h;
}

uint32_t shoal_handle_partition(const shoal_handle* h) { return h ? h->partition : SHOAL_HANDLE_ADMIN; }

int shoal_handle_get_info(shoal_handle* h, struct shoal_handle_info* info) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_handle_get_info: NULL handle");
    shoal_handle_info full{};
    full.struct_size = sizeof full;
    full.queue = h->queue;
    full.partition = h->partition;
    full.proto_major = h->proto_major;
    full.proto_minor = h->proto_minor;
    full.fw_version = h->fw_version;
    full.num_partitions = h->num_partitions;
    full.num_types = h->num_types;
    full.num_queues = h->num_queues;
    full.num_processors = h->num_processors;
    full.service_state = h->service_state;
    full.timeout_ms = h->timeout_ms.load();
    return shoal::hostlib::fill_versioned(info, full, SHOAL_HANDLE_INFO_SIZE_V1, "shoal_handle_info");
  });
}

int shoal_handle_set_timeout(shoal_handle* h, uint32_t timeout_ms) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_handle_set_timeout: NULL handle");
    if (timeout_ms < 1 || timeout_ms > 3600000u) {
      return set_error(Errc::invalid_arg, "timeout " + std::to_string(timeout_ms) + " ms: must be 1 .. 3600000 ms");
    }
    h->timeout_ms = timeout_ms;
    return ok();
  });
}

uint32_t shoal_last_status(void) { return shoal::hostlib::t_last_status; }

int shoal_handle_fd(shoal_handle* h, int* fd) {
  if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_handle_fd: NULL handle");
  return shoal_queue_fd(h->q, fd);
}

int shoal_handle_poll(shoal_handle* h, uint32_t* taken) {
  if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_handle_poll: NULL handle");
  if (int rc = shoal_queue_poll(h->q, taken); rc != SHOAL_OK) return rc;
  return guarded([&] { return shoal::hostlib::run_callbacks(*h); });
}

}  // extern "C"
