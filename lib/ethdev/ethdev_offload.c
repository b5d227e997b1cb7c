/* ethdev_offload.c: offload names (DPDK 22.11's, by bit) and the check
 * that a port or queue asks only for offloads its driver has. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ethdev_private.h"

static const char *const rx_names[64] = {
	[0] = "VLAN_STRIP",        [1] = "IPV4_CKSUM",        [2] = "UDP_CKSUM",   [3] = "TCP_CKSUM",
	[4] = "TCP_LRO",           [5] = "QINQ_STRIP",        [6] = "OUTER_IPV4_CKSUM",
	[7] = "MACSEC_STRIP",      [9] = "VLAN_FILTER",       [10] = "VLAN_EXTEND", [13] = "SCATTER",
	[14] = "TIMESTAMP",        [15] = "SECURITY",         [16] = "KEEP_CRC",    [17] = "SCTP_CKSUM",
	[18] = "OUTER_UDP_CKSUM",  [19] = "RSS_HASH",         [20] = "BUFFER_SPLIT",
};

static const char *const tx_names[64] = {
	[0] = "VLAN_INSERT",       [1] = "IPV4_CKSUM",        [2] = "UDP_CKSUM",     [3] = "TCP_CKSUM",
	[4] = "SCTP_CKSUM",        [5] = "TCP_TSO",           [6] = "UDP_TSO",       [7] = "OUTER_IPV4_CKSUM",
	[8] = "QINQ_INSERT",       [9] = "VXLAN_TNL_TSO",     [10] = "GRE_TNL_TSO",  [11] = "IPIP_TNL_TSO",
	[12] = "GENEVE_TNL_TSO",   [13] = "MACSEC_INSERT",    [14] = "MT_LOCKFREE",  [15] = "MULTI_SEGS",
	[16] = "MBUF_FAST_FREE",   [17] = "SECURITY",         [18] = "UDP_TNL_TSO",  [19] = "IP_TNL_TSO",
	[20] = "OUTER_UDP_CKSUM",  [21] = "SEND_ON_TIMESTAMP",
};

_Static_assert(SL_ETH_RX_OFFLOAD_RSS_HASH == 1ULL << 19 && SL_ETH_RX_OFFLOAD_SCATTER == 1ULL << 13 &&
		       SL_ETH_TX_OFFLOAD_MULTI_SEGS == 1ULL << 15 && SL_ETH_TX_OFFLOAD_MBUF_FAST_FREE == 1ULL << 16,
	       "DPDK 22.11's bit values");

static const char *name_of(const char *const names[64], uint64_t offload)
{
	if (offload == 0 || (offload & (offload - 1)) != 0)
		return "UNKNOWN";
	const char *n = names[__builtin_ctzll(offload)];
	return n != NULL ? n : "UNKNOWN";
}

const char *sl_eth_dev_rx_offload_name(uint64_t offload)
{
	return name_of(rx_names, offload);
}

const char *sl_eth_dev_tx_offload_name(uint64_t offload)
{
	return name_of(tx_names, offload);
}

/* "A, B, C" (or "none") into BUF. */
static void names_of(char *buf, size_t size, bool rx, uint64_t set)
{
	size_t len = 0;
	buf[0] = '\0';
	if (set == 0) {
		snprintf(buf, size, "none");
		return;
	}
	while (set != 0 && len < size) {
		uint64_t bit = set & -set;
		set &= set - 1;
		const char *n = rx ? sl_eth_dev_rx_offload_name(bit) : sl_eth_dev_tx_offload_name(bit);
		int w;
		if (strcmp(n, "UNKNOWN") == 0)
			w = snprintf(buf + len, size - len, "%sbit %d", len ? ", " : "", __builtin_ctzll(bit));
		else
			w = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", n);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

int ethdev__check_offloads(const struct sl_eth_dev *dev, const struct sl_eth_dev_info *info, const char *what,
			   bool rx, uint64_t asked)
{
	uint64_t capa = rx ? info->rx_offload_capa : info->tx_offload_capa;
	uint64_t missing = asked & ~capa;
	if (missing == 0)
		return 0;
	char miss[512], have[512];
	names_of(miss, sizeof(miss), rx, missing);
	names_of(have, sizeof(have), rx, capa);
	SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): %s offload%s %s not supported by %s (0x%" PRIx64 "); it offers: %s",
	       dev->port_id, dev->name, what, (missing & (missing - 1)) ? "s" : "", miss, driver_name_of(dev),
	       missing, have);
	return -EINVAL;
}
