/* fuzz_virtio_rx.h: the body of the virtio rx fuzz targets
 * (fuzz_virtio_split_rx.c, fuzz_virtio_packed_rx.c define FUZZ_PACKED).
 * The fuzzer input plays the device, replay-harness style: a sequence of
 * operations writes used entries (id, length, num_buffers, packed flags),
 * moves the split used index, completes tx buffers, or runs rx and tx
 * bursts (mergeable or not, some tx mbufs shared). Invariants: a returned
 * packet's segments fit their buffers and add up to pkt_len; a broken
 * queue returns 0; after the queues are reset every mbuf is back. */
#include "fuzz_common.h"
#include "sl_mbuf.h"
#include "virtio_net.h"

#define RING 64
#define MAX_BURST 32

static uint16_t notify_sink;
static struct sl_mempool *rxmp, *txmp;
static struct virtio_rxq *rxq;
static struct virtio_txq *txq;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_eal_start();
	rxmp = sl_pktmbuf_pool_create("fuzz-rx", 255, 0, 0, SL_PKTMBUF_HEADROOM + 256);
	txmp = sl_pktmbuf_pool_create("fuzz-tx", 255, 0, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	rxq = aligned_alloc(64, sizeof(*rxq));
	txq = aligned_alloc(64, sizeof(*txq));
	memset(rxq, 0, sizeof(*rxq));
	memset(txq, 0, sizeof(*txq));
	if (rxmp == NULL || txmp == NULL || virtqueue_alloc(&rxq->vq, "fuzz rxq", 0, RING, FUZZ_PACKED) != 0 ||
	    virtqueue_alloc(&txq->vq, "fuzz txq", 1, RING, FUZZ_PACKED) != 0 ||
	    virtio_txq_hdrs_alloc(txq, "fuzz txq headers") != 0)
		abort();
	rxq->vq.notify = txq->vq.notify = &notify_sink;
	rxq->mp = rxmp;
	rxq->desc_len = sl_pktmbuf_data_room_size(rxmp) - SL_PKTMBUF_HEADROOM + VIRTIO_NET_HDR_SIZE;
	return 0;
}

static void check_pkt(const struct sl_mbuf *m)
{
	uint32_t sum = 0;
	uint16_t segs = 0;
	for (const struct sl_mbuf *s = m; s != NULL; s = s->next) {
		FUZZ_ASSERT(s->data_off + s->data_len <= s->buf_len, "segment of %u bytes at %u in a %u-byte buffer",
			    s->data_len, s->data_off, s->buf_len);
		FUZZ_ASSERT(s->pool == rxmp, "segment from another pool");
		sum += s->data_len;
		segs++;
		FUZZ_ASSERT(segs <= RING, "chain longer than the ring");
	}
	FUZZ_ASSERT(sum == m->pkt_len && segs == m->nb_segs, "pkt_len %u nb_segs %u, segments %u bytes in %u",
		    m->pkt_len, m->nb_segs, sum, segs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	struct virtqueue *rvq = &rxq->vq, *tvq = &txq->vq;
#if FUZZ_PACKED
	/* the device's packed-ring cursors */
	uint16_t rx_slot = 0, tx_slot = 0;
	bool rx_wrap = true, tx_wrap = true;
#endif
	struct sl_mbuf *shared[MAX_BURST];
	unsigned nshared = 0;

	rxq->free_thresh = (uint16_t)(1 + fuzz_u8(&in) % RING);
	txq->free_thresh = (uint16_t)(1 + fuzz_u8(&in) % RING);
	if ((FUZZ_PACKED ? virtio_rx_fill_packed(rxq) : virtio_rx_fill_split(rxq)) != 0)
		abort();
	while (in.left > 0) {
		uint8_t op = fuzz_u8(&in);
		switch (op % 6) {
		case 0: /* a used rx entry */
		case 1: { /* a used tx entry */
			struct virtqueue *vq = op % 6 == 0 ? rvq : tvq;
			uint32_t id = fuzz_u8(&in) & 1 ? fuzz_u32(&in) : fuzz_u8(&in) % RING;
			uint32_t len = fuzz_u8(&in) & 1 ? fuzz_u32(&in) : fuzz_u16(&in) % 300;
			uint16_t num = fuzz_u8(&in) & 1 ? fuzz_u16(&in) : fuzz_u8(&in) % 4;
			if (vq == rvq && id < RING && rvq->mbufs[id] != NULL)
				virtio_rx_hdr(rvq->mbufs[id])->num_buffers = num;
#if FUZZ_PACKED
			uint16_t *slot = vq == rvq ? &rx_slot : &tx_slot;
			bool *wrap = vq == rvq ? &rx_wrap : &tx_wrap;
			uint8_t how = fuzz_u8(&in);
			uint16_t flags = *wrap ? (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED) : 0;
			if (how & 0x80) /* any flags at any slot */
				flags = fuzz_u16(&in), *slot = (uint16_t)(fuzz_u8(&in) % RING);
			vq->packed.desc[*slot].id = (uint16_t)id;
			vq->packed.desc[*slot].len = len;
			__atomic_store_n(&vq->packed.desc[*slot].flags, flags, __ATOMIC_RELEASE);
			if (++*slot == RING) {
				*slot = 0;
				*wrap = !*wrap;
			}
#else
			uint16_t i = vq->split.used->idx;
			vq->split.used->ring[i & vq->mask] = (struct vring_used_elem){ .id = id, .len = len };
			__atomic_store_n(&vq->split.used->idx, (uint16_t)(i + 1), __ATOMIC_RELEASE);
#endif
			break;
		}
		case 2: { /* move a used index anywhere */
			uint16_t idx = fuzz_u16(&in);
#if FUZZ_PACKED
			*(op & 0x80 ? &rx_slot : &tx_slot) = (uint16_t)(idx % RING);
#else
			__atomic_store_n(&(op & 0x80 ? rvq : tvq)->split.used->idx, idx, __ATOMIC_RELEASE);
#endif
			break;
		}
		case 3: { /* rx burst */
			struct sl_mbuf *pkts[MAX_BURST];
			uint16_t n = (uint16_t)(fuzz_u8(&in) % (MAX_BURST + 1));
			bool broken = rvq->broken;
			uint16_t got = (op & 0x80 ? (FUZZ_PACKED ? virtio_rx_packed_mrg : virtio_rx_split_mrg)
						  : (FUZZ_PACKED ? virtio_rx_packed : virtio_rx_split))(rxq, pkts, n);
			FUZZ_ASSERT(got <= n && (!broken || got == 0), "rx burst of %u returned %u (broken %d)", n, got,
				    broken);
			for (uint16_t i = 0; i < got; i++)
				check_pkt(pkts[i]);
			sl_pktmbuf_free_bulk(pkts, got);
			break;
		}
		case 4: { /* tx burst: some mbufs shared (refcnt 2), some short of headroom */
			struct sl_mbuf *pkts[MAX_BURST];
			uint16_t n = (uint16_t)(fuzz_u8(&in) % (MAX_BURST + 1)), k = 0;
			uint8_t kinds = fuzz_u8(&in);
			for (; k < n; k++) {
				pkts[k] = sl_pktmbuf_alloc(txmp);
				if (pkts[k] == NULL)
					break;
				sl_pktmbuf_append(pkts[k], 60);
				if ((kinds >> (k % 8)) & 1 && nshared < MAX_BURST) {
					pkts[k]->refcnt = 2;
					shared[nshared++] = pkts[k];
				} else if ((kinds >> ((k + 3) % 8)) & 1) {
					pkts[k]->data_off = 2;
				}
			}
			bool broken = tvq->broken;
			uint16_t took = (FUZZ_PACKED ? virtio_tx_packed : virtio_tx_split)(txq, pkts, k);
			FUZZ_ASSERT(took <= k && (!broken || took == 0), "tx burst of %u took %u", k, took);
			sl_pktmbuf_free_bulk(pkts + took, k - took);
			/* drop our references to shared ones that are done */
			break;
		}
		case 5: /* the device writes into a header it should not (rx buffer) */
			if (rvq->mbufs[op % RING] != NULL)
				virtio_rx_hdr(rvq->mbufs[op % RING])->num_buffers = fuzz_u16(&in);
			break;
		}
	}
	virtqueue_drop_mbufs(rvq);
	virtqueue_drop_mbufs(tvq);
	for (unsigned i = 0; i < nshared; i++)
		sl_pktmbuf_free(shared[i]);
	FUZZ_ASSERT(sl_mempool_avail_count(rxmp) == sl_mempool_size(rxmp), "rx pool: %u of %u mbufs back",
		    sl_mempool_avail_count(rxmp), sl_mempool_size(rxmp));
	FUZZ_ASSERT(sl_mempool_avail_count(txmp) == sl_mempool_size(txmp), "tx pool: %u of %u mbufs back",
		    sl_mempool_avail_count(txmp), sl_mempool_size(txmp));
	return 0;
}
