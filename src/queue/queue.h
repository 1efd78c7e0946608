/* queue.h: queue mode, the door between the command layer and the
 * RabbitMQ worker.  main.c includes the popt table below and calls one of
 * the two entry points; everything AMQP stays behind this header. */
#ifndef FH_QUEUE_H
#define FH_QUEUE_H

#include <popt.h>

#include "run.h"

/* The queue options (--url, --url-file, --results-queue, --wait, --loop,
 * --count, TLS ...), shown by --help under their own title. */
extern struct poptOption fh_queue_popt[];

/* popt takes the word after --queue or --results-queue as the name
 * whatever it is ("--queue --offline 0c"): -1 after one line ("OPT needs a
 * queue name, not the option 'NAME'") when name is an option, else 0. */
int fh_queue_name_not_option(const char *opt, const char *name);

/* Overwrites with 'x', in place, every byte of url that the URL shown in
 * messages has as *** (its password, whatever the password holds, and
 * what stands where a port goes when it is no port): for --url in argv,
 * which ps shows.  A URL the parser takes loses its password alone. */
void fh_url_hide(char *url);

/* --queue NAME: take messages from NAME, solve, publish, ack.  Returns the
 * exit status (enum fh_exit). */
int fh_queue_worker(const char *queue, const struct fh_common *c);

/* --queue NAME --enqueue PREFIX... ("-" reads prefixes from stdin, one per
 * line).  Returns the exit status. */
int fh_queue_enqueue(const char *queue, const char **prefixes, int n,
		     const struct fh_common *c);

#endif
