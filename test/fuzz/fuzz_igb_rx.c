/* fuzz_igb_rx.c: libFuzzer target: net_igb's receive burst against a device
 * the input plays, replay-harness style (BAR0 is plain memory): operations
 * write back any descriptor (status/error bits, length, RSS words), run
 * bursts of any size, or stop and restart the queue. Invariants: a burst
 * returns no more than asked, a broken queue returns 0, every returned
 * mbuf's length fits its buffer and no mbuf comes out twice in a burst,
 * the tail register stays inside the ring, and after stop every mbuf is
 * back in the pool. */
#include "fuzz_common.h"
#include "igb_ethdev.h"

#define NB_DESC 64
#define MAX_BURST 80

static struct sl_mempool *mp;
static struct igb_adapter ad;
static struct sl_eth_dev dev;
static uint8_t *bar;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_eal_start();
	mp = sl_pktmbuf_pool_create("fuzz-igb", 255, 0, 0, SL_MBUF_DEFAULT_BUF_SIZE);
	bar = aligned_alloc(4096, 128 * 1024);
	if (mp == NULL || bar == NULL)
		abort();
	memset(bar, 0, 128 * 1024);
	ad.bar0 = bar;
	ad.bar0_len = 128 * 1024;
	ad.dev = &dev;
	snprintf(dev.name, sizeof(dev.name), "fuzz-igb");
	dev.dev_private = &ad;
	dev.nb_rx_queues = 1;
	dev.nb_tx_queues = 1;
	struct sl_eth_rxconf conf = {.rx_free_thresh = 16};
	if (igb_rx_queue_setup(&dev, 0, NB_DESC, &conf, mp) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	struct igb_rx_queue *rxq = dev.rx_queues[0];

	if (igb_rx_queue_start(&ad, rxq) != 0)
		abort();
	while (in.left > 0) {
		uint8_t op = fuzz_u8(&in);
		switch (op % 4) {
		case 0:
		case 1: { /* write back descriptor next+k (or any) */
			uint16_t idx = (uint16_t)((op & 0x80 ? fuzz_u8(&in) : rxq->next + fuzz_u8(&in) % 4) % NB_DESC);
			volatile union igb_adv_rx_desc *d = &rxq->ring[idx];
			uint8_t sel = fuzz_u8(&in);
			uint32_t staterr = sel & 1 ? fuzz_u32(&in)
						   : IGB_RXD_STAT_DD | IGB_RXD_STAT_EOP | (sel & 2 ? IGB_RXD_ERR_RXE : 0);
			uint16_t len = sel & 4 ? fuzz_u16(&in) : (uint16_t)(60 + fuzz_u8(&in) * 4);
			d->qw[0] = sel & 8 ? (uint64_t)fuzz_u32(&in) << 32 | fuzz_u32(&in) : 0;
			d->wb.length = len;
			d->wb.status_error = staterr;
			break;
		}
		case 2: { /* burst */
			struct sl_mbuf *pkts[MAX_BURST];
			uint16_t n = (uint16_t)(fuzz_u8(&in) % (MAX_BURST + 1));
			bool broken = rxq->broken;
			uint16_t got = igb_recv_pkts(rxq, pkts, n);
			FUZZ_ASSERT(got <= n && (!broken || got == 0), "burst of %u returned %u (broken %d)", n, got,
				    broken);
			for (uint16_t i = 0; i < got; i++) {
				FUZZ_ASSERT(pkts[i]->data_len <= rxq->buf_size && pkts[i]->pkt_len == pkts[i]->data_len &&
						    pkts[i]->nb_segs == 1 && pkts[i]->refcnt == 1,
					    "packet %u: %u bytes, %u segs, refcnt %u", i, pkts[i]->data_len,
					    pkts[i]->nb_segs, pkts[i]->refcnt);
				for (uint16_t j = 0; j < i; j++)
					FUZZ_ASSERT(pkts[i] != pkts[j], "mbuf returned twice in one burst");
			}
			sl_pktmbuf_free_bulk(pkts, got);
			uint32_t rdt = *(volatile uint32_t *)(bar + IGB_RDT(0));
			FUZZ_ASSERT(rdt < NB_DESC, "RDT %u outside the ring", rdt);
			break;
		}
		case 3: /* stop and restart */
			igb_rx_queue_stop(&ad, rxq);
			FUZZ_ASSERT(sl_mempool_avail_count(mp) == sl_mempool_size(mp), "after stop: %u of %u mbufs",
				    sl_mempool_avail_count(mp), sl_mempool_size(mp));
			if (igb_rx_queue_start(&ad, rxq) != 0)
				abort();
			break;
		}
	}
	igb_rx_queue_stop(&ad, rxq);
	FUZZ_ASSERT(sl_mempool_avail_count(mp) == sl_mempool_size(mp), "after stop: %u of %u mbufs back",
		    sl_mempool_avail_count(mp), sl_mempool_size(mp));
	return 0;
}
