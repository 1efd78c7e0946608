/* broker.c: the broker connection: TLS, connect and login, channel errors
 * as one line, publishing with confirms, servicing heartbeats. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rabbitmq.h"

#include "broker.h"
#include "fh-exit.h"
#include "run.h"

/* Debian's (and Ubuntu's, Alpine's) system CA bundle.  rabbitmq-c 0.11
 * loads no default CA paths at all (that came in 0.14), so without
 * --cacert peer verification could never succeed; using the system bundle
 * keeps "amqps:// verifies by default" true for public CAs without linking
 * OpenSSL ourselves.  SSL_CERT_FILE overrides it, as for OpenSSL. */
#define FH_SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"

static struct timeval tv_of(double s)
{
	struct timeval tv;

	if (s < 0)
		s = 0;
	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - tv.tv_sec) * 1e6);
	return tv;
}

/* --- errors --------------------------------------------------------------- */

static void close_ok(struct fh_broker *b, amqp_channel_t ch, int connection)
{
	if (connection) {
		amqp_connection_close_ok_t ok;

		amqp_send_method(b->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD,
				 &ok);
	} else {
		amqp_channel_close_ok_t ok;

		amqp_send_method(b->conn, ch, AMQP_CHANNEL_CLOSE_OK_METHOD,
				 &ok);
	}
}

/* A close from the broker, as one phrase; answers it with close-ok. */
static void closed_by_broker(struct fh_broker *b, const amqp_method_t *m,
			     amqp_channel_t ch, const char *what)
{
	if (m->id == AMQP_CONNECTION_CLOSE_METHOD) {
		const amqp_connection_close_t *c = m->decoded;

		snprintf(b->err, sizeof b->err,
			 "%s: the broker closed the connection: %u %.*s", what,
			 c->reply_code, (int)c->reply_text.len,
			 (const char *)c->reply_text.bytes);
		close_ok(b, 0, 1);
		b->dead = 1;
	} else {
		const amqp_channel_close_t *c = m->decoded;

		snprintf(b->err, sizeof b->err,
			 "%s: the broker closed the channel: %u %.*s", what,
			 c->reply_code, (int)c->reply_text.len,
			 (const char *)c->reply_text.bytes);
		close_ok(b, ch, 0);
		b->chan_dead = 1;
	}
}

void fh_broker_reply_error(struct fh_broker *b, amqp_rpc_reply_t r,
			   const char *what)
{
	switch (r.reply_type) {
	case AMQP_RESPONSE_NORMAL:
		snprintf(b->err, sizeof b->err, "%s: unexpected reply", what);
		break;
	case AMQP_RESPONSE_NONE:
		snprintf(b->err, sizeof b->err, "%s: no reply", what);
		b->dead = 1;
		break;
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		/* rabbitmq-c leaves the connection unusable after a failed
		 * RPC (socket error, heartbeat or RPC timeout) */
		snprintf(b->err, sizeof b->err, "%s: %s", what,
			 amqp_error_string2(r.library_error));
		b->dead = 1;
		break;
	case AMQP_RESPONSE_SERVER_EXCEPTION:
		closed_by_broker(b, &r.reply, b->ch, what);
		break;
	}
}

/* --- connecting ----------------------------------------------------------- */

/* Sets up TLS on sock.  FH_EXIT_OK or FH_EXIT_USAGE after one line. */
static int tls_setup(amqp_socket_t *sock, const struct fh_url *u,
		     const struct fh_queue_opts *opt)
{
	const char *ca = opt->cacert;

	if (opt->insecure) {
		/* explicit and documented: the link is encrypted, but to
		 * whoever answers */
		amqp_ssl_socket_set_verify_peer(sock, 0);
		amqp_ssl_socket_set_verify_hostname(sock, 0);
	}
	if (!ca && !opt->insecure) {
		ca = getenv("SSL_CERT_FILE");
		if (!ca || !*ca)
			ca = FH_SYSTEM_CA;
		if (access(ca, R_OK) != 0) {
			fh_err("%s: no CA certificates to verify the broker "
			       "with (%s: %s): give --cacert FILE, or "
			       "--insecure", u->shown, ca, strerror(errno));
			return FH_EXIT_USAGE;
		}
	}
	if (ca && amqp_ssl_socket_set_cacert(sock, ca) != AMQP_STATUS_OK) {
		fh_err("cannot load CA certificates from %s", ca);
		return FH_EXIT_USAGE;
	}
	if (opt->cert &&
	    amqp_ssl_socket_set_key(sock, opt->cert, opt->key) !=
		    AMQP_STATUS_OK) {
		fh_err("cannot load the client certificate %s with key %s",
		       opt->cert, opt->key);
		return FH_EXIT_USAGE;
	}
	return FH_EXIT_OK;
}

/* A connect that failed for want of a descriptor or memory (errno): the
 * machine's trouble, not the broker's or the network's. */
static int out_of_resources(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM ||
	       err == ENOBUFS;
}

/* Failures worth another try: the broker not (yet) reachable.  Refused
 * credentials or a failed certificate check never get better by trying. */
static int retryable(int status)
{
	switch (status) {
	case AMQP_STATUS_SOCKET_ERROR:
	case AMQP_STATUS_TCP_ERROR:
	case AMQP_STATUS_TIMEOUT:
	case AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED:
	case AMQP_STATUS_CONNECTION_CLOSED:
	case AMQP_STATUS_SOCKET_CLOSED:
		return 1;
	default:
		return 0;
	}
}

static const char *hint(int status)
{
	switch (status) {
	case AMQP_STATUS_SSL_PEER_VERIFY_FAILED:
		return " (check --cacert; --insecure skips the check)";
	case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED:
		return " (the URL must name a DNS name on the certificate, "
		       "not an IP address; --insecure skips the check)";
	default:
		return "";
	}
}

/* --- the attempt's watchdog ------------------------------------------------
 *
 * rabbitmq-c 0.11 has no handshake or RPC timeout to set (amqp_set_
 * handshake_timeout and amqp_set_rpc_timeout came in 0.12): amqp_login
 * waits up to its built-in 12 s for a peer that accepted TCP and says
 * nothing, and amqp_channel_open for ever; its waits retry EINTR, so
 * SIGTERM cannot end them either.  A thread of ours watches the clock and
 * the signal flag meanwhile and, when either says stop, shuts the socket
 * down: the blocked wait then returns an error at once.  The thread makes
 * no rabbitmq-c call (the connection stays the main thread's); shutdown(2)
 * on a descriptor is safe from any thread. */

/* Each attempt (TCP, TLS, AMQP handshake, login, channel) gets what is left
 * of --connect-timeout, at least FH_ATTEMPT_MIN and at most FH_ATTEMPT_MAX
 * (the one try of --connect-timeout 0 gets FH_ATTEMPT_MAX): a broker that
 * accepts connections before it is booted is tried again rather than
 * waited on. */
#define FH_ATTEMPT_MIN 1.0
#define FH_ATTEMPT_MAX 12.0
/* The TCP connect alone, which no watchdog can cut short (the socket is
 * rabbitmq-c's until it is connected): a short one, tried again. */
#define FH_TCP_CONNECT_MAX 5.0

enum { FH_WATCH_RUNNING, FH_WATCH_DONE, FH_WATCH_TIMEOUT, FH_WATCH_SIGNAL };

/* The watchdog's nap between two looks at the clock and the signal flag:
 * how late it fires at most.  watch_stop does not wait for it. */
#define FH_WATCH_NAP_NS (20 * 1000 * 1000)

static void *watch(void *arg)
{
	struct fh_watchdog *w = arg;
	double signalled = 0;

	pthread_mutex_lock(&w->lock);
	while (atomic_load(&w->state) == FH_WATCH_RUNNING) {
		struct timespec until;
		int expected = FH_WATCH_RUNNING;
		double now = fh_now();
		int why = FH_WATCH_RUNNING;

		if (w->grace >= 0 && fh_signal_caught() && !signalled)
			signalled = now;
		if (signalled && now >= signalled + w->grace)
			why = FH_WATCH_SIGNAL;
		else if (w->deadline > 0 && now >= w->deadline)
			why = FH_WATCH_TIMEOUT;
		if (why != FH_WATCH_RUNNING &&
		    atomic_compare_exchange_strong(&w->state, &expected, why)) {
			shutdown(w->fd, SHUT_RDWR);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += FH_WATCH_NAP_NS;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&w->wake, &w->lock, &until);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Starts the watchdog: 0, or the error number (no thread, no memory). */
static int watch_start(struct fh_watchdog *w, int fd, double deadline,
		       double grace)
{
	pthread_condattr_t attr;
	int st;

	w->fd = fd;
	w->deadline = deadline;
	w->grace = grace;
	atomic_init(&w->state, FH_WATCH_RUNNING);
	if ((st = pthread_condattr_init(&attr)) != 0)
		return st;
	/* the nap's end on fh_now()'s clock: a wall clock set back must not
	 * make the watchdog sleep through its deadline */
	st = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (st == 0)
		st = pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (st != 0)
		return st;
	pthread_mutex_init(&w->lock, NULL);
	if ((st = pthread_create(&w->thread, NULL, watch, w)) != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		return st;
	}
	return 0;
}

/* Stops the watchdog: FH_WATCH_DONE when it never fired, else why it
 * shut the socket down (whatever the main thread saw since).  The state
 * changes under the lock, so the watchdog either sees it before its nap
 * or is woken from it: a guard costs no nap's wait. */
static int watch_stop(struct fh_watchdog *w)
{
	int expected = FH_WATCH_RUNNING;

	pthread_mutex_lock(&w->lock);
	atomic_compare_exchange_strong(&w->state, &expected, FH_WATCH_DONE);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	return atomic_load(&w->state);
}

int fh_broker_guard(struct fh_broker *b, double seconds, double grace)
{
	int st = watch_start(&b->guard, amqp_get_sockfd(b->conn),
			     seconds > 0 ? fh_now() + seconds : 0, grace);

	if (st != 0) {
		/* this machine's trouble (a thread or memory limit), said
		 * with its words: the broker did nothing wrong */
		snprintf(b->err, sizeof b->err, "cannot start a thread: %s",
			 strerror(st));
		b->system = 1;
		return -1;
	}
	return 0;
}

int fh_broker_failure(const struct fh_broker *b)
{
	return b->system ? FH_EXIT_SYSTEM : FH_EXIT_BROKER;
}

int fh_broker_unguard(struct fh_broker *b, const char *what)
{
	int why = watch_stop(&b->guard);

	if (why == FH_WATCH_DONE)
		return 0;
	b->dead = 1;
	if (why == FH_WATCH_SIGNAL)
		snprintf(b->err, sizeof b->err, "stopped by signal %d while %s",
			 fh_signal_caught(), what);
	else
		snprintf(b->err, sizeof b->err,
			 "%s: no answer from %s in time (does the broker "
			 "block publishers: a memory or disk alarm?)",
			 what, b->url.shown);
	return -1;
}

/* The handshake, login and channel: FH_EXIT_OK, or FH_EXIT_BROKER with
 * b->err and *again set when trying again may help. */
static int login(struct fh_broker *b, int *again)
{
	/* consumer_cancel_notify, which rabbitmq-c does not announce on its
	 * own (it merges this table into its default capabilities): without
	 * it the broker drops a consumer whose queue was deleted silently,
	 * and the solved notice's consumer would wait for ever unawares. */
	amqp_table_entry_t cap = {
		.key = amqp_cstring_bytes("consumer_cancel_notify"),
		.value = { .kind = AMQP_FIELD_KIND_BOOLEAN,
			   .value = { .boolean = 1 } },
	};
	amqp_table_entry_t prop = {
		.key = amqp_cstring_bytes("capabilities"),
		.value = { .kind = AMQP_FIELD_KIND_TABLE,
			   .value = { .table = { 1, &cap } } },
	};
	amqp_table_t client_properties = { 1, &prop };
	amqp_rpc_reply_t r;

	/* The heartbeat is what lets both sides notice a dead peer during a
	 * search that lasts hours; rabbitmq-c takes the smaller of ours and
	 * the broker's.  A failed login (bad password, unknown vhost) comes
	 * back as connection.close 403/530 because rabbitmq-c announces the
	 * authentication_failure_close capability. */
	r = amqp_login_with_properties(b->conn, b->url.vhost, 0,
				       AMQP_DEFAULT_FRAME_SIZE,
				       b->opt->heartbeat, &client_properties,
				       AMQP_SASL_METHOD_PLAIN, b->url.user,
				       b->url.password);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		char what[1024];

		snprintf(what, sizeof what, "cannot log in to %s as user '%s'",
			 b->url.shown, b->url.user);
		fh_broker_reply_error(b, r, what);
		/* a TLS broker that wants a client certificate ends the
		 * handshake only when we first send: it shows up here */
		if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
		    r.library_error == AMQP_STATUS_SSL_ERROR && !b->opt->cert)
			snprintf(b->err + strlen(b->err),
				 sizeof b->err - strlen(b->err),
				 " (does the broker require a client "
				 "certificate? --cert, --key)");
		*again = r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
			 retryable(r.library_error);
		return FH_EXIT_BROKER;
	}
	b->ch = 1;
	amqp_channel_open(b->conn, b->ch);
	r = amqp_get_rpc_reply(b->conn);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		fh_broker_reply_error(b, r, "cannot open a channel");
		return FH_EXIT_BROKER;
	}
	return FH_EXIT_OK;
}

/* SIGINT or SIGTERM while connecting: b->err says so; the exit status. */
static int stopped(struct fh_broker *b)
{
	snprintf(b->err, sizeof b->err,
		 "stopped by signal %d while connecting to %s",
		 fh_signal_caught(), b->url.shown);
	return fh_exit_for_signal(fh_signal_caught());
}

/* One attempt of at most limit seconds.  FH_EXIT_OK, FH_EXIT_USAGE, a
 * signal's status or FH_EXIT_SYSTEM with b->err, or FH_EXIT_BROKER with
 * b->err and *again set when trying again may help. */
static int open_once(struct fh_broker *b, double limit, int *again)
{
	double start = fh_now();
	struct fh_watchdog w;
	amqp_socket_t *sock;
	struct timeval tv;
	int st, why, err;

	*again = 0;
	b->conn = amqp_new_connection();
	if (!b->conn) {
		snprintf(b->err, sizeof b->err, "out of memory");
		return FH_EXIT_SYSTEM;
	}
	b->dead = b->chan_dead = 0;
	sock = b->url.ssl ? amqp_ssl_socket_new(b->conn)
			  : amqp_tcp_socket_new(b->conn);
	if (!sock) {
		snprintf(b->err, sizeof b->err, "cannot create a socket");
		return FH_EXIT_SYSTEM;
	}
	if (b->url.ssl && (st = tls_setup(sock, &b->url, b->opt)) != FH_EXIT_OK)
		return st;
	tv = tv_of(b->opt->connect_timeout <= 0 ? FH_ATTEMPT_MIN
		   : limit > FH_TCP_CONNECT_MAX ? FH_TCP_CONNECT_MAX
						: limit);
	/* rabbitmq-c says only "a socket error occurred" when socket(2)
	 * fails, but leaves its errno in place: nothing after the failed
	 * call touches errno on the way out (0.11: freeaddrinfo, and glibc's
	 * free keeps errno), checked for TCP and TLS with every descriptor
	 * taken.  errno is cleared first, so that a stale value is not read
	 * as this call's. */
	errno = 0;
	st = amqp_socket_open_noblock(sock, b->url.host, b->url.port, &tv);
	err = errno;
	if (st != AMQP_STATUS_OK && fh_signal_caught())
		return stopped(b);
	if (st != AMQP_STATUS_OK && out_of_resources(err)) {
		snprintf(b->err, sizeof b->err, "cannot connect to %s: %s",
			 b->url.shown, strerror(err));
		return FH_EXIT_SYSTEM;
	}
	if (st != AMQP_STATUS_OK) {
		snprintf(b->err, sizeof b->err, "cannot connect to %s: %s%s",
			 b->url.shown, amqp_error_string2(st), hint(st));
		*again = retryable(st);
		return FH_EXIT_BROKER;
	}
	if ((err = watch_start(&w, amqp_get_sockfd(b->conn), start + limit,
			       0)) != 0) {
		snprintf(b->err, sizeof b->err, "cannot start a thread: %s",
			 strerror(err));
		return FH_EXIT_SYSTEM;
	}
	st = login(b, again);
	why = watch_stop(&w);
	if (why == FH_WATCH_DONE)
		return st;
	/* the socket was shut down under rabbitmq-c: whatever it said, and
	 * even a login that just succeeded, the connection is gone */
	b->dead = 1;
	if (why == FH_WATCH_SIGNAL) {
		*again = 0;
		return stopped(b);
	}
	snprintf(b->err, sizeof b->err,
		 "cannot log in to %s: no AMQP answer within %.3g s (is a "
		 "broker listening there?)",
		 b->url.shown, limit);
	*again = 1;
	return FH_EXIT_BROKER;
}

static void drop(struct fh_broker *b)
{
	if (b->conn)
		amqp_destroy_connection(b->conn);
	b->conn = NULL;
}

int fh_broker_open(struct fh_broker *b, const struct fh_url *url,
		   const struct fh_queue_opts *opt)
{
	double start = fh_now(), deadline = start + opt->connect_timeout;
	double pause = 0.25;
	int st, again, tries = 0;

	memset(b, 0, sizeof *b);
	b->url = *url;
	b->opt = opt;
	for (;;) {
		double limit = deadline - fh_now();

		if (b->opt->connect_timeout <= 0 || limit > FH_ATTEMPT_MAX)
			limit = FH_ATTEMPT_MAX;
		else if (limit < FH_ATTEMPT_MIN)
			limit = FH_ATTEMPT_MIN;
		tries++;
		st = open_once(b, limit, &again);
		if (st == FH_EXIT_OK)
			return st;
		drop(b);
		if (st == FH_EXIT_USAGE)
			return st;
		if (fh_signal_caught()) {
			fh_err("%s", b->err);
			return st;
		}
		if (!again || fh_now() + pause > deadline)
			break;
		/* back off, doubling up to 5 s, and stay interruptible */
		for (double until = fh_now() + pause; fh_now() < until;) {
			struct timespec nap = { 0, 50 * 1000 * 1000 };

			if (fh_signal_caught()) {
				st = stopped(b);
				fh_err("%s", b->err);
				return st;
			}
			nanosleep(&nap, NULL);
		}
		pause = pause * 2 > 5 ? 5 : pause * 2;
	}
	if (tries > 1)
		fh_err("%s (gave up after %d tries in %.0f s)", b->err, tries,
		       fh_now() - start);
	else
		fh_err("%s", b->err);
	return st;
}

/* A polite close gets this long: it is worth waiting for (the broker
 * then knows at once, instead of at the next heartbeat), not worth
 * hanging on when the broker stopped reading. */
#define FH_CLOSE_MAX 5.0

void fh_broker_close(struct fh_broker *b)
{
	if (!b->conn)
		return;
	/* signals do not cut it short: a close is what a signal leads to */
	if (!b->dead && fh_broker_guard(b, FH_CLOSE_MAX, -1) == 0) {
		if (!b->chan_dead)
			amqp_channel_close(b->conn, b->ch, AMQP_REPLY_SUCCESS);
		amqp_connection_close(b->conn, AMQP_REPLY_SUCCESS);
		fh_broker_unguard(b, "closing the connection");
	}
	drop(b);
	free(b->acked);
	b->acked = NULL;
}

int fh_broker_sync_close(struct fh_broker *b)
{
	amqp_rpc_reply_t r;
	int st = 0;

	if (!b->conn)
		return -1;
	if (b->dead || b->chan_dead) {
		fh_broker_close(b);
		return -1;
	}
	/* channel.close-ok comes after the broker handled everything sent
	 * before on the channel: an ack the broker refused shows up here as
	 * a channel error instead of passing unnoticed. */
	if (fh_broker_guard(b, FH_CLOSE_MAX, -1) < 0)
		return -1;
	r = amqp_channel_close(b->conn, b->ch, AMQP_REPLY_SUCCESS);
	if (fh_broker_unguard(b, "closing the channel") < 0) {
		st = -1;
	} else if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		fh_broker_reply_error(b, r, "closing the channel");
		st = -1;
	}
	b->chan_dead = 1;
	fh_broker_close(b);
	return st;
}

/* --- queues ----------------------------------------------------------------- */

static int reopen_channel(struct fh_broker *b)
{
	amqp_rpc_reply_t r;

	b->ch++;
	b->chan_dead = 0;
	b->confirming = 0;
	amqp_channel_open(b->conn, b->ch);
	r = amqp_get_rpc_reply(b->conn);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		fh_broker_reply_error(b, r, "cannot open a channel");
		return -1;
	}
	return 0;
}

/* queue.declare, passive: the queue as it stands, or a 404 that closes
 * the channel. */
static amqp_rpc_reply_t declare_passive(struct fh_broker *b, const char *name)
{
	amqp_queue_declare(b->conn, b->ch, amqp_cstring_bytes(name), 1, 0, 0,
			   0, amqp_empty_table);
	return amqp_get_rpc_reply(b->conn);
}

int fh_broker_check_queue(struct fh_broker *b, const char *name,
			  const char *what)
{
	amqp_rpc_reply_t r = declare_passive(b, name);

	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 0;
	fh_broker_reply_error(b, r, what);
	return -1;
}

/* 1 when reply r is the broker closing the channel with code. */
static int channel_closed_with(amqp_rpc_reply_t r, int code)
{
	return r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
	       r.reply.id == AMQP_CHANNEL_CLOSE_METHOD &&
	       ((amqp_channel_close_t *)r.reply.decoded)->reply_code == code;
}

int fh_broker_queue_exists(struct fh_broker *b, const char *name)
{
	amqp_rpc_reply_t r;
	char what[1024];

	r = declare_passive(b, name);
	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 1;
	if (!channel_closed_with(r, AMQP_NOT_FOUND)) {
		snprintf(what, sizeof what, "queue '%s'", name);
		fh_broker_reply_error(b, r, what);
		return -1;
	}
	/* 404: the passive declare cost us the channel; take a new one */
	close_ok(b, b->ch, 0);
	return reopen_channel(b) < 0 ? -1 : 0;
}

int fh_broker_create_queue(struct fh_broker *b, const char *name,
			   amqp_table_t args)
{
	amqp_rpc_reply_t r;
	char what[1024];

	amqp_queue_declare(b->conn, b->ch, amqp_cstring_bytes(name), 0, 1, 0,
			   0, args);
	r = amqp_get_rpc_reply(b->conn);
	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 1;
	snprintf(what, sizeof what, "declaring queue '%s'", name);
	fh_broker_reply_error(b, r, what);
	/* 406: someone declared the queue since we found it absent, with
	 * other arguments.  It is used as it stands, as it would have been
	 * had it been there first; b->err keeps the 406 for when it is gone
	 * again (the 406 was then something else: a queue limit). */
	if (!channel_closed_with(r, AMQP_PRECONDITION_FAILED) ||
	    reopen_channel(b) < 0)
		return -1;
	r = declare_passive(b, name);
	if (r.reply_type == AMQP_RESPONSE_NORMAL) {
		b->err[0] = '\0';
		return 0;
	}
	if (channel_closed_with(r, AMQP_NOT_FOUND))
		close_ok(b, b->ch, 0);
	else
		fh_broker_reply_error(b, r, what);
	b->chan_dead = 1;
	return -1;
}

int fh_broker_ensure_queue(struct fh_broker *b, const char *name)
{
	int st = fh_broker_queue_exists(b, name);

	if (st == 0)
		st = fh_broker_create_queue(b, name, amqp_empty_table);
	return st < 0 ? -1 : 0;
}

/* --- publishing with confirms ----------------------------------------------- */

int fh_broker_confirms(struct fh_broker *b)
{
	amqp_rpc_reply_t r;

	amqp_confirm_select(b->conn, b->ch);
	r = amqp_get_rpc_reply(b->conn);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		fh_broker_reply_error(b, r, "turning on publisher confirms");
		return -1;
	}
	b->confirming = 1;
	b->published = b->answered = b->nacked = b->returned = 0;
	return 0;
}

/* Publishes body via the default exchange with routing key name, counted
 * for confirms; a probe is transient and not mandatory. */
static int publish(struct fh_broker *b, const char *name, amqp_bytes_t body,
		   const char *content_type, amqp_bytes_t correlation_id,
		   int probe)
{
	amqp_basic_properties_t props;
	amqp_table_entry_t tag;
	int st;

	if (b->dead || b->chan_dead) {
		snprintf(b->err, sizeof b->err, "publishing: channel closed");
		return -1;
	}
	if (b->confirming && b->published >= b->acked_cap) {
		size_t cap = b->acked_cap ? b->acked_cap * 2 : 64;
		unsigned char *p = realloc(b->acked, cap);

		if (!p) {
			snprintf(b->err, sizeof b->err, "out of memory");
			b->system = 1;
			return -1;
		}
		memset(p + b->acked_cap, 0, cap - b->acked_cap);
		b->acked = p;
		b->acked_cap = cap;
	}
	memset(&props, 0, sizeof props);
	props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG |
		       AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_APP_ID_FLAG;
	props.content_type = amqp_cstring_bytes(content_type);
	props.delivery_mode = probe ? AMQP_DELIVERY_NONPERSISTENT
				    : AMQP_DELIVERY_PERSISTENT;
	props.app_id = amqp_cstring_bytes("find-hash");
	if (correlation_id.len) {
		props._flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
		props.correlation_id = correlation_id;
	}
	/* the publish tag in a header: a basic.return carries none of its
	 * own, only the message, and its ack may come batched with others
	 * (multiple), so the header alone says which message is in no
	 * queue */
	if (b->confirming) {
		tag.key = amqp_cstring_bytes(FH_TAG_HEADER);
		tag.value.kind = AMQP_FIELD_KIND_I64;
		tag.value.value.i64 = (int64_t)(b->published + 1);
		props._flags |= AMQP_BASIC_HEADERS_FLAG;
		props.headers = (amqp_table_t){ 1, &tag };
	}
	/* mandatory: a message no queue takes comes back as basic.return
	 * instead of vanishing with a positive confirm; immediate is not
	 * supported by RabbitMQ. */
	st = amqp_basic_publish(b->conn, b->ch, amqp_empty_bytes,
				amqp_cstring_bytes(name), !probe, 0, &props, body);
	if (st != AMQP_STATUS_OK) {
		snprintf(b->err, sizeof b->err, "publishing to queue '%s': %s",
			 name, amqp_error_string2(st));
		b->dead = 1;
		return -1;
	}
	if (b->confirming)
		b->published++;
	return 0;
}

int fh_broker_publish(struct fh_broker *b, const char *name,
		      amqp_bytes_t body, const char *content_type,
		      amqp_bytes_t correlation_id)
{
	return publish(b, name, body, content_type, correlation_id, 0);
}

int fh_broker_check_publish(struct fh_broker *b)
{
	/* Write permission is checked on the exchange, amq.default, when a
	 * message arrives: an empty one for routing key "" (no queue has
	 * that name, and a message no queue takes is dropped, confirmed)
	 * finds out without putting anything in any queue. */
	if (publish(b, "", amqp_empty_bytes, "application/octet-stream",
		    amqp_empty_bytes, 1) < 0 ||
	    fh_broker_wait_confirms(b, 30) < 0) {
		char why[512];

		/* the broker's reason, cut to leave room for ours */
		snprintf(why, sizeof why, "%.*s", (int)sizeof why - 1, b->err);
		snprintf(b->err, sizeof b->err,
			 "cannot publish results as user '%.64s': %s",
			 b->url.user, why);
		return -1;
	}
	return 0;
}

/* The broker's answer to tag (with multiple: to every tag up to it still
 * waiting): FH_CONFIRM_ACK or FH_CONFIRM_NACK.  Acks and nacks come out of
 * order and batched; answered advances over the prefix all answered. */
static void mark_confirm(struct fh_broker *b, uint64_t tag, int multiple,
			 unsigned char answer)
{
	if (tag == 0 || tag > b->published)
		return;
	for (uint64_t t = multiple ? b->answered + 1 : tag; t <= tag; t++)
		if (b->acked[t - 1] == 0) {
			b->acked[t - 1] = answer;
			if (answer == FH_CONFIRM_NACK)
				b->nacked++;
		}
	while (b->answered < b->published && b->acked[b->answered])
		b->answered++;
}

/* The publish tag FH_TAG_HEADER of a returned message says, or 0. */
static uint64_t returned_tag(const amqp_message_t *msg)
{
	const amqp_table_t *h = &msg->properties.headers;

	if (!(msg->properties._flags & AMQP_BASIC_HEADERS_FLAG))
		return 0;
	for (int i = 0; i < h->num_entries; i++)
		if (h->entries[i].value.kind == AMQP_FIELD_KIND_I64 &&
		    h->entries[i].key.len == strlen(FH_TAG_HEADER) &&
		    memcmp(h->entries[i].key.bytes, FH_TAG_HEADER,
			   h->entries[i].key.len) == 0)
			return (uint64_t)h->entries[i].value.value.i64;
	return 0;
}

/* b->err for the messages returned. */
static void returned_error(struct fh_broker *b)
{
	snprintf(b->err, sizeof b->err,
		 "queue '%s' does not exist: the broker returned %llu "
		 "message%s as unroutable (%s), in no queue",
		 b->return_queue, (unsigned long long)b->returned,
		 b->returned == 1 ? "" : "s", b->return_reply);
}

/* A basic.return: the message, published mandatory, went to no queue.
 * One of ours (its tag in range, still waiting) is marked, not an error
 * yet: its ack follows, and wait_confirms says which came back.  0, or
 * -1 with b->err for one it cannot place. */
static int handle_return(struct fh_broker *b, const amqp_frame_t *f)
{
	const amqp_basic_return_t *r = f->payload.method.decoded;
	amqp_message_t msg;
	uint64_t tag = 0;

	snprintf(b->return_queue, sizeof b->return_queue, "%.*s",
		 (int)r->routing_key.len, (const char *)r->routing_key.bytes);
	snprintf(b->return_reply, sizeof b->return_reply, "%u %.*s",
		 r->reply_code, (int)r->reply_text.len,
		 (const char *)r->reply_text.bytes);
	/* header and body follow the return: read them off */
	if (amqp_read_message(b->conn, f->channel, &msg, 0).reply_type ==
	    AMQP_RESPONSE_NORMAL) {
		tag = returned_tag(&msg);
		amqp_destroy_message(&msg);
	}
	if (tag == 0 || tag > b->published || b->acked[tag - 1] != 0) {
		b->returned = 1;
		returned_error(b);
		return -1;
	}
	b->acked[tag - 1] = FH_CONFIRM_RETURN;
	b->returned++;
	while (b->answered < b->published && b->acked[b->answered])
		b->answered++;
	return 0;
}

/* One frame that arrived outside an RPC.  0, or -1 with b->err. */
static int handle_frame(struct fh_broker *b, amqp_frame_t *f)
{
	amqp_method_t *m = &f->payload.method;

	/* the watch's answers are no error of the connection's: a deleted
	 * queue stops a search (fh_broker_watch_queue), not the wait for
	 * a result's confirm */
	if (fh_broker_watch_frame(b, f))
		return 0;
	if (f->frame_type != AMQP_FRAME_METHOD)
		return 0; /* content of nothing we asked for */
	switch (m->id) {
	case AMQP_CONNECTION_CLOSE_METHOD:
	case AMQP_CHANNEL_CLOSE_METHOD:
		closed_by_broker(b, m, f->channel, b->url.shown);
		return -1;
	case AMQP_BASIC_ACK_METHOD: {
		const amqp_basic_ack_t *a = m->decoded;

		mark_confirm(b, a->delivery_tag, a->multiple, FH_CONFIRM_ACK);
		return 0;
	}
	case AMQP_BASIC_NACK_METHOD: {
		const amqp_basic_nack_t *a = m->decoded;

		/* not an error yet: the caller learns from b->acked which
		 * messages the broker refused (a full queue with
		 * x-overflow=reject-publish) and which it took */
		mark_confirm(b, a->delivery_tag, a->multiple, FH_CONFIRM_NACK);
		return 0;
	}
	case AMQP_BASIC_RETURN_METHOD:
		return handle_return(b, f);
	default:
		return 0;
	}
}

/* Waits up to seconds for one frame and handles it: 1 handled, 0 nothing
 * came, -1 error with b->err. */
static int pump(struct fh_broker *b, double seconds)
{
	amqp_frame_t f;
	struct timeval tv = tv_of(seconds);
	int st;

	if (b->dead || b->chan_dead) {
		if (!b->err[0])
			snprintf(b->err, sizeof b->err, "channel closed");
		return -1;
	}
	st = amqp_simple_wait_frame_noblock(b->conn, &f, &tv);
	if (st == AMQP_STATUS_TIMEOUT)
		return 0;
	if (st != AMQP_STATUS_OK) {
		snprintf(b->err, sizeof b->err, "connection to %s lost: %s",
			 b->url.shown, amqp_error_string2(st));
		b->dead = 1;
		return -1;
	}
	st = handle_frame(b, &f);
	amqp_maybe_release_buffers(b->conn);
	return st < 0 ? -1 : 1;
}

/* Waits up to timeout seconds until the broker answered every message
 * published so far.  After SIGTERM or SIGINT it waits signal_settle
 * seconds more at most: 0 stops at once, < 0 lets signals not count.
 * 0, or -1 with b->err. */
static int settle(struct fh_broker *b, double timeout, double signal_settle)
{
	double deadline = fh_now() + timeout, signalled = 0;

	while (b->answered < b->published) {
		double now = fh_now(), left = deadline - now;

		if (signal_settle >= 0 && fh_signal_caught() && !signalled)
			signalled = now;
		/* the broker may be blocking publishers for as long as an
		 * alarm lasts: a signal must not wait for that */
		if (signalled && now >= signalled + signal_settle) {
			snprintf(b->err, sizeof b->err,
				 "stopped by signal %d while waiting for the "
				 "broker's confirms (%llu of %llu answered)",
				 fh_signal_caught(),
				 (unsigned long long)b->answered,
				 (unsigned long long)b->published);
			return -1;
		}
		if (left <= 0) {
			snprintf(b->err, sizeof b->err,
				 "the broker answered %llu of %llu published "
				 "messages within %.0f s",
				 (unsigned long long)b->answered,
				 (unsigned long long)b->published, timeout);
			return -1;
		}
		if (signalled && signalled + signal_settle - now < left)
			left = signalled + signal_settle - now;
		if (pump(b, left < 0.2 ? left : 0.2) < 0)
			return -1;
	}
	return 0;
}

/* settle, then refusals are an error. */
static int wait_confirms(struct fh_broker *b, double timeout,
			 double signal_settle)
{
	if (settle(b, timeout, signal_settle) < 0)
		return -1;
	if (b->nacked) {
		snprintf(b->err, sizeof b->err,
			 "the broker refused %llu of %llu published messages "
			 "(basic.nack)",
			 (unsigned long long)b->nacked,
			 (unsigned long long)b->published);
		return -1;
	}
	if (b->returned) {
		returned_error(b);
		return -1;
	}
	return 0;
}

int fh_broker_wait_confirms(struct fh_broker *b, double timeout)
{
	return wait_confirms(b, timeout, 0);
}

int fh_broker_wait_confirms_finishing(struct fh_broker *b, double timeout)
{
	return wait_confirms(b, timeout, FH_SIGNAL_SETTLE);
}

int fh_broker_settle(struct fh_broker *b, double timeout)
{
	return settle(b, timeout, 0);
}

int fh_broker_settle_after_signal(struct fh_broker *b, double timeout)
{
	return settle(b, timeout, -1);
}

int fh_broker_service(struct fh_broker *b)
{
	int st;

	/* A zero timeout still sends a due heartbeat and reads whatever the
	 * broker sent (its heartbeats, a close); rabbitmq-c does neither on
	 * its own, so this is what keeps a long search's connection up. */
	while ((st = pump(b, 0)) > 0)
		;
	return st;
}

/* --- the input queue's watch ------------------------------------------------ */

/* Sends one passive queue.declare of name on the watch's channel, opening
 * it with the first (channel.open and the declare go out together; the
 * broker handles them in order).  The channel is the one after b->ch,
 * which no longer changes once messages are taken.  0, or -1 with b->err
 * and b->dead set. */
static int watch_send(struct fh_broker *b, const char *name)
{
	amqp_queue_declare_t d;
	int st = AMQP_STATUS_OK;

	if (!b->watch_open) {
		amqp_channel_open_t o = { .out_of_band = amqp_empty_bytes };

		/* the same number again after a 404 closed it: the
		 * close-ok went out before this open */
		if (!b->watch_ch)
			b->watch_ch = b->ch + 1;
		st = amqp_send_method(b->conn, b->watch_ch,
				      AMQP_CHANNEL_OPEN_METHOD, &o);
		b->watch_open = 1;
	}
	b->watch_queue = name;
	memset(&d, 0, sizeof d);
	d.queue = amqp_cstring_bytes(name);
	d.passive = 1;
	d.arguments = amqp_empty_table;
	if (st == AMQP_STATUS_OK)
		st = amqp_send_method(b->conn, b->watch_ch,
				      AMQP_QUEUE_DECLARE_METHOD, &d);
	if (st != AMQP_STATUS_OK) {
		snprintf(b->err, sizeof b->err, "connection to %s lost: %s",
			 b->url.shown, amqp_error_string2(st));
		b->dead = 1;
		return -1;
	}
	b->watch_pending = 1;
	b->watch_sent = fh_now();
	return 0;
}

int fh_broker_watch_frame(struct fh_broker *b, const amqp_frame_t *f)
{
	const amqp_method_t *m = &f->payload.method;

	if (!b->watch_ch || f->channel != b->watch_ch)
		return 0;
	if (f->frame_type != AMQP_FRAME_METHOD)
		return 1;
	if (m->id == AMQP_QUEUE_DECLARE_OK_METHOD) {
		b->watch_pending = 0;
		b->watch_stale = 0;
	} else if (m->id == AMQP_CHANNEL_CLOSE_METHOD) {
		const amqp_channel_close_t *c = m->decoded;
		int stale = b->watch_stale;

		close_ok(b, b->watch_ch, 0);
		b->watch_open = 0;
		b->watch_pending = 0;
		b->watch_stale = 0;
		if (c->reply_code == AMQP_NOT_FOUND && stale) {
			/* the queue was gone before the message now held was
			 * taken from it: the next check reopens the channel */
		} else if (c->reply_code == AMQP_NOT_FOUND) {
			b->queue_gone = 1;
			snprintf(b->err, sizeof b->err,
				 "input queue '%s' was deleted: its messages "
				 "are gone", b->watch_queue);
		} else {
			/* not the queue's absence (a queue another
			 * connection holds exclusively, 405): basic.get says
			 * what it is; the watch only stops */
			b->watch_off = 1;
		}
	}
	return 1;
}

/* No check can go out: the connection or the main channel is gone, or
 * the watch stopped on an answer that was no 404. */
static int watch_stopped(const struct fh_broker *b)
{
	return b->dead || b->chan_dead || b->watch_off;
}

int fh_broker_watch_queue(struct fh_broker *b, const char *name)
{
	if (b->queue_gone)
		return -1;
	if (watch_stopped(b) || b->watch_pending ||
	    (b->watch_ch && fh_now() < b->watch_sent + FH_QUEUE_CHECK_EVERY))
		return 0;
	return watch_send(b, name);
}

void fh_broker_watch_taken(struct fh_broker *b)
{
	b->queue_gone = 0;
	b->watch_stale = b->watch_pending;
}

int fh_broker_queue_deleted(struct fh_broker *b, const char *name,
			    double timeout)
{
	double deadline = fh_now() + timeout;
	/* a check on its way counts, unless it was sent before the message
	 * now held was taken: then one more, once it is answered */
	int asked = b->watch_pending && !b->watch_stale;

	while (!b->queue_gone) {
		double left = deadline - fh_now();

		if (!b->watch_pending) {
			if (asked || watch_stopped(b) || watch_send(b, name) < 0)
				return 0;
			asked = 1;
		}
		if (left <= 0 || pump(b, left < 0.1 ? left : 0.1) < 0)
			return 0;
	}
	return 1;
}

int fh_broker_idle(struct fh_broker *b, double seconds)
{
	double deadline = fh_now() + seconds;

	for (;;) {
		double left = deadline - fh_now();

		if (left <= 0 || fh_signal_caught())
			return 0;
		if (pump(b, left < 0.1 ? left : 0.1) < 0)
			return -1;
	}
}
