/*
 * table.c - aligned text tables and JSON values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

void table_init(struct table *t, size_t columns)
{
	memset(t, 0, sizeof(*t));
	t->columns = columns;
}

int table_add(struct table *t, const char *const *cells)
{
	size_t i;

	if (t->rows == t->alloc) {
		size_t alloc = t->alloc ? t->alloc * 2 : 16;
		char **grown = realloc(t->cells, alloc * t->columns * sizeof(char *));
		if (!grown)
			return eks_error_oom();
		t->cells = grown;
		t->alloc = alloc;
	}
	for (i = 0; i < t->columns; i++) {
		t->cells[t->rows * t->columns + i] = strdup(cells[i] ? cells[i] : "");
		if (!t->cells[t->rows * t->columns + i])
			return eks_error_oom();
	}
	t->rows++;
	return 0;
}

/* Width in characters of UTF-8 text (each code point counts one). */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void table_print(FILE *out, const struct table *t, int indent, int color)
{
	size_t *width = calloc(t->columns ? t->columns : 1, sizeof(size_t));
	size_t r, c;

	if (!width)
		return;
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->columns; c++) {
			size_t w = text_width(t->cells[r * t->columns + c]);
			if (w > width[c])
				width[c] = w;
		}
	for (r = 0; r < t->rows; r++) {
		fprintf(out, "%*s", indent, "");
		if (r == 0 && color)
			fputs("\033[1m", out);
		for (c = 0; c < t->columns; c++) {
			const char *cell = t->cells[r * t->columns + c];
			int last = c + 1 == t->columns;
			fputs(cell, out);
			if (!last)
				fprintf(out, "%*s", (int)(width[c] - text_width(cell) + 2), "");
		}
		if (r == 0 && color)
			fputs("\033[0m", out);
		fputc('\n', out);
	}
	free(width);
}

void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->rows * t->columns; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void json_number(eks_buf *b, double x)
{
	if (!isfinite(x))
		eks_buf_puts(b, "null");
	else if (x == floor(x) && fabs(x) < 1e15)
		eks_buf_printf(b, "%.0f", x);
	else
		eks_buf_printf(b, "%.15g", x);
}

void json_key(eks_buf *b, int *first, const char *key)
{
	if (!*first)
		eks_buf_putc(b, ',');
	*first = 0;
	eks_buf_put_json_string(b, key);
	eks_buf_putc(b, ':');
}

void json_string_or_null(eks_buf *b, const char *s)
{
	if (s)
		eks_buf_put_json_string(b, s);
	else
		eks_buf_puts(b, "null");
}

const char *text_number(char *out, size_t size, double x)
{
	double a = fabs(x);

	if (!isfinite(x))
		snprintf(out, size, "-");
	else if (a != 0 && (a < 0.001 || a >= 1e6))
		snprintf(out, size, "%.3g", x);
	else
		snprintf(out, size, "%.4f", x);
	return out;
}
