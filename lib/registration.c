/*
 * registration.c - the registered commit, its tag, and the tag that an
 * interrupted register did not make (SPEC 5).  See registration.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/integrity.h"
#include "eksperiment/protocol.h"
#include "eksperiment/registration.h"
#include "store_internal.h"

#define MARK_NAME  "eksperiment/registering"   /* in this work tree's git dir */
#define MARK_MAGIC "eksperiment registration under way"
#define MARK_MAX   (64 * 1024)                  /* more is not ours */

/* The commit the tag of `id` names, peeled; EKS_ENOTFOUND without one. */
static int tag_commit(char out[EKS_COMMIT_HEX], eks_repo *repo, const char *id)
{
	eks_buf ref = EKS_BUF_INIT;
	int rc;

	out[0] = '\0';
	if (eks_buf_printf(&ref, "refs/tags/" EKS_REGISTRATION_TAG, id) < 0)
		return EKS_ENOMEM;
	rc = eks_repo_resolve(out, repo, eks_buf_cstr(&ref));
	eks_buf_dispose(&ref);
	if (rc == EKS_ENOTFOUND)
		eks_error_clear();
	return rc;
}

/* Whether commit `ancestor` is `commit` or one of its ancestors. */
static int is_ancestor_or_same(eks_repo *repo, const char *ancestor, const char *commit)
{
	git_oid a, c;
	int r;

	if (!strcmp(ancestor, commit))
		return 1;
	if (git_oid_fromstr(&a, ancestor) < 0 || git_oid_fromstr(&c, commit) < 0)
		return 0;
	r = git_graph_descendant_of(repo->git, &c, &a);
	if (r < 0)
		return eks_store_git_error(EKS_EGIT, "cannot compare commits");
	return r;
}

/* The history's answer: the first commit adding the registration entry,
 * and the protocol_sha256 it recorded (*sha256 may be NULL). */
static int history_commit(char out[EKS_COMMIT_HEX], char **sha256, eks_repo *repo,
			  const char *rev, const char *id)
{
	eks_integrity *in = NULL;
	int rc;

	out[0] = '\0';
	if (sha256)
		*sha256 = NULL;
	rc = eks_integrity_load(&in, repo, rev, id);
	if (rc == 0 && !in->registered)
		rc = eks_error_set(EKS_ENOTFOUND, "'%s' is not registered in the history "
				   "of '%s'", id, rev);
	if (rc == 0) {
		snprintf(out, EKS_COMMIT_HEX, "%s", in->registration_commit);
		if (sha256 && in->protocol_sha256 && !(*sha256 = strdup(in->protocol_sha256)))
			rc = eks_error_oom();
	}
	eks_integrity_free(in);
	return rc;
}

int eks_registration_commit(char out[EKS_COMMIT_HEX], eks_repo *repo,
			    const char *rev, const char *id)
{
	char at[EKS_COMMIT_HEX], tagged[EKS_COMMIT_HEX];
	int rc;

	out[0] = '\0';
	if (!eks_experiment_id_valid(id))
		return eks_error_set(EKS_EUSAGE, "'%s' is not a valid experiment id",
				     id ? id : "");
	if (!rev)
		rev = "HEAD";
	if ((rc = eks_repo_resolve(at, repo, rev)) < 0)
		return rc;
	if ((rc = tag_commit(tagged, repo, id)) == 0) {
		if ((rc = is_ancestor_or_same(repo, tagged, at)) < 0)
			return rc;
		if (rc == 1) {
			memcpy(out, tagged, EKS_COMMIT_HEX);
			return 0;
		}
	} else if (rc != EKS_ENOTFOUND) {
		return rc;
	}
	return history_commit(out, NULL, repo, rev, id);
}

int eks_registration_tag(eks_repo *repo, const char *id, const char *commit,
			 const char *sha256, const char *author)
{
	eks_buf name = EKS_BUF_INIT, message = EKS_BUF_INIT;
	int rc;

	eks_buf_printf(&name, EKS_REGISTRATION_TAG, id);
	eks_buf_printf(&message, "Registration of %s\n", id);
	if (sha256)
		eks_buf_printf(&message, "\nprotocol_sha256 %s\n", sha256);
	if (eks_buf_oom(&name) || eks_buf_oom(&message))
		rc = eks_error_oom();
	else
		rc = eks_repo_tag(repo, eks_buf_cstr(&name), commit,
				  eks_buf_cstr(&message), author);
	eks_buf_dispose(&name);
	eks_buf_dispose(&message);
	return rc;
}

/* ---- the mark ------------------------------------------------------------ */

/* The marked ids, one a line after MARK_MAGIC. */
typedef struct mark {
	char **ids;
	size_t count, alloc;
} mark;

static void mark_release(mark *m)
{
	eks_strings_free(m->ids, m->count);
	memset(m, 0, sizeof(*m));
}

static int mark_add(mark *m, const char *id, size_t len)
{
	size_t i;

	for (i = 0; i < m->count; i++)
		if (strlen(m->ids[i]) == len && !strncmp(m->ids[i], id, len))
			return 0;
	if (m->count == m->alloc) {
		size_t alloc = m->alloc ? m->alloc * 2 : 4;
		char **grown = realloc(m->ids, alloc * sizeof(*grown));

		if (!grown)
			return eks_error_oom();
		m->ids = grown;
		m->alloc = alloc;
	}
	if (!(m->ids[m->count] = strndup(id, len)))
		return eks_error_oom();
	m->count++;
	return 0;
}

static void mark_remove(mark *m, const char *id)
{
	size_t i;

	for (i = 0; i < m->count; i++) {
		if (!strcmp(m->ids[i], id)) {
			free(m->ids[i]);
			memmove(&m->ids[i], &m->ids[i + 1], (m->count - i - 1) * sizeof(*m->ids));
			m->count--;
			return;
		}
	}
}

static int mark_path(eks_buf *path, const eks_repo *repo, const char *suffix)
{
	if (eks_buf_printf(path, "%s" MARK_NAME "%s", repo->gitdir, suffix) < 0)
		return EKS_ENOMEM;
	return 0;
}

/*
 * Read the mark.  Opened with O_NOFOLLOW: a symbolic link in its place
 * is not ours, and is read as no mark.  Lines that are not a valid id
 * (a hand-edited file) are skipped.
 */
static int mark_read(mark *m, eks_repo *repo)
{
	eks_buf path = EKS_BUF_INIT;
	char buf[MARK_MAX + 1];
	size_t got = 0;
	const char *line, *end;
	int fd, rc;

	memset(m, 0, sizeof(*m));
	if ((rc = mark_path(&path, repo, "")) < 0)
		return rc;
	fd = open(eks_buf_cstr(&path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR)
			rc = 0;
		else
			rc = eks_error_set(EKS_EIO, "cannot read '%s': %s",
					   eks_buf_cstr(&path), strerror(errno));
		eks_buf_dispose(&path);
		return rc;
	}
	while (got < MARK_MAX) {
		ssize_t n = read(fd, buf + got, MARK_MAX - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	line = buf;
	if (strncmp(line, MARK_MAGIC "\n", strlen(MARK_MAGIC) + 1)) {
		eks_buf_dispose(&path);
		return 0;
	}
	for (line += strlen(MARK_MAGIC) + 1; *line && rc == 0; line = *end ? end + 1 : end) {
		char id[80];
		size_t len;

		end = line + strcspn(line, "\n");
		len = (size_t)(end - line);
		if (len == 0 || len >= sizeof(id))
			continue;
		memcpy(id, line, len);
		id[len] = '\0';
		if (eks_experiment_id_valid(id))
			rc = mark_add(m, id, len);
	}
	eks_buf_dispose(&path);
	if (rc < 0)
		mark_release(m);
	return rc;
}

/*
 * Write the mark (remove it when no id is left): a temporary file,
 * created with O_EXCL|O_NOFOLLOW after removing a stale one, renamed into
 * place.  rename() replaces a symbolic link, never what it points to.
 */
static int mark_write(const mark *m, eks_repo *repo)
{
	eks_buf path = EKS_BUF_INIT, tmp = EKS_BUF_INIT, dir = EKS_BUF_INIT,
		text = EKS_BUF_INIT;
	const char *p;
	size_t i, left;
	int fd = -1, rc;

	if ((rc = mark_path(&path, repo, "")) < 0)
		goto done;
	if (!m->count) {
		if (unlink(eks_buf_cstr(&path)) < 0 && errno != ENOENT)
			rc = eks_error_set(EKS_EIO, "cannot remove '%s': %s",
					   eks_buf_cstr(&path), strerror(errno));
		goto done;
	}
	eks_buf_puts(&text, MARK_MAGIC "\n");
	for (i = 0; i < m->count; i++)
		eks_buf_printf(&text, "%s\n", m->ids[i]);
	if ((rc = mark_path(&tmp, repo, ".tmp")) < 0 ||
	    eks_buf_printf(&dir, "%seksperiment", repo->gitdir) < 0 || eks_buf_oom(&text)) {
		rc = eks_error_oom();
		goto done;
	}
	if ((rc = eks_store_mkdirs(eks_buf_cstr(&dir))) < 0)
		goto done;
	unlink(eks_buf_cstr(&tmp));
	fd = open(eks_buf_cstr(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0666);
	if (fd < 0) {
		rc = eks_error_set(EKS_EIO, "cannot create '%s': %s", eks_buf_cstr(&tmp),
				   strerror(errno));
		goto done;
	}
	for (p = text.ptr, left = text.len; left > 0;) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = eks_error_set(EKS_EIO, "cannot write '%s': %s",
					   eks_buf_cstr(&tmp), strerror(errno));
			goto done;
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", eks_buf_cstr(&tmp),
				   strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(eks_buf_cstr(&tmp), eks_buf_cstr(&path)) < 0)
		rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", eks_buf_cstr(&path),
				   strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp.ptr)
		unlink(eks_buf_cstr(&tmp));
	eks_buf_dispose(&path);
	eks_buf_dispose(&tmp);
	eks_buf_dispose(&dir);
	eks_buf_dispose(&text);
	return rc;
}

int eks_registration_mark(eks_repo *repo, const char *id)
{
	mark m;
	int rc;

	if (!eks_experiment_id_valid(id))
		return eks_error_set(EKS_EUSAGE, "'%s' is not a valid experiment id",
				     id ? id : "");
	if ((rc = mark_read(&m, repo)) < 0)
		return rc;
	if ((rc = mark_add(&m, id, strlen(id))) == 0)
		rc = mark_write(&m, repo);
	mark_release(&m);
	return rc;
}

int eks_registration_unmark(eks_repo *repo, const char *id)
{
	mark m;
	size_t before;
	int rc;

	if ((rc = mark_read(&m, repo)) < 0)
		return rc;
	before = m.count;
	if (id)
		mark_remove(&m, id);
	if (m.count != before || !m.count)
		rc = mark_write(&m, repo);
	mark_release(&m);
	return rc;
}

/* Finish the registration of one marked id; *made gets whether a tag
 * was made. */
static int repair_one(int *made, eks_repo *repo, const char *id, const char *author)
{
	char tagged[EKS_COMMIT_HEX], commit[EKS_COMMIT_HEX];
	char *sha256 = NULL;
	int rc;

	*made = 0;
	if ((rc = tag_commit(tagged, repo, id)) != EKS_ENOTFOUND)
		return rc;                      /* the tag is there (or an error) */
	rc = history_commit(commit, &sha256, repo, "HEAD", id);
	if (rc == EKS_ENOTFOUND) {
		/* killed before its commit: nothing was registered */
		eks_error_clear();
		return 0;
	}
	if (rc == 0 && (rc = eks_registration_tag(repo, id, commit, sha256, author)) == 0)
		*made = 1;
	free(sha256);
	return rc;
}

int eks_registration_repair(char ***made, size_t *made_count, eks_repo *repo,
			    const char *author)
{
	eks_buf path = EKS_BUF_INIT;
	struct stat st;
	mark m;
	size_t i, finished = 0;
	int rc;

	if (made) {
		*made = NULL;
		*made_count = 0;
	}
	if ((rc = mark_path(&path, repo, "")) < 0)
		return rc;
	rc = lstat(eks_buf_cstr(&path), &st);
	eks_buf_dispose(&path);
	if (rc < 0)
		return 0;                       /* the common case: no mark */
	if ((rc = eks_repo_lock(repo, repo->lock_timeout)) < 0)
		return rc;
	if ((rc = mark_read(&m, repo)) < 0)
		goto unlock;
	/* One id after the other; the first failure stops, and what is not
	 * finished stays marked for the next write. */
	for (i = 0; i < m.count; i++) {
		int tagged = 0;

		if ((rc = repair_one(&tagged, repo, m.ids[i], author)) < 0)
			break;
		finished++;
		if (tagged && made) {
			eks_buf name = EKS_BUF_INIT;
			char **grown = realloc(*made, (*made_count + 1) * sizeof(*grown));

			if (!grown) {
				rc = eks_error_oom();
				break;
			}
			*made = grown;
			eks_buf_printf(&name, EKS_REGISTRATION_TAG, m.ids[i]);
			if (eks_buf_oom(&name)) {
				rc = eks_error_oom();
				break;
			}
			(*made)[(*made_count)++] = eks_buf_detach(&name);
		}
	}
	if (rc == 0 || finished) {
		/* remove the finished ids (the first `finished`); a mark with
		 * no valid id in it is removed as well */
		int wrc;

		if (finished) {
			for (i = 0; i < finished; i++)
				free(m.ids[i]);
			memmove(m.ids, m.ids + finished,
				(m.count - finished) * sizeof(*m.ids));
			m.count -= finished;
		}
		wrc = mark_write(&m, repo);
		if (rc == 0)
			rc = wrc;
	}
	mark_release(&m);
unlock:
	eks_repo_unlock(repo);
	return rc;
}
