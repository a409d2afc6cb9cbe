#include "https_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace shoal::fabric {

namespace {
std::string ssl_error() {
  char buf[256];
  const unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}
const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status < 500 ? "Client Error" : "Server Error";
  }
}
std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}
}  // namespace

struct HttpsServer::Ctx {
  SSL_CTX* ctx = nullptr;
  ~Ctx() {
    if (ctx) SSL_CTX_free(ctx);
  }
};

HttpsServer::HttpsServer(Options o, Handler h) : opt_(std::move(o)), handler_(std::move(h)), ctx_(std::make_unique<Ctx>()) {
  ctx_->ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx_->ctx) throw std::runtime_error("TLS: " + ssl_error());
  SSL_CTX_set_min_proto_version(ctx_->ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx_->ctx, opt_.cert_file.c_str()) != 1)
    throw std::runtime_error("API certificate " + opt_.cert_file + ": " + ssl_error());
  if (SSL_CTX_use_PrivateKey_file(ctx_->ctx, opt_.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    throw std::runtime_error("API key " + opt_.key_file + ": " + ssl_error());
  if (SSL_CTX_check_private_key(ctx_->ctx) != 1) throw std::runtime_error("API key does not match its certificate");
  if (SSL_CTX_load_verify_locations(ctx_->ctx, opt_.client_ca_file.c_str(), nullptr) != 1)
    throw std::runtime_error("API client CA " + opt_.client_ca_file + ": " + ssl_error());
  SSL_CTX_set_verify(ctx_->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);

  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(opt_.port));
  if (::inet_pton(AF_INET, opt_.host.c_str(), &a.sin_addr) != 1)
    throw std::runtime_error("API listen address '" + opt_.host + "' is not an IPv4 address");
  if ((ntohl(a.sin_addr.s_addr) >> 24) != 127) throw std::runtime_error("API listen address must be on loopback (127.0.0.0/8)");
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("bind " + opt_.host + ":" + std::to_string(opt_.port) + ": " + std::strerror(errno));
  if (::listen(listen_fd_, 64) != 0) throw std::runtime_error(std::string("listen: ") + std::strerror(errno));
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  acceptor_ = std::thread([this] { accept_loop(); });
}

HttpsServer::~HttpsServer() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : stop_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void HttpsServer::stop() {
  if (stopping_.exchange(true)) return;
  const char c = 'x';
  (void)!::write(stop_pipe_[1], &c, 1);
  if (acceptor_.joinable()) acceptor_.join();
  for (int i = 0; i < 500 && active_.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void HttpsServer::accept_loop() {
  while (!stopping_) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) continue;
    if (p[1].revents) break;
    if (!(p[0].revents & POLLIN)) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (active_.load() >= opt_.max_connections) {
      ++refused_;
      ::close(fd);
      continue;
    }
    ++active_;
    std::thread([this, fd] {
      serve(fd);
      ::close(fd);
      --active_;
    }).detach();
  }
}

void HttpsServer::serve(int fd) {
  SSL* ssl = SSL_new(ctx_->ctx);
  if (!ssl) return;
  struct Free {
    SSL* s;
    ~Free() {
      SSL_shutdown(s);
      SSL_free(s);
    }
  } guard{ssl};
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) != 1) {
    ++refused_;  // no certificate, or one the CA did not sign
    ERR_clear_error();
    return;
  }
  auto send = [&](const HttpResponse& r) {
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) +
                      "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                      std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
    std::size_t off = 0;
    while (off < out.size()) {
      const int n = SSL_write(ssl, out.data() + off, static_cast<int>(out.size() - off));
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
  };
  auto error = [&](int status, const std::string& msg) {
    std::string body = "{\"error\": \"";
    for (char c : msg) body += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    send({status, body + "\"}"});
  };

  HttpRequest req;
  if (X509* peer = SSL_get_peer_certificate(ssl)) {
    char cn[256] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
    req.peer_cn = cn;
    X509_free(peer);
  }
  constexpr std::size_t kMax = 64 * 1024;
  std::string buf;
  std::size_t header_end = std::string::npos;
  char chunk[4096];
  while (header_end == std::string::npos) {
    const int n = SSL_read(ssl, chunk, sizeof chunk);
    if (n <= 0) return;
    buf.append(chunk, static_cast<std::size_t>(n));
    header_end = buf.find("\r\n\r\n");
    if (buf.size() > kMax) return error(413, "request too large");
  }
  const std::string head = buf.substr(0, header_end);
  std::size_t content_length = 0;
  {
    const auto line_end = head.find("\r\n");
    const std::string first = head.substr(0, line_end);
    const auto sp1 = first.find(' '), sp2 = first.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) return error(400, "malformed request line");
    req.method = first.substr(0, sp1);
    std::string target = first.substr(sp1 + 1, sp2 - sp1 - 1);
    const auto q = target.find('?');
    if (q != std::string::npos) {
      std::string qs = target.substr(q + 1);
      target = target.substr(0, q);
      std::size_t i = 0;
      while (i < qs.size()) {
        auto amp = qs.find('&', i);
        if (amp == std::string::npos) amp = qs.size();
        const std::string kv = qs.substr(i, amp - i);
        const auto eq = kv.find('=');
        req.query[url_decode(kv.substr(0, eq))] = eq == std::string::npos ? "" : url_decode(kv.substr(eq + 1));
        i = amp + 1;
      }
    }
    req.path = url_decode(target);
    std::size_t pos = line_end;
    while (pos != std::string::npos && pos < head.size()) {
      const auto next = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name == "content-length") {
          try {
            content_length = std::stoul(line.substr(colon + 1));
          } catch (const std::exception&) {
            return error(400, "bad Content-Length");
          }
        }
      }
      pos = next;
    }
  }
  if (content_length > kMax) return error(413, "request body too large");
  req.body = buf.substr(header_end + 4);
  while (req.body.size() < content_length) {
    const int n = SSL_read(ssl, chunk, sizeof chunk);
    if (n <= 0) return;
    req.body.append(chunk, static_cast<std::size_t>(n));
  }
  req.body.resize(content_length);
  // after reading the request, so that the client reads the answer rather than a reset
  if (!opt_.allowed_cns.count(req.peer_cn)) {
    error(403, "client certificate CN '" + req.peer_cn + "' is not allowed to use this API");
    return;
  }
  HttpResponse resp;
  try {
    resp = handler_(req);
  } catch (const std::exception& e) {
    resp = {500, std::string("{\"error\": \"internal error\"}")};
  }
  send(resp);
}

}  // namespace shoal::fabric
