/*
 * test_registration.c - the registered commit with and without its tag,
 * and the tag that an interrupted register left out (SPEC 5).
 *
 * Each test gets a fresh repository with the two shared examples,
 * committed with the git CLI; uu-molde-outreach is registered by that
 * commit (its log has the registration entry), demo-velferdsteknologi is
 * not registered.  HOME points at a temporary directory whose .gitconfig
 * names the committer.  EKS_TEST_DATA overrides the location of
 * tests/data.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksperiment/error.h"
#include "eksperiment/registration.h"
#include "eksperiment/store.h"

#define MOLDE "uu-molde-outreach"
#define DEMO  "demo-velferdsteknologi"

/* ---- fixture ------------------------------------------------------------ */

static char home[256];
static char dir[512];
static char examples[PATH_MAX];
static eks_repo *repo;

static void rm_rf(const char *path)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

/* Run a shell command in `dir`; 0 when it succeeded. */
__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ( ", dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	strncat(cmd, " ) >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	return system(cmd);
}

/* The first line of a command's output, which must succeed. */
__attribute__((format(printf, 1, 2)))
static const char *sh_out(const char *fmt, ...)
{
	static char out[1024];
	char cmd[4096];
	va_list ap;
	FILE *p;
	int n;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ( ", dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	strncat(cmd, " ) 2>/dev/null", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	out[0] = '\0';
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	assert_int_equal(pclose(p), 0);
	return out;
}

static void head(char out[EKS_COMMIT_HEX])
{
	assert_int_equal(eks_repo_resolve(out, repo, "HEAD"), 0);
}

/* The path of a file in this work tree's .git/eksperiment/. */
static const char *eksfile(const char *name)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/.git/eksperiment/%s", dir, name);
	return path;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int group_setup(void **state)
{
	const char *data = getenv("EKS_TEST_DATA");
	char path[PATH_MAX], config[512];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/examples", data && *data ? data : "tests/data");
	if (!realpath(path, examples))
		return -1;
	snprintf(home, sizeof(home), "/tmp/eks-registration-home-XXXXXX");
	if (!mkdtemp(home))
		return -1;
	snprintf(config, sizeof(config), "%s/.gitconfig", home);
	if (!(f = fopen(config, "w")))
		return -1;
	fputs("[user]\n\tname = Kari Nordmann\n\temail = kari@molde.example\n"
	      "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n", f);
	fclose(f);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	setenv("GIT_CEILING_DIRECTORIES", "/tmp", 1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rm_rf(home);
	return 0;
}

static int setup(void **state)
{
	int created = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/eks-registration-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (eks_repo_init(&repo, &created, dir, "Pilots", NULL) < 0)
		return -1;
	if (sh("mkdir -p experiments && cp -r '%s/" MOLDE "' '%s/" DEMO "' experiments/ && "
	       "git add experiments && git commit -qm 'add the examples'",
	       examples, examples) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	eks_repo_free(repo);
	repo = NULL;
	rm_rf(dir);
	return 0;
}

/* A note appended to a log and committed with git. */
static void commit_note(const char *id, const char *entry_id, char hex[EKS_COMMIT_HEX])
{
	assert_int_equal(sh("printf -- '---\\nid: %s\\nkind: note\\nrecorded_at: "
			    "2026-03-01T10:00:00Z\\nrecorded_by: Kari <kari@molde.example>\\n"
			    "note: by hand\\n' >> experiments/%s/log.yaml && "
			    "git commit -qam 'a note'", entry_id, id), 0);
	head(hex);
}

/* Register the demo as register does, through the store: the
 * registration entry appended and committed.  *commit gets the commit. */
static void commit_registration(char commit[EKS_COMMIT_HEX])
{
	static const char entry[] =
		"---\nid: 20260302T100000Z-0002\nkind: registration\n"
		"recorded_at: 2026-03-02T10:00:00Z\nrecorded_by: Kari <kari@molde.example>\n"
		"protocol_sha256: 00ff\n";
	eks_file_change change;
	char *log = NULL, *grown;
	size_t len = 0;

	assert_int_equal(eks_repo_read(&log, &len, repo, NULL,
				       "experiments/" DEMO "/log.yaml"), 0);
	grown = realloc(log, len + sizeof(entry));
	assert_non_null(grown);
	memcpy(grown + len, entry, sizeof(entry));
	change.path = "experiments/" DEMO "/log.yaml";
	change.data = grown;
	change.len = len + sizeof(entry) - 1;
	assert_int_equal(eks_repo_commit(commit, repo, &change, 1, "register " DEMO, NULL), 0);
	free(grown);
}

/* ---- the registered commit ------------------------------------------------ */

static void test_registration_commit_comes_from_the_history(void **state)
{
	char added[EKS_COMMIT_HEX], later[EKS_COMMIT_HEX], out[EKS_COMMIT_HEX];

	(void)state;
	head(added);
	commit_note(MOLDE, "20260301T100000Z-0001", later);
	/* no tag: the commit that added the registration entry */
	assert_int_equal(eks_registration_commit(out, repo, NULL, MOLDE), 0);
	assert_string_equal(out, added);
	assert_int_equal(eks_registration_commit(out, repo, added, MOLDE), 0);
	assert_string_equal(out, added);

	assert_int_equal(eks_registration_commit(out, repo, NULL, DEMO), EKS_ENOTFOUND);
	assert_non_null(strstr(eks_error_last()->message, "not registered"));
	assert_string_equal(out, "");
	assert_int_equal(eks_registration_commit(out, repo, NULL, "no-such-experiment"),
			 EKS_ENOTFOUND);
	assert_int_equal(eks_registration_commit(out, repo, "no-such-revision", MOLDE),
			 EKS_ENOTFOUND);
	assert_int_equal(eks_registration_commit(out, repo, NULL, "../etc"), EKS_EUSAGE);
}

static void test_registration_commit_is_the_first_adding_the_entry(void **state)
{
	char before[EKS_COMMIT_HEX], registered[EKS_COMMIT_HEX], later[EKS_COMMIT_HEX];
	char out[EKS_COMMIT_HEX];

	(void)state;
	head(before);
	commit_registration(registered);
	commit_note(DEMO, "20260303T100000Z-0003", later);
	assert_int_equal(eks_registration_commit(out, repo, "HEAD", DEMO), 0);
	assert_string_equal(out, registered);
	/* before the registration, it is not registered */
	assert_int_equal(eks_registration_commit(out, repo, before, DEMO), EKS_ENOTFOUND);
}

static void test_registration_commit_prefers_a_tag_in_the_history(void **state)
{
	char added[EKS_COMMIT_HEX], later[EKS_COMMIT_HEX], out[EKS_COMMIT_HEX];

	(void)state;
	head(added);
	commit_note(MOLDE, "20260301T100000Z-0001", later);
	/* the tag, even on another commit of the history, is the answer */
	assert_int_equal(sh("git tag -a -m x eksperiment/" MOLDE "/registered HEAD"), 0);
	assert_int_equal(eks_registration_commit(out, repo, NULL, MOLDE), 0);
	assert_string_equal(out, later);
	/* but not for a revision it is not in the history of */
	assert_int_equal(eks_registration_commit(out, repo, added, MOLDE), 0);
	assert_string_equal(out, added);
	/* nor when it is on another branch */
	assert_int_equal(sh("git tag -d eksperiment/" MOLDE "/registered && "
			    "git checkout -qb side && git commit -q --allow-empty -m side && "
			    "git tag eksperiment/" MOLDE "/registered && git checkout -q main"), 0);
	assert_int_equal(eks_registration_commit(out, repo, NULL, MOLDE), 0);
	assert_string_equal(out, added);
}

/* ---- the tag an interrupted register left out ----------------------------- */

static void test_registration_repair_makes_the_missing_tag(void **state)
{
	char registered[EKS_COMMIT_HEX];
	char **made = NULL;
	size_t made_count = 0;

	(void)state;
	/* register, killed after its commit and before its tag */
	assert_int_equal(eks_repo_lock(repo, 0), 0);
	assert_int_equal(eks_registration_mark(repo, DEMO), 0);
	commit_registration(registered);
	eks_repo_free(repo);
	assert_true(exists(eksfile("registering")));
	assert_int_not_equal(sh("git rev-parse -q --verify refs/tags/eksperiment/" DEMO
				"/registered"), 0);

	/* the next write */
	assert_int_equal(eks_repo_discover(&repo, dir), 0);
	assert_int_equal(eks_registration_repair(&made, &made_count, repo, NULL), 0);
	assert_int_equal(made_count, 1);
	assert_string_equal(made[0], "eksperiment/" DEMO "/registered");
	eks_strings_free(made, made_count);
	assert_false(exists(eksfile("registering")));
	assert_string_equal(sh_out("git rev-parse 'eksperiment/" DEMO "/registered^{commit}'"),
			    registered);
	/* the same tag register makes: annotated, the same message */
	assert_string_equal(sh_out("git cat-file -t eksperiment/" DEMO "/registered"), "tag");
	assert_string_equal(sh_out("git tag -l --format='%%(contents:subject)' "
				   "eksperiment/" DEMO "/registered"),
			    "Registration of " DEMO);
	assert_string_equal(sh_out("git tag -l --format='%%(contents:body)' "
				   "eksperiment/" DEMO "/registered"),
			    "protocol_sha256 00ff");

	/* nothing left to do: nothing made */
	assert_int_equal(eks_registration_repair(&made, &made_count, repo, NULL), 0);
	assert_int_equal(made_count, 0);
	assert_null(made);
}

static void test_registration_repair_without_a_registration(void **state)
{
	char before[EKS_COMMIT_HEX], after[EKS_COMMIT_HEX];
	char **made = NULL;
	size_t made_count = 0;

	(void)state;
	/* killed before its commit: nothing was registered, no tag */
	head(before);
	assert_int_equal(eks_registration_mark(repo, DEMO), 0);
	/* one whose tag register did make, and was killed before unmarking */
	assert_int_equal(sh("git tag -a -m x eksperiment/" MOLDE "/registered"), 0);
	assert_int_equal(eks_registration_mark(repo, MOLDE), 0);
	assert_int_equal(eks_registration_repair(&made, &made_count, repo, NULL), 0);
	assert_int_equal(made_count, 0);
	assert_false(exists(eksfile("registering")));
	assert_int_not_equal(sh("git rev-parse -q --verify refs/tags/eksperiment/" DEMO
				"/registered"), 0);
	head(after);
	assert_string_equal(before, after);
	/* without a mark: nothing to do */
	assert_int_equal(eks_registration_repair(NULL, NULL, repo, NULL), 0);
}

static void test_registration_marks_are_kept_by_id(void **state)
{
	FILE *f;
	char text[256];
	size_t n;

	(void)state;
	assert_int_equal(eks_registration_mark(repo, DEMO), 0);
	assert_int_equal(eks_registration_mark(repo, MOLDE), 0);
	assert_int_equal(eks_registration_mark(repo, DEMO), 0);
	assert_int_equal(eks_registration_unmark(repo, DEMO), 0);
	f = fopen(eksfile("registering"), "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_null(strstr(text, DEMO));
	assert_non_null(strstr(text, MOLDE "\n"));
	assert_int_equal(eks_registration_unmark(repo, MOLDE), 0);
	assert_false(exists(eksfile("registering")));
	assert_int_equal(eks_registration_unmark(repo, MOLDE), 0);
	assert_int_equal(eks_registration_mark(repo, "../etc"), EKS_EUSAGE);
}

static void test_registration_mark_never_follows_a_planted_link(void **state)
{
	char target[1024], tmp_target[1024];
	struct stat st;

	(void)state;
	snprintf(target, sizeof(target), "%s/planted", dir);
	snprintf(tmp_target, sizeof(tmp_target), "%s/planted-tmp", dir);
	assert_int_equal(sh("mkdir -p .git/eksperiment && "
			    "ln -s '%s' .git/eksperiment/registering && "
			    "ln -s '%s' .git/eksperiment/registering.tmp", target, tmp_target), 0);
	assert_int_equal(eks_registration_mark(repo, DEMO), 0);
	assert_false(exists(target));
	assert_false(exists(tmp_target));
	assert_int_equal(lstat(eksfile("registering"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_false(exists(eksfile("registering.tmp")));

	/* a link where the mark goes is not read as a mark, and removed */
	assert_int_equal(unlink(eksfile("registering")), 0);
	assert_int_equal(sh("printf 'eksperiment registration under way\\n"
			    DEMO "\\n' > planted && "
			    "ln -s '%s' .git/eksperiment/registering", target), 0);
	assert_int_equal(eks_registration_repair(NULL, NULL, repo, NULL), 0);
	assert_false(exists(eksfile("registering")));
	assert_true(exists(target));
	assert_int_not_equal(sh("git rev-parse -q --verify refs/tags/eksperiment/" DEMO
				"/registered"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registration_commit_comes_from_the_history,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_registration_commit_is_the_first_adding_the_entry,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_registration_commit_prefers_a_tag_in_the_history,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_registration_repair_makes_the_missing_tag,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_registration_repair_without_a_registration,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_registration_marks_are_kept_by_id,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_registration_mark_never_follows_a_planted_link,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
