/*
 * test_store.c - the git store: init, discovery, reading, committing,
 * the repository lock, refusal of hand edits, and crash safety.
 *
 * Each test gets a fresh temporary directory; HOME points at a temporary
 * directory whose .gitconfig names the committer, so neither the tests
 * nor the git CLI they call read the real user's configuration.
 */
// WRAP: git_reference_create_matching git_repository_index git_index_write
// WRAP: eks_gitindex_open eks_gitindex_write
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "eksperiment/error.h"
#include "eksperiment/store.h"
#include "gitindex_internal.h"

/* ---- failure injection -------------------------------------------------- */

/*
 * A write reads and updates git's index through gitindex.c, and through
 * libgit2 when gitindex.c cannot (gitindex_open_fails = EKS_ECORRUPT makes
 * it so); failures of either are injected here.
 */
static int fail_ref_update;        /* git_reference_create_matching fails */
static int fail_index_call = -1;   /* the n-th git_repository_index fails (0: next) */
static int kill_on_index_write;    /* make index.lock and die, as if killed */
static int gitindex_open_fails;    /* eks_gitindex_open returns this code */
static int fail_gitindex_write;    /* eks_gitindex_write fails */
static const char *before_gitindex_write;   /* a command run just before it, once */
static int gitindex_writes;        /* eks_gitindex_write calls (that went ahead) */

int __real_git_reference_create_matching(git_reference **out, git_repository *repo,
					 const char *name, const git_oid *id, int force,
					 const git_oid *current_id, const char *log_message);
int __wrap_git_reference_create_matching(git_reference **out, git_repository *repo,
					 const char *name, const git_oid *id, int force,
					 const git_oid *current_id, const char *log_message);
int __real_git_repository_index(git_index **out, git_repository *repo);
int __wrap_git_repository_index(git_index **out, git_repository *repo);
int __real_git_index_write(git_index *index);
int __wrap_git_index_write(git_index *index);
int __real_eks_gitindex_open(eks_gitindex **out, const char *path,
			     const char *const *paths, size_t n);
int __wrap_eks_gitindex_open(eks_gitindex **out, const char *path,
			     const char *const *paths, size_t n);
int __real_eks_gitindex_write(eks_gitindex *ix, const eks_gitindex_change *changes,
			      size_t n, const eks_gitindex_tree *dirs, size_t ndirs,
			      const char *workdir);
int __wrap_eks_gitindex_write(eks_gitindex *ix, const eks_gitindex_change *changes,
			      size_t n, const eks_gitindex_tree *dirs, size_t ndirs,
			      const char *workdir);
static int sh(char *out, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int __wrap_git_reference_create_matching(git_reference **out, git_repository *repo,
					 const char *name, const git_oid *id, int force,
					 const git_oid *current_id, const char *log_message)
{
	if (fail_ref_update) {
		git_error_set_str(GIT_ERROR_REFERENCE, "injected failure");
		return -1;
	}
	return __real_git_reference_create_matching(out, repo, name, id, force,
						    current_id, log_message);
}

int __wrap_git_repository_index(git_index **out, git_repository *repo)
{
	if (fail_index_call >= 0 && fail_index_call-- == 0) {
		git_error_set_str(GIT_ERROR_INDEX, "injected failure");
		return -1;
	}
	return __real_git_repository_index(out, repo);
}

int __wrap_git_index_write(git_index *index)
{
	if (kill_on_index_write) {
		/* libgit2 takes index.lock first; die holding it. */
		char path[4096];

		snprintf(path, sizeof(path), "%sindex.lock",
			 git_repository_path(git_index_owner(index)));
		close(open(path, O_WRONLY | O_CREAT | O_EXCL, 0666));
		raise(SIGKILL);
	}
	return __real_git_index_write(index);
}

int __wrap_eks_gitindex_open(eks_gitindex **out, const char *path,
			     const char *const *paths, size_t n)
{
	if (gitindex_open_fails) {
		*out = NULL;
		return eks_error_set(gitindex_open_fails, "injected failure");
	}
	return __real_eks_gitindex_open(out, path, paths, n);
}

int __wrap_eks_gitindex_write(eks_gitindex *ix, const eks_gitindex_change *changes,
			      size_t n, const eks_gitindex_tree *dirs, size_t ndirs,
			      const char *workdir)
{
	if (kill_on_index_write) {
		/* the lock is taken first; die holding it */
		char path[4096];

		snprintf(path, sizeof(path), "%s.git/index.lock", workdir);
		close(open(path, O_WRONLY | O_CREAT | O_EXCL, 0666));
		raise(SIGKILL);
	}
	if (fail_gitindex_write)
		return eks_error_set(EKS_EIO, "injected failure");
	if (before_gitindex_write) {
		const char *cmd = before_gitindex_write;

		before_gitindex_write = NULL;
		assert_int_equal(sh(NULL, 0, "%s", cmd), 0);
	}
	gitindex_writes++;
	return __real_eks_gitindex_write(ix, changes, n, dirs, ndirs, workdir);
}

/* ---- fixture ------------------------------------------------------------ */

static char home[256];
static char dir[512];       /* this test's directory */

static void rm_rf(const char *path)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_gitconfig(const char *extra)
{
	char path[512], text[1024];

	snprintf(path, sizeof(path), "%s/.gitconfig", home);
	snprintf(text, sizeof(text), "[user]\n\tname = Kari Nordmann\n"
		 "\temail = kari@molde.example\n%s", extra ? extra : "");
	write_text(path, text);
}

/* Run a shell command in `dir`; return its exit status, output in `out`. */
__attribute__((format(printf, 3, 0)))
static int vsh(char *out, size_t size, const char *fmt, va_list ap)
{
	char cmd[2048], line[1024];
	size_t used = 0;
	FILE *p;
	int n;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ( ", dir);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	strncat(cmd, " ) 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (out)
		out[0] = '\0';
	while (fgets(line, sizeof(line), p)) {
		size_t len = strlen(line);

		if (out && used + len < size) {
			memcpy(out + used, line, len + 1);
			used += len;
		}
	}
	return WEXITSTATUS(pclose(p));
}

static int sh(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsh(out, size, fmt, ap);
	va_end(ap);
	return rc;
}

/* The output of a command that must succeed, without the final newline. */
__attribute__((format(printf, 1, 2)))
static const char *sh_out(const char *fmt, ...)
{
	static char out[8192];
	va_list ap;
	size_t n;
	int rc;

	va_start(ap, fmt);
	rc = vsh(out, sizeof(out), fmt, ap);
	va_end(ap);
	assert_int_equal(rc, 0);
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
	return out;
}

static void assert_clean_and_valid(void)
{
	char out[4096];

	assert_int_equal(sh(out, sizeof(out), "git status --porcelain"), 0);
	assert_string_equal(out, "");
	assert_int_equal(sh(out, sizeof(out), "git fsck --strict --no-dangling"), 0);
}

static int group_setup(void **state)
{
	snprintf(home, sizeof(home), "/tmp/eks-store-home-XXXXXX");
	if (!mkdtemp(home))
		return -1;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_AUTHOR_NAME");
	unsetenv("GIT_AUTHOR_EMAIL");
	unsetenv("GIT_COMMITTER_NAME");
	unsetenv("GIT_COMMITTER_EMAIL");
	unsetenv("EMAIL");
	setenv("GIT_CEILING_DIRECTORIES", "/tmp", 1);
	return 0;
}

static int group_teardown(void **state)
{
	rm_rf(home);
	return 0;
}

static int setup(void **state)
{
	write_gitconfig(NULL);
	snprintf(dir, sizeof(dir), "/tmp/eks-store-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	fail_ref_update = 0;
	fail_index_call = -1;
	kill_on_index_write = 0;
	gitindex_open_fails = 0;
	fail_gitindex_write = 0;
	before_gitindex_write = NULL;
	gitindex_writes = 0;
	return 0;
}

static int teardown(void **state)
{
	rm_rf(dir);
	return 0;
}

/* A new eksperiment repository in `dir`. */
static eks_repo *new_repo(void)
{
	eks_repo *repo = NULL;
	int created = 0;

	assert_int_equal(eks_repo_init(&repo, &created, dir, "Pilots", NULL), 0);
	assert_int_equal(created, 1);
	return repo;
}

static void commit_file(eks_repo *repo, const char *path, const char *text,
			char hex[EKS_COMMIT_HEX])
{
	eks_file_change change = { path, text, text ? strlen(text) : 0 };

	assert_int_equal(eks_repo_commit(hex, repo, &change, 1, "test commit", NULL), 0);
}

static char *worktree_text(const char *path)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s/%s", dir, path);
	return read_text(full);
}

/* ---- init --------------------------------------------------------------- */

static void test_store_init_creates_repository(void **state)
{
	char sub[600], out[4096];
	eks_repo *repo = NULL;
	int created = 0;

	snprintf(sub, sizeof(sub), "%s/new/pilots", dir);
	assert_int_equal(eks_repo_init(&repo, &created, sub, "Partnerskap — pilots", NULL), 0);
	assert_int_equal(created, 1);
	eks_repo_free(repo);
	strcat(dir, "/new/pilots");
	assert_string_equal(sh_out("git symbolic-ref HEAD%s", ""), "refs/heads/main");
	assert_string_equal(sh_out("git log --format='%%s|%%an <%%ae>'%s", ""),
			    "Initialise eksperiment repository|Kari Nordmann <kari@molde.example>");
	assert_string_equal(sh_out("git ls-tree --name-only HEAD%s", ""),
			    ".gitattributes\neksperiment.yaml");
	assert_non_null(strstr(worktree_text("eksperiment.yaml"),
			       "schema: eksperiment/v1\nname: Partnerskap — pilots\n"));
	assert_non_null(strstr(worktree_text("eksperiment.yaml"), "  min_cell: 5\n"));
	assert_non_null(strstr(worktree_text(".gitattributes"),
			       "\nexperiments/*/log.yaml merge=union\n"));
	assert_int_equal(sh(out, sizeof(out), "git check-attr merge experiments/x/log.yaml"), 0);
	assert_string_equal(out, "experiments/x/log.yaml: merge: union\n");
	assert_clean_and_valid();
	dir[strlen(dir) - strlen("/new/pilots")] = '\0';
}

static void test_store_init_quotes_name_and_defaults_it(void **state)
{
	eks_repo *repo = NULL;
	int created = 0;

	assert_int_equal(eks_repo_init(&repo, &created, dir, "yes: \"no\"", NULL), 0);
	eks_repo_free(repo);
	assert_non_null(strstr(worktree_text("eksperiment.yaml"),
			       "name: \"yes: \\\"no\\\"\"\n"));
	rm_rf(dir);
	mkdir(dir, 0777);
	assert_int_equal(eks_repo_init(&repo, &created, dir, NULL, NULL), 0);
	eks_repo_free(repo);
	assert_non_null(strstr(worktree_text("eksperiment.yaml"),
			       strrchr(dir, '/') + 1));
}

static void test_store_init_uses_configured_default_branch(void **state)
{
	eks_repo *repo;

	write_gitconfig("[init]\n\tdefaultBranch = trunk\n");
	repo = new_repo();
	eks_repo_free(repo);
	assert_string_equal(sh_out("git symbolic-ref HEAD%s", ""), "refs/heads/trunk");
}

static void test_store_init_adopts_empty_git_repository(void **state)
{
	eks_repo *repo;

	assert_int_equal(sh(NULL, 0, "git init -q -b work ."), 0);
	repo = new_repo();
	eks_repo_free(repo);
	assert_string_equal(sh_out("git rev-list --count work%s", ""), "1");
	assert_clean_and_valid();
}

static void test_store_init_adopts_repository_with_commits(void **state)
{
	char before[64];
	eks_repo *repo;

	assert_int_equal(sh(NULL, 0, "git init -q . && echo hello > README && "
			    "printf '*.pdf binary\\n' > .gitattributes && "
			    "git add . && git commit -q -m first"), 0);
	strcpy(before, sh_out("git rev-parse HEAD%s", ""));
	repo = new_repo();
	eks_repo_free(repo);
	assert_string_equal(sh_out("git rev-parse HEAD~1%s", ""), before);
	assert_string_equal(sh_out("git diff --name-only HEAD~1 HEAD%s", ""),
			    ".gitattributes\neksperiment.yaml");
	assert_string_equal(worktree_text("README"), "hello\n");
	assert_non_null(strstr(worktree_text(".gitattributes"), "*.pdf binary\n"));
	assert_non_null(strstr(worktree_text(".gitattributes"), "log.yaml merge=union\n"));
	assert_clean_and_valid();
}

static void test_store_init_is_idempotent(void **state)
{
	char before[64], settings[4096];
	eks_repo *repo = new_repo();
	int created = 1;

	eks_repo_free(repo);
	strcpy(before, sh_out("git rev-parse HEAD%s", ""));
	strcpy(settings, worktree_text("eksperiment.yaml"));
	assert_int_equal(eks_repo_init(&repo, &created, dir, "Another name", NULL), 0);
	assert_int_equal(created, 0);
	assert_non_null(repo);
	eks_repo_free(repo);
	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), before);
	assert_string_equal(worktree_text("eksperiment.yaml"), settings);
}

static void test_store_init_without_author_creates_nothing(void **state)
{
	char path[600];
	eks_repo *repo = NULL;
	int created = 1;

	write_text(strcat(strcpy(path, home), "/.gitconfig"), "");
	assert_int_equal(eks_repo_init(&repo, &created, dir, NULL, NULL), EKS_EUSAGE);
	assert_null(repo);
	assert_int_equal(created, 0);
	assert_non_null(strstr(eks_error_last()->message, "who are you?"));
	assert_non_null(strstr(eks_error_last()->message, "--author"));
	snprintf(path, sizeof(path), "%s/.git", dir);
	assert_int_equal(access(path, F_OK), -1);
	/* An explicit author is enough. */
	assert_int_equal(eks_repo_init(&repo, &created, dir, NULL, "Ola <ola@x.example>"), 0);
	eks_repo_free(repo);
	assert_string_equal(sh_out("git log -1 --format='%%an <%%ae>|%%cn'%s", ""),
			    "Ola <ola@x.example>|Ola");
}

/* ---- discovery ---------------------------------------------------------- */

static void test_store_discover_from_subdirectory(void **state)
{
	char sub[600], top[600];
	eks_repo *repo = new_repo(), *found = NULL;

	eks_repo_free(repo);
	snprintf(sub, sizeof(sub), "%s/experiments/a/deeper", dir);
	assert_int_equal(sh(NULL, 0, "mkdir -p experiments/a/deeper"), 0);
	assert_int_equal(eks_repo_discover(&found, sub), 0);
	snprintf(top, sizeof(top), "%s/", dir);
	assert_string_equal(eks_repo_workdir(found), top);
	assert_non_null(strstr(eks_repo_eksdir(found), "/.git/eksperiment/"));
	eks_repo_free(found);
}

static void test_store_discover_fails_outside(void **state)
{
	eks_repo *repo = (eks_repo *)1;

	assert_int_equal(eks_repo_discover(&repo, dir), EKS_ENOREPO);
	assert_null(repo);
	assert_string_equal(eks_error_last()->message,
			    "not an eksperiment repository (or any parent up to /): "
			    "run 'eksperiment init' first");
	/* A git repository without eksperiment.yaml. */
	assert_int_equal(sh(NULL, 0, "git init -q plain"), 0);
	strcat(dir, "/plain");
	assert_int_equal(eks_repo_discover(&repo, dir), EKS_ENOREPO);
	assert_non_null(strstr(eks_error_last()->message, "eksperiment init"));
	/* A bare repository. */
	dir[strlen(dir) - 6] = '\0';
	assert_int_equal(sh(NULL, 0, "git init -q --bare bare.git"), 0);
	strcat(dir, "/bare.git");
	assert_int_equal(eks_repo_discover(&repo, dir), EKS_ENOREPO);
	assert_non_null(strstr(eks_error_last()->message, "bare"));
	dir[strlen(dir) - 9] = '\0';
}

static void test_store_discover_linked_worktree(void **state)
{
	char wt[600], expect[700];
	eks_repo *repo = new_repo(), *linked = NULL;
	char hex[EKS_COMMIT_HEX];

	eks_repo_free(repo);
	assert_int_equal(sh(NULL, 0, "git worktree add -q -b side ../%s-wt",
			    strrchr(dir, '/') + 1), 0);
	snprintf(wt, sizeof(wt), "%s-wt", dir);
	assert_int_equal(eks_repo_discover(&linked, wt), 0);
	snprintf(expect, sizeof(expect), "%s/", wt);
	assert_string_equal(eks_repo_workdir(linked), expect);
	snprintf(expect, sizeof(expect), "%s/.git/eksperiment/", dir);
	assert_string_equal(eks_repo_eksdir(linked), expect);
	commit_file(linked, "experiments/a/log.yaml", "---\n", hex);
	eks_repo_free(linked);
	assert_string_equal(sh_out("git rev-parse side%s", ""), hex);
	assert_string_equal(sh_out("git -C ../%s-wt status --porcelain",
				   strrchr(dir, '/') + 1), "");
	rm_rf(wt);
}

/* ---- resolving and reading ---------------------------------------------- */

static void test_store_resolve_revisions(void **state)
{
	char first[EKS_COMMIT_HEX], second[EKS_COMMIT_HEX], got[EKS_COMMIT_HEX], abbrev[8];
	eks_repo *repo = new_repo();

	commit_file(repo, "a.txt", "one\n", first);
	commit_file(repo, "a.txt", "two\n", second);
	assert_int_equal(sh(NULL, 0, "git tag -a -m t v1 HEAD~1"), 0);
	assert_int_equal(eks_repo_resolve(got, repo, "HEAD"), 0);
	assert_string_equal(got, second);
	assert_int_equal(eks_repo_resolve(got, repo, "main"), 0);
	assert_string_equal(got, second);
	assert_int_equal(eks_repo_resolve(got, repo, "v1"), 0);
	assert_string_equal(got, first);
	assert_int_equal(eks_repo_resolve(got, repo, "HEAD~1"), 0);
	assert_string_equal(got, first);
	snprintf(abbrev, sizeof(abbrev), "%.7s", first);
	assert_int_equal(eks_repo_resolve(got, repo, abbrev), 0);
	assert_string_equal(got, first);
	assert_int_equal(eks_repo_resolve(got, repo, "no-such-branch"), EKS_ENOTFOUND);
	assert_string_equal(eks_error_last()->message, "unknown revision 'no-such-branch'");
	assert_int_equal(eks_repo_resolve(got, repo, "HEAD~5"), EKS_ENOTFOUND);
	assert_int_equal(eks_repo_resolve(got, repo, "HEAD^{tree}"), EKS_ENOTFOUND);
	eks_repo_free(repo);
}

static void test_store_resolve_head_without_commits(void **state)
{
	char got[EKS_COMMIT_HEX];
	eks_repo *repo = NULL;

	assert_int_equal(sh(NULL, 0, "git init -q . && echo 'schema: eksperiment/v1' "
			    "> eksperiment.yaml"), 0);
	assert_int_equal(eks_repo_discover(&repo, dir), 0);
	assert_int_equal(eks_repo_resolve(got, repo, "HEAD"), EKS_ENOTFOUND);
	assert_non_null(strstr(eks_error_last()->message, "no commits yet"));
	eks_repo_free(repo);
}

static void test_store_read_files_at_revisions(void **state)
{
	char first[EKS_COMMIT_HEX], second[EKS_COMMIT_HEX];
	eks_repo *repo = new_repo();
	char *data = NULL;
	size_t len = 0;

	commit_file(repo, "experiments/a/log.yaml", "one\n", first);
	commit_file(repo, "experiments/a/log.yaml", "one\ntwo\n", second);
	assert_int_equal(eks_repo_read(&data, &len, repo, second, "experiments/a/log.yaml"), 0);
	assert_string_equal(data, "one\ntwo\n");
	assert_int_equal(len, 8);
	free(data);
	assert_int_equal(eks_repo_read(&data, &len, repo, first, "experiments/a/log.yaml"), 0);
	assert_string_equal(data, "one\n");
	free(data);
	assert_int_equal(eks_repo_read(&data, NULL, repo, NULL, "eksperiment.yaml"), 0);
	assert_non_null(strstr(data, "schema: eksperiment/v1"));
	free(data);
	assert_int_equal(eks_repo_read(&data, &len, repo, first, "experiments/b/log.yaml"),
			 EKS_ENOTFOUND);
	assert_null(data);
	assert_non_null(strstr(eks_error_last()->message, "'experiments/b/log.yaml'"));
	assert_non_null(strstr(eks_error_last()->message, first));
	assert_int_equal(eks_repo_read(&data, &len, repo, "HEAD", "experiments/a"),
			 EKS_ENOTFOUND);
	assert_int_equal(eks_repo_read(&data, &len, repo, "HEAD", "../etc/passwd"),
			 EKS_EUSAGE);
	assert_int_equal(eks_repo_read(&data, &len, repo, "nope", "eksperiment.yaml"),
			 EKS_ENOTFOUND);
	eks_repo_free(repo);
}

static void test_store_read_refuses_symbolic_links(void **state)
{
	eks_repo *repo = new_repo();
	char *data = NULL;

	eks_repo_free(repo);
	assert_int_equal(sh(NULL, 0, "mkdir -p experiments/a && ln -s /etc/passwd "
			    "experiments/a/log.yaml && git add -A && git commit -q -m link"), 0);
	assert_int_equal(eks_repo_discover(&repo, dir), 0);
	assert_int_equal(eks_repo_read(&data, NULL, repo, "HEAD", "experiments/a/log.yaml"),
			 EKS_EREFUSED);
	assert_non_null(strstr(eks_error_last()->message, "symbolic link"));
	eks_repo_free(repo);
}

static void test_store_experiments_lists_directories_sorted(void **state)
{
	eks_file_change changes[] = {
		{ "experiments/b/experiment.yaml", "id: b\n", 6 },
		{ "experiments/a-b/experiment.yaml", "id: a-b\n", 8 },
		{ "experiments/a/experiment.yaml", "id: a\n", 6 },
		{ "experiments/README", "notes\n", 6 },
	};
	char first[EKS_COMMIT_HEX];
	eks_repo *repo = new_repo();
	char **ids = NULL;
	size_t n = 9;

	assert_int_equal(eks_repo_resolve(first, repo, "HEAD"), 0);
	assert_int_equal(eks_repo_experiments(&ids, &n, repo, first), 0);
	assert_int_equal(n, 0);
	eks_strings_free(ids, n);
	assert_int_equal(eks_repo_commit(NULL, repo, changes, 4, "three", NULL), 0);
	assert_int_equal(eks_repo_experiments(&ids, &n, repo, "HEAD"), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ids[0], "a");
	assert_string_equal(ids[1], "a-b");
	assert_string_equal(ids[2], "b");
	eks_strings_free(ids, n);
	eks_repo_free(repo);
}

static void test_store_changed_experiments_between_commits(void **state)
{
	eks_file_change three[] = {
		{ "experiments/a/log.yaml", "a\n", 2 },
		{ "experiments/b/log.yaml", "b\n", 2 },
		{ "experiments/c/log.yaml", "c\n", 2 },
	};
	eks_file_change next[] = {
		{ "experiments/b/log.yaml", "b2\n", 3 },
		{ "experiments/c/log.yaml", NULL, 0 },
		{ "experiments/d/log.yaml", "d\n", 2 },
		{ "README", "r\n", 2 },
	};
	char first[EKS_COMMIT_HEX], second[EKS_COMMIT_HEX], third[EKS_COMMIT_HEX];
	eks_repo *repo = new_repo();
	char **ids = NULL;
	size_t n = 0;

	assert_int_equal(eks_repo_resolve(first, repo, "HEAD"), 0);
	assert_int_equal(eks_repo_commit(second, repo, three, 3, "three", NULL), 0);
	assert_int_equal(eks_repo_commit(third, repo, next, 4, "next", NULL), 0);
	assert_int_equal(eks_repo_changed_experiments(&ids, &n, repo, second, third), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ids[0], "b");     /* changed */
	assert_string_equal(ids[1], "c");     /* removed */
	assert_string_equal(ids[2], "d");     /* added */
	eks_strings_free(ids, n);
	assert_int_equal(eks_repo_changed_experiments(&ids, &n, repo, NULL, "HEAD"), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ids[0], "a");
	eks_strings_free(ids, n);
	assert_int_equal(eks_repo_changed_experiments(&ids, &n, repo, first, first), 0);
	assert_int_equal(n, 0);
	eks_strings_free(ids, n);
	assert_int_equal(eks_repo_changed_experiments(&ids, &n, repo, "nope", "HEAD"),
			 EKS_ENOTFOUND);
	eks_repo_free(repo);
}

static void test_store_tag_marks_a_commit(void **state)
{
	char first[EKS_COMMIT_HEX], second[EKS_COMMIT_HEX];
	eks_repo *repo = new_repo();

	assert_int_equal(eks_repo_resolve(first, repo, "HEAD"), 0);
	commit_file(repo, "experiments/a/log.yaml", "1\n", second);
	assert_int_equal(eks_repo_tag(repo, "eksperiment/a/registered", second,
				      "register a", NULL), 0);
	assert_string_equal(sh_out("git rev-parse eksperiment/a/registered^{commit}%s", ""), second);
	assert_string_equal(sh_out("git cat-file -t eksperiment/a/registered%s", ""), "tag");
	assert_string_equal(sh_out("git tag -l --format='%%(taggername) %%(contents:subject)'%s", ""),
			    "Kari Nordmann register a");
	/* Again on the same commit: fine; on another: refused. */
	assert_int_equal(eks_repo_tag(repo, "eksperiment/a/registered", second, "again", NULL), 0);
	assert_int_equal(eks_repo_tag(repo, "eksperiment/a/registered", first, "moved", NULL),
			 EKS_EEXISTS);
	assert_string_equal(sh_out("git rev-parse eksperiment/a/registered^{commit}%s", ""), second);
	assert_int_equal(eks_repo_tag(repo, "bad..name", second, "x", NULL), EKS_EUSAGE);
	assert_int_equal(eks_repo_resolve(first, repo, "eksperiment/a/registered"), 0);
	assert_string_equal(first, second);
	eks_repo_free(repo);
}

/* ---- committing --------------------------------------------------------- */

static void test_store_commit_makes_one_commit_with_the_changes(void **state)
{
	eks_file_change changes[] = {
		{ "experiments/x/experiment.yaml", "id: x\n", 6 },
		{ "experiments/x/log.yaml", "---\nid: e1\n", 11 },
	};
	eks_file_change removal = { "experiments/x/log.yaml", NULL, 0 };
	char hex[EKS_COMMIT_HEX], before[64];
	eks_repo *repo = new_repo();

	strcpy(before, sh_out("git rev-parse HEAD%s", ""));
	assert_int_equal(eks_repo_commit(hex, repo, changes, 2,
					 "new x: First experiment\n\nBody.", NULL), 0);
	assert_int_equal(strlen(hex), 40);
	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), hex);
	assert_string_equal(sh_out("git rev-parse HEAD~1%s", ""), before);
	assert_string_equal(sh_out("git diff --name-status HEAD~1 HEAD%s", ""),
			    "A\texperiments/x/experiment.yaml\nA\texperiments/x/log.yaml");
	assert_string_equal(sh_out("git show HEAD:experiments/x/log.yaml%s", ""), "---\nid: e1");
	assert_string_equal(sh_out("git log -1 --format=%%B%s", ""),
			    "new x: First experiment\n\nBody.\n");
	assert_string_equal(sh_out("git reflog -1 --format=%%gs%s", ""),
			    "commit: new x: First experiment");
	assert_string_equal(worktree_text("experiments/x/log.yaml"), "---\nid: e1\n");
	assert_clean_and_valid();

	assert_int_equal(eks_repo_commit(hex, repo, &removal, 1, "drop the log", NULL), 0);
	assert_null(worktree_text("experiments/x/log.yaml"));
	assert_string_equal(sh_out("git ls-tree -r --name-only HEAD experiments%s", ""),
			    "experiments/x/experiment.yaml");
	assert_clean_and_valid();
	removal.path = "experiments/x/experiment.yaml";
	assert_int_equal(eks_repo_commit(hex, repo, &removal, 1, "drop x", NULL), 0);
	assert_int_equal(access("experiments", F_OK), -1);
	assert_clean_and_valid();
	eks_repo_free(repo);
}

static void test_store_commit_keeps_other_staged_changes(void **state)
{
	char out[4096];
	eks_repo *repo = new_repo();

	assert_int_equal(sh(NULL, 0, "echo staged > other.txt && git add other.txt"), 0);
	commit_file(repo, "experiments/x/log.yaml", "---\n", NULL);
	assert_int_equal(sh(out, sizeof(out), "git status --porcelain"), 0);
	assert_string_equal(out, "A  other.txt\n");
	assert_string_equal(sh_out("git ls-tree -r --name-only HEAD%s", ""),
			    ".gitattributes\neksperiment.yaml\nexperiments/x/log.yaml");
	eks_repo_free(repo);
}

static void test_store_commit_rejects_bad_input(void **state)
{
	eks_file_change bad[] = {
		{ "../outside", "x", 1 }, { "/etc/passwd", "x", 1 }, { ".git/config", "x", 1 },
		{ "a//b", "x", 1 }, { "a/./b", "x", 1 }, { "", "x", 1 },
	};
	eks_file_change twice[] = { { "a", "1", 1 }, { "a", "2", 1 } };
	char before[64];
	eks_repo *repo = new_repo();
	size_t i;

	strcpy(before, sh_out("git rev-parse HEAD%s", ""));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(eks_repo_commit(NULL, repo, &bad[i], 1, "m", NULL), EKS_EUSAGE);
	assert_int_equal(eks_repo_commit(NULL, repo, twice, 2, "m", NULL), EKS_EUSAGE);
	assert_int_equal(eks_repo_commit(NULL, repo, twice, 1, "", NULL), EKS_EUSAGE);
	assert_int_equal(eks_repo_commit(NULL, repo, twice, 0, "m", NULL), EKS_EUSAGE);
	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), before);
	eks_repo_free(repo);
}

static void test_store_commit_on_detects_a_moved_head(void **state)
{
	eks_file_change change = { "experiments/a/log.yaml", "mine\n", 5 };
	char seen[EKS_COMMIT_HEX], hex[EKS_COMMIT_HEX], moved[64];
	eks_repo *repo = new_repo();

	assert_int_equal(eks_repo_resolve(seen, repo, "HEAD"), 0);
	assert_int_equal(sh(NULL, 0, "echo x > other && git add other && "
			    "git commit -q -m 'by hand'"), 0);
	strcpy(moved, sh_out("git rev-parse HEAD%s", ""));
	assert_int_equal(eks_repo_commit_on(hex, repo, seen, &change, 1, "m", NULL), EKS_EGIT);
	assert_non_null(strstr(eks_error_last()->message, "run the command again"));
	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), moved);
	assert_null(worktree_text("experiments/a/log.yaml"));
	assert_int_equal(eks_repo_commit_on(hex, repo, moved, &change, 1, "m", NULL), 0);
	assert_string_equal(sh_out("git rev-parse HEAD~1%s", ""), moved);
	eks_repo_free(repo);
}

static void test_store_commit_picks_up_hand_commits(void **state)
{
	eks_repo *repo = new_repo();
	char *data = NULL;

	assert_int_equal(sh(NULL, 0, "mkdir -p experiments/h && echo 'by hand' > "
			    "experiments/h/log.yaml && git add -A && git commit -q -m hand"), 0);
	assert_int_equal(eks_repo_read(&data, NULL, repo, "HEAD", "experiments/h/log.yaml"), 0);
	assert_string_equal(data, "by hand\n");
	free(data);
	/* Branches packed by git gc are moved the same way. */
	assert_int_equal(sh(NULL, 0, "git pack-refs --all"), 0);
	commit_file(repo, "experiments/h/log.yaml", "by hand\nand more\n", NULL);
	assert_string_equal(sh_out("git log --format=%%s%s", ""),
			    "test commit\nhand\nInitialise eksperiment repository");
	assert_clean_and_valid();
	eks_repo_free(repo);
}

/* ---- authors ------------------------------------------------------------ */

static void test_store_author_rules(void **state)
{
	static const char *const bad[] = {
		"Kari", "<kari@x>", "Kari <>", "Kari <a b@x>", "Kari <a@x> extra",
		"Ka<ri <a@x>", "Kari\n <a@x>",
	};
	char path[600];
	eks_repo *repo = new_repo();
	char *who = NULL;
	size_t i;

	assert_int_equal(eks_repo_author(&who, repo, "  Ola Nordmann   <ola@x.example> "), 0);
	assert_string_equal(who, "Ola Nordmann <ola@x.example>");
	free(who);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(eks_repo_author(&who, repo, bad[i]), EKS_EUSAGE);
		assert_null(who);
		assert_non_null(strstr(eks_error_last()->message, "Name <email>"));
	}
	assert_int_equal(eks_repo_author(&who, repo, NULL), 0);
	assert_string_equal(who, "Kari Nordmann <kari@molde.example>");
	free(who);
	setenv("GIT_AUTHOR_NAME", "Env Person", 1);
	assert_int_equal(eks_repo_author(&who, repo, NULL), 0);
	assert_string_equal(who, "Env Person <kari@molde.example>");
	free(who);
	unsetenv("GIT_AUTHOR_NAME");

	write_text(strcat(strcpy(path, home), "/.gitconfig"), "[user]\n\tname = Only Name\n");
	assert_int_equal(eks_repo_author(&who, repo, NULL), EKS_EUSAGE);
	assert_non_null(strstr(eks_error_last()->message,
			       "git config --global user.email you@example.com"));
	assert_int_equal(eks_repo_commit(NULL, repo, &(eks_file_change){ "a", "a", 1 }, 1,
					 "m", NULL), EKS_EUSAGE);
	/* The repository's own config counts too. */
	assert_int_equal(sh(NULL, 0, "git config user.email local@x.example"), 0);
	assert_int_equal(eks_repo_author(&who, repo, NULL), 0);
	assert_string_equal(who, "Only Name <local@x.example>");
	free(who);
	eks_repo_free(repo);
}

/* ---- the lock ----------------------------------------------------------- */

static pid_t lock_in_child(void)
{
	int fds[2];
	pid_t pid;
	char c = 0;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		eks_repo *repo = NULL;

		close(fds[0]);
		if (eks_repo_discover(&repo, dir) < 0 || eks_repo_lock(repo, 0) < 0)
			_exit(1);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static void test_store_lock_times_out_and_survives_a_killed_holder(void **state)
{
	struct timespec t0, t1;
	eks_repo *repo = new_repo();
	double waited;
	pid_t child;
	int status;

	child = lock_in_child();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(eks_repo_lock(repo, 1), EKS_ELOCKED);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(waited >= 1.0 && waited < 3.0);
	assert_non_null(strstr(eks_error_last()->message, ".git/eksperiment/lock"));
	assert_non_null(strstr(eks_error_last()->message, "1 seconds"));
	/* A commit waits for the lock too, and gives up the same way. */
	eks_repo_set_lock_timeout(repo, 0);
	assert_int_equal(eks_repo_commit(NULL, repo, &(eks_file_change){ "a", "a", 1 }, 1,
					 "m", NULL), EKS_ELOCKED);
	assert_null(worktree_text("a"));

	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(eks_repo_lock(repo, 0), 0);
	assert_int_equal(eks_repo_lock(repo, 0), 0);       /* counted */
	eks_repo_unlock(repo);
	eks_repo_unlock(repo);
	commit_file(repo, "a", "a\n", NULL);
	eks_repo_free(repo);
}

static void test_store_concurrent_commits_all_land(void **state)
{
	eks_repo *repo = new_repo();
	pid_t kids[4];
	int i, status;

	eks_repo_free(repo);
	for (i = 0; i < 4; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			char path[64];
			int k, rc = 0;

			if (eks_repo_discover(&repo, dir) < 0)
				_exit(1);
			for (k = 0; k < 5 && rc == 0; k++) {
				eks_file_change c = { path, "x\n", 2 };

				snprintf(path, sizeof(path), "experiments/e%d/log%d.yaml", i, k);
				rc = eks_repo_commit(NULL, repo, &c, 1, "concurrent", NULL);
			}
			eks_repo_free(repo);
			_exit(rc == 0 ? 0 : 1);
		}
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_string_equal(sh_out("git rev-list --count HEAD%s", ""), "21");
	assert_string_equal(sh_out("git ls-files experiments | wc -l%s", ""), "20");
	assert_clean_and_valid();
}

/* ---- hand edits --------------------------------------------------------- */

static void test_store_commit_refuses_to_overwrite_hand_edits(void **state)
{
	eks_file_change change = { "experiments/a/log.yaml", "new\n", 4 };
	char before[64], out[4096];
	eks_repo *repo = new_repo();

	commit_file(repo, "experiments/a/log.yaml", "old\n", NULL);
	strcpy(before, sh_out("git rev-parse HEAD%s", ""));

	/* Changed in the work tree. */
	assert_int_equal(sh(NULL, 0, "echo 'hand edit' >> experiments/a/log.yaml"), 0);
	assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL), EKS_EREFUSED);
	assert_string_equal(eks_error_last()->message,
			    "'experiments/a/log.yaml' has uncommitted changes: commit them "
			    "with git first, or discard them with 'git checkout -- "
			    "experiments/a/log.yaml'");
	assert_string_equal(worktree_text("experiments/a/log.yaml"), "old\nhand edit\n");
	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), before);

	/* Staged. */
	assert_int_equal(sh(NULL, 0, "git add experiments/a/log.yaml"), 0);
	assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL), EKS_EREFUSED);
	assert_non_null(strstr(eks_error_last()->message, "git checkout HEAD -- "));
	assert_int_equal(sh(out, sizeof(out), "git status --porcelain"), 0);
	assert_string_equal(out, "M  experiments/a/log.yaml\n");

	/* Deleted by hand: the deletion is a change too. */
	assert_int_equal(sh(NULL, 0, "git reset -q --hard && rm experiments/a/log.yaml"), 0);
	assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL), EKS_EREFUSED);

	/* Untracked file where a new one would go. */
	assert_int_equal(sh(NULL, 0, "git checkout -q -- . && mkdir -p experiments/b && "
			    "echo mine > experiments/b/log.yaml"), 0);
	change.path = "experiments/b/log.yaml";
	assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL), EKS_EREFUSED);
	assert_non_null(strstr(eks_error_last()->message, "not committed"));
	assert_string_equal(worktree_text("experiments/b/log.yaml"), "mine\n");
	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), before);

	/* A symbolic link on the way is refused before anything is written. */
	assert_int_equal(sh(NULL, 0, "mkdir ../%s-elsewhere && ln -s ../%s-elsewhere "
			    "experiments/c", strrchr(dir, '/') + 1, strrchr(dir, '/') + 1), 0);
	change.path = "experiments/c/log.yaml";
	assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL), EKS_EREFUSED);
	assert_non_null(strstr(eks_error_last()->message, "symbolic links are refused"));
	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), before);
	assert_int_equal(sh(NULL, 0, "rm experiments/c && rmdir ../%s-elsewhere",
			    strrchr(dir, '/') + 1), 0);
	change.path = "experiments/b/log.yaml";

	/* A hand edit that already is the new content is no loss. */
	assert_int_equal(sh(NULL, 0, "echo new > experiments/b/log.yaml"), 0);
	assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL), 0);
	assert_clean_and_valid();

	/* Edits of other files do not matter. */
	assert_int_equal(sh(NULL, 0, "echo other >> experiments/a/log.yaml"), 0);
	change.data = "newer\n";
	change.len = 6;
	assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL), 0);
	eks_repo_free(repo);
}

static void test_store_dirty_experiments_lists_uncommitted_paths(void **state)
{
	eks_repo *repo = new_repo();
	char **paths = NULL;
	size_t n = 9;

	commit_file(repo, "experiments/a/log.yaml", "a\n", NULL);
	commit_file(repo, "experiments/b/log.yaml", "b\n", NULL);
	assert_int_equal(eks_repo_dirty_experiments(&paths, &n, repo), 0);
	assert_int_equal(n, 0);
	eks_strings_free(paths, n);
	assert_int_equal(sh(NULL, 0, "echo x >> experiments/b/log.yaml && "
			    "mkdir experiments/c && echo c > experiments/c/experiment.yaml && "
			    "echo y > notes.txt && git rm -q experiments/a/log.yaml"), 0);
	assert_int_equal(eks_repo_dirty_experiments(&paths, &n, repo), 0);
	assert_int_equal(n, 3);
	assert_string_equal(paths[0], "experiments/a/log.yaml");
	assert_string_equal(paths[1], "experiments/b/log.yaml");
	/* a directory git does not know is named as a whole */
	assert_string_equal(paths[2], "experiments/c");
	eks_strings_free(paths, n);
	eks_repo_free(repo);
}

static void test_store_dirty_experiment_checks_one_experiment(void **state)
{
	eks_file_change two[] = {
		{ "experiments/a/log.yaml", "a\n", 2 },
		{ "experiments/a/sub/data.csv", "n\n1\n", 5 },
		{ "experiments/b/log.yaml", "b\n", 2 },
	};
	eks_repo *repo = new_repo();
	char **paths = NULL;
	size_t n = 9;

	assert_int_equal(eks_repo_commit(NULL, repo, two, 3, "two", NULL), 0);
	assert_int_equal(eks_repo_dirty_experiment(&paths, &n, repo, "a"), 0);
	assert_int_equal(n, 0);
	eks_strings_free(paths, n);
	assert_int_equal(sh(NULL, 0, "echo x >> experiments/a/log.yaml && "
			    "rm experiments/a/sub/data.csv && echo new > experiments/a/new.yaml && "
			    "echo '*.bak' > .gitignore && echo old > experiments/a/x.bak && "
			    "echo y >> experiments/b/log.yaml"), 0);
	assert_int_equal(eks_repo_dirty_experiment(&paths, &n, repo, "a"), 0);
	assert_int_equal(n, 3);
	assert_string_equal(paths[0], "experiments/a/log.yaml");
	assert_string_equal(paths[1], "experiments/a/new.yaml");
	assert_string_equal(paths[2], "experiments/a/sub/data.csv");
	eks_strings_free(paths, n);
	assert_int_equal(eks_repo_dirty_experiment(&paths, &n, repo, "c"), 0);
	assert_int_equal(n, 0);
	eks_strings_free(paths, n);
	assert_int_equal(sh(NULL, 0, "mkdir experiments/c && echo c > experiments/c/log.yaml"), 0);
	assert_int_equal(eks_repo_dirty_experiment(&paths, &n, repo, "c"), 0);
	assert_int_equal(n, 1);
	assert_string_equal(paths[0], "experiments/c/log.yaml");
	eks_strings_free(paths, n);
	assert_int_equal(eks_repo_dirty_experiment(&paths, &n, repo, "../a"), EKS_EUSAGE);
	assert_int_equal(eks_repo_dirty_experiment(&paths, &n, repo, "a/sub"), EKS_EUSAGE);
	eks_repo_free(repo);
}

/* ---- failures and crashes ----------------------------------------------- */

static char *index_bytes(size_t *len)
{
	char path[600];
	FILE *f;
	char *buf = malloc(1 << 20);

	snprintf(path, sizeof(path), "%s/.git/index", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void test_store_failed_ref_update_changes_nothing(void **state)
{
	eks_file_change changes[] = {
		{ "experiments/a/log.yaml", "two\n", 4 },
		{ "experiments/b/experiment.yaml", "id: b\n", 6 },
	};
	char before[64], hex[EKS_COMMIT_HEX], status_before[4096], status_after[4096];
	eks_repo *repo = new_repo();
	size_t len_before, len_after;
	char *idx_before, *idx_after;
	char journal[700];

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	strcpy(before, sh_out("git rev-parse HEAD%s", ""));
	sh(status_before, sizeof(status_before), "git status --porcelain --untracked=all");
	idx_before = index_bytes(&len_before);

	fail_ref_update = 1;
	assert_int_equal(eks_repo_commit(hex, repo, changes, 2, "m", NULL), EKS_EGIT);
	fail_ref_update = 0;
	assert_non_null(strstr(eks_error_last()->message, "injected failure"));
	assert_string_equal(hex, "");

	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), before);
	idx_after = index_bytes(&len_after);
	assert_int_equal(len_after, len_before);
	assert_memory_equal(idx_after, idx_before, len_before);
	assert_string_equal(worktree_text("experiments/a/log.yaml"), "one\n");
	assert_null(worktree_text("experiments/b/experiment.yaml"));
	sh(status_after, sizeof(status_after), "git status --porcelain --untracked=all");
	assert_string_equal(status_after, status_before);
	snprintf(journal, sizeof(journal), "%s/.git/eksperiment/pending", dir);
	assert_int_equal(access(journal, F_OK), -1);
	assert_clean_and_valid();
	free(idx_before);
	free(idx_after);

	/* The next attempt works. */
	assert_int_equal(eks_repo_commit(hex, repo, changes, 2, "m", NULL), 0);
	assert_clean_and_valid();
	eks_repo_free(repo);
}

static void touch_lock(const char *rel)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/.git/%s", dir, rel);
	close(open(path, O_WRONLY | O_CREAT, 0666));
}

static void test_store_stale_work_tree_is_repaired(void **state)
{
	eks_file_change change = { "experiments/a/log.yaml", "one\ntwo\n", 8 };
	char hex[EKS_COMMIT_HEX], journal[700], out[4096];
	struct timespec pause = { 0, 30 * 1000 * 1000 };
	eks_repo *repo = new_repo(), *next = NULL;

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	/* The branch moves, then updating the work tree fails: as if killed.
	 * (libgit2 reads git's index, as for a format gitindex.c leaves to it,
	 * and its second reading, before the work tree is touched, fails.) */
	gitindex_open_fails = EKS_ECORRUPT;
	fail_index_call = 1;
	assert_int_equal(eks_repo_commit(hex, repo, &change, 1, "m", NULL), 0);
	fail_index_call = -1;
	gitindex_open_fails = 0;
	assert_non_null(eks_repo_warning(repo));
	assert_non_null(strstr(eks_repo_warning(repo), "repairs"));
	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), hex);
	assert_string_equal(worktree_text("experiments/a/log.yaml"), "one\n");
	snprintf(journal, sizeof(journal), "%s/.git/eksperiment/pending", dir);
	assert_int_equal(access(journal, F_OK), 0);
	/* ... and the killed process left libgit2's lock files behind. */
	touch_lock("index.lock");
	touch_lock("refs/heads/main.lock");
	eks_repo_free(repo);
	nanosleep(&pause, NULL);

	assert_int_equal(eks_repo_discover(&next, dir), 0);
	assert_int_equal(eks_repo_repair(next), 0);
	assert_string_equal(worktree_text("experiments/a/log.yaml"), "one\ntwo\n");
	assert_int_equal(access(journal, F_OK), -1);
	snprintf(journal, sizeof(journal), "%s/.git/index.lock", dir);
	assert_int_equal(access(journal, F_OK), -1);
	snprintf(journal, sizeof(journal), "%s/.git/refs/heads/main.lock", dir);
	assert_int_equal(access(journal, F_OK), -1);
	assert_int_equal(sh(out, sizeof(out), "git status --porcelain"), 0);
	assert_string_equal(out, "");
	assert_clean_and_valid();
	assert_int_equal(eks_repo_repair(next), 0);   /* nothing left to do */
	eks_repo_free(next);
}

static void test_store_repair_leaves_later_hand_edits_alone(void **state)
{
	eks_file_change change = { "experiments/a/log.yaml", "one\ntwo\n", 8 };
	eks_repo *repo = new_repo();

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	fail_gitindex_write = 1;
	assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL), 0);
	fail_gitindex_write = 0;
	assert_non_null(eks_repo_warning(repo));
	write_text(strcat(strcpy((char[700]){ 0 }, dir), "/experiments/a/log.yaml"),
		   "edited after the crash\n");
	assert_int_equal(eks_repo_repair(repo), 0);
	assert_string_equal(worktree_text("experiments/a/log.yaml"), "edited after the crash\n");
	eks_repo_free(repo);
}

static void test_store_lock_file_of_a_running_git_is_kept(void **state)
{
	struct timespec pause = { 0, 30 * 1000 * 1000 };
	char path[700];
	eks_repo *repo = new_repo();

	/* No journal: an index.lock belongs to a git command, not to us. */
	touch_lock("index.lock");
	nanosleep(&pause, NULL);
	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	assert_non_null(eks_repo_warning(repo));
	snprintf(path, sizeof(path), "%s/.git/index.lock", dir);
	assert_int_equal(access(path, F_OK), 0);
	assert_string_equal(sh_out("git show HEAD:experiments/a/log.yaml%s", ""), "one");
	/* Made before the write began: still not ours to remove. */
	assert_int_equal(eks_repo_repair(repo), EKS_EGIT);
	assert_int_equal(access(path, F_OK), 0);
	/* Once git is done, the next command finishes the job. */
	unlink(path);
	assert_int_equal(eks_repo_repair(repo), 0);
	assert_clean_and_valid();
	eks_repo_free(repo);
}

static void test_store_killed_writer_does_not_block_the_next(void **state)
{
	struct timespec pause = { 0, 30 * 1000 * 1000 };
	char before[64];
	eks_repo *repo = new_repo();
	pid_t child;
	int status;

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	eks_repo_free(repo);
	strcpy(before, sh_out("git rev-parse HEAD%s", ""));
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		eks_file_change change = { "experiments/a/log.yaml", "one\ntwo\n", 8 };

		kill_on_index_write = 1;
		if (eks_repo_discover(&repo, dir) == 0)
			eks_repo_commit(NULL, repo, &change, 1, "killed", NULL);
		_exit(3);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* The commit went in before the kill; the work tree lags behind. */
	assert_string_equal(sh_out("git rev-parse HEAD~1%s", ""), before);
	nanosleep(&pause, NULL);

	assert_int_equal(eks_repo_discover(&repo, dir), 0);
	commit_file(repo, "experiments/a/log.yaml", "one\ntwo\nthree\n", NULL);
	assert_string_equal(sh_out("git log --format=%%s -3%s", ""),
			    "test commit\nkilled\ntest commit");
	assert_string_equal(worktree_text("experiments/a/log.yaml"), "one\ntwo\nthree\n");
	assert_clean_and_valid();
	eks_repo_free(repo);
}

/*
 * Kill a writer at many different instants.  After each kill the next
 * command must work, leave the repository valid and clean, and every
 * commit the writer reported must be in HEAD.
 */
static void test_store_killed_at_any_instant_loses_nothing(void **state)
{
	char reported[EKS_COMMIT_HEX * 64], out[4096];
	eks_repo *repo = new_repo();
	int round;

	eks_repo_free(repo);
	srand(42);
	for (round = 0; round < 25; round++) {
		struct timespec pause = { 0, (rand() % 30) * 1000 * 1000 + (rand() % 1000) * 1000 };
		size_t got = 0;
		ssize_t n;
		int fds[2], status, i;
		pid_t child;

		assert_int_equal(pipe(fds), 0);
		child = fork();
		assert_true(child >= 0);
		if (child == 0) {
			char text[64], hex[EKS_COMMIT_HEX];
			int k;

			close(fds[0]);
			if (eks_repo_discover(&repo, dir) < 0 || write(fds[1], "r", 1) != 1)
				_exit(1);
			for (k = 0;; k++) {
				eks_file_change c[2] = {
					{ "experiments/k/log.yaml", text, 0 },
					{ "experiments/k/experiment.yaml", text, 0 },
				};

				c[0].len = c[1].len = (size_t)snprintf(text, sizeof(text),
								       "round %d write %d\n", round, k);
				if (eks_repo_commit(hex, repo, c, 2, "killed", NULL) < 0 ||
				    write(fds[1], hex, EKS_COMMIT_HEX) != EKS_COMMIT_HEX)
					_exit(1);
			}
		}
		close(fds[1]);
		assert_int_equal(read(fds[0], out, 1), 1);    /* the child is ready */
		nanosleep(&pause, NULL);
		kill(child, SIGKILL);
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_true(WIFSIGNALED(status));
		while ((n = read(fds[0], reported + got, sizeof(reported) - got)) > 0)
			got += (size_t)n;
		close(fds[0]);

		pause.tv_sec = 0;
		pause.tv_nsec = 20 * 1000 * 1000;
		nanosleep(&pause, NULL);
		assert_int_equal(eks_repo_discover(&repo, dir), 0);
		assert_int_equal(eks_repo_repair(repo), 0);
		eks_repo_free(repo);
		assert_int_equal(sh(out, sizeof(out), "git status --porcelain --untracked=all"), 0);
		assert_string_equal(out, "");
		assert_int_equal(sh(out, sizeof(out), "git fsck --strict"), 0);
		for (i = 0; (size_t)(i + 1) * EKS_COMMIT_HEX <= got; i++)
			assert_int_equal(sh(NULL, 0, "git merge-base --is-ancestor %s HEAD",
					    reported + (size_t)i * EKS_COMMIT_HEX), 0);
	}
}

/* ---- git's index -------------------------------------------------------- */

static int count_loose_objects(void)
{
	return atoi(sh_out("find .git/objects -type f ! -path '*/pack/*' ! -path '*/info/*' "
			   "| wc -l%s", ""));
}

static void test_store_failed_index_update_is_repaired(void **state)
{
	eks_file_change change = { "experiments/a/log.yaml", "one\ntwo\n", 8 };
	char hex[EKS_COMMIT_HEX], journal[700], out[4096];
	eks_repo *repo = new_repo();

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	/* The work tree is written, then git's index cannot be. */
	fail_gitindex_write = 1;
	assert_int_equal(eks_repo_commit(hex, repo, &change, 1, "m", NULL), 0);
	fail_gitindex_write = 0;
	assert_non_null(eks_repo_warning(repo));
	assert_non_null(strstr(eks_repo_warning(repo), "injected failure"));
	assert_string_equal(sh_out("git rev-parse HEAD%s", ""), hex);
	assert_string_equal(worktree_text("experiments/a/log.yaml"), "one\ntwo\n");
	snprintf(journal, sizeof(journal), "%s/.git/eksperiment/pending", dir);
	assert_int_equal(access(journal, F_OK), 0);
	/* git's index still holds the old version */
	assert_int_equal(sh(out, sizeof(out), "git status --porcelain"), 0);
	assert_string_equal(out, "MM experiments/a/log.yaml\n");

	assert_int_equal(eks_repo_repair(repo), 0);
	assert_int_equal(access(journal, F_OK), -1);
	assert_clean_and_valid();
	eks_repo_free(repo);
}

/* Staged by hand and the work tree put back: only git's index holds the
 * change.  Refused by both readers of the index, and nothing is written:
 * not HEAD, not the index, not the work tree, not even an object. */
static void test_store_staged_change_is_refused_before_anything_is_written(void **state)
{
	eks_file_change change = { "experiments/a/log.yaml", "one\nmine\n", 9 };
	char before[64], journal[700], status_before[4096], status_after[4096];
	eks_repo *repo = new_repo();
	int reader, objects;

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	assert_int_equal(sh(NULL, 0, "echo staged >> experiments/a/log.yaml && "
			    "git add experiments/a/log.yaml && "
			    "git show HEAD:experiments/a/log.yaml > experiments/a/log.yaml"), 0);
	strcpy(before, sh_out("git rev-parse HEAD%s", ""));
	assert_int_equal(sh(status_before, sizeof(status_before), "git status --porcelain"), 0);
	assert_string_equal(status_before, "MM experiments/a/log.yaml\n");
	snprintf(journal, sizeof(journal), "%s/.git/eksperiment/pending", dir);
	for (reader = 0; reader < 2; reader++) {
		size_t len_before, len_after;
		char *idx_before = index_bytes(&len_before), *idx_after;

		objects = count_loose_objects();
		gitindex_open_fails = reader ? EKS_ECORRUPT : 0;
		assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL), EKS_EREFUSED);
		gitindex_open_fails = 0;
		assert_string_equal(eks_error_last()->message,
				    "'experiments/a/log.yaml' has uncommitted changes (staged in "
				    "git's index): commit them with git first, or discard them "
				    "with 'git checkout HEAD -- experiments/a/log.yaml'");
		assert_int_equal(gitindex_writes, 0);
		assert_string_equal(sh_out("git rev-parse HEAD%s", ""), before);
		idx_after = index_bytes(&len_after);
		assert_int_equal(len_after, len_before);
		assert_memory_equal(idx_after, idx_before, len_before);
		assert_string_equal(worktree_text("experiments/a/log.yaml"), "one\n");
		assert_int_equal(sh(status_after, sizeof(status_after), "git status --porcelain"), 0);
		assert_string_equal(status_after, status_before);
		assert_int_equal(access(journal, F_OK), -1);
		assert_int_equal(count_loose_objects(), objects);
		free(idx_before);
		free(idx_after);
	}
	eks_repo_free(repo);
}

static void test_store_unreadable_index_changes_nothing(void **state)
{
	eks_file_change change = { "experiments/a/log.yaml", "one\ntwo\n", 8 };
	char before[64], journal[700], path[700];
	eks_repo *repo = new_repo();
	size_t len_before, len_after;
	char *idx_before, *idx_after;
	int attempt, objects;
	FILE *f;

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	strcpy(before, sh_out("git rev-parse HEAD%s", ""));
	snprintf(journal, sizeof(journal), "%s/.git/eksperiment/pending", dir);
	for (attempt = 0; attempt < 3; attempt++) {
		if (attempt == 0) {
			/* gitindex.c runs out of memory: no second try */
			gitindex_open_fails = EKS_ENOMEM;
		} else if (attempt == 1) {
			/* neither gitindex.c nor libgit2 can read it */
			gitindex_open_fails = EKS_ECORRUPT;
			fail_index_call = 0;
		} else {
			/* a damaged file: both refuse it (the checksum; a fresh
			 * repository, as libgit2 trusts a copy it read before) */
			eks_repo_free(repo);
			assert_int_equal(eks_repo_discover(&repo, dir), 0);
			snprintf(path, sizeof(path), "%s/.git/index", dir);
			assert_non_null(f = fopen(path, "r+b"));
			assert_int_equal(fseek(f, 40, SEEK_SET), 0);
			assert_int_equal(fputc(0x5a, f), 0x5a);
			assert_int_equal(fclose(f), 0);
		}
		idx_before = index_bytes(&len_before);
		objects = count_loose_objects();
		assert_int_equal(eks_repo_commit(NULL, repo, &change, 1, "m", NULL),
				 attempt == 0 ? EKS_ENOMEM : EKS_EGIT);
		if (attempt > 0)
			assert_non_null(strstr(eks_error_last()->message, "cannot read git's index"));
		gitindex_open_fails = 0;
		fail_index_call = -1;
		assert_string_equal(sh_out("git rev-parse HEAD%s", ""), before);
		idx_after = index_bytes(&len_after);
		assert_int_equal(len_after, len_before);
		assert_memory_equal(idx_after, idx_before, len_before);
		assert_string_equal(worktree_text("experiments/a/log.yaml"), "one\n");
		assert_int_equal(access(journal, F_OK), -1);
		assert_int_equal(count_loose_objects(), objects);
		free(idx_before);
		free(idx_after);
	}
	eks_repo_free(repo);
}

/* A big-endian word of git's index. */
static uint32_t index_word(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The cached tree of `dirpath` in git's index (gitformat-index, TREE):
 * its entry count (negative: invalidated) and id, written as hex to
 * `hex`; 0 when the index has no such cached tree.  Parsed here on its
 * own, so that it does not share a mistake with gitindex.c.
 */
static int cached_tree(long *entries, char hex[41], const char *dirpath)
{
	size_t len, pos = 12, end, i, n;
	unsigned char *ix = (unsigned char *)index_bytes(&len);
	uint32_t version = index_word(ix + 4), count = index_word(ix + 8);
	int found = 0;

	end = len - 20;
	for (i = 0; i < count; i++) {
		size_t fixed = (ix[pos + 60] & 0x40) ? 64 : 62;

		if (version < 4) {
			n = strlen((char *)ix + pos + fixed);
			pos += (fixed + n + 8) & ~(size_t)7;
		} else {
			size_t q = pos + fixed;

			while (ix[q] & 0x80)
				q++;
			q++;
			pos = q + strlen((char *)ix + q) + 1;
		}
	}
	while (pos + 8 <= end && memcmp(ix + pos, "TREE", 4))
		pos += 8 + index_word(ix + pos + 4);
	if (pos + 8 <= end) {
		/* pre-order: the path of each node from a stack of names */
		size_t q = pos + 8, qend = q + index_word(ix + pos + 4), depth = 0;
		long left[64];
		char name[64][256], full[1024];

		while (q < qend && !found) {
			const char *nm = (const char *)ix + q;
			long ent, sub;
			char *nl;

			q += strlen(nm) + 1;
			ent = strtol((const char *)ix + q, &nl, 10);
			sub = strtol(nl + 1, &nl, 10);
			q = (size_t)((unsigned char *)nl + 1 - ix);
			while (depth > 0 && left[depth - 1] == 0)
				depth--;
			if (depth > 0)
				left[depth - 1]--;
			snprintf(name[depth], sizeof(name[depth]), "%s", nm);
			full[0] = '\0';
			for (i = 1; i <= depth; i++) {
				if (i > 1)
					strcat(full, "/");
				strcat(full, name[i]);
			}
			if (!strcmp(full, dirpath)) {
				*entries = ent;
				hex[0] = '\0';
				if (ent >= 0)
					for (i = 0; i < 20; i++)
						sprintf(hex + 2 * i, "%02x", ix[q + i]);
				found = 1;
			}
			if (ent >= 0)
				q += 20;
			left[depth++] = sub;
		}
	}
	free(ix);
	return found;
}

static void assert_cached_tree(const char *dirpath, const char *rev)
{
	long entries = -1;
	char hex[41], want[64];

	strcpy(want, sh_out("git rev-parse %s", rev));
	assert_true(cached_tree(&entries, hex, dirpath));
	assert_true(entries >= 0);
	assert_string_equal(hex, want);
}

/*
 * In every index version git writes, a commit leaves git's index as git
 * itself would: clean, the stat data of the file written, the version
 * kept, and the cached trees along the path valid and equal to the new
 * commit's (so git commit and git write-tree need not rebuild them).
 */
static void test_store_commit_keeps_git_index_current(void **state)
{
	eks_repo *repo = new_repo();
	struct stat st;
	char text[64], path[700], want[256];
	int version;

	commit_file(repo, "experiments/a/experiment.yaml", "id: a\n", NULL);
	commit_file(repo, "experiments/b/log.yaml", "b\n", NULL);
	snprintf(path, sizeof(path), "%s/experiments/a/log.yaml", dir);
	for (version = 2; version <= 4; version++) {
		size_t len;
		char *ix;

		snprintf(text, sizeof(text), "version %d\n", version);
		commit_file(repo, "experiments/a/log.yaml", text, NULL);   /* a new file */
		/* git writes version 3 only when an entry has extended flags */
		assert_int_equal(sh(NULL, 0, "git update-index --%sskip-worktree "
				    "experiments/b/log.yaml && git update-index --index-version %d "
				    "&& git write-tree >/dev/null", version == 3 ? "" : "no-", version), 0);
		ix = index_bytes(&len);
		assert_int_equal(index_word((unsigned char *)ix + 4), version);
		free(ix);
		gitindex_writes = 0;
		snprintf(text, sizeof(text), "version %d\nagain\n", version);
		commit_file(repo, "experiments/a/log.yaml", text, NULL);
		assert_int_equal(gitindex_writes, 1);                      /* in place */
		assert_clean_and_valid();
		assert_int_equal(sh(NULL, 0, "git diff --cached --quiet"), 0);
		ix = index_bytes(&len);
		assert_int_equal(index_word((unsigned char *)ix + 4), version);
		free(ix);
		assert_cached_tree("", "HEAD^{tree}");
		assert_cached_tree("experiments", "HEAD:experiments");
		assert_cached_tree("experiments/a", "HEAD:experiments/a");
		assert_string_equal(sh_out("git write-tree%s", ""), sh_out("git rev-parse HEAD^{tree}%s", ""));
		/* the stat data of the file on disk, so git need not hash it */
		assert_int_equal(lstat(path, &st), 0);
		snprintf(want, sizeof(want), "  ctime: %ld:%ld\n  mtime: %ld:%ld\n  dev: %lu\tino: %lu\n"
			 "  uid: %u\tgid: %u\n  size: %ld\tflags: 0",
			 (long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, (long)st.st_mtim.tv_sec,
			 st.st_mtim.tv_nsec, (unsigned long)st.st_dev, (unsigned long)st.st_ino,
			 st.st_uid, st.st_gid, (long)st.st_size);
		assert_string_equal(sh_out("git ls-files --debug experiments/a/log.yaml | tail -n 5%s", ""),
				    want);
	}
	/* Another change staged by hand stays staged; the cached trees above
	 * it no longer are the commit's, and git sees the difference. */
	assert_int_equal(sh(NULL, 0, "echo other > experiments/b/other.yaml && "
			    "git add experiments/b/other.yaml"), 0);
	commit_file(repo, "experiments/a/log.yaml", "with something staged\n", NULL);
	assert_string_equal(sh_out("git status --porcelain%s", ""), "A  experiments/b/other.yaml");
	assert_cached_tree("experiments/a", "HEAD:experiments/a");
	assert_int_equal(sh(NULL, 0, "GIT_INDEX_FILE=.git/expected git read-tree HEAD && "
			    "GIT_INDEX_FILE=.git/expected git update-index --add --cacheinfo "
			    "100644,$(git hash-object experiments/b/other.yaml),experiments/b/other.yaml && "
			    "test \"$(GIT_INDEX_FILE=.git/expected git write-tree)\" = "
			    "\"$(git write-tree)\" && rm .git/expected"), 0);
	assert_int_equal(sh(NULL, 0, "git commit -q -m 'by hand' && git fsck --strict "
			    "--no-dangling"), 0);
	assert_clean_and_valid();
	eks_repo_free(repo);
}

/* With core.ignorecase libgit2 (which then finds paths whatever their
 * case) reads and writes git's index. */
static void test_store_index_of_a_case_insensitive_repository(void **state)
{
	eks_repo *repo = new_repo();

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	assert_int_equal(sh(NULL, 0, "git config core.ignorecase true"), 0);
	commit_file(repo, "experiments/a/log.yaml", "one\ntwo\n", NULL);
	assert_int_equal(gitindex_writes, 0);
	assert_clean_and_valid();
	assert_int_equal(sh(NULL, 0, "git config core.ignorecase false"), 0);
	commit_file(repo, "experiments/a/log.yaml", "one\ntwo\nthree\n", NULL);
	assert_int_equal(gitindex_writes, 1);
	assert_clean_and_valid();
	eks_repo_free(repo);
}

/* Another program stages a file between our reading of git's index and
 * our writing it: its change is kept (gitindex.c sees the index moved and
 * libgit2 does the update on the new one). */
static void test_store_index_changed_meanwhile_is_kept(void **state)
{
	eks_repo *repo = new_repo();

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	before_gitindex_write = "echo staged > other.txt && git add other.txt";
	commit_file(repo, "experiments/a/log.yaml", "one\ntwo\n", NULL);
	assert_int_equal(gitindex_writes, 1);
	assert_null(eks_repo_warning(repo));
	assert_string_equal(sh_out("git status --porcelain%s", ""), "A  other.txt");
	assert_string_equal(sh_out("git show :experiments/a/log.yaml%s", ""), "one\ntwo");
	assert_int_equal(sh(NULL, 0, "git diff --quiet"), 0);
	eks_repo_free(repo);
}

/*
 * A file changed so soon after git wrote its index that its stat data
 * (size and times) did not change is "racily clean": git finds the change
 * only by its content, and only while the index is not newer than the
 * file.  Rewriting the index must not hide the change (git's and
 * libgit2's smudging: such an entry gets size 0).
 */
static void test_store_racily_clean_entries_are_smudged(void **state)
{
	struct timespec times[2];
	struct stat st;
	char path[700], index[700];
	eks_repo *repo = new_repo();

	commit_file(repo, "experiments/a/log.yaml", "one\n", NULL);
	snprintf(path, sizeof(path), "%s/other.txt", dir);
	snprintf(index, sizeof(index), "%s/.git/index", dir);
	/* Written a while ago (so that no second is shared with what follows:
	 * git compares whole seconds) and added ... */
	assert_int_equal(sh(NULL, 0, "git config core.trustctime false && "
			    "echo aaaa > other.txt"), 0);
	assert_int_equal(lstat(path, &st), 0);
	times[0] = times[1] = st.st_mtim;
	times[0].tv_sec -= 1000;
	times[1].tv_sec -= 1000;
	assert_int_equal(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(sh(NULL, 0, "git add other.txt && git commit -q -m other"), 0);
	/* ... changed in place with the same size and times, as if in the same
	 * instant, and git's index written in that instant too. */
	write_text(path, "bbbb\n");
	assert_int_equal(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(utimensat(AT_FDCWD, index, times, 0), 0);
	assert_string_equal(sh_out("git --no-optional-locks status --porcelain%s", ""),
			    " M other.txt");

	commit_file(repo, "experiments/a/log.yaml", "one\ntwo\n", NULL);
	assert_int_equal(gitindex_writes, 1);
	assert_string_equal(sh_out("git status --porcelain%s", ""), " M other.txt");
	assert_string_equal(sh_out("git diff --stat | tail -n 1%s", ""),
			    " 1 file changed, 1 insertion(+), 1 deletion(-)");
	eks_repo_free(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_init_creates_repository, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_init_quotes_name_and_defaults_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_init_uses_configured_default_branch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_init_adopts_empty_git_repository, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_init_adopts_repository_with_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_init_is_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_init_without_author_creates_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_discover_from_subdirectory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_discover_fails_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_discover_linked_worktree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_resolve_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_resolve_head_without_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_read_files_at_revisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_read_refuses_symbolic_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_experiments_lists_directories_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_changed_experiments_between_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_tag_marks_a_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_commit_makes_one_commit_with_the_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_commit_keeps_other_staged_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_commit_rejects_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_commit_on_detects_a_moved_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_commit_picks_up_hand_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_author_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_lock_times_out_and_survives_a_killed_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_concurrent_commits_all_land, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_commit_refuses_to_overwrite_hand_edits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_dirty_experiments_lists_uncommitted_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_dirty_experiment_checks_one_experiment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_failed_ref_update_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_stale_work_tree_is_repaired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_repair_leaves_later_hand_edits_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_lock_file_of_a_running_git_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_killed_writer_does_not_block_the_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_killed_at_any_instant_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_failed_index_update_is_repaired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_staged_change_is_refused_before_anything_is_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_unreadable_index_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_commit_keeps_git_index_current, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_index_changed_meanwhile_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_index_of_a_case_insensitive_repository, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_racily_clean_entries_are_smudged, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
