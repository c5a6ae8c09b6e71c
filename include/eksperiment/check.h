/*
 * check.h - validating a whole repository, a set of paths, or a commit.
 *
 * This is what `eksperiment validate` runs.  It finds the files, pairs each
 * log.yaml with the experiment.yaml beside it, reads the repository
 * settings, and collects the problems of every file (validate.h checks one
 * file at a time).
 */
#ifndef EKSPERIMENT_CHECK_H
#define EKSPERIMENT_CHECK_H

#include <stddef.h>
#include "diag.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eks_check_options {
	int strict;            /* --strict: completeness, warnings are errors */
	long min_cell;         /* small-cell threshold; < 0: read eksperiment.yaml */
} eks_check_options;

#define EKS_CHECK_OPTIONS_INIT { 0, -1 }

typedef struct eks_check_result {
	size_t files;          /* how many files were checked */
	size_t errors;
	size_t warnings;
	char **registered;     /* ids of experiments whose log has a registration */
	size_t registered_count;
} eks_check_result;

/* Free what a check result owns (the list of registered ids). */
void eks_check_result_release(eks_check_result *result);

/*
 * Check the work tree of a repository at `workdir` (with a trailing '/'):
 * eksperiment.yaml and every experiments/<id>/ directory.  Paths in the
 * diagnostics are relative to the top of the repository.
 * Returns 0 when no errors were found, EKS_EINVALID when some were, or a
 * negative code when the check itself failed.
 */
int eks_check_worktree(eks_check_result *result, eks_diag_list *diags,
		       const char *workdir, const eks_check_options *opts);

/*
 * Check the files and directories named by `paths` (as the user wrote
 * them; they appear so in the diagnostics).  Directories are searched for
 * experiment.yaml, log.yaml and eksperiment.yaml; files are checked by
 * their name, or by their content when the name says nothing.
 */
int eks_check_paths(eks_check_result *result, eks_diag_list *diags,
		    char *const *paths, size_t count,
		    const eks_check_options *opts);

/* Check the committed files of `commit` (hex) in `repo`. */
int eks_check_revision(eks_check_result *result, eks_diag_list *diags,
		       eks_repo *repo, const char *commit,
		       const eks_check_options *opts);

#ifdef __cplusplus
}
#endif
#endif
