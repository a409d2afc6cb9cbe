// FileTree: the resctrl filesystem (see file_tree.hpp). References: Documentation/arch/x86/
// resctrl.rst and the parsing and messages of arch/x86/kernel/cpu/resctrl/ctrlmondata.c
// (rdtgroup_schemata_write, parse_line, cbm_validate, bw_validate) and rdtgroup.c (mkdir,
// rdtgroup_init_alloc, tasks, cpus, mode), as read.
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "file_tree.hpp"
#include "file_tree_internal.hpp"

namespace shoal::agent {

using namespace ftree;

namespace {

using Schemata = std::map<std::string, std::map<int, unsigned long>>;  // resource -> domain -> value

Schemata parse_schemata_file(const std::string& text) {
  Schemata s;
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    const std::string line = text.substr(p, e - p);
    p = e + 1;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string res(trim(line.substr(0, colon)));
    const bool hex = res != "MB";
    std::size_t q = colon + 1;
    while (q < line.size()) {
      std::size_t f = line.find(';', q);
      if (f == std::string::npos) f = line.size();
      const std::string dom = line.substr(q, f - q);
      q = f + 1;
      const auto eq = dom.find('=');
      if (eq == std::string::npos) continue;
      const int id = std::atoi(dom.substr(0, eq).c_str());
      const std::string v(trim(dom.substr(eq + 1)));
      s[res][id] = std::strtoul(v.c_str(), nullptr, hex ? 16 : 10);
    }
  }
  return s;
}

bool kstrtoul(const std::string& s, int base, unsigned long& v) {
  std::string t = s;
  if (base == 16 && (t.starts_with("0x") || t.starts_with("0X"))) t = t.substr(2);
  if (t.empty()) return false;
  for (char c : t) {
    const bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  if (t.size() > 16) return false;
  v = std::strtoul(t.c_str(), nullptr, base);
  return true;
}

}  // namespace

// Text of a group's schemata file, formatted like the kernel's show_doms(): resource names
// right-aligned to the widest, L3 masks zero-padded hex, MB values space-padded decimal, all to
// the widest data width.
static std::string render_schemata(const FileTreeSpec& spec, const Schemata& s) {
  const int l3_width = (spec.cbm_len + 3) / 4;
  const int width = std::max(l3_width, spec.mba ? 3 : 0);
  std::string out;
  auto line = [&](const std::string& res, bool hex) {
    const auto it = s.find(res);
    if (it == s.end()) return;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%*s:", 2, res.c_str());
    out += buf;
    bool sep = false;
    for (int d : spec.l3_domains) {
      const auto v = it->second.count(d) ? it->second.at(d) : 0UL;
      if (hex) std::snprintf(buf, sizeof buf, "%s%d=%0*lx", sep ? ";" : "", d, width, v);
      else std::snprintf(buf, sizeof buf, "%s%d=%*lu", sep ? ";" : "", d, width, v);
      out += buf;
      sep = true;
    }
    out += "\n";
  };
  line("L3", true);
  line("MB", false);
  return out;
}

void FileTree::rc_status(std::string_view msg) const {
  const std::string info = std::string(kResctrl) + "/info";
  std::string buf = get(info + "/.shoal-last-cmd");
  buf += msg;
  put(info + "/.shoal-last-cmd", buf);
  put(info + "/last_cmd_status", buf.empty() ? "ok\n" : buf);
}

void FileTree::rc_clear() const {
  const std::string info = std::string(kResctrl) + "/info";
  put(info + "/.shoal-last-cmd", "");
  put(info + "/last_cmd_status", "ok\n");
}

std::vector<std::string> FileTree::rc_ctrl_groups() const {
  std::vector<std::string> v{kResctrl};
  for (const auto& d : subdirs(kResctrl)) {
    if (d == "info" || d == "mon_groups" || d == "mon_data") continue;
    v.push_back(std::string(kResctrl) + "/" + d);
  }
  return v;
}

void FileTree::rc_make_group(const std::string& dir, bool is_root, bool mon_only) const {
  std::filesystem::create_directories(tp(dir));
  const unsigned long full = (spec_.cbm_len >= 32) ? 0xffffffffUL : ((1UL << spec_.cbm_len) - 1);
  if (is_root) {
    const std::string info = dir + "/info";
    char hex[32];
    std::snprintf(hex, sizeof hex, "%lx\n", full);
    put(info + "/L3/cbm_mask", hex);
    put(info + "/L3/min_cbm_bits", std::to_string(spec_.min_cbm_bits) + "\n");
    put(info + "/L3/num_closids", std::to_string(spec_.num_closids) + "\n");
    put(info + "/L3/shareable_bits", "0\n");
    if (spec_.mba) {
      put(info + "/MB/min_bandwidth", std::to_string(spec_.mb_min) + "\n");
      put(info + "/MB/bandwidth_gran", std::to_string(spec_.mb_gran) + "\n");
      put(info + "/MB/delay_linear", "1\n");
      put(info + "/MB/num_closids", std::to_string(spec_.num_closids) + "\n");
      put(info + "/MB/thread_throttle_mode", "max\n");
    }
    if (spec_.monitoring) {
      put(info + "/L3_MON/num_rmids", std::to_string(spec_.num_rmids) + "\n");
      put(info + "/L3_MON/mon_features", "llc_occupancy\nmbm_total_bytes\nmbm_local_bytes\n");
      put(info + "/L3_MON/max_threshold_occupancy", "4718592\n");
    }
    rc_clear();
  }
  put(dir + "/tasks", "");
  const CpuMask cpus = is_root ? CpuMask::range(0, spec_.cpus - 1) : CpuMask{};
  put(dir + "/cpus", cpus.hex(spec_.cpus) + "\n");
  put(dir + "/cpus_list", cpus.list() + "\n");
  if (spec_.monitoring) {
    for (int d : spec_.l3_domains) {
      char name[32];
      std::snprintf(name, sizeof name, "/mon_data/mon_L3_%02d", d);
      for (const char* f : {"llc_occupancy", "mbm_total_bytes", "mbm_local_bytes"}) put(dir + name + "/" + f, "0\n");
    }
  }
  if (mon_only) return;
  if (spec_.monitoring) std::filesystem::create_directories(tp(dir + "/mon_groups"));
  put(dir + "/mode", "shareable\n");
  Schemata s;
  for (int d : spec_.l3_domains) {
    s["L3"][d] = full;
    if (spec_.mba) s["MB"][d] = 100;
  }
  put(dir + "/schemata", render_schemata(spec_, s));
}

int FileTree::rc_mkdir(const std::string& path) {
  const std::string parent = parent_of(path);
  rc_clear();
  const std::string root = kResctrl;
  int groups = 0, mons = 0;
  const auto ctrls = rc_ctrl_groups();
  for (const auto& g : ctrls) {
    ++groups;
    if (has_dir(g + "/mon_groups")) mons += static_cast<int>(subdirs(g + "/mon_groups").size());
  }
  if (parent == root) {
    if (static_cast<int>(ctrls.size()) >= spec_.num_closids) {
      rc_status("Out of CLOSIDs\n");
      return ENOSPC;
    }
    if (spec_.monitoring && groups + mons >= spec_.num_rmids) {
      rc_status("Out of RMIDs\n");
      return ENOSPC;
    }
    // rdtgroup_init_alloc: shareable bits, every shareable group's bits and the unused bits,
    // reduced to the lowest contiguous run.
    const unsigned long full = (spec_.cbm_len >= 32) ? 0xffffffffUL : ((1UL << spec_.cbm_len) - 1);
    Schemata init;
    for (int d : spec_.l3_domains) {
      unsigned long used = 0, mine = 0;
      for (const auto& g : ctrls) {
        const auto sc = parse_schemata_file(get(g + "/schemata"));
        const unsigned long v = sc.count("L3") && sc.at("L3").count(d) ? sc.at("L3").at(d) : 0;
        used |= v;
        if (std::string(trim(get(g + "/mode"))) == "shareable") mine |= v;
      }
      mine |= (~used) & full;
      if (mine) {
        const int first = std::countr_zero(mine);
        unsigned long run = 0;
        for (int b = first; b < spec_.cbm_len && ((mine >> b) & 1UL); ++b) run |= 1UL << b;
        mine = run;
      }
      if (std::popcount(mine) < spec_.min_cbm_bits) {
        rc_status("No space on L3:" + std::to_string(d) + "\n");
        return ENOSPC;
      }
      init["L3"][d] = mine;
      if (spec_.mba) init["MB"][d] = 100;
    }
    rc_make_group(path, false, false);
    put(path + "/schemata", render_schemata(spec_, init));
    return 0;
  }
  if (base_of(parent) == "mon_groups" && spec_.monitoring) {
    const std::string ctrl = parent_of(parent);
    if (std::find(ctrls.begin(), ctrls.end(), ctrl) == ctrls.end()) return EPERM;
    if (groups + mons >= spec_.num_rmids) {
      rc_status("Out of RMIDs\n");
      return ENOSPC;
    }
    rc_make_group(path, false, true);
    return 0;
  }
  return EPERM;
}

int FileTree::rc_rmdir(const std::string& path) {
  const std::string root = kResctrl;
  const std::string parent = parent_of(path);
  if (path == root) return EBUSY;
  rc_clear();
  auto move_all = [&](const std::string& from, const std::string& to) {
    for (int pid : read_pids(from + "/tasks")) {
      TaskMeta t;
      if (!load_task(pid, t)) continue;
      move_pid("resctrl", from, to, pid);
      t.resctrl = to;
      save_task(t);
    }
  };
  if (parent == root && base_of(path) != "info" && base_of(path) != "mon_groups" && base_of(path) != "mon_data") {
    if (has_dir(path + "/mon_groups"))
      for (const auto& m : subdirs(path + "/mon_groups")) move_all(path + "/mon_groups/" + m, root);
    move_all(path, root);
    // its CPUs go back to the default group
    CpuMask mine, def;
    (void)CpuMask::parse_list(get(path + "/cpus_list"), spec_.cpus, mine);
    (void)CpuMask::parse_list(get(root + "/cpus_list"), spec_.cpus, def);
    def |= mine;
    put(root + "/cpus", def.hex(spec_.cpus) + "\n");
    put(root + "/cpus_list", def.list() + "\n");
    std::error_code ec;
    std::filesystem::remove_all(tp(path), ec);
    return 0;
  }
  if (base_of(parent) == "mon_groups") {
    move_all(path, parent_of(parent));
    std::error_code ec;
    std::filesystem::remove_all(tp(path), ec);
    return 0;
  }
  return EPERM;
}

int FileTree::rc_write(const std::string& dir, const std::string& file, std::string_view data) {
  const std::string root = kResctrl;
  const auto ctrls = rc_ctrl_groups();
  const bool is_ctrl = std::find(ctrls.begin(), ctrls.end(), dir) != ctrls.end();
  const bool is_mon = base_of(parent_of(dir)) == "mon_groups";
  const unsigned long full = (spec_.cbm_len >= 32) ? 0xffffffffUL : ((1UL << spec_.cbm_len) - 1);

  if (file == "schemata" && is_ctrl) {
    // Valid input requires a trailing newline (checked before last_cmd_status is cleared).
    if (data.empty() || data.back() != '\n') return EINVAL;
    rc_clear();
    const std::string buf(data.substr(0, data.size() - 1));
    Schemata cur = parse_schemata_file(get(dir + "/schemata"));
    Schemata staged;
    const std::string mode(trim(get(dir + "/mode")));
    std::size_t p = 0;
    bool more = true;
    while (more) {
      std::size_t e = buf.find('\n', p);
      if (e == std::string::npos) {
        e = buf.size();
        more = false;
      }
      const std::string tok = buf.substr(p, e - p);
      p = e + 1;
      const auto colon = tok.find(':');
      const std::string resname(trim(tok.substr(0, colon)));
      if (colon == std::string::npos) {
        rc_status("Missing ':'\n");
        return EINVAL;
      }
      const std::string vals = tok.substr(colon + 1);
      if (vals.empty()) {
        rc_status("Missing '" + resname + "' value\n");
        return EINVAL;
      }
      const bool l3 = resname == "L3", mb = resname == "MB" && spec_.mba;
      if (!l3 && !mb) {
        rc_status("Unknown or unsupported resource name '" + resname + "'\n");
        return EINVAL;
      }
      std::size_t q = 0;
      while (q < vals.size()) {
        std::size_t f = vals.find(';', q);
        if (f == std::string::npos) f = vals.size();
        const std::string dom = vals.substr(q, f - q);
        q = f + 1;
        const auto eq = dom.find('=');
        unsigned long id = 0;
        if (eq == std::string::npos || !kstrtoul(std::string(trim(dom.substr(0, eq))), 10, id)) {
          rc_status("Missing '=' or non-numeric domain\n");
          return EINVAL;
        }
        if (std::find(spec_.l3_domains.begin(), spec_.l3_domains.end(), static_cast<int>(id)) ==
            spec_.l3_domains.end())
          return EINVAL;  // an unknown domain id: the kernel says nothing more
        const int d = static_cast<int>(id);
        if (staged[resname].count(d)) {
          rc_status("Duplicate domain " + std::to_string(d) + "\n");
          return EINVAL;
        }
        const std::string v(trim(dom.substr(eq + 1)));
        unsigned long val = 0;
        if (l3) {
          if (!kstrtoul(v, 16, val)) {
            rc_status("Non-hex character in the mask " + v + "\n");
            return EINVAL;
          }
          if (val == 0 || val > full) {
            rc_status("Mask out of range\n");
            return EINVAL;
          }
          const int first = std::countr_zero(val);
          int zero = first;
          while (zero < spec_.cbm_len && ((val >> zero) & 1UL)) ++zero;
          if ((val >> zero) != 0) {
            char b[96];
            std::snprintf(b, sizeof b, "The mask %lx has non-consecutive 1-bits\n", val);
            rc_status(b);
            return EINVAL;
          }
          if (zero - first < spec_.min_cbm_bits) {
            rc_status("Need at least " + std::to_string(spec_.min_cbm_bits) + " bits in the mask\n");
            return EINVAL;
          }
          // no overlap with an exclusive group; an exclusive group overlaps nobody
          for (const auto& g : ctrls) {
            if (g == dir) continue;
            const auto sc = parse_schemata_file(get(g + "/schemata"));
            const unsigned long other = sc.count("L3") && sc.at("L3").count(d) ? sc.at("L3").at(d) : 0;
            if (!(other & val)) continue;
            if (std::string(trim(get(g + "/mode"))) == "exclusive") {
              rc_status("Overlaps with exclusive group\n");
              return EINVAL;
            }
            if (mode == "exclusive") {
              rc_status("Overlaps with other group\n");
              return EINVAL;
            }
          }
        } else {
          if (!kstrtoul(v, 10, val)) {
            rc_status("Non-decimal digit in MB value " + v + "\n");
            return EINVAL;
          }
          if (val < static_cast<unsigned long>(spec_.mb_min) || val > 100) {
            rc_status("MB value " + std::to_string(val) + " out of range [" + std::to_string(spec_.mb_min) + ",100]\n");
            return EINVAL;
          }
          const unsigned long g = static_cast<unsigned long>(spec_.mb_gran);
          val = (val + g - 1) / g * g;
        }
        staged[resname][d] = val;
      }
    }
    for (const auto& [res, doms] : staged)
      for (const auto& [d, v] : doms) cur[res][d] = v;
    put(dir + "/schemata", render_schemata(spec_, cur));
    return 0;
  }

  if (file == "mode" && is_ctrl) {
    rc_clear();
    const std::string v(trim(data));
    if (v != "shareable" && v != "exclusive" && v != "pseudo-locksetup" && v != "pseudo-locked") {
      rc_status("Unknown or unsupported mode\n");
      return EINVAL;
    }
    const std::string cur(trim(get(dir + "/mode")));
    if (v == cur) return 0;
    if (v == "pseudo-locksetup" || v == "pseudo-locked") {
      rc_status("Pseudo-locking not supported\n");
      return EINVAL;
    }
    if (v == "exclusive") {
      const auto mine = parse_schemata_file(get(dir + "/schemata"));
      for (const auto& g : ctrls) {
        if (g == dir) continue;
        const auto sc = parse_schemata_file(get(g + "/schemata"));
        for (int d : spec_.l3_domains) {
          const unsigned long a = mine.count("L3") && mine.at("L3").count(d) ? mine.at("L3").at(d) : 0;
          const unsigned long b = sc.count("L3") && sc.at("L3").count(d) ? sc.at("L3").at(d) : 0;
          if (a & b) {
            rc_status("Schemata overlaps\n");
            return EINVAL;
          }
        }
      }
    }
    put(dir + "/mode", v + "\n");
    return 0;
  }

  if (file == "tasks" && (is_ctrl || is_mon)) {
    rc_clear();
    const std::string t(trim(data));
    if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos) return EINVAL;
    const int pid = std::atoi(t.c_str());
    TaskMeta m;
    if (pid <= 0 || !load_task(pid, m)) {
      rc_status("No task " + t + "\n");
      return ESRCH;
    }
    if (is_mon) {
      const std::string ctrl = parent_of(parent_of(dir));
      if (m.resctrl != ctrl && parent_of(parent_of(m.resctrl)) != ctrl) {
        rc_status("Can't move task to different control group\n");
        return EINVAL;
      }
    }
    move_pid("resctrl", m.resctrl, dir, pid);
    m.resctrl = dir;
    save_task(m);
    return 0;
  }

  if ((file == "cpus" || file == "cpus_list") && (is_ctrl || is_mon)) {
    rc_clear();
    CpuMask want;
    const int e = file == "cpus" ? CpuMask::parse_hex(data, spec_.cpus, want)
                                 : CpuMask::parse_list(data, spec_.cpus, want);
    if (e) {
      rc_status("Bad CPU list/mask\n");
      return e;
    }
    if (!want.subset_of(online())) {
      rc_status("Can only assign online CPUs\n");
      return EINVAL;
    }
    auto get_cpus = [&](const std::string& g) {
      CpuMask m;
      (void)CpuMask::parse_list(get(g + "/cpus_list"), spec_.cpus, m);
      return m;
    };
    auto set_cpus = [&](const std::string& g, const CpuMask& m) {
      put(g + "/cpus", m.hex(spec_.cpus) + "\n");
      put(g + "/cpus_list", m.list() + "\n");
    };
    const CpuMask cur = get_cpus(dir);
    if (is_mon) {
      const std::string ctrl = parent_of(parent_of(dir));
      if (!want.subset_of(get_cpus(ctrl))) {
        rc_status("Can only add CPUs to mongroup that belong to parent\n");
        return EINVAL;
      }
      set_cpus(dir, want);
      return 0;
    }
    const CpuMask dropped = cur - want, added = want - cur;
    if (!dropped.empty()) {
      if (dir == root) {
        rc_status("Can't drop CPUs from default group\n");
        return EINVAL;
      }
      set_cpus(root, get_cpus(root) | dropped);
    }
    if (!added.empty()) {
      for (const auto& g : ctrls)
        if (g != dir) set_cpus(g, get_cpus(g) - added);
    }
    set_cpus(dir, want);
    return 0;
  }
  return EINVAL;  // info files, mon_data counters, size: no write handler
}

}  // namespace shoal::agent
