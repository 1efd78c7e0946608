/* hold-calls.c: an LD_PRELOAD helper for tests/queue/hardening-redeclared.sh,
 * hardening-returned.sh, alarm.sh, stop-solved.sh and shards-kill.sh.  The
 * worker's main thread (the only one that talks to the broker, on its
 * work connection and a shard's notice connection alike) waits before
 * each basic.get and before each queue.declare it sends (the input
 * queue's watch and check, a notice queue, a shard's solved marker), and
 * with FH_HOLD_PUBLISH set before each basic.publish: it creates
 * $FH_HOLD_DIR/at-get-N (at-declare-N, at-publish-N), N counting from 1,
 * and goes on once the test creates go-get-N (go-declare-N,
 * go-publish-N), or after 120 s.  With FH_HOLD_QUEUE set, only the
 * queue.declares of the queue it names are held and counted, so that N
 * does not depend on the other queues the worker declares.  The search
 * threads run on meanwhile, so the test can let a search end, and change
 * the broker, at a known point between two frames. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* the headers by either name, as src/queue/rabbitmq.h takes them */
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/framing.h>
#else
#include <amqp.h>
#include <amqp_framing.h>
#endif

static void hold(const char *what, int n)
{
	const char *dir = getenv("FH_HOLD_DIR");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof path, "%s/at-%s-%d", dir, what, n);
	if ((f = fopen(path, "w")))
		fclose(f);
	snprintf(path, sizeof path, "%s/go-%s-%d", dir, what, n);
	for (int i = 0; i < 12000 && access(path, F_OK) != 0; i++)
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
}

amqp_rpc_reply_t amqp_basic_get(amqp_connection_state_t state,
				amqp_channel_t channel, amqp_bytes_t queue,
				amqp_boolean_t no_ack)
{
	static amqp_rpc_reply_t (*real)(amqp_connection_state_t,
					amqp_channel_t, amqp_bytes_t,
					amqp_boolean_t);
	static int n;

	if (!real)
		real = (amqp_rpc_reply_t(*)(amqp_connection_state_t,
					    amqp_channel_t, amqp_bytes_t,
					    amqp_boolean_t))dlsym(RTLD_NEXT,
								  "amqp_basic_get");
	hold("get", ++n);
	return real(state, channel, queue, no_ack);
}

/* Whether this queue.declare is one to hold: every one, or with
 * FH_HOLD_QUEUE only those of the queue it names. */
static int declare_held(const amqp_queue_declare_t *d)
{
	const char *only = getenv("FH_HOLD_QUEUE");

	return !only || (d->queue.len == strlen(only) &&
			 memcmp(d->queue.bytes, only, d->queue.len) == 0);
}

int amqp_send_method(amqp_connection_state_t state, amqp_channel_t channel,
		     amqp_method_number_t id, void *decoded)
{
	static int (*real)(amqp_connection_state_t, amqp_channel_t,
			   amqp_method_number_t, void *);
	static int n;

	if (!real)
		real = (int (*)(amqp_connection_state_t, amqp_channel_t,
				amqp_method_number_t, void *))dlsym(
			RTLD_NEXT, "amqp_send_method");
	if (id == AMQP_QUEUE_DECLARE_METHOD && declare_held(decoded))
		hold("declare", ++n);
	return real(state, channel, id, decoded);
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
	static int n;

	if (!real)
		real = (int (*)(amqp_connection_state_t, amqp_channel_t,
				amqp_bytes_t, amqp_bytes_t, amqp_boolean_t,
				amqp_boolean_t,
				struct amqp_basic_properties_t_ const *,
				amqp_bytes_t))dlsym(RTLD_NEXT,
						    "amqp_basic_publish");
	if (getenv("FH_HOLD_PUBLISH"))
		hold("publish", ++n);
	return real(state, channel, exchange, routing_key, mandatory,
		    immediate, properties, body);
}
