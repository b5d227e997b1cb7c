/* sl_ethdev.h: the Sluice Ethernet device API. Ports are created by drivers
 * (software vdevs such as "null0" from --vdev, PCI NICs from bus_vfio); an
 * application configures them, sets up rx/tx queues on a mempool, starts
 * them and moves packets with sl_eth_rx_burst/sl_eth_tx_burst, which are
 * inline calls through per-queue function pointers (one indirect call per
 * burst, no checks on the fast path).
 *
 * Control functions return 0 (or a count) on success and a negative errno on
 * failure, after logging under the "ethdev" component what was wrong:
 *   -ENODEV  the port id names no port;
 *   -EINVAL  a bad argument (queue count, queue id, descriptor count, MTU...);
 *   -EBUSY   the port is started and the call needs it stopped;
 *   -ENOTSUP the driver cannot do this;
 * Control functions are not thread safe: call them from one thread. */
#ifndef SL_ETHDEV_H
#define SL_ETHDEV_H

#include <stdbool.h>
#include <stdint.h>
#include "sl_eal.h"
#include "sl_mbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SL_MAX_ETHPORTS 32
#define SL_MAX_QUEUES_PER_PORT 16
#define SL_ETH_NAME_MAX_LEN 64
#define SL_ETH_XSTATS_NAME_SIZE 64
#define SL_ETH_DEFAULT_MTU 1500
#define SL_ETHER_ADDR_LEN 6
#define SL_ETHER_HDR_LEN 14
#define SL_ETHER_CRC_LEN 4

struct sl_ether_addr {
	uint8_t addr_bytes[SL_ETHER_ADDR_LEN];
} __attribute__((aligned(2)));

/* Ethernet header, as on the wire. */
struct sl_ether_hdr {
	struct sl_ether_addr dst_addr;
	struct sl_ether_addr src_addr;
	uint16_t ether_type; /* big endian */
} __attribute__((aligned(2)));

static inline bool sl_is_multicast_ether_addr(const struct sl_ether_addr *a)
{
	return (a->addr_bytes[0] & 1) != 0;
}

static inline bool sl_is_zero_ether_addr(const struct sl_ether_addr *a)
{
	for (unsigned i = 0; i < SL_ETHER_ADDR_LEN; i++)
		if (a->addr_bytes[i] != 0)
			return false;
	return true;
}

/* "aa:bb:cc:dd:ee:ff" into BUF (at least 18 bytes). */
void sl_ether_format_addr(char *buf, size_t size, const struct sl_ether_addr *a);

/* ---- offloads ----------------------------------------------------------------
 *
 * Offload capabilities (dev_info.rx/tx_offload_capa) and requests
 * (sl_eth_conf.rx/tx_offloads for the port, sl_eth_rxconf/txconf.offloads
 * for one queue), with DPDK 22.11's RTE_ETH_RX/TX_OFFLOAD_* bit values.
 * A driver reports only what its code does; configure and queue setup
 * refuse (-EINVAL, naming the offload) what is not in the capabilities.
 * What each driver offers is in doc/ethdev.md, "Offloads". */
#define SL_ETH_RX_OFFLOAD_VLAN_STRIP (1ULL << 0)
#define SL_ETH_RX_OFFLOAD_IPV4_CKSUM (1ULL << 1)
#define SL_ETH_RX_OFFLOAD_UDP_CKSUM (1ULL << 2)
#define SL_ETH_RX_OFFLOAD_TCP_CKSUM (1ULL << 3)
#define SL_ETH_RX_OFFLOAD_TCP_LRO (1ULL << 4)
#define SL_ETH_RX_OFFLOAD_QINQ_STRIP (1ULL << 5)
#define SL_ETH_RX_OFFLOAD_OUTER_IPV4_CKSUM (1ULL << 6)
#define SL_ETH_RX_OFFLOAD_MACSEC_STRIP (1ULL << 7)
#define SL_ETH_RX_OFFLOAD_VLAN_FILTER (1ULL << 9)
#define SL_ETH_RX_OFFLOAD_VLAN_EXTEND (1ULL << 10)
#define SL_ETH_RX_OFFLOAD_SCATTER (1ULL << 13)
#define SL_ETH_RX_OFFLOAD_TIMESTAMP (1ULL << 14)
#define SL_ETH_RX_OFFLOAD_SECURITY (1ULL << 15)
#define SL_ETH_RX_OFFLOAD_KEEP_CRC (1ULL << 16)
#define SL_ETH_RX_OFFLOAD_SCTP_CKSUM (1ULL << 17)
#define SL_ETH_RX_OFFLOAD_OUTER_UDP_CKSUM (1ULL << 18)
/* the RSS hash in mbuf->hash.rss with SL_MBUF_F_RX_RSS_HASH */
#define SL_ETH_RX_OFFLOAD_RSS_HASH (1ULL << 19)
#define SL_ETH_RX_OFFLOAD_BUFFER_SPLIT (1ULL << 20)
#define SL_ETH_RX_OFFLOAD_CHECKSUM \
	(SL_ETH_RX_OFFLOAD_IPV4_CKSUM | SL_ETH_RX_OFFLOAD_UDP_CKSUM | SL_ETH_RX_OFFLOAD_TCP_CKSUM)
#define SL_ETH_RX_OFFLOAD_VLAN                                                              \
	(SL_ETH_RX_OFFLOAD_VLAN_STRIP | SL_ETH_RX_OFFLOAD_VLAN_FILTER | SL_ETH_RX_OFFLOAD_VLAN_EXTEND | \
	 SL_ETH_RX_OFFLOAD_QINQ_STRIP)

#define SL_ETH_TX_OFFLOAD_VLAN_INSERT (1ULL << 0)
#define SL_ETH_TX_OFFLOAD_IPV4_CKSUM (1ULL << 1)
#define SL_ETH_TX_OFFLOAD_UDP_CKSUM (1ULL << 2)
#define SL_ETH_TX_OFFLOAD_TCP_CKSUM (1ULL << 3)
#define SL_ETH_TX_OFFLOAD_SCTP_CKSUM (1ULL << 4)
#define SL_ETH_TX_OFFLOAD_TCP_TSO (1ULL << 5)
#define SL_ETH_TX_OFFLOAD_UDP_TSO (1ULL << 6)
#define SL_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM (1ULL << 7)
#define SL_ETH_TX_OFFLOAD_QINQ_INSERT (1ULL << 8)
#define SL_ETH_TX_OFFLOAD_VXLAN_TNL_TSO (1ULL << 9)
#define SL_ETH_TX_OFFLOAD_GRE_TNL_TSO (1ULL << 10)
#define SL_ETH_TX_OFFLOAD_IPIP_TNL_TSO (1ULL << 11)
#define SL_ETH_TX_OFFLOAD_GENEVE_TNL_TSO (1ULL << 12)
#define SL_ETH_TX_OFFLOAD_MACSEC_INSERT (1ULL << 13)
#define SL_ETH_TX_OFFLOAD_MT_LOCKFREE (1ULL << 14)
/* packets of several segments (chains) are sent */
#define SL_ETH_TX_OFFLOAD_MULTI_SEGS (1ULL << 15)
/* the application promises that every mbuf sent on the queue comes from
 * one mempool and has refcnt 1; a driver may then free without checking */
#define SL_ETH_TX_OFFLOAD_MBUF_FAST_FREE (1ULL << 16)
#define SL_ETH_TX_OFFLOAD_SECURITY (1ULL << 17)
#define SL_ETH_TX_OFFLOAD_UDP_TNL_TSO (1ULL << 18)
#define SL_ETH_TX_OFFLOAD_IP_TNL_TSO (1ULL << 19)
#define SL_ETH_TX_OFFLOAD_OUTER_UDP_CKSUM (1ULL << 20)
#define SL_ETH_TX_OFFLOAD_SEND_ON_TIMESTAMP (1ULL << 21)

/* DPDK's name of one offload flag ("VLAN_STRIP", "RSS_HASH", ... without
 * the prefix), or "UNKNOWN" for a bit DPDK 22.11 does not define (or for a
 * value that is not exactly one bit). */
const char *sl_eth_dev_rx_offload_name(uint64_t offload);
const char *sl_eth_dev_tx_offload_name(uint64_t offload);

/* What a port can do (sl_eth_dev_info_get). */
struct sl_eth_dev_info {
	const char *driver_name;     /* e.g. "net_null" */
	const char *name;            /* port name, e.g. "null0" */
	uint16_t max_rx_queues;
	uint16_t max_tx_queues;
	uint16_t rx_desc_min, rx_desc_max, rx_desc_default;
	uint16_t tx_desc_min, tx_desc_max, tx_desc_default;
	uint16_t rx_desc_align, tx_desc_align; /* counts must be multiples of these (1: any) */
	uint16_t min_mtu, max_mtu;
	uint32_t max_rx_pktlen;
	uint32_t max_mac_addrs;
	uint32_t speed_capa_mbps;    /* best link speed */
	uint64_t rx_offload_capa;
	uint64_t tx_offload_capa;
	/* RSS (0 everywhere when the driver has none): entries of the
	 * redirection table, bytes of the hash key, the SL_ETH_RSS_* hash
	 * types the device can hash on. */
	uint16_t reta_size;
	uint8_t hash_key_size;
	uint64_t flow_type_rss_offloads;
};

/* Interrupts a port is configured with (struct sl_eth_conf.intr_conf). */
struct sl_eth_intr_conf {
	/* 1: every rx queue gets an interrupt (an eventfd) that
	 * sl_eth_dev_rx_intr_enable arms; see "rx interrupts" below. 0: none
	 * (the default; pure polling). */
	uint8_t rxq;
	/* 1: the port reports link state changes as SL_ETH_EVENT_INTR_LSC
	 * events (the device's link interrupt; callbacks registered with
	 * sl_eth_dev_callback_register run on the EAL interrupt thread while
	 * the port is started). Configure refuses it with -ENOTSUP, saying
	 * why, when the driver or the device cannot (net_null; a virtio-net
	 * device without VIRTIO_NET_F_STATUS). 0: none (poll
	 * sl_eth_link_get_nowait). See "events" below. */
	uint8_t lsc;
};

/* ---- RSS (receive side scaling) ---------------------------------------------
 *
 * The device hashes each received frame's addresses (and ports) with the
 * Toeplitz function under a secret key, looks the low bits of the hash up
 * in its redirection table (RETA) and puts the frame on the rx queue the
 * entry names; the hash itself comes with the mbuf (mbuf->hash.rss, valid
 * when ol_flags has SL_MBUF_F_RX_RSS_HASH). As DPDK's rte_ethdev does it:
 * rx_mq_mode and rss_conf in struct sl_eth_conf choose it at configure
 * time, sl_eth_dev_rss_hash_update/_conf_get and sl_eth_dev_rss_reta_update
 * /_query change and read it afterwards. See doc/ethdev.md. */

/* Hash types (rss_hf): which headers the hash covers for which frames.
 * The bit positions are DPDK's RTE_ETH_RSS_* ones. A frame whose type is
 * not enabled is not hashed: it goes to queue 0 without the hash flag
 * (a UDP/IPv4 frame with NONFRAG_IPV4_UDP off but IPV4 on is hashed on its
 * addresses alone). */
#define SL_ETH_RSS_IPV4 (1ULL << 2)             /* IPv4 source and destination address */
#define SL_ETH_RSS_FRAG_IPV4 (1ULL << 3)
#define SL_ETH_RSS_NONFRAG_IPV4_TCP (1ULL << 4) /* addresses and TCP ports */
#define SL_ETH_RSS_NONFRAG_IPV4_UDP (1ULL << 5) /* addresses and UDP ports */
#define SL_ETH_RSS_NONFRAG_IPV4_SCTP (1ULL << 6)
#define SL_ETH_RSS_NONFRAG_IPV4_OTHER (1ULL << 7)
#define SL_ETH_RSS_IPV6 (1ULL << 8)
#define SL_ETH_RSS_FRAG_IPV6 (1ULL << 9)
#define SL_ETH_RSS_NONFRAG_IPV6_TCP (1ULL << 10)
#define SL_ETH_RSS_NONFRAG_IPV6_UDP (1ULL << 11)
#define SL_ETH_RSS_NONFRAG_IPV6_SCTP (1ULL << 12)
#define SL_ETH_RSS_NONFRAG_IPV6_OTHER (1ULL << 13)
#define SL_ETH_RSS_L2_PAYLOAD (1ULL << 14)
#define SL_ETH_RSS_IPV6_EX (1ULL << 15)         /* IPv6 with the extension headers' addresses */
#define SL_ETH_RSS_IPV6_TCP_EX (1ULL << 16)
#define SL_ETH_RSS_IPV6_UDP_EX (1ULL << 17)
/* Groups, as DPDK's RTE_ETH_RSS_IP / _TCP / _UDP. */
#define SL_ETH_RSS_IP                                                                             \
	(SL_ETH_RSS_IPV4 | SL_ETH_RSS_FRAG_IPV4 | SL_ETH_RSS_NONFRAG_IPV4_OTHER | SL_ETH_RSS_IPV6 | \
	 SL_ETH_RSS_FRAG_IPV6 | SL_ETH_RSS_NONFRAG_IPV6_OTHER | SL_ETH_RSS_IPV6_EX)
#define SL_ETH_RSS_TCP (SL_ETH_RSS_NONFRAG_IPV4_TCP | SL_ETH_RSS_NONFRAG_IPV6_TCP | SL_ETH_RSS_IPV6_TCP_EX)
#define SL_ETH_RSS_UDP (SL_ETH_RSS_NONFRAG_IPV4_UDP | SL_ETH_RSS_NONFRAG_IPV6_UDP | SL_ETH_RSS_IPV6_UDP_EX)

#define SL_ETH_RSS_KEY_MAX 64 /* the longest key any driver may take */

/* How received frames are spread over the rx queues (sl_eth_conf.rx_mq_mode). */
enum sl_eth_rx_mq_mode {
	/* RSS when there is more than one rx queue and the driver has RSS,
	 * otherwise none: what a zeroed sl_eth_conf gets. (DPDK's default is
	 * NONE: everything on queue 0 until RSS is asked for.) */
	SL_ETH_MQ_RX_AUTO = 0,
	SL_ETH_MQ_RX_NONE = 1, /* every frame to queue 0, no hash */
	SL_ETH_MQ_RX_RSS = 2,  /* RSS; needs at least 2 rx queues and a driver with RSS */
};

/* RSS hash configuration (in sl_eth_conf, and for the hash calls). */
struct sl_eth_rss_conf {
	/* The Toeplitz key: RSS_KEY_LEN bytes, exactly dev_info.hash_key_size
	 * (40 for igb). NULL: configure takes the driver's default key (a
	 * well-spreading one), hash_update keeps the current key. For
	 * sl_eth_dev_rss_hash_conf_get a buffer of RSS_KEY_LEN >=
	 * hash_key_size bytes (or NULL: only the hash types). */
	uint8_t *rss_key;
	uint8_t rss_key_len;
	/* SL_ETH_RSS_* hash types, a subset of dev_info.flow_type_rss_offloads.
	 * In sl_eth_conf, 0 means every type the device supports. */
	uint64_t rss_hf;
};

/* Port configuration (sl_eth_dev_configure). A zeroed struct means the
 * defaults; CONF may also be NULL. */
struct sl_eth_conf {
	uint16_t mtu;               /* 0: keep the current MTU (1500 at first) */
	uint64_t rx_offloads;
	uint64_t tx_offloads;
	struct sl_eth_intr_conf intr_conf;
	/* RSS: AUTO (0) gives RSS with the default key over every supported
	 * hash type once there are 2 or more rx queues. RSS_CONF applies when
	 * RSS is in use; configure copies the key. Giving a key or hash types
	 * when RSS ends up off (one rx queue, NONE, or a driver without RSS)
	 * is an error, not silently ignored. */
	enum sl_eth_rx_mq_mode rx_mq_mode;
	struct sl_eth_rss_conf rss_conf;
};

struct sl_eth_rxconf {
	uint16_t rx_free_thresh;    /* 0: driver default */
	uint64_t offloads;
};

struct sl_eth_txconf {
	uint16_t tx_free_thresh;    /* 0: driver default */
	uint16_t tx_rs_thresh;      /* 0: driver default */
	uint64_t offloads;
};

enum sl_eth_link_state { SL_ETH_LINK_DOWN = 0, SL_ETH_LINK_UP = 1 };

struct sl_eth_link {
	uint32_t speed_mbps;  /* 0 when unknown or down */
	uint8_t status;       /* SL_ETH_LINK_UP / SL_ETH_LINK_DOWN */
	uint8_t full_duplex;
	uint8_t autoneg;
};

/* Basic statistics; per-queue counters for the first
 * SL_MAX_QUEUES_PER_PORT queues. */
struct sl_eth_stats {
	uint64_t ipackets;    /* packets received */
	uint64_t opackets;    /* packets sent */
	uint64_t ibytes;
	uint64_t obytes;
	uint64_t imissed;     /* dropped by the device: no rx descriptor free */
	uint64_t ierrors;     /* received in error */
	uint64_t oerrors;     /* failed to send */
	uint64_t rx_nombuf;   /* rx mbuf allocation failures */
	uint64_t q_ipackets[SL_MAX_QUEUES_PER_PORT];
	uint64_t q_opackets[SL_MAX_QUEUES_PER_PORT];
	uint64_t q_ibytes[SL_MAX_QUEUES_PER_PORT];
	uint64_t q_obytes[SL_MAX_QUEUES_PER_PORT];
	uint64_t q_errors[SL_MAX_QUEUES_PER_PORT];
};

struct sl_eth_xstat_name {
	char name[SL_ETH_XSTATS_NAME_SIZE];
};

struct sl_eth_xstat {
	uint64_t id;     /* index into the names */
	uint64_t value;
};

/* ---- ports ------------------------------------------------------------- */

/* Ports that exist (attached, not yet closed). */
uint16_t sl_eth_dev_count_avail(void);
bool sl_eth_dev_is_valid_port(uint16_t port_id);
/* Next valid port at or after PORT_ID; SL_MAX_ETHPORTS when none. */
uint16_t sl_eth_find_next(uint16_t port_id);

#define SL_ETH_FOREACH_DEV(p) \
	for ((p) = sl_eth_find_next(0); (p) < SL_MAX_ETHPORTS; (p) = sl_eth_find_next((p) + 1))

/* 0 and *PORT_ID, or -ENODEV when no port has that name. */
int sl_eth_dev_get_port_by_name(const char *name, uint16_t *port_id);
/* The NUMA node of the port's device (sysfs numa_node of a PCI NIC);
 * SL_SOCKET_ID_ANY (-1) when the kernel does not know it and for virtual
 * ports; -EINVAL for a port id that is not in use. */
int sl_eth_dev_socket_id(uint16_t port_id);
/* Port name, or NULL for a bad port id. */
const char *sl_eth_dev_name(uint16_t port_id);

int sl_eth_dev_info_get(uint16_t port_id, struct sl_eth_dev_info *info);

/* Set the number of rx and tx queues (1..max from dev_info) and the port
 * configuration. The port must be stopped. Reconfiguring to fewer queues
 * releases the queues beyond the new counts. */
int sl_eth_dev_configure(uint16_t port_id, uint16_t nb_rx_queue, uint16_t nb_tx_queue,
			 const struct sl_eth_conf *conf);

/* Bring *NB_RXD and *NB_TXD (either may be NULL) within what the port
 * takes, as DPDK's rte_eth_dev_adjust_nb_rx_tx_desc does: at most the
 * maximum, at least the minimum, then rounded up to the alignment (down
 * when that would pass the maximum). 0 becomes the minimum; applications
 * wanting the port's preferred size read rx/tx_desc_default from
 * sl_eth_dev_info_get. Returns 0, or -ENODEV for a bad port. */
int sl_eth_dev_adjust_nb_rx_tx_desc(uint16_t port_id, uint16_t *nb_rxd, uint16_t *nb_txd);

/* Set up rx queue QUEUE_ID with NB_DESC descriptors (0: driver default)
 * taking buffers from MP. The port must be configured and stopped. CONF may
 * be NULL. Setting up a queue again replaces it. */
int sl_eth_rx_queue_setup(uint16_t port_id, uint16_t queue_id, uint16_t nb_desc,
			  const struct sl_eth_rxconf *conf, struct sl_mempool *mp);
int sl_eth_tx_queue_setup(uint16_t port_id, uint16_t queue_id, uint16_t nb_desc,
			  const struct sl_eth_txconf *conf);

/* Start: every configured queue must be set up. Stop: rx/tx bursts return 0
 * afterwards (the caller must first stop its lcores that poll the port). */
int sl_eth_dev_start(uint16_t port_id);
int sl_eth_dev_stop(uint16_t port_id);
bool sl_eth_dev_is_started(uint16_t port_id);
/* Release the port and everything it holds; the id becomes invalid. A started
 * port is stopped first. */
int sl_eth_dev_close(uint16_t port_id);

/* ---- statistics -------------------------------------------------------- */

int sl_eth_stats_get(uint16_t port_id, struct sl_eth_stats *stats);
int sl_eth_stats_reset(uint16_t port_id);

/* Extended statistics: the basic counters under stable names
 * ("rx_good_packets", "rx_q0_packets", ...) followed by the driver's own.
 * Both calls return the number of xstats; when SIZE is smaller than that (or
 * the array NULL) nothing is written, so call once with NULL to size. */
int sl_eth_xstats_get_names(uint16_t port_id, struct sl_eth_xstat_name *names, unsigned size);
int sl_eth_xstats_get(uint16_t port_id, struct sl_eth_xstat *xstats, unsigned size);
/* 0 and *VALUE for the xstat called NAME; -EINVAL when there is none. */
int sl_eth_xstats_get_by_name(uint16_t port_id, const char *name, uint64_t *value);
int sl_eth_xstats_reset(uint16_t port_id);

/* ---- link, MAC, filters, MTU ------------------------------------------ */

/* Current link state without waiting. */
int sl_eth_link_get_nowait(uint16_t port_id, struct sl_eth_link *link);
/* Poll until the link is up or TIMEOUT_MS passed: 0 when up (LINK filled),
 * -ETIMEDOUT when still down. */
int sl_eth_link_wait(uint16_t port_id, unsigned timeout_ms, struct sl_eth_link *link);

int sl_eth_macaddr_get(uint16_t port_id, struct sl_ether_addr *mac);
/* Unicast, non-zero addresses only. */
int sl_eth_dev_default_mac_addr_set(uint16_t port_id, const struct sl_ether_addr *mac);

int sl_eth_promiscuous_enable(uint16_t port_id);
int sl_eth_promiscuous_disable(uint16_t port_id);
/* 1, 0, or -ENODEV. */
int sl_eth_promiscuous_get(uint16_t port_id);
int sl_eth_allmulticast_enable(uint16_t port_id);
int sl_eth_allmulticast_disable(uint16_t port_id);
int sl_eth_allmulticast_get(uint16_t port_id);

int sl_eth_dev_set_mtu(uint16_t port_id, uint16_t mtu);
int sl_eth_dev_get_mtu(uint16_t port_id, uint16_t *mtu);

/* ---- rx interrupts --------------------------------------------------------
 *
 * For power-aware polling (DPDK's l3fwd-power pattern): an lcore polls its
 * queues while traffic flows and, once they have been idle for a while,
 * arms their interrupts and sleeps in epoll_wait until a frame arrives.
 * The burst functions do not change and never look at interrupts.
 *
 * Set-up: configure the port with conf.intr_conf.rxq = 1 (a driver without
 * rx interrupts refuses that with -ENOTSUP), set up the queues and start
 * the port. While the port is started, each rx queue has an eventfd, which
 * sl_eth_dev_rx_intr_ctl_q_get_fd returns for an epoll set (EPOLLIN). Stop
 * and close release the eventfds: after a restart, get them again.
 *
 * What the eventfd means: the device's interrupt for the queue (an MSI-X
 * vector) adds 1 to the eventfd's counter each time it fires; epoll reports
 * the fd readable while the counter is not 0 (readiness is level-triggered
 * on the counter, the interrupts themselves are edges: one per event, none
 * for frames that were already there). Reading 8 bytes from the fd returns
 * the count and resets it to 0 (the fd is non-blocking: EAGAIN when 0).
 *
 * Arming: sl_eth_dev_rx_intr_enable first discards what the counter holds
 * (it reads the fd), then asks the device to interrupt on the next frame
 * completed on that queue (igb and virtio-net also forget causes latched
 * while the queue was disarmed). Frames completed before the call raise no
 * interrupt, so an application must look at the queue once more after
 * arming, or it can sleep on frames that are already waiting (a lost
 * wake-up); a frame completing during the call may wake it although that
 * look found it (a spurious wake-up, harmless). Whether an armed queue
 * stays armed after its interrupt fired is the driver's business (the
 * 82576 masks it automatically; QEMU's igb model and virtio-net keep it
 * armed): disarm with sl_eth_dev_rx_intr_disable when going back to
 * polling.
 *
 * The race-free idle pattern, per queue (or for all queues of an lcore):
 *
 *     for (;;) {
 *         n = sl_eth_rx_burst(port, q, pkts, BURST);
 *         if (n > 0) { handle(pkts, n); idle = 0; continue; }
 *         if (++idle < IDLE_POLLS) continue;
 *         sl_eth_dev_rx_intr_enable(port, q);          // arm
 *         n = sl_eth_rx_burst(port, q, pkts, BURST);   // look again
 *         if (n == 0)
 *             epoll_wait(ep, events, nb, timeout_ms);  // sleep
 *         sl_eth_dev_rx_intr_disable(port, q);         // back to polling
 *         // (reading the eventfd here is optional: the next enable
 *         // discards the count)
 *         if (n > 0) handle(pkts, n);
 *         idle = 0;
 *     }
 *
 * Threads: enable and disable may be called by the lcore that polls the
 * queue, at the same time as other lcores call them for other queues of
 * the same port (they touch only that queue's state); not concurrently with
 * stop, close or configure of the port. They are not for the fast path:
 * each costs a register write or a ring-flag store, and enable a read(2).
 *
 * Errors (all three calls): -ENODEV bad port; -ENOTSUP the driver has no
 * rx interrupts; -EINVAL the port was not configured with intr_conf.rxq,
 * is not started, or QUEUE_ID is not one of its rx queues. */

/* Arm rx queue QUEUE_ID's interrupt (after discarding the eventfd's count). */
int sl_eth_dev_rx_intr_enable(uint16_t port_id, uint16_t queue_id);
/* Disarm it: the device no longer interrupts for that queue. */
int sl_eth_dev_rx_intr_disable(uint16_t port_id, uint16_t queue_id);
/* The eventfd of rx queue QUEUE_ID (>= 0), valid until the port stops, or a
 * negative errno. The fd belongs to the port: do not close it (remove it
 * from epoll sets before stopping the port). */
int sl_eth_dev_rx_intr_ctl_q_get_fd(uint16_t port_id, uint16_t queue_id);

/* ---- RSS at run time ------------------------------------------------------
 *
 * On a port configured with RSS in use (more than one rx queue, rx_mq_mode
 * AUTO or RSS, a driver with RSS), stopped or started. A change takes effect
 * at once for the frames the device receives next; it lasts over stop and
 * start, until the next sl_eth_dev_configure, which sets what its conf
 * says again. Not concurrently with other control calls of the port; the
 * lcores may keep polling (a frame in flight may still follow the old
 * table).
 *
 * Errors: -ENODEV bad port; -ENOTSUP the driver has no RSS (net_null);
 * -EINVAL the port is not configured, or RSS is not in use on it
 * (reconfigure with 2 or more rx queues), or a bad argument: a key whose
 * length is not dev_info.hash_key_size, hash types the device cannot do
 * (or none: to stop hashing reconfigure with SL_ETH_MQ_RX_NONE), a table
 * size other than dev_info.reta_size, no entry selected by the masks, an
 * entry naming a queue >= the port's rx queues. Each is logged with what
 * to do. */

/* Change the hash types and (unless RSS_CONF->rss_key is NULL) the key. */
int sl_eth_dev_rss_hash_update(uint16_t port_id, const struct sl_eth_rss_conf *rss_conf);
/* The hash types in use (0 when RSS is not in use) and, when
 * RSS_CONF->rss_key is not NULL, the key (rss_key_len is set to its
 * length; it must have been at least hash_key_size). */
int sl_eth_dev_rss_hash_conf_get(uint16_t port_id, struct sl_eth_rss_conf *rss_conf);

/* The redirection table, as DPDK passes it: RETA_SIZE entries in groups of
 * 64, entry i in reta_conf[i / 64].reta[i % 64]; only the entries whose bit
 * (i % 64) is set in that group's mask are written (update) or read
 * (query). RETA_SIZE must be dev_info.reta_size (128 on the 82576). A
 * frame goes to queue reta[hash % reta_size]. */
#define SL_ETH_RETA_GROUP_SIZE 64
struct sl_eth_rss_reta_entry64 {
	uint64_t mask;
	uint16_t reta[SL_ETH_RETA_GROUP_SIZE];
};
int sl_eth_dev_rss_reta_update(uint16_t port_id, const struct sl_eth_rss_reta_entry64 *reta_conf,
			       uint16_t reta_size);
int sl_eth_dev_rss_reta_query(uint16_t port_id, struct sl_eth_rss_reta_entry64 *reta_conf,
			      uint16_t reta_size);

/* ---- removal ----------------------------------------------------------------
 * A PCI port whose device the kernel takes back (unbound from vfio-pci, hot
 * removed) is marked removed (the PCI bus calls its driver's remove), as DPDK's
 * RTE_ETH_EVENT_INTR_RMV: from then on its rx bursts return 0, its tx
 * bursts return 0 and count the refused packets in oerrors, its statistics
 * are those of the moment of removal (plus those errors), start fails with
 * -ENODEV, and the device's fds and mappings are released so the kernel can
 * finish. The lcores need not stop: the burst functions are swapped with
 * single pointer stores, and the BAR mappings are replaced in place, so an
 * lcore still inside the old burst harms nothing. Other ports carry on.
 * The application learns it from sl_eth_dev_is_removed (poll it, e.g. with
 * the stats) or from an SL_ETH_EVENT_INTR_RMV callback, and should stop and
 * close the port.
 *
 * ---- events -------------------------------------------------------------------
 * Callbacks registered for an event run on the EAL interrupt thread ("sl-intr",
 * sl_eal.h), never on an lcore: one thread for every event of every port,
 * one callback at a time, events in the order they were noticed, the
 * callbacks of one event in registration order. An event is queued when it
 * happens and delivered right after (the thread that noticed it never waits
 * for a callback), so by the time a callback runs the state may have moved
 * on: read it (sl_eth_link_get_nowait, sl_eth_dev_is_removed) rather than
 * assume it. Events of a port not yet delivered when it is closed are
 * dropped; events nobody registered for are not queued.
 *
 * In a callback: keep it short (it holds up every other event and the
 * drivers' interrupt handling); sl_eth_link_get_nowait, sl_eth_dev_name,
 * sl_eth_dev_is_removed and sl_eth_dev_is_started may be called, and the
 * callback registration calls. Start, stop, configure or close no port and
 * read no statistics there: leave that to the application's thread (set a
 * flag, write to a pipe). */
enum sl_eth_event_type {
	SL_ETH_EVENT_INTR_RMV = 1, /* the device was removed */
	/* The port's link went down or came up (ports configured with
	 * intr_conf.lsc = 1, while started): raised by the device's link
	 * interrupt, once per change the driver saw (a down and up in quick
	 * succession may come as two events that both read "up"). As DPDK's
	 * RTE_ETH_EVENT_INTR_LSC (whose value differs). */
	SL_ETH_EVENT_INTR_LSC = 2,
};
#define SL_ETH_ALL SL_MAX_ETHPORTS /* register for every port */
/* Runs on the EAL interrupt thread (see "events" above). */
typedef void (*sl_eth_event_cb_fn)(uint16_t port_id, enum sl_eth_event_type event, void *cb_arg);
/* Call CB for EVENT on PORT_ID (or SL_ETH_ALL). 0, -EINVAL, -ENOSPC. Any
 * thread. Registering for SL_ETH_EVENT_INTR_LSC does not turn link
 * interrupts on: configure the port with intr_conf.lsc. */
int sl_eth_dev_callback_register(uint16_t port_id, enum sl_eth_event_type event, sl_eth_event_cb_fn cb,
				 void *cb_arg);
/* Remove what sl_eth_dev_callback_register added with the same four
 * arguments; 0 or -EINVAL (none). Once it returns, CB is not running (it
 * waits for a delivery in progress, unless called from a callback) and will
 * not be called for it again. */
int sl_eth_dev_callback_unregister(uint16_t port_id, enum sl_eth_event_type event, sl_eth_event_cb_fn cb,
				   void *cb_arg);
/* Whether the port's device was removed (false for a bad port id). */
bool sl_eth_dev_is_removed(uint16_t port_id);

/* ---- rx/tx callbacks -------------------------------------------------------
 *
 * As DPDK's rte_eth_add_rx_callback and friends: functions run by the burst
 * calls of one queue, for measuring, filtering or stamping packets without
 * changing the application's loop.
 *
 * An rx callback runs inside sl_eth_rx_burst after the driver's burst, on
 * the NB_PKTS packets it received (0 included) in PKTS, whose room is
 * MAX_PKTS; it returns the new count (it may drop packets, freeing them,
 * or add some, up to MAX_PKTS). A tx callback runs inside sl_eth_tx_burst
 * before the driver's burst and returns how many of PKTS to send: those
 * must be PKTS[0..ret-1]; the application still owns what is not sent, as
 * with any partial tx (a filter that drops packets frees them itself and
 * compacts the array). Several callbacks on one queue run in the order they
 * were added (sl_eth_add_first_rx/tx_callback puts one in front), each on
 * what the one before returned.
 *
 * Cost: with no callback on a queue the burst calls pay one load (the list
 * pointer, next to the burst function in the same cache line) and one
 * predictable branch; with callbacks the burst goes through an out-of-line
 * function (doc/ethdev.md, "Rx/tx callbacks", has the figures).
 *
 * Adding and removing may happen while lcores poll the queue (a callback
 * added during a burst may or may not run for it). QUEUE_ID must be one of
 * the configured queues; the callbacks stay over stop and start and a
 * reconfiguration; close frees the ones still installed. Removing one
 * unlinks it: a burst already running may still be calling it, so, as with
 * DPDK, free it (sl_eth_rxtx_callback_free) only once every lcore that
 * polls the queue has left the burst call it was in (for instance after
 * the lcores passed a barrier, or after the port was stopped).
 *
 * Control calls: add returns the callback (NULL and errno: ENODEV bad port,
 * EINVAL bad queue or NULL FN, ENOMEM); remove returns 0, -ENODEV, or
 * -EINVAL when CB is not installed on that queue. */
typedef uint16_t (*sl_rx_callback_fn)(uint16_t port_id, uint16_t queue_id, struct sl_mbuf **pkts,
				      uint16_t nb_pkts, uint16_t max_pkts, void *user_param);
typedef uint16_t (*sl_tx_callback_fn)(uint16_t port_id, uint16_t queue_id, struct sl_mbuf **pkts,
				      uint16_t nb_pkts, void *user_param);

struct sl_eth_rxtx_callback {
	struct sl_eth_rxtx_callback *next;
	union {
		sl_rx_callback_fn rx;
		sl_tx_callback_fn tx;
	} fn;
	void *param;
};

const struct sl_eth_rxtx_callback *sl_eth_add_rx_callback(uint16_t port_id, uint16_t queue_id,
							 sl_rx_callback_fn fn, void *user_param);
const struct sl_eth_rxtx_callback *sl_eth_add_first_rx_callback(uint16_t port_id, uint16_t queue_id,
							       sl_rx_callback_fn fn, void *user_param);
const struct sl_eth_rxtx_callback *sl_eth_add_tx_callback(uint16_t port_id, uint16_t queue_id,
							 sl_tx_callback_fn fn, void *user_param);
const struct sl_eth_rxtx_callback *sl_eth_add_first_tx_callback(uint16_t port_id, uint16_t queue_id,
							       sl_tx_callback_fn fn, void *user_param);
int sl_eth_remove_rx_callback(uint16_t port_id, uint16_t queue_id, const struct sl_eth_rxtx_callback *cb);
int sl_eth_remove_tx_callback(uint16_t port_id, uint16_t queue_id, const struct sl_eth_rxtx_callback *cb);
/* Free a removed callback (see above for when). NULL is ignored. */
void sl_eth_rxtx_callback_free(const struct sl_eth_rxtx_callback *cb);

/* ---- fast path ---------------------------------------------------------- */

typedef uint16_t (*sl_eth_rx_burst_t)(void *rxq, struct sl_mbuf **pkts, uint16_t nb_pkts);
typedef uint16_t (*sl_eth_tx_burst_t)(void *txq, struct sl_mbuf **pkts, uint16_t nb_pkts);

/* What a burst call needs for one queue: the driver's function and its
 * queue, and the queue's callbacks (NULL: none), in 32 bytes so that the
 * three are always in one cache line. */
struct sl_eth_fp_rxq {
	sl_eth_rx_burst_t rx_burst;
	void *queue;
	struct sl_eth_rxtx_callback *cbs;
	uint16_t port_id, queue_id; /* where this entry is (for the callbacks) */
	uint32_t reserved;
} __attribute__((aligned(32)));
struct sl_eth_fp_txq {
	sl_eth_tx_burst_t tx_burst;
	void *queue;
	struct sl_eth_rxtx_callback *cbs;
	uint16_t port_id, queue_id; /* where this entry is (for the callbacks) */
	uint32_t reserved;
} __attribute__((aligned(32)));
_Static_assert(sizeof(struct sl_eth_fp_rxq) == 32 && sizeof(struct sl_eth_fp_txq) == 32,
	       "a queue's burst function, queue and callbacks share one cache line");
struct sl_eth_fp_port {
	struct sl_eth_fp_rxq rxq[SL_MAX_QUEUES_PER_PORT];
	struct sl_eth_fp_txq txq[SL_MAX_QUEUES_PER_PORT];
} sl_cache_aligned;

/* Filled by sl_eth_dev_start; a stopped port's entries point at functions
 * that return 0. Read only by the inline burst functions below. */
extern struct sl_eth_fp_port sl_eth_fp_ports[SL_MAX_ETHPORTS];

/* The bursts of a queue with callbacks (out of line, in ethdev). They
 * take the queue's entry (which holds its port and queue ids): the inline
 * bursts then set up no more arguments than they do for the driver. */
uint16_t __sl_eth_rx_burst_cbs(const struct sl_eth_fp_rxq *q, struct sl_mbuf **pkts, uint16_t nb_pkts);
uint16_t __sl_eth_tx_burst_cbs(const struct sl_eth_fp_txq *q, struct sl_mbuf **pkts, uint16_t nb_pkts);

/* The callback head is read with a plain load, like the burst function
 * (both are written with atomic stores, and an aligned pointer load is
 * atomic on every target): an __atomic_load_n here made GCC compute the
 * entry's address twice. The out-of-line bursts walk the list with
 * acquire loads. */

/* Receive up to NB_PKTS packets from queue QUEUE_ID of PORT_ID into PKTS.
 * PORT_ID and QUEUE_ID must be valid (they are not checked here). */
static inline uint16_t sl_eth_rx_burst(uint16_t port_id, uint16_t queue_id,
				       struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	const struct sl_eth_fp_rxq *q = &sl_eth_fp_ports[port_id].rxq[queue_id];
	if (sl_unlikely(q->cbs != NULL))
		return __sl_eth_rx_burst_cbs(q, pkts, nb_pkts);
	return q->rx_burst(q->queue, pkts, nb_pkts);
}

/* Send up to NB_PKTS packets; returns how many the driver took (and now
 * owns). The caller still owns PKTS[ret..NB_PKTS-1]. */
static inline uint16_t sl_eth_tx_burst(uint16_t port_id, uint16_t queue_id,
				       struct sl_mbuf **pkts, uint16_t nb_pkts)
{
	const struct sl_eth_fp_txq *q = &sl_eth_fp_ports[port_id].txq[queue_id];
	if (sl_unlikely(q->cbs != NULL))
		return __sl_eth_tx_burst_cbs(q, pkts, nb_pkts);
	return q->tx_burst(q->queue, pkts, nb_pkts);
}

/* ---- tx buffering (lib/ethdev/tx_buffer.c) ----------------------------------
 *
 * For applications that forward one packet at a time (DPDK's l2fwd
 * pattern): sl_eth_tx_buffer collects packets for one tx queue and sends
 * them with one sl_eth_tx_burst once SIZE are buffered; the application
 * calls sl_eth_tx_buffer_flush from its loop (e.g. every 100 us) so that a
 * partly filled buffer does not wait for ever. Packets the driver does not
 * take are handed to the buffer's error callback, which owns them from
 * then on (the default frees them). Both calls are inline: no allocation,
 * no locks; one buffer belongs to one lcore (a tx queue is one lcore's
 * anyway). The layout is DPDK's struct rte_eth_dev_tx_buffer's, so the
 * rte_ compatibility layer maps onto it. */

/* Called with the packets the driver did not take: UNSENT[0..COUNT-1]. */
typedef void (*sl_eth_tx_buffer_err_fn)(struct sl_mbuf **unsent, uint16_t count, void *userdata);

struct sl_eth_tx_buffer {
	sl_eth_tx_buffer_err_fn error_callback;
	void *error_userdata;
	uint16_t size;       /* packets that make a burst */
	uint16_t length;     /* packets buffered now */
	struct sl_mbuf *pkts[]; /* SIZE entries */
};

/* Bytes a buffer for SIZE packets needs. */
#define SL_ETH_TX_BUFFER_SIZE(size) \
	(sizeof(struct sl_eth_tx_buffer) + (size_t)(size) * sizeof(struct sl_mbuf *))

/* Make BUFFER (SL_ETH_TX_BUFFER_SIZE(SIZE) bytes) empty, sending bursts of
 * SIZE packets. An error callback set before is kept; without one the
 * buffer frees unsent packets (sl_eth_tx_buffer_drop_callback).
 * 0, or -EINVAL for a NULL buffer or SIZE 0. */
int sl_eth_tx_buffer_init(struct sl_eth_tx_buffer *buffer, uint16_t size);
/* Set the callback for unsent packets (and its USERDATA). 0, or -EINVAL
 * for a NULL buffer or callback. */
int sl_eth_tx_buffer_set_err_callback(struct sl_eth_tx_buffer *buffer, sl_eth_tx_buffer_err_fn cbfn,
				      void *userdata);
/* Ready-made callbacks: drop frees the packets; count frees them and adds
 * COUNT to the uint64_t USERDATA points to. */
void sl_eth_tx_buffer_drop_callback(struct sl_mbuf **unsent, uint16_t count, void *userdata);
void sl_eth_tx_buffer_count_callback(struct sl_mbuf **unsent, uint16_t count, void *userdata);

/* Send what BUFFER holds on PORT_ID/QUEUE_ID; packets the driver does not
 * take go to the error callback. Returns how many were sent (0 when the
 * buffer was empty). The buffer is empty afterwards. */
static inline uint16_t sl_eth_tx_buffer_flush(uint16_t port_id, uint16_t queue_id,
					      struct sl_eth_tx_buffer *buffer)
{
	uint16_t to_send = buffer->length;
	uint16_t sent;

	if (to_send == 0)
		return 0;
	sent = sl_eth_tx_burst(port_id, queue_id, buffer->pkts, to_send);
	buffer->length = 0;
	if (sl_unlikely(sent != to_send))
		buffer->error_callback(&buffer->pkts[sent], (uint16_t)(to_send - sent),
				       buffer->error_userdata);
	return sent;
}

/* Add PKT to BUFFER; once it holds SIZE packets they are sent (as
 * sl_eth_tx_buffer_flush). Returns how many were sent: 0 while buffering. */
static inline uint16_t sl_eth_tx_buffer(uint16_t port_id, uint16_t queue_id,
					struct sl_eth_tx_buffer *buffer, struct sl_mbuf *pkt)
{
	buffer->pkts[buffer->length++] = pkt;
	if (buffer->length < buffer->size)
		return 0;
	return sl_eth_tx_buffer_flush(port_id, queue_id, buffer);
}

#ifdef __cplusplus
}
#endif
#endif /* SL_ETHDEV_H */
