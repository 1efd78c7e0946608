/* worker.c: the queue worker: take a message, solve it, print and publish
 * the answer, acknowledge; once, or with --loop/--count until done. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rabbitmq.h"

#include "body.h"
#include "broker.h"
#include "fh-exit.h"
#include "notice.h"
#include "queue.h"
#include "run.h"

/* How long the broker may take to confirm a published result. */
#define FH_CONFIRM_TIMEOUT 60.0
/* How long after its notice connection is lost the work connection must
 * still stand before the worker says it searches on (tick). */
#define FH_NOTICE_LOST_SETTLE 1.0
/* How much of a poison body one line shows. */
#define FH_POISON_SHOWN 40

struct worker {
	struct fh_broker b;
	const char *queue;
	const struct fh_common *c;        /* the command line's options */
	const struct fh_queue_opts *opt;
	char host[256];
	struct fh_notice *notice; /* a shard job: its solved notice */
	char taking[1024];        /* "taking a message from queue ..." */
};

/* One message taken from the queue, and what it asks for. */
struct item {
	uint64_t tag;
	int redelivered;
	amqp_message_t msg;       /* its body cut at FH_MESSAGE_KEEP bytes */
	uint64_t size;            /* the whole body's */
	struct fh_job job;
	struct fh_common c;       /* the worker's options for this job */
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
	/* the input queue deleted under us: the message is gone with it,
	 * and so is any reason to search on */
	if (fh_broker_watch_queue(&w->b, w->queue) < 0)
		return 1;
	if (!w->notice)
		return 0;
	/* a shard job: stop when another worker announced the answer */
	if (fh_notice_poll(w->notice) == FH_NOTICE_SOLVED)
		return 1;
	/* A lost notice connection is said ("searching on") only once the
	 * work connection was seen standing FH_NOTICE_LOST_SETTLE later: a
	 * broker that closes every connection (stopped, an operator's
	 * close_all_connections) closes the work one a moment after the
	 * notice's, and the worker then stops with one line saying so,
	 * not with a line about searching on first. */
	fh_notice_say_lost(w->notice, FH_NOTICE_LOST_SETTLE);
	return 0;
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
static enum take take(struct worker *w, double wait, struct item *it)
{
	struct fh_broker *b = &w->b;
	double deadline = fh_now() + wait;
	const char *what = w->taking;

	for (;;) {
		amqp_rpc_reply_t r;
		double left;

		if (fh_signal_caught())
			return TAKE_SIGNAL;
		/* guarded: after a result was published, a broker that
		 * blocks publishers answers nothing on this connection until
		 * its alarm clears, and SIGTERM must still end the wait (a
		 * message taken meanwhile goes back with the connection) */
		if (fh_broker_guard(b, 0, 0) < 0)
			return TAKE_ERROR;
		r = amqp_basic_get(b->conn, b->ch, amqp_cstring_bytes(w->queue),
				   0);
		if (r.reply_type == AMQP_RESPONSE_NORMAL &&
		    r.reply.id == AMQP_BASIC_GET_OK_METHOD) {
			const amqp_basic_get_ok_t *ok = r.reply.decoded;

			it->tag = ok->delivery_tag;
			it->redelivered = ok->redelivered;
			/* not amqp_read_message: a huge body must not cost
			 * its size in memory (message.c says why) */
			r = fh_broker_read_message(b, &it->msg, &it->size);
			if (fh_broker_unguard(b, what) < 0) {
				if (r.reply_type == AMQP_RESPONSE_NORMAL)
					amqp_destroy_message(&it->msg);
				return TAKE_SIGNAL;
			}
			if (r.reply_type != AMQP_RESPONSE_NORMAL) {
				fh_broker_reply_error(b, r, what);
				return TAKE_ERROR;
			}
			/* the queue held it: a deletion seen before (and
			 * the queue declared again since) is not its */
			fh_broker_watch_taken(b);
			return TAKE_GOT;
		}
		if (fh_broker_unguard(b, what) < 0)
			return TAKE_SIGNAL;
		if (r.reply_type != AMQP_RESPONSE_NORMAL) {
			fh_broker_reply_error(b, r, what);
			return TAKE_ERROR;
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

/* Acknowledges a message that was not solved here but needs no other
 * worker either.  FH_EXIT_OK, or FH_EXIT_BROKER after one line. */
static int ack_unsolved(struct worker *w, const struct item *it)
{
	struct fh_broker *b = &w->b;
	const struct fh_job *j = &it->job;
	int st;

	if (b->dead || b->chan_dead) {
		fh_err("prefix %s (shard %" PRIu64 "/%" PRIu64 "): %s; the "
		       "broker requeues the message",
		       j->prefix.hex, j->shard, j->shards, b->err);
		return FH_EXIT_BROKER;
	}
	st = amqp_basic_ack(b->conn, b->ch, it->tag, 0);
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

/* A shard another worker solved: acked, not rejected: the shard's work is
 * done, by another pod; given back, it would only be taken and acked
 * again. */
static int done_elsewhere(struct worker *w, const struct item *it)
{
	const struct fh_job *j = &it->job;
	int st = ack_unsolved(w, it);

	if (st == FH_EXIT_OK)
		fh_note("%s: solved by another worker (shard %" PRIu64
			"/%" PRIu64 ")",
			j->prefix.hex, j->shard, j->shards);
	return st;
}

/* A shard searched to its end without a match: acked, not requeued: with
 * its seed and range fixed by the body, searching it again would look at
 * the very same candidates and find nothing again, forever.  The exit
 * status still says that this pod found no answer. */
static int shard_exhausted(struct worker *w, const struct item *it,
			   uint64_t tries)
{
	const struct fh_job *j = &it->job;
	int st = ack_unsolved(w, it);

	if (st != FH_EXIT_OK)
		return st;
	fh_err("%s: not found in this shard (shard %" PRIu64 "/%" PRIu64
	       ", %" PRIu64 " tries); message acknowledged: the shard is "
	       "searched",
	       j->prefix.hex, j->shard, j->shards, tries);
	return FH_EXIT_NOT_FOUND;
}

/* With --results-queue: publishes the answer as JSON and waits for the
 * broker's confirm.  A signal does not cut this short: the answer is
 * found, and a result published but not waited for would be published
 * again by the worker that takes the requeued message.  Only a broker that
 * does not answer within the grace after the signal (a resource alarm)
 * makes it give up.  FH_EXIT_OK, or an exit status after one line and a
 * requeue. */
static int publish_result(struct worker *w, const struct item *it,
			  const struct fh_prefix *p,
			  const struct fh_answer *a)
{
	struct fh_broker *b = &w->b;
	char json[1024];
	int n = fh_answer_json(json, sizeof json, p, a, w->host);
	int st;

	if (n < 0) {
		fh_err("the result does not fit its buffer; message "
		       "requeued");
		requeue(w, it->tag, 0);
		return FH_EXIT_SYSTEM;
	}
	/* guarded: a publish can wait on a full socket for as long as an
	 * alarm lasts, and only the guard ends it after a signal */
	st = fh_broker_guard(b, 0, FH_SIGNAL_GRACE);
	if (st == 0) {
		st = fh_broker_publish(b, w->opt->results_queue,
				       (amqp_bytes_t){ (size_t)n, json },
				       "application/json", job_id(&it->msg));
		if (st == 0)
			st = fh_broker_wait_confirms_finishing(
				b, FH_CONFIRM_TIMEOUT);
		/* when the guard fired, its reason replaces what the cut
		 * connection said */
		if (fh_broker_unguard(b, "waiting for the broker's "
					 "confirms") < 0)
			st = -1;
	}
	if (st < 0) {
		/* no confirmed result, no ack: the prefix goes back
		 * (explicitly when the channel still stands) */
		fh_err("result for prefix %s not confirmed: %s; "
		       "message requeued", p->hex, b->err);
		requeue(w, it->tag, 0);
		return fh_exit_signal_or(fh_broker_failure(b));
	}
	return FH_EXIT_OK;
}

/* Prints the answer, publishes the result, acknowledges.  The order is the
 * whole point: the ack is the last thing, so a worker killed before it
 * loses nothing (the broker redelivers), and one killed after it has
 * already printed and, with --results-queue, had the result confirmed.
 * A kill between the confirm and the ack means the message is solved
 * twice: at-least-once, so results carry the prefix (and the job's
 * correlation id) to be keyed by.  SIGTERM and SIGINT, unlike a kill,
 * are waited out: once the answer is found, a signal only bounds how long
 * the broker may take (publish_result, fh_notice_announce). */
static int deliver(struct worker *w, const struct item *it,
		   const struct fh_answer *a)
{
	const struct fh_prefix *p = &it->job.prefix;
	struct fh_broker *b = &w->b;
	int st;

	if (fh_print_answer(stdout, p, a, it->c.json) < 0 ||
	    fflush(stdout) != 0 || ferror(stdout)) {
		/* not the message's fault: someone else may print it */
		if (ferror(stdout))
			fh_err("write error on standard output: %s; message "
			       "requeued", strerror(errno));
		else
			fh_err("no answer printed; message requeued");
		requeue(w, it->tag, 0);
		return FH_EXIT_SYSTEM;
	}
	if (w->opt->results_queue &&
	    (st = publish_result(w, it, p, a)) != FH_EXIT_OK)
		return st;
	/* A shard job: tell the other shards' workers, after the result is
	 * safe (a marker before it could make a redelivered shard be acked
	 * with no answer anywhere) and before the ack (a kill between the
	 * two only redelivers a shard that the marker then acks at once).
	 * Failing to tell them loses early stop, not the answer: ack. */
	if (w->notice) {
		char why[1024];

		if (fh_notice_announce(w->notice, why, sizeof why) < 0)
			fh_warn("prefix %s solved, but the other shards were "
				"not told: %s", p->hex, why);
	}
	/* The answer is out and confirmed: now, and only now, ack. */
	st = amqp_basic_ack(b->conn, b->ch, it->tag, 0);
	if (st != AMQP_STATUS_OK) {
		b->dead = 1;
		fh_err("acknowledging prefix %s: %s; the broker will "
		       "redeliver it", p->hex, amqp_error_string2(st));
		return FH_EXIT_BROKER;
	}
	return FH_EXIT_OK;
}

/* work_on's first phase: what the message asks for.  0, or -1 when the
 * body is no prefix: then it is rejected and the status is
 * FH_EXIT_POISON. */
static int parse(struct worker *w, struct item *it)
{
	const char *why;
	char shown[FH_POISON_SHOWN * 4 + 8];
	/* a body longer than what was kept is no prefix, whatever its
	 * start: white space around a prefix is forgiven, not megabytes */
	int whole = it->size == it->msg.body.len;

	if (!whole)
		why = "too long (over " FH_TEXT(FH_MESSAGE_KEEP) " bytes)";
	else if (fh_body_parse(it->msg.body.bytes, it->msg.body.len,
			       &it->job, &why) == 0) {
		fh_job_common(w->c, &it->job, &it->c);
		if (it->redelivered)
			fh_note("note: prefix %s was delivered before; an "
				"earlier worker stopped without "
				"acknowledging it", it->job.prefix.hex);
		return 0;
	}
	fh_printable(shown, sizeof shown, it->msg.body.bytes,
		     it->msg.body.len, FH_POISON_SHOWN);
	/* requeue=0: a body that is no prefix never becomes one, so
	 * requeueing it would have every worker fail on it forever.  The
	 * broker drops it, or hands it to the queue's dead-letter exchange
	 * when one is configured. */
	amqp_basic_reject(w->b.conn, w->b.ch, it->tag, 0);
	fh_err("poison message in queue '%s' (%" PRIu64 " byte%s) \"%s\": "
	       "%s; rejected, not requeued (dead-lettered if the queue has a "
	       "dead-letter exchange)",
	       w->queue, it->size, it->size == 1 ? "" : "s", shown, why);
	return -1;
}

/* work_on's second phase, for a shard job: listen for its solved notice,
 * and find out whether another worker solved it already.  0 to search,
 * or -1 when the message is settled here (*st says how). */
static int pre_check(struct worker *w, const struct item *it, int *st)
{
	char why[1024];
	int error_status;

	if (!it->job.sharded)
		return 0;
	switch (fh_notice_open(&w->notice, &w->b.url, w->opt, &it->job, why,
			       sizeof why, &error_status)) {
	case FH_NOTICE_OPEN:
		return 0;
	case FH_NOTICE_SOLVED:
		*st = done_elsewhere(w, it);
		return -1;
	case FH_NOTICE_ERROR:
	default:
		fh_err("prefix %s: %s; message requeued", it->job.prefix.hex,
		       why);
		requeue(w, it->tag, 0);
		/* a signal that stopped the notice connection stops the pod,
		 * and a machine out of descriptors is no broker error: the
		 * exit status says which */
		*st = fh_exit_signal_or(error_status);
		return -1;
	}
}

/* work_on's last phase: what becomes of the message once the search has
 * ended, by why it ended.  Every branch acks, rejects or nacks, or says
 * why it cannot.  Returns the exit status. */
static int settle(struct worker *w, const struct item *it,
		  struct fh_search *s, enum fh_run_end end)
{
	const char *hex = it->job.prefix.hex;
	struct fh_answer a;
	int sig;

	switch (end) {
	case FH_RUN_SOLVED:
		/* ack, after the answer is printed and published; a signal
		 * that came after the answer lets deliver finish, and
		 * work_loop then stops the pod */
		fh_search_answer(s, 0, &a);
		return deliver(w, it, &a);
	case FH_RUN_EXHAUSTED:
		/* ack: a shard searched to its end is done (shard_exhausted
		 * says why); a whole space searched to its end cannot
		 * happen within any real bound, and is treated as giving
		 * up */
		if (it->job.sharded)
			return shard_exhausted(w, it, fh_search_tries(s));
		/* fall through */
	case FH_RUN_GAVE_UP:
		/* reject, requeued: the prefix is too hard for this
		 * worker's bounds, which a delivery limit can count */
		requeue(w, it->tag, 1);
		fh_err("gave up on prefix %s after %llu tries; message "
		       "requeued",
		       hex, (unsigned long long)fh_search_tries(s));
		return FH_EXIT_NOT_FOUND;
	case FH_RUN_SIGNAL:
		/* nack, requeued: the pod was stopped, the message did
		 * nothing wrong.  Then one round trip asks whether the queue
		 * is still there to take it back: a queue deleted since the
		 * last check is said, not "requeued". */
		sig = fh_signal_caught();
		requeue(w, it->tag, 0);
		if (fh_broker_queue_deleted(&w->b, w->queue,
					    FH_SIGNAL_SETTLE)) {
			fh_err("stopped by signal %d while solving prefix %s; "
			       "%s",
			       sig, hex, w->b.err);
			return fh_exit_for_signal(sig);
		}
		fh_err("stopped by signal %d while solving prefix %s; message "
		       "requeued",
		       sig, hex);
		return fh_exit_for_signal(sig);
	case FH_RUN_TICK:
	default:
		/* ack when another worker announced the answer; else the
		 * channel is gone and the broker requeues the message
		 * itself: nothing to send */
		if (w->notice && fh_notice_poll(w->notice) == FH_NOTICE_SOLVED)
			return done_elsewhere(w, it);
		/* nothing to ack, reject or requeue: the queue and the
		 * message are gone; status 3, the queue is missing */
		if (w->b.queue_gone) {
			fh_err("%s; prefix %s abandoned", w->b.err, hex);
			return FH_EXIT_BROKER;
		}
		fh_err("while solving prefix %s: %s; the broker requeues the "
		       "message",
		       hex, w->b.err);
		return FH_EXIT_BROKER;
	}
}

/* One message: parse -> pre-check -> start -> search -> settle.  Returns
 * the exit status; FH_EXIT_POISON for a message that is no prefix. */
static int work_on(struct worker *w, struct item *it)
{
	struct fh_run run;
	char why[256];
	int st;

	if (parse(w, it) < 0)
		return FH_EXIT_POISON;
	if (pre_check(w, it, &st) < 0)
		return st;
	if (fh_run_start(&run, &it->c, &it->job.prefix, 1, why,
			 sizeof why) < 0) {
		fh_err("%s; message requeued", why);
		requeue(w, it->tag, 0);
		return FH_EXIT_SYSTEM;
	}
	st = settle(w, it, run.s, fh_run_search(run.s, &it->c, tick, w));
	fh_search_free(run.s);
	return st;
}

/* The line for an empty queue: how long it waited, or how many messages
 * came before. */
static void say_empty(const struct worker *w, int taken)
{
	if (taken == 0 && w->opt->wait > 0)
		fh_note("queue '%s' is empty (waited %g s)", w->queue,
			w->opt->wait);
	else if (taken == 0)
		fh_note("queue '%s' is empty", w->queue);
	else
		fh_note("queue '%s' is empty after %d message%s", w->queue,
			taken, taken == 1 ? "" : "s");
}

/* Takes and works on messages: one, or with --loop/--count until done.
 * Returns the exit status. */
static int work_loop(struct worker *w)
{
	int many = w->opt->loop || w->opt->count != FH_COUNT_UNSET;
	int st, taken = 0, poison = 0;

	for (;;) {
		struct item it;
		enum take t;

		if (w->opt->count != FH_COUNT_UNSET && taken >= w->opt->count) {
			st = FH_EXIT_OK;
			break;
		}
		memset(&it, 0, sizeof it);
		t = take(w, w->opt->wait, &it);
		if (t == TAKE_SIGNAL) {
			/* nothing held: a message in flight when the guard
			 * cut the connection goes back with it */
			fh_err("stopped by signal %d while taking a message "
			       "from queue '%s'",
			       fh_signal_caught(), w->queue);
			st = fh_exit_for_signal(fh_signal_caught());
			break;
		}
		if (t == TAKE_ERROR) {
			fh_err("%s", w->b.err);
			st = fh_broker_failure(&w->b);
			break;
		}
		if (t == TAKE_EMPTY) {
			say_empty(w, taken);
			st = FH_EXIT_OK;
			break;
		}
		taken++;
		st = work_on(w, &it);
		fh_notice_close(w->notice);
		w->notice = NULL;
		amqp_destroy_message(&it.msg);
		amqp_maybe_release_buffers(w->b.conn);
		if (st == FH_EXIT_POISON) {
			/* --loop: the poison is dead-lettered and blocks
			 * nothing, so go on; the exit status still says so */
			poison = 1;
			st = FH_EXIT_OK;
			if (!many)
				break;
			continue;
		}
		/* A signal that came while the message was being finished
		 * (solved here or elsewhere) let it finish: the message is
		 * done, but the pod was stopped, and says so as every stop
		 * does. */
		if (st == FH_EXIT_OK && fh_signal_caught()) {
			fh_err("stopped by signal %d after %d message%s",
			       fh_signal_caught(), taken, taken == 1 ? "" : "s");
			st = fh_exit_for_signal(fh_signal_caught());
			break;
		}
		if (st != FH_EXIT_OK || !many)
			break;
	}
	return st == FH_EXIT_OK && poison ? FH_EXIT_POISON : st;
}

/* Checks what the worker needs before it connects: the queue name, the
 * URL, the options.  FH_EXIT_OK, or FH_EXIT_USAGE after one line. */
static int worker_init(struct worker *w, const char *queue,
		       const struct fh_common *c, struct fh_url *url)
{
	memset(w, 0, sizeof *w);
	w->queue = queue;
	w->c = c;
	w->opt = &fh_qopt;
	if (!queue || !*queue) {
		fh_err("--queue needs a queue name");
		return FH_EXIT_USAGE;
	}
	/* a signal while reading --url-file is a stop */
	if (fh_url_resolve(url, w->opt) < 0)
		return fh_exit_signal_or(FH_EXIT_USAGE);
	if (fh_queue_check_opts(url, queue, c, 0) < 0) {
		fh_url_free(url);
		return FH_EXIT_USAGE;
	}
	snprintf(w->taking, sizeof w->taking,
		 "taking a message from queue '%s' on %s", queue, url->shown);
	if (gethostname(w->host, sizeof w->host) < 0)
		strcpy(w->host, "unknown");
	w->host[sizeof w->host - 1] = '\0';
	return FH_EXIT_OK;
}

int fh_queue_worker(const char *queue, const struct fh_common *c)
{
	struct worker w;
	struct fh_url url;
	int st;

	fh_signals_install();
	st = worker_init(&w, queue, c, &url);
	if (st != FH_EXIT_OK)
		return st;
	st = fh_broker_open(&w.b, &url, w.opt);
	/* Before taking anything: a results queue we cannot publish to
	 * should fail the worker while it holds no message; and a missing
	 * input queue should fail it before it declares a results queue
	 * that nothing will ever fill. */
	if (st == FH_EXIT_OK && w.opt->results_queue &&
	    (fh_broker_check_queue(&w.b, w.queue, w.taking) < 0 ||
	     fh_broker_ensure_queue(&w.b, w.opt->results_queue) < 0 ||
	     fh_broker_confirms(&w.b) < 0 ||
	     fh_broker_check_publish(&w.b) < 0)) {
		fh_err("%s", w.b.err);
		st = fh_exit_signal_or(fh_broker_failure(&w.b));
	} else if (st == FH_EXIT_OK) {
		st = work_loop(&w);
		/* the acks and rejects were sent; make sure they landed */
		if ((st == FH_EXIT_OK || st == FH_EXIT_POISON) &&
		    fh_broker_sync_close(&w.b) < 0) {
			fh_err("%s", w.b.err);
			st = fh_broker_failure(&w.b);
		}
	}
	fh_broker_close(&w.b);
	fh_url_free(&url);
	return st;
}
