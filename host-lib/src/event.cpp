// libshoal: a handle's events (shoal/broker.h): the card's unsolicited completions on the
// handle's queue — grants of postponed requests, reclaim and give-back notices, threshold
// crossings, processors joining and leaving, faults.
#include "handle.hpp"

using shoal::Errc;
using shoal::hostlib::guarded;
using shoal::hostlib::ok;
using shoal::hostlib::set_error;
using shoal::hostlib::Words;

extern "C" {

int shoal_next_event(shoal_handle* h, uint32_t timeout_ms, struct shoal_event* ev) {
  return guarded([&]() -> int {
    if (h == nullptr) return set_error(Errc::invalid_arg, "shoal_next_event: NULL handle");
    if (ev == nullptr || ev->struct_size < SHOAL_EVENT_SIZE_V1) {
      shoal_event dummy{};
      return shoal::hostlib::fill_versioned(ev, dummy, SHOAL_EVENT_SIZE_V1, "shoal_event");
    }
    Words e{};
    if (int rc = shoal_queue_next_event(h->q, timeout_ms, e.data()); rc != SHOAL_OK) return rc;
    const std::uint32_t* w = e.data();
    shoal_event full{};
    full.struct_size = sizeof full;
    full.kind = SHOAL_GET(w, SHOAL_EV_KIND);
    full.queue = SHOAL_GET(w, SHOAL_CQE_QUEUE);
    full.partition = SHOAL_GET(w, SHOAL_EV_PARTITION);
    full.type = SHOAL_GET(w, SHOAL_EV_TYPE);
    full.other = SHOAL_GET(w, SHOAL_EV_OTHER);
    full.amount = SHOAL_GET(w, SHOAL_EV_AMOUNT);
    full.request_id = SHOAL_GET(w, SHOAL_EV_REQUEST);
    full.data = SHOAL_GET(w, SHOAL_EV_DATA);
    return shoal::hostlib::fill_versioned(ev, full, SHOAL_EVENT_SIZE_V1, "shoal_event");
  });
}

}  // extern "C"
