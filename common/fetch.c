/* fetch.c - outgoing HTTP(S) requests (over libcurl). */
#include "fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

#define FETCH_TIMEOUT_MS 5000L

static int fetch_ready;

static size_t
fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *out = arg;

	if (buf_append(out, data, size * nmemb) != ERR_OK)
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	return size * nmemb;
}

enum err_code
fetch(const char *method, const char *url, const char *body,
    const char *const *headers, struct buf *out, long *status)
{
	struct curl_slist *list = NULL;
	enum err_code rc = ERR_OK;
	CURLcode cc;
	CURL *curl;
	size_t i;

	*status = 0;
	if (!fetch_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return ERR_INTERNAL;
		fetch_ready = 1;
	}
	curl = curl_easy_init();
	if (curl == NULL)
		return ERR_INTERNAL;
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		list = curl_slist_append(list, headers[i]);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, FETCH_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "easychat/1.0");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	if (list != NULL)
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
	}
	cc = curl_easy_perform(curl);
	if (cc == CURLE_WRITE_ERROR) {
		rc = ERR_TOO_LARGE;
	} else if (cc != CURLE_OK) {
		log_warn("fetch %s failed: %s", method, curl_easy_strerror(cc));
		rc = ERR_UNAVAILABLE;
	} else {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	}
	curl_slist_free_all(list);
	curl_easy_cleanup(curl);
	return rc;
}

/* 1 when the IPv4 address `a` (host order) may be a public server's. */
static int
fetch_v4_public(uint32_t a)
{
	static const struct {
		uint32_t net, mask;
	} deny[] = {
		{ 0x00000000,
		    0xff000000 }, /* 0/8 unspecified, "this network" */
		{ 0x0a000000, 0xff000000 }, /* 10/8 private */
		{ 0x64400000, 0xffc00000 }, /* 100.64/10 CGNAT */
		{ 0x7f000000, 0xff000000 }, /* 127/8 loopback */
		{ 0xa9fe0000, 0xffff0000 }, /* 169.254/16 link-local (and
		                             * the clouds' metadata servers) */
		{ 0xac100000, 0xfff00000 }, /* 172.16/12 private */
		{ 0xc0000000, 0xffffff00 }, /* 192.0.0/24 IETF protocol use */
		{ 0xc0000200, 0xffffff00 }, /* 192.0.2/24 documentation */
		{ 0xc0a80000, 0xffff0000 }, /* 192.168/16 private */
		{ 0xc6120000, 0xfffe0000 }, /* 198.18/15 benchmarking */
		{ 0xc6336400, 0xffffff00 }, /* 198.51.100/24 documentation */
		{ 0xcb007100, 0xffffff00 }, /* 203.0.113/24 documentation */
		{ 0xe0000000, 0xf0000000 }, /* 224/4 multicast */
		{ 0xf0000000, 0xf0000000 }, /* 240/4 reserved, broadcast */
	};
	size_t i;

	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++) {
		if ((a & deny[i].mask) == deny[i].net)
			return 0;
	}
	return 1;
}

/* Four bytes, most significant first, as a host-order IPv4 address. */
static uint32_t
fetch_v4_at(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* 1 when the IPv6 address `b` (16 bytes) may be a public server's: only
 * global unicast (2000::/3) is, less what carries or hides an IPv4
 * address or is reserved inside it. */
static int
fetch_v6_public(const unsigned char *b)
{
	static const unsigned char zero[10];

	/* ::/96 (unspecified, loopback, IPv4-compatible), ::ffff:0:0/96
	 * (IPv4-mapped: the kernel connects to the IPv4 address) */
	if (memcmp(b, zero, 10) == 0 &&
	    ((b[10] == 0 && b[11] == 0) || (b[10] == 0xff && b[11] == 0xff)))
		return fetch_v4_public(fetch_v4_at(b + 12));
	/* 64:ff9b::/96, NAT64: a gateway connects to the IPv4 address */
	if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
	    memcmp(b + 4, zero, 8) == 0)
		return fetch_v4_public(fetch_v4_at(b + 12));
	/* 2002::/16, 6to4: the IPv4 address follows the prefix */
	if (b[0] == 0x20 && b[1] == 0x02)
		return fetch_v4_public(fetch_v4_at(b + 2));
	/* 2001::/32 Teredo (hides an IPv4 address), 2001:db8::/32
	 * documentation */
	if (b[0] == 0x20 && b[1] == 0x01 &&
	    ((b[2] == 0 && b[3] == 0) || (b[2] == 0x0d && b[3] == 0xb8)))
		return 0;
	/* Outside 2000::/3: unique local fc00::/7, link-local fe80::/10,
	 * multicast ff00::/8, the rest of ::/8, ... */
	return (b[0] & 0xe0) == 0x20;
}

int
fetch_addr_public(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return fetch_v4_public(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		return fetch_v6_public(in6->sin6_addr.s6_addr);
	}
	return 0;
}

/* 1 when `host` (`len` bytes, a trailing dot left out) is "localhost" or
 * ends in ".localhost". */
static int
fetch_localhost(const char *host, size_t len)
{
	static const char name[] = "localhost";
	size_t n = sizeof(name) - 1;

	if (len > 0 && host[len - 1] == '.')
		len--;
	return len >= n && strncasecmp(host + len - n, name, n) == 0 &&
	    (len == n || host[len - n - 1] == '.');
}

int
fetch_host_public(const char *host, size_t len)
{
	char tmp[FETCH_ADDR_MAX];
	struct in6_addr a6;
	struct in_addr a4;

	if (fetch_localhost(host, len))
		return 0;
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
		/* a zone ("%25eth0" in a URL) only names the interface */
		len = strcspn(host, "%") < len ? strcspn(host, "%") : len;
		if (len >= sizeof(tmp))
			return -1;
		memcpy(tmp, host, len);
		tmp[len] = '\0';
		if (inet_pton(AF_INET6, tmp, &a6) != 1)
			return -1;
		return fetch_v6_public(a6.s6_addr);
	}
	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, host, len);
	tmp[len] = '\0';
	/* inet_aton(), not inet_pton(): resolvers take "127.1", "0x7f.1"
	 * and "2130706433" for 127.0.0.1 as well */
	if (strspn(tmp, "0123456789abcdefABCDEFxX.") != len ||
	    inet_aton(tmp, &a4) == 0)
		return -1;
	return fetch_v4_public(ntohl(a4.s_addr));
}

/* fetch_post()'s check of each address before a socket is opened to it. */
struct fetch_guard {
	int public_only, refused;
	char addr[FETCH_ADDR_MAX];
};

static curl_socket_t
fetch_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch_guard *g = arg;
	const void *ip = NULL;

	(void)purpose;
	if (g->public_only && !fetch_addr_public(&a->addr)) {
		g->refused = 1;
		if (a->family == AF_INET)
			ip = &((const struct sockaddr_in *)&a->addr)->sin_addr;
		else if (a->family == AF_INET6)
			ip = &((const struct sockaddr_in6 *)&a->addr)->sin6_addr;
		if (ip == NULL ||
		    inet_ntop(a->family, ip, g->addr, sizeof(g->addr)) == NULL)
			snprintf(g->addr, sizeof(g->addr), "family %d",
			    a->family);
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* fetch_post()'s kept handle. */
static CURL *fetch_kept;

static size_t
fetch_discard(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	(void)arg;
	return size * nmemb;
}

/* Reads "Retry-After: <seconds>" (a date form is left as 0: the caller's
 * own back-off applies). */
static size_t
fetch_header(char *data, size_t size, size_t nmemb, void *arg)
{
	static const char name[] = "retry-after:";
	long *retry_after = arg;
	size_t len = size * nmemb;
	char tmp[32];

	if (len > sizeof(name) - 1 && len < sizeof(tmp) &&
	    strncasecmp(data, name, sizeof(name) - 1) == 0) {
		memcpy(tmp, data + sizeof(name) - 1, len - (sizeof(name) - 1));
		tmp[len - (sizeof(name) - 1)] = '\0';
		*retry_after = strtol(tmp, NULL, 10);
		if (*retry_after < 0)
			*retry_after = 0;
	}
	return len;
}

enum err_code
fetch_post(const char *url, const void *body, size_t len,
    const char *const *headers, int public_only, long *status,
    long *retry_after, char *refused)
{
	struct fetch_guard guard = { .public_only = public_only };
	struct curl_slist *list = NULL;
	enum err_code rc = ERR_OK;
	CURLcode cc;
	size_t i;

	*status = 0;
	*retry_after = 0;
	if (!fetch_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return ERR_INTERNAL;
		fetch_ready = 1;
	}
	if (fetch_kept == NULL)
		fetch_kept = curl_easy_init();
	if (fetch_kept == NULL)
		return ERR_INTERNAL;
	curl_easy_reset(fetch_kept); /* keeps the connections */
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		list = curl_slist_append(list, headers[i]);
	curl_easy_setopt(fetch_kept, CURLOPT_URL, url);
	curl_easy_setopt(fetch_kept, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(fetch_kept, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(fetch_kept, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(fetch_kept, CURLOPT_TIMEOUT_MS, FETCH_TIMEOUT_MS);
	curl_easy_setopt(fetch_kept, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(fetch_kept, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(fetch_kept, CURLOPT_USERAGENT, "easychat/1.0");
	curl_easy_setopt(fetch_kept, CURLOPT_WRITEFUNCTION, fetch_discard);
	curl_easy_setopt(fetch_kept, CURLOPT_HEADERFUNCTION, fetch_header);
	curl_easy_setopt(fetch_kept, CURLOPT_HEADERDATA, retry_after);
	curl_easy_setopt(fetch_kept, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(fetch_kept, CURLOPT_POST, 1L);
	curl_easy_setopt(fetch_kept, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(fetch_kept, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(fetch_kept, CURLOPT_OPENSOCKETFUNCTION,
	    fetch_open_socket);
	curl_easy_setopt(fetch_kept, CURLOPT_OPENSOCKETDATA, &guard);
	cc = curl_easy_perform(fetch_kept);
	if (cc != CURLE_OK && guard.refused) {
		if (refused != NULL)
			snprintf(refused, FETCH_ADDR_MAX, "%s", guard.addr);
		rc = ERR_FORBIDDEN;
	} else if (cc != CURLE_OK) {
		log_warn("fetch POST failed: %s", curl_easy_strerror(cc));
		rc = ERR_UNAVAILABLE;
	} else {
		curl_easy_getinfo(fetch_kept, CURLINFO_RESPONSE_CODE, status);
	}
	curl_slist_free_all(list);
	return rc;
}

void
fetch_post_close(void)
{
	if (fetch_kept != NULL)
		curl_easy_cleanup(fetch_kept);
	fetch_kept = NULL;
}

enum err_code
fetch_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	enum err_code rc = ERR_OK;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p && rc == ERR_OK; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~') {
			rc = buf_putc(out, (char)*p);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			rc = buf_append(out, e, 3);
		}
	}
	return rc;
}
