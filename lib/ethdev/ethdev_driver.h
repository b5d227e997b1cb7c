/* ethdev_driver.h: the driver side of ethdev (not for applications). A
 * driver registers a struct sl_eth_driver (from a constructor, with
 * SL_ETH_DRIVER_REGISTER); ethdev probes it for every --vdev whose name
 * starts with the driver's vdev_prefix (with or without "net_"). A PCI NIC
 * driver registers with the PCI bus instead (struct sl_pci_driver in
 * sl_bus_vfio.h: its id table, probe and remove); ethdev knows nothing of
 * the bus. Either probe allocates a port with sl_eth_dev_allocate, fills
 * dev_ops, dev_private, the MAC address and the burst functions (a PCI
 * driver also bus_device), and returns 0. */
#ifndef SL_ETHDEV_DRIVER_H
#define SL_ETHDEV_DRIVER_H

#include "sl_ethdev.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sl_eth_dev;

/* Driver operations. Mandatory: dev_infos_get, dev_configure, dev_start,
 * dev_stop, dev_close, rx/tx_queue_setup, rx/tx_queue_release, stats_get,
 * stats_reset. The others may be NULL (the call then returns -ENOTSUP, or
 * for link_update reports what dev->link holds). ethdev has already checked
 * the port, the queue ids and the started/stopped state before a call.
 * Each returns 0 or a negative errno (having logged why). */
struct sl_eth_dev_ops {
	int (*dev_infos_get)(struct sl_eth_dev *dev, struct sl_eth_dev_info *info);
	int (*dev_configure)(struct sl_eth_dev *dev);
	int (*dev_start)(struct sl_eth_dev *dev);
	int (*dev_stop)(struct sl_eth_dev *dev);
	/* Free dev_private and everything else the driver holds; the queues
	 * have been released already. */
	void (*dev_close)(struct sl_eth_dev *dev);

	/* Store the queue object in dev->rx_queues[q] / dev->tx_queues[q]. */
	int (*rx_queue_setup)(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			      const struct sl_eth_rxconf *conf, struct sl_mempool *mp);
	int (*tx_queue_setup)(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc,
			      const struct sl_eth_txconf *conf);
	void (*rx_queue_release)(struct sl_eth_dev *dev, uint16_t q);
	void (*tx_queue_release)(struct sl_eth_dev *dev, uint16_t q);

	/* Refresh dev->link; WAIT: may block briefly for autonegotiation. */
	int (*link_update)(struct sl_eth_dev *dev, bool wait);

	int (*stats_get)(struct sl_eth_dev *dev, struct sl_eth_stats *stats);
	int (*stats_reset)(struct sl_eth_dev *dev);
	/* Driver-specific xstats: return the count; fill when SIZE is enough. */
	int (*xstats_get_names)(struct sl_eth_dev *dev, struct sl_eth_xstat_name *names,
				unsigned size);
	int (*xstats_get)(struct sl_eth_dev *dev, uint64_t *values, unsigned size);
	int (*xstats_reset)(struct sl_eth_dev *dev);

	int (*mac_addr_set)(struct sl_eth_dev *dev, const struct sl_ether_addr *mac);
	int (*promiscuous_enable)(struct sl_eth_dev *dev);
	int (*promiscuous_disable)(struct sl_eth_dev *dev);
	int (*allmulticast_enable)(struct sl_eth_dev *dev);
	int (*allmulticast_disable)(struct sl_eth_dev *dev);
	int (*mtu_set)(struct sl_eth_dev *dev, uint16_t mtu);

	/* Rx interrupts (sl_ethdev.h "rx interrupts"): a driver offers all
	 * three or none. A port configured with conf.intr_conf.rxq makes the
	 * eventfds (one per rx queue) in dev_start and releases them in
	 * dev_stop (and so in close). ethdev calls these only on a started
	 * port configured with intr_conf.rxq, for an existing rx queue; enable
	 * is called after ethdev drained the queue's eventfd. They may run on
	 * several lcores at once for different queues, so they touch only that
	 * queue's state (or write-1-to-set/clear registers). intr_fd returns
	 * the fd (>= 0, non-blocking: ethdev reads it to drain it) or a
	 * negative errno. */
	int (*rx_queue_intr_enable)(struct sl_eth_dev *dev, uint16_t q);
	int (*rx_queue_intr_disable)(struct sl_eth_dev *dev, uint16_t q);
	int (*rx_queue_intr_fd)(struct sl_eth_dev *dev, uint16_t q);

	/* RSS (sl_ethdev.h "RSS"): a driver offers all four or none, and
	 * reports reta_size, hash_key_size and flow_type_rss_offloads in
	 * dev_infos_get. At dev_configure, dev->conf.rx_mq_mode is already
	 * resolved to SL_ETH_MQ_RX_RSS or SL_ETH_MQ_RX_NONE (never AUTO); with
	 * RSS, conf.rss_conf.rss_hf is the exact set of hash types (never 0,
	 * all supported) and conf.rss_conf.rss_key NULL (use the default key)
	 * or dev->rss_key holding rss_key_len == hash_key_size bytes. The
	 * driver applies that (at configure or start) and keeps what the calls
	 * below change over stop and start, until the next configure. ethdev
	 * calls these only on a configured port with RSS in use, after
	 * checking the arguments: hash_update gets a supported non-zero rss_hf
	 * and a key of hash_key_size bytes or NULL (keep the key); hash_conf_get
	 * fills rss_hf and, when rss_key is not NULL, hash_key_size bytes of
	 * key; reta_update gets reta_size == dev_info.reta_size and queue ids
	 * below nb_rx_queues for the masked entries; reta_query fills the
	 * masked entries. */
	int (*rss_hash_update)(struct sl_eth_dev *dev, const struct sl_eth_rss_conf *conf);
	int (*rss_hash_conf_get)(struct sl_eth_dev *dev, struct sl_eth_rss_conf *conf);
	int (*reta_update)(struct sl_eth_dev *dev, const struct sl_eth_rss_reta_entry64 *reta, uint16_t reta_size);
	int (*reta_query)(struct sl_eth_dev *dev, struct sl_eth_rss_reta_entry64 *reta, uint16_t reta_size);
};

/* One port. ethdev owns the struct; the driver owns dev_private and the
 * queue objects. */
struct sl_eth_dev {
	uint16_t port_id;
	char name[SL_ETH_NAME_MAX_LEN];
	const struct sl_eth_driver *driver;
	const struct sl_eth_dev_ops *dev_ops;
	void *dev_private;
	void *bus_device;            /* the PCI driver's bus device (opaque here), NULL for vdevs */
	int numa_node;               /* the device's NUMA node (PCI drivers set it at probe from
	                              * the bus); SL_SOCKET_ID_ANY (-1) when unknown and for vdevs */

	/* Burst functions for every queue, set by the driver at probe (it may
	 * change them in dev_start, e.g. to pick a vector path). A queue whose
	 * entry in rx/tx_queue_burst is set (in queue setup or dev_start) uses
	 * that instead; ethdev clears the entry when the queue is released. */
	sl_eth_rx_burst_t rx_pkt_burst;
	sl_eth_tx_burst_t tx_pkt_burst;
	sl_eth_rx_burst_t rx_queue_burst[SL_MAX_QUEUES_PER_PORT];
	sl_eth_tx_burst_t tx_queue_burst[SL_MAX_QUEUES_PER_PORT];

	bool configured;
	bool started;
	uint16_t nb_rx_queues;
	uint16_t nb_tx_queues;
	void *rx_queues[SL_MAX_QUEUES_PER_PORT];
	void *tx_queues[SL_MAX_QUEUES_PER_PORT];
	struct sl_eth_conf conf;
	/* The key given at configure (conf.rss_conf.rss_key points here). */
	uint8_t rss_key[SL_ETH_RSS_KEY_MAX];

	/* Removal (sl_eth_pci_removed): set once, never cleared. The stats
	 * taken just before the device went away; packets the removed tx
	 * queues refused since. */
	bool removed;
	struct sl_eth_stats removed_stats;
	uint64_t removed_tx_refused[SL_MAX_QUEUES_PER_PORT];

	/* SL_ETH_DEV_* capabilities, set by the driver at probe. */
	uint32_t dev_flags;

	/* Rx/tx callbacks per queue (ethdev_callbacks.c), kept over stop,
	 * start and reconfiguration; sl_eth_fp_ports holds a copy of each
	 * head while the port is started. */
	struct sl_eth_rxtx_callback *rx_cbs[SL_MAX_QUEUES_PER_PORT];
	struct sl_eth_rxtx_callback *tx_cbs[SL_MAX_QUEUES_PER_PORT];

	struct sl_eth_link link;
	struct sl_ether_addr mac_addr;
	uint16_t mtu;
	bool promiscuous;
	bool all_multicast;
};

struct sl_eth_driver {
	const char *name;                     /* "net_null", "net_igb", ... */
	/* vdev drivers: --vdev names starting with this ("null" takes
	 * "null0" and "net_null0"); NULL for PCI drivers (they are probed by
	 * the PCI bus, see sl_bus_vfio.h). */
	const char *vdev_prefix;
	int (*probe_vdev)(const char *name, const char *args);
	struct sl_eth_driver *next;           /* owned by ethdev */
};

void sl_eth_driver_register(struct sl_eth_driver *drv);

#define SL_ETH_DRIVER_REGISTER(drv) \
	__attribute__((constructor)) static void sl_eth_driver_register_##drv(void) \
	{ sl_eth_driver_register(&(drv)); }

/* The driver registered under NAME, or NULL. */
const struct sl_eth_driver *sl_eth_driver_find(const char *name);

/* Called by a PCI driver's remove callback (the bus calls it from its
 * removal thread when the kernel wants BUS_DEVICE back: unbound from
 * vfio-pci, hot removal; the bus releases the device once it returns):
 * the port whose bus_device it is, if any, is marked removed, its stats
 * are kept as they are now, its queues' burst functions are swapped for
 * ones that return 0 (tx counts the refused packets as errors), and the
 * SL_ETH_EVENT_INTR_RMV callbacks run. Safe against the control calls of
 * the application's thread (start/stop/close/stats serialise with it). */
void sl_eth_pci_removed(void *bus_device);

/* dev_flags: the driver can report link changes as events: with
 * conf.intr_conf.lsc it arms the device's link interrupt in dev_start (on
 * the EAL interrupt thread, sl_intr_register), calls sl_eth_dev_event_post
 * with SL_ETH_EVENT_INTR_LSC when the link changed, and disarms it in
 * dev_stop (sl_intr_unregister before the eventfd goes). ethdev refuses
 * intr_conf.lsc on ports without it; dev_configure may still refuse it
 * for a reason of the device's (logged). */
#define SL_ETH_DEV_INTR_LSC (1u << 0)

/* Queue EVENT of DEV's port for the callbacks registered for it; they run
 * on the EAL interrupt thread. Any thread; returns at once. */
void sl_eth_dev_event_post(struct sl_eth_dev *dev, enum sl_eth_event_type event);

/* Take a free port id for NAME (unique) and return its zeroed device with
 * the driver set; NULL with a log line when the name is in use or every id
 * is taken. */
struct sl_eth_dev *sl_eth_dev_allocate(const char *name, const struct sl_eth_driver *drv);
/* Give a port id back (probe failure path; close does it otherwise). */
void sl_eth_dev_release(struct sl_eth_dev *dev);
/* The device behind a valid port id, or NULL. */
struct sl_eth_dev *sl_eth_dev_get(uint16_t port_id);

#ifdef __cplusplus
}
#endif
#endif /* SL_ETHDEV_DRIVER_H */
