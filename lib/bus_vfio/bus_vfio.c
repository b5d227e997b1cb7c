/* bus_vfio.c: part of the bus_vfio library (being written). */
#include "sl_eal.h"
