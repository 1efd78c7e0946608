/* shard.c: one hard prefix across many queue workers: the shard body
 * format, and the solved notice that stops every worker of a prefix once
 * one of them has the answer. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <amqp.h>
#include <amqp_framing.h>

#include "broker.h"
#include "fh-exit.h"
#include "run.h"
#include "shard.h"

char *fh_split_arg;

/* --- the body format ---------------------------------------------------- */

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

/* Only space and tab separate words: a newline inside a body is no
 * separator anyone means, so it stays in its word and spoils it. */
static int is_sep(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* A decimal number below 2^64, digits only (no sign, no 0x: the enqueuer
 * writes plain decimal, and a body that differs was not written by it). */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int fh_body_parse(const char *body, size_t len, struct fh_job *out,
		  const char **why)
{
	const char *word[4];
	size_t wlen[4], start = 0, end = len, i, nw = 0;
	const char *slash;

	memset(out, 0, sizeof *out);
	while (start < end && is_space(body[start]))
		start++;
	while (end > start && is_space(body[end - 1]))
		end--;
	for (i = start; i < end && !is_sep(body[i]); i++)
		;
	if (i == end)
		/* One word: a bare prefix, parsed exactly as before shard
		 * bodies existed, so its poison phrases stay the same. */
		return fh_prefix_parse(body, len, &out->prefix, why);

	/* Several words make a shard body only when the first is a prefix:
	 * any other text or binary with a space in it is just not a prefix,
	 * and saying that is more use than a shard body's length limit. */
	if (fh_prefix_parse(body + start, i - start, &out->prefix, why) < 0) {
		*why = "not a prefix, nor a shard body (its first word is no "
		       "prefix)";
		return -1;
	}
	if (end - start > FH_BODY_MAX) {
		*why = "a shard body is at most 200 bytes";
		return -1;
	}
	for (i = start; i < end;) {
		size_t j = i;

		while (j < end && !is_sep(body[j]))
			j++;
		if (nw == 3) {
			*why = "more than 3 words (a shard body is PREFIX I/N "
			       "SEED)";
			return -1;
		}
		word[nw] = body + i;
		wlen[nw++] = j - i;
		while (j < end && is_sep(body[j]))
			j++;
		i = j;
	}
	if (nw != 3) {
		*why = "2 words (a shard body is PREFIX I/N SEED)";
		return -1;
	}
	if (fh_prefix_parse(word[0], wlen[0], &out->prefix, why) < 0)
		return -1;
	slash = memchr(word[1], '/', wlen[1]);
	if (!slash ||
	    parse_u64(word[1], (size_t)(slash - word[1]), &out->shard) < 0 ||
	    parse_u64(slash + 1, wlen[1] - (size_t)(slash - word[1]) - 1,
		      &out->shards) < 0) {
		*why = "the shard is not I/N (decimal numbers)";
		return -1;
	}
	if (out->shards == 0 || out->shards > FH_SHARDS_MAX) {
		*why = "the shard count N is not 1 to 2^40";
		return -1;
	}
	if (out->shard >= out->shards) {
		*why = "the shard I/N has I not less than N";
		return -1;
	}
	if (parse_u64(word[2], wlen[2], &out->seed) < 0) {
		*why = "the seed is not a decimal number below 2^64";
		return -1;
	}
	out->sharded = 1;
	return 0;
}

int fh_body_format(char *out, size_t size, const struct fh_job *j)
{
	int n = snprintf(out, size, "%s %" PRIu64 "/%" PRIu64 " %" PRIu64,
			 j->prefix.hex, j->shard, j->shards, j->seed);

	return n < 0 || (size_t)n >= size ? -1 : n;
}

void fh_job_id(const struct fh_job *j, char out[FH_JOB_ID_MAX])
{
	snprintf(out, FH_JOB_ID_MAX, "%s.%" PRIu64, j->prefix.hex, j->seed);
}

void fh_job_common(const struct fh_common *c, const struct fh_job *j,
		   struct fh_common *out)
{
	*out = *c;
	if (!j->sharded)
		return;
	/* The body's seed must win over --seed: the N shards of a prefix
	 * partition the space only when all use the seed the enqueuer
	 * drew. */
	out->seeded = 1;
	out->seed = j->seed;
	out->shard = j->shard;
	out->shards = j->shards;
}

int fh_split_parse(const char *text, uint64_t *n)
{
	if (parse_u64(text, strlen(text), n) < 0 || *n < 1 ||
	    *n > FH_SPLIT_MAX) {
		char shown[64];

		fh_printable(shown, sizeof shown, text, strlen(text), 20);
		fh_err("--split: '%s' is not a number of shards from 1 to %d",
		       shown, FH_SPLIT_MAX);
		return -1;
	}
	return 0;
}

/* --- the solved notice ---------------------------------------------------
 *
 * Why a connection of its own: the work connection's frames are read by
 * broker.c (heartbeats, a channel close, publisher confirms), which drops
 * any frame it did not ask for; a notice consumer on that connection would
 * have its deliveries read by whichever loop came first, and rabbitmq-c
 * 0.11 has no way to hand a frame back.  On a second connection every
 * frame is ours: one basic.deliver on the consumer channel means "solved",
 * and a channel close from a marker check (404) can never take the work
 * channel or its unacknowledged shard message with it.  The cost is one
 * more TCP (TLS) connection per shard worker, made only for shard bodies.
 *
 * Why both a notice and a marker: the notice reaches the workers searching
 * now, within one tick (~200 ms); the marker (a durable, self-expiring
 * queue named after the job) reaches the workers that take a shard later:
 * the rest of the shards when there are more shards than pods, and a
 * redelivered shard.  A worker subscribes first and looks for the marker
 * second, and the solver makes the marker first and announces second, so
 * a solve can never fall between the two: either the marker is there when
 * the worker looks, or the notice comes after it subscribed. */

struct fh_notice {
	struct fh_broker b;      /* channel 1: the consumer */
	amqp_channel_t next_ch;  /* for short-lived channels */
	char id[FH_JOB_ID_MAX];
	char marker[sizeof FH_SOLVED_MARKER + FH_JOB_ID_MAX];
	enum fh_notice_state state;
	int lost;                /* connection gone: said once */
	int cancelled;           /* subscription cancelled: said once */
};

static void rpc_error(struct fh_notice *n, amqp_rpc_reply_t r,
		      const char *what, char *err, size_t errsize)
{
	fh_broker_reply_error(&n->b, r, what);
	snprintf(err, errsize, "%s", n->b.err);
}

/* Opens a fresh channel for one job: 0, or -1 with err. */
static int open_channel(struct fh_notice *n, amqp_channel_t *ch, char *err,
			size_t errsize)
{
	amqp_rpc_reply_t r;

	*ch = n->next_ch++;
	amqp_channel_open(n->b.conn, *ch);
	r = amqp_get_rpc_reply(n->b.conn);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		rpc_error(n, r, "opening a notice channel", err, errsize);
		return -1;
	}
	return 0;
}

/* The marker exists: 1, it does not: 0, error: -1 with err.  A passive
 * declare of a missing queue closes its channel (404), hence a channel
 * just for this. */
static int marker_exists(struct fh_notice *n, char *err, size_t errsize)
{
	amqp_channel_t ch;
	amqp_rpc_reply_t r;

	if (open_channel(n, &ch, err, errsize) < 0)
		return -1;
	amqp_queue_declare(n->b.conn, ch, amqp_cstring_bytes(n->marker), 1, 0,
			   0, 0, amqp_empty_table);
	r = amqp_get_rpc_reply(n->b.conn);
	if (r.reply_type == AMQP_RESPONSE_NORMAL) {
		amqp_channel_close(n->b.conn, ch, AMQP_REPLY_SUCCESS);
		return 1;
	}
	if (r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
	    r.reply.id == AMQP_CHANNEL_CLOSE_METHOD &&
	    ((amqp_channel_close_t *)r.reply.decoded)->reply_code ==
		    AMQP_NOT_FOUND) {
		amqp_channel_close_ok_t ok;

		amqp_send_method(n->b.conn, ch, AMQP_CHANNEL_CLOSE_OK_METHOD,
				 &ok);
		return 0;
	}
	rpc_error(n, r, "looking for the solved marker", err, errsize);
	return -1;
}

enum fh_notice_state fh_notice_open(struct fh_notice **out,
				    const struct fh_url *url,
				    const struct fh_job *j, char *err,
				    size_t errsize)
{
	struct fh_notice *n = calloc(1, sizeof *n);
	amqp_connection_state_t conn;
	amqp_queue_declare_ok_t *q;
	amqp_bytes_t qname;
	amqp_rpc_reply_t r;
	int st;

	*out = NULL;
	if (!n) {
		snprintf(err, errsize, "out of memory");
		return FH_NOTICE_ERROR;
	}
	fh_job_id(j, n->id);
	snprintf(n->marker, sizeof n->marker, "%s%s", FH_SOLVED_MARKER, n->id);
	/* fh_broker_open says on stderr why it failed */
	if (fh_broker_open(&n->b, (struct fh_url *)url) != 0) {
		snprintf(err, errsize, "no connection for the solved notice");
		free(n);
		return FH_NOTICE_ERROR;
	}
	conn = n->b.conn;
	n->next_ch = n->b.ch + 1;
	/* Declared by every worker, so that neither a solver nor a listener
	 * depends on the other having come first; durable, so that it
	 * outlives a broker restart like the queues it serves. */
	amqp_exchange_declare(conn, n->b.ch,
			      amqp_cstring_bytes(FH_SOLVED_EXCHANGE),
			      amqp_cstring_bytes("topic"), 0, 1, 0, 0,
			      amqp_empty_table);
	r = amqp_get_rpc_reply(conn);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		rpc_error(n, r, "declaring exchange '" FH_SOLVED_EXCHANGE "'",
			  err, errsize);
		goto fail;
	}
	/* Server-named, exclusive, auto-delete: it lives exactly as long as
	 * this connection, so a killed worker leaves nothing behind. */
	q = amqp_queue_declare(conn, n->b.ch, amqp_empty_bytes, 0, 0, 1, 1,
			       amqp_empty_table);
	r = amqp_get_rpc_reply(conn);
	if (r.reply_type != AMQP_RESPONSE_NORMAL || !q) {
		rpc_error(n, r, "declaring the notice queue", err, errsize);
		goto fail;
	}
	qname = amqp_bytes_malloc_dup(q->queue);
	if (!qname.bytes) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	amqp_queue_bind(conn, n->b.ch, qname,
			amqp_cstring_bytes(FH_SOLVED_EXCHANGE),
			amqp_cstring_bytes(n->id), amqp_empty_table);
	r = amqp_get_rpc_reply(conn);
	if (r.reply_type == AMQP_RESPONSE_NORMAL) {
		/* no_ack: a notice needs no acknowledgement, it only says
		 * something that the marker says durably anyway */
		amqp_basic_consume(conn, n->b.ch, qname, amqp_empty_bytes, 0,
				   1, 1, amqp_empty_table);
		r = amqp_get_rpc_reply(conn);
	}
	amqp_bytes_free(qname);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		rpc_error(n, r, "listening for the solved notice", err,
			  errsize);
		goto fail;
	}
	st = marker_exists(n, err, errsize);
	if (st < 0)
		goto fail;
	n->state = st ? FH_NOTICE_SOLVED : FH_NOTICE_OPEN;
	*out = n;
	return n->state;
fail:
	fh_notice_close(n);
	return FH_NOTICE_ERROR;
}

/* One frame that came on the notice connection. */
static void notice_frame(struct fh_notice *n, const amqp_frame_t *f)
{
	const amqp_method_t *m = &f->payload.method;

	if (f->frame_type != AMQP_FRAME_METHOD)
		return;
	if (m->id == AMQP_BASIC_DELIVER_METHOD) {
		const amqp_basic_deliver_t *d = m->decoded;
		amqp_message_t msg;
		int ours = d->routing_key.len == strlen(n->id) &&
			   memcmp(d->routing_key.bytes, n->id,
				  d->routing_key.len) == 0;

		/* header and body follow: read them off (rabbitmq-c queues
		 * frames of other channels meanwhile) */
		if (amqp_read_message(n->b.conn, f->channel, &msg, 0)
			    .reply_type == AMQP_RESPONSE_NORMAL)
			amqp_destroy_message(&msg);
		/* the binding has no wildcard, so only the job's notice can
		 * come; the check guards against an operator's binding */
		if (ours)
			n->state = FH_NOTICE_SOLVED;
		return;
	}
	if (m->id == AMQP_BASIC_CANCEL_METHOD) {
		/* The broker ended the subscription: its queue was deleted
		 * (an operator, a policy).  No notice can come now, but the
		 * connection stands: the marker check and the announcement
		 * of our own answer still work, so only say it. */
		if (!n->cancelled)
			fh_err("solved notice: the broker cancelled the "
			       "subscription (its queue was deleted?); "
			       "searching on without early stop");
		n->cancelled = 1;
		return;
	}
	if (m->id == AMQP_CHANNEL_CLOSE_METHOD ||
	    m->id == AMQP_CONNECTION_CLOSE_METHOD) {
		amqp_rpc_reply_t r;

		r.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
		r.reply = *m;
		r.library_error = 0;
		fh_broker_reply_error(&n->b, r, "solved notice");
		n->b.dead = 1;
	}
}

enum fh_notice_state fh_notice_poll(struct fh_notice *n)
{
	while (!n->b.dead && n->state == FH_NOTICE_OPEN) {
		amqp_frame_t f;
		struct timeval tv = { 0, 0 };
		int st = amqp_simple_wait_frame_noblock(n->b.conn, &f, &tv);

		if (st == AMQP_STATUS_TIMEOUT)
			break;
		if (st != AMQP_STATUS_OK) {
			snprintf(n->b.err, sizeof n->b.err,
				 "solved notice: connection lost: %s",
				 amqp_error_string2(st));
			n->b.dead = 1;
			break;
		}
		notice_frame(n, &f);
		amqp_maybe_release_buffers(n->b.conn);
	}
	if (n->b.dead && !n->lost) {
		n->lost = 1;
		fh_err("%s; searching on without early stop", n->b.err);
	}
	return n->state;
}

int fh_notice_announce(struct fh_notice *n, char *err, size_t errsize)
{
	amqp_table_entry_t ttl;
	amqp_table_t args;
	amqp_channel_t ch;
	amqp_rpc_reply_t r;
	int st;

	if (n->b.dead) {
		snprintf(err, errsize, "%s", n->b.err);
		return -1;
	}
	if (open_channel(n, &ch, err, errsize) < 0)
		return -1;
	/* The marker first: it is what a worker taking a shard later
	 * trusts, so it must exist before anyone acts on the notice. */
	ttl.key = amqp_cstring_bytes("x-expires");
	ttl.value.kind = AMQP_FIELD_KIND_I32;
	ttl.value.value.i32 = FH_SOLVED_MARKER_TTL_MS;
	args.num_entries = 1;
	args.entries = &ttl;
	amqp_queue_declare(n->b.conn, ch, amqp_cstring_bytes(n->marker), 0, 1,
			   0, 0, args);
	r = amqp_get_rpc_reply(n->b.conn);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		rpc_error(n, r, "making the solved marker", err, errsize);
		return -1;
	}
	/* Not mandatory: when every other worker is done, no queue is bound
	 * and the notice rightly goes nowhere. */
	st = amqp_basic_publish(n->b.conn, ch,
				amqp_cstring_bytes(FH_SOLVED_EXCHANGE),
				amqp_cstring_bytes(n->id), 0, 0, NULL,
				amqp_cstring_bytes(n->id));
	if (st != AMQP_STATUS_OK) {
		snprintf(err, errsize, "announcing the answer: %s",
			 amqp_error_string2(st));
		n->b.dead = 1;
		return -1;
	}
	/* channel.close-ok comes after the broker has routed the notice */
	r = amqp_channel_close(n->b.conn, ch, AMQP_REPLY_SUCCESS);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		rpc_error(n, r, "announcing the answer", err, errsize);
		return -1;
	}
	return 0;
}

void fh_notice_close(struct fh_notice *n)
{
	if (!n)
		return;
	fh_broker_close(&n->b);
	free(n);
}

/* --- what becomes of a shard message that is not solved here ------------- */

static int ack(struct fh_broker *b, uint64_t tag, const struct fh_job *j)
{
	int st;

	if (b->dead || b->chan_dead) {
		fh_err("prefix %s (shard %" PRIu64 "/%" PRIu64 "): %s; the "
		       "broker requeues the message",
		       j->prefix.hex, j->shard, j->shards, b->err);
		return FH_EXIT_BROKER;
	}
	st = amqp_basic_ack(b->conn, b->ch, tag, 0);
	if (st != AMQP_STATUS_OK) {
		b->dead = 1;
		fh_err("acknowledging prefix %s (shard %" PRIu64 "/%" PRIu64
		       "): %s; the broker will redeliver it",
		       j->prefix.hex, j->shard, j->shards,
		       amqp_error_string2(st));
		return FH_EXIT_BROKER;
	}
	return FH_EXIT_OK;
}

int fh_shard_done_elsewhere(struct fh_broker *b, uint64_t tag,
			    const struct fh_job *j, int quiet)
{
	/* Acked, not rejected: the shard's work is done, by another pod;
	 * given back, it would only be taken and acked again. */
	int st = ack(b, tag, j);

	if (st == FH_EXIT_OK && !quiet)
		fh_err("%s: solved by another worker (shard %" PRIu64
		       "/%" PRIu64 ")",
		       j->prefix.hex, j->shard, j->shards);
	return st;
}

int fh_shard_exhausted(struct fh_broker *b, uint64_t tag,
		       const struct fh_job *j, uint64_t tries)
{
	/* Acked, not requeued: the shard was searched to its end, and with
	 * its seed and range fixed by the body, searching it again would
	 * look at the very same candidates and find nothing again, forever.
	 * The exit status still says that this pod found no answer. */
	int st = ack(b, tag, j);

	if (st != FH_EXIT_OK)
		return st;
	fh_err("%s: not found in this shard (shard %" PRIu64 "/%" PRIu64
	       ", %" PRIu64 " tries); message acknowledged: the shard is "
	       "searched",
	       j->prefix.hex, j->shard, j->shards, tries);
	return FH_EXIT_NOT_FOUND;
}

/* --- --enqueue --split ----------------------------------------------------- */

/* How many published messages may wait for their confirms. */
#define FH_SPLIT_WINDOW 1000
#define FH_SPLIT_CONFIRM_TIMEOUT 120.0

int fh_shard_publish(struct fh_broker *b, const char *queue,
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
		if (b->published - b->answered >= FH_SPLIT_WINDOW &&
		    fh_broker_settle(b, FH_SPLIT_CONFIRM_TIMEOUT) < 0)
			return -1;
	}
	return 0;
}
