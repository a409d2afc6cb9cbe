#include "agent.hpp"

#include <thread>

namespace shoal::agent {

const char* decision_kind_name(Decision::Kind k) {
  switch (k) {
    case Decision::Kind::assign: return "assign";
    case Decision::Kind::release: return "release";
    case Decision::Kind::park: return "park";
    case Decision::Kind::unpark: return "unpark";
    case Decision::Kind::cache_ways: return "cache_ways";
    case Decision::Kind::bandwidth: return "bandwidth";
  }
  return "?";
}

const char* ack_status_name(Ack::Status s) {
  switch (s) {
    case Ack::Status::quiesced: return "quiesced";
    case Ack::Status::resumed: return "resumed";
    case Ack::Status::failed: return "failed";
  }
  return "?";
}

Ack Agent::apply(const Decision& d) {
  Ack a;
  a.seq = d.seq;
  const auto t0 = std::chrono::steady_clock::now();
  Status s;
  auto host_cpu = [&](int& cpu) -> Status {
    const auto it = cfg_.processors.find(d.processor);
    if (it == cfg_.processors.end())
      return fail(Errc::invalid_arg, "card processor " + std::to_string(d.processor) +
                                         " is not in the configuration's [processors]; nothing changed");
    cpu = it->second;
    return {};
  };
  int cpu = -1;
  switch (d.kind) {
    case Decision::Kind::assign:
      s = host_cpu(cpu);
      if (s) s = hal_.assign_cpu(cpu, d.partition);
      a.status = Ack::Status::resumed;
      break;
    case Decision::Kind::release:
      s = host_cpu(cpu);
      if (s) s = hal_.release_cpu(cpu);
      a.status = Ack::Status::quiesced;
      break;
    case Decision::Kind::park:
      s = host_cpu(cpu);
      if (s) s = hal_.park_cpu(cpu);
      a.status = Ack::Status::quiesced;
      break;
    case Decision::Kind::unpark:
      s = host_cpu(cpu);
      if (s) s = hal_.unpark_cpu(cpu);
      a.status = Ack::Status::resumed;
      break;
    case Decision::Kind::cache_ways: {
      auto next = ways_;
      next[d.partition] = d.amount;
      s = hal_.set_cache_ways(next);
      if (s) ways_ = next;
      a.status = Ack::Status::resumed;
      break;
    }
    case Decision::Kind::bandwidth:
      s = hal_.set_bandwidth({{d.partition, d.amount}});
      if (s) bandwidth_[d.partition] = d.amount;
      a.status = Ack::Status::resumed;
      break;
  }
  a.apply_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  if (!s) {
    a.status = Ack::Status::failed;
    a.reason = s.error().message;
  }
  return a;
}

Status Agent::run(DecisionSource& source, Acknowledger& ack, TelemetrySink* sink, const std::atomic<bool>& stop) {
  std::optional<TelemetrySampler> sampler;
  auto next_sample = std::chrono::steady_clock::now();
  if (sink) {
    sampler.emplace(hal_, cfg_);
    if (auto p = sampler->prime(); !p) return p;
  }
  const auto interval = std::chrono::milliseconds(cfg_.interval_ms);
  while (!stop.load()) {
    auto d = source.next(sink ? interval : std::chrono::milliseconds(100));
    if (!d) return fail(d.error());
    if (*d) {
      if (auto r = ack.acknowledge(apply(**d)); !r) return r;
    }
    if (sink && std::chrono::steady_clock::now() >= next_sample) {
      next_sample += interval;
      auto s = sampler->sample();
      if (s) {
        if (auto r = sink->publish(*s); !r) return r;
      }
    }
  }
  return {};
}

}  // namespace shoal::agent
