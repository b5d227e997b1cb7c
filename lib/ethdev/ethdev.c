/* ethdev.c: the port registry, driver registration and probing (vdevs from
 * an EAL init hook, PCI ports by the PCI drivers the bus probes), and the control
 * API of sl_ethdev.h: configure, queue setup, start/stop/close, rx
 * interrupts (checks and eventfd draining; the drivers arm the device),
 * RSS (configure-time resolution and the checks of the runtime calls),
 * stats and xstats, link, MAC, promiscuous/allmulticast and MTU. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ethdev_driver.h"

#define LOG_COMPONENT "ethdev"

struct sl_eth_fp_port sl_eth_fp_ports[SL_MAX_ETHPORTS];

static struct sl_eth_dev *eth_devs[SL_MAX_ETHPORTS];
static struct sl_eth_driver *eth_drivers;

/* What a queue of a stopped (or never started) port does: nothing. */
static uint16_t dummy_rx_burst(void *rxq, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	(void)rxq;
	(void)pkts;
	(void)nb_pkts;
	return 0;
}

static uint16_t dummy_tx_burst(void *txq, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	(void)txq;
	(void)pkts;
	(void)nb_pkts;
	return 0;
}

/* Control calls that the removal thread may race with (start, stop, close,
 * stats) and the removal itself take this lock. */
static pthread_mutex_t eth_lock = PTHREAD_MUTEX_INITIALIZER;

/* Tx queues of removed ports: the removed tx burst finds its counter here
 * by the queue pointer it is called with (the fast path's queue pointer is
 * left as it was, so an lcore that reads the new function with the old
 * pointer, or the reverse, is still right). Entries are written before the
 * function pointer is published and removed at close (lcores stopped). */
struct removed_txq {
	void *queue;
	uint64_t *refused;
	uint16_t port_id;
};
static struct removed_txq removed_txqs[SL_MAX_ETHPORTS * SL_MAX_QUEUES_PER_PORT];
static unsigned nb_removed_txqs;

static uint16_t removed_rx_burst(void *rxq, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	(void)rxq;
	(void)pkts;
	(void)nb_pkts;
	return 0;
}

static uint16_t removed_tx_burst(void *txq, struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	(void)pkts;
	unsigned n = __atomic_load_n(&nb_removed_txqs, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < n; i++)
		if (removed_txqs[i].queue == txq) {
			__atomic_fetch_add(removed_txqs[i].refused, nb_pkts, __ATOMIC_RELAXED);
			break;
		}
	return 0;
}

static void removed_txqs_forget(uint16_t port_id)
{
	unsigned j = 0;
	for (unsigned i = 0; i < nb_removed_txqs; i++)
		if (removed_txqs[i].port_id != port_id)
			removed_txqs[j++] = removed_txqs[i];
	__atomic_store_n(&nb_removed_txqs, j, __ATOMIC_RELEASE);
}

struct event_cb {
	uint16_t port_id;
	enum sl_eth_event_type event;
	sl_eth_event_cb_fn cb;
	void *arg;
};
#define MAX_EVENT_CBS 16
static struct event_cb event_cbs[MAX_EVENT_CBS];

static void fp_port_reset(uint16_t port_id)
{
	struct sl_eth_fp_port *fp = &sl_eth_fp_ports[port_id];
	for (unsigned q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		fp->rxq[q].rx_burst = dummy_rx_burst;
		fp->rxq[q].queue = NULL;
		fp->txq[q].tx_burst = dummy_tx_burst;
		fp->txq[q].queue = NULL;
	}
}

void sl_ether_format_addr(char *buf, size_t size, const struct sl_ether_addr *a)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", a->addr_bytes[0], a->addr_bytes[1],
		 a->addr_bytes[2], a->addr_bytes[3], a->addr_bytes[4], a->addr_bytes[5]);
}

/* ---- drivers ------------------------------------------------------------ */

void sl_eth_driver_register(struct sl_eth_driver *drv)
{
	struct sl_eth_driver **p = &eth_drivers;
	while (*p != NULL) {
		if (*p == drv)
			return;
		p = &(*p)->next;
	}
	drv->next = NULL;
	*p = drv;
}

const struct sl_eth_driver *sl_eth_driver_find(const char *name)
{
	for (const struct sl_eth_driver *d = eth_drivers; d != NULL; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

/* The vdev driver for a --vdev name such as "null0" or "net_null0". */
static const struct sl_eth_driver *vdev_driver_for(const char *vdev_name)
{
	const char *n = vdev_name;
	if (strncmp(n, "net_", 4) == 0)
		n += 4;
	for (const struct sl_eth_driver *d = eth_drivers; d != NULL; d = d->next) {
		if (d->vdev_prefix == NULL || d->probe_vdev == NULL)
			continue;
		if (strncmp(n, d->vdev_prefix, strlen(d->vdev_prefix)) == 0)
			return d;
	}
	return NULL;
}

static void known_vdev_prefixes(char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (const struct sl_eth_driver *d = eth_drivers; d != NULL; d = d->next) {
		if (d->vdev_prefix == NULL)
			continue;
		int n = snprintf(buf + off, size - off, "%s%s", off ? ", " : "", d->vdev_prefix);
		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
	}
	if (off == 0)
		snprintf(buf, size, "none");
}

/* ---- port registry ------------------------------------------------------ */

struct sl_eth_dev *sl_eth_dev_allocate(const char *name, const struct sl_eth_driver *drv)
{
	if (name == NULL || name[0] == '\0' || strlen(name) >= SL_ETH_NAME_MAX_LEN) {
		SL_LOG(ERR, LOG_COMPONENT, "cannot create a port: the name must be 1..%d characters",
		       SL_ETH_NAME_MAX_LEN - 1);
		return NULL;
	}
	int free_id = -1;
	for (int i = 0; i < SL_MAX_ETHPORTS; i++) {
		if (eth_devs[i] == NULL) {
			if (free_id < 0)
				free_id = i;
		} else if (strcmp(eth_devs[i]->name, name) == 0) {
			SL_LOG(ERR, LOG_COMPONENT, "cannot create port %s: a port of that name exists (port %d)",
			       name, i);
			return NULL;
		}
	}
	if (free_id < 0) {
		SL_LOG(ERR, LOG_COMPONENT, "cannot create port %s: all %d port ids are in use; close a port first",
		       name, SL_MAX_ETHPORTS);
		return NULL;
	}
	struct sl_eth_dev *dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "cannot create port %s: out of memory", name);
		return NULL;
	}
	dev->port_id = (uint16_t)free_id;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->driver = drv;
	dev->mtu = SL_ETH_DEFAULT_MTU;
	fp_port_reset(dev->port_id);
	eth_devs[free_id] = dev;
	return dev;
}

void sl_eth_dev_release(struct sl_eth_dev *dev)
{
	if (dev == NULL || dev->port_id >= SL_MAX_ETHPORTS || eth_devs[dev->port_id] != dev)
		return;
	fp_port_reset(dev->port_id);
	eth_devs[dev->port_id] = NULL;
	free(dev);
}

struct sl_eth_dev *sl_eth_dev_get(uint16_t port_id)
{
	return port_id < SL_MAX_ETHPORTS ? eth_devs[port_id] : NULL;
}

uint16_t sl_eth_dev_count_avail(void)
{
	uint16_t n = 0;
	for (unsigned i = 0; i < SL_MAX_ETHPORTS; i++)
		n += eth_devs[i] != NULL;
	return n;
}

bool sl_eth_dev_is_valid_port(uint16_t port_id)
{
	return sl_eth_dev_get(port_id) != NULL;
}

uint16_t sl_eth_find_next(uint16_t port_id)
{
	while (port_id < SL_MAX_ETHPORTS && eth_devs[port_id] == NULL)
		port_id++;
	return port_id < SL_MAX_ETHPORTS ? port_id : SL_MAX_ETHPORTS;
}

int sl_eth_dev_get_port_by_name(const char *name, uint16_t *port_id)
{
	if (name == NULL || port_id == NULL)
		return -EINVAL;
	for (uint16_t i = 0; i < SL_MAX_ETHPORTS; i++) {
		if (eth_devs[i] != NULL && strcmp(eth_devs[i]->name, name) == 0) {
			*port_id = i;
			return 0;
		}
	}
	return -ENODEV;
}

const char *sl_eth_dev_name(uint16_t port_id)
{
	struct sl_eth_dev *dev = sl_eth_dev_get(port_id);
	return dev ? dev->name : NULL;
}

/* The device for PORT_ID, or NULL after logging that FUNC got a bad id. */
static struct sl_eth_dev *port_or_log(uint16_t port_id, const char *func)
{
	struct sl_eth_dev *dev = sl_eth_dev_get(port_id);
	if (dev == NULL)
		SL_LOG(ERR, LOG_COMPONENT,
		       "%s: port %u does not exist (%u ports available; list them with SL_ETH_FOREACH_DEV)",
		       func, port_id, sl_eth_dev_count_avail());
	return dev;
}

#define GET_PORT_OR_RETURN(dev, port_id) \
	struct sl_eth_dev *dev = port_or_log(port_id, __func__); \
	if (dev == NULL) \
		return -ENODEV

/* ---- info and configuration -------------------------------------------- */

int sl_eth_dev_info_get(uint16_t port_id, struct sl_eth_dev_info *info)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->min_mtu = 68;
	info->max_mtu = UINT16_MAX;
	info->rx_desc_max = UINT16_MAX;
	info->tx_desc_max = UINT16_MAX;
	int ret = dev->dev_ops->dev_infos_get(dev, info);
	if (ret != 0)
		return ret;
	if (info->rx_desc_align == 0)
		info->rx_desc_align = 1;
	if (info->tx_desc_align == 0)
		info->tx_desc_align = 1;
	info->driver_name = dev->driver ? dev->driver->name : "unknown";
	info->name = dev->name;
	if (info->max_rx_queues > SL_MAX_QUEUES_PER_PORT)
		info->max_rx_queues = SL_MAX_QUEUES_PER_PORT;
	if (info->max_tx_queues > SL_MAX_QUEUES_PER_PORT)
		info->max_tx_queues = SL_MAX_QUEUES_PER_PORT;
	return 0;
}

static uint16_t clamp_desc(uint32_t n, uint16_t min, uint16_t max, uint16_t align)
{
	if (n > max)
		n = max;
	if (n < min)
		n = min;
	n = (n + align - 1) / align * align;
	if (n > max)
		n = max / align * align;
	return (uint16_t)n;
}

int sl_eth_dev_adjust_nb_rx_tx_desc(uint16_t port_id, uint16_t *nb_rxd, uint16_t *nb_txd)
{
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	if (nb_rxd != NULL)
		*nb_rxd = clamp_desc(*nb_rxd, info.rx_desc_min, info.rx_desc_max, info.rx_desc_align);
	if (nb_txd != NULL)
		*nb_txd = clamp_desc(*nb_txd, info.tx_desc_min, info.tx_desc_max, info.tx_desc_align);
	return 0;
}

static void release_rx_queue(struct sl_eth_dev *dev, uint16_t q)
{
	if (dev->rx_queues[q] != NULL) {
		dev->dev_ops->rx_queue_release(dev, q);
		dev->rx_queues[q] = NULL;
	}
	dev->rx_queue_burst[q] = NULL;
}

static void release_tx_queue(struct sl_eth_dev *dev, uint16_t q)
{
	if (dev->tx_queues[q] != NULL) {
		dev->dev_ops->tx_queue_release(dev, q);
		dev->tx_queues[q] = NULL;
	}
	dev->tx_queue_burst[q] = NULL;
}

static bool has_rx_intr_ops(const struct sl_eth_dev *dev)
{
	return dev->dev_ops->rx_queue_intr_enable != NULL && dev->dev_ops->rx_queue_intr_disable != NULL &&
	       dev->dev_ops->rx_queue_intr_fd != NULL;
}

static bool has_rss_ops(const struct sl_eth_dev *dev)
{
	return dev->dev_ops->rss_hash_update != NULL && dev->dev_ops->rss_hash_conf_get != NULL &&
	       dev->dev_ops->reta_update != NULL && dev->dev_ops->reta_query != NULL;
}

static const char *driver_name_of(const struct sl_eth_dev *dev)
{
	return dev->driver ? dev->driver->name : "?";
}

/* RSS_HF must be a subset of what the device hashes on (and not 0 unless
 * ZERO_OK). FUNC names the caller in the message. */
static int check_rss_hf(const struct sl_eth_dev *dev, const struct sl_eth_dev_info *info, uint64_t rss_hf,
			bool zero_ok, const char *func)
{
	if (rss_hf == 0 && !zero_ok) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): no hash types given (rss_hf 0); name the SL_ETH_RSS_* "
		       "types to hash on (this port supports 0x%" PRIx64 "), or reconfigure with rx_mq_mode "
		       "SL_ETH_MQ_RX_NONE to stop spreading", func, dev->port_id, dev->name,
		       info->flow_type_rss_offloads);
		return -EINVAL;
	}
	if ((rss_hf & ~info->flow_type_rss_offloads) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): RSS hash types 0x%" PRIx64 " are not supported by %s "
		       "(it supports 0x%" PRIx64 ", dev_info.flow_type_rss_offloads)", func, dev->port_id,
		       dev->name, rss_hf & ~info->flow_type_rss_offloads, driver_name_of(dev),
		       info->flow_type_rss_offloads);
		return -EINVAL;
	}
	return 0;
}

/* A key must be exactly the device's key size; no length without a key. */
static int check_rss_key(const struct sl_eth_dev *dev, const struct sl_eth_dev_info *info,
			 const struct sl_eth_rss_conf *rc, const char *func)
{
	if (rc->rss_key == NULL) {
		if (rc->rss_key_len != 0) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): rss_key_len %u but no rss_key; give the key "
			       "or set rss_key_len to 0", func, dev->port_id, dev->name, rc->rss_key_len);
			return -EINVAL;
		}
		return 0;
	}
	if (rc->rss_key_len != info->hash_key_size) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): RSS key of %u bytes; %s takes exactly %u "
		       "(dev_info.hash_key_size)", func, dev->port_id, dev->name, rc->rss_key_len,
		       driver_name_of(dev), info->hash_key_size);
		return -EINVAL;
	}
	return 0;
}

/* Resolve CONF's rx_mq_mode for NB_RX_QUEUE queues into RSS or NONE and
 * check its rss_conf; *USE_RSS says which. Logged errors as configure's. */
static int resolve_rss_conf(struct sl_eth_dev *dev, const struct sl_eth_dev_info *info, uint16_t nb_rx_queue,
			    struct sl_eth_conf *conf, bool *use_rss)
{
	const struct sl_eth_rss_conf *rc = &conf->rss_conf;
	bool rss_given = rc->rss_key != NULL || rc->rss_key_len != 0 || rc->rss_hf != 0;
	bool has_rss = has_rss_ops(dev);
	const char *why_not = NULL;

	switch (conf->rx_mq_mode) {
	case SL_ETH_MQ_RX_AUTO:
		if (!has_rss)
			why_not = "the driver has no RSS";
		else if (nb_rx_queue < 2)
			why_not = "the port has one rx queue";
		break;
	case SL_ETH_MQ_RX_NONE:
		why_not = "rx_mq_mode is SL_ETH_MQ_RX_NONE";
		break;
	case SL_ETH_MQ_RX_RSS:
		if (!has_rss) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s has no RSS; configure with rx_mq_mode "
			       "SL_ETH_MQ_RX_AUTO or SL_ETH_MQ_RX_NONE", dev->port_id, dev->name,
			       driver_name_of(dev));
			return -ENOTSUP;
		}
		if (nb_rx_queue < 2) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): RSS spreads frames over rx queues but the port is "
			       "being configured with %u; give it 2 or more, or use SL_ETH_MQ_RX_NONE",
			       dev->port_id, dev->name, nb_rx_queue);
			return -EINVAL;
		}
		break;
	default:
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rx_mq_mode %d is not SL_ETH_MQ_RX_AUTO, _NONE or _RSS",
		       dev->port_id, dev->name, (int)conf->rx_mq_mode);
		return -EINVAL;
	}
	if (why_not != NULL) {
		if (rss_given) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rss_conf given (key or hash types) but RSS is not "
			       "in use: %s; leave rss_conf zeroed, or configure 2 or more rx queues with rx_mq_mode "
			       "AUTO or RSS", dev->port_id, dev->name, why_not);
			return has_rss ? -EINVAL : -ENOTSUP;
		}
		conf->rx_mq_mode = SL_ETH_MQ_RX_NONE;
		memset(&conf->rss_conf, 0, sizeof(conf->rss_conf));
		*use_rss = false;
		return 0;
	}
	int ret = check_rss_hf(dev, info, rc->rss_hf, true, "sl_eth_dev_configure");
	if (ret == 0)
		ret = check_rss_key(dev, info, rc, "sl_eth_dev_configure");
	if (ret != 0)
		return ret;
	if (info->hash_key_size > SL_ETH_RSS_KEY_MAX || info->reta_size == 0) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s reports an RSS key of %u bytes (at most %d) and "
		       "a table of %u entries: a driver bug", dev->port_id, dev->name, driver_name_of(dev),
		       info->hash_key_size, SL_ETH_RSS_KEY_MAX, info->reta_size);
		return -EINVAL;
	}
	conf->rx_mq_mode = SL_ETH_MQ_RX_RSS;
	if (conf->rss_conf.rss_hf == 0)
		conf->rss_conf.rss_hf = info->flow_type_rss_offloads;
	*use_rss = true;
	return 0;
}

int sl_eth_dev_configure(uint16_t port_id, uint16_t nb_rx_queue, uint16_t nb_tx_queue,
			 const struct sl_eth_conf *conf)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (dev->started) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): cannot configure a started port; call sl_eth_dev_stop first",
		       port_id, dev->name);
		return -EBUSY;
	}
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	if (nb_rx_queue == 0 || nb_rx_queue > info.max_rx_queues) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %u rx queues asked for; this port takes 1 to %u",
		       port_id, dev->name, nb_rx_queue, info.max_rx_queues);
		return -EINVAL;
	}
	if (nb_tx_queue == 0 || nb_tx_queue > info.max_tx_queues) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %u tx queues asked for; this port takes 1 to %u",
		       port_id, dev->name, nb_tx_queue, info.max_tx_queues);
		return -EINVAL;
	}
	struct sl_eth_conf new_conf = {0};
	if (conf != NULL)
		new_conf = *conf;
	if ((new_conf.rx_offloads & ~info.rx_offload_capa) != 0 ||
	    (new_conf.tx_offloads & ~info.tx_offload_capa) != 0) {
		SL_LOG(ERR, LOG_COMPONENT,
		       "port %u (%s): offloads rx 0x%" PRIx64 " tx 0x%" PRIx64 " not supported (capable of rx 0x%" PRIx64
		       " tx 0x%" PRIx64 ")",
		       port_id, dev->name, new_conf.rx_offloads & ~info.rx_offload_capa,
		       new_conf.tx_offloads & ~info.tx_offload_capa, info.rx_offload_capa, info.tx_offload_capa);
		return -EINVAL;
	}
	if (new_conf.intr_conf.rxq != 0 && !has_rx_intr_ops(dev)) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s has no rx interrupts; configure with "
		       "intr_conf.rxq = 0 and poll", port_id, dev->name, driver_name_of(dev));
		return -ENOTSUP;
	}
	new_conf.intr_conf.rxq = new_conf.intr_conf.rxq != 0;
	uint16_t mtu = new_conf.mtu ? new_conf.mtu : dev->mtu;
	if (mtu < info.min_mtu || mtu > info.max_mtu) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): MTU %u out of range %u..%u", port_id, dev->name, mtu,
		       info.min_mtu, info.max_mtu);
		return -EINVAL;
	}
	bool use_rss = false;
	ret = resolve_rss_conf(dev, &info, nb_rx_queue, &new_conf, &use_rss);
	if (ret != 0)
		return ret;

	/* Keep the old state so that a failing driver leaves the port as it was. */
	struct sl_eth_conf old_conf = dev->conf;
	uint8_t old_key[SL_ETH_RSS_KEY_MAX];
	memcpy(old_key, dev->rss_key, sizeof(old_key));
	uint16_t old_rxq = dev->nb_rx_queues, old_txq = dev->nb_tx_queues, old_mtu = dev->mtu;
	bool old_configured = dev->configured;
	if (use_rss && new_conf.rss_conf.rss_key != NULL) {
		memcpy(dev->rss_key, new_conf.rss_conf.rss_key, new_conf.rss_conf.rss_key_len);
		new_conf.rss_conf.rss_key = dev->rss_key;
	}
	dev->conf = new_conf;
	dev->conf.mtu = mtu;
	dev->mtu = mtu;
	dev->nb_rx_queues = nb_rx_queue;
	dev->nb_tx_queues = nb_tx_queue;
	ret = dev->dev_ops->dev_configure(dev);
	if (ret != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): the driver refused the configuration (%s)", port_id,
		       dev->name, strerror(-ret));
		dev->conf = old_conf;
		memcpy(dev->rss_key, old_key, sizeof(old_key));
		dev->nb_rx_queues = old_rxq;
		dev->nb_tx_queues = old_txq;
		dev->mtu = old_mtu;
		dev->configured = old_configured;
		return ret;
	}
	for (uint16_t q = nb_rx_queue; q < SL_MAX_QUEUES_PER_PORT; q++)
		release_rx_queue(dev, q);
	for (uint16_t q = nb_tx_queue; q < SL_MAX_QUEUES_PER_PORT; q++)
		release_tx_queue(dev, q);
	dev->configured = true;
	SL_LOG(DEBUG, LOG_COMPONENT, "port %u (%s): configured with %u rx and %u tx queues, MTU %u, RSS %s", port_id,
	       dev->name, nb_rx_queue, nb_tx_queue, mtu, use_rss ? "on" : "off");
	return 0;
}

/* Common checks of queue setup: configured, stopped, queue id in range,
 * descriptor count allowed. */
static int check_queue_setup(struct sl_eth_dev *dev, const char *dir, uint16_t queue_id,
			     uint16_t nb_queues, uint16_t nb_desc, uint16_t desc_min, uint16_t desc_max)
{
	if (!dev->configured) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %s queue setup before sl_eth_dev_configure",
		       dev->port_id, dev->name, dir);
		return -EINVAL;
	}
	if (dev->started) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): cannot set up %s queue %u while the port is started; "
		       "call sl_eth_dev_stop first", dev->port_id, dev->name, dir, queue_id);
		return -EBUSY;
	}
	if (queue_id >= nb_queues) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %s queue %u does not exist: the port was configured with %u %s queues",
		       dev->port_id, dev->name, dir, queue_id, nb_queues, dir);
		return -EINVAL;
	}
	if (nb_desc != 0 && (nb_desc < desc_min || nb_desc > desc_max)) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %u %s descriptors asked for; this port takes %u to %u",
		       dev->port_id, dev->name, nb_desc, dir, desc_min, desc_max);
		return -EINVAL;
	}
	return 0;
}

int sl_eth_rx_queue_setup(uint16_t port_id, uint16_t queue_id, uint16_t nb_desc,
			  const struct sl_eth_rxconf *conf, struct sl_mempool *mp)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	ret = check_queue_setup(dev, "rx", queue_id, dev->nb_rx_queues, nb_desc, info.rx_desc_min,
				info.rx_desc_max);
	if (ret != 0)
		return ret;
	if (mp == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rx queue %u needs a mempool of mbufs (sl_pktmbuf_pool_create)",
		       port_id, dev->name, queue_id);
		return -EINVAL;
	}
	struct sl_eth_rxconf c = {0};
	if (conf != NULL)
		c = *conf;
	if ((c.offloads & ~info.rx_offload_capa) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rx queue %u offloads 0x%" PRIx64 " not supported",
		       port_id, dev->name, queue_id, c.offloads & ~info.rx_offload_capa);
		return -EINVAL;
	}
	if (nb_desc == 0)
		nb_desc = info.rx_desc_default;
	release_rx_queue(dev, queue_id);
	ret = dev->dev_ops->rx_queue_setup(dev, queue_id, nb_desc, &c, mp);
	if (ret != 0) {
		dev->rx_queues[queue_id] = NULL;
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rx queue %u setup failed (%s)", port_id, dev->name,
		       queue_id, strerror(-ret));
	}
	return ret;
}

int sl_eth_tx_queue_setup(uint16_t port_id, uint16_t queue_id, uint16_t nb_desc,
			  const struct sl_eth_txconf *conf)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	ret = check_queue_setup(dev, "tx", queue_id, dev->nb_tx_queues, nb_desc, info.tx_desc_min,
				info.tx_desc_max);
	if (ret != 0)
		return ret;
	struct sl_eth_txconf c = {0};
	if (conf != NULL)
		c = *conf;
	if ((c.offloads & ~info.tx_offload_capa) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): tx queue %u offloads 0x%" PRIx64 " not supported",
		       port_id, dev->name, queue_id, c.offloads & ~info.tx_offload_capa);
		return -EINVAL;
	}
	if (nb_desc == 0)
		nb_desc = info.tx_desc_default;
	release_tx_queue(dev, queue_id);
	ret = dev->dev_ops->tx_queue_setup(dev, queue_id, nb_desc, &c);
	if (ret != 0) {
		dev->tx_queues[queue_id] = NULL;
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): tx queue %u setup failed (%s)", port_id, dev->name,
		       queue_id, strerror(-ret));
	}
	return ret;
}

/* ---- start, stop, close ------------------------------------------------- */

static int dev_start_locked(struct sl_eth_dev *dev, uint16_t port_id);

int sl_eth_dev_start(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	pthread_mutex_lock(&eth_lock);
	int ret = dev_start_locked(dev, port_id);
	pthread_mutex_unlock(&eth_lock);
	return ret;
}

static int dev_start_locked(struct sl_eth_dev *dev, uint16_t port_id)
{
	if (dev->removed) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): its device was removed; close the port", port_id, dev->name);
		return -ENODEV;
	}
	if (dev->started) {
		SL_LOG(INFO, LOG_COMPONENT, "port %u (%s) is already started", port_id, dev->name);
		return 0;
	}
	if (!dev->configured) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): start before sl_eth_dev_configure", port_id, dev->name);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++) {
		if (dev->rx_queues[q] == NULL) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rx queue %u is not set up; call sl_eth_rx_queue_setup "
			       "for every configured queue before starting", port_id, dev->name, q);
			return -EINVAL;
		}
	}
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++) {
		if (dev->tx_queues[q] == NULL) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): tx queue %u is not set up; call sl_eth_tx_queue_setup "
			       "for every configured queue before starting", port_id, dev->name, q);
			return -EINVAL;
		}
	}
	int ret = dev->dev_ops->dev_start(dev);
	if (ret != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): start failed (%s)", port_id, dev->name, strerror(-ret));
		return ret;
	}
	/* Every queue needs a burst function before the fast path can see it. */
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++) {
		if (dev->rx_queue_burst[q] == NULL && dev->rx_pkt_burst == NULL) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s set no rx burst function for queue %u",
			       port_id, dev->name, driver_name_of(dev), q);
			dev->dev_ops->dev_stop(dev);
			return -EINVAL;
		}
	}
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++) {
		if (dev->tx_queue_burst[q] == NULL && dev->tx_pkt_burst == NULL) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s set no tx burst function for queue %u",
			       port_id, dev->name, driver_name_of(dev), q);
			dev->dev_ops->dev_stop(dev);
			return -EINVAL;
		}
	}
	struct sl_eth_fp_port *fp = &sl_eth_fp_ports[port_id];
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++) {
		fp->rxq[q].queue = dev->rx_queues[q];
		fp->rxq[q].rx_burst = dev->rx_queue_burst[q] ? dev->rx_queue_burst[q] : dev->rx_pkt_burst;
	}
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++) {
		fp->txq[q].queue = dev->tx_queues[q];
		fp->txq[q].tx_burst = dev->tx_queue_burst[q] ? dev->tx_queue_burst[q] : dev->tx_pkt_burst;
	}
	dev->started = true;
	SL_LOG(DEBUG, LOG_COMPONENT, "port %u (%s) started", port_id, dev->name);
	return 0;
}

static int dev_stop_locked(struct sl_eth_dev *dev, uint16_t port_id);

int sl_eth_dev_stop(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	pthread_mutex_lock(&eth_lock);
	int ret = dev_stop_locked(dev, port_id);
	pthread_mutex_unlock(&eth_lock);
	return ret;
}

static int dev_stop_locked(struct sl_eth_dev *dev, uint16_t port_id)
{
	if (!dev->started)
		return 0;
	fp_port_reset(port_id);
	int ret = dev->dev_ops->dev_stop(dev);
	dev->started = false;
	if (ret != 0)
		SL_LOG(WARNING, LOG_COMPONENT, "port %u (%s): the driver reported an error while stopping (%s)",
		       port_id, dev->name, strerror(-ret));
	return ret;
}

bool sl_eth_dev_is_started(uint16_t port_id)
{
	struct sl_eth_dev *dev = sl_eth_dev_get(port_id);
	return dev != NULL && dev->started;
}

int sl_eth_dev_close(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	pthread_mutex_lock(&eth_lock);
	if (dev->started) {
		SL_LOG(DEBUG, LOG_COMPONENT, "port %u (%s): stopping before close", port_id, dev->name);
		dev_stop_locked(dev, port_id);
	}
	removed_txqs_forget(port_id);
	for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		release_rx_queue(dev, q);
		release_tx_queue(dev, q);
	}
	dev->dev_ops->dev_close(dev);
	dev->dev_private = NULL;
	SL_LOG(DEBUG, LOG_COMPONENT, "port %u (%s) closed", port_id, dev->name);
	sl_eth_dev_release(dev);
	pthread_mutex_unlock(&eth_lock);
	return 0;
}

/* ---- removal -------------------------------------------------------------- */

void sl_eth_pci_removed(void *bus_device)
{
	struct event_cb cbs[MAX_EVENT_CBS];
	unsigned nb_cbs = 0;
	struct sl_eth_dev *dev = NULL;

	if (bus_device == NULL)
		return;
	pthread_mutex_lock(&eth_lock);
	for (uint16_t p = 0; p < SL_MAX_ETHPORTS; p++)
		if (eth_devs[p] != NULL && eth_devs[p]->bus_device == bus_device)
			dev = eth_devs[p];
	if (dev == NULL || dev->removed) {
		pthread_mutex_unlock(&eth_lock);
		return;
	}
	/* The counters as they are, while the device can still be read. */
	memset(&dev->removed_stats, 0, sizeof(dev->removed_stats));
	dev->dev_ops->stats_get(dev, &dev->removed_stats);
	struct sl_eth_fp_port *fp = &sl_eth_fp_ports[dev->port_id];
	if (dev->started) {
		for (uint16_t q = 0; q < dev->nb_tx_queues; q++) {
			unsigned n = nb_removed_txqs;
			removed_txqs[n] = (struct removed_txq){.queue = fp->txq[q].queue,
							       .refused = &dev->removed_tx_refused[q],
							       .port_id = dev->port_id};
			__atomic_store_n(&nb_removed_txqs, n + 1, __ATOMIC_RELEASE);
		}
		/* One pointer store per queue: an lcore sees the old burst or the
		 * new one, and both are safe (the BARs are replaced in place). */
		for (uint16_t q = 0; q < dev->nb_rx_queues; q++)
			__atomic_store_n(&fp->rxq[q].rx_burst, removed_rx_burst, __ATOMIC_RELEASE);
		for (uint16_t q = 0; q < dev->nb_tx_queues; q++)
			__atomic_store_n(&fp->txq[q].tx_burst, removed_tx_burst, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&dev->removed, true, __ATOMIC_RELEASE);
	uint16_t port_id = dev->port_id;
	SL_LOG(WARNING, LOG_COMPONENT, "port %u (%s): device removed; its bursts return 0 from now on "
	       "(rx %" PRIu64 " tx %" PRIu64 " packets until now); stop and close the port", port_id, dev->name,
	       dev->removed_stats.ipackets, dev->removed_stats.opackets);
	for (unsigned i = 0; i < MAX_EVENT_CBS; i++)
		if (event_cbs[i].cb != NULL && event_cbs[i].event == SL_ETH_EVENT_INTR_RMV &&
		    (event_cbs[i].port_id == port_id || event_cbs[i].port_id == SL_ETH_ALL))
			cbs[nb_cbs++] = event_cbs[i];
	pthread_mutex_unlock(&eth_lock);
	for (unsigned i = 0; i < nb_cbs; i++)
		cbs[i].cb(port_id, SL_ETH_EVENT_INTR_RMV, cbs[i].arg);
}

bool sl_eth_dev_is_removed(uint16_t port_id)
{
	struct sl_eth_dev *dev = sl_eth_dev_get(port_id);
	return dev != NULL && __atomic_load_n(&dev->removed, __ATOMIC_ACQUIRE);
}

int sl_eth_dev_callback_register(uint16_t port_id, enum sl_eth_event_type event, sl_eth_event_cb_fn cb,
				 void *cb_arg)
{
	if (cb == NULL || event != SL_ETH_EVENT_INTR_RMV || (port_id != SL_ETH_ALL && sl_eth_dev_get(port_id) == NULL)) {
		SL_LOG(ERR, LOG_COMPONENT, "sl_eth_dev_callback_register: bad port %u, event %d or no callback",
		       port_id, (int)event);
		return -EINVAL;
	}
	int ret = -ENOSPC;
	pthread_mutex_lock(&eth_lock);
	for (unsigned i = 0; i < MAX_EVENT_CBS; i++)
		if (event_cbs[i].cb == NULL) {
			event_cbs[i] = (struct event_cb){.port_id = port_id, .event = event, .cb = cb, .arg = cb_arg};
			ret = 0;
			break;
		}
	pthread_mutex_unlock(&eth_lock);
	if (ret != 0)
		SL_LOG(ERR, LOG_COMPONENT, "sl_eth_dev_callback_register: all %d callback slots are taken",
		       MAX_EVENT_CBS);
	return ret;
}

int sl_eth_dev_callback_unregister(uint16_t port_id, enum sl_eth_event_type event, sl_eth_event_cb_fn cb,
				   void *cb_arg)
{
	int ret = -EINVAL;
	pthread_mutex_lock(&eth_lock);
	for (unsigned i = 0; i < MAX_EVENT_CBS; i++)
		if (event_cbs[i].cb == cb && event_cbs[i].arg == cb_arg && event_cbs[i].port_id == port_id &&
		    event_cbs[i].event == event) {
			event_cbs[i] = (struct event_cb){0};
			ret = 0;
		}
	pthread_mutex_unlock(&eth_lock);
	return ret;
}

/* ---- rx interrupts ------------------------------------------------------- */

/* The checks every rx interrupt call shares (see sl_ethdev.h). */
static int check_rx_intr(struct sl_eth_dev *dev, uint16_t queue_id, const char *func)
{
	if (!has_rx_intr_ops(dev)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): driver %s has no rx interrupts; poll the queue instead",
		       func, dev->port_id, dev->name, driver_name_of(dev));
		return -ENOTSUP;
	}
	if (!dev->configured || !dev->conf.intr_conf.rxq) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s) was not configured for rx interrupts; set "
		       "conf.intr_conf.rxq = 1 in sl_eth_dev_configure", func, dev->port_id, dev->name);
		return -EINVAL;
	}
	if (queue_id >= dev->nb_rx_queues) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): rx queue %u does not exist: the port was configured "
		       "with %u rx queues", func, dev->port_id, dev->name, queue_id, dev->nb_rx_queues);
		return -EINVAL;
	}
	if (!dev->started) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s) is not started: its rx interrupts exist while it runs; "
		       "call sl_eth_dev_start first", func, dev->port_id, dev->name);
		return -EINVAL;
	}
	return 0;
}

int sl_eth_dev_rx_intr_ctl_q_get_fd(uint16_t port_id, uint16_t queue_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	int ret = check_rx_intr(dev, queue_id, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->rx_queue_intr_fd(dev, queue_id);
}

int sl_eth_dev_rx_intr_enable(uint16_t port_id, uint16_t queue_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	int ret = check_rx_intr(dev, queue_id, __func__);
	if (ret != 0)
		return ret;
	int fd = dev->dev_ops->rx_queue_intr_fd(dev, queue_id);
	if (fd < 0)
		return fd;
	/* Discard interrupts from before: what fires from now on is new. */
	uint64_t count;
	while (read(fd, &count, sizeof(count)) < 0 && errno == EINTR)
		;
	return dev->dev_ops->rx_queue_intr_enable(dev, queue_id);
}

int sl_eth_dev_rx_intr_disable(uint16_t port_id, uint16_t queue_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	int ret = check_rx_intr(dev, queue_id, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->rx_queue_intr_disable(dev, queue_id);
}

/* ---- RSS ------------------------------------------------------------------ */

/* The checks every RSS call shares: the driver has RSS, the port is
 * configured with RSS in use. INFO is filled for the argument checks. */
static int check_rss(struct sl_eth_dev *dev, struct sl_eth_dev_info *info, const char *func)
{
	if (!has_rss_ops(dev)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): driver %s has no RSS", func, dev->port_id, dev->name,
		       driver_name_of(dev));
		return -ENOTSUP;
	}
	if (!dev->configured) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s) is not configured; call sl_eth_dev_configure first",
		       func, dev->port_id, dev->name);
		return -EINVAL;
	}
	if (dev->conf.rx_mq_mode != SL_ETH_MQ_RX_RSS) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s) does not use RSS (%u rx queue%s%s); reconfigure it with "
		       "2 or more rx queues and rx_mq_mode SL_ETH_MQ_RX_AUTO or _RSS", func, dev->port_id, dev->name,
		       dev->nb_rx_queues, dev->nb_rx_queues == 1 ? "" : "s",
		       dev->nb_rx_queues > 1 ? ", rx_mq_mode NONE" : "");
		return -EINVAL;
	}
	return sl_eth_dev_info_get(dev->port_id, info);
}

int sl_eth_dev_rss_hash_update(uint16_t port_id, const struct sl_eth_rss_conf *rss_conf)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = check_rss(dev, &info, __func__);
	if (ret != 0)
		return ret;
	if (rss_conf == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): no rss_conf given", __func__, port_id, dev->name);
		return -EINVAL;
	}
	ret = check_rss_hf(dev, &info, rss_conf->rss_hf, false, __func__);
	if (ret == 0)
		ret = check_rss_key(dev, &info, rss_conf, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->rss_hash_update(dev, rss_conf);
}

int sl_eth_dev_rss_hash_conf_get(uint16_t port_id, struct sl_eth_rss_conf *rss_conf)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (rss_conf == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): no rss_conf to fill", __func__, port_id, dev->name);
		return -EINVAL;
	}
	if (has_rss_ops(dev) && dev->configured && dev->conf.rx_mq_mode != SL_ETH_MQ_RX_RSS) {
		/* RSS not in use: no hash types, no key */
		rss_conf->rss_hf = 0;
		rss_conf->rss_key_len = 0;
		return 0;
	}
	struct sl_eth_dev_info info;
	int ret = check_rss(dev, &info, __func__);
	if (ret != 0)
		return ret;
	if (rss_conf->rss_key != NULL && rss_conf->rss_key_len < info.hash_key_size) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): a %u-byte buffer cannot take the %u-byte RSS key; "
		       "pass dev_info.hash_key_size bytes in rss_key_len", __func__, port_id, dev->name,
		       rss_conf->rss_key_len, info.hash_key_size);
		return -EINVAL;
	}
	ret = dev->dev_ops->rss_hash_conf_get(dev, rss_conf);
	if (ret == 0 && rss_conf->rss_key != NULL)
		rss_conf->rss_key_len = info.hash_key_size;
	return ret;
}

/* The checks both RETA calls share: the size, masks selecting something,
 * and (UPDATE) queue ids of the port. */
static int check_reta(struct sl_eth_dev *dev, const struct sl_eth_dev_info *info,
		      const struct sl_eth_rss_reta_entry64 *reta_conf, uint16_t reta_size, bool update,
		      const char *func)
{
	if (reta_conf == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): no redirection table entries given", func,
		       dev->port_id, dev->name);
		return -EINVAL;
	}
	if (reta_size != info->reta_size) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): a redirection table of %u entries; this port has %u "
		       "(dev_info.reta_size)", func, dev->port_id, dev->name, reta_size, info->reta_size);
		return -EINVAL;
	}
	unsigned selected = 0;
	for (unsigned i = 0; i < reta_size; i++) {
		const struct sl_eth_rss_reta_entry64 *g = &reta_conf[i / SL_ETH_RETA_GROUP_SIZE];
		unsigned b = i % SL_ETH_RETA_GROUP_SIZE;
		if (!(g->mask & (1ULL << b)))
			continue;
		selected++;
		if (update && g->reta[b] >= dev->nb_rx_queues) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): redirection table entry %u names rx queue %u; "
			       "the port has %u rx queues (0..%u)", func, dev->port_id, dev->name, i, g->reta[b],
			       dev->nb_rx_queues, dev->nb_rx_queues - 1u);
			return -EINVAL;
		}
	}
	if (selected == 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): every mask is 0, so no entry is selected; set bit i %% %d "
		       "of reta_conf[i / %d].mask for each entry i", func, dev->port_id, dev->name,
		       SL_ETH_RETA_GROUP_SIZE, SL_ETH_RETA_GROUP_SIZE);
		return -EINVAL;
	}
	return 0;
}

int sl_eth_dev_rss_reta_update(uint16_t port_id, const struct sl_eth_rss_reta_entry64 *reta_conf,
			       uint16_t reta_size)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = check_rss(dev, &info, __func__);
	if (ret == 0)
		ret = check_reta(dev, &info, reta_conf, reta_size, true, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->reta_update(dev, reta_conf, reta_size);
}

int sl_eth_dev_rss_reta_query(uint16_t port_id, struct sl_eth_rss_reta_entry64 *reta_conf, uint16_t reta_size)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = check_rss(dev, &info, __func__);
	if (ret == 0)
		ret = check_reta(dev, &info, reta_conf, reta_size, false, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->reta_query(dev, reta_conf, reta_size);
}

/* ---- statistics --------------------------------------------------------- */

int sl_eth_stats_get(uint16_t port_id, struct sl_eth_stats *stats)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (stats == NULL)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	pthread_mutex_lock(&eth_lock);
	int ret = 0;
	if (dev->removed) {
		/* the device is gone: what it had counted, plus what the removed
		 * tx queues refused since */
		*stats = dev->removed_stats;
		for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++)
			stats->oerrors += __atomic_load_n(&dev->removed_tx_refused[q], __ATOMIC_RELAXED);
	} else {
		ret = dev->dev_ops->stats_get(dev, stats);
	}
	pthread_mutex_unlock(&eth_lock);
	return ret;
}

int sl_eth_stats_reset(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	pthread_mutex_lock(&eth_lock);
	int ret = 0;
	if (dev->removed) {
		memset(&dev->removed_stats, 0, sizeof(dev->removed_stats));
		for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++)
			__atomic_store_n(&dev->removed_tx_refused[q], 0, __ATOMIC_RELAXED);
	} else {
		ret = dev->dev_ops->stats_reset(dev);
	}
	pthread_mutex_unlock(&eth_lock);
	return ret;
}

/* The generic xstats, taken from struct sl_eth_stats. */
struct basic_xstat {
	const char *name;
	size_t offset;
};

static const struct basic_xstat basic_xstats[] = {
	{"rx_good_packets", offsetof(struct sl_eth_stats, ipackets)},
	{"tx_good_packets", offsetof(struct sl_eth_stats, opackets)},
	{"rx_good_bytes", offsetof(struct sl_eth_stats, ibytes)},
	{"tx_good_bytes", offsetof(struct sl_eth_stats, obytes)},
	{"rx_missed_errors", offsetof(struct sl_eth_stats, imissed)},
	{"rx_errors", offsetof(struct sl_eth_stats, ierrors)},
	{"tx_errors", offsetof(struct sl_eth_stats, oerrors)},
	{"rx_mbuf_allocation_errors", offsetof(struct sl_eth_stats, rx_nombuf)},
};

static const struct basic_xstat rxq_xstats[] = {
	{"packets", offsetof(struct sl_eth_stats, q_ipackets)},
	{"bytes", offsetof(struct sl_eth_stats, q_ibytes)},
	{"errors", offsetof(struct sl_eth_stats, q_errors)},
};

static const struct basic_xstat txq_xstats[] = {
	{"packets", offsetof(struct sl_eth_stats, q_opackets)},
	{"bytes", offsetof(struct sl_eth_stats, q_obytes)},
};

static unsigned generic_xstats_count(const struct sl_eth_dev *dev)
{
	return (unsigned)(SL_DIM(basic_xstats) + SL_DIM(rxq_xstats) * dev->nb_rx_queues +
			  SL_DIM(txq_xstats) * dev->nb_tx_queues);
}

static int driver_xstats_count(struct sl_eth_dev *dev)
{
	if (dev->dev_ops->xstats_get_names == NULL)
		return 0;
	return dev->dev_ops->xstats_get_names(dev, NULL, 0);
}

int sl_eth_xstats_get_names(uint16_t port_id, struct sl_eth_xstat_name *names, unsigned size)
{
	GET_PORT_OR_RETURN(dev, port_id);
	int drv = driver_xstats_count(dev);
	if (drv < 0)
		return drv;
	unsigned total = generic_xstats_count(dev) + (unsigned)drv;
	if (names == NULL || size < total)
		return (int)total;
	unsigned n = 0;
	for (unsigned i = 0; i < SL_DIM(basic_xstats); i++)
		snprintf(names[n++].name, SL_ETH_XSTATS_NAME_SIZE, "%s", basic_xstats[i].name);
	for (unsigned q = 0; q < dev->nb_rx_queues; q++)
		for (unsigned i = 0; i < SL_DIM(rxq_xstats); i++)
			snprintf(names[n++].name, SL_ETH_XSTATS_NAME_SIZE, "rx_q%u_%s", q, rxq_xstats[i].name);
	for (unsigned q = 0; q < dev->nb_tx_queues; q++)
		for (unsigned i = 0; i < SL_DIM(txq_xstats); i++)
			snprintf(names[n++].name, SL_ETH_XSTATS_NAME_SIZE, "tx_q%u_%s", q, txq_xstats[i].name);
	if (drv > 0) {
		int ret = dev->dev_ops->xstats_get_names(dev, names + n, (unsigned)drv);
		if (ret < 0)
			return ret;
	}
	return (int)total;
}

int sl_eth_xstats_get(uint16_t port_id, struct sl_eth_xstat *xstats, unsigned size)
{
	GET_PORT_OR_RETURN(dev, port_id);
	int drv = driver_xstats_count(dev);
	if (drv < 0)
		return drv;
	unsigned total = generic_xstats_count(dev) + (unsigned)drv;
	if (xstats == NULL || size < total)
		return (int)total;
	struct sl_eth_stats st;
	int ret = sl_eth_stats_get(port_id, &st);
	if (ret != 0)
		return ret;
	const char *base = (const char *)&st;
	unsigned n = 0;
	for (unsigned i = 0; i < SL_DIM(basic_xstats); i++, n++) {
		xstats[n].id = n;
		memcpy(&xstats[n].value, base + basic_xstats[i].offset, sizeof(uint64_t));
	}
	for (unsigned q = 0; q < dev->nb_rx_queues; q++)
		for (unsigned i = 0; i < SL_DIM(rxq_xstats); i++, n++) {
			xstats[n].id = n;
			memcpy(&xstats[n].value, base + rxq_xstats[i].offset + q * sizeof(uint64_t),
			       sizeof(uint64_t));
		}
	for (unsigned q = 0; q < dev->nb_tx_queues; q++)
		for (unsigned i = 0; i < SL_DIM(txq_xstats); i++, n++) {
			xstats[n].id = n;
			memcpy(&xstats[n].value, base + txq_xstats[i].offset + q * sizeof(uint64_t),
			       sizeof(uint64_t));
		}
	if (drv > 0) {
		uint64_t *values = calloc((size_t)drv, sizeof(uint64_t));
		if (values == NULL)
			return -ENOMEM;
		ret = dev->dev_ops->xstats_get(dev, values, (unsigned)drv);
		if (ret < 0) {
			free(values);
			return ret;
		}
		for (int i = 0; i < drv; i++, n++) {
			xstats[n].id = n;
			xstats[n].value = values[i];
		}
		free(values);
	}
	return (int)total;
}

int sl_eth_xstats_get_by_name(uint16_t port_id, const char *name, uint64_t *value)
{
	GET_PORT_OR_RETURN(dev, port_id);
	(void)dev;
	if (name == NULL || value == NULL)
		return -EINVAL;
	int n = sl_eth_xstats_get_names(port_id, NULL, 0);
	if (n < 0)
		return n;
	struct sl_eth_xstat_name *names = calloc((size_t)n + 1, sizeof(*names));
	struct sl_eth_xstat *xs = calloc((size_t)n + 1, sizeof(*xs));
	int ret = -ENOMEM;
	if (names == NULL || xs == NULL)
		goto out;
	ret = sl_eth_xstats_get_names(port_id, names, (unsigned)n);
	if (ret < 0)
		goto out;
	ret = sl_eth_xstats_get(port_id, xs, (unsigned)n);
	if (ret < 0)
		goto out;
	ret = -EINVAL;
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i].name, name) == 0) {
			*value = xs[i].value;
			ret = 0;
			break;
		}
	}
out:
	free(names);
	free(xs);
	return ret;
}

int sl_eth_xstats_reset(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	int ret = dev->dev_ops->stats_reset(dev);
	if (ret == 0 && dev->dev_ops->xstats_reset != NULL)
		ret = dev->dev_ops->xstats_reset(dev);
	return ret;
}

/* ---- link ---------------------------------------------------------------- */

int sl_eth_link_get_nowait(uint16_t port_id, struct sl_eth_link *link)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (link == NULL)
		return -EINVAL;
	if (dev->dev_ops->link_update != NULL) {
		int ret = dev->dev_ops->link_update(dev, false);
		if (ret < 0)
			return ret;
	}
	*link = dev->link;
	return 0;
}

int sl_eth_link_wait(uint16_t port_id, unsigned timeout_ms, struct sl_eth_link *link)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_link l;
	unsigned waited = 0;
	for (;;) {
		int ret = sl_eth_link_get_nowait(port_id, &l);
		if (ret != 0)
			return ret;
		if (l.status == SL_ETH_LINK_UP || waited >= timeout_ms)
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
		waited += 10;
	}
	if (link != NULL)
		*link = l;
	if (l.status != SL_ETH_LINK_UP) {
		SL_LOG(NOTICE, LOG_COMPONENT, "port %u (%s): link still down after %u ms%s", port_id, dev->name,
		       timeout_ms, dev->started ? "" : " (the port is not started)");
		return -ETIMEDOUT;
	}
	return 0;
}

/* ---- MAC, filters, MTU -------------------------------------------------- */

int sl_eth_macaddr_get(uint16_t port_id, struct sl_ether_addr *mac)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (mac == NULL)
		return -EINVAL;
	*mac = dev->mac_addr;
	return 0;
}

int sl_eth_dev_default_mac_addr_set(uint16_t port_id, const struct sl_ether_addr *mac)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (mac == NULL)
		return -EINVAL;
	char buf[24];
	sl_ether_format_addr(buf, sizeof(buf), mac);
	if (sl_is_multicast_ether_addr(mac) || sl_is_zero_ether_addr(mac)) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %s cannot be a port address: it must be unicast and non-zero",
		       port_id, dev->name, buf);
		return -EINVAL;
	}
	if (dev->dev_ops->mac_addr_set == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s cannot change the MAC address", port_id,
		       dev->name, driver_name_of(dev));
		return -ENOTSUP;
	}
	int ret = dev->dev_ops->mac_addr_set(dev, mac);
	if (ret == 0)
		dev->mac_addr = *mac;
	return ret;
}

/* Promiscuous and all-multicast share this: call OP, record STATE in FLAG. */
static int set_rx_mode(struct sl_eth_dev *dev, int (*op)(struct sl_eth_dev *), bool *flag, bool state,
		       const char *what)
{
	if (*flag == state)
		return 0;
	if (op == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s cannot turn %s mode %s", dev->port_id,
		       dev->name, driver_name_of(dev), what, state ? "on" : "off");
		return -ENOTSUP;
	}
	int ret = op(dev);
	if (ret == 0)
		*flag = state;
	return ret;
}

int sl_eth_promiscuous_enable(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return set_rx_mode(dev, dev->dev_ops->promiscuous_enable, &dev->promiscuous, true, "promiscuous");
}

int sl_eth_promiscuous_disable(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return set_rx_mode(dev, dev->dev_ops->promiscuous_disable, &dev->promiscuous, false, "promiscuous");
}

int sl_eth_promiscuous_get(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return dev->promiscuous ? 1 : 0;
}

int sl_eth_allmulticast_enable(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return set_rx_mode(dev, dev->dev_ops->allmulticast_enable, &dev->all_multicast, true, "all-multicast");
}

int sl_eth_allmulticast_disable(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return set_rx_mode(dev, dev->dev_ops->allmulticast_disable, &dev->all_multicast, false,
			   "all-multicast");
}

int sl_eth_allmulticast_get(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	return dev->all_multicast ? 1 : 0;
}

int sl_eth_dev_set_mtu(uint16_t port_id, uint16_t mtu)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = sl_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	if (mtu < info.min_mtu || mtu > info.max_mtu) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): MTU %u out of range: this port takes %u to %u", port_id,
		       dev->name, mtu, info.min_mtu, info.max_mtu);
		return -EINVAL;
	}
	if (dev->dev_ops->mtu_set == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver cannot change the MTU", port_id, dev->name);
		return -ENOTSUP;
	}
	ret = dev->dev_ops->mtu_set(dev, mtu);
	if (ret == 0) {
		dev->mtu = mtu;
		dev->conf.mtu = mtu;
	}
	return ret;
}

int sl_eth_dev_get_mtu(uint16_t port_id, uint16_t *mtu)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (mtu == NULL)
		return -EINVAL;
	*mtu = dev->mtu;
	return 0;
}

/* ---- vdev probing from EAL init ----------------------------------------- */

static void close_all_ports(void)
{
	for (uint16_t p = 0; p < SL_MAX_ETHPORTS; p++)
		if (eth_devs[p] != NULL)
			sl_eth_dev_close(p);
}

static int probe_vdevs(void)
{
	const struct sl_eal_config *cfg = sl_eal_get_config();
	for (unsigned i = 0; i < cfg->nb_vdev; i++) {
		const struct sl_devarg *da = &cfg->vdev[i];
		const struct sl_eth_driver *drv = vdev_driver_for(da->name);
		if (drv == NULL) {
			char known[128];
			known_vdev_prefixes(known, sizeof(known));
			SL_LOG(ERR, LOG_COMPONENT, "--vdev %s: no driver for this name (known vdev names start with: %s)",
			       da->name, known);
			close_all_ports();
			errno = ENODEV;
			return -1;
		}
		int ret = drv->probe_vdev(da->name, da->args);
		if (ret != 0) {
			SL_LOG(ERR, LOG_COMPONENT, "--vdev %s%s%s: %s could not create the port (%s)", da->name,
			       da->args[0] ? "," : "", da->args, drv->name, strerror(ret < 0 ? -ret : ret));
			close_all_ports();
			errno = ret < 0 ? -ret : EINVAL;
			return -1;
		}
	}
	return 0;
}

static struct sl_eal_hook ethdev_vdev_hook = {
	.name = "ethdev-vdev-probe",
	.priority = 200,
	.init = probe_vdevs,
	.cleanup = close_all_ports,
};

__attribute__((constructor)) static void ethdev_init(void)
{
	for (uint16_t p = 0; p < SL_MAX_ETHPORTS; p++)
		fp_port_reset(p);
	sl_eal_register_hook(&ethdev_vdev_hook);
}
