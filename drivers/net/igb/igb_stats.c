/* igb_stats.c: net_igb statistics. The 82576's counters clear on read, so
 * every read adds them into 64-bit totals kept in the adapter. Basic
 * stats: packets and bytes from the good-packet counters (bytes without
 * the 4 CRC bytes the device counts), imissed from the missed-packet and
 * per-queue drop counters, ierrors from the frame-error counters; the
 * per-queue counters come from the driver's own queue counters. Extended
 * stats: every hardware counter under its own name, then per-queue drops
 * and mbuf allocation failures. */
#include <stdio.h>
#include <string.h>

#include "igb_ethdev.h"

const struct igb_hw_stat_def igb_hw_stat_defs[] = {
	{"rx_crc_errors", IGB_CRCERRS, 0},
	{"rx_align_errors", IGB_ALGNERRC, 0},
	{"rx_symbol_errors", IGB_SYMERRS, 0},
	{"rx_errors", IGB_RXERRC, 0},
	{"rx_missed_packets", IGB_MPC, 0},
	{"tx_single_collision_packets", IGB_SCC, 0},
	{"tx_excessive_collision_packets", IGB_ECOL, 0},
	{"tx_multiple_collision_packets", IGB_MCC, 0},
	{"tx_late_collisions", IGB_LATECOL, 0},
	{"tx_total_collisions", IGB_COLC, 0},
	{"tx_deferred_packets", IGB_DC, 0},
	{"tx_no_carrier_sense_packets", IGB_TNCRS, 0},
	{"rx_sequence_errors", IGB_SEC, 0},
	{"rx_carrier_ext_errors", IGB_CEXTERR, 0},
	{"rx_length_errors", IGB_RLEC, 0},
	{"rx_xon_packets", IGB_XONRXC, 0},
	{"tx_xon_packets", IGB_XONTXC, 0},
	{"rx_xoff_packets", IGB_XOFFRXC, 0},
	{"tx_xoff_packets", IGB_XOFFTXC, 0},
	{"rx_flow_control_unsupported_packets", IGB_FCRUC, 0},
	{"rx_size_64_packets", IGB_PRC64, 0},
	{"rx_size_65_to_127_packets", IGB_PRC127, 0},
	{"rx_size_128_to_255_packets", IGB_PRC255, 0},
	{"rx_size_256_to_511_packets", IGB_PRC511, 0},
	{"rx_size_512_to_1023_packets", IGB_PRC1023, 0},
	{"rx_size_1024_to_max_packets", IGB_PRC1522, 0},
	{"rx_good_packets_hw", IGB_GPRC, 0},
	{"rx_broadcast_packets", IGB_BPRC, 0},
	{"rx_multicast_packets", IGB_MPRC, 0},
	{"tx_good_packets_hw", IGB_GPTC, 0},
	{"rx_good_bytes_hw", IGB_GORCL, IGB_GORCH},
	{"tx_good_bytes_hw", IGB_GOTCL, IGB_GOTCH},
	{"rx_no_buffers", IGB_RNBC, 0},
	{"rx_undersize_packets", IGB_RUC, 0},
	{"rx_fragment_errors", IGB_RFC, 0},
	{"rx_oversize_packets", IGB_ROC, 0},
	{"rx_jabber_errors", IGB_RJC, 0},
	{"rx_management_packets", IGB_MGTPRC, 0},
	{"rx_management_dropped", IGB_MGTPDC, 0},
	{"tx_management_packets", IGB_MGTPTC, 0},
	{"rx_total_bytes", IGB_TORL, IGB_TORH},
	{"tx_total_bytes", IGB_TOTL, IGB_TOTH},
	{"rx_total_packets", IGB_TPR, 0},
	{"tx_total_packets", IGB_TPT, 0},
	{"tx_size_64_packets", IGB_PTC64, 0},
	{"tx_size_65_to_127_packets", IGB_PTC127, 0},
	{"tx_size_128_to_255_packets", IGB_PTC255, 0},
	{"tx_size_256_to_511_packets", IGB_PTC511, 0},
	{"tx_size_512_to_1023_packets", IGB_PTC1023, 0},
	{"tx_size_1024_to_max_packets", IGB_PTC1522, 0},
	{"tx_multicast_packets", IGB_MPTC, 0},
	{"tx_broadcast_packets", IGB_BPTC, 0},
	{"tx_tso_packets", IGB_TSCTC, 0},
	{"tx_tso_errors", IGB_TSCTFC, 0},
};
const unsigned igb_hw_stat_count = SL_DIM(igb_hw_stat_defs);
_Static_assert(SL_DIM(igb_hw_stat_defs) <= IGB_HW_STATS_MAX, "IGB_HW_STATS_MAX too small");

enum {
	S_CRCERRS = 0, S_ALGNERRC = 1, S_SYMERRS = 2, S_RXERRC = 3, S_MPC = 4, S_SEC = 12, S_CEXTERR = 13,
	S_RLEC = 14, S_GPRC = 26, S_GPTC = 29, S_GORC = 30, S_GOTC = 31, S_RFC = 34, S_ROC = 35, S_RJC = 36,
};

/* Add the counters into the totals (reading them clears them). For the
 * 64-bit ones the low word is read first: reading the high word clears
 * both. */
void igb_hw_stats_update(struct igb_adapter *ad)
{
	for (unsigned i = 0; i < igb_hw_stat_count; i++) {
		const struct igb_hw_stat_def *s = &igb_hw_stat_defs[i];
		uint64_t v = igb_read(ad, s->reg);
		if (s->reg_hi != 0)
			v |= (uint64_t)igb_read(ad, s->reg_hi) << 32;
		ad->hw_stats[i] += v;
	}
	for (unsigned q = 0; q < IGB_MAX_QUEUES; q++)
		ad->rqdpc[q] += igb_read(ad, IGB_RQDPC(q));
}

void igb_hw_stats_clear(struct igb_adapter *ad)
{
	igb_hw_stats_update(ad);
	memset(ad->hw_stats, 0, sizeof(ad->hw_stats));
	memset(ad->rqdpc, 0, sizeof(ad->rqdpc));
}

int igb_stats_get(struct sl_eth_dev *dev, struct sl_eth_stats *st)
{
	struct igb_adapter *ad = dev->dev_private;
	const uint64_t *h = ad->hw_stats;

	igb_hw_stats_update(ad);
	st->ipackets = h[S_GPRC];
	st->opackets = h[S_GPTC];
	st->ibytes = h[S_GORC] - h[S_GPRC] * SL_ETHER_CRC_LEN;
	st->obytes = h[S_GOTC] - h[S_GPTC] * SL_ETHER_CRC_LEN;
	st->imissed = h[S_MPC];
	for (unsigned q = 0; q < IGB_MAX_QUEUES; q++)
		st->imissed += ad->rqdpc[q];
	st->ierrors = h[S_CRCERRS] + h[S_ALGNERRC] + h[S_SYMERRS] + h[S_RXERRC] + h[S_SEC] + h[S_CEXTERR] +
		      h[S_RLEC] + h[S_RFC] + h[S_ROC] + h[S_RJC];
	for (uint16_t q = 0; q < dev->nb_rx_queues && q < SL_MAX_QUEUES_PER_PORT; q++) {
		const struct igb_rx_queue *rxq = dev->rx_queues[q];
		if (rxq == NULL)
			continue;
		st->q_ipackets[q] = IGB_COUNTER_READ(rxq->rx_pkts);
		st->q_ibytes[q] = IGB_COUNTER_READ(rxq->rx_bytes);
		st->q_errors[q] = IGB_COUNTER_READ(rxq->rx_errors);
		st->rx_nombuf += IGB_COUNTER_READ(rxq->rx_nombuf);
	}
	for (uint16_t q = 0; q < dev->nb_tx_queues && q < SL_MAX_QUEUES_PER_PORT; q++) {
		const struct igb_tx_queue *txq = dev->tx_queues[q];
		if (txq == NULL)
			continue;
		st->q_opackets[q] = IGB_COUNTER_READ(txq->tx_pkts);
		st->q_obytes[q] = IGB_COUNTER_READ(txq->tx_bytes);
	}
	return 0;
}

int igb_stats_reset(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	igb_hw_stats_clear(ad);
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		struct igb_rx_queue *rxq = dev->rx_queues[q];
		struct igb_tx_queue *txq = dev->tx_queues[q];
		if (rxq != NULL) {
			IGB_COUNTER_CLEAR(rxq->rx_pkts);
			IGB_COUNTER_CLEAR(rxq->rx_bytes);
			IGB_COUNTER_CLEAR(rxq->rx_nombuf);
			IGB_COUNTER_CLEAR(rxq->rx_errors);
		}
		if (txq != NULL) {
			IGB_COUNTER_CLEAR(txq->tx_pkts);
			IGB_COUNTER_CLEAR(txq->tx_bytes);
		}
	}
	return 0;
}

/* Hardware counters, then rx_qN_drops (RQDPC), rx_qN_mbuf_allocation_errors
 * and rx_qN_bad_descriptors (RXE frames dropped, and a ring the device broke:
 * see igb_rx.c) for the configured rx queues. */
int igb_xstats_get_names(struct sl_eth_dev *dev, struct sl_eth_xstat_name *names, unsigned size)
{
	unsigned nq = dev->nb_rx_queues, total = igb_hw_stat_count + 3 * nq;
	if (names == NULL || size < total)
		return (int)total;
	unsigned k = 0;
	for (unsigned i = 0; i < igb_hw_stat_count; i++, k++)
		snprintf(names[k].name, sizeof(names[k].name), "%s", igb_hw_stat_defs[i].name);
	for (unsigned q = 0; q < nq; q++, k++)
		snprintf(names[k].name, sizeof(names[k].name), "rx_q%u_drops", q);
	for (unsigned q = 0; q < nq; q++, k++)
		snprintf(names[k].name, sizeof(names[k].name), "rx_q%u_mbuf_allocation_errors", q);
	for (unsigned q = 0; q < nq; q++, k++)
		snprintf(names[k].name, sizeof(names[k].name), "rx_q%u_bad_descriptors", q);
	return (int)total;
}

int igb_xstats_get(struct sl_eth_dev *dev, uint64_t *values, unsigned size)
{
	struct igb_adapter *ad = dev->dev_private;
	unsigned nq = dev->nb_rx_queues, total = igb_hw_stat_count + 3 * nq;
	if (values == NULL || size < total)
		return (int)total;
	igb_hw_stats_update(ad);
	unsigned k = 0;
	for (unsigned i = 0; i < igb_hw_stat_count; i++, k++)
		values[k] = ad->hw_stats[i];
	for (unsigned q = 0; q < nq; q++, k++)
		values[k] = ad->rqdpc[q];
	for (unsigned q = 0; q < nq; q++, k++) {
		const struct igb_rx_queue *rxq = dev->rx_queues[q];
		values[k] = rxq ? IGB_COUNTER_READ(rxq->rx_nombuf) : 0;
	}
	for (unsigned q = 0; q < nq; q++, k++) {
		const struct igb_rx_queue *rxq = dev->rx_queues[q];
		values[k] = rxq ? IGB_COUNTER_READ(rxq->rx_errors) : 0;
	}
	return (int)total;
}

int igb_xstats_reset(struct sl_eth_dev *dev)
{
	return igb_stats_reset(dev);
}
