/* mail.c - one plain-text message over SMTP with libcurl (mail.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cfg.h"
#include "mail.h"

#define MAIL_TIMEOUT_MS 30000L
#define MAIL_MAX        (64 * 1024)

int
mail_enabled(void)
{
	const char *url = cfg_get("MAIL_URL", "");

	return cfg_get_long("MAIL_ENABLED", 0) == 1 && url[0] != '\0';
}

int
mail_address_ok(const char *addr)
{
	const unsigned char *p = (const unsigned char *)addr;
	const char *at;
	size_t len;

	if (addr == NULL)
		return 0;
	len = strlen(addr);
	at = strrchr(addr, '@');
	if (len < 3 || len > 254 || at == NULL || at == addr || at[1] == '\0')
		return 0;
	for (; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f ||
		    strchr("<>\"(),;:\\[]", *p) != NULL)
			return 0;
	}
	/* one @ only, a dot in the domain that is not at either end */
	if (strchr(addr, '@') != at || strchr(at, '.') == NULL ||
	    at[1] == '.' || addr[len - 1] == '.')
		return 0;
	return 1;
}

/* The subject as is when it is printable ASCII, else RFC 2047 base64. */
static enum err_code
put_subject(struct buf *out, const char *subject)
{
	const unsigned char *p;
	char *b64;
	size_t len = strlen(subject), size;
	int ascii = 1;
	enum err_code rc;

	for (p = (const unsigned char *)subject; *p != '\0'; p++) {
		if (*p < ' ' && *p != '\t')
			return ERR_VALIDATION; /* no header injection */
		if (*p > 0x7e)
			ascii = 0;
	}
	if (ascii)
		return buf_printf(out, "Subject: %s\r\n", subject);
	size = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	b64 = malloc(size);
	if (b64 == NULL)
		return ERR_INTERNAL;
	sodium_bin2base64(b64, size, (const unsigned char *)subject, len,
	    sodium_base64_VARIANT_ORIGINAL);
	rc = buf_printf(out, "Subject: =?UTF-8?B?%s?=\r\n", b64);
	free(b64);
	return rc;
}

enum err_code
mail_format(struct buf *out, const char *from, const char *to,
    const char *subject, const char *text, const char *message_id)
{
	char date[64];
	const char *p;
	time_t now = time(NULL);
	struct tm tm;
	int bol = 1;
	enum err_code rc = ERR_VALIDATION;

	if (!mail_address_ok(from) || !mail_address_ok(to))
		goto out;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	rc = buf_printf(out,
	    "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nMessage-ID: <%s>\r\n", date,
	    from, to, message_id);
	if (rc)
		goto out;
	rc = put_subject(out, subject);
	if (rc)
		goto out;
	rc = buf_puts(out,
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n\r\n");
	/* the body with CRLF line ends; libcurl doubles a leading dot on
	 * its own (RFC 5321 4.5.2), so the text goes as written */
	for (p = text; rc == ERR_OK && *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			rc = buf_puts(out, "\r\n");
			bol = 1;
			continue;
		}
		rc = buf_putc(out, *p);
		bol = 0;
	}
	if (rc == ERR_OK && !bol)
		rc = buf_puts(out, "\r\n");
out:
	return rc;
}

struct upload {
	const char *data;
	size_t left;
};

static size_t
read_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct upload *u = userdata;
	size_t n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(ptr, u->data, n);
	u->data += n;
	u->left -= n;
	return n;
}

enum err_code
mail_send(const char *to, const char *subject, const char *text, char *err,
    size_t err_size)
{
	const char *from = cfg_get("MAIL_FROM", "");
	const char *user = cfg_get("MAIL_USER", "");
	char errbuf[CURL_ERROR_SIZE] = "", mid[320], rnd[17], host[256];
	char from_env[300], to_env[300];
	const char *at;
	struct curl_slist *rcpt = NULL;
	struct upload up;
	struct buf msg;
	CURL *curl = NULL;
	CURLcode cc;
	enum err_code rc = ERR_NOT_ENABLED;

	buf_init(&msg, MAIL_MAX);
	if (err_size)
		err[0] = '\0';
	if (!mail_enabled())
		goto out;
	/* a Message-ID in the sender's domain */
	at = strrchr(from, '@');
	snprintf(host, sizeof(host), "%s", at != NULL ? at + 1 : "localhost");
	randombytes_buf(rnd, 8);
	sodium_bin2hex(mid, sizeof(mid), (const unsigned char *)rnd, 8);
	snprintf(mid + strlen(mid), sizeof(mid) - strlen(mid), ".%ld@%s",
	    (long)time(NULL), host);
	rc = mail_format(&msg, from, to, subject, text, mid);
	if (rc)
		goto out;
	snprintf(from_env, sizeof(from_env), "<%s>", from);
	snprintf(to_env, sizeof(to_env), "<%s>", to);
	rc = ERR_INTERNAL;
	curl = curl_easy_init();
	rcpt = curl_slist_append(NULL, to_env);
	if (curl == NULL || rcpt == NULL)
		goto out;
	up.data = msg.data;
	up.left = msg.len;
	curl_easy_setopt(curl, CURLOPT_URL, cfg_get("MAIL_URL", ""));
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from_env);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, MAIL_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_USE_SSL,
	    cfg_get_long("MAIL_TLS", 0) == 1 ? (long)CURLUSESSL_ALL
	                                     : (long)CURLUSESSL_TRY);
	if (user[0] != '\0') {
		curl_easy_setopt(curl, CURLOPT_USERNAME, user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD,
		    cfg_get("MAIL_PASSWORD", ""));
	}
	cc = curl_easy_perform(curl);
	if (cc != CURLE_OK) {
		if (err_size)
			snprintf(err, err_size, "%s",
			    errbuf[0] ? errbuf : curl_easy_strerror(cc));
		rc = ERR_UNAVAILABLE;
		goto out;
	}
	rc = ERR_OK;
out:
	curl_slist_free_all(rcpt);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	buf_release(&msg);
	return rc;
}
