/*
 * index.h - the query index, .git/eksperiment/index.sqlite (SPEC 4).
 *
 * The index is a cache of the repository in SQLite: the public views of
 * SPEC 4.1 (experiments, partners, arms, interventions, outcomes,
 * hypotheses, observations, entries, verdicts) over internal tables.  It
 * is never the truth and never needs a command of its own to stay right:
 *
 *   eks_index *index;
 *   eks_rows *rows;
 *   if (eks_index_open(&index, repo, commit) < 0) ...
 *   if (eks_index_experiments(&rows, index, query) < 0) ...
 *   while ((rc = eks_rows_next(rows)) > 0)
 *           ... eks_rows_name(rows, i), eks_rows_text(rows, i) ...
 *   eks_rows_free(rows);
 *   eks_index_free(index);
 *
 * Bringing it up to date.  eks_index_open() brings the index to `commit`:
 * it compares the tree of experiments/ in the indexed commit with the one
 * in `commit` (eks_repo_changed_experiments: tree ids only, no file reads)
 * and re-reads only the experiments whose files differ, added and removed
 * ones included.  So it follows hand commits, renames, branch switches and
 * checkouts of older commits alike, in time that depends on what changed,
 * not on the size of the repository.  An index that is missing, damaged
 * (SQLite cannot read it), incomplete, of another format version (PRAGMA
 * user_version), or whose indexed commit no longer exists, is rebuilt
 * from scratch without being asked.
 *
 * Concurrency.  The database is in WAL mode with a busy timeout, so
 * readers never wait for a writer and writers wait for each other.
 * Updates run in one write transaction that re-reads the indexed commit
 * first, so two processes never apply the same change twice.  After the
 * update the handle keeps a read transaction open whose snapshot is
 * exactly `commit`, so another process moving the index to another
 * commit (a second work tree) never changes an answer half way.  A full
 * rebuild writes a new file and renames it into place while holding an
 * exclusive flock() on .git/eksperiment/index.sqlite.lock; every handle
 * holds a shared lock on it while it is open, so no process ever reads a
 * file that is being replaced.
 *
 * SQLite stays behind this module: no other module includes sqlite3.h.
 * doc/eksperiment-sql.txt documents the views and every column.
 */
#ifndef EKSPERIMENT_INDEX_H
#define EKSPERIMENT_INDEX_H

#include <stddef.h>
#include "query.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The format of the database; a file with another PRAGMA user_version is
 * rebuilt.  Raise it whenever the tables or views change. */
#define EKS_INDEX_FORMAT 6   /* 6: log rewrites (candidates, rewritten verdicts) */

/* How long a command waits for another process that holds the index
 * (rebuilding it, or writing an update), in seconds. */
#define EKS_INDEX_TIMEOUT 60

typedef struct eks_index eks_index;
typedef struct eks_rows eks_rows;

/* What the last update of a handle did. */
typedef struct eks_index_update {
	int rebuilt;            /* 1: built from scratch */
	const char *reason;     /* why it was rebuilt (static text), or NULL */
	size_t experiments;     /* experiments in the index afterwards */
	size_t reread;          /* experiments read from git */
	size_t removed;         /* experiments taken out */
	size_t observations;    /* observation rows written */
	double seconds;         /* wall-clock time of the update */
} eks_index_update;

/*
 * Open the index of `repo` (creating .git/eksperiment/ when needed) and
 * bring it to `commit` (40 hex digits, as from eks_repo_resolve).  *out is
 * owned by the caller (eks_index_free).  Experiments whose files have
 * errors at `commit` are indexed as far as they could be read (see
 * eks_index_invalid).  Errors: EKS_ELOCKED when another process held the
 * index for longer than EKS_INDEX_TIMEOUT, EKS_ESQL, EKS_EIO, EKS_EGIT,
 * EKS_ENOMEM.
 */
int eks_index_open(eks_index **out, eks_repo *repo, const char *commit);

/*
 * As eks_index_open, but always rebuild the index from scratch, in one
 * transaction (`eksperiment reindex`).
 */
int eks_index_reindex(eks_index **out, eks_repo *repo, const char *commit);

/* Close the index (ending its read transaction).  Free its rows first.
 * NULL is fine.  (A process should hold one handle at a time: a second
 * handle that needs a rebuild waits for the first to be freed.) */
void eks_index_free(eks_index *index);

/* The commit the index answers for (40 hex digits).  Borrowed. */
const char *eks_index_commit(const eks_index *index);

/* The path of the database file.  Borrowed. */
const char *eks_index_path(const eks_index *index);

/* What bringing the index up to date did.  Borrowed. */
const eks_index_update *eks_index_last_update(const eks_index *index);

/*
 * The ids of the experiments whose files have errors at the indexed commit
 * (their rows hold what could be read; they have no verdicts), sorted.
 * Free with eks_strings_free.
 */
int eks_index_invalid(char ***ids, size_t *count, eks_index *index);

/*
 * The experiment files whose work-tree copy differs from the indexed
 * commit: changed, deleted, or there but not committed; for the
 * experiments `ids` (those the index does not hold are skipped), or with
 * ids NULL for every experiment, adding experiments/<name> for each
 * directory under experiments/ that the commit does not have.  Sorted;
 * free with eks_strings_free.  Stat data are compared with what the index
 * remembers of each file, and a file is read only when they differ (see
 * index.c), so checking the experiments of an answer costs a few lstat
 * calls.  Other files in an experiment's directory, and changes staged in
 * git's index but undone in the work tree, are not looked for.
 */
int eks_index_uncommitted(char ***paths, size_t *count, eks_index *index,
			  char *const *ids, size_t ids_count);

/* ---- verdicts ------------------------------------------------------------ */

/* A group (an arm at a timepoint) an estimate used, with its data. */
typedef struct eks_verdict_group {
	const char *arm;
	const char *timepoint;
	int has_data;           /* 0: no observations for this group */
	int is_count;           /* n and events; else n, mean and sd */
	long long n, events;
	double mean, sd;
} eks_verdict_group;

/* A hypothesis and its verdict as eks_evaluate gave them when the
 * experiment was indexed: names as in the protocol (eks_*_name). */
typedef struct eks_verdict_row {
	const char *id, *outcome, *test, *estimator, *method, *family;
	const char *arm, *against;      /* against NULL: against_value */
	int has_against_value;
	double against_value;
	const char *timepoint, *baseline;
	eks_verdict_group groups[4];
	size_t groups_count;
	int has_estimate;               /* 0: estimate is null */
	double estimate;
	int has_interval;               /* 0: ci_low and ci_high are null */
	double ci_low, ci_high, conf_level;
	int has_tost;                   /* equivalence: its (1 - 2 alpha) interval */
	double ci_tost_low, ci_tost_high, tost_conf_level;
	int has_p;                      /* 0: p values are null */
	double p_value, p_adjusted;
	int in_family;                  /* adjusted over the family */
	const char *verdict;            /* eks_verdict_name */
	const char *reason;
	int post_hoc;
	int rewritten;                  /* data from a rewritten log entry */
} eks_verdict_row;

/* An amendment that moved a hypothesis into or out of the family. */
typedef struct eks_family_change_row {
	const char *commit;
	const char *hypothesis;
	int added;
} eks_family_change_row;

/* One experiment with the verdicts on its hypotheses. */
typedef struct eks_evaluated {
	const char *id;
	const char *status;
	const char *registered_commit;  /* NULL: not registered */
	int has_errors;                 /* its files have errors: no verdicts */
	eks_verdict_row *hypotheses;
	size_t count;
	/* The multiplicity family the p-values were adjusted over (SPEC
	 * 6.4): the registered one when registered_commit is set. */
	const char **family;
	size_t family_count;
	int *family_registered;         /* per member: in the registration */
	const char *multiplicity;       /* holm, bonferroni or none */
	eks_family_change_row *family_changes;
	size_t family_changes_count;
} eks_evaluated;

typedef struct eks_evaluations {
	eks_evaluated *experiments;
	size_t count;
	char **strings;                 /* owned copies the rows point into */
	size_t strings_count, strings_alloc;
} eks_evaluations;

/*
 * The verdicts of the experiments `ids` (in that order; those the index
 * does not hold are left out), or of every experiment ordered by id when
 * ids is NULL, as stored when each was indexed: `evaluate` without
 * parsing a file.  Free with eks_evaluations_free.
 */
int eks_index_evaluations(eks_evaluations **out, eks_index *index,
			  char *const *ids, size_t ids_count);

void eks_evaluations_free(eks_evaluations *evaluations);

/* ---- answers ---------------------------------------------------------- */

typedef enum {
	EKS_VALUE_NULL = 0,
	EKS_VALUE_INTEGER,
	EKS_VALUE_REAL,
	EKS_VALUE_TEXT
} eks_value_type;

/*
 * The rows of the experiments view (every column, in the order of SPEC
 * 4.1) that match `filter` (NULL: all), ordered by id.
 */
int eks_index_experiments(eks_rows **out, eks_index *index,
			  const eks_query *filter);

typedef enum {
	EKS_EXPORT_EXPERIMENTS = 0,
	EKS_EXPORT_OBSERVATIONS,
	EKS_EXPORT_HYPOTHESES
} eks_export_what;

/*
 * Everything of one kind, for `export`: the experiments view; the
 * observations view (in log order); or the hypotheses view with the
 * verdict columns (verdict, estimate, ci_low, ci_high, p_value,
 * p_adjusted, post_hoc) joined on.  Ordered by experiment id, then file
 * order.
 */
int eks_index_export(eks_rows **out, eks_index *index, eks_export_what what);

/* The names of eks_export_what ("experiments", ...); NULL when unknown. */
const char *eks_export_what_name(eks_export_what what);
int eks_export_what_from_name(eks_export_what *out, const char *name);

/*
 * Run one SQL statement of the user's, read-only, for `eksperiment sql`.
 * It runs on a second connection opened read-only, with extension loading
 * off, no database to attach, and an authorizer that allows reading and
 * nothing else (SELECT, reading tables and views, functions other than
 * load_extension, WITH RECURSIVE, and PRAGMAs that only report).
 * Returns EKS_EREFUSED for a statement that would write, attach, load an
 * extension, change a setting or open a transaction (nothing changes),
 * also when SQLite cannot compile it for another reason than its syntax
 * (a DELETE from a view, a table that does not exist); EKS_EUSAGE for
 * other SQL that SQLite cannot compile (a syntax error, a read from an
 * unknown table or column), for more than one statement and for an empty
 * one, with *error_offset (when not NULL) set to the byte offset in
 * `statement` of the problem, or -1 when it has none.
 */
int eks_index_sql(eks_rows **out, eks_index *index, const char *statement,
		  int *error_offset);

/*
 * Step to the next row: 1 when there is one, 0 at the end, or a negative
 * EKS_E* code (EKS_EUSAGE for an error in the user's SQL, such as an
 * integer overflow; EKS_ECORRUPT for a damaged index; EKS_ESQL).
 */
int eks_rows_next(eks_rows *rows);

/* The number of columns and the name of column i.  Borrowed. */
size_t eks_rows_columns(const eks_rows *rows);
const char *eks_rows_name(const eks_rows *rows, size_t column);

/* The current row's value in column i: its type, and the value as text
 * (integers and reals printed as SQLite prints them, NULL for a NULL),
 * as an integer or as a real.  Text is borrowed until the next
 * eks_rows_next. */
eks_value_type eks_rows_type(eks_rows *rows, size_t column);
const char *eks_rows_text(eks_rows *rows, size_t column);
long long eks_rows_int(eks_rows *rows, size_t column);
double eks_rows_real(eks_rows *rows, size_t column);

/* Finish with a set of rows.  NULL is fine. */
void eks_rows_free(eks_rows *rows);

#ifdef __cplusplus
}
#endif
#endif
