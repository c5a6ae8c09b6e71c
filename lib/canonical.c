/*
 * canonical.c - the canonical JSON of YAML data and of a protocol's frozen
 * fields, and the protocol hash.  The rules are documented in
 * include/eksperiment/canonical.h; the numbered comments below refer to
 * them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/canonical.h"
#include "eksperiment/error.h"
#include "canonical_internal.h"

/* Rule 1: the frozen top-level fields (SPEC 2.1, column "frozen"). */
static const char *const frozen_fields[] = {
	"id", "title", "design", "existing_data", "interventions", "arms",
	"timepoints", "outcomes", "hypotheses", "analysis", NULL
};

/* Rule 3: the documented defaults, filled in where absent. */
typedef struct default_value {
	const char *key;
	eks_cv_type type;
	const char *token;
	const char *raw;
} default_value;

static const default_value hypothesis_defaults[] = {
	{ "test", EKS_CV_STRING, "\"superiority\"", "superiority" },
	{ "method", EKS_CV_STRING, "\"auto\"", "auto" },
	{ "alpha", EKS_CV_NUMBER, "0.05", "0.05" },
	{ "family", EKS_CV_STRING, "\"confirmatory\"", "confirmatory" },
	{ NULL, 0, NULL, NULL }
};

static const default_value analysis_defaults[] = {
	{ "multiplicity", EKS_CV_STRING, "\"holm\"", "holm" },
	{ "conf_level", EKS_CV_NUMBER, "0.95", "0.95" },
	{ NULL, 0, NULL, NULL }
};

/* ---- scalars (rule 4) ------------------------------------------------ */

static int text_is(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return 1;
	return 0;
}

static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "true", "True", "TRUE", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", NULL };
static const char *const inf_words[] = { ".inf", ".Inf", ".INF", NULL };
static const char *const nan_words[] = { ".nan", ".NaN", ".NAN", NULL };

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* What kind of number a text spells in the core schema. */
enum number_form {
	NOT_NUMBER, DECIMAL_INT, OCTAL_INT, HEX_INT, DECIMAL_FLOAT,
	INFINITE, NOT_A_NUMBER
};

static enum number_form number_form(const char *s)
{
	const char *p = s;
	int digits = 0, point = 0;

	if (text_is(s, nan_words))
		return NOT_A_NUMBER;
	if (s[0] == '0' && s[1] == 'o' && s[2]) {
		for (p = s + 2; *p >= '0' && *p <= '7'; p++)
			;
		return *p ? NOT_NUMBER : OCTAL_INT;
	}
	if (s[0] == '0' && s[1] == 'x' && s[2]) {
		for (p = s + 2; hex_value(*p) >= 0; p++)
			;
		return *p ? NOT_NUMBER : HEX_INT;
	}
	if (*p == '-' || *p == '+')
		p++;
	if (text_is(p, inf_words))
		return INFINITE;
	for (; is_digit(*p); p++)
		digits++;
	if (*p == '.') {
		point = 1;
		for (p++; is_digit(*p); p++)
			digits++;
	}
	if (!digits)
		return NOT_NUMBER;
	if (*p == 'e' || *p == 'E') {
		point = 1;
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!is_digit(*p))
			return NOT_NUMBER;
		while (is_digit(*p))
			p++;
	}
	if (*p)
		return NOT_NUMBER;
	return point ? DECIMAL_FLOAT : DECIMAL_INT;
}

/*
 * The nearest double to a core-schema number.  Decimal text is handed to
 * strtod as "<digits>e<exponent>" without a decimal point, so the result
 * does not depend on the locale; hex as C99 "0x..." (strtod rounds both
 * correctly); octal is first rewritten as hex.
 */
static int number_value(double *out, const char *s, enum number_form form)
{
	eks_buf b = EKS_BUF_INIT;
	const char *p = s;
	long exp10 = 0, e = 0;
	int neg = 0, eneg = 0, rc = 0;
	char *end;

	switch (form) {
	case HEX_INT:
		eks_buf_puts(&b, s);
		break;
	case OCTAL_INT: {
		/* Three bits per octal digit, four per hex digit, from the
		 * right. */
		size_t n = strlen(s + 2), i, nhex = (3 * n + 3) / 4;
		unsigned acc = 0, bits = 0;

		if (eks_buf_grow(&b, nhex + 2) < 0)
			break;
		memcpy(b.ptr, "0x", 2);
		b.len = nhex + 2;
		b.ptr[b.len] = '\0';
		for (i = n; i > 0; i--) {
			acc |= (unsigned)(s[2 + i - 1] - '0') << bits;
			bits += 3;
			while (bits >= 4) {
				b.ptr[2 + --nhex] = "0123456789abcdef"[acc & 15];
				acc >>= 4;
				bits -= 4;
			}
		}
		while (nhex > 0) {
			b.ptr[2 + --nhex] = "0123456789abcdef"[acc & 15];
			acc >>= 4;
		}
		break;
	}
	case DECIMAL_INT:
	case DECIMAL_FLOAT:
		if (*p == '-' || *p == '+')
			neg = *p++ == '-';
		if (neg)
			eks_buf_putc(&b, '-');
		for (; is_digit(*p); p++)
			eks_buf_putc(&b, *p);
		if (*p == '.')
			for (p++; is_digit(*p); p++) {
				eks_buf_putc(&b, *p);
				exp10--;
			}
		if (*p == 'e' || *p == 'E') {
			p++;
			if (*p == '-' || *p == '+')
				eneg = *p++ == '-';
			/* Beyond this the value is 0 or infinite anyway. */
			for (; is_digit(*p); p++)
				if (e < 100000000L)
					e = e * 10 + (*p - '0');
		}
		exp10 += eneg ? -e : e;
		eks_buf_printf(&b, "e%ld", exp10);
		break;
	default:
		return -1;
	}
	if (eks_buf_oom(&b)) {
		rc = EKS_ENOMEM;
		goto done;
	}
	errno = 0;
	*out = strtod(b.ptr, &end);
	if (*end)
		rc = -1;
done:
	eks_buf_dispose(&b);
	return rc;
}

/* Whether "<digits>e<q>" reads back as `d`. */
static int reads_back(const char *digits, int q, double d)
{
	char text[64];

	snprintf(text, sizeof(text), "%se%d", digits, q);
	return strtod(text, NULL) == d;
}

/* Add `delta` (+1 or -1) to a decimal digit string in place; 0 when it
 * keeps its length and leading digit nonzero, -1 otherwise. */
static int step_digits(char *digits, int delta)
{
	size_t i = strlen(digits);

	while (i-- > 0) {
		if (delta > 0 && digits[i] == '9') {
			digits[i] = '0';
			continue;
		}
		if (delta < 0 && digits[i] == '0') {
			digits[i] = '9';
			continue;
		}
		digits[i] = (char)(digits[i] + delta);
		return digits[0] == '0' ? -1 : 0;
	}
	return -1;
}

/*
 * Rule 5: a finite double as ECMAScript's Number::toString writes it
 * (ECMA-262 7.1.12.1, RFC 8785 3.2.2.3).  The shortest digits are found
 * by trying 1 to 17 significant digits: at each precision the correctly
 * rounded digits (printf %.*e) and, because the round-trip interval is
 * lopsided at powers of two, their two neighbours.
 */
static int put_number(eks_buf *out, double d)
{
	char text[64], digits[32], best[32];
	int p, k, n, q = 0, exp10, i, found = 0;
	const char *c;
	double a;

	if (d == 0)
		return eks_buf_putc(out, '0');
	if (d < 0)
		eks_buf_putc(out, '-');
	a = fabs(d);
	for (p = 1; p <= 17 && !found; p++) {
		snprintf(text, sizeof(text), "%.*e", p - 1, a);
		/* Digits before 'e' (whatever the decimal point is), then the
		 * exponent. */
		for (c = text, k = 0; *c && *c != 'e'; c++)
			if (is_digit(*c))
				digits[k++] = *c;
		digits[k] = '\0';
		exp10 = atoi(c + 1);
		q = exp10 - (p - 1);
		if (reads_back(digits, q, a)) {
			strcpy(best, digits);
			found = 1;
			break;
		}
		for (i = 0; i < 2 && !found; i++) {
			strcpy(best, digits);
			if (step_digits(best, i ? -1 : 1) == 0 &&
			    reads_back(best, q, a))
				found = 1;
		}
	}
	if (!found)     /* cannot happen: 17 digits always read back */
		return eks_error_set(EKS_ERROR, "cannot write the number %g", d);

	k = (int)strlen(best);
	while (k > 1 && best[k - 1] == '0') {
		best[--k] = '\0';
		q++;
	}
	n = k + q;
	if (k <= n && n <= 21) {
		eks_buf_puts(out, best);
		for (i = 0; i < n - k; i++)
			eks_buf_putc(out, '0');
	} else if (0 < n && n <= 21) {
		eks_buf_put(out, best, (size_t)n);
		eks_buf_putc(out, '.');
		eks_buf_puts(out, best + n);
	} else if (-6 < n && n <= 0) {
		eks_buf_puts(out, "0.");
		for (i = 0; i < -n; i++)
			eks_buf_putc(out, '0');
		eks_buf_puts(out, best);
	} else {
		eks_buf_putc(out, best[0]);
		if (k > 1) {
			eks_buf_putc(out, '.');
			eks_buf_puts(out, best + 1);
		}
		eks_buf_printf(out, "e%c%d", n - 1 < 0 ? '-' : '+',
			       abs(n - 1));
	}
	return eks_buf_oom(out) ? EKS_ENOMEM : 0;
}

/* Rule 6: a JSON string of `len` bytes. */
static int put_string(eks_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	eks_buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '"':  eks_buf_puts(out, "\\\""); break;
		case '\\': eks_buf_puts(out, "\\\\"); break;
		case '\b': eks_buf_puts(out, "\\b"); break;
		case '\f': eks_buf_puts(out, "\\f"); break;
		case '\n': eks_buf_puts(out, "\\n"); break;
		case '\r': eks_buf_puts(out, "\\r"); break;
		case '\t': eks_buf_puts(out, "\\t"); break;
		default:
			if (p[i] < 0x20)
				eks_buf_printf(out, "\\u%04x", p[i]);
			else
				eks_buf_putc(out, (char)p[i]);
		}
	}
	eks_buf_putc(out, '"');
	return eks_buf_oom(out) ? EKS_ENOMEM : 0;
}

/* Set `cv` to a number read from `text` in `form`; a value JSON cannot
 * hold makes a bad token. */
static int resolve_number(eks_cv *cv, eks_buf *tok, const char *text,
			  enum number_form form)
{
	double d;
	int rc;

	cv->type = EKS_CV_NUMBER;
	if (form == INFINITE || form == NOT_A_NUMBER) {
		cv->bad = 1;
		return eks_buf_puts(tok, form == NOT_A_NUMBER ? ".nan" :
				    text[0] == '-' ? "-.inf" : ".inf");
	}
	rc = number_value(&d, text, form);
	if (rc < 0 && rc != -1)
		return rc;
	if (rc == -1 || !isfinite(d)) {
		/* Too large for a double: as .inf, but keep the text so
		 * different spellings stay different. */
		cv->bad = 1;
		eks_buf_puts(tok, "!!toolarge ");
		return eks_buf_put(tok, text, strlen(text));
	}
	return put_number(tok, d);
}

/* Rule 4: the JSON type and token of a scalar node. */
static int resolve_scalar(eks_cv *cv, const eks_node *node)
{
	eks_buf tok = EKS_BUF_INIT;
	const char *v = node->value ? node->value : "";
	const char *tag = node->tag;
	enum number_form form;
	int rc = 0, as_string = 0;

	cv->raw = v;
	cv->raw_len = node->value ? node->value_len : 0;
	if (tag) {
		if (!strcmp(tag, "!!null")) {
			if (text_is(v, null_words))
				cv->type = EKS_CV_NULL;
			else
				goto mismatch;
			rc = eks_buf_puts(&tok, "null");
		} else if (!strcmp(tag, "!!bool")) {
			cv->type = EKS_CV_BOOL;
			if (text_is(v, true_words))
				rc = eks_buf_puts(&tok, "true");
			else if (text_is(v, false_words))
				rc = eks_buf_puts(&tok, "false");
			else
				goto mismatch;
		} else if (!strcmp(tag, "!!int")) {
			form = number_form(v);
			if (form != DECIMAL_INT && form != OCTAL_INT &&
			    form != HEX_INT)
				goto mismatch;
			rc = resolve_number(cv, &tok, v, form);
		} else if (!strcmp(tag, "!!float")) {
			form = number_form(v);
			if (form == NOT_NUMBER)
				goto mismatch;
			rc = resolve_number(cv, &tok, v, form);
		} else {
			as_string = 1;     /* !!str, ! and any other tag */
		}
	} else if (node->style != EKS_SCALAR_PLAIN) {
		as_string = 1;
	} else if (text_is(v, null_words)) {
		cv->type = EKS_CV_NULL;
		rc = eks_buf_puts(&tok, "null");
	} else if (text_is(v, true_words)) {
		cv->type = EKS_CV_BOOL;
		rc = eks_buf_puts(&tok, "true");
	} else if (text_is(v, false_words)) {
		cv->type = EKS_CV_BOOL;
		rc = eks_buf_puts(&tok, "false");
	} else if ((form = number_form(v)) != NOT_NUMBER) {
		rc = resolve_number(cv, &tok, v, form);
	} else {
		as_string = 1;
	}
	if (as_string) {
		cv->type = EKS_CV_STRING;
		rc = put_string(&tok, cv->raw, cv->raw_len);
	}
	goto done;
mismatch:
	/* A tag that does not fit its text: unique, never valid JSON. */
	cv->type = EKS_CV_STRING;
	cv->bad = 1;
	eks_buf_puts(&tok, tag);
	eks_buf_putc(&tok, ' ');
	rc = eks_buf_put(&tok, cv->raw, cv->raw_len);
done:
	if (rc < 0 || eks_buf_oom(&tok)) {
		eks_buf_dispose(&tok);
		return EKS_ENOMEM;
	}
	cv->token = eks_buf_detach(&tok);
	return cv->token ? 0 : eks_error_oom();
}

/* ---- the value tree -------------------------------------------------- */

int eks_cv_is_ext_key(const char *key, size_t len)
{
	return len >= 2 && key[0] == 'x' && key[1] == '-';
}

void eks_cv_release(eks_cv *cv)
{
	size_t i;

	if (!cv)
		return;
	for (i = 0; i < cv->count; i++)
		eks_cv_release(&cv->items[i]);
	free(cv->items);
	free(cv->token);
	cv->items = NULL;
	cv->token = NULL;
	cv->count = 0;
}

static int is_null_node(const eks_node *node)
{
	if (!node)
		return 1;
	if (node->kind != EKS_NODE_SCALAR)
		return 0;
	if (node->tag)
		return !strcmp(node->tag, "!!null") &&
		       text_is(node->value ? node->value : "", null_words);
	return node->style == EKS_SCALAR_PLAIN &&
	       text_is(node->value ? node->value : "", null_words);
}

static int build(eks_cv *out, const eks_node *node)
{
	size_t i, n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!node) {
		out->type = EKS_CV_NULL;
		out->raw = "";
		out->token = strdup("null");
		return out->token ? 0 : eks_error_oom();
	}
	out->line = node->line;
	out->col = node->col;
	if (node->kind == EKS_NODE_SCALAR)
		return resolve_scalar(out, node);

	out->type = node->kind == EKS_NODE_MAP ? EKS_CV_OBJECT : EKS_CV_ARRAY;
	if (!node->count)
		return 0;
	out->items = calloc(node->count, sizeof(*out->items));
	if (!out->items)
		return eks_error_oom();
	for (i = 0, n = 0; i < node->count; i++) {
		const eks_node *key = node->kind == EKS_NODE_MAP ?
				      node->keys[i] : NULL;
		eks_cv *item = &out->items[n];

		/* Rule 3: a null entry of a mapping is absent. */
		if (key && is_null_node(node->items[i]))
			continue;
		rc = build(item, node->items[i]);
		out->count = ++n;
		if (rc < 0)
			return rc;
		if (key) {
			item->key = key->value ? key->value : "";
			item->key_len = key->value ? key->value_len : 0;
			item->key_line = key->line;
			item->key_col = key->col;
			item->ext = eks_cv_is_ext_key(item->key, item->key_len);
		}
	}
	return 0;
}

const eks_cv *eks_cv_member(const eks_cv *obj, const char *key,
			    size_t key_len)
{
	size_t i;

	if (!obj || obj->type != EKS_CV_OBJECT)
		return NULL;
	for (i = 0; i < obj->count; i++)
		if (obj->items[i].key_len == key_len &&
		    !memcmp(obj->items[i].key, key, key_len))
			return &obj->items[i];
	return NULL;
}

/* Rule 3: add the defaults missing from `obj`, placed at `line`:`col`. */
static int fill_defaults(eks_cv *obj, const default_value *defaults,
			 int line, int col)
{
	const default_value *d;
	eks_cv *items, *m;
	size_t add = 0;

	for (d = defaults; d->key; d++)
		if (!eks_cv_member(obj, d->key, strlen(d->key)))
			add++;
	if (!add)
		return 0;
	items = realloc(obj->items, (obj->count + add) * sizeof(*items));
	if (!items)
		return eks_error_oom();
	obj->items = items;
	for (d = defaults; d->key; d++) {
		if (eks_cv_member(obj, d->key, strlen(d->key)))
			continue;
		m = &obj->items[obj->count];
		memset(m, 0, sizeof(*m));
		m->type = d->type;
		m->raw = d->raw;
		m->raw_len = strlen(d->raw);
		m->key = d->key;
		m->key_len = strlen(d->key);
		m->line = m->key_line = line;
		m->col = m->key_col = col;
		m->filled = 1;
		m->token = strdup(d->token);
		obj->count++;
		if (!m->token)
			return eks_error_oom();
	}
	return 0;
}

static int fill_protocol_defaults(eks_cv *root)
{
	eks_cv *hyps, *analysis, *items;
	size_t i;
	int rc;

	if (root->type != EKS_CV_OBJECT)
		return 0;
	hyps = (eks_cv *)eks_cv_member(root, "hypotheses", 10);
	if (hyps && hyps->type == EKS_CV_ARRAY) {
		for (i = 0; i < hyps->count; i++) {
			if (hyps->items[i].type != EKS_CV_OBJECT)
				continue;
			rc = fill_defaults(&hyps->items[i], hypothesis_defaults,
					   hyps->items[i].line,
					   hyps->items[i].col);
			if (rc < 0)
				return rc;
		}
	}
	analysis = (eks_cv *)eks_cv_member(root, "analysis", 8);
	if (!analysis) {
		items = realloc(root->items, (root->count + 1) * sizeof(*items));
		if (!items)
			return eks_error_oom();
		root->items = items;
		analysis = &root->items[root->count++];
		memset(analysis, 0, sizeof(*analysis));
		analysis->type = EKS_CV_OBJECT;
		analysis->key = "analysis";
		analysis->key_len = 8;
		analysis->line = analysis->key_line = root->line;
		analysis->col = analysis->key_col = root->col;
		analysis->filled = 1;
	}
	if (analysis->type == EKS_CV_OBJECT)
		return fill_defaults(analysis, analysis_defaults,
				     analysis->line, analysis->col);
	return 0;
}

int eks_cv_build(eks_cv *out, const eks_node *node, unsigned flags)
{
	int rc = build(out, node);

	if (rc == 0 && (flags & EKS_CV_PROTOCOL))
		rc = fill_protocol_defaults(out);
	if (rc < 0)
		eks_cv_release(out);
	return rc;
}

/* ---- writing and comparing (rule 7) ---------------------------------- */

static int compare_keys(const void *a, const void *b)
{
	const eks_cv *x = *(const eks_cv *const *)a;
	const eks_cv *y = *(const eks_cv *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* The members of an object that count, sorted by key; *out is NULL when
 * there are none.  The caller frees *out. */
static int sorted_members(const eks_cv ***out, size_t *count,
			  const eks_cv *obj, unsigned flags)
{
	const eks_cv **list;
	size_t i, n = 0;

	*out = NULL;
	*count = 0;
	if (!obj->count)
		return 0;
	list = malloc(obj->count * sizeof(*list));
	if (!list)
		return eks_error_oom();
	for (i = 0; i < obj->count; i++)
		if (!(flags & EKS_CV_SKIP_EXT) || !obj->items[i].ext)
			list[n++] = &obj->items[i];
	qsort(list, n, sizeof(*list), compare_keys);
	*out = list;
	*count = n;
	return 0;
}

int eks_cv_write(eks_buf *out, const eks_cv *cv, unsigned flags)
{
	const eks_cv **members = NULL;
	size_t i, n;
	int rc = 0;

	switch (cv->type) {
	case EKS_CV_OBJECT:
		rc = sorted_members(&members, &n, cv, flags);
		if (rc < 0)
			break;
		eks_buf_putc(out, '{');
		for (i = 0; i < n && rc == 0; i++) {
			if (i)
				eks_buf_putc(out, ',');
			put_string(out, members[i]->key, members[i]->key_len);
			eks_buf_putc(out, ':');
			rc = eks_cv_write(out, members[i], flags);
		}
		eks_buf_putc(out, '}');
		break;
	case EKS_CV_ARRAY:
		eks_buf_putc(out, '[');
		for (i = 0; i < cv->count && rc == 0; i++) {
			if (i)
				eks_buf_putc(out, ',');
			rc = eks_cv_write(out, &cv->items[i], flags);
		}
		eks_buf_putc(out, ']');
		break;
	default:
		if (cv->bad && (flags & EKS_CV_STRICT)) {
			rc = eks_error_set(EKS_EINVALID,
					   "line %d, column %d: '%.60s' cannot be written as JSON: "
					   "write a finite number, or a value that fits its tag",
					   cv->line, cv->col, cv->raw);
			break;
		}
		eks_buf_puts(out, cv->token);
	}
	free(members);
	if (rc == 0 && eks_buf_oom(out))
		rc = EKS_ENOMEM;
	return rc;
}

int eks_cv_equal(const eks_cv *a, const eks_cv *b, unsigned flags)
{
	const eks_cv **ma = NULL, **mb = NULL;
	size_t i, na, nb;
	int rc;

	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case EKS_CV_ARRAY:
		if (a->count != b->count)
			return 0;
		for (i = 0; i < a->count; i++) {
			rc = eks_cv_equal(&a->items[i], &b->items[i], flags);
			if (rc != 1)
				return rc;
		}
		return 1;
	case EKS_CV_OBJECT:
		rc = sorted_members(&ma, &na, a, flags);
		if (rc == 0)
			rc = sorted_members(&mb, &nb, b, flags);
		if (rc < 0)
			goto done;
		rc = na == nb;
		for (i = 0; rc == 1 && i < na; i++) {
			if (compare_keys(&ma[i], &mb[i]))
				rc = 0;
			else
				rc = eks_cv_equal(ma[i], mb[i], flags);
		}
done:
		free(ma);
		free(mb);
		return rc;
	default:
		return strcmp(a->token, b->token) == 0;
	}
}

int eks_cv_show(eks_buf *out, const eks_cv *cv, unsigned flags)
{
	enum number_form form;

	if (cv->type == EKS_CV_OBJECT || cv->type == EKS_CV_ARRAY)
		return eks_cv_write(out, cv, flags & ~(unsigned)EKS_CV_STRICT);
	if (cv->type == EKS_CV_STRING && !cv->bad &&
	    strlen(cv->raw) == cv->raw_len &&
	    (text_is(cv->raw, null_words) || text_is(cv->raw, true_words) ||
	     text_is(cv->raw, false_words) ||
	     ((form = number_form(cv->raw)) != NOT_NUMBER)))
		return eks_buf_puts(out, cv->token);
	if (cv->type == EKS_CV_NULL && !cv->raw_len)
		return eks_buf_puts(out, "null");
	return eks_buf_put(out, cv->raw, cv->raw_len);
}

/* ---- the public functions -------------------------------------------- */

static int is_frozen_field(const eks_cv *member)
{
	const char *const *f;

	for (f = frozen_fields; *f; f++)
		if (member->key_len == strlen(*f) &&
		    !memcmp(member->key, *f, member->key_len))
			return 1;
	return 0;
}

int eks_protocol_canonical_json(eks_buf *out, const eks_node *root)
{
	eks_cv tree, frozen;
	size_t i, n = 0;
	int rc;

	if (!root || root->kind != EKS_NODE_MAP)
		return eks_error_set(EKS_EINVALID, "the protocol must be a mapping of "
				     "fields (key: value), found %s",
				     eks_node_kind_name(root));
	rc = eks_cv_build(&tree, root, EKS_CV_PROTOCOL);
	if (rc < 0)
		return rc;
	/* Rule 1: a shallow view of the root with only the frozen fields
	 * (the members are borrowed from `tree`). */
	frozen = tree;
	frozen.items = calloc(tree.count ? tree.count : 1, sizeof(*frozen.items));
	if (!frozen.items) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < tree.count; i++)
		if (is_frozen_field(&tree.items[i]))
			frozen.items[n++] = tree.items[i];
	frozen.count = n;
	rc = eks_cv_write(out, &frozen, EKS_CV_SKIP_EXT | EKS_CV_STRICT);
	free(frozen.items);
done:
	eks_cv_release(&tree);
	return rc;
}

int eks_protocol_hash(char out[EKS_SHA256_HEX_SIZE], const eks_node *root)
{
	eks_buf json = EKS_BUF_INIT;
	int rc;

	out[0] = '\0';
	rc = eks_protocol_canonical_json(&json, root);
	if (rc == 0)
		eks_sha256_hex(out, json.ptr, json.len);
	eks_buf_dispose(&json);
	return rc;
}

int eks_yaml_canonical_json(eks_buf *out, const eks_node *node)
{
	eks_cv tree;
	int rc;

	rc = eks_cv_build(&tree, node, 0);
	if (rc < 0)
		return rc;
	rc = eks_cv_write(out, &tree, EKS_CV_STRICT);
	eks_cv_release(&tree);
	return rc;
}
