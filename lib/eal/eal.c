/* eal.c: part of the eal library (being written). */
#include "sl_eal.h"
