/* eal_timer.c: TSC frequency, measured once against CLOCK_MONOTONIC_RAW,
 * and a busy-wait delay built on it. */
#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#include "eal_private.h"

static _Atomic uint64_t tsc_hz;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Count TSC ticks over about 20 ms of wall time; take the median of three
 * rounds so one preemption does not skew the result, and round to 10 kHz. */
static uint64_t calibrate(void)
{
	uint64_t hz[3];

	for (int r = 0; r < 3; r++) {
		struct timespec sleep = {0, 20 * 1000 * 1000};
		uint64_t t0 = mono_ns(), c0 = sl_rdtsc();
		nanosleep(&sleep, NULL);
		uint64_t t1 = mono_ns(), c1 = sl_rdtsc();
		uint64_t ns = t1 - t0;
		hz[r] = ns ? (uint64_t)((double)(c1 - c0) * 1e9 / (double)ns) : 0;
	}
	/* median of three */
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2 - i; j++)
			if (hz[j] > hz[j + 1]) {
				uint64_t t = hz[j];
				hz[j] = hz[j + 1];
				hz[j + 1] = t;
			}
	return (hz[1] + 5000) / 10000 * 10000;
}

int eal_timer_init(void)
{
	uint64_t hz;

	if (atomic_load(&tsc_hz) != 0)
		return 0;
	hz = calibrate();
	if (hz == 0) {
		SL_LOG(ERR, EAL_LOG, "could not measure the TSC frequency (the clock did not move)");
		errno = EIO;
		return -1;
	}
	atomic_store(&tsc_hz, hz);
	SL_LOG(INFO, EAL_LOG, "TSC frequency %.3f MHz", (double)hz / 1e6);
	return 0;
}

uint64_t sl_tsc_hz(void)
{
	uint64_t hz = atomic_load_explicit(&tsc_hz, memory_order_relaxed);

	if (sl_unlikely(hz == 0)) {
		eal_timer_init();
		hz = atomic_load(&tsc_hz);
	}
	return hz;
}

void sl_delay_us(unsigned us)
{
	uint64_t start = sl_rdtsc();
	uint64_t ticks = sl_tsc_hz() / 1000000 * us;

	while (sl_rdtsc() - start < ticks)
		sl_pause();
}
