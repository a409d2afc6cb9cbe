/* A small broker on libshoal's C ABI (see README.md): VM demand from a file, a partition per VM,
 * requests and releases at every step to follow the demand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoal/shoal.h>

#define MAX_VMS 16
#define MAX_EVENTS 256

struct vm {
  char name[32];
  unsigned prio;
  uint32_t partition;
  uint32_t want[SHOAL_MAX_TYPES];
};

struct demand {
  unsigned step;
  unsigned vm;
  uint32_t type;
  uint32_t units;
};

static struct vm vms[MAX_VMS];
static unsigned num_vms;
static struct demand demands[MAX_EVENTS];
static unsigned num_demands;
static char type_names[SHOAL_MAX_TYPES][SHOAL_NAME_MAX];
static uint32_t num_types;

static int find_vm(const char* name) {
  for (unsigned i = 0; i < num_vms; ++i)
    if (strcmp(vms[i].name, name) == 0) return (int)i;
  return -1;
}

static int find_type(const char* name) {
  for (uint32_t t = 0; t < num_types; ++t)
    if (type_names[t][0] && strcmp(type_names[t], name) == 0) return (int)t;
  return -1;
}

/* Reads the demand file; 0 on success, else prints why and returns 2. */
static int read_demand(const char* path) {
  FILE* f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "broker: cannot open %s\n", path);
    return 2;
  }
  char line[256];
  unsigned lineno = 0;
  while (fgets(line, sizeof line, f)) {
    ++lineno;
    char* hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char a[32], b[32], c[32], d[32], e[32];
    const int n = sscanf(line, "%31s %31s %31s %31s %31s", a, b, c, d, e);
    if (n <= 0) continue;
    if (strcmp(a, "vm") == 0 && n == 3) {
      if (num_vms == MAX_VMS || find_vm(b) >= 0) {
        fprintf(stderr, "broker: %s:%u: too many VMs, or '%s' twice\n", path, lineno, b);
        fclose(f);
        return 2;
      }
      struct vm* v = &vms[num_vms++];
      snprintf(v->name, sizeof v->name, "%s", b);
      v->prio = (unsigned)strtoul(c, NULL, 10);
      v->partition = SHOAL_PARTITION_ANY; /* none yet */
    } else if (strcmp(a, "at") == 0 && n == 5) {
      const int v = find_vm(c);
      const int t = find_type(d);
      if (v < 0 || t < 0 || num_demands == MAX_EVENTS) {
        fprintf(stderr, "broker: %s:%u: unknown VM '%s' or type '%s'\n", path, lineno, c, d);
        fclose(f);
        return 2;
      }
      struct demand* x = &demands[num_demands++];
      x->step = (unsigned)strtoul(b, NULL, 10);
      x->vm = (unsigned)v;
      x->type = (uint32_t)t;
      x->units = (uint32_t)strtoul(e, NULL, 10);
    } else {
      fprintf(stderr, "broker: %s:%u: expected 'vm NAME PRIO' or 'at STEP NAME TYPE UNITS'\n", path, lineno);
      fclose(f);
      return 2;
    }
  }
  fclose(f);
  return 0;
}

static void print_holdings(shoal_handle* admin, unsigned step) {
  printf("holdings after step %u:", step);
  for (unsigned i = 0; i < num_vms; ++i) {
    struct shoal_part_info p;
    memset(&p, 0, sizeof p);
    SHOAL_INIT(p);
    if (shoal_part_query(admin, vms[i].partition, &p) != SHOAL_OK) {
      printf(" %s ?", vms[i].name);
      continue;
    }
    printf(" %s", vms[i].name);
    int any = 0;
    for (uint32_t t = 0; t < num_types; ++t) {
      if (p.held[t]) {
        printf("%s%s=%u", any ? "," : " ", type_names[t], p.held[t]);
        any = 1;
      }
    }
    if (!any) printf(" -");
    printf(";");
  }
  printf("\n");
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DEVICE DEMAND_FILE   (e.g. sim:/tmp/shoal.sock demand.txt)\n", argv[0]);
    return 2;
  }
  shoal_dev* dev = NULL;
  shoal_handle* admin = NULL;
  if (shoal_open(argv[1], &dev) != SHOAL_OK || shoal_admin_open(dev, &admin) != SHOAL_OK) {
    fprintf(stderr, "broker: %s\n", shoal_last_error());
    shoal_close(dev);
    return 1;
  }
  struct shoal_handle_info hi;
  memset(&hi, 0, sizeof hi);
  SHOAL_INIT(hi);
  if (shoal_handle_get_info(admin, &hi) != SHOAL_OK) return 1;
  num_types = hi.num_types;
  for (uint32_t t = 0; t < num_types; ++t) {
    struct shoal_res_info r;
    memset(&r, 0, sizeof r);
    SHOAL_INIT(r);
    if (shoal_res_query(admin, t, &r) != SHOAL_OK) {
      fprintf(stderr, "broker: %s\n", shoal_last_error());
      return 1;
    }
    if (r.state != SHOAL_RES_FREE) snprintf(type_names[t], sizeof type_names[t], "%s", r.name);
  }
  int rc = read_demand(argv[2]);
  if (rc != 0) goto out;

  for (unsigned i = 0; i < num_vms; ++i) {
    uint32_t made = 0;
    if (shoal_part_create(admin, SHOAL_PARTITION_ANY, vms[i].prio, &made) != SHOAL_OK) {
      fprintf(stderr, "broker: VM %s: %s\n", vms[i].name, shoal_last_error());
      rc = 1;
      goto out;
    }
    vms[i].partition = made;
    printf("vm %s: partition %u, priority %u\n", vms[i].name, vms[i].partition, vms[i].prio);
  }
  unsigned last = 0;
  for (unsigned k = 0; k < num_demands; ++k)
    if (demands[k].step > last) last = demands[k].step;
  for (unsigned step = 0; step <= last; ++step) {
    for (unsigned k = 0; k < num_demands; ++k)
      if (demands[k].step == step) vms[demands[k].vm].want[demands[k].type] = demands[k].units;
    /* releases first (they free units for the others), then requests by priority, highest first */
    for (int pass = 0; pass < 2; ++pass) {
      for (unsigned prio = 16; prio-- > 0;) {
        for (unsigned i = 0; i < num_vms; ++i) {
          if (vms[i].prio != prio) continue;
          struct shoal_part_info p;
          memset(&p, 0, sizeof p);
          SHOAL_INIT(p);
          if (shoal_part_query(admin, vms[i].partition, &p) != SHOAL_OK) {
            fprintf(stderr, "broker: %s\n", shoal_last_error());
            rc = 1;
            goto out;
          }
          for (uint32_t t = 0; t < num_types; ++t) {
            const uint32_t held = p.held[t], want = vms[i].want[t];
            if (pass == 0 && held > want) {
              uint32_t now = 0;
              if (shoal_release(admin, vms[i].partition, t, held - want, &now) != SHOAL_OK) {
                fprintf(stderr, "broker: %s\n", shoal_last_error());
                rc = 1;
                goto out;
              }
              printf("step %u: %s %s %u -> %u: released %u\n", step, vms[i].name, type_names[t], held, want, held - want);
            } else if (pass == 1 && held < want) {
              struct shoal_request_args r;
              memset(&r, 0, sizeof r);
              SHOAL_INIT(r);
              r.partition = vms[i].partition;
              r.type = t;
              r.amount = want - held;
              r.flags = SHOAL_REQ_ALLOW_PARTIAL | SHOAL_REQ_ALLOW_RECLAIM;
              struct shoal_grant g;
              memset(&g, 0, sizeof g);
              SHOAL_INIT(g);
              const int e = shoal_request(admin, &r, &g);
              if (e != SHOAL_OK && e != SHOAL_ERR_REFUSED) {
                fprintf(stderr, "broker: %s\n", shoal_last_error());
                rc = 1;
                goto out;
              }
              printf("step %u: %s %s %u -> %u: %s, granted %u (reclaimed %u)\n", step, vms[i].name, type_names[t],
                     held, want, shoal_status_name(g.status), g.granted, g.reclaimed);
            }
          }
        }
      }
    }
    print_holdings(admin, step);
  }
out:
  for (unsigned i = 0; i < num_vms; ++i) {
    if (vms[i].partition == SHOAL_PARTITION_ANY) continue;
    if (shoal_part_destroy(admin, vms[i].partition, NULL) != SHOAL_OK && rc == 0) {
      fprintf(stderr, "broker: %s\n", shoal_last_error());
      rc = 1;
    }
  }
  shoal_handle_close(admin);
  shoal_close(dev);
  return rc;
}
