/* ethdev.c: part of the ethdev library (being written). */
#include "sl_eal.h"
