/* run.h: the run layer, what the command (src/cli) and the queue worker
 * (src/queue) share above the engine: the options common to both modes,
 * the loop that runs one search while its caller keeps doing its own work
 * (a progress line, a broker connection's heartbeats), signals, and how
 * answers and messages leave the program.  The flow is one way:
 * cli -> queue -> run -> search; nothing here knows of AMQP. */
#ifndef FH_RUN_H
#define FH_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "search.h"

/* Options that shape any search, filled by main.c from the command line. */
struct fh_common {
	unsigned threads;                 /* >= 1 */
	uint64_t max_tries;               /* 0: no bound */
	double timeout;                   /* seconds, 0: no bound */
	int seeded;
	uint64_t seed;
	int json;                         /* --json */
	int progress;                     /* stderr is a terminal, not --quiet
					     (which fh_note knows) */
	const struct fh_kernel *kernel;
	uint64_t shard, shards;           /* --shard I/N; shards 0: none */
};

/* --- run.c: one search from start to end -------------------------------- */

/* A started search and the base its candidates come from, which must live
 * as long as the search does. */
struct fh_run {
	struct fh_base base;
	struct fh_search *s;
};

/* Starts the search for prefixes[0..n) under c (base from c's seed, range
 * from c's shard, bounds, threads, kernel); the search borrows prefixes,
 * which must stay until the caller's fh_search_free.  0, or -1 with one
 * phrase in why ("cannot start 2 search threads: ...") and nothing to
 * free; the caller says what becomes of the work. */
int fh_run_start(struct fh_run *r, const struct fh_common *c,
		 const struct fh_prefix *prefixes, size_t n, char *why,
		 size_t whysize);

/* Why fh_run_search returned. */
enum fh_run_end {
	FH_RUN_SOLVED,    /* every prefix found */
	FH_RUN_EXHAUSTED, /* the range (shard) ended without a match */
	FH_RUN_GAVE_UP,   /* --max-tries or --timeout ended it */
	FH_RUN_SIGNAL,    /* SIGINT, SIGTERM, SIGHUP: fh_signal_caught() says which */
	FH_RUN_TICK,      /* the caller's tick asked to stop */
};

/* Runs a started search to its end.  Every ~200 ms it redraws the progress
 * line (when c->progress), enforces c->timeout, checks for a signal, and
 * calls tick(arg) when tick is not NULL; a non-zero return from tick stops
 * the search (the queue worker does this when the broker closes the
 * channel).  The search is stopped but not freed. */
enum fh_run_end fh_run_search(struct fh_search *s, const struct fh_common *c,
			      int (*tick)(void *arg), void *arg);

/* --- signals.c ----------------------------------------------------------- */

/* SIGINT, SIGTERM and SIGHUP only set a flag; the loops look at it (a
 * SIGHUP ignored on entry, as under nohup, stays ignored).
 * fh_signal_caught returns the first signal caught, or 0. */
void fh_signals_install(void);
int fh_signal_caught(void);
/* "SIGINT", "SIGTERM" or "SIGHUP", for the lines that say a run was
 * stopped. */
const char *fh_signal_name(int sig);
/* 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
int fh_exit_for_signal(int sig);
/* The caught signal's exit status when there is one, else st: for a
 * failure that a signal may be the cause of. */
int fh_exit_signal_or(int st);

/* --- input.c: lines from standard input --------------------------------- */

/* The longest line of prefixes on standard input, newline not counted:
 * far more than a prefix (64 hex digits) with blanks around it, as the
 * man page says.  A longer line is a bad prefix, read no further. */
#define FH_STDIN_LINE_MAX 4096

/* How fh_read_lines ended. */
enum fh_lines_end {
	FH_LINES_DONE,     /* the end of the input */
	FH_LINES_REFUSED,  /* each returned non-zero (its reason is the caller's) */
	FH_LINES_SIGNAL,   /* a signal stopped the read: fh_signal_caught() */
	FH_LINES_ERROR,    /* the read failed at line *number + 1, *err why */
	FH_LINES_TOO_LONG, /* line *number is over FH_STDIN_LINE_MAX bytes */
};
/* Called with each line that is not blank (not only " \t\r\n\v\f"),
 * newline included, and its number counting every line; non-zero stops
 * the reading. */
typedef int fh_line_fn(void *arg, const char *line, size_t len,
		       unsigned long number);
/* Reads in to its end one line at a time, for "-" among the prefixes of
 * --offline and --enqueue; *number is the number of lines read, *err the
 * errno of a failed read.  The caller says what each end means, in its
 * words. */
enum fh_lines_end fh_read_lines(FILE *in, fh_line_fn *each, void *arg,
				unsigned long *number, int *err);

/* --- output.c: how answers and messages leave the program ---------------
 * Offline mode and the queue worker print through the same functions, so
 * stdout looks the same in both (kubectl logs shows what a terminal
 * shows). */

/* The password in a URL's user information: rest is what follows the
 * "://" (or the whole text, lacking one), len how much of it is the URL.
 * The user information ends at the last '@' (a password may hold an
 * unencoded '@' or '/': hiding too much beats showing a secret), the
 * password starts after its first ':'.  1 with [*from, *to) the password
 * (maybe empty) and *to its '@', or 0 when there is none.  The one rule
 * for every place that hides a password: messages (fh_err), the broker
 * URL shown and --url in argv (url.c's fh_url_redact and fh_url_hide).
 * Inline, here: url.c's fuzz target has an fh_err of its own, so it
 * cannot link output.c. */
static inline int fh_url_password(const char *rest, size_t len,
				  const char **from, const char **to)
{
	const char *at = NULL, *colon;

	for (size_t i = 0; i < len; i++)
		if (rest[i] == '@')
			at = rest + i;
	if (!at || !(colon = memchr(rest, ':', (size_t)(at - rest))))
		return 0;
	*from = colon + 1;
	*to = at;
	return 1;
}

/* The form of a broker URL, as messages and --help show it.  one_line
 * prints it as written: its "password" is the word, no secret, and
 * hidden it read "user:***@host", a hint no longer. */
#define FH_URL_HINT "amqp[s]://user:password@host:port/vhost"

/* The program name for messages, "find-hash". */
extern const char *fh_progname;

/* "find-hash: " + message + "\n" on stderr, one line: an error, always
 * said. */
void fh_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with "warning: " before the message: something works, but not
 * as the user likely meant; always said. */
void fh_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line that only informs (a queue is empty, a message was redelivered):
 * not said under --quiet (fh_set_quiet). */
void fh_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fh_set_quiet(int quiet);

/* The answer as one JSON object (no newline): the keys prefix, string,
 * sha256, tries, seconds, and host when host is not NULL.  Returns the
 * length written, or -1 when size is too small. */
int fh_answer_json(char *buf, size_t size, const struct fh_prefix *p,
		   const struct fh_answer *a, const char *host);

/* Prints one found answer on out: JSON when json is set, else the string,
 * two spaces and the digest, as sha256sum prints it.  It first re-hashes
 * the string with Nettle and refuses (returns -1, prints nothing, says so
 * on stderr) an answer that does not start with the prefix: a wrong answer
 * is never printed.  Returns 0, or -1 on that refusal or a write error;
 * a write error is left to the caller to report (errno says why). */
int fh_print_answer(FILE *out, const struct fh_prefix *p,
		    const struct fh_answer *a, int json);

/* Flushes stdout: 0, or -1 after one line on stderr that says why (which
 * fh_close_stdout then does not repeat). */
int fh_flush_stdout(void);

/* Writes text[0..len) on stdout and flushes it: 0, or -1 after one line
 * that says why, as fh_flush_stdout. */
int fh_write_stdout(const char *text, size_t len);

/* Flushes and closes stdout, reporting a write error (a full disk, a closed
 * pipe) the GNU way: -1 and one line on stderr, none when a failed answer
 * write was already reported.  Later calls return the first one's result. */
int fh_close_stdout(void);

#endif
