/* test_vfio_caps.c: the pure parts of Linux 7.3 support, without a kernel:
 * the capability classifiers (what each probe's errno means: ENOTTY,
 * EOPNOTSUPP, EINVAL, EPERM), the summary line, and the noiommu-cdev
 * backend's per-page physical-address check over a fake
 * IOMMU_IOAS_NOIOMMU_GET_PA (contiguity, alignment, agreement with the
 * EAL's pagemap PA, the kernel's refusals). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dma_map_internal.h"
#include "sl_eal.h"
#include "sl_vfio_caps.h"
#include "test_util.h"

/* A fake GET_PA: a table of 4 KiB pages (IOVA page -> PA), walked as the
 * kernel's iopt_get_phys does: the contiguous length from IOVA, capped by
 * the asked length; an unmapped IOVA is ENOENT; FAIL_ERR fails the call. */
struct fake_pt {
	uint64_t base;      /* IOVA of page 0 */
	uint64_t pa[1024];  /* 0: not mapped */
	unsigned n;
	int fail_err;
	unsigned calls;
};

static int fake_get_pa(uint64_t iova, uint64_t *len, uint64_t *pa, void *ctx)
{
	struct fake_pt *pt = ctx;
	uint64_t i, got, want = *len;

	pt->calls++;
	if (pt->fail_err) {
		errno = pt->fail_err;
		return -1;
	}
	if (want == 0) {
		errno = EINVAL;
		return -1;
	}
	if (iova < pt->base || (iova - pt->base) / 4096 >= pt->n || !pt->pa[(iova - pt->base) / 4096]) {
		errno = ENOENT;
		return -1;
	}
	i = (iova - pt->base) / 4096;
	*pa = pt->pa[i] + (iova & 4095);
	got = 4096 - (iova & 4095);
	while (got < want && i + 1 < pt->n && pt->pa[i + 1] == pt->pa[i] + 4096) {
		got += 4096;
		i++;
	}
	*len = got < want ? got : want;
	return 0;
}

/* Map the 2 MiB page at IOVA BASE to PA (contiguous). */
static void fake_huge(struct fake_pt *pt, uint64_t base, uint64_t pa)
{
	memset(pt, 0, sizeof(*pt));
	pt->base = base;
	pt->n = 512;
	for (unsigned i = 0; i < 512; i++)
		pt->pa[i] = pa + i * 4096ull;
}

static void test_classifiers(void)
{
	/* IOAS_ALLOC on /dev/vfio/vfio */
	CHECK(sl_vfio_caps_classify_container(0, 0) == SL_CONTAINER_IOMMUFD_COMPAT);
	CHECK(sl_vfio_caps_classify_container(-1, EINVAL) == SL_CONTAINER_VFIO);
	CHECK(sl_vfio_caps_classify_container(-1, ENOTTY) == SL_CONTAINER_UNKNOWN);
	CHECK(sl_vfio_caps_classify_container(-1, EACCES) == SL_CONTAINER_UNKNOWN);
	/* MAP_FILE with an unknown flag */
	CHECK(sl_vfio_caps_classify_map_file(-1, EOPNOTSUPP) == SL_CAP_YES);
	CHECK(sl_vfio_caps_classify_map_file(-1, ENOTTY) == SL_CAP_NO);
	CHECK(sl_vfio_caps_classify_map_file(-1, EBADF) == SL_CAP_UNKNOWN);
	/* GET_PA with length 0 */
	CHECK(sl_vfio_caps_classify_get_pa(-1, EINVAL) == SL_CAP_YES);
	CHECK(sl_vfio_caps_classify_get_pa(-1, EPERM) == SL_CAP_NO_PERM);
	CHECK(sl_vfio_caps_classify_get_pa(-1, EOPNOTSUPP) == SL_CAP_NO); /* no IOMMUFD_NOIOMMU */
	CHECK(sl_vfio_caps_classify_get_pa(-1, ENOTTY) == SL_CAP_NO);     /* before 7.3 */
	CHECK(sl_vfio_caps_classify_get_pa(-1, EFAULT) == SL_CAP_UNKNOWN);
	CHECK(strstr(sl_cap_name(SL_CAP_NO_PERM), "CAP_SYS_RAWIO") != NULL);
}

static void test_summary(void)
{
	struct sl_vfio_caps c;
	char buf[512];

	memset(&c, 0, sizeof(c));
	c.dev_iommu = true;
	c.vfio_groups = true;
	c.noiommu_param = true;
	c.noiommu_mode = true;
	c.container = SL_CONTAINER_IOMMUFD_COMPAT;
	c.map_file = SL_CAP_YES;
	c.map_file_errno = EOPNOTSUPP;
	c.noiommu_get_pa = SL_CAP_YES;
	c.get_pa_errno = EINVAL;
	sl_vfio_caps_format(&c, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "/dev/iommu present");
	CHECK_CONTAINS(buf, "/dev/vfio/vfio is iommufd's compat container (IOMMU_IOAS_ALLOC on it: answered)");
	CHECK_CONTAINS(buf, "VFIO groups yes");
	CHECK_CONTAINS(buf, "no-IOMMU mode on");
	CHECK_CONTAINS(buf, "IOMMU_IOAS_MAP_FILE yes (EOPNOTSUPP)");
	CHECK_CONTAINS(buf, "IOMMU_IOAS_NOIOMMU_GET_PA yes (EINVAL)");

	/* the cdev-only kernel */
	c.vfio_groups = false;
	c.container = SL_CONTAINER_NONE;
	sl_vfio_caps_format(&c, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "no /dev/vfio/vfio");
	CHECK_CONTAINS(buf, "VFIO groups no (CONFIG_VFIO_GROUP=n: device cdevs only)");

	/* 6.12: legacy container, no MAP_FILE, no GET_PA */
	c.vfio_groups = true;
	c.container = SL_CONTAINER_VFIO;
	c.container_errno = EINVAL;
	c.map_file = SL_CAP_NO;
	c.map_file_errno = ENOTTY;
	c.noiommu_get_pa = SL_CAP_NO;
	c.get_pa_errno = ENOTTY;
	c.noiommu_mode = false;
	sl_vfio_caps_format(&c, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "/dev/vfio/vfio is VFIO's container (IOMMU_IOAS_ALLOC on it: EINVAL)");
	CHECK_CONTAINS(buf, "IOMMU_IOAS_MAP_FILE no (ENOTTY)");
	CHECK_CONTAINS(buf, "IOMMU_IOAS_NOIOMMU_GET_PA no (ENOTTY)");
	CHECK_CONTAINS(buf, "no-IOMMU mode off");

	/* without /dev/iommu the iommufd probes are not made */
	c.dev_iommu = false;
	c.map_file = c.noiommu_get_pa = SL_CAP_UNKNOWN;
	sl_vfio_caps_format(&c, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "IOMMU_IOAS_MAP_FILE n/a (no /dev/iommu)");
	CHECK_CONTAINS(buf, "IOMMU_IOAS_NOIOMMU_GET_PA n/a (no /dev/iommu)");
}

static void test_page_pa(void)
{
	static struct fake_pt pt;
	const uint64_t va = 0x100000000ull, ps = 2u << 20;
	char msg[512];
	uint64_t pa = 0;

	/* a contiguous hugepage: its PA, one call */
	fake_huge(&pt, va, 0x40000000ull);
	CHECK(sl_dma_page_pa(fake_get_pa, &pt, va, ps, SL_BAD_IOVA, &pa, msg, sizeof(msg)) == 0);
	CHECK(pa == 0x40000000ull);
	CHECK(pt.calls == 1);
	/* agrees with the EAL's PA (pagemap) */
	CHECK(sl_dma_page_pa(fake_get_pa, &pt, va, ps, 0x40000000ull, &pa, msg, sizeof(msg)) == 0);
	/* disagrees: refused, both values named */
	errno = 0;
	CHECK(sl_dma_page_pa(fake_get_pa, &pt, va, ps, 0x40200000ull, &pa, msg, sizeof(msg)) == -1);
	CHECK(errno == EILSEQ);
	CHECK_CONTAINS(msg, "is at physical 0x40000000, but the EAL has 0x40200000");
	CHECK_CONTAINS(msg, "/proc/self/pagemap");

	/* a page broken in the middle (4 KiB pages of scattered PAs): refused
	 * with how far it is contiguous */
	fake_huge(&pt, va, 0x40000000ull);
	pt.pa[100] = 0x7000000ull;
	errno = 0;
	CHECK(sl_dma_page_pa(fake_get_pa, &pt, va, ps, SL_BAD_IOVA, &pa, msg, sizeof(msg)) == -1);
	CHECK(errno == EIO);
	CHECK_CONTAINS(msg, "physically contiguous for only 409600 bytes from 0x40000000");
	CHECK_CONTAINS(msg, "use hugepages");

	/* contiguous but not aligned to the page size */
	fake_huge(&pt, va, 0x40001000ull);
	errno = 0;
	CHECK(sl_dma_page_pa(fake_get_pa, &pt, va, ps, SL_BAD_IOVA, &pa, msg, sizeof(msg)) == -1);
	CHECK(errno == EIO);
	CHECK_CONTAINS(msg, "not aligned");

	/* 4 KiB pages are each contiguous in themselves */
	fake_huge(&pt, va, 0x40000000ull);
	pt.pa[1] = 0x9000000ull;
	CHECK(sl_dma_page_pa(fake_get_pa, &pt, va + 4096, 4096, SL_BAD_IOVA, &pa, msg, sizeof(msg)) == 0);
	CHECK(pa == 0x9000000ull);

	/* the kernel's refusals, explained */
	fake_huge(&pt, va, 0x40000000ull);
	pt.fail_err = EPERM;
	CHECK(sl_dma_page_pa(fake_get_pa, &pt, va, ps, SL_BAD_IOVA, &pa, msg, sizeof(msg)) == -1);
	CHECK(errno == EPERM);
	CHECK_CONTAINS(msg, "CAP_SYS_RAWIO");
	pt.fail_err = EOPNOTSUPP;
	CHECK(sl_dma_page_pa(fake_get_pa, &pt, va, ps, SL_BAD_IOVA, &pa, msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "no no-IOMMU device attached");
	pt.fail_err = 0;
	CHECK(sl_dma_page_pa(fake_get_pa, &pt, va + ps, ps, SL_BAD_IOVA, &pa, msg, sizeof(msg)) == -1);
	CHECK(errno == ENOENT);
	CHECK_CONTAINS(msg, "nothing is mapped there");
}

int main(void)
{
	test_classifiers();
	test_summary();
	test_page_pa();
	return test_result("test_vfio_caps");
}
