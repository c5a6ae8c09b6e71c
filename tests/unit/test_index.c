/*
 * test_index.c - the query index (SPEC 4): the views built from a
 * repository, kept current across hand commits, deletions, renames and
 * checkouts; rebuilt when missing, damaged, of an older format or made
 * for a commit that is gone; the read-only `sql` path; and readers and
 * writers in several processes at once.
 *
 * Each test gets a fresh repository with the two shared examples,
 * committed with the git CLI as a user would; HOME points at a temporary
 * directory whose .gitconfig names the committer.  EKS_TEST_DATA
 * overrides the location of tests/data.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "eksperiment/accumulate.h"
#include "eksperiment/diag.h"
#include "eksperiment/error.h"
#include "eksperiment/evaluate.h"
#include "eksperiment/experiment.h"
#include "eksperiment/index.h"
#include "eksperiment/query.h"
#include "eksperiment/store.h"

/* ---- fixture ------------------------------------------------------------ */

static char home[256];
static char dir[512];              /* this test's repository */
static char examples[PATH_MAX];    /* tests/data/examples, absolute */
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

static void head(char out[EKS_COMMIT_HEX])
{
	assert_int_equal(eks_repo_resolve(out, repo, "HEAD"), 0);
}

static void index_path(char *out, size_t size)
{
	snprintf(out, size, "%sindex.sqlite", eks_repo_eksdir(repo));
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
	snprintf(home, sizeof(home), "/tmp/eks-index-home-XXXXXX");
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

/* A repository with the two examples, committed by plain git. */
static int setup(void **state)
{
	int created = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/eks-index-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (eks_repo_init(&repo, &created, dir, "Pilots", NULL) < 0)
		return -1;
	if (sh("mkdir -p experiments && cp -r '%s/uu-molde-outreach' "
	       "'%s/demo-velferdsteknologi' experiments/ && git add experiments && "
	       "git commit -qm 'add the examples'", examples, examples) != 0)
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

/* Append a note entry to an experiment's log and commit it with git. */
static void hand_commit_note(const char *id, const char *entry_id, char hex[EKS_COMMIT_HEX])
{
	assert_int_equal(sh("printf -- '---\\nid: %s\\nkind: note\\nrecorded_at: "
			    "2026-03-01T10:00:00Z\\nrecorded_by: Kari <kari@molde.example>\\n"
			    "note: a note by hand\\n' >> experiments/%s/log.yaml && "
			    "git commit -qam 'a note by hand'", entry_id, id), 0);
	head(hex);
}

/* ---- reading answers ------------------------------------------------------ */

/* The first column of the first row of `sql`, as text ("" for none, NULL
 * prints as "NULL"). */
static const char *scalar(eks_index *index, const char *sql)
{
	static char out[256];
	eks_rows *rows = NULL;
	int offset;

	out[0] = '\0';
	assert_int_equal(eks_index_sql(&rows, index, sql, &offset), 0);
	if (eks_rows_next(rows) > 0) {
		const char *text = eks_rows_text(rows, 0);
		snprintf(out, sizeof(out), "%s", text ? text : "NULL");
	}
	eks_rows_free(rows);
	return out;
}

static long long count(eks_index *index, const char *sql)
{
	return strtoll(scalar(index, sql), NULL, 10);
}

/* The ids of the experiments matching `expr` ("" for none), joined by
 * spaces. */
static const char *matching(eks_index *index, const char *expr)
{
	static char out[1024];
	eks_query *q = NULL;
	eks_rows *rows = NULL;
	int rc;

	out[0] = '\0';
	if (expr)
		assert_int_equal(eks_query_compile(&q, expr, NULL), 0);
	assert_int_equal(eks_index_experiments(&rows, index, q), 0);
	while ((rc = eks_rows_next(rows)) > 0) {
		if (out[0])
			strncat(out, " ", sizeof(out) - strlen(out) - 1);
		strncat(out, eks_rows_text(rows, 0), sizeof(out) - strlen(out) - 1);
	}
	assert_int_equal(rc, 0);
	eks_rows_free(rows);
	eks_query_free(q);
	return out;
}

static eks_index *open_at(const char *commit)
{
	eks_index *index = NULL;

	assert_int_equal(eks_index_open(&index, repo, commit), 0);
	assert_string_equal(eks_index_commit(index), commit);
	return index;
}

static eks_index *open_head(void)
{
	char hex[EKS_COMMIT_HEX];

	head(hex);
	return open_at(hex);
}

/* ---- building the views ---------------------------------------------------- */

static void test_index_views_have_the_columns_of_the_spec(void **state)
{
	static const char *const views[][20] = {
		{ "experiments", "id", "title", "title_nb", "challenge", "phase", "status",
		  "allocation", "model", "unit", "start_date", "end_date", "registered_at",
		  "registered_commit", "evidence_level", "n_entries", "last_recorded_at",
		  "deviations", NULL },
		{ "partners", "experiment_id", "name", "role", "kommunenummer", "level", NULL },
		{ "arms", "experiment_id", "id", "label", "type", NULL },
		{ "interventions", "experiment_id", "id", "name", NULL },
		{ "outcomes", "experiment_id", "id", "role", "title", "measure", "direction",
		  "unit", "minimum_effect", NULL },
		{ "hypotheses", "experiment_id", "id", "outcome_id", "test", "estimator",
		  "method", "alpha", "margin", "family", "statement", NULL },
		{ "observations", "experiment_id", "entry_id", "outcome_id", "arm_id",
		  "timepoint_id", "n", "events", "mean", "sd", "value", "recorded_at", NULL },
		{ "entries", "experiment_id", "id", "kind", "recorded_at", "recorded_by",
		  "commit", "supersedes", "note", NULL },
		{ "verdicts", "experiment_id", "hypothesis_id", "verdict", "estimate",
		  "ci_low", "ci_high", "p_value", "p_adjusted", "post_hoc", NULL },
	};
	eks_index *index = open_head();
	size_t v, i;

	(void)state;
	for (v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
		char sql[128];
		eks_rows *rows = NULL;

		snprintf(sql, sizeof(sql), "SELECT * FROM %s", views[v][0]);
		assert_int_equal(eks_index_sql(&rows, index, sql, NULL), 0);
		for (i = 1; views[v][i]; i++)
			assert_string_equal(eks_rows_name(rows, i - 1), views[v][i]);
		assert_int_equal(eks_rows_columns(rows), i - 1);
		eks_rows_free(rows);
	}
	eks_index_free(index);
}

static void test_index_holds_the_examples(void **state)
{
	eks_index *index = open_head();
	const eks_index_update *update = eks_index_last_update(index);

	(void)state;
	assert_int_equal(update->rebuilt, 1);
	assert_non_null(update->reason);
	assert_int_equal(update->experiments, 2);
	assert_string_equal(matching(index, NULL), "demo-velferdsteknologi uu-molde-outreach");
	assert_string_equal(scalar(index, "SELECT status || ' ' || challenge || ' ' || "
				   "n_entries || ' ' || last_recorded_at || ' ' || evidence_level "
				   "FROM experiments WHERE id = 'uu-molde-outreach'"),
			    "registered ungt_utenforskap 4 2026-02-10T09:10:00Z 3");
	assert_string_equal(scalar(index, "SELECT registered_at FROM experiments "
				   "WHERE id = 'uu-molde-outreach'"), "2025-01-20T10:02:11Z");
	assert_string_equal(scalar(index, "SELECT registered_at FROM experiments "
				   "WHERE id = 'demo-velferdsteknologi'"), "NULL");
	assert_string_equal(scalar(index, "SELECT deviations FROM experiments "
				   "WHERE id = 'uu-molde-outreach'"), "0");
	/* kommunenummer stays text, leading zero and all */
	assert_string_equal(scalar(index, "SELECT typeof(kommunenummer) || kommunenummer "
				   "FROM partners WHERE name = 'Molde kommune'"), "text1506");
	assert_int_equal(count(index, "SELECT count(*) FROM partners "
			       "WHERE experiment_id = 'uu-molde-outreach'"), 4);
	assert_int_equal(count(index, "SELECT count(*) FROM hypotheses "
			       "WHERE experiment_id = 'uu-molde-outreach'"), 3);
	assert_string_equal(scalar(index, "SELECT alpha || ' ' || family || ' ' || method "
				   "FROM hypotheses WHERE experiment_id = 'uu-molde-outreach' "
				   "AND id = 'H2'"), "0.05 exploratory auto");
	assert_string_equal(scalar(index, "SELECT n || '/' || events || ' ' || recorded_at "
				   "FROM observations WHERE experiment_id = 'uu-molde-outreach' "
				   "AND arm_id = 'molde' AND timepoint_id = 't1' "
				   "AND outcome_id = 'neet'"), "120/14 2026-02-10T09:10:00Z");
	assert_string_equal(scalar(index, "SELECT mean || ' ' || sd || ' ' || "
				   "coalesce(events, 'none') FROM observations WHERE "
				   "outcome_id = 'wellbeing' AND arm_id = 'molde'"), "6.9 1.8 none");
	/* every entry, and a full rebuild does not know who added them */
	assert_int_equal(count(index, "SELECT count(*) FROM entries"), 6);
	assert_int_equal(count(index, "SELECT count(*) FROM entries WHERE \"commit\" IS NULL"), 6);
	/* verdicts as evaluate gives them: one per hypothesis */
	assert_int_equal(count(index, "SELECT count(*) FROM verdicts"), 5);
	assert_string_equal(scalar(index, "SELECT verdict FROM verdicts WHERE "
				   "experiment_id = 'uu-molde-outreach' AND hypothesis_id = 'H1'"),
			    "inconclusive");
	assert_string_equal(scalar(index, "SELECT round(estimate, 4) FROM verdicts WHERE "
				   "experiment_id = 'uu-molde-outreach' AND hypothesis_id = 'H1'"),
			    "-0.0952");
	eks_index_free(index);
}

static void test_index_registered_commit_comes_from_the_tag(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_index *index;

	(void)state;
	head(hex);
	assert_int_equal(sh("git tag eksperiment/uu-molde-outreach/registered"), 0);
	/* the tag does not change the tree: rebuild to read it */
	assert_int_equal(eks_index_reindex(&index, repo, hex), 0);
	assert_string_equal(scalar(index, "SELECT registered_commit FROM experiments "
				   "WHERE id = 'uu-molde-outreach'"), hex);
	assert_string_equal(scalar(index, "SELECT registered_commit FROM experiments "
				   "WHERE id = 'demo-velferdsteknologi'"), "NULL");
	eks_index_free(index);
}

/* SPEC 5: without the tag (a plain git push leaves it behind), the
 * commit that added the registration entry: from the history on a
 * rebuild, from the index's own record when it saw the entry come. */
static void test_index_registered_commit_without_the_tag(void **state)
{
	char added[EKS_COMMIT_HEX], later[EKS_COMMIT_HEX], registered[EKS_COMMIT_HEX];
	char hex[EKS_COMMIT_HEX];
	eks_index *index;

	(void)state;
	head(added);
	hand_commit_note("uu-molde-outreach", "20260301T100000Z-0001", later);
	assert_int_equal(eks_index_reindex(&index, repo, later), 0);
	assert_string_equal(scalar(index, "SELECT registered_commit FROM experiments "
				   "WHERE id = 'uu-molde-outreach'"), added);
	assert_string_equal(scalar(index, "SELECT registered_commit FROM experiments "
				   "WHERE id = 'demo-velferdsteknologi'"), "NULL");
	eks_index_free(index);

	/* registered by a later commit, which the index sees come */
	assert_int_equal(sh("printf -- '---\\nid: 20260302T100000Z-0002\\nkind: registration\\n"
			    "recorded_at: 2026-03-02T10:00:00Z\\nrecorded_by: Kari <kari@molde.example>\\n"
			    "protocol_sha256: 00\\n' >> experiments/demo-velferdsteknologi/log.yaml && "
			    "git commit -qam 'register by hand'"), 0);
	head(registered);
	index = open_at(registered);
	assert_string_equal(scalar(index, "SELECT registered_commit FROM experiments "
				   "WHERE id = 'demo-velferdsteknologi'"), registered);
	eks_index_free(index);
	/* ... and keeps it, from the entry's commit, as the log grows */
	hand_commit_note("demo-velferdsteknologi", "20260303T100000Z-0003", hex);
	index = open_at(hex);
	assert_string_equal(scalar(index, "SELECT registered_commit FROM experiments "
				   "WHERE id = 'demo-velferdsteknologi'"), registered);
	eks_index_free(index);
	/* a rebuild finds it in the history */
	assert_int_equal(eks_index_reindex(&index, repo, hex), 0);
	assert_string_equal(scalar(index, "SELECT registered_commit FROM experiments "
				   "WHERE id = 'demo-velferdsteknologi'"), registered);
	assert_int_equal(count(index, "SELECT count(*) FROM experiments "
			       "WHERE registered_at IS NOT NULL AND registered_commit IS NULL"), 0);
	eks_index_free(index);
}

/* Registered on a branch that a merge commit brought in: the commit on
 * the branch, not the merge, as the history has it. */
static void test_index_registered_commit_across_a_merge(void **state)
{
	char registered[EKS_COMMIT_HEX], merged[EKS_COMMIT_HEX];
	eks_index *index;

	(void)state;
	assert_int_equal(sh("git checkout -qb side && "
			    "printf -- '---\\nid: 20260302T100000Z-0002\\nkind: registration\\n"
			    "recorded_at: 2026-03-02T10:00:00Z\\nrecorded_by: Kari <kari@molde.example>\\n"
			    "protocol_sha256: 00\\n' >> experiments/demo-velferdsteknologi/log.yaml && "
			    "git commit -qam 'register by hand' && git checkout -q main && "
			    "git commit -q --allow-empty -m 'meanwhile' && "
			    "git merge -q --no-ff -m merge side"), 0);
	assert_int_equal(eks_repo_resolve(registered, repo, "side"), 0);
	head(merged);
	assert_int_equal(eks_index_reindex(&index, repo, merged), 0);
	assert_string_equal(scalar(index, "SELECT registered_commit FROM experiments "
				   "WHERE id = 'demo-velferdsteknologi'"), registered);
	eks_index_free(index);
}

static void test_index_query_and_export(void **state)
{
	eks_index *index = open_head();
	eks_rows *rows = NULL;
	long long n = 0;
	int rc;

	(void)state;
	assert_string_equal(matching(index, "partner = 1506"), "uu-molde-outreach");
	assert_string_equal(matching(index, "hypothesis.verdict = supported"),
			    "demo-velferdsteknologi");
	assert_string_equal(matching(index, "status in (active, registered) and "
				     "outcome ~ NEET"), "uu-molde-outreach");
	assert_string_equal(matching(index, "not partner ~ molde"), "demo-velferdsteknologi");
	assert_string_equal(matching(index, "entries > 3"), "uu-molde-outreach");
	assert_string_equal(matching(index, "registered >= 2025"), "uu-molde-outreach");
	assert_string_equal(matching(index, "title ~ 'Oppsøkende'"), "uu-molde-outreach");
	assert_string_equal(matching(index, "status = withdrawn"), "");

	assert_int_equal(eks_index_export(&rows, index, EKS_EXPORT_OBSERVATIONS), 0);
	assert_string_equal(eks_rows_name(rows, 0), "experiment_id");
	assert_string_equal(eks_rows_name(rows, 10), "recorded_at");
	while ((rc = eks_rows_next(rows)) > 0)
		n++;
	assert_int_equal(rc, 0);
	assert_int_equal(n, count(index, "SELECT count(*) FROM observations"));
	eks_rows_free(rows);

	assert_int_equal(eks_index_export(&rows, index, EKS_EXPORT_HYPOTHESES), 0);
	assert_int_equal(eks_rows_columns(rows), 17);
	assert_string_equal(eks_rows_name(rows, 10), "verdict");
	assert_int_equal(eks_rows_next(rows), 1);
	assert_string_equal(eks_rows_text(rows, 0), "demo-velferdsteknologi");
	assert_string_equal(eks_rows_text(rows, 1), "H1");
	assert_string_equal(eks_rows_text(rows, 10), "supported");
	assert_int_equal(eks_rows_type(rows, 16), EKS_VALUE_INTEGER);
	eks_rows_free(rows);

	assert_int_equal(eks_export_what_from_name(&(eks_export_what){0}, "verdicts"), EKS_EUSAGE);
	eks_index_free(index);
}

/* ---- keeping current -------------------------------------------------------- */

static void test_index_follows_a_hand_commit(void **state)
{
	char before[EKS_COMMIT_HEX], after[EKS_COMMIT_HEX];
	eks_index *index;
	const eks_index_update *update;

	(void)state;
	head(before);
	eks_index_free(open_at(before));
	hand_commit_note("uu-molde-outreach", "20260301T100000Z-aaaa", after);

	index = open_at(after);
	update = eks_index_last_update(index);
	assert_int_equal(update->rebuilt, 0);
	assert_int_equal(update->reread, 1);         /* only the changed one */
	assert_int_equal(update->removed, 0);
	assert_string_equal(scalar(index, "SELECT n_entries || ' ' || last_recorded_at "
				   "FROM experiments WHERE id = 'uu-molde-outreach'"),
			    "5 2026-03-01T10:00:00Z");
	/* one commit forward: the new entry was added by that commit */
	assert_string_equal(scalar(index, "SELECT \"commit\" FROM entries WHERE id = "
				   "'20260301T100000Z-aaaa'"), after);
	assert_int_equal(count(index, "SELECT count(*) FROM entries WHERE \"commit\" IS NULL"), 6);
	eks_index_free(index);

	/* already there: nothing to do */
	index = open_at(after);
	assert_int_equal(eks_index_last_update(index)->reread, 0);
	eks_index_free(index);
}

static void test_index_follows_deletions_and_renames(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_index *index;

	(void)state;
	eks_index_free(open_head());
	assert_int_equal(sh("git mv experiments/demo-velferdsteknologi experiments/demo-omdopt && "
			    "sed -i 's/^id: demo-velferdsteknologi$/id: demo-omdopt/' "
			    "experiments/demo-omdopt/experiment.yaml && git commit -qam rename"), 0);
	index = open_head();
	assert_int_equal(eks_index_last_update(index)->reread, 1);
	assert_int_equal(eks_index_last_update(index)->removed, 1);
	assert_string_equal(matching(index, NULL), "demo-omdopt uu-molde-outreach");
	assert_int_equal(count(index, "SELECT count(*) FROM partners WHERE "
			       "experiment_id = 'demo-velferdsteknologi'"), 0);
	assert_int_equal(count(index, "SELECT count(*) FROM verdicts WHERE "
			       "experiment_id = 'demo-omdopt'"), 2);
	eks_index_free(index);

	assert_int_equal(sh("git rm -rq experiments/uu-molde-outreach && git commit -qm gone"), 0);
	head(hex);
	index = open_at(hex);
	assert_string_equal(matching(index, NULL), "demo-omdopt");
	/* no rows of the deleted experiment are left behind */
	assert_int_equal(count(index, "SELECT (SELECT count(*) FROM x_partner) + "
			       "(SELECT count(*) FROM x_observation) + (SELECT count(*) "
			       "FROM x_entry) + (SELECT count(*) FROM x_verdict) + (SELECT "
			       "count(*) FROM x_hypothesis) + (SELECT count(*) FROM x_arm)"),
			 count(index, "SELECT (SELECT count(*) FROM partners) + "
			       "(SELECT count(*) FROM observations) + (SELECT count(*) "
			       "FROM entries) + (SELECT count(*) FROM verdicts) + (SELECT "
			       "count(*) FROM hypotheses) + (SELECT count(*) FROM arms)"));
	assert_int_equal(count(index, "SELECT count(*) FROM observations"), 6);
	eks_index_free(index);

	/* everything removed */
	assert_int_equal(sh("git rm -rq experiments && git commit -qm empty"), 0);
	index = open_head();
	assert_string_equal(matching(index, NULL), "");
	assert_int_equal(count(index, "SELECT count(*) FROM x_observation"), 0);
	eks_index_free(index);
}

static void test_index_follows_checkouts_and_branches(void **state)
{
	char first[EKS_COMMIT_HEX], second[EKS_COMMIT_HEX], side[EKS_COMMIT_HEX];
	eks_index *index;

	(void)state;
	head(first);
	hand_commit_note("uu-molde-outreach", "20260301T100000Z-aaaa", second);
	index = open_at(second);
	assert_string_equal(scalar(index, "SELECT \"commit\" FROM entries WHERE id = "
				   "'20260301T100000Z-aaaa'"), "NULL");   /* full build */
	eks_index_free(index);

	/* back to the older commit, as `git checkout HEAD~1` */
	assert_int_equal(sh("git checkout -q HEAD~1"), 0);
	index = open_at(first);
	assert_int_equal(eks_index_last_update(index)->rebuilt, 0);
	assert_int_equal(eks_index_last_update(index)->reread, 1);
	assert_int_equal(count(index, "SELECT n_entries FROM experiments WHERE "
			       "id = 'uu-molde-outreach'"), 4);
	eks_index_free(index);

	/* a branch from there with another change */
	assert_int_equal(sh("git checkout -qb side && git rm -rq "
			    "experiments/demo-velferdsteknologi && git commit -qm side"), 0);
	head(side);
	index = open_at(side);
	assert_string_equal(matching(index, NULL), "uu-molde-outreach");
	eks_index_free(index);

	/* and back to main: both changes undone, only they are re-read */
	assert_int_equal(sh("git checkout -q main"), 0);
	index = open_at(second);
	assert_int_equal(eks_index_last_update(index)->reread, 2);
	assert_string_equal(matching(index, NULL), "demo-velferdsteknologi uu-molde-outreach");
	assert_int_equal(count(index, "SELECT n_entries FROM experiments WHERE "
			       "id = 'uu-molde-outreach'"), 5);
	/* a move across branches does not claim to know who added what */
	assert_int_equal(count(index, "SELECT count(*) FROM entries WHERE \"commit\" IS NOT NULL"), 0);
	eks_index_free(index);
}

static void test_index_snapshot_stays_at_its_commit(void **state)
{
	char first[EKS_COMMIT_HEX], second[EKS_COMMIT_HEX];
	eks_index *old, *new;

	(void)state;
	head(first);
	hand_commit_note("uu-molde-outreach", "20260301T100000Z-aaaa", second);
	old = open_at(first);
	new = open_at(second);        /* moves the shared file forward */
	assert_int_equal(count(new, "SELECT n_entries FROM experiments WHERE "
			       "id = 'uu-molde-outreach'"), 5);
	/* the first handle still answers for its commit, also through sql */
	assert_string_equal(matching(old, "entries = 4"), "uu-molde-outreach");
	eks_index_free(new);
	assert_int_equal(count(old, "SELECT n_entries FROM experiments WHERE "
			       "id = 'uu-molde-outreach'"), 4);
	eks_index_free(old);
}

static void test_index_indexes_an_invalid_experiment_partly(void **state)
{
	eks_index *index;
	char **ids = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(sh("sed -i 's/^status: active$/status: busy/' "
			    "experiments/demo-velferdsteknologi/experiment.yaml && "
			    "mkdir experiments/empty-dir && touch experiments/empty-dir/notes.txt && "
			    "git add -A && git commit -qm broken"), 0);
	index = open_head();
	assert_int_equal(eks_index_invalid(&ids, &n, index), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], "demo-velferdsteknologi");
	assert_string_equal(ids[1], "empty-dir");
	eks_strings_free(ids, n);
	/* what could be read is there; no verdicts from invalid files */
	assert_string_equal(scalar(index, "SELECT title FROM experiments WHERE "
				   "id = 'demo-velferdsteknologi'"),
			    "Digital night supervision in home care");
	assert_int_equal(count(index, "SELECT count(*) FROM verdicts WHERE "
			       "experiment_id = 'demo-velferdsteknologi'"), 0);
	assert_string_equal(scalar(index, "SELECT coalesce(status, 'none') FROM experiments "
				   "WHERE id = 'empty-dir'"), "none");
	assert_int_equal(count(index, "SELECT count(*) FROM verdicts"), 3);
	eks_index_free(index);
}

/* ---- rebuilding ------------------------------------------------------------- */

static void test_index_rebuilds_a_deleted_file(void **state)
{
	char path[1024];
	eks_index *index;

	(void)state;
	eks_index_free(open_head());
	index_path(path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	index = open_head();
	assert_int_equal(eks_index_last_update(index)->rebuilt, 1);
	assert_string_equal(eks_index_last_update(index)->reason, "there was no index yet");
	assert_int_equal(count(index, "SELECT count(*) FROM experiments"), 2);
	eks_index_free(index);
}

static void test_index_rebuilds_a_corrupted_file(void **state)
{
	char path[1024];
	eks_index *index;
	FILE *f;
	int i;

	(void)state;
	eks_index_free(open_head());
	index_path(path, sizeof(path));
	/* garbage over the whole file */
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 4096; i++)
		fputs("garbage!", f);
	fclose(f);
	index = open_head();
	assert_int_equal(eks_index_last_update(index)->rebuilt, 1);
	assert_string_equal(eks_index_last_update(index)->reason, "the index was damaged");
	assert_string_equal(matching(index, "partner = 1506"), "uu-molde-outreach");
	eks_index_free(index);

	/* garbage after a valid first page */
	f = fopen(path, "r+");
	assert_non_null(f);
	assert_int_equal(fseek(f, 4096, SEEK_SET), 0);
	for (i = 0; i < 8192; i++)
		fputs("garbage!", f);
	fclose(f);
	index = open_head();
	assert_int_equal(eks_index_last_update(index)->rebuilt, 1);
	assert_string_equal(matching(index, "hypothesis.verdict = supported"),
			    "demo-velferdsteknologi");
	eks_index_free(index);
}

/* Change the database behind the library's back. */
static void tamper(const char *sql)
{
	char path[1024];
	sqlite3 *db = NULL;

	index_path(path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_index_rebuilds_an_older_format(void **state)
{
	eks_index *index;

	(void)state;
	eks_index_free(open_head());
	tamper("PRAGMA user_version = 0; DELETE FROM x_partner");
	index = open_head();
	assert_int_equal(eks_index_last_update(index)->rebuilt, 1);
	assert_string_equal(eks_index_last_update(index)->reason,
			    "the index was made by an older version of eksperiment");
	assert_int_equal(count(index, "SELECT count(*) FROM partners"), 6);
	{
		char format[16];
		snprintf(format, sizeof(format), "%d", EKS_INDEX_FORMAT);
		assert_string_equal(scalar(index, "PRAGMA user_version"), format);
	}
	eks_index_free(index);
}

/* SPEC 4: verdicts written by another version's statistics are never
 * served; the index is rebuilt, and its rows are this version's. */
static void test_index_rebuilds_another_version_s_verdicts(void **state)
{
	eks_index *index;

	(void)state;
	eks_index_free(open_head());
	tamper("UPDATE meta SET value = '0.0.1' WHERE key = 'version';"
	       "UPDATE x_verdict SET verdict = 'supported', p_value = 0.001");
	index = open_head();
	assert_int_equal(eks_index_last_update(index)->rebuilt, 1);
	assert_string_equal(eks_index_last_update(index)->reason,
			    "the index was made by another version of eksperiment");
	/* the release, and a fingerprint of the statistics' sources */
	assert_true(!strncmp(scalar(index, "SELECT value FROM meta WHERE key = 'version'"),
			     EKS_VERSION "+stats.", strlen(EKS_VERSION "+stats.")));
	assert_int_equal(count(index, "SELECT count(*) FROM verdicts WHERE p_value = 0.001"), 0);
	eks_index_free(index);
	/* an index without the version is another version's too */
	tamper("DELETE FROM meta WHERE key = 'version'");
	index = open_head();
	assert_int_equal(eks_index_last_update(index)->rebuilt, 1);
	eks_index_free(index);
	index = open_head();
	assert_int_equal(eks_index_last_update(index)->rebuilt, 0);
	eks_index_free(index);
}

static void test_index_rebuilds_when_its_commit_is_gone(void **state)
{
	eks_index *index;

	(void)state;
	eks_index_free(open_head());
	tamper("UPDATE meta SET value = '0123456789012345678901234567890123456789' "
	       "WHERE key = 'commit'; DELETE FROM x_partner");
	index = open_head();
	assert_int_equal(eks_index_last_update(index)->rebuilt, 1);
	assert_int_equal(count(index, "SELECT count(*) FROM partners"), 6);
	eks_index_free(index);
}

static void test_index_reindex_builds_afresh(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_index *index;

	(void)state;
	eks_index_free(open_head());
	tamper("DELETE FROM x_partner");    /* a cache that went wrong */
	head(hex);
	index = open_at(hex);
	assert_int_equal(count(index, "SELECT count(*) FROM partners"), 0);
	eks_index_free(index);
	assert_int_equal(eks_index_reindex(&index, repo, hex), 0);
	assert_int_equal(eks_index_last_update(index)->rebuilt, 1);
	assert_int_equal(eks_index_last_update(index)->experiments, 2);
	assert_int_equal(count(index, "SELECT count(*) FROM partners"), 6);
	eks_index_free(index);
}

static void test_index_open_refuses_a_short_commit(void **state)
{
	eks_index *index = NULL;

	(void)state;
	assert_int_equal(eks_index_open(&index, repo, "abc123"), EKS_EUSAGE);
	assert_null(index);
}

/* ---- the read-only sql path ----------------------------------------------- */

/* The bytes of the database and its WAL, to prove nothing changed. */
static char *snapshot_files(size_t *len)
{
	char path[1024], cmd[2200];
	FILE *p;
	char *buf = NULL;
	size_t cap = 0, n;

	index_path(path, sizeof(path));
	snprintf(cmd, sizeof(cmd), "cat '%s' '%s-wal' 2>/dev/null | md5sum", path, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	*len = 0;
	buf = malloc(cap = 128);
	assert_non_null(buf);
	n = fread(buf, 1, cap - 1, p);
	buf[n] = '\0';
	*len = n;
	pclose(p);
	return buf;
}

static void test_index_sql_cannot_change_or_attach_anything(void **state)
{
	static const char *const refused[] = {
		"INSERT INTO x_experiment(id, n_entries, deviations, errors) VALUES ('x', 0, 0, 0)",
		"UPDATE x_experiment SET title = 'changed'",
		"DELETE FROM x_partner",
		"CREATE TABLE t(a)",
		"CREATE TEMP TABLE t(a)",
		"CREATE VIEW v AS SELECT 1",
		"DROP VIEW experiments",
		"ALTER TABLE x_arm ADD COLUMN c",
		"CREATE INDEX i ON x_arm(label)",
		"ATTACH DATABASE '/tmp/eks-index-attached.db' AS other",
		"DETACH DATABASE main",
		"PRAGMA writable_schema = 1",
		"PRAGMA user_version = 7",
		"PRAGMA journal_mode = DELETE",
		"PRAGMA optimize",
		"SELECT load_extension('/tmp/libnothing.so')",
		"VACUUM",
		"VACUUM INTO '/tmp/eks-index-vacuum.db'",
		"REINDEX x_arm",
		"ANALYZE",
		"BEGIN",
		"SAVEPOINT s",
		"WITH x AS (SELECT 1) DELETE FROM x_arm",
		/* rejected by SQLite before its authorizer is asked */
		"DELETE FROM experiments",
		"UPDATE verdicts SET verdict = 'supported'",
		"INSERT INTO no_such_table VALUES (1)",
		"ALTER TABLE experiments ADD COLUMN c",
		"DROP TABLE no_such_table",
		"EXPLAIN DELETE FROM entries",
	};
	eks_index *index = open_head();
	char *before, *after;
	size_t len, i;

	(void)state;
	eks_index_free(index);
	before = snapshot_files(&len);
	index = open_head();
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		eks_rows *rows = (eks_rows *)1;
		int rc = eks_index_sql(&rows, index, refused[i], NULL);

		if (rc != EKS_EREFUSED)
			fail_msg("'%s' gave %d: %s", refused[i], rc, eks_error_last()->message);
		assert_null(rows);
		assert_non_null(strstr(eks_error_last()->message, "only reads"));
	}
	eks_index_free(index);
	after = snapshot_files(&len);
	assert_string_equal(before, after);
	assert_int_equal(access("/tmp/eks-index-attached.db", F_OK), -1);
	assert_int_equal(access("/tmp/eks-index-vacuum.db", F_OK), -1);
	free(before);
	free(after);
}

static void test_index_sql_reads_and_reports_errors(void **state)
{
	eks_index *index = open_head();
	eks_rows *rows = NULL;
	int offset = 0;

	(void)state;
	/* reading, in the ways people do */
	assert_string_equal(scalar(index, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL "
				   "SELECT x + 1 FROM n WHERE x < 3) SELECT sum(x) FROM n"), "6");
	assert_string_equal(scalar(index, "PRAGMA table_info(experiments)"), "0");
	assert_string_equal(scalar(index, "  SELECT count(*) FROM verdicts; -- done\n"), "5");
	assert_string_equal(scalar(index, "SELECT upper(id) FROM arms ORDER BY id LIMIT 1"),
			    "KRISTIANSUND");

	assert_int_equal(eks_index_sql(&rows, index, "SELEC id FROM experiments", &offset),
			 EKS_EUSAGE);
	assert_null(rows);
	assert_int_equal(offset, 0);
	assert_non_null(strstr(eks_error_last()->message, "syntax error"));
	/* a write that does not parse is a mistake, not a refusal */
	assert_int_equal(eks_index_sql(&rows, index, "DELETE FRM experiments", &offset),
			 EKS_EUSAGE);
	assert_non_null(strstr(eks_error_last()->message, "syntax error"));
	assert_int_equal(eks_index_sql(&rows, index, "SELECT nope FROM experiments",
				       &offset), EKS_EUSAGE);
	assert_non_null(strstr(eks_error_last()->message, "no such column"));
	assert_int_equal(eks_index_sql(&rows, index, "SELECT 1; SELECT 2", &offset),
			 EKS_EUSAGE);
	assert_int_equal(offset, 9);
	assert_int_equal(eks_index_sql(&rows, index, " -- nothing\n", &offset), EKS_EUSAGE);
	/* an error while running */
	assert_int_equal(eks_index_sql(&rows, index, "SELECT abs(-9223372036854775807 - 1)",
				       &offset), EKS_EUSAGE);
	assert_non_null(strstr(eks_error_last()->message, "overflow"));
	eks_index_free(index);
}

/* ---- several processes ------------------------------------------------------ */

/* In a child: open the index at `commit` `rounds` times and check the
 * answer; exit 0 when every answer was right. */
static void child_reader(const char *commit, long long expected, int rounds, int reindex)
{
	eks_repo *mine = NULL;
	int i, ok = 1;

	if (eks_repo_discover(&mine, dir) < 0)
		_exit(2);
	for (i = 0; i < rounds && ok; i++) {
		eks_index *index = NULL;
		eks_rows *rows = NULL;
		int rc = reindex && i == 0 ? eks_index_reindex(&index, mine, commit)
					   : eks_index_open(&index, mine, commit);

		if (rc < 0) {
			fprintf(stderr, "child: %s\n", eks_error_last()->message);
			ok = 0;
		} else if (eks_index_sql(&rows, index, "SELECT n_entries FROM experiments "
					 "WHERE id = 'uu-molde-outreach'", NULL) < 0 ||
			   eks_rows_next(rows) != 1 || eks_rows_int(rows, 0) != expected) {
			fprintf(stderr, "child: wrong answer: %s\n", eks_error_last()->message);
			ok = 0;
		}
		eks_rows_free(rows);
		eks_index_free(index);
	}
	eks_repo_free(mine);
	_exit(ok ? 0 : 1);
}

static void test_index_concurrent_readers_and_writers(void **state)
{
	char first[EKS_COMMIT_HEX], second[EKS_COMMIT_HEX];
	pid_t pids[8];
	int i, status;

	(void)state;
	head(first);
	hand_commit_note("uu-molde-outreach", "20260301T100000Z-aaaa", second);
	/* Four processes read `second`, three `first` (so the index keeps
	 * moving under them), one rebuilds it from scratch; none may fail
	 * or see the other commit's answer. */
	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			if (i % 2 == 0)
				child_reader(second, 5, 15, i == 0);
			else
				child_reader(first, 4, 15, 0);
		}
	}
	for (i = 0; i < 8; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

/* The experiments view's id and deviations, and which protocols the index
 * counts as changed, as one line. */
static const char *integrity_state(eks_index *index)
{
	static char out[512];

	snprintf(out, sizeof(out), "%s", scalar(index, "SELECT group_concat(e.id || ':' || "
		 "e.deviations || ':' || f.protocol_changed, ' ') FROM (SELECT * FROM "
		 "x_experiment ORDER BY id) e JOIN x_file f ON f.exp = e.key"));
	return out;
}

static void test_index_follows_protocol_changes_commit_by_commit(void **state)
{
	char hex[EKS_COMMIT_HEX], stepwise[512];
	eks_index *index;

	(void)state;
	index = open_head();
	assert_string_equal(integrity_state(index),
			    "demo-velferdsteknologi:0:0 uu-molde-outreach:0:0");
	eks_index_free(index);

	/* A frozen field changed by hand after registration, one commit on:
	 * the index learns it without walking the history. */
	assert_int_equal(sh("sed -i 's/minimum_effect: 0.05/minimum_effect: 0.04/' "
			    "experiments/uu-molde-outreach/experiment.yaml && "
			    "git commit -qam 'a smaller effect, quietly'"), 0);
	head(hex);
	index = open_at(hex);
	assert_int_equal(eks_index_last_update(index)->rebuilt, 0);
	assert_string_equal(integrity_state(index),
			    "demo-velferdsteknologi:0:0 uu-molde-outreach:1:1");
	eks_index_free(index);

	/* Later commits that leave the protocol alone keep what was learnt. */
	hand_commit_note("uu-molde-outreach", "20260301T100000Z-aaaa", hex);
	index = open_at(hex);
	snprintf(stepwise, sizeof(stepwise), "%s", integrity_state(index));
	assert_string_equal(stepwise, "demo-velferdsteknologi:0:0 uu-molde-outreach:1:1");
	eks_index_free(index);

	/* The same as a rebuild, which walks the whole history. */
	assert_int_equal(eks_index_reindex(&index, repo, hex), 0);
	assert_string_equal(integrity_state(index), stepwise);
	eks_index_free(index);
}

/* ---- verdicts ---------------------------------------------------------------- */

/* Doubles as stored: the same bits, or both NaN. */
static void assert_same_double(double a, double b)
{
	if (a != a || b != b)
		assert_true(a != a && b != b);
	else
		assert_memory_equal(&a, &b, sizeof(a));
}

static void assert_same_text(const char *index_text, const char *fresh)
{
	if (!fresh)
		assert_null(index_text);
	else
		assert_string_equal(index_text, fresh);
}

/* The verdicts of `e` from the index are eks_evaluate's, field by field. */
static void assert_as_evaluated(const eks_evaluated *e, const char *commit)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_experiment *x = NULL;
	eks_cells *cells = NULL;
	eks_evaluation *ev = NULL;
	size_t i, g;

	assert_int_equal(eks_experiment_load(&x, repo, commit, e->id, &diags), 0);
	assert_int_equal(eks_log_accumulate(&cells, x->log), 0);
	assert_int_equal(eks_evaluate(&ev, x->protocol, cells, NULL), 0);
	assert_false(e->has_errors);
	assert_string_equal(e->status, eks_status_name(x->protocol->status));
	assert_int_equal(e->count, ev->count);
	for (i = 0; i < ev->count; i++) {
		const eks_hypothesis_result *r = &ev->results[i];
		const eks_hypothesis *h = r->hypothesis;
		const eks_verdict_row *row = &e->hypotheses[i];

		assert_string_equal(row->id, h->id);
		assert_string_equal(row->outcome, h->outcome);
		assert_string_equal(row->test, eks_test_name(h->test));
		assert_string_equal(row->estimator, eks_estimator_name(h->estimator));
		assert_string_equal(row->family, eks_family_name(h->family));
		assert_string_equal(row->method, r->method);
		assert_string_equal(row->arm, h->arm);
		assert_same_text(row->against, h->against);
		assert_int_equal(row->has_against_value, h->has_against_value);
		if (h->has_against_value)
			assert_same_double(row->against_value, h->against_value);
		assert_string_equal(row->timepoint, h->timepoint);
		assert_same_text(row->baseline, h->baseline);
		assert_int_equal(row->groups_count, r->groups_count);
		for (g = 0; g < r->groups_count; g++) {
			assert_string_equal(row->groups[g].arm, r->groups[g].arm);
			assert_string_equal(row->groups[g].timepoint, r->groups[g].timepoint);
			assert_int_equal(row->groups[g].has_data, r->groups[g].has_data);
			assert_int_equal(row->groups[g].is_count, r->groups[g].is_count);
			assert_int_equal(row->groups[g].n, r->groups[g].n);
			assert_int_equal(row->groups[g].events, r->groups[g].events);
			if (r->groups[g].has_data && !r->groups[g].is_count) {
				assert_same_double(row->groups[g].mean, r->groups[g].mean);
				assert_same_double(row->groups[g].sd, r->groups[g].sd);
			}
		}
		assert_int_equal(row->has_estimate, r->has_estimate);
		if (r->has_estimate)
			assert_same_double(row->estimate, r->estimate);
		assert_int_equal(row->has_interval, r->has_interval);
		if (r->has_interval) {
			assert_same_double(row->ci_low, r->ci_low);
			assert_same_double(row->ci_high, r->ci_high);
		}
		assert_int_equal(row->has_tost, r->has_tost);
		if (r->has_tost) {
			assert_same_double(row->ci_tost_low, r->ci_tost_low);
			assert_same_double(row->ci_tost_high, r->ci_tost_high);
			assert_same_double(row->tost_conf_level, r->tost_conf_level);
		}
		assert_int_equal(row->in_family, r->in_family);
		assert_same_double(row->conf_level, r->conf_level);
		assert_int_equal(row->has_p, r->has_p);
		if (r->has_p) {
			assert_same_double(row->p_value, r->p_value);
			assert_same_double(row->p_adjusted, r->p_adjusted);
		}
		assert_string_equal(row->verdict, eks_verdict_name(r->verdict));
		assert_string_equal(row->reason, r->reason);
	}
	eks_evaluation_free(ev);
	eks_cells_free(cells);
	eks_experiment_free(x);
	eks_diag_list_clear(&diags);
}

static void test_index_evaluations_are_eks_evaluate_s(void **state)
{
	char *asked[] = { "uu-molde-outreach", "no-such-experiment" };
	char after[EKS_COMMIT_HEX];
	eks_evaluations *ev = NULL;
	eks_index *index;
	size_t i;

	(void)state;
	index = open_head();
	assert_int_equal(eks_index_evaluations(&ev, index, NULL, 0), 0);
	assert_int_equal(ev->count, 2);
	assert_string_equal(ev->experiments[0].id, "demo-velferdsteknologi");
	assert_string_equal(ev->experiments[1].id, "uu-molde-outreach");
	for (i = 0; i < ev->count; i++)
		assert_as_evaluated(&ev->experiments[i], eks_index_commit(index));
	eks_evaluations_free(ev);

	/* by id, in the order asked; unknown ids left out */
	assert_int_equal(eks_index_evaluations(&ev, index, asked, 2), 0);
	assert_int_equal(ev->count, 1);
	assert_string_equal(ev->experiments[0].id, "uu-molde-outreach");
	eks_evaluations_free(ev);
	eks_index_free(index);

	/* a hand commit that changes the data: evaluated again */
	assert_int_equal(sh("sed -i 's/n: 120, events: 14/n: 120, events: 40/' "
			    "experiments/uu-molde-outreach/log.yaml && "
			    "git commit -qam 'more events' && grep -q 'events: 40' "
			    "experiments/uu-molde-outreach/log.yaml"), 0);
	head(after);
	index = open_at(after);
	assert_int_equal(eks_index_evaluations(&ev, index, asked, 1), 0);
	assert_int_equal(ev->count, 1);
	assert_as_evaluated(&ev->experiments[0], after);
	eks_evaluations_free(ev);
	eks_index_free(index);

	/* an experiment with errors has no verdicts */
	assert_int_equal(sh("sed -i 's/^challenge: demografi/challenge: eldre/' "
			    "experiments/demo-velferdsteknologi/experiment.yaml && "
			    "git commit -qam 'break it'"), 0);
	index = open_head();
	assert_int_equal(eks_index_evaluations(&ev, index, NULL, 0), 0);
	assert_int_equal(ev->count, 2);
	assert_true(ev->experiments[0].has_errors);
	assert_int_equal(ev->experiments[0].count, 0);
	assert_false(ev->experiments[1].has_errors);
	eks_evaluations_free(ev);
	eks_index_free(index);
}

/* ---- the work tree --------------------------------------------------------- */

/* eks_index_uncommitted's paths joined by spaces ("" for none). */
static const char *uncommitted(eks_index *index, char *const *ids, size_t n)
{
	static char out[1024];
	char **paths = NULL;
	size_t count = 0, i;

	out[0] = '\0';
	assert_int_equal(eks_index_uncommitted(&paths, &count, index, ids, n), 0);
	for (i = 0; i < count; i++) {
		if (i)
			strncat(out, " ", sizeof(out) - strlen(out) - 1);
		strncat(out, paths[i], sizeof(out) - strlen(out) - 1);
	}
	eks_strings_free(paths, count);
	return out;
}

/* Run `sql` on the index file directly (as a damaged cache would be). */
static void poke(const char *sql)
{
	char path[PATH_MAX];
	sqlite3 *db = NULL;

	index_path(path, sizeof(path));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_close(db);
}

static void test_index_uncommitted_names_changed_files(void **state)
{
	char *molde[] = { "uu-molde-outreach" };
	char *demo[] = { "demo-velferdsteknologi", "not-an-experiment" };
	eks_index *index;

	(void)state;
	index = open_head();
	assert_string_equal(uncommitted(index, NULL, 0), "");
	assert_int_equal(sh("echo '# a change' >> experiments/uu-molde-outreach/experiment.yaml && "
			    "rm experiments/demo-velferdsteknologi/log.yaml && "
			    "mkdir experiments/not-committed && "
			    "touch experiments/not-committed/experiment.yaml"), 0);
	assert_string_equal(uncommitted(index, NULL, 0),
			    "experiments/demo-velferdsteknologi/log.yaml "
			    "experiments/not-committed "
			    "experiments/uu-molde-outreach/experiment.yaml");
	/* only the experiments asked about, and no directory scan */
	assert_string_equal(uncommitted(index, molde, 1),
			    "experiments/uu-molde-outreach/experiment.yaml");
	assert_string_equal(uncommitted(index, demo, 2),
			    "experiments/demo-velferdsteknologi/log.yaml");
	assert_string_equal(uncommitted(index, molde, 0), "");
	/* put back as committed: nothing again */
	assert_int_equal(sh("git checkout -- experiments && rm -r experiments/not-committed"), 0);
	assert_string_equal(uncommitted(index, NULL, 0), "");
	eks_index_free(index);
}

static void test_index_uncommitted_trusts_only_unchanged_stat_data(void **state)
{
	char *molde[] = { "uu-molde-outreach" };
	eks_index *index;

	(void)state;
	assert_int_equal(sh("touch -d '10 seconds ago' experiments/uu-molde-outreach/log.yaml"), 0);
	index = open_head();
	assert_string_equal(uncommitted(index, molde, 1), "");
	eks_index_free(index);

	/* The remembered blob is believed while lstat gives the same data:
	 * a wrong one shows the file was not read again. */
	poke("UPDATE x_worktree SET blob = '0123456789012345678901234567890123456789'"
	     " WHERE path = 'experiments/uu-molde-outreach/log.yaml'");
	index = open_head();
	assert_string_equal(uncommitted(index, molde, 1), "experiments/uu-molde-outreach/log.yaml");
	eks_index_free(index);

	/* Other stat data: read again, and found unchanged. */
	assert_int_equal(sh("touch -d '5 seconds ago' experiments/uu-molde-outreach/log.yaml"), 0);
	index = open_head();
	assert_string_equal(uncommitted(index, molde, 1), "");
	eks_index_free(index);

	/* A file modified in (or after) the second it was looked at could
	 * change again unseen in that second: it is always read. */
	assert_int_equal(sh("touch -d '1 hour' experiments/uu-molde-outreach/log.yaml"), 0);
	index = open_head();
	assert_string_equal(uncommitted(index, molde, 1), "");
	eks_index_free(index);
	poke("UPDATE x_worktree SET blob = '0123456789012345678901234567890123456789'"
	     " WHERE path = 'experiments/uu-molde-outreach/log.yaml'");
	index = open_head();
	assert_string_equal(uncommitted(index, molde, 1), "");
	eks_index_free(index);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_index_views_have_the_columns_of_the_spec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_holds_the_examples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_registered_commit_comes_from_the_tag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_registered_commit_without_the_tag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_registered_commit_across_a_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_query_and_export, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_follows_a_hand_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_follows_deletions_and_renames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_follows_checkouts_and_branches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_snapshot_stays_at_its_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_indexes_an_invalid_experiment_partly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilds_a_deleted_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilds_a_corrupted_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilds_an_older_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilds_another_version_s_verdicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilds_when_its_commit_is_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_reindex_builds_afresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_open_refuses_a_short_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_sql_cannot_change_or_attach_anything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_sql_reads_and_reports_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_concurrent_readers_and_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_follows_protocol_changes_commit_by_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_evaluations_are_eks_evaluate_s, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_uncommitted_names_changed_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_uncommitted_trusts_only_unchanged_stat_data, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
