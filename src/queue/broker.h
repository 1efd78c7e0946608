/* broker.h: queue mode's internal seam: the options, the broker URL, and one
 * AMQP connection with its channel, shared by worker.c, enqueue.c and
 * notice.c.  Only the entry points (worker.c, enqueue.c) read the options
 * popt filled (fh_qopt); below them they are a parameter. */
#ifndef FH_BROKER_H
#define FH_BROKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "rabbitmq.h"

#include "run.h"

#define FH_DEFAULT_URL "amqp://guest:guest@localhost:5672/"
#define FH_COUNT_UNSET (-1)    /* --count not given */
#define FH_QUEUE_NAME_MAX 255  /* AMQP 0-9-1 short string */
#define FH_URL_ENV "BROKER_URL"
/* A number macro as a string literal, for a limit named in a message. */
/* The header of each message published with confirms holding its
 * publish tag: a basic.return brings it back, and no tag of its own. */
#define FH_TAG_HEADER "find-hash-publish-tag"
#define FH_TEXT_(x) #x
#define FH_TEXT(x) FH_TEXT_(x)

/* options.c: what fh_queue_popt fills. */
struct fh_queue_opts {
	char *url;             /* --url */
	char *url_file;        /* --url-file */
	char *results_queue;   /* --results-queue */
	char *cacert, *cert, *key;
	int insecure;
	double wait;           /* --wait SECONDS, 0: do not wait */
	int loop;              /* --loop */
	int count;             /* --count N, FH_COUNT_UNSET: none */
	int heartbeat;         /* --heartbeat SECONDS, 0: off */
	double connect_timeout; /* --connect-timeout SECONDS, 0: one try */
	char *split;           /* --split N (--enqueue), fh_split_parse checks it */
	/* --wait, --count, --heartbeat and --connect-timeout as given:
	 * fh_queue_check_opts reads them, decimal only, into the fields
	 * above (popt's own numbers read "010" as octal 8, "0x10" as 16) */
	char *wait_arg, *count_arg, *heartbeat_arg, *connect_timeout_arg;
};
extern struct fh_queue_opts fh_qopt;

struct fh_url;
/* Checks the options against each other, the URL, the queue name and the
 * search options c; one line and -1 when they do not fit (exit status
 * FH_EXIT_USAGE). */
int fh_queue_check_opts(const struct fh_url *u, const char *queue,
			const struct fh_common *c, int enqueue);

/* The broker's address, parsed, with a form safe to print. */
struct fh_url {
	char *buf;             /* parse buffer: the fields point into it */
	char *user, *password, *host, *vhost;
	int port, ssl;
	char shown[256];       /* amqp://user:***@host:port/vhost */
	const char *source;    /* "--url", "--url-file", "BROKER_URL", ... */
};

/* Copies url to out with the password (between "user:" and "@") replaced
 * by "***" and non-printable bytes escaped; works on any text, parseable
 * or not, so even a bad URL can be named in an error. */
void fh_url_redact(const char *url, char *out, size_t size);
/* Parses text as an amqp:// or amqps:// URL into u (u->buf is a copy to be
 * freed with fh_url_free).  Returns 0, or -1 with a phrase in why. */
int fh_url_parse(const char *text, struct fh_url *u, const char **why);
/* Picks the URL from opt's --url or --url-file, $BROKER_URL or the
 * default, and parses it; on failure says why in one line and returns -1. */
int fh_url_resolve(struct fh_url *u, const struct fh_queue_opts *opt);
void fh_url_free(struct fh_url *u);

/* The broker's answer to one published message: RETURN is a basic.return
 * (with mandatory publishing: routed to no queue), before its ack. */
enum { FH_CONFIRM_ACK = 1, FH_CONFIRM_NACK = 2, FH_CONFIRM_RETURN = 3 };

/* A thread that shuts a connection's socket down when a blocking
 * rabbitmq-c call outlives its time, or a signal its grace (broker.c). */
struct fh_watchdog {
	pthread_t thread;
	pthread_mutex_t lock;  /* with wake: stopping it ends its nap */
	pthread_cond_t wake;
	int fd;
	double deadline;       /* fh_now() time, or 0: none */
	double grace;          /* after a signal; < 0: signals do not count */
	atomic_int state;
};

/* One connection and the channel queue mode works on. */
struct fh_broker {
	amqp_connection_state_t conn;
	amqp_channel_t ch;
	struct fh_url url;
	const struct fh_queue_opts *opt; /* TLS files, heartbeat, timeout */
	int dead;              /* the connection is gone: skip a polite close */
	int system;            /* the last failure was this machine's: no
				* thread or memory (fh_broker_failure) */
	int chan_dead;         /* the broker closed the channel */
	int confirming;        /* confirm.select done on ch */
	uint64_t published;    /* publish sequence number of the last one */
	uint64_t answered;     /* all tags <= this were acked or nacked */
	uint64_t nacked;       /* how many the broker refused */
	uint64_t returned;     /* how many it returned, in no queue */
	char return_queue[256]; /* the first return's routing key, */
	char return_reply[300]; /* ... its code and text */
	unsigned char *acked;  /* acked[tag - 1]: 0 waiting, FH_CONFIRM_* */
	size_t acked_cap;
	char err[1024];       /* why the last call failed, for one line */
	struct fh_watchdog guard; /* fh_broker_guard's */
	/* the input queue's watch (fh_broker_watch_queue) */
	amqp_channel_t watch_ch; /* its channel, 0 until the first check */
	int watch_open;        /* watch_ch is open (a 404 closes it) */
	const char *watch_queue; /* the queue's name (the caller's) */
	int watch_pending;     /* a check awaits the broker's answer */
	int watch_stale;       /* ... sent before the message now held */
	int watch_off;         /* its channel closed but for a 404: no checks */
	int queue_gone;        /* the broker said 404: the queue was deleted */
	double watch_sent;     /* fh_now() when the last check was sent */
};

/* Connects (retrying until opt->connect_timeout, with opt's TLS files),
 * logs in with opt->heartbeat and opens the channel; opt must outlive b.
 * Returns FH_EXIT_OK, or prints one line and returns FH_EXIT_USAGE (TLS
 * files), FH_EXIT_SYSTEM (no descriptor, memory or thread to connect
 * with), FH_EXIT_BROKER, or a signal's exit status. */
int fh_broker_open(struct fh_broker *b, const struct fh_url *url,
		   const struct fh_queue_opts *opt);
/* Closes channel and connection politely when they still stand, frees. */
void fh_broker_close(struct fh_broker *b);
/* Closes the channel with a round trip first, so that an ack or reject
 * the broker refused is noticed: 0, or -1 after filling b->err; then as
 * fh_broker_close. */
int fh_broker_sync_close(struct fh_broker *b);
/* A passive declare of queue name: 1 when it exists, 0 when it does not
 * (the broker's 404 closed the channel; a new one is open), -1 with
 * b->err. */
int fh_broker_queue_exists(struct fh_broker *b, const char *name);
/* Declares the durable queue name with args (amqp_empty_table: none), for
 * a queue fh_broker_queue_exists found absent: 1.  When someone declared
 * it meanwhile with other arguments (the broker refuses ours: 406), it is
 * used as it stands: 0.  -1 with b->err. */
int fh_broker_create_queue(struct fh_broker *b, const char *name,
			   amqp_table_t args);
/* Makes sure the durable queue name exists: a passive declare keeps a
 * queue as its owner declared it (quorum, dead-lettering...); only when it
 * is missing is it declared, durable, with no arguments.  0, or -1 with
 * b->err. */
int fh_broker_ensure_queue(struct fh_broker *b, const char *name);
/* A passive declare: 0 when queue name exists, else -1 with b->err (a
 * 404 closes the channel: the broker connection is then done for). */
int fh_broker_check_queue(struct fh_broker *b, const char *name,
			  const char *what);
/* confirm.select on the channel: 0, or -1 with b->err. */
int fh_broker_confirms(struct fh_broker *b);
/* Publishes body persistent and mandatory via the default exchange to
 * queue name; correlation_id when not empty.  0, or -1 with b->err. */
int fh_broker_publish(struct fh_broker *b, const char *name,
		      amqp_bytes_t body, const char *content_type,
		      amqp_bytes_t correlation_id);
/* With confirms on: publishes one empty message that no queue takes and
 * waits for its confirm, so a user without write permission is found out
 * before any message is taken.  0, or -1 with b->err. */
int fh_broker_check_publish(struct fh_broker *b);
/* Waits up to timeout seconds until the broker answered every message
 * published so far.  0 when it took them all, or -1 with b->err (some
 * refused, or returned as unroutable, in no queue: b->acked says which;
 * connection lost, timeout).  SIGTERM or SIGINT ends the wait at once. */
int fh_broker_wait_confirms(struct fh_broker *b, double timeout);
/* The same for what must be finished once it is begun (the result of a
 * found answer): SIGTERM or SIGINT ends the wait only FH_SIGNAL_SETTLE
 * seconds after it was caught, as fh_broker_settle_after_signal gives the
 * answers still coming. */
int fh_broker_wait_confirms_finishing(struct fh_broker *b, double timeout);
/* The same, but refusals and returns are no error: 0 once every message
 * published so far was answered (b->acked says how).  SIGTERM or SIGINT
 * ends the wait: -1 with b->err naming the signal. */
int fh_broker_settle(struct fh_broker *b, double timeout);
/* Services the connection without blocking: heartbeats both ways, and a
 * close by the broker.  0 while the channel stands, -1 with b->err and
 * b->dead set when it is gone. */
int fh_broker_service(struct fh_broker *b);
/* Services the connection for up to seconds. */
int fh_broker_idle(struct fh_broker *b, double seconds);
/* The input queue's watch.  basic.get ties a message to no consumer, so
 * a queue deleted while a worker holds its message goes unsaid: the
 * broker sends no basic.cancel, and the ack of a message whose queue is
 * gone is accepted.  So, every FH_QUEUE_CHECK_EVERY seconds of a search,
 * fh_broker_watch_queue sends a passive queue.declare of name on a
 * channel of its own, without waiting for the answer: pump (and message.c
 * through fh_broker_watch_frame) reads it among the other frames.  No
 * thread but the caller's touches the connection, and a broker slow to
 * answer (a resource alarm) holds nothing up.  Returns 0, or -1 once the
 * broker answered 404: b->queue_gone set, b->err "input queue 'name' was
 * deleted: its messages are gone".  A queue deleted and declared again
 * between two checks is not seen. */
#define FH_QUEUE_CHECK_EVERY 5.0
int fh_broker_watch_queue(struct fh_broker *b, const char *name);
/* A message was taken from the queue, which proves it is there: a 404
 * read before, or still to come for a check sent before, is about a
 * queue since declared again, not the one that holds this message. */
void fh_broker_watch_taken(struct fh_broker *b);
/* A frame of the watch's channel, read by someone else's wait: handles it
 * and returns 1, or returns 0 for a frame of another channel. */
int fh_broker_watch_frame(struct fh_broker *b, const amqp_frame_t *f);
/* Whether queue name is gone, asked now: a check (unless one is on its
 * way) and up to timeout seconds for the answer.  1 gone (b->err says
 * so), 0 there, or no answer in time, or the connection lost. */
int fh_broker_queue_deleted(struct fh_broker *b, const char *name,
			    double timeout);
/* rabbitmq-c 0.11 gives its calls no timeout, and a broker that blocks
 * publishers (a memory or disk alarm) stops reading from a connection
 * that published: every later call on it, a close included, would wait
 * for as long as the alarm lasts.  Between fh_broker_guard and
 * fh_broker_unguard the calls on b get at most seconds (0: no limit) and,
 * with grace >= 0, end grace seconds after SIGTERM or SIGINT: the socket
 * is shut down under them and they fail at once.  fh_broker_guard returns
 * 0, or -1 with b->err; fh_broker_unguard returns 0 when the guard did
 * not fire, else -1 with b->err saying why and b->dead set. */
int fh_broker_guard(struct fh_broker *b, double seconds, double grace);
int fh_broker_unguard(struct fh_broker *b, const char *what);
/* The exit status of a call on b that failed: FH_EXIT_SYSTEM when this
 * machine had no thread or memory for it (not tried again on the broker's
 * account, as the man page says), else FH_EXIT_BROKER. */
int fh_broker_failure(const struct fh_broker *b);
/* Like fh_broker_settle, and the same after a signal: for the answers
 * still coming once a signal has stopped the publishing. */
int fh_broker_settle_after_signal(struct fh_broker *b, double timeout);
/* After SIGTERM or SIGINT, the broker gets FH_SIGNAL_SETTLE seconds more to
 * answer what was sent (fh_broker_settle_after_signal's timeout, the wait
 * of fh_broker_wait_confirms_finishing), and a guard's grace
 * (fh_broker_guard) of FH_SIGNAL_GRACE cuts the connection a second after
 * that: a broker that blocks publishers must not hold a stopped pod for as
 * long as its alarm lasts. */
#define FH_SIGNAL_SETTLE 2.0
#define FH_SIGNAL_GRACE (FH_SIGNAL_SETTLE + 1.0)
/* message.c: after a basic.get-ok on b's channel, reads its message into
 * msg (free it with amqp_destroy_message), keeping only the correlation
 * and message ids of its properties and the first FH_MESSAGE_KEEP bytes
 * of its body; *size is the whole body's.  The reply, as
 * amqp_read_message's. */
#define FH_MESSAGE_KEEP 65536
amqp_rpc_reply_t fh_broker_read_message(struct fh_broker *b,
					amqp_message_t *msg, uint64_t *size);
/* Fills b->err from a failed RPC reply, prefixed with what; marks the
 * connection dead when the broker closed channel or connection. */
void fh_broker_reply_error(struct fh_broker *b, amqp_rpc_reply_t r,
			   const char *what);

#endif
