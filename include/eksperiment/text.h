/*
 * text.h - small text helpers shared by the modules.
 */
#ifndef EKSPERIMENT_TEXT_H
#define EKSPERIMENT_TEXT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Levenshtein distance between two strings (bytes), for "did you mean". */
size_t eks_edit_distance(const char *a, const char *b);

/*
 * The candidate closest to `word`, or NULL when none is close enough to be
 * a plausible typo (distance at most a third of the word's length, at
 * least 1, and at most 3).  `candidates` ends with NULL.  Borrowed.
 */
const char *eks_closest(const char *word, const char *const *candidates);

#ifdef __cplusplus
}
#endif
#endif
