/*
 * log.h - the trial log (log.yaml), in memory.
 *
 * A log is a YAML stream with one document per entry (SPEC 2.2).
 * eks_log_parse() checks every entry and, when a protocol is given, every
 * observation against it (outcome, arm and timepoint exist; the fields fit
 * the outcome's measure; 0 <= events <= n; n >= 1; sd >= 0).
 */
#ifndef EKSPERIMENT_LOG_H
#define EKSPERIMENT_LOG_H

#include <stddef.h>
#include "diag.h"
#include "yaml.h"
#include "protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EKS_ENTRY_UNKNOWN = 0,
	EKS_ENTRY_OBSERVATION, EKS_ENTRY_NOTE, EKS_ENTRY_ADJUSTMENT,
	EKS_ENTRY_STATUS, EKS_ENTRY_REGISTRATION, EKS_ENTRY_AMENDMENT,
	EKS_ENTRY_DISCLOSURE
} eks_entry_kind;

/* Which summary fields an observation carries. */
#define EKS_OBS_N      0x01
#define EKS_OBS_EVENTS 0x02
#define EKS_OBS_MEAN   0x04
#define EKS_OBS_SD     0x08
#define EKS_OBS_VALUES 0x10

/* The fields of an observation, as indexes of eks_observation.pos. */
typedef enum {
	EKS_OBS_FIELD_OUTCOME = 0, EKS_OBS_FIELD_ARM, EKS_OBS_FIELD_TIMEPOINT,
	EKS_OBS_FIELD_N, EKS_OBS_FIELD_EVENTS, EKS_OBS_FIELD_MEAN,
	EKS_OBS_FIELD_SD, EKS_OBS_FIELD_VALUES,
	EKS_OBS_FIELD_COUNT
} eks_obs_field;

/* A position in a file (1-based; 0 when unknown). */
typedef struct eks_pos {
	int line, col;
} eks_pos;

typedef struct eks_observation {
	char *outcome;
	char *arm;
	char *timepoint;
	unsigned fields;       /* EKS_OBS_* bits present */
	long long n;
	long long events;
	double mean;
	double sd;
	double *values;        /* raw values */
	size_t values_count;
	int line, col;         /* position in the log, 0 when built in memory */
	/* Where each field's value is (EKS_OBS_FIELD_*); messages about a
	 * field use it, or line/col when it is 0.  Callers building rows
	 * from flags or CSV may leave it zeroed. */
	eks_pos pos[EKS_OBS_FIELD_COUNT];
} eks_observation;

typedef struct eks_entry {
	char *id;
	eks_entry_kind kind;
	char *recorded_at;
	char *recorded_by;
	char *source;
	char *note;
	char *supersedes;
	int pre_registration;
	eks_observation *observations;
	size_t observations_count;
	/* kind: status */
	char *status_from, *status_to, *status_reason;
	/* kind: registration */
	char *protocol_sha256, *commit_parent;
	/* kind: amendment */
	char **amendment_paths;
	size_t amendment_paths_count;
	char *amendment_class;   /* major | minor */
	char *amendment_reason;
	/* kind: disclosure (SPEC 5): the commit whose deviations (protocol
	 * paths) and log rewrites (entry ids) it discloses, and why; `keep`
	 * names the commit whose content of a doubled entry counts (8.4). */
	char *disclosure_commit;
	char **disclosure_paths;
	size_t disclosure_paths_count;
	char **disclosure_entries;
	size_t disclosure_entries_count;
	char *disclosure_reason;
	char *disclosure_keep;
	int line;                /* line of the entry's first key */
	int col;                 /* and its column */
} eks_entry;

typedef struct eks_log {
	char *path;
	eks_entry *entries;
	size_t entries_count;
	size_t entries_alloc;
} eks_log;

/*
 * Check every document of `file` as a log entry and build the log.
 * `protocol` may be NULL (then observations are checked only for form).
 * Returns 0 without errors, EKS_EINVALID with; *out gets what could be read.
 */
int eks_log_parse(eks_log **out, const eks_yaml_file *file,
		  const eks_protocol *protocol, eks_diag_list *diags);

/*
 * Check one observation against the protocol; problems go to `diags` under
 * `path` at the position of the field concerned (obs->pos[], else the
 * observation's line/col), prefixed by `where` (e.g. "row 3: ") when not
 * NULL.  Checks: outcome, arm and timepoint given and (with a protocol)
 * defined, the timepoint one of the outcome's; the fields fit the
 * measure (proportion: n and events; mean: n, mean and sd, or values, not
 * both); n >= 1, 0 <= events <= n, sd >= 0, values not empty.  Without a
 * protocol only the form is checked.  Returns the number of errors added.
 */
int eks_observation_check(const eks_observation *obs,
			  const eks_protocol *protocol, const char *path,
			  const char *where, eks_diag_list *diags);

/*
 * Small-cell check (SPEC 8.3): warn about observations of a proportion
 * outcome whose events or non-events (n - events) are more than 0 but
 * fewer than `min_cell` (0 = off).  Zero counts are not flagged, following
 * the Norwegian statistics practice of suppressing small NONZERO counts.
 * Without a protocol every observation with n and events counts.  An
 * entry that another supersedes no longer counts (SPEC 2.2) and is not
 * warned about (SPEC 5).
 */
void eks_log_check_small_cells(const eks_log *log, const eks_protocol *protocol,
			       long min_cell, eks_diag_list *diags);

void eks_log_free(eks_log *log);
void eks_entry_release(eks_entry *entry);
void eks_observation_release(eks_observation *obs);

const char *eks_entry_kind_name(eks_entry_kind kind);
eks_entry_kind eks_entry_kind_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif
