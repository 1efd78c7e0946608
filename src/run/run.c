/* run.c: one search from start to end, with what the caller does while it
 * runs: the progress line, the timeout, signals, and the caller's tick. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

#define TICK_MS 200
/* 16^18 = 4.7e21, the first count human() cannot show below 1000E. */
#define POWER_DIGITS 18

/* v with a metric suffix; sep goes between number and suffix ("2.6 M" to
 * make "2.6 MH/s", "" to make "524.3k tries"). */
static void human(char *out, size_t size, double v, const char *sep)
{
	static const char *const unit[] = { "", "k", "M", "G", "T", "P", "E" };
	unsigned u = 0;

	while (v >= 1000 && u < 6) {
		v /= 1000;
		u++;
	}
	snprintf(out, size, u ? "%.1f%s%s" : "%.0f%s%s", v, sep, unit[u]);
}

static void duration(char *out, size_t size, double s)
{
	long t;

	if (!(s < 1e6 * 365 * 86400.0)) { /* also NaN */
		snprintf(out, size, "never");
		return;
	}
	t = (long)s;
	if (t >= 365L * 86400)
		snprintf(out, size, "%ldy", t / (365L * 86400));
	else if (t >= 86400)
		snprintf(out, size, "%ldd%02ldh", t / 86400, t / 3600 % 24);
	else if (t >= 3600)
		snprintf(out, size, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(out, size, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(out, size, "%lds", t);
}

/* rate, tries so far, the expected tries 16^digits of the hardest prefix
 * still open, and the time that leaves at this rate. */
static void progress_line(struct fh_search *s, double secs)
{
	const struct fh_search_opts *o = fh_search_options(s);
	double tries = (double)fh_search_tries(s), rate, expect = 1;
	char r[32], t[32], e[32], eta[32];
	unsigned digits = 0, d;
	size_t i;

	for (i = 0; i < o->n_prefixes; i++)
		if (o->prefixes[i].digits > digits)
			digits = o->prefixes[i].digits;
	for (d = 0; d < digits; d++)
		expect *= 16;
	rate = secs > 0 ? tries / secs : 0;
	human(r, sizeof r, rate, " ");
	human(t, sizeof t, tries, "");
	/* Past the E suffix (1000E and up) a number says less than 16^d
	 * and no longer fits the line. */
	if (digits >= POWER_DIGITS)
		snprintf(e, sizeof e, "16^%u", digits);
	else
		human(e, sizeof e, expect, "");
	duration(eta, sizeof eta,
		 rate > 0 && expect > tries ? (expect - tries) / rate : 0);
	fprintf(stderr, "\r%sH/s  %s tries of ~%s expected  ETA %s\033[K", r, t,
		e, eta);
}

enum fh_run_end fh_run_search(struct fh_search *s, const struct fh_common *c,
			      int (*tick)(void *arg), void *arg)
{
	double start = fh_now();
	enum fh_run_end why = FH_RUN_SOLVED;
	int stopped = 0;

	while (!fh_search_wait(s, TICK_MS)) {
		double secs = fh_now() - start;

		if (stopped)
			continue;
		if (fh_signal_caught()) {
			why = FH_RUN_SIGNAL;
		} else if (c->timeout > 0 && secs >= c->timeout) {
			why = FH_RUN_GAVE_UP;
		} else if (tick && tick(arg)) {
			why = FH_RUN_TICK;
		} else {
			if (c->progress)
				progress_line(s, secs);
			continue;
		}
		fh_search_stop(s);
		stopped = 1;
	}
	if (c->progress)
		fputs("\r\033[K", stderr);
	if (stopped && fh_search_end(s) != FH_END_SOLVED)
		return why;
	switch (fh_search_end(s)) {
	case FH_END_SOLVED:
		return FH_RUN_SOLVED;
	case FH_END_EXHAUSTED:
		return FH_RUN_EXHAUSTED;
	case FH_END_BOUND:
		return FH_RUN_GAVE_UP;
	case FH_END_STOPPED:
		break;
	}
	return why;
}

/* The search options for prefixes under c (base, range from the shard,
 * bounds, threads, kernel).  base must outlive the search. */
static void search_opts(struct fh_search_opts *o, const struct fh_common *c,
			const struct fh_prefix *prefixes, size_t n,
			const struct fh_base *base)
{
	memset(o, 0, sizeof *o);
	o->prefixes = prefixes;
	o->n_prefixes = n;
	o->base = base;
	if (c->shards)
		fh_shard_range(c->shard, c->shards, FH_SPACE, &o->lo, &o->hi);
	else
		o->hi = FH_SPACE;
	o->max_tries = c->max_tries;
	o->threads = c->threads;
	o->kernel = c->kernel;
}

int fh_run_start(struct fh_run *r, const struct fh_common *c,
		 const struct fh_prefix *prefixes, size_t n, char *why,
		 size_t whysize)
{
	struct fh_search_opts o;

	r->s = NULL;
	if (fh_base_init(&r->base, c->seeded, c->seed) < 0) {
		snprintf(why, whysize, "cannot draw a random base: %s",
			 strerror(errno));
		return -1;
	}
	search_opts(&o, c, prefixes, n, &r->base);
	r->s = fh_search_start(&o);
	if (!r->s) {
		snprintf(why, whysize, "cannot start %u search threads: %s",
			 c->threads, strerror(errno));
		return -1;
	}
	return 0;
}
