/* notice.c: the solved notice of a shard job, that stops every worker of
 * a prefix once one of them has the answer. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rabbitmq.h"

#include "body.h"
#include "broker.h"
#include "fh-exit.h"
#include "notice.h"
#include "run.h"

/* Why a connection of its own: the work connection's frames are read by
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
	double lost_at;          /* connection gone (fh_now()), or 0 */
	int lost_said;           /* ... and said, once */
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

/* Declares the exchange, and a queue of our own bound to the job's
 * routing key, and subscribes to it: 0, or -1 with err. */
static int listen_for_notice(struct fh_notice *n, char *err, size_t errsize)
{
	amqp_connection_state_t conn = n->b.conn;
	amqp_queue_declare_ok_t *q;
	amqp_bytes_t qname;
	amqp_rpc_reply_t r;

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
		return -1;
	}
	/* Server-named, exclusive, auto-delete: it lives exactly as long as
	 * this connection, so a killed worker leaves nothing behind. */
	q = amqp_queue_declare(conn, n->b.ch, amqp_empty_bytes, 0, 0, 1, 1,
			       amqp_empty_table);
	r = amqp_get_rpc_reply(conn);
	if (r.reply_type != AMQP_RESPONSE_NORMAL || !q) {
		rpc_error(n, r, "declaring the notice queue", err, errsize);
		return -1;
	}
	qname = amqp_bytes_malloc_dup(q->queue);
	if (!qname.bytes) {
		snprintf(err, errsize, "out of memory");
		return -1;
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
		return -1;
	}
	return 0;
}

enum fh_notice_state fh_notice_open(struct fh_notice **out,
				    const struct fh_url *url,
				    const struct fh_queue_opts *opt,
				    const struct fh_job *j, char *err,
				    size_t errsize, int *status)
{
	struct fh_notice *n = calloc(1, sizeof *n);
	int st;

	*out = NULL;
	if (!n) {
		snprintf(err, errsize, "out of memory");
		*status = FH_EXIT_SYSTEM;
		return FH_NOTICE_ERROR;
	}
	fh_job_id(j, n->id);
	snprintf(n->marker, sizeof n->marker, "%s%s", FH_SOLVED_MARKER, n->id);
	/* fh_broker_open says on stderr why it failed */
	if ((st = fh_broker_open(&n->b, url, opt)) != FH_EXIT_OK) {
		snprintf(err, errsize, "no connection for the solved notice");
		*status = st;
		free(n);
		return FH_NOTICE_ERROR;
	}
	n->next_ch = n->b.ch + 1;
	/* subscribe first, look for the marker second (see above) */
	if (listen_for_notice(n, err, errsize) < 0 ||
	    (st = marker_exists(n, err, errsize)) < 0) {
		*status = FH_EXIT_BROKER;
		fh_notice_close(n);
		return FH_NOTICE_ERROR;
	}
	n->state = st ? FH_NOTICE_SOLVED : FH_NOTICE_OPEN;
	*out = n;
	return n->state;
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
	if (n->b.dead && !n->lost_at)
		n->lost_at = fh_now();
	return n->state;
}

void fh_notice_say_lost(struct fh_notice *n, double after)
{
	if (!n->lost_at || n->lost_said || fh_now() < n->lost_at + after)
		return;
	n->lost_said = 1;
	fh_err("%s; searching on without early stop", n->b.err);
}

static int announce(struct fh_notice *n, char *err, size_t errsize)
{
	amqp_table_entry_t ttl;
	amqp_table_t args;
	amqp_channel_t ch;
	amqp_rpc_reply_t r;
	int st;

	/* (fh_notice_announce has checked that the connection stands) */
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

/* A broker that blocks publishers (a resource alarm) stops reading from
 * the notice connection once the notice is published, and the close that
 * follows would wait as long as the alarm: the announcement gets this
 * long, and after a signal FH_SIGNAL_GRACE more at most.  Not less: the
 * signal comes after the answer, and a marker cut short leaves every
 * later worker of a shard to search it again.  The answer is safe
 * already; only the early stop of the other shards is at stake. */
#define FH_ANNOUNCE_MAX 10.0

int fh_notice_announce(struct fh_notice *n, char *err, size_t errsize)
{
	int st;

	if (n->b.dead) {
		snprintf(err, errsize, "%s", n->b.err);
		return -1;
	}
	if (fh_broker_guard(&n->b, FH_ANNOUNCE_MAX, FH_SIGNAL_GRACE) < 0) {
		snprintf(err, errsize, "%s", n->b.err);
		return -1;
	}
	st = announce(n, err, errsize);
	if (fh_broker_unguard(&n->b, "announcing the answer") < 0) {
		snprintf(err, errsize, "%s", n->b.err);
		return -1;
	}
	return st;
}

void fh_notice_close(struct fh_notice *n)
{
	if (!n)
		return;
	fh_broker_close(&n->b);
	free(n);
}
