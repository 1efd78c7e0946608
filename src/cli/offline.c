/* offline.c: --offline PREFIX...: the prefixes from the arguments and
 * standard input, one search for all of them on this machine, and each
 * answer printed as soon as it is settled. */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fh-exit.h"
#include "run.h"
#include "search.h"

/* Appends the prefix text[0..len) to *out (*n of them, room for *room);
 * line is its line on stdin, 0 for an argument.  FH_EXIT_OK, or an exit
 * status after one line: a bad prefix or too many is the user's error
 * (FH_EXIT_USAGE), no memory to hold them the machine's (FH_EXIT_SYSTEM:
 * the same prefixes may well fit on another, or with more memory). */
static int add_prefix(struct fh_prefix **out, size_t *n, size_t *room,
		      const char *text, size_t len, unsigned long line)
{
	const char *why;
	char shown[80];

	if (*n == FH_MAX_PREFIXES) {
		fh_err("more than %u prefixes, at most %u in one run",
		       FH_MAX_PREFIXES, FH_MAX_PREFIXES);
		return FH_EXIT_USAGE;
	}
	if (*n == *room) {
		size_t more = *room ? 2 * *room : 64;
		struct fh_prefix *p = realloc(*out, more * sizeof *p);

		if (!p) {
			fh_err("out of memory for %zu prefixes: %s", more,
			       strerror(ENOMEM));
			return FH_EXIT_SYSTEM;
		}
		*out = p;
		*room = more;
	}
	if (fh_prefix_parse(text, len, &(*out)[*n], &why) == 0) {
		++*n;
		return FH_EXIT_OK;
	}
	fh_printable(shown, sizeof shown, text, len, 40);
	if (line)
		fh_err("invalid prefix '%s' (stdin line %lu): %s", shown, line,
		       why);
	else
		fh_err("invalid prefix '%s': %s", shown, why);
	return FH_EXIT_USAGE;
}

/* The prefixes being read, for add_line. */
struct prefixes {
	struct fh_prefix **out;
	size_t *n, *room;
	int st;                   /* add_prefix's status */
};

/* fh_read_lines's callback: one line of stdin, a prefix. */
static int add_line(void *arg, const char *line, size_t len,
		    unsigned long number)
{
	struct prefixes *p = arg;

	p->st = add_prefix(p->out, p->n, p->room, line, len, number);
	return p->st != FH_EXIT_OK;
}

/* The prefixes on stdin, one a line, into *out (as parse_prefixes).
 * FH_EXIT_OK, or an exit status after one line. */
static int read_stdin(struct fh_prefix **out, size_t *n, size_t *room)
{
	struct prefixes p = { out, n, room, FH_EXIT_OK };
	unsigned long number;
	int err;

	switch (fh_read_lines(stdin, add_line, &p, &number, &err)) {
	case FH_LINES_DONE:
		return FH_EXIT_OK;
	case FH_LINES_REFUSED:
		return p.st;
	case FH_LINES_SIGNAL:
		fh_note("stopped by %s while reading prefixes from stdin",
			fh_signal_name(fh_signal_caught()));
		return fh_exit_for_signal(fh_signal_caught());
	case FH_LINES_TOO_LONG:
		fh_err("invalid prefix (stdin line %lu): the line is over %d "
		       "bytes, longer than any prefix", number,
		       FH_STDIN_LINE_MAX);
		return FH_EXIT_USAGE;
	case FH_LINES_ERROR:
	default:
		fh_err("cannot read prefixes from stdin (line %lu): %s",
		       number + 1, strerror(err));
		return FH_EXIT_SYSTEM;
	}
}

/* The PREFIX arguments into *out (malloc'ed, *n of them); an argument "-"
 * stands for the prefixes on stdin, one a line, blank lines skipped (the
 * same blanks as --enqueue -).  FH_EXIT_OK, or an exit status after one
 * line. */
static int parse_prefixes(const char *const *args, int n_args,
			  struct fh_prefix **out, size_t *n)
{
	size_t room = 0;
	int i;

	*out = NULL;
	*n = 0;
	if (n_args == 0) {
		fh_err("--offline needs at least one PREFIX");
		return FH_EXIT_USAGE;
	}
	for (i = 0; i < n_args; i++) {
		int st = strcmp(args[i], "-") == 0
				 ? read_stdin(out, n, &room)
				 : add_prefix(out, n, &room, args[i],
					      strlen(args[i]), 0);

		if (st != FH_EXIT_OK)
			return st;
	}
	if (*n == 0) {
		fh_err("--offline needs at least one PREFIX (none on stdin)");
		return FH_EXIT_USAGE;
	}
	return FH_EXIT_OK;
}

static void report_unsolved(const struct fh_common *c, const char *bound,
			    const struct fh_prefix *p, enum fh_run_end end,
			    uint64_t tries)
{
	/* said under --quiet too: the exit status alone would not say
	 * which prefix was not found */
	if (end == FH_RUN_EXHAUSTED)
		fh_err("%s: not found in this shard (shard %" PRIu64 "/%" PRIu64
		       ", %" PRIu64 " tries)", p->hex, c->shard, c->shards,
		       tries);
	else if (end == FH_RUN_GAVE_UP)
		fh_err("%s: not found within the give-up bound (%s, %" PRIu64
		       " tries)", p->hex, bound, tries);
}

/* An offline run's answers: each is printed once, as soon as it is
 * settled, so that a run killed later loses nothing it found. */
struct offline {
	const struct fh_common *c;
	const struct fh_prefix *prefixes;
	struct fh_search *s;
	size_t n;       /* prefixes */
	char *printed;  /* n flags: this answer is out */
	int status;
	/* stdout failed: no answer can reach anyone any more, so the
	 * search ends (with a closed pipe and SIGPIPE ignored, nothing else
	 * would end it) */
	int write_failed;
	int interrupted; /* a signal cut a write short */
};

static void print_found(struct offline *r, size_t i)
{
	struct fh_answer a;

	if (r->write_failed)
		return;
	fh_search_answer(r->s, i, &a);
	r->printed[i] = 1;
	if (r->c->progress) /* the answer's line, not the progress line */
		fputs("\r\033[K", stderr);
	if (fh_print_answer(stdout, &r->prefixes[i], &a, r->c->json) == 0)
		return;
	if (!ferror(stdout)) { /* refused by the last check, said there */
		r->status = FH_EXIT_SYSTEM;
		return;
	}
	r->write_failed = 1;
	if (fh_signal_caught()) {
		/* a write blocked on a full pipe, cut short by the signal:
		 * the stop the user asked for, not a write error */
		r->interrupted = 1;
		return;
	}
	r->status = FH_EXIT_SYSTEM;
	fh_err("write error on standard output: %s", strerror(errno));
}

/* fh_run_search's tick: prints the answers settled since the last one;
 * stops the search once stdout has failed. */
static int print_settled(void *arg)
{
	struct offline *r = arg;
	size_t i;

	for (i = 0; i < r->n && !r->write_failed; i++)
		if (!r->printed[i] && fh_search_settled(r->s, i))
			print_found(r, i);
	return r->write_failed;
}

int fh_offline(const struct fh_common *c, const char *const *args, int n_args,
	       const char *bound)
{
	struct fh_prefix *prefixes;
	struct offline r = { .c = c };
	struct fh_run run;
	enum fh_run_end end;
	char why[256];
	size_t i, n;

	r.status = parse_prefixes(args, n_args, &prefixes, &n);
	if (r.status != FH_EXIT_OK) {
		free(prefixes);
		return r.status;
	}
	r.prefixes = prefixes;
	r.n = n;
	r.printed = calloc(n, 1);
	if (!r.printed) {
		fh_err("cannot keep track of %zu prefixes: %s", n,
		       strerror(errno));
		free(prefixes);
		return FH_EXIT_SYSTEM;
	}
	if (fh_run_start(&run, c, prefixes, n, why, sizeof why) < 0) {
		fh_err("%s", why);
		free(r.printed);
		free(prefixes);
		return FH_EXIT_SYSTEM;
	}
	r.s = run.s;
	end = fh_run_search(r.s, c, print_settled, &r);

	/* The rest of what was found is printed whatever ended the search. */
	for (i = 0; i < n; i++) {
		struct fh_answer a;

		if (r.printed[i] || r.write_failed)
			continue;
		fh_search_answer(r.s, i, &a);
		if (a.found) {
			print_found(&r, i);
		} else {
			report_unsolved(c, bound, &prefixes[i], end,
					fh_search_tries(r.s));
			if (r.status == FH_EXIT_OK)
				r.status = FH_EXIT_NOT_FOUND;
		}
	}
	if (end == FH_RUN_SIGNAL || r.interrupted) {
		int sig = fh_signal_caught();

		fh_note("stopped by %s after %" PRIu64 " tries",
			fh_signal_name(sig), fh_search_tries(r.s));
		r.status = fh_exit_for_signal(sig);
	}
	fh_search_free(r.s);
	free(r.printed);
	free(prefixes);
	return r.status;
}
