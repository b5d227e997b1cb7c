/* test_frames.h: what the in-guest traffic tests (test/igb/igb_guest.c,
 * test/ethdev/rx_intr_guest.c) build frames from: a monotonic clock, a
 * 64-bit mixer for reproducible contents, the IPv4 header checksum, and an
 * Ethernet + IPv4 + UDP header writer. Header-only, like test_report.h. */
#ifndef SL_TEST_FRAMES_H
#define SL_TEST_FRAMES_H

#include <stdint.h>
#include <string.h>
#include <time.h>

static inline uint64_t test_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* splitmix64's finaliser: a well-spread 64-bit value for each X. */
static inline uint64_t test_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The Internet checksum of LEN bytes at P (an IPv4 header). */
static inline uint16_t test_ip_csum(const uint8_t *p, unsigned len)
{
	uint32_t s = 0;
	for (unsigned i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IPv4 header of PROTO at IP for a frame of FRAME_LEN bytes (14-byte
 * Ethernet header before it), TTL 64, checksum filled in. */
static inline void test_put_ipv4(uint8_t *ip, unsigned frame_len, uint8_t proto,
				 const uint8_t src[4], const uint8_t dst[4])
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((frame_len - 14) >> 8);
	ip[3] = (uint8_t)(frame_len - 14);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	uint16_t c = test_ip_csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* A UDP header at L4 for LEN bytes of UDP (header included), no checksum. */
static inline void test_put_udp(uint8_t *l4, unsigned len, uint16_t sport, uint16_t dport)
{
	l4[0] = (uint8_t)(sport >> 8); l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8); l4[3] = (uint8_t)dport;
	l4[4] = (uint8_t)(len >> 8); l4[5] = (uint8_t)len;
	l4[6] = 0; l4[7] = 0;
}

#endif /* SL_TEST_FRAMES_H */
