/* fh-exit.h: find-hash's exit statuses, the one list.  --help's text is
 * made from it (main.c), and the man page's EXIT STATUS section repeats
 * it; tests/packaging/man-options.sh checks that they agree. */
#ifndef FH_EXIT_H
#define FH_EXIT_H

/* X(name, value, what --help says) */
#define FH_EXIT_LIST(X)                                                      \
	/* every prefix solved; queue mode: empty queue */                   \
	X(FH_EXIT_OK, 0, "all found (queue: done or queue empty)")           \
	/* a give-up bound or the shard ended the search */                  \
	X(FH_EXIT_NOT_FOUND, 1,                                              \
	  "not found within --max-tries/--timeout or in the shard")          \
	/* bad option or prefix */                                           \
	X(FH_EXIT_USAGE, 2, "usage or bad prefix")                           \
	/* broker or network error (queue mode) */                           \
	X(FH_EXIT_BROKER, 3, "broker or network error")                      \
	/* queue mode: a message that is no prefix */                        \
	X(FH_EXIT_POISON, 4, "poison message")                               \
	/* out of memory, threads, a failed write */                         \
	X(FH_EXIT_SYSTEM, 5, "system error")                                 \
	/* stopped by SIGHUP (128 + 1): the terminal or session went away */ \
	X(FH_EXIT_SIGHUP, 129, "SIGHUP")                                     \
	/* stopped by SIGINT (128 + 2) */                                    \
	X(FH_EXIT_SIGINT, 130, "SIGINT")                                     \
	/* stopped by SIGTERM (128 + 15) */                                  \
	X(FH_EXIT_SIGTERM, 143, "SIGTERM")

#define FH_EXIT_ENUM(name, value, help) name = value,
enum fh_exit { FH_EXIT_LIST(FH_EXIT_ENUM) };
#undef FH_EXIT_ENUM

#endif
