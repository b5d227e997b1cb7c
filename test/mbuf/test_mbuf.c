/* test_mbuf.c: packet buffer tests under the EAL: pool creation sets each
 * mbuf's buffer, IOVA, length, pool and private size; alloc returns reset
 * mbufs; data IOVA equals sl_mem_virt2iova of the data pointer as the data
 * moves; headroom/tailroom and prepend/append/adj/trim at their edges;
 * alloc_bulk/free_bulk counts with mixed pools and NULL entries; chains
 * freed whole (alone and in bulk); reference counts. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sl_eal.h"
#include "sl_mbuf.h"
#include "sl_mempool.h"

#define NB_MBUF 256
#define PRIV 16

struct layout_ctx {
	unsigned count;
	unsigned bad;
	uint16_t priv, room;
};

static void check_layout(struct sl_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct layout_ctx *c = arg;
	struct sl_mbuf *m = obj;
	const char *buf = (const char *)m + sizeof(struct sl_mbuf) + c->priv;

	(void)idx;
	c->count++;
	if (m->buf_addr != buf || m->pool != mp || m->priv_size != c->priv || m->buf_len != c->room)
		c->bad++;
	if (m->buf_iova != sl_mem_virt2iova(buf) || m->buf_iova == SL_BAD_IOVA)
		c->bad++;
	/* the whole buffer is IOVA-contiguous */
	if (c->room && sl_mem_virt2iova(buf + c->room - 1) != m->buf_iova + c->room - 1)
		c->bad++;
	if (m->refcnt != 1 || m->nb_segs != 1 || m->next != NULL)
		c->bad++;
}

static void check_fresh(const struct sl_mbuf *m, struct sl_mempool *mp)
{
	uint16_t room = sl_pktmbuf_data_room_size(mp);
	uint16_t headroom = room < SL_PKTMBUF_HEADROOM ? room : SL_PKTMBUF_HEADROOM;

	CHECK(m != NULL);
	CHECK(m->pool == mp);
	CHECK_EQ(m->data_off, headroom);
	CHECK_EQ(m->refcnt, 1);
	CHECK_EQ(m->nb_segs, 1);
	CHECK_EQ(m->port, SL_MBUF_PORT_INVALID);
	CHECK_EQ(m->ol_flags, 0);
	CHECK_EQ(m->packet_type, 0);
	CHECK_EQ(m->pkt_len, 0);
	CHECK_EQ(m->data_len, 0);
	CHECK_EQ(m->vlan_tci, 0);
	CHECK(m->next == NULL);
	CHECK_EQ(sl_pktmbuf_headroom(m), headroom);
	CHECK_EQ(sl_pktmbuf_tailroom(m), room - headroom);
}

static void check_data_iova(const struct sl_mbuf *m)
{
	CHECK_EQ(sl_pktmbuf_data_iova(m), sl_mem_virt2iova(sl_pktmbuf_mtod(m, const void *)));
	CHECK_EQ(sl_pktmbuf_data_iova(m), m->buf_iova + m->data_off);
}

static void test_pool(void)
{
	struct sl_mempool *mp;

	errno = 0;
	CHECK(sl_pktmbuf_pool_create("badpriv", 64, 0, 7, SL_MBUF_DEFAULT_BUF_SIZE) == NULL);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(sl_pktmbuf_pool_create("badcache", 64, 600, 0, SL_MBUF_DEFAULT_BUF_SIZE) == NULL);
	CHECK_EQ(errno, EINVAL);

	mp = sl_pktmbuf_pool_create("layout", NB_MBUF, 32, PRIV, SL_MBUF_DEFAULT_BUF_SIZE);
	CHECK(mp != NULL);
	CHECK_EQ(sl_pktmbuf_data_room_size(mp), SL_MBUF_DEFAULT_BUF_SIZE);
	CHECK_EQ(sl_pktmbuf_priv_size(mp), PRIV);
	CHECK(mp->elt_size >= sizeof(struct sl_mbuf) + PRIV + SL_MBUF_DEFAULT_BUF_SIZE);
	struct layout_ctx c = { .priv = PRIV, .room = SL_MBUF_DEFAULT_BUF_SIZE };
	sl_mempool_obj_iter(mp, check_layout, &c);
	CHECK_EQ(c.count, NB_MBUF);
	CHECK_EQ(c.bad, 0);
	sl_mempool_free(mp);

	/* a data room smaller than the default headroom: all of it is headroom */
	mp = sl_pktmbuf_pool_create("tiny", 64, 0, 0, 64);
	CHECK(mp != NULL);
	struct sl_mbuf *m = sl_pktmbuf_alloc(mp);
	check_fresh(m, mp);
	CHECK_EQ(sl_pktmbuf_headroom(m), 64);
	CHECK_EQ(sl_pktmbuf_tailroom(m), 0);
	CHECK(sl_pktmbuf_append(m, 1) == NULL);
	CHECK(sl_pktmbuf_prepend(m, 64) != NULL);
	CHECK_EQ(m->data_len, 64);
	sl_pktmbuf_free(m);
	CHECK_EQ(sl_mempool_avail_count(mp), 64);
	sl_mempool_free(mp);
}

static void test_alloc_reset(struct sl_mempool *mp)
{
	struct sl_mbuf *m = sl_pktmbuf_alloc(mp), *again;

	check_fresh(m, mp);
	check_data_iova(m);
	CHECK_EQ(sl_pktmbuf_data_iova_default(m), m->buf_iova + SL_PKTMBUF_HEADROOM);
	CHECK_EQ(sl_pktmbuf_data_iova_default(m), sl_pktmbuf_data_iova(m));
	/* dirty every packet field, free, get the same mbuf back reset */
	CHECK(sl_pktmbuf_append(m, 100) != NULL);
	CHECK(sl_pktmbuf_prepend(m, 14) != NULL);
	m->port = 3;
	m->ol_flags = SL_MBUF_F_RX_RSS_HASH;
	m->packet_type = 0x11;
	m->vlan_tci = 42;
	m->queue = 2;
	sl_pktmbuf_free(m);
	again = sl_pktmbuf_alloc(mp);
	CHECK(again == m); /* last freed comes back first */
	check_fresh(again, mp);

	/* sl_pktmbuf_reset does the same on an mbuf in hand */
	CHECK(sl_pktmbuf_append(again, 60) != NULL);
	again->port = 1;
	again->hash.rss = 7;
	sl_pktmbuf_reset(again);
	check_fresh(again, mp);
	CHECK_EQ(again->hash.rss, 0);
	sl_pktmbuf_free(again);
}

static void test_room_edges(struct sl_mempool *mp)
{
	struct sl_mbuf *m = sl_pktmbuf_alloc(mp);
	const uint16_t room = sl_pktmbuf_data_room_size(mp);
	char *base, *p;

	CHECK(m != NULL);
	base = m->buf_addr;

	/* prepend: up to the headroom exactly */
	CHECK(sl_pktmbuf_prepend(m, SL_PKTMBUF_HEADROOM + 1) == NULL);
	CHECK_EQ(m->data_off, SL_PKTMBUF_HEADROOM);
	CHECK_EQ(m->data_len, 0);
	p = sl_pktmbuf_prepend(m, 14);
	CHECK(p == base + SL_PKTMBUF_HEADROOM - 14);
	CHECK(p == sl_pktmbuf_mtod(m, char *));
	CHECK_EQ(m->data_len, 14);
	CHECK_EQ(m->pkt_len, 14);
	CHECK_EQ(sl_pktmbuf_headroom(m), SL_PKTMBUF_HEADROOM - 14);
	check_data_iova(m);
	p = sl_pktmbuf_prepend(m, SL_PKTMBUF_HEADROOM - 14);
	CHECK(p == base);
	CHECK_EQ(sl_pktmbuf_headroom(m), 0);
	CHECK_EQ(sl_pktmbuf_data_iova(m), m->buf_iova);
	CHECK(sl_pktmbuf_prepend(m, 1) == NULL);
	CHECK(sl_pktmbuf_prepend(m, 0) == base);
	CHECK_EQ(m->data_len, SL_PKTMBUF_HEADROOM);

	/* append: up to the tailroom exactly; returns the old end */
	uint16_t tail = sl_pktmbuf_tailroom(m);
	CHECK_EQ(tail, room - SL_PKTMBUF_HEADROOM);
	CHECK(sl_pktmbuf_append(m, (uint16_t)(tail + 1)) == NULL);
	CHECK_EQ(m->data_len, SL_PKTMBUF_HEADROOM);
	p = sl_pktmbuf_append(m, 100);
	CHECK(p == base + SL_PKTMBUF_HEADROOM);
	memset(p, 0xa5, 100);
	CHECK_EQ(m->pkt_len, SL_PKTMBUF_HEADROOM + 100);
	p = sl_pktmbuf_append(m, (uint16_t)(tail - 100));
	CHECK(p == base + SL_PKTMBUF_HEADROOM + 100);
	CHECK_EQ(sl_pktmbuf_tailroom(m), 0);
	CHECK_EQ(m->data_len, room);
	CHECK_EQ(m->pkt_len, room);
	CHECK(sl_pktmbuf_append(m, 1) == NULL);
	CHECK(sl_pktmbuf_append(m, 0) == base + room);

	/* adj: drop from the front, not more than there is */
	CHECK(sl_pktmbuf_adj(m, (uint16_t)(room + 1)) == NULL);
	CHECK_EQ(m->data_len, room);
	p = sl_pktmbuf_adj(m, SL_PKTMBUF_HEADROOM);
	CHECK(p == base + SL_PKTMBUF_HEADROOM);
	CHECK_EQ((unsigned char)p[0], 0xa5);
	CHECK_EQ(m->data_len, room - SL_PKTMBUF_HEADROOM);
	CHECK_EQ(m->pkt_len, room - SL_PKTMBUF_HEADROOM);
	check_data_iova(m);

	/* trim: drop from the back, not more than there is */
	CHECK_EQ(sl_pktmbuf_trim(m, (uint16_t)(m->data_len + 1)), -1);
	CHECK_EQ(m->data_len, room - SL_PKTMBUF_HEADROOM);
	CHECK_EQ(sl_pktmbuf_trim(m, 48), 0);
	CHECK_EQ(m->data_len, room - SL_PKTMBUF_HEADROOM - 48);
	CHECK_EQ(m->pkt_len, m->data_len);
	CHECK_EQ(sl_pktmbuf_tailroom(m), 48);
	CHECK_EQ(sl_pktmbuf_trim(m, m->data_len), 0);
	CHECK_EQ(m->data_len, 0);
	CHECK_EQ(m->pkt_len, 0);
	CHECK_EQ(sl_pktmbuf_trim(m, 1), -1);

	/* adj of everything leaves an empty packet at the moved start */
	CHECK(sl_pktmbuf_append(m, 10) != NULL);
	uint16_t off = m->data_off;
	p = sl_pktmbuf_adj(m, 10);
	CHECK(p == base + off + 10);
	CHECK_EQ(m->data_len, 0);
	CHECK(sl_pktmbuf_adj(m, 1) == NULL);
	check_data_iova(m);
	sl_pktmbuf_free(m);
}

static void test_bulk(struct sl_mempool *mp, struct sl_mempool *mp2)
{
	struct sl_mbuf *a[NB_MBUF], *b[64], *mix[128];
	unsigned i;

	CHECK_EQ(sl_mempool_avail_count(mp), NB_MBUF);
	CHECK_EQ(sl_pktmbuf_alloc_bulk(mp, a, 100), 0);
	CHECK_EQ(sl_mempool_avail_count(mp), NB_MBUF - 100);
	for (i = 0; i < 100; i++) {
		check_fresh(a[i], mp);
		check_data_iova(a[i]);
		for (unsigned j = 0; j < i; j++)
			CHECK(a[i] != a[j]);
	}
	/* all or nothing */
	CHECK_EQ(sl_pktmbuf_alloc_bulk(mp, &a[100], NB_MBUF - 99), -ENOENT);
	CHECK_EQ(sl_mempool_avail_count(mp), NB_MBUF - 100);
	CHECK_EQ(sl_pktmbuf_alloc_bulk(mp, &a[100], NB_MBUF - 100), 0);
	CHECK_EQ(sl_mempool_avail_count(mp), 0);
	CHECK(sl_pktmbuf_alloc(mp) == NULL);
	CHECK_EQ(sl_pktmbuf_alloc_bulk(mp, b, 1), -ENOENT);

	/* free_bulk of one pool, in pieces of various sizes */
	sl_pktmbuf_free_bulk(a, 32);
	CHECK_EQ(sl_mempool_avail_count(mp), 32);
	sl_pktmbuf_free_bulk(&a[32], 0);
	CHECK_EQ(sl_mempool_avail_count(mp), 32);
	sl_pktmbuf_free_bulk(&a[32], 1);
	CHECK_EQ(sl_mempool_avail_count(mp), 33);
	sl_pktmbuf_free_bulk(&a[33], NB_MBUF - 33);
	CHECK_EQ(sl_mempool_avail_count(mp), NB_MBUF);

	/* mixed pools, NULL entries, more than one internal batch */
	CHECK_EQ(sl_pktmbuf_alloc_bulk(mp, a, 64), 0);
	CHECK_EQ(sl_pktmbuf_alloc_bulk(mp2, b, 36), 0);
	unsigned na = 0, nb = 0, k = 0;
	for (i = 0; i < 96; i++) {
		if (i % 5 == 4)
			mix[k++] = NULL;
		mix[k++] = (i % 3 == 1 && nb < 36) ? b[nb++] : a[na++];
	}
	CHECK_EQ(na, 64);
	CHECK_EQ(nb, 32);
	CHECK_EQ(k, 96 + 19);
	sl_pktmbuf_free_bulk(b + 32, 4);
	sl_pktmbuf_free_bulk(mix, k);
	CHECK_EQ(sl_mempool_avail_count(mp), NB_MBUF);
	CHECK_EQ(sl_mempool_avail_count(mp2), 64);
	sl_pktmbuf_free(NULL);
	sl_pktmbuf_free_bulk(mix, 0);
}

/* A chain of NSEG segments from alternating pools, each with LEN bytes. */
static struct sl_mbuf *make_chain(struct sl_mempool *mp, struct sl_mempool *mp2, unsigned nseg,
				  uint16_t len)
{
	struct sl_mbuf *head = sl_pktmbuf_alloc(mp);

	CHECK(head != NULL);
	CHECK(sl_pktmbuf_append(head, len) != NULL);
	for (unsigned s = 1; s < nseg; s++) {
		struct sl_mbuf *seg = sl_pktmbuf_alloc(s % 2 ? mp2 : mp);
		CHECK(seg != NULL);
		CHECK(sl_pktmbuf_append(seg, len) != NULL);
		CHECK_EQ(sl_pktmbuf_chain(head, seg), 0);
		CHECK_EQ(seg->pkt_len, len);
	}
	CHECK_EQ(head->nb_segs, nseg);
	CHECK_EQ(head->pkt_len, (uint32_t)nseg * len);
	return head;
}

static void test_chains(struct sl_mempool *mp, struct sl_mempool *mp2)
{
	struct sl_mbuf *head, *last, *pk[8];
	unsigned seg_count = 0;

	head = make_chain(mp, mp2, 3, 200);
	for (struct sl_mbuf *s = head; s; s = s->next) {
		seg_count++;
		check_data_iova(s);
	}
	CHECK_EQ(seg_count, 3);
	CHECK_EQ(sl_mempool_in_use_count(mp) + sl_mempool_in_use_count(mp2), 3);
	last = sl_pktmbuf_lastseg(head);
	CHECK(last != head && last->next == NULL);
	/* append and trim work on the last segment, pkt_len on the head */
	CHECK(sl_pktmbuf_append(head, 50) == sl_pktmbuf_mtod_offset(last, char *, 200));
	CHECK_EQ(last->data_len, 250);
	CHECK_EQ(head->data_len, 200);
	CHECK_EQ(head->pkt_len, 650);
	CHECK_EQ(sl_pktmbuf_trim(head, 251), -1);
	CHECK_EQ(sl_pktmbuf_trim(head, 250), 0);
	CHECK_EQ(last->data_len, 0);
	CHECK_EQ(head->pkt_len, 400);
	/* prepend and adj work on the first segment */
	CHECK(sl_pktmbuf_adj(head, 201) == NULL);
	CHECK(sl_pktmbuf_adj(head, 20) != NULL);
	CHECK_EQ(head->pkt_len, 380);
	CHECK(sl_pktmbuf_prepend(head, 20) != NULL);
	CHECK_EQ(head->pkt_len, 400);

	/* freeing the head frees every segment */
	sl_pktmbuf_free(head);
	CHECK_EQ(sl_mempool_avail_count(mp), NB_MBUF);
	CHECK_EQ(sl_mempool_avail_count(mp2), 64);
	/* and segments come back with no stale links */
	struct sl_mbuf *x[4];
	CHECK_EQ(sl_pktmbuf_alloc_bulk(mp2, x, 4), 0);
	for (unsigned i = 0; i < 4; i++)
		check_fresh(x[i], mp2);
	sl_pktmbuf_free_bulk(x, 4);

	/* free_bulk of chains mixed with single mbufs */
	for (unsigned i = 0; i < 8; i++)
		pk[i] = i % 3 == 0 ? make_chain(mp, mp2, 1 + i, 64) : sl_pktmbuf_alloc(i % 2 ? mp : mp2);
	sl_pktmbuf_free_bulk(pk, 8);
	CHECK_EQ(sl_mempool_avail_count(mp), NB_MBUF);
	CHECK_EQ(sl_mempool_avail_count(mp2), 64);

	/* chain length limit */
	head = sl_pktmbuf_alloc(mp);
	last = sl_pktmbuf_alloc(mp);
	head->nb_segs = UINT16_MAX;
	CHECK_EQ(sl_pktmbuf_chain(head, last), -EOVERFLOW);
	CHECK(head->next == NULL);
	head->nb_segs = 1;
	sl_pktmbuf_free(head);
	sl_pktmbuf_free(last);
	CHECK_EQ(sl_mempool_avail_count(mp), NB_MBUF);
}

static void test_refcnt(struct sl_mempool *mp)
{
	struct sl_mbuf *m = sl_pktmbuf_alloc(mp), *arr[1];

	CHECK(m != NULL);
	m->refcnt = 3;
	sl_pktmbuf_free(m);
	CHECK_EQ(m->refcnt, 2);
	CHECK_EQ(sl_mempool_in_use_count(mp), 1);
	arr[0] = m;
	sl_pktmbuf_free_bulk(arr, 1);
	CHECK_EQ(m->refcnt, 1);
	CHECK_EQ(sl_mempool_in_use_count(mp), 1);
	sl_pktmbuf_free(m);
	CHECK_EQ(sl_mempool_in_use_count(mp), 0);
	m = sl_pktmbuf_alloc(mp);
	check_fresh(m, mp);
	sl_pktmbuf_free(m);
}

int main(int argc, char **argv)
{
	struct sl_mempool *mp, *mp2;

	CHECK(sl_eal_init(argc, argv) >= 0);
	test_pool();
	printf("mbuf pool layout: ok\n");
	mp = sl_pktmbuf_pool_create("mbuf", NB_MBUF, 32, PRIV, SL_MBUF_DEFAULT_BUF_SIZE);
	mp2 = sl_pktmbuf_pool_create("mbuf2", 64, 0, 0, 1024);
	CHECK(mp != NULL && mp2 != NULL);
	test_alloc_reset(mp);
	printf("mbuf alloc/reset: ok\n");
	test_room_edges(mp);
	printf("mbuf headroom/tailroom/prepend/append/adj/trim: ok\n");
	test_bulk(mp, mp2);
	printf("mbuf alloc_bulk/free_bulk: ok\n");
	test_chains(mp, mp2);
	printf("mbuf chains: ok\n");
	test_refcnt(mp);
	printf("mbuf refcnt: ok\n");
	CHECK_EQ(sl_mempool_in_use_count(mp), 0);
	CHECK_EQ(sl_mempool_in_use_count(mp2), 0);
	sl_mempool_free(mp);
	sl_mempool_free(mp2);
	CHECK_EQ(sl_eal_cleanup(), 0);
	printf("mbuf: all tests passed\n");
	return 0;
}
