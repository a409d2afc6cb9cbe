// The swarm scheduler: which processors move (docs/service.md, "Which processors move").
// Portable C++17, no heap; used by the service and tested on the host.
#pragma once
#include <stdint.h>

#include "shoal/service/port.hpp"

namespace shoal::service {

struct SwarmView {
  const uint8_t* owner;    // [P] partition of each processor, kNone = the idle pool (parked)
  const uint8_t* heat;     // [P] busy fraction of the last epoch, 0..255 (its migration cost)
  uint32_t cluster_size;   // processors per cluster sharing a cache (from the register map)
};

// Chooses up to n processors now owned by `from` (kNone: the idle pool) to give to `to`
// (kNone: to park them), never one whose bit is set in `exclude`. Best first into out[];
// returns how many it chose. The order, with the processor index as the last tie-break:
//   to a partition:  most processors of `to` already in its cluster (affinity: a shared
//                    cache), then the coldest (least busy: the cheapest to quiesce), then,
//                    from the idle pool, a cluster that is already awake (power: wake as few
//                    clusters as possible);
//   to the idle pool: the cluster where `from` has the fewest processors (consolidation: empty
//                    whole clusters so they can be parked together), then the coldest.
uint32_t swarm_pick(const SwarmView& v, uint32_t from, uint32_t to, uint32_t n, uint64_t exclude,
                    uint8_t* out);

}  // namespace shoal::service
