/* rte_interrupts.h (Sluice rte_ compatibility layer): DPDK's interrupt
 * handle API is not provided; Sluice's rx interrupts are per-queue
 * eventfds (sl_eth_dev_rx_intr_ctl_q_get_fd, sl_ethdev.h). The header
 * exists because applications include it for types they do not use. */
#ifndef SLUICE_RTE_INTERRUPTS_H
#define SLUICE_RTE_INTERRUPTS_H

#include "rte_common.h"

struct rte_intr_handle;

#endif
