/* search.h: the search engine's door, the bottom layer: the command
 * (src/cli), the queue worker (src/queue) and the run layer (src/run) see
 * the engine only through this header, and it sees none of them.
 *
 * A search looks, over a range of candidate counters, for the lowest
 * counter whose candidate string's SHA-256 digest starts with each of a set
 * of hex prefixes.  "Lowest" makes the answer a function of the seed, the
 * range and the prefix: neither the thread count nor timing changes it. */
#ifndef FH_SEARCH_H
#define FH_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

#define FH_PREFIX_MAX_DIGITS 64
/* prefixes one search takes: beyond FH_MAX_FILTERS, a bitmap filters them */
#define FH_MAX_PREFIXES (1u << 22)
/* Candidate counters run over [0, FH_SPACE): the top counter bit is never
 * used, so a range end always fits in a uint64_t. */
#define FH_SPACE (UINT64_C(1) << 63)

/* prefix.c */
struct fh_prefix {
	char hex[FH_PREFIX_MAX_DIGITS + 1]; /* lower case, NUL-terminated */
	unsigned digits;                    /* 1..64 */
	uint32_t mask[8], value[8];         /* per digest word */
};

/* Parses len bytes of text (not NUL-terminated; may hold any byte) as a
 * prefix: surrounding ASCII whitespace is trimmed, then 1 to 64 hex digits
 * of either case.  Returns 0, or -1 with *why set to a static phrase that
 * says what is wrong ("empty", "65 hex digits, at most 64", ...). */
int fh_prefix_parse(const char *text, size_t len, struct fh_prefix *out,
		    const char **why);
int fh_prefix_matches(const struct fh_prefix *p, const uint8_t digest[32]);
/* Writes text[0..len) for a one-line message: printable ASCII kept, other
 * bytes as \xHH, cut to about max characters with "..." appended. */
void fh_printable(char *out, size_t outsize, const char *text, size_t len,
		  size_t max);

/* candidate.c */
struct fh_base {
	char chars[FH_BASE_LEN];
};
/* A random base from getrandom(), or from seed when seeded is set. */
int fh_base_init(struct fh_base *b, int seeded, uint64_t seed);
void fh_candidate(const struct fh_base *b, uint64_t counter,
		  char out[FH_CAND_LEN + 1]);
void fh_template_init(struct fh_template *t, const struct fh_base *b,
		      uint64_t hi);
/* Shard i of n of [0, space): [*lo, *hi), the n shards a partition. */
void fh_shard_range(uint64_t i, uint64_t n, uint64_t space, uint64_t *lo,
		    uint64_t *hi);

/* verify.c: the reference, Nettle's SHA-256 */
void fh_sha256(const char *text, size_t len, uint8_t digest[32]);
void fh_hex(const uint8_t digest[32], char out[65]);
/* 1 when text hashes (by Nettle) to a digest starting with the prefix. */
int fh_verify(const char *text, size_t len, const struct fh_prefix *p);

/* engine.c */
struct fh_search_opts {
	const struct fh_prefix *prefixes;  /* kept until fh_search_free */
	size_t n_prefixes;                 /* 1..FH_MAX_PREFIXES */
	const struct fh_base *base;
	uint64_t lo, hi;                   /* counters searched: [lo, hi) */
	uint64_t max_tries;                /* 0: no bound */
	unsigned threads;                  /* >= 1 */
	const struct fh_kernel *kernel;
	/* Tests: called for every match (under a lock) and the search then
	 * runs to the end of its range instead of stopping at the first. */
	void (*on_match)(void *arg, size_t prefix, uint64_t counter);
	void *on_match_arg;
};

enum fh_search_end {
	FH_END_SOLVED,    /* every prefix found */
	FH_END_EXHAUSTED, /* the range ended first */
	FH_END_BOUND,     /* --max-tries ended it first */
	FH_END_STOPPED,   /* fh_search_stop() ended it first */
};

struct fh_answer {
	int found;
	uint64_t counter;
	char string[FH_CAND_LEN + 1];
	uint8_t digest[32];
	uint64_t tries;   /* counter - lo + 1: candidates up to this one */
	double seconds;   /* from the start of the search to the find */
};

struct fh_search;

/* Starts the search threads and returns at once; NULL with errno set when
 * threads cannot be started.  The caller then waits with fh_search_wait,
 * doing its own work (a progress line, servicing a connection) between
 * waits. */
struct fh_search *fh_search_start(const struct fh_search_opts *o);
/* Waits up to ms milliseconds; 1 when the search has ended. */
int fh_search_wait(struct fh_search *s, unsigned ms);
/* Asks the threads to stop; they do within one template (~1 ms). */
void fh_search_stop(struct fh_search *s);
uint64_t fh_search_tries(struct fh_search *s);
/* The options the search runs with (its own copy; the prefixes are the
 * caller's). */
const struct fh_search_opts *fh_search_options(const struct fh_search *s);
/* After fh_search_wait returned 1. */
enum fh_search_end fh_search_end(struct fh_search *s);
/* While the search runs: 1 when prefix i has its final answer (no thread
 * can still find a lower counter for it), so it can be printed at once. */
int fh_search_settled(struct fh_search *s, size_t i);
void fh_search_answer(struct fh_search *s, size_t i, struct fh_answer *a);
void fh_search_free(struct fh_search *s);
/* Seconds on the monotonic clock, the one every deadline, rate and
 * answer's seconds in the program is measured on. */
double fh_now(void);

/* bench.c: hashes per second summed over threads, each thread hashing
 * for about seconds, or until stop (when not NULL) returns non-zero, which
 * it calls about every millisecond; -1 when threads cannot be started. */
double fh_bench_kernel(const struct fh_kernel *k, unsigned threads,
		       double seconds, int (*stop)(void));
double fh_bench_nettle(unsigned threads, double seconds);

/* cpus.c: the CPUs this process may really use: the affinity mask, capped
 * by a cgroup v2 cpu.max quota (rounded up), at least 1. */
unsigned fh_usable_cpus(void);
/* The cgroup v2 cpu.max limit in whole CPUs for the cgroup named in
 * self_cgroup (a /proc/self/cgroup file) under mount; 0 when none. */
unsigned fh_cgroup_cpu_limit(const char *self_cgroup, const char *mount);

#endif
