/* bench/l2fwd/tsc_hz.c: print the TSC frequency in Hz, measured against
 * CLOCK_MONOTONIC_RAW over half a second (median of three), for converting
 * l2fwd's packets per second into TSC cycles per packet. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void)
{
	double hz[3];

	for (int i = 0; i < 3; i++) {
		double t0 = now();
		uint64_t c0 = __rdtsc();
		struct timespec half = {0, 500000000};

		nanosleep(&half, NULL);
		uint64_t c1 = __rdtsc();
		double t1 = now();
		hz[i] = (double)(c1 - c0) / (t1 - t0);
	}
	double lo = hz[0] < hz[1] ? hz[0] : hz[1], hi = hz[0] < hz[1] ? hz[1] : hz[0];
	double med = hz[2] < lo ? lo : hz[2] > hi ? hi : hz[2];

	printf("%.0f\n", med);
	return 0;
}
