/*
 * store.c - the experiment repository in git, through libgit2.
 *
 * A write (eks_repo_commit) goes, under the repository lock (lock.c):
 *
 *   1. repair what a killed earlier write left (the journal, below);
 *   2. refuse when a changed path has uncommitted edits (in the work
 *      tree, or staged in git's index);
 *   3. blobs -> tree (from HEAD's tree, so only the trees along the
 *      changed paths are rebuilt; see splice_tree) -> commit object;
 *   4. write the journal .git/eksperiment/pending: the new commit, the
 *      branch and the paths;
 *   5. move the branch with a compare-and-swap against the id read in 3;
 *   6. write the work-tree files (temporary file + rename) and their
 *      index entries;
 *   7. remove the journal.
 *
 * Git's index is read in 2 and written in 6 by gitindex.c, which
 * replaces just the changed entries of the file (and the cached trees
 * above them); libgit2 reads and writes all of it when gitindex.c
 * cannot (see staged_index).  In a repository of 10 000 experiments
 * these two steps were half the time of a write.
 *
 * Killed before 5, the repository only gained unreachable objects and
 * nothing else changed (git fsck reports them as dangling, not as
 * errors).  Killed after 5, the commit is in the branch and the journal
 * tells the next command which paths to bring in line (repair_locked).
 * Nothing is fsync()ed: the guarantee is about killed processes, as
 * git's own default, not about power loss.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "gitindex_internal.h"
#include "store_internal.h"

#define SETTINGS_FILE   "eksperiment.yaml"
#define ATTRIBUTES_FILE ".gitattributes"
#define UNION_LINE      "experiments/*/log.yaml merge=union"
#define MAX_FILE_BYTES  (16u * 1024 * 1024)   /* SPEC 8.2 */
#define JOURNAL_MAGIC   "eksperiment pending write"

static const char *const who_are_you =
	"who are you? set your name and e-mail with: "
	"git config --global user.name \"Your Name\"; "
	"git config --global user.email you@example.com, "
	"or pass --author \"Name <email>\"";

int eks_store_git_error(int code, const char *what)
{
	const git_error *e = git_error_last();

	if (e && e->message && *e->message)
		return eks_error_set(code, "%s: %s", what, e->message);
	return eks_error_set(code, "%s", what);
}

int eks_store_mkdirs(const char *dir)
{
	char path[PATH_MAX];
	size_t i, len = strlen(dir);

	if (len >= sizeof(path))
		return eks_error_set(EKS_EIO, "path too long: '%s'", dir);
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0777) < 0 && errno != EEXIST) {
			int e = errno;

			return eks_error_set(EKS_EIO, "cannot create the directory '%s': %s",
					     path, strerror(e));
		}
		path[i] = dir[i];
	}
	return 0;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (!s)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

static char *dir_with_slash(const char *dir)
{
	size_t n = strlen(dir);

	return join(dir, n && dir[n - 1] == '/' ? "" : "/");
}

/* ---- opening ------------------------------------------------------------ */

void eks_repo_free(eks_repo *repo)
{
	if (!repo)
		return;
	while (repo->lock_depth > 0)
		eks_repo_unlock(repo);
	git_repository_free(repo->git);
	free(repo->workdir);
	free(repo->gitdir);
	free(repo->commondir);
	free(repo->eksdir);
	free(repo->journal);
	free(repo->warning);
	free(repo);
	/* Each open eks_repo holds one reference to libgit2 (see store.h). */
	git_libgit2_shutdown();
}

/*
 * libgit2 keeps only objects under 4 KiB in its cache by default; the
 * experiments/ tree of a large repository (10 000 entries, about 400 KiB)
 * would be parsed again for every file read from it.  Cache trees of any
 * reasonable size.
 */
static void cache_trees(void)
{
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, (int)GIT_OBJECT_TREE,
			 (size_t)16 * 1024 * 1024);
	/* Objects read from the repository are not hashed again to check
	 * them, as git itself does not on every read (git fsck does that);
	 * it was a tenth of the time of a write in a large repository. */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

/*
 * Wrap an open, non-bare git repository.  Takes ownership of `git` and of
 * one libgit2 reference, also on failure.
 */
static int repo_wrap(eks_repo **out, git_repository *git)
{
	eks_repo *repo = calloc(1, sizeof(*repo));

	*out = NULL;
	if (!repo) {
		git_repository_free(git);
		git_libgit2_shutdown();
		return eks_error_oom();
	}
	cache_trees();
	repo->git = git;
	repo->lock_fd = -1;
	repo->lock_timeout = EKS_LOCK_TIMEOUT_DEFAULT;
	repo->workdir = dir_with_slash(git_repository_workdir(git));
	repo->gitdir = dir_with_slash(git_repository_path(git));
	repo->commondir = dir_with_slash(git_repository_commondir(git));
	if (repo->commondir)
		repo->eksdir = join(repo->commondir, "eksperiment/");
	if (repo->gitdir)
		repo->journal = join(repo->gitdir, "eksperiment/pending");
	if (!repo->workdir || !repo->gitdir || !repo->commondir ||
	    !repo->eksdir || !repo->journal) {
		eks_repo_free(repo);
		return eks_error_oom();
	}
	*out = repo;
	return 0;
}

static int is_regular_file(const char *dir, const char *name)
{
	struct stat st;
	char *path = join(dir, name);
	int ok;

	if (!path)
		return 0;
	ok = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return ok;
}

static int bare_error(const char *path)
{
	return eks_error_set(EKS_ENOREPO, "'%s' is a bare git repository: eksperiment "
			     "needs a work tree (clone it, or use 'git worktree add')",
			     path);
}

int eks_repo_discover(eks_repo **out, const char *start_dir)
{
	git_repository *git = NULL;
	eks_repo *repo = NULL;
	int err, rc;

	*out = NULL;
	if (git_libgit2_init() < 0)
		return eks_store_git_error(EKS_EGIT, "cannot initialise libgit2");
	err = git_repository_open_ext(&git, start_dir ? start_dir : ".", 0,
				      getenv("GIT_CEILING_DIRECTORIES"));
	if (err == GIT_ENOTFOUND) {
		rc = eks_error_set(EKS_ENOREPO, "not an eksperiment repository (or any "
				   "parent up to /): run 'eksperiment init' first");
		goto fail;
	}
	if (err < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot open the git repository");
		goto fail;
	}
	if (git_repository_is_bare(git)) {
		rc = bare_error(git_repository_path(git));
		goto fail;
	}
	if ((rc = repo_wrap(&repo, git)) < 0)
		return rc;
	if (!is_regular_file(repo->workdir, SETTINGS_FILE)) {
		rc = eks_error_set(EKS_ENOREPO, "not an eksperiment repository: the git "
				   "repository '%s' has no " SETTINGS_FILE "; run "
				   "'eksperiment init' there first", repo->workdir);
		eks_repo_free(repo);
		return rc;
	}
	*out = repo;
	return 0;
fail:
	git_repository_free(git);
	git_libgit2_shutdown();
	return rc;
}

const char *eks_repo_workdir(const eks_repo *repo)
{
	return repo->workdir;
}

const char *eks_repo_eksdir(const eks_repo *repo)
{
	return repo->eksdir;
}

const char *eks_repo_warning(const eks_repo *repo)
{
	return repo->warning;
}

/* ---- revisions and reading ---------------------------------------------- */

static int lookup_commit(git_commit **out, eks_repo *repo, const char *rev)
{
	git_object *obj = NULL;
	int err, rc = 0;

	*out = NULL;
	if (!rev || !*rev)
		rev = "HEAD";
	err = git_revparse_single(&obj, repo->git, rev);
	if (err == GIT_EAMBIGUOUS) {
		rc = eks_error_set(EKS_ENOTFOUND, "ambiguous revision '%s': give more "
				   "hex digits", rev);
	} else if (err == GIT_ENOTFOUND || err == GIT_EINVALIDSPEC ||
		   err == GIT_EUNBORNBRANCH) {
		if (git_repository_head_unborn(repo->git) == 1 &&
		    !strncmp(rev, "HEAD", 4))
			rc = eks_error_set(EKS_ENOTFOUND, "unknown revision '%s': the "
					   "repository has no commits yet", rev);
		else
			rc = eks_error_set(EKS_ENOTFOUND, "unknown revision '%s'", rev);
	} else if (err < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot resolve the revision");
	} else if (git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = eks_error_set(EKS_ENOTFOUND, "revision '%s' is not a commit", rev);
	}
	git_object_free(obj);
	return rc;
}

int eks_repo_resolve(char out[EKS_COMMIT_HEX], eks_repo *repo, const char *rev)
{
	git_commit *commit = NULL;
	int rc;

	out[0] = '\0';
	if ((rc = lookup_commit(&commit, repo, rev)) < 0)
		return rc;
	git_oid_tostr(out, EKS_COMMIT_HEX, git_commit_id(commit));
	git_commit_free(commit);
	return 0;
}

int eks_repo_merge_base(char out[EKS_COMMIT_HEX], eks_repo *repo,
			const char *a, const char *b)
{
	git_commit *ca = NULL, *cb = NULL;
	git_oid base;
	int err, rc;

	out[0] = '\0';
	if ((rc = lookup_commit(&ca, repo, a)) < 0 ||
	    (rc = lookup_commit(&cb, repo, b)) < 0)
		goto done;
	err = git_merge_base(&base, repo->git, git_commit_id(ca), git_commit_id(cb));
	if (err == GIT_ENOTFOUND)
		rc = eks_error_set(EKS_ENOTFOUND, "'%s' and '%s' have no merge base: "
				   "their histories share no commit", a, b);
	else if (err < 0)
		rc = eks_store_git_error(EKS_EGIT, "cannot find the merge base");
	else
		git_oid_tostr(out, EKS_COMMIT_HEX, &base);
done:
	git_commit_free(ca);
	git_commit_free(cb);
	return rc;
}

/*
 * A path inside the repository as eksperiment writes it: relative, '/'
 * separated, no empty, '.', '..' or '.git' component, no control
 * characters and no backslash.
 */
static int check_path(const char *path)
{
	const char *p = path, *why = NULL;
	size_t n;

	if (!path || !*path)
		return eks_error_set(EKS_EUSAGE, "empty path");
	if (strlen(path) > 1024)
		why = "it is too long";
	for (p = path; !why && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			why = "it contains a control character or a backslash";
	for (p = path; !why; p += n + 1) {
		n = strcspn(p, "/");
		if (n == 0)
			why = "it has an empty component";
		else if ((n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			why = "it has a '.' or '..' component";
		else if (n == 4 && !strncasecmp(p, ".git", 4))
			why = "it names git's own directory";
		if (!p[n])
			break;
	}
	if (why)
		return eks_error_set(EKS_EUSAGE, "invalid path '%s': %s", path, why);
	return 0;
}

int eks_repo_read(char **data, size_t *len, eks_repo *repo,
		  const char *commit, const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	const char *rev = commit && *commit ? commit : "HEAD";
	git_object_size_t size;
	char *buf;
	int rc, err;

	*data = NULL;
	if (len)
		*len = 0;
	if ((rc = check_path(path)) < 0)
		return rc;
	if ((rc = lookup_commit(&c, repo, rev)) < 0)
		return rc;
	if (git_commit_tree(&tree, c) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read the commit's tree");
		goto done;
	}
	err = git_tree_entry_bypath(&entry, tree, path);
	if (err == GIT_ENOTFOUND) {
		rc = eks_error_set(EKS_ENOTFOUND, "no file '%s' in revision '%s'", path, rev);
		goto done;
	}
	if (err < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read the tree");
		goto done;
	}
	if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		rc = eks_error_set(EKS_EREFUSED, "'%s' is a symbolic link in revision '%s': "
				   "eksperiment reads only regular files", path, rev);
		goto done;
	}
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		rc = eks_error_set(EKS_ENOTFOUND, "'%s' is not a file in revision '%s'",
				   path, rev);
		goto done;
	}
	if (git_blob_lookup(&blob, repo->git, git_tree_entry_id(entry)) < 0) {
		rc = eks_store_git_error(EKS_ECORRUPT, "cannot read a file from git");
		goto done;
	}
	size = git_blob_rawsize(blob);
	if (size > MAX_FILE_BYTES) {
		rc = eks_error_set(EKS_EREFUSED, "'%s' in revision '%s' is larger than "
				   "16 MiB", path, rev);
		goto done;
	}
	if (!(buf = malloc((size_t)size + 1))) {
		rc = eks_error_oom();
		goto done;
	}
	memcpy(buf, git_blob_rawcontent(blob), (size_t)size);
	buf[size] = '\0';
	*data = buf;
	if (len)
		*len = (size_t)size;
done:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

void eks_strings_free(char **strings, size_t count)
{
	size_t i;

	if (!strings)
		return;
	for (i = 0; i < count; i++)
		free(strings[i]);
	free(strings);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The tree of experiments/ in `rev`, or NULL when it has none. */
static int experiments_tree(git_tree **out, eks_repo *repo, const char *rev)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	int rc, err;

	*out = NULL;
	if ((rc = lookup_commit(&c, repo, rev)) < 0)
		return rc;
	if (git_commit_tree(&tree, c) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read the commit's tree");
		goto done;
	}
	err = git_tree_entry_bypath(&entry, tree, "experiments");
	if (err == GIT_ENOTFOUND || (!err && git_tree_entry_type(entry) != GIT_OBJECT_TREE))
		goto done;
	if (err < 0 || git_tree_lookup(out, repo->git, git_tree_entry_id(entry)) < 0)
		rc = eks_store_git_error(EKS_EGIT, "cannot read experiments/");
done:
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

int eks_repo_experiments(char ***ids, size_t *count, eks_repo *repo,
			 const char *commit)
{
	git_tree *dir = NULL;
	char **list = NULL;
	size_t i, n = 0, total;
	int rc;

	*ids = NULL;
	*count = 0;
	if ((rc = experiments_tree(&dir, repo, commit)) < 0 || !dir)
		return rc;
	total = git_tree_entrycount(dir);
	if (total && !(list = calloc(total, sizeof(*list)))) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < total; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(dir, i);

		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		if (!(list[n] = strdup(git_tree_entry_name(e)))) {
			rc = eks_error_oom();
			goto done;
		}
		n++;
	}
	/* git orders "a-b" before "a" (as "a/"); callers expect strcmp order. */
	if (n)
		qsort(list, n, sizeof(*list), compare_strings);
	*ids = list;
	*count = n;
	list = NULL;
done:
	eks_strings_free(list, n);
	git_tree_free(dir);
	return rc;
}

static const git_tree_entry *experiment_entry(const git_tree *tree, const char *id)
{
	const git_tree_entry *e = tree ? git_tree_entry_byname(tree, id) : NULL;

	return e && git_tree_entry_type(e) == GIT_OBJECT_TREE ? e : NULL;
}

static int add_changed_name(char ***list, size_t *n, const char *name)
{
	char **grown = realloc(*list, (*n + 1) * sizeof(**list));

	if (!grown)
		return eks_error_oom();
	*list = grown;
	if (!(grown[*n] = strdup(name)))
		return eks_error_oom();
	(*n)++;
	return 0;
}

/* Append the experiments of `tree` that `other` lacks or holds differently. */
static int add_changed(char ***list, size_t *n, const git_tree *tree, const git_tree *other)
{
	size_t i, total = tree ? git_tree_entrycount(tree) : 0;
	int rc;

	for (i = 0; i < total; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const git_tree_entry *o;

		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		o = experiment_entry(other, git_tree_entry_name(e));
		if (o && git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(e)))
			continue;
		if ((rc = add_changed_name(list, n, git_tree_entry_name(e))) < 0)
			return rc;
	}
	return 0;
}

int eks_repo_changed_experiments(char ***ids, size_t *count, eks_repo *repo,
				 const char *from, const char *to)
{
	git_tree *old = NULL, *new = NULL;
	char **list = NULL;
	size_t n = 0, i;
	int rc;

	*ids = NULL;
	*count = 0;
	if ((rc = experiments_tree(&new, repo, to)) < 0 ||
	    (from && *from && (rc = experiments_tree(&old, repo, from)) < 0))
		goto done;
	/* Changed or added (in `to`), then removed (only in `from`). */
	if ((rc = add_changed(&list, &n, new, old)) < 0)
		goto done;
	for (i = 0; old && i < git_tree_entrycount(old); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(old, i);

		if (git_tree_entry_type(e) == GIT_OBJECT_TREE &&
		    !experiment_entry(new, git_tree_entry_name(e)) &&
		    (rc = add_changed_name(&list, &n, git_tree_entry_name(e))) < 0)
			goto done;
	}
	if (n)
		qsort(list, n, sizeof(*list), compare_strings);
	*ids = list;
	*count = n;
	list = NULL;
	n = 0;
done:
	eks_strings_free(list, n);
	git_tree_free(old);
	git_tree_free(new);
	return rc;
}

/* ---- who commits -------------------------------------------------------- */

typedef struct identity {
	char *name;
	char *email;
} identity;

static void identity_clear(identity *id)
{
	free(id->name);
	free(id->email);
	id->name = id->email = NULL;
}

static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

/* "Name <email>": both parts non-empty, no angle brackets or control
 * characters inside, nothing after the '>'. */
static int identity_parse(identity *id, const char *s)
{
	const char *lt = strchr(s, '<'), *gt = strrchr(s, '>'), *p;
	int rc = 0;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20)
			goto bad;
	if (!lt || !gt || gt < lt || strchr(lt + 1, '<') || strchr(s, '>') != gt)
		goto bad;
	for (p = gt + 1; *p; p++)
		if (*p != ' ' && *p != '\t')
			goto bad;
	id->name = trimmed(s, (size_t)(lt - s));
	id->email = trimmed(lt + 1, (size_t)(gt - lt - 1));
	if (!id->name || !id->email) {
		identity_clear(id);
		return eks_error_oom();
	}
	if (!*id->name || !*id->email || strpbrk(id->email, " \t")) {
		identity_clear(id);
		goto bad;
	}
	return rc;
bad:
	return eks_error_set(EKS_EUSAGE, "invalid author '%s': write it as "
			     "\"Name <email>\"", s);
}

static int config_string(char **out, git_config *cfg, const char *key)
{
	git_buf buf = { NULL, 0, 0 };
	int err;

	*out = NULL;
	if (!cfg)
		return 0;
	err = git_config_get_string_buf(&buf, cfg, key);
	if (err == GIT_ENOTFOUND)
		return 0;
	if (err < 0)
		return eks_store_git_error(EKS_EGIT, "cannot read git config");
	if (buf.ptr && *buf.ptr && !(*out = strdup(buf.ptr))) {
		git_buf_dispose(&buf);
		return eks_error_oom();
	}
	git_buf_dispose(&buf);
	return 0;
}

static int env_or_config(char **out, const char *env, git_config *cfg, const char *key)
{
	const char *v = getenv(env);

	if (v && *v)
		return (*out = strdup(v)) ? 0 : eks_error_oom();
	return config_string(out, cfg, key);
}

/*
 * The identity git would use: $GIT_<ROLE>_NAME / $GIT_<ROLE>_EMAIL, else
 * user.name / user.email, else $EMAIL for the address.  Missing parts
 * leave the fields NULL.  `git` NULL: the global configuration.
 */
static int identity_from_git(identity *id, git_repository *git, const char *role)
{
	git_config *cfg = NULL;
	char env_name[64], env_email[64];
	int rc = 0, err;

	err = git ? git_repository_config_snapshot(&cfg, git)
		  : git_config_open_default(&cfg);
	if (err < 0 && err != GIT_ENOTFOUND)
		return eks_store_git_error(EKS_EGIT, "cannot read git config");
	snprintf(env_name, sizeof(env_name), "GIT_%s_NAME", role);
	snprintf(env_email, sizeof(env_email), "GIT_%s_EMAIL", role);
	if ((rc = env_or_config(&id->name, env_name, cfg, "user.name")) < 0 ||
	    (rc = env_or_config(&id->email, env_email, cfg, "user.email")) < 0)
		goto done;
	if (!id->email && getenv("EMAIL") && *getenv("EMAIL") &&
	    !(id->email = strdup(getenv("EMAIL"))))
		rc = eks_error_oom();
done:
	git_config_free(cfg);
	if (rc < 0)
		identity_clear(id);
	return rc;
}

/* The author for a commit: `override`, else the configured identity. */
static int author_identity(identity *id, git_repository *git, const char *override)
{
	int rc;

	if (override)
		return identity_parse(id, override);
	if ((rc = identity_from_git(id, git, "AUTHOR")) < 0)
		return rc;
	if (!id->name || !id->email) {
		identity_clear(id);
		return eks_error_set(EKS_EUSAGE, "%s", who_are_you);
	}
	return 0;
}

int eks_repo_author(char **out, eks_repo *repo, const char *override)
{
	identity id = { NULL, NULL };
	eks_buf b = EKS_BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = author_identity(&id, repo ? repo->git : NULL, override)) < 0)
		return rc;
	if ((rc = eks_buf_printf(&b, "%s <%s>", id.name, id.email)) == 0)
		*out = eks_buf_detach(&b);
	identity_clear(&id);
	return rc;
}

/* Author and committer signatures, now.  The committer is the configured
 * identity, as in git; when there is none, the author commits too. */
static int make_signatures(git_signature **author, git_signature **committer,
			   eks_repo *repo, const char *override)
{
	identity a = { NULL, NULL }, c = { NULL, NULL };
	int rc;

	*author = *committer = NULL;
	if ((rc = author_identity(&a, repo->git, override)) < 0)
		return rc;
	if ((rc = identity_from_git(&c, repo->git, "COMMITTER")) < 0)
		goto done;
	if (git_signature_now(author, a.name, a.email) < 0) {
		rc = eks_store_git_error(EKS_EUSAGE, "invalid author");
		goto done;
	}
	if (!c.name || !c.email || git_signature_now(committer, c.name, c.email) < 0) {
		if (git_signature_dup(committer, *author) < 0)
			rc = eks_store_git_error(EKS_ENOMEM, "cannot copy the signature");
	}
done:
	if (rc < 0) {
		git_signature_free(*author);
		*author = NULL;
	}
	identity_clear(&a);
	identity_clear(&c);
	return rc;
}

/* ---- the work tree ------------------------------------------------------ */

/*
 * Check (create == 0) or create the directories of `path` (relative)
 * under the work tree.  A component that exists as anything but a
 * directory (a symbolic link in particular, which could lead outside the
 * repository) is refused.
 */
static int worktree_dirs(eks_repo *repo, const char *path, int create)
{
	eks_buf b = EKS_BUF_INIT;
	const char *slash;
	struct stat st;
	int rc = 0;

	if ((rc = eks_buf_puts(&b, repo->workdir)) < 0)
		return rc;
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		eks_buf_clear(&b);
		if ((rc = eks_buf_puts(&b, repo->workdir)) < 0 ||
		    (rc = eks_buf_put(&b, path, (size_t)(slash - path))) < 0)
			goto done;
		if (lstat(b.ptr, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				continue;
			rc = eks_error_set(EKS_EREFUSED, "cannot write '%s': '%.*s' is not a "
					   "directory (symbolic links are refused)", path,
					   (int)(slash - path), path);
			goto done;
		}
		if (!create)
			break;     /* the rest does not exist either */
		if (mkdir(b.ptr, 0777) < 0 && errno != EEXIST) {
			rc = eks_error_set(EKS_EIO, "cannot create the directory '%s': %s",
					   b.ptr, strerror(errno));
			goto done;
		}
	}
done:
	eks_buf_dispose(&b);
	return rc;
}

/* "<workdir><dir>/.<base>.eks-tmp": one per path; we hold the lock. */
static int temp_path(eks_buf *b, eks_repo *repo, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	eks_buf_clear(b);
	if (eks_buf_puts(b, repo->workdir) < 0 ||
	    eks_buf_put(b, path, (size_t)(base - path)) < 0 ||
	    eks_buf_printf(b, ".%s.eks-tmp", base) < 0)
		return EKS_ENOMEM;
	return 0;
}

/* Write a work-tree file so that it is never seen half written. */
static int write_file_atomic(struct stat *st, eks_repo *repo, const char *path,
			     const void *data, size_t len, int executable)
{
	eks_buf tmp = EKS_BUF_INIT, full = EKS_BUF_INIT;
	const char *p = data;
	int fd = -1, rc;

	if ((rc = worktree_dirs(repo, path, 1)) < 0 ||
	    (rc = temp_path(&tmp, repo, path)) < 0 ||
	    (rc = eks_buf_printf(&full, "%s%s", repo->workdir, path)) < 0)
		goto done;
	unlink(tmp.ptr);
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  executable ? 0777 : 0666);
	if (fd < 0) {
		rc = eks_error_set(EKS_EIO, "cannot create '%s': %s", tmp.ptr, strerror(errno));
		goto done;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", tmp.ptr,
					   strerror(errno));
			goto done;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, full.ptr) < 0) {
		rc = eks_error_set(EKS_EIO, "cannot replace '%s': %s", full.ptr,
				   strerror(errno));
		goto done;
	}
	if (lstat(full.ptr, st) < 0)
		rc = eks_error_set(EKS_EIO, "cannot stat '%s': %s", full.ptr, strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp.ptr)
		unlink(tmp.ptr);
	eks_buf_dispose(&tmp);
	eks_buf_dispose(&full);
	return rc;
}

/* Delete a work-tree file and the directories it leaves empty. */
static int remove_file(eks_repo *repo, const char *path)
{
	eks_buf full = EKS_BUF_INIT;
	char *slash;
	int rc;

	if ((rc = eks_buf_printf(&full, "%s%s", repo->workdir, path)) < 0)
		return rc;
	if (unlink(full.ptr) < 0 && errno != ENOENT && errno != ENOTDIR) {
		rc = eks_error_set(EKS_EIO, "cannot remove '%s': %s", full.ptr,
				   strerror(errno));
		goto done;
	}
	while ((slash = strrchr(full.ptr + strlen(repo->workdir), '/')) != NULL) {
		*slash = '\0';
		if (rmdir(full.ptr) < 0)
			break;
	}
done:
	eks_buf_dispose(&full);
	return rc;
}

static void index_entry_from_stat(git_index_entry *ie, const struct stat *st)
{
	ie->ctime.seconds = (int32_t)st->st_ctim.tv_sec;
	ie->ctime.nanoseconds = (uint32_t)st->st_ctim.tv_nsec;
	ie->mtime.seconds = (int32_t)st->st_mtim.tv_sec;
	ie->mtime.nanoseconds = (uint32_t)st->st_mtim.tv_nsec;
	ie->dev = (uint32_t)st->st_dev;
	ie->ino = (uint32_t)st->st_ino;
	ie->uid = (uint32_t)st->st_uid;
	ie->gid = (uint32_t)st->st_gid;
	ie->file_size = (uint32_t)st->st_size;
}

/* ---- git's index ------------------------------------------------------- */

/*
 * Git's index as a write sees it.  gitindex.c reads it (a map of the
 * file, and the entries of the paths being written) and updates those
 * entries in place; libgit2 reads all of it only when gitindex.c cannot
 * (no index file yet, or a format it leaves to libgit2).  In a large
 * repository that is the difference between about 1 ms and 40 ms.
 */
typedef struct staged_index {
	eks_gitindex *fast;      /* gitindex.c's reading, or NULL */
	git_index *git;          /* else libgit2's (the repository's own) */
} staged_index;

static void staged_index_clear(staged_index *s)
{
	eks_gitindex_free(s->fast);
	git_index_free(s->git);
	s->fast = NULL;
	s->git = NULL;
}

/* core.ignorecase: libgit2's index then finds paths whatever their case,
 * which gitindex.c does not do. */
static int ignores_case(eks_repo *repo)
{
	git_config *cfg = NULL;
	int on = 0;

	if (git_repository_config_snapshot(&cfg, repo->git) == 0 &&
	    git_config_get_bool(&on, cfg, "core.ignorecase") < 0)
		on = 0;
	git_config_free(cfg);
	return on;
}

/* Read git's index for a write of `paths` (borrowed until cleared). */
static int staged_index_read(staged_index *s, eks_repo *repo, char *const *paths, size_t n)
{
	eks_buf path = EKS_BUF_INIT;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!ignores_case(repo)) {
		if ((rc = eks_buf_printf(&path, "%sindex", repo->gitdir)) < 0)
			return rc;
		rc = eks_gitindex_open(&s->fast, path.ptr, (const char *const *)paths, n);
		eks_buf_dispose(&path);
		if (rc == 0 && s->fast)
			return 0;
		if (rc == EKS_ENOMEM)
			return rc;
	}
	eks_error_clear();
	if (git_repository_index(&s->git, repo->git) < 0 || git_index_read(s->git, 0) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read git's index");
		staged_index_clear(s);
		return rc;
	}
	return 0;
}

/* What a path holds after a write. */
typedef struct path_target {
	const char *path;
	int present;             /* 0: deleted */
	git_oid id;              /* the blob */
	git_filemode_t mode;
	const char *data;        /* its content when the caller has it, else NULL */
	size_t len;
} path_target;

/* The directories above the changed paths with their trees before and
 * after the write, for the cached trees in git's index (gitindex.c).
 * Each `dir` is allocated; free with dirs_free. */
typedef struct dir_list {
	eks_gitindex_tree *items;
	size_t count;
} dir_list;

static void dirs_free(dir_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		free((char *)l->items[i].dir);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

/* Add `dir` (`len` bytes) unless it is there; *added the new item or NULL. */
static int dirs_add(eks_gitindex_tree **added, dir_list *l, const char *dir, size_t len)
{
	eks_gitindex_tree *grown;
	size_t i;

	*added = NULL;
	for (i = 0; i < l->count; i++)
		if (strlen(l->items[i].dir) == len && !memcmp(l->items[i].dir, dir, len))
			return 0;
	if (!(grown = realloc(l->items, (l->count + 1) * sizeof(*grown))))
		return eks_error_oom();
	l->items = grown;
	memset(&grown[l->count], 0, sizeof(*grown));
	if (!(grown[l->count].dir = strndup(dir, len)))
		return eks_error_oom();
	*added = &grown[l->count++];
	return 0;
}

/* The id of the tree at directory `dir` of `root` ("" is the root). */
static int dir_tree_id(git_oid *id, git_tree *root, const char *dir)
{
	git_tree_entry *e = NULL;
	int ok = 0;

	if (!root)
		return 0;
	if (!*dir) {
		git_oid_cpy(id, git_tree_id(root));
		return 1;
	}
	if (git_tree_entry_bypath(&e, root, dir) == 0 && git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		git_oid_cpy(id, git_tree_entry_id(e));
		ok = 1;
	}
	git_tree_entry_free(e);
	return ok;
}

/* The directories above `paths` from the root trees of the commit before
 * (`old_root`, may be NULL) and after.  One the new tree no longer has is
 * left out: gitindex.c then invalidates its cached tree. */
static int dirs_from_trees(dir_list *l, git_tree *old_root, git_tree *new_root,
			   char *const *paths, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const char *slash = paths[i];
		size_t len = 0;

		for (;;) {
			eks_gitindex_tree *d;

			if ((rc = dirs_add(&d, l, paths[i], len)) < 0)
				return rc;
			if (d && !dir_tree_id(&d->new_id, new_root, d->dir)) {
				free((char *)d->dir);      /* gone in the new tree: */
				l->count--;                /* invalidated by gitindex.c */
			} else if (d) {
				d->has_old = dir_tree_id(&d->old_id, old_root, d->dir);
			}
			if (!(slash = strchr(paths[i] + len + (len ? 1 : 0), '/')))
				break;
			len = (size_t)(slash - paths[i]);
		}
	}
	return 0;
}

/*
 * Make the work tree and the index hold the `targets` (absent: deleted
 * from both).  The index entries get the blob ids and the stat data of
 * the file just written, so git sees them clean without hashing them
 * again.  `staged` is the index as read before the write (read for at
 * least these paths); `dirs` the trees above them, for its cached trees.
 */
static int checkout_paths(eks_repo *repo, const path_target *targets, size_t n,
			  staged_index *staged, const dir_list *dirs)
{
	git_index *index = NULL;
	git_blob *blob = NULL;
	eks_gitindex_change *changes = NULL;
	size_t i;
	int rc = 0, in_place = staged->fast != NULL;

	if (!(changes = calloc(n, sizeof(*changes))))
		return eks_error_oom();
	/* Can gitindex.c replace all the entries? */
	for (i = 0; i < n; i++)
		if (!targets[i].present || !eks_gitindex_plain(staged->fast, targets[i].path))
			in_place = 0;
	if (!in_place &&
	    (git_repository_index(&index, repo->git) < 0 || git_index_read(index, 0) < 0)) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read git's index");
		goto done;
	}

	/* The work tree. */
	for (i = 0; i < n; i++) {
		const path_target *t = &targets[i];
		const void *data = t->data;
		size_t len = t->len;

		if (!t->present) {
			if ((rc = remove_file(repo, t->path)) < 0)
				goto done;
			continue;
		}
		if (!data) {
			if (git_blob_lookup(&blob, repo->git, &t->id) < 0) {
				rc = eks_store_git_error(EKS_EGIT, "cannot read a committed file");
				goto done;
			}
			data = git_blob_rawcontent(blob);
			len = (size_t)git_blob_rawsize(blob);
		}
		changes[i].path = t->path;
		changes[i].mode = t->mode;
		git_oid_cpy(&changes[i].id, &t->id);
		rc = write_file_atomic(&changes[i].st, repo, t->path, data, len,
				       t->mode == GIT_FILEMODE_BLOB_EXECUTABLE);
		git_blob_free(blob);
		blob = NULL;
		if (rc < 0)
			goto done;
	}

	/* The index. */
	if (in_place) {
		rc = eks_gitindex_write(staged->fast, changes, n, dirs->items, dirs->count,
					repo->workdir);
		if (rc != EKS_GITINDEX_STALE)
			goto done;
		/* Another program changed the index meanwhile: libgit2 reads it
		 * again and updates the entries. */
		rc = 0;
		if (git_repository_index(&index, repo->git) < 0 || git_index_read(index, 0) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot read git's index");
			goto done;
		}
	}
	for (i = 0; i < n; i++) {
		git_index_entry ie;

		if (!targets[i].present) {
			if (git_index_remove_bypath(index, targets[i].path) < 0) {
				rc = eks_store_git_error(EKS_EGIT, "cannot update git's index");
				goto done;
			}
			continue;
		}
		memset(&ie, 0, sizeof(ie));
		index_entry_from_stat(&ie, &changes[i].st);
		ie.mode = changes[i].mode;
		git_oid_cpy(&ie.id, &changes[i].id);
		ie.path = targets[i].path;
		if (git_index_add(index, &ie) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot update git's index");
			goto done;
		}
	}
	if (git_index_write(index) < 0)
		rc = eks_store_git_error(EKS_EGIT, "cannot write git's index");
done:
	git_blob_free(blob);
	git_index_free(index);
	free(changes);
	return rc;
}

/* The targets of `paths` in `tree`. */
static int targets_from_tree(path_target *targets, git_tree *tree, char *const *paths, size_t n)
{
	git_tree_entry *e = NULL;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		memset(&targets[i], 0, sizeof(targets[i]));
		targets[i].path = paths[i];
		err = git_tree_entry_bypath(&e, tree, paths[i]);
		if (err == GIT_ENOTFOUND)
			continue;
		if (err < 0)
			return eks_store_git_error(EKS_EGIT, "cannot read a committed file");
		targets[i].present = 1;
		targets[i].mode = git_tree_entry_filemode(e);
		git_oid_cpy(&targets[i].id, git_tree_entry_id(e));
		git_tree_entry_free(e);
		e = NULL;
	}
	return 0;
}

/* ---- comparing versions of one path ------------------------------------- */

/* A version of a file: absent, a blob, or something else (directory, link). */
typedef struct version {
	enum { V_ABSENT, V_BLOB, V_OTHER } kind;
	git_oid id;
} version;

static int version_equal(const version *a, const version *b)
{
	if (a->kind != b->kind)
		return 0;
	return a->kind != V_BLOB || git_oid_equal(&a->id, &b->id);
}

static int version_in_tree(version *v, git_tree *tree, const char *path)
{
	git_tree_entry *entry = NULL;
	int err;

	v->kind = V_ABSENT;
	if (!tree)
		return 0;
	err = git_tree_entry_bypath(&entry, tree, path);
	if (err == GIT_ENOTFOUND)
		return 0;
	if (err < 0)
		return eks_store_git_error(EKS_EGIT, "cannot read the tree");
	if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB &&
	    git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK) {
		v->kind = V_BLOB;
		git_oid_cpy(&v->id, git_tree_entry_id(entry));
	} else {
		v->kind = V_OTHER;
	}
	git_tree_entry_free(entry);
	return 0;
}

/* The stage-0 entry of `path` (one of those `staged` was read for). */
static void version_in_index(version *v, const staged_index *staged, const char *path)
{
	const git_index_entry *e;

	v->kind = V_ABSENT;
	if (staged->fast) {
		if (eks_gitindex_find(&v->id, staged->fast, path))
			v->kind = V_BLOB;
		return;
	}
	if ((e = git_index_get_bypath(staged->git, path, 0)) != NULL) {
		v->kind = V_BLOB;
		git_oid_cpy(&v->id, &e->id);
	}
}

/*
 * The work-tree file as git would store it.  The raw bytes are hashed
 * first: when they already are `expect` (the usual case) git's filters
 * (end-of-line conversion) need not be looked up, which would read the
 * attributes and with them git's index.
 */
static int version_in_worktree(version *v, eks_repo *repo, const char *path,
			       const version *expect)
{
	eks_buf full = EKS_BUF_INIT;
	struct stat st;
	int rc = 0;

	v->kind = V_ABSENT;
	if ((rc = eks_buf_printf(&full, "%s%s", repo->workdir, path)) < 0)
		return rc;
	if (lstat(full.ptr, &st) < 0) {
		if (errno == ENOTDIR)
			v->kind = V_OTHER;
		else if (errno != ENOENT)
			rc = eks_error_set(EKS_EIO, "cannot stat '%s': %s", full.ptr,
					   strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		v->kind = V_OTHER;
	} else if (git_odb_hashfile(&v->id, full.ptr, GIT_OBJECT_BLOB) < 0) {
		rc = eks_store_git_error(EKS_EIO, "cannot read a work-tree file");
	} else {
		v->kind = V_BLOB;
		if ((!expect || !version_equal(v, expect)) &&
		    git_repository_hashfile(&v->id, repo->git, path, GIT_OBJECT_BLOB,
					    NULL) < 0)
			rc = eks_store_git_error(EKS_EIO, "cannot read a work-tree file");
	}
	eks_buf_dispose(&full);
	return rc;
}

/*
 * Refuse to overwrite uncommitted work: the write may go ahead when the
 * work tree and the index hold HEAD's version of `path`, or already hold
 * the new one.
 */
static int check_clean(eks_repo *repo, git_tree *head, const staged_index *index,
		       const char *path, const version *next)
{
	version committed, staged, work;
	int rc;

	if ((rc = version_in_tree(&committed, head, path)) < 0 ||
	    (rc = version_in_worktree(&work, repo, path, &committed)) < 0)
		return rc;
	version_in_index(&staged, index, path);
	if (version_equal(&work, &committed) && version_equal(&staged, &committed))
		return 0;
	if (version_equal(&work, next) &&
	    (version_equal(&staged, &committed) || version_equal(&staged, next)))
		return 0;
	if (work.kind == V_OTHER)
		return eks_error_set(EKS_EREFUSED, "'%s' is not a regular file in the work "
				     "tree; move it away first", path);
	if (committed.kind == V_ABSENT && staged.kind == V_ABSENT)
		return eks_error_set(EKS_EREFUSED, "'%s' exists in the work tree but is not "
				     "committed; commit it with git or move it away first",
				     path);
	if (!version_equal(&staged, &committed))
		return eks_error_set(EKS_EREFUSED, "'%s' has uncommitted changes (staged in "
				     "git's index): commit them with git first, or discard "
				     "them with 'git checkout HEAD -- %s'", path, path);
	return eks_error_set(EKS_EREFUSED, "'%s' has uncommitted changes: commit them "
			     "with git first, or discard them with 'git checkout -- %s'",
			     path, path);
}

/* ---- HEAD --------------------------------------------------------------- */

typedef struct head_state {
	char *refname;    /* the branch HEAD points to, or "HEAD" when detached */
	git_oid id;
	int born;         /* 0: no commit yet */
} head_state;

static int read_head(head_state *h, eks_repo *repo)
{
	git_reference *head = NULL;
	int rc = 0, err;

	memset(h, 0, sizeof(*h));
	if (git_reference_lookup(&head, repo->git, "HEAD") < 0)
		return eks_store_git_error(EKS_EGIT, "cannot read HEAD");
	if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
		h->refname = strdup(git_reference_symbolic_target(head));
		if (!h->refname) {
			rc = eks_error_oom();
			goto done;
		}
		err = git_reference_name_to_id(&h->id, repo->git, h->refname);
		if (err == 0)
			h->born = 1;
		else if (err != GIT_ENOTFOUND)
			rc = eks_store_git_error(EKS_EGIT, "cannot read the current branch");
	} else {
		if (!(h->refname = strdup("HEAD"))) {
			rc = eks_error_oom();
			goto done;
		}
		git_oid_cpy(&h->id, git_reference_target(head));
		h->born = 1;
	}
done:
	git_reference_free(head);
	return rc;
}

/* ---- the journal -------------------------------------------------------- */

static int journal_write(eks_repo *repo, const git_oid *commit, const char *refname,
			 char *const *paths, size_t n)
{
	eks_buf b = EKS_BUF_INIT, tmp = EKS_BUF_INIT, dir = EKS_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	FILE *f = NULL;
	size_t i;
	int rc;

	git_oid_tostr(hex, sizeof(hex), commit);
	if ((rc = eks_buf_printf(&b, JOURNAL_MAGIC "\ncommit %s\nref %s\n", hex, refname)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if ((rc = eks_buf_printf(&b, "path %s\n", paths[i])) < 0)
			goto done;
	if ((rc = eks_buf_printf(&dir, "%seksperiment", repo->gitdir)) < 0 ||
	    (rc = eks_buf_printf(&tmp, "%s.tmp", repo->journal)) < 0 ||
	    (rc = eks_store_mkdirs(dir.ptr)) < 0)
		goto done;
	if (!(f = fopen(tmp.ptr, "wb")) || fwrite(b.ptr, 1, b.len, f) != b.len) {
		rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
		goto done;
	}
	if (fclose(f) != 0) {
		f = NULL;
		rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
		goto done;
	}
	f = NULL;
	if (rename(tmp.ptr, repo->journal) < 0)
		rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", repo->journal,
				   strerror(errno));
done:
	if (f)
		fclose(f);
	if (rc < 0 && tmp.ptr)
		unlink(tmp.ptr);
	eks_buf_dispose(&b);
	eks_buf_dispose(&tmp);
	eks_buf_dispose(&dir);
	return rc;
}

typedef struct journal {
	git_oid commit;
	int has_commit;
	char *refname;
	char **paths;
	size_t npaths;
	struct timespec written;   /* the journal's mtime */
} journal;

static void journal_clear(journal *j)
{
	free(j->refname);
	eks_strings_free(j->paths, j->npaths);
	memset(j, 0, sizeof(*j));
}

/* Read the journal: 1 when there is one, 0 when there is none.  Lines
 * that make no sense (a hand-edited journal) are skipped. */
static int journal_read(journal *j, eks_repo *repo)
{
	char line[2048];
	FILE *f = fopen(repo->journal, "rb");
	struct stat st;
	int rc = 1;

	memset(j, 0, sizeof(*j));
	if (!f)
		return errno == ENOENT ? 0 : eks_error_set(EKS_EIO, "cannot read '%s': %s",
							   repo->journal, strerror(errno));
	if (fstat(fileno(f), &st) == 0)
		j->written = st.st_mtim;
	if (!fgets(line, sizeof(line), f) || strncmp(line, JOURNAL_MAGIC, strlen(JOURNAL_MAGIC)))
		goto done;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		line[n] = '\0';
		if (!strncmp(line, "commit ", 7)) {
			j->has_commit = git_oid_fromstr(&j->commit, line + 7) == 0;
		} else if (!strncmp(line, "ref ", 4)) {
			free(j->refname);
			if (!(j->refname = strdup(line + 4)))
				goto oom;
		} else if (!strncmp(line, "path ", 5) && check_path(line + 5) == 0) {
			char **grown = realloc(j->paths, (j->npaths + 1) * sizeof(*grown));

			if (!grown)
				goto oom;
			j->paths = grown;
			if (!(j->paths[j->npaths] = strdup(line + 5)))
				goto oom;
			j->npaths++;
		}
	}
	eks_error_clear();
done:
	fclose(f);
	return rc;
oom:
	fclose(f);
	journal_clear(j);
	return eks_error_oom();
}

static int journal_exists(const eks_repo *repo)
{
	struct stat st;

	return lstat(repo->journal, &st) == 0;
}

static void remove_temp_files(eks_repo *repo, char *const *paths, size_t n)
{
	eks_buf tmp = EKS_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		if (temp_path(&tmp, repo, paths[i]) == 0)
			unlink(tmp.ptr);
	eks_buf_dispose(&tmp);
}

/*
 * Finish the write the journal describes.  Called with the lock held.
 * When HEAD is the journal's commit, each path whose work-tree file (and
 * index entry) still holds the parent's version, or already the new one,
 * is brought to HEAD's version; a path that holds anything else was
 * changed by hand since and is left alone.  When HEAD is not the
 * journal's commit, the branch was never moved (or has moved on through
 * plain git since) and the work tree is not ours to change.
 */
static int repair_locked(eks_repo *repo)
{
	journal j;
	head_state h = { NULL, { { 0 } }, 0 };
	git_commit *commit = NULL, *parent = NULL;
	git_tree *tree = NULL, *parent_tree = NULL;
	staged_index index = { NULL, NULL };
	dir_list dirs = { NULL, 0 };
	path_target *targets = NULL;
	char **stale = NULL;
	size_t i, nstale = 0;
	int rc;

	if (!journal_exists(repo))
		return 0;
	if ((rc = journal_read(&j, repo)) <= 0)
		return rc;
	if ((rc = eks_store_remove_stale_locks(repo, j.refname, &j.written)) < 0)
		goto done;
	remove_temp_files(repo, j.paths, j.npaths);
	if ((rc = read_head(&h, repo)) < 0)
		goto done;
	if (!j.has_commit || !h.born || !git_oid_equal(&h.id, &j.commit) || !j.npaths)
		goto finished;
	if (git_commit_lookup(&commit, repo->git, &h.id) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read HEAD's tree");
		goto done;
	}
	if (git_commit_parentcount(commit) > 0 &&
	    (git_commit_parent(&parent, commit, 0) < 0 ||
	     git_commit_tree(&parent_tree, parent) < 0)) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read the parent commit");
		goto done;
	}
	if ((rc = staged_index_read(&index, repo, j.paths, j.npaths)) < 0)
		goto done;
	if (!(stale = calloc(j.npaths, sizeof(*stale)))) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < j.npaths; i++) {
		version next, old, work, staged;

		if ((rc = version_in_tree(&next, tree, j.paths[i])) < 0 ||
		    (rc = version_in_tree(&old, parent_tree, j.paths[i])) < 0 ||
		    (rc = version_in_worktree(&work, repo, j.paths[i], &next)) < 0)
			goto done;
		version_in_index(&staged, &index, j.paths[i]);
		if (!version_equal(&work, &next) && !version_equal(&work, &old))
			continue;
		if (!version_equal(&staged, &next) && !version_equal(&staged, &old))
			continue;
		if (version_equal(&work, &next) && version_equal(&staged, &next))
			continue;
		stale[nstale++] = j.paths[i];
	}
	if (nstale) {
		if (!(targets = calloc(nstale, sizeof(*targets)))) {
			rc = eks_error_oom();
			goto done;
		}
		if ((rc = targets_from_tree(targets, tree, stale, nstale)) < 0 ||
		    (rc = dirs_from_trees(&dirs, parent_tree, tree, stale, nstale)) < 0 ||
		    (rc = checkout_paths(repo, targets, nstale, &index, &dirs)) < 0)
			goto done;
	}
finished:
	if (unlink(repo->journal) < 0 && errno != ENOENT)
		rc = eks_error_set(EKS_EIO, "cannot remove '%s': %s", repo->journal,
				   strerror(errno));
done:
	free(stale);
	free(targets);
	dirs_free(&dirs);
	staged_index_clear(&index);
	git_tree_free(parent_tree);
	git_tree_free(tree);
	git_commit_free(parent);
	git_commit_free(commit);
	free(h.refname);
	journal_clear(&j);
	return rc;
}

int eks_repo_repair(eks_repo *repo)
{
	int rc;

	if (!journal_exists(repo))
		return 0;
	if ((rc = eks_repo_lock(repo, repo->lock_timeout)) < 0)
		return rc;
	rc = repair_locked(repo);
	eks_repo_unlock(repo);
	return rc;
}

/* ---- committing --------------------------------------------------------- */

static int check_changes(const eks_file_change *changes, size_t count)
{
	size_t i, k;
	int rc;

	if (!count)
		return eks_error_set(EKS_EUSAGE, "nothing to commit");
	for (i = 0; i < count; i++) {
		if ((rc = check_path(changes[i].path)) < 0)
			return rc;
		if (changes[i].data && changes[i].len > MAX_FILE_BYTES)
			return eks_error_set(EKS_EREFUSED, "'%s' would be larger than 16 MiB",
					     changes[i].path);
		for (k = 0; k < i; k++)
			if (!strcmp(changes[i].path, changes[k].path))
				return eks_error_set(EKS_EUSAGE, "'%s' is changed twice in one "
						     "commit", changes[i].path);
	}
	return 0;
}

static int commit_message(eks_buf *b, const char *message)
{
	size_t n;

	if (!message || !*message)
		return eks_error_set(EKS_EUSAGE, "empty commit message");
	if (eks_buf_puts(b, message) < 0)
		return EKS_ENOMEM;
	n = b->len;
	if (b->ptr[n - 1] != '\n' && eks_buf_putc(b, '\n') < 0)
		return EKS_ENOMEM;
	return 0;
}

/* "commit: <subject>", as git writes it in the reflog. */
static int reflog_message(eks_buf *b, const char *message, int initial)
{
	return eks_buf_printf(b, "commit%s: %.*s", initial ? " (initial)" : "",
			      (int)strcspn(message, "\n"), message);
}

/*
 * Trees with some files replaced.  libgit2's git_tree_create_updated
 * copies every tree along the changed paths into a tree builder, one
 * allocation per entry; for the experiments/ tree of a large repository
 * (10 000 entries) that was a fifth of the time of a write.  When every
 * change replaces a file the tree already has, the new trees are the old
 * ones, parsed and cached by libgit2 already, with some ids swapped: they
 * are streamed to the object database entry by entry instead.  A tree
 * entry is "<octal mode> <name>\0<20-byte id>" (git's tree format), in
 * the order of the old tree, which stays right because no name changes.
 */
typedef struct tree_writer {
	git_odb_stream *stream;
	size_t used;
	int failed;
	char buf[16384];
} tree_writer;

static void tree_put(tree_writer *w, const char *data, size_t len)
{
	while (len > 0 && !w->failed) {
		size_t take = sizeof(w->buf) - w->used;

		if (take > len)
			take = len;
		memcpy(w->buf + w->used, data, take);
		w->used += take;
		data += take;
		len -= take;
		if (w->used == sizeof(w->buf)) {
			w->failed = git_odb_stream_write(w->stream, w->buf, w->used) < 0;
			w->used = 0;
		}
	}
}

/* "<octal mode> " into the end of `buf`; returns where it starts. */
static const char *octal_mode(char buf[16], unsigned mode)
{
	char *p = buf + 15;

	*p = ' ';
	do {
		*--p = (char)('0' + (mode & 7));
		mode >>= 3;
	} while (mode && p > buf);
	return p;
}

/* A replaced entry of the tree being written. */
typedef struct spliced {
	size_t index;
	git_oid id;
	unsigned mode;
} spliced;

/*
 * Write `tree`, the directory `prefix` (`plen` bytes: "" or "a/b/"), with
 * the files of `u` below it replaced, and record the directory's old and
 * new tree in `dirs`.  *matched counts the files replaced.
 */
static int splice_tree(git_oid *out, eks_repo *repo, git_odb *odb, git_tree *tree,
		       const char *prefix, size_t plen, const git_tree_update *u, size_t n,
		       size_t *matched, dir_list *dirs)
{
	size_t i, k, count = git_tree_entrycount(tree), nspliced = 0, next = 0;
	git_object_size_t size = 0;
	spliced *sp = NULL;
	char *child = NULL, mode[16];
	tree_writer *w = NULL;
	eks_gitindex_tree *d;
	git_tree *sub = NULL;
	int rc = 0;

	if (!(sp = calloc(n, sizeof(*sp))) || !(w = calloc(1, sizeof(*w)))) {
		rc = eks_error_oom();
		goto done;
	}
	/* The replaced entries, and the new trees below this one. */
	for (i = 0; i < count && nspliced < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		size_t nlen = strlen(name);

		for (k = 0; k < n; k++) {
			const char *rest = u[k].path + plen;

			if (strncmp(u[k].path, prefix, plen) || strncmp(rest, name, nlen) ||
			    (rest[nlen] != '\0' && rest[nlen] != '/'))
				continue;
			sp[nspliced].index = i;
			if (rest[nlen] == '\0') {
				if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
					continue;
				git_oid_cpy(&sp[nspliced].id, &u[k].id);
				sp[nspliced++].mode = u[k].filemode;
				(*matched)++;
				break;
			}
			if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
				continue;
			/* every change below this directory, at once */
			free(child);
			if (!(child = malloc(plen + nlen + 2))) {
				rc = eks_error_oom();
				goto done;
			}
			memcpy(child, prefix, plen);
			memcpy(child + plen, name, nlen);
			memcpy(child + plen + nlen, "/", 2);
			if (git_tree_lookup(&sub, repo->git, git_tree_entry_id(e)) < 0) {
				rc = eks_store_git_error(EKS_EGIT, "cannot read a tree");
				goto done;
			}
			if ((rc = splice_tree(&sp[nspliced].id, repo, odb, sub, child,
					      plen + nlen + 1, u, n, matched, dirs)) < 0)
				goto done;
			git_tree_free(sub);
			sub = NULL;
			sp[nspliced++].mode = git_tree_entry_filemode_raw(e);
			break;
		}
	}
	for (i = 0; i < count; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		unsigned m = next < nspliced && sp[next].index == i ? sp[next++].mode
								 : git_tree_entry_filemode_raw(e);
		const char *om = octal_mode(mode, m);

		size += (git_object_size_t)(mode + 16 - om) + strlen(git_tree_entry_name(e)) + 1 +
			GIT_OID_RAWSZ;
	}
	if (git_odb_open_wstream(&w->stream, odb, size, GIT_OBJECT_TREE) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot build the new tree");
		goto done;
	}
	for (i = 0, next = 0; i < count; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const git_oid *id = git_tree_entry_id(e);
		unsigned m = git_tree_entry_filemode_raw(e);
		const char *om;

		if (next < nspliced && sp[next].index == i) {
			id = &sp[next].id;
			m = sp[next++].mode;
		}
		om = octal_mode(mode, m);
		tree_put(w, om, (size_t)(mode + 16 - om));
		tree_put(w, git_tree_entry_name(e), strlen(git_tree_entry_name(e)) + 1);
		tree_put(w, (const char *)id->id, GIT_OID_RAWSZ);
	}
	if (w->used && !w->failed)
		w->failed = git_odb_stream_write(w->stream, w->buf, w->used) < 0;
	if (w->failed || git_odb_stream_finalize_write(out, w->stream) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot build the new tree");
		goto done;
	}
	if ((rc = dirs_add(&d, dirs, prefix, plen ? plen - 1 : 0)) < 0)
		goto done;
	if (d) {
		d->has_old = 1;
		git_oid_cpy(&d->old_id, git_tree_id(tree));
		git_oid_cpy(&d->new_id, out);
	}
done:
	if (w && w->stream)
		git_odb_stream_free(w->stream);
	git_tree_free(sub);
	free(child);
	free(sp);
	free(w);
	return rc;
}

/*
 * The tree of `base` with `updates` (n > 0) applied, and the directories
 * above them in `dirs`: spliced when every update replaces a file `base`
 * has (`replace_only`), else through git_tree_create_updated.
 */
static int updated_tree(git_oid *out, dir_list *dirs, eks_repo *repo, git_tree *base,
			const git_tree_update *updates, size_t n, int replace_only)
{
	git_odb *odb = NULL;
	size_t matched = 0;
	int rc;

	if (replace_only && base && n > 0) {
		if (git_repository_odb(&odb, repo->git) < 0)
			return eks_store_git_error(EKS_EGIT, "cannot open the object database");
		rc = splice_tree(out, repo, odb, base, "", 0, updates, n, &matched, dirs);
		git_odb_free(odb);
		if (rc < 0 || matched == n)
			return rc;
		/* not what the caller said: build it the general way */
		dirs_free(dirs);
	}
	if (git_tree_create_updated(out, repo->git, base, n, updates) < 0)
		return eks_store_git_error(EKS_EGIT, "cannot build the new tree");
	return 0;
}

static int commit_impl(char out[EKS_COMMIT_HEX], eks_repo *repo, int check_parent,
		       const char *parent_hex, const eks_file_change *changes,
		       size_t count, const char *message, const char *author)
{
	git_signature *sig_author = NULL, *sig_committer = NULL;
	git_reference *moved = NULL;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	staged_index index = { NULL, NULL };
	dir_list dirs = { NULL, 0 };
	path_target *targets = NULL;
	git_tree_update *updates = NULL;
	const git_commit *parents[1];
	head_state h = { NULL, { { 0 } }, 0 };
	eks_buf msg = EKS_BUF_INIT, logmsg = EKS_BUF_INIT;
	char **paths = NULL, hex[EKS_COMMIT_HEX];
	git_oid tree_id, commit_id;
	size_t i, nupdates = 0;
	int rc, err, locked = 0, replace_only = 1;

	if (out)
		out[0] = '\0';
	free(repo->warning);
	repo->warning = NULL;
	if ((rc = check_changes(changes, count)) < 0 ||
	    (rc = commit_message(&msg, message)) < 0 ||
	    (rc = make_signatures(&sig_author, &sig_committer, repo, author)) < 0)
		goto done;
	if (!(paths = calloc(count, sizeof(*paths))) ||
	    !(updates = calloc(count, sizeof(*updates))) ||
	    !(targets = calloc(count, sizeof(*targets)))) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < count; i++)
		paths[i] = (char *)changes[i].path;

	if ((rc = eks_repo_lock(repo, repo->lock_timeout)) < 0)
		goto done;
	locked = 1;
	if ((rc = repair_locked(repo)) < 0 || (rc = read_head(&h, repo)) < 0)
		goto done;
	if (h.born)
		git_oid_tostr(hex, sizeof(hex), &h.id);
	else
		hex[0] = '\0';
	if (check_parent && strcmp(parent_hex ? parent_hex : "", hex)) {
		rc = eks_error_set(EKS_EGIT, "'%s' moved (to %s) while this command was "
				   "working: another program committed meanwhile; nothing "
				   "was changed, run the command again", h.refname,
				   *hex ? hex : "nothing");
		goto done;
	}
	if (h.born && (git_commit_lookup(&parent, repo->git, &h.id) < 0 ||
		       git_commit_tree(&base, parent) < 0)) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read HEAD");
		goto done;
	}
	if ((rc = staged_index_read(&index, repo, paths, count)) < 0)
		goto done;

	/* Refuse before anything is written. */
	for (i = 0; i < count; i++) {
		version next = { V_ABSENT, { { 0 } } };

		if (changes[i].data) {
			next.kind = V_BLOB;
			if (git_odb_hash(&next.id, changes[i].data, changes[i].len,
					 GIT_OBJECT_BLOB) < 0) {
				rc = eks_store_git_error(EKS_EGIT, "cannot hash a file");
				goto done;
			}
		}
		if ((rc = worktree_dirs(repo, changes[i].path, 0)) < 0 ||
		    (rc = check_clean(repo, base, &index, changes[i].path, &next)) < 0)
			goto done;
	}

	for (i = 0; i < count; i++) {
		version now;
		git_tree_update *u = &updates[nupdates];

		if ((rc = version_in_tree(&now, base, changes[i].path)) < 0)
			goto done;
		targets[i].path = changes[i].path;
		u->path = changes[i].path;
		if (!changes[i].data) {
			replace_only = 0;
			if (now.kind == V_ABSENT)
				continue;
			u->action = GIT_TREE_UPDATE_REMOVE;
			nupdates++;
			continue;
		}
		if (now.kind != V_BLOB)
			replace_only = 0;
		u->action = GIT_TREE_UPDATE_UPSERT;
		u->filemode = GIT_FILEMODE_BLOB;
		if (now.kind == V_BLOB) {
			git_tree_entry *e = NULL;

			if (git_tree_entry_bypath(&e, base, changes[i].path) == 0 &&
			    git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE)
				u->filemode = GIT_FILEMODE_BLOB_EXECUTABLE;
			git_tree_entry_free(e);
		}
		if (git_blob_create_from_buffer(&u->id, repo->git, changes[i].data,
						changes[i].len) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot store a file in git");
			goto done;
		}
		targets[i].present = 1;
		git_oid_cpy(&targets[i].id, &u->id);
		targets[i].mode = u->filemode;
		targets[i].data = changes[i].data;
		targets[i].len = changes[i].len;
		nupdates++;
	}
	if ((rc = updated_tree(&tree_id, &dirs, repo, base, updates, nupdates, replace_only)) < 0)
		goto done;
	if (git_tree_lookup(&tree, repo->git, &tree_id) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot build the new tree");
		goto done;
	}
	parents[0] = parent;
	if (git_commit_create(&commit_id, repo->git, NULL, sig_author, sig_committer,
			      NULL, msg.ptr, tree, h.born ? 1 : 0, parents) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot create the commit");
		goto done;
	}

	/* From here on the journal tells a later command what to finish. */
	if ((rc = journal_write(repo, &commit_id, h.refname, paths, count)) < 0 ||
	    (rc = reflog_message(&logmsg, msg.ptr, !h.born)) < 0)
		goto done;
	git_repository_set_ident(repo->git, sig_committer->name, sig_committer->email);
	if (h.born)
		err = git_reference_create_matching(&moved, repo->git, h.refname, &commit_id,
						    1, &h.id, logmsg.ptr);
	else
		err = git_reference_create(&moved, repo->git, h.refname, &commit_id, 0,
					   logmsg.ptr);
	if (err < 0) {
		if (err == GIT_EMODIFIED || err == GIT_EEXISTS)
			rc = eks_error_set(EKS_EGIT, "'%s' was moved by another program while "
					   "committing; nothing was changed, run the command "
					   "again", h.refname);
		else
			rc = eks_store_git_error(EKS_EGIT, "cannot update the branch");
		unlink(repo->journal);
		goto done;
	}

	/* The commit stands.  Bring the work tree and the index in line. */
	git_oid_tostr(hex, sizeof(hex), &commit_id);
	if (out)
		memcpy(out, hex, EKS_COMMIT_HEX);
	if ((index.fast && !dirs.count && dirs_from_trees(&dirs, base, tree, paths, count) < 0) ||
	    checkout_paths(repo, targets, count, &index, &dirs) < 0) {
		eks_buf w = EKS_BUF_INIT;

		eks_buf_printf(&w, "committed %.12s, but the work tree could not be "
			       "updated (%s); the next eksperiment command repairs it",
			       hex, eks_error_last()->message);
		repo->warning = eks_buf_oom(&w) ? NULL : eks_buf_detach(&w);
		eks_buf_dispose(&w);
		eks_error_clear();
		rc = 0;
		goto done;
	}
	if (unlink(repo->journal) < 0 && errno != ENOENT) {
		/* Harmless: the next repair finds everything in line. */
	}
	rc = 0;
done:
	if (locked)
		eks_repo_unlock(repo);
	git_reference_free(moved);
	staged_index_clear(&index);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	git_signature_free(sig_author);
	git_signature_free(sig_committer);
	free(updates);
	free(targets);
	dirs_free(&dirs);
	free(paths);
	free(h.refname);
	eks_buf_dispose(&msg);
	eks_buf_dispose(&logmsg);
	return rc;
}

int eks_repo_commit(char out[EKS_COMMIT_HEX], eks_repo *repo,
		    const eks_file_change *changes, size_t count,
		    const char *message, const char *author)
{
	return commit_impl(out, repo, 0, NULL, changes, count, message, author);
}

int eks_repo_commit_on(char out[EKS_COMMIT_HEX], eks_repo *repo,
		       const char *parent,
		       const eks_file_change *changes, size_t count,
		       const char *message, const char *author)
{
	return commit_impl(out, repo, 1, parent, changes, count, message, author);
}

/* ---- status ------------------------------------------------------------- */

/* Collected paths, for the dirty checks. */
typedef struct path_list {
	char **paths;
	size_t count;
} path_list;

static int path_list_add(path_list *l, const char *path)
{
	char **grown = realloc(l->paths, (l->count + 1) * sizeof(*grown));

	if (!grown)
		return eks_error_oom();
	l->paths = grown;
	if (!(grown[l->count] = strdup(path)))
		return eks_error_oom();
	l->count++;
	return 0;
}

/*
 * Whether the work-tree file of index entry `e` may differ from it: the
 * stat data git recorded no longer match, or the file was written in the
 * same second as the index (git's "racy" case), so only its content can
 * tell.  Such files are then hashed and compared.
 */
static int entry_changed(git_repository *git, const char *workdir, const git_index_entry *e,
			 int64_t index_mtime, int *changed)
{
	char path[4096];
	struct stat st;
	git_oid oid;

	*changed = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s%s", workdir, e->path) >= sizeof(path))
		return 0;
	if (lstat(path, &st) < 0) {
		*changed = 1;                   /* deleted */
		return 0;
	}
	if ((uint32_t)st.st_size == e->file_size && st.st_mtim.tv_sec == e->mtime.seconds &&
	    (uint32_t)st.st_mtim.tv_nsec == e->mtime.nanoseconds &&
	    (int64_t)e->mtime.seconds < index_mtime)
		return 0;                       /* stat data match: unchanged */
	if (git_odb_hashfile(&oid, path, GIT_OBJECT_BLOB) < 0)
		return eks_store_git_error(EKS_EGIT, "cannot read a work-tree file");
	*changed = !git_oid_equal(&oid, &e->id);
	(void)git;
	return 0;
}

/*
 * The experiment files that differ from what is committed: changed or
 * deleted in the work tree (found by git's own stat data in the index, and
 * by content where those cannot tell), staged but not committed (the
 * index against HEAD), and experiment directories git does not know.
 * This is cheaper than a full `git status`: untracked files inside a
 * known experiment directory are not looked for (an experiment has only
 * the two files eksperiment writes).
 */
int eks_repo_dirty_experiments(char ***paths, size_t *count, eks_repo *repo)
{
	static const char prefix[] = "experiments/";
	path_list found = { NULL, 0 };
	git_index *index = NULL;
	git_tree *head_tree = NULL;
	git_object *head = NULL;
	git_diff *staged = NULL;
	git_diff_options opts;
	char *spec = "experiments";
	const char *workdir = git_repository_workdir(repo->git);
	char dir[4096];
	struct stat index_st;
	int64_t index_mtime = INT64_MAX;
	size_t i, n;
	DIR *d = NULL;
	struct dirent *de;
	int rc = 0, changed;

	*paths = NULL;
	*count = 0;
	if (git_repository_index(&index, repo->git) < 0 || git_index_read(index, 0) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read git's index");
		goto done;
	}
	if (git_index_path(index) && stat(git_index_path(index), &index_st) == 0)
		index_mtime = (int64_t)index_st.st_mtim.tv_sec;

	/* the work tree against the index */
	n = git_index_entrycount(index);
	for (i = 0; i < n && rc == 0; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		if (strncmp(e->path, prefix, sizeof(prefix) - 1))
			continue;
		rc = entry_changed(repo->git, workdir, e, index_mtime, &changed);
		if (rc == 0 && changed)
			rc = path_list_add(&found, e->path);
	}

	/* the index against HEAD (staged, not committed); when the index's
	 * cached tree is HEAD's tree nothing is staged, and the 10 000 trees
	 * of a large repository need not be read */
	if (rc == 0 && git_revparse_single(&head, repo->git, "HEAD^{tree}") == 0) {
		git_oid index_tree;

		head_tree = (git_tree *)head;
		head = NULL;
		if (!git_index_has_conflicts(index) &&
		    git_index_write_tree(&index_tree, index) == 0 &&
		    git_oid_equal(&index_tree, git_tree_id(head_tree)))
			goto untracked;
		git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
		opts.pathspec.strings = &spec;
		opts.pathspec.count = 1;
		if (git_diff_tree_to_index(&staged, repo->git, head_tree, index, &opts) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot compare git's index with HEAD");
			goto done;
		}
		for (i = 0; rc == 0 && i < git_diff_num_deltas(staged); i++) {
			const git_diff_delta *dl = git_diff_get_delta(staged, i);
			const char *p = dl->new_file.path ? dl->new_file.path : dl->old_file.path;
			size_t k;
			int dup = 0;

			for (k = 0; k < found.count && !dup; k++)
				dup = !strcmp(found.paths[k], p);
			if (!dup)
				rc = path_list_add(&found, p);
		}
	}

untracked:
	/* experiment directories git does not know at all */
	if (rc == 0 && (size_t)snprintf(dir, sizeof(dir), "%sexperiments", workdir) < sizeof(dir) &&
	    (d = opendir(dir)) != NULL) {
		while (rc == 0 && (de = readdir(d)) != NULL) {
			char entry[4096];
			size_t pos;

			if (de->d_name[0] == '.')
				continue;
			snprintf(entry, sizeof(entry), "%s%s/", prefix, de->d_name);
			/* known when some index entry starts with it */
			if (git_index_find_prefix(&pos, index, entry) == 0)
				continue;
			entry[strlen(entry) - 1] = '\0';
			rc = path_list_add(&found, entry);
		}
		closedir(d);
	}
done:
	git_diff_free(staged);
	git_tree_free(head_tree);
	git_object_free(head);
	git_index_free(index);
	if (rc < 0) {
		eks_strings_free(found.paths, found.count);
		return rc;
	}
	if (found.count)
		qsort(found.paths, found.count, sizeof(char *), compare_strings);
	*paths = found.paths;
	*count = found.count;
	return 0;
}


static int is_temp_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' && n > 8 && !strcmp(name + n - 8, ".eks-tmp");
}

/* Add the files under the work-tree directory `rel` (relative, no
 * trailing '/') to `found`, leaving out eksperiment's temporary files. */
static int worktree_files(eks_repo *repo, const char *rel, path_list *found)
{
	eks_buf full = EKS_BUF_INIT, child = EKS_BUF_INIT;
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	if ((rc = eks_buf_printf(&full, "%s%s", repo->workdir, rel)) < 0)
		return rc;
	if (!(dir = opendir(full.ptr))) {
		eks_buf_dispose(&full);
		return 0;     /* not a directory (any more): nothing under it */
	}
	while ((d = readdir(dir)) != NULL) {
		struct stat st;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
		    is_temp_name(d->d_name))
			continue;
		eks_buf_clear(&child);
		eks_buf_clear(&full);
		if ((rc = eks_buf_printf(&child, "%s/%s", rel, d->d_name)) < 0 ||
		    (rc = eks_buf_printf(&full, "%s%s", repo->workdir, child.ptr)) < 0)
			goto done;
		if (lstat(full.ptr, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if ((rc = worktree_files(repo, child.ptr, found)) < 0)
				goto done;
			continue;
		}
		if ((rc = path_list_add(found, child.ptr)) < 0)
			goto done;
	}
done:
	closedir(dir);
	eks_buf_dispose(&full);
	eks_buf_dispose(&child);
	return rc;
}

static int tree_blob_paths(const char *root, const git_tree_entry *entry, void *payload)
{
	eks_buf path = EKS_BUF_INIT;
	int rc;

	if (git_tree_entry_type(entry) == GIT_OBJECT_TREE)
		return 0;
	if (eks_buf_printf(&path, "%s%s", root, git_tree_entry_name(entry)) < 0)
		return -1;
	rc = path_list_add(payload, path.ptr);
	eks_buf_dispose(&path);
	return rc < 0 ? -1 : 0;
}

int eks_repo_dirty_experiment(char ***paths, size_t *count, eks_repo *repo,
			      const char *id)
{
	path_list seen = { NULL, 0 }, dirty = { NULL, 0 }, committed = { NULL, 0 };
	git_commit *head = NULL;
	git_tree *tree = NULL, *sub = NULL;
	git_tree_entry *entry = NULL;
	eks_buf rel = EKS_BUF_INIT;
	size_t i;
	int rc;

	*paths = NULL;
	*count = 0;
	if ((rc = eks_buf_printf(&rel, "experiments/%s", id ? id : "")) < 0 ||
	    (rc = check_path(rel.ptr)) < 0 || strchr(id, '/'))
		goto bad_id;
	if (git_repository_head_unborn(repo->git) != 1) {
		if ((rc = lookup_commit(&head, repo, "HEAD")) < 0)
			goto done;
		if (git_commit_tree(&tree, head) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot read HEAD's tree");
			goto done;
		}
		if (git_tree_entry_bypath(&entry, tree, rel.ptr) == 0 &&
		    git_tree_entry_type(entry) == GIT_OBJECT_TREE &&
		    git_tree_lookup(&sub, repo->git, git_tree_entry_id(entry)) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot read HEAD's tree");
			goto done;
		}
	}
	if (sub && git_tree_walk(sub, GIT_TREEWALK_PRE, tree_blob_paths, &committed) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read HEAD's tree");
		goto done;
	}
	if ((rc = worktree_files(repo, rel.ptr, &seen)) < 0)
		goto done;
	/* Work-tree files: untracked (and not ignored), or not HEAD's version. */
	for (i = 0; i < seen.count; i++) {
		const char *path = seen.paths[i];
		version now, before;
		int ignored = 0;

		if ((rc = version_in_tree(&before, tree, path)) < 0 ||
		    (rc = version_in_worktree(&now, repo, path, &before)) < 0)
			goto done;
		if (version_equal(&now, &before))
			continue;
		if (before.kind == V_ABSENT &&
		    git_ignore_path_is_ignored(&ignored, repo->git, path) == 0 && ignored)
			continue;
		if ((rc = path_list_add(&dirty, path)) < 0)
			goto done;
	}
	/* HEAD's files that are gone from the work tree. */
	for (i = 0; i < committed.count; i++) {
		eks_buf path = EKS_BUF_INIT;
		size_t k;
		int found = 0;

		if ((rc = eks_buf_printf(&path, "%s/%s", rel.ptr, committed.paths[i])) < 0)
			goto done;
		for (k = 0; k < seen.count && !found; k++)
			found = !strcmp(seen.paths[k], path.ptr);
		if (!found)
			rc = path_list_add(&dirty, path.ptr);
		eks_buf_dispose(&path);
		if (rc < 0)
			goto done;
	}
	if (dirty.count)
		qsort(dirty.paths, dirty.count, sizeof(*dirty.paths), compare_strings);
	*paths = dirty.paths;
	*count = dirty.count;
	dirty.paths = NULL;
	dirty.count = 0;
	goto done;
bad_id:
	rc = eks_error_set(EKS_EUSAGE, "'%s' is not a valid experiment id", id ? id : "");
done:
	eks_strings_free(seen.paths, seen.count);
	eks_strings_free(dirty.paths, dirty.count);
	eks_strings_free(committed.paths, committed.count);
	git_tree_entry_free(entry);
	git_tree_free(sub);
	git_tree_free(tree);
	git_commit_free(head);
	eks_buf_dispose(&rel);
	return rc;
}

/* ---- tags -------------------------------------------------------------- */

int eks_repo_tag(eks_repo *repo, const char *name, const char *commit,
		 const char *message, const char *author)
{
	git_signature *tagger = NULL, *committer = NULL;
	git_commit *target = NULL;
	git_object *existing = NULL;
	eks_buf refname = EKS_BUF_INIT, msg = EKS_BUF_INIT;
	git_oid tag_id;
	int rc, err, valid = 0;

	if (!name || git_tag_name_is_valid(&valid, name) < 0 || !valid)
		return eks_error_set(EKS_EUSAGE, "invalid tag name '%s'", name ? name : "");
	if ((rc = lookup_commit(&target, repo, commit)) < 0 ||
	    (rc = commit_message(&msg, message && *message ? message : name)) < 0 ||
	    (rc = make_signatures(&tagger, &committer, repo, author)) < 0 ||
	    (rc = eks_buf_printf(&refname, "refs/tags/%s^{commit}", name)) < 0)
		goto done;
	err = git_tag_create(&tag_id, repo->git, name, (git_object *)target, tagger,
			     msg.ptr, 0);
	if (err == GIT_EEXISTS) {
		if (git_revparse_single(&existing, repo->git, refname.ptr) == 0 &&
		    git_oid_equal(git_object_id(existing), git_commit_id(target)))
			goto done;
		rc = eks_error_set(EKS_EEXISTS, "the tag '%s' already exists on another "
				   "commit", name);
	} else if (err < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot create the tag");
	}
done:
	git_object_free(existing);
	git_commit_free(target);
	git_signature_free(tagger);
	git_signature_free(committer);
	eks_buf_dispose(&refname);
	eks_buf_dispose(&msg);
	return rc;
}

/* ---- init --------------------------------------------------------------- */

/* init.defaultBranch from git config, else "main". */
static int default_branch(char **out)
{
	git_config *cfg = NULL;
	char *name = NULL;
	int rc = 0, valid = 0;

	*out = NULL;
	if (git_config_open_default(&cfg) == 0)
		rc = config_string(&name, cfg, "init.defaultBranch");
	git_config_free(cfg);
	if (rc < 0)
		return rc;
	if (name && git_branch_name_is_valid(&valid, name) == 0 && valid)
		*out = name;
	else
		free(name);
	if (!*out && !(*out = strdup("main")))
		return eks_error_oom();
	return 0;
}

static int is_ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A name as a YAML scalar: plain when that is unambiguous, else quoted
 * (a JSON string is a valid YAML double-quoted scalar). */
static int put_yaml_scalar(eks_buf *b, const char *s)
{
	static const char *const reserved[] = {
		"true", "false", "yes", "no", "on", "off", "null", "y", "n", NULL
	};
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n = strlen(s);
	int plain = n > 0 && p[0] != ' ' && p[n - 1] != ' ' &&
		    (p[0] >= 0x80 || (is_ascii_alnum(p[0]) && !(p[0] >= '0' && p[0] <= '9')));

	for (i = 0; plain && reserved[i]; i++)
		if (!strcasecmp(s, reserved[i]))
			plain = 0;
	for (i = 0; plain && i < n; i++)
		if (!(p[i] >= 0x80 || is_ascii_alnum(p[i]) || strchr(" _-.,()/&+'", p[i])))
			plain = 0;
	if (plain)
		return eks_buf_puts(b, s);
	return eks_buf_put_json_string(b, s);
}

static int settings_text(eks_buf *b, const char *name)
{
	eks_buf_puts(b, "# eksperiment repository settings (eksperiment(1), "
		     "\"Repository settings\").\n"
		     "schema: eksperiment/v1\n"
		     "name: ");
	put_yaml_scalar(b, name);
	return eks_buf_puts(b, "\nprivacy:\n"
		"  # Small-cell threshold: observations of persons with fewer than\n"
		"  # this many events (or non-events) are warned about, because so\n"
		"  # few people may be recognised from the numbers.  0 turns the\n"
		"  # warning off.\n"
		"  min_cell: 5\n");
}

/* Does `text` have `line` as one of its lines (ignoring surrounding blanks)? */
static int has_line(const char *text, size_t len, const char *line)
{
	const char *p = text, *end = text + len;
	size_t n = strlen(line);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = eol ? eol : end;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if ((size_t)(e - s) == n && !memcmp(s, line, n))
			return 1;
		p = eol ? eol + 1 : end;
	}
	return 0;
}

/* HEAD's .gitattributes with the union-merge line added, or NULL data when
 * it is there already. */
static int attributes_text(eks_buf *b, int *needed, eks_repo *repo)
{
	char *old = NULL;
	size_t len = 0;
	int rc;

	*needed = 0;
	if (git_repository_head_unborn(repo->git) != 1) {
		rc = eks_repo_read(&old, &len, repo, "HEAD", ATTRIBUTES_FILE);
		if (rc < 0 && rc != EKS_ENOTFOUND)
			return rc;
		eks_error_clear();
	}
	if (old && has_line(old, len, UNION_LINE)) {
		free(old);
		return 0;
	}
	*needed = 1;
	if (old) {
		eks_buf_put(b, old, len);
		if (len && old[len - 1] != '\n')
			eks_buf_putc(b, '\n');
	}
	free(old);
	eks_buf_puts(b, "# The trial logs are append-only: merging two branches that "
		     "both logged keeps both entries.\n");
	return eks_buf_puts(b, UNION_LINE "\n");
}

/* The default name: the last component of the work-tree directory. */
static char *default_name(const char *workdir)
{
	size_t n = strlen(workdir);
	const char *start;

	while (n > 1 && workdir[n - 1] == '/')
		n--;
	start = workdir + n;
	while (start > workdir && start[-1] != '/')
		start--;
	return strndup(start, (size_t)(workdir + n - start));
}

int eks_repo_init(eks_repo **out, int *created, const char *dir,
		  const char *name, const char *author)
{
	git_repository *git = NULL;
	git_repository_init_options opts;
	eks_repo *repo = NULL;
	identity who = { NULL, NULL };
	eks_buf settings = EKS_BUF_INIT, attributes = EKS_BUF_INIT;
	eks_file_change changes[2];
	char *branch = NULL, *fallback = NULL;
	size_t n = 0;
	int rc = 0, err, need_attributes;

	*out = NULL;
	if (created)
		*created = 0;
	if (!dir || !*dir)
		dir = ".";
	if (git_libgit2_init() < 0)
		return eks_store_git_error(EKS_EGIT, "cannot initialise libgit2");
	err = git_repository_open_ext(&git, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (err == 0) {
		if (git_repository_is_bare(git)) {
			rc = bare_error(git_repository_path(git));
			git_repository_free(git);
			git_libgit2_shutdown();
			return rc;
		}
		if ((rc = repo_wrap(&repo, git)) < 0)
			return rc;
		if (is_regular_file(repo->workdir, SETTINGS_FILE)) {
			*out = repo;
			return 0;
		}
		if ((rc = author_identity(&who, repo->git, author)) < 0)
			goto done;
	} else if (err == GIT_ENOTFOUND) {
		/* Know the author before anything is created. */
		if ((rc = author_identity(&who, NULL, author)) < 0 ||
		    (rc = default_branch(&branch)) < 0) {
			git_libgit2_shutdown();
			goto done;
		}
		git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
		opts.initial_head = branch;
		if (git_repository_init_ext(&git, dir, &opts) < 0) {
			rc = eks_store_git_error(EKS_EGIT, "cannot create the git repository");
			git_libgit2_shutdown();
			goto done;
		}
		if ((rc = repo_wrap(&repo, git)) < 0)
			goto done;
	} else {
		rc = eks_store_git_error(EKS_EGIT, "cannot open the git repository");
		git_libgit2_shutdown();
		goto done;
	}

	if (!name || !*name) {
		if (!(fallback = default_name(repo->workdir))) {
			rc = eks_error_oom();
			goto done;
		}
		name = fallback;
	}
	if ((rc = settings_text(&settings, name)) < 0 ||
	    (rc = attributes_text(&attributes, &need_attributes, repo)) < 0)
		goto done;
	changes[n].path = SETTINGS_FILE;
	changes[n].data = settings.ptr;
	changes[n++].len = settings.len;
	if (need_attributes) {
		changes[n].path = ATTRIBUTES_FILE;
		changes[n].data = attributes.ptr;
		changes[n++].len = attributes.len;
	}
	if ((rc = eks_repo_commit(NULL, repo, changes, n,
				  "Initialise eksperiment repository", author)) < 0)
		goto done;
	if (created)
		*created = 1;
	*out = repo;
	repo = NULL;
done:
	eks_repo_free(repo);
	identity_clear(&who);
	free(branch);
	free(fallback);
	eks_buf_dispose(&settings);
	eks_buf_dispose(&attributes);
	return rc;
}
