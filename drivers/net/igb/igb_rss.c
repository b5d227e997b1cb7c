/* igb_rss.c: net_igb receive side scaling: the adapter's RSS state (hash
 * types, 40-byte Toeplitz key, 128-entry redirection table) taken from the
 * port configuration, written to the 82576 at start (MRQC, RSSRK, RETA,
 * RXCSUM.PCSD), and changed at run time through ethdev's RSS calls.
 *
 * The device hashes a frame of an enabled type, takes hash & 127 as the
 * RETA index and the low 4 bits of that entry as the queue, and writes the
 * hash into the descriptor (RXCSUM.PCSD), from where igb_recv_pkts copies
 * it into the mbuf whatever the configuration (no branch on the fast
 * path). With RSS off MRQC is 0: the device (QEMU's model especially,
 * which computes the Toeplitz hash in software) then does less per frame.
 * Checksum validation (RXCSUM.IPOFLD/TUOFLD) stays off: the driver offers
 * no checksum offload, and the model would checksum every frame. */
#include <string.h>

#include "igb_ethdev.h"

/* A well-known 40-byte Toeplitz key (the one the Microsoft RSS spec uses
 * in its examples); it spreads IPv4/IPv6 TCP/UDP flows evenly. */
static const uint8_t igb_default_rss_key[IGB_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* ethdev hash types and the MRQC field bits that enable them. */
static const struct {
	uint64_t rss_hf;
	uint32_t mrqc;
} igb_rss_fields[] = {
	{SL_ETH_RSS_IPV4, IGB_MRQC_RSS_IPV4},
	{SL_ETH_RSS_NONFRAG_IPV4_TCP, IGB_MRQC_RSS_IPV4_TCP},
	{SL_ETH_RSS_NONFRAG_IPV4_UDP, IGB_MRQC_RSS_IPV4_UDP},
	{SL_ETH_RSS_IPV6, IGB_MRQC_RSS_IPV6},
	{SL_ETH_RSS_IPV6_EX, IGB_MRQC_RSS_IPV6_EX},
	{SL_ETH_RSS_NONFRAG_IPV6_TCP, IGB_MRQC_RSS_IPV6_TCP},
	{SL_ETH_RSS_IPV6_TCP_EX, IGB_MRQC_RSS_IPV6_TCP_EX},
	{SL_ETH_RSS_NONFRAG_IPV6_UDP, IGB_MRQC_RSS_IPV6_UDP},
	{SL_ETH_RSS_IPV6_UDP_EX, IGB_MRQC_RSS_IPV6_UDP_EX},
};

uint32_t igb_rss_mrqc(uint64_t rss_hf)
{
	uint32_t mrqc = IGB_MRQC_ENABLE_RSS;
	for (unsigned i = 0; i < SL_DIM(igb_rss_fields); i++)
		if (rss_hf & igb_rss_fields[i].rss_hf)
			mrqc |= igb_rss_fields[i].mrqc;
	return mrqc;
}

static void igb_write_rss_key(struct igb_adapter *ad)
{
	for (unsigned i = 0; i < IGB_RSSRK_WORDS; i++) {
		const uint8_t *k = &ad->rss_key[4 * i];
		igb_write(ad, IGB_RSSRK(i), (uint32_t)k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 |
						      (uint32_t)k[3] << 24);
	}
}

/* RETA word I: entries 4i..4i+3, one byte each, the lowest first. */
static void igb_write_reta_word(struct igb_adapter *ad, unsigned i)
{
	const uint8_t *e = &ad->rss_reta[4 * i];
	igb_write(ad, IGB_RETA(i), (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
					   (uint32_t)e[3] << 24);
}

void igb_rss_conf_init(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	const struct sl_eth_rss_conf *rc = &dev->conf.rss_conf;

	ad->rss_on = dev->conf.rx_mq_mode == SL_ETH_MQ_RX_RSS;
	if (!ad->rss_on) {
		ad->rss_hf = 0;
		return;
	}
	/* ethdev resolved the types (never 0) and checked the key's length */
	ad->rss_hf = rc->rss_hf;
	memcpy(ad->rss_key, rc->rss_key != NULL ? rc->rss_key : igb_default_rss_key, IGB_RSS_KEY_SIZE);
	for (unsigned i = 0; i < IGB_RETA_ENTRIES; i++)
		ad->rss_reta[i] = (uint8_t)(i % dev->nb_rx_queues);
}

void igb_rss_configure(struct igb_adapter *ad)
{
	igb_write(ad, IGB_RXCSUM, IGB_RXCSUM_PCSD);
	if (!ad->rss_on) {
		igb_write(ad, IGB_MRQC, 0);
		return;
	}
	igb_write_rss_key(ad);
	for (unsigned i = 0; i < IGB_RETA_WORDS; i++)
		igb_write_reta_word(ad, i);
	igb_write(ad, IGB_MRQC, igb_rss_mrqc(ad->rss_hf));
}

/* The runtime calls below get arguments ethdev checked (ethdev_driver.h)
 * and are only called with RSS on. The registers are written whether or
 * not the port is started (the BAR stays mapped; start writes them again
 * from the same state). */

int igb_rss_hash_update(struct sl_eth_dev *dev, const struct sl_eth_rss_conf *conf)
{
	struct igb_adapter *ad = dev->dev_private;
	if (conf->rss_key != NULL) {
		memcpy(ad->rss_key, conf->rss_key, IGB_RSS_KEY_SIZE);
		igb_write_rss_key(ad);
	}
	ad->rss_hf = conf->rss_hf;
	igb_write(ad, IGB_MRQC, igb_rss_mrqc(ad->rss_hf));
	igb_write_flush(ad);
	SL_LOG(DEBUG, IGB_LOG, "%s: RSS hash types 0x%llx%s (MRQC 0x%08x)", dev->name,
	       (unsigned long long)ad->rss_hf, conf->rss_key != NULL ? ", new key" : "", igb_rss_mrqc(ad->rss_hf));
	return 0;
}

int igb_rss_hash_conf_get(struct sl_eth_dev *dev, struct sl_eth_rss_conf *conf)
{
	const struct igb_adapter *ad = dev->dev_private;
	conf->rss_hf = ad->rss_hf;
	if (conf->rss_key != NULL)
		memcpy(conf->rss_key, ad->rss_key, IGB_RSS_KEY_SIZE);
	return 0;
}

int igb_rss_reta_update(struct sl_eth_dev *dev, const struct sl_eth_rss_reta_entry64 *reta, uint16_t reta_size)
{
	struct igb_adapter *ad = dev->dev_private;
	(void)reta_size; /* IGB_RETA_ENTRIES, checked by ethdev */
	for (unsigned w = 0; w < IGB_RETA_WORDS; w++) {
		bool changed = false;
		for (unsigned i = 4 * w; i < 4 * w + 4; i++) {
			const struct sl_eth_rss_reta_entry64 *g = &reta[i / SL_ETH_RETA_GROUP_SIZE];
			unsigned b = i % SL_ETH_RETA_GROUP_SIZE;
			if (g->mask & (1ULL << b)) {
				ad->rss_reta[i] = (uint8_t)g->reta[b];
				changed = true;
			}
		}
		if (changed)
			igb_write_reta_word(ad, w);
	}
	igb_write_flush(ad);
	return 0;
}

int igb_rss_reta_query(struct sl_eth_dev *dev, struct sl_eth_rss_reta_entry64 *reta, uint16_t reta_size)
{
	const struct igb_adapter *ad = dev->dev_private;
	(void)reta_size;
	for (unsigned i = 0; i < IGB_RETA_ENTRIES; i++) {
		struct sl_eth_rss_reta_entry64 *g = &reta[i / SL_ETH_RETA_GROUP_SIZE];
		unsigned b = i % SL_ETH_RETA_GROUP_SIZE;
		if (g->mask & (1ULL << b))
			g->reta[b] = ad->rss_reta[i];
	}
	return 0;
}
