/* eal_memory.c: where DMA-able memory comes from. At init one source is
 * chosen: a mounted hugetlbfs (--huge-dir or the first suitable mount in
 * /proc/mounts), else memfd_create(MFD_HUGETLB) when no hugetlbfs is
 * mounted, or with --no-huge locked anonymous 4 KiB pages. Segments are
 * then reserved from it one mmap at a time (hugetlbfs files are unlinked
 * before they are mapped, so a crash leaks nothing). Each segment is
 * placed in the lowest free room at or above the base virtual address
 * (--base-virtaddr, default 4 GiB; mmap with MAP_FIXED_NOREPLACE at a
 * range found free in /proc/self/maps) so that IOVA = VA fits IOMMUs
 * with 39-bit input addresses; the kernel's own high choice (0x7f...) is
 * the logged fallback. In PA mode the physical address of every page is
 * read from /proc/self/pagemap once, or given by the PA source when one is
 * installed (dma_map's noiommu-cdev backend: IOMMU_IOAS_NOIOMMU_GET_PA). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "eal_private.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif

static struct {
	bool ready;
	enum sl_mem_source source;
	enum sl_iova_mode iova_mode;
	size_t page_size;
	char dir[256];          /* hugetlbfs mount */
	char desc[384];         /* for the init log line */
	unsigned file_seq;      /* names of hugetlbfs files */
	uintptr_t base;         /* --base-virtaddr */
	uintptr_t va_lo, va_hi; /* span of the segments reserved so far */
	bool warned_high;       /* the "above 2^39" warning was given */
} mem;

/* Beyond this an IOMMU with 39-bit input addresses (QEMU intel-iommu's
 * default, many client Intel parts) cannot take IOVA = VA. */
#define EAL_VA_39BIT ((uintptr_t)1 << 39)

void eal_format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;

	while (u + 1 < SL_DIM(units) && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", bytes, units[u]);
}

const char *eal_memory_describe(void)
{
	return mem.desc;
}

size_t eal_memory_page_size(void)
{
	return mem.page_size;
}

bool eal_memory_va_span(uintptr_t *lo, uintptr_t *hi)
{
	if (mem.va_hi == 0)
		return false;
	*lo = mem.va_lo;
	*hi = mem.va_hi;
	return true;
}

/* The lowest LEN bytes, aligned to ALIGN, at or above FROM that no
 * mapping of this process covers (the lines of /proc/self/maps come in
 * ascending address order); 0 when there is none in user space. */
static uintptr_t find_free_range(uintptr_t from, size_t len, size_t align)
{
	FILE *f = fopen("/proc/self/maps", "re");
	uintptr_t cand = SL_ALIGN_CEIL(from, (uintptr_t)align);
	char line[512];

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		size_t n = strlen(line);
		bool whole = n > 0 && line[n - 1] == '\n';

		if (sscanf(line, "%lx-%lx", &start, &end) == 2) {
			if (end > cand && start < cand + len)
				cand = SL_ALIGN_CEIL((uintptr_t)end, (uintptr_t)align);
			else if (start >= cand + len)
				break;
		}
		/* skip the rest of an overlong line (a long path) */
		while (!whole && fgets(line, sizeof(line), f)) {
			n = strlen(line);
			whole = n > 0 && line[n - 1] == '\n';
		}
	}
	fclose(f);
	if (cand < from || cand + len < cand || cand + len > EAL_MAX_BASE_VIRTADDR)
		return 0;
	return cand;
}

/* mmap LEN bytes at the lowest free room at or above the base address.
 * Another thread may map something between the look at /proc/self/maps
 * and the mmap (MAP_FIXED_NOREPLACE then fails with EEXIST): look again.
 * When no room is found, or the kernel refuses the address, the kernel
 * chooses one, with a warning. Other mmap errors (ENOMEM: no hugepages)
 * are returned as they are. */
static void *map_segment(size_t len, int flags, int fd, const char *what)
{
	void *va;

	for (int attempt = 0; attempt < 16; attempt++) {
		uintptr_t at = find_free_range(mem.base, len, mem.page_size);
		if (at == 0)
			break;
		va = mmap((void *)at, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED_NOREPLACE,
			  fd, 0);
		if (va != MAP_FAILED)
			return va; /* before Linux 4.17 the address is a hint: maybe elsewhere */
		if (errno == EPERM) /* below vm.mmap_min_addr */
			break;
		if (errno != EEXIST)
			return MAP_FAILED;
	}
	SL_LOG(WARNING, EAL_LOG,
	       "memory: found no free room for %s at or above the base address 0x%" PRIxPTR
	       " (--base-virtaddr); the kernel chooses the address, and IOVA = VA there may not "
	       "fit an IOMMU with fewer than 48 address bits",
	       what, mem.base);
	return mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
}

static unsigned log2_of(size_t v)
{
	unsigned s = 0;

	while (((size_t)1 << s) < v)
		s++;
	return s;
}

/* Hugepagesize from /proc/meminfo, 0 when the kernel has no hugepages. */
static size_t default_hugepage_size(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	size_t size = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long kb;
		if (sscanf(line, "Hugepagesize: %lu kB", &kb) == 1) {
			size = (size_t)kb << 10;
			break;
		}
	}
	fclose(f);
	return size;
}

static long read_sysfs_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Explain how to get NEEDED more pages of PAGE_SIZE and fail with ENOMEM. */
static int report_no_hugepages(size_t page_size, size_t bytes, const char *what)
{
	char dir[128], path[192], psz[32];
	long total, free_pages, resv;
	size_t needed = (bytes + page_size - 1) / page_size;

	snprintf(dir, sizeof(dir), "/sys/kernel/mm/hugepages/hugepages-%zukB", page_size >> 10);
	snprintf(path, sizeof(path), "%s/nr_hugepages", dir);
	total = read_sysfs_long(path);
	snprintf(path, sizeof(path), "%s/free_hugepages", dir);
	free_pages = read_sysfs_long(path);
	snprintf(path, sizeof(path), "%s/resv_hugepages", dir);
	resv = read_sysfs_long(path);
	if (total < 0)
		total = 0;
	if (free_pages < 0)
		free_pages = 0;
	if (resv < 0)
		resv = 0;
	long avail = free_pages > resv ? free_pages - resv : 0;
	long target = total + (long)needed - avail;

	eal_format_size(psz, sizeof(psz), page_size);
	SL_LOG(ERR, EAL_LOG,
	       "memory: %s needs %zu hugepage%s of %s but only %ld of %ld are free; "
	       "reserve more as root with 'echo %ld > %s/nr_hugepages' "
	       "(or ask for less with -m, or run with --no-huge to use 4 KiB pages)",
	       what, needed, needed == 1 ? "" : "s", psz, avail, total, target, dir);
	errno = ENOMEM;
	return -1;
}

static int check_free_hugepages(size_t page_size, size_t bytes, const char *what)
{
	char path[192];
	long free_pages, resv;
	size_t needed = (bytes + page_size - 1) / page_size;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages",
		 page_size >> 10);
	free_pages = read_sysfs_long(path);
	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB/resv_hugepages",
		 page_size >> 10);
	resv = read_sysfs_long(path);
	if (free_pages < 0) /* no such pool: the kernel lacks this size */
		return report_no_hugepages(page_size, bytes, what);
	if (resv < 0)
		resv = 0;
	if (free_pages - resv < (long)needed)
		return report_no_hugepages(page_size, bytes, what);
	return 0;
}

/* Page size of a hugetlbfs mount, or 0 if DIR is not one. */
static size_t hugetlbfs_page_size(const char *dir)
{
	struct statfs sfs;

	if (statfs(dir, &sfs) != 0 || (unsigned long)sfs.f_type != HUGETLBFS_MAGIC)
		return 0;
	return (size_t)sfs.f_bsize;
}

/* The first writable hugetlbfs mount, preferring the default page size. */
static int find_hugetlbfs_mount(char *dir, size_t len, size_t *page_size)
{
	FILE *f = fopen("/proc/mounts", "re");
	size_t def = default_hugepage_size();
	char line[1024];
	int found = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char dev[256], mnt[512], type[64];
		size_t ps;
		if (sscanf(line, "%255s %511s %63s", dev, mnt, type) != 3 ||
		    strcmp(type, "hugetlbfs") != 0)
			continue;
		ps = hugetlbfs_page_size(mnt);
		if (ps == 0 || access(mnt, W_OK | X_OK) != 0 || strlen(mnt) >= len)
			continue;
		if (!found || (ps == def && *page_size != def)) {
			snprintf(dir, len, "%s", mnt);
			*page_size = ps;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static bool memfd_hugetlb_works(size_t page_size)
{
	int fd = memfd_create("sluice-probe",
			      MFD_CLOEXEC | MFD_HUGETLB | (log2_of(page_size) << MFD_HUGE_SHIFT));
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Bytes this process has locked already (VmLck in /proc/self/status). */
static size_t locked_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long kb = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return (size_t)kb << 10;
}

/* mlock of LEN bytes failed with ERR: say how to allow it. */
static void report_memlock(size_t len, int err)
{
	struct rlimit rl;
	char want[32], have[32] = "unlimited";
	size_t total = locked_bytes() + len;

	eal_format_size(want, sizeof(want), len);
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		eal_format_size(have, sizeof(have), rl.rlim_cur);
	SL_LOG(ERR, EAL_LOG,
	       "memory: cannot lock %s of 4 KiB pages (%s); RLIMIT_MEMLOCK allows %s for this "
	       "process; raise it with 'ulimit -l unlimited' (or 'ulimit -l %zu', in KiB) in the "
	       "shell that starts the program, LimitMEMLOCK= for a systemd service, or a memlock "
	       "line in /etc/security/limits.conf; or run as root (CAP_IPC_LOCK)",
	       want, strerror(err), have, (total + 1023) >> 10);
	errno = err;
}

int eal_memory_init(struct sl_eal_config *cfg)
{
	char psz[32];
	size_t def;

	memset(&mem, 0, sizeof(mem));
	mem.iova_mode = cfg->iova_mode;
	mem.base = (uintptr_t)(cfg->base_virtaddr ? cfg->base_virtaddr
						 : EAL_DEFAULT_BASE_VIRTADDR);

	if (cfg->no_huge) {
		mem.source = SL_MEM_ANON_4K;
		mem.page_size = (size_t)sysconf(_SC_PAGESIZE);
		eal_format_size(psz, sizeof(psz), mem.page_size);
		snprintf(mem.desc, sizeof(mem.desc), "locked anonymous %s pages (--no-huge)", psz);
		mem.ready = true;
		return 0;
	}

	if (cfg->huge_dir[0] != '\0') {
		mem.page_size = hugetlbfs_page_size(cfg->huge_dir);
		if (mem.page_size == 0) {
			SL_LOG(ERR, EAL_LOG,
			       "invalid value '%s' for --huge-dir: it is not a mounted hugetlbfs; "
			       "mount one with 'mount -t hugetlbfs nodev %s' or give the directory "
			       "of an existing mount (see 'grep hugetlbfs /proc/mounts')",
			       cfg->huge_dir, cfg->huge_dir);
			errno = EINVAL;
			return -1;
		}
		if (access(cfg->huge_dir, W_OK | X_OK) != 0) {
			int err = errno;
			SL_LOG(ERR, EAL_LOG, "--huge-dir %s is not writable: %s", cfg->huge_dir,
			       strerror(err));
			errno = err;
			return -1;
		}
		mem.source = SL_MEM_HUGETLBFS;
		snprintf(mem.dir, sizeof(mem.dir), "%s", cfg->huge_dir);
		eal_format_size(psz, sizeof(psz), mem.page_size);
		snprintf(mem.desc, sizeof(mem.desc), "hugetlbfs %s (%s pages, --huge-dir)", mem.dir,
			 psz);
	} else if (find_hugetlbfs_mount(mem.dir, sizeof(mem.dir), &mem.page_size)) {
		mem.source = SL_MEM_HUGETLBFS;
		snprintf(cfg->huge_dir, sizeof(cfg->huge_dir), "%s", mem.dir);
		eal_format_size(psz, sizeof(psz), mem.page_size);
		snprintf(mem.desc, sizeof(mem.desc), "hugetlbfs %s (%s pages, found in /proc/mounts)",
			 mem.dir, psz);
	} else {
		def = default_hugepage_size();
		if (def == 0) {
			SL_LOG(ERR, EAL_LOG,
			       "memory: this kernel has no hugepage support (no Hugepagesize in "
			       "/proc/meminfo); run with --no-huge to use 4 KiB pages");
			errno = ENOTSUP;
			return -1;
		}
		if (!memfd_hugetlb_works(def)) {
			int err = errno;
			SL_LOG(ERR, EAL_LOG,
			       "memory: no hugetlbfs is mounted and memfd_create(MFD_HUGETLB) fails "
			       "(%s); mount one with 'mount -t hugetlbfs nodev /dev/hugepages' or run "
			       "with --no-huge", strerror(err));
			errno = err;
			return -1;
		}
		mem.source = SL_MEM_MEMFD_HUGE;
		mem.page_size = def;
		eal_format_size(psz, sizeof(psz), mem.page_size);
		snprintf(mem.desc, sizeof(mem.desc),
			 "memfd (%s hugepages; no hugetlbfs mounted)", psz);
	}
	char what[64], sz[32];
	eal_format_size(sz, sizeof(sz), cfg->mem_bytes);
	snprintf(what, sizeof(what), "reserving %s at init (-m)", sz);
	if (check_free_hugepages(mem.page_size, cfg->mem_bytes, what) != 0)
		return -1;
	mem.ready = true;
	return 0;
}

void eal_memory_cleanup(void)
{
	memset(&mem, 0, sizeof(mem));
}

/* Physical address of every page of the segment, from /proc/self/pagemap. */
static int read_page_pas(struct sl_memseg *seg, uint64_t **out)
{
	size_t npages = seg->len / seg->page_size;
	uint64_t *pas = calloc(npages, sizeof(*pas));
	long sys_page = sysconf(_SC_PAGESIZE);
	int fd, err;

	if (pas == NULL)
		return -1;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		SL_LOG(ERR, EAL_LOG, "--iova-mode pa: cannot open /proc/self/pagemap: %s",
		       strerror(err));
		goto fail;
	}
	for (size_t i = 0; i < npages; i++) {
		uintptr_t va = (uintptr_t)seg->va + i * seg->page_size;
		uint64_t entry;
		off_t off = (off_t)(va / (uintptr_t)sys_page) * (off_t)sizeof(entry);

		if (pread(fd, &entry, sizeof(entry), off) != (ssize_t)sizeof(entry)) {
			err = errno ? errno : EIO;
			SL_LOG(ERR, EAL_LOG, "--iova-mode pa: cannot read /proc/self/pagemap: %s",
			       strerror(err));
			close(fd);
			goto fail;
		}
		uint64_t pfn = entry & ((1ull << 55) - 1);
		if (!(entry & (1ull << 63)) || pfn == 0) {
			err = EPERM;
			SL_LOG(ERR, EAL_LOG,
			       "--iova-mode pa: /proc/self/pagemap shows no physical address (the "
			       "kernel hides them without CAP_SYS_ADMIN); run as root, or use "
			       "--iova-mode va with an IOMMU");
			close(fd);
			goto fail;
		}
		pas[i] = pfn * (uint64_t)sys_page;
	}
	close(fd);
	*out = pas;
	return 0;
fail:
	free(pas);
	errno = err;
	return -1;
}

int eal_memory_reserve(size_t len, struct sl_memseg *seg, uint64_t **page_iova)
{
	int fd = -1, err;
	int flags = MAP_SHARED | MAP_POPULATE;
	void *va;
	char what[64], sz[32];

	if (!mem.ready) {
		errno = ENODEV;
		return -1;
	}
	len = SL_ALIGN_CEIL(len, mem.page_size);
	eal_format_size(sz, sizeof(sz), len);
	snprintf(what, sizeof(what), "reserving a segment of %s", sz);
	*page_iova = NULL;
	memset(seg, 0, sizeof(*seg));

	switch (mem.source) {
	case SL_MEM_HUGETLBFS: {
		char path[320];
		snprintf(path, sizeof(path), "%s/sluice.%d.%u", mem.dir, (int)getpid(),
			 mem.file_seq++);
		fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0) {
			err = errno;
			SL_LOG(ERR, EAL_LOG, "memory: cannot create %s: %s", path, strerror(err));
			errno = err;
			return -1;
		}
		unlink(path); /* the fd keeps it; nothing is left behind on a crash */
		break;
	}
	case SL_MEM_MEMFD_HUGE:
		fd = memfd_create("sluice",
				  MFD_CLOEXEC | MFD_HUGETLB | (log2_of(mem.page_size) << MFD_HUGE_SHIFT));
		if (fd < 0) {
			err = errno;
			SL_LOG(ERR, EAL_LOG, "memory: memfd_create(MFD_HUGETLB) failed: %s",
			       strerror(err));
			errno = err;
			return -1;
		}
		break;
	case SL_MEM_ANON_4K:
		flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
		break;
	}

	if (fd >= 0) {
		if (check_free_hugepages(mem.page_size, len, what) != 0)
			goto fail_fd;
		if (ftruncate(fd, (off_t)len) != 0) {
			err = errno;
			if (err == ENOMEM || err == ENOSPC || err == EINVAL) {
				report_no_hugepages(mem.page_size, len, what);
			} else {
				SL_LOG(ERR, EAL_LOG, "memory: cannot size %s: %s", what, strerror(err));
				errno = err;
			}
			goto fail_fd;
		}
	}
	va = map_segment(len, flags, fd, what);
	if (va == MAP_FAILED) {
		err = errno;
		if (fd >= 0 && err == ENOMEM) {
			report_no_hugepages(mem.page_size, len, what); /* taken meanwhile */
		} else {
			SL_LOG(ERR, EAL_LOG, "memory: cannot map %s: %s", what, strerror(err));
			errno = err;
		}
		goto fail_fd;
	}
	/* The raw syscall: sanitizer runtimes turn mlock() into a no-op, and
	 * then memory that must stay put would silently not be locked. */
	if (fd < 0 && syscall(SYS_mlock, va, len) != 0) {
		err = errno;
		munmap(va, len);
		report_memlock(len, err);
		return -1;
	}
	/* A fork must not turn DMA pages into copy-on-write ones. */
	madvise(va, len, MADV_DONTFORK);
	if ((uintptr_t)va + len > EAL_VA_39BIT && mem.base < EAL_VA_39BIT && !mem.warned_high) {
		mem.warned_high = true;
		SL_LOG(WARNING, EAL_LOG,
		       "memory: a segment of %s lies at 0x%" PRIxPTR ", above 2^39 although the base address is "
		       "0x%" PRIxPTR " (the room between is taken, e.g. by a sanitizer's shadow "
		       "memory); an IOMMU with a 39-bit address width cannot map it with IOVA = VA; "
		       "give --base-virtaddr a lower free address",
		       sz, (uintptr_t)va, mem.base);
	}

	seg->va = va;
	seg->len = len;
	seg->page_size = mem.page_size;
	seg->source = mem.source;
	seg->fd = fd;
	seg->fd_offset = 0;
	if (mem.iova_mode == SL_IOVA_PA) {
		uint64_t *pas = calloc(len / mem.page_size, sizeof(*pas));
		int src = -1;

		if (pas == NULL)
			errno = ENOMEM;
		else
			src = eal_memreg_pa_source(seg, pas);
		if (src == 1) { /* no PA source, or it declined: pagemap */
			free(pas);
			pas = NULL;
			src = read_page_pas(seg, &pas);
		}
		if (src != 0) {
			err = errno;
			free(pas);
			eal_memreg_pa_release(va, len);
			munmap(va, len);
			if (fd >= 0)
				close(fd);
			memset(seg, 0, sizeof(*seg));
			errno = err;
			return -1;
		}
		*page_iova = pas;
		seg->iova = (*page_iova)[0];
		for (size_t i = 1; i < len / mem.page_size; i++) {
			if ((*page_iova)[i] != seg->iova + i * mem.page_size) {
				seg->iova = SL_BAD_IOVA;
				break;
			}
		}
	} else {
		seg->iova = (uint64_t)(uintptr_t)va;
	}
	if (mem.va_hi == 0 || (uintptr_t)va < mem.va_lo)
		mem.va_lo = (uintptr_t)va;
	if ((uintptr_t)va + len > mem.va_hi)
		mem.va_hi = (uintptr_t)va + len;
	return 0;

fail_fd:
	err = errno;
	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

void eal_memory_release(struct sl_memseg *seg, uint64_t *page_iova)
{
	if (seg->va != NULL) {
		eal_memreg_pa_release(seg->va, seg->len);
		munmap(seg->va, seg->len);
	}
	if (seg->fd >= 0)
		close(seg->fd);
	free(page_iova);
	seg->va = NULL;
	seg->fd = -1;
}
