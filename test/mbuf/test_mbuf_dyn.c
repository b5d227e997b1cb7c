/* test_mbuf_dyn.c: mbuf dynamic fields and flags: registration returns
 * aligned offsets inside the dynamic area, the same offset for the same
 * name and parameters (also from racing threads), -EEXIST for the same name
 * with other parameters, -EINVAL/-ENAMETOOLONG for bad arguments, -ENOSPC
 * when the area or the flag bits run out; lookup finds what was registered;
 * SL_MBUF_DYNFIELD points where the offset says; fields do not overlap and
 * flags avoid Sluice's own ol_flags. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sl_mbuf.h"

#define AREA_START offsetof(struct sl_mbuf, dynfield1)
#define AREA_END sizeof(struct sl_mbuf)

static struct sl_mbuf_dynfield field(const char *name, size_t size, size_t align)
{
	struct sl_mbuf_dynfield f = {.size = size, .align = align};
	snprintf(f.name, sizeof(f.name), "%s", name);
	return f;
}

static struct sl_mbuf_dynflag flag(const char *name)
{
	struct sl_mbuf_dynflag f = {.flags = 0};
	snprintf(f.name, sizeof(f.name), "%s", name);
	return f;
}

static unsigned char owner[AREA_END]; /* which test field took each byte */

static void take(int off, size_t size, unsigned char id)
{
	CHECK(off >= (int)AREA_START && off + size <= AREA_END);
	for (size_t i = 0; i < size; i++) {
		CHECK(owner[off + i] == 0);
		owner[off + i] = id;
	}
}

static void test_layout(void)
{
	CHECK_EQ(sizeof(struct sl_mbuf), 128);
	CHECK_EQ(AREA_END - AREA_START, 40);
	CHECK_EQ(offsetof(struct sl_mbuf, hash.rss), offsetof(struct sl_mbuf, hash.usr));
}

static void test_bad_args(void)
{
	struct sl_mbuf_dynfield f = field("bad", 4, 4);
	CHECK_EQ(sl_mbuf_dynfield_register(NULL), -EINVAL);
	f = field("", 4, 4);
	CHECK_EQ(sl_mbuf_dynfield_register(&f), -EINVAL);
	f = field("bad", 0, 4);
	CHECK_EQ(sl_mbuf_dynfield_register(&f), -EINVAL);
	f = field("bad", 41, 1); /* larger than the area */
	CHECK_EQ(sl_mbuf_dynfield_register(&f), -EINVAL);
	f = field("bad", 4, 0);
	CHECK_EQ(sl_mbuf_dynfield_register(&f), -EINVAL);
	f = field("bad", 4, 3);
	CHECK_EQ(sl_mbuf_dynfield_register(&f), -EINVAL);
	f = field("bad", 4, 128);
	CHECK_EQ(sl_mbuf_dynfield_register(&f), -EINVAL);
	f = field("bad", 4, 4);
	f.flags = 1;
	CHECK_EQ(sl_mbuf_dynfield_register(&f), -EINVAL);
	f = field("bad", 4, 4);
	memset(f.name, 'x', sizeof(f.name)); /* no NUL */
	CHECK_EQ(sl_mbuf_dynfield_register(&f), -ENAMETOOLONG);
	CHECK_EQ(sl_mbuf_dynfield_lookup("bad", NULL), -ENOENT);
	CHECK_EQ(sl_mbuf_dynfield_lookup(NULL, NULL), -EINVAL);

	struct sl_mbuf_dynflag g = flag("");
	CHECK_EQ(sl_mbuf_dynflag_register(NULL), -EINVAL);
	CHECK_EQ(sl_mbuf_dynflag_register(&g), -EINVAL);
	g = flag("badflag");
	g.flags = 2;
	CHECK_EQ(sl_mbuf_dynflag_register(&g), -EINVAL);
	memset(g.name, 'y', sizeof(g.name));
	g.flags = 0;
	CHECK_EQ(sl_mbuf_dynflag_register(&g), -ENAMETOOLONG);
	CHECK_EQ(sl_mbuf_dynflag_lookup("badflag", NULL), -ENOENT);
	CHECK_EQ(sl_mbuf_dynflag_lookup(NULL, NULL), -EINVAL);
}

/* Racing registrations of the same names agree. */
#define RACERS 4
static int race_off[RACERS][3];

static void *racer(void *arg)
{
	int *out = arg;
	struct sl_mbuf_dynfield a = field("race_a", 2, 2), b = field("race_b", 1, 1);
	struct sl_mbuf_dynflag c = flag("race_flag");
	out[0] = sl_mbuf_dynfield_register(&a);
	out[1] = sl_mbuf_dynfield_register(&b);
	out[2] = sl_mbuf_dynflag_register(&c);
	return NULL;
}

static void test_fields(void)
{
	/* an 8-byte, 8-aligned field: aligned and inside the area */
	struct sl_mbuf_dynfield f64 = field("test_u64", 8, 8);
	int o64 = sl_mbuf_dynfield_register(&f64);
	CHECK(o64 >= 0);
	CHECK_EQ(o64 % 8, 0);
	take(o64, 8, 1);
	/* idempotent */
	CHECK_EQ(sl_mbuf_dynfield_register(&f64), o64);
	/* the same name with other parameters */
	struct sl_mbuf_dynfield other = field("test_u64", 4, 4);
	CHECK_EQ(sl_mbuf_dynfield_register(&other), -EEXIST);
	other = field("test_u64", 8, 4);
	CHECK_EQ(sl_mbuf_dynfield_register(&other), -EEXIST);
	/* lookup */
	struct sl_mbuf_dynfield got;
	memset(&got, 0xa5, sizeof(got));
	CHECK_EQ(sl_mbuf_dynfield_lookup("test_u64", &got), o64);
	CHECK(strcmp(got.name, "test_u64") == 0);
	CHECK_EQ(got.size, 8);
	CHECK_EQ(got.align, 8);
	CHECK_EQ(got.flags, 0);
	CHECK_EQ(sl_mbuf_dynfield_lookup("test_u64", NULL), o64);

	/* a byte, then a 16-aligned 16-byte field: each aligned, no overlap */
	struct sl_mbuf_dynfield f8 = field("test_u8", 1, 1);
	int o8 = sl_mbuf_dynfield_register(&f8);
	CHECK(o8 >= 0);
	take(o8, 1, 2);
	struct sl_mbuf_dynfield f128 = field("test_u128", 16, 16);
	int o128 = sl_mbuf_dynfield_register(&f128);
	CHECK(o128 >= 0);
	CHECK_EQ(o128 % 16, 0);
	take(o128, 16, 3);

	/* threads registering the same names at once get the same offsets */
	pthread_t t[RACERS];
	for (int i = 0; i < RACERS; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, racer, race_off[i]), 0);
	for (int i = 0; i < RACERS; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < RACERS; i++) {
		CHECK(race_off[i][0] >= 0 && race_off[i][1] >= 0 && race_off[i][2] >= 0);
		for (int k = 0; k < 3; k++)
			CHECK_EQ(race_off[i][k], race_off[0][k]);
	}
	CHECK_EQ(race_off[0][0] % 2, 0);
	take(race_off[0][0], 2, 4);
	take(race_off[0][1], 1, 5);

	/* the accessor writes where the offset says, and nothing else */
	static struct sl_mbuf m;
	memset(&m, 0, sizeof(m));
	*SL_MBUF_DYNFIELD(&m, o64, uint64_t *) = 0x1122334455667788ull;
	*SL_MBUF_DYNFIELD(&m, o8, uint8_t *) = 0x99;
	uint64_t v;
	memcpy(&v, (char *)&m + o64, 8);
	CHECK(v == 0x1122334455667788ull);
	CHECK_EQ(((unsigned char *)&m)[o8], 0x99);
	CHECK(m.udata64 == 0 && m.next == NULL && m.ol_flags == 0);

	/* fill the rest with bytes: exactly the free bytes fit, then -ENOSPC */
	unsigned free_bytes = 0;
	for (size_t i = AREA_START; i < AREA_END; i++)
		free_bytes += owner[i] == 0;
	struct sl_mbuf_dynfield big = field("test_too_big", free_bytes + 1, 1);
	CHECK_EQ(sl_mbuf_dynfield_register(&big), -ENOSPC); /* not contiguous, or too big */
	for (unsigned i = 0; i < free_bytes; i++) {
		char name[32];
		snprintf(name, sizeof(name), "fill_%u", i);
		struct sl_mbuf_dynfield b = field(name, 1, 1);
		int o = sl_mbuf_dynfield_register(&b);
		CHECK(o >= 0);
		take(o, 1, 6);
	}
	struct sl_mbuf_dynfield one_more = field("one_more", 1, 1);
	CHECK_EQ(sl_mbuf_dynfield_register(&one_more), -ENOSPC);
	CHECK_EQ(sl_mbuf_dynfield_lookup("one_more", NULL), -ENOENT);
	/* registered fields still answer when the area is full */
	CHECK_EQ(sl_mbuf_dynfield_register(&f64), o64);
	CHECK_EQ(sl_mbuf_dynfield_lookup("test_u128", NULL), o128);
}

static void test_alignment_exhaustion(void)
{
	/* the area is full now; a larger alignment finds no room either */
	struct sl_mbuf_dynfield f = field("aligned32", 4, 32);
	CHECK_EQ(sl_mbuf_dynfield_register(&f), -ENOSPC);
}

static void test_flags(void)
{
	struct sl_mbuf_dynflag a = flag("test_flag_a");
	int ba = sl_mbuf_dynflag_register(&a);
	CHECK(ba >= SL_MBUF_DYNFLAG_FIRST && ba <= SL_MBUF_DYNFLAG_LAST);
	CHECK(((1ULL << ba) & SL_MBUF_F_STATIC_MASK) == 0);
	CHECK_EQ(sl_mbuf_dynflag_register(&a), ba);
	CHECK_EQ(sl_mbuf_dynflag_lookup("test_flag_a", NULL), ba);
	struct sl_mbuf_dynflag got = flag("");
	CHECK_EQ(sl_mbuf_dynflag_lookup("test_flag_a", &got), ba);
	CHECK(strcmp(got.name, "test_flag_a") == 0);
	CHECK_EQ(sl_mbuf_dynflag_lookup("race_flag", NULL), race_off[0][2]);
	CHECK(race_off[0][2] != ba);

	/* take every remaining bit: all distinct, then -ENOSPC */
	uint64_t seen = (1ULL << ba) | (1ULL << race_off[0][2]);
	int n = 2;
	for (;;) {
		char name[32];
		snprintf(name, sizeof(name), "flag_%d", n);
		struct sl_mbuf_dynflag f = flag(name);
		int b = sl_mbuf_dynflag_register(&f);
		if (b < 0) {
			CHECK_EQ(b, -ENOSPC);
			break;
		}
		CHECK(b >= SL_MBUF_DYNFLAG_FIRST && b <= SL_MBUF_DYNFLAG_LAST);
		CHECK((seen & (1ULL << b)) == 0);
		seen |= 1ULL << b;
		n++;
	}
	CHECK_EQ(n, SL_MBUF_DYNFLAG_LAST - SL_MBUF_DYNFLAG_FIRST + 1);
	CHECK((seen & SL_MBUF_F_STATIC_MASK) == 0);
	/* known ones still answer */
	CHECK_EQ(sl_mbuf_dynflag_register(&a), ba);
}

int main(void)
{
	test_layout();
	test_bad_args();
	test_fields();
	test_alignment_exhaustion();
	test_flags();
	printf("test_mbuf_dyn: all checks passed\n");
	return 0;
}
