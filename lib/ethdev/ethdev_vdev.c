/* ethdev_vdev.c: creating the --vdev ports from an EAL init hook (and
 * closing every port at EAL cleanup). */
#include <errno.h>
#include <string.h>

#include "ethdev_private.h"

static void close_all_ports(void)
{
	for (uint16_t p = 0; p < SL_MAX_ETHPORTS; p++)
		if (ethdev__devs[p] != NULL)
			sl_eth_dev_close(p);
}

static int probe_vdevs(void)
{
	const struct sl_eal_config *cfg = sl_eal_get_config();
	for (unsigned i = 0; i < cfg->nb_vdev; i++) {
		const struct sl_devarg *da = &cfg->vdev[i];
		const struct sl_eth_driver *drv = ethdev__vdev_driver_for(da->name);
		if (drv == NULL) {
			char known[128];
			ethdev__known_vdev_prefixes(known, sizeof(known));
			SL_LOG(ERR, LOG_COMPONENT, "--vdev %s: no driver for this name (known vdev names start with: %s)",
			       da->name, known);
			close_all_ports();
			errno = ENODEV;
			return -1;
		}
		int ret = drv->probe_vdev(da->name, da->args);
		if (ret != 0) {
			SL_LOG(ERR, LOG_COMPONENT, "--vdev %s%s%s: %s could not create the port (%s)", da->name,
			       da->args[0] ? "," : "", da->args, drv->name, strerror(ret < 0 ? -ret : ret));
			close_all_ports();
			errno = ret < 0 ? -ret : EINVAL;
			return -1;
		}
	}
	return 0;
}

/* At EAL cleanup: every port closed, then the event queue's eventfd
 * released (before the EAL stops its interrupt thread). */
static void ethdev_cleanup(void)
{
	close_all_ports();
	ethdev__events_cleanup();
}

struct sl_eal_hook ethdev__vdev_hook = {
	.name = "ethdev-vdev-probe",
	.priority = 200,
	.init = probe_vdevs,
	.cleanup = ethdev_cleanup,
};
