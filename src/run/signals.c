/* signals.c: SIGINT and SIGTERM set a flag and nothing else; the loop in
 * run.c turns it into a stop of the search threads. */
#include <config.h>

#include <signal.h>
#include <string.h>

#include "run.h"
#include "fh-exit.h"

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	if (!caught)
		caught = sig;
}

void fh_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking read or poll returns EINTR, so a
	 * waiting worker sees the signal at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed stdout pipe is reported as a write error, not a silent
	 * death, and a broker socket closing under us is an error return. */
	signal(SIGPIPE, SIG_IGN);
}

int fh_signal_caught(void)
{
	return caught;
}

const char *fh_signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

int fh_exit_for_signal(int sig)
{
	return sig == SIGINT ? FH_EXIT_SIGINT : FH_EXIT_SIGTERM;
}

int fh_exit_signal_or(int st)
{
	return caught ? fh_exit_for_signal(caught) : st;
}
