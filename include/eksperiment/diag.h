/*
 * diag.h - diagnostics: problems found in a file, with their position.
 *
 * Parsing and validation collect every problem of a file in one run into an
 * eks_diag_list instead of stopping at the first.  Each diagnostic is printed
 * as `path:line:col: error: message` (gcc style).
 */
#ifndef EKSPERIMENT_DIAG_H
#define EKSPERIMENT_DIAG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EKS_DIAG_ERROR = 0,
	EKS_DIAG_WARNING = 1
} eks_severity;

typedef struct eks_diag {
	char *path;            /* file as the user named it */
	int line;              /* 1-based; 0 when the problem has no position */
	int col;               /* 1-based; 0 when unknown */
	eks_severity severity;
	char *message;         /* plain language, no trailing period needed */
} eks_diag;

typedef struct eks_diag_list {
	eks_diag *items;
	size_t count;
	size_t alloc;
} eks_diag_list;

#define EKS_DIAG_LIST_INIT { NULL, 0, 0 }

/* Add a diagnostic; copies path and message.  Returns 0 or EKS_ENOMEM. */
int eks_diag_add(eks_diag_list *list, eks_severity severity,
		 const char *path, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Stable sort by path, line, column. */
void eks_diag_sort(eks_diag_list *list);

/* Drop repeated diagnostics (same place, severity and message) from a
 * sorted list: two checks that find the same problem report it once. */
void eks_diag_unique(eks_diag_list *list);

size_t eks_diag_count(const eks_diag_list *list, eks_severity severity);

/* Turn every warning into an error (validate --strict). */
void eks_diag_promote_warnings(eks_diag_list *list);

/* Free the diagnostics; the list is empty again.  NULL is fine. */
void eks_diag_list_clear(eks_diag_list *list);

#ifdef __cplusplus
}
#endif
#endif
