/* get-death.c: a helper for tests/queue/dead-letter.sh, which amqp-tools
 * cannot stand in for (amqp-get shows no headers).
 *
 *   get-death URL QUEUE BODY
 *
 * takes one message from QUEUE (basic.get, no ack), writes its body to
 * the file BODY, and prints one line per entry of its x-death header:
 * "queue=Q reason=R count=N".  Exit 0 with a message, 1 when the queue is
 * empty, 2 on any error (said on stderr). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the headers by either name, as src/queue/rabbitmq.h takes them */
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/framing.h>
#include <rabbitmq-c/tcp_socket.h>
#else
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#endif

static void die(const char *what)
{
	fprintf(stderr, "get-death: %s\n", what);
	exit(2);
}

static void rpc_ok(amqp_connection_state_t conn, const char *what)
{
	if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL)
		die(what);
}

/* Prints one field of an x-death entry as key=value. */
static void print_field(const amqp_table_entry_t *e)
{
	const amqp_field_value_t *v = &e->value;

	printf(" %.*s=", (int)e->key.len, (const char *)e->key.bytes);
	switch (v->kind) {
	case AMQP_FIELD_KIND_UTF8:
	case AMQP_FIELD_KIND_BYTES:
		printf("%.*s", (int)v->value.bytes.len,
		       (const char *)v->value.bytes.bytes);
		break;
	case AMQP_FIELD_KIND_I64:
		printf("%lld", (long long)v->value.i64);
		break;
	case AMQP_FIELD_KIND_U64:
	case AMQP_FIELD_KIND_TIMESTAMP:
		printf("%llu", (unsigned long long)v->value.u64);
		break;
	case AMQP_FIELD_KIND_I32:
		printf("%ld", (long)v->value.i32);
		break;
	default:
		printf("?");
	}
}

/* 1 when b holds the text s. */
static int bytes_are(amqp_bytes_t b, const char *s)
{
	return b.len == strlen(s) && memcmp(b.bytes, s, b.len) == 0;
}

/* One line per x-death entry, only the fields the test reads. */
static void print_deaths(const amqp_table_t *headers)
{
	for (int i = 0; i < headers->num_entries; i++) {
		const amqp_table_entry_t *h = &headers->entries[i];
		const amqp_array_t *a = &h->value.value.array;

		if (!bytes_are(h->key, "x-death") ||
		    h->value.kind != AMQP_FIELD_KIND_ARRAY)
			continue;
		for (int j = 0; j < a->num_entries; j++) {
			const amqp_table_t *t = &a->entries[j].value.table;

			if (a->entries[j].kind != AMQP_FIELD_KIND_TABLE)
				continue;
			for (int k = 0; k < t->num_entries; k++) {
				amqp_bytes_t key = t->entries[k].key;

				if (bytes_are(key, "queue") ||
				    bytes_are(key, "reason") ||
				    bytes_are(key, "count"))
					print_field(&t->entries[k]);
			}
			printf("\n");
		}
	}
}

int main(int argc, char **argv)
{
	struct amqp_connection_info ci;
	amqp_connection_state_t conn;
	amqp_socket_t *sock;
	amqp_rpc_reply_t r;
	amqp_message_t msg;
	FILE *f;

	if (argc != 4)
		die("usage: get-death URL QUEUE BODY");
	if (amqp_parse_url(argv[1], &ci) != AMQP_STATUS_OK)
		die("bad URL");
	conn = amqp_new_connection();
	if (!(sock = amqp_tcp_socket_new(conn)) ||
	    amqp_socket_open(sock, ci.host, ci.port) != AMQP_STATUS_OK)
		die("cannot connect");
	if (amqp_login(conn, ci.vhost, 0, AMQP_DEFAULT_FRAME_SIZE, 0,
		       AMQP_SASL_METHOD_PLAIN, ci.user, ci.password)
		    .reply_type != AMQP_RESPONSE_NORMAL)
		die("cannot log in");
	amqp_channel_open(conn, 1);
	rpc_ok(conn, "cannot open a channel");
	r = amqp_basic_get(conn, 1, amqp_cstring_bytes(argv[2]), 1);
	if (r.reply_type != AMQP_RESPONSE_NORMAL)
		die("basic.get failed");
	if (r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD)
		return 1;
	if (amqp_read_message(conn, 1, &msg, 0).reply_type !=
	    AMQP_RESPONSE_NORMAL)
		die("cannot read the message");
	if (!(f = fopen(argv[3], "wb")) ||
	    fwrite(msg.body.bytes, 1, msg.body.len, f) != msg.body.len ||
	    fclose(f) != 0)
		die("cannot write the body");
	if (msg.properties._flags & AMQP_BASIC_HEADERS_FLAG)
		print_deaths(&msg.properties.headers);
	amqp_destroy_message(&msg);
	amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS);
	amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(conn);
	return fflush(stdout) == 0 ? 0 : 2;
}
