/* null.c: part of the net_null library (being written). */
#include "sl_eal.h"
