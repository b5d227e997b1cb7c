/* tx_buffer.c: the out-of-line part of tx buffering (sl_ethdev.h, "tx
 * buffering"): initialising a buffer, choosing its error callback, and the
 * two ready-made callbacks. Sending (sl_eth_tx_buffer, _flush) is inline. */
#include <errno.h>
#include <stddef.h>

#include "sl_ethdev.h"

void sl_eth_tx_buffer_drop_callback(struct sl_mbuf **unsent, uint16_t count, void *userdata)
{
	(void)userdata;
	sl_pktmbuf_free_bulk(unsent, count);
}

void sl_eth_tx_buffer_count_callback(struct sl_mbuf **unsent, uint16_t count, void *userdata)
{
	uint64_t *counter = userdata;

	sl_pktmbuf_free_bulk(unsent, count);
	if (counter != NULL)
		*counter += count;
}

int sl_eth_tx_buffer_set_err_callback(struct sl_eth_tx_buffer *buffer, sl_eth_tx_buffer_err_fn cbfn,
				      void *userdata)
{
	if (buffer == NULL || cbfn == NULL) {
		SL_LOG(ERR, "ethdev", "tx buffer error callback: %s is NULL",
		       buffer == NULL ? "the buffer" : "the callback");
		return -EINVAL;
	}
	buffer->error_callback = cbfn;
	buffer->error_userdata = userdata;
	return 0;
}

int sl_eth_tx_buffer_init(struct sl_eth_tx_buffer *buffer, uint16_t size)
{
	if (buffer == NULL || size == 0) {
		SL_LOG(ERR, "ethdev", "tx buffer init: %s",
		       buffer == NULL ? "the buffer is NULL" : "a size of 0 packets; give at least 1");
		return -EINVAL;
	}
	buffer->size = size;
	buffer->length = 0;
	if (buffer->error_callback == NULL) {
		buffer->error_callback = sl_eth_tx_buffer_drop_callback;
		buffer->error_userdata = NULL;
	}
	return 0;
}
