/* rte_pause.h (Sluice rte_ compatibility layer). */
#ifndef SLUICE_RTE_PAUSE_H
#define SLUICE_RTE_PAUSE_H

#include "rte_common.h"

static inline void rte_pause(void)
{
	sl_pause();
}

#endif
