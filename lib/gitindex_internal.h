/*
 * gitindex_internal.h - git's index file (.git/index), read and updated
 * in place for the few paths a write changes, without libgit2.
 *
 * Why: in a repository of 10 000 experiments the index has 20 000
 * entries.  libgit2 parses every one of them into its own allocation
 * (git_index_read, about 40 ms here, most of it page faults on fresh
 * memory) and serialises them all again to write (git_index_write,
 * about 13 ms), where a write of eksperiment changes one or two entries.
 * This module maps the file, checks its checksum, finds the entries asked
 * for, and writes the new file as the old bytes with those entries (and
 * the cached trees above them) replaced: two passes of SHA-1 and one
 * write.  The format is gitformat-index(5) (Documentation/gitformat-
 * index.txt in git): versions 2, 3 and 4.
 *
 * It handles the common case only; the caller (store.c) uses libgit2 for
 * everything else:
 *   - eks_gitindex_open fails (EKS_ECORRUPT) on anything it does not
 *     know: another version, a mandatory extension (split or sparse
 *     index), a checksum that does not match;
 *   - eks_gitindex_write replaces existing stage-0 entries of regular
 *     files (eks_gitindex_plain); adding or removing entries is left to
 *     libgit2.
 *
 * What the new file holds, compared with libgit2's git_index_write:
 *   - the same entries, with the changed ones' object id, mode and stat
 *     data replaced (flags kept: the path and stage do not change);
 *   - the cached trees (TREE extension): each tree above a changed path
 *     whose cached id was the old commit's tree there gets the new
 *     commit's tree (the index under it is then exactly the new tree);
 *     any other one above a changed path is invalidated, as git does;
 *   - entries that were "racily clean" (changed no earlier than the old
 *     index file, so git cannot trust their stat data) and whose work-tree
 *     file no longer matches get a zero size, so git looks at their
 *     content (git's and libgit2's "smudging", see racy-git.txt in git's
 *     Documentation/technical);
 *   - the extensions REUC (resolve undo) and NAME (conflict names) are
 *     kept; other optional extensions (the untracked cache, fsmonitor
 *     data, EOIE/IEOT offsets) are dropped, as libgit2 drops them: they
 *     are caches that git rebuilds.
 *
 * Concurrency: the file is read without a lock (as libgit2 and git read
 * it).  The write takes index.lock with O_EXCL as git does, checks that
 * the index is still the file that was read, and renames the new file
 * into place; when another program changed the index meanwhile nothing is
 * written and EKS_GITINDEX_STALE tells the caller to redo the update
 * another way.
 */
#ifndef EKS_GITINDEX_INTERNAL_H
#define EKS_GITINDEX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <git2.h>

typedef struct eks_gitindex eks_gitindex;

/* eks_gitindex_write: the index changed since it was read (or its cached
 * trees could not be read); nothing was written. */
#define EKS_GITINDEX_STALE 1

/*
 * Read the index file at `path` and find the entries of `paths` (`n` of
 * them, borrowed until eks_gitindex_free).  *out is NULL when there is
 * no index file.  EKS_ECORRUPT when the file is damaged or uses what this
 * module does not handle (the message says which), EKS_EIO when it
 * cannot be read, EKS_ENOMEM.
 */
int eks_gitindex_open(eks_gitindex **out, const char *path,
		      const char *const *paths, size_t n);

void eks_gitindex_free(eks_gitindex *ix);

/*
 * The stage-0 entry of `path`, one of those given to eks_gitindex_open:
 * 1 and its object id in *id when there is one, 0 when there is none.
 */
int eks_gitindex_find(git_oid *id, const eks_gitindex *ix, const char *path);

/* 1 when `path` has exactly one entry, at stage 0, of a regular file,
 * with no flags (assume-valid, skip-worktree, intent-to-add) set: an
 * entry that eks_gitindex_write can replace. */
int eks_gitindex_plain(const eks_gitindex *ix, const char *path);

typedef struct eks_gitindex_change {
	const char *path;        /* one of the paths given to eks_gitindex_open */
	git_oid id;              /* the blob now committed */
	uint32_t mode;           /* GIT_FILEMODE_BLOB or _EXECUTABLE */
	struct stat st;          /* lstat() of the work-tree file just written */
} eks_gitindex_change;

/* A directory above a changed path: its tree in the commit before the
 * write (when it had one) and after. */
typedef struct eks_gitindex_tree {
	const char *dir;         /* "" for the root, else "a" or "a/b" */
	int has_old;
	git_oid old_id;
	git_oid new_id;
} eks_gitindex_tree;

/*
 * Write the index with the `n` changes (each path eks_gitindex_plain).
 * `dirs` (`ndirs` of them) give the trees of the directories above the
 * changed paths, for the cached trees: a cached tree that was `old_id`
 * becomes `new_id`; any other cached tree above a changed path, or one
 * `dirs` does not name, is invalidated.  `workdir` (with a trailing '/')
 * is where racily clean entries are checked.  0 when written;
 * EKS_GITINDEX_STALE when the index changed since it was read (or its
 * cached trees cannot be read) and nothing was written; EKS_EGIT when
 * index.lock exists (another git command holds it); EKS_EIO, EKS_ENOMEM,
 * EKS_EUSAGE (a path that is not plain).
 */
int eks_gitindex_write(eks_gitindex *ix, const eks_gitindex_change *changes, size_t n,
		       const eks_gitindex_tree *dirs, size_t ndirs, const char *workdir);

#endif
