/* enqueue.c: --enqueue: validate prefixes, then publish them persistent
 * to a durable queue with publisher confirms. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "fh-exit.h"
#include "output.h"
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

/* What became of the prefixes sent before a failure, as one line: which
 * are in the queue (confirmed), which are not (refused, not sent) and
 * which may be (unconfirmed), so that a rerun with the right ones
 * duplicates nothing.  last[i] is the publish tag of prefix i's last
 * message, for the sent prefixes i < sent. */
static void report(const struct fh_broker *b, const struct list *l,
		   const uint64_t *last, size_t sent)
{
	static const char *const title[] = {
		"confirmed:",
		"refused by the broker:",
		"unconfirmed (perhaps in the queue):",
		"not sent:",
	};
	char *text[4] = { 0 };
	size_t len[4] = { 0 }, count[4] = { 0 };
	FILE *f[4];

	for (int k = 0; k < 4; k++)
		if (!(f[k] = open_memstream(&text[k], &len[k]))) {
			fh_err("%s (out of memory listing the prefixes)",
			       b->err);
			while (k-- > 0) {
				fclose(f[k]);
				free(text[k]);
			}
			return;
		}
	for (size_t i = 0; i < l->n; i++) {
		uint64_t from = i ? last[i - 1] : 0;
		uint64_t to = i < sent ? last[i] : b->published;
		int k = i < sent ? 0 : 2, acked = 0, nacked = 0;

		if (i > sent || (i == sent && to == from)) {
			k = 3;
		} else {
			for (uint64_t t = from + 1; t <= to; t++) {
				acked += b->acked[t - 1] == FH_CONFIRM_ACK;
				nacked += b->acked[t - 1] == FH_CONFIRM_NACK;
			}
			k = nacked ? 1
			    : i < sent && acked == (int)(to - from) ? 0
								     : 2;
		}
		fprintf(f[k], " %s", l->v[i].hex);
		count[k]++;
	}
	for (int k = 0; k < 4; k++)
		fclose(f[k]);
	fh_err("%s; of %zu prefixes, %s%s%s%s%s%s%s%s%s%s%s", b->err, l->n,
	       count[0] ? title[0] : "", count[0] ? text[0] : "",
	       count[0] && count[1] + count[2] + count[3] ? "; " : "",
	       count[1] ? title[1] : "", count[1] ? text[1] : "",
	       count[1] && count[2] + count[3] ? "; " : "",
	       count[2] ? title[2] : "", count[2] ? text[2] : "",
	       count[2] && count[3] ? "; " : "",
	       count[3] ? title[3] : "", count[3] ? text[3] : "");
	for (int k = 0; k < 4; k++)
		free(text[k]);
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
