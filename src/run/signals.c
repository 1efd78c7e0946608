/* signals.c: SIGINT, SIGTERM and SIGHUP set a flag and nothing else; the
 * loop in run.c turns it into a stop of the search threads.
 *
 * SIGHUP is a stop like SIGTERM: the terminal or session that ran the
 * program went away, so nobody waits for the search any more, but a
 * worker still holds a message that must go back to the queue (requeued,
 * one line) and an offline run still prints what it found.  Its default
 * action would end the process there and then, the message left to the
 * broker's connection timeout and the answers lost.  A SIGHUP ignored on
 * entry (nohup) stays ignored: whoever started us asked for that. */
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

/* Whether SIGHUP came ignored from the parent (nohup, or a shell's
 * trap '' HUP). */
static int hup_ignored(void)
{
	struct sigaction old;

	return sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN;
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
	if (!hup_ignored())
		sigaction(SIGHUP, &sa, NULL);
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
	return sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : "SIGTERM";
}

int fh_exit_for_signal(int sig)
{
	return sig == SIGINT ? FH_EXIT_SIGINT
	       : sig == SIGHUP ? FH_EXIT_SIGHUP : FH_EXIT_SIGTERM;
}

int fh_exit_signal_or(int st)
{
	return caught ? fh_exit_for_signal(caught) : st;
}
