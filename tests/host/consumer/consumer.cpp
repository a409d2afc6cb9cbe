// C++ consumer of an installed libshoal: the RAII wrapper, results and the C++ register table.
#include <shoal/regs.hpp>
#include <shoal/shoal.hpp>

#include <cstdio>

int main() {
  auto dev = shoal::Device::open("pci:zz");
  if (dev.ok() || dev.code() != shoal::Errc::invalid_arg) return 1;
  if (shoal::regs::kBar0Size == 0 || std::size(shoal::regs::kRegisters) == 0) return 2;
  // the broker API's C++ side: shoal::Handle and its types
  shoal::Request r{};
  SHOAL_INIT(r);
  if (r.struct_size < SHOAL_REQUEST_ARGS_SIZE_V1 || shoal::last_status() != SHOAL_STATUS_NONE) return 3;
  std::printf("%s\n", dev.error().message.c_str());
  return 0;
}
