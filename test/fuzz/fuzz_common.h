/* fuzz_common.h: what every libFuzzer target under test/fuzz/ shares: a
 * reader that takes bytes off the fuzzer's input, the one-time EAL start
 * (no hugepages, IOVA = VA, logs to /dev/null) and a crash on a broken
 * invariant that libFuzzer reports like any other. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_eal.h"

struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
	return (uint16_t)(fuzz_u8(in) | fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	return (uint32_t)fuzz_u16(in) | (uint32_t)fuzz_u16(in) << 16;
}

/* Invariant broken: print and abort, so libFuzzer saves the input. */
#define FUZZ_ASSERT(cond, ...)                                                                       \
	do {                                                                                         \
		if (!(cond)) {                                                                       \
			fprintf(stderr, "fuzz invariant failed: " __VA_ARGS__);                      \
			fprintf(stderr, "\n");                                                       \
			abort();                                                                     \
		}                                                                                    \
	} while (0)

/* Start the EAL once (targets that need memory and mbufs). */
static inline void fuzz_eal_start(void)
{
	static char *argv[] = {"fuzz", "--no-huge", "--iova-mode", "va", "-m", "64", "-l", "0", "--log-level", "err",
			       NULL};
	static FILE *devnull;
	if (sl_eal_init(10, argv) < 0)
		abort();
	devnull = fopen("/dev/null", "w");
	sl_log_set_stream(devnull);
}

static inline void fuzz_quiet_logs(void)
{
	static FILE *devnull;
	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	sl_log_set_stream(devnull);
}

#endif /* FUZZ_COMMON_H */
