/*
 * disclose.c - what a new disclosure covers (disclose.h).
 */
#include <stdlib.h>
#include <string.h>

#include "eksperiment/buf.h"
#include "eksperiment/disclose.h"
#include "eksperiment/error.h"
#include "eksperiment/history.h"
#include "eksperiment/integrity.h"
#include "store_internal.h"

#include <git2.h>

void eks_disclosure_items_free(eks_disclosure_item *items, size_t count)
{
	size_t i;

	for (i = 0; items && i < count; i++) {
		free(items[i].subject);
		eks_strings_free(items[i].paths, items[i].paths_count);
		eks_strings_free(items[i].entries, items[i].entries_count);
	}
	free(items);
}

static int push(char ***list, size_t *count, const char *s)
{
	char **grown;
	size_t i;

	for (i = 0; i < *count; i++)
		if (!strcmp((*list)[i], s))
			return 0;
	if (!(grown = realloc(*list, (*count + 1) * sizeof(*grown))))
		return eks_error_oom();
	*list = grown;
	if (!(grown[*count] = strdup(s)))
		return eks_error_oom();
	(*count)++;
	return 0;
}

/* The item of commit `commit` in `items`, added when missing. */
static eks_disclosure_item *item_for(eks_disclosure_item **items, size_t *count,
				     const char *commit, const char *subject)
{
	eks_disclosure_item *grown, *it;
	size_t i;

	for (i = 0; i < *count; i++)
		if (!strcmp((*items)[i].commit, commit))
			return &(*items)[i];
	if (!(grown = realloc(*items, (*count + 1) * sizeof(*grown))))
		return NULL;
	*items = grown;
	it = &grown[(*count)++];
	memset(it, 0, sizeof(*it));
	memcpy(it->commit, commit, EKS_COMMIT_HEX);
	if (!(it->subject = strdup(subject ? subject : "")))
		return NULL;
	return it;
}

/* Whether `commit` (hex) is `head` or one of its ancestors. */
static int in_history(eks_repo *repo, const char *head, const char *commit)
{
	git_oid h, c;

	if (git_oid_fromstr(&h, head) < 0 || git_oid_fromstr(&c, commit) < 0)
		return 0;
	if (git_oid_equal(&h, &c))
		return 1;
	return git_graph_descendant_of(repo->git, &h, &c) == 1;
}

/* Say what commit `commit` did to experiment `id`, since it has nothing
 * to disclose; sets the error and returns EKS_EREFUSED. */
static int refuse(eks_repo *repo, const char *head, const char *id, const char *commit,
		  const eks_integrity *in)
{
	eks_history *history = NULL;
	eks_buf what = EKS_BUF_INIT;
	size_t i, j, added = 0;
	int disclosed = 0, rc;

	for (i = 0; i < in->deviations_count; i++)
		disclosed |= !strcmp(in->deviations[i].commit, commit);
	for (i = 0; i < in->rewrites_count; i++)
		disclosed |= !strcmp(in->rewrites[i].commit, commit);
	if (disclosed) {
		rc = eks_error_set(EKS_EREFUSED, "commit %.7s is disclosed already: every deviation "
				   "and log rewrite of '%s' in it has a disclosure ('eksperiment validate' "
				   "shows them as warnings with their reasons)", commit, id);
		return rc;
	}
	if (eks_history_load(&history, repo, head, id) < 0) {
		eks_error_clear();
		history = NULL;
	}
	for (i = 0; history && i < history->commits_count; i++) {
		const eks_history_commit *c = &history->commits[i];

		if (strcmp(c->id, commit))
			continue;
		for (j = 0; j < c->changes_count; j++)
			added += c->changes[j].kind == EKS_CHANGE_ENTRY_ADDED;
		eks_buf_printf(&what, "it changed '%s' (\"%s\")", id, c->subject);
		if (added)
			eks_buf_printf(&what, ", appending %zu log entr%s", added,
				       added == 1 ? "y" : "ies");
		for (j = 0; j < in->amendments_count; j++)
			if (!strcmp(in->amendments[j].commit, commit))
				break;
		if (j < in->amendments_count)
			eks_buf_puts(&what, ", with an amendment covering its protocol changes");
		break;
	}
	if (!what.len)
		eks_buf_printf(&what, "it did not change experiments/%s/", id);
	rc = eks_error_set(EKS_EREFUSED, "commit %.7s has no deviation or log rewrite of '%s' to "
			   "disclose: %s; only changes of frozen fields without an amendment, and "
			   "changes of committed log entries, are disclosed", commit, id,
			   eks_buf_cstr(&what));
	eks_buf_dispose(&what);
	eks_history_free(history);
	return rc;
}

int eks_disclosure_plan(eks_disclosure_item **out, size_t *count, eks_repo *repo,
			const char *head, const char *id, const char *commit)
{
	char hex[EKS_COMMIT_HEX];
	eks_disclosure_item *items = NULL;
	eks_integrity *in = NULL;
	size_t n = 0, i;
	int rc;

	*out = NULL;
	*count = 0;
	if (commit) {
		if (eks_repo_resolve(hex, repo, commit) < 0)
			return eks_error_set(EKS_ENOTFOUND, "there is no commit '%s' in this repository",
					     commit);
		if (!in_history(repo, head, hex))
			return eks_error_set(EKS_ENOTFOUND, "commit %.7s is not in the history of "
					     "HEAD (%.7s): only what was committed on this branch "
					     "can be disclosed", hex, head);
	}
	if ((rc = eks_integrity_load(&in, repo, head, id)) < 0)
		return rc;
	for (i = 0; i < in->deviations_count && rc == 0; i++) {
		const eks_deviation *d = &in->deviations[i];
		eks_disclosure_item *it;

		if (d->disclosure_entry || (commit && strcmp(d->commit, hex)))
			continue;
		if (!(it = item_for(&items, &n, d->commit, d->subject)))
			rc = eks_error_oom();
		else
			rc = push(&it->paths, &it->paths_count, d->path);
	}
	for (i = 0; i < in->rewrites_count && rc == 0; i++) {
		const eks_rewrite *r = &in->rewrites[i];
		eks_disclosure_item *it;

		if (r->disclosure_entry || (commit && strcmp(r->commit, hex)))
			continue;
		if (!(it = item_for(&items, &n, r->commit, r->subject)))
			rc = eks_error_oom();
		else
			rc = push(&it->entries, &it->entries_count, r->entry_id);
	}
	if (rc == 0 && n == 0) {
		if (commit)
			rc = refuse(repo, head, id, hex, in);
		else
			rc = eks_error_set(EKS_EREFUSED, "'%s' has no undisclosed deviation or log "
					   "rewrite: there is nothing to disclose", id);
	}
	eks_integrity_free(in);
	if (rc < 0) {
		eks_disclosure_items_free(items, n);
		return rc;
	}
	*out = items;
	*count = n;
	return 0;
}
