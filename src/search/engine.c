/* engine.c: the search threads.
 *
 * The counters [lo, hi) are cut into templates of 65536 candidates (one
 * value of the counter's high bits); thread t of T takes templates t, t+T,
 * t+2T ... of the range, in increasing order.  So the threads sweep the
 * range together, each owning a disjoint set of counters: no work is done
 * twice and nothing is shared in the hot loop but a read of best[].
 *
 * The answer for a prefix is its lowest matching counter, not the first one
 * some thread happens to hit: a thread stops only once every prefix has a
 * match below the template it would do next.  Each thread goes upwards, so
 * every template below the final best[] has been searched, and the answer
 * depends on the seed, range and prefix alone (not on threads or timing).
 * The cost is at most one template per thread after the find. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "search.h"

#define NONE UINT64_MAX
#define CACHE_LINE 64
/* Candidates per kernel call: small enough that an easy prefix costs
 * little past its answer, large enough that the per-call work (the shared
 * rounds, the filter) stays below 0.1 %. */
#define CHUNK 4096

/* One per thread, on its own cache lines: the tries counter is written
 * after every template and read by the progress display.  Every counter of
 * this thread's below swept has been searched (NONE: all it will search),
 * which is what fh_search_settled reads. */
struct worker {
	_Alignas(CACHE_LINE) _Atomic uint64_t tries;
	_Atomic uint64_t swept;
	struct fh_search *s;
	unsigned index;
	pthread_t thread;
	int started;
	uint16_t hits[FH_TEMPLATE_SIZE / FH_GROUP];
};

struct fh_search {
	struct fh_search_opts o;
	struct fh_prefix prefixes[FH_MAX_PREFIXES];
	uint64_t limit; /* hi, or lo + max_tries when that is lower */
	struct timespec start;

	_Atomic uint64_t best[FH_MAX_PREFIXES];
	_Atomic int stop;

	pthread_mutex_t lock; /* guards what follows */
	pthread_cond_t ended;
	unsigned running;
	double found_at[FH_MAX_PREFIXES];

	struct worker *workers;
};

static double elapsed(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* A candidate passed a kernel's first-word filter: hash it with Nettle and
 * record it for every prefix it really matches.  Only here does a
 * candidate become an answer. */
static void confirm(struct fh_search *s, uint64_t counter)
{
	char text[FH_CAND_LEN + 1];
	uint8_t digest[32];
	size_t p;

	fh_candidate(s->o.base, counter, text);
	fh_sha256(text, FH_CAND_LEN, digest);
	for (p = 0; p < s->o.n_prefixes; p++) {
		uint64_t old;

		if (!fh_prefix_matches(&s->prefixes[p], digest))
			continue;
		if (s->o.on_match) {
			pthread_mutex_lock(&s->lock);
			s->o.on_match(s->o.on_match_arg, p, counter);
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		old = atomic_load(&s->best[p]);
		while (counter < old &&
		       !atomic_compare_exchange_weak(&s->best[p], &old, counter))
			;
		if (counter < old) {
			pthread_mutex_lock(&s->lock);
			s->found_at[p] = elapsed(&s->start);
			pthread_mutex_unlock(&s->lock);
		}
	}
}

/* The filter for a template starting at counter from: the prefixes that
 * could still get a lower answer there (all of them when every match is
 * wanted). */
static void make_filter(struct fh_search *s, uint64_t from,
			struct fh_filter *f)
{
	size_t p;

	f->n = 0;
	for (p = 0; p < s->o.n_prefixes; p++) {
		if (!s->o.on_match && atomic_load(&s->best[p]) < from)
			continue;
		f->mask[f->n] = s->prefixes[p].mask[0];
		f->value[f->n] = s->prefixes[p].value[0];
		f->n++;
	}
}

static void scan_hits(struct fh_search *s, struct worker *w, uint64_t k,
		      uint32_t first, uint32_t count)
{
	uint32_t g, g_end = (first + count + FH_GROUP - 1) / FH_GROUP;

	for (g = first / FH_GROUP; g < g_end; g++) {
		unsigned bits = w->hits[g];

		w->hits[g] = 0;
		while (bits) {
			unsigned lane = (unsigned)__builtin_ctz(bits);

			bits &= bits - 1;
			confirm(s, k << 16 | (uint64_t)(g * FH_GROUP + lane));
		}
	}
}

/* Searches counters [from, to) of template k in chunks, so that a prefix
 * found early (a short one, expected within a few hundred tries) ends the
 * sweep after a chunk rather than a whole template, and a stop request is
 * seen within a chunk.  Returns 1 when this thread has nothing more to do. */
static int sweep(struct fh_search *s, struct worker *w,
		 const struct fh_template *t, uint64_t k, uint64_t from,
		 uint64_t to, uint64_t *tries)
{
	while (from < to) {
		uint64_t end = from + CHUNK < to ? from + CHUNK : to;
		uint32_t first = (uint32_t)(from & 0xffff);
		uint32_t count = (uint32_t)(end - from);
		struct fh_filter f;

		if (atomic_load_explicit(&s->stop, memory_order_relaxed))
			return 1;
		atomic_store(&w->swept, from);
		make_filter(s, from, &f);
		if (f.n == 0)
			return 1;
		if (s->o.kernel->run(t, &f, first, count, w->hits))
			scan_hits(s, w, k, first, count);
		*tries += count;
		atomic_store_explicit(&w->tries, *tries, memory_order_relaxed);
		from = end;
	}
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct fh_search *s = w->s;
	const uint64_t lo = s->o.lo, limit = s->limit;
	uint64_t k, tries = 0;

	if (limit > lo) {
		uint64_t k_last = (limit - 1) >> 16;

		for (k = (lo >> 16) + w->index; k <= k_last;
		     k += s->o.threads) {
			uint64_t from = k << 16 > lo ? k << 16 : lo;
			uint64_t to = (k + 1) << 16 < limit ? (k + 1) << 16 :
							       limit;
			struct fh_template t;

			fh_template_init(&t, s->o.base, k);
			if (sweep(s, w, &t, k, from, to, &tries))
				break;
		}
	}
	/* Ended by its range or by every prefix having a lower answer: none
	 * of its counters left can give a lower one.  A stopped thread's
	 * counters above swept stay unsearched. */
	if (!atomic_load(&s->stop))
		atomic_store(&w->swept, NONE);
	pthread_mutex_lock(&s->lock);
	if (--s->running == 0)
		pthread_cond_broadcast(&s->ended);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct fh_search *fh_search_start(const struct fh_search_opts *o)
{
	struct fh_search *s;
	size_t p;
	unsigned i;
	int err;

	if (o->n_prefixes == 0 || o->n_prefixes > FH_MAX_PREFIXES ||
	    o->threads == 0 || o->lo > o->hi) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = *o;
	memcpy(s->prefixes, o->prefixes, o->n_prefixes * sizeof *o->prefixes);
	s->o.prefixes = s->prefixes;
	s->limit = o->max_tries && o->max_tries < o->hi - o->lo ?
			   o->lo + o->max_tries :
			   o->hi;
	for (p = 0; p < FH_MAX_PREFIXES; p++)
		atomic_init(&s->best[p], NONE);
	atomic_init(&s->stop, 0);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->ended, NULL);

	s->workers = aligned_alloc(CACHE_LINE, o->threads * sizeof *s->workers);
	if (!s->workers) {
		fh_search_free(s);
		return NULL;
	}
	memset(s->workers, 0, o->threads * sizeof *s->workers);
	clock_gettime(CLOCK_MONOTONIC, &s->start);

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < o->threads; i++) {
		struct worker *w = &s->workers[i];

		w->s = s;
		w->index = i;
		atomic_init(&w->tries, 0);
		atomic_init(&w->swept, o->lo);
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			/* Without all its threads the sweep would leave holes
			 * in the range: stop the ones started and fail. */
			atomic_store(&s->stop, 1);
			pthread_mutex_unlock(&s->lock);
			fh_search_free(s);
			errno = err;
			return NULL;
		}
		w->started = 1;
		s->running++;
	}
	pthread_mutex_unlock(&s->lock);
	return s;
}

int fh_search_wait(struct fh_search *s, unsigned ms)
{
	struct timespec until;
	int done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	while (s->running > 0)
		if (pthread_cond_timedwait(&s->ended, &s->lock, &until) ==
		    ETIMEDOUT)
			break;
	done = s->running == 0;
	pthread_mutex_unlock(&s->lock);
	return done;
}

void fh_search_stop(struct fh_search *s)
{
	atomic_store(&s->stop, 1);
}

uint64_t fh_search_tries(struct fh_search *s)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < s->o.threads; i++)
		sum += atomic_load_explicit(&s->workers[i].tries,
					    memory_order_relaxed);
	return sum;
}

const struct fh_search_opts *fh_search_options(const struct fh_search *s)
{
	return &s->o;
}

enum fh_search_end fh_search_end(struct fh_search *s)
{
	size_t p, solved = 0;

	for (p = 0; p < s->o.n_prefixes; p++)
		solved += atomic_load(&s->best[p]) != NONE;
	if (solved == s->o.n_prefixes && !s->o.on_match)
		return FH_END_SOLVED;
	if (atomic_load(&s->stop))
		return FH_END_STOPPED;
	return s->limit < s->o.hi ? FH_END_BOUND : FH_END_EXHAUSTED;
}

/* best[i] is settled when every thread has swept up to it.  best is read
 * again after the threads: a lower match found before a thread moved its
 * swept mark past it was stored in best before that mark (seq_cst), so it
 * shows up in the second read. */
int fh_search_settled(struct fh_search *s, size_t i)
{
	uint64_t best = atomic_load(&s->best[i]);
	unsigned t;

	if (best == NONE || s->o.on_match)
		return 0;
	for (t = 0; t < s->o.threads; t++)
		if (atomic_load(&s->workers[t].swept) < best)
			return 0;
	return atomic_load(&s->best[i]) == best;
}

void fh_search_answer(struct fh_search *s, size_t i, struct fh_answer *a)
{
	uint64_t best = atomic_load(&s->best[i]);

	memset(a, 0, sizeof *a);
	if (best == NONE)
		return;
	a->found = 1;
	a->counter = best;
	fh_candidate(s->o.base, best, a->string);
	fh_sha256(a->string, FH_CAND_LEN, a->digest);
	a->tries = best - s->o.lo + 1;
	pthread_mutex_lock(&s->lock);
	a->seconds = s->found_at[i];
	pthread_mutex_unlock(&s->lock);
}

void fh_search_free(struct fh_search *s)
{
	unsigned i;

	if (!s)
		return;
	if (s->workers) {
		atomic_store(&s->stop, 1);
		for (i = 0; i < s->o.threads; i++)
			if (s->workers[i].started)
				pthread_join(s->workers[i].thread, NULL);
		free(s->workers);
	}
	pthread_cond_destroy(&s->ended);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
