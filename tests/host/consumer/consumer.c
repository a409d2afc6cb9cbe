/* C consumer of an installed libshoal: the C ABI and the generated C register header. */
#include <shoal/regs.h>
#include <shoal/shoal.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  shoal_dev* dev = NULL;
  int rc = shoal_open("sim:/nonexistent/shoal-consumer.sock", &dev);
  if (rc != SHOAL_ERR_NO_DEVICE || dev != NULL) return 1;
  if (strstr(shoal_last_error(), "/nonexistent/shoal-consumer.sock") == NULL) return 2;
  if (SHOAL_CTRL_MAGIC_RESET != 0x53484f4cu) return 3;
  /* the broker API (shoal/broker.h, installed and included by shoal/shoal.h) links and checks */
  shoal_handle* h = NULL;
  if (shoal_admin_open(NULL, &h) != SHOAL_ERR_INVALID_ARG || h != NULL) return 4;
  struct shoal_request_args r = {0};
  SHOAL_INIT(r);
  if (r.struct_size < SHOAL_REQUEST_ARGS_SIZE_V1 || shoal_last_status() != SHOAL_STATUS_NONE) return 5;
  printf("libshoal %s: %s\n", shoal_version(), shoal_strerror(rc));
  return 0;
}
