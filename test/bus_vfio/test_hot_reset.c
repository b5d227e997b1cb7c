/* test_hot_reset.c: host unit test of bus_vfio's hot-reset decision
 * (lib/bus_vfio/hot_reset.c): from a VFIO_DEVICE_GET_PCI_HOT_RESET_INFO
 * reply and what the process holds, whether the reset may run, which group
 * fds prove ownership, and the message naming the affected functions or the
 * ones that block it. The guest topology (each NIC alone on its bus) cannot
 * produce the refusals, so they are fed here as the kernel would report
 * them; the reset itself is tested in the guest (checks/43-bus-vfio-hot-reset). */
#include <stdint.h>
#include <string.h>

#include "sl_kernel_uapi.h"

#include "hot_reset.h"
#include "test_util.h"

static struct sl_pci_addr A(const char *s)
{
	struct sl_pci_addr a;
	memset(&a, 0, sizeof(a));
	CHECK(sl_pci_addr_parse(s, &a) == 0);
	return a;
}

static int decide(struct sl_hr_input *in, int32_t *fds, unsigned *nb, char *msg, size_t len)
{
	int rc = sl_hr_decide(in, fds, nb, msg, len);
	printf("  rc %d, %u fd(s): %s\n", rc, *nb, msg);
	return rc;
}

int main(void)
{
	char msg[1024];
	int32_t fds[8];
	unsigned nb;
	struct sl_hr_group held[2] = { { 8, 5 }, { 11, 7 } };

	/* group-opened, alone on its bus (the guest's igb): its own group fd */
	{
		struct sl_hr_affected aff[] = { { A("0000:01:00.0"), 8 } };
		struct sl_hr_input in = { .self = A("0000:01:00.0"), .affected = aff, .nb_affected = 1,
					  .held = held, .nb_held = 2 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == 0);
		CHECK(nb == 1 && fds[0] == 5);
		CHECK(!strcmp(msg, "hot reset of bus 0000:01 affecting 0000:01:00.0"));
	}
	/* two functions of one card, one group: the fd once */
	{
		struct sl_hr_affected aff[] = { { A("0000:05:00.0"), 8 }, { A("0000:05:00.1"), 8 } };
		struct sl_hr_input in = { .self = A("0000:05:00.0"), .affected = aff, .nb_affected = 2,
					  .held = held, .nb_held = 2 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == 0);
		CHECK(nb == 1 && fds[0] == 5);
		CHECK_CONTAINS(msg, "hot reset of bus 0000:05 affecting 0000:05:00.0, 0000:05:00.1");
	}
	/* two groups, both held: both fds */
	{
		struct sl_hr_affected aff[] = { { A("0000:05:00.0"), 8 }, { A("0000:05:00.1"), 11 } };
		struct sl_hr_input in = { .self = A("0000:05:00.0"), .affected = aff, .nb_affected = 2,
					  .held = held, .nb_held = 2 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == 0);
		CHECK(nb == 2 && fds[0] == 5 && fds[1] == 7);
	}
	/* an affected function whose group we do not hold: refused, named */
	{
		struct sl_hr_affected aff[] = { { A("0000:05:00.0"), 8 }, { A("0000:05:00.1"), 9 } };
		struct sl_hr_input in = { .self = A("0000:05:00.0"), .affected = aff, .nb_affected = 2,
					  .held = held, .nb_held = 2 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == -1);
		CHECK(nb == 0);
		CHECK_CONTAINS(msg, "would also reset 0000:05:00.1 (IOMMU group 9)");
		CHECK_CONTAINS(msg, "does not hold");
		CHECK_CONTAINS(msg, "open it through Sluice too");
		CHECK_CONTAINS(msg, "(affected: 0000:05:00.0, 0000:05:00.1)");
	}
	/* two blockers: both named, plural */
	{
		struct sl_hr_affected aff[] = { { A("0000:05:00.0"), 8 }, { A("0000:05:00.1"), 9 },
						{ A("0000:05:00.2"), 10 } };
		struct sl_hr_input in = { .self = A("0000:05:00.0"), .affected = aff, .nb_affected = 3,
					  .held = held, .nb_held = 1 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == -1);
		CHECK_CONTAINS(msg, "0000:05:00.1 (IOMMU group 9), 0000:05:00.2 (IOMMU group 10)");
		CHECK_CONTAINS(msg, "open them through Sluice");
	}
	/* a sibling this process has open (its group held): not reset under it */
	{
		struct sl_pci_addr open[] = { A("0000:05:00.1") };
		struct sl_hr_affected aff[] = { { A("0000:05:00.0"), 8 }, { A("0000:05:00.1"), 8 } };
		struct sl_hr_input in = { .self = A("0000:05:00.0"), .affected = aff, .nb_affected = 2,
					  .held = held, .nb_held = 2, .open = open, .nb_open = 1 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == -1);
		CHECK(nb == 0);
		CHECK_CONTAINS(msg, "would also reset 0000:05:00.1, which this process has open");
	}
	/* open elsewhere on another bus: no matter */
	{
		struct sl_pci_addr open[] = { A("0000:02:00.0") };
		struct sl_hr_affected aff[] = { { A("0000:01:00.0"), 8 } };
		struct sl_hr_input in = { .self = A("0000:01:00.0"), .affected = aff, .nb_affected = 1,
					  .held = held, .nb_held = 2, .open = open, .nb_open = 1 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == 0);
	}
	/* cdev, everything owned by our iommufd: empty fd array */
	{
		struct sl_hr_affected aff[] = { { A("0000:01:00.0"), 3 } };
		struct sl_hr_input in = { .self = A("0000:01:00.0"), .cdev = true,
					  .info_flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
							VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED,
					  .affected = aff, .nb_affected = 1 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == 0);
		CHECK(nb == 0);
		CHECK(!strcmp(msg, "hot reset of bus 0000:01 affecting 0000:01:00.0"));
	}
	/* cdev, a sibling owned through its group (devid 0): fine */
	{
		struct sl_hr_affected aff[] = { { A("0000:05:00.0"), 3 },
						{ A("0000:05:00.1"), VFIO_PCI_DEVID_OWNED } };
		struct sl_hr_input in = { .self = A("0000:05:00.0"), .cdev = true,
					  .info_flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
							VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED,
					  .affected = aff, .nb_affected = 2 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == 0);
		CHECK(nb == 0);
	}
	/* cdev, a sibling not owned: refused, named */
	{
		struct sl_hr_affected aff[] = { { A("0000:05:00.0"), 3 },
						{ A("0000:05:00.1"), (uint32_t)VFIO_PCI_DEVID_NOT_OWNED } };
		struct sl_hr_input in = { .self = A("0000:05:00.0"), .cdev = true,
					  .info_flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID,
					  .affected = aff, .nb_affected = 2 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == -1);
		CHECK_CONTAINS(msg, "would also reset 0000:05:00.1, which is not opened through this "
				    "process's iommufd");
		CHECK_CONTAINS(msg, "bind it to vfio-pci and open it through Sluice too");
	}
	/* cdev, the kernel withholds OWNED without naming anyone */
	{
		struct sl_hr_affected aff[] = { { A("0000:01:00.0"), 3 } };
		struct sl_hr_input in = { .self = A("0000:01:00.0"), .cdev = true,
					  .info_flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID,
					  .affected = aff, .nb_affected = 1 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == -1);
		CHECK_CONTAINS(msg, "does not count every function");
	}
	/* replies of the wrong kind for how the device was opened */
	{
		struct sl_hr_affected aff[] = { { A("0000:01:00.0"), 8 } };
		struct sl_hr_input in = { .self = A("0000:01:00.0"), .cdev = true, .affected = aff,
					  .nb_affected = 1 };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == -1);
		CHECK_CONTAINS(msg, "reported IOMMU groups, not device ids");
		in.cdev = false;
		in.info_flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID;
		in.held = held;
		in.nb_held = 2;
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == -1);
		CHECK_CONTAINS(msg, "reported device ids, not IOMMU groups");
	}
	/* an empty reply */
	{
		struct sl_hr_input in = { .self = A("0000:01:00.0") };
		CHECK(decide(&in, fds, &nb, msg, sizeof(msg)) == -1);
		CHECK_CONTAINS(msg, "listed no function");
	}
	/* enum names */
	CHECK(!strcmp(sl_pci_reset_kind_name(SL_PCI_RESET_NONE), "none"));
	CHECK(!strcmp(sl_pci_reset_kind_name(SL_PCI_RESET_FUNCTION), "function-level"));
	CHECK(!strcmp(sl_pci_reset_kind_name(SL_PCI_RESET_HOT), "hot"));
	return test_result("test_bus_vfio_hot_reset");
}
