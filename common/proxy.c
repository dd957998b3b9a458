/* proxy.c - the client's address behind trusted reverse proxies. */
#include "proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "mem.h"

/* Parses a bare address (no port, no brackets); IPv4-mapped IPv6 becomes
 * IPv4.  Returns 0 on success. */
static int
proxy_parse_addr(const char *s, size_t len, int *family, unsigned char *addr)
{
	char tmp[64];

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, addr) != 1)
		return -1;
	*family = AF_INET6;
	if (memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(addr, addr + 12, 4);
		*family = AF_INET;
	}
	return 0;
}

static int
proxy_is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

enum err_code
proxy_list_parse(const char *spec, struct proxy_list *out)
{
	const char *p = spec ? spec : "";

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *start, *slash;
		struct proxy_net net;
		size_t len;
		char *end;
		long bits;

		while (proxy_is_sep(*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && !proxy_is_sep(*p))
			p++;
		len = (size_t)(p - start);
		slash = memchr(start, '/', len);
		memset(&net, 0, sizeof(net));
		if (proxy_parse_addr(start,
		        slash ? (size_t)(slash - start) : len, &net.family,
		        net.addr) != 0)
			goto bad;
		net.bits = net.family == AF_INET ? 32 : 128;
		if (slash != NULL) {
			bits = strtol(slash + 1, &end, 10);
			if (end != p || end == slash + 1 || bits < 0 ||
			    bits > net.bits)
				goto bad;
			net.bits = (int)bits;
		}
		out->nets = mem_realloc(out->nets,
		    (out->n + 1) * sizeof(*out->nets));
		out->nets[out->n++] = net;
	}
	return ERR_OK;
bad:
	proxy_list_release(out);
	return ERR_VALIDATION;
}

void
proxy_list_release(struct proxy_list *l)
{
	free(l->nets);
	l->nets = NULL;
	l->n = 0;
}

static int
proxy_match(const struct proxy_list *l, int family, const unsigned char *a)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct proxy_net *net = &l->nets[i];
		int whole = net->bits / 8, rest = net->bits % 8;

		if (net->family != family)
			continue;
		if (memcmp(net->addr, a, (size_t)whole) != 0)
			continue;
		if (rest == 0 ||
		    ((net->addr[whole] ^ a[whole]) & (0xff << (8 - rest)) &
		        0xff) == 0)
			return 1;
	}
	return 0;
}

int
proxy_trusted(const struct proxy_list *l, const char *addr)
{
	unsigned char a[16];
	int family;

	if (addr == NULL ||
	    proxy_parse_addr(addr, strlen(addr), &family, a) != 0)
		return 0;
	return proxy_match(l, family, a);
}

/* Reduces one hop ("1.2.3.4", "1.2.3.4:5", "[::1]:5", "::1", or a
 * Forwarded element's for= value, quoted or not) to an address. */
static int
proxy_hop_addr(const char *s, size_t len, int *family, unsigned char *a)
{
	const char *colon;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	if (len && s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (close == NULL)
			return -1;
		return proxy_parse_addr(s + 1, (size_t)(close - s - 1), family,
		    a);
	}
	colon = memchr(s, ':', len);
	if (colon != NULL &&
	    memchr(colon + 1, ':', len - (size_t)(colon - s) - 1) == NULL)
		len = (size_t)(colon - s); /* IPv4 with a port */
	return proxy_parse_addr(s, len, family, a);
}

/* The value of parameter `name` ("for", "proto") in one Forwarded
 * element [s, s+len); *vlen its length, NULL when absent. */
static const char *
proxy_fwd_param(const char *s, size_t len, const char *name, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *end = s + len;

	while (s < end) {
		const char *pair = s, *semi, *eq;

		semi = memchr(s, ';', (size_t)(end - s));
		if (semi == NULL)
			semi = end;
		while (pair < semi && (*pair == ' ' || *pair == '\t'))
			pair++;
		eq = memchr(pair, '=', (size_t)(semi - pair));
		if (eq != NULL && (size_t)(eq - pair) == nlen &&
		    strncasecmp(pair, name, nlen) == 0) {
			*vlen = (size_t)(semi - eq - 1);
			return eq + 1;
		}
		s = semi + 1;
	}
	return NULL;
}

/* The address of the hop [s, s+len) of the configured header. */
static int
proxy_hop(const struct proxy_list *l, const char *s, size_t len, int *family,
    unsigned char *a)
{
	if (l->header == PROXY_FORWARDED) {
		size_t vlen;
		const char *v = proxy_fwd_param(s, len, "for", &vlen);

		if (v == NULL)
			return -1;
		s = v;
		len = vlen;
	}
	return proxy_hop_addr(s, len, family, a);
}

void
proxy_client(const struct proxy_list *l, const char *peer, const char *xff,
    const char *forwarded, char out[PROXY_ADDR_MAX])
{
	const char *hops = l->header == PROXY_FORWARDED ? forwarded : xff;
	unsigned char a[16];
	int family;
	const char *end;

	snprintf(out, PROXY_ADDR_MAX, "%s", peer ? peer : "");
	if (peer == NULL ||
	    proxy_parse_addr(peer, strlen(peer), &family, a) != 0)
		return;
	inet_ntop(family, a, out, PROXY_ADDR_MAX);
	if (!proxy_match(l, family, a) || hops == NULL)
		return;
	/* Right to left: each hop was appended by the proxy after it. */
	end = hops + strlen(hops);
	while (end > hops) {
		const char *start = end;

		while (start > hops && start[-1] != ',')
			start--;
		if (proxy_hop(l, start, (size_t)(end - start), &family, a) != 0)
			return;
		inet_ntop(family, a, out, PROXY_ADDR_MAX);
		if (!proxy_match(l, family, a))
			return;
		end = start > hops ? start - 1 : hops;
	}
}

const char *
proxy_scheme(const struct proxy_list *l, const char *peer, const char *xfp,
    const char *forwarded)
{
	const char *v = NULL, *last;
	size_t len = 0;

	if (!proxy_trusted(l, peer))
		return NULL;
	if (l->header == PROXY_FORWARDED) {
		if (forwarded == NULL)
			return NULL;
		/* The element the nearest proxy appended. */
		last = strrchr(forwarded, ',');
		last = last ? last + 1 : forwarded;
		v = proxy_fwd_param(last, strlen(last), "proto", &len);
	} else if (xfp != NULL) {
		last = strrchr(xfp, ',');
		v = last ? last + 1 : xfp;
		len = strlen(v);
	}
	if (v == NULL)
		return NULL;
	while (len && (*v == ' ' || *v == '"')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == ' ' || v[len - 1] == '"'))
		len--;
	if (len == 5 && strncasecmp(v, "https", 5) == 0)
		return "https";
	if (len == 4 && strncasecmp(v, "http", 4) == 0)
		return "http";
	return NULL;
}
