// libshoal internals of the broker API (shoal/broker.h): the handle behind shoal_handle and
// the one way every broker call reaches the card (check first, then submit and wait, then turn
// the completion's status into a return code and a message). Not installed.
#ifndef SHOAL_HOSTLIB_HANDLE_HPP
#define SHOAL_HOSTLIB_HANDLE_HPP

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <cstdint>
#include <string>

#include "internal.hpp"
#include "shoal/proto.h"
#include "shoal/proto_check.h"

struct shoal_handle {
  shoal_dev* dev = nullptr;
  shoal_queue* q = nullptr;
  std::uint32_t queue = 0;                 // 0 admin, 1 + k partition k
  std::uint32_t partition = SHOAL_HANDLE_ADMIN;
  std::uint32_t proto_major = 0, proto_minor = 0, fw_version = 0;
  std::uint32_t num_partitions = 0, num_types = 0, num_queues = 0, num_processors = 0, service_state = 0;
  std::uint32_t implemented[8] = {};
  std::atomic<std::uint32_t> timeout_ms{SHOAL_HANDLE_TIMEOUT_MS};
  // shoal_request_async: tickets whose answer runs a callback (request.cpp)
  struct Callback {
    shoal_request_cb cb;
    void* ctx;
  };
  std::mutex cb_mu;
  std::map<std::uint32_t, Callback> callbacks;

  bool admin() const { return queue == SHOAL_QUEUE_ADMIN; }
};

namespace shoal::hostlib {

using Words = std::array<std::uint32_t, SHOAL_PROTO_ENTRY_WORDS>;

// A command with its opcode and current version set, every other word 0.
Words command(std::uint32_t opcode);

// Builds a command field by field: a value wider than its field is refused (SHOAL_ERR_INVALID_ARG,
// naming it) instead of being cut; the first error sticks in rc.
struct Builder {
  Words w;
  std::string what;
  int rc = SHOAL_OK;
  Builder(std::uint32_t opcode, std::string what_);
  void set(std::uint32_t word, std::uint32_t lsb, std::uint32_t width, std::uint64_t v, const char* name);
};
#define SHOAL_BSET(b, F, v, name) (b).set(F##_WORD, F##_LSB, F##_WIDTH, (v), (name))
#define SHOAL_BSET_I(b, F, i, v, name) (b).set(SHOAL_I_WORD(F, i), SHOAL_I_LSB(F, i), F##_WIDTH, (v), (name))

// Sets the thread's last broker status (shoal_last_status()).
void set_status(std::uint32_t status);

// libshoal's own checks of a command for handle h (the protocol's checks 1-6 with h's queue,
// then "a partition handle names only its own partition"): SHOAL_OK or the error, with the
// status the card would give in shoal_last_status() and a message naming `what` and the field.
int check(const shoal_handle& h, const Words& sqe, const std::string& what);

// The card's status turned into the return code: SHOAL_OK below 0x10, SHOAL_ERR_PERMISSION for
// PERMISSION, SHOAL_ERR_REFUSED for the other refusals (with the message).
int from_status(const shoal_handle& h, const Words& cqe, const std::string& what);

// check(), then submit and wait (the handle's timeout), then from_status(). cqe gets the
// completion when there was one.
int call(shoal_handle& h, const Words& sqe, Words& cqe, const std::string& what);

// A partition handle's early refusal: "partition handle 2 may act only on partition 2".
int require_admin(const shoal_handle& h, const std::string& what);

// Fills a versioned input struct the caller passed: at most its struct_size bytes, the rest 0;
// refused below v1_size.
template <class T>
int read_versioned(const T* user, T& out, std::size_t v1_size, const char* what) {
  out = T{};
  if (user == nullptr) return set_error(Errc::invalid_arg, std::string(what) + " pointer is NULL");
  const std::uint32_t size = user->struct_size;
  if (size < v1_size) {
    return set_error(Errc::invalid_arg, std::string(what) + ".struct_size is " + std::to_string(size) +
                                            "; set it to sizeof(struct " + what + ") (at least " +
                                            std::to_string(v1_size) + ")");
  }
  std::memcpy(static_cast<void*>(&out), user, std::min<std::size_t>(size, sizeof(T)));
  return SHOAL_OK;
}

// Runs the callbacks of shoal_request_async tickets whose answers came (request.cpp).
int run_callbacks(shoal_handle& h);

// "partition 3" / "the admin queue" for messages.
std::string who(const shoal_handle& h);

}  // namespace shoal::hostlib



// The broker structs' first published sizes: where their first version's last member ends.
#define SHOAL_V1_END(T, m) (offsetof(T, m) + sizeof(static_cast<T*>(nullptr)->m))
static_assert(SHOAL_V1_END(shoal_handle_info, timeout_ms) == SHOAL_HANDLE_INFO_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_part_info, cap) == SHOAL_PART_INFO_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_part_config, failed_type) == SHOAL_PART_CONFIG_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_res_info, alloc) == SHOAL_RES_INFO_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_request_args, timeout_us) == SHOAL_REQUEST_ARGS_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_grant, size) == SHOAL_GRANT_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_request_vec, amount) == SHOAL_REQUEST_VEC_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_vec_grant, granted) == SHOAL_VEC_GRANT_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_event, data) == SHOAL_EVENT_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_part_telemetry, io) == SHOAL_PART_TELEMETRY_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_proc_telemetry, io) == SHOAL_PROC_TELEMETRY_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_service_state, pending) == SHOAL_SERVICE_STATE_SIZE_V1);
static_assert(SHOAL_V1_END(shoal_prediction, samples) == SHOAL_PREDICTION_SIZE_V1 && SHOAL_PREDICTION_SIZE_V1 == 36);
static_assert(SHOAL_V1_END(shoal_policy, move_cost) == SHOAL_POLICY_SIZE_V1 && SHOAL_POLICY_SIZE_V1 == 28);
static_assert(SHOAL_HANDLE_INFO_SIZE_V1 == 48 && SHOAL_PART_INFO_SIZE_V1 == 152 && SHOAL_PART_CONFIG_SIZE_V1 == 92 &&
                  SHOAL_RES_INFO_SIZE_V1 == 320 && SHOAL_REQUEST_ARGS_SIZE_V1 == 24 && SHOAL_GRANT_SIZE_V1 == 32 &&
                  SHOAL_REQUEST_VEC_SIZE_V1 == 48 && SHOAL_VEC_GRANT_SIZE_V1 == 44 && SHOAL_EVENT_SIZE_V1 == 36 &&
                  SHOAL_PART_TELEMETRY_SIZE_V1 == 40 && SHOAL_PROC_TELEMETRY_SIZE_V1 == 28 &&
                  SHOAL_SERVICE_STATE_SIZE_V1 == 52,
              "a first published broker struct size changed: that breaks every caller built against it");
#endif  // SHOAL_HOSTLIB_HANDLE_HPP
