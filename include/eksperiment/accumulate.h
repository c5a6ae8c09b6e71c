/*
 * accumulate.h - the current observations of an experiment (SPEC 2.2).
 *
 * Observations with the same (outcome, arm, timepoint) accumulate across
 * log entries: counts add; means and standard deviations combine exactly as
 * if the units had been pooled; raw values join the pool as units of their
 * own.  An entry named by a later entry's `supersedes` no longer counts.
 * The evaluation and the index both read the log through this one function.
 */
#ifndef EKSPERIMENT_ACCUMULATE_H
#define EKSPERIMENT_ACCUMULATE_H

#include <stddef.h>
#include "log.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The accumulated data of one (outcome, arm, timepoint). */
typedef struct eks_cell {
	char *outcome;
	char *arm;
	char *timepoint;
	/* proportion observations (n and events) */
	int has_counts;
	long long n;
	long long events;
	/* mean observations (n/mean/sd and raw values), pooled */
	int has_summary;
	eks_summary summary;
	size_t values_count;       /* how many raw values went into `summary` */
	size_t observations;       /* how many observations were combined */
	const char *first_recorded_at;  /* borrowed from the log */
	const char *last_recorded_at;   /* borrowed from the log */
} eks_cell;

typedef struct eks_cells {
	eks_cell *items;
	size_t count;
	size_t alloc;
} eks_cells;

/*
 * Accumulate every counting observation of `log`.  *out is owned by the
 * caller (eks_cells_free); its recorded_at pointers borrow from `log`, which
 * must outlive it.  EKS_EINVALID when observations cannot be combined (for
 * example counts and means for the same cell), with a message naming the
 * cell; EKS_ENOMEM.
 */
int eks_log_accumulate(eks_cells **out, const eks_log *log);

/* The cell for (outcome, arm, timepoint), or NULL.  Borrowed. */
const eks_cell *eks_cells_find(const eks_cells *cells, const char *outcome,
			       const char *arm, const char *timepoint);

/* Whether entry `id` is superseded by a later entry of `log`. */
int eks_log_entry_superseded(const eks_log *log, const char *id);

void eks_cells_free(eks_cells *cells);

#ifdef __cplusplus
}
#endif
#endif
