/* enqueue.c: --enqueue: validate prefixes, then publish them persistent
 * to a durable queue with publisher confirms. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "body.h"
#include "broker.h"
#include "fh-exit.h"
#include "queue.h"
#include "run.h"

/* How long the broker may take to confirm what is published: the whole
 * batch at the end, or the oldest window's worth on the way. */
#define FH_ENQUEUE_CONFIRM_TIMEOUT 120.0
/* How many published messages may wait for their confirms: bounds the
 * memory of both sides, and notices a return or a lost connection
 * early. */
#define FH_CONFIRM_WINDOW 1000

struct list {
	struct fh_prefix *v;
	size_t n, cap;
};

/* Appends one prefix to l: 0; or after one line -1 (a bad prefix: the
 * user's error) or -2 (no memory to hold it: the machine's). */
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
			/* the machine's trouble, not a bad prefix: status
			 * 5, as for standard input that cannot be read */
			fh_err("out of memory for %zu prefixes: %s; nothing "
			       "enqueued", cap, strerror(ENOMEM));
			return -2;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = p;
	return 0;
}

/* The prefixes being read, for add_line. */
struct lines {
	struct list *l;
	int st;                   /* add's status */
};

/* fh_read_lines's callback: one line of standard input, a prefix. */
static int add_line(void *arg, const char *line, size_t len,
		    unsigned long number)
{
	struct lines *r = arg;
	char where[64];

	snprintf(where, sizeof where, "standard input line %lu", number);
	r->st = add(r->l, line, len, where);
	return r->st < 0;
}

/* One prefix a line, blank lines skipped (fh_read_lines).  0; or after
 * one line -1 (a bad prefix, a signal) or -2 (standard input could not
 * be read, or held). */
static int read_stdin(struct list *l)
{
	struct lines r = { l, 0 };
	unsigned long number;
	int err;

	switch (fh_read_lines(stdin, add_line, &r, &number, &err)) {
	case FH_LINES_DONE:
		return 0;
	case FH_LINES_REFUSED:
		return r.st;
	case FH_LINES_SIGNAL:
		fh_err("stopped by signal %d while reading standard input: "
		       "nothing was enqueued", fh_signal_caught());
		return -1;
	case FH_LINES_TOO_LONG:
		fh_err("bad prefix (standard input line %lu): the line is over "
		       "%d bytes, longer than any prefix; nothing enqueued",
		       number, FH_STDIN_LINE_MAX);
		return -1;
	case FH_LINES_ERROR:
	default:
		/* the system's trouble, not a bad prefix: status 5, as
		 * --offline - says it */
		fh_err("reading standard input (line %lu): %s; nothing was "
		       "enqueued", number + 1, strerror(err));
		return -2;
	}
}

/* A group of more prefixes than this is shown as ranges of positions in
 * the input (#1-6000), not by name: a line must stay readable. */
#define FH_REPORT_NAMES 20

/* What became of a prefix, in the order report lists them. */
enum fate { CONFIRMED, REFUSED, RETURNED, UNCONFIRMED, NOT_SENT, FATES };

/* What became of prefix i.  last[i] is the publish tag of prefix i's last
 * message, for the prefixes i < sent that went out whole.  One message of
 * its own refused, or returned (in no queue), is the prefix's fate. */
static enum fate fate(const struct fh_broker *b, const uint64_t *last,
		      size_t sent, size_t i)
{
	uint64_t from = i ? last[i - 1] : 0;
	uint64_t to = i < sent ? last[i] : b->published;
	uint64_t acked = 0, nacked = 0, returned = 0;

	if (i > sent || (i == sent && to == from))
		return NOT_SENT;
	for (uint64_t t = from + 1; t <= to; t++) {
		acked += b->acked[t - 1] == FH_CONFIRM_ACK;
		nacked += b->acked[t - 1] == FH_CONFIRM_NACK;
		returned += b->acked[t - 1] == FH_CONFIRM_RETURN;
	}
	if (nacked)
		return REFUSED;
	if (returned)
		return RETURNED;
	return i < sent && acked == to - from ? CONFIRMED : UNCONFIRMED;
}

/* What became of the prefixes after a failure, as one line: how many are
 * confirmed, and which are in the queue (confirmed), which are not
 * (refused, returned, not sent) and which may be (unconfirmed), so that
 * a rerun with the right ones duplicates nothing. */
static void report(const struct fh_broker *b, const struct list *l,
		   const uint64_t *last, size_t sent)
{
	static const char *const title[FATES] = {
		[CONFIRMED] = "confirmed:",
		[REFUSED] = "refused by the broker:",
		[RETURNED] = "returned, in no queue:",
		[UNCONFIRMED] = "unconfirmed (perhaps in the queue):",
		[NOT_SENT] = "not sent:",
	};
	unsigned char *g = malloc(l->n ? l->n : 1);
	size_t count[FATES] = { 0 }, len = 0;
	char *text = NULL;
	FILE *f;

	if (!g || !(f = open_memstream(&text, &len))) {
		fh_err("%s (out of memory listing the prefixes)", b->err);
		free(g);
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		count[g[i] = (unsigned char)fate(b, last, sent, i)]++;
	for (int k = 0, first = 1; k < FATES; k++) {
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

/* --split n: publishes the n shard bodies of p (persistent, the job id as
 * correlation id).  0, or -1 with b->err. */
static int publish_shards(struct fh_broker *b, const char *queue,
			  const struct fh_prefix *p, uint64_t n,
			  const struct fh_common *c)
{
	struct fh_job j;
	char body[FH_BODY_MAX + 1], id[FH_JOB_ID_MAX];

	memset(&j, 0, sizeof j);
	j.prefix = *p;
	j.sharded = 1;
	j.shards = n;
	/* One seed for all shards of a prefix: the shards partition the
	 * candidates of one base only.  Random per prefix (and per run)
	 * unless --seed fixes it, so that the same prefix enqueued twice is
	 * two jobs with two job ids. */
	if (c->seeded) {
		j.seed = c->seed;
	} else if (getrandom(&j.seed, sizeof j.seed, 0) !=
		   (ssize_t)sizeof j.seed) {
		snprintf(b->err, sizeof b->err, "cannot draw a seed: %s",
			 strerror(errno));
		return -1;
	}
	fh_job_id(&j, id);
	for (j.shard = 0; j.shard < n; j.shard++) {
		int len = fh_body_format(body, sizeof body, &j);

		if (len < 0) {
			snprintf(b->err, sizeof b->err, "shard body too long");
			return -1;
		}
		/* the job id as correlation id: results and notices of the
		 * shards of one prefix all carry it */
		if (fh_broker_publish(b, queue,
				      (amqp_bytes_t){ (size_t)len, body },
				      "text/plain", amqp_cstring_bytes(id)) < 0)
			return -1;
		if (b->published - b->answered >= FH_CONFIRM_WINDOW &&
		    fh_broker_settle(b, FH_ENQUEUE_CONFIRM_TIMEOUT) < 0)
			return -1;
	}
	return 0;
}

/* Checks what --enqueue needs before it reads a prefix: the queue name,
 * the URL, the options, --split.  FH_EXIT_OK, or FH_EXIT_USAGE after one
 * line (and nothing to free). */
static int enqueue_init(const char *queue, const struct fh_common *c,
			struct fh_url *url, uint64_t *split)
{
	if (!queue || !*queue) {
		fh_err("--queue needs a queue name");
		return FH_EXIT_USAGE;
	}
	/* a signal while reading --url-file is a stop */
	if (fh_url_resolve(url, &fh_qopt) < 0)
		return fh_exit_signal_or(FH_EXIT_USAGE);
	if (fh_queue_check_opts(url, queue, c, 1) < 0 ||
	    (fh_qopt.split && fh_split_parse(fh_qopt.split, split) < 0)) {
		fh_url_free(url);
		return FH_EXIT_USAGE;
	}
	return FH_EXIT_OK;
}

/* Every prefix is checked before the first is sent: a typo in the tenth
 * argument must not leave nine jobs half-enqueued.  FH_EXIT_OK, or an
 * exit status after one line: a bad prefix is a usage error, standard
 * input that cannot be read a system error, a signal a stop. */
static int collect(struct list *l, const char **prefixes, int n)
{
	char where[64];

	for (int i = 0; i < n; i++) {
		int st;

		if (strcmp(prefixes[i], "-") == 0) {
			st = read_stdin(l);

			if (st == -2)
				return FH_EXIT_SYSTEM;
			if (st < 0)
				return fh_exit_signal_or(FH_EXIT_USAGE);
			continue;
		}
		snprintf(where, sizeof where, "argument %d", i + 1);
		st = add(l, prefixes[i], strlen(prefixes[i]), where);
		if (st == -2)
			return FH_EXIT_SYSTEM;
		if (st < 0)
			return fh_exit_signal_or(FH_EXIT_USAGE);
	}
	if (l->n == 0) {
		fh_err("--enqueue: no prefixes given (arguments, or - for "
		       "standard input)");
		return FH_EXIT_USAGE;
	}
	return FH_EXIT_OK;
}

/* Publishes every prefix (split ones as split shard bodies), noting in
 * last[i] the publish tag of prefix i's last message, and waits for the
 * confirms.  FH_EXIT_OK, or an exit status after one line that says
 * which prefixes are in the queue. */
static int publish_all(struct fh_broker *b, const char *queue,
		       const struct list *l, uint64_t split,
		       const struct fh_common *c, uint64_t *last)
{
	size_t sent;

	for (sent = 0; sent < l->n; sent++) {
		if (fh_signal_caught()) {
			/* what was sent may be in the queue: take the
			 * answers still coming, briefly, then say which */
			fh_broker_settle_after_signal(b, FH_SIGNAL_SETTLE);
			snprintf(b->err, sizeof b->err, "stopped by signal %d",
				 fh_signal_caught());
			report(b, l, last, sent);
			return fh_exit_for_signal(fh_signal_caught());
		}
		if ((split ? publish_shards(b, queue, &l->v[sent], split, c)
			   : fh_broker_publish(b, queue,
					       amqp_cstring_bytes(l->v[sent].hex),
					       "text/plain", amqp_empty_bytes)) < 0 ||
		    /* refusals are counted at the end */
		    (b->published - b->answered >= FH_CONFIRM_WINDOW &&
		     fh_broker_settle(b, FH_ENQUEUE_CONFIRM_TIMEOUT) < 0)) {
			/* the settle failed after a prefix went out whole */
			if (b->published - (sent ? last[sent - 1] : 0) ==
			    (split ? split : 1))
				last[sent++] = b->published;
			report(b, l, last, sent);
			return fh_exit_signal_or(fh_broker_failure(b));
		}
		last[sent] = b->published;
	}
	if (fh_broker_wait_confirms(b, FH_ENQUEUE_CONFIRM_TIMEOUT) < 0) {
		report(b, l, last, sent);
		return fh_exit_signal_or(fh_broker_failure(b));
	}
	return FH_EXIT_OK;
}

/* The dead-letter queue of an input queue --enqueue creates is named after
 * it, with this suffix. */
#define FH_DEAD_SUFFIX ".dead"

/* Makes sure the input queue exists.  A queue that exists is used as it
 * stands: declared again with other arguments it would be refused (406,
 * closing the channel), and where it sends what a worker rejects is its
 * owner's choice (a policy).  An absent one is created with a dead-letter
 * path: a worker rejects a poison message without requeue, and a queue
 * with no dead-letter exchange drops it without a trace.  The path is
 * queue arguments (the default exchange, routing key NAME.dead), so the
 * one Kubernetes Job that enqueues sets it up; as arguments they override
 * a policy's dead-letter keys.  The dead-letter queue is made first,
 * durable, when absent: nothing is dead-lettered before it is there.
 * dead gets its name when the input queue was created here, else "".
 * FH_EXIT_OK, or an exit status after one line. */
static int ensure_input_queue(struct fh_broker *b, const char *queue,
			      char dead[FH_QUEUE_NAME_MAX + 1])
{
	amqp_table_entry_t dlx[2] = {
		{ .key = amqp_cstring_bytes("x-dead-letter-exchange"),
		  .value = { .kind = AMQP_FIELD_KIND_UTF8,
			     .value = { .bytes = amqp_cstring_bytes("") } } },
		{ .key = amqp_cstring_bytes("x-dead-letter-routing-key"),
		  .value = { .kind = AMQP_FIELD_KIND_UTF8 } },
	};
	size_t len = strlen(queue);
	int st;

	dead[0] = '\0';
	st = fh_broker_queue_exists(b, queue);
	if (st == 1)
		return FH_EXIT_OK;
	if (st < 0) {
		fh_err("%s", b->err);
		return fh_broker_failure(b);
	}
	/* a longer name would leave the queue without a dead-letter path:
	 * refused, though only now that it has to be created (an existing
	 * queue of that name is fine) */
	if (len + strlen(FH_DEAD_SUFFIX) > FH_QUEUE_NAME_MAX) {
		fh_err("queue '%s' does not exist, and its %zu-byte name "
		       "leaves no room for its dead-letter queue's "
		       "(NAME" FH_DEAD_SUFFIX ", at most %d bytes): declare the "
		       "queue first, or take a name of at most %zu bytes; "
		       "nothing enqueued", queue, len, FH_QUEUE_NAME_MAX,
		       FH_QUEUE_NAME_MAX - strlen(FH_DEAD_SUFFIX));
		return FH_EXIT_USAGE;
	}
	snprintf(dead, FH_QUEUE_NAME_MAX + 1, "%s" FH_DEAD_SUFFIX, queue);
	dlx[1].value.value.bytes = amqp_cstring_bytes(dead);
	if (fh_broker_ensure_queue(b, dead) < 0 ||
	    (st = fh_broker_create_queue(b, queue,
					 (amqp_table_t){ 2, dlx })) < 0) {
		fh_err("%s", b->err);
		return fh_broker_failure(b);
	}
	/* 0: another client created it meanwhile, as it chose */
	if (st == 0)
		dead[0] = '\0';
	return FH_EXIT_OK;
}

/* Connects, makes sure the queue is there, publishes, confirms.  Returns
 * the exit status. */
static int enqueue(const char *queue, const struct list *l, uint64_t split,
		   const struct fh_common *c, const struct fh_url *url)
{
	struct fh_broker b;
	uint64_t *last = NULL;
	char dead[FH_QUEUE_NAME_MAX + 1], created[FH_QUEUE_NAME_MAX + 64];
	int st;

	st = fh_broker_open(&b, url, &fh_qopt);
	if (st != FH_EXIT_OK)
		return st;
	st = ensure_input_queue(&b, queue, dead);
	if (st != FH_EXIT_OK) {
		/* said */
	} else if (fh_broker_confirms(&b) < 0) {
		fh_err("%s", b.err);
		st = FH_EXIT_BROKER;
	} else if (!(last = calloc(l->n, sizeof *last))) {
		fh_err("out of memory for %zu prefixes: %s; nothing enqueued",
		       l->n, strerror(ENOMEM));
		st = FH_EXIT_SYSTEM;
	} else if (fh_broker_guard(&b, 0, FH_SIGNAL_GRACE) < 0) {
		fh_err("%s; nothing enqueued", b.err);
		st = fh_broker_failure(&b);
	} else {
		/* a broker that blocks publishers stops reading: a publish
		 * can then wait on a full socket for as long as the alarm
		 * lasts, and only the guard ends it on a signal */
		st = publish_all(&b, queue, l, split, c, last);
		fh_broker_unguard(&b, "publishing");
	}
	/* where rejected messages go, when we know it */
	created[0] = '\0';
	if (*dead)
		snprintf(created, sizeof created,
			 " (created; rejected messages go to queue '%s')",
			 dead);
	if (st == FH_EXIT_OK && split)
		fh_note("enqueued %zu prefix%s in %" PRIu64 " shard%s each to "
			"queue '%s'%s", l->n, l->n == 1 ? "" : "es", split,
			split == 1 ? "" : "s", queue, created);
	else if (st == FH_EXIT_OK)
		fh_note("enqueued %zu prefix%s to queue '%s'%s", l->n,
			l->n == 1 ? "" : "es", queue, created);
	free(last);
	fh_broker_close(&b);
	return st;
}

int fh_queue_enqueue(const char *queue, const char **prefixes, int n,
		     const struct fh_common *c)
{
	struct list l = { 0 };
	struct fh_url url;
	uint64_t split = 0;
	int st;

	fh_signals_install();
	st = enqueue_init(queue, c, &url, &split);
	if (st != FH_EXIT_OK)
		return st;
	st = collect(&l, prefixes, n);
	if (st == FH_EXIT_OK)
		st = enqueue(queue, &l, split, c, &url);
	free(l.v);
	fh_url_free(&url);
	return st;
}
