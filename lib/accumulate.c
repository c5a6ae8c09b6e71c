/*
 * accumulate.c - from a trial log to the current data per (outcome, arm,
 * timepoint), SPEC 2.2.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/accumulate.h"
#include "eksperiment/error.h"

int eks_log_entry_superseded(const eks_log *log, const char *id)
{
	size_t i;

	if (!id)
		return 0;
	for (i = 0; i < log->entries_count; i++) {
		const eks_entry *e = &log->entries[i];
		if (e->supersedes && !strcmp(e->supersedes, id) && e->id && strcmp(e->id, id))
			return 1;
	}
	return 0;
}

const eks_cell *eks_cells_find(const eks_cells *cells, const char *outcome,
			       const char *arm, const char *timepoint)
{
	size_t i;

	if (!cells)
		return NULL;
	for (i = 0; i < cells->count; i++) {
		const eks_cell *c = &cells->items[i];
		if (!strcmp(c->outcome, outcome) && !strcmp(c->arm, arm) &&
		    !strcmp(c->timepoint, timepoint))
			return c;
	}
	return NULL;
}

static eks_cell *cell_for(eks_cells *cells, const eks_observation *o)
{
	eks_cell *c = (eks_cell *)eks_cells_find(cells, o->outcome, o->arm, o->timepoint);

	if (c)
		return c;
	if (cells->count == cells->alloc) {
		size_t alloc = cells->alloc ? cells->alloc * 2 : 8;
		eks_cell *items = realloc(cells->items, alloc * sizeof(*items));
		if (!items)
			return NULL;
		cells->items = items;
		cells->alloc = alloc;
	}
	c = &cells->items[cells->count];
	memset(c, 0, sizeof(*c));
	c->outcome = strdup(o->outcome);
	c->arm = strdup(o->arm);
	c->timepoint = strdup(o->timepoint);
	if (!c->outcome || !c->arm || !c->timepoint) {
		free(c->outcome);
		free(c->arm);
		free(c->timepoint);
		return NULL;
	}
	cells->count++;
	return c;
}

/* Add one observation to its cell. */
static int add_observation(eks_cell *c, const eks_observation *o)
{
	int counts = (o->fields & EKS_OBS_EVENTS) != 0;
	int measures = (o->fields & (EKS_OBS_MEAN | EKS_OBS_VALUES)) != 0;
	int rc;

	if ((counts && c->has_summary) || (measures && c->has_counts))
		return eks_error_set(EKS_EINVALID,
				     "observations of '%s' in arm '%s' at '%s' mix counts (n, events) with measurements (mean, values); they cannot be combined",
				     c->outcome, c->arm, c->timepoint);
	/* n and events are checked when read; their sums are checked here
	 * (SPEC 8.2: never wrapped).  Both are >= 0. */
	if ((o->fields & EKS_OBS_N) && o->n > LLONG_MAX - (counts ? c->n : c->summary.n))
		return eks_error_set(EKS_EINVALID,
				     "the observations of '%s' in arm '%s' at '%s' add up to more units than can be counted (n above %lld)",
				     c->outcome, c->arm, c->timepoint, LLONG_MAX);
	if (counts) {
		c->has_counts = 1;
		c->n += o->n;
		c->events += o->events;
	}
	if ((o->fields & EKS_OBS_MEAN) && (o->fields & EKS_OBS_N)) {
		eks_summary s;
		s.n = o->n;
		s.mean = o->mean;
		s.sd = (o->fields & EKS_OBS_SD) ? o->sd : 0.0;
		rc = eks_summary_add(&c->summary, &s);
		if (rc < 0)
			return rc;
		c->has_summary = 1;
	}
	if ((o->fields & EKS_OBS_VALUES) && o->values_count > 0) {
		eks_summary s;
		rc = eks_summary_from_values(&s, o->values, o->values_count);
		if (rc < 0)
			return rc;
		rc = eks_summary_add(&c->summary, &s);
		if (rc < 0)
			return rc;
		c->has_summary = 1;
		c->values_count += o->values_count;
	}
	c->observations++;
	return 0;
}

int eks_log_accumulate(eks_cells **out, const eks_log *log)
{
	eks_cells *cells;
	size_t i, j;
	int rc = 0;

	*out = NULL;
	cells = calloc(1, sizeof(*cells));
	if (!cells)
		return eks_error_oom();
	for (i = 0; i < log->entries_count && rc == 0; i++) {
		const eks_entry *e = &log->entries[i];

		if (e->kind != EKS_ENTRY_OBSERVATION || eks_log_entry_superseded(log, e->id))
			continue;
		for (j = 0; j < e->observations_count && rc == 0; j++) {
			const eks_observation *o = &e->observations[j];
			eks_cell *c;

			if (!o->outcome || !o->arm || !o->timepoint)
				continue;
			c = cell_for(cells, o);
			if (!c) {
				rc = eks_error_oom();
				break;
			}
			rc = add_observation(c, o);
			if (rc == 0) {
				if (!c->first_recorded_at)
					c->first_recorded_at = e->recorded_at;
				c->last_recorded_at = e->recorded_at;
			}
		}
	}
	if (rc < 0) {
		eks_cells_free(cells);
		return rc;
	}
	*out = cells;
	return 0;
}

void eks_cells_free(eks_cells *cells)
{
	size_t i;

	if (!cells)
		return;
	for (i = 0; i < cells->count; i++) {
		free(cells->items[i].outcome);
		free(cells->items[i].arm);
		free(cells->items[i].timepoint);
	}
	free(cells->items);
	free(cells);
}
