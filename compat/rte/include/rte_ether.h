/* rte_ether.h (Sluice rte_ compatibility layer): struct rte_ether_addr IS
 * struct sl_ether_addr and struct rte_ether_hdr IS struct sl_ether_hdr
 * (same layout: 6 bytes aligned to 2; 14 bytes with ether_type in network
 * order, as the checks below hold), plus DPDK's address helpers. */
#ifndef SLUICE_RTE_ETHER_H
#define SLUICE_RTE_ETHER_H

#include <stdint.h>
#include <stdio.h>

#include "rte_common.h"
#include "rte_byteorder.h"
#include "rte_random.h"

#ifdef __cplusplus
extern "C" {
#endif

#define rte_ether_addr sl_ether_addr
#define rte_ether_hdr sl_ether_hdr

_Static_assert(sizeof(struct rte_ether_addr) == 6 && _Alignof(struct rte_ether_addr) == 2,
	       "rte_ether_addr: 6 bytes, aligned to 2");
_Static_assert(sizeof(struct rte_ether_hdr) == 14 && offsetof(struct rte_ether_hdr, src_addr) == 6 &&
		       offsetof(struct rte_ether_hdr, ether_type) == 12,
	       "rte_ether_hdr: dst, src, type at 0, 6, 12");

#define RTE_ETHER_ADDR_LEN 6
#define RTE_ETHER_TYPE_LEN 2
#define RTE_ETHER_CRC_LEN 4
#define RTE_ETHER_HDR_LEN (RTE_ETHER_ADDR_LEN * 2 + RTE_ETHER_TYPE_LEN)
#define RTE_ETHER_MIN_LEN 64
#define RTE_ETHER_MAX_LEN 1518
#define RTE_ETHER_MTU (RTE_ETHER_MAX_LEN - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN)
#define RTE_ETHER_MAX_JUMBO_FRAME_LEN 0x3F00
#define RTE_ETHER_MIN_MTU 68
#define RTE_ETHER_LOCAL_ADMIN_ADDR 0x02
#define RTE_ETHER_GROUP_ADDR 0x01

#define RTE_ETHER_TYPE_IPV4 0x0800
#define RTE_ETHER_TYPE_IPV6 0x86DD
#define RTE_ETHER_TYPE_ARP 0x0806
#define RTE_ETHER_TYPE_RARP 0x8035
#define RTE_ETHER_TYPE_VLAN 0x8100
#define RTE_ETHER_TYPE_QINQ 0x88A8
#define RTE_ETHER_TYPE_LLDP 0x88CC
#define RTE_ETHER_TYPE_MPLS 0x8847

#define RTE_ETHER_ADDR_FMT_SIZE 18
#define RTE_ETHER_ADDR_PRT_FMT "%02X:%02X:%02X:%02X:%02X:%02X"
#define RTE_ETHER_ADDR_BYTES(mac_addrs) ((mac_addrs)->addr_bytes[0]), \
					 ((mac_addrs)->addr_bytes[1]), \
					 ((mac_addrs)->addr_bytes[2]), \
					 ((mac_addrs)->addr_bytes[3]), \
					 ((mac_addrs)->addr_bytes[4]), \
					 ((mac_addrs)->addr_bytes[5])

struct rte_vlan_hdr {
	rte_be16_t vlan_tci;
	rte_be16_t eth_proto;
} __rte_packed;

static inline int rte_is_same_ether_addr(const struct rte_ether_addr *ea1,
					 const struct rte_ether_addr *ea2)
{
	return memcmp(ea1, ea2, RTE_ETHER_ADDR_LEN) == 0;
}

static inline int rte_is_zero_ether_addr(const struct rte_ether_addr *ea)
{
	return sl_is_zero_ether_addr(ea);
}

static inline int rte_is_multicast_ether_addr(const struct rte_ether_addr *ea)
{
	return sl_is_multicast_ether_addr(ea);
}

static inline int rte_is_unicast_ether_addr(const struct rte_ether_addr *ea)
{
	return !sl_is_multicast_ether_addr(ea);
}

static inline int rte_is_broadcast_ether_addr(const struct rte_ether_addr *ea)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	return rte_is_same_ether_addr(ea, &bcast);
}

static inline int rte_is_local_admin_ether_addr(const struct rte_ether_addr *ea)
{
	return (ea->addr_bytes[0] & RTE_ETHER_LOCAL_ADMIN_ADDR) != 0;
}

static inline int rte_is_universal_ether_addr(const struct rte_ether_addr *ea)
{
	return !rte_is_local_admin_ether_addr(ea);
}

static inline int rte_is_valid_assigned_ether_addr(const struct rte_ether_addr *ea)
{
	return rte_is_unicast_ether_addr(ea) && !rte_is_zero_ether_addr(ea);
}

static inline void rte_ether_addr_copy(const struct rte_ether_addr *ea_from,
				       struct rte_ether_addr *ea_to)
{
	*ea_to = *ea_from;
}

/* A random locally administered unicast address. */
static inline void rte_eth_random_addr(uint8_t *addr)
{
	uint64_t rand = rte_rand();
	memcpy(addr, &rand, RTE_ETHER_ADDR_LEN);
	addr[0] &= (uint8_t)~RTE_ETHER_GROUP_ADDR;
	addr[0] |= RTE_ETHER_LOCAL_ADMIN_ADDR;
}

/* DPDK's format: upper-case hex digits, colon separated. */
static inline void rte_ether_format_addr(char *buf, uint16_t size,
					 const struct rte_ether_addr *eth_addr)
{
	snprintf(buf, size, RTE_ETHER_ADDR_PRT_FMT, RTE_ETHER_ADDR_BYTES(eth_addr));
}

/* 0 and *EA for "XX:XX:XX:XX:XX:XX"; -1 and rte_errno EINVAL otherwise. */
int rte_ether_unformat_addr(const char *str, struct rte_ether_addr *eth_addr);

#ifdef __cplusplus
}
#endif
#endif
