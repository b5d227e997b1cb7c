/* ring.c: part of the ring library (being written). */
#include "sl_eal.h"
