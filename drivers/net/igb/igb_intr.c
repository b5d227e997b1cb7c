/* igb_intr.c: net_igb rx interrupts (ethdev's rx_queue_intr_* operations).
 * In multiple-MSI-X mode (GPIE) every EICR cause bit is an MSI-X vector;
 * IVAR0 points rx queue q at vector q, and bus_vfio gives each vector an
 * eventfd (VFIO_DEVICE_SET_IRQS). Arming is EIMS of the queue's bit,
 * disarming EIMC: both write-1 registers (arming first clears the queue's
 * latched cause in EICR, also write-1), so queues on different lcores
 * never race. EIAC clears the cause when its message is sent; EIAM (with
 * GPIE.EIAME) masks it at the same time on the 82576, so an interrupt
 * fires once per arming there (QEMU's model does not auto-mask: the queue
 * stays armed until disarmed). Transmit queues and the other causes (link)
 * get no vector. */
#include <errno.h>
#include <string.h>

#include "igb_ethdev.h"

int igb_rx_intr_check(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	if (!dev->conf.intr_conf.rxq)
		return 0;
	unsigned avail = sl_pci_irq_count(ad->pci, SL_PCI_IRQ_MSIX);
	if (avail > IGB_MSIX_MAX_VECTORS)
		avail = IGB_MSIX_MAX_VECTORS;
	if (dev->nb_rx_queues > avail) {
		SL_LOG(ERR, IGB_LOG, "%s: rx interrupts need one MSI-X vector per rx queue, and the device has %u; "
		       "configure at most %u rx queues, or poll (intr_conf.rxq = 0)", dev->name, avail, avail);
		return -EINVAL;
	}
	return 0;
}

int igb_rx_intr_setup(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	const uint16_t n = dev->nb_rx_queues;
	int ret = igb_rx_intr_check(dev);
	if (ret != 0)
		return ret;
	int fds[IGB_MAX_QUEUES];
	if (sl_pci_irq_enable(ad->pci, SL_PCI_IRQ_MSIX, n, fds) != 0) {
		SL_LOG(ERR, IGB_LOG, "%s: cannot enable %u MSI-X vectors for rx interrupts (%s)", dev->name, n,
		       strerror(errno));
		return -EIO;
	}
	const uint32_t mask = (uint32_t)((1ull << n) - 1);
	igb_write(ad, IGB_EIMC, ~0u);
	igb_write(ad, IGB_GPIE, IGB_GPIE_MULTIPLE_MSIX | IGB_GPIE_EIAME | IGB_GPIE_PBA_SUPPORT | IGB_GPIE_NSICR);
	for (unsigned i = 0; i < 8; i++) {
		uint32_t ivar = 0;
		for (uint16_t q = (uint16_t)i; q < n; q = (uint16_t)(q + 8))
			ivar |= (IGB_IVAR_VALID | q) << IGB_IVAR_RX_SHIFT(q);
		igb_write(ad, IGB_IVAR0(i), ivar);
	}
	igb_write(ad, IGB_IVAR_MISC, 0);
	for (uint16_t q = 0; q < n; q++)
		igb_write(ad, IGB_EITR(q), 0); /* no throttling: the first frame wakes the queue */
	igb_write(ad, IGB_EIAC, mask);
	igb_write(ad, IGB_EIAM, mask);
	igb_write(ad, IGB_EICR, ~0u); /* causes left from before start */
	igb_write_flush(ad);
	memcpy(ad->rx_intr_fd, fds, n * sizeof(int));
	ad->nb_rx_intr = n;
	SL_LOG(DEBUG, IGB_LOG, "%s: rx interrupts on %u MSI-X vector(s), queue q -> vector q", dev->name, n);
	return 0;
}

void igb_rx_intr_teardown(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	if (ad->nb_rx_intr == 0)
		return;
	igb_write(ad, IGB_EIMC, ~0u);
	for (unsigned i = 0; i < 8; i++)
		igb_write(ad, IGB_IVAR0(i), 0);
	igb_write(ad, IGB_EIAC, 0);
	igb_write(ad, IGB_GPIE, 0);
	igb_write_flush(ad);
	if (sl_pci_irq_disable(ad->pci) != 0)
		SL_LOG(WARNING, IGB_LOG, "%s: releasing the rx interrupt vectors failed (%s)", dev->name,
		       strerror(errno));
	for (uint16_t q = 0; q < IGB_MAX_QUEUES; q++)
		ad->rx_intr_fd[q] = -1;
	ad->nb_rx_intr = 0;
}

int igb_rx_queue_intr_enable(struct sl_eth_dev *dev, uint16_t q)
{
	struct igb_adapter *ad = dev->dev_private;
	if (q >= ad->nb_rx_intr)
		return -EINVAL;
	/* A cause latched while the queue was disarmed (frames the caller has
	 * polled since) would fire at once: clear it first, so that only
	 * frames completed from now on interrupt, as ethdev promises. */
	igb_write(ad, IGB_EICR, 1u << q);
	igb_write(ad, IGB_EIMS, 1u << q);
	igb_write_flush(ad);
	return 0;
}

int igb_rx_queue_intr_disable(struct sl_eth_dev *dev, uint16_t q)
{
	struct igb_adapter *ad = dev->dev_private;
	if (q >= ad->nb_rx_intr)
		return -EINVAL;
	igb_write(ad, IGB_EIMC, 1u << q);
	igb_write_flush(ad);
	return 0;
}

int igb_rx_queue_intr_fd(struct sl_eth_dev *dev, uint16_t q)
{
	struct igb_adapter *ad = dev->dev_private;
	if (q >= ad->nb_rx_intr)
		return -EINVAL;
	return ad->rx_intr_fd[q];
}
