/*
 * lock.c - the repository lock (.git/eksperiment/lock, SPEC 8.1).
 *
 * Why flock(): the lock is an advisory lock on an open file, so the
 * kernel drops it the moment its holder exits or is killed.  A lock file
 * created with O_EXCL (as git's index.lock) would outlive a killed
 * process and block every later command until someone deleted it by
 * hand; an flock() cannot go stale.  The file itself stays in place and
 * only says which process took the lock last.  flock() rather than
 * fcntl(F_SETLK): an fcntl lock belongs to the process and is dropped
 * when *any* descriptor of the file is closed, which is easy to do by
 * accident; an flock belongs to the open file description.  (On NFS,
 * Linux emulates flock with fcntl locks, which is still correct.)
 *
 * The lock lives in the common git directory, so linked work trees of one
 * repository, which share their branches, also share the lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eksperiment/error.h"
#include "store_internal.h"

#define LOCK_POLL_NS (20 * 1000 * 1000)   /* 20 ms between attempts */

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int eks_repo_lock(eks_repo *repo, int timeout_seconds)
{
	struct timespec start, pause = { 0, LOCK_POLL_NS };
	char path[4096], pid[32];
	int fd = -1, rc = 0, n;

	if (repo->lock_depth > 0) {
		repo->lock_depth++;
		return 0;
	}
	if (timeout_seconds < 0)
		timeout_seconds = 0;
	if (snprintf(path, sizeof(path), "%slock", repo->eksdir) >= (int)sizeof(path))
		return eks_error_set(EKS_EIO, "path too long: '%s'", repo->eksdir);
	if ((rc = eks_store_mkdirs(repo->eksdir)) < 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return eks_error_set(EKS_EIO, "cannot open the lock file '%s': %s",
				     path, strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = eks_error_set(EKS_EIO, "cannot lock '%s': %s",
					   path, strerror(errno));
			goto done;
		}
		if (seconds_since(&start) >= (double)timeout_seconds) {
			rc = eks_error_set(EKS_ELOCKED,
					   "cannot lock '%s': another eksperiment command "
					   "still held it after %d seconds (try again, or "
					   "wait longer with --lock-timeout)",
					   path, timeout_seconds);
			goto done;
		}
		nanosleep(&pause, NULL);
	}
	/* Only informative: who holds the lock. */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && write(fd, pid, (size_t)n) < 0) {
		/* a lock without the note is still a lock */
	}
#ifdef CLOCK_REALTIME_COARSE
	clock_gettime(CLOCK_REALTIME_COARSE, &repo->lock_since);
#else
	clock_gettime(CLOCK_REALTIME, &repo->lock_since);
#endif
	repo->lock_fd = fd;
	repo->lock_depth = 1;
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

void eks_repo_unlock(eks_repo *repo)
{
	if (!repo || repo->lock_depth <= 0)
		return;
	if (--repo->lock_depth > 0)
		return;
	/* Closing the only descriptor releases the flock. */
	close(repo->lock_fd);
	repo->lock_fd = -1;
}

void eks_repo_set_lock_timeout(eks_repo *repo, int timeout_seconds)
{
	repo->lock_timeout = timeout_seconds < 0 ? 0 : timeout_seconds;
}

static int before(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec;
	return a->tv_nsec < b->tv_nsec;
}

static int remove_if_stale(eks_repo *repo, const char *dir, const char *name,
			   const struct timespec *since)
{
	char path[4096];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s%s.lock", dir, name) >= (int)sizeof(path))
		return 0;
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (before(&st.st_mtim, since) || !before(&st.st_mtim, &repo->lock_since))
		return 0;
	if (unlink(path) < 0 && errno != ENOENT)
		return eks_error_set(EKS_EIO, "cannot remove the stale lock file '%s': %s",
				     path, strerror(errno));
	return 0;
}

/*
 * A lock file is removed only when it was made inside the window of the
 * interrupted write: not before its journal was written (`since`), and
 * before this process took the repository lock.  That is safe because
 * (1) we hold the repository lock, so no other eksperiment process is
 * writing; (2) eksperiment holds index.lock and the branch's .lock only
 * while its journal exists, so a lock file from that window that is still
 * there belongs to the killed process; (3) a git command that was already
 * running when the write began made its lock file before the journal, and
 * one running now made it after we took our lock: both are left alone.
 * lock_since is read from the same coarse clock the kernel stamps files
 * with, so "made after we took the lock" is never mistaken for "before".
 */
int eks_store_remove_stale_locks(eks_repo *repo, const char *refname,
				 const struct timespec *since)
{
	int rc;

	if (repo->lock_depth <= 0)
		return eks_error_set(EKS_ERROR, "internal error: stale lock files "
				     "removed without the repository lock");
	if ((rc = remove_if_stale(repo, repo->gitdir, "index", since)) < 0)
		return rc;
	if ((rc = remove_if_stale(repo, repo->gitdir, "HEAD", since)) < 0)
		return rc;
	if (refname && !strncmp(refname, "refs/", 5) && !strstr(refname, "..") &&
	    (rc = remove_if_stale(repo, repo->commondir, refname, since)) < 0)
		return rc;
	return 0;
}
