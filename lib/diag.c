/*
 * diag.c - lists of diagnostics (problems with a position).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/diag.h"
#include "eksperiment/buf.h"
#include "eksperiment/error.h"

int eks_diag_add(eks_diag_list *list, eks_severity severity,
		 const char *path, int line, int col, const char *fmt, ...)
{
	eks_buf msg = EKS_BUF_INIT;
	eks_diag *d;
	va_list ap;

	if (list->count == list->alloc) {
		size_t alloc = list->alloc ? list->alloc * 2 : 8;
		eks_diag *items = realloc(list->items, alloc * sizeof(*items));
		if (!items)
			return eks_error_oom();
		list->items = items;
		list->alloc = alloc;
	}
	va_start(ap, fmt);
	eks_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (eks_buf_oom(&msg))
		return EKS_ENOMEM;

	d = &list->items[list->count];
	d->path = strdup(path ? path : "");
	d->message = eks_buf_detach(&msg);
	if (!d->path || !d->message) {
		free(d->path);
		free(d->message);
		return eks_error_oom();
	}
	d->line = line;
	d->col = col;
	d->severity = severity;
	list->count++;
	return 0;
}

static int diag_compare(const eks_diag *a, const eks_diag *b)
{
	int c = strcmp(a->path, b->path);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

/* Insertion sort: stable, and fast for short lists. */
static void diag_insertion_sort(eks_diag *items, size_t count)
{
	size_t i, j;

	for (i = 1; i < count; i++) {
		eks_diag tmp = items[i];
		for (j = i; j > 0 && diag_compare(&items[j - 1], &tmp) > 0; j--)
			items[j] = items[j - 1];
		items[j] = tmp;
	}
}

/*
 * Bottom-up merge sort, stable (an equal element is taken from the left
 * run first), so `validate` over thousands of files with many problems
 * each does not go quadratic.  Short lists, or no memory for the scratch
 * array, use insertion sort.
 */
void eks_diag_sort(eks_diag_list *list)
{
	size_t n = list->count, width, i;
	eks_diag *tmp, *src, *dst, *swap;

	if (n <= 32) {
		diag_insertion_sort(list->items, n);
		return;
	}
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp) {
		diag_insertion_sort(list->items, n);
		return;
	}
	src = list->items;
	dst = tmp;
	for (width = 1; width < n; width *= 2) {
		for (i = 0; i < n; i += 2 * width) {
			size_t mid = i + width < n ? i + width : n;
			size_t hi = i + 2 * width < n ? i + 2 * width : n;
			size_t a = i, b = mid, k = i;

			while (a < mid && b < hi)
				dst[k++] = diag_compare(&src[b], &src[a]) < 0 ?
					   src[b++] : src[a++];
			while (a < mid)
				dst[k++] = src[a++];
			while (b < hi)
				dst[k++] = src[b++];
		}
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != list->items)
		memcpy(list->items, src, n * sizeof(*tmp));
	free(tmp);
}

void eks_diag_unique(eks_diag_list *list)
{
	size_t i, kept = 0;

	for (i = 0; i < list->count; i++) {
		eks_diag *d = &list->items[i];

		if (kept > 0) {
			eks_diag *prev = &list->items[kept - 1];
			if (!diag_compare(prev, d) && prev->severity == d->severity &&
			    !strcmp(prev->message, d->message)) {
				free(d->path);
				free(d->message);
				continue;
			}
		}
		list->items[kept++] = *d;
	}
	list->count = kept;
}

size_t eks_diag_count(const eks_diag_list *list, eks_severity severity)
{
	size_t i, n = 0;

	for (i = 0; i < list->count; i++)
		if (list->items[i].severity == severity)
			n++;
	return n;
}

void eks_diag_promote_warnings(eks_diag_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		list->items[i].severity = EKS_DIAG_ERROR;
}

void eks_diag_list_clear(eks_diag_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free(list->items[i].path);
		free(list->items[i].message);
	}
	free(list->items);
	list->items = NULL;
	list->count = list->alloc = 0;
}
