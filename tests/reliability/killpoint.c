/* killpoint.c: an LD_PRELOAD helper for tests/reliability/jobsim.sh
 * that kills the worker at the two moments a random signal almost never
 * hits: right after the result was published (before the broker confirmed
 * it), and right before the input's acknowledgement (the result confirmed,
 * the ack not sent: the one window where at-least-once delivers a
 * duplicate).
 *
 * The simulator arms a kill point by creating a token file,
 * $JOBSIM_TOKENS/publish or $JOBSIM_TOKENS/ack; the first worker to reach
 * that point removes the token (unlink succeeds for one process only) and
 * kills itself with SIGKILL, writing its pid to $JOBSIM_TOKENS/fired-WHERE
 * first so the simulator can count it.
 *
 * config.h (AC_USE_SYSTEM_EXTENSIONS: _GNU_SOURCE, for RTLD_NEXT) also
 * says which rabbitmq-c header names src/queue/rabbitmq.h includes. */
#include <config.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rabbitmq.h"

static void maybe_die(const char *where)
{
	const char *dir = getenv("JOBSIM_TOKENS");
	char path[4096];
	int fd;

	if (!dir)
		return;
	snprintf(path, sizeof path, "%s/%s", dir, where);
	if (unlink(path) != 0)
		return;
	snprintf(path, sizeof path, "%s/fired-%s", dir, where);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		char line[32];
		int n = snprintf(line, sizeof line, "%ld\n", (long)getpid());

		if (write(fd, line, (size_t)n) < 0)
			n = 0;
		close(fd);
	}
	raise(SIGKILL);
}

int amqp_basic_ack(amqp_connection_state_t state, amqp_channel_t channel,
		   uint64_t delivery_tag, amqp_boolean_t multiple)
{
	static int (*real)(amqp_connection_state_t, amqp_channel_t, uint64_t,
			   amqp_boolean_t);

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "amqp_basic_ack");
	maybe_die("ack");
	return real(state, channel, delivery_tag, multiple);
}

int amqp_basic_publish(amqp_connection_state_t state, amqp_channel_t channel,
		       amqp_bytes_t exchange, amqp_bytes_t routing_key,
		       amqp_boolean_t mandatory, amqp_boolean_t immediate,
		       struct amqp_basic_properties_t_ const *properties,
		       amqp_bytes_t body)
{
	static int (*real)(amqp_connection_state_t, amqp_channel_t,
			   amqp_bytes_t, amqp_bytes_t, amqp_boolean_t,
			   amqp_boolean_t,
			   struct amqp_basic_properties_t_ const *,
			   amqp_bytes_t);
	int st;

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "amqp_basic_publish");
	st = real(state, channel, exchange, routing_key, mandatory, immediate,
		  properties, body);
	/* a result, not the empty write-permission probe a worker sends
	 * before it takes a message */
	if (body.len > 0)
		maybe_die("publish");
	return st;
}
