/*
 * history.h - the timeline of one experiment: the commits that changed
 * experiments/<id>/ and what each of them did (SPEC 3, `history`).
 *
 * Commits are found by walking the history from a revision, newest first
 * as `git log` lists them, and keeping those whose experiments/<id>/ tree
 * differs from their parent's.  A merge is kept only when that tree
 * differs from every parent's (when it equals one parent's, the merge
 * brought nothing new, and `git log` leaves it out too); it then reports
 * only what is in none of its parents, so entries logged on a branch are
 * reported once, at the commit that logged them.
 *
 * What changed is worked out from the files: the log entries a commit
 * added, changed or removed (by entry id; the log is append-only, so the
 * last two mean it was rewritten), the top-level fields of experiment.yaml
 * that changed, and other files.  Commits made with plain git are read
 * like any other.
 */
#ifndef EKSPERIMENT_HISTORY_H
#define EKSPERIMENT_HISTORY_H

#include <stddef.h>
#include "buf.h"
#include "log.h"
#include "store.h"
#include "yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EKS_CHANGE_CREATED = 1,     /* experiment.yaml appeared */
	EKS_CHANGE_DELETED,         /* experiment.yaml was removed */
	EKS_CHANGE_PROTOCOL,        /* experiment.yaml changed: see fields */
	EKS_CHANGE_ENTRY_ADDED,     /* a log entry was appended */
	EKS_CHANGE_ENTRY_CHANGED,   /* an entry was changed: log rewritten */
	EKS_CHANGE_ENTRY_REMOVED,   /* an entry was removed: log rewritten */
	EKS_CHANGE_FILE_ADDED,      /* another file in experiments/<id>/ */
	EKS_CHANGE_FILE_CHANGED,
	EKS_CHANGE_FILE_REMOVED
} eks_change_kind;

typedef struct eks_change {
	eks_change_kind kind;
	/* EKS_CHANGE_PROTOCOL: the top-level keys whose value changed, in
	 * file order (removed keys last); none when only comments or layout
	 * changed.  `unreadable` when a side is not valid YAML, so the fields
	 * could not be compared. */
	char **fields;
	size_t fields_count;
	int unreadable;
	/* EKS_CHANGE_ENTRY_*: the entry's id (NULL for an entry without
	 * one), its kind, and for added entries recorded_at, recorded_by and
	 * a one-line summary (eks_entry_summarise). */
	char *entry_id;
	eks_entry_kind entry_kind;
	char *recorded_at;
	char *recorded_by;
	char *summary;
	/* EKS_CHANGE_ENTRY_ADDED: the outcomes its observations are about,
	 * each once, in order. */
	char **outcomes;
	size_t outcomes_count;
	/* EKS_CHANGE_FILE_*: the path below experiments/<id>/. */
	char *path;
} eks_change;

typedef struct eks_history_commit {
	char id[EKS_COMMIT_HEX];
	char *author_name;
	char *author_email;
	long long time;             /* author time, seconds since 1970 (UTC) */
	int offset;                 /* the author's time zone, minutes east */
	char *subject;              /* the first line of the message */
	size_t parents_count;       /* 0 for a root commit, 2+ for a merge */
	eks_change *changes;
	size_t changes_count;
	size_t changes_alloc;
} eks_history_commit;

typedef struct eks_history {
	char *id;                   /* the experiment */
	char revision[EKS_COMMIT_HEX];  /* the commit the walk started from */
	eks_history_commit *commits;    /* newest first */
	size_t commits_count;
	size_t commits_alloc;
} eks_history;

/*
 * The timeline of experiment `id` in the history of `rev` (NULL: HEAD).
 * *out is owned by the caller (eks_history_free).  EKS_ENOTFOUND when the
 * revision does not exist, or when no commit in its history ever had
 * experiments/<id>/ (with a message saying so); EKS_EGIT, EKS_ENOMEM.
 * Broken files in old commits are not an error: what can be read is
 * reported.
 */
int eks_history_load(eks_history **out, eks_repo *repo, const char *rev,
		     const char *id);

void eks_history_free(eks_history *history);

/*
 * Append a one-line summary of a log entry to `out`, as history and show
 * print it: "2 observations (neet@t1)", "status active -> completed:
 * reason", "note: text", "adjustment: text", "registration",
 * "amendment (major) of hypotheses[H1].margin: reason", "disclosure of
 * commit 3f2a9c1: reason" (the commit cut to 7 digits).  Texts are cut
 * to their first line and at most `width` characters ("..." marks a cut;
 * 0 means no limit).
 */
int eks_entry_summarise(eks_buf *out, const eks_entry *entry, size_t width);

/*
 * The top-level keys whose values differ between two parsed versions of
 * a YAML mapping (for experiment.yaml: "hypotheses", "analysis"), in the
 * order of `new_root`, then keys only in `old_root`.  Positions, comments
 * and quoting style do not count, except that a plain scalar differs from
 * a quoted one (1506 is a number, "1506" a text).  A root that is not a
 * mapping (or NULL) counts as an empty mapping.  Free with
 * eks_strings_free.
 */
int eks_yaml_changed_keys(char ***keys, size_t *count,
			  const eks_node *old_root, const eks_node *new_root);

/* Whether two YAML nodes hold the same data (as eks_yaml_changed_keys
 * compares values).  NULL equals NULL only. */
int eks_yaml_nodes_equal(const eks_node *a, const eks_node *b);

#ifdef __cplusplus
}
#endif
#endif
