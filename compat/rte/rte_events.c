/* rte_events.c: DPDK's port event callbacks (rte_eth_dev_callback_register,
 * four arguments, DPDK's event numbers) over Sluice's
 * sl_eth_dev_callback_register (three arguments, Sluice's numbers). Each
 * registration is one small record, registered with Sluice as the argument
 * of one trampoline that calls the application's function; so callbacks
 * run where Sluice runs them: on the EAL interrupt thread, one at a time. */
#include <pthread.h>
#include <stdlib.h>

#include "compat_private.h"
#include "rte_ethdev.h"

struct compat_event_cb {
	struct compat_event_cb *next;
	uint16_t port_id;             /* as registered (RTE_ETH_ALL too) */
	enum rte_eth_event_type event;
	rte_eth_dev_cb_fn fn;
	void *arg;
};

static pthread_mutex_t cbs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct compat_event_cb *cbs;

/* DPDK's event type as Sluice's; -1 for one Sluice never raises. */
static int sl_event_of(enum rte_eth_event_type event)
{
	switch (event) {
	case RTE_ETH_EVENT_INTR_LSC: return SL_ETH_EVENT_INTR_LSC;
	case RTE_ETH_EVENT_INTR_RMV: return SL_ETH_EVENT_INTR_RMV;
	default: return -1;
	}
}

static void trampoline(uint16_t port_id, enum sl_eth_event_type event, void *arg)
{
	const struct compat_event_cb *cb = arg;

	(void)event;
	cb->fn(port_id, cb->event, cb->arg, NULL);
}

int rte_eth_dev_callback_register(uint16_t port_id, enum rte_eth_event_type event,
				  rte_eth_dev_cb_fn cb_fn, void *cb_arg)
{
	int sl_event = sl_event_of(event);
	struct compat_event_cb *cb;
	int ret;

	if (cb_fn == NULL || (port_id != RTE_ETH_ALL && !sl_eth_dev_is_valid_port(port_id)))
		return compat_ret(-EINVAL);
	if (sl_event < 0)
		COMPAT_REFUSE("port %u: a callback for event type %d asked for; Sluice raises only "
			      "RTE_ETH_EVENT_INTR_LSC and RTE_ETH_EVENT_INTR_RMV", port_id, (int)event);
	cb = calloc(1, sizeof(*cb));
	if (cb == NULL)
		return compat_ret(-ENOMEM);
	*cb = (struct compat_event_cb){ .port_id = port_id, .event = event, .fn = cb_fn, .arg = cb_arg };
	pthread_mutex_lock(&cbs_lock);
	ret = sl_eth_dev_callback_register(port_id == RTE_ETH_ALL ? SL_ETH_ALL : port_id,
					   (enum sl_eth_event_type)sl_event, trampoline, cb);
	if (ret == 0) {
		cb->next = cbs;
		cbs = cb;
	}
	pthread_mutex_unlock(&cbs_lock);
	if (ret != 0)
		free(cb);
	return compat_ret(ret);
}

/* As DPDK: CB_ARG (void *)-1 removes every registration of CB_FN for the
 * port and event, whatever its argument; -ENOENT when none matched. */
int rte_eth_dev_callback_unregister(uint16_t port_id, enum rte_eth_event_type event,
				    rte_eth_dev_cb_fn cb_fn, void *cb_arg)
{
	int sl_event = sl_event_of(event);
	struct compat_event_cb **pp, *cb, *gone = NULL;
	int removed = 0;

	if (cb_fn == NULL || sl_event < 0)
		return compat_ret(-EINVAL);
	pthread_mutex_lock(&cbs_lock);
	for (pp = &cbs; (cb = *pp) != NULL;) {
		if (cb->port_id != port_id || cb->event != event || cb->fn != cb_fn ||
		    (cb_arg != (void *)-1 && cb->arg != cb_arg)) {
			pp = &cb->next;
			continue;
		}
		*pp = cb->next;
		cb->next = gone;
		gone = cb;
	}
	pthread_mutex_unlock(&cbs_lock);
	/* Outside the lock: Sluice's unregister waits for a delivery in
	 * progress, whose callback may register another one. Once it returns
	 * the trampoline no longer runs with CB. */
	while ((cb = gone) != NULL) {
		gone = cb->next;
		sl_eth_dev_callback_unregister(port_id == RTE_ETH_ALL ? SL_ETH_ALL : port_id,
					       (enum sl_eth_event_type)sl_event, trampoline, cb);
		free(cb);
		removed++;
	}
	return removed ? 0 : compat_ret(-ENOENT);
}
