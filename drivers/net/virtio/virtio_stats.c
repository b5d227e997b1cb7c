/* virtio_stats.c: net_virtio's statistics: the port's basic counters and
 * the driver xstats, summed from the per-queue counters, and their reset. */
#include <string.h>

#include "virtio_ethdev.h"

int virtio_stats_get(struct sl_eth_dev *dev, struct sl_eth_stats *st)
{
	struct virtio_net_private *p = dev->dev_private;
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		struct virtio_rxq *rxq = p->rxq[q];
		struct virtio_txq *txq = p->txq[q];
		if (rxq != NULL) {
			uint64_t n = VQ_COUNTER_READ(rxq->packets), b = VQ_COUNTER_READ(rxq->bytes);
			st->q_ipackets[q] = n;
			st->q_ibytes[q] = b;
			st->q_errors[q] = VQ_COUNTER_READ(rxq->errors);
			st->ipackets += n;
			st->ibytes += b;
			st->ierrors += VQ_COUNTER_READ(rxq->errors);
			st->rx_nombuf += VQ_COUNTER_READ(rxq->nombuf);
		}
		if (txq != NULL) {
			uint64_t n = VQ_COUNTER_READ(txq->packets), b = VQ_COUNTER_READ(txq->bytes);
			st->q_opackets[q] = n;
			st->q_obytes[q] = b;
			st->opackets += n;
			st->obytes += b;
			st->oerrors += VQ_COUNTER_READ(txq->errors);
		}
	}
	return 0;
}

int virtio_stats_reset(struct sl_eth_dev *dev)
{
	struct virtio_net_private *p = dev->dev_private;
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		struct virtio_rxq *rxq = p->rxq[q];
		struct virtio_txq *txq = p->txq[q];
		if (rxq != NULL) {
			__atomic_store_n(&rxq->packets, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->bytes, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->errors, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->nombuf, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->merged, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->vq.kicks, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&rxq->vq.kicks_suppressed, 0, __ATOMIC_RELAXED);
		}
		if (txq != NULL) {
			__atomic_store_n(&txq->packets, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->bytes, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->errors, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->ring_full, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->hdr_descs, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->vq.kicks, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&txq->vq.kicks_suppressed, 0, __ATOMIC_RELAXED);
		}
	}
	return 0;
}

/* Driver xstats: per rx queue 5 counters, per tx queue 5, then the port's
 * control commands. */
static const char *const rx_xstat_names[] = {"mbuf_allocation_errors", "merged_packets", "bad_completions",
					     "kicks", "kicks_suppressed"};
static const char *const tx_xstat_names[] = {"refused_packets", "ring_full", "kicks", "kicks_suppressed",
					     "header_descriptors"};
#define RX_XSTATS SL_DIM(rx_xstat_names)
#define TX_XSTATS SL_DIM(tx_xstat_names)

static unsigned xstats_count(const struct sl_eth_dev *dev)
{
	return dev->nb_rx_queues * RX_XSTATS + dev->nb_tx_queues * TX_XSTATS + 1;
}

int virtio_xstats_get_names(struct sl_eth_dev *dev, struct sl_eth_xstat_name *names, unsigned size)
{
	unsigned n = xstats_count(dev), i = 0;
	if (names == NULL || size < n)
		return (int)n;
	for (unsigned q = 0; q < dev->nb_rx_queues; q++)
		for (unsigned k = 0; k < RX_XSTATS; k++)
			snprintf(names[i++].name, SL_ETH_XSTATS_NAME_SIZE, "rx_q%u_%s", q, rx_xstat_names[k]);
	for (unsigned q = 0; q < dev->nb_tx_queues; q++)
		for (unsigned k = 0; k < TX_XSTATS; k++)
			snprintf(names[i++].name, SL_ETH_XSTATS_NAME_SIZE, "tx_q%u_%s", q, tx_xstat_names[k]);
	snprintf(names[i++].name, SL_ETH_XSTATS_NAME_SIZE, "control_commands");
	return (int)n;
}

int virtio_xstats_get(struct sl_eth_dev *dev, uint64_t *values, unsigned size)
{
	struct virtio_net_private *p = dev->dev_private;
	unsigned n = xstats_count(dev), i = 0;
	if (values == NULL || size < n)
		return (int)n;
	for (unsigned q = 0; q < dev->nb_rx_queues; q++) {
		struct virtio_rxq *r = p->rxq[q];
		uint64_t v[RX_XSTATS] = {0};
		if (r != NULL) {
			v[0] = VQ_COUNTER_READ(r->nombuf);
			v[1] = VQ_COUNTER_READ(r->merged);
			v[2] = VQ_COUNTER_READ(r->errors);
			v[3] = VQ_COUNTER_READ(r->vq.kicks);
			v[4] = VQ_COUNTER_READ(r->vq.kicks_suppressed);
		}
		for (unsigned k = 0; k < RX_XSTATS; k++)
			values[i++] = v[k];
	}
	for (unsigned q = 0; q < dev->nb_tx_queues; q++) {
		struct virtio_txq *t = p->txq[q];
		uint64_t v[TX_XSTATS] = {0};
		if (t != NULL) {
			v[0] = VQ_COUNTER_READ(t->errors);
			v[1] = VQ_COUNTER_READ(t->ring_full);
			v[2] = VQ_COUNTER_READ(t->vq.kicks);
			v[3] = VQ_COUNTER_READ(t->vq.kicks_suppressed);
			v[4] = VQ_COUNTER_READ(t->hdr_descs);
		}
		for (unsigned k = 0; k < TX_XSTATS; k++)
			values[i++] = v[k];
	}
	values[i++] = p->ctrl_commands;
	return (int)n;
}

int virtio_xstats_reset(struct sl_eth_dev *dev)
{
	struct virtio_net_private *p = dev->dev_private;
	p->ctrl_commands = 0;
	return virtio_stats_reset(dev);
}
