/* ethdev_stats.c: basic stats (also of removed ports) and xstats: the
 * generic ones from struct sl_eth_stats followed by the driver's. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ethdev_private.h"

int sl_eth_stats_get(uint16_t port_id, struct sl_eth_stats *stats)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (stats == NULL)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	pthread_mutex_lock(&ethdev__lock);
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
	pthread_mutex_unlock(&ethdev__lock);
	return ret;
}

int sl_eth_stats_reset(uint16_t port_id)
{
	GET_PORT_OR_RETURN(dev, port_id);
	pthread_mutex_lock(&ethdev__lock);
	int ret = 0;
	if (dev->removed) {
		memset(&dev->removed_stats, 0, sizeof(dev->removed_stats));
		for (uint16_t q = 0; q < SL_MAX_QUEUES_PER_PORT; q++)
			__atomic_store_n(&dev->removed_tx_refused[q], 0, __ATOMIC_RELAXED);
	} else {
		ret = dev->dev_ops->stats_reset(dev);
	}
	pthread_mutex_unlock(&ethdev__lock);
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
