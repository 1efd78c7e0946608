/* cli.h: inside the command: main.c reads and checks the command line,
 * offline.c runs --offline with what it found. */
#ifndef FH_CLI_H
#define FH_CLI_H

#include "run.h"

/* --offline: searches for the prefixes in args[0..n_args) ("-" reads
 * more from stdin, one a line) under c, and prints each answer.  bound is
 * the give-up bound as the user wrote it ("--max-tries 1G"), for the
 * not-found line.  Returns the exit status. */
int fh_offline(const struct fh_common *c, const char *const *args, int n_args,
	       const char *bound);

#endif
