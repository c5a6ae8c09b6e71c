/*
 * disclose.h - what a disclosure covers (SPEC 5, `eksperiment disclose`).
 *
 * A deviation or a log rewrite cannot be undone, but it can be explained:
 * a `disclosure` entry names a commit, the protocol paths and the log
 * entries of that commit it covers, and the reason.  This module works
 * out, from the integrity record (integrity.h), what a new disclosure of
 * one experiment should cover; the command writes the entries.
 */
#ifndef EKSPERIMENT_DISCLOSE_H
#define EKSPERIMENT_DISCLOSE_H

#include <stddef.h>
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one disclosure entry covers: the undisclosed deviations (paths)
 * and rewrites (entry ids) of one commit. */
typedef struct eks_disclosure_item {
	char commit[EKS_COMMIT_HEX];
	char *subject;              /* the commit's first line */
	char **paths;
	size_t paths_count;
	char **entries;
	size_t entries_count;
} eks_disclosure_item;

/*
 * The disclosures to write for experiment `id` in the history of `head`
 * (hex): one item per commit with undisclosed deviations or rewrites,
 * oldest first, or only the commit `commit` (any revision; NULL: all).
 * EKS_ENOTFOUND when `commit` is no commit in the history of `head` (or
 * the experiment has no history); EKS_EREFUSED, with a message saying
 * what that commit did (or that nothing is undisclosed), when there is
 * nothing to disclose.  Free with eks_disclosure_items_free.
 */
int eks_disclosure_plan(eks_disclosure_item **out, size_t *count, eks_repo *repo,
			const char *head, const char *id, const char *commit);

void eks_disclosure_items_free(eks_disclosure_item *items, size_t count);

#ifdef __cplusplus
}
#endif
#endif
