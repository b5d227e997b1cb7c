/* rte_ethdev.c: DPDK's nested ethdev structures converted to and from
 * Sluice's flat ones, and the checks that refuse what Sluice cannot honour
 * (-ENOTSUP, rte_errno, logged once). doc/dpdk-compat.md has the table. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "compat_private.h"
#include "rte_ethdev.h"
#include "rte_mbuf.h"

/* Queue counts given to rte_eth_dev_configure, for dev_info's
 * nb_rx_queues/nb_tx_queues (Sluice's info has no such fields). */
static uint16_t configured_rxq[RTE_MAX_ETHPORTS], configured_txq[RTE_MAX_ETHPORTS];

static const uint32_t no_dev_flags;

/* Sluice reports its best speed in Mbps; DPDK a bitmap of speeds. */
static uint32_t speed_capa_of(uint32_t mbps)
{
	static const struct {
		uint32_t mbps, flag;
	} speeds[] = {
		{10, RTE_ETH_LINK_SPEED_10M},       {100, RTE_ETH_LINK_SPEED_100M},
		{1000, RTE_ETH_LINK_SPEED_1G},      {2500, RTE_ETH_LINK_SPEED_2_5G},
		{5000, RTE_ETH_LINK_SPEED_5G},      {10000, RTE_ETH_LINK_SPEED_10G},
		{20000, RTE_ETH_LINK_SPEED_20G},    {25000, RTE_ETH_LINK_SPEED_25G},
		{40000, RTE_ETH_LINK_SPEED_40G},    {50000, RTE_ETH_LINK_SPEED_50G},
		{56000, RTE_ETH_LINK_SPEED_56G},    {100000, RTE_ETH_LINK_SPEED_100G},
		{200000, RTE_ETH_LINK_SPEED_200G},
	};
	for (size_t i = 0; i < SL_DIM(speeds); i++)
		if (speeds[i].mbps == mbps)
			return speeds[i].flag;
	return 0;
}

int rte_eth_dev_info_get(uint16_t port_id, struct rte_eth_dev_info *dev_info)
{
	struct sl_eth_dev_info si;
	int ret;

	if (dev_info == NULL)
		return compat_ret(-EINVAL);
	memset(dev_info, 0, sizeof(*dev_info));
	ret = sl_eth_dev_info_get(port_id, &si);
	if (ret != 0)
		return compat_ret(ret);

	dev_info->device = NULL;
	dev_info->driver_name = si.driver_name;
	dev_info->dev_flags = &no_dev_flags;
	dev_info->min_mtu = si.min_mtu;
	dev_info->max_mtu = si.max_mtu;
	dev_info->max_rx_pktlen = si.max_rx_pktlen;
	dev_info->max_rx_queues = si.max_rx_queues;
	dev_info->max_tx_queues = si.max_tx_queues;
	dev_info->max_mac_addrs = si.max_mac_addrs;
	dev_info->rx_offload_capa = si.rx_offload_capa;
	dev_info->tx_offload_capa = si.tx_offload_capa;
	/* Sluice takes offloads per queue as well as per port, checked
	 * against the same capabilities */
	dev_info->rx_queue_offload_capa = si.rx_offload_capa;
	dev_info->tx_queue_offload_capa = si.tx_offload_capa;
	dev_info->reta_size = si.reta_size;
	dev_info->hash_key_size = si.hash_key_size;
	dev_info->flow_type_rss_offloads = si.flow_type_rss_offloads;
	/* default_rxconf/txconf stay zero: Sluice's drivers choose their
	 * thresholds when given 0 */
	dev_info->rx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = si.rx_desc_max, .nb_min = si.rx_desc_min, .nb_align = si.rx_desc_align,
		.nb_seg_max = UINT16_MAX, .nb_mtu_seg_max = UINT16_MAX};
	dev_info->tx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = si.tx_desc_max, .nb_min = si.tx_desc_min, .nb_align = si.tx_desc_align,
		.nb_seg_max = UINT16_MAX, .nb_mtu_seg_max = UINT16_MAX};
	dev_info->speed_capa = speed_capa_of(si.speed_capa_mbps);
	if (port_id < RTE_MAX_ETHPORTS) {
		dev_info->nb_rx_queues = configured_rxq[port_id];
		dev_info->nb_tx_queues = configured_txq[port_id];
	}
	/* the port's preferred ring sizes; no preferred burst or queue count */
	dev_info->default_rxportconf.ring_size = si.rx_desc_default;
	dev_info->default_txportconf.ring_size = si.tx_desc_default;
	dev_info->switch_info.name = si.name;
	dev_info->switch_info.domain_id = RTE_ETH_DEV_SWITCH_DOMAIN_ID_INVALID;
	dev_info->err_handle_mode = RTE_ETH_ERROR_HANDLE_MODE_NONE;
	return 0;
}

static int check_offloads(uint16_t port_id, const char *what, uint64_t asked, uint64_t capa)
{
	if ((asked & ~capa) != 0)
		COMPAT_REFUSE("port %u: %s offloads 0x%" PRIx64 " asked for, but the port reports only 0x%" PRIx64
			      " (dev_info.%s_offload_capa); leave them out", port_id, what, asked & ~capa, capa,
			      what);
	return 0;
}

int rte_eth_dev_configure(uint16_t port_id, uint16_t nb_rx_queue, uint16_t nb_tx_queue,
			  const struct rte_eth_conf *eth_conf)
{
	static const struct rte_eth_conf zero_conf;
	const struct rte_eth_conf *c = eth_conf ? eth_conf : &zero_conf;
	struct sl_eth_dev_info si;
	struct sl_eth_conf sc = {0};
	int ret;

	ret = sl_eth_dev_info_get(port_id, &si);
	if (ret != 0)
		return compat_ret(ret);

	if (c->link_speeds != RTE_ETH_LINK_SPEED_AUTONEG)
		COMPAT_REFUSE("port %u: link_speeds 0x%x asked for; Sluice does not set link speeds "
			      "(use RTE_ETH_LINK_SPEED_AUTONEG)", port_id, c->link_speeds);
	if (c->lpbk_mode != 0)
		COMPAT_REFUSE("port %u: loopback mode %u asked for; Sluice has no loopback modes",
			      port_id, c->lpbk_mode);
	if (c->dcb_capability_en != 0)
		COMPAT_REFUSE("port %u: DCB capabilities asked for; Sluice has no DCB", port_id);
	if (c->intr_conf.rmv)
		COMPAT_REFUSE("port %u: intr_conf.rmv = 1 asked for; this layer does not deliver "
			      "RTE_ETH_EVENT_INTR_RMV (Sluice's own sl_eth_dev_callback_register does)",
			      port_id);
	if (c->txmode.mq_mode != RTE_ETH_MQ_TX_NONE)
		COMPAT_REFUSE("port %u: txmode.mq_mode %d asked for; Sluice has no DCB or VMDq (use "
			      "RTE_ETH_MQ_TX_NONE)", port_id, (int)c->txmode.mq_mode);
	if (c->txmode.pvid != 0 || c->txmode.hw_vlan_reject_tagged || c->txmode.hw_vlan_reject_untagged ||
	    c->txmode.hw_vlan_insert_pvid)
		COMPAT_REFUSE("port %u: txmode port VLAN settings asked for; Sluice has none", port_id);
	if ((ret = check_offloads(port_id, "rx", c->rxmode.offloads, si.rx_offload_capa)) != 0 ||
	    (ret = check_offloads(port_id, "tx", c->txmode.offloads, si.tx_offload_capa)) != 0)
		return ret;
	if (c->rxmode.mtu > UINT16_MAX)
		return compat_ret(-EINVAL);

	/* DPDK's NONE (the zeroed default) is Sluice's NONE: every frame on
	 * queue 0, whatever the queue count. Sluice's own zero (AUTO) would
	 * turn RSS on with two or more queues. */
	switch (c->rxmode.mq_mode) {
	case RTE_ETH_MQ_RX_NONE:
		sc.rx_mq_mode = SL_ETH_MQ_RX_NONE;
		break;
	case RTE_ETH_MQ_RX_RSS:
		if (c->rx_adv_conf.rss_conf.rss_hf == 0) {
			/* DPDK's drivers hash nothing with no hash types: frames
			 * go to queue 0, which is Sluice's NONE */
			sc.rx_mq_mode = SL_ETH_MQ_RX_NONE;
			break;
		}
		sc.rx_mq_mode = SL_ETH_MQ_RX_RSS;
		sc.rss_conf.rss_key = c->rx_adv_conf.rss_conf.rss_key;
		sc.rss_conf.rss_key_len = c->rx_adv_conf.rss_conf.rss_key_len;
		sc.rss_conf.rss_hf = c->rx_adv_conf.rss_conf.rss_hf;
		break;
	default:
		COMPAT_REFUSE("port %u: rxmode.mq_mode %d (DCB/VMDq) asked for; Sluice has RSS "
			      "(RTE_ETH_MQ_RX_RSS) or none", port_id, (int)c->rxmode.mq_mode);
	}
	sc.mtu = (uint16_t)c->rxmode.mtu;
	sc.rx_offloads = c->rxmode.offloads;
	sc.tx_offloads = c->txmode.offloads;
	sc.intr_conf.rxq = c->intr_conf.rxq;
	sc.intr_conf.lsc = c->intr_conf.lsc; /* refused by Sluice where the driver has no link interrupt */

	ret = sl_eth_dev_configure(port_id, nb_rx_queue, nb_tx_queue, &sc);
	if (ret != 0)
		return compat_ret(ret);
	if (port_id < RTE_MAX_ETHPORTS) {
		configured_rxq[port_id] = nb_rx_queue;
		configured_txq[port_id] = nb_tx_queue;
	}
	return 0;
}

int rte_eth_rx_queue_setup(uint16_t port_id, uint16_t rx_queue_id, uint16_t nb_rx_desc,
			   unsigned int socket_id, const struct rte_eth_rxconf *rx_conf,
			   struct rte_mempool *mb_pool)
{
	struct sl_eth_rxconf sc = {0};
	struct sl_eth_dev_info si;
	int ret;

	if (compat_socket_check((int)socket_id, "rx queue setup") < 0)
		return -EINVAL;
	if (rx_conf != NULL) {
		const struct rte_eth_rxconf *r = rx_conf;
		if (r->rx_thresh.pthresh || r->rx_thresh.hthresh || r->rx_thresh.wthresh)
			COMPAT_REFUSE("port %u rx queue %u: rx_thresh asked for; Sluice's drivers set "
				      "their own prefetch/host/write-back thresholds (leave them 0)",
				      port_id, rx_queue_id);
		if (r->rx_drop_en)
			COMPAT_REFUSE("port %u rx queue %u: rx_drop_en asked for; not a Sluice setting",
				      port_id, rx_queue_id);
		if (r->rx_deferred_start)
			COMPAT_REFUSE("port %u rx queue %u: deferred start asked for; Sluice starts every "
				      "queue with the port", port_id, rx_queue_id);
		if (r->rx_nseg != 0 || r->rx_seg != NULL)
			COMPAT_REFUSE("port %u rx queue %u: buffer split asked for; Sluice has none",
				      port_id, rx_queue_id);
		if (r->share_group != 0)
			COMPAT_REFUSE("port %u rx queue %u: shared rx queues asked for; Sluice has none",
				      port_id, rx_queue_id);
		if (r->rx_mempools != NULL || r->rx_nmempool != 0)
			COMPAT_REFUSE("port %u rx queue %u: several mempools asked for; Sluice takes one",
				      port_id, rx_queue_id);
		ret = sl_eth_dev_info_get(port_id, &si);
		if (ret != 0)
			return compat_ret(ret);
		if ((ret = check_offloads(port_id, "rx", r->offloads, si.rx_offload_capa)) != 0)
			return ret;
		sc.rx_free_thresh = r->rx_free_thresh;
		sc.offloads = r->offloads;
	}
	return compat_ret(sl_eth_rx_queue_setup(port_id, rx_queue_id, nb_rx_desc, &sc, mb_pool));
}

int rte_eth_tx_queue_setup(uint16_t port_id, uint16_t tx_queue_id, uint16_t nb_tx_desc,
			   unsigned int socket_id, const struct rte_eth_txconf *tx_conf)
{
	struct sl_eth_txconf sc = {0};
	struct sl_eth_dev_info si;
	int ret;

	if (compat_socket_check((int)socket_id, "tx queue setup") < 0)
		return -EINVAL;
	if (tx_conf != NULL) {
		const struct rte_eth_txconf *t = tx_conf;
		if (t->tx_thresh.pthresh || t->tx_thresh.hthresh || t->tx_thresh.wthresh)
			COMPAT_REFUSE("port %u tx queue %u: tx_thresh asked for; Sluice's drivers set "
				      "their own prefetch/host/write-back thresholds (leave them 0)",
				      port_id, tx_queue_id);
		if (t->tx_deferred_start)
			COMPAT_REFUSE("port %u tx queue %u: deferred start asked for; Sluice starts every "
				      "queue with the port", port_id, tx_queue_id);
		ret = sl_eth_dev_info_get(port_id, &si);
		if (ret != 0)
			return compat_ret(ret);
		if ((ret = check_offloads(port_id, "tx", t->offloads, si.tx_offload_capa)) != 0)
			return ret;
		sc.tx_rs_thresh = t->tx_rs_thresh;
		sc.tx_free_thresh = t->tx_free_thresh;
		sc.offloads = t->offloads;
	}
	return compat_ret(sl_eth_tx_queue_setup(port_id, tx_queue_id, nb_tx_desc, &sc));
}

int rte_eth_stats_get(uint16_t port_id, struct rte_eth_stats *stats)
{
	struct sl_eth_stats s;
	int ret;

	if (stats == NULL)
		return compat_ret(-EINVAL);
	ret = sl_eth_stats_get(port_id, &s);
	if (ret != 0)
		return compat_ret(ret);
	memset(stats, 0, sizeof(*stats));
	stats->ipackets = s.ipackets;
	stats->opackets = s.opackets;
	stats->ibytes = s.ibytes;
	stats->obytes = s.obytes;
	stats->imissed = s.imissed;
	stats->ierrors = s.ierrors;
	stats->oerrors = s.oerrors;
	stats->rx_nombuf = s.rx_nombuf;
	_Static_assert(RTE_ETHDEV_QUEUE_STAT_CNTRS == SL_MAX_QUEUES_PER_PORT, "per-queue counters");
	memcpy(stats->q_ipackets, s.q_ipackets, sizeof(stats->q_ipackets));
	memcpy(stats->q_opackets, s.q_opackets, sizeof(stats->q_opackets));
	memcpy(stats->q_ibytes, s.q_ibytes, sizeof(stats->q_ibytes));
	memcpy(stats->q_obytes, s.q_obytes, sizeof(stats->q_obytes));
	memcpy(stats->q_errors, s.q_errors, sizeof(stats->q_errors));
	return 0;
}

static void link_from_sl(struct rte_eth_link *l, const struct sl_eth_link *s)
{
	memset(l, 0, sizeof(*l));
	l->link_status = s->status == SL_ETH_LINK_UP ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	l->link_speed = s->status == SL_ETH_LINK_UP ? (s->speed_mbps ? s->speed_mbps : RTE_ETH_SPEED_NUM_UNKNOWN)
						    : RTE_ETH_SPEED_NUM_NONE;
	l->link_duplex = s->full_duplex ? RTE_ETH_LINK_FULL_DUPLEX : RTE_ETH_LINK_HALF_DUPLEX;
	l->link_autoneg = s->autoneg ? RTE_ETH_LINK_AUTONEG : RTE_ETH_LINK_FIXED;
}

int rte_eth_link_get_nowait(uint16_t port_id, struct rte_eth_link *link)
{
	struct sl_eth_link s;
	int ret;

	if (link == NULL)
		return compat_ret(-EINVAL);
	ret = sl_eth_link_get_nowait(port_id, &s);
	if (ret != 0)
		return compat_ret(ret);
	link_from_sl(link, &s);
	return 0;
}

int rte_eth_link_get(uint16_t port_id, struct rte_eth_link *link)
{
	struct sl_eth_link s;
	int ret;

	if (link == NULL)
		return compat_ret(-EINVAL);
	ret = sl_eth_link_wait(port_id, 9000, &s);
	if (ret == -ETIMEDOUT)
		ret = sl_eth_link_get_nowait(port_id, &s);
	if (ret != 0)
		return compat_ret(ret);
	link_from_sl(link, &s);
	return 0;
}

const char *rte_eth_link_speed_to_str(uint32_t link_speed)
{
	switch (link_speed) {
	case RTE_ETH_SPEED_NUM_NONE: return "None";
	case RTE_ETH_SPEED_NUM_10M: return "10 Mbps";
	case RTE_ETH_SPEED_NUM_100M: return "100 Mbps";
	case RTE_ETH_SPEED_NUM_1G: return "1 Gbps";
	case RTE_ETH_SPEED_NUM_2_5G: return "2.5 Gbps";
	case RTE_ETH_SPEED_NUM_5G: return "5 Gbps";
	case RTE_ETH_SPEED_NUM_10G: return "10 Gbps";
	case RTE_ETH_SPEED_NUM_20G: return "20 Gbps";
	case RTE_ETH_SPEED_NUM_25G: return "25 Gbps";
	case RTE_ETH_SPEED_NUM_40G: return "40 Gbps";
	case RTE_ETH_SPEED_NUM_50G: return "50 Gbps";
	case RTE_ETH_SPEED_NUM_56G: return "56 Gbps";
	case RTE_ETH_SPEED_NUM_100G: return "100 Gbps";
	case RTE_ETH_SPEED_NUM_200G: return "200 Gbps";
	case RTE_ETH_SPEED_NUM_UNKNOWN: return "Unknown";
	default: return "Invalid";
	}
}

int rte_eth_link_to_str(char *str, size_t len, const struct rte_eth_link *eth_link)
{
	if (str == NULL || len == 0 || eth_link == NULL)
		return compat_ret(-EINVAL);
	if (eth_link->link_status == RTE_ETH_LINK_DOWN)
		return snprintf(str, len, "Link down");
	return snprintf(str, len, "Link up at %s %s %s", rte_eth_link_speed_to_str(eth_link->link_speed),
			eth_link->link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? "FDX" : "HDX",
			eth_link->link_autoneg == RTE_ETH_LINK_AUTONEG ? "Autoneg" : "Fixed");
}

int rte_eth_dev_set_ptypes(uint16_t port_id, uint32_t ptype_mask, uint32_t *set_ptypes, unsigned int num)
{
	if (!sl_eth_dev_is_valid_port(port_id))
		return compat_ret(-ENODEV);
	if (num > 0 && set_ptypes == NULL)
		return compat_ret(-EINVAL);
	if (ptype_mask != RTE_PTYPE_UNKNOWN)
		COMPAT_REFUSE("port %u: packet types 0x%x asked for; Sluice's drivers classify none "
			      "(mbuf->packet_type is always 0)", port_id, ptype_mask);
	/* asking for none is exactly what the drivers do */
	if (num > 0)
		set_ptypes[0] = RTE_PTYPE_UNKNOWN;
	return 0;
}

int rte_eth_dev_socket_id(uint16_t port_id)
{
	int node = sl_eth_dev_socket_id(port_id);

	/* As DPDK 22.11: SOCKET_ID_ANY with rte_errno EINVAL for a bad port;
	 * SOCKET_ID_ANY with rte_errno 0 when the node is not known. */
	rte_errno = node == -EINVAL ? EINVAL : 0;
	return node == -EINVAL ? SOCKET_ID_ANY : node;
}

int rte_eth_dev_get_name_by_port(uint16_t port_id, char *name)
{
	const char *n = sl_eth_dev_name(port_id);
	if (name == NULL)
		return compat_ret(-EINVAL);
	if (n == NULL)
		return compat_ret(-ENODEV);
	snprintf(name, RTE_ETH_NAME_MAX_LEN, "%s", n);
	return 0;
}

int rte_eth_dev_get_port_by_name(const char *name, uint16_t *port_id)
{
	if (name == NULL || port_id == NULL)
		return compat_ret(-EINVAL);
	return compat_ret(sl_eth_dev_get_port_by_name(name, port_id));
}

int rte_eth_dev_rss_hash_update(uint16_t port_id, struct rte_eth_rss_conf *rss_conf)
{
	struct sl_eth_rss_conf s;
	if (rss_conf == NULL)
		return compat_ret(-EINVAL);
	s.rss_key = rss_conf->rss_key;
	s.rss_key_len = rss_conf->rss_key_len;
	s.rss_hf = rss_conf->rss_hf;
	return compat_ret(sl_eth_dev_rss_hash_update(port_id, &s));
}

int rte_eth_dev_rss_hash_conf_get(uint16_t port_id, struct rte_eth_rss_conf *rss_conf)
{
	struct sl_eth_rss_conf s;
	int ret;
	if (rss_conf == NULL)
		return compat_ret(-EINVAL);
	s.rss_key = rss_conf->rss_key;
	s.rss_key_len = rss_conf->rss_key_len;
	s.rss_hf = 0;
	ret = sl_eth_dev_rss_hash_conf_get(port_id, &s);
	if (ret != 0)
		return compat_ret(ret);
	rss_conf->rss_key_len = s.rss_key_len;
	rss_conf->rss_hf = s.rss_hf;
	return 0;
}

struct rte_mempool *rte_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
					    uint16_t priv_size, uint16_t data_room_size, int socket_id)
{
	struct rte_mempool *mp;

	if (compat_socket_check(socket_id, "rte_pktmbuf_pool_create") < 0)
		return NULL;
	mp = sl_pktmbuf_pool_create(name, n, cache_size, priv_size, data_room_size);
	if (mp == NULL)
		rte_errno = errno ? errno : ENOMEM;
	return mp;
}
