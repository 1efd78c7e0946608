/* cli.h: what the command layer shares with the queue worker: the options
 * common to both modes, signal handling, and the loop that runs one search
 * while its caller keeps doing its own work (a progress line, a broker
 * connection's heartbeats). */
#ifndef FH_CLI_H
#define FH_CLI_H

#include <stdint.h>

#include "search.h"

/* Options that shape any search, filled by main.c from the command line. */
struct fh_common {
	unsigned threads;                 /* >= 1 */
	uint64_t max_tries;               /* 0: no bound */
	double timeout;                   /* seconds, 0: no bound */
	int seeded;
	uint64_t seed;
	int json;                         /* --json */
	int quiet;                        /* --quiet: no progress, no notes */
	int progress;                     /* stderr is a terminal, not quiet */
	const struct fh_kernel *kernel;
	uint64_t shard, shards;           /* --shard I/N; shards 0: none */
};

/* signals.c: SIGINT and SIGTERM only set a flag; the loops below look at
 * it.  fh_signal_caught returns the first signal caught, or 0. */
void fh_signals_install(void);
int fh_signal_caught(void);
/* 130 for SIGINT, 143 for SIGTERM. */
int fh_exit_for_signal(int sig);

/* run.c: why fh_run_search returned. */
enum fh_run_end {
	FH_RUN_SOLVED,    /* every prefix found */
	FH_RUN_EXHAUSTED, /* the range (shard) ended without a match */
	FH_RUN_GAVE_UP,   /* --max-tries or --timeout ended it */
	FH_RUN_SIGNAL,    /* SIGINT or SIGTERM: fh_signal_caught() says which */
	FH_RUN_TICK,      /* the caller's tick asked to stop */
};

/* Runs a started search to its end.  Every ~200 ms it redraws the progress
 * line (when c->progress), enforces c->timeout, checks for a signal, and
 * calls tick(arg) when tick is not NULL; a non-zero return from tick stops
 * the search (the queue worker does this when the broker closes the
 * channel).  The search is stopped but not freed. */
enum fh_run_end fh_run_search(struct fh_search *s, const struct fh_common *c,
			      int (*tick)(void *arg), void *arg);

/* The search options for prefixes under c (base, range from the shard,
 * bounds, threads, kernel).  base must outlive the search. */
void fh_search_opts_init(struct fh_search_opts *o, const struct fh_common *c,
			 const struct fh_prefix *prefixes, size_t n,
			 const struct fh_base *base);

#endif
