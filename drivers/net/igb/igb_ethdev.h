/* igb_ethdev.h: net_igb internals shared by its files: the adapter (one
 * per port), the rx and tx queue objects, BAR0 register access, and the
 * functions each file gives the others. Not installed. */
#ifndef IGB_ETHDEV_H
#define IGB_ETHDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "ethdev_driver.h"
#include "igb_regs.h"
#include "sl_bus_vfio.h"

#define IGB_LOG "net_igb"
#define IGB_DRIVER_NAME "net_igb"

#define IGB_DEFAULT_RX_DESC 512
#define IGB_DEFAULT_TX_DESC 512
#define IGB_DEFAULT_RX_FREE_THRESH 32
#define IGB_DEFAULT_TX_RS_THRESH 32
#define IGB_DEFAULT_TX_FREE_THRESH 32
#define IGB_MAX_RX_FRAME 16128      /* RLPML is 14 bits; SRRCTL buffers up to 127 KiB */
#define IGB_VLAN_TAG_LEN 4
#define IGB_FRAME_OVERHEAD (SL_ETHER_HDR_LEN + SL_ETHER_CRC_LEN + IGB_VLAN_TAG_LEN)

/* Per-queue counters: written only by the lcore polling the queue, read by
 * the control thread (relaxed atomics, plain moves on x86). */
#define IGB_COUNTER_ADD(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define IGB_COUNTER_READ(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define IGB_COUNTER_CLEAR(field) __atomic_store_n(&(field), 0, __ATOMIC_RELAXED)

struct igb_rx_queue {
	/* hot: read by every burst */
	volatile union igb_adv_rx_desc *ring;
	struct sl_mbuf **sw_ring;        /* mbuf posted at each descriptor */
	volatile uint32_t *rdt;          /* this queue's RDT register */
	struct sl_mempool *mp;
	uint64_t rearm;                  /* rearm word: headroom, refcnt 1, 1 segment, port */
	uint16_t nb_desc;
	uint16_t next;                   /* next descriptor to look at */
	uint16_t nb_hold;                /* consumed descriptors not yet refilled */
	uint16_t free_thresh;            /* refill in chunks of this many (divides nb_desc) */
	uint16_t queue_id;
	uint16_t buf_size;               /* bytes the device may write per buffer */
	bool broken;                     /* the device broke the ring: no burst touches it until restart */
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t rx_nombuf;
	uint64_t rx_errors;              /* frames dropped for RXE, and ring violations */
	/* cold */
	uint16_t port_id;
	uint64_t ring_iova;
	bool started;
} sl_cache_aligned;

struct igb_tx_queue {
	volatile union igb_adv_tx_desc *ring;
	struct sl_mbuf **sw_ring;        /* segment to free once a descriptor is done, or NULL */
	volatile uint32_t *tdt;
	uint16_t *rs_fifo;               /* descriptors that carry RS, oldest first */
	uint64_t split_mask;             /* page size - 1: a buffer crossing a page takes 2 descriptors */
	uint16_t nb_desc;
	uint16_t tail;                   /* next descriptor to fill */
	uint16_t clean;                  /* oldest descriptor not yet reclaimed */
	uint16_t nb_free;                /* descriptors free for new packets */
	uint16_t since_rs;               /* descriptors used since the last RS */
	uint16_t fifo_head, fifo_tail;   /* rs_fifo indices (nb_desc entries) */
	uint16_t rs_thresh;              /* RS on the last descriptor of a packet once this many are used */
	uint16_t free_thresh;            /* clean up when fewer are free */
	uint16_t queue_id;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	/* cold */
	uint64_t ring_iova;
	bool started;
} sl_cache_aligned;

/* Hardware counters, accumulated (the registers clear on read). */
struct igb_hw_stat_def {
	const char *name;
	uint32_t reg;      /* low word */
	uint32_t reg_hi;   /* high word of a 64-bit counter, 0 if none */
};
extern const struct igb_hw_stat_def igb_hw_stat_defs[];
extern const unsigned igb_hw_stat_count;
#define IGB_HW_STATS_MAX 64

struct igb_adapter {
	struct sl_pci_device *pci;
	uint8_t *bar0;
	size_t bar0_len;
	char pci_name[SL_PCI_ADDR_STRLEN];
	struct sl_eth_dev *dev;
	uint64_t hw_stats[IGB_HW_STATS_MAX];
	uint64_t rqdpc[IGB_MAX_QUEUES];
	bool promisc;
	bool allmulti;
	/* rx interrupts (igb_intr.c): while started with intr_conf.rxq, rx
	 * queue q signals MSI-X vector q, whose eventfd is rx_intr_fd[q] */
	uint16_t nb_rx_intr;            /* vectors enabled (0: none) */
	int rx_intr_fd[IGB_MAX_QUEUES];
	/* link status change events (intr_conf.lsc, igb_intr.c): while
	 * started, the other causes (LSC) signal MSI-X vector lsc_vector (the
	 * one after the rx queues'), whose eventfd lsc_fd the EAL interrupt
	 * thread watches; lsc_link_up is the link last reported. The counters
	 * are the handler's (interrupts, events posted, interrupts without
	 * LSC in ICR). */
	bool intr_vectors_on;           /* MSI-X vectors enabled through bus_vfio */
	bool lsc_on;                    /* the link interrupt is armed and watched */
	int lsc_fd;
	uint16_t lsc_vector;
	bool lsc_link_up;
	uint64_t lsc_intrs, lsc_events, lsc_spurious;
	/* RSS (igb_rss.c): set at configure, changed by the runtime calls,
	 * written to the device at start */
	bool rss_on;
	uint64_t rss_hf;                /* SL_ETH_RSS_* types hashed */
	uint8_t rss_key[IGB_RSS_KEY_SIZE];
	uint8_t rss_reta[IGB_RETA_ENTRIES];
};

static inline uint32_t igb_read(const struct igb_adapter *ad, uint32_t reg)
{
	return *(volatile uint32_t *)(ad->bar0 + reg);
}

static inline void igb_write(struct igb_adapter *ad, uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(ad->bar0 + reg) = val;
}

static inline volatile uint32_t *igb_reg_addr(struct igb_adapter *ad, uint32_t reg)
{
	return (volatile uint32_t *)(ad->bar0 + reg);
}

/* Reading any register makes earlier posted writes reach the device. */
static inline void igb_write_flush(struct igb_adapter *ad)
{
	(void)igb_read(ad, IGB_STATUS);
}

/* igb_rx.c */
int igb_rx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc, const struct sl_eth_rxconf *conf,
		       struct sl_mempool *mp);
void igb_rx_queue_release(struct sl_eth_dev *dev, uint16_t q);
int igb_rx_queue_start(struct igb_adapter *ad, struct igb_rx_queue *rxq);
void igb_rx_queue_stop(struct igb_adapter *ad, struct igb_rx_queue *rxq);
uint16_t igb_recv_pkts(void *rxq, struct sl_mbuf **pkts, uint16_t nb_pkts);

/* igb_rss.c */
/* The hash types the 82576 can do (MRQC fields). QEMU's model (10.0)
 * ignores NONFRAG_IPV6_TCP and IPV6_UDP_EX: it hashes TCP/IPv6 under
 * IPV6_TCP_EX, and UDP/IPv6 with extension headers not at all. */
#define IGB_RSS_OFFLOAD_ALL                                                                          \
	(SL_ETH_RSS_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_TCP | SL_ETH_RSS_NONFRAG_IPV4_UDP | SL_ETH_RSS_IPV6 | \
	 SL_ETH_RSS_IPV6_EX | SL_ETH_RSS_NONFRAG_IPV6_TCP | SL_ETH_RSS_IPV6_TCP_EX |                    \
	 SL_ETH_RSS_NONFRAG_IPV6_UDP | SL_ETH_RSS_IPV6_UDP_EX)
/* MRQC for RSS over the hash types RSS_HF. */
uint32_t igb_rss_mrqc(uint64_t rss_hf);
/* At configure: the adapter's RSS state from dev->conf (ethdev resolved
 * it): on or off, types, key (given or default), table round robin over
 * the rx queues. */
void igb_rss_conf_init(struct sl_eth_dev *dev);
/* At start: RXCSUM, and MRQC/RSSRK/RETA from that state (MRQC 0 when off). */
void igb_rss_configure(struct igb_adapter *ad);
int igb_rss_hash_update(struct sl_eth_dev *dev, const struct sl_eth_rss_conf *conf);
int igb_rss_hash_conf_get(struct sl_eth_dev *dev, struct sl_eth_rss_conf *conf);
int igb_rss_reta_update(struct sl_eth_dev *dev, const struct sl_eth_rss_reta_entry64 *reta, uint16_t reta_size);
int igb_rss_reta_query(struct sl_eth_dev *dev, struct sl_eth_rss_reta_entry64 *reta, uint16_t reta_size);

/* igb_tx.c */
int igb_tx_queue_setup(struct sl_eth_dev *dev, uint16_t q, uint16_t nb_desc, const struct sl_eth_txconf *conf);
void igb_tx_queue_release(struct sl_eth_dev *dev, uint16_t q);
int igb_tx_queue_start(struct igb_adapter *ad, struct igb_tx_queue *txq);
void igb_tx_queue_stop(struct igb_adapter *ad, struct igb_tx_queue *txq);
uint16_t igb_xmit_pkts(void *txq, struct sl_mbuf **pkts, uint16_t nb_pkts);

/* igb_stats.c */
void igb_hw_stats_update(struct igb_adapter *ad);
void igb_hw_stats_clear(struct igb_adapter *ad);
int igb_stats_get(struct sl_eth_dev *dev, struct sl_eth_stats *st);
int igb_stats_reset(struct sl_eth_dev *dev);
int igb_xstats_get_names(struct sl_eth_dev *dev, struct sl_eth_xstat_name *names, unsigned size);
int igb_xstats_get(struct sl_eth_dev *dev, uint64_t *values, unsigned size);
int igb_xstats_reset(struct sl_eth_dev *dev);

/* igb_intr.c */
/* At configure: 0, or -EINVAL (logged) when the port asks for rx
 * interrupts on more rx queues than the device has MSI-X vectors. */
int igb_rx_intr_check(struct sl_eth_dev *dev); /* also the link vector */
/* At start (port configured with intr_conf.rxq or .lsc): one MSI-X vector
 * and eventfd per rx queue, queue q -> vector q, every queue disarmed; with
 * lsc one more vector for the other causes (IVAR_MISC), not yet enabled
 * (igb_lsc_arm does). */
int igb_rx_intr_setup(struct sl_eth_dev *dev);
/* At the end of start (after the link wait): the link interrupt's eventfd
 * on the EAL interrupt thread, the current link as the baseline, LSC
 * enabled. 0 or a negative errno (logged). */
int igb_lsc_arm(struct sl_eth_dev *dev);
/* At stop: the link interrupt's handler unregistered, everything disarmed,
 * the vectors and eventfds released. */
void igb_rx_intr_teardown(struct sl_eth_dev *dev);
/* The device is being taken away (remove callback, any thread): stop
 * watching the link interrupt's eventfd before the bus closes it. */
void igb_lsc_forget(struct sl_eth_dev *dev);
/* The link interrupt's handler (sl_intr_cb_fn; ARG is the sl_eth_dev):
 * drain FD, read ICR, post an LSC event if LSC is among the causes and
 * STATUS.LU differs from lsc_link_up, re-arm. */
void igb_lsc_intr(int fd, void *arg);
int igb_rx_queue_intr_enable(struct sl_eth_dev *dev, uint16_t q);
int igb_rx_queue_intr_disable(struct sl_eth_dev *dev, uint16_t q);
int igb_rx_queue_intr_fd(struct sl_eth_dev *dev, uint16_t q);

/* Check a descriptor count: a multiple of 8 in 64..4096 (logs why not). */
int igb_check_nb_desc(const struct sl_eth_dev *dev, const char *dir, uint16_t nb_desc);
/* The largest of 32, 16, 8 that divides N and is at most WANT (N is a
 * multiple of 8, so 8 always fits). */
uint16_t igb_chunk_dividing(uint16_t n, uint16_t want);
/* The IOVA of the descriptor RING of SIZE bytes for DIR ("rx"/"tx") queue
 * Q, or SL_BAD_IOVA (logged) when it has no contiguous IOVA range. */
uint64_t igb_ring_iova(const struct sl_eth_dev *dev, const char *dir, uint16_t q, const void *ring, size_t size);
/* Wait up to 10 ms for BIT of REG to read as ON: 0, or -ETIMEDOUT. */
int igb_wait_enable_bit(struct igb_adapter *ad, uint32_t reg, uint32_t bit, bool on);

#endif /* IGB_ETHDEV_H */
