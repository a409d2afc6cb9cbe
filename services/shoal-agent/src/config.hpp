// shoal-agent's configuration file (TOML, read with toml++): which card partition is which host
// object, which card processor is which host CPU, which HAL backends to use. See
// services/shoal-agent/README.md for the format and services/shoal-agent/agent.example.toml.
//
// load_config() refuses a bad file with every problem it finds, each naming the file, the line
// and column (where toml++ knows them), the key and the reason; check_config_against_host()
// does the same for what needs the host (CPUs that do not exist, offline CPUs).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hal.hpp"
#include "shoal/result.hpp"

namespace shoal::agent {

struct ConfigError {
  std::string file;
  int line = 0, column = 0;  // 0: not known
  std::string key;           // "partition[1].cgroup", "processors.3", "" for the whole file
  std::string reason;
  bool warning = false;
  std::string text() const;  // "agent.toml:12:3: partition[1].cgroup: reason"
};

struct Config {
  std::string path;
  std::string device;         // [agent] device: the card's URI (for the card connection)
  std::string mode = "host";  // [hal] mode: "host" or "file-tree"
  std::string file_tree;      // [hal] file_tree (absolute; relative ones are made so against the file)
  bool dry_run = false;
  HalSettings hal;            // partitions, backends, options; hal.managed = the processors' CPUs
  int interval_ms = 100;      // [telemetry] interval_ms
  std::map<int, int> processors;      // card processor -> host CPU
  std::map<int, int> processor_line;  // card processor -> line of its entry
  std::map<int, int> partition_line;  // partition id -> line of its [[partition]]
  std::map<std::string, int> key_line;

  const PartitionSpec* partition_by_name(const std::string& name) const;
  const PartitionSpec* partition_by_id(int id) const;
  int processor_of_cpu(int cpu) const;  // card processor mapped to host CPU `cpu`, or -1
};

// Parses and validates `path`. On failure `errors` lists every problem (the result's message is
// the first).
Result<Config> load_config(const std::string& path, std::vector<ConfigError>& errors);

// Problems that need the host: processors and fixed CPUs that do not exist or are offline.
std::vector<ConfigError> check_config_against_host(const Config& cfg, const HalInfo& info);

}  // namespace shoal::agent
