/*
 * integrity.h - what happened to a protocol after it was registered
 * (SPEC 5): its registration, the amendments and the deviations, and the
 * hypotheses changed after their outcome was first observed (post hoc).
 *
 * Worked out from the history of experiments/<id>/, oldest commit first:
 *   - the first commit that adds a `registration` entry registers the
 *     protocol as it is in that commit;
 *   - every later commit that changes a frozen field is compared with its
 *     parent field by field (diff.h); the changes named by an `amendment`
 *     entry that the same commit adds are amendments, the others are
 *     deviations;
 *   - a change under hypotheses[H] or under the outcome of H, in a commit
 *     after the one that first logged an observation of that outcome,
 *     makes H post hoc, amended or not;
 *   - every commit that changes or removes a log entry that an earlier
 *     commit had committed (anything but appending, compared by entry id
 *     and content, never by position) is a log rewrite, registered or
 *     not; a merge rewrites only what is in none of its parents, so the
 *     union of two branches' entries is no rewrite;
 *   - a `disclosure` entry in the log of `rev` discloses the deviations
 *     of its commit whose paths it names (or covers, as amendments do)
 *     and the rewrites of the entries it names;
 *   - the multiplicity family is the registered protocol's confirmatory
 *     superiority hypotheses; an amended change of hypotheses[H] moves H
 *     in or out of it as the new protocol says, a deviation does not.
 * Changes made in the same commit as the registration (or as the first
 * observation) are part of it, not after it.
 */
#ifndef EKSPERIMENT_INTEGRITY_H
#define EKSPERIMENT_INTEGRITY_H

#include <stddef.h>
#include "diff.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eks_deviation {
	char commit[EKS_COMMIT_HEX];
	char *subject;             /* the commit's first line */
	char *path;                /* hypotheses[H2].margin */
	eks_diff_kind kind;
	char *old_value;           /* NULL when added */
	char *new_value;           /* NULL when removed */
	eks_diff_class amend_class;
	int line, col;             /* in that commit's experiment.yaml */
	char *disclosure_entry;    /* the disclosure's entry id; NULL: none */
	char *disclosure_reason;
} eks_deviation;

/*
 * One change of a log entry after it was committed (a log rewrite).  A
 * changed entry gives one record per changed field (path inside the
 * entry, diff.h's eks_entry_diff); a removed one gives one record with
 * path NULL and old_value its one-line summary.
 */
typedef struct eks_rewrite {
	char commit[EKS_COMMIT_HEX];
	char *subject;             /* the commit's first line */
	char *entry_id;
	int removed;               /* 1: the entry was removed */
	char *path;                /* observations[neet/molde/t1].n; NULL */
	char *old_value;           /* NULL when the field was added */
	char *new_value;           /* NULL when removed */
	int line, col;             /* the entry in that commit's log.yaml
	                              (the parent's when removed) */
	char *disclosure_entry;    /* the disclosure's entry id; NULL: none */
	char *disclosure_reason;
} eks_rewrite;

typedef struct eks_amendment_record {
	char commit[EKS_COMMIT_HEX];
	char *path;                /* a frozen path the amendment covered */
	eks_diff_class amend_class;
} eks_amendment_record;

/* A hypothesis joining or leaving the multiplicity family through an
 * amendment (SPEC 6.4). */
typedef struct eks_family_change {
	char commit[EKS_COMMIT_HEX];
	char *hypothesis;
	int added;                 /* 1: joined the family; 0: left it */
} eks_family_change;

typedef struct eks_integrity {
	char *id;
	int registered;
	char registration_commit[EKS_COMMIT_HEX];
	char *registered_at;       /* recorded_at of the registration entry */
	char *protocol_sha256;     /* as recorded in the registration entry */
	eks_deviation *deviations;
	size_t deviations_count;
	eks_rewrite *rewrites;     /* oldest commit first */
	size_t rewrites_count;
	/* The outcomes whose data in the log of `rev` come from a rewritten
	 * entry that still counts (not superseded), or that lost the data of
	 * a removed entry; sorted, for eks_integrity_is_rewritten. */
	char **rewritten_outcomes;
	size_t rewritten_outcomes_count;
	eks_amendment_record *amendments;
	size_t amendments_count;
	char **post_hoc;           /* hypothesis ids */
	size_t post_hoc_count;
	/* When registered: the hypotheses registered as confirmatory
	 * superiority (the multiplicity family, SPEC 6.4), as amendments
	 * changed it since; a deviation does not change it. */
	char **family;
	size_t family_count;
	eks_family_change *family_changes;   /* oldest first */
	size_t family_changes_count;
} eks_integrity;

/*
 * Work out the integrity record of experiment `id` in the history of
 * `rev` (NULL: HEAD).  *out is owned by the caller.  EKS_ENOTFOUND when
 * the history never had the experiment.
 */
int eks_integrity_load(eks_integrity **out, eks_repo *repo, const char *rev,
		       const char *id);

/*
 * The experiments whose experiment.yaml was changed (not only created) by
 * some commit in the history of `rev` (NULL: HEAD), or whose log.yaml was
 * changed otherwise than by appending whole documents: only they can have
 * deviations, log rewrites or post-hoc changes.  One walk of the history
 * comparing trees (and, where a log changed, its bytes before and after;
 * nothing is parsed), so callers that look at many experiments call
 * eks_integrity_load for these alone.
 *
 * The answer is kept in .git/eksperiment/candidates with the commit it
 * holds for; the next call for a descendant of that commit walks only
 * the commits since (a branch switch or a reset walks all again).
 * Sorted; free with eks_strings_free.
 */
int eks_integrity_candidates(char ***ids, size_t *count, eks_repo *repo,
			     const char *rev);

/* Whether `id` is in a sorted list from eks_integrity_candidates. */
int eks_integrity_is_candidate(char *const *ids, size_t count, const char *id);

/*
 * Whether the log blob `new_blob` (hex) is the blob `old_blob` with whole
 * YAML documents appended, so no entry can have changed (1), or not (0;
 * also when a blob cannot be read).  What eks_integrity_candidates
 * decides for each commit that changed a log.
 */
int eks_integrity_log_appended(eks_repo *repo, const char *old_blob,
			       const char *new_blob);

int eks_integrity_is_post_hoc(const eks_integrity *integrity, const char *hypothesis);

/* Whether data of `outcome` come from a rewritten entry (see above). */
int eks_integrity_is_rewritten(const eks_integrity *integrity, const char *outcome);

/* How many deviations and rewrites no disclosure covers. */
size_t eks_integrity_undisclosed(const eks_integrity *integrity);

void eks_integrity_free(eks_integrity *integrity);

#ifdef __cplusplus
}
#endif
#endif
