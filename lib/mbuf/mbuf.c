/* mbuf.c: part of the mbuf library (being written). */
#include "sl_eal.h"
