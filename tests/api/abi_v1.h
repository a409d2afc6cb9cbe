/* tests/api/abi_v1.c: a C consumer of the first published broker structs. */
#ifndef SHOAL_TEST_ABI_V1_H
#define SHOAL_TEST_ABI_V1_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif
/* 0 when every check passed; else 1 with the reason in msg. */
int abi_v1_run(const char* uri, char* msg, size_t n);
#ifdef __cplusplus
}
#endif
#endif
