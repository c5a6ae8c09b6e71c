/*
 * store_internal.h - what lib/store.c and lib/lock.c share.
 */
#ifndef EKS_STORE_INTERNAL_H
#define EKS_STORE_INTERNAL_H

#include <time.h>

#include <git2.h>

#include "eksperiment/store.h"

struct eks_repo {
	git_repository *git;
	char *workdir;          /* work tree, trailing '/' */
	char *gitdir;           /* this work tree's git dir, trailing '/' */
	char *commondir;        /* shared git dir, trailing '/' */
	char *eksdir;           /* <commondir>eksperiment/ */
	char *journal;          /* <gitdir>eksperiment/pending */
	int lock_fd;            /* -1 while not locked */
	int lock_depth;         /* eks_repo_lock calls not yet undone */
	struct timespec lock_since;  /* when this process took the lock */
	int lock_timeout;       /* seconds, for locks taken implicitly */
	char *warning;          /* see eks_repo_warning */
};

/* Set the last error from libgit2's message: "<what>: <libgit2 message>". */
int eks_store_git_error(int code, const char *what);

/* Create `dir` and its missing parents (mode 0777 less umask). */
int eks_store_mkdirs(const char *dir);

/*
 * Remove the lock files (index.lock, HEAD.lock, <ref>.lock) that a killed
 * eksperiment write left behind.  Only call it while holding the
 * repository lock and after finding the journal of an unfinished write,
 * written at `since`; see lock.c for why this is safe.
 */
int eks_store_remove_stale_locks(eks_repo *repo, const char *refname,
				 const struct timespec *since);

#endif
