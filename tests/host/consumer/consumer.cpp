// C++ consumer of an installed libshoal: the RAII wrapper, results and the C++ register table.
#include <shoal/regs.hpp>
#include <shoal/shoal.hpp>

#include <cstdio>

int main() {
  auto dev = shoal::Device::open("pci:zz");
  if (dev.ok() || dev.code() != shoal::Errc::invalid_arg) return 1;
  if (shoal::regs::kBar0Size == 0 || std::size(shoal::regs::kRegisters) == 0) return 2;
  std::printf("%s\n", dev.error().message.c_str());
  return 0;
}
