/* worker.c: the queue worker: take a message, solve it, print and publish
 * the answer, acknowledge; once, or with --loop/--count until done. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <amqp.h>
#include <amqp_framing.h>

#include "broker.h"
#include "fh-exit.h"
#include "run.h"
#include "queue.h"
#include "shard.h"

/* How long the broker may take to confirm a published result. */
#define FH_CONFIRM_TIMEOUT 60.0
/* How much of a poison body one line shows. */
#define FH_POISON_SHOWN 40

/* A poison message in --loop mode: noted, and the loop goes on. */
#define FH_ITEM_POISON (-4)

struct worker {
	struct fh_broker b;
	const char *queue;
	const struct fh_common *c;
	char host[256];
	struct fh_notice *notice; /* a shard job: its solved notice */
};

/* Called by fh_run_search about every 200 ms on the main thread, the only
 * thread that touches the connection (rabbitmq-c connections are not
 * thread-safe).  Non-zero stops the search: the broker closed the channel
 * or connection (consumer_timeout, an operator, a missed heartbeat), so
 * the delivery is gone and the broker will redeliver it; solving on
 * would only produce an answer that can no longer be acknowledged. */
static int tick(void *arg)
{
	struct worker *w = arg;

	if (fh_broker_service(&w->b) < 0)
		return 1;
	/* a shard job: stop when another worker announced the answer */
	return w->notice && fh_notice_poll(w->notice) == FH_NOTICE_SOLVED;
}

enum take { TAKE_GOT, TAKE_EMPTY, TAKE_ERROR, TAKE_SIGNAL };

/* Takes one message with basic.get, no auto-ack.
 *
 * Why basic.get and not basic.consume: a one-shot worker wants exactly one
 * message.  A consumer, even with prefetch 1, has the broker push the next
 * message as soon as the first is acked (or before, when the cancel races
 * the delivery), and that message then goes back with its redelivered flag
 * set and, on quorum queues, its delivery count raised: a pod that never
 * worked on it would count against its delivery limit.  basic.get hands
 * over one message and nothing more (prefetch does not apply), and answers
 * "empty" at once, which is the exit-0 path of a Job with more pods than
 * items.  The cost is polling while --wait runs, every 0.5 s. */
static enum take take(struct worker *w, double wait, uint64_t *tag,
		      int *redelivered, amqp_message_t *msg)
{
	struct fh_broker *b = &w->b;
	double deadline = fh_now() + wait;
	char what[1024];

	snprintf(what, sizeof what, "taking a message from queue '%s' on %s",
		 w->queue, b->url.shown);
	for (;;) {
		amqp_rpc_reply_t r;
		double left;

		if (fh_signal_caught())
			return TAKE_SIGNAL;
		r = amqp_basic_get(b->conn, b->ch, amqp_cstring_bytes(w->queue),
				   0);
		if (r.reply_type != AMQP_RESPONSE_NORMAL) {
			fh_broker_reply_error(b, r, what);
			return TAKE_ERROR;
		}
		if (r.reply.id == AMQP_BASIC_GET_OK_METHOD) {
			const amqp_basic_get_ok_t *ok = r.reply.decoded;

			*tag = ok->delivery_tag;
			*redelivered = ok->redelivered;
			r = amqp_read_message(b->conn, b->ch, msg, 0);
			if (r.reply_type != AMQP_RESPONSE_NORMAL) {
				fh_broker_reply_error(b, r, what);
				return TAKE_ERROR;
			}
			return TAKE_GOT;
		}
		left = deadline - fh_now();
		if (left <= 0)
			return TAKE_EMPTY;
		if (fh_broker_idle(b, left < 0.5 ? left : 0.5) < 0)
			return TAKE_ERROR;
	}
}

/* Gives the message back to the queue, explicitly, so it is redelivered
 * now rather than when the connection closes.  reject (rather than nack)
 * when the message itself is the reason: from RabbitMQ 4.3 on only a
 * reject raises a quorum queue's delivery count, so a prefix that no
 * worker can solve within its bounds is dead-lettered at the delivery
 * limit, while a worker stopped by SIGTERM costs the message nothing.
 * With the channel gone there is nothing to send: the broker requeues
 * every unacknowledged message of a closed channel itself. */
static void requeue(struct worker *w, uint64_t tag, int its_fault)
{
	struct fh_broker *b = &w->b;

	if (b->dead || b->chan_dead)
		return;
	if (its_fault)
		amqp_basic_reject(b->conn, b->ch, tag, 1);
	else
		amqp_basic_nack(b->conn, b->ch, tag, 0, 1);
}

static amqp_bytes_t job_id(const amqp_message_t *msg)
{
	const amqp_basic_properties_t *p = &msg->properties;

	if (p->_flags & AMQP_BASIC_CORRELATION_ID_FLAG)
		return p->correlation_id;
	if (p->_flags & AMQP_BASIC_MESSAGE_ID_FLAG)
		return p->message_id;
	return amqp_empty_bytes;
}

/* Prints the answer, publishes the result, acknowledges.  The order is the
 * whole point: the ack is the last thing, so a worker killed before it
 * loses nothing (the broker redelivers), and one killed after it has
 * already printed and, with --results-queue, had the result confirmed.
 * A kill between the confirm and the ack means the message is solved
 * twice: at-least-once, so results carry the prefix (and the job's
 * correlation id) to be keyed by. */
static int deliver(struct worker *w, uint64_t tag, const amqp_message_t *msg,
		   const struct fh_prefix *p, const struct fh_answer *a)
{
	struct fh_broker *b = &w->b;
	const struct fh_common *c = w->c;
	int st;

	if (fh_print_answer(stdout, p, a, c->json) < 0 ||
	    fflush(stdout) != 0 || ferror(stdout)) {
		/* not the message's fault: someone else may print it */
		if (ferror(stdout))
			fh_err("write error on standard output: %s; message "
			       "requeued", strerror(errno));
		else
			fh_err("no answer printed; message requeued");
		requeue(w, tag, 0);
		return FH_EXIT_SYSTEM;
	}
	if (fh_qopt.results_queue) {
		char json[1024];
		int n = fh_answer_json(json, sizeof json, p, a, w->host);

		if (n < 0) {
			fh_err("the result does not fit its buffer; message "
			       "requeued");
			requeue(w, tag, 0);
			return FH_EXIT_SYSTEM;
		}
		if (fh_broker_publish(b, fh_qopt.results_queue,
				      (amqp_bytes_t){ (size_t)n, json },
				      "application/json", job_id(msg)) < 0 ||
		    fh_broker_wait_confirms(b, FH_CONFIRM_TIMEOUT) < 0) {
			/* no confirmed result, no ack: the prefix goes back
			 * (explicitly when the channel still stands) */
			fh_err("result for prefix %s not confirmed: %s; "
			       "message requeued", p->hex, b->err);
			requeue(w, tag, 0);
			return FH_EXIT_BROKER;
		}
	}
	/* A shard job: tell the other shards' workers, after the result is
	 * safe (a marker before it could make a redelivered shard be acked
	 * with no answer anywhere) and before the ack (a kill between the
	 * two only redelivers a shard that the marker then acks at once).
	 * Failing to tell them loses early stop, not the answer: ack. */
	if (w->notice) {
		char why[1024];

		if (fh_notice_announce(w->notice, why, sizeof why) < 0)
			fh_err("warning: prefix %s solved, but the other "
			       "shards were not told: %s", p->hex, why);
	}
	/* The answer is out and confirmed: now, and only now, ack. */
	st = amqp_basic_ack(b->conn, b->ch, tag, 0);
	if (st != AMQP_STATUS_OK) {
		b->dead = 1;
		fh_err("acknowledging prefix %s: %s; the broker will "
		       "redeliver it", p->hex, amqp_error_string2(st));
		return FH_EXIT_BROKER;
	}
	return FH_EXIT_OK;
}

/* One message: parse, solve, deliver.  Returns an exit status, or
 * FH_ITEM_POISON. */
static int work_on(struct worker *w, uint64_t tag, int redelivered,
		   const amqp_message_t *msg)
{
	struct fh_broker *b = &w->b;
	const struct fh_common *c = w->c;
	struct fh_common jc;
	struct fh_job job;
	struct fh_prefix p;
	struct fh_base base;
	struct fh_search_opts o;
	struct fh_search *s;
	struct fh_answer a;
	enum fh_run_end end;
	const char *why;
	int st, sig;

	if (fh_body_parse(msg->body.bytes, msg->body.len, &job, &why) < 0) {
		char shown[FH_POISON_SHOWN * 4 + 8];

		fh_printable(shown, sizeof shown, msg->body.bytes,
			     msg->body.len, FH_POISON_SHOWN);
		/* requeue=0: a body that is no prefix never becomes one, so
		 * requeueing it would have every worker fail on it forever.
		 * The broker drops it, or hands it to the queue's
		 * dead-letter exchange when one is configured. */
		amqp_basic_reject(b->conn, b->ch, tag, 0);
		fh_err("poison message in queue '%s' (%zu bytes) \"%s\": %s; "
		       "rejected, not requeued (dead-lettered if the queue "
		       "has a dead-letter exchange)",
		       w->queue, msg->body.len, shown, why);
		return FH_ITEM_POISON;
	}
	p = job.prefix;
	fh_job_common(w->c, &job, &jc);
	c = &jc;
	if (redelivered && !c->quiet)
		fh_err("note: prefix %s was delivered before; an earlier "
		       "worker stopped without acknowledging it", p.hex);
	if (job.sharded) {
		char why2[1024];

		switch (fh_notice_open(&w->notice, &b->url, &job, why2,
				       sizeof why2)) {
		case FH_NOTICE_SOLVED:
			return fh_shard_done_elsewhere(b, tag, &job, c->quiet);
		case FH_NOTICE_ERROR:
			fh_err("prefix %s: %s; message requeued", p.hex, why2);
			requeue(w, tag, 0);
			return FH_EXIT_BROKER;
		case FH_NOTICE_OPEN:
			break;
		}
	}
	if (fh_base_init(&base, c->seeded, c->seed) < 0) {
		fh_err("cannot draw a random base: %s; message requeued",
		       strerror(errno));
		requeue(w, tag, 0);
		return FH_EXIT_SYSTEM;
	}
	fh_search_opts_init(&o, c, &p, 1, &base);
	s = fh_search_start(&o);
	if (!s) {
		fh_err("cannot start the search threads: %s; message "
		       "requeued", strerror(errno));
		requeue(w, tag, 0);
		return FH_EXIT_SYSTEM;
	}
	end = fh_run_search(s, c, tick, w);
	switch (end) {
	case FH_RUN_SOLVED:
		fh_search_answer(s, 0, &a);
		st = deliver(w, tag, msg, &p, &a);
		/* a signal that came after the answer: the item is done, but
		 * the exit status still says the pod was stopped */
		if (st == FH_EXIT_OK && (sig = fh_signal_caught()))
			st = fh_exit_for_signal(sig);
		break;
	case FH_RUN_EXHAUSTED:
		if (job.sharded) {
			st = fh_shard_exhausted(b, tag, &job,
						fh_search_tries(s));
			break;
		}
		/* fall through */
	case FH_RUN_GAVE_UP:
		requeue(w, tag, 1);
		fh_err("gave up on prefix %s after %llu tries; message "
		       "requeued",
		       p.hex, (unsigned long long)fh_search_tries(s));
		st = FH_EXIT_NOT_FOUND;
		break;
	case FH_RUN_SIGNAL:
		sig = fh_signal_caught();
		requeue(w, tag, 0);
		fh_err("stopped by signal %d while solving prefix %s; message "
		       "requeued",
		       sig, p.hex);
		st = fh_exit_for_signal(sig);
		break;
	case FH_RUN_TICK:
	default:
		if (w->notice && fh_notice_poll(w->notice) == FH_NOTICE_SOLVED) {
			st = fh_shard_done_elsewhere(b, tag, &job, c->quiet);
			break;
		}
		fh_err("while solving prefix %s: %s; the broker requeues the "
		       "message",
		       p.hex, b->err);
		st = FH_EXIT_BROKER;
		break;
	}
	fh_search_free(s);
	return st;
}

int fh_queue_worker(const char *queue, const struct fh_common *c)
{
	struct worker w;
	struct fh_url url;
	int st, taken = 0, poison = 0, many;

	fh_signals_install();
	memset(&w, 0, sizeof w);
	w.queue = queue;
	w.c = c;
	if (!queue || !*queue) {
		fh_err("--queue needs a queue name");
		return FH_EXIT_USAGE;
	}
	if (fh_url_resolve(&url) < 0)
		return FH_EXIT_USAGE;
	if (fh_queue_check_opts(&url, queue, c, 0) < 0) {
		fh_url_free(&url);
		return FH_EXIT_USAGE;
	}
	if (gethostname(w.host, sizeof w.host) < 0)
		strcpy(w.host, "unknown");
	w.host[sizeof w.host - 1] = '\0';
	many = fh_qopt.loop || fh_qopt.count > 0;

	st = fh_broker_open(&w.b, &url);
	if (st != FH_EXIT_OK)
		goto out;
	/* Before taking anything: a results queue we cannot publish to
	 * should fail the worker while it holds no message. */
	if (fh_qopt.results_queue &&
	    (fh_broker_ensure_queue(&w.b, fh_qopt.results_queue) < 0 ||
	     fh_broker_confirms(&w.b) < 0)) {
		fh_err("%s", w.b.err);
		st = FH_EXIT_BROKER;
		goto out;
	}
	for (;;) {
		uint64_t tag = 0;
		int redelivered = 0;
		amqp_message_t msg;
		enum take t;

		if (fh_qopt.count > 0 && taken >= fh_qopt.count) {
			st = FH_EXIT_OK;
			break;
		}
		t = take(&w, fh_qopt.wait, &tag, &redelivered, &msg);
		if (t == TAKE_SIGNAL) {
			st = fh_exit_for_signal(fh_signal_caught());
			break;
		}
		if (t == TAKE_ERROR) {
			fh_err("%s", w.b.err);
			st = FH_EXIT_BROKER;
			break;
		}
		if (t == TAKE_EMPTY) {
			if (!c->quiet && taken == 0 && fh_qopt.wait > 0)
				fh_err("queue '%s' is empty (waited %g s)",
				       queue, fh_qopt.wait);
			else if (!c->quiet && taken == 0)
				fh_err("queue '%s' is empty", queue);
			else if (!c->quiet)
				fh_err("queue '%s' is empty after %d "
				       "message%s", queue, taken,
				       taken == 1 ? "" : "s");
			st = FH_EXIT_OK;
			break;
		}
		taken++;
		st = work_on(&w, tag, redelivered, &msg);
		fh_notice_close(w.notice);
		w.notice = NULL;
		amqp_destroy_message(&msg);
		amqp_maybe_release_buffers(w.b.conn);
		if (st == FH_ITEM_POISON) {
			/* --loop: the poison is dead-lettered and blocks
			 * nothing, so go on; the exit status still says so */
			poison = 1;
			st = FH_EXIT_OK;
			if (!many)
				break;
			continue;
		}
		if (st != FH_EXIT_OK || !many)
			break;
		if (fh_signal_caught()) {
			st = fh_exit_for_signal(fh_signal_caught());
			break;
		}
	}
	if (st == FH_EXIT_OK && poison)
		st = FH_EXIT_POISON;
	if (st == FH_EXIT_OK || st == FH_EXIT_POISON) {
		/* the acks and rejects were sent; make sure they landed */
		if (fh_broker_sync_close(&w.b) < 0) {
			fh_err("%s", w.b.err);
			st = FH_EXIT_BROKER;
		}
	}
out:
	fh_broker_close(&w.b);
	fh_url_free(&url);
	return st;
}
