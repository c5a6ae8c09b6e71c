/*
 * query.c - compile the query language of SPEC 4.2 to an SQL condition.
 *
 * A lexer and a recursive-descent parser that write the SQL while they
 * parse (there is no syntax tree).  Each parse function appends its SQL to
 * a buffer and says what kind of expression it wrote (a plain comparison,
 * an EXISTS, an AND or an OR), so that its caller adds parentheses exactly
 * where they are needed.  Values go to the parameter list and the SQL gets
 * a numbered placeholder ?N: the only text copied into the SQL comes from
 * the field table below, never from the user.
 *
 * Truth values: SQL comparisons with a missing value (NULL) give NULL,
 * which WHERE treats as false but NOT keeps as NULL.  So that `not` is the
 * exact opposite of the condition it negates, `not X` is compiled to
 * `(X) IS NOT TRUE`, which is true when X is false or NULL, and != to
 * IS NOT, which is true against NULL.  EXISTS is never NULL and is negated
 * with a plain NOT.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/query.h"
#include "eksperiment/text.h"

/* ---- fields ----------------------------------------------------------- */

enum field_type { FIELD_TEXT, FIELD_NUMBER, FIELD_DATE };

struct field {
	const char *name;
	enum field_type type;
	const char *from;           /* list fields: view and alias; NULL: e */
	const char *alias;
	const char *column[2];      /* the second, when set, is matched too */
	size_t width;               /* date fields: length of a stored value */
	const char *const *values;  /* enumerated fields: the allowed values */
	const char *noun, *nouns;   /* for messages: "a status", "statuses" */
};

/*
 * Allowed values, from SPEC 2.1 (challenge, phase, design), 2.3 (status)
 * and 6.3 (verdicts).  Keep in step with lib/protocol.c.
 */
static const char *const challenge_values[] = {
	"ungt_utenforskap", "demografi", "klima_miljo", "annet", NULL
};
static const char *const phase_values[] = {
	"explore", "test", "adjust", "scale", NULL
};
static const char *const status_values[] = {
	"draft", "registered", "active", "suspended", "completed",
	"terminated", "withdrawn", NULL
};
static const char *const allocation_values[] = {
	"randomized", "non_randomized", "none", NULL
};
static const char *const model_values[] = {
	"single_group", "parallel", "before_after", "stepped_wedge",
	"crossover", NULL
};
static const char *const outcome_role_values[] = {
	"primary", "secondary", "guardrail", "other", NULL
};
static const char *const verdict_values[] = {
	"supported", "refuted", "inconclusive", "insufficient_data", NULL
};

#define SCALAR(n, t, c) { .name = n, .type = t, .column = { c, NULL } }
#define ENUMERATED(n, c, v, one, many) \
	{ .name = n, .type = FIELD_TEXT, .column = { c, NULL }, \
	  .values = v, .noun = one, .nouns = many }
#define DATE(n, c, w) \
	{ .name = n, .type = FIELD_DATE, .column = { c, NULL }, .width = w }

/* In the order of SPEC 4.2; `names` below lists the same. */
static const struct field fields[] = {
	SCALAR("id", FIELD_TEXT, "e.id"),
	{ .name = "title", .type = FIELD_TEXT,
	  .column = { "e.title", "e.title_nb" } },
	ENUMERATED("challenge", "e.challenge", challenge_values,
		   "a challenge", "challenges"),
	ENUMERATED("phase", "e.phase", phase_values, "a phase", "phases"),
	ENUMERATED("status", "e.status", status_values, "a status", "statuses"),
	ENUMERATED("allocation", "e.allocation", allocation_values,
		   "an allocation", "allocations"),
	ENUMERATED("model", "e.model", model_values, "a model", "models"),
	DATE("start", "e.start_date", 10),
	DATE("end", "e.end_date", 10),
	DATE("registered", "e.registered_at", 20),   /* 2026-01-15T10:15:00Z */
	{ .name = "partner", .type = FIELD_TEXT, .from = "partners p",
	  .alias = "p", .column = { "p.name", "p.kommunenummer" } },
	{ .name = "outcome", .type = FIELD_TEXT, .from = "outcomes o",
	  .alias = "o", .column = { "o.id", "o.title" } },
	{ .name = "outcome.role", .type = FIELD_TEXT, .from = "outcomes o",
	  .alias = "o", .column = { "o.role", NULL },
	  .values = outcome_role_values,
	  .noun = "an outcome role", .nouns = "outcome roles" },
	{ .name = "hypothesis.verdict", .type = FIELD_TEXT,
	  .from = "verdicts v", .alias = "v", .column = { "v.verdict", NULL },
	  .values = verdict_values, .noun = "a verdict", .nouns = "verdicts" },
	SCALAR("deviations", FIELD_NUMBER, "e.deviations"),
	SCALAR("entries", FIELD_NUMBER, "e.n_entries"),
	SCALAR("evidence_level", FIELD_NUMBER, "e.evidence_level"),
};

#define FIELD_COUNT (sizeof(fields) / sizeof(fields[0]))

static const char *const names[] = {
	"id", "title", "challenge", "phase", "status", "allocation", "model",
	"start", "end", "registered", "partner", "outcome", "outcome.role",
	"hypothesis.verdict", "deviations", "entries", "evidence_level", NULL
};

/* Names people reach for that are not fields (view columns, synonyms). */
static const struct {
	const char *word, *field;
} field_hints[] = {
	{ "verdict", "hypothesis.verdict" },
	{ "hypothesis", "hypothesis.verdict" },
	{ "role", "outcome.role" },
	{ "n_entries", "entries" },
	{ "start_date", "start" },
	{ "end_date", "end" },
	{ "registered_at", "registered" },
	{ "kommunenummer", "partner" },
	{ "kommune", "partner" },
	{ "municipality", "partner" },
	{ "partners", "partner" },
	{ "outcomes", "outcome" },
	{ "title_nb", "title" },
	{ "level", "evidence_level" },
};

const char *const *eks_query_fields(void)
{
	return names;
}

/* ---- tokens ----------------------------------------------------------- */

enum token_type {
	TOK_END, TOK_WORD, TOK_STRING, TOK_LPAREN, TOK_RPAREN, TOK_COMMA,
	TOK_OP
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_MATCH };

static const char *const op_text[] = { "=", "!=", "<", "<=", ">", ">=", "~" };
/* != is IS NOT so that a missing value counts as "not equal" (see top). */
static const char *const op_sql[] = { "=", "IS NOT", "<", "<=", ">", ">=", NULL };

struct token {
	enum token_type type;
	enum op op;
	size_t start, len;   /* the token in the source, quotes included */
	int col;             /* 1-based, in characters */
	const char *value;   /* words: the source; strings: without quotes */
	size_t value_len;
};

struct parser {
	const char *src;
	size_t len;
	size_t pos;          /* next byte to read */
	int col;             /* column of src[pos] */
	struct token tok;    /* the current token */
	eks_buf unquoted;    /* value of the current quoted token */
	int depth;
	char **params;
	size_t params_count, params_alloc;
	int error_column;
};

/* Kinds of SQL a parse function writes, for parenthesising. */
enum kind { KIND_ATOM, KIND_EXISTS, KIND_AND, KIND_OR };

static int fail(struct parser *p, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int col, const char *fmt, ...)
{
	va_list ap;

	p->error_column = col;
	va_start(ap, fmt);
	eks_error_vset(EKS_EUSAGE, fmt, ap);
	va_end(ap);
	return EKS_EUSAGE;
}

#define DESCRIBE_MAX 48

/*
 * The current token as messages show it: 'word', "quoted value" (as
 * written), or "the end of the query".  Long tokens are cut at a character
 * boundary, so a message never grows with the input.
 */
static const char *describe(const struct parser *p, char *out, size_t size)
{
	const struct token *t = &p->tok;
	size_t n = t->len;
	int cut = 0;

	if (t->type == TOK_END)
		return "the end of the query";
	if (n > DESCRIBE_MAX) {
		n = DESCRIBE_MAX;
		while (n > 0 && ((unsigned char)p->src[t->start + n] & 0xC0) == 0x80)
			n--;
		cut = 1;
	}
	if (t->type == TOK_STRING)
		snprintf(out, size, "%.*s%s", (int)n, p->src + t->start,
			 cut ? "..." : "");
	else
		snprintf(out, size, "'%.*s%s'", (int)n, p->src + t->start,
			 cut ? "..." : "");
	return out;
}

/* ", found X" or ", but the query ends there", after "expected ...". */
static const char *found(const struct parser *p, char *out, size_t size)
{
	char what[DESCRIBE_MAX + 16];

	if (p->tok.type == TOK_END)
		return ", but the query ends there";
	snprintf(out, size, ", found %s", describe(p, what, sizeof(what)));
	return out;
}

/* ---- lexer ------------------------------------------------------------ */

/* Offset of the first byte that is not well-formed UTF-8 (RFC 3629), or len. */
static size_t utf8_check(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = u[i];
		size_t n, k;
		unsigned cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
			min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
			min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++) {
			if ((u[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (u[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n + 1;
	}
	return len;
}

static int column_at(const char *s, size_t off)
{
	int col = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			col++;
	return col;
}

/* Move over n bytes, counting characters. */
static void skip(struct parser *p, size_t n)
{
	for (; n > 0 && p->pos < p->len; n--, p->pos++)
		if (((unsigned char)p->src[p->pos] & 0xC0) != 0x80)
			p->col++;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\f' || c == '\v';
}

/*
 * Length of a typographic quote at s (‘ ’ “ ” « »), which word processors
 * put where straight quotes were meant, or 0.
 */
static size_t curly_quote(const char *s, size_t avail)
{
	const unsigned char *u = (const unsigned char *)s;

	if (avail >= 2 && u[0] == 0xC2 && (u[1] == 0xAB || u[1] == 0xBB))
		return 2;
	if (avail >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
	    (u[2] == 0x98 || u[2] == 0x99 || u[2] == 0x9C || u[2] == 0x9D))
		return 3;
	return 0;
}

/* A no-break space (U+00A0) counts as a space, as it looks like one. */
static size_t space_at(const char *s, size_t avail)
{
	const unsigned char *u = (const unsigned char *)s;

	if (is_space(u[0]))
		return 1;
	if (avail >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	return 0;
}

/* Bare words: ASCII letters and digits, _ - . : / and non-ASCII letters. */
static int is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == ':' || c == '/' || c >= 0x80;
}

static int word_char_at(const struct parser *p, size_t pos)
{
	const char *s = p->src + pos;
	size_t avail = p->len - pos;

	return is_word_byte((unsigned char)*s) && !curly_quote(s, avail) &&
	       !space_at(s, avail);
}

static int lex_string(struct parser *p)
{
	char quote = p->src[p->pos];
	int open_col = p->col;

	eks_buf_clear(&p->unquoted);
	if (eks_buf_put(&p->unquoted, "", 0) < 0)
		return EKS_ENOMEM;
	skip(p, 1);
	for (;;) {
		const char *at, *end;
		size_t run;

		if (p->pos >= p->len)
			return fail(p, open_col,
				    "unterminated quoted value starting at column %d; end it with %c",
				    open_col, quote);
		at = p->src + p->pos;
		if (*at == quote) {
			if (p->pos + 1 < p->len && at[1] == quote) {
				/* a doubled quote stands for one */
				if (eks_buf_putc(&p->unquoted, quote) < 0)
					return EKS_ENOMEM;
				skip(p, 2);
				continue;
			}
			skip(p, 1);
			break;
		}
		end = memchr(at, quote, p->len - p->pos);
		run = end ? (size_t)(end - at) : p->len - p->pos;
		if (eks_buf_put(&p->unquoted, at, run) < 0)
			return EKS_ENOMEM;
		skip(p, run);
	}
	p->tok.type = TOK_STRING;
	p->tok.value = p->unquoted.ptr;
	p->tok.value_len = p->unquoted.len;
	return 0;
}

/* Read the next token into p->tok. */
static int advance(struct parser *p)
{
	struct token *t = &p->tok;
	unsigned char c;
	size_t n;

	while (p->pos < p->len && (n = space_at(p->src + p->pos, p->len - p->pos)))
		skip(p, n);
	memset(t, 0, sizeof(*t));
	t->start = p->pos;
	t->col = p->col;
	if (p->pos >= p->len) {
		t->type = TOK_END;
		return 0;
	}
	c = (unsigned char)p->src[p->pos];
	n = p->pos + 1 < p->len ? (unsigned char)p->src[p->pos + 1] : 0;
	switch (c) {
	case '(': t->type = TOK_LPAREN; skip(p, 1); break;
	case ')': t->type = TOK_RPAREN; skip(p, 1); break;
	case ',': t->type = TOK_COMMA; skip(p, 1); break;
	case '~': t->type = TOK_OP; t->op = OP_MATCH; skip(p, 1); break;
	case '=':
		if (n == '=')
			return fail(p, t->col,
				    "'==' at column %d: write a single '=' to compare",
				    t->col);
		t->type = TOK_OP;
		t->op = OP_EQ;
		skip(p, 1);
		break;
	case '!':
		if (n != '=')
			return fail(p, t->col,
				    "unexpected '!' at column %d; write != for 'is not', or put 'not' before a condition",
				    t->col);
		t->type = TOK_OP;
		t->op = OP_NE;
		skip(p, 2);
		break;
	case '<':
		if (n == '>')
			return fail(p, t->col,
				    "'<>' at column %d: write != for 'is not'", t->col);
		t->type = TOK_OP;
		t->op = n == '=' ? OP_LE : OP_LT;
		skip(p, n == '=' ? 2 : 1);
		break;
	case '>':
		t->type = TOK_OP;
		t->op = n == '=' ? OP_GE : OP_GT;
		skip(p, n == '=' ? 2 : 1);
		break;
	case '\'':
	case '"': {
		int rc = lex_string(p);
		if (rc < 0)
			return rc;
		break;
	}
	default:
		if ((n = curly_quote(p->src + p->pos, p->len - p->pos)))
			return fail(p, t->col,
				    "unexpected '%.*s' at column %d; quote values with the straight quotes ' or \"",
				    (int)n, p->src + p->pos, t->col);
		if (!is_word_byte(c)) {
			if (c < 0x20 || c == 0x7F)
				return fail(p, t->col,
					    "unexpected control character at column %d", t->col);
			return fail(p, t->col,
				    "unexpected '%c' at column %d; put values with such characters in quotes",
				    c, t->col);
		}
		t->type = TOK_WORD;
		while (p->pos < p->len && word_char_at(p, p->pos))
			skip(p, 1);
		t->value = p->src + t->start;
		t->value_len = p->pos - t->start;
		break;
	}
	t->len = p->pos - t->start;
	return 0;
}

static int is_keyword(const struct token *t, const char *keyword)
{
	size_t n = strlen(keyword);

	return t->type == TOK_WORD && t->value_len == n &&
	       !strncasecmp(t->value, keyword, n);
}

static int is_any_keyword(const struct token *t)
{
	return is_keyword(t, "and") || is_keyword(t, "or") ||
	       is_keyword(t, "not") || is_keyword(t, "in");
}

/* ---- values ----------------------------------------------------------- */

/* -?digits(.digits)? */
static int is_number(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && s[i] == '-')
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (!digits)
		return 0;
	if (i < len && s[i] == '.') {
		digits = 0;
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (!digits)
			return 0;
	}
	return i == len;
}

static int digits_at(const char *s, size_t n, int lo, int hi)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v >= lo && v <= hi;
}

/*
 * YYYY, YYYY-MM or YYYY-MM-DD; where a stored value is a time (width 20),
 * also YYYY-MM-DDTHH:MM:SSZ.
 */
static int is_date(const char *s, size_t len, size_t width)
{
	if (len != 4 && len != 7 && len != 10 && !(len == 20 && width == 20))
		return 0;
	if (!digits_at(s, 4, 0, 9999))
		return 0;
	if (len >= 7 && (s[4] != '-' || !digits_at(s + 5, 2, 1, 12)))
		return 0;
	if (len >= 10 && (s[7] != '-' || !digits_at(s + 8, 2, 1, 31)))
		return 0;
	if (len == 20 && (s[10] != 'T' || !digits_at(s + 11, 2, 0, 23) ||
			  s[13] != ':' || !digits_at(s + 14, 2, 0, 59) ||
			  s[16] != ':' || !digits_at(s + 17, 2, 0, 60) ||
			  s[19] != 'Z'))
		return 0;
	return 1;
}

static int is_listed(const char *const *values, const char *s, size_t len)
{
	for (; *values; values++)
		if (strlen(*values) == len && !memcmp(*values, s, len))
			return 1;
	return 0;
}

static int join_names(eks_buf *b, const char *const *list)
{
	int rc = 0;
	size_t i;

	for (i = 0; list[i] && rc == 0; i++)
		rc = eks_buf_printf(b, "%s%s", i ? ", " : "", list[i]);
	return rc;
}

static int bad_enum_value(struct parser *p, const struct field *f)
{
	char what[DESCRIBE_MAX + 16], word[65];
	eks_buf list = EKS_BUF_INIT, hint = EKS_BUF_INIT;
	const char *best = NULL;
	int rc;

	if (p->tok.value_len < sizeof(word)) {
		memcpy(word, p->tok.value, p->tok.value_len);
		word[p->tok.value_len] = '\0';
		best = eks_closest(word, f->values);
	}
	if (join_names(&list, f->values) < 0 ||
	    (best && eks_buf_printf(&hint, "did you mean '%s'? ", best) < 0)) {
		rc = EKS_ENOMEM;
		goto done;
	}
	rc = fail(p, p->tok.col, "%s at column %d is not %s; %s%s %s are: %s",
		  describe(p, what, sizeof(what)), p->tok.col, f->noun,
		  eks_buf_cstr(&hint), best ? "The" : "the", f->nouns,
		  eks_buf_cstr(&list));
done:
	eks_buf_dispose(&list);
	eks_buf_dispose(&hint);
	return rc;
}

/* Copy a value into the parameter list; *index is its placeholder number. */
static int add_param(struct parser *p, const char *value, size_t len, int *index)
{
	char *copy;

	if (p->params_count >= EKS_QUERY_MAX_PARAMS)
		return fail(p, p->tok.col,
			    "too many values at column %d: a query takes at most %d; split it into smaller queries",
			    p->tok.col, EKS_QUERY_MAX_PARAMS);
	if (p->params_count + 1 >= p->params_alloc) {
		size_t alloc = p->params_alloc ? p->params_alloc * 2 : 8;
		char **grown = realloc(p->params, alloc * sizeof(*grown));
		if (!grown)
			return eks_error_oom();
		p->params = grown;
		p->params_alloc = alloc;
	}
	copy = malloc(len + 1);
	if (!copy)
		return eks_error_oom();
	memcpy(copy, value, len);
	copy[len] = '\0';
	p->params[p->params_count++] = copy;
	p->params[p->params_count] = NULL;
	*index = (int)p->params_count;
	return 0;
}

/*
 * Read the value of a comparison (the current token), check that it fits
 * the field, and store it.  `after` names what came before, for messages.
 */
static int take_value(struct parser *p, const struct field *f, enum op op,
		      const char *after, int *index, size_t *len)
{
	char what[DESCRIBE_MAX + 16], tail[DESCRIBE_MAX + 32];
	const struct token *t = &p->tok;
	int rc;

	if (t->type == TOK_WORD && is_any_keyword(t))
		return fail(p, t->col,
			    "expected a value after %s at column %d, found the word %s; put it in quotes if it is the value",
			    after, t->col, describe(p, what, sizeof(what)));
	if (t->type != TOK_WORD && t->type != TOK_STRING)
		return fail(p, t->col, "expected a value after %s at column %d%s",
			    after, t->col, found(p, tail, sizeof(tail)));

	switch (f->type) {
	case FIELD_NUMBER:
		if (!is_number(t->value, t->value_len))
			return fail(p, t->col,
				    "'%s' is a number, and %s at column %d is not one; write digits, like %s > 2",
				    f->name, describe(p, what, sizeof(what)), t->col, f->name);
		break;
	case FIELD_DATE:
		if (!is_date(t->value, t->value_len, f->width))
			return fail(p, t->col,
				    "'%s' is a date, and %s at column %d is not one; write YYYY-MM-DD (like 2026-01-15), or YYYY-MM or YYYY for a whole month or year%s",
				    f->name, describe(p, what, sizeof(what)), t->col,
				    f->width == 20 ? ", or a time like 2026-01-15T10:15:00Z" : "");
		break;
	case FIELD_TEXT:
		if (f->values && op != OP_MATCH &&
		    !is_listed(f->values, t->value, t->value_len))
			return bad_enum_value(p, f);
		break;
	}
	if ((rc = add_param(p, t->value, t->value_len, index)) < 0)
		return rc;
	*len = t->value_len;
	return advance(p);
}

/* ---- SQL -------------------------------------------------------------- */

/*
 * Case folding for ~: SQLite's lower() folds only A-Z (without the ICU
 * extension), so the Norwegian capitals are folded first with replace().
 * Other non-ASCII letters match only in the same case.
 */
#define FOLD_HEAD "lower(replace(replace(replace("
#define FOLD_TAIL ", 'Æ', 'æ'), 'Ø', 'ø'), 'Å', 'å'))"

/* A date column is compared at the precision of the value: its first len bytes. */
static int put_column(eks_buf *b, const struct field *f, const char *column,
		      size_t len)
{
	if (f->type == FIELD_DATE && len < f->width)
		return eks_buf_printf(b, "substr(%s, 1, %zu)", column, len);
	return eks_buf_puts(b, column);
}

static int put_placeholder(eks_buf *b, const struct field *f, int index)
{
	/* Values are bound as text; numeric fields compare as numbers. */
	if (f->type == FIELD_NUMBER)
		return eks_buf_printf(b, "CAST(?%d AS NUMERIC)", index);
	return eks_buf_printf(b, "?%d", index);
}

static int put_compare(eks_buf *b, const struct field *f, const char *column,
		       enum op op, int index, size_t len)
{
	if (op == OP_MATCH)
		return eks_buf_printf(b, "instr(" FOLD_HEAD "%s" FOLD_TAIL ", "
				      FOLD_HEAD "?%d" FOLD_TAIL ") > 0",
				      column, index);
	if (put_column(b, f, column, len) < 0 ||
	    eks_buf_printf(b, " %s ", op_sql[op]) < 0)
		return EKS_ENOMEM;
	return put_placeholder(b, f, index);
}

/* Append `sql`, in parentheses when `wrap`. */
static int put_operand(eks_buf *out, const eks_buf *sql, int wrap)
{
	if (wrap && eks_buf_putc(out, '(') < 0)
		return EKS_ENOMEM;
	if (eks_buf_put(out, eks_buf_cstr(sql), sql->len) < 0)
		return EKS_ENOMEM;
	return wrap ? eks_buf_putc(out, ')') : 0;
}

/* A condition on one element; list fields put it inside EXISTS. */
static int put_condition(eks_buf *out, enum kind *kind, const struct field *f,
			 const eks_buf *cond, enum kind cond_kind)
{
	if (!f->from) {
		*kind = cond_kind;
		return put_operand(out, cond, 0);
	}
	*kind = KIND_EXISTS;
	if (eks_buf_printf(out, "EXISTS (SELECT 1 FROM %s WHERE %s.experiment_id = e.id AND ",
			   f->from, f->alias) < 0 ||
	    put_operand(out, cond, cond_kind == KIND_OR) < 0)
		return EKS_ENOMEM;
	return eks_buf_putc(out, ')');
}

/* ---- parser ----------------------------------------------------------- */

static int parse_expr(struct parser *p, eks_buf *out, enum kind *kind,
		      const char *after);

static const struct field *find_field(const struct token *t)
{
	size_t i;

	if (t->type != TOK_WORD)
		return NULL;
	for (i = 0; i < FIELD_COUNT; i++)
		if (strlen(fields[i].name) == t->value_len &&
		    !strncasecmp(fields[i].name, t->value, t->value_len))
			return &fields[i];
	return NULL;
}

static int unknown_field(struct parser *p)
{
	char what[DESCRIBE_MAX + 16], word[65];
	eks_buf list = EKS_BUF_INIT;
	const char *best = NULL;
	size_t i;
	int rc;

	if (p->tok.value_len < sizeof(word)) {
		for (i = 0; i < p->tok.value_len; i++) {
			char c = p->tok.value[i];
			word[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
		word[i] = '\0';
		for (i = 0; i < sizeof(field_hints) / sizeof(field_hints[0]); i++)
			if (!strcmp(word, field_hints[i].word))
				best = field_hints[i].field;
		if (!best)
			best = eks_closest(word, names);
	}
	if (join_names(&list, names) < 0) {
		rc = EKS_ENOMEM;
		goto done;
	}
	if (best)
		rc = fail(p, p->tok.col,
			  "unknown field %s at column %d; did you mean '%s'? The fields are: %s",
			  describe(p, what, sizeof(what)), p->tok.col, best,
			  list.ptr);
	else
		rc = fail(p, p->tok.col,
			  "unknown field %s at column %d; the fields are: %s",
			  describe(p, what, sizeof(what)), p->tok.col, list.ptr);
done:
	eks_buf_dispose(&list);
	return rc;
}

/* field op value */
static int parse_comparison(struct parser *p, eks_buf *out, enum kind *kind,
			    const struct field *f)
{
	eks_buf cond = EKS_BUF_INIT;
	enum op op = p->tok.op;
	int op_col = p->tok.col, index = 0, rc;
	char after[8];
	size_t len = 0, i, ncolumns = f->column[1] ? 2 : 1;

	if (op == OP_MATCH && f->type == FIELD_NUMBER)
		return fail(p, op_col,
			    "'~' cannot be used with the numeric field '%s' (column %d); compare it with =, !=, <, <=, > or >=",
			    f->name, op_col);
	if (op == OP_MATCH && f->type == FIELD_DATE)
		return fail(p, op_col,
			    "'~' cannot be used with the date field '%s' (column %d); compare it at the precision you need, like %s = 2025-03 for March 2025",
			    f->name, op_col, f->name);
	snprintf(after, sizeof(after), "'%s'", op_text[op]);
	if ((rc = advance(p)) < 0 ||
	    (rc = take_value(p, f, op, after, &index, &len)) < 0)
		goto done;
	for (i = 0; i < ncolumns; i++) {
		/* two columns: either matches; != : neither does */
		if (i && eks_buf_puts(&cond, op == OP_NE ? " AND " : " OR ") < 0)
			goto oom;
		if (put_compare(&cond, f, f->column[i], op, index, len) < 0)
			goto oom;
	}
	rc = put_condition(out, kind, f, &cond,
			   ncolumns == 1 ? KIND_ATOM :
			   op == OP_NE ? KIND_AND : KIND_OR);
	goto done;
oom:
	rc = EKS_ENOMEM;
done:
	eks_buf_dispose(&cond);
	return rc;
}

/* field in ( value {, value} ) */
static int parse_in(struct parser *p, eks_buf *out, enum kind *kind,
		    const struct field *f)
{
	eks_buf cond = EKS_BUF_INIT;
	char tail[DESCRIBE_MAX + 32];
	int *index = NULL, open_col, rc;
	size_t *len = NULL, count = 0, alloc = 0, i, j, terms;
	size_t ncolumns = f->column[1] ? 2 : 1;

	if ((rc = advance(p)) < 0)
		goto done;
	if (p->tok.type != TOK_LPAREN) {
		rc = fail(p, p->tok.col,
			  "expected '(' after 'in' at column %d%s; write the values as in (a, b, c)",
			  p->tok.col, found(p, tail, sizeof(tail)));
		goto done;
	}
	open_col = p->tok.col;
	if ((rc = advance(p)) < 0)
		goto done;
	for (;;) {
		if (count == alloc) {
			size_t n = alloc ? alloc * 2 : 8;
			int *grown_index = realloc(index, n * sizeof(*index));
			size_t *grown_len;

			if (!grown_index)
				goto oom;
			index = grown_index;
			grown_len = realloc(len, n * sizeof(*len));
			if (!grown_len)
				goto oom;
			len = grown_len;
			alloc = n;
		}
		rc = take_value(p, f, OP_EQ, count ? "','" : "'('",
				&index[count], &len[count]);
		if (rc < 0)
			goto done;
		count++;
		if (p->tok.type == TOK_COMMA) {
			if ((rc = advance(p)) < 0)
				goto done;
			continue;
		}
		if (p->tok.type == TOK_RPAREN)
			break;
		if (p->tok.type == TOK_END)
			rc = fail(p, open_col, "unclosed '(' opened at column %d; end the list with ')'",
				  open_col);
		else
			rc = fail(p, p->tok.col,
				  "expected ',' or ')' in the list at column %d%s",
				  p->tok.col, found(p, tail, sizeof(tail)));
		goto done;
	}
	if ((rc = advance(p)) < 0)
		goto done;

	/* Dates compare at each value's precision, so one = per value. */
	terms = 0;
	for (i = 0; i < ncolumns; i++) {
		if (f->type == FIELD_DATE) {
			for (j = 0; j < count; j++) {
				if ((terms++ && eks_buf_puts(&cond, " OR ") < 0) ||
				    put_compare(&cond, f, f->column[i], OP_EQ,
						index[j], len[j]) < 0)
					goto oom;
			}
			continue;
		}
		if ((terms++ && eks_buf_puts(&cond, " OR ") < 0) ||
		    eks_buf_printf(&cond, "%s IN (", f->column[i]) < 0)
			goto oom;
		for (j = 0; j < count; j++)
			if ((j && eks_buf_puts(&cond, ", ") < 0) ||
			    put_placeholder(&cond, f, index[j]) < 0)
				goto oom;
		if (eks_buf_putc(&cond, ')') < 0)
			goto oom;
	}
	rc = put_condition(out, kind, f, &cond, terms > 1 ? KIND_OR : KIND_ATOM);
	goto done;
oom:
	rc = eks_error_oom();
done:
	free(index);
	free(len);
	eks_buf_dispose(&cond);
	return rc;
}

/* A condition that starts with a field name. */
static int parse_field_condition(struct parser *p, eks_buf *out, enum kind *kind)
{
	char tail[DESCRIBE_MAX + 32];
	const struct field *f = find_field(&p->tok);
	int rc;

	if (!f)
		return unknown_field(p);
	if ((rc = advance(p)) < 0)
		return rc;
	if (p->tok.type == TOK_OP)
		return parse_comparison(p, out, kind, f);
	if (is_keyword(&p->tok, "in"))
		return parse_in(p, out, kind, f);
	if (is_keyword(&p->tok, "not"))
		return fail(p, p->tok.col,
			    "'not' at column %d belongs before the field: write not %s in (...) or not %s = ...",
			    p->tok.col, f->name, f->name);
	return fail(p, p->tok.col,
		    "expected an operator (=, !=, <, <=, >, >=, ~) or 'in' after '%s' at column %d%s",
		    f->name, p->tok.col, found(p, tail, sizeof(tail)));
}

static int expected_condition(struct parser *p, const char *after)
{
	char tail[DESCRIBE_MAX + 32];

	return fail(p, p->tok.col, "expected a condition (like status = active)%s%s at column %d%s%s",
		    after ? " after " : "", after ? after : "", p->tok.col,
		    found(p, tail, sizeof(tail)),
		    p->tok.type == TOK_STRING ? "; field names are written without quotes" : "");
}

/* term := ["not"] ( "(" expr ")" | field op value | field "in" list ) */
static int parse_term(struct parser *p, eks_buf *out, enum kind *kind,
		      const char *after)
{
	eks_buf inner = EKS_BUF_INIT;
	char tail[DESCRIBE_MAX + 32];
	enum kind inner_kind;
	int rc, open_col;

	if (++p->depth > EKS_QUERY_MAX_DEPTH) {
		rc = fail(p, p->tok.col,
			  "the query nests too deeply at column %d: at most %d levels of parentheses and 'not'",
			  p->tok.col, EKS_QUERY_MAX_DEPTH);
		goto done;
	}
	if (is_keyword(&p->tok, "not")) {
		if ((rc = advance(p)) < 0 ||
		    (rc = parse_term(p, &inner, &inner_kind, "'not'")) < 0)
			goto done;
		*kind = KIND_ATOM;
		if (inner_kind == KIND_EXISTS)
			rc = eks_buf_printf(out, "NOT %s", inner.ptr);
		else
			rc = eks_buf_printf(out, "(%s) IS NOT TRUE", inner.ptr);
	} else if (p->tok.type == TOK_LPAREN) {
		open_col = p->tok.col;
		if ((rc = advance(p)) < 0 ||
		    (rc = parse_expr(p, out, kind, "'('")) < 0)
			goto done;
		if (p->tok.type == TOK_END)
			rc = fail(p, open_col, "unclosed '(' opened at column %d; add a ')'",
				  open_col);
		else if (p->tok.type != TOK_RPAREN)
			rc = fail(p, p->tok.col,
				  "expected 'and', 'or' or ')' at column %d%s",
				  p->tok.col, found(p, tail, sizeof(tail)));
		else
			rc = advance(p);
	} else if (p->tok.type == TOK_WORD && !is_any_keyword(&p->tok)) {
		rc = parse_field_condition(p, out, kind);
	} else {
		rc = expected_condition(p, after);
	}
done:
	p->depth--;
	eks_buf_dispose(&inner);
	return rc;
}

/*
 * One level of `and` (wanted_and) or `or`.  A single operand keeps its own
 * kind and is written as is; otherwise operands that would bind wrongly
 * (an OR under AND), or read ambiguously (an AND under OR), get parentheses.
 */
static int parse_level(struct parser *p, eks_buf *out, enum kind *kind,
		       const char *after, int wanted_and)
{
	const char *keyword = wanted_and ? "and" : "or";
	eks_buf operand = EKS_BUF_INIT;
	enum kind k;
	int rc, first = 1;

	for (;;) {
		eks_buf_clear(&operand);
		rc = wanted_and ? parse_term(p, &operand, &k, after)
				: parse_level(p, &operand, &k, after, 1);
		if (rc < 0)
			goto done;
		if (first && !is_keyword(&p->tok, keyword)) {
			*kind = k;
			rc = put_operand(out, &operand, 0);
			goto done;
		}
		if (!first && eks_buf_puts(out, wanted_and ? " AND " : " OR ") < 0)
			goto oom;
		if (put_operand(out, &operand,
				k == (wanted_and ? KIND_OR : KIND_AND)) < 0)
			goto oom;
		first = 0;
		if (!is_keyword(&p->tok, keyword))
			break;
		if ((rc = advance(p)) < 0)
			goto done;
		after = wanted_and ? "'and'" : "'or'";
	}
	*kind = wanted_and ? KIND_AND : KIND_OR;
	goto done;
oom:
	rc = EKS_ENOMEM;
done:
	eks_buf_dispose(&operand);
	return rc;
}

/* expr := term { ("and" | "or") term }, "and" binding tighter */
static int parse_expr(struct parser *p, eks_buf *out, enum kind *kind,
		      const char *after)
{
	return parse_level(p, out, kind, after, 0);
}

/* ---- public ----------------------------------------------------------- */

static void free_params(char **params, size_t count)
{
	size_t i;

	if (!params)
		return;
	for (i = 0; i < count; i++)
		free(params[i]);
	free(params);
}

int eks_query_compile(eks_query **out, const char *expr, int *error_column)
{
	struct parser p;
	eks_buf sql = EKS_BUF_INIT;
	char tail[DESCRIBE_MAX + 32];
	eks_query *q = NULL;
	enum kind kind;
	size_t len, bad;
	int rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.unquoted = (eks_buf)EKS_BUF_INIT;
	if (!expr) {
		rc = fail(&p, 0, "no query given; write a condition such as status = active");
		goto done;
	}
	len = strnlen(expr, EKS_QUERY_MAX_BYTES + 1);
	if (len > EKS_QUERY_MAX_BYTES) {
		rc = fail(&p, 0, "the query is longer than %d KiB; write a shorter one",
			  EKS_QUERY_MAX_BYTES / 1024);
		goto done;
	}
	if ((bad = utf8_check(expr, len)) < len) {
		int col = column_at(expr, bad);
		rc = fail(&p, col, "the query is not valid UTF-8 at column %d", col);
		goto done;
	}
	p.src = expr;
	p.len = len;
	p.col = 1;
	if ((rc = advance(&p)) < 0)
		goto done;
	if (p.tok.type == TOK_END) {
		rc = fail(&p, 1, "the query is empty; write a condition such as status = active");
		goto done;
	}
	if ((rc = parse_expr(&p, &sql, &kind, NULL)) < 0)
		goto done;
	if (p.tok.type == TOK_RPAREN) {
		rc = fail(&p, p.tok.col, "unmatched ')' at column %d", p.tok.col);
		goto done;
	}
	if (p.tok.type != TOK_END) {
		rc = fail(&p, p.tok.col,
			  "expected 'and' or 'or' at column %d%s; join conditions with 'and' or 'or'",
			  p.tok.col, found(&p, tail, sizeof(tail)));
		goto done;
	}

	q = calloc(1, sizeof(*q));
	if (!q) {
		rc = eks_error_oom();
		goto done;
	}
	if (!p.params) {
		p.params = calloc(1, sizeof(*p.params));
		if (!p.params) {
			rc = eks_error_oom();
			goto done;
		}
	}
	q->where_sql = eks_buf_detach(&sql);
	if (!q->where_sql) {
		rc = eks_error_oom();
		goto done;
	}
	q->params = p.params;
	q->params_count = p.params_count;
	p.params = NULL;
	*out = q;
	q = NULL;
	rc = 0;
done:
	if (error_column)
		*error_column = rc == EKS_EUSAGE ? p.error_column : 0;
	free_params(p.params, p.params_count);
	eks_buf_dispose(&p.unquoted);
	eks_buf_dispose(&sql);
	eks_query_free(q);
	return rc;
}

void eks_query_free(eks_query *q)
{
	if (!q)
		return;
	free(q->where_sql);
	free_params(q->params, q->params_count);
	free(q);
}
