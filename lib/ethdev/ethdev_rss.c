/* ethdev_rss.c: RSS: the configure-time resolution of rx_mq_mode and
 * rss_conf, and the checks of the runtime hash and redirection table calls. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ethdev_private.h"

/* RSS_HF must be a subset of what the device hashes on (and not 0 unless
 * ZERO_OK). FUNC names the caller in the message. */
static int check_rss_hf(const struct sl_eth_dev *dev, const struct sl_eth_dev_info *info, uint64_t rss_hf,
			bool zero_ok, const char *func)
{
	if (rss_hf == 0 && !zero_ok) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): no hash types given (rss_hf 0); name the SL_ETH_RSS_* "
		       "types to hash on (this port supports 0x%" PRIx64 "), or reconfigure with rx_mq_mode "
		       "SL_ETH_MQ_RX_NONE to stop spreading", func, dev->port_id, dev->name,
		       info->flow_type_rss_offloads);
		return -EINVAL;
	}
	if ((rss_hf & ~info->flow_type_rss_offloads) != 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): RSS hash types 0x%" PRIx64 " are not supported by %s "
		       "(it supports 0x%" PRIx64 ", dev_info.flow_type_rss_offloads)", func, dev->port_id,
		       dev->name, rss_hf & ~info->flow_type_rss_offloads, driver_name_of(dev),
		       info->flow_type_rss_offloads);
		return -EINVAL;
	}
	return 0;
}

/* A key must be exactly the device's key size; no length without a key. */
static int check_rss_key(const struct sl_eth_dev *dev, const struct sl_eth_dev_info *info,
			 const struct sl_eth_rss_conf *rc, const char *func)
{
	if (rc->rss_key == NULL) {
		if (rc->rss_key_len != 0) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): rss_key_len %u but no rss_key; give the key "
			       "or set rss_key_len to 0", func, dev->port_id, dev->name, rc->rss_key_len);
			return -EINVAL;
		}
		return 0;
	}
	if (rc->rss_key_len != info->hash_key_size) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): RSS key of %u bytes; %s takes exactly %u "
		       "(dev_info.hash_key_size)", func, dev->port_id, dev->name, rc->rss_key_len,
		       driver_name_of(dev), info->hash_key_size);
		return -EINVAL;
	}
	return 0;
}

/* Resolve CONF's rx_mq_mode for NB_RX_QUEUE queues into RSS or NONE and
 * check its rss_conf; *USE_RSS says which. Logged errors as configure's. */
int ethdev__resolve_rss_conf(struct sl_eth_dev *dev, const struct sl_eth_dev_info *info, uint16_t nb_rx_queue,
			    struct sl_eth_conf *conf, bool *use_rss)
{
	const struct sl_eth_rss_conf *rc = &conf->rss_conf;
	bool rss_given = rc->rss_key != NULL || rc->rss_key_len != 0 || rc->rss_hf != 0;
	bool has_rss = has_rss_ops(dev);
	const char *why_not = NULL;

	switch (conf->rx_mq_mode) {
	case SL_ETH_MQ_RX_AUTO:
		if (!has_rss)
			why_not = "the driver has no RSS";
		else if (nb_rx_queue < 2)
			why_not = "the port has one rx queue";
		break;
	case SL_ETH_MQ_RX_NONE:
		why_not = "rx_mq_mode is SL_ETH_MQ_RX_NONE";
		break;
	case SL_ETH_MQ_RX_RSS:
		if (!has_rss) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s has no RSS; configure with rx_mq_mode "
			       "SL_ETH_MQ_RX_AUTO or SL_ETH_MQ_RX_NONE", dev->port_id, dev->name,
			       driver_name_of(dev));
			return -ENOTSUP;
		}
		if (nb_rx_queue < 2) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): RSS spreads frames over rx queues but the port is "
			       "being configured with %u; give it 2 or more, or use SL_ETH_MQ_RX_NONE",
			       dev->port_id, dev->name, nb_rx_queue);
			return -EINVAL;
		}
		break;
	default:
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rx_mq_mode %d is not SL_ETH_MQ_RX_AUTO, _NONE or _RSS",
		       dev->port_id, dev->name, (int)conf->rx_mq_mode);
		return -EINVAL;
	}
	if (why_not != NULL) {
		if (rss_given) {
			SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): rss_conf given (key or hash types) but RSS is not "
			       "in use: %s; leave rss_conf zeroed, or configure 2 or more rx queues with rx_mq_mode "
			       "AUTO or RSS", dev->port_id, dev->name, why_not);
			return has_rss ? -EINVAL : -ENOTSUP;
		}
		conf->rx_mq_mode = SL_ETH_MQ_RX_NONE;
		memset(&conf->rss_conf, 0, sizeof(conf->rss_conf));
		*use_rss = false;
		return 0;
	}
	int ret = check_rss_hf(dev, info, rc->rss_hf, true, "sl_eth_dev_configure");
	if (ret == 0)
		ret = check_rss_key(dev, info, rc, "sl_eth_dev_configure");
	if (ret != 0)
		return ret;
	if (info->hash_key_size > SL_ETH_RSS_KEY_MAX || info->reta_size == 0) {
		SL_LOG(ERR, LOG_COMPONENT, "port %u (%s): driver %s reports an RSS key of %u bytes (at most %d) and "
		       "a table of %u entries: a driver bug", dev->port_id, dev->name, driver_name_of(dev),
		       info->hash_key_size, SL_ETH_RSS_KEY_MAX, info->reta_size);
		return -EINVAL;
	}
	conf->rx_mq_mode = SL_ETH_MQ_RX_RSS;
	if (conf->rss_conf.rss_hf == 0)
		conf->rss_conf.rss_hf = info->flow_type_rss_offloads;
	*use_rss = true;
	return 0;
}

/* The checks every RSS call shares: the driver has RSS, the port is
 * configured with RSS in use. INFO is filled for the argument checks. */
static int check_rss(struct sl_eth_dev *dev, struct sl_eth_dev_info *info, const char *func)
{
	if (!has_rss_ops(dev)) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): driver %s has no RSS", func, dev->port_id, dev->name,
		       driver_name_of(dev));
		return -ENOTSUP;
	}
	if (!dev->configured) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s) is not configured; call sl_eth_dev_configure first",
		       func, dev->port_id, dev->name);
		return -EINVAL;
	}
	if (dev->conf.rx_mq_mode != SL_ETH_MQ_RX_RSS) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s) does not use RSS (%u rx queue%s%s); reconfigure it with "
		       "2 or more rx queues and rx_mq_mode SL_ETH_MQ_RX_AUTO or _RSS", func, dev->port_id, dev->name,
		       dev->nb_rx_queues, dev->nb_rx_queues == 1 ? "" : "s",
		       dev->nb_rx_queues > 1 ? ", rx_mq_mode NONE" : "");
		return -EINVAL;
	}
	return sl_eth_dev_info_get(dev->port_id, info);
}

int sl_eth_dev_rss_hash_update(uint16_t port_id, const struct sl_eth_rss_conf *rss_conf)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = check_rss(dev, &info, __func__);
	if (ret != 0)
		return ret;
	if (rss_conf == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): no rss_conf given", __func__, port_id, dev->name);
		return -EINVAL;
	}
	ret = check_rss_hf(dev, &info, rss_conf->rss_hf, false, __func__);
	if (ret == 0)
		ret = check_rss_key(dev, &info, rss_conf, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->rss_hash_update(dev, rss_conf);
}

int sl_eth_dev_rss_hash_conf_get(uint16_t port_id, struct sl_eth_rss_conf *rss_conf)
{
	GET_PORT_OR_RETURN(dev, port_id);
	if (rss_conf == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): no rss_conf to fill", __func__, port_id, dev->name);
		return -EINVAL;
	}
	if (has_rss_ops(dev) && dev->configured && dev->conf.rx_mq_mode != SL_ETH_MQ_RX_RSS) {
		/* RSS not in use: no hash types, no key */
		rss_conf->rss_hf = 0;
		rss_conf->rss_key_len = 0;
		return 0;
	}
	struct sl_eth_dev_info info;
	int ret = check_rss(dev, &info, __func__);
	if (ret != 0)
		return ret;
	if (rss_conf->rss_key != NULL && rss_conf->rss_key_len < info.hash_key_size) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): a %u-byte buffer cannot take the %u-byte RSS key; "
		       "pass dev_info.hash_key_size bytes in rss_key_len", __func__, port_id, dev->name,
		       rss_conf->rss_key_len, info.hash_key_size);
		return -EINVAL;
	}
	ret = dev->dev_ops->rss_hash_conf_get(dev, rss_conf);
	if (ret == 0 && rss_conf->rss_key != NULL)
		rss_conf->rss_key_len = info.hash_key_size;
	return ret;
}

/* The checks both RETA calls share: the size, masks selecting something,
 * and (UPDATE) queue ids of the port. */
static int check_reta(struct sl_eth_dev *dev, const struct sl_eth_dev_info *info,
		      const struct sl_eth_rss_reta_entry64 *reta_conf, uint16_t reta_size, bool update,
		      const char *func)
{
	if (reta_conf == NULL) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): no redirection table entries given", func,
		       dev->port_id, dev->name);
		return -EINVAL;
	}
	if (reta_size != info->reta_size) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): a redirection table of %u entries; this port has %u "
		       "(dev_info.reta_size)", func, dev->port_id, dev->name, reta_size, info->reta_size);
		return -EINVAL;
	}
	unsigned selected = 0;
	for (unsigned i = 0; i < reta_size; i++) {
		const struct sl_eth_rss_reta_entry64 *g = &reta_conf[i / SL_ETH_RETA_GROUP_SIZE];
		unsigned b = i % SL_ETH_RETA_GROUP_SIZE;
		if (!(g->mask & (1ULL << b)))
			continue;
		selected++;
		if (update && g->reta[b] >= dev->nb_rx_queues) {
			SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): redirection table entry %u names rx queue %u; "
			       "the port has %u rx queues (0..%u)", func, dev->port_id, dev->name, i, g->reta[b],
			       dev->nb_rx_queues, dev->nb_rx_queues - 1u);
			return -EINVAL;
		}
	}
	if (selected == 0) {
		SL_LOG(ERR, LOG_COMPONENT, "%s: port %u (%s): every mask is 0, so no entry is selected; set bit i %% %d "
		       "of reta_conf[i / %d].mask for each entry i", func, dev->port_id, dev->name,
		       SL_ETH_RETA_GROUP_SIZE, SL_ETH_RETA_GROUP_SIZE);
		return -EINVAL;
	}
	return 0;
}

int sl_eth_dev_rss_reta_update(uint16_t port_id, const struct sl_eth_rss_reta_entry64 *reta_conf,
			       uint16_t reta_size)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = check_rss(dev, &info, __func__);
	if (ret == 0)
		ret = check_reta(dev, &info, reta_conf, reta_size, true, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->reta_update(dev, reta_conf, reta_size);
}

int sl_eth_dev_rss_reta_query(uint16_t port_id, struct sl_eth_rss_reta_entry64 *reta_conf, uint16_t reta_size)
{
	GET_PORT_OR_RETURN(dev, port_id);
	struct sl_eth_dev_info info;
	int ret = check_rss(dev, &info, __func__);
	if (ret == 0)
		ret = check_reta(dev, &info, reta_conf, reta_size, false, __func__);
	if (ret != 0)
		return ret;
	return dev->dev_ops->reta_query(dev, reta_conf, reta_size);
}
