/* overlay.c - the caller's "me" written into a history page's reactions
 * as text, without parsing the page into a tree and printing it again.
 *
 * A history page is shared by all members (and cached, common/hist.c);
 * only "me" differs between them.  Parsing ~20 kB of JSON with json-c and
 * printing it again for every read cost more than the cached page itself
 * (bench scenario 7), so one pass over the text finds where each
 * reaction object ends, and the output is the page with `, "me": …`
 * inserted there.  The scan is a small JSON reader of its own: it knows
 * strings (with escapes), objects and arrays, and only the page's shape
 * {"items": [{"id": …, "reactions": [{"emoji": …}, …]}, …], …}; anything
 * else is skipped over as a value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "reactions.h"

/* One reaction object of a page: where its closing brace is, the raw
 * bytes of its emoji string, and which message (index) it belongs to. */
struct overlay_reaction {
	size_t at;
	const char *emoji;
	size_t emoji_len;
	size_t msg;
};

struct reactions_page {
	const char *text;
	int64_t *ids; /* per message; 0 until its "id" is read */
	size_t nmsgs, capmsgs;
	struct overlay_reaction *reactions;
	size_t nreactions, capreactions;
};

/* Reader state: position in the text. */
struct overlay_in {
	const char *s;
	size_t i, n;
};

static void
overlay_ws(struct overlay_in *in)
{
	while (in->i < in->n &&
	    (in->s[in->i] == ' ' || in->s[in->i] == '\n' ||
	        in->s[in->i] == '\t' || in->s[in->i] == '\r'))
		in->i++;
}

/* A string at the position: its raw bytes (*start, *len) between the
 * quotes.  -1 when there is none. */
static int
overlay_string(struct overlay_in *in, const char **start, size_t *len)
{
	const char *q;
	size_t from, k;

	overlay_ws(in);
	if (in->i >= in->n || in->s[in->i] != '"')
		return -1;
	from = ++in->i;
	for (;;) {
		/* The next quote; it ends the string unless an odd number
		 * of backslashes precedes it. */
		q = memchr(in->s + in->i, '"', in->n - in->i);
		if (q == NULL) {
			in->i = in->n;
			break;
		}
		in->i = (size_t)(q - in->s);
		for (k = in->i; k > from && in->s[k - 1] == '\\'; k--)
			;
		if ((in->i - k) % 2 == 0)
			break;
		in->i++;
	}
	if (in->i >= in->n)
		return -1;
	*start = in->s + from;
	*len = in->i - from;
	in->i++;
	return 0;
}

/* Skips one value of any kind: up to the ',', '}' or ']' after it. */
static int
overlay_skip(struct overlay_in *in)
{
	const char *k;
	size_t kl;
	int depth = 0;

	for (;;) {
		if (in->i >= in->n)
			return -1;
		switch (in->s[in->i]) {
		case '"':
			if (overlay_string(in, &k, &kl))
				return -1;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return 0; /* the end of the enclosing value */
			depth--;
			break;
		case ',':
			if (depth == 0)
				return 0;
			break;
		default:
			break;
		}
		in->i++;
	}
}

/* Calls each(key) for every member of the object at the position; each
 * reads the member's value.  -1 on a malformed object. */
typedef int (*overlay_member_fn)(struct overlay_in *in, const char *key,
    size_t klen, struct reactions_page *p);

static int
overlay_object(struct overlay_in *in, overlay_member_fn each,
    struct reactions_page *p)
{
	const char *key;
	size_t klen;

	overlay_ws(in);
	if (in->i >= in->n || in->s[in->i] != '{')
		return -1;
	in->i++;
	overlay_ws(in);
	if (in->i < in->n && in->s[in->i] == '}') {
		in->i++;
		return 0;
	}
	for (;;) {
		if (overlay_string(in, &key, &klen))
			return -1;
		overlay_ws(in);
		if (in->i >= in->n || in->s[in->i] != ':')
			return -1;
		in->i++;
		if (each(in, key, klen, p))
			return -1;
		overlay_ws(in);
		if (in->i >= in->n)
			return -1;
		if (in->s[in->i] == '}') {
			in->i++;
			return 0;
		}
		if (in->s[in->i] != ',')
			return -1;
		in->i++;
	}
}

/* Calls each() for every element of the array at the position. */
static int
overlay_array(struct overlay_in *in,
    int (*each)(struct overlay_in *, struct reactions_page *),
    struct reactions_page *p)
{
	overlay_ws(in);
	if (in->i >= in->n || in->s[in->i] != '[')
		return -1;
	in->i++;
	overlay_ws(in);
	if (in->i < in->n && in->s[in->i] == ']') {
		in->i++;
		return 0;
	}
	for (;;) {
		if (each(in, p))
			return -1;
		overlay_ws(in);
		if (in->i >= in->n)
			return -1;
		if (in->s[in->i] == ']') {
			in->i++;
			return 0;
		}
		if (in->s[in->i] != ',')
			return -1;
		in->i++;
	}
}

#define OVERLAY_KEY(k, kl, lit)                                                \
	((kl) == sizeof(lit) - 1 && memcmp((k), (lit), sizeof(lit) - 1) == 0)

static int
overlay_reaction_member(struct overlay_in *in, const char *key, size_t klen,
    struct reactions_page *p)
{
	struct overlay_reaction *r = &p->reactions[p->nreactions];

	if (OVERLAY_KEY(key, klen, "emoji"))
		return overlay_string(in, &r->emoji, &r->emoji_len);
	return overlay_skip(in);
}

static int
overlay_reaction(struct overlay_in *in, struct reactions_page *p)
{
	struct overlay_reaction *r;

	if (p->nreactions == p->capreactions) {
		p->capreactions = p->capreactions ? p->capreactions * 2 : 64;
		p->reactions = mem_realloc(p->reactions,
		    p->capreactions * sizeof(*p->reactions));
	}
	r = &p->reactions[p->nreactions];
	memset(r, 0, sizeof(*r));
	r->msg = p->nmsgs - 1;
	if (overlay_object(in, overlay_reaction_member, p))
		return -1;
	r->at = in->i - 1; /* the closing brace */
	if (r->emoji != NULL)
		p->nreactions++;
	return 0;
}

static int
overlay_message_member(struct overlay_in *in, const char *key, size_t klen,
    struct reactions_page *p)
{
	char *end;

	if (OVERLAY_KEY(key, klen, "id")) {
		overlay_ws(in);
		p->ids[p->nmsgs - 1] = strtoll(in->s + in->i, &end, 10);
		if (end == in->s + in->i)
			return -1;
		in->i = (size_t)(end - in->s);
		return 0;
	}
	if (OVERLAY_KEY(key, klen, "reactions")) {
		overlay_ws(in);
		if (in->i < in->n && in->s[in->i] == '[')
			return overlay_array(in, overlay_reaction, p);
	}
	return overlay_skip(in);
}

static int
overlay_message(struct overlay_in *in, struct reactions_page *p)
{
	if (p->nmsgs == p->capmsgs) {
		p->capmsgs = p->capmsgs ? p->capmsgs * 2 : 64;
		p->ids = mem_realloc(p->ids, p->capmsgs * sizeof(*p->ids));
	}
	p->ids[p->nmsgs++] = 0;
	return overlay_object(in, overlay_message_member, p);
}

static int
overlay_page_member(struct overlay_in *in, const char *key, size_t klen,
    struct reactions_page *p)
{
	if (OVERLAY_KEY(key, klen, "items"))
		return overlay_array(in, overlay_message, p);
	return overlay_skip(in);
}

enum err_code
reactions_page_scan(const char *page, struct reactions_page **out)
{
	struct reactions_page *p = mem_calloc(1, sizeof(*p));
	struct overlay_in in = { .s = page, .i = 0, .n = strlen(page) };

	p->text = page;
	if (overlay_object(&in, overlay_page_member, p)) {
		reactions_page_free(p);
		*out = NULL;
		return ERR_INTERNAL;
	}
	*out = p;
	return ERR_OK;
}

size_t
reactions_page_ids(const struct reactions_page *p, int64_t *ids)
{
	size_t i, n = 0;

	/* Reactions of one message are consecutive. */
	for (i = 0; i < p->nreactions; i++) {
		if (i == 0 || p->reactions[i].msg != p->reactions[i - 1].msg)
			ids[n++] = p->ids[p->reactions[i].msg];
	}
	return n;
}

size_t
reactions_page_count(const struct reactions_page *p)
{
	return p->nreactions;
}

/* One "id emoji" pair of `mine`. */
struct overlay_mine {
	int64_t id;
	const char *emoji;
	size_t len;
};

/* Splits `mine` ("id emoji id emoji ...") into pairs (malloc()ed, *n of
 * them), once per page: matching then compares numbers first. */
static struct overlay_mine *
overlay_mine_parse(const char *mine, size_t *n)
{
	struct overlay_mine *v;
	const char *s = mine, *e;
	size_t cap = 1;
	char *end;

	for (e = mine; *e != '\0'; e++)
		cap += *e == ' ';
	v = mem_alloc(sizeof(*v) * (cap / 2 + 1));
	*n = 0;
	while (*s != '\0') {
		v[*n].id = strtoll(s, &end, 10);
		if (end == s || *end != ' ')
			break;
		s = end + 1;
		e = strchr(s, ' ');
		if (e == NULL)
			e = s + strlen(s);
		v[*n].emoji = s;
		v[*n].len = (size_t)(e - s);
		(*n)++;
		s = *e == ' ' ? e + 1 : e;
	}
	return v;
}

static int
overlay_is_mine(const struct overlay_mine *v, size_t n,
    const struct overlay_reaction *r, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].id == id && v[i].len == r->emoji_len &&
		    memcmp(v[i].emoji, r->emoji, r->emoji_len) == 0)
			return 1;
	}
	return 0;
}

enum err_code
reactions_page_mark(const struct reactions_page *p, const char *mine,
    char **out)
{
	const struct overlay_reaction *r;
	struct overlay_mine *v;
	enum err_code rc = ERR_OK;
	struct buf b;
	size_t i, n, from = 0;

	v = overlay_mine_parse(mine, &n);
	buf_init(&b, 0);
	for (i = 0; i < p->nreactions && rc == ERR_OK; i++) {
		r = &p->reactions[i];
		rc = buf_append(&b, p->text + from, r->at - from);
		if (rc == ERR_OK)
			rc = buf_puts(&b,
			    overlay_is_mine(v, n, r, p->ids[r->msg])
			        ? ", \"me\": true"
			        : ", \"me\": false");
		from = r->at;
	}
	if (rc == ERR_OK)
		rc = buf_puts(&b, p->text + from);
	if (rc == ERR_OK)
		*out = buf_detach(&b, NULL);
	buf_release(&b);
	free(v);
	return rc;
}

/* The index: four decimal numbers per reaction object, space-separated -
 * where its closing brace is, where its emoji's bytes start, how many
 * there are, and its message's id. */
enum err_code
reactions_page_index(const struct reactions_page *p, char **out)
{
	const struct overlay_reaction *r;
	enum err_code rc = ERR_OK;
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < p->nreactions && rc == ERR_OK; i++) {
		r = &p->reactions[i];
		rc = buf_printf(&b, "%s%zu %zu %zu %lld", i ? " " : "", r->at,
		    (size_t)(r->emoji - p->text), r->emoji_len,
		    (long long)p->ids[r->msg]);
	}
	if (rc == ERR_OK)
		*out = buf_detach(&b, NULL);
	buf_release(&b);
	return rc;
}

/* The next number of an index at *s (digits, then a space or the end). */
static int
overlay_index_number(const char **s, uint64_t *v)
{
	const char *c = *s;

	*v = 0;
	if (*c < '0' || *c > '9')
		return -1;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(*c - '0');
	}
	if (*c == ' ')
		c++;
	else if (*c != '\0')
		return -1;
	*s = c;
	return 0;
}

enum err_code
reactions_page_load(const char *page, const char *index,
    struct reactions_page **out)
{
	struct reactions_page *p = mem_calloc(1, sizeof(*p));
	struct overlay_reaction *r;
	size_t n = strlen(page);
	uint64_t at, from, len, id;
	enum err_code rc = ERR_INTERNAL;
	const char *s = index;

	p->text = page;
	while (*s != '\0') {
		if (overlay_index_number(&s, &at) ||
		    overlay_index_number(&s, &from) ||
		    overlay_index_number(&s, &len) ||
		    overlay_index_number(&s, &id))
			goto out;
		/* Every position inside the page and where the scan found
		 * it (a brace, an emoji between quotes), in order: an index
		 * that is not this page's is refused, never followed. */
		if (at >= n || page[at] != '}' || from == 0 || len == 0 ||
		    from + len >= n || page[from - 1] != '"' ||
		    page[from + len] != '"' || id == 0 || id > INT64_MAX ||
		    (p->nreactions > 0 &&
		        at <= p->reactions[p->nreactions - 1].at))
			goto out;
		/* Reactions of one message are consecutive. */
		if (p->nmsgs == 0 || p->ids[p->nmsgs - 1] != (int64_t)id) {
			if (p->nmsgs == p->capmsgs) {
				p->capmsgs = p->capmsgs ? p->capmsgs * 2 : 64;
				p->ids = mem_realloc(p->ids,
				    p->capmsgs * sizeof(*p->ids));
			}
			p->ids[p->nmsgs++] = (int64_t)id;
		}
		if (p->nreactions == p->capreactions) {
			p->capreactions = p->capreactions ? p->capreactions * 2
			                                  : 64;
			p->reactions = mem_realloc(p->reactions,
			    p->capreactions * sizeof(*p->reactions));
		}
		r = &p->reactions[p->nreactions++];
		r->at = (size_t)at;
		r->emoji = page + from;
		r->emoji_len = (size_t)len;
		r->msg = p->nmsgs - 1;
	}
	if (p->nreactions > 0)
		rc = ERR_OK;
out:
	if (rc) {
		reactions_page_free(p);
		p = NULL;
	}
	*out = p;
	return rc;
}

void
reactions_page_free(struct reactions_page *p)
{
	if (p == NULL)
		return;
	free(p->ids);
	free(p->reactions);
	free(p);
}
