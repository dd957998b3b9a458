/* fetch.c - outgoing HTTP(S) requests (over libcurl). */
#include "fetch.h"

#include <curl/curl.h>
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
    const char *const *headers, long *status, long *retry_after)
{
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
	cc = curl_easy_perform(fetch_kept);
	if (cc != CURLE_OK) {
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
