/* output.h: how answers and errors leave the program.  Offline mode and the
 * queue worker print through the same functions, so stdout looks the same
 * in both (kubectl logs shows what a terminal shows). */
#ifndef FH_OUTPUT_H
#define FH_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "search.h"

/* The program name for messages, "find-hash". */
extern const char *fh_progname;

/* "find-hash: " + message + "\n" on stderr, one line. */
void fh_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

/* Flushes and closes stdout, reporting a write error (a full disk, a closed
 * pipe) the GNU way: -1 and one line on stderr, none when a failed answer
 * write was already reported.  Later calls return the first one's result. */
int fh_close_stdout(void);

#endif
