/*
 * store.h - the experiment repository in git, through libgit2.
 *
 * The store is the only module that talks to git.  It finds and creates
 * repositories, reads files at a commit, and writes by building the new
 * content from the committed state: blob -> tree (rebuilt only along the
 * changed paths) -> commit -> reference update, then brings the work tree
 * and git's index in line for the changed paths.
 */
#ifndef EKSPERIMENT_STORE_H
#define EKSPERIMENT_STORE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eks_repo eks_repo;

#define EKS_COMMIT_HEX 41          /* 40 hex digits and a NUL */

/*
 * Find the repository that contains `start_dir` (walking up as git does).
 * It must have a work tree and an eksperiment.yaml at its top.
 * EKS_ENOREPO when there is none.
 */
int eks_repo_discover(eks_repo **out, const char *start_dir);

/*
 * Create (or adopt) a repository at `dir`: git init when needed, write
 * eksperiment.yaml (with `name`, NULL for a default) and .gitattributes,
 * and make a first commit with them.  On an existing eksperiment repository
 * nothing changes and *created is 0.  `author` as for eks_repo_commit.
 */
int eks_repo_init(eks_repo **out, int *created, const char *dir,
		  const char *name, const char *author);

void eks_repo_free(eks_repo *repo);

/* Absolute path of the work tree, with a trailing '/'.  Borrowed. */
const char *eks_repo_workdir(const eks_repo *repo);

/*
 * Resolve a revision ("HEAD", a branch, a tag, an abbreviated id, "HEAD~2")
 * to a commit id in hex.  EKS_ENOTFOUND for an unknown revision, and for
 * HEAD in a repository without commits.
 */
int eks_repo_resolve(char out[EKS_COMMIT_HEX], eks_repo *repo, const char *rev);

/*
 * Read the file at `path` (relative to the top, '/' separated) as it is in
 * `commit` (hex).  *data is NUL-terminated and owned by the caller.
 * EKS_ENOTFOUND when the commit has no such file.
 */
int eks_repo_read(char **data, size_t *len, eks_repo *repo,
		  const char *commit, const char *path);

/*
 * The experiment ids (directories under experiments/) in `commit`, sorted.
 * Free with eks_strings_free.
 */
int eks_repo_experiments(char ***ids, size_t *count, eks_repo *repo,
			 const char *commit);
void eks_strings_free(char **strings, size_t count);

/* One file to write (data != NULL) or delete (data == NULL). */
typedef struct eks_file_change {
	const char *path;
	const char *data;
	size_t len;
} eks_file_change;

/*
 * Commit `changes` on top of the current HEAD with `message`.  `author` is
 * "Name <email>", or NULL to take user.name/user.email from git config
 * (EKS_EUSAGE with a clear message when neither is set).  The work tree and
 * the index are updated for the changed paths.  *out (may be NULL) gets the
 * new commit id.
 */
int eks_repo_commit(char out[EKS_COMMIT_HEX], eks_repo *repo,
		    const eks_file_change *changes, size_t count,
		    const char *message, const char *author);

/*
 * The author that eks_repo_commit would use: `override` when given, else
 * git config.  *out is "Name <email>", owned by the caller.
 */
int eks_repo_author(char **out, eks_repo *repo, const char *override);

/* Paths under experiments/ that differ between the work tree and HEAD
 * (uncommitted changes), for the warnings of read commands. */
int eks_repo_dirty_experiments(char ***paths, size_t *count, eks_repo *repo);

#ifdef __cplusplus
}
#endif
#endif
