// fabricd's own API transport: HTTP/1.1 + JSON over TLS with client certificates (OpenSSL),
// on a loopback address. A client must present a certificate signed by the configured CA (the
// handshake fails otherwise) whose CN is on the allow list (403 otherwise). One request per
// connection; a bounded number of connections at once (more are answered 503 and closed);
// requests larger than 64 KiB are refused (413); every socket read has a timeout.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

namespace shoal::fabric {

struct HttpRequest {
  std::string method, path, body, peer_cn;
  std::map<std::string, std::string> query;
};
struct HttpResponse {
  int status = 200;
  std::string body;  // JSON
};

class HttpsServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;  // 0: any free port
    std::string cert_file, key_file, client_ca_file;
    std::set<std::string> allowed_cns;
    int max_connections = 32;
  };
  HttpsServer(Options o, Handler h);  // throws std::runtime_error with a clear message
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;
  int port() const { return port_; }
  void stop();
  std::uint64_t refused_handshakes() const { return refused_.load(); }

 private:
  void accept_loop();
  void serve(int fd);
  struct Ctx;
  Options opt_;
  Handler handler_;
  std::unique_ptr<Ctx> ctx_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<int> active_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
};

}  // namespace shoal::fabric
