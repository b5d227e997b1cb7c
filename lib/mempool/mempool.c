/* mempool.c: part of the mempool library (being written). */
#include "sl_eal.h"
