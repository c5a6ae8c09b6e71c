/*
 * store.h - the experiment repository in git, through libgit2.
 *
 * The store is the only module that talks to git.  It finds and creates
 * repositories, reads files at a commit, and writes by building the new
 * content from the committed state: blob -> tree (rebuilt only along the
 * changed paths) -> commit -> reference update, then brings the work tree
 * and git's index in line for the changed paths.
 *
 * libgit2 is initialised once per open eks_repo (git_libgit2_init is
 * reference counted): eks_repo_discover/eks_repo_init take a reference and
 * eks_repo_free gives it back, so nothing is left behind when the last
 * repository is freed and callers need no global init/shutdown pair.
 * Opening a repository also lets libgit2 cache trees of any size (a
 * process-wide setting), so that the experiments/ tree of a large
 * repository is parsed once, not once per file read.
 *
 * Writes and crashes (SPEC 8.1).  Every write holds the repository lock
 * (eks_repo_lock).  Before the branch is moved, the paths of the write are
 * recorded in a small journal, .git/eksperiment/pending (per work tree);
 * it is removed once the work tree and the index match the new commit.  A
 * process killed in between leaves the journal behind, and the next
 * command's eks_repo_repair (or the next write) finishes the job: it
 * checks out the committed version of exactly those paths, and removes
 * the lock files (index.lock, the branch's .lock) that the killed process
 * left.  Without a journal, repair costs one stat().
 */
#ifndef EKSPERIMENT_STORE_H
#define EKSPERIMENT_STORE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eks_repo eks_repo;

#define EKS_COMMIT_HEX 41          /* 40 hex digits and a NUL */

#define EKS_LOCK_TIMEOUT_DEFAULT 10   /* seconds (SPEC 8.1) */

/*
 * Find the repository that contains `start_dir` (walking up as git does,
 * stopping at GIT_CEILING_DIRECTORIES; linked work trees are fine).
 * It must have a work tree and an eksperiment.yaml at its top.
 * EKS_ENOREPO when there is none, or when the repository is bare.
 */
int eks_repo_discover(eks_repo **out, const char *start_dir);

/*
 * Create (or adopt) a repository at `dir`: git init when `dir` is not the
 * top of a work tree (creating missing directories; the first branch is
 * init.defaultBranch from git config, else "main"), write eksperiment.yaml
 * (with `name`, NULL for the directory's name) and .gitattributes (the
 * union merge of the logs), and commit them, on top of HEAD when the
 * repository already has commits.  When eksperiment.yaml exists in the
 * work tree, nothing changes and *created is 0.  `author` as for
 * eks_repo_commit; it is checked before anything is created.
 */
int eks_repo_init(eks_repo **out, int *created, const char *dir,
		  const char *name, const char *author);

/* Close the repository (releasing the lock if held).  NULL is fine. */
void eks_repo_free(eks_repo *repo);

/* Absolute path of the work tree, with a trailing '/'.  Borrowed. */
const char *eks_repo_workdir(const eks_repo *repo);

/*
 * Absolute path of eksperiment's own directory in the (common) git
 * directory, `.git/eksperiment/`, with a trailing '/'; it holds the lock
 * and the query index.  It may not exist yet.  Borrowed.
 */
const char *eks_repo_eksdir(const eks_repo *repo);

/*
 * Take the repository lock (.git/eksperiment/lock, shared by all linked
 * work trees), waiting up to `timeout_seconds` (0: try once).  Commands
 * that read, modify and write (log, status, edit) take it before reading,
 * so that concurrent writers run one after the other.  The lock is
 * counted: each eks_repo_lock needs one eks_repo_unlock.  It is an flock()
 * on an open file, so the kernel drops it when the holder dies: a killed
 * command never blocks the next one.  EKS_ELOCKED after the timeout.
 */
int eks_repo_lock(eks_repo *repo, int timeout_seconds);
void eks_repo_unlock(eks_repo *repo);

/* The timeout eks_repo_commit and eks_repo_repair use when they take the
 * lock themselves (default EKS_LOCK_TIMEOUT_DEFAULT; --lock-timeout). */
void eks_repo_set_lock_timeout(eks_repo *repo, int timeout_seconds);

/*
 * Finish a write that a killed eksperiment process left half done (see
 * the top of this file).  Cheap when there is nothing to do; every
 * command may call it right after opening the repository.  Takes the
 * lock only when there is a journal.
 */
int eks_repo_repair(eks_repo *repo);

/*
 * Resolve a revision ("HEAD", a branch, a tag, an abbreviated id, "HEAD~2")
 * to a commit id in hex.  EKS_ENOTFOUND for an unknown revision, and for
 * HEAD in a repository without commits.
 */
int eks_repo_resolve(char out[EKS_COMMIT_HEX], eks_repo *repo, const char *rev);

/*
 * The best common ancestor of the revisions `a` and `b` (as git
 * merge-base picks it), in hex: what `git diff a...b` compares b with.
 * EKS_ENOTFOUND for an unknown revision, and when the two histories
 * share no commit.
 */
int eks_repo_merge_base(char out[EKS_COMMIT_HEX], eks_repo *repo,
			const char *a, const char *b);

/*
 * Read the file at `path` (relative to the top, '/' separated) as it is in
 * `commit` (hex, or any revision; NULL means HEAD).  *data is
 * NUL-terminated and owned by the caller (free()); `len` may be NULL.
 * EKS_ENOTFOUND when the commit has no such file (or it is a directory),
 * EKS_EREFUSED for a symbolic link or a file over 16 MiB (SPEC 8.2).
 */
int eks_repo_read(char **data, size_t *len, eks_repo *repo,
		  const char *commit, const char *path);

/*
 * The experiment ids (directories under experiments/) in `commit` (as for
 * eks_repo_read), sorted by strcmp.  No experiments/ gives 0 ids.
 * Free with eks_strings_free (NULL is fine).
 */
int eks_repo_experiments(char ***ids, size_t *count, eks_repo *repo,
			 const char *commit);
void eks_strings_free(char **strings, size_t count);

/*
 * The experiments whose files differ between the commits `from` and `to`
 * (revisions as for eks_repo_read; `from` NULL or "": every experiment in
 * `to`): changed, added and removed ones, sorted.  Compares the tree ids
 * of experiments/<id>, so it costs one pass over experiments/ and no file
 * reads.  Free with eks_strings_free.
 */
int eks_repo_changed_experiments(char ***ids, size_t *count, eks_repo *repo,
				 const char *from, const char *to);

/*
 * Create the annotated tag `name` (e.g. "eksperiment/<id>/registered") on
 * `commit` with `message`, the tagger being `author` as for
 * eks_repo_commit.  Success when the tag already names that commit;
 * EKS_EEXISTS when it names another one.
 */
int eks_repo_tag(eks_repo *repo, const char *name, const char *commit,
		 const char *message, const char *author);

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
 *
 * Takes the repository lock when the caller does not hold it.  Refuses
 * (EKS_EREFUSED, nothing written) when a changed path has uncommitted
 * edits in the work tree or the index that the new content would
 * overwrite.  The branch moves with a compare-and-swap: when something
 * else moved it meanwhile, EKS_EGIT and nothing changes.  Once the branch
 * has moved the commit stands: should updating the work tree fail then,
 * the call still succeeds, eks_repo_warning says so, and the next command
 * repairs it.  Paths must be relative, '/' separated, without '.', '..'
 * or '.git' components (EKS_EUSAGE).
 */
int eks_repo_commit(char out[EKS_COMMIT_HEX], eks_repo *repo,
		    const eks_file_change *changes, size_t count,
		    const char *message, const char *author);

/*
 * As eks_repo_commit, but only when HEAD is still `parent` (hex, as the
 * caller resolved it before building the changes; NULL or "" for "no
 * commit yet").  EKS_EGIT when HEAD moved, so content built from an older
 * state never overwrites a newer one.
 */
int eks_repo_commit_on(char out[EKS_COMMIT_HEX], eks_repo *repo,
		       const char *parent,
		       const eks_file_change *changes, size_t count,
		       const char *message, const char *author);

/* A note about the last eks_repo_commit that succeeded with a problem
 * (the work tree could not be updated), or NULL.  Borrowed. */
const char *eks_repo_warning(const eks_repo *repo);

/*
 * The author that eks_repo_commit would use: `override` when given
 * ("Name <email>", checked: EKS_EUSAGE when malformed), else as git does:
 * $GIT_AUTHOR_NAME / $GIT_AUTHOR_EMAIL, else user.name / user.email from
 * git config (the repository's, then the global one), else $EMAIL for the
 * address; EKS_EUSAGE ("who are you?") when a part is still missing.
 * *out is "Name <email>", owned by the caller (free()).  `repo` may be
 * NULL (global configuration only).  The committer of eks_repo_commit is
 * the configured identity, or the author when there is none.
 */
int eks_repo_author(char **out, eks_repo *repo, const char *override);

/*
 * Paths under experiments/ that differ from HEAD, sorted; for the
 * warnings of read commands.  Files changed or deleted in the work tree
 * are found with git's stat data in the index (hashing only files whose
 * stat data cannot tell), staged changes by comparing the index's tree
 * with HEAD's (free while git's cached tree is current), and experiment
 * directories git does not know by one listing of experiments/ (named as
 * "experiments/<id>").  Untracked files inside a known experiment
 * directory are not looked for: use eks_repo_dirty_experiment for one
 * experiment.  About 0.15 s for 10 000 experiments, against 0.25 s for
 * `git status`.  Free with eks_strings_free.
 */
int eks_repo_dirty_experiments(char ***paths, size_t *count, eks_repo *repo);

/*
 * The same for the one experiment `id` (files under experiments/<id>/),
 * cheaply: its work-tree files are compared with HEAD's, without reading
 * git's index, so the cost does not grow with the repository.  (A change
 * that is staged but undone again in the work tree is not reported.)
 */
int eks_repo_dirty_experiment(char ***paths, size_t *count, eks_repo *repo,
			      const char *id);

#ifdef __cplusplus
}
#endif
#endif
