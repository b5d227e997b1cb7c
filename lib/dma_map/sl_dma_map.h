/* sl_dma_map.h: IO address spaces for device DMA. One object type hides the
 * three VFIO backends (an iommufd IOAS, a legacy type1 container, a no-IOMMU
 * container). Packet memory from the EAL registry is registered once and
 * put into every live address space: under iommufd it is IOMMU_IOAS_MAPped
 * once into a source IOAS and IOMMU_IOAS_COPYed into each device's IOAS, so
 * pages are pinned and charged once; type1 containers get one mapping per
 * segment; no-IOMMU uses physical addresses. bus_vfio attaches devices (or
 * groups) to address spaces; drivers only need sl_mem_virt2iova(). */
#ifndef SL_DMA_MAP_H
#define SL_DMA_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sl_dma_backend {
	SL_DMA_BACKEND_NONE = 0,
	SL_DMA_BACKEND_IOMMUFD = 1, /* /dev/iommu IOAS, device cdev attached to it */
	SL_DMA_BACKEND_TYPE1 = 2,   /* /dev/vfio/vfio container, VFIO_TYPE1v2_IOMMU */
	SL_DMA_BACKEND_NOIOMMU = 3, /* /dev/vfio/vfio container, VFIO_NOIOMMU_IOMMU, IOVA = PA */
	SL_DMA_BACKEND_NOIOMMU_CDEV = 4, /* /dev/iommu IOAS, no-IOMMU device cdev attached
					  * (Linux 7.3+), IOVA = PA from
					  * IOMMU_IOAS_NOIOMMU_GET_PA */
};

/* "iommufd", "type1", "noiommu", "noiommu-cdev" ("none" for NONE). */
const char *sl_dma_backend_name(enum sl_dma_backend be);
/* Parse one of the names above; SL_DMA_BACKEND_NONE for anything else. */
enum sl_dma_backend sl_dma_backend_parse(const char *name);
/* True for the backends whose devices see physical addresses (no-IOMMU
 * through a group or through the device cdev). */
static inline bool sl_dma_backend_is_noiommu(enum sl_dma_backend be)
{
	return be == SL_DMA_BACKEND_NOIOMMU || be == SL_DMA_BACKEND_NOIOMMU_CDEV;
}

/* An inclusive IOVA interval, as the kernel reports it. */
struct sl_iova_range {
	uint64_t start;
	uint64_t last;
};

#define SL_DMA_MAX_IOVA_RANGES 16

/* An IO address space. Opaque; reference counted. */
struct sl_dma_as;

/* A new, empty address space of backend BE (an iommufd IOAS gets its own
 * IOAS id; type1/no-IOMMU a container of its own). NULL with errno and a
 * logged reason on failure. Packet memory is put into it when the first
 * device or group is attached (so its usable IOVA ranges are known). */
struct sl_dma_as *sl_dma_as_create(enum sl_dma_backend be, const char *name);

/* The process-wide shared address space of BE (created on first use;
 * each call takes a reference). Type1 and no-IOMMU groups normally share
 * one container so memory is pinned once for all of them. */
struct sl_dma_as *sl_dma_as_get_shared(enum sl_dma_backend be);

/* Drop a reference; the last one unmaps everything and releases the
 * IOAS/container (every device must have been detached). */
void sl_dma_as_put(struct sl_dma_as *as);

enum sl_dma_backend sl_dma_as_backend(const struct sl_dma_as *as);
/* True for the process-wide shared address space of its backend. */
bool sl_dma_as_is_shared(const struct sl_dma_as *as);
const char *sl_dma_as_name(const struct sl_dma_as *as);

/* Attach FD to the address space: for iommufd, an opened device cdev
 * (/dev/vfio/devices/vfioN), which is bound to the iommufd and attached to
 * the IOAS; for type1/no-IOMMU, a group fd, which joins the container.
 * The usable IOVA ranges are re-read and every registered segment is
 * checked against them and mapped (or copied) in. On failure nothing stays
 * attached or mapped. WHO names the device or group in messages. */
int sl_dma_as_attach(struct sl_dma_as *as, int fd, const char *who);
/* True when ERR, the errno of a failed sl_dma_as_attach, says this address
 * space does not suit the device, so that another one may: the kernel's
 * EADDRINUSE (something mapped there lies in one of the device's reserved
 * ranges) or EINVAL (an incompatible domain or aperture), or ERANGE (a
 * mapping outside the ranges the device allows). bus_vfio's AUTO mode then
 * gives the device an IOAS of its own. */
bool sl_dma_attach_error_is_misfit(int err);
/* A device of a group attached to AS was just opened
 * (VFIO_GROUP_GET_DEVICE_FD). iommufd's compat container attaches the
 * device to its IOAS only now, so its reserved ranges (the MSI window, the
 * aperture) become known only now: the usable ranges are read again and
 * every mapping is checked against them. 0, or -1 (ERANGE) with a logged
 * reason when one no longer fits (the caller closes the device). */
int sl_dma_as_device_opened(struct sl_dma_as *as, const char *who);
/* Undo sl_dma_as_attach for FD (the device/group fd is not closed). */
int sl_dma_as_detach(struct sl_dma_as *as, int fd);

/* Number of devices/groups attached. */
unsigned sl_dma_as_nb_attached(const struct sl_dma_as *as);

/* Usable IOVA ranges of the address space as last read from the kernel
 * (after the latest attach). Returns the number of ranges (possibly more
 * than MAX, of which MAX were copied), -1 if not known yet. */
int sl_dma_as_iova_ranges(const struct sl_dma_as *as, struct sl_iova_range *out, unsigned max);

/* Map [VA, VA+LEN) at IOVA into this one address space (memory outside the
 * EAL registry, e.g. a test buffer). Page aligned. Refused with a clear
 * message when IOVA is outside the usable ranges, when RLIMIT_MEMLOCK or
 * the type1 entry limit would be exceeded. An iommufd IOAS takes mappings
 * before any device is attached (its ranges are unknown then: a device
 * whose reserved ranges clash is refused at attach); a container needs a
 * group first (ENODEV). No-IOMMU: refused (EOPNOTSUPP). */
int sl_dma_as_map(struct sl_dma_as *as, void *va, uint64_t iova, size_t len);
/* Unmap exactly what one sl_dma_as_map mapped. A zero-length unmap or one
 * the kernel reports as partial is an error. */
int sl_dma_as_unmap(struct sl_dma_as *as, uint64_t iova, size_t len);

/* How iommufd devices get their address space and registered memory. In
 * every mode but MAP_EACH each segment is IOMMU_IOAS_MAPped once into a
 * source IOAS (no device, so nothing is pinned there) and reaches device
 * IOAS by IOMMU_IOAS_COPY, so it is pinned and charged once in all. */
enum sl_dma_iommufd_mode {
	SL_DMA_IOMMUFD_COPY = 0,       /* an IOAS per device, filled by COPY */
	SL_DMA_IOMMUFD_MAP_EACH = 1,   /* an IOAS per device, each segment MAPped into
					* each (pins N times; for comparison only) */
	SL_DMA_IOMMUFD_SHARED_IOAS = 2, /* every device attached to one shared IOAS */
	SL_DMA_IOMMUFD_AUTO = 3,       /* default: the shared IOAS while a device's
					* ranges agree with it (bus_vfio tries it
					* first), else an IOAS of its own by COPY */
};
/* Only while no iommufd address space exists; -1/EBUSY otherwise. */
int sl_dma_set_iommufd_mode(enum sl_dma_iommufd_mode mode);
enum sl_dma_iommufd_mode sl_dma_get_iommufd_mode(void);

/* The address space a device (iommufd) or group (type1/no-IOMMU) of
 * backend BE should attach to first: for iommufd a new IOAS per device in
 * COPY and MAP_EACH modes, the shared IOAS in SHARED_IOAS and AUTO modes;
 * the shared container for type1/no-IOMMU. Takes a reference. */
struct sl_dma_as *sl_dma_as_for_device(enum sl_dma_backend be, const char *name);

struct sl_dma_stats {
	unsigned nb_segments;      /* registered packet-memory segments */
	uint64_t segment_bytes;    /* their total size */
	unsigned nb_as;            /* live address spaces */
	uint64_t nb_ioas_map;      /* IOMMU_IOAS_MAP calls made (all time) */
	uint64_t nb_ioas_copy;     /* IOMMU_IOAS_COPY calls made */
	uint64_t nb_type1_map;     /* VFIO_IOMMU_MAP_DMA calls made */
	uint64_t nb_unmap;         /* successful unmaps of any kind */
	uint64_t map_ns;           /* time spent in the MAP/COPY/MAP_DMA ioctls */
	uint64_t nb_ioas_map_file; /* of nb_ioas_map, IOMMU_IOAS_MAP_FILE calls (a
				    * hugetlbfs/memfd segment mapped by fd, 6.13+) */
};
void sl_dma_get_stats(struct sl_dma_stats *st);

/* Log the address spaces, their backends, ranges and mappings (INFO). */
void sl_dma_map_dump(void);

#ifdef __cplusplus
}
#endif
#endif /* SL_DMA_MAP_H */
