/* dma_map.c: part of the dma_map library (being written). */
#include "sl_eal.h"
