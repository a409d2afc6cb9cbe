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
  printf("libshoal %s: %s\n", shoal_version(), shoal_strerror(rc));
  return 0;
}
