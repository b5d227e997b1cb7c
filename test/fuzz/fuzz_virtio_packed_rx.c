/* fuzz_virtio_packed_rx.c: libFuzzer target: net_virtio packed-ring rx (and tx
 * completions) against a device the input plays (fuzz_virtio_rx.h). */
#define FUZZ_PACKED 1
#include "fuzz_virtio_rx.h"
