/* null.c: net_null, a software port for tests and benchmarks, behaving like
 * DPDK's net_null. Receive allocates a burst of mbufs from the queue's pool
 * and sets their length to the port's packet size without touching the data
 * (unless copy=1, which copies a zeroed template in); transmit frees the
 * mbufs (copy=1 first copies their data out). Counters are plain per-queue
 * fields written only by the queue's lcore.
 *
 * rx-dst=MAC,rx-src=MAC: every received packet starts with that Ethernet
 * header (ethertype 0x88b5, the rest zero), so that what a forwarder does
 * to the addresses can be seen. capture=FILE: the first capture-max
 * (default 1024) packets transmitted are written to FILE as a pcap, as they
 * left (the tests read the Ethernet addresses from it).
 *
 * --vdev null0[,size=64][,copy=0|1][,no-rx=0|1][,rx-dst=MAC][,rx-src=MAC]
 *             [,capture=FILE][,capture-max=N] (also "net_null0"). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ethdev_driver.h"

#define LOG_COMPONENT "net_null"
#define NULL_DEFAULT_PACKET_SIZE 64
#define NULL_MAX_PACKET_SIZE 9018
#define NULL_DEFAULT_DESC 1024

struct null_private;

/* Writes from the owning lcore, reads (stats) from the control thread:
 * relaxed atomic stores and loads, which are plain moves on x86. */
#define COUNTER_ADD(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define COUNTER_READ(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define COUNTER_CLEAR(field) __atomic_store_n(&(field), 0, __ATOMIC_RELAXED)

struct null_rxq {
	struct sl_mempool *mp;
	uint32_t packet_size;
	uint16_t port_id;
	uint16_t queue_id;
	void *template_pkt;       /* copy=1: copied into every received packet */
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t rx_nombuf;
} sl_cache_aligned;

struct null_txq {
	uint32_t packet_size;
	uint16_t queue_id;
	struct null_private *priv; /* capture= */
	void *sink;               /* copy=1: every sent packet is copied here */
	uint64_t tx_pkts;
	uint64_t tx_bytes;
} sl_cache_aligned;

struct null_private {
	struct null_rxq rxq[SL_MAX_QUEUES_PER_PORT];
	struct null_txq txq[SL_MAX_QUEUES_PER_PORT];
	uint32_t packet_size;
	bool copy;
	bool no_rx;
	bool rx_hdr_set;          /* rx-dst/rx-src given: rx fills in this header */
	uint8_t rx_hdr[14];
	FILE *capture;            /* capture=FILE: pcap of the packets sent */
	unsigned capture_max, captured;
	pthread_mutex_t capture_lock;
};

/* ---- fast path ------------------------------------------------------------ */

static uint16_t null_rx(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct null_rxq *rxq = q;
	const uint32_t size = rxq->packet_size;
	const uint16_t port = rxq->port_id;

	if (sl_unlikely(sl_pktmbuf_alloc_bulk(rxq->mp, pkts, nb_pkts) != 0)) {
		COUNTER_ADD(rxq->rx_nombuf, nb_pkts);
		return 0;
	}
	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct sl_mbuf *m = pkts[i];
		m->data_len = (uint16_t)size;
		m->pkt_len = size;
		m->port = port;
	}
	COUNTER_ADD(rxq->rx_pkts, nb_pkts);
	COUNTER_ADD(rxq->rx_bytes, (uint64_t)nb_pkts * size);
	return nb_pkts;
}

static uint16_t null_rx_copy(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct null_rxq *rxq = q;
	const uint32_t size = rxq->packet_size;

	if (sl_unlikely(sl_pktmbuf_alloc_bulk(rxq->mp, pkts, nb_pkts) != 0)) {
		COUNTER_ADD(rxq->rx_nombuf, nb_pkts);
		return 0;
	}
	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct sl_mbuf *m = pkts[i];
		memcpy(sl_pktmbuf_mtod(m, void *), rxq->template_pkt, size);
		m->data_len = (uint16_t)size;
		m->pkt_len = size;
		m->port = rxq->port_id;
	}
	COUNTER_ADD(rxq->rx_pkts, nb_pkts);
	COUNTER_ADD(rxq->rx_bytes, (uint64_t)nb_pkts * size);
	return nb_pkts;
}

static uint16_t null_rx_none(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	(void)q;
	(void)pkts;
	(void)nb_pkts;
	return 0;
}

static uint16_t null_tx(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct null_txq *txq = q;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < nb_pkts; i++) {
		bytes += pkts[i]->pkt_len;
		/* keep this a scalar loop: vectorised, it becomes gathers, which
		 * cost more than 32 plain loads (AVX-512 builds) */
		__asm__("" : "+r"(bytes));
	}
	sl_pktmbuf_free_bulk(pkts, nb_pkts);
	COUNTER_ADD(txq->tx_pkts, nb_pkts);
	COUNTER_ADD(txq->tx_bytes, bytes);
	return nb_pkts;
}

static uint16_t null_tx_copy(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct null_txq *txq = q;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct sl_mbuf *m = pkts[i];
		uint32_t len = m->data_len < txq->packet_size ? m->data_len : txq->packet_size;
		memcpy(txq->sink, sl_pktmbuf_mtod(m, void *), len);
		bytes += m->pkt_len;
	}
	sl_pktmbuf_free_bulk(pkts, nb_pkts);
	COUNTER_ADD(txq->tx_pkts, nb_pkts);
	COUNTER_ADD(txq->tx_bytes, bytes);
	return nb_pkts;
}

/* capture=FILE: one pcap record per packet sent, the first capture_max
 * only; every tx queue of the port writes through one lock (a test aid,
 * not a fast path). */
static uint16_t null_tx_capture(void *q, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	struct null_txq *txq = q;
	struct null_private *priv = txq->priv;
	uint64_t bytes = 0;

	pthread_mutex_lock(&priv->capture_lock);
	for (uint16_t i = 0; i < nb_pkts; i++) {
		struct sl_mbuf *m = pkts[i];
		bytes += m->pkt_len;
		if (priv->captured >= priv->capture_max)
			continue;
		uint32_t rec[4] = {priv->captured, 0, m->data_len, m->pkt_len};
		if (fwrite(rec, sizeof(rec), 1, priv->capture) == 1)
			fwrite(sl_pktmbuf_mtod(m, void *), m->data_len, 1, priv->capture);
		priv->captured++;
		if (priv->captured == priv->capture_max)
			fflush(priv->capture);
	}
	pthread_mutex_unlock(&priv->capture_lock);
	sl_pktmbuf_free_bulk(pkts, nb_pkts);
	COUNTER_ADD(txq->tx_pkts, nb_pkts);
	COUNTER_ADD(txq->tx_bytes, bytes);
	return nb_pkts;
}

/* ---- control path ------------------------------------------------------- */

static int null_infos_get(struct sl_eth_dev *dev, struct sl_eth_dev_info *info)
{
	(void)dev;
	info->max_rx_queues = SL_MAX_QUEUES_PER_PORT;
	info->max_tx_queues = SL_MAX_QUEUES_PER_PORT;
	info->rx_desc_min = 1;
	info->rx_desc_max = UINT16_MAX;
	info->rx_desc_default = NULL_DEFAULT_DESC;
	info->tx_desc_min = 1;
	info->tx_desc_max = UINT16_MAX;
	info->tx_desc_default = NULL_DEFAULT_DESC;
	info->min_mtu = 68;
	info->max_mtu = NULL_MAX_PACKET_SIZE - SL_ETHER_HDR_LEN - SL_ETHER_CRC_LEN;
	info->max_rx_pktlen = NULL_MAX_PACKET_SIZE;
	info->max_mac_addrs = 1;
	info->speed_capa_mbps = 10000;
	/* tx frees whole chains, whatever their pools (sl_pktmbuf_free_bulk) */
	info->tx_offload_capa = SL_ETH_TX_OFFLOAD_MULTI_SEGS | SL_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	return 0;
}

static int null_configure(struct sl_eth_dev *dev)
{
	(void)dev;
	return 0;
}

static int null_start(struct sl_eth_dev *dev)
{
	dev->link.status = SL_ETH_LINK_UP;
	dev->link.speed_mbps = 10000;
	dev->link.full_duplex = 1;
	dev->link.autoneg = 0;
	return 0;
}

static int null_stop(struct sl_eth_dev *dev)
{
	dev->link.status = SL_ETH_LINK_DOWN;
	dev->link.speed_mbps = 0;
	return 0;
}

static void null_close(struct sl_eth_dev *dev)
{
	struct null_private *priv = dev->dev_private;
	if (priv != NULL && priv->capture != NULL) {
		fclose(priv->capture);
		pthread_mutex_destroy(&priv->capture_lock);
	}
	free(dev->dev_private);
	dev->dev_private = NULL;
}

static int null_rx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			       const struct sl_eth_rxconf *conf, struct sl_mempool *mp)
{
	struct null_private *priv = dev->dev_private;
	struct null_rxq *rxq = &priv->rxq[q];
	(void)nb_desc;
	(void)conf;

	/* The packets must fit in the pool's buffers. */
	struct sl_mbuf *probe = sl_pktmbuf_alloc(mp);
	if (probe != NULL) {
		unsigned room = (unsigned)probe->buf_len - probe->data_off;
		sl_pktmbuf_free(probe);
		if (priv->packet_size > room) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: packets of size=%u do not fit the %u bytes of data room of "
			       "pool %s; use a smaller size= or a pool with bigger buffers",
			       dev->name, priv->packet_size, room, sl_mempool_name(mp));
			return -EINVAL;
		}
	}
	void *tmpl = NULL;
	if (priv->copy || priv->rx_hdr_set) {
		tmpl = calloc(1, priv->packet_size);
		if (tmpl == NULL)
			return -ENOMEM;
		if (priv->rx_hdr_set)
			memcpy(tmpl, priv->rx_hdr, sizeof(priv->rx_hdr));
	}
	memset(rxq, 0, sizeof(*rxq));
	rxq->mp = mp;
	rxq->packet_size = priv->packet_size;
	rxq->port_id = dev->port_id;
	rxq->queue_id = q;
	rxq->template_pkt = tmpl;
	dev->rx_queues[q] = rxq;
	return 0;
}

static int null_tx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			       const struct sl_eth_txconf *conf)
{
	struct null_private *priv = dev->dev_private;
	struct null_txq *txq = &priv->txq[q];
	(void)nb_desc;
	(void)conf;

	void *sink = NULL;
	if (priv->copy) {
		sink = calloc(1, priv->packet_size);
		if (sink == NULL)
			return -ENOMEM;
	}
	memset(txq, 0, sizeof(*txq));
	txq->packet_size = priv->packet_size;
	txq->queue_id = q;
	txq->sink = sink;
	txq->priv = priv;
	dev->tx_queues[q] = txq;
	return 0;
}

static void null_rx_queue_release(struct sl_eth_dev *dev, uint16_t q)
{
	struct null_private *priv = dev->dev_private;
	free(priv->rxq[q].template_pkt);
	memset(&priv->rxq[q], 0, sizeof(priv->rxq[q]));
}

static void null_tx_queue_release(struct sl_eth_dev *dev, uint16_t q)
{
	struct null_private *priv = dev->dev_private;
	free(priv->txq[q].sink);
	memset(&priv->txq[q], 0, sizeof(priv->txq[q]));
}

static int null_link_update(struct sl_eth_dev *dev, bool wait)
{
	(void)dev;
	(void)wait;
	return 0; /* dev->link follows start/stop */
}

static int null_stats_get(struct sl_eth_dev *dev, struct sl_eth_stats *st)
{
	struct null_private *priv = dev->dev_private;
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++) {
		struct null_rxq *rxq = &priv->rxq[q];
		uint64_t pkts = COUNTER_READ(rxq->rx_pkts), bytes = COUNTER_READ(rxq->rx_bytes);
		st->q_ipackets[q] = pkts;
		st->q_ibytes[q] = bytes;
		st->ipackets += pkts;
		st->ibytes += bytes;
		st->rx_nombuf += COUNTER_READ(rxq->rx_nombuf);
	}
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++) {
		struct null_txq *txq = &priv->txq[q];
		uint64_t pkts = COUNTER_READ(txq->tx_pkts), bytes = COUNTER_READ(txq->tx_bytes);
		st->q_opackets[q] = pkts;
		st->q_obytes[q] = bytes;
		st->opackets += pkts;
		st->obytes += bytes;
	}
	return 0;
}

static int null_stats_reset(struct sl_eth_dev *dev)
{
	struct null_private *priv = dev->dev_private;
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		COUNTER_CLEAR(priv->rxq[q].rx_pkts);
		COUNTER_CLEAR(priv->rxq[q].rx_bytes);
		COUNTER_CLEAR(priv->rxq[q].rx_nombuf);
		COUNTER_CLEAR(priv->txq[q].tx_pkts);
		COUNTER_CLEAR(priv->txq[q].tx_bytes);
	}
	return 0;
}

/* Driver xstats: mbuf allocation failures per rx queue. */
static int null_xstats_get_names(struct sl_eth_dev *dev, struct sl_eth_xstat_name *names, unsigned size)
{
	unsigned n = dev->nb_rx_queues;
	if (names != NULL && size >= n)
		for (unsigned q = 0; q < n; q++)
			snprintf(names[q].name, sizeof(names[q].name), "rx_q%u_mbuf_allocation_errors", q);
	return (int)n;
}

static int null_xstats_get(struct sl_eth_dev *dev, uint64_t *values, unsigned size)
{
	struct null_private *priv = dev->dev_private;
	unsigned n = dev->nb_rx_queues;
	if (values != NULL && size >= n)
		for (unsigned q = 0; q < n; q++)
			values[q] = COUNTER_READ(priv->rxq[q].rx_nombuf);
	return (int)n;
}

static int null_mac_addr_set(struct sl_eth_dev *dev, const struct sl_ether_addr *mac)
{
	(void)dev;
	(void)mac;
	return 0;
}

static int null_accept(struct sl_eth_dev *dev)
{
	(void)dev;
	return 0; /* a null port takes every packet anyway */
}

static int null_mtu_set(struct sl_eth_dev *dev, uint16_t mtu)
{
	(void)dev;
	(void)mtu;
	return 0;
}

static const struct sl_eth_dev_ops null_ops = {
	.dev_infos_get = null_infos_get,
	.dev_configure = null_configure,
	.dev_start = null_start,
	.dev_stop = null_stop,
	.dev_close = null_close,
	.rx_queue_setup = null_rx_queue_setup,
	.tx_queue_setup = null_tx_queue_setup,
	.rx_queue_release = null_rx_queue_release,
	.tx_queue_release = null_tx_queue_release,
	.link_update = null_link_update,
	.stats_get = null_stats_get,
	.stats_reset = null_stats_reset,
	.xstats_get_names = null_xstats_get_names,
	.xstats_get = null_xstats_get,
	.mac_addr_set = null_mac_addr_set,
	.promiscuous_enable = null_accept,
	.promiscuous_disable = null_accept,
	.allmulticast_enable = null_accept,
	.allmulticast_disable = null_accept,
	.mtu_set = null_mtu_set,
};

/* ---- probe -------------------------------------------------------------- */

static int parse_uint_arg(const char *dev, const char *key, const char *val, unsigned min, unsigned max,
			  unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(val, &end, 0);
	if (errno != 0 || end == val || *end != '\0' || val[0] == '-' || v < min || v > max) {
		SL_LOG(ERR, LOG_COMPONENT, "--vdev %s: %s=%s is not valid: give a number from %u to %u", dev, key,
		       val, min, max);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

/* Check "k=v,k=v": only the known keys, each with a value. */
static int check_arg_keys(const char *name, const char *args)
{
	static const char *const known[] = {"size", "copy", "no-rx", "rx-dst", "rx-src", "capture",
					    "capture-max"};
	const char *p = args;
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		bool ok = false;
		for (unsigned i = 0; i < SL_DIM(known) && eq != NULL; i++)
			if (strlen(known[i]) == klen && strncmp(p, known[i], klen) == 0)
				ok = true;
		if (!ok && len > 0) {
			SL_LOG(ERR, LOG_COMPONENT, "--vdev %s: '%.*s' is not a net_null option; "
			       "use size=BYTES, copy=0|1, no-rx=0|1, rx-dst=MAC, rx-src=MAC, capture=FILE, "
			       "capture-max=N", name, (int)len, p);
			return -EINVAL;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* "aa:bb:cc:dd:ee:ff" into OUT; -EINVAL (logged) otherwise. */
static int parse_mac_arg(const char *dev, const char *key, const char *val, uint8_t *out)
{
	unsigned b[6];
	char end;
	if (sscanf(val, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6) {
		SL_LOG(ERR, LOG_COMPONENT, "--vdev %s: %s=%s is not a MAC address (aa:bb:cc:dd:ee:ff)", dev,
		       key, val);
		return -EINVAL;
	}
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)b[i];
	return 0;
}

static int null_probe_vdev(const char *name, const char *args);

static struct sl_eth_driver null_driver = {
	.name = "net_null",
	.vdev_prefix = "null",
	.probe_vdev = null_probe_vdev,
};

static int null_probe_vdev(const char *name, const char *args)
{
	unsigned size = NULL_DEFAULT_PACKET_SIZE, copy = 0, no_rx = 0, capture_max = 1024;
	uint8_t rx_hdr[14] = {[12] = 0x88, [13] = 0xb5};
	bool rx_hdr_set = false;
	char val[64], capture[256] = "";
	int ret;

	if (args == NULL)
		args = "";
	if ((ret = check_arg_keys(name, args)) != 0)
		return ret;
	if (sl_devarg_get(args, "size", val, sizeof(val)) == 0 &&
	    (ret = parse_uint_arg(name, "size", val, 1, NULL_MAX_PACKET_SIZE, &size)) != 0)
		return ret;
	if (sl_devarg_get(args, "copy", val, sizeof(val)) == 0 &&
	    (ret = parse_uint_arg(name, "copy", val, 0, 1, &copy)) != 0)
		return ret;
	if (sl_devarg_get(args, "no-rx", val, sizeof(val)) == 0 &&
	    (ret = parse_uint_arg(name, "no-rx", val, 0, 1, &no_rx)) != 0)
		return ret;
	if (sl_devarg_get(args, "rx-dst", val, sizeof(val)) == 0) {
		if ((ret = parse_mac_arg(name, "rx-dst", val, rx_hdr)) != 0)
			return ret;
		rx_hdr_set = true;
	}
	if (sl_devarg_get(args, "rx-src", val, sizeof(val)) == 0) {
		if ((ret = parse_mac_arg(name, "rx-src", val, rx_hdr + 6)) != 0)
			return ret;
		rx_hdr_set = true;
	}
	if (rx_hdr_set && size < sizeof(rx_hdr)) {
		SL_LOG(ERR, LOG_COMPONENT, "--vdev %s: rx-dst/rx-src need size >= 14", name);
		return -EINVAL;
	}
	if (sl_devarg_get(args, "capture-max", val, sizeof(val)) == 0 &&
	    (ret = parse_uint_arg(name, "capture-max", val, 1, 1u << 20, &capture_max)) != 0)
		return ret;
	if (sl_devarg_get(args, "capture", capture, sizeof(capture)) == 0 && capture[0] == '\0') {
		SL_LOG(ERR, LOG_COMPONENT, "--vdev %s: capture= needs a file name", name);
		return -EINVAL;
	}

	struct null_private *priv = aligned_alloc(SL_CACHE_LINE_SIZE,
						  SL_ALIGN_CEIL(sizeof(*priv), SL_CACHE_LINE_SIZE));
	if (priv == NULL)
		return -ENOMEM;
	memset(priv, 0, sizeof(*priv));
	priv->packet_size = size;
	priv->copy = copy != 0;
	priv->no_rx = no_rx != 0;
	priv->rx_hdr_set = rx_hdr_set;
	memcpy(priv->rx_hdr, rx_hdr, sizeof(rx_hdr));
	if (capture[0] != '\0') {
		/* pcap: microsecond timestamps (the packet index here), Ethernet */
		static const uint32_t pcap_hdr[6] = {0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535, 1};
		priv->capture = fopen(capture, "we");
		if (priv->capture == NULL || fwrite(pcap_hdr, sizeof(pcap_hdr), 1, priv->capture) != 1) {
			ret = -errno;
			SL_LOG(ERR, LOG_COMPONENT, "--vdev %s: capture=%s: %s", name, capture, strerror(errno));
			if (priv->capture != NULL)
				fclose(priv->capture);
			free(priv);
			return ret ? ret : -EIO;
		}
		priv->capture_max = capture_max;
		pthread_mutex_init(&priv->capture_lock, NULL);
	}

	struct sl_eth_dev *dev = sl_eth_dev_allocate(name, &null_driver);
	if (dev == NULL) {
		if (priv->capture != NULL)
			fclose(priv->capture);
		free(priv);
		return -ENOSPC;
	}
	dev->dev_private = priv;
	dev->dev_ops = &null_ops;
	dev->rx_pkt_burst = priv->no_rx ? null_rx_none : priv->copy || rx_hdr_set ? null_rx_copy : null_rx;
	dev->tx_pkt_burst = priv->capture ? null_tx_capture : priv->copy ? null_tx_copy : null_tx;
	/* Locally administered, unique per port: 02:4e:55:4c:00:<port> ("NUL"). */
	struct sl_ether_addr mac = {{0x02, 0x4e, 0x55, 0x4c, 0x00, (uint8_t)dev->port_id}};
	dev->mac_addr = mac;
	dev->link.status = SL_ETH_LINK_DOWN;
	SL_LOG(INFO, LOG_COMPONENT, "port %u: %s, packet size %u%s%s%s%s%s", dev->port_id, name, size,
	       copy ? ", copy" : "", no_rx ? ", no rx" : "", rx_hdr_set ? ", rx header set" : "",
	       capture[0] ? ", capturing tx to " : "", capture);
	return 0;
}

SL_ETH_DRIVER_REGISTER(null_driver)
