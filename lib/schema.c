/*
 * schema.c - typed field readers and small helpers shared by the file
 * models (see schema_internal.h).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/error.h"
#include "schema_internal.h"

void eks_schema_init(eks_schema *s, const char *path, eks_diag_list *diags)
{
	memset(s, 0, sizeof(*s));
	s->path = path ? path : "";
	s->diags = diags;
	s->where = "";
}

static void schema_vadd(eks_schema *s, eks_severity sev, int line, int col,
			const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void schema_vadd(eks_schema *s, eks_severity sev, int line, int col,
			const char *fmt, va_list ap)
{
	eks_buf msg = EKS_BUF_INIT;

	eks_buf_vprintf(&msg, fmt, ap);
	if (eks_buf_oom(&msg) ||
	    eks_diag_add(s->diags, sev, s->path, line, col, "%s",
			 eks_buf_cstr(&msg)) < 0)
		s->oom = 1;
	eks_buf_dispose(&msg);
	if (sev == EKS_DIAG_ERROR)
		s->errors++;
	else
		s->warnings++;
}

void eks_schema_error(eks_schema *s, const eks_node *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	schema_vadd(s, EKS_DIAG_ERROR, at ? at->line : 0, at ? at->col : 0,
		    fmt, ap);
	va_end(ap);
}

void eks_schema_warning(eks_schema *s, const eks_node *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	schema_vadd(s, EKS_DIAG_WARNING, at ? at->line : 0, at ? at->col : 0,
		    fmt, ap);
	va_end(ap);
}

void eks_schema_error_pos(eks_schema *s, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	schema_vadd(s, EKS_DIAG_ERROR, line, col, fmt, ap);
	va_end(ap);
}

void eks_schema_warning_pos(eks_schema *s, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	schema_vadd(s, EKS_DIAG_WARNING, line, col, fmt, ap);
	va_end(ap);
}

const eks_node *eks_schema_find(const eks_node *map, const char *key,
				const eks_node **key_node)
{
	size_t i;

	if (key_node)
		*key_node = NULL;
	if (!map || map->kind != EKS_NODE_MAP)
		return NULL;
	for (i = 0; i < map->count; i++) {
		const eks_node *k = map->keys[i];
		if (k && k->kind == EKS_NODE_SCALAR && k->value &&
		    strcmp(k->value, key) == 0) {
			if (key_node)
				*key_node = k;
			return map->items[i];
		}
	}
	return NULL;
}

const eks_node *eks_schema_anchor(const eks_node *map)
{
	if (map && map->kind == EKS_NODE_MAP && map->count && map->keys[0])
		return map->keys[0];
	return map;
}

int eks_schema_is_null(const eks_node *node)
{
	const char *v;

	if (!node)
		return 1;
	if (node->kind != EKS_NODE_SCALAR || node->style != EKS_SCALAR_PLAIN)
		return 0;
	if (node->tag && !strstr(node->tag, "null"))
		return 0;
	v = node->value ? node->value : "";
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

int eks_schema_is_string(const eks_node *node)
{
	if (!node || node->kind != EKS_NODE_SCALAR)
		return 0;
	if (node->style != EKS_SCALAR_PLAIN)
		return 1;
	return node->tag && (!strcmp(node->tag, "!!str") ||
			     !strcmp(node->tag, "tag:yaml.org,2002:str"));
}

int eks_schema_show_len(const char *s, int *more)
{
	size_t i = 0, last = 0;

	*more = 0;
	if (!s)
		return 0;
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r') {
			*more = 1;
			return (int)i;
		}
		if ((c & 0xc0) != 0x80)
			last = i;   /* a character starts here */
		if (i >= EKS_SCHEMA_SHOW_MAX) {
			*more = 1;
			return (int)last;
		}
	}
	return (int)i;
}

void eks_schema_describe(eks_buf *b, const eks_node *node)
{
	int more, len;

	if (!node || eks_schema_is_null(node)) {
		eks_buf_puts(b, "no value");
		return;
	}
	switch (node->kind) {
	case EKS_NODE_MAP:
		eks_buf_puts(b, "a mapping");
		return;
	case EKS_NODE_SEQ:
		eks_buf_puts(b, "a list");
		return;
	case EKS_NODE_SCALAR:
		break;
	}
	len = eks_schema_show_len(node->value, &more);
	if (node->style == EKS_SCALAR_BLOCK)
		eks_buf_printf(b, "a block of text '%.*s%s'", len, node->value,
			       more ? "…" : "");
	else if (node->style == EKS_SCALAR_QUOTED)
		eks_buf_printf(b, "the quoted text \"%.*s%s\"", len, node->value,
			       more ? "…" : "");
	else
		eks_buf_printf(b, "'%.*s%s'", len, node->value, more ? "…" : "");
}

void eks_schema_missing(eks_schema *s, const eks_node *map, const char *key,
			const char *expect)
{
	eks_schema_error(s, eks_schema_anchor(map),
			 "missing required key '%s'%s: write '%s:' followed by %s",
			 key, s->where, key, expect);
}

/* "SUBJECT must be EXPECT; found X", where the subject is "'key'" (when
 * is_key) or a phrase such as "item 2 of 'values'". */
static void bad_subject(eks_schema *s, const eks_node *value, const char *name,
			int is_key, const char *expect)
{
	eks_buf found = EKS_BUF_INIT;

	eks_schema_describe(&found, value);
	eks_schema_error(s, value, "%s%s%s must be %s; found %s", is_key ? "'" : "",
			 name, is_key ? "'" : "", expect, eks_buf_cstr(&found));
	eks_buf_dispose(&found);
}

void eks_schema_bad_value(eks_schema *s, const eks_node *value,
			  const char *key, const char *expect)
{
	bad_subject(s, value, key, 1, expect);
}

void eks_schema_join(eks_buf *b, const char *const *names, size_t count)
{
	size_t i;
	int first = 1;

	for (i = 0; i < count; i++) {
		if (!names[i])
			continue;
		if (!first)
			eks_buf_puts(b, ", ");
		eks_buf_puts(b, names[i]);
		first = 0;
	}
}

static size_t count_names(const char *const *names)
{
	size_t n = 0;

	while (names[n])
		n++;
	return n;
}

void eks_schema_keys(eks_schema *s, const eks_node *map,
		     const char *const *known)
{
	size_t i, j, nknown;

	if (!map || map->kind != EKS_NODE_MAP)
		return;
	nknown = count_names(known);
	for (i = 0; i < map->count; i++) {
		const eks_node *k = map->keys[i];
		const char *hint;

		if (!k || k->kind != EKS_NODE_SCALAR || !k->value)
			continue;
		if (!strncmp(k->value, "x-", 2))
			continue;
		for (j = 0; j < nknown; j++)
			if (!strcmp(k->value, known[j]))
				break;
		if (j < nknown)
			continue;
		hint = eks_schema_closest(k->value, known, nknown);
		if (hint) {
			eks_schema_error(s, k, "unknown key '%s'; did you mean '%s'?",
					 k->value, hint);
		} else {
			eks_buf list = EKS_BUF_INIT;
			eks_schema_join(&list, known, nknown);
			eks_schema_error(s, k, "unknown key '%s'; the keys allowed here "
					 "are %s (and x-… for your own extensions)",
					 k->value, eks_buf_cstr(&list));
			eks_buf_dispose(&list);
		}
	}
}

/* Look up a key for a reader: NULL map and absent key both give ABSENT. */
static int reader_find(eks_schema *s, const eks_node *map, const char *key,
		       unsigned flags, const char *expect, const eks_node **v)
{
	const eks_node *k;

	*v = eks_schema_find(map, key, &k);
	s->last = *v;
	s->last_key = k;
	if (!k) {
		if ((flags & EKS_REQUIRED) && map && map->kind == EKS_NODE_MAP)
			eks_schema_missing(s, map, key, expect);
		return EKS_FIELD_ABSENT;
	}
	if (eks_schema_is_null(*v)) {
		if ((flags & EKS_REQUIRED) && !(flags & EKS_MAY_EMPTY)) {
			eks_schema_error(s, k, "'%s' has no value%s: write %s "
					 "after '%s:'", key, s->where, expect, key);
			return EKS_FIELD_BAD;
		}
		return EKS_FIELD_ABSENT;
	}
	return EKS_FIELD_OK;
}

static char *dup_or_oom(eks_schema *s, const char *text)
{
	char *copy = strdup(text ? text : "");

	if (!copy)
		s->oom = 1;
	return copy;
}

int eks_schema_text(eks_schema *s, const eks_node *map, const char *key,
		    unsigned flags, size_t max_chars, const char *expect,
		    char **out)
{
	const eks_node *v;
	int rc = reader_find(s, map, key, flags, expect, &v);
	size_t chars;

	if (rc == EKS_FIELD_ABSENT && s->last_key && (flags & EKS_MAY_EMPTY)) {
		*out = dup_or_oom(s, "");
		return *out ? EKS_FIELD_OK : EKS_FIELD_BAD;
	}
	if (rc != EKS_FIELD_OK)
		return rc;
	if (v->kind != EKS_NODE_SCALAR) {
		eks_schema_bad_value(s, v, key, expect);
		return EKS_FIELD_BAD;
	}
	if (!v->value[0] && (flags & EKS_REQUIRED) && !(flags & EKS_MAY_EMPTY)) {
		eks_schema_error(s, v, "'%s' is empty%s: write %s", key,
				 s->where, expect);
		return EKS_FIELD_BAD;
	}
	if (max_chars && (chars = eks_utf8_length(v->value)) > max_chars) {
		eks_schema_error(s, v, "'%s' is %zu characters long; shorten it "
				 "to at most %zu", key, chars, max_chars);
		return EKS_FIELD_BAD;
	}
	*out = dup_or_oom(s, v->value);
	return *out ? EKS_FIELD_OK : EKS_FIELD_BAD;
}

int eks_schema_enum(eks_schema *s, const eks_node *map, const char *key,
		    unsigned flags, const char *const *names, int *out)
{
	eks_buf expect = EKS_BUF_INIT, found = EKS_BUF_INIT;
	const eks_node *v;
	const char *hint;
	size_t i, n = count_names(names);
	int rc;

	/* The common case first, without building any message text. */
	v = eks_schema_find(map, key, &s->last_key);
	s->last = v;
	if (v && v->kind == EKS_NODE_SCALAR && !eks_schema_is_null(v)) {
		for (i = 0; i < n; i++) {
			if (!strcmp(v->value, names[i])) {
				*out = (int)i + 1;
				return EKS_FIELD_OK;
			}
		}
	}
	eks_buf_puts(&expect, "one of ");
	eks_schema_join(&expect, names, n);
	rc = reader_find(s, map, key, flags, eks_buf_cstr(&expect), &v);
	if (rc != EKS_FIELD_OK)
		goto done;
	if (v->kind == EKS_NODE_SCALAR) {
		for (i = 0; i < n; i++) {
			if (!strcmp(v->value, names[i])) {
				*out = (int)i + 1;
				rc = EKS_FIELD_OK;
				goto done;
			}
		}
	}
	eks_schema_describe(&found, v);
	hint = v->kind == EKS_NODE_SCALAR ?
		eks_schema_closest(v->value, names, n) : NULL;
	if (hint)
		eks_schema_error(s, v, "'%s' must be %s; found %s; did you mean '%s'?",
				 key, eks_buf_cstr(&expect), eks_buf_cstr(&found), hint);
	else
		eks_schema_error(s, v, "'%s' must be %s; found %s", key,
				 eks_buf_cstr(&expect), eks_buf_cstr(&found));
	rc = EKS_FIELD_BAD;
done:
	eks_buf_dispose(&expect);
	eks_buf_dispose(&found);
	return rc;
}

int eks_parse_number(const char *text, double *out)
{
	const char *p = text;
	char *end;
	int digits = 0;
	double d;

	if (!p || !*p)
		return -1;
	/* YAML 1.2 core schema, decimal forms only:
	 * [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
	if (*p == '-' || *p == '+')
		p++;
	while (isdigit((unsigned char)*p))
		p++, digits++;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++, digits++;
	}
	if (!digits)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return -1;
	errno = 0;
	d = strtod(text, &end);
	if (*end || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

int eks_parse_integer(const char *text, long long *out)
{
	const char *p = text;
	char *end;
	long long v;

	if (!p || !*p)
		return -1;
	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p)
		return -1;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno == ERANGE || *end)
		return -1;
	*out = v;
	return 0;
}

/* Shared by the number readers: the node must be a plain scalar.
 * The subject of messages is as for bad_subject. */
static int check_plain_scalar(eks_schema *s, const eks_node *v,
			      const char *name, int is_key, const char *expect)
{
	double d;
	int more, len;

	if (v->kind != EKS_NODE_SCALAR) {
		bad_subject(s, v, name, is_key, expect);
		return -1;
	}
	if (eks_schema_is_string(v)) {
		len = eks_schema_show_len(v->value, &more);
		if (eks_parse_number(v->value, &d) == 0)
			eks_schema_error(s, v, "%s%s%s must be %s, written without "
					 "quotes; found the quoted text \"%.*s\": "
					 "write %.*s", is_key ? "'" : "", name,
					 is_key ? "'" : "", expect, len, v->value,
					 len, v->value);
		else
			bad_subject(s, v, name, is_key, expect);
		return -1;
	}
	return 0;
}

static int number_of(eks_schema *s, const eks_node *node, const char *name,
		     int is_key, const char *expect, double *out)
{
	if (check_plain_scalar(s, node, name, is_key, expect) < 0)
		return EKS_FIELD_BAD;
	if (eks_parse_number(node->value, out) < 0) {
		bad_subject(s, node, name, is_key, expect);
		return EKS_FIELD_BAD;
	}
	return EKS_FIELD_OK;
}

int eks_schema_node_number(eks_schema *s, const eks_node *node,
			   const char *name, const char *expect, double *out)
{
	return number_of(s, node, name, 0, expect, out);
}

int eks_schema_number(eks_schema *s, const eks_node *map, const char *key,
		      unsigned flags, const char *expect, double *out)
{
	const eks_node *v;
	int rc = reader_find(s, map, key, flags, expect, &v);

	if (rc != EKS_FIELD_OK)
		return rc;
	return number_of(s, v, key, 1, expect, out);
}

int eks_schema_integer(eks_schema *s, const eks_node *map, const char *key,
		       unsigned flags, const char *expect, long long *out)
{
	const eks_node *v;
	int rc = reader_find(s, map, key, flags, expect, &v);

	if (rc != EKS_FIELD_OK)
		return rc;
	if (check_plain_scalar(s, v, key, 1, expect) < 0)
		return EKS_FIELD_BAD;
	if (eks_parse_integer(v->value, out) < 0) {
		eks_schema_bad_value(s, v, key, expect);
		return EKS_FIELD_BAD;
	}
	return EKS_FIELD_OK;
}

int eks_schema_bool(eks_schema *s, const eks_node *map, const char *key,
		    unsigned flags, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	const char *expect = "true or false (without quotes)";
	const eks_node *v;
	int rc = reader_find(s, map, key, flags, expect, &v);
	size_t i;

	if (rc != EKS_FIELD_OK)
		return rc;
	if (v->kind == EKS_NODE_SCALAR && !eks_schema_is_string(v)) {
		for (i = 0; i < 3; i++) {
			if (!strcmp(v->value, yes[i])) {
				*out = 1;
				return EKS_FIELD_OK;
			}
			if (!strcmp(v->value, no[i])) {
				*out = 0;
				return EKS_FIELD_OK;
			}
		}
	}
	eks_schema_bad_value(s, v, key, expect);
	return EKS_FIELD_BAD;
}

const eks_node *eks_schema_list(eks_schema *s, const eks_node *map,
				const char *key, unsigned flags,
				const char *expect)
{
	const eks_node *v;

	if (reader_find(s, map, key, flags, expect, &v) != EKS_FIELD_OK)
		return NULL;
	if (v->kind != EKS_NODE_SEQ) {
		eks_schema_bad_value(s, v, key, expect);
		return NULL;
	}
	if (!v->count && (flags & EKS_REQUIRED)) {
		eks_schema_error(s, v, "'%s' is an empty list%s: write %s with "
				 "at least one item", key, s->where, expect);
		return NULL;
	}
	return v;
}

const eks_node *eks_schema_map(eks_schema *s, const eks_node *map,
			       const char *key, unsigned flags,
			       const char *expect)
{
	const eks_node *v;

	if (reader_find(s, map, key, flags, expect, &v) != EKS_FIELD_OK)
		return NULL;
	if (v->kind != EKS_NODE_MAP) {
		eks_schema_bad_value(s, v, key, expect);
		return NULL;
	}
	return v;
}

int eks_schema_node_text(eks_schema *s, const eks_node *node, const char *name,
			 const char *expect, char **out)
{
	if (!node || node->kind != EKS_NODE_SCALAR || eks_schema_is_null(node) ||
	    !node->value[0]) {
		bad_subject(s, node, name, 0, expect);
		return EKS_FIELD_BAD;
	}
	*out = dup_or_oom(s, node->value);
	return *out ? EKS_FIELD_OK : EKS_FIELD_BAD;
}

/*
 * Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions), compared case-insensitively.  Words longer than 64
 * bytes are never typos of our short keys.
 */
static int edit_distance(const char *a, const char *b)
{
	int rows[3][66];
	int *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *tmp;
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > 64 || lb > 64)
		return 1000;
	/* The distance is at least the difference in length. */
	if (la > lb + 3 || lb > la + 3)
		return (int)(la > lb ? la - lb : lb - la);
	for (j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			int cost = ca != cb;
			int best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (prev[j - 1] + cost < best)
				best = prev[j - 1] + cost;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		tmp = prev2;
		prev2 = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

static int prefix_ci(const char *prefix, const char *word)
{
	for (; *prefix; prefix++, word++)
		if (tolower((unsigned char)*prefix) != tolower((unsigned char)*word))
			return 0;
	return 1;
}

const char *eks_schema_closest(const char *word, const char *const *candidates,
			       size_t count)
{
	const char *best = NULL;
	size_t i, len = strlen(word);
	int best_d = 1000;
	/* A third of the word's length, at least 1 and at most 3 edits. */
	int limit = (int)(len / 3);

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (i = 0; i < count; i++) {
		int d;

		if (!candidates[i])
			continue;
		d = edit_distance(word, candidates[i]);
		/* "kommune" for "kommunenummer": a cut-short key. */
		if (d > limit && len >= 4 && (prefix_ci(word, candidates[i]) ||
					      prefix_ci(candidates[i], word)))
			d = limit;
		if (d <= limit && d < best_d && d < (int)len) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}

size_t eks_utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int eks_days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (month < 1 || month > 12)
		return 0;
	return days[month - 1] + (month == 2 && leap);
}

int eks_date_check(const char *s)
{
	int i, year, month, day;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 1;
		} else if (!isdigit((unsigned char)s[i])) {
			return 1;
		}
	}
	if (s[10])
		return 1;
	year = atoi(s);
	month = (s[5] - '0') * 10 + (s[6] - '0');
	day = (s[8] - '0') * 10 + (s[9] - '0');
	if (month < 1 || month > 12 || day < 1 ||
	    day > eks_days_in_month(year, month))
		return 2;
	return 0;
}

/* FNV-1a, 64 bit. */
static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int strmap_grow(eks_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16, i;
	const char **keys = calloc(cap, sizeof(*keys));
	size_t *vals = calloc(cap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return eks_error_oom();
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->keys[i])
			continue;
		j = (size_t)str_hash(m->keys[i]) & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

int eks_strmap_put(eks_strmap *m, const char *key, size_t val, size_t *old)
{
	size_t j;

	if ((m->count + 1) * 2 > m->cap && strmap_grow(m) < 0)
		return EKS_ENOMEM;
	j = (size_t)str_hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (!strcmp(m->keys[j], key)) {
			if (old)
				*old = m->vals[j];
			return 1;
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->keys[j] = key;
	m->vals[j] = val;
	m->count++;
	return 0;
}

int eks_strmap_get(const eks_strmap *m, const char *key, size_t *val)
{
	size_t j;

	if (!m->cap)
		return 0;
	j = (size_t)str_hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (!strcmp(m->keys[j], key)) {
			if (val)
				*val = m->vals[j];
			return 1;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return 0;
}

void eks_strmap_dispose(eks_strmap *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->count = 0;
}

int eks_diag_move(eks_diag_list *to, eks_diag_list *from)
{
	size_t need = to->count + from->count;

	if (!from->count)
		goto done;
	if (need > to->alloc) {
		size_t alloc = to->alloc * 2 > need ? to->alloc * 2 : need;
		eks_diag *items = realloc(to->items, alloc * sizeof(*items));
		if (!items)
			return eks_error_oom();
		to->items = items;
		to->alloc = alloc;
	}
	memcpy(to->items + to->count, from->items,
	       from->count * sizeof(*from->items));
	to->count = need;
done:
	free(from->items);
	from->items = NULL;
	from->count = from->alloc = 0;
	return 0;
}
