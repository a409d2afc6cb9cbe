// The card's DTB, read with libfdt: validated first (header, then the full structure), then
// parsed into a CardDescription. Every failure is Errc::bad_dtb with a message naming the
// node or property at fault.
#include "dtb.hpp"

#include <libfdt.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace shoal::hostlib {
namespace {

Failure bad(std::string msg) { return fail(Errc::bad_dtb, "card DTB: " + std::move(msg)); }

std::string fdt_err(int err) { return fdt_strerror(err); }

// Reads a property of 1..n big-endian 32-bit cells.
Result<std::vector<std::uint32_t>> cells(const void* fdt, int node, const char* path, const char* prop) {
  int len = 0;
  const void* p = fdt_getprop(fdt, node, prop, &len);
  if (p == nullptr) return bad(std::string(path) + " has no '" + prop + "' property");
  if (len <= 0 || len % 4 != 0) {
    return bad(std::string(path) + ": '" + prop + "' is " + std::to_string(len) + " bytes, not a list of 32-bit cells");
  }
  std::vector<std::uint32_t> out(static_cast<std::size_t>(len) / 4);
  const auto* b = static_cast<const std::uint8_t*>(p);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = (std::uint32_t{b[4 * i]} << 24) | (std::uint32_t{b[4 * i + 1]} << 16) | (std::uint32_t{b[4 * i + 2]} << 8) |
             std::uint32_t{b[4 * i + 3]};
  }
  return out;
}

Result<std::uint32_t> u32(const void* fdt, int node, const char* path, const char* prop) {
  auto c = cells(fdt, node, path, prop);
  if (!c) return fail(std::move(c).error());
  if (c->size() != 1) return bad(std::string(path) + ": '" + prop + "' should be one cell, has " + std::to_string(c->size()));
  return c->front();
}

// A string property; empty if absent (when !required).
Result<std::string> str(const void* fdt, int node, const char* path, const char* prop, bool required) {
  int len = 0;
  const auto* p = static_cast<const char*>(fdt_getprop(fdt, node, prop, &len));
  if (p == nullptr) {
    if (required) return bad(std::string(path) + " has no '" + prop + "' property");
    return std::string();
  }
  if (len <= 0 || p[len - 1] != '\0') return bad(std::string(path) + ": '" + prop + "' is not a NUL-terminated string");
  return std::string(p);  // first string of a string list
}

// /slices/<name>@<index> { reg = <index>; shoal,capability; shoal,capability-version;
// shoal,units; shoal,resource (optional); shoal,partitions = <hi lo>; shoal,lendable; description; }
// The node is optional: a card without slices has none.
Status parse_slices(const void* fdt, CardDescription& d) {
  const int top = fdt_path_offset(fdt, "/slices");
  if (top == -FDT_ERR_NOTFOUND) return {};
  if (top < 0) return bad("/slices: " + fdt_err(top));
  int node = 0;
  fdt_for_each_subnode(node, fdt, top) {
    const char* raw = fdt_get_name(fdt, node, nullptr);
    if (raw == nullptr) return bad("unnamed node under /slices");
    const std::string path = std::string("/slices/") + raw;
    const char* p = path.c_str();
    DtbSlice s;
    s.name = std::string(raw).substr(0, std::string(raw).find('@'));
    std::replace(s.name.begin(), s.name.end(), '-', '_');
    auto idx = u32(fdt, node, p, "reg");
    if (!idx) return fail(std::move(idx).error());
    auto cap = str(fdt, node, p, "shoal,capability", true);
    if (!cap) return fail(std::move(cap).error());
    if (cap->empty()) return bad(path + ": 'shoal,capability' is empty");
    auto ver = u32(fdt, node, p, "shoal,capability-version");
    if (!ver) return fail(std::move(ver).error());
    if (*ver == 0) return bad(path + ": 'shoal,capability-version' is 0");
    auto units = u32(fdt, node, p, "shoal,units");
    if (!units) return fail(std::move(units).error());
    if (*units == 0) return bad(path + ": 'shoal,units' is 0");
    if (fdt_getprop(fdt, node, "shoal,resource", nullptr) != nullptr) {
      auto r = u32(fdt, node, p, "shoal,resource");
      if (!r) return fail(std::move(r).error());
      if (*r >= d.resources.size()) {
        return bad(path + ": 'shoal,resource' is " + std::to_string(*r) + " but the card has " +
                   std::to_string(d.resources.size()) + " resource types");
      }
      s.resource = *r;
    }
    auto parts = cells(fdt, node, p, "shoal,partitions");
    if (!parts) return fail(std::move(parts).error());
    if (parts->size() != 2) return bad(path + ": 'shoal,partitions' should be <high low> (a 64-bit mask)");
    s.partitions = (std::uint64_t{(*parts)[0]} << 32) | (*parts)[1];
    const std::uint32_t np = d.num_partitions < 64 ? d.num_partitions : 64;
    const std::uint64_t valid = np >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << np) - 1;
    if ((s.partitions & ~valid) != 0) {
      return bad(path + ": 'shoal,partitions' names partitions beyond the card's " + std::to_string(d.num_partitions));
    }
    s.lendable = fdt_getprop(fdt, node, "shoal,lendable", nullptr) != nullptr;
    auto desc = str(fdt, node, p, "description", false);
    if (!desc) return fail(std::move(desc).error());
    s.index = *idx;
    s.version = *ver;
    s.units = *units;
    s.capability = *cap;
    s.description = *desc;
    d.slices.push_back(std::move(s));
  }
  if (node < 0 && node != -FDT_ERR_NOTFOUND) return bad("walking /slices: " + fdt_err(node));
  std::sort(d.slices.begin(), d.slices.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  for (std::size_t i = 0; i < d.slices.size(); ++i) {
    if (d.slices[i].index != i) {
      return bad("/slices: indexes must be 0.." + std::to_string(d.slices.size() - 1) + " without gaps or repeats");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (d.slices[j].name == d.slices[i].name) return bad("/slices: the name '" + d.slices[i].name + "' is used twice");
    }
  }
  return {};
}

}  // namespace

Result<std::uint32_t> dtb_check_header(const std::vector<std::uint8_t>& h, std::uint64_t window) {
  if (h.size() < kFdtHeaderSize) return bad("header truncated");
  const void* fdt = h.data();
  if (fdt_magic(fdt) != FDT_MAGIC) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "bad magic 0x%08x at the start of the DTB window (expected 0x%08x)", fdt_magic(fdt),
                  static_cast<unsigned>(FDT_MAGIC));
    return bad(buf);
  }
  const std::uint32_t total = fdt_totalsize(fdt);
  if (total < kFdtHeaderSize) return bad("totalsize " + std::to_string(total) + " is smaller than the FDT header");
  if (total > window) {
    return bad("totalsize " + std::to_string(total) + " is larger than the DTB window (" + std::to_string(window) + " bytes)");
  }
  return total;
}

Result<CardDescription> dtb_parse(const std::vector<std::uint8_t>& blob) {
  const void* fdt = blob.data();
  if (blob.size() < kFdtHeaderSize) return bad("truncated (" + std::to_string(blob.size()) + " bytes)");
  if (int err = fdt_check_header(fdt); err != 0) return bad("header check failed: " + fdt_err(err));
  if (fdt_totalsize(fdt) > blob.size()) return bad("totalsize exceeds the bytes read");
#ifdef SHOAL_HAVE_FDT_CHECK_FULL
  if (int err = fdt_check_full(fdt, blob.size()); err != 0) return bad("structure check failed: " + fdt_err(err));
#endif

  CardDescription d;
  const int root = fdt_path_offset(fdt, "/");
  if (root < 0) return bad("no root node: " + fdt_err(root));

  auto ver = cells(fdt, root, "/", "shoal,card-version");
  if (!ver) return fail(std::move(ver).error());
  if (ver->size() != 3) return bad("/: 'shoal,card-version' should be <major minor patch>");
  std::copy(ver->begin(), ver->end(), d.version);
  struct {
    const char* prop;
    std::uint32_t* dst;
  } params[] = {{"shoal,num-processors", &d.num_processors},
                {"shoal,num-partitions", &d.num_partitions},
                {"shoal,num-irq-vectors", &d.num_irq_vectors},
                {"shoal,num-host-irqs", &d.num_host_irqs}};
  for (auto& p : params) {
    auto v = u32(fdt, root, "/", p.prop);
    if (!v) return fail(std::move(v).error());
    *p.dst = *v;
  }
  // the command queues and the audit log: optional (an older card has neither)
  if (fdt_getprop(fdt, root, "shoal,num-queues", nullptr) != nullptr) {
    struct {
      const char* prop;
      std::uint32_t* dst;
    } qp[] = {{"shoal,num-queues", &d.queues.num_queues},
              {"shoal,queue-depth", &d.queues.depth},
              {"shoal,queue-entry-words", &d.queues.entry_words},
              {"shoal,host-irq-queue-base", &d.queues.irq_base},
              {"shoal,audit-depth", &d.queues.audit_depth},
              {"shoal,audit-record-words", &d.queues.audit_words},
              {"shoal,host-irq-audit", &d.queues.audit_irq}};
    for (auto& p : qp) {
      auto v = u32(fdt, root, "/", p.prop);
      if (!v) return fail(std::move(v).error());
      *p.dst = *v;
    }
    const auto& q = d.queues;
    if (q.num_queues != d.num_partitions + 1 || q.depth < 2 || (q.depth & (q.depth - 1)) != 0 || q.entry_words == 0 ||
        q.entry_words > 64 || q.irq_base + q.num_queues > 32 || q.audit_depth == 0 || q.audit_words == 0 ||
        q.audit_words > 64 || q.audit_irq >= 32) {
      return bad("/: the command-queue and audit parameters are inconsistent (queues " + std::to_string(q.num_queues) +
                 ", depth " + std::to_string(q.depth) + ", entry words " + std::to_string(q.entry_words) + ")");
    }
  }
  auto clk = u32(fdt, root, "/", "shoal,clock-hz");
  if (!clk) return fail(std::move(clk).error());
  d.clock_hz = *clk;
  auto bar = u32(fdt, root, "/", "shoal,bar0-size");
  if (!bar) return fail(std::move(bar).error());
  d.bar0_size = *bar;
  auto model = str(fdt, root, "/", "model", false);
  if (!model) return fail(std::move(model).error());
  d.model = *model;
  auto ntypes = u32(fdt, root, "/", "shoal,num-resource-types");
  if (!ntypes) return fail(std::move(ntypes).error());

  // /resources/<name>@<index> { reg = <index>; shoal,units; description; }
  const int res = fdt_path_offset(fdt, "/resources");
  if (res < 0) return bad("no /resources node: " + fdt_err(res));
  int node = 0;
  fdt_for_each_subnode(node, fdt, res) {
    const char* raw = fdt_get_name(fdt, node, nullptr);
    if (raw == nullptr) return bad("unnamed node under /resources");
    const std::string path = std::string("/resources/") + raw;
    DtbResource r;
    r.name = std::string(raw).substr(0, std::string(raw).find('@'));
    std::replace(r.name.begin(), r.name.end(), '-', '_');
    auto idx = u32(fdt, node, path.c_str(), "reg");
    if (!idx) return fail(std::move(idx).error());
    auto units = u32(fdt, node, path.c_str(), "shoal,units");
    if (!units) return fail(std::move(units).error());
    auto desc = str(fdt, node, path.c_str(), "description", false);
    if (!desc) return fail(std::move(desc).error());
    r.index = *idx;
    r.units = *units;
    r.description = *desc;
    d.resources.push_back(std::move(r));
  }
  if (node < 0 && node != -FDT_ERR_NOTFOUND) return bad("walking /resources: " + fdt_err(node));
  std::sort(d.resources.begin(), d.resources.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  for (std::size_t i = 0; i < d.resources.size(); ++i) {
    if (d.resources[i].index != i) {
      return bad("/resources: indexes must be 0.." + std::to_string(d.resources.size() - 1) + " without gaps or repeats");
    }
  }
  if (d.resources.size() != *ntypes) {
    return bad("/shoal,num-resource-types is " + std::to_string(*ntypes) + " but /resources lists " +
               std::to_string(d.resources.size()));
  }

  if (auto st = parse_slices(fdt, d); !st) return fail(std::move(st).error());

  // /bar0/<block>@<base> { compatible; reg = <base size>; shoal,block-id; status; }
  const int bar0 = fdt_path_offset(fdt, "/bar0");
  if (bar0 < 0) return bad("no /bar0 node: " + fdt_err(bar0));
  fdt_for_each_subnode(node, fdt, bar0) {
    const char* raw = fdt_get_name(fdt, node, nullptr);
    if (raw == nullptr) return bad("unnamed node under /bar0");
    const std::string path = std::string("/bar0/") + raw;
    DtbBlock b;
    b.name = std::string(raw).substr(0, std::string(raw).find('@'));
    auto reg = cells(fdt, node, path.c_str(), "reg");
    if (!reg) return fail(std::move(reg).error());
    if (reg->size() != 2) return bad(path + ": 'reg' should be <base size>");
    b.base = (*reg)[0];
    b.size = (*reg)[1];
    if (b.base + b.size > d.bar0_size) return bad(path + " lies outside BAR0");
    auto compat = str(fdt, node, path.c_str(), "compatible", false);
    if (!compat) return fail(std::move(compat).error());
    b.compatible = *compat;
    if (fdt_getprop(fdt, node, "shoal,block-id", nullptr) != nullptr) {
      auto id = u32(fdt, node, path.c_str(), "shoal,block-id");
      if (!id) return fail(std::move(id).error());
      b.block_id = *id;
    }
    if (fdt_getprop(fdt, node, "shoal,block-version", nullptr) != nullptr) {
      auto v = u32(fdt, node, path.c_str(), "shoal,block-version");
      if (!v) return fail(std::move(v).error());
      b.block_version = *v;
    }
    auto status = str(fdt, node, path.c_str(), "status", false);
    if (!status) return fail(std::move(status).error());
    b.present = status->empty() || *status == "okay" || *status == "ok";
    d.blocks.push_back(std::move(b));
  }
  if (node < 0 && node != -FDT_ERR_NOTFOUND) return bad("walking /bar0: " + fdt_err(node));
  return d;
}

}  // namespace shoal::hostlib
