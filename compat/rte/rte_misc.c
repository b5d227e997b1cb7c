/* rte_misc.c: rte_strerror, string helpers, the random generator, the
 * rte_malloc family over Sluice's DMA heap, and rte_ether_unformat_addr. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "compat_private.h"
#include "sl_ethdev.h"
#include "rte_errno.h"
#include "rte_ether.h"
#include "rte_malloc.h"
#include "rte_random.h"
#include "rte_string_fns.h"

/* ---- errors ---------------------------------------------------------------- */

const char *rte_strerror(int errnum)
{
	static __thread char buf[64];

	if (errnum == E_RTE_SECONDARY)
		return "Invalid call in secondary process";
	if (errnum == E_RTE_NO_CONFIG)
		return "Missing rte_config structure";
	/* the GNU strerror_r returns the message (maybe not in BUF) */
	return strerror_r(errnum, buf, sizeof(buf));
}

/* ---- strings ---------------------------------------------------------------- */

int rte_strsplit(char *string, int stringlen, char **tokens, int maxtokens, char delim)
{
	int n = 0;
	int at_start = 1;

	if (string == NULL || tokens == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < stringlen && string[i] != '\0' && n < maxtokens; i++) {
		if (at_start) {
			tokens[n++] = &string[i];
			at_start = 0;
		}
		if (string[i] == delim) {
			string[i] = '\0';
			at_start = 1;
		}
	}
	return n;
}

ssize_t rte_strscpy(char *dst, const char *src, size_t dsize)
{
	size_t n = 0;

	if (dsize == 0)
		return -E2BIG;
	for (; n < dsize; n++) {
		dst[n] = src[n];
		if (src[n] == '\0')
			return (ssize_t)n;
	}
	dst[dsize - 1] = '\0';
	return -E2BIG;
}

/* ---- random (xoshiro256**, one state per thread) ----------------------------- */

static uint64_t seed_base;
static unsigned seed_count;
static __thread uint64_t rnd_state[4];
static __thread int rnd_ready;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rnd_seed_thread(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rnd_state[i] = splitmix64(&seed);
	rnd_ready = 1;
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void rte_srand(uint64_t seedval)
{
	__atomic_store_n(&seed_base, seedval, __ATOMIC_RELAXED);
	rnd_seed_thread(seedval);
}

uint64_t rte_rand(void)
{
	if (!rnd_ready) {
		uint64_t base = __atomic_load_n(&seed_base, __ATOMIC_RELAXED);
		if (base == 0) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			base = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
		}
		/* each thread its own stream */
		rnd_seed_thread(base + __atomic_add_fetch(&seed_count, 1, __ATOMIC_RELAXED) * 0x1000193ULL);
	}
	uint64_t *s = rnd_state;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t rte_rand_max(uint64_t upper_bound)
{
	if (upper_bound < 2)
		return 0;
	/* reject the top partial range so every value is equally likely */
	uint64_t limit = UINT64_MAX - (UINT64_MAX % upper_bound);
	uint64_t r;
	do
		r = rte_rand();
	while (r >= limit);
	return r % upper_bound;
}

double rte_drand(void)
{
	return (double)(rte_rand() >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- NUMA sockets asked of queues, pools and allocations --------------------- */

int compat_socket_check(int socket_id, const char *what)
{
	static int placement_logged;
	unsigned nodes = sl_socket_count();

	if (socket_id == SOCKET_ID_ANY)
		return 0;
	if (socket_id < 0 || (unsigned)socket_id >= nodes) {
		char have[32] = "node 0";
		if (nodes > 1)
			snprintf(have, sizeof(have), "nodes 0-%u", nodes - 1);
		SL_LOG(ERR, COMPAT_LOG, "%s on socket %d: this machine has NUMA %s; pass "
		       "SOCKET_ID_ANY, rte_socket_id() or rte_eth_dev_socket_id()", what, socket_id, have);
		rte_errno = EINVAL;
		return -EINVAL;
	}
	if (nodes > 1 && !__atomic_exchange_n(&placement_logged, 1, __ATOMIC_RELAXED))
		SL_LOG(INFO, COMPAT_LOG, "%s on socket %d: Sluice's memory is one pool not bound to a "
		       "NUMA node (this machine has %u); requests naming a node are served from it",
		       what, socket_id, nodes);
	return 0;
}

/* ---- rte_malloc over the DMA heap -------------------------------------------- */

static void *heap_alloc(const char *type, size_t size, unsigned align, int socket)
{
	if (compat_socket_check(socket, "rte_malloc") < 0)
		return NULL;
	if (align != 0 && (align & (align - 1)) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	void *p = sl_dma_zmalloc(type ? type : "rte_malloc", size, align);
	if (p == NULL)
		rte_errno = errno ? errno : ENOMEM;
	return p;
}

void *rte_malloc(const char *type, size_t size, unsigned align)
{
	return heap_alloc(type, size, align, SOCKET_ID_ANY);
}

void *rte_zmalloc(const char *type, size_t size, unsigned align)
{
	return heap_alloc(type, size, align, SOCKET_ID_ANY);
}

void *rte_calloc(const char *type, size_t num, size_t size, unsigned align)
{
	return rte_calloc_socket(type, num, size, align, SOCKET_ID_ANY);
}

void *rte_malloc_socket(const char *type, size_t size, unsigned align, int socket)
{
	return heap_alloc(type, size, align, socket);
}

void *rte_zmalloc_socket(const char *type, size_t size, unsigned align, int socket)
{
	return heap_alloc(type, size, align, socket);
}

void *rte_calloc_socket(const char *type, size_t num, size_t size, unsigned align, int socket)
{
	if (size != 0 && num > SIZE_MAX / size) {
		rte_errno = EINVAL;
		return NULL;
	}
	return heap_alloc(type, num * size, align, socket);
}

/* DPDK frees two kinds of pointer with rte_free: rte_malloc'd blocks
 * (Sluice's DMA heap, inside registered memory) and removed rx/tx
 * callbacks (Sluice allocates those with calloc, never in registered
 * memory). */
void rte_free(void *ptr)
{
	if (ptr == NULL)
		return;
	if (sl_mem_virt2iova(ptr) != SL_BAD_IOVA)
		sl_dma_free(ptr);
	else
		sl_eth_rxtx_callback_free(ptr);
}

/* ---- Ethernet addresses ------------------------------------------------------ */

int rte_ether_unformat_addr(const char *str, struct rte_ether_addr *eth_addr)
{
	unsigned b[6];
	char end;

	if (str == NULL || eth_addr == NULL ||
	    sscanf(str, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6) {
		rte_errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < 6; i++)
		eth_addr->addr_bytes[i] = (uint8_t)b[i];
	return 0;
}
