// Where shoal-sim puts its socket by default, and where clients look for simulators
// (`shoalctl list`). Header-only; shared by driver/ and sim/.
//
// The runtime directory is, in this order: $SHOAL_RUNTIME_DIR; $XDG_RUNTIME_DIR/shoal;
// /tmp/shoal-<uid>. shoal-sim without --socket listens on <runtime dir>/shoal-sim.sock (and
// creates the directory, mode 0700, if it is missing).
#ifndef SHOAL_SIM_SOCKET_HPP
#define SHOAL_SIM_SOCKET_HPP

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace shoal::sim_socket {

inline std::string runtime_dir() {
  if (const char* d = std::getenv("SHOAL_RUNTIME_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x != nullptr && *x != '\0') return std::string(x) + "/shoal";
  return "/tmp/shoal-" + std::to_string(static_cast<unsigned long>(::getuid()));
}

inline constexpr const char* kDefaultName = "shoal-sim.sock";

inline std::string default_path() { return runtime_dir() + "/" + kDefaultName; }

// The lock file beside a socket: whoever holds flock(LOCK_EX) on it owns the socket path.
inline std::string lock_path(const std::string& socket_path) { return socket_path + ".lock"; }

}  // namespace shoal::sim_socket

#endif  // SHOAL_SIM_SOCKET_HPP
