/* testpmd.h: what the files of testpmd-lite share: the options, the
 * forwarding streams and lcores, the run's state (struct app), and the
 * functions each file offers the others. Internal to app/testpmd-lite. */
#ifndef TESTPMD_H
#define TESTPMD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sl_eal.h"
#include "sl_ethdev.h"
#include "sl_mbuf.h"
#include "sl_mempool.h"

#define APP "testpmd-lite"
#define MAX_BURST 512
#define DEFAULT_BURST 32
#define MBUF_CACHE_SIZE 250
#define TXONLY_HDR_LEN (14 + 20 + 8)

enum fwd_mode { FWD_IO, FWD_MAC, FWD_MACSWAP, FWD_RXONLY, FWD_TXONLY };
extern const char *const fwd_mode_names[];

struct options {
	enum fwd_mode mode;
	unsigned burst;
	unsigned nb_cores;
	unsigned nb_rxq, nb_txq;
	unsigned nb_rxd, nb_txd;
	unsigned txpkts;
	unsigned txflows;
	double stats_period;
	double run_time;
	uint64_t max_packets;
	unsigned total_mbufs;
	unsigned tx_first;      /* bursts each stream sends before forwarding starts */
	bool json;
	bool link_watch;        /* --link-watch: report link changes; with --tx-first, refill on link up */
	bool lsc;               /* --lsc: link change events (intr_conf.lsc), printed by their callback */
	uint64_t rss_hf;        /* --rss-ip/--rss-udp: hash types (0: the port's default) */
	const char *rss_opt;    /* which of them, for messages */
};

/* One rx queue -> tx queue path, polled by one lcore. Its counters are
 * written only by that lcore and read after it has been waited for. */
struct fwd_stream {
	uint16_t rx_port, rx_queue;
	uint16_t tx_port, tx_queue;
	uint16_t burst;
	uint16_t txpkts;
	uint16_t txflows;
	uint16_t flow;                  /* txonly: next flow index */
	struct sl_ether_addr eth_src;   /* mac, txonly: tx port's address */
	struct sl_ether_addr eth_dst;   /* mac, txonly: the peer's address */
	struct sl_mempool *mp;          /* txonly: where packets come from */
	const uint8_t *tx_template;     /* txonly: Ethernet/IPv4/UDP header */
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t fwd_dropped;
	uint64_t core_cycles;
} sl_cache_aligned;

struct fwd_lcore {
	unsigned lcore_id;
	struct fwd_stream *streams;
	unsigned nb_streams;
	unsigned refill_seen;   /* --link-watch: the refill_gen this lcore has served */
	uint64_t refills;       /* frames it injected again */
};

struct port_totals {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_missed, rx_errors, tx_errors, rx_nombuf;
};

struct app {
	struct options opt;
	uint16_t ports[SL_MAX_ETHPORTS];
	unsigned nb_ports;
	bool port_started[SL_MAX_ETHPORTS];
	struct sl_mempool *mp;
	struct fwd_stream *streams;
	unsigned nb_streams;
	struct fwd_lcore lcores[SL_MAX_LCORE];
	unsigned nb_fwd_lcores;
	uint16_t nb_rxd[SL_MAX_ETHPORTS], nb_txd[SL_MAX_ETHPORTS]; /* per port, as set up */
	struct sl_eth_stats base[SL_MAX_ETHPORTS]; /* at the start of forwarding */
	/* device removal (sl_eth_dev_is_removed, polled by the main loop) */
	bool removed[SL_MAX_ETHPORTS];
	double removed_at_s[SL_MAX_ETHPORTS];     /* since forwarding started */
	unsigned nb_removed;
	double first_removal_s;
	struct port_totals at_removal[SL_MAX_ETHPORTS]; /* every port, at the first removal */
	/* --link-watch */
	uint8_t link_status[SL_MAX_ETHPORTS];
	unsigned link_downs[SL_MAX_ETHPORTS], link_ups[SL_MAX_ETHPORTS];
	double last_link_up_s;
	struct port_totals at_link_up[SL_MAX_ETHPORTS]; /* every port, at the last link up */
	/* --lsc: counted by the event callback (EAL interrupt thread) */
	unsigned lsc_downs[SL_MAX_ETHPORTS], lsc_ups[SL_MAX_ETHPORTS];
	unsigned lsc_off_thread;        /* callbacks that ran elsewhere (must stay 0) */
	uint64_t t_start;               /* TSC when forwarding started (0 before) */
	uint8_t tx_template[SL_MAX_ETHPORTS][TXONLY_HDR_LEN];
};

/* options.c */
/* --eth-peer=N,MAC: the destination mac mode and txonly give frames leaving
 * port N (DPDK testpmd's peer_eth_addrs); default 02:00:00:00:00:<N>. */
extern struct sl_ether_addr eth_peer[SL_MAX_ETHPORTS];
extern bool eth_peer_set[SL_MAX_ETHPORTS];
/* 0 ok, 1 help printed, -1 error (message printed). */
int parse_app_args(int argc, char **argv, struct options *o);
/* The application's options (after "--"), to F. */
void usage(FILE *f, const char *prg);

/* ports.c */
struct sl_ether_addr peer_addr(uint16_t port);
/* Ethernet + IPv4 + UDP header for txonly packets leaving TX_PORT. */
void build_tx_template(uint8_t *t, uint16_t tx_port, unsigned pkt_len);
int choose_ring_sizes(struct app *a);
int setup_ports(struct app *a);
int setup_streams(struct app *a);
/* --lsc: the link change callback for every port (before the ports start). */
int register_lsc(struct app *a);
void unregister_lsc(struct app *a);

/* forward.c */
extern int fwd_stop; /* read with __atomic_load_n by the forwarding lcores */
/* --link-watch with --tx-first: bumped by the main lcore when a port's link
 * comes back up (see forward.c). */
extern unsigned refill_gen;
extern const struct app *the_app; /* for lcore_refill */
/* The forwarding loop of each mode, launched on every forwarding lcore. */
extern const sl_lcore_function_t fwd_loops[];
/* --tx-first: every stream sends TX_FIRST bursts of 64-byte UDP packets
 * from the main lcore before the forwarding lcores start. */
int send_tx_first(const struct app *a);

/* stats.c */
void port_delta(const struct app *a, unsigned i, struct port_totals *t);
/* Packets that the run is measured by: received, or sent in txonly. */
uint64_t counted_packets(const struct app *a);
void print_periodic(const struct app *a, struct port_totals *prev, double interval_s, FILE *f);
void print_summary(const struct app *a, double elapsed_s, const char *stop_reason);

#endif /* TESTPMD_H */
