/*
 * table.h - aligned text tables and JSON values, the shared output of the
 * commands (one place per output kind).
 */
#ifndef EKS_TABLE_H
#define EKS_TABLE_H

#include <stdio.h>
#include "eksperiment.h"

/* A table of text cells, printed with columns aligned to their widest
 * cell (counted in characters, so 'Bærum' aligns). */
struct table {
	size_t columns;
	size_t rows;
	size_t alloc;
	char **cells;            /* rows * columns, row-major */
};

void table_init(struct table *t, size_t columns);
/* Add a row of `columns` strings (copied; NULL prints as empty). */
int table_add(struct table *t, const char *const *cells);
/* Print with two spaces between columns and `indent` spaces before each row;
 * the first row is a header in bold when `color`. */
void table_print(FILE *out, const struct table *t, int indent, int color);
void table_release(struct table *t);

/* JSON helpers that append to a buffer. */
void json_number(eks_buf *b, double x);          /* null when not finite */
void json_key(eks_buf *b, int *first, const char *key);
void json_string_or_null(eks_buf *b, const char *s);

/* Format a number for text output with `digits` significant digits. */
const char *text_number(char *out, size_t size, double x);

#endif
