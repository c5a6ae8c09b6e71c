/*
 * diff.h - field-level differences between two versions of a protocol,
 * and between two versions of a trial log (SPEC 5, `diff`, `validate`,
 * `history`).
 *
 * Pure functions over parsed YAML trees: no git, no files.  The caller
 * reads the two versions (e.g. a commit and its parent) and formats the
 * result.
 *
 * PROTOCOL DIFF
 *
 * Both versions are first normalised as for the canonical JSON
 * (canonical.h, rules 3 to 6): scalars are compared by their JSON value
 * (0.05 equals 5e-2; 1506 differs from "1506"), a null entry counts as
 * absent, and the documented defaults are filled in, so writing
 * `test: superiority` explicitly is no change.  Comments, layout, quoting
 * that does not change the value, and the order of keys do not count.
 *
 * Paths:
 *   title, status                  a top-level field
 *   design.model, dates.end        a field of a mapping, joined with '.'
 *   hypotheses[H1]                 an element of a list of mappings, named
 *                                  by its `id` (`name` for partners):
 *                                  interventions, arms, timepoints,
 *                                  outcomes, hypotheses, partners
 *   hypotheses[H1].compare.against a field inside such an element
 *   outcomes[neet].timepoints      any other list (lists of ids, sites,
 *                                  ...) is compared as one value
 * An element added to or removed from a list of mappings is one change at
 * its path (`hypotheses[H4]`).  A list of mappings whose elements do not
 * all have a distinct, non-empty id (an invalid file) is compared as one
 * value.  Ids are written into paths as they are, without escaping.
 *
 * Value texts: a scalar as written (a filled-in default as its documented
 * spelling), except that a string that would read as a number, boolean
 * or null without quotes, and the empty string, are shown in JSON quotes
 * ("1506", ""); a list or mapping as its compact canonical JSON.
 *
 * x-* fields are reported like any other field but are never frozen;
 * inside a value compared as a whole (a list, an added element) they are
 * left out, as in the canonical JSON.
 *
 * Frozen fields and the class of change (SPEC 2.1, column "frozen"):
 *   id, title                                  frozen, minor
 *   design, existing_data, interventions, arms,
 *   timepoints, outcomes, hypotheses, analysis frozen, major
 *   schema, status, title_nb, summary, challenge,
 *   phase, evidence_level, dates, partners,
 *   x-* (at any depth), any unknown key        not frozen
 *
 * Order: changes follow the new version's order (fields, then list
 * elements), with what was removed after what is still there at each
 * level.
 */
#ifndef EKSPERIMENT_DIFF_H
#define EKSPERIMENT_DIFF_H

#include <stddef.h>
#include "diag.h"
#include "yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EKS_DIFF_ADDED = 1,
	EKS_DIFF_REMOVED,
	EKS_DIFF_CHANGED
} eks_diff_kind;

typedef enum {
	EKS_DIFF_CLASS_NONE = 0,   /* not a frozen field */
	EKS_DIFF_CLASS_MINOR,
	EKS_DIFF_CLASS_MAJOR
} eks_diff_class;

typedef struct eks_field_change {
	char *path;                /* hypotheses[H1].margin */
	eks_diff_kind kind;
	char *old_value;           /* NULL when added */
	char *new_value;           /* NULL when removed */
	int old_default;           /* the old value is a filled-in default */
	int new_default;           /* the new value is a filled-in default */
	int frozen;                /* 1 for a frozen field */
	eks_diff_class amend_class; /* the class an amendment needs */
	int amended;               /* set by eks_diff_mark_amended */
	int line, col;             /* in the new version; in the old one
	                              when removed; 0 when unknown */
} eks_field_change;

typedef struct eks_diff {
	eks_field_change *changes;
	size_t count;
	size_t alloc;
} eks_diff;

/*
 * The changes from `old_root` to `new_root`, the document nodes of two
 * versions of experiment.yaml.  Either may be NULL (no file): every field
 * of the other then counts as added or removed, and no defaults are filled
 * in for the missing side.  A root that is not a mapping counts as empty.
 * Works on invalid files too (.inf, duplicate ids, wrong types).
 * *out is owned by the caller (eks_diff_free).  EKS_ENOMEM.
 */
int eks_protocol_diff(eks_diff **out, const eks_node *old_root,
		      const eks_node *new_root);

/*
 * The changes inside one log entry, from `old_entry` to `new_entry` (two
 * versions of the same entry, e.g. before and after a log rewrite): paths
 * as above from the entry's top (`note`, `observations[neet/molde/t1].n`;
 * observations are named by outcome/arm/timepoint when every one of a
 * list has a distinct label, else the list is one value).  Scalars are
 * compared by their JSON value, no defaults are filled in, x-* fields
 * count, and nothing is frozen.  Either side may be NULL.
 */
int eks_entry_diff(eks_diff **out, const eks_node *old_entry,
		   const eks_node *new_entry);

void eks_diff_free(eks_diff *diff);

/* The number of changes of frozen fields. */
size_t eks_diff_frozen_count(const eks_diff *diff);

/*
 * Whether a path named in an amendment covers a changed path: when the two
 * are equal, or `named` is a prefix of `path` that ends where a path
 * segment ends, i.e. `path` continues with '.' or '['.  So `hypotheses`
 * and `hypotheses[H1]` cover `hypotheses[H1].margin`; `hypotheses[H1`,
 * `hyp` and `hypotheses[H1].m` do not, nor does `hypotheses[H1]` cover
 * `hypotheses[H10]`.
 */
int eks_diff_path_covers(const char *named, const char *path);

/*
 * Apply an amendment entry's `paths[]`: mark every frozen change that one
 * of the `count` paths covers as amended.  Call it once for each
 * amendment entry the same commit appended.  Returns the number of frozen
 * changes still not amended: each of those makes the commit a deviation
 * (SPEC 5); they are the changes with frozen && !amended.
 */
size_t eks_diff_mark_amended(eks_diff *diff, const char *const *paths,
			     size_t count);

/* "added", "removed", "changed"; "minor", "major", "" for NONE. */
const char *eks_diff_kind_name(eks_diff_kind kind);
const char *eks_diff_class_name(eks_diff_class amend_class);

/*
 * LOG DIFF
 *
 * The entries of log.yaml are matched by their `id`.  An entry only in the
 * new log was added; one only in the old log was removed; one in both
 * whose data differs was changed.  The log is append-only, so removed and
 * changed entries mean history was rewritten.  Entries are compared by
 * their canonical JSON (canonical.h rules 3 to 7, x-* included, no
 * defaults), so reformatting alone (flow or block style, quoting, key
 * order, comments) is no change.  The order of entries does not count
 * (merge=union may interleave the entries of two branches).  An entry
 * without an id is matched by its whole content (`id` NULL in the result);
 * an id that occurs more than once is matched occurrence by occurrence.
 * Empty documents are skipped.
 */
typedef struct eks_log_change {
	eks_diff_kind kind;
	char *id;                  /* the entry's id; NULL when it has none */
	size_t document;           /* index in the new file's documents
	                              (the old file's when removed) */
	int line, col;             /* where the entry starts, in that file */
} eks_log_change;

typedef struct eks_log_delta {
	eks_log_change *changes;   /* new entries in file order (added or
	                              changed), then removed ones */
	size_t count;
	size_t alloc;
	size_t added, changed, removed;
} eks_log_delta;

/*
 * Compare two parsed logs; either may be NULL (no file).  *out is owned by
 * the caller (eks_log_delta_free).  EKS_ENOMEM.
 */
int eks_log_diff(eks_log_delta **out, const eks_yaml_file *old_file,
		 const eks_yaml_file *new_file);

/*
 * The same from the bytes of the two files (NULL data: no file).  A file
 * that is not valid YAML gives EKS_EINVALID with diagnostics in `diags`
 * (paths "old log.yaml" and "new log.yaml").
 */
int eks_log_diff_bytes(eks_log_delta **out, const char *old_data,
		       size_t old_len, const char *new_data, size_t new_len,
		       eks_diag_list *diags);

void eks_log_delta_free(eks_log_delta *delta);

#ifdef __cplusplus
}
#endif
#endif
