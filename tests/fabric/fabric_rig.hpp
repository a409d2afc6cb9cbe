// Test rig for the fabric: a throwaway CA (openssl), real etcd processes on loopback (one node
// or a 3-node cluster, --unsafe-no-fsync, data in a temp dir), real shoal-sim cards and
// shoal-fabricd daemons. Every process is started here and killed in a destructor, so a failing
// test stops them too. Every wait is a bounded loop; nothing asserts on time.
#pragma once

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "etcd.hpp"
#include "model.hpp"
#include "temp_dir.hpp"

namespace fabric_test {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fab = shoal::fabric;

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

[[noreturn]] inline void fail(const std::string& msg) { throw std::runtime_error(msg); }

inline void sh(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  if (rc != 0) fail("command failed (" + std::to_string(rc) + "): " + cmd);
}

inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

// A child process; SIGKILLed and reaped when the object goes away.
class Proc {
 public:
  Proc(std::vector<std::string> argv, const std::string& out_file, int nice_incr = 0) : out_(out_file) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::setpgid(0, 0);
      if (nice_incr) (void)!::nice(nice_incr);
      std::vector<char*> a;
      for (auto& s : argv) a.push_back(s.data());
      a.push_back(nullptr);
      ::execv(a[0], a.data());
      std::_Exit(127);
    }
  }
  ~Proc() { kill(SIGKILL); }
  Proc(const Proc&) = delete;
  Proc& operator=(const Proc&) = delete;
  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int st = 0;
    if (sig == SIGKILL) {
      ::waitpid(pid_, &st, 0);
      pid_ = -1;
    } else {
      for (int i = 0; i < 500; ++i) {
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
          pid_ = -1;
          return;
        }
        std::this_thread::sleep_for(10ms);
      }
      kill(SIGKILL);
    }
  }
  bool alive() const { return pid_ > 0 && ::kill(pid_, 0) == 0; }
  std::string output() const { return slurp(out_); }
  // Waits (bounded) for `text` in the output; returns the line that has it.
  std::string wait_for(const std::string& text, std::chrono::seconds limit = 30s) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      std::istringstream in(output());
      for (std::string line; std::getline(in, line);) {
        if (line.find(text) != std::string::npos) return line;
      }
      std::this_thread::sleep_for(20ms);
    }
    fail("no '" + text + "' in the output of a child within " + std::to_string(limit.count()) + " s:\n" + output());
  }

 private:
  pid_t pid_ = -1;
  std::string out_;
};

// A throwaway CA with certificates for etcd (server), the servers' etcd users, the managers,
// the fabricd APIs and their clients, plus a second CA nobody trusts.
class Pki {
 public:
  explicit Pki(const std::filesystem::path& dir) : dir_(dir) {
    sh("cd " + dir_.string() +
       " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 2"
       " -subj /CN=shoal-test-ca >/dev/null 2>&1"
       " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout evil-ca.key -out evil-ca.crt"
       " -days 2 -subj /CN=evil-ca >/dev/null 2>&1");
  }
  // Issues NAME.crt/NAME.key with CN=cn (signed by the test CA, or the untrusted one).
  void issue(const std::string& name, const std::string& cn, bool evil = false) {
    const std::string ca = evil ? "evil-ca" : "ca";
    sh("cd " + dir_.string() + " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name +
       ".key -out " + name + ".csr -subj /CN=" + cn + " >/dev/null 2>&1 && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n"
       "extendedKeyUsage=serverAuth,clientAuth\\n' > " + name + ".ext && openssl x509 -req -in " + name + ".csr -CA " +
       ca + ".crt -CAkey " + ca + ".key -CAcreateserial -out " + name + ".crt -days 2 -extfile " + name +
       ".ext >/dev/null 2>&1");
  }
  std::string crt(const std::string& n) const { return (dir_ / (n + ".crt")).string(); }
  std::string key(const std::string& n) const { return (dir_ / (n + ".key")).string(); }
  std::string ca() const { return crt("ca"); }
  fab::EtcdTls tls(const std::string& n) const { return fab::EtcdTls::from_files(ca(), crt(n), key(n)); }

 private:
  std::filesystem::path dir_;
};

struct EtcdMember {
  std::string name, client_url, peer_url, data;
  std::unique_ptr<Proc> proc;
};

// n etcd members on loopback with TLS client-certificate auth; RBAC for `servers` enabled.
class EtcdCluster {
 public:
  EtcdCluster(const std::filesystem::path& dir, Pki& pki, int n, const std::vector<std::string>& servers)
      : dir_(dir), pki_(pki) {
    pki_.issue("etcd", "etcd-server");
    pki_.issue("root", "root");
    std::string initial;
    for (int i = 0; i < n; ++i) {
      EtcdMember m;
      m.name = "m" + std::to_string(i);
      m.client_url = "https://127.0.0.1:" + std::to_string(free_port());
      m.peer_url = "http://127.0.0.1:" + std::to_string(free_port());
      m.data = (dir_ / ("etcd-" + m.name)).string();
      initial += (i ? "," : "") + m.name + "=" + m.peer_url;
      members.push_back(std::move(m));
    }
    initial_ = initial;
    for (auto& m : members) start(m, initial);
    for (auto& m : members) m.proc->wait_for("serving client traffic securely", 60s);
    std::string eps = endpoints_csv();
    sh(std::string(SHOAL_TEST_FABRIC_AUTH) + " --endpoints " + eps + " --cacert " + pki_.ca() + " --cert " +
       pki_.crt("root") + " --key " + pki_.key("root") + " " + join(servers) + " >/dev/null");
  }
  void start(EtcdMember& m, const std::string& initial) {
    m.proc = std::make_unique<Proc>(
        std::vector<std::string>{SHOAL_TEST_ETCD, "--name", m.name, "--data-dir", m.data, "--unsafe-no-fsync",
                                 "--listen-client-urls", m.client_url, "--advertise-client-urls", m.client_url,
                                 "--listen-peer-urls", m.peer_url, "--initial-advertise-peer-urls", m.peer_url,
                                 "--initial-cluster", initial, "--initial-cluster-state", "new",
                                 "--cert-file", pki_.crt("etcd"), "--key-file", pki_.key("etcd"),
                                 "--trusted-ca-file", pki_.ca(), "--client-cert-auth",
                                 "--heartbeat-interval", "50", "--election-timeout", "500",
                                 "--logger", "zap", "--log-outputs", "stderr"},
        m.data + ".log");
  }
  std::vector<std::string> endpoints() const {
    std::vector<std::string> e;
    for (const auto& m : members) e.push_back(m.client_url);
    return e;
  }
  std::string endpoints_csv() const { return join(endpoints(), ","); }
  static std::string join(const std::vector<std::string>& v, const std::string& sep = " ") {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
    return s;
  }
  // Index of the raft leader (asks every live member), -1 if none answers.
  int leader(fab::Etcd& c) {
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (!members[i].proc || !members[i].proc->alive()) continue;
      auto st = c.status(i);
      if (!st) last_status_error = st.error.message;
      if (st && st.value.leader() != 0 && st.value.leader() == st.value.header().member_id()) return static_cast<int>(i);
    }
    return -1;
  }
  // Starts member i again on its data directory (after a kill).
  void restart(std::size_t i) {
    start(members[i], initial_);
    members[i].proc->wait_for("serving client traffic securely", 60s);
  }
  std::vector<EtcdMember> members;
  std::string last_status_error;

 private:
  std::filesystem::path dir_;
  Pki& pki_;
  std::string initial_;
};

// An HTTPS call to a fabricd API with a client certificate.
struct Http {
  int status = 0;  // 0: no HTTP answer (connection or TLS handshake refused)
  json body;
  std::string error;
};
inline std::size_t http_collect(char* p, std::size_t s, std::size_t n, void* u) {
  static_cast<std::string*>(u)->append(p, s * n);
  return s * n;
}
inline Http https(const std::string& url, const std::string& method, const std::string& body, const std::string& ca,
                  const std::string& cert, const std::string& key) {
  Http r;
  CURL* h = curl_easy_init();
  std::string out;
  char eb[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(h, CURLOPT_CAINFO, ca.c_str());
  if (!cert.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, cert.c_str());
  if (!key.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, key.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 90L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, eb);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
  if (!body.empty()) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  if (curl_easy_perform(h) == CURLE_OK) {
    long st = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    r.status = static_cast<int>(st);
    r.body = json::parse(out, nullptr, false);
  } else {
    r.error = eb;
  }
  curl_easy_cleanup(h);
  return r;
}

// A server: its shoal-sim card and its shoal-fabricd.
class Server {
 public:
  Server(const std::filesystem::path& dir, Pki& pki, const std::string& name, const std::string& location,
         const std::vector<std::string>& etcd, int lease_ttl)
      : dir_(dir), pki_(pki), name_(name), location_(location), etcd_(etcd), ttl_(lease_ttl) {
    pki_.issue("srv-" + name, "srv-" + name);
    pki_.issue("mgr-" + name, "mgr-" + name);
    pki_.issue("api-" + name, "api-" + name);
    pki_.issue("cli-" + name, "shoalctl");
    sock_ = (dir_ / (name + ".sock")).string();
    sim_ = std::make_unique<Proc>(std::vector<std::string>{SHOAL_TEST_SIM, "--socket", sock_, "--no-console", "--quiet"},
                                  (dir_ / (name + "-sim.log")).string(), 10);
    sim_->wait_for("listening on");
    start_fabricd();
  }
  void start_fabricd() {
    fabricd_ = std::make_unique<Proc>(
        std::vector<std::string>{SHOAL_TEST_FABRICD, "--name", name_, "--device", "sim:" + sock_, "--etcd",
                                 EtcdCluster::join(etcd_, ","), "--cacert", pki_.ca(), "--cert", pki_.crt("srv-" + name_),
                                 "--key", pki_.key("srv-" + name_), "--manager-cert", pki_.crt("mgr-" + name_),
                                 "--manager-key", pki_.key("mgr-" + name_), "--api-cert", pki_.crt("api-" + name_),
                                 "--api-key", pki_.key("api-" + name_), "--location", location_, "--lease-ttl",
                                 std::to_string(ttl_)},
        (dir_ / (name_ + "-fabricd.log")).string());
    const std::string line = fabricd_->wait_for("shoal-fabricd: ready", 60s);
    const auto p = line.find("api=");
    api_ = line.substr(p + 4, line.find(' ', p) - p - 4);
  }
  Http call(const std::string& method, const std::string& path, const json& body = {}) const {
    return https(api_ + path, method, body.is_null() ? std::string() : body.dump(), pki_.ca(), pki_.crt("cli-" + name_),
                 pki_.key("cli-" + name_));
  }
  Http request(const std::string& cap, int wait_ms = 20000) const {
    return call("POST", "/v1/requests", {{"capability", cap}, {"wait_ms", wait_ms}});
  }
  void kill_fabricd(int sig = SIGKILL) { fabricd_->kill(sig); }
  void kill_card() { sim_->kill(SIGKILL); }
  // The environment for shoal-fabric / shoalctl fabric as this server's client.
  std::string cli_env() const {
    return "SHOAL_FABRIC_API=" + api_ + " SHOAL_FABRIC_CACERT=" + pki_.ca() + " SHOAL_FABRIC_CERT=" + pki_.crt("cli-" + name_) +
           " SHOAL_FABRIC_KEY=" + pki_.key("cli-" + name_);
  }
  const std::string& name() const { return name_; }
  const std::string& api() const { return api_; }
  std::string log() const { return fabricd_->output(); }

 private:
  std::filesystem::path dir_;
  Pki& pki_;
  std::string name_, location_, sock_, api_;
  std::vector<std::string> etcd_;
  int ttl_;
  std::unique_ptr<Proc> sim_, fabricd_;
};

// Runs a shell command, returns (exit status, stdout).
inline std::pair<int, std::string> run_capture(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) fail("popen " + cmd);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// Waits (bounded) until pred() holds; fails with `what` otherwise.
inline void eventually(const std::function<bool()>& pred, const std::string& what, std::chrono::seconds limit = 60s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return;
    std::this_thread::sleep_for(50ms);
  }
  fail("not reached within " + std::to_string(limit.count()) + " s: " + what);
}

// The whole history of P/grants/ from etcd's own revisions (watch from revision 1): every slice
// key must alternate create and delete (a put on a live grant would be a second borrower: at
// every revision each slice has at most one holder), and every request is granted at most once.
struct History {
  std::size_t grants = 0;
  std::vector<std::string> violations;
};
inline History check_history(fab::Etcd& root, const std::string& prefix) {
  const std::string gp = prefix + "grants/";
  const std::string sentinel = gp + "~end-of-history";
  auto put = root.put(sentinel, "x");
  if (!put) fail("history: " + put.error.message);
  const std::int64_t head = put.value.header().revision();
  std::map<std::string, bool> live;
  std::map<std::string, int> per_request;
  History h;
  bool done = false;
  (void)root.watch(gp, fab::prefix_end(gp), 1, [&](const fab::pb::WatchResponse& w) {
    for (const auto& e : w.events()) {
      const auto& key = e.kv().key();
      const std::string at = key + " at revision " + std::to_string(e.kv().mod_revision());
      if (key == sentinel) {
        if (e.kv().mod_revision() >= head) done = true;
        continue;
      }
      if (e.type() == fab::pb::Event::PUT) {
        if (e.kv().version() != 1) h.violations.push_back("grant overwritten while held: " + at);
        if (live[key]) h.violations.push_back("second holder: " + at);
        live[key] = true;
        ++h.grants;
        auto g = json::parse(e.kv().value(), nullptr, false);
        const std::string req = g.is_object() ? g.value("borrower", "") + "/" + g.value("request", "") : at;
        if (++per_request[req] != 1) h.violations.push_back("request " + req + " granted twice: " + at);
      } else {
        live[key] = false;
      }
    }
    return !done;
  });
  if (!done) fail("history: the watch ended before the end of the history");
  if (!root.del(sentinel)) fail("history: cannot remove the sentinel");
  return h;
}

}  // namespace fabric_test
