/* url.c: the broker URL: where it comes from (--url, --url-file,
 * BROKER_URL, the default), parsing, and a form safe to print. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <amqp.h>

#include "broker.h"
#include "output.h"

static void put_escaped(char **o, char *end, const char *s, size_t n)
{
	for (size_t i = 0; i < n && *o + 5 < end; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f)
			*(*o)++ = (char)ch;
		else
			*o += snprintf(*o, (size_t)(end - *o), "\\x%02x", ch);
	}
}

void fh_url_redact(const char *url, char *out, size_t size)
{
	const char *start, *at, *colon;
	char *o = out, *end = out + size;

	if (size == 0)
		return;
	start = strstr(url, "://");
	start = start ? start + 3 : url;
	/* The last '@' ends the user information even when a password holds
	 * an unencoded '@' or '/': hiding too much beats showing a secret. */
	at = strrchr(start, '@');
	colon = at ? memchr(start, ':', (size_t)(at - start)) : NULL;
	if (colon) {
		put_escaped(&o, end, url, (size_t)(colon + 1 - url));
		put_escaped(&o, end, "***", 3);
		put_escaped(&o, end, at, strlen(at));
	} else {
		put_escaped(&o, end, url, strlen(url));
	}
	*o = '\0';
}

void fh_url_free(struct fh_url *u)
{
	if (u->buf) {
		/* the buffer holds the password */
		memset(u->buf, 0, strlen(u->buf));
		free(u->buf);
	}
	u->buf = NULL;
}

/* The vhost as a URL path segment: unreserved characters as they are,
 * everything else %XX, so the shown URL parses back to the same vhost. */
static void encode_vhost(const char *v, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *v && o + 4 < size; v++) {
		unsigned char ch = (unsigned char)*v;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}

int fh_url_parse(const char *text, struct fh_url *u, const char **why)
{
	struct amqp_connection_info ci;
	const char *s = text, *e = text + strlen(text);
	char vhost[200];

	memset(u, 0, sizeof *u);
	while (s < e && strchr(" \t\r\n", *s))
		s++;
	while (e > s && strchr(" \t\r\n", e[-1]))
		e--;
	u->buf = strndup(s, (size_t)(e - s));
	if (!u->buf) {
		*why = "out of memory";
		return -1;
	}
	if (strncmp(u->buf, "amqp://", 7) != 0 &&
	    strncmp(u->buf, "amqps://", 8) != 0) {
		*why = "not an amqp:// or amqps:// URL";
		goto bad;
	}
	amqp_default_connection_info(&ci);
	if (amqp_parse_url(u->buf, &ci) != AMQP_STATUS_OK) {
		*why = "malformed, expected "
		       "amqp[s]://user:password@host:port/vhost";
		goto bad;
	}
	if (!ci.host || !*ci.host) {
		*why = "no host";
		goto bad;
	}
	/* amqp_parse_url takes "[...]" whole as an IPv6 host, so in
	 * "amqp://[x:PASSWORD@y]/" the user information becomes the host, which
	 * the shown form and every error line would print: no host holds '@' */
	if (strchr(ci.host, '@')) {
		*why = "an '@' in the host (write it as %40 in a user name or "
		       "password)";
		goto bad;
	}
	/* amqp_parse_url reads the port with strtol, which takes "0" (and
	 * " 0"): a port no broker listens on, better refused here */
	if (ci.port < 1 || ci.port > 65535) {
		*why = "port out of range 1..65535";
		goto bad;
	}
	u->user = ci.user;
	u->password = ci.password;
	u->host = ci.host;
	u->port = ci.port;
	u->ssl = ci.ssl;
	/* amqp_parse_url reads "host:port/" as the empty vhost, which no
	 * broker has; the default URL (and what Python clients accept) means
	 * the default vhost "/" there, so take it that way.  "%2f" still
	 * names "/" explicitly. */
	u->vhost = (ci.vhost && *ci.vhost) ? ci.vhost : "/";
	if (strcmp(u->vhost, "/") == 0)
		vhost[0] = '\0';
	else
		encode_vhost(u->vhost, vhost, sizeof vhost);
	snprintf(u->shown, sizeof u->shown, "%s://", u->ssl ? "amqps" : "amqp");
	{
		/* the user name is not secret, but is printed escaped */
		char user[128], host[300];
		char *o = user;

		put_escaped(&o, user + sizeof user, u->user, strlen(u->user));
		*o = '\0';
		o = host;
		put_escaped(&o, host + sizeof host, u->host, strlen(u->host));
		*o = '\0';
		snprintf(u->shown + strlen(u->shown),
			 sizeof u->shown - strlen(u->shown),
			 strchr(host, ':') ? "%s:***@[%s]:%d/%s"
					   : "%s:***@%s:%d/%s",
			 user, host, u->port, vhost);
	}
	return 0;
bad:
	fh_url_free(u);
	return -1;
}

/* First line of path, the URL from a mounted Secret. */
static char *read_url_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getline(&line, &cap, f) < 0) {
		free(line);
		line = strdup("");
	}
	fclose(f);
	return line;
}

int fh_url_resolve(struct fh_url *u)
{
	const char *text, *source, *why;
	char *owned = NULL, shown[300];
	int r;

	if (fh_qopt.url && fh_qopt.url_file) {
		fh_err("--url and --url-file exclude each other");
		return -1;
	}
	if (fh_qopt.url) {
		text = fh_qopt.url;
		source = "--url";
	} else if (fh_qopt.url_file) {
		owned = read_url_file(fh_qopt.url_file);
		if (!owned) {
			fh_err("--url-file %s: %s", fh_qopt.url_file,
			       strerror(errno));
			return -1;
		}
		text = owned;
		source = "--url-file";
	} else if (getenv(FH_URL_ENV) && *getenv(FH_URL_ENV)) {
		text = getenv(FH_URL_ENV);
		source = FH_URL_ENV;
	} else {
		text = FH_DEFAULT_URL;
		source = "the default URL";
	}
	r = fh_url_parse(text, u, &why);
	if (r < 0) {
		fh_url_redact(text, shown, sizeof shown);
		fh_err("bad broker URL from %s \"%s\": %s", source, shown, why);
	}
	if (owned) {
		memset(owned, 0, strlen(owned));
		free(owned);
	}
	u->source = source;
	return r;
}
