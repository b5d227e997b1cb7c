/* removal.c: the kernel asks for a device back (VFIO request interrupt):
 * the removal thread waits on every open device's request eventfd, tells
 * the device's driver, and releases the device (eventfds, BAR mappings
 * replaced by anonymous memory, device fd, iommufd binding or group). */
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bus_vfio_internal.h"
#include "sl_vfio_explain.h"

/* When vfio-pci is unbound from a device (sysfs unbind, hot removal,
 * driver_override games), the kernel signals the user's request eventfd
 * (VFIO_PCI_REQ_IRQ_INDEX), every 10 s, and waits until every fd and mapping
 * of the device is gone. bus_vfio's removal thread waits on those eventfds;
 * on a request it calls the remove callback of the device's driver (a NIC
 * driver marks its port removed: its bursts return 0) and then releases
 * the device: request
 * and interrupt eventfds, BAR mappings (replaced by anonymous memory at the
 * same addresses, so an lcore still inside a burst writes harmlessly
 * instead of faulting), the device fd and its iommufd/group references. The
 * struct stays open until the driver's close (sl_pci_dev_close then only
 * unmaps the stand-ins). */

static void *rm_thread_main(void *arg);

/* Start the removal thread once (bv_bus.lock held). 0 or -1. */
static int rm_thread_start(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	sigset_t all, old;
	int rc;

	if (bv_bus.rm_running)
		return 0;
	bv_bus.rm_epfd = epoll_create1(EPOLL_CLOEXEC);
	bv_bus.rm_stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (bv_bus.rm_epfd < 0 || bv_bus.rm_stopfd < 0 ||
	    epoll_ctl(bv_bus.rm_epfd, EPOLL_CTL_ADD, bv_bus.rm_stopfd, &ev) != 0)
		goto fail;
	/* signals stay with the application's threads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&bv_bus.rm_thread, NULL, rm_thread_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		goto fail;
	}
	bv_bus.rm_running = true;
	return 0;
fail:
	sl_log(SL_LOG_WARNING, LOG_COMP, "cannot start the device removal thread: %s; removal requests "
	       "from the kernel will not be handled", strerror(errno));
	if (bv_bus.rm_epfd >= 0)
		close(bv_bus.rm_epfd);
	if (bv_bus.rm_stopfd >= 0)
		close(bv_bus.rm_stopfd);
	bv_bus.rm_epfd = bv_bus.rm_stopfd = -1;
	return -1;
}

void bv_removal_stop(void)
{
	uint64_t one = 1;

	if (!bv_bus.rm_running)
		return;
	if (write(bv_bus.rm_stopfd, &one, sizeof(one)) != sizeof(one))
		sl_log(SL_LOG_WARNING, LOG_COMP, "stopping the removal thread: %s", strerror(errno));
	pthread_join(bv_bus.rm_thread, NULL);
	close(bv_bus.rm_epfd);
	close(bv_bus.rm_stopfd);
	bv_bus.rm_epfd = bv_bus.rm_stopfd = -1;
	bv_bus.rm_running = false;
}

/* Ask VFIO to signal an eventfd when the kernel wants the device back
 * (after open; a device or kernel without the request interrupt only gets
 * a note). */
void bv_req_setup(struct sl_pci_device *dev)
{
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = VFIO_PCI_REQ_IRQ_INDEX };
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	if (dev->info.num_irqs <= VFIO_PCI_REQ_IRQ_INDEX || ioctl(dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii) != 0 ||
	    ii.count < 1) {
		sl_log(SL_LOG_INFO, LOG_COMP, "%s: VFIO offers no request interrupt: a removal cannot be "
		       "noticed (the kernel then waits until the device is closed)", dev->name);
		return;
	}
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0 || bv_set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD |
			       VFIO_IRQ_SET_ACTION_TRIGGER, 1, &fd) != 0) {
		sl_log(SL_LOG_WARNING, LOG_COMP, "%s: cannot set up the request interrupt: %s; a removal "
		       "will not be noticed", dev->name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	pthread_mutex_lock(&bv_bus.lock);
	ev.data.ptr = dev;
	if (rm_thread_start() != 0 || epoll_ctl(bv_bus.rm_epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		pthread_mutex_unlock(&bv_bus.lock);
		bv_set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0,
			 NULL);
		close(fd);
		return;
	}
	dev->req_fd = fd;
	bv_bus.nb_watched++;
	pthread_mutex_unlock(&bv_bus.lock);
}

void bv_req_teardown(struct sl_pci_device *dev)
{
	if (dev->req_fd < 0)
		return;
	if (dev->fd >= 0)
		bv_set_irqs(dev, VFIO_PCI_REQ_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0,
			 NULL);
	if (bv_bus.rm_epfd >= 0)
		epoll_ctl(bv_bus.rm_epfd, EPOLL_CTL_DEL, dev->req_fd, NULL);
	close(dev->req_fd);
	dev->req_fd = -1;
	bv_bus.nb_watched--;
}

/* Release everything the device holds in the kernel (bv_bus.lock held); see
 * above. No reset and no config write: the device is going away. */
static void dev_release(struct sl_pci_device *dev)
{
	unsigned i, nb_bars = 0;

	bv_req_teardown(dev);
	sl_pci_irq_disable(dev);
	for (i = 0; i < NB_BARS; i++) {
		struct bar_map *b = &dev->bars[i];
		if (!b->addr || b->placeholder)
			continue;
		/* One step, no hole: the anonymous mapping replaces the BAR's
		 * (and drops its reference on the device file). */
		if (mmap(b->addr, b->len, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0) == MAP_FAILED) {
			sl_log(SL_LOG_ERR, LOG_COMP, "%s: cannot replace the mapping of BAR %u: %s; unmapping it",
			       dev->name, i, strerror(errno));
			munmap(b->addr, b->len);
			memset(b, 0, sizeof(*b));
			continue;
		}
		b->placeholder = true;
		nb_bars++;
	}
	dev->ops->release(dev);
	dev->released = true;
	sl_log(SL_LOG_NOTICE, LOG_COMP, "%s released (device fd, %s, %u BAR mapping%s, eventfds): the kernel "
	       "can complete its removal", dev->name,
	       dev->ops->holds, nb_bars,
	       nb_bars == 1 ? "" : "s");
}

static void handle_request(struct sl_pci_device *dev)
{
	uint64_t cnt;
	const struct sl_pci_driver *drv;
	unsigned nr;

	pthread_mutex_lock(&bv_bus.lock);
	if (!dev->open || dev->released || dev->req_fd < 0 ||
	    read(dev->req_fd, &cnt, sizeof(cnt)) != sizeof(cnt)) {
		pthread_mutex_unlock(&bv_bus.lock);
		return;
	}
	nr = ++dev->req_count;
	drv = dev->drv;
	pthread_mutex_unlock(&bv_bus.lock);
	sl_log(SL_LOG_NOTICE, LOG_COMP, "%s: the kernel asks for the device back (request %u: unbound "
	       "from vfio-pci or being removed); releasing it", dev->name, nr);
	/* First the driver (e.g. the port's bursts stop touching the device),
	 * then the device. Without the lock: the driver takes its own (ethdev's
	 * serialises the removal with start, stop, close and stats). */
	if (drv && drv->remove)
		drv->remove(dev);
	pthread_mutex_lock(&bv_bus.lock);
	if (dev->open && !dev->released)
		dev_release(dev);
	pthread_mutex_unlock(&bv_bus.lock);
}

static void *rm_thread_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct epoll_event ev[8];
		int n = epoll_wait(bv_bus.rm_epfd, ev, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sl_log(SL_LOG_ERR, LOG_COMP, "removal thread: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr == NULL)
				return NULL;
			handle_request(ev[i].data.ptr);
		}
	}
}

bool sl_pci_dev_is_released(const struct sl_pci_device *dev)
{
	return dev && __atomic_load_n(&dev->released, __ATOMIC_ACQUIRE);
}
