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
 * The cost is at most one template per thread after the find.
 *
 * Many prefixes (more than FH_MAX_FILTERS): the kernels test a bitmap of
 * the first 24 digest bits of every prefix instead of comparing each one,
 * and keep the first digest word of each lane they report; the engine
 * looks that word up in an index of the prefixes by their first 16 bits
 * and hashes with Nettle only when a prefix it matches could still get a
 * lower answer.
 *
 * The filter shrinks as the prefixes settle.  A solved prefix's lanes
 * still pass the filter, each a lookup in the index for nothing, and most
 * of a long search's lanes are such (100 million candidates against
 * 100,000 6-digit prefixes: five in six).  So once half of the prefixes in
 * the filter have an answer, the thread that notices builds a new filter
 * of the others and publishes it; the threads take it up at their next
 * chunk.  A prefix leaves only when every thread has swept past its answer
 * (settled, as fh_search_settled says), since until then another thread
 * may still find it lower.  An old filter is freed at a later rebuild,
 * once no thread can still be reading it (struct filter). */
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
	_Atomic uint64_t filter_id; /* the filter in use; NONE: none */
	struct fh_search *s;
	unsigned index;
	pthread_t thread;
	int started;
	uint16_t hits[FH_TEMPLATE_SIZE / FH_GROUP];
	uint32_t *h0; /* many prefixes: the kernel's first words */
	uint32_t lane[CHUNK]; /* and the lanes they hold, for scan_hits */
};

/* One generation of the many-prefix filter (the kernels' struct
 * fh_filter tables) of the prefixes not settled when it was built.  The
 * threads read it without a lock: each says which one it uses in its
 * filter_id, stored after it loads the current one, and generations only
 * get newer, so a retired generation older than every thread's filter_id
 * has no reader left. */
struct filter {
	uint32_t *bitmap, *coarse, *rank;
	uint16_t *fine;
	uint64_t id;
	size_t live;            /* runs it holds */
	struct filter *retired; /* older generations not yet freed */
};

struct fh_search {
	struct fh_search_opts o;
	/* o.prefixes, borrowed: the caller's list, not a copy, because a
	 * million prefixes take 136 MB and --offline holds them already */
	const struct fh_prefix *prefixes;
	uint64_t limit; /* hi, or lo + max_tries when that is lower */
	double start;           /* fh_now() when the threads started */

	/* Many prefixes only, else NULL: the prefixes sorted by hex
	 * (order), cut into runs of equal ones (run[u] .. run[u + 1] - 1),
	 * with the lowest match of each run (run_best); and the runs that
	 * can match a first word h, by h >> 16: entry[bucket[h >> 16] ..
	 * bucket[(h >> 16) + 1] - 1], each with the run's first-word test,
	 * so that a lane costs two or three cache lines, not a walk through
	 * the prefixes.  The kernels' filter of the runs not yet settled
	 * (filter), and when to build the next one: once runs_solved, the
	 * runs with an answer, reaches rebuild_at. */
	_Atomic(struct filter *) filter;
	pthread_mutex_t rebuild; /* one builder at a time */
	_Atomic size_t runs_solved, rebuild_at;
	size_t runs;
	uint64_t *order; /* 64 bits wide: sort_runs sorts its keys there */
	size_t *run;
	_Atomic uint64_t *run_best;
	uint32_t *bucket;
	struct entry {
		uint32_t mask, value;
		/* whole: the first word is the whole prefix (8 digits or
		 * fewer); single: the run is one prefix, first */
		uint32_t run : 30, whole : 1, single : 1;
		uint32_t first;
	} *entry;
	_Atomic size_t unsolved;     /* prefixes with no match yet */
	_Atomic uint64_t best_bound; /* >= every best[], once unsolved is 0 */

	_Atomic uint64_t *best;
	_Atomic int stop;

	pthread_mutex_t lock; /* guards what follows */
	pthread_cond_t ended;
	unsigned running;
	double *found_at;

	struct worker *workers;
};

/* The program's one clock (search.h): monotonic, so that a clock set by
 * NTP or an operator moves no deadline and no answer's seconds. */
double fh_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prefix p matches the candidate counter, by Nettle: record it. */
static void record(struct fh_search *s, size_t p, uint64_t counter)
{
	uint64_t old;

	if (s->o.on_match) {
		pthread_mutex_lock(&s->lock);
		s->o.on_match(s->o.on_match_arg, p, counter);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	old = atomic_load(&s->best[p]);
	while (counter < old &&
	       !atomic_compare_exchange_weak(&s->best[p], &old, counter))
		;
	if (counter < old) {
		if (old == NONE)
			atomic_fetch_sub(&s->unsolved, 1);
		pthread_mutex_lock(&s->lock);
		s->found_at[p] = fh_now() - s->start;
		pthread_mutex_unlock(&s->lock);
	}
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
	for (p = 0; p < s->o.n_prefixes; p++)
		if (fh_prefix_matches(&s->prefixes[p], digest))
			record(s, p, counter);
}

/* The first word of a digest, as the kernels and struct fh_prefix see it. */
static uint32_t word0(const uint8_t digest[32])
{
	return (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 |
	       (uint32_t)digest[2] << 8 | digest[3];
}

/* The same with many prefixes, h0 being the kernel's first digest word:
 * only the prefixes indexed under it whose first word matches, and Nettle
 * only when one of them could still get a lower answer. */
static void confirm_many(struct fh_search *s, uint64_t counter, uint32_t h0)
{
	uint32_t i, b = h0 >> 16;
	uint8_t digest[32];
	int hashed = 0;

	for (i = s->bucket[b]; i < s->bucket[b + 1]; i++) {
		const struct entry *e = &s->entry[i];
		size_t r, u = e->run;
		uint64_t old;

		if ((h0 & e->mask) != e->value)
			continue;
		old = atomic_load_explicit(&s->run_best[u],
					   memory_order_relaxed);
		if (!s->o.on_match && old < counter)
			continue;
		if (!hashed) {
			char text[FH_CAND_LEN + 1];

			fh_candidate(s->o.base, counter, text);
			fh_sha256(text, FH_CAND_LEN, digest);
			hashed = 1;
		}
		/* The run's prefixes are equal: one test for all, and the
		 * entry's own copy of the prefix when it is enough, since
		 * each table more is a cache miss (about 100,000 of these
		 * with 100,000 prefixes, and little else per hit). */
		if (e->whole ? (word0(digest) & e->mask) != e->value :
			       !fh_prefix_matches(&s->prefixes[e->first],
						  digest))
			continue;
		if (e->single)
			record(s, e->first, counter);
		else
			for (r = s->run[u]; r < s->run[u + 1]; r++)
				record(s, s->order[r], counter);
		while (counter < old && !atomic_compare_exchange_weak(
						&s->run_best[u], &old, counter))
			;
		if (counter < old && old == NONE)
			atomic_fetch_add_explicit(&s->runs_solved, 1,
						  memory_order_relaxed);
	}
}

/* Many prefixes: 1 when each has a match below from.  The exact maximum
 * of best[] takes a pass over them all, so it is kept as a bound (best[]
 * only goes down) and redone only while the bound is not below from. */
static int all_found_below(struct fh_search *s, uint64_t from)
{
	uint64_t max = 0;
	size_t p;

	if (s->o.on_match || atomic_load(&s->unsolved) > 0)
		return 0;
	if (atomic_load(&s->best_bound) < from)
		return 1;
	for (p = 0; p < s->o.n_prefixes; p++) {
		uint64_t b = atomic_load_explicit(&s->best[p],
						  memory_order_relaxed);
		if (b > max)
			max = b;
	}
	atomic_store(&s->best_bound, max);
	return max < from;
}

/* Sets bits lo..hi of a bitmap. */
static void set_bits(uint32_t *bitmap, uint32_t lo, uint32_t hi)
{
	for (; lo <= hi && lo % 32; lo++)
		bitmap[lo / 32] |= 1u << lo % 32;
	for (; lo + 31 <= hi && lo + 31 > lo; lo += 32)
		bitmap[lo / 32] = 0xffffffffu;
	for (; lo <= hi; lo++)
		bitmap[lo / 32] |= 1u << lo % 32;
}

/* Every counter below this has been searched by every thread (NONE once
 * they have all ended): a match found below it is final. */
static uint64_t swept_by_all(struct fh_search *s)
{
	uint64_t min = NONE;
	unsigned t;

	for (t = 0; t < s->o.threads; t++) {
		uint64_t x = atomic_load(&s->workers[t].swept);

		if (x < min)
			min = x;
	}
	return min;
}

static void filter_free(struct filter *f)
{
	if (!f)
		return;
	free(f->bitmap);
	free(f->coarse);
	free(f->rank);
	free(f->fine);
	free(f);
}

/* A filter of the runs with no answer at or below settled (every run
 * when settled is 0 and none has an answer yet), or NULL when memory runs
 * out.  Built from the runs, not copied from the last filter: two passes
 * over them and some 2.5 MiB of fresh tables, a millisecond or so. */
static struct filter *filter_build(struct fh_search *s, uint64_t settled)
{
	struct filter *f = calloc(1, sizeof *f);
	size_t u;

	if (!f)
		return NULL;
	f->bitmap = calloc((size_t)1 << (FH_BITMAP_BITS - 5), sizeof *f->bitmap);
	f->coarse = calloc((size_t)1 << (FH_COARSE_BITS - 5), sizeof *f->coarse);
	f->rank = malloc(((size_t)1 << (FH_COARSE_BITS - 5)) * sizeof *f->rank);
	if (!f->bitmap || !f->coarse || !f->rank)
		goto no_memory;
	for (u = 0; u < s->runs; u++) {
		const struct fh_prefix *p = &s->prefixes[s->order[s->run[u]]];
		uint64_t best = atomic_load(&s->run_best[u]);
		/* a prefix of d digits covers first words value .. value |
		 * ~mask; a coarse bit stands for 16 bitmap bits */
		uint32_t lo = p->value[0] >> (32 - FH_BITMAP_BITS);
		uint32_t hi = (p->value[0] | ~p->mask[0]) >> (32 - FH_BITMAP_BITS);

		if (best != NONE && best <= settled)
			continue;
		f->live++;
		set_bits(f->bitmap, lo, hi);
		set_bits(f->coarse, lo >> (FH_BITMAP_BITS - FH_COARSE_BITS),
			 hi >> (FH_BITMAP_BITS - FH_COARSE_BITS));
	}
	f->fine = malloc(fh_bitmap_fine(f->bitmap, f->coarse, f->rank, NULL) *
			 sizeof *f->fine);
	if (!f->fine)
		goto no_memory;
	fh_bitmap_fine(f->bitmap, f->coarse, f->rank, f->fine);
	return f;
no_memory:
	filter_free(f);
	return NULL;
}

/* Publishes a filter without the runs settled since the last one, when
 * enough are; frees the generations no thread reads any more.  Under
 * s->rebuild. */
static void filter_rebuild(struct fh_search *s)
{
	struct filter *old = atomic_load(&s->filter), *f, **r;
	uint64_t settled = swept_by_all(s), reading = NONE;
	size_t solved = atomic_load(&s->runs_solved), gone = 0, u;
	unsigned t;

	/* The answers found so far are mostly settled already (a thread
	 * sweeps past its finds within a template), but count them: one
	 * thread far behind the others keeps them all in. */
	for (u = 0; u < s->runs; u++) {
		uint64_t best = atomic_load(&s->run_best[u]);

		gone += best != NONE && best <= settled;
	}
	if (s->runs - gone > old->live - old->live / 4 ||
	    !(f = filter_build(s, settled))) {
		/* not worth a new filter yet (or no memory for one, when
		 * the old one serves as well): look again later */
		atomic_store(&s->rebuild_at, solved + old->live / 8 + 1);
		return;
	}
	f->id = old->id + 1;
	f->retired = old;
	atomic_store(&s->filter, f);
	atomic_store(&s->rebuild_at, s->runs - f->live + f->live / 2 + 1);
	for (t = 0; t < s->o.threads; t++) {
		uint64_t id = atomic_load(&s->workers[t].filter_id);

		if (id < reading)
			reading = id;
	}
	for (r = &f->retired; *r && (*r)->id >= reading; r = &(*r)->retired)
		;
	while (*r) {
		struct filter *dead = *r;

		*r = dead->retired;
		filter_free(dead);
	}
}

/* Called before each chunk: a new filter once half of the runs in the
 * current one have an answer.  One thread builds it, the others go on. */
static void maybe_rebuild(struct fh_search *s)
{
	if (!s->entry || s->o.on_match ||
	    atomic_load_explicit(&s->runs_solved, memory_order_relaxed) <
		    atomic_load_explicit(&s->rebuild_at, memory_order_relaxed))
		return;
	if (pthread_mutex_trylock(&s->rebuild))
		return;
	filter_rebuild(s);
	pthread_mutex_unlock(&s->rebuild);
}

/* The filter for a template starting at counter from: the prefixes that
 * could still get a lower answer there (all of them when every match is
 * wanted). */
static void make_filter(struct fh_search *s, struct worker *w,
			uint64_t from, struct fh_filter *f)
{
	size_t p;

	f->n = 0;
	f->bitmap = NULL;
	f->coarse = f->rank = NULL;
	f->fine = NULL;
	f->h0 = NULL;
	if (s->entry) {
		struct filter *g = atomic_load(&s->filter);

		/* said before it is read: see struct filter */
		atomic_store(&w->filter_id, g->id);
		f->bitmap = g->bitmap;
		f->coarse = g->coarse;
		f->rank = g->rank;
		f->fine = g->fine;
		f->h0 = w->h0;
		return;
	}
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
	uint32_t n = 0, i;

	for (g = first / FH_GROUP; g < g_end; g++) {
		unsigned bits = w->hits[g];

		w->hits[g] = 0;
		while (bits) {
			unsigned lane = (unsigned)__builtin_ctz(bits);
			uint32_t j = g * FH_GROUP + lane;

			bits &= bits - 1;
			if (!s->entry) {
				confirm(s, k << 16 | (uint64_t)j);
				continue;
			}
			w->lane[n++] = j;
			__builtin_prefetch(&s->bucket[w->h0[j] >> 16]);
		}
	}
	/* Many prefixes: each lane reads a bucket, then an entry, then the
	 * run's best, three lines in three tables too big for the near
	 * caches, each address known only once the line before it is in.
	 * Walking the lanes of the chunk once per step, prefetching the next
	 * step's line, keeps the misses of all the lanes in flight at once
	 * instead of three in turn a lane.  (With 100,000 6-digit prefixes
	 * one lane in 170 comes here, so this is a few per cent at most.) */
	for (i = 0; i < n; i++)
		__builtin_prefetch(&s->entry[s->bucket[w->h0[w->lane[i]] >> 16]]);
	for (i = 0; i < n; i++) {
		uint32_t b = w->h0[w->lane[i]] >> 16;

		if (s->bucket[b] < s->bucket[b + 1])
			__builtin_prefetch(
				&s->run_best[s->entry[s->bucket[b]].run]);
	}
	for (i = 0; i < n; i++)
		confirm_many(s, k << 16 | w->lane[i], w->h0[w->lane[i]]);
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
		maybe_rebuild(s);
		make_filter(s, w, from, &f);
		if (f.bitmap ? all_found_below(s, from) : f.n == 0)
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
	atomic_store(&w->filter_id, NONE);
	pthread_mutex_lock(&s->lock);
	if (--s->running == 0)
		pthread_cond_broadcast(&s->ended);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* The prefixes are sorted as 64-bit numbers, each the first 10 digits of
 * a prefix (digits it lacks as 0) above its index: a million prefixes
 * sorted through an index to their text took a cache miss a comparison,
 * a third of a start.  Numbers in that order are in the order of the
 * texts: where two texts first differ, so do their numbers, or one text
 * is the start of the other, whose number is then no smaller.  Only
 * prefixes whose first 10 digits are equal need their texts compared. */
#define KEY_INDEX_BITS 22
_Static_assert(FH_MAX_PREFIXES <= (size_t)1 << KEY_INDEX_BITS,
	       "a prefix's index must fit below its sort key");
#define KEY_INDEX(k) ((size_t)((k) & (((uint64_t)1 << KEY_INDEX_BITS) - 1)))

static uint64_t sort_key(const struct fh_prefix *p, size_t i)
{
	uint64_t digits10 = (uint64_t)p->value[0] << 8 | p->value[1] >> 24;

	return digits10 << KEY_INDEX_BITS | i;
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static const struct fh_prefix *sort_prefixes;

/* Keys with equal first 10 digits: by text, then by index, so that equal
 * prefixes keep the order they were given in. */
static int by_text(const void *a, const void *b)
{
	int c = strcmp(sort_prefixes[KEY_INDEX(*(const uint64_t *)a)].hex,
		       sort_prefixes[KEY_INDEX(*(const uint64_t *)b)].hex);

	return c ? c : by_key(a, b);
}

/* s->order: the prefixes sorted by text; s->run: where each run of equal
 * prefixes starts in it.  Returns the number of runs. */
static size_t sort_runs(struct fh_search *s)
{
	static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
	size_t n = s->o.n_prefixes, i, j, u, runs = 0;
	/* the keys, sorted in the place of the indexes they become */
	uint64_t *key = s->order;

	for (i = 0; i < n; i++)
		key[i] = sort_key(&s->prefixes[i], i);
	qsort(key, n, sizeof *key, by_key);
	/* qsort has no argument for the comparison: one sort at a time */
	pthread_mutex_lock(&sort_lock);
	sort_prefixes = s->prefixes;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && key[j] >> KEY_INDEX_BITS ==
					 key[i] >> KEY_INDEX_BITS; j++)
			;
		if (j - i > 1)
			qsort(key + i, j - i, sizeof *key, by_text);
	}
	pthread_mutex_unlock(&sort_lock);
	for (i = 0; i < n; i++)
		if (i == 0 || key[i] >> KEY_INDEX_BITS !=
				      key[i - 1] >> KEY_INDEX_BITS ||
		    strcmp(s->prefixes[KEY_INDEX(key[i])].hex,
			   s->prefixes[KEY_INDEX(key[i - 1])].hex))
			s->run[runs++] = i;
	s->run[runs] = n;
	for (i = 0; i < n; i++)
		s->order[i] = KEY_INDEX(key[i]);
	for (u = 0; u < runs; u++)
		atomic_init(&s->run_best[u], NONE);
	return runs;
}

/* s->entry, the runs by 16-bit bucket, s->bucket[b] the first of bucket
 * b's.  0, or -1 when memory runs out. */
static int fill_entries(struct fh_search *s, size_t runs)
{
	size_t u;
	uint32_t b;

	/* how many runs cover each bucket: a prefix of d digits covers one
	 * 16-bit bucket from 4 digits on, 16^(4 - d) below */
	for (u = 0; u < runs; u++) {
		const struct fh_prefix *p = &s->prefixes[s->order[s->run[u]]];
		uint32_t top = p->value[0] | ~p->mask[0];

		for (b = p->value[0] >> 16; b <= top >> 16; b++)
			s->bucket[b + 1]++;
	}
	for (b = 0; b < 65536; b++)
		s->bucket[b + 1] += s->bucket[b];
	/* entry.run has 30 bits */
	_Static_assert(FH_MAX_PREFIXES <= 1u << 30, "entry.run too narrow");
	s->entry = malloc((s->bucket[65536] + 1) * sizeof *s->entry);
	if (!s->entry)
		return -1;
	for (u = 0; u < runs; u++) {
		const struct fh_prefix *p = &s->prefixes[s->order[s->run[u]]];
		uint32_t top = p->value[0] | ~p->mask[0];

		/* bucket[b] counts up as entries go in, ending at the start
		 * of b + 1; shifted back below */
		for (b = p->value[0] >> 16; b <= top >> 16; b++) {
			struct entry *e = &s->entry[s->bucket[b]++];

			e->mask = p->mask[0];
			e->value = p->value[0];
			e->run = (uint32_t)u;
			e->whole = p->digits <= 8;
			e->single = s->run[u + 1] - s->run[u] == 1;
			e->first = (uint32_t)s->order[s->run[u]];
		}
	}
	for (b = 65536; b > 0; b--)
		s->bucket[b] = s->bucket[b - 1];
	s->bucket[0] = 0;
	return 0;
}

/* The many-prefix filter and index (struct fh_search); 0, or -1 when
 * memory runs out. */
static int build_index(struct fh_search *s)
{
	size_t n = s->o.n_prefixes;
	struct filter *f;

	s->order = malloc(n * sizeof *s->order);
	s->run = malloc((n + 1) * sizeof *s->run);
	s->run_best = malloc(n * sizeof *s->run_best);
	s->bucket = calloc(65537, sizeof *s->bucket);
	if (!s->order || !s->run || !s->run_best || !s->bucket)
		return -1;
	s->runs = sort_runs(s);
	f = filter_build(s, 0);
	if (!f)
		return -1;
	f->id = 1;
	atomic_init(&s->filter, f);
	atomic_init(&s->runs_solved, 0);
	atomic_init(&s->rebuild_at, f->live / 2 + 1);
	return fill_entries(s, s->runs);
}

/* A search for o with every table made, no thread started yet: NULL with
 * errno set when memory runs out. */
static struct fh_search *search_new(const struct fh_search_opts *o)
{
	struct fh_search *s = calloc(1, sizeof *s);
	pthread_condattr_t cattr;
	size_t p;
	unsigned i;

	if (!s)
		return NULL;
	s->o = *o;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->rebuild, NULL);
	/* fh_search_wait's deadline is on the monotonic clock, as every
	 * deadline is: on the wall clock, an NTP step or an operator setting
	 * the clock back an hour would hold the caller's loop (signals,
	 * --timeout, a worker's heartbeats) in one wait for that hour */
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->ended, &cattr);
	pthread_condattr_destroy(&cattr);
	s->prefixes = o->prefixes;
	s->best = malloc(o->n_prefixes * sizeof *s->best);
	s->found_at = calloc(o->n_prefixes, sizeof *s->found_at);
	if (!s->best || !s->found_at)
		goto no_memory;
	s->limit = o->max_tries && o->max_tries < o->hi - o->lo ?
			   o->lo + o->max_tries :
			   o->hi;
	for (p = 0; p < o->n_prefixes; p++)
		atomic_init(&s->best[p], NONE);
	atomic_init(&s->stop, 0);
	atomic_init(&s->unsolved, o->n_prefixes);
	atomic_init(&s->best_bound, NONE);
	if (o->n_prefixes > FH_MAX_FILTERS && build_index(s))
		goto no_memory;
	s->workers = aligned_alloc(CACHE_LINE, o->threads * sizeof *s->workers);
	if (!s->workers)
		goto no_memory;
	memset(s->workers, 0, o->threads * sizeof *s->workers);
	for (i = 0; s->entry && i < o->threads; i++) {
		s->workers[i].h0 = malloc(FH_TEMPLATE_SIZE * sizeof(uint32_t));
		if (!s->workers[i].h0)
			goto no_memory;
	}
	return s;
no_memory:
	fh_search_free(s);
	errno = ENOMEM;
	return NULL;
}

/* Starts every thread of s: 0, or an errno value after stopping the
 * threads already started. */
static int start_threads(struct fh_search *s)
{
	unsigned i;
	int err = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->o.threads; i++) {
		struct worker *w = &s->workers[i];

		w->s = s;
		w->index = i;
		atomic_init(&w->tries, 0);
		atomic_init(&w->swept, s->o.lo);
		err = pthread_create(&w->thread, NULL, worker_main, w);
		if (err) {
			/* Without all its threads the sweep would leave holes
			 * in the range: stop the ones started and fail. */
			atomic_store(&s->stop, 1);
			break;
		}
		w->started = 1;
		s->running++;
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

struct fh_search *fh_search_start(const struct fh_search_opts *o)
{
	struct fh_search *s;
	int err;

	if (o->n_prefixes == 0 || o->n_prefixes > FH_MAX_PREFIXES ||
	    o->threads == 0 || o->lo > o->hi) {
		errno = EINVAL;
		return NULL;
	}
	s = search_new(o);
	if (!s)
		return NULL;
	s->start = fh_now();
	err = start_threads(s);
	if (err) {
		fh_search_free(s);
		errno = err;
		return NULL;
	}
	return s;
}

int fh_search_wait(struct fh_search *s, unsigned ms)
{
	struct timespec until;
	int done;

	clock_gettime(CLOCK_MONOTONIC, &until);
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

	if (best == NONE || s->o.on_match || swept_by_all(s) < best)
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
	struct filter *f, *old;
	unsigned i;

	if (!s)
		return;
	if (s->workers) {
		atomic_store(&s->stop, 1);
		for (i = 0; i < s->o.threads; i++)
			if (s->workers[i].started)
				pthread_join(s->workers[i].thread, NULL);
		for (i = 0; i < s->o.threads; i++)
			free(s->workers[i].h0);
		free(s->workers);
	}
	for (f = s->filter; f; f = old) {
		old = f->retired;
		filter_free(f);
	}
	free(s->order);
	free(s->run);
	free((void *)s->run_best);
	free(s->bucket);
	free(s->entry);
	free((void *)s->best);
	free(s->found_at);
	pthread_cond_destroy(&s->ended);
	pthread_mutex_destroy(&s->rebuild);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
