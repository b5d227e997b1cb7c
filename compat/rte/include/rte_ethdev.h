/* rte_ethdev.h (Sluice rte_ compatibility layer): DPDK 22.11's ethdev API
 * over Sluice's (sl_ethdev.h). The burst calls, tx buffering, start/stop,
 * MAC, promiscuous mode and the port registry map inline; the nested
 * configuration and info structures are DPDK's and are converted in
 * libsluice_rte (compat/rte/rte_ethdev.c). What Sluice cannot honour (an
 * offload the port does not report, link state interrupts, DCB/VMDq,
 * thresholds, deferred start, ...) fails with -ENOTSUP and rte_errno set,
 * logged once. See doc/dpdk-compat.md. */
#ifndef SLUICE_RTE_ETHDEV_H
#define SLUICE_RTE_ETHDEV_H

#include <errno.h>
#include <stdint.h>

#include "rte_common.h"
#include "rte_errno.h"
#include "rte_ether.h"
#include "rte_mbuf.h"
#include "rte_mempool.h"
#include "rte_memory.h"
#include "rte_log.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RTE_ETH_NAME_MAX_LEN SL_ETH_NAME_MAX_LEN
#define RTE_ETH_XSTATS_NAME_SIZE SL_ETH_XSTATS_NAME_SIZE

/* ---- link ---------------------------------------------------------------- */

#define RTE_ETH_LINK_SPEED_AUTONEG 0
#define RTE_ETH_LINK_SPEED_FIXED RTE_BIT32(0)
#define RTE_ETH_LINK_SPEED_10M_HD RTE_BIT32(1)
#define RTE_ETH_LINK_SPEED_10M RTE_BIT32(2)
#define RTE_ETH_LINK_SPEED_100M_HD RTE_BIT32(3)
#define RTE_ETH_LINK_SPEED_100M RTE_BIT32(4)
#define RTE_ETH_LINK_SPEED_1G RTE_BIT32(5)
#define RTE_ETH_LINK_SPEED_2_5G RTE_BIT32(6)
#define RTE_ETH_LINK_SPEED_5G RTE_BIT32(7)
#define RTE_ETH_LINK_SPEED_10G RTE_BIT32(8)
#define RTE_ETH_LINK_SPEED_20G RTE_BIT32(9)
#define RTE_ETH_LINK_SPEED_25G RTE_BIT32(10)
#define RTE_ETH_LINK_SPEED_40G RTE_BIT32(11)
#define RTE_ETH_LINK_SPEED_50G RTE_BIT32(12)
#define RTE_ETH_LINK_SPEED_56G RTE_BIT32(13)
#define RTE_ETH_LINK_SPEED_100G RTE_BIT32(14)
#define RTE_ETH_LINK_SPEED_200G RTE_BIT32(15)

#define RTE_ETH_SPEED_NUM_NONE 0
#define RTE_ETH_SPEED_NUM_10M 10
#define RTE_ETH_SPEED_NUM_100M 100
#define RTE_ETH_SPEED_NUM_1G 1000
#define RTE_ETH_SPEED_NUM_2_5G 2500
#define RTE_ETH_SPEED_NUM_5G 5000
#define RTE_ETH_SPEED_NUM_10G 10000
#define RTE_ETH_SPEED_NUM_20G 20000
#define RTE_ETH_SPEED_NUM_25G 25000
#define RTE_ETH_SPEED_NUM_40G 40000
#define RTE_ETH_SPEED_NUM_50G 50000
#define RTE_ETH_SPEED_NUM_56G 56000
#define RTE_ETH_SPEED_NUM_100G 100000
#define RTE_ETH_SPEED_NUM_200G 200000
#define RTE_ETH_SPEED_NUM_UNKNOWN UINT32_MAX

#define RTE_ETH_LINK_HALF_DUPLEX 0
#define RTE_ETH_LINK_FULL_DUPLEX 1
#define RTE_ETH_LINK_DOWN 0
#define RTE_ETH_LINK_UP 1
#define RTE_ETH_LINK_FIXED 0
#define RTE_ETH_LINK_AUTONEG 1
#define RTE_ETH_LINK_MAX_STR_LEN 40

struct rte_eth_link {
	uint32_t link_speed;       /* RTE_ETH_SPEED_NUM_* (Mbps) */
	uint16_t link_duplex : 1;
	uint16_t link_autoneg : 1;
	uint16_t link_status : 1;
} __rte_aligned(8);

/* ---- offloads (DPDK's bit values) ------------------------------------------ */

#define RTE_ETH_RX_OFFLOAD_VLAN_STRIP RTE_BIT64(0)
#define RTE_ETH_RX_OFFLOAD_IPV4_CKSUM RTE_BIT64(1)
#define RTE_ETH_RX_OFFLOAD_UDP_CKSUM RTE_BIT64(2)
#define RTE_ETH_RX_OFFLOAD_TCP_CKSUM RTE_BIT64(3)
#define RTE_ETH_RX_OFFLOAD_TCP_LRO RTE_BIT64(4)
#define RTE_ETH_RX_OFFLOAD_QINQ_STRIP RTE_BIT64(5)
#define RTE_ETH_RX_OFFLOAD_OUTER_IPV4_CKSUM RTE_BIT64(6)
#define RTE_ETH_RX_OFFLOAD_MACSEC_STRIP RTE_BIT64(7)
#define RTE_ETH_RX_OFFLOAD_VLAN_FILTER RTE_BIT64(9)
#define RTE_ETH_RX_OFFLOAD_VLAN_EXTEND RTE_BIT64(10)
#define RTE_ETH_RX_OFFLOAD_SCATTER RTE_BIT64(13)
#define RTE_ETH_RX_OFFLOAD_TIMESTAMP RTE_BIT64(14)
#define RTE_ETH_RX_OFFLOAD_SECURITY RTE_BIT64(15)
#define RTE_ETH_RX_OFFLOAD_KEEP_CRC RTE_BIT64(16)
#define RTE_ETH_RX_OFFLOAD_SCTP_CKSUM RTE_BIT64(17)
#define RTE_ETH_RX_OFFLOAD_OUTER_UDP_CKSUM RTE_BIT64(18)
#define RTE_ETH_RX_OFFLOAD_RSS_HASH RTE_BIT64(19)
#define RTE_ETH_RX_OFFLOAD_BUFFER_SPLIT RTE_BIT64(20)
#define RTE_ETH_RX_OFFLOAD_CHECKSUM \
	(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
#define RTE_ETH_RX_OFFLOAD_VLAN \
	(RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_VLAN_FILTER | \
	 RTE_ETH_RX_OFFLOAD_VLAN_EXTEND | RTE_ETH_RX_OFFLOAD_QINQ_STRIP)

#define RTE_ETH_TX_OFFLOAD_VLAN_INSERT RTE_BIT64(0)
#define RTE_ETH_TX_OFFLOAD_IPV4_CKSUM RTE_BIT64(1)
#define RTE_ETH_TX_OFFLOAD_UDP_CKSUM RTE_BIT64(2)
#define RTE_ETH_TX_OFFLOAD_TCP_CKSUM RTE_BIT64(3)
#define RTE_ETH_TX_OFFLOAD_SCTP_CKSUM RTE_BIT64(4)
#define RTE_ETH_TX_OFFLOAD_TCP_TSO RTE_BIT64(5)
#define RTE_ETH_TX_OFFLOAD_UDP_TSO RTE_BIT64(6)
#define RTE_ETH_TX_OFFLOAD_OUTER_IPV4_CKSUM RTE_BIT64(7)
#define RTE_ETH_TX_OFFLOAD_QINQ_INSERT RTE_BIT64(8)
#define RTE_ETH_TX_OFFLOAD_VXLAN_TNL_TSO RTE_BIT64(9)
#define RTE_ETH_TX_OFFLOAD_GRE_TNL_TSO RTE_BIT64(10)
#define RTE_ETH_TX_OFFLOAD_IPIP_TNL_TSO RTE_BIT64(11)
#define RTE_ETH_TX_OFFLOAD_GENEVE_TNL_TSO RTE_BIT64(12)
#define RTE_ETH_TX_OFFLOAD_MACSEC_INSERT RTE_BIT64(13)
#define RTE_ETH_TX_OFFLOAD_MT_LOCKFREE RTE_BIT64(14)
#define RTE_ETH_TX_OFFLOAD_MULTI_SEGS RTE_BIT64(15)
#define RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE RTE_BIT64(16)
#define RTE_ETH_TX_OFFLOAD_SECURITY RTE_BIT64(17)
#define RTE_ETH_TX_OFFLOAD_UDP_TNL_TSO RTE_BIT64(18)
#define RTE_ETH_TX_OFFLOAD_IP_TNL_TSO RTE_BIT64(19)
#define RTE_ETH_TX_OFFLOAD_OUTER_UDP_CKSUM RTE_BIT64(20)
#define RTE_ETH_TX_OFFLOAD_SEND_ON_TIMESTAMP RTE_BIT64(21)

/* ---- RSS (the hash type bits are Sluice's SL_ETH_RSS_*, which are DPDK's) -- */

#define RTE_ETH_RSS_IPV4 SL_ETH_RSS_IPV4
#define RTE_ETH_RSS_FRAG_IPV4 SL_ETH_RSS_FRAG_IPV4
#define RTE_ETH_RSS_NONFRAG_IPV4_TCP SL_ETH_RSS_NONFRAG_IPV4_TCP
#define RTE_ETH_RSS_NONFRAG_IPV4_UDP SL_ETH_RSS_NONFRAG_IPV4_UDP
#define RTE_ETH_RSS_NONFRAG_IPV4_SCTP SL_ETH_RSS_NONFRAG_IPV4_SCTP
#define RTE_ETH_RSS_NONFRAG_IPV4_OTHER SL_ETH_RSS_NONFRAG_IPV4_OTHER
#define RTE_ETH_RSS_IPV6 SL_ETH_RSS_IPV6
#define RTE_ETH_RSS_FRAG_IPV6 SL_ETH_RSS_FRAG_IPV6
#define RTE_ETH_RSS_NONFRAG_IPV6_TCP SL_ETH_RSS_NONFRAG_IPV6_TCP
#define RTE_ETH_RSS_NONFRAG_IPV6_UDP SL_ETH_RSS_NONFRAG_IPV6_UDP
#define RTE_ETH_RSS_NONFRAG_IPV6_SCTP SL_ETH_RSS_NONFRAG_IPV6_SCTP
#define RTE_ETH_RSS_NONFRAG_IPV6_OTHER SL_ETH_RSS_NONFRAG_IPV6_OTHER
#define RTE_ETH_RSS_L2_PAYLOAD SL_ETH_RSS_L2_PAYLOAD
#define RTE_ETH_RSS_IPV6_EX SL_ETH_RSS_IPV6_EX
#define RTE_ETH_RSS_IPV6_TCP_EX SL_ETH_RSS_IPV6_TCP_EX
#define RTE_ETH_RSS_IPV6_UDP_EX SL_ETH_RSS_IPV6_UDP_EX
#define RTE_ETH_RSS_IP SL_ETH_RSS_IP
#define RTE_ETH_RSS_TCP SL_ETH_RSS_TCP
#define RTE_ETH_RSS_UDP SL_ETH_RSS_UDP
#define RTE_ETH_RETA_GROUP_SIZE SL_ETH_RETA_GROUP_SIZE

struct rte_eth_rss_conf {
	uint8_t *rss_key;
	uint8_t rss_key_len;
	uint64_t rss_hf;
};

/* ---- configuration ---------------------------------------------------------- */

#define RTE_ETH_MQ_RX_RSS_FLAG RTE_BIT32(0)
#define RTE_ETH_MQ_RX_DCB_FLAG RTE_BIT32(1)
#define RTE_ETH_MQ_RX_VMDQ_FLAG RTE_BIT32(2)

enum rte_eth_rx_mq_mode {
	RTE_ETH_MQ_RX_NONE = 0,
	RTE_ETH_MQ_RX_RSS = RTE_ETH_MQ_RX_RSS_FLAG,
	RTE_ETH_MQ_RX_DCB = RTE_ETH_MQ_RX_DCB_FLAG,
	RTE_ETH_MQ_RX_DCB_RSS = RTE_ETH_MQ_RX_RSS_FLAG | RTE_ETH_MQ_RX_DCB_FLAG,
	RTE_ETH_MQ_RX_VMDQ_ONLY = RTE_ETH_MQ_RX_VMDQ_FLAG,
	RTE_ETH_MQ_RX_VMDQ_RSS = RTE_ETH_MQ_RX_RSS_FLAG | RTE_ETH_MQ_RX_VMDQ_FLAG,
	RTE_ETH_MQ_RX_VMDQ_DCB = RTE_ETH_MQ_RX_VMDQ_FLAG | RTE_ETH_MQ_RX_DCB_FLAG,
	RTE_ETH_MQ_RX_VMDQ_DCB_RSS =
		RTE_ETH_MQ_RX_RSS_FLAG | RTE_ETH_MQ_RX_DCB_FLAG | RTE_ETH_MQ_RX_VMDQ_FLAG,
};

enum rte_eth_tx_mq_mode {
	RTE_ETH_MQ_TX_NONE = 0,
	RTE_ETH_MQ_TX_DCB,
	RTE_ETH_MQ_TX_VMDQ_DCB,
	RTE_ETH_MQ_TX_VMDQ_ONLY,
};

struct rte_eth_rxmode {
	enum rte_eth_rx_mq_mode mq_mode;
	uint32_t mtu;               /* 0: keep the port's MTU (1500 at first) */
	uint32_t max_lro_pkt_size;
	uint64_t offloads;
	uint64_t reserved_64s[2];
	void *reserved_ptrs[2];
};

struct rte_eth_txmode {
	enum rte_eth_tx_mq_mode mq_mode;
	uint64_t offloads;
	uint16_t pvid;
	__extension__ uint8_t hw_vlan_reject_tagged : 1, hw_vlan_reject_untagged : 1,
		hw_vlan_insert_pvid : 1;
	uint64_t reserved_64s[2];
	void *reserved_ptrs[2];
};

struct rte_eth_intr_conf {
	uint32_t lsc : 1;
	uint32_t rxq : 1;
	uint32_t rmv : 1;
};

/* DCB and VMDq configuration (rx_adv_conf.vmdq_*, dcb_*, tx_adv_conf) is
 * not part of this layer: Sluice's drivers have neither. */
struct rte_eth_conf {
	uint32_t link_speeds;       /* RTE_ETH_LINK_SPEED_AUTONEG (0) only */
	struct rte_eth_rxmode rxmode;
	struct rte_eth_txmode txmode;
	uint32_t lpbk_mode;         /* 0 only */
	struct {
		struct rte_eth_rss_conf rss_conf;
	} rx_adv_conf;
	uint32_t dcb_capability_en; /* 0 only */
	struct rte_eth_intr_conf intr_conf;
};

struct rte_eth_thresh {
	uint8_t pthresh;
	uint8_t hthresh;
	uint8_t wthresh;
};

union rte_eth_rxseg;

struct rte_eth_rxconf {
	struct rte_eth_thresh rx_thresh; /* 0 only */
	uint16_t rx_free_thresh;
	uint8_t rx_drop_en;              /* 0 only */
	uint8_t rx_deferred_start;       /* 0 only */
	uint16_t rx_nseg;                /* 0 only (no buffer split) */
	uint16_t share_group;            /* 0 only */
	uint16_t share_qid;
	uint64_t offloads;
	union rte_eth_rxseg *rx_seg;
	struct rte_mempool **rx_mempools; /* NULL only */
	uint16_t rx_nmempool;
	uint64_t reserved_64s[2];
	void *reserved_ptrs[2];
};

struct rte_eth_txconf {
	struct rte_eth_thresh tx_thresh; /* 0 only */
	uint16_t tx_rs_thresh;
	uint16_t tx_free_thresh;
	uint8_t tx_deferred_start;       /* 0 only */
	uint64_t offloads;
	uint64_t reserved_64s[2];
	void *reserved_ptrs[2];
};

struct rte_eth_desc_lim {
	uint16_t nb_max;
	uint16_t nb_min;
	uint16_t nb_align;
	uint16_t nb_seg_max;
	uint16_t nb_mtu_seg_max;
};

struct rte_eth_dev_portconf {
	uint16_t burst_size;
	uint16_t ring_size;
	uint16_t nb_queues;
};

#define RTE_ETH_DEV_SWITCH_DOMAIN_ID_INVALID (UINT16_MAX)

struct rte_eth_switch_info {
	const char *name;
	uint16_t domain_id;
	uint16_t port_id;
	uint16_t rx_domain;
};

struct rte_eth_rxseg_capa {
	__extension__ uint32_t multi_pools : 1, offset_allowed : 1, offset_align_log2 : 4;
	uint16_t max_nseg;
	uint16_t reserved;
};

enum rte_eth_err_handle_mode {
	RTE_ETH_ERROR_HANDLE_MODE_NONE,
	RTE_ETH_ERROR_HANDLE_MODE_PASSIVE,
};

struct rte_device;

/* Filled from sl_eth_dev_info (compat/rte/rte_ethdev.c says how). */
struct rte_eth_dev_info {
	struct rte_device *device;       /* NULL: no rte_device in Sluice */
	const char *driver_name;
	unsigned int if_index;
	uint16_t min_mtu;
	uint16_t max_mtu;
	const uint32_t *dev_flags;       /* points at 0 */
	uint32_t min_rx_bufsize;
	uint32_t max_rx_pktlen;
	uint32_t max_lro_pkt_size;
	uint16_t max_rx_queues;
	uint16_t max_tx_queues;
	uint32_t max_mac_addrs;
	uint32_t max_hash_mac_addrs;
	uint16_t max_vfs;
	uint16_t max_vmdq_pools;
	struct rte_eth_rxseg_capa rx_seg_capa;
	uint64_t rx_offload_capa;
	uint64_t tx_offload_capa;
	uint64_t rx_queue_offload_capa;
	uint64_t tx_queue_offload_capa;
	uint16_t reta_size;
	uint8_t hash_key_size;
	uint64_t flow_type_rss_offloads;
	struct rte_eth_rxconf default_rxconf;
	struct rte_eth_txconf default_txconf;
	uint16_t vmdq_queue_base;
	uint16_t vmdq_queue_num;
	uint16_t vmdq_pool_base;
	struct rte_eth_desc_lim rx_desc_lim;
	struct rte_eth_desc_lim tx_desc_lim;
	uint32_t speed_capa;             /* RTE_ETH_LINK_SPEED_* */
	uint16_t nb_rx_queues;
	uint16_t nb_tx_queues;
	uint16_t max_rx_mempools;
	struct rte_eth_dev_portconf default_rxportconf;
	struct rte_eth_dev_portconf default_txportconf;
	uint64_t dev_capa;
	struct rte_eth_switch_info switch_info;
	enum rte_eth_err_handle_mode err_handle_mode;
	uint64_t reserved_64s[2];
	void *reserved_ptrs[2];
};

struct rte_eth_stats {
	uint64_t ipackets;
	uint64_t opackets;
	uint64_t ibytes;
	uint64_t obytes;
	uint64_t imissed;
	uint64_t ierrors;
	uint64_t oerrors;
	uint64_t rx_nombuf;
	uint64_t q_ipackets[RTE_ETHDEV_QUEUE_STAT_CNTRS];
	uint64_t q_opackets[RTE_ETHDEV_QUEUE_STAT_CNTRS];
	uint64_t q_ibytes[RTE_ETHDEV_QUEUE_STAT_CNTRS];
	uint64_t q_obytes[RTE_ETHDEV_QUEUE_STAT_CNTRS];
	uint64_t q_errors[RTE_ETHDEV_QUEUE_STAT_CNTRS];
};

/* ---- converted calls (libsluice_rte) ------------------------------------------ */

int rte_eth_dev_info_get(uint16_t port_id, struct rte_eth_dev_info *dev_info);
int rte_eth_dev_configure(uint16_t port_id, uint16_t nb_rx_queue, uint16_t nb_tx_queue,
			  const struct rte_eth_conf *eth_conf);
/* SOCKET_ID: SOCKET_ID_ANY or a node of the machine (see rte_malloc.h;
 * another number: -EINVAL). RX_CONF/TX_CONF may be NULL. */
int rte_eth_rx_queue_setup(uint16_t port_id, uint16_t rx_queue_id, uint16_t nb_rx_desc,
			   unsigned int socket_id, const struct rte_eth_rxconf *rx_conf,
			   struct rte_mempool *mb_pool);
int rte_eth_tx_queue_setup(uint16_t port_id, uint16_t tx_queue_id, uint16_t nb_tx_desc,
			   unsigned int socket_id, const struct rte_eth_txconf *tx_conf);
int rte_eth_stats_get(uint16_t port_id, struct rte_eth_stats *stats);
int rte_eth_link_get_nowait(uint16_t port_id, struct rte_eth_link *link);
/* Waits up to 9 s for the link to come up (as DPDK's drivers do); 0. */
int rte_eth_link_get(uint16_t port_id, struct rte_eth_link *link);
/* "Link down" or "Link up at 10 Gbps FDX Autoneg"; snprintf's return. */
int rte_eth_link_to_str(char *str, size_t len, const struct rte_eth_link *eth_link);
const char *rte_eth_link_speed_to_str(uint32_t link_speed);
/* Sluice's drivers classify no packet types: PTYPE_MASK RTE_PTYPE_UNKNOWN
 * (ask for none) succeeds; asking for any is -ENOTSUP. */
int rte_eth_dev_set_ptypes(uint16_t port_id, uint32_t ptype_mask, uint32_t *set_ptypes,
			   unsigned int num);
/* The NUMA node of the port's PCI device (sysfs numa_node); SOCKET_ID_ANY
 * when the kernel does not know it and for vdev ports; for a bad port also
 * SOCKET_ID_ANY, with rte_errno EINVAL. */
int rte_eth_dev_socket_id(uint16_t port_id);
int rte_eth_dev_get_name_by_port(uint16_t port_id, char *name);
int rte_eth_dev_get_port_by_name(const char *name, uint16_t *port_id);
int rte_eth_dev_rss_hash_update(uint16_t port_id, struct rte_eth_rss_conf *rss_conf);
int rte_eth_dev_rss_hash_conf_get(uint16_t port_id, struct rte_eth_rss_conf *rss_conf);

/* ---- inline mappings ------------------------------------------------------------ */

static inline uint16_t rte_eth_dev_count_avail(void)
{
	return sl_eth_dev_count_avail();
}

static inline uint16_t rte_eth_dev_count_total(void)
{
	return sl_eth_dev_count_avail();
}

static inline int rte_eth_dev_is_valid_port(uint16_t port_id)
{
	return sl_eth_dev_is_valid_port(port_id);
}

static inline uint16_t rte_eth_find_next(uint16_t port_id)
{
	return sl_eth_find_next(port_id);
}

#define RTE_ETH_FOREACH_DEV(p) SL_ETH_FOREACH_DEV(p)

static inline int rte_eth_dev_start(uint16_t port_id)
{
	return sl_eth_dev_start(port_id);
}

static inline int rte_eth_dev_stop(uint16_t port_id)
{
	return sl_eth_dev_stop(port_id);
}

static inline int rte_eth_dev_close(uint16_t port_id)
{
	return sl_eth_dev_close(port_id);
}

static inline int rte_eth_dev_adjust_nb_rx_tx_desc(uint16_t port_id, uint16_t *nb_rx_desc,
						   uint16_t *nb_tx_desc)
{
	return sl_eth_dev_adjust_nb_rx_tx_desc(port_id, nb_rx_desc, nb_tx_desc);
}

static inline int rte_eth_macaddr_get(uint16_t port_id, struct rte_ether_addr *mac_addr)
{
	return sl_eth_macaddr_get(port_id, mac_addr);
}

static inline int rte_eth_dev_default_mac_addr_set(uint16_t port_id, struct rte_ether_addr *mac_addr)
{
	return sl_eth_dev_default_mac_addr_set(port_id, mac_addr);
}

static inline int rte_eth_promiscuous_enable(uint16_t port_id)
{
	return sl_eth_promiscuous_enable(port_id);
}

static inline int rte_eth_promiscuous_disable(uint16_t port_id)
{
	return sl_eth_promiscuous_disable(port_id);
}

static inline int rte_eth_promiscuous_get(uint16_t port_id)
{
	return sl_eth_promiscuous_get(port_id);
}

static inline int rte_eth_allmulticast_enable(uint16_t port_id)
{
	return sl_eth_allmulticast_enable(port_id);
}

static inline int rte_eth_allmulticast_disable(uint16_t port_id)
{
	return sl_eth_allmulticast_disable(port_id);
}

static inline int rte_eth_allmulticast_get(uint16_t port_id)
{
	return sl_eth_allmulticast_get(port_id);
}

static inline int rte_eth_dev_set_mtu(uint16_t port_id, uint16_t mtu)
{
	return sl_eth_dev_set_mtu(port_id, mtu);
}

static inline int rte_eth_dev_get_mtu(uint16_t port_id, uint16_t *mtu)
{
	return sl_eth_dev_get_mtu(port_id, mtu);
}

static inline int rte_eth_stats_reset(uint16_t port_id)
{
	return sl_eth_stats_reset(port_id);
}

/* ---- fast path: Sluice's inline burst calls, the same code ------------------------ */

static inline uint16_t rte_eth_rx_burst(uint16_t port_id, uint16_t queue_id,
					struct rte_mbuf **rx_pkts, const uint16_t nb_pkts)
{
	return sl_eth_rx_burst(port_id, queue_id, rx_pkts, nb_pkts);
}

static inline uint16_t rte_eth_tx_burst(uint16_t port_id, uint16_t queue_id,
					struct rte_mbuf **tx_pkts, uint16_t nb_pkts)
{
	return sl_eth_tx_burst(port_id, queue_id, tx_pkts, nb_pkts);
}

/* DPDK's name of one offload bit ("VLAN_STRIP", ...; "UNKNOWN" otherwise). */
static inline const char *rte_eth_dev_rx_offload_name(uint64_t offload)
{
	return sl_eth_dev_rx_offload_name(offload);
}

static inline const char *rte_eth_dev_tx_offload_name(uint64_t offload)
{
	return sl_eth_dev_tx_offload_name(offload);
}

/* ---- port events (rte_events.c) ------------------------------------------------------ */

/* DPDK 22.11's numbers; Sluice raises INTR_LSC (ports configured with
 * intr_conf.lsc = 1) and INTR_RMV; registering for another type is
 * refused with -ENOTSUP. Callbacks run on Sluice's interrupt thread, one
 * at a time; RET_PARAM is always NULL and the return value is ignored. */
enum rte_eth_event_type {
	RTE_ETH_EVENT_UNKNOWN,
	RTE_ETH_EVENT_INTR_LSC,
	RTE_ETH_EVENT_QUEUE_STATE,
	RTE_ETH_EVENT_INTR_RESET,
	RTE_ETH_EVENT_VF_MBOX,
	RTE_ETH_EVENT_MACSEC,
	RTE_ETH_EVENT_INTR_RMV,
	RTE_ETH_EVENT_NEW,
	RTE_ETH_EVENT_DESTROY,
	RTE_ETH_EVENT_IPSEC,
	RTE_ETH_EVENT_FLOW_AGED,
	RTE_ETH_EVENT_RX_AVAIL_THRESH,
	RTE_ETH_EVENT_MAX,
};
#define RTE_ETH_ALL RTE_MAX_ETHPORTS

typedef int (*rte_eth_dev_cb_fn)(uint16_t port_id, enum rte_eth_event_type event, void *cb_arg,
				 void *ret_param);
int rte_eth_dev_callback_register(uint16_t port_id, enum rte_eth_event_type event,
				  rte_eth_dev_cb_fn cb_fn, void *cb_arg);
int rte_eth_dev_callback_unregister(uint16_t port_id, enum rte_eth_event_type event,
				    rte_eth_dev_cb_fn cb_fn, void *cb_arg);

/* ---- rx/tx callbacks: Sluice's, same signatures and semantics ------------------------ */

/* NULL with rte_errno (ENODEV, EINVAL, ENOMEM) on failure, as DPDK. A
 * removed callback is freed with rte_free once no lcore can be in a burst
 * that calls it, as in DPDK (rte_free knows these are not heap blocks). */
#define rte_eth_rxtx_callback sl_eth_rxtx_callback
typedef sl_rx_callback_fn rte_rx_callback_fn;
typedef sl_tx_callback_fn rte_tx_callback_fn;

static inline const struct rte_eth_rxtx_callback *
__rte_cb_ret(const struct rte_eth_rxtx_callback *cb)
{
	if (cb == NULL)
		rte_errno = errno;
	return cb;
}

static inline const struct rte_eth_rxtx_callback *
rte_eth_add_rx_callback(uint16_t port_id, uint16_t queue_id, rte_rx_callback_fn fn, void *user_param)
{
	return __rte_cb_ret(sl_eth_add_rx_callback(port_id, queue_id, fn, user_param));
}

static inline const struct rte_eth_rxtx_callback *
rte_eth_add_first_rx_callback(uint16_t port_id, uint16_t queue_id, rte_rx_callback_fn fn, void *user_param)
{
	return __rte_cb_ret(sl_eth_add_first_rx_callback(port_id, queue_id, fn, user_param));
}

static inline const struct rte_eth_rxtx_callback *
rte_eth_add_tx_callback(uint16_t port_id, uint16_t queue_id, rte_tx_callback_fn fn, void *user_param)
{
	return __rte_cb_ret(sl_eth_add_tx_callback(port_id, queue_id, fn, user_param));
}

static inline int rte_eth_remove_rx_callback(uint16_t port_id, uint16_t queue_id,
					     const struct rte_eth_rxtx_callback *user_cb)
{
	return sl_eth_remove_rx_callback(port_id, queue_id, user_cb);
}

static inline int rte_eth_remove_tx_callback(uint16_t port_id, uint16_t queue_id,
					     const struct rte_eth_rxtx_callback *user_cb)
{
	return sl_eth_remove_tx_callback(port_id, queue_id, user_cb);
}

/* ---- tx buffering: struct rte_eth_dev_tx_buffer IS struct sl_eth_tx_buffer --------- */

#define rte_eth_dev_tx_buffer sl_eth_tx_buffer
typedef sl_eth_tx_buffer_err_fn buffer_tx_error_fn;
#define RTE_ETH_TX_BUFFER_SIZE(sz) SL_ETH_TX_BUFFER_SIZE(sz)
#define rte_eth_tx_buffer_drop_callback sl_eth_tx_buffer_drop_callback
#define rte_eth_tx_buffer_count_callback sl_eth_tx_buffer_count_callback

static inline int rte_eth_tx_buffer_init(struct rte_eth_dev_tx_buffer *buffer, uint16_t size)
{
	return sl_eth_tx_buffer_init(buffer, size);
}

static inline int rte_eth_tx_buffer_set_err_callback(struct rte_eth_dev_tx_buffer *buffer,
						     buffer_tx_error_fn callback, void *userdata)
{
	return sl_eth_tx_buffer_set_err_callback(buffer, callback, userdata);
}

static inline uint16_t rte_eth_tx_buffer_flush(uint16_t port_id, uint16_t queue_id,
					       struct rte_eth_dev_tx_buffer *buffer)
{
	return sl_eth_tx_buffer_flush(port_id, queue_id, buffer);
}

static inline uint16_t rte_eth_tx_buffer(uint16_t port_id, uint16_t queue_id,
					 struct rte_eth_dev_tx_buffer *buffer, struct rte_mbuf *tx_pkt)
{
	return sl_eth_tx_buffer(port_id, queue_id, buffer, tx_pkt);
}

#ifdef __cplusplus
}
#endif
#endif
