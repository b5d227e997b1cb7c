/* igb_intr.c: net_igb interrupts: rx queue interrupts (ethdev's
 * rx_queue_intr_* operations) and link status change events
 * (intr_conf.lsc), on MSI-X vectors.
 *
 * In multiple-MSI-X mode (GPIE) every EICR cause bit is an MSI-X vector;
 * IVAR0 points rx queue q at vector q, and bus_vfio gives each vector an
 * eventfd (VFIO_DEVICE_SET_IRQS). Arming is EIMS of the queue's bit,
 * disarming EIMC: both write-1 registers (arming first clears the queue's
 * latched cause in EICR, also write-1), so queues on different lcores
 * never race. EIAC clears the cause when its message is sent; EIAM (with
 * GPIE.EIAME) masks it at the same time on the 82576, so an interrupt
 * fires once per arming there (QEMU's model does not auto-mask: the queue
 * stays armed until disarmed). Transmit queues get no vector.
 *
 * Link changes: the "other causes" of ICR (LSC among them) go to one more
 * vector, the one after the rx queues' (vector 0 without rx interrupts),
 * through IVAR_MISC byte 1; IMS enables only LSC, so only a link change
 * raises it (QEMU's igb_raise_interrupts: a cause newly set in ICR & IMS
 * sets that vector's EICR bit, and a bit newly set in EICR & EIMS sends the
 * message; igb_core_set_link_status and the autonegotiation timer raise
 * LSC when STATUS changed). The eventfd is watched by the EAL interrupt
 * thread: the handler reads ICR (GPIE.NSICR: the read clears every cause,
 * so the next change sets LSC anew and interrupts again), and when LSC is
 * among the causes reads STATUS.LU and posts SL_ETH_EVENT_INTR_LSC if the
 * link differs from the one last reported; then re-arms (IMS.LSC and the
 * vector's EIMS bit: write-1 registers, harmless where nothing was masked).
 * Nothing read from the device is trusted beyond that: an interrupt
 * without LSC in ICR (spurious, or another cause) raises nothing, nor does
 * an LSC after which LU reads as before; the vector is neither in EIAM
 * (it never masks itself) nor throttled. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "igb_ethdev.h"

static unsigned vectors_needed(const struct sl_eth_dev *dev)
{
	return (dev->conf.intr_conf.rxq ? dev->nb_rx_queues : 0u) + (dev->conf.intr_conf.lsc ? 1u : 0u);
}

int igb_rx_intr_check(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	unsigned need = vectors_needed(dev);
	if (need == 0)
		return 0;
	unsigned avail = sl_pci_irq_count(ad->pci, SL_PCI_IRQ_MSIX);
	if (avail > IGB_MSIX_MAX_VECTORS)
		avail = IGB_MSIX_MAX_VECTORS;
	if (need > avail) {
		SL_LOG(ERR, IGB_LOG, "%s: %s need %u MSI-X vectors (one per rx queue%s), and the device has %u; "
		       "configure fewer rx queues, or poll (intr_conf.rxq = 0%s)", dev->name,
		       dev->conf.intr_conf.lsc && dev->conf.intr_conf.rxq ? "rx and link interrupts"
		       : dev->conf.intr_conf.lsc ? "link interrupts" : "rx interrupts", need,
		       dev->conf.intr_conf.lsc ? ", one for the link" : "", avail,
		       dev->conf.intr_conf.lsc ? ", intr_conf.lsc = 0" : "");
		return -EINVAL;
	}
	return 0;
}

/* The LSC vector's eventfd became readable (EAL interrupt thread). */
void igb_lsc_intr(int fd, void *arg)
{
	struct sl_eth_dev *dev = arg;
	struct igb_adapter *ad = dev->dev_private;
	uint64_t cnt;
	if (read(fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return; /* nothing there (EAGAIN): spurious wake-up */
	ad->lsc_intrs++;
	uint32_t icr = igb_read(ad, IGB_ICR); /* clears every cause (GPIE.NSICR) */
	if (icr & IGB_ICR_LSC) {
		bool up = (igb_read(ad, IGB_STATUS) & IGB_STATUS_LU) != 0;
		if (up != ad->lsc_link_up) {
			ad->lsc_link_up = up;
			ad->lsc_events++;
			SL_LOG(INFO, IGB_LOG, "%s: link %s (link status change interrupt)", dev->name, up ? "up" : "down");
			sl_eth_dev_event_post(dev, SL_ETH_EVENT_INTR_LSC);
		} else {
			SL_LOG(DEBUG, IGB_LOG, "%s: link status change interrupt, link still %s", dev->name,
			       up ? "up" : "down");
		}
	} else {
		ad->lsc_spurious++;
		SL_LOG(DEBUG, IGB_LOG, "%s: link vector fired without LSC in ICR (0x%08x): nothing to report",
		       dev->name, icr);
	}
	igb_write(ad, IGB_IMS, IGB_ICR_LSC);
	igb_write(ad, IGB_EIMS, 1u << ad->lsc_vector);
	igb_write_flush(ad);
}

int igb_rx_intr_setup(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	const uint16_t nrx = dev->conf.intr_conf.rxq ? dev->nb_rx_queues : 0;
	const bool lsc = dev->conf.intr_conf.lsc != 0;
	const unsigned n = nrx + (lsc ? 1u : 0u);
	int ret = igb_rx_intr_check(dev);
	if (ret != 0 || n == 0)
		return ret;
	int fds[IGB_MSIX_MAX_VECTORS];
	if (sl_pci_irq_enable(ad->pci, SL_PCI_IRQ_MSIX, n, fds) != 0) {
		SL_LOG(ERR, IGB_LOG, "%s: cannot enable %u MSI-X vectors for %s (%s)", dev->name, n,
		       lsc ? "rx and link interrupts" : "rx interrupts", strerror(errno));
		return -EIO;
	}
	ad->intr_vectors_on = true;
	const uint32_t qmask = (uint32_t)((1ull << nrx) - 1);
	const uint32_t lsc_bit = lsc ? 1u << nrx : 0;
	igb_write(ad, IGB_EIMC, ~0u);
	igb_write(ad, IGB_IMC, ~0u);
	igb_write(ad, IGB_GPIE, IGB_GPIE_MULTIPLE_MSIX | IGB_GPIE_EIAME | IGB_GPIE_PBA_SUPPORT | IGB_GPIE_NSICR);
	for (unsigned i = 0; i < 8; i++) {
		uint32_t ivar = 0;
		for (uint16_t q = (uint16_t)i; q < nrx; q = (uint16_t)(q + 8))
			ivar |= (IGB_IVAR_VALID | q) << IGB_IVAR_RX_SHIFT(q);
		igb_write(ad, IGB_IVAR0(i), ivar);
	}
	igb_write(ad, IGB_IVAR_MISC, lsc ? (IGB_IVAR_VALID | nrx) << IGB_IVAR_MISC_OTHER_SHIFT : 0);
	for (unsigned v = 0; v < n; v++)
		igb_write(ad, IGB_EITR(v), 0); /* no throttling: the first event signals */
	igb_write(ad, IGB_EIAC, qmask | lsc_bit);
	igb_write(ad, IGB_EIAM, qmask);
	igb_write(ad, IGB_EICR, ~0u); /* causes left from before start */
	(void)igb_read(ad, IGB_ICR);
	igb_write_flush(ad);
	memcpy(ad->rx_intr_fd, fds, nrx * sizeof(int));
	ad->nb_rx_intr = nrx;
	if (lsc) {
		ad->lsc_vector = nrx;
		ad->lsc_fd = fds[nrx];
	}
	SL_LOG(DEBUG, IGB_LOG, "%s: %u MSI-X vector(s): rx queue q -> vector q (%u)%s", dev->name, n, nrx,
	       lsc ? ", link status change -> the last" : "");
	return 0;
}

int igb_lsc_arm(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	if (!dev->conf.intr_conf.lsc || !ad->intr_vectors_on || ad->lsc_on)
		return 0;
	int ret = sl_intr_register(ad->lsc_fd, igb_lsc_intr, dev);
	if (ret != 0) {
		SL_LOG(ERR, IGB_LOG, "%s: cannot watch the link interrupt on the EAL interrupt thread (%s)",
		       dev->name, strerror(-ret));
		return ret;
	}
	__atomic_store_n(&ad->lsc_on, true, __ATOMIC_RELEASE);
	/* Clear the causes, take the link as it is now as the one reported,
	 * then enable LSC: a change after the ICR read leaves LSC in ICR, and
	 * enabling it in IMS then sends the message at once (QEMU: a cause
	 * newly in ICR & IMS), so no change is lost and none is invented. */
	(void)igb_read(ad, IGB_ICR);
	ad->lsc_link_up = (igb_read(ad, IGB_STATUS) & IGB_STATUS_LU) != 0;
	igb_write(ad, IGB_IMS, IGB_ICR_LSC);
	igb_write(ad, IGB_EIMS, 1u << ad->lsc_vector);
	igb_write_flush(ad);
	SL_LOG(DEBUG, IGB_LOG, "%s: link interrupt on MSI-X vector %u (fd %d), link %s; GPIE 0x%08x IVAR_MISC 0x%08x "
	       "IMS 0x%08x EIMS 0x%08x EIAC 0x%08x", dev->name, ad->lsc_vector, ad->lsc_fd,
	       ad->lsc_link_up ? "up" : "down", igb_read(ad, IGB_GPIE), igb_read(ad, IGB_IVAR_MISC),
	       igb_read(ad, IGB_IMS), igb_read(ad, IGB_EIMS), igb_read(ad, IGB_EIAC));
	return 0;
}

void igb_rx_intr_teardown(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev->dev_private;
	if (!ad->intr_vectors_on)
		return;
	/* first the handler: when this returns it is not running and will not
	 * run again, so the registers below are ours */
	if (__atomic_load_n(&ad->lsc_on, __ATOMIC_ACQUIRE)) {
		sl_intr_unregister(ad->lsc_fd, igb_lsc_intr, dev);
		__atomic_store_n(&ad->lsc_on, false, __ATOMIC_RELEASE);
	}
	igb_write(ad, IGB_EIMC, ~0u);
	igb_write(ad, IGB_IMC, ~0u);
	for (unsigned i = 0; i < 8; i++)
		igb_write(ad, IGB_IVAR0(i), 0);
	igb_write(ad, IGB_IVAR_MISC, 0);
	igb_write(ad, IGB_EIAC, 0);
	igb_write(ad, IGB_GPIE, 0);
	igb_write_flush(ad);
	if (sl_pci_irq_disable(ad->pci) != 0)
		SL_LOG(WARNING, IGB_LOG, "%s: releasing the MSI-X vectors failed (%s)", dev->name,
		       strerror(errno));
	for (uint16_t q = 0; q < IGB_MAX_QUEUES; q++)
		ad->rx_intr_fd[q] = -1;
	ad->nb_rx_intr = 0;
	ad->intr_vectors_on = false;
}

void igb_lsc_forget(struct sl_eth_dev *dev)
{
	struct igb_adapter *ad = dev ? dev->dev_private : NULL;
	if (ad != NULL && __atomic_load_n(&ad->lsc_on, __ATOMIC_ACQUIRE))
		sl_intr_unregister(ad->lsc_fd, igb_lsc_intr, dev); /* -ENOENT if stop was first */
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
