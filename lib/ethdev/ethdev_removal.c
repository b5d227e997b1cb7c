/* ethdev_removal.c: a port whose device was removed (SL_ETH_EVENT_INTR_RMV):
 * its bursts switched to ones that return 0, its counters kept, and the
 * removal event posted (its callbacks: ethdev_events.c). */
#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include "ethdev_private.h"

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

void ethdev__removed_txqs_forget(uint16_t port_id)
{
	unsigned j = 0;
	for (unsigned i = 0; i < nb_removed_txqs; i++)
		if (removed_txqs[i].port_id != port_id)
			removed_txqs[j++] = removed_txqs[i];
	__atomic_store_n(&nb_removed_txqs, j, __ATOMIC_RELEASE);
}

void sl_eth_pci_removed(void *bus_device)
{
	struct sl_eth_dev *dev = NULL;

	if (bus_device == NULL)
		return;
	pthread_mutex_lock(&ethdev__lock);
	for (uint16_t p = 0; p < SL_MAX_ETHPORTS; p++)
		if (ethdev__devs[p] != NULL && ethdev__devs[p]->bus_device == bus_device)
			dev = ethdev__devs[p];
	if (dev == NULL || dev->removed) {
		pthread_mutex_unlock(&ethdev__lock);
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
	pthread_mutex_unlock(&ethdev__lock);
	/* the callbacks run on the EAL interrupt thread (ethdev_events.c) */
	ethdev__event_post(port_id, SL_ETH_EVENT_INTR_RMV);
}

bool sl_eth_dev_is_removed(uint16_t port_id)
{
	struct sl_eth_dev *dev = sl_eth_dev_get(port_id);
	return dev != NULL && __atomic_load_n(&dev->removed, __ATOMIC_ACQUIRE);
}
