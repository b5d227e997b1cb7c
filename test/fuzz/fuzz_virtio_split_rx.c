/* fuzz_virtio_split_rx.c: libFuzzer target: net_virtio split-ring rx (and tx
 * completions) against a device the input plays (fuzz_virtio_rx.h). */
#define FUZZ_PACKED 0
#include "fuzz_virtio_rx.h"
