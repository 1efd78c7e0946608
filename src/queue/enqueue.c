/* enqueue.c: --enqueue: validate prefixes, then publish them persistent
 * to a durable queue with publisher confirms. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "fh-exit.h"
#include "run.h"
#include "queue.h"
#include "shard.h"

/* How long the broker may take to confirm the whole batch. */
#define FH_ENQUEUE_CONFIRM_TIMEOUT 120.0

struct list {
	struct fh_prefix *v;
	size_t n, cap;
};

static int add(struct list *l, const char *text, size_t len,
	       const char *where)
{
	const char *why;
	struct fh_prefix p;

	if (fh_prefix_parse(text, len, &p, &why) < 0) {
		char shown[200];

		fh_printable(shown, sizeof shown, text, len, 40);
		fh_err("bad prefix \"%s\" (%s): %s; nothing enqueued", shown,
		       where, why);
		return -1;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct fh_prefix *v = realloc(l->v, cap * sizeof *v);

		if (!v) {
			fh_err("out of memory");
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = p;
	return 0;
}

/* One prefix a line; blank lines are skipped (a file's trailing empty
 * line is not a prefix anyone meant). */
static int read_stdin(struct list *l)
{
	char *line = NULL, where[64];
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int st = 0;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		ssize_t i;

		lineno++;
		for (i = 0; i < len && strchr(" \t\r\n\v\f", line[i]) &&
			    line[i];
		     i++)
			;
		if (i == len)
			continue;
		snprintf(where, sizeof where, "standard input line %zu",
			 lineno);
		if (add(l, line, (size_t)len, where) < 0) {
			st = -1;
			break;
		}
	}
	if (st == 0 && ferror(stdin)) {
		fh_err("reading standard input: %s", strerror(errno));
		st = -1;
	}
	free(line);
	return st;
}

/* A group of more prefixes than this is shown as ranges of positions in
 * the input (#1-6000), not by name: a line must stay readable. */
#define FH_REPORT_NAMES 20

/* What became of prefix i: 0 confirmed, 1 refused, 2 unconfirmed, 3 not
 * sent.  last[i] is the publish tag of prefix i's last message, for the
 * prefixes i < sent that went out whole. */
static int fate(const struct fh_broker *b, const uint64_t *last, size_t sent,
		size_t i)
{
	uint64_t from = i ? last[i - 1] : 0;
	uint64_t to = i < sent ? last[i] : b->published;
	uint64_t acked = 0, nacked = 0;

	if (i > sent || (i == sent && to == from))
		return 3;
	for (uint64_t t = from + 1; t <= to; t++) {
		acked += b->acked[t - 1] == FH_CONFIRM_ACK;
		nacked += b->acked[t - 1] == FH_CONFIRM_NACK;
	}
	return nacked ? 1 : i < sent && acked == to - from ? 0 : 2;
}

/* What became of the prefixes after a failure, as one line: how many are
 * confirmed, and which are in the queue (confirmed), which are not
 * (refused, not sent) and which may be (unconfirmed), so that a rerun
 * with the right ones duplicates nothing. */
static void report(const struct fh_broker *b, const struct list *l,
		   const uint64_t *last, size_t sent)
{
	static const char *const title[] = {
		"confirmed:",
		"refused by the broker:",
		"unconfirmed (perhaps in the queue):",
		"not sent:",
	};
	unsigned char *g = malloc(l->n ? l->n : 1);
	size_t count[4] = { 0 }, len = 0;
	char *text = NULL;
	FILE *f;

	if (!g || !(f = open_memstream(&text, &len))) {
		fh_err("%s (out of memory listing the prefixes)", b->err);
		free(g);
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		count[g[i] = (unsigned char)fate(b, last, sent, i)]++;
	for (int k = 0, first = 1; k < 4; k++) {
		if (!count[k])
			continue;
		fprintf(f, "%s%s", first ? ": " : "; ", title[k]);
		first = 0;
		for (size_t i = 0; i < l->n; i++) {
			size_t j = i;

			if (g[i] != k)
				continue;
			if (count[k] <= FH_REPORT_NAMES) {
				fprintf(f, " %s", l->v[i].hex);
				continue;
			}
			while (j + 1 < l->n && g[j + 1] == k)
				j++;
			if (j > i)
				fprintf(f, " #%zu-%zu", i + 1, j + 1);
			else
				fprintf(f, " #%zu", i + 1);
			i = j;
		}
	}
	fclose(f);
	fh_err("%s (%zu of %zu prefixes confirmed)%s", b->err, count[0], l->n,
	       text);
	free(text);
	free(g);
}

int fh_queue_enqueue(const char *queue, const char **prefixes, int n,
		     const struct fh_common *c)
{
	struct list l = { 0 };
	struct fh_broker b;
	struct fh_url url;
	int st = FH_EXIT_USAGE;
	uint64_t split = 0, *last = NULL;
	size_t sent;
	char where[64];

	fh_signals_install();
	if (!queue || !*queue) {
		fh_err("--queue needs a queue name");
		return FH_EXIT_USAGE;
	}
	if (fh_url_resolve(&url) < 0)
		return FH_EXIT_USAGE;
	if (fh_queue_check_opts(&url, queue, c, 1) < 0)
		goto free_url;
	if (fh_split_arg && fh_split_parse(fh_split_arg, &split) < 0)
		goto free_url;
	/* Every prefix is checked before the first is sent: a typo in the
	 * tenth argument must not leave nine jobs half-enqueued. */
	for (int i = 0; i < n; i++) {
		if (strcmp(prefixes[i], "-") == 0) {
			if (read_stdin(&l) < 0)
				goto free_list;
			continue;
		}
		snprintf(where, sizeof where, "argument %d", i + 1);
		if (add(&l, prefixes[i], strlen(prefixes[i]), where) < 0)
			goto free_list;
	}
	if (l.n == 0) {
		fh_err("--enqueue: no prefixes given (arguments, or - for "
		       "standard input)");
		goto free_list;
	}

	st = fh_broker_open(&b, &url);
	if (st != FH_EXIT_OK)
		goto free_list;
	st = FH_EXIT_BROKER;
	if (fh_broker_ensure_queue(&b, queue) < 0 ||
	    fh_broker_confirms(&b) < 0) {
		fh_err("%s", b.err);
		goto close;
	}
	last = calloc(l.n, sizeof *last);
	if (!last) {
		fh_err("out of memory");
		goto close;
	}
	for (sent = 0; sent < l.n; sent++) {
		if (fh_signal_caught()) {
			/* what was sent may be in the queue: take the
			 * answers still coming, briefly, then say which */
			fh_broker_settle(&b, 2);
			snprintf(b.err, sizeof b.err, "stopped by signal %d",
				 fh_signal_caught());
			report(&b, &l, last, sent);
			st = fh_exit_for_signal(fh_signal_caught());
			goto close;
		}
		if ((split ? fh_shard_publish(&b, queue, &l.v[sent], split, c)
			   : fh_broker_publish(&b, queue,
					       amqp_cstring_bytes(l.v[sent].hex),
					       "text/plain", amqp_empty_bytes)) < 0 ||
		    /* keep the unconfirmed window bounded, and notice a
		     * return or a lost connection early; refusals are
		     * counted at the end */
		    (b.published - b.answered >= 1000 &&
		     fh_broker_settle(&b, FH_ENQUEUE_CONFIRM_TIMEOUT) < 0)) {
			/* the settle failed after a prefix went out whole */
			if (b.published - (sent ? last[sent - 1] : 0) ==
			    (split ? split : 1))
				last[sent++] = b.published;
			report(&b, &l, last, sent);
			goto close;
		}
		last[sent] = b.published;
	}
	if (fh_broker_wait_confirms(&b, FH_ENQUEUE_CONFIRM_TIMEOUT) < 0) {
		report(&b, &l, last, sent);
		goto close;
	}
	if (!c->quiet) {
		if (split)
			fh_err("enqueued %zu prefix%s in %llu shard%s each to "
			       "queue '%s'", l.n, l.n == 1 ? "" : "es",
			       (unsigned long long)split, split == 1 ? "" : "s",
			       queue);
		else
			fh_err("enqueued %zu prefix%s to queue '%s'", l.n,
			       l.n == 1 ? "" : "es", queue);
	}
	st = FH_EXIT_OK;
close:
	free(last);
	fh_broker_close(&b);
free_list:
	free(l.v);
free_url:
	fh_url_free(&url);
	return st;
}
