// Shared by the shoal-agent tests: file helpers, a snapshot of a file tree (to prove "nothing
// changed"), configurations over a FileTree, and running a program.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "config.hpp"
#include "file_tree.hpp"
#include "host.hpp"
#include "temp_dir.hpp"

namespace shoal::agent::test {

namespace fs = std::filesystem;

inline void write_text(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << s;
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

inline std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Every file under `root` with its contents (the lock file and temporaries excluded).
inline std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(e.path(), root).string();
    if (rel.find(".shoal-filetree.lock") != std::string::npos) continue;
    if (e.is_directory()) m[rel + "/"] = "";
    else m[rel] = read_text(e.path());
  }
  return m;
}

// Lists the files whose content differs between two snapshots (for failure messages).
inline std::string snapshot_diff(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b) {
  std::string o;
  for (const auto& [k, v] : a)
    if (!b.count(k)) o += "removed " + k + "\n";
    else if (b.at(k) != v) o += "changed " + k + ": '" + v + "' -> '" + b.at(k) + "'\n";
  for (const auto& [k, v] : b)
    if (!a.count(k)) o += "added " + k + "\n";
  return o;
}

inline std::string tree_read(FileTree& t, const std::string& path) {
  std::string s;
  const int e = t.read(path, s);
  if (e) throw std::runtime_error("read " + path + ": errno " + std::to_string(e));
  return std::string(trim(s));
}

// A configuration over a file tree: partitions "a" (id 0) and "b" (id 1) under shoal/, card
// processors 0..n-1 on host CPUs 1..n, extra TOML appended.
inline std::string tree_config(const std::string& tree, const std::string& cpuset, const std::string& extra_hal = "",
                               const std::string& partitions = "", const std::string& processors = "0 = 1\n1 = 2\n") {
  std::string parts = partitions;
  if (parts.empty())
    parts = "[[partition]]\nid = 0\nname = \"a\"\ncgroup = \"shoal/a\"\nresctrl_group = \"shoal-a\"\nfixed_cpus = \"0\"\n\n"
            "[[partition]]\nid = 1\nname = \"b\"\ncgroup = \"shoal/b\"\nresctrl_group = \"shoal-b\"\nfixed_cpus = \"0\"\n";
  return "[hal]\nmode = \"file-tree\"\nfile_tree = \"" + tree + "\"\ncpuset = \"" + cpuset + "\"\n" + extra_hal + "\n" +
         parts + "\n[processors]\n" + processors;
}

// Loads a configuration text (written to `dir`/agent.toml) and builds the HAL over it.
struct Stack {
  Config cfg;
  std::unique_ptr<HostStack> host;
  Hal& hal() { return *host->hal; }
};

inline Stack open_stack(const fs::path& dir, const std::string& text, bool dry_run = false) {
  const fs::path p = dir / "agent.toml";
  write_text(p, text);
  std::vector<ConfigError> errors;
  auto cfg = load_config(p.string(), errors);
  if (!cfg) throw std::runtime_error("config: " + cfg.error().message);
  Stack s;
  s.cfg = *cfg;
  auto h = open_host(s.cfg, dry_run);
  if (!h) throw std::runtime_error("open_host: " + h.error().message);
  s.host = std::move(*h);
  if (auto r = build_hal(*s.host, s.cfg); !r) throw std::runtime_error("build_hal: " + r.error().message);
  return s;
}

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs argv (argv[0] a path) and captures stdout and stderr.
inline RunResult run(const std::vector<std::string>& argv) {
  shoal::test::TempDir tmp("shoal-agent-run");
  const fs::path out = tmp.path() / "out", err = tmp.path() / "err";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fo = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int fe = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int fi = ::open("/dev/null", O_RDONLY);
    ::dup2(fi, 0);
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

}  // namespace shoal::agent::test
