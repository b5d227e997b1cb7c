/* ethdev.c: the port registry (port ids, names, the fast-path table each
 * port's bursts go through) and driver registration. The control API of
 * sl_ethdev.h is in the other ethdev_*.c files, one concern each. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ethdev_private.h"

struct sl_eth_fp_port sl_eth_fp_ports[SL_MAX_ETHPORTS];

struct sl_eth_dev *ethdev__devs[SL_MAX_ETHPORTS];
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
pthread_mutex_t ethdev__lock = PTHREAD_MUTEX_INITIALIZER;

void ethdev__fp_port_reset(uint16_t port_id)
{
	struct sl_eth_fp_port *fp = &sl_eth_fp_ports[port_id];
	for (unsigned q = 0; q < SL_MAX_QUEUES_PER_PORT; q++) {
		__atomic_store_n(&fp->rxq[q].cbs, NULL, __ATOMIC_RELAXED);
		fp->rxq[q].rx_burst = dummy_rx_burst;
		fp->rxq[q].queue = NULL;
		fp->rxq[q].port_id = port_id;
		fp->rxq[q].queue_id = (uint16_t)q;
		__atomic_store_n(&fp->txq[q].cbs, NULL, __ATOMIC_RELAXED);
		fp->txq[q].tx_burst = dummy_tx_burst;
		fp->txq[q].queue = NULL;
		fp->txq[q].port_id = port_id;
		fp->txq[q].queue_id = (uint16_t)q;
	}
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
const struct sl_eth_driver *ethdev__vdev_driver_for(const char *vdev_name)
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

void ethdev__known_vdev_prefixes(char *buf, size_t size)
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
		if (ethdev__devs[i] == NULL) {
			if (free_id < 0)
				free_id = i;
		} else if (strcmp(ethdev__devs[i]->name, name) == 0) {
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
	dev->numa_node = SL_SOCKET_ID_ANY;
	ethdev__fp_port_reset(dev->port_id);
	ethdev__devs[free_id] = dev;
	return dev;
}

void sl_eth_dev_release(struct sl_eth_dev *dev)
{
	if (dev == NULL || dev->port_id >= SL_MAX_ETHPORTS || ethdev__devs[dev->port_id] != dev)
		return;
	ethdev__fp_port_reset(dev->port_id);
	ethdev__devs[dev->port_id] = NULL;
	free(dev);
}

struct sl_eth_dev *sl_eth_dev_get(uint16_t port_id)
{
	return port_id < SL_MAX_ETHPORTS ? ethdev__devs[port_id] : NULL;
}

uint16_t sl_eth_dev_count_avail(void)
{
	uint16_t n = 0;
	for (unsigned i = 0; i < SL_MAX_ETHPORTS; i++)
		n += ethdev__devs[i] != NULL;
	return n;
}

bool sl_eth_dev_is_valid_port(uint16_t port_id)
{
	return sl_eth_dev_get(port_id) != NULL;
}

uint16_t sl_eth_find_next(uint16_t port_id)
{
	while (port_id < SL_MAX_ETHPORTS && ethdev__devs[port_id] == NULL)
		port_id++;
	return port_id < SL_MAX_ETHPORTS ? port_id : SL_MAX_ETHPORTS;
}

int sl_eth_dev_socket_id(uint16_t port_id)
{
	const struct sl_eth_dev *dev = sl_eth_dev_get(port_id);

	if (dev == NULL)
		return -EINVAL;
	return dev->numa_node;
}

int sl_eth_dev_get_port_by_name(const char *name, uint16_t *port_id)
{
	if (name == NULL || port_id == NULL)
		return -EINVAL;
	for (uint16_t i = 0; i < SL_MAX_ETHPORTS; i++) {
		if (ethdev__devs[i] != NULL && strcmp(ethdev__devs[i]->name, name) == 0) {
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
struct sl_eth_dev *ethdev__port_or_log(uint16_t port_id, const char *func)
{
	struct sl_eth_dev *dev = sl_eth_dev_get(port_id);
	if (dev == NULL)
		SL_LOG(ERR, LOG_COMPONENT,
		       "%s: port %u does not exist (%u ports available; list them with SL_ETH_FOREACH_DEV)",
		       func, port_id, sl_eth_dev_count_avail());
	return dev;
}

/* Reset every port's fast-path table and register the vdev probe hook
 * (ethdev_vdev.c). Kept here, in the object every user of ethdev links,
 * so that the hook's object is always pulled in with it. */
__attribute__((constructor)) static void ethdev_init(void)
{
	for (uint16_t p = 0; p < SL_MAX_ETHPORTS; p++)
		ethdev__fp_port_reset(p);
	sl_eal_register_hook(&ethdev__vdev_hook);
}
