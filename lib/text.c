/*
 * text.c - small text helpers: edit distance and "did you mean".
 */
#include <stdlib.h>
#include <string.h>

#include "eksperiment/text.h"

/* Levenshtein distance with one row of memory; long inputs are capped so a
 * hostile 1 MB key cannot make this quadratic in time. */
size_t eks_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row_small[65], *row = row_small, result;

	if (la > 256 || lb > 256)
		return la > lb ? la : lb;
	if (lb + 1 > sizeof(row_small) / sizeof(row_small[0])) {
		row = malloc((lb + 1) * sizeof(*row));
		if (!row)
			return la > lb ? la : lb;
	}
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diagonal = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t above = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diagonal + cost;
			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	result = row[lb];
	if (row != row_small)
		free(row);
	return result;
}

const char *eks_closest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t limit = strlen(word) / 3, best_distance;

	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	best_distance = limit + 1;
	for (; *candidates; candidates++) {
		size_t d = eks_edit_distance(word, *candidates);
		if (d < best_distance) {
			best_distance = d;
			best = *candidates;
		}
	}
	return best;
}
