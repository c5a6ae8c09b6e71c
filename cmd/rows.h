/*
 * rows.h - what the index commands (list, query, sql, export, reindex)
 * share: opening the index at the commit they read, and printing rows of
 * the index as a text table (fitted to the terminal), JSON or CSV.
 */
#ifndef EKS_CMD_ROWS_H
#define EKS_CMD_ROWS_H

#include "cmd.h"

/*
 * Open the repository, resolve `rev` (NULL: HEAD) and bring the index to
 * that commit (rebuilding it from scratch with ROWS_REBUILD).  The caller
 * warns about uncommitted changes (rows_warn_uncommitted).  Warns on stderr when the
 * index had to be rebuilt because it was damaged, and names the
 * experiments whose files have errors at that commit (unless
 * ROWS_QUIET_INVALID).  Returns 0, or the
 * exit code after printing why.
 */
int rows_open_index(eks_repo **repo, eks_index **index, const char *rev,
		    unsigned flags);

enum {
	ROWS_REBUILD = 1,               /* rebuild the index from scratch */
	ROWS_QUIET_INVALID = 2          /* the caller names experiments with errors */
};

/*
 * Warn on stderr about uncommitted changes to the experiments `ids` (those
 * an answer showed), or to every experiment when `all`.  Uses the index's
 * own record of the work tree (eks_index_uncommitted) when the index is at
 * HEAD, and the whole-repository check against HEAD otherwise.
 */
void rows_warn_uncommitted(eks_repo *repo, eks_index *index,
			   char *const *ids, size_t ids_count, int all);

/* A column of the text table: the row's column `name`, headed `header`. */
struct rows_column {
	const char *name;
	const char *header;
};

/* The columns `list` and `query` show as text. */
extern const struct rows_column rows_experiment_columns[];

struct rows_output {
	enum cmd_format format;
	const char *revision;           /* the commit the rows are from */
	/* JSON: the key of the array of row objects ("experiments"); NULL
	 * gives {"revision", "columns": [...], "rows": [[...], ...]}. */
	const char *json_key;
	/* Text: the columns to show (NULL-terminated; NULL: all, headed by
	 * their names), and the words for the summary line. */
	const struct rows_column *text_columns;
	const char *noun, *nouns;       /* "experiment", "experiments" */
	/* When collect_ids is set, rows_print keeps the "id" of every row
	 * printed in ids (free with eks_strings_free). */
	int collect_ids;
	char **ids;
	size_t ids_count;
};

/*
 * Print every row of `rows`: text as an aligned table cut to the width of
 * the terminal (when standard output is one) followed by a line naming
 * the count and the commit; JSON as one document; CSV with a header row.
 * Returns 0 or the exit code after printing the error.
 */
int rows_print(eks_rows *rows, struct rows_output *out);

/*
 * Show where a problem is: print the line of `text` that holds the
 * character at 1-based `column` (counted in characters from the start
 * of `text`) on stderr, with a caret under it.
 */
void rows_point_at(const char *text, int column);

/* The same for a byte offset (0-based) into `text`. */
void rows_point_at_byte(const char *text, int offset);

/* Join argv[0..argc-1] with single spaces (caller frees); NULL when out
 * of memory. */
char *rows_join_args(int argc, char **argv);

#endif
