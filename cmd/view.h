/*
 * view.h - what the read commands (show, history) share for printing:
 * aligned tables, wrapped text, headings, JSON values, and the warning
 * about uncommitted changes (SPEC 3: read commands read committed state
 * and say so).
 */
#ifndef EKS_CMD_VIEW_H
#define EKS_CMD_VIEW_H

#include <stdio.h>
#include "cmd.h"

/* Width of UTF-8 text on a terminal, in characters (combining marks and
 * wide characters are rare in Norwegian and not treated specially). */
size_t view_width(const char *s);

/* A table of text cells printed with aligned columns. */
struct view_table {
	char **cells;           /* rows * columns, row by row; owned */
	size_t columns;
	size_t rows;
	size_t alloc;
	unsigned right;         /* bit i: right-align column i (numbers) */
};

void view_table_init(struct view_table *t, size_t columns, unsigned right);
/* Add a row of `columns` cells (NULL prints as empty).  0 or EKS_ENOMEM. */
int view_table_row(struct view_table *t, ...);
/* Print every row, `indent` spaces first, columns two spaces apart; the
 * last column is not padded. */
void view_table_print(const struct view_table *t, FILE *out, int indent);
void view_table_release(struct view_table *t);

/* Print `text` wrapped so that lines end before column `width` (the
 * indent included; a longer word gets a line of its own), every line
 * indented by `indent` spaces; newlines in the text start new lines. */
void view_wrap(FILE *out, const char *text, int indent, size_t width);

/* The same when the first line has been started already and the cursor
 * is at column `first_col`. */
void view_wrap_at(FILE *out, const char *text, size_t first_col, int indent,
		  size_t width);

/* A section heading: bold when `color`. */
void view_heading(FILE *out, int color, const char *title);

/* "Kari Nordmann" from "Kari Nordmann <kari@example>". */
void view_name_only(eks_buf *out, const char *person);

/* "2026-02-10 09:10" from "2026-02-10T09:10:00Z" (other text as is). */
void view_short_time(eks_buf *out, const char *rfc3339);

/* A number as JSON: the shortest form that reads back the same; null for
 * NaN and infinities. */
void view_json_number(eks_buf *json, double x);
/* A string or null. */
void view_json_string(eks_buf *json, const char *s);
/* ,"key": */
void view_json_key(eks_buf *json, const char *key, int first);

/* Warn on stderr about uncommitted changes to experiments/<id>/ (every
 * experiment when id is NULL), naming the commit that is shown. */
void view_warn_uncommitted(eks_repo *repo, const char *id, const char *commit);

/* Warn on stderr about `paths` (uncommitted changes) that start with
 * `prefix`: the first five by name, then how many more. */
void view_warn_paths(char *const *paths, size_t count, const char *prefix,
		     const char *commit);

/* The deviations and log rewrites of an experiment (SPEC 5), each with
 * its disclosure or the command that would make one, under the heading
 * "Deviations and log rewrites"; nothing when there are none. */
void view_print_integrity(FILE *out, const char *id, const eks_integrity *in, int color,
			  int indent);

/* ,"deviations":[...],"rewrites":[...] as show and evaluate give them:
 * {commit, path, kind, old, new, disclosure} and {commit, entry, kind
 * (changed|removed), path, old, new, disclosure}; disclosure is {entry,
 * reason} or null.  `in` may be NULL (both []).  With `commit`, only
 * those that commit made. */
void view_integrity_json(eks_buf *json, const eks_integrity *in, const char *commit);

#endif
