/*
 * schema_internal.h - typed field readers shared by the file models
 * (protocol.c, log.c, settings.c).
 *
 * Each reader looks a key up in a mapping node, checks the YAML type and the
 * form of the value, and reports problems as diagnostics at the position of
 * the offending key or value, in plain language that says what to write
 * instead.  Readers never stop at the first problem: they report and return,
 * and the caller goes on with the next field.
 *
 * Conventions of the readers:
 *   - a missing key is reported (when EKS_REQUIRED) at the first key of the
 *     enclosing mapping, or at the mapping itself when it is empty;
 *   - a plain `null`, `~` or empty value counts as missing;
 *   - text may be plain or quoted; numbers and booleans must be plain
 *     scalars (a quoted "5" is text, and the message says so);
 *   - a key starting with "x-" is an extension and is never checked.
 */
#ifndef EKS_SCHEMA_INTERNAL_H
#define EKS_SCHEMA_INTERNAL_H

#include <stddef.h>

#include "eksperiment/buf.h"
#include "eksperiment/diag.h"
#include "eksperiment/yaml.h"

/* Flags of the readers. */
#define EKS_REQUIRED   0x1   /* a missing key (or null value) is an error */
#define EKS_MAY_EMPTY  0x2   /* with EKS_REQUIRED: the key must be there,
				but "" or null is accepted as empty text */

/* What a reader returns. */
#define EKS_FIELD_BAD    (-1)  /* present but wrong; reported */
#define EKS_FIELD_ABSENT 0     /* missing (reported when required) */
#define EKS_FIELD_OK     1     /* read into *out */

/* Longest value echoed back in a message, in bytes. */
#define EKS_SCHEMA_SHOW_MAX 60

typedef struct eks_schema {
	const char *path;
	eks_diag_list *diags;
	size_t errors;            /* errors added through this context */
	size_t warnings;
	int oom;                  /* an allocation failed */
	const char *where;        /* " in arm 'molde'", or "": for messages */
	const eks_node *last;     /* value node of the last field read */
	const eks_node *last_key; /* its key node */
} eks_schema;

void eks_schema_init(eks_schema *s, const char *path, eks_diag_list *diags);

/* Add an error or a warning at a node (line 0 when `at` is NULL). */
void eks_schema_error(eks_schema *s, const eks_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void eks_schema_warning(eks_schema *s, const eks_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void eks_schema_error_pos(eks_schema *s, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void eks_schema_warning_pos(eks_schema *s, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The value of `key` in `map` (NULL when absent or map is not a map); the
 * key node goes to *key_node when that is not NULL. */
const eks_node *eks_schema_find(const eks_node *map, const char *key,
				const eks_node **key_node);

/* Where a missing key of `map` is reported: its first key, else itself. */
const eks_node *eks_schema_anchor(const eks_node *map);

/* True for a plain null scalar (~, null, empty). */
int eks_schema_is_null(const eks_node *node);
/* True for a scalar that YAML reads as text whatever it spells: quoted,
 * block, or tagged !!str. */
int eks_schema_is_string(const eks_node *node);

/* Append how a node looks, for "found ..." ("a list", "'youth'"). */
void eks_schema_describe(eks_buf *b, const eks_node *node);

/* Report `key` missing from `map`: "missing required key 'K'<where>: write
 * 'K:' followed by EXPECT". */
void eks_schema_missing(eks_schema *s, const eks_node *map, const char *key,
			const char *expect);

/* Report a value that is not what `key` needs: "'K' must be EXPECT; found X". */
void eks_schema_bad_value(eks_schema *s, const eks_node *value,
			  const char *key, const char *expect);

/* Report every key of `map` that is not in the NULL-terminated `known` and
 * does not start with "x-", naming the closest valid key. */
void eks_schema_keys(eks_schema *s, const eks_node *map,
		     const char *const *known);

/*
 * Typed readers.  Each returns EKS_FIELD_OK, EKS_FIELD_ABSENT or
 * EKS_FIELD_BAD and sets s->last / s->last_key to the nodes read.
 * Strings given to *out are newly allocated (free them); *out is left alone
 * unless EKS_FIELD_OK.  `expect` describes a good value for messages
 * ("text", "a date written YYYY-MM-DD", "a number from 1 to 5").
 */
int eks_schema_text(eks_schema *s, const eks_node *map, const char *key,
		    unsigned flags, size_t max_chars, const char *expect,
		    char **out);
/* One of the NULL-terminated `names`; *out is the index + 1 (so it lines
 * up with enums whose 0 is UNKNOWN). */
int eks_schema_enum(eks_schema *s, const eks_node *map, const char *key,
		    unsigned flags, const char *const *names, int *out);
int eks_schema_number(eks_schema *s, const eks_node *map, const char *key,
		      unsigned flags, const char *expect, double *out);
int eks_schema_integer(eks_schema *s, const eks_node *map, const char *key,
		       unsigned flags, const char *expect, long long *out);
int eks_schema_bool(eks_schema *s, const eks_node *map, const char *key,
		    unsigned flags, int *out);
/* A list (sequence) or a mapping; NULL when absent or wrong (reported).
 * A required list must have at least one item. */
const eks_node *eks_schema_list(eks_schema *s, const eks_node *map,
				const char *key, unsigned flags,
				const char *expect);
const eks_node *eks_schema_map(eks_schema *s, const eks_node *map,
			       const char *key, unsigned flags,
			       const char *expect);

/* The same checks on a bare node (a list item); `name` is used in
 * messages ("item 3 of 'values'"). */
int eks_schema_node_text(eks_schema *s, const eks_node *node, const char *name,
			 const char *expect, char **out);
int eks_schema_node_number(eks_schema *s, const eks_node *node,
			   const char *name, const char *expect, double *out);

/* Parse the spelling of a YAML number (decimal only: no hex, inf or nan).
 * 0 on success. */
int eks_parse_number(const char *text, double *out);
int eks_parse_integer(const char *text, long long *out);

/*
 * Closest of `count` candidate words to `word` (edit distance with
 * transpositions, case-insensitive), or NULL when none is close enough to
 * be a likely typo.  NULL candidates are skipped.
 */
const char *eks_schema_closest(const char *word, const char *const *candidates,
			       size_t count);

/* Append "a, b, c" (count names; NULL names skipped). */
void eks_schema_join(eks_buf *b, const char *const *names, size_t count);

/* Number of characters (code points) of UTF-8 text. */
size_t eks_utf8_length(const char *s);
/* Bytes of `s` to show in a message: at most EKS_SCHEMA_SHOW_MAX, cut at a
 * character boundary and before any line break; *more is set when cut. */
int eks_schema_show_len(const char *s, int *more);

/* YYYY-MM-DD: 0 when valid, 1 when not in that form, 2 when the form is
 * right but the day does not exist (2025-02-30). */
int eks_date_check(const char *s);
int eks_days_in_month(int year, int month);

/* A small string -> index hash map (borrowed keys), for uniqueness and
 * look-ups over long lists without quadratic work. */
typedef struct eks_strmap {
	const char **keys;
	size_t *vals;
	size_t cap;
	size_t count;
} eks_strmap;

#define EKS_STRMAP_INIT { NULL, NULL, 0, 0 }

/* 0 when added, 1 when `key` was there already (*old gets its value when
 * not NULL), EKS_ENOMEM. */
int eks_strmap_put(eks_strmap *m, const char *key, size_t val, size_t *old);
/* 1 and *val when found, 0 when not. */
int eks_strmap_get(const eks_strmap *m, const char *key, size_t *val);
void eks_strmap_dispose(eks_strmap *m);

/* Move every diagnostic of `from` to the end of `to`; `from` is emptied.
 * Returns 0 or EKS_ENOMEM (then `from` keeps them). */
int eks_diag_move(eks_diag_list *to, eks_diag_list *from);

#endif
