/* fh-exit.h: find-hash's exit statuses, the one list.  The man page's EXIT
 * STATUS section and --help repeat it; tests/man-options.sh checks that
 * they agree. */
#ifndef FH_EXIT_H
#define FH_EXIT_H

enum fh_exit {
	FH_EXIT_OK = 0,        /* every prefix solved; queue mode: empty queue */
	FH_EXIT_NOT_FOUND = 1, /* a give-up bound or the shard ended the search */
	FH_EXIT_USAGE = 2,     /* bad option or prefix */
	FH_EXIT_BROKER = 3,    /* broker or network error (queue mode) */
	FH_EXIT_POISON = 4,    /* queue mode: a message that is no prefix */
	FH_EXIT_SYSTEM = 5,    /* out of memory, threads, a failed write */
	FH_EXIT_SIGINT = 130,  /* stopped by SIGINT (128 + 2) */
	FH_EXIT_SIGTERM = 143, /* stopped by SIGTERM (128 + 15) */
};

#endif
