/* options.c: the queue mode options (popt table) and their storage. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <popt.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "queue.h"
#include "run.h"

/* 30 s: a dead peer is noticed within a minute, and a broker configured
 * with a shorter heartbeat wins the negotiation anyway. */
struct fh_queue_opts fh_qopt = {
	.heartbeat = 30,
	.count = FH_COUNT_UNSET,
};

struct poptOption fh_queue_popt[] = {
	{ "url", 0, POPT_ARG_STRING, &fh_qopt.url, 0,
	  "broker URL " FH_URL_HINT " (default: "
	  "$" FH_URL_ENV ", else " FH_DEFAULT_URL "); other users can read "
	  "a command line, prefer --url-file or " FH_URL_ENV,
	  "URL" },
	{ "url-file", 0, POPT_ARG_STRING, &fh_qopt.url_file, 0,
	  "read the broker URL from the first line of PATH (a mounted secret)",
	  "PATH" },
	{ "results-queue", 0, POPT_ARG_STRING, &fh_qopt.results_queue, 0,
	  "also publish each answer as JSON to the durable queue NAME, "
	  "confirmed by the broker before the input is acknowledged",
	  "NAME" },
	{ "wait", 0, POPT_ARG_STRING, &fh_qopt.wait_arg, 0,
	  "wait up to SECONDS for a message when the queue is empty "
	  "(default 0)",
	  "SECONDS" },
	{ "loop", 0, POPT_ARG_NONE, &fh_qopt.loop, 0,
	  "keep taking messages until the queue is empty", NULL },
	{ "count", 0, POPT_ARG_STRING, &fh_qopt.count_arg, 0,
	  "take at most N messages, stopping early when the queue is empty",
	  "N" },
	{ "heartbeat", 0, POPT_ARG_STRING, &fh_qopt.heartbeat_arg, 0,
	  "AMQP heartbeat to ask for, 0 for none (default 30)", "SECONDS" },
	{ "connect-timeout", 0, POPT_ARG_STRING, &fh_qopt.connect_timeout_arg,
	  0,
	  "keep trying to reach the broker for up to SECONDS (default 0: "
	  "one try)",
	  "SECONDS" },
	{ "cacert", 0, POPT_ARG_STRING, &fh_qopt.cacert, 0,
	  "amqps: CA certificates to verify the broker with (default: the "
	  "system's)",
	  "FILE" },
	{ "cert", 0, POPT_ARG_STRING, &fh_qopt.cert, 0,
	  "amqps: client certificate (PEM), with --key", "FILE" },
	{ "key", 0, POPT_ARG_STRING, &fh_qopt.key, 0,
	  "amqps: client private key (PEM), with --cert", "FILE" },
	{ "insecure", 0, POPT_ARG_NONE, &fh_qopt.insecure, 0,
	  "amqps: do not verify the broker's certificate and host name",
	  NULL },
	{ "split", 0, POPT_ARG_STRING, &fh_qopt.split, 0,
	  "--enqueue: publish each prefix as N shard messages \"PREFIX I/N "
	  "SEED\" that N workers search at once; the first answer stops the "
	  "others",
	  "N" },
	POPT_TABLEEND
};

/* A number of seconds from 0 to FH_SECONDS_MAX, decimal as --timeout
 * is: strtod alone takes "nan" (which every comparison lets through, so
 * "--wait nan" waited forever), "inf", 1e300 (which no timeval holds)
 * and hexadecimal ("0x10" is 16 s).  0, or -1 after one line. */
#define FH_SECONDS_MAX 1e9

static int seconds_arg(const char *option, const char *text, double *out)
{
	char *end;
	double v;

	if (!text)
		return 0;
	errno = 0;
	v = *text && strspn(text, "0123456789.eE+-") == strlen(text)
		    ? strtod(text, &end) : -1;
	if (v >= 0 && *end == '\0' && v <= FH_SECONDS_MAX &&
	    !(errno == ERANGE && v >= 1)) {
		*out = v;
		return 0;
	}
	fh_err("%s '%s': expected a decimal number of seconds from 0 to %.0f",
	       option, text, FH_SECONDS_MAX);
	return -1;
}

/* A whole number from min to max, decimal digits only: popt's own int
 * options read "010" as octal 8 (and refused "09"), "0x10" as 16, and
 * took a leading blank or sign.  0, or -1 after one line. */
static int int_arg(const char *option, const char *text, long min, long max,
		   const char *unit, int *out)
{
	char *end;
	long v = -1;

	if (!text)
		return 0;
	errno = 0;
	if (*text >= '0' && *text <= '9')
		v = strtol(text, &end, 10);
	if (v >= min && v <= max && errno == 0 && *end == '\0') {
		*out = (int)v;
		return 0;
	}
	fh_err("%s '%s': expected a decimal number%s from %ld to %ld", option,
	       text, unit, min, max);
	return -1;
}

/* --seed means something to --enqueue only as the shards' seed with
 * --split; without it, nobody should believe it reaches the workers.  (The
 * command line refuses the other search options with --enqueue before
 * any of this runs: main.c's check_mode.) */
static int enqueue_search_opts(const struct fh_common *c)
{
	if (!c->seeded || fh_qopt.split)
		return 0;
	fh_err("--seed without --split: a search option, for workers, "
	       "not --enqueue");
	return -1;
}

int fh_queue_name_not_option(const char *opt, const char *name)
{
	if (strncmp(name, "--", 2) != 0)
		return 0;
	fh_err("%s needs a queue name, not the option '%s'", opt, name);
	return -1;
}

/* 1 after one line when name is no name a queue can be reached by:
 * longer than AMQP's short string, or holding a CR or LF (a value from a
 * ConfigMap written as a YAML block ends in one).  RabbitMQ drops CR and
 * LF from a name it declares, not from one it routes a message to or
 * gives messages from: --enqueue declared "job", then published to
 * "job\n", which routes nowhere; a worker's basic.get found no queue
 * (status 3, as if the queue were missing, retried by every pod). */
static int bad_name(const char *opt, const char *name)
{
	if (strlen(name) > FH_QUEUE_NAME_MAX) {
		fh_err("%s: a queue name is at most %d bytes, this one has %zu",
		       opt, FH_QUEUE_NAME_MAX, strlen(name));
		return 1;
	}
	if (strpbrk(name, "\r\n")) {
		fh_err("%s '%s': a queue name holds no CR or LF (the broker "
		       "drops them when it declares a queue, not when it "
		       "routes to it)", opt, name);
		return 1;
	}
	return 0;
}

int fh_queue_check_opts(const struct fh_url *u, const char *queue,
			const struct fh_common *c, int enqueue)
{
	/* --count 0 would take nothing, which no one means (a script's
	 * items / pods come out 0): refuse it rather than take one */
	if (seconds_arg("--wait", fh_qopt.wait_arg, &fh_qopt.wait) ||
	    seconds_arg("--connect-timeout", fh_qopt.connect_timeout_arg,
			&fh_qopt.connect_timeout) ||
	    int_arg("--count", fh_qopt.count_arg, 1, INT_MAX, "",
		    &fh_qopt.count) ||
	    int_arg("--heartbeat", fh_qopt.heartbeat_arg, 0, 65535,
		    " of seconds", &fh_qopt.heartbeat))
		return -1;
	/* AMQP's shortstr: a longer name fails only at the broker, as
	 * "invalid AMQP data", after connecting; CR and LF: bad_name */
	if (bad_name("--queue", queue) ||
	    (fh_qopt.results_queue &&
	     bad_name("--results-queue", fh_qopt.results_queue)))
		return -1;
	if (!fh_qopt.cert != !fh_qopt.key) {
		fh_err("--cert and --key go together");
		return -1;
	}
	/* TLS options on a plain URL would leave someone believing the link
	 * is verified: refuse rather than ignore them */
	if (!u->ssl && (fh_qopt.cacert || fh_qopt.cert || fh_qopt.insecure)) {
		fh_err("--cacert, --cert, --key and --insecure need an "
		       "amqps:// URL (the URL is %s)", u->shown);
		return -1;
	}
	if (!enqueue && fh_qopt.split) {
		fh_err("--split is for --enqueue, not for workers");
		return -1;
	}
	if (enqueue && (fh_qopt.results_queue || fh_qopt.loop ||
			fh_qopt.count != FH_COUNT_UNSET || fh_qopt.wait > 0)) {
		fh_err("--results-queue, --loop, --count and --wait are for "
		       "workers, not --enqueue");
		return -1;
	}
	if (enqueue && enqueue_search_opts(c) < 0)
		return -1;
	/* An empty name makes the broker invent one (amq.gen-...): a durable
	 * queue left behind by every run, and a publish to it that routes
	 * nowhere.  The input queue itself would take each answer back as
	 * a job, a poison message. */
	if (fh_qopt.results_queue && !*fh_qopt.results_queue) {
		fh_err("--results-queue needs a queue name");
		return -1;
	}
	if (fh_qopt.results_queue &&
	    fh_queue_name_not_option("--results-queue",
				     fh_qopt.results_queue) < 0)
		return -1;
	if (fh_qopt.results_queue && strcmp(fh_qopt.results_queue, queue) == 0) {
		fh_err("--results-queue '%s' is the input queue: give another "
		       "queue", queue);
		return -1;
	}
	return 0;
}
