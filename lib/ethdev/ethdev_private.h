/* ethdev_private.h: internal to lib/ethdev (not installed; nothing here is
 * for drivers or applications). The state and helpers the ethdev_*.c
 * files share: the port table, the lock, the port lookup every call starts
 * with, and the calls one file makes into another. Shared symbols are
 * named ethdev__* so that they cannot clash with anything in libsluice. */
#ifndef SL_ETHDEV_PRIVATE_H
#define SL_ETHDEV_PRIVATE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ethdev_driver.h"

#define LOG_COMPONENT "ethdev"

/* ethdev.c: the ports by id (NULL: free). */
extern struct sl_eth_dev *ethdev__devs[SL_MAX_ETHPORTS];

/* ethdev.c: control calls that the removal thread may race with (start,
 * stop, close, stats) and the removal itself take this lock. */
extern pthread_mutex_t ethdev__lock;

/* ethdev.c: point every queue of PORT_ID's fast-path table at bursts that
 * do nothing. */
void ethdev__fp_port_reset(uint16_t port_id);

/* ethdev.c: the device for PORT_ID, or NULL after logging that FUNC got a
 * bad id. */
struct sl_eth_dev *ethdev__port_or_log(uint16_t port_id, const char *func);

#define GET_PORT_OR_RETURN(dev, port_id) \
	struct sl_eth_dev *dev = ethdev__port_or_log(port_id, __func__); \
	if (dev == NULL) \
		return -ENODEV

/* ethdev.c: the vdev driver for a --vdev name such as "null0" or
 * "net_null0", or NULL; and the known vdev name prefixes, for a message. */
const struct sl_eth_driver *ethdev__vdev_driver_for(const char *vdev_name);
void ethdev__known_vdev_prefixes(char *buf, size_t size);

/* ethdev_config.c: release queue Q of DEV if it is set up. */
void ethdev__release_rx_queue(struct sl_eth_dev *dev, uint16_t q);
void ethdev__release_tx_queue(struct sl_eth_dev *dev, uint16_t q);

/* ethdev_rss.c: resolve CONF's rx_mq_mode for NB_RX_QUEUE queues into RSS
 * or NONE and check its rss_conf; *USE_RSS says which. */
int ethdev__resolve_rss_conf(struct sl_eth_dev *dev, const struct sl_eth_dev_info *info, uint16_t nb_rx_queue,
			     struct sl_eth_conf *conf, bool *use_rss);

/* ethdev_removal.c: forget the removed tx queues of PORT_ID (at close). */
void ethdev__removed_txqs_forget(uint16_t port_id);

/* ethdev_events.c: queue EVENT of PORT_ID for the callbacks registered for
 * it (nothing when there are none); they run on the EAL interrupt thread.
 * Any thread; never waits for a callback. */
void ethdev__event_post(uint16_t port_id, enum sl_eth_event_type event);
/* Drop the events of PORT_ID not delivered yet (at close). */
void ethdev__events_forget(uint16_t port_id);
/* Unregister and close the event queue's eventfd (EAL cleanup). */
void ethdev__events_cleanup(void);

/* ethdev_callbacks.c: free every rx/tx callback of DEV (at close, the
 * port stopped). */
void ethdev__callbacks_free(struct sl_eth_dev *dev);

/* ethdev_offload.c: 0, or -EINVAL after logging which of the offloads
 * asked for (WHAT: "rx", "tx", "rx queue 2"...) the port cannot do. */
int ethdev__check_offloads(const struct sl_eth_dev *dev, const struct sl_eth_dev_info *info, const char *what,
			   bool rx, uint64_t asked);

/* ethdev_vdev.c: the EAL init hook that creates the --vdev ports. */
extern struct sl_eal_hook ethdev__vdev_hook;

static inline bool has_rx_intr_ops(const struct sl_eth_dev *dev)
{
	return dev->dev_ops->rx_queue_intr_enable != NULL && dev->dev_ops->rx_queue_intr_disable != NULL &&
	       dev->dev_ops->rx_queue_intr_fd != NULL;
}

static inline bool has_rss_ops(const struct sl_eth_dev *dev)
{
	return dev->dev_ops->rss_hash_update != NULL && dev->dev_ops->rss_hash_conf_get != NULL &&
	       dev->dev_ops->reta_update != NULL && dev->dev_ops->reta_query != NULL;
}

static inline const char *driver_name_of(const struct sl_eth_dev *dev)
{
	return dev->driver ? dev->driver->name : "?";
}

#endif
