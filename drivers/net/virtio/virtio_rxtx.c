/* virtio_rxtx.c: the out-of-line rx/tx helpers that the split
 * (virtio_split.c) and packed (virtio_packed.c) data paths share: ending a
 * received packet, counting a broken rx queue, and the tx queues'
 * virtio-net header area. */
#include <errno.h>

#include "virtio_net.h"

struct sl_mbuf *virtio_rx_pkt_end(struct virtio_rxq *rxq, struct virtio_rx_pkt *p)
{
	struct sl_mbuf *head = p->head;
	if (sl_unlikely(p->bad)) {
		sl_pktmbuf_free(head);
		VQ_COUNTER_ADD(rxq->errors, 1);
		return NULL;
	}
	head->pkt_len = p->len;
	if (head->nb_segs > 1)
		VQ_COUNTER_ADD(rxq->merged, 1);
	return head;
}

void virtio_rx_broken(struct virtio_rxq *rxq, const char *what, uint16_t pos, unsigned long long value,
		      unsigned long long limit)
{
	vq_broken(&rxq->vq, what, pos, value, limit);
	VQ_COUNTER_ADD(rxq->errors, 1);
}

void virtio_tx_broken(struct virtio_txq *txq, const char *what, uint16_t pos, unsigned long long value,
		      unsigned long long limit)
{
	vq_broken(&txq->vq, what, pos, value, limit);
	VQ_COUNTER_ADD(txq->errors, 1);
}

int virtio_txq_hdrs_alloc(struct virtio_txq *txq, const char *name)
{
	size_t len = (size_t)txq->vq.size * VIRTIO_NET_HDR_SIZE;
	txq->hdrs = sl_dma_zmalloc(name, len, 64);
	if (txq->hdrs == NULL)
		return -ENOMEM;
	txq->hdrs_iova = sl_mem_virt2iova(txq->hdrs);
	if (txq->hdrs_iova == SL_BAD_IOVA || sl_mem_virt2iova((char *)txq->hdrs + len - 1) != txq->hdrs_iova + len - 1 ||
	    virtqueue_alloc_chain(&txq->vq) != 0) {
		virtio_txq_hdrs_free(txq);
		return -ENOMEM;
	}
	return 0;
}

void virtio_txq_hdrs_free(struct virtio_txq *txq)
{
	if (txq->hdrs != NULL)
		sl_dma_free(txq->hdrs);
	txq->hdrs = NULL;
	txq->hdrs_iova = 0;
}
