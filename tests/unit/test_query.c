/*
 * test_query.c - the query language (SPEC 4.2): the exact SQL and
 * parameters of each construct, every error with its column, and the
 * answers of compiled queries run against a small SQLite database shaped
 * like the public views of SPEC 4.1.
 */
// WRAP: malloc realloc calloc
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/query.h"

/* ---- failure injection ------------------------------------------------ */

void *__real_malloc(size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_calloc(size_t nmemb, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t nmemb, size_t n);

static long alloc_calls;
static long fail_alloc_at = -1;    /* the alloc_calls value that fails */

static int alloc_fails(void)
{
	return fail_alloc_at >= 0 && alloc_calls++ == fail_alloc_at;
}

void *__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

void *__wrap_calloc(size_t nmemb, size_t n)
{
	return alloc_fails() ? NULL : __real_calloc(nmemb, n);
}

/* ---- helpers ---------------------------------------------------------- */

/* The case folding of ~ (see lib/query.c), applied to a column or a ?N. */
#define FOLD(x) "lower(replace(replace(replace(" x ", 'Æ', 'æ'), 'Ø', 'ø'), 'Å', 'å'))"
#define CONTAINS(col, param) "instr(" FOLD(col) ", " FOLD(param) ") > 0"
#define PARTNER(cond) \
	"EXISTS (SELECT 1 FROM partners p WHERE p.experiment_id = e.id AND " cond ")"
#define OUTCOME(cond) \
	"EXISTS (SELECT 1 FROM outcomes o WHERE o.experiment_id = e.id AND " cond ")"
#define VERDICT(cond) \
	"EXISTS (SELECT 1 FROM verdicts v WHERE v.experiment_id = e.id AND " cond ")"
#define NUM(n) "CAST(?" #n " AS NUMERIC)"

#define MAX_PARAMS 8

struct sql_case {
	const char *expr;
	const char *sql;
	const char *params[MAX_PARAMS];   /* NULL-terminated */
};

static const struct sql_case sql_cases[] = {
	/* plain comparisons, one per kind of field */
	{ "status = active", "e.status = ?1", { "active" } },
	{ "id = uu-molde-outreach", "e.id = ?1", { "uu-molde-outreach" } },
	{ "challenge = ungt_utenforskap", "e.challenge = ?1", { "ungt_utenforskap" } },
	{ "phase = explore", "e.phase = ?1", { "explore" } },
	{ "allocation = non_randomized", "e.allocation = ?1", { "non_randomized" } },
	{ "model = stepped_wedge", "e.model = ?1", { "stepped_wedge" } },
	{ "title = x", "e.title = ?1 OR e.title_nb = ?1", { "x" } },

	/* precedence: and binds tighter than or */
	{ "status = active or phase = test and entries > 3",
	  "e.status = ?1 OR (e.phase = ?2 AND e.n_entries > " NUM(3) ")",
	  { "active", "test", "3" } },
	{ "status = active and phase = test or entries > 3",
	  "(e.status = ?1 AND e.phase = ?2) OR e.n_entries > " NUM(3),
	  { "active", "test", "3" } },
	{ "status = draft or status = active or status = completed",
	  "e.status = ?1 OR e.status = ?2 OR e.status = ?3",
	  { "draft", "active", "completed" } },

	/* parentheses */
	{ "(status = active or phase = test) and entries > 3",
	  "(e.status = ?1 OR e.phase = ?2) AND e.n_entries > " NUM(3),
	  { "active", "test", "3" } },
	{ "((status = active))", "e.status = ?1", { "active" } },
	{ "phase = test and (status = draft or (status = active and entries = 0))",
	  "e.phase = ?1 AND (e.status = ?2 OR (e.status = ?3 AND e.n_entries = " NUM(4) "))",
	  { "test", "draft", "active", "0" } },
	{ "title = x and status = draft",
	  "(e.title = ?1 OR e.title_nb = ?1) AND e.status = ?2", { "x", "draft" } },

	/* not */
	{ "not status = active", "(e.status = ?1) IS NOT TRUE", { "active" } },
	{ "not partner = Molde",
	  "NOT " PARTNER("(p.name = ?1 OR p.kommunenummer = ?1)"), { "Molde" } },
	{ "not (status = active or phase = test)",
	  "(e.status = ?1 OR e.phase = ?2) IS NOT TRUE", { "active", "test" } },
	{ "not not status = draft",
	  "((e.status = ?1) IS NOT TRUE) IS NOT TRUE", { "draft" } },
	{ "not status = draft and phase = test",
	  "(e.status = ?1) IS NOT TRUE AND e.phase = ?2", { "draft", "test" } },
	{ "not title = x", "(e.title = ?1 OR e.title_nb = ?1) IS NOT TRUE", { "x" } },

	/* in-lists */
	{ "status in (active)", "e.status IN (?1)", { "active" } },
	{ "status in (draft, registered, active,suspended)",
	  "e.status IN (?1, ?2, ?3, ?4)",
	  { "draft", "registered", "active", "suspended" } },
	{ "partner in (Molde, 1505)",
	  PARTNER("(p.name IN (?1, ?2) OR p.kommunenummer IN (?1, ?2))"),
	  { "Molde", "1505" } },
	{ "evidence_level in (3, 4)",
	  "e.evidence_level IN (" NUM(1) ", " NUM(2) ")", { "3", "4" } },
	{ "end in (2025, 2026-01-05)",
	  "substr(e.end_date, 1, 4) = ?1 OR e.end_date = ?2", { "2025", "2026-01-05" } },
	{ "start in (2025-03-01)", "e.start_date = ?1", { "2025-03-01" } },
	{ "hypothesis.verdict in (refuted, inconclusive)",
	  VERDICT("v.verdict IN (?1, ?2)"), { "refuted", "inconclusive" } },
	{ "not status in (draft, withdrawn)",
	  "(e.status IN (?1, ?2)) IS NOT TRUE", { "draft", "withdrawn" } },

	/* every operator */
	{ "deviations = 0", "e.deviations = " NUM(1), { "0" } },
	{ "deviations != 0", "e.deviations IS NOT " NUM(1), { "0" } },
	{ "deviations < 2", "e.deviations < " NUM(1), { "2" } },
	{ "deviations <= 2", "e.deviations <= " NUM(1), { "2" } },
	{ "deviations > 2", "e.deviations > " NUM(1), { "2" } },
	{ "deviations >= 2", "e.deviations >= " NUM(1), { "2" } },
	{ "id ~ molde", CONTAINS("e.id", "?1"), { "molde" } },
	{ "title ~ Molde",
	  CONTAINS("e.title", "?1") " OR " CONTAINS("e.title_nb", "?1"), { "Molde" } },
	{ "status != draft", "e.status IS NOT ?1", { "draft" } },
	{ "title != x", "e.title IS NOT ?1 AND e.title_nb IS NOT ?1", { "x" } },
	{ "id < m", "e.id < ?1", { "m" } },
	{ "status ~ act", CONTAINS("e.status", "?1"), { "act" } },

	/* no spaces needed around operators; any white space between tokens */
	{ "status=active", "e.status = ?1", { "active" } },
	{ "entries>=3", "e.n_entries >= " NUM(1), { "3" } },
	{ "status\t=\nactive\r\n", "e.status = ?1", { "active" } },
	{ "status\xc2\xa0= active", "e.status = ?1", { "active" } },

	/* numbers */
	{ "deviations > -1", "e.deviations > " NUM(1), { "-1" } },
	{ "evidence_level < 2.5", "e.evidence_level < " NUM(1), { "2.5" } },
	{ "entries = '12'", "e.n_entries = " NUM(1), { "12" } },
	{ "id > 10", "e.id > ?1", { "10" } },      /* a text field: text order */

	/* dates, compared at the precision written */
	{ "registered >= 2025-01-01", "substr(e.registered_at, 1, 10) >= ?1", { "2025-01-01" } },
	{ "registered < 2025-06-01T12:00:00Z", "e.registered_at < ?1",
	  { "2025-06-01T12:00:00Z" } },
	{ "start = 2025-03", "substr(e.start_date, 1, 7) = ?1", { "2025-03" } },
	{ "end < 2026-01-01", "e.end_date < ?1", { "2026-01-01" } },
	{ "start != 2025", "substr(e.start_date, 1, 4) IS NOT ?1", { "2025" } },

	/* quoting styles */
	{ "title = 'Youth outreach'", "e.title = ?1 OR e.title_nb = ?1", { "Youth outreach" } },
	{ "title = \"Youth outreach\"", "e.title = ?1 OR e.title_nb = ?1", { "Youth outreach" } },
	{ "title = 'Kari''s pilot'", "e.title = ?1 OR e.title_nb = ?1", { "Kari's pilot" } },
	{ "title = \"say \"\"hi\"\"\"", "e.title = ?1 OR e.title_nb = ?1", { "say \"hi\"" } },
	{ "title = \"it's\"", "e.title = ?1 OR e.title_nb = ?1", { "it's" } },
	{ "title = 'back\\slash'", "e.title = ?1 OR e.title_nb = ?1", { "back\\slash" } },
	{ "title = ''", "e.title = ?1 OR e.title_nb = ?1", { "" } },
	{ "title = 'and'", "e.title = ?1 OR e.title_nb = ?1", { "and" } },
	{ "title='a'and status='draft'",
	  "(e.title = ?1 OR e.title_nb = ?1) AND e.status = ?2", { "a", "draft" } },

	/* UTF-8 values, bare and quoted */
	{ "partner = Bærum",
	  PARTNER("(p.name = ?1 OR p.kommunenummer = ?1)"), { "Bærum" } },
	{ "partner ~ 'Ålesund kommune'",
	  PARTNER("(" CONTAINS("p.name", "?1") " OR " CONTAINS("p.kommunenummer", "?1") ")"),
	  { "Ålesund kommune" } },
	{ "title = Ungdomsoppfølging", "e.title = ?1 OR e.title_nb = ?1",
	  { "Ungdomsoppfølging" } },

	/* list fields: any element, through EXISTS */
	{ "partner = 0301",
	  PARTNER("(p.name = ?1 OR p.kommunenummer = ?1)"), { "0301" } },
	{ "partner != Molde",
	  PARTNER("p.name IS NOT ?1 AND p.kommunenummer IS NOT ?1"), { "Molde" } },
	{ "outcome = neet", OUTCOME("(o.id = ?1 OR o.title = ?1)"), { "neet" } },
	{ "outcome.role = primary", OUTCOME("o.role = ?1"), { "primary" } },
	{ "hypothesis.verdict = supported", VERDICT("v.verdict = ?1"), { "supported" } },

	/* the examples of SPEC 4.2 */
	{ "challenge = ungt_utenforskap and partner = 1506 and status in (active, completed)",
	  "e.challenge = ?1 AND " PARTNER("(p.name = ?2 OR p.kommunenummer = ?2)")
	  " AND e.status IN (?3, ?4)",
	  { "ungt_utenforskap", "1506", "active", "completed" } },
	{ "hypothesis.verdict = supported and outcome ~ neet",
	  VERDICT("v.verdict = ?1") " AND "
	  OUTCOME("(" CONTAINS("o.id", "?2") " OR " CONTAINS("o.title", "?2") ")"),
	  { "supported", "neet" } },

	/* keywords and field names in any case */
	{ "Status = active AND NOT phase = test OR partner IN (Molde)",
	  "(e.status = ?1 AND (e.phase = ?2) IS NOT TRUE) OR "
	  PARTNER("(p.name IN (?3) OR p.kommunenummer IN (?3))"),
	  { "active", "test", "Molde" } },
	{ "OUTCOME.ROLE = primary Or Not Entries = 0",
	  OUTCOME("o.role = ?1") " OR (e.n_entries = " NUM(2) ") IS NOT TRUE",
	  { "primary", "0" } },
};

static void check_sql_case(const struct sql_case *c)
{
	eks_query *q = NULL;
	size_t n = 0, i;
	int col = -1;
	int rc = eks_query_compile(&q, c->expr, &col);

	if (rc != 0)
		fail_msg("'%s': %s", c->expr, eks_error_last()->message);
	assert_int_equal(col, 0);
	assert_non_null(q);
	if (strcmp(q->where_sql, c->sql) != 0)
		fail_msg("'%s'\n  got:      %s\n  expected: %s", c->expr,
			 q->where_sql, c->sql);
	while (n < MAX_PARAMS && c->params[n])
		n++;
	if (q->params_count != n)
		fail_msg("'%s': %zu parameters, expected %zu", c->expr,
			 q->params_count, n);
	for (i = 0; i < n; i++)
		assert_string_equal(q->params[i], c->params[i]);
	assert_null(q->params[n]);
	eks_query_free(q);
}

static void test_query_compiles_to_exact_sql(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(sql_cases) / sizeof(sql_cases[0]); i++)
		check_sql_case(&sql_cases[i]);
}

/* ---- errors ----------------------------------------------------------- */

#define FIELD_LIST "id, title, challenge, phase, status, allocation, model, " \
	"start, end, registered, partner, outcome, outcome.role, " \
	"hypothesis.verdict, deviations, entries, evidence_level"

struct error_case {
	const char *expr;
	int column;
	const char *message;   /* exact */
};

static const struct error_case error_cases[] = {
	{ "", 1, "the query is empty; write a condition such as status = active" },
	{ "  \t ", 1, "the query is empty; write a condition such as status = active" },
	{ "chalenge = ungt_utenforskap", 1,
	  "unknown field 'chalenge' at column 1; did you mean 'challenge'? The fields are: " FIELD_LIST },
	{ "status = active and xyzzy = 1", 21,
	  "unknown field 'xyzzy' at column 21; the fields are: " FIELD_LIST },
	{ "verdict = supported", 1,
	  "unknown field 'verdict' at column 1; did you mean 'hypothesis.verdict'? The fields are: " FIELD_LIST },
	{ "challenge = ", 13, "expected a value after '=' at column 13, but the query ends there" },
	{ "status in (active", 11, "unclosed '(' opened at column 11; end the list with ')'" },
	{ "(status = active", 1, "unclosed '(' opened at column 1; add a ')'" },
	{ "status = active and (phase = test or (entries > 3)", 21,
	  "unclosed '(' opened at column 21; add a ')'" },
	{ "title = \"abc", 9, "unterminated quoted value starting at column 9; end it with \"" },
	{ "title = 'it''s", 9, "unterminated quoted value starting at column 9; end it with '" },
	{ "entries ~ 3", 9,
	  "'~' cannot be used with the numeric field 'entries' (column 9); compare it with =, !=, <, <=, > or >=" },
	{ "start ~ 2025", 7,
	  "'~' cannot be used with the date field 'start' (column 7); compare it at the precision you need, like start = 2025-03 for March 2025" },
	{ "status = activ", 10,
	  "'activ' at column 10 is not a status; did you mean 'active'? The statuses are: draft, registered, active, suspended, completed, terminated, withdrawn" },
	{ "outcome.role = main", 16,
	  "'main' at column 16 is not an outcome role; the outcome roles are: primary, secondary, guardrail, other" },
	{ "status in (active, complete)", 20,
	  "'complete' at column 20 is not a status; did you mean 'completed'? The statuses are: draft, registered, active, suspended, completed, terminated, withdrawn" },
	{ "status = and", 10,
	  "expected a value after '=' at column 10, found the word 'and'; put it in quotes if it is the value" },
	{ "status active", 8,
	  "expected an operator (=, !=, <, <=, >, >=, ~) or 'in' after 'status' at column 8, found 'active'" },
	{ "status", 7,
	  "expected an operator (=, !=, <, <=, >, >=, ~) or 'in' after 'status' at column 7, but the query ends there" },
	{ "status = active)", 16, "unmatched ')' at column 16" },
	{ "status = active phase = test", 17,
	  "expected 'and' or 'or' at column 17, found 'phase'; join conditions with 'and' or 'or'" },
	{ "(status = active phase = test)", 18,
	  "expected 'and', 'or' or ')' at column 18, found 'phase'" },
	{ "status = active and", 20,
	  "expected a condition (like status = active) after 'and' at column 20, but the query ends there" },
	{ "status = active or or", 20,
	  "expected a condition (like status = active) after 'or' at column 20, found 'or'" },
	{ "and status = active", 1,
	  "expected a condition (like status = active) at column 1, found 'and'" },
	{ "not", 4,
	  "expected a condition (like status = active) after 'not' at column 4, but the query ends there" },
	{ "()", 2,
	  "expected a condition (like status = active) after '(' at column 2, found ')'" },
	{ "\"status\" = active", 1,
	  "expected a condition (like status = active) at column 1, found \"status\"; field names are written without quotes" },
	{ "status in ()", 12, "expected a value after '(' at column 12, found ')'" },
	{ "status in (active,)", 19, "expected a value after ',' at column 19, found ')'" },
	{ "status in (active,", 19, "expected a value after ',' at column 19, but the query ends there" },
	{ "status in active", 11,
	  "expected '(' after 'in' at column 11, found 'active'; write the values as in (a, b, c)" },
	{ "status in (active completed)", 19,
	  "expected ',' or ')' in the list at column 19, found 'completed'" },
	{ "status not in (draft)", 8,
	  "'not' at column 8 belongs before the field: write not status in (...) or not status = ..." },
	{ "entries > many", 11,
	  "'entries' is a number, and 'many' at column 11 is not one; write digits, like entries > 2" },
	{ "deviations = 1e3", 14,
	  "'deviations' is a number, and '1e3' at column 14 is not one; write digits, like deviations > 2" },
	{ "start < 15.01.2026", 9,
	  "'start' is a date, and '15.01.2026' at column 9 is not one; write YYYY-MM-DD (like 2026-01-15), or YYYY-MM or YYYY for a whole month or year" },
	{ "end = 2025-13-01", 7,
	  "'end' is a date, and '2025-13-01' at column 7 is not one; write YYYY-MM-DD (like 2026-01-15), or YYYY-MM or YYYY for a whole month or year" },
	{ "registered > yesterday", 14,
	  "'registered' is a date, and 'yesterday' at column 14 is not one; write YYYY-MM-DD (like 2026-01-15), or YYYY-MM or YYYY for a whole month or year, or a time like 2026-01-15T10:15:00Z" },
	{ "status == active", 8, "'==' at column 8: write a single '=' to compare" },
	{ "status <> active", 8, "'<>' at column 8: write != for 'is not'" },
	{ "status ! active", 8,
	  "unexpected '!' at column 8; write != for 'is not', or put 'not' before a condition" },
	{ "status = active; drop table experiments", 16,
	  "unexpected ';' at column 16; put values with such characters in quotes" },
	{ "status = active\x01", 16, "unexpected control character at column 16" },
	{ "title = “Ung”", 9,
	  "unexpected '“' at column 9; quote values with the straight quotes ' or \"" },
	/* columns count characters, not bytes */
	{ "partner = Bærum and chalenge = x", 21,
	  "unknown field 'chalenge' at column 21; did you mean 'challenge'? The fields are: " FIELD_LIST },
	{ "title = 'Ærlig talt' and status = åpen", 35,
	  "'åpen' at column 35 is not a status; the statuses are: draft, registered, active, suspended, completed, terminated, withdrawn" },
	{ "title = \xff", 9, "the query is not valid UTF-8 at column 9" },
	{ "title = 'a\xc3'", 11, "the query is not valid UTF-8 at column 11" },
	{ "title = \xc0\xaf", 9, "the query is not valid UTF-8 at column 9" },   /* overlong '/' */
	{ "title = \xed\xa0\x80", 9, "the query is not valid UTF-8 at column 9" }, /* surrogate */
	/* long tokens are cut in messages */
	{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij = 1", 1,
	  "unknown field 'abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh...' at column 1; the fields are: " FIELD_LIST },
};

static void test_query_errors_name_the_column(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct error_case *c = &error_cases[i];
		eks_query *q = (eks_query *)&q;   /* must be reset to NULL */
		int col = -1;
		int rc = eks_query_compile(&q, c->expr, &col);

		if (rc != EKS_EUSAGE)
			fail_msg("'%s' compiled (rc %d)", c->expr, rc);
		assert_null(q);
		assert_int_equal(eks_error_last()->code, EKS_EUSAGE);
		if (strcmp(eks_error_last()->message, c->message) != 0)
			fail_msg("'%s'\n  got:      %s\n  expected: %s", c->expr,
				 eks_error_last()->message, c->message);
		if (col != c->column)
			fail_msg("'%s': column %d, expected %d", c->expr, col, c->column);
	}
}

static void test_query_error_column_is_optional(void **state)
{
	eks_query *q = NULL;

	assert_int_equal(eks_query_compile(&q, "status =", NULL), EKS_EUSAGE);
	assert_null(q);
	assert_int_equal(eks_query_compile(&q, "status = draft", NULL), 0);
	assert_non_null(q);
	eks_query_free(q);
	assert_int_equal(eks_query_compile(&q, NULL, NULL), EKS_EUSAGE);
	assert_null(q);
}

/* ---- pathological input ----------------------------------------------- */

static char *nested(int depth, const char *open, const char *inner, const char *close)
{
	eks_buf b = EKS_BUF_INIT;
	int i;

	for (i = 0; i < depth; i++)
		eks_buf_puts(&b, open);
	eks_buf_puts(&b, inner);
	for (i = 0; close && i < depth; i++)
		eks_buf_puts(&b, close);
	assert_false(eks_buf_oom(&b));
	return eks_buf_detach(&b);
}

static void test_query_limits_nesting(void **state)
{
	eks_query *q = NULL;
	char *expr;
	int col;

	/* 99 parentheses: with the term inside, 100 levels: accepted */
	expr = nested(EKS_QUERY_MAX_DEPTH - 1, "(", "status = draft", ")");
	assert_int_equal(eks_query_compile(&q, expr, &col), 0);
	assert_string_equal(q->where_sql, "e.status = ?1");
	eks_query_free(q);
	free(expr);

	expr = nested(EKS_QUERY_MAX_DEPTH, "(", "status = draft", ")");
	assert_int_equal(eks_query_compile(&q, expr, &col), EKS_EUSAGE);
	assert_int_equal(col, EKS_QUERY_MAX_DEPTH + 1);
	assert_string_equal(eks_error_last()->message,
			    "the query nests too deeply at column 101: at most 100 levels of parentheses and 'not'");
	free(expr);

	/* the same with `not`, which nests too */
	expr = nested(EKS_QUERY_MAX_DEPTH * 10, "not ", "status = draft", NULL);
	assert_int_equal(eks_query_compile(&q, expr, &col), EKS_EUSAGE);
	assert_int_equal(col, 4 * EKS_QUERY_MAX_DEPTH + 1);
	free(expr);

	/* a deep unbalanced prefix does not overflow the stack */
	expr = nested(60000, "(", "", NULL);
	assert_int_equal(eks_query_compile(&q, expr, &col), EKS_EUSAGE);
	assert_int_equal(col, EKS_QUERY_MAX_DEPTH + 1);
	free(expr);
}

static void test_query_limits_length(void **state)
{
	size_t len = EKS_QUERY_MAX_BYTES;
	char *expr = malloc(len + 2);
	eks_query *q = NULL;
	int col = -1;

	/* exactly 64 KiB: accepted */
	assert_non_null(expr);
	memcpy(expr, "title = '", 9);
	memset(expr + 9, 'x', len - 10);
	expr[len - 1] = '\'';
	expr[len] = '\0';
	assert_int_equal(eks_query_compile(&q, expr, &col), 0);
	assert_int_equal(strlen(q->params[0]), len - 10);
	assert_null(strchr(q->where_sql, 'x'));
	eks_query_free(q);

	/* one byte more: refused, about the whole query */
	expr[len - 1] = 'x';
	expr[len] = '\'';
	expr[len + 1] = '\0';
	assert_int_equal(eks_query_compile(&q, expr, &col), EKS_EUSAGE);
	assert_null(q);
	assert_int_equal(col, 0);
	assert_string_equal(eks_error_last()->message,
			    "the query is longer than 64 KiB; write a shorter one");
	free(expr);
}

static void test_query_many_values(void **state)
{
	eks_buf b = EKS_BUF_INIT;
	eks_query *q = NULL;
	size_t i, n = 5000;
	char *expr;

	eks_buf_puts(&b, "partner in (");
	for (i = 0; i < n; i++)
		eks_buf_printf(&b, "%s%zu", i ? "," : "", i);
	eks_buf_puts(&b, ")");
	expr = eks_buf_detach(&b);
	assert_int_equal(eks_query_compile(&q, expr, NULL), 0);
	assert_int_equal(q->params_count, n);
	assert_string_equal(q->params[n - 1], "4999");
	assert_non_null(strstr(q->where_sql, "?5000)"));
	eks_query_free(q);
	free(expr);
}

static void test_query_free_accepts_null(void **state)
{
	eks_query_free(NULL);
}

static void test_query_out_of_memory(void **state)
{
	const char *expr = "title ~ 'Ærlig' and (partner in (Molde, 1505, 3201, 0301, 1507, 1506, 1504, 1503, 1502) "
		"or not status = draft) or end < 2026";
	eks_query *q;
	long n;
	int rc, col;

	for (n = 0; n < 10000; n++) {
		q = NULL;
		alloc_calls = 0;
		fail_alloc_at = n;
		rc = eks_query_compile(&q, expr, &col);
		fail_alloc_at = -1;
		if (rc == 0 && alloc_calls <= n)
			break;   /* no allocation failed: done */
		assert_int_equal(rc, EKS_ENOMEM);
		assert_null(q);
		assert_int_equal(col, 0);
		assert_int_equal(eks_error_last()->code, EKS_ENOMEM);
	}
	assert_int_equal(rc, 0);
	assert_true(n > 10);
	eks_query_free(q);
}

static void test_query_lists_the_fields(void **state)
{
	static const char *const expected[] = {
		"id", "title", "challenge", "phase", "status", "allocation",
		"model", "start", "end", "registered", "partner", "outcome",
		"outcome.role", "hypothesis.verdict", "deviations", "entries",
		"evidence_level", NULL
	};
	const char *const *fields = eks_query_fields();
	size_t i;

	for (i = 0; expected[i]; i++) {
		eks_query *q = NULL;
		char expr[64];

		assert_non_null(fields[i]);
		assert_string_equal(fields[i], expected[i]);
		/* each listed field is one the compiler knows */
		snprintf(expr, sizeof(expr), "%s ~ x", fields[i]);
		if (eks_query_compile(&q, expr, NULL) < 0)
			assert_non_null(strstr(eks_error_last()->message, "cannot be used"));
		eks_query_free(q);
	}
	assert_null(fields[i]);
}

/* ---- against a database shaped like the views ------------------------ */

/*
 * The views of SPEC 4.1, as tables.  Columns have no declared type, like
 * computed view columns, so a number compares as a number only because
 * the compiled SQL says so.
 */
static const char schema_sql[] =
	"CREATE TABLE experiments(id, title, title_nb, challenge, phase, status,"
	" allocation, model, unit, start_date, end_date, registered_at,"
	" registered_commit, evidence_level, n_entries, last_recorded_at, deviations);"
	"CREATE TABLE partners(experiment_id, name, role, kommunenummer, level);"
	"CREATE TABLE outcomes(experiment_id, id, role, title, measure, direction,"
	" unit, minimum_effect);"
	"CREATE TABLE hypotheses(experiment_id, id, outcome_id, test, estimator,"
	" method, alpha, margin, family, statement);"
	"CREATE TABLE verdicts(experiment_id, hypothesis_id, verdict, estimate,"
	" ci_low, ci_high, p_value, p_adjusted, post_hoc);";

static const char data_sql[] =
	"INSERT INTO experiments(id, title, title_nb, challenge, phase, status,"
	" allocation, model, start_date, end_date, registered_at, evidence_level,"
	" n_entries, deviations) VALUES"
	" ('uu-molde-outreach', 'Youth outreach in Molde', 'Oppsøkende ungdomsarbeid i Molde',"
	"  'ungt_utenforskap', 'test', 'active', 'non_randomized', 'parallel',"
	"  '2025-03-01', '2025-12-31', '2025-02-20T09:00:00Z', 3, 12, 0),"
	" ('uu-baerum-mentor', 'Mentoring in Bærum', NULL,"
	"  'ungt_utenforskap', 'explore', 'completed', 'randomized', 'parallel',"
	"  '2024-09-01', '2025-06-30', '2024-08-15T12:00:00Z', 4, 40, 2),"
	" ('demo-alesund-care', 'Welfare technology in Ålesund', NULL,"
	"  'demografi', NULL, 'draft', 'none', 'before_after',"
	"  NULL, NULL, NULL, NULL, 0, 0),"
	" ('uu-molde-school', 'Back to school', 'Tilbake til skolen',"
	"  'ungt_utenforskap', 'explore', 'registered', 'randomized', 'parallel',"
	"  '2026-01-10', '2026-12-31', '2025-12-01T08:00:00Z', 2, 1, 0),"
	" ('klima-oslo', 'Car-free streets', 'Bilfrie gater',"
	"  'klima_miljo', 'scale', 'active', 'none', 'single_group',"
	"  '2024-05-01', '2025-10-01', '2024-11-01T10:00:00Z', 2, 7, 1);"
	"INSERT INTO partners(experiment_id, name, role, kommunenummer) VALUES"
	" ('uu-molde-outreach', 'Molde kommune', 'lead', '1506'),"
	" ('uu-molde-outreach', 'Kristiansund kommune', 'comparison_site', '1505'),"
	" ('uu-molde-outreach', 'NAV Møre og Romsdal', 'partner', NULL),"
	" ('uu-baerum-mentor', 'Bærum kommune', 'lead', '3201'),"
	" ('demo-alesund-care', 'Ålesund kommune', 'lead', '1508'),"
	" ('uu-molde-school', 'Molde kommune', 'lead', '1506'),"
	" ('klima-oslo', 'Oslo kommune', 'lead', '0301');"
	"INSERT INTO outcomes(experiment_id, id, role, title) VALUES"
	" ('uu-molde-outreach', 'neet', 'primary', 'Share of young people NEET'),"
	" ('uu-molde-outreach', 'school', 'secondary', 'Return to school'),"
	" ('uu-baerum-mentor', 'neet', 'primary', 'NEET after 12 months'),"
	" ('demo-alesund-care', 'care_hours', 'primary', 'Home care hours'),"
	" ('uu-molde-school', 'dropout', 'primary', 'Dropout from upper secondary'),"
	" ('klima-oslo', 'co2', 'primary', 'CO2 emissions');"
	"INSERT INTO verdicts(experiment_id, hypothesis_id, verdict) VALUES"
	" ('uu-molde-outreach', 'H1', 'supported'),"
	" ('uu-molde-outreach', 'H2', 'inconclusive'),"
	" ('uu-baerum-mentor', 'H1', 'refuted'),"
	" ('uu-molde-school', 'H1', 'insufficient_data'),"
	" ('klima-oslo', 'H1', 'supported');";

static int db_setup(void **state)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, data_sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "setup: %s\n", db ? sqlite3_errmsg(db) : "no db");
		sqlite3_close(db);
		return -1;
	}
	*state = db;
	return 0;
}

static int db_teardown(void **state)
{
	sqlite3_close(*state);
	return 0;
}

/* Prepare the compiled query as the index module will. */
static sqlite3_stmt *prepare(sqlite3 *db, const eks_query *q)
{
	eks_buf sql = EKS_BUF_INIT;
	sqlite3_stmt *stmt = NULL;
	size_t i;

	eks_buf_printf(&sql, "SELECT e.id FROM experiments e WHERE %s ORDER BY e.id",
		       q->where_sql);
	if (sqlite3_prepare_v2(db, sql.ptr, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("cannot prepare %s: %s", sql.ptr, sqlite3_errmsg(db));
	assert_int_equal((size_t)sqlite3_bind_parameter_count(stmt), q->params_count);
	for (i = 0; i < q->params_count; i++)
		assert_int_equal(sqlite3_bind_text(stmt, (int)i + 1, q->params[i], -1,
						   SQLITE_TRANSIENT), SQLITE_OK);
	eks_buf_dispose(&sql);
	return stmt;
}

/* The ids matched by `expr`, joined with spaces. */
static char *matches(sqlite3 *db, const char *expr)
{
	eks_buf ids = EKS_BUF_INIT;
	sqlite3_stmt *stmt;
	eks_query *q = NULL;
	int rc;

	if (eks_query_compile(&q, expr, NULL) < 0)
		fail_msg("'%s': %s", expr, eks_error_last()->message);
	stmt = prepare(db, q);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		eks_buf_printf(&ids, "%s%s", ids.len ? " " : "",
			       (const char *)sqlite3_column_text(stmt, 0));
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(stmt);
	eks_query_free(q);
	return eks_buf_detach(&ids);
}

struct answer_case {
	const char *expr;
	const char *ids;
};

static const struct answer_case answer_cases[] = {
	/* SPEC 4.2 */
	{ "challenge = ungt_utenforskap and partner = 1506 and status in (active, completed)",
	  "uu-molde-outreach" },
	{ "hypothesis.verdict = supported and outcome ~ neet", "uu-molde-outreach" },
	/* questions a programme lead asks */
	{ "partner ~ molde and status = active", "uu-molde-outreach" },
	{ "end < 2026-01-01 and status = active", "klima-oslo uu-molde-outreach" },
	{ "hypothesis.verdict = supported", "klima-oslo uu-molde-outreach" },
	/* partner: name or kommunenummer, leading zero kept */
	{ "partner = 'Molde kommune'", "uu-molde-outreach uu-molde-school" },
	{ "partner = 0301", "klima-oslo" },
	{ "partner = 301", "" },
	{ "partner in (1505, 'Oslo kommune')", "klima-oslo uu-molde-outreach" },
	/* not: no element matches; != : some element differs */
	{ "not partner = 'Molde kommune'", "demo-alesund-care klima-oslo uu-baerum-mentor" },
	{ "partner != 'Molde kommune'",
	  "demo-alesund-care klima-oslo uu-baerum-mentor uu-molde-outreach" },
	{ "not hypothesis.verdict = supported",
	  "demo-alesund-care uu-baerum-mentor uu-molde-school" },
	{ "hypothesis.verdict in (refuted, insufficient_data)",
	  "uu-baerum-mentor uu-molde-school" },
	/* outcome: id or title, any case with ~ */
	{ "outcome = neet", "uu-baerum-mentor uu-molde-outreach" },
	{ "outcome = 'Return to school'", "uu-molde-outreach" },
	{ "outcome ~ NEET", "uu-baerum-mentor uu-molde-outreach" },
	{ "outcome.role = secondary", "uu-molde-outreach" },
	/* ~ and UTF-8: A-Z and Æ Ø Å fold, both ways */
	{ "partner ~ bærum", "uu-baerum-mentor" },
	{ "partner ~ BÆRUM", "uu-baerum-mentor" },
	{ "partner ~ Bærum", "uu-baerum-mentor" },
	{ "partner ~ ålesund", "demo-alesund-care" },
	{ "partner ~ 'MØRE OG'", "uu-molde-outreach" },
	{ "partner = 'bærum kommune'", "" },       /* = is exact */
	/* title or title_nb */
	{ "title ~ molde", "uu-molde-outreach" },
	{ "title = 'Oppsøkende ungdomsarbeid i Molde'", "uu-molde-outreach" },
	{ "title = 'Back to school'", "uu-molde-school" },
	{ "title ~ oppsøkende", "uu-molde-outreach" },
	{ "title != 'Back to school'",
	  "demo-alesund-care klima-oslo uu-baerum-mentor uu-molde-outreach" },
	/* numbers compare as numbers, though bound as text */
	{ "entries > 5", "klima-oslo uu-baerum-mentor uu-molde-outreach" },
	{ "entries > 10", "uu-baerum-mentor uu-molde-outreach" },
	{ "entries >= 40", "uu-baerum-mentor" },
	{ "entries < 7.5", "demo-alesund-care klima-oslo uu-molde-school" },
	{ "entries = 0", "demo-alesund-care" },
	{ "deviations != 0", "klima-oslo uu-baerum-mentor" },
	{ "evidence_level >= 3", "uu-baerum-mentor uu-molde-outreach" },
	{ "evidence_level in (2, 4)", "klima-oslo uu-baerum-mentor uu-molde-school" },
	/* a missing value matches nothing, and not and != include it */
	{ "not evidence_level >= 3", "demo-alesund-care klima-oslo uu-molde-school" },
	{ "phase != explore", "demo-alesund-care klima-oslo uu-molde-outreach" },
	{ "not phase = explore", "demo-alesund-care klima-oslo uu-molde-outreach" },
	{ "phase ~ e", "klima-oslo uu-baerum-mentor uu-molde-outreach uu-molde-school" },
	{ "not (phase = explore or phase = test)", "demo-alesund-care klima-oslo" },
	/* dates at the precision written; registered is a time */
	{ "registered >= 2025-01-01", "uu-molde-outreach uu-molde-school" },
	{ "registered = 2025-02-20", "uu-molde-outreach" },
	{ "registered <= 2024-08-15", "uu-baerum-mentor" },
	{ "registered < 2024-11-01T10:00:01Z", "klima-oslo uu-baerum-mentor" },
	{ "registered = 2024", "klima-oslo uu-baerum-mentor" },
	{ "start = 2025", "uu-molde-outreach" },
	{ "start <= 2024-09", "klima-oslo uu-baerum-mentor" },
	{ "end in (2025-06, 2026)", "uu-baerum-mentor uu-molde-school" },
	{ "not start < 2026", "demo-alesund-care uu-molde-school" },
	/* precedence and grouping */
	{ "status = draft or status = active and challenge = klima_miljo",
	  "demo-alesund-care klima-oslo" },
	{ "(status = draft or status = active) and challenge = klima_miljo", "klima-oslo" },
	{ "STATUS = active AnD nOt partner = 0301", "uu-molde-outreach" },
	/* the same id never comes twice, however many elements match */
	{ "partner ~ kommune or outcome ~ e",
	  "demo-alesund-care klima-oslo uu-baerum-mentor uu-molde-outreach uu-molde-school" },
};

static void test_query_answers_from_database(void **state)
{
	sqlite3 *db = *state;
	size_t i;

	for (i = 0; i < sizeof(answer_cases) / sizeof(answer_cases[0]); i++) {
		char *ids = matches(db, answer_cases[i].expr);

		if (strcmp(ids, answer_cases[i].ids) != 0)
			fail_msg("'%s'\n  got:      %s\n  expected: %s",
				 answer_cases[i].expr, ids, answer_cases[i].ids);
		free(ids);
	}
}

/* Every compiled form in the SQL table is valid SQL over the views. */
static void test_query_sql_prepares(void **state)
{
	sqlite3 *db = *state;
	size_t i;

	for (i = 0; i < sizeof(sql_cases) / sizeof(sql_cases[0]); i++) {
		eks_query *q = NULL;
		sqlite3_stmt *stmt;

		assert_int_equal(eks_query_compile(&q, sql_cases[i].expr, NULL), 0);
		stmt = prepare(db, q);
		while (sqlite3_step(stmt) == SQLITE_ROW)
			;
		sqlite3_finalize(stmt);
		eks_query_free(q);
	}
}

static void test_query_values_never_reach_sql(void **state)
{
	static const char *const attacks[] = {
		"title = \"x' OR 1=1 --\"",
		"title = 'x'' OR 1=1 --'",
		"id = \"'); DROP TABLE experiments; --\"",
		"partner ~ \"%' OR ''='\"",
		"title in ('a', \"b') OR (1=1\")",
	};
	sqlite3 *db = *state;
	size_t i;

	for (i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		eks_query *q = NULL;
		char *ids;

		assert_int_equal(eks_query_compile(&q, attacks[i], NULL), 0);
		assert_null(strstr(q->where_sql, "1=1"));
		assert_null(strstr(q->where_sql, "DROP"));
		assert_null(strstr(q->where_sql, "--"));
		assert_null(strstr(q->where_sql, "''"));
		eks_query_free(q);
		ids = matches(db, attacks[i]);
		assert_string_equal(ids, "");
		free(ids);
	}
	/* and the tables are still there */
	{
		char *ids = matches(db, "status = active");
		assert_string_equal(ids, "klima-oslo uu-molde-outreach");
		free(ids);
	}
}

/* ---- random expressions ---------------------------------------------- */

static unsigned long rng_state;

static size_t rng(size_t n)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (size_t)(rng_state >> 33) % n;
}

/* A field and a value that fits it, as the grammar allows. */
static const char *const conditions[][2] = {
	{ "status", "active" }, { "partner", "Bærum" }, { "partner", "0301" },
	{ "title", "'a''b'" }, { "entries", "3" }, { "deviations", "-1" },
	{ "start", "2025" }, { "end", "2025-12-31" },
	{ "registered", "2025-01-01T10:00:00Z" }, { "outcome", "\"NEET\"" },
	{ "outcome.role", "primary" }, { "hypothesis.verdict", "supported" },
	{ "evidence_level", "2.5" }, { "id", "x" },
};
static const char *const ops[] = { "=", "!=", "<", "<=", ">", ">=", "~" };
static const char *const noise[] = {
	"(", ")", ",", "and", "or", "not", "in", "=", "~", "'", "\"", ";",
	"==", "chalenge", "activ", "Æ", "",
};

static void random_expr(eks_buf *b, int depth);

static void random_term(eks_buf *b, int depth)
{
	size_t c = rng(sizeof(conditions) / sizeof(conditions[0])), i, n;

	if (rng(5) == 0)
		eks_buf_puts(b, "not ");
	if (depth < 4 && rng(4) == 0) {
		eks_buf_puts(b, "(");
		random_expr(b, depth + 1);
		eks_buf_puts(b, ")");
		return;
	}
	eks_buf_puts(b, conditions[c][0]);
	if (rng(4) == 0) {
		eks_buf_puts(b, " in (");
		for (i = 0, n = 1 + rng(3); i < n; i++)
			eks_buf_printf(b, "%s%s", i ? ", " : "", conditions[c][1]);
		eks_buf_puts(b, ")");
		return;
	}
	eks_buf_printf(b, " %s %s", ops[rng(sizeof(ops) / sizeof(ops[0]))],
		       conditions[c][1]);
}

static void random_expr(eks_buf *b, int depth)
{
	size_t i, n = 1 + rng(4);

	for (i = 0; i < n; i++) {
		if (i)
			eks_buf_puts(b, rng(2) ? " and " : " or ");
		random_term(b, depth);
	}
}

/*
 * Random expressions from the grammar, half of them damaged by a random
 * token (fixed seed): the compiler never crashes, an error always has a
 * column inside the expression, and whatever it accepts is valid SQL with
 * one bound parameter per placeholder.
 */
static void test_query_random_expressions(void **state)
{
	sqlite3 *db = *state;
	size_t accepted = 0, refused = 0, i, k;

	rng_state = 20260115;
	for (i = 0; i < 5000; i++) {
		eks_buf b = EKS_BUF_INIT;
		eks_query *q = NULL;
		size_t chars = 0;
		char *expr;
		int col = -1;

		random_expr(&b, 0);
		if (rng(2)) {
			/* insert a noise token at a random byte (maybe mid-character) */
			size_t at = rng(b.len + 1);
			eks_buf damaged = EKS_BUF_INIT;

			eks_buf_put(&damaged, b.ptr, at);
			eks_buf_puts(&damaged, noise[rng(sizeof(noise) / sizeof(noise[0]))]);
			eks_buf_puts(&damaged, b.ptr + at);
			eks_buf_dispose(&b);
			b = damaged;
		}
		expr = b.ptr;
		for (k = 0; k < b.len; k++)
			if (((unsigned char)expr[k] & 0xC0) != 0x80)
				chars++;
		if (eks_query_compile(&q, expr, &col) == 0) {
			sqlite3_stmt *stmt = prepare(db, q);
			while (sqlite3_step(stmt) == SQLITE_ROW)
				;
			sqlite3_finalize(stmt);
			accepted++;
		} else {
			assert_int_equal(eks_error_last()->code, EKS_EUSAGE);
			if (col < 1 || (size_t)col > chars + 1)
				fail_msg("'%s': column %d", expr, col);
			refused++;
		}
		eks_query_free(q);
		eks_buf_dispose(&b);
	}
	assert_true(accepted > 500);
	assert_true(refused > 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_compiles_to_exact_sql),
		cmocka_unit_test(test_query_errors_name_the_column),
		cmocka_unit_test(test_query_error_column_is_optional),
		cmocka_unit_test(test_query_limits_nesting),
		cmocka_unit_test(test_query_limits_length),
		cmocka_unit_test(test_query_many_values),
		cmocka_unit_test(test_query_free_accepts_null),
		cmocka_unit_test(test_query_out_of_memory),
		cmocka_unit_test(test_query_lists_the_fields),
		cmocka_unit_test_setup_teardown(test_query_answers_from_database,
						db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_query_sql_prepares,
						db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_query_values_never_reach_sql,
						db_setup, db_teardown),
		cmocka_unit_test_setup_teardown(test_query_random_expressions,
						db_setup, db_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
