/*
 * query.h - the query language of `eksperiment query` (SPEC 4.2), compiled
 * to an SQL condition with bound parameters.
 *
 *   eks_query *q;
 *   int column;
 *   if (eks_query_compile(&q, "status = active and partner = Molde", &column) < 0)
 *           ... eks_error_last()->message, and the 1-based column ...
 *   SELECT e.id FROM experiments e WHERE <q->where_sql> ORDER BY e.id
 *   ... bind q->params[i] as text to parameter i + 1 ...
 *   eks_query_free(q);
 *
 * This module only writes SQL text: it never opens a database.  The SQL
 * refers to the public views of SPEC 4.1 (experiments e, partners p,
 * outcomes o, verdicts v).  Values from the user never appear in the SQL
 * text, only numbered placeholders ?1, ?2, ... in the order the values
 * appear in the expression; a placeholder may be used more than once (a
 * partner is matched by name or by kommunenummer with the same ?N).
 *
 * The language, in short (doc/eksperiment-query.txt has the whole story):
 *
 *   expr  := term { ("and" | "or") term }       "and" binds tighter
 *   term  := ["not"] ( "(" expr ")" | field op value
 *                    | field "in" "(" value {"," value} ")" )
 *   op    := = != < <= > >= ~                   ~ : contains, any case
 *
 * - Keywords (and, or, not, in) and field names are case-insensitive.
 * - Values are bare words (letters, digits, _ - . : / and any non-ASCII
 *   letter: Bærum, 2025-01-01, ungt_utenforskap, 1506) or quoted with ' or
 *   ".  Inside quotes, the quote character is written twice: 'Kari''s'.
 *   Backslashes are ordinary characters.
 * - title matches the English title or the Norwegian title_nb; partner a
 *   partner's name or kommunenummer; outcome an outcome's id or title.
 * - Fields over a list (partner, outcome, outcome.role, hypothesis.verdict)
 *   are true when ANY element matches; `not` negates the whole condition,
 *   so `not partner = Molde` means "no partner is Molde".
 * - A missing value (no phase, no start date) matches no comparison, and
 *   `not` and != are exact opposites of the positive forms: `phase != test`
 *   includes the experiments without a phase.
 * - ~ folds A-Z and Æ Ø Å to lower case on both sides; other letters (é,
 *   ü, ...) match only in the same case (SQLite's lower() is ASCII-only).
 * - deviations, entries and evidence_level compare as numbers, and ~ is
 *   refused for them.  start, end and registered are dates, compared at the
 *   precision written: `start = 2025` is any day of 2025, `registered >=
 *   2025-01-01` compares the date part of the registration time.
 * - Values of enumerated fields (challenge, phase, status, allocation,
 *   model, outcome.role, hypothesis.verdict) are checked: `status = activ`
 *   is an error that suggests 'active' rather than an empty answer.
 */
#ifndef EKSPERIMENT_QUERY_H
#define EKSPERIMENT_QUERY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest expression accepted, in bytes. */
#define EKS_QUERY_MAX_BYTES (64 * 1024)
/* Deepest nesting of parentheses (and of `not`s) accepted. */
#define EKS_QUERY_MAX_DEPTH 100
/* Most values in one expression (SQLite's default SQLITE_MAX_VARIABLE_NUMBER). */
#define EKS_QUERY_MAX_PARAMS 32766

typedef struct eks_query {
	/*
	 * One SQL expression over `experiments e`, for
	 * `SELECT e.id FROM experiments e WHERE <where_sql> ORDER BY e.id`.
	 * It may contain a top-level OR: put it in parentheses before joining
	 * it with other conditions.
	 */
	char *where_sql;
	/*
	 * The values, as the user wrote them (quotes removed), NULL-terminated.
	 * params[i] is placeholder ?(i + 1); bind every one as text.  Other
	 * parameters of a larger statement are numbered from params_count + 1.
	 */
	char **params;
	size_t params_count;
} eks_query;

/*
 * Compile `expr` into *out (free it with eks_query_free()).
 * Returns 0, EKS_EUSAGE when the expression has a problem (a syntax error,
 * an unknown field, a value that does not fit its field; the message says
 * what to write instead), or EKS_ENOMEM.  On EKS_EUSAGE, *error_column
 * (when not NULL) is set to the 1-based column, in characters, of the
 * offending token, or to 0 when the problem is the whole expression (too
 * long); it is set to 0 on success.
 */
int eks_query_compile(eks_query **out, const char *expr, int *error_column);

/* Free a compiled query.  NULL is fine. */
void eks_query_free(eks_query *q);

/*
 * The field names of the language, in the order of SPEC 4.2, ending with
 * NULL.  Static; never freed.
 */
const char *const *eks_query_fields(void);

#ifdef __cplusplus
}
#endif
#endif
