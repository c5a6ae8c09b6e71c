/*
 * test_integrity.c - what happened to an experiment after it was
 * committed (integrity.h): log rewrites found by entry id and content,
 * where they happened, which outcomes they touch, what a supersede and a
 * disclosure change about them; the candidates walk and its cache file;
 * the byte test of an appended log.
 *
 * Each test builds a repository in a fresh temporary directory with
 * eks_repo_commit (and the git CLI for branches and merges); HOME points
 * at a temporary directory whose .gitconfig names the committer.
 */
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

#include "eksperiment/buf.h"
#include "eksperiment/diag.h"
#include "eksperiment/error.h"
#include "eksperiment/integrity.h"
#include "eksperiment/log.h"
#include "eksperiment/store.h"
#include "eksperiment/yaml.h"

/* ---- fixture ------------------------------------------------------------ */

static char home[256];
static char dir[512];

static void rm_rf(const char *path)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

/* Run a shell command in `dir`; it must succeed. */
__attribute__((format(printf, 1, 2)))
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n, rc;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ( ", dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	strncat(cmd, " ) >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "failed: %s\n", cmd);
	assert_int_equal(rc, 0);
}

/* The first line a shell command prints in `dir`, without its newline. */
static void sh_line(char *out, size_t size, const char *cmd)
{
	char full[2048];
	FILE *p;
	size_t len;

	snprintf(full, sizeof(full), "cd '%s' && %s", dir, cmd);
	p = popen(full, "r");
	assert_non_null(p);
	if (!fgets(out, (int)size, p))
		out[0] = '\0';
	assert_int_equal(pclose(p), 0);
	len = strlen(out);
	if (len && out[len - 1] == '\n')
		out[len - 1] = '\0';
	assert_true(out[0] != '\0');
}

/* Write `text` to `rel` in the work tree (for commits made with git). */
static void write_file(const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int group_setup(void **state)
{
	char path[512];
	FILE *f;

	(void)state;
	snprintf(home, sizeof(home), "/tmp/eks-integrity-home-XXXXXX");
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
	setenv("GIT_CEILING_DIRECTORIES", "/tmp", 1);
	snprintf(path, sizeof(path), "%s/.gitconfig", home);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("[user]\n\tname = Kari Nordmann\n\temail = kari@molde.example\n"
	      "[init]\n\tdefaultBranch = main\n", f);
	fclose(f);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rm_rf(home);
	return 0;
}

static eks_repo *repo;

static int setup(void **state)
{
	int created = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/eks-integrity-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	repo = NULL;
	if (eks_repo_init(&repo, &created, dir, "Pilots", NULL) < 0)
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

/* Commit up to two files (NULL data deletes) with `message`. */
static void commit2(const char *message, const char *path1, const char *text1,
		    const char *path2, const char *text2, char hex[EKS_COMMIT_HEX])
{
	eks_file_change changes[2] = {
		{ path1, text1, text1 ? strlen(text1) : 0 },
		{ path2, text2, text2 ? strlen(text2) : 0 },
	};

	assert_int_equal(eks_repo_commit(hex, repo, changes, path2 ? 2 : 1, message, NULL), 0);
}

#define PROTOCOL "experiments/pilot/experiment.yaml"
#define LOG "experiments/pilot/log.yaml"

static const char protocol_text[] =
	"schema: eksperiment/v1\n"
	"id: pilot\n"
	"title: Outreach and NEET\n"
	"status: active\n"
	"arms:\n"
	"  - {id: molde, label: Outreach, type: experimental}\n"
	"  - {id: kristiansund, label: Usual, type: comparison}\n"
	"timepoints:\n"
	"  - {id: t1, label: 12 months}\n"
	"outcomes:\n"
	"  - {id: neet, role: primary, measure: proportion, direction: decrease, timepoints: [t1]}\n"
	"  - {id: wellbeing, role: secondary, measure: mean, direction: increase, timepoints: [t1]}\n"
	"hypotheses:\n"
	"  - {id: H1, outcome: neet, compare: {arm: molde, against: kristiansund}, timepoint: t1}\n"
	"  - {id: H3, outcome: wellbeing, compare: {arm: molde, against: kristiansund}, timepoint: t1}\n";

/* Log entries, one YAML document per line. */
#define A_ID "20260101T000000Z-aaaa"
#define B_ID "20260102T000000Z-bbbb"
#define C_ID "20260103T000000Z-cccc"
#define D_ID "20260104T000000Z-dddd"

/* Both outcomes in one entry; `n` is the NEET count of molde at t1. */
#define ENTRY_A(n) \
	"--- {id: " A_ID ", kind: observation, recorded_at: 2026-01-01T00:00:00Z, " \
	"recorded_by: \"K <k@x>\", observations: [" \
	"{outcome: neet, arm: molde, timepoint: t1, n: " n ", events: 14}, " \
	"{outcome: wellbeing, arm: molde, timepoint: t1, n: 96, mean: 6.9, sd: 1.8}]}\n"
#define ENTRY_B(note) \
	"--- {id: " B_ID ", kind: note, recorded_at: 2026-01-02T00:00:00Z, " \
	"recorded_by: \"K <k@x>\", note: " note "}\n"
#define ENTRY_C \
	"--- {id: " C_ID ", kind: observation, recorded_at: 2026-01-03T00:00:00Z, " \
	"recorded_by: \"O <o@x>\", observations: [" \
	"{outcome: neet, arm: kristiansund, timepoint: t1, n: 118, events: 25}]}\n"
#define ENTRY_D \
	"--- {id: " D_ID ", kind: note, recorded_at: 2026-01-04T00:00:00Z, " \
	"recorded_by: \"O <o@x>\", note: from the side branch}\n"

static eks_integrity *load_at(const char *rev)
{
	eks_integrity *in = NULL;

	assert_int_equal(eks_integrity_load(&in, repo, rev, "pilot"), 0);
	assert_non_null(in);
	return in;
}

static eks_integrity *load(void)
{
	return load_at(NULL);
}

static void head(char hex[EKS_COMMIT_HEX])
{
	assert_int_equal(eks_repo_resolve(hex, repo, "HEAD"), 0);
}

/* ---- log rewrites --------------------------------------------------------- */

static void test_integrity_changed_value_is_a_rewrite(void **state)
{
	char c1[EKS_COMMIT_HEX], c2[EKS_COMMIT_HEX];
	const eks_rewrite *r;
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120") ENTRY_B("first data in"), c1);
	in = load();
	assert_int_equal(in->rewrites_count, 0);
	assert_int_equal(in->rewritten_outcomes_count, 0);
	assert_false(eks_integrity_is_rewritten(in, "neet"));
	assert_int_equal(eks_integrity_undisclosed(in), 0);
	eks_integrity_free(in);

	commit2("fix the count", LOG, ENTRY_A("90") ENTRY_B("first data in"), NULL, NULL, c2);
	in = load();
	assert_string_equal(in->id, "pilot");
	assert_int_equal(in->registered, 0);
	assert_int_equal(in->deviations_count, 0);
	assert_int_equal(in->rewrites_count, 1);
	r = &in->rewrites[0];
	assert_string_equal(r->commit, c2);
	assert_string_equal(r->subject, "fix the count");
	assert_string_equal(r->entry_id, A_ID);
	assert_int_equal(r->removed, 0);
	assert_string_equal(r->path, "observations[neet/molde/t1].n");
	assert_string_equal(r->old_value, "120");
	assert_string_equal(r->new_value, "90");
	assert_int_equal(r->line, 1);          /* entry A is the first line */
	assert_true(r->col > 1);
	assert_null(r->disclosure_entry);
	assert_null(r->disclosure_reason);

	/* the data of neet came from the rewritten entry; those of
	 * wellbeing are in the same entry but were not touched */
	assert_int_equal(in->rewritten_outcomes_count, 1);
	assert_string_equal(in->rewritten_outcomes[0], "neet");
	assert_true(eks_integrity_is_rewritten(in, "neet"));
	assert_false(eks_integrity_is_rewritten(in, "wellbeing"));
	assert_false(eks_integrity_is_rewritten(in, "nee"));
	assert_false(eks_integrity_is_rewritten(in, NULL));
	assert_int_equal(eks_integrity_undisclosed(in), 1);
	eks_integrity_free(in);

	/* the history of the commit before knows nothing of it */
	in = load_at(c1);
	assert_int_equal(in->rewrites_count, 0);
	assert_false(eks_integrity_is_rewritten(in, "neet"));
	eks_integrity_free(in);
}

static void test_integrity_rewrite_of_fields_without_data(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120") ENTRY_B("first data in"), hex);
	/* a note's text and an observation entry's recorded_by: rewrites,
	 * but no outcome's data come from them */
	commit2("reword", LOG,
		"--- {id: " A_ID ", kind: observation, recorded_at: 2026-01-01T00:00:00Z, "
		"recorded_by: \"Kari <k@x>\", observations: ["
		"{outcome: neet, arm: molde, timepoint: t1, n: 120, events: 14}, "
		"{outcome: wellbeing, arm: molde, timepoint: t1, n: 96, mean: 6.9, sd: 1.8}]}\n"
		ENTRY_B("first data in late"), NULL, NULL, hex);
	in = load();
	assert_int_equal(in->rewrites_count, 2);
	assert_string_equal(in->rewrites[0].entry_id, A_ID);
	assert_string_equal(in->rewrites[0].path, "recorded_by");
	assert_string_equal(in->rewrites[0].old_value, "K <k@x>");
	assert_string_equal(in->rewrites[0].new_value, "Kari <k@x>");
	assert_string_equal(in->rewrites[1].entry_id, B_ID);
	assert_string_equal(in->rewrites[1].path, "note");
	assert_string_equal(in->rewrites[1].old_value, "first data in");
	assert_string_equal(in->rewrites[1].new_value, "first data in late");
	assert_int_equal(in->rewrites[1].line, 2);
	assert_int_equal(in->rewritten_outcomes_count, 0);
	assert_false(eks_integrity_is_rewritten(in, "neet"));
	assert_false(eks_integrity_is_rewritten(in, "wellbeing"));
	assert_int_equal(eks_integrity_undisclosed(in), 2);
	eks_integrity_free(in);
}

static void test_integrity_removed_entry(void **state)
{
	char hex[EKS_COMMIT_HEX];
	const eks_rewrite *r;
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_B("first data in") ENTRY_A("120"), hex);
	commit2("drop the first count", LOG, ENTRY_B("first data in"), NULL, NULL, hex);
	in = load();
	assert_int_equal(in->rewrites_count, 1);
	r = &in->rewrites[0];
	assert_string_equal(r->commit, hex);
	assert_string_equal(r->entry_id, A_ID);
	assert_int_equal(r->removed, 1);
	assert_null(r->path);
	assert_string_equal(r->old_value, "2 observations (neet@t1, wellbeing@t1)");
	assert_null(r->new_value);
	assert_int_equal(r->line, 2);          /* where it was, in the parent */
	/* every outcome it held lost data */
	assert_int_equal(in->rewritten_outcomes_count, 2);
	assert_string_equal(in->rewritten_outcomes[0], "neet");
	assert_string_equal(in->rewritten_outcomes[1], "wellbeing");
	assert_true(eks_integrity_is_rewritten(in, "neet"));
	assert_true(eks_integrity_is_rewritten(in, "wellbeing"));
	assert_int_equal(eks_integrity_undisclosed(in), 1);
	eks_integrity_free(in);
}

static void test_integrity_reorder_and_reformat_are_no_rewrite(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG,
		ENTRY_A("120") ENTRY_B("first data in") ENTRY_C, hex);
	/* the same entries in another order */
	commit2("reorder", LOG, ENTRY_C ENTRY_A("120") ENTRY_B("first data in"), NULL, NULL, hex);
	/* block style, other key order, other quoting, other spellings of
	 * the same numbers, a comment */
	commit2("reformat", LOG,
		ENTRY_C
		"# the first count\n"
		"---\n"
		"kind: observation\n"
		"id: '" A_ID "'\n"
		"recorded_by: K <k@x>\n"
		"recorded_at: 2026-01-01T00:00:00Z\n"
		"observations:\n"
		"  - outcome: \"neet\"\n"
		"    timepoint: t1\n"
		"    arm: molde\n"
		"    n: 120.0\n"
		"    events: 0x0E\n"
		"  - {outcome: wellbeing, arm: molde, timepoint: t1, n: 96, mean: 6.90, sd: 18e-1}\n"
		"---\n"
		"id: " B_ID "\n"
		"kind: note\n"
		"recorded_at: 2026-01-02T00:00:00Z\n"
		"recorded_by: 'K <k@x>'\n"
		"note: >-\n"
		"  first data in\n", NULL, NULL, hex);
	in = load();
	assert_int_equal(in->rewrites_count, 0);
	assert_int_equal(in->rewritten_outcomes_count, 0);
	assert_false(eks_integrity_is_rewritten(in, "neet"));
	assert_int_equal(eks_integrity_undisclosed(in), 0);
	eks_integrity_free(in);
}

/* Two branches each append an entry; git merges the logs with the union
 * driver that eks_repo_init set up in .gitattributes. */
static void test_integrity_merge_that_only_adds(void **state)
{
	char hex[EKS_COMMIT_HEX], merge[EKS_COMMIT_HEX], parents[128];
	char **ids = NULL;
	size_t count = 0;
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120"), hex);
	sh("git checkout -q -b side");
	sh("printf '%%s' '" ENTRY_D "' >> " LOG " && git commit -qam side");
	sh("git checkout -q main");
	sh("printf '%%s' '" ENTRY_C "' >> " LOG " && git commit -qam main");
	sh("git merge -q --no-edit side");
	head(merge);
	/* a real merge, and its log holds all three entries */
	sh_line(parents, sizeof(parents), "git rev-list --parents -n 1 HEAD | wc -w");
	assert_string_equal(parents, "3");
	sh("grep -q " D_ID " " LOG " && grep -q " C_ID " " LOG " && grep -q " A_ID " " LOG);

	in = load();
	assert_int_equal(in->rewrites_count, 0);
	assert_int_equal(in->rewritten_outcomes_count, 0);
	assert_false(eks_integrity_is_rewritten(in, "neet"));
	assert_int_equal(eks_integrity_undisclosed(in), 0);
	eks_integrity_free(in);

	/* The union puts the first parent's entry first: against that
	 * parent, the merge appended whole documents, and every other
	 * commit only appended or created, so no candidate.  (A merge
	 * whose log differs otherwise may be one; eks_integrity_load
	 * then decides, as above.) */
	assert_int_equal(eks_integrity_candidates(&ids, &count, repo, NULL), 0);
	assert_int_equal(count, 0);
	eks_strings_free(ids, count);
}

/* The union of two branches' entries in time order, as `sync` writes
 * it: the entries interleave, so the merge is no plain append of either
 * parent, but nothing was rewritten. */
static void test_integrity_merge_in_time_order(void **state)
{
	char hex[EKS_COMMIT_HEX];
	char **ids = NULL;
	size_t count = 0;
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120"), hex);
	sh("git checkout -q -b side");
	sh("printf '%%s' '" ENTRY_B("first data in") "' >> " LOG " && git commit -qam side");
	sh("git checkout -q main");
	sh("printf '%%s' '" ENTRY_C "' >> " LOG " && git commit -qam main");
	sh("git merge -q --no-commit --no-ff side");
	write_file(LOG, ENTRY_A("120") ENTRY_B("first data in") ENTRY_C);
	sh("git add " LOG " && git commit -qm 'merge side'");

	in = load();
	assert_int_equal(in->rewrites_count, 0);
	assert_int_equal(in->rewritten_outcomes_count, 0);
	eks_integrity_free(in);
	/* a candidate, which is allowed: eks_integrity_load decides */
	assert_int_equal(eks_integrity_candidates(&ids, &count, repo, NULL), 0);
	assert_int_equal(count, 1);
	assert_string_equal(ids[0], "pilot");
	eks_strings_free(ids, count);
}

/* A merge resolved by changing an entry both parents have alike. */
static void test_integrity_rewrite_inside_a_merge(void **state)
{
	char hex[EKS_COMMIT_HEX], side[EKS_COMMIT_HEX], merge[EKS_COMMIT_HEX];
	char **ids = NULL;
	size_t count = 0;
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120"), hex);
	sh("git checkout -q -b side");
	sh("printf '%%s' '" ENTRY_D "' >> " LOG " && git commit -qam side");
	assert_int_equal(eks_repo_resolve(side, repo, "side"), 0);
	sh("git checkout -q main");
	sh("printf '%%s' '" ENTRY_C "' >> " LOG " && git commit -qam main");
	sh("git merge -q --no-commit --no-ff side");
	write_file(LOG, ENTRY_A("90") ENTRY_C ENTRY_D);
	sh("git add " LOG " && git commit -qm 'merge side, and fix a count'");
	head(merge);

	in = load();
	assert_int_equal(in->rewrites_count, 1);
	assert_string_equal(in->rewrites[0].commit, merge);
	assert_string_equal(in->rewrites[0].subject, "merge side, and fix a count");
	assert_string_equal(in->rewrites[0].entry_id, A_ID);
	assert_string_equal(in->rewrites[0].path, "observations[neet/molde/t1].n");
	assert_string_equal(in->rewrites[0].old_value, "120");
	assert_string_equal(in->rewrites[0].new_value, "90");
	assert_true(eks_integrity_is_rewritten(in, "neet"));
	assert_false(eks_integrity_is_rewritten(in, "wellbeing"));
	eks_integrity_free(in);

	/* neither branch rewrote anything */
	in = load_at(side);
	assert_int_equal(in->rewrites_count, 0);
	eks_integrity_free(in);
	in = load_at("HEAD^1");
	assert_int_equal(in->rewrites_count, 0);
	eks_integrity_free(in);

	assert_int_equal(eks_integrity_candidates(&ids, &count, repo, NULL), 0);
	assert_int_equal(count, 1);
	assert_string_equal(ids[0], "pilot");
	eks_strings_free(ids, count);
}

static void test_integrity_superseded_rewrite(void **state)
{
	char c2[EKS_COMMIT_HEX], c3[EKS_COMMIT_HEX];
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120") ENTRY_C, c2);
	commit2("fix the count", LOG, ENTRY_A("90") ENTRY_C, NULL, NULL, c2);
	/* the correction done right: a later entry that supersedes it */
	commit2("supersede", LOG, ENTRY_A("90") ENTRY_C
		"--- {id: 20260105T000000Z-eeee, kind: observation, recorded_at: 2026-01-05T00:00:00Z, "
		"recorded_by: \"K <k@x>\", supersedes: " A_ID ", observations: ["
		"{outcome: neet, arm: molde, timepoint: t1, n: 90, events: 14}, "
		"{outcome: wellbeing, arm: molde, timepoint: t1, n: 96, mean: 6.9, sd: 1.8}]}\n",
		NULL, NULL, c3);
	in = load();
	/* the rewrite happened and stays on record ... */
	assert_int_equal(in->rewrites_count, 1);
	assert_string_equal(in->rewrites[0].commit, c2);
	assert_string_equal(in->rewrites[0].entry_id, A_ID);
	assert_string_equal(in->rewrites[0].path, "observations[neet/molde/t1].n");
	assert_int_equal(eks_integrity_undisclosed(in), 1);
	/* ... but no data come from the rewritten entry any more */
	assert_int_equal(in->rewritten_outcomes_count, 0);
	assert_false(eks_integrity_is_rewritten(in, "neet"));
	eks_integrity_free(in);

	/* before the supersede, they did */
	in = load_at(c2);
	assert_true(eks_integrity_is_rewritten(in, "neet"));
	eks_integrity_free(in);
}

/* Whether eks_log_parse of this checkout fills in the disclosure_*
 * fields of a `kind: disclosure` entry. */
static int disclosures_parsed(const char *text, const char *entry_id)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	eks_log *log = NULL;
	size_t i;
	int yes = 0;

	assert_int_equal(eks_yaml_parse(&file, "log.yaml", text, strlen(text), &diags), 0);
	eks_log_parse(&log, file, NULL, &diags);
	for (i = 0; log && i < log->entries_count; i++)
		if (log->entries[i].id && !strcmp(log->entries[i].id, entry_id))
			yes = log->entries[i].kind == EKS_ENTRY_DISCLOSURE &&
				log->entries[i].disclosure_commit != NULL;
	eks_log_free(log);
	eks_yaml_file_free(file);
	eks_diag_list_clear(&diags);
	return yes;
}

#define DISCLOSURE(id, commit, entries, reason) \
	"--- {id: " id ", kind: disclosure, recorded_at: 2026-02-01T00:00:00Z, " \
	"recorded_by: \"K <k@x>\", commit: \"" commit "\", paths: [], entries: [" entries "], " \
	"reason: \"" reason "\"}\n"

static void test_integrity_disclosed_rewrite(void **state)
{
	char c1[EKS_COMMIT_HEX], c2[EKS_COMMIT_HEX], hex[EKS_COMMIT_HEX];
	char text[2048];
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120") ENTRY_C, c1);
	commit2("fix the count", LOG, ENTRY_A("90") ENTRY_C, NULL, NULL, c2);

	/* A disclosure that names another commit (and a disclosure naming
	 * the right commit but another entry) covers nothing. */
	snprintf(text, sizeof(text),
		 ENTRY_A("90") ENTRY_C
		 DISCLOSURE("20260201T000000Z-0001", "%s", A_ID, "wrong commit")
		 DISCLOSURE("20260201T000000Z-0002", "%s", C_ID, "wrong entry"),
		 c1, c2);
	/*
	 * The parsing of `kind: disclosure` entries is being added on
	 * another branch.  Until eks_log_parse fills in disclosure_commit
	 * there is nothing to apply, so this test is skipped at run time
	 * then, and runs as soon as the parser knows the kind.
	 */
	if (!disclosures_parsed(text, "20260201T000000Z-0001"))
		skip();
	commit2("two disclosures that do not apply", LOG, text, NULL, NULL, hex);
	in = load();
	assert_int_equal(in->rewrites_count, 1);
	assert_null(in->rewrites[0].disclosure_entry);
	assert_null(in->rewrites[0].disclosure_reason);
	assert_int_equal(eks_integrity_undisclosed(in), 1);
	eks_integrity_free(in);

	/* the one that names the commit of the rewrite and the entry */
	snprintf(text, sizeof(text),
		 ENTRY_A("90") ENTRY_C
		 DISCLOSURE("20260201T000000Z-0001", "%s", A_ID, "wrong commit")
		 DISCLOSURE("20260201T000000Z-0002", "%s", C_ID, "wrong entry")
		 DISCLOSURE("20260202T000000Z-0003", "%s", A_ID, "the register extract was wrong"),
		 c1, c2, c2);
	commit2("disclose", LOG, text, NULL, NULL, hex);
	in = load();
	assert_int_equal(in->rewrites_count, 1);
	assert_string_equal(in->rewrites[0].commit, c2);
	assert_string_equal(in->rewrites[0].disclosure_entry, "20260202T000000Z-0003");
	assert_string_equal(in->rewrites[0].disclosure_reason, "the register extract was wrong");
	assert_int_equal(eks_integrity_undisclosed(in), 0);
	/* disclosed is not undone: the data still come from the entry */
	assert_true(eks_integrity_is_rewritten(in, "neet"));
	eks_integrity_free(in);

	/* as of the commit before the disclosure, it is undisclosed */
	in = load_at("HEAD^");
	assert_int_equal(eks_integrity_undisclosed(in), 1);
	eks_integrity_free(in);
}

static void test_integrity_errors(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_integrity *in = NULL;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120"), hex);
	assert_int_equal(eks_integrity_load(&in, repo, NULL, "nope"), EKS_ENOTFOUND);
	assert_null(in);
	assert_int_equal(eks_integrity_load(&in, repo, "no-such-branch", "pilot"), EKS_ENOTFOUND);
	assert_null(in);
	assert_false(eks_integrity_is_rewritten(NULL, "neet"));
	assert_int_equal(eks_integrity_undisclosed(NULL), 0);
	eks_integrity_free(NULL);
}

/* A merge that appends the other branch's entry, changed: from the first
 * parent's side only an append, but a rewrite of what the branch had
 * committed. */
static void test_integrity_merge_changes_the_other_branchs_entry(void **state)
{
	char hex[EKS_COMMIT_HEX], merge[EKS_COMMIT_HEX];
	char **ids = NULL;
	size_t count = 0;
	eks_integrity *in;

	(void)state;
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120"), hex);
	sh("git checkout -q -b side");
	sh("printf '%%s' '" ENTRY_D "' >> " LOG " && git commit -qam side");
	sh("git checkout -q main");
	sh("printf '%%s' '" ENTRY_C "' >> " LOG " && git commit -qam main");
	sh("git merge -q --no-commit --no-ff side");
	write_file(LOG, ENTRY_A("120") ENTRY_C
		   "--- {id: " D_ID ", kind: note, recorded_at: 2026-01-04T00:00:00Z, "
		   "recorded_by: \"O <o@x>\", note: from the other branch}\n");
	sh("git add " LOG " && git commit -qm 'merge side'");
	head(merge);

	in = load();
	assert_int_equal(in->rewrites_count, 1);
	assert_string_equal(in->rewrites[0].commit, merge);
	assert_string_equal(in->rewrites[0].entry_id, D_ID);
	assert_string_equal(in->rewrites[0].path, "note");
	assert_string_equal(in->rewrites[0].old_value, "from the side branch");
	assert_string_equal(in->rewrites[0].new_value, "from the other branch");
	eks_integrity_free(in);

	assert_int_equal(eks_integrity_candidates(&ids, &count, repo, NULL), 0);
	assert_int_equal(count, 1);
	assert_string_equal(ids[0], "pilot");
	eks_strings_free(ids, count);
}

/* The experiment was created on the branch; the merge changed its log.
 * The log is new against the first parent, not against the branch. */
static void test_integrity_merge_changes_a_log_new_to_the_first_parent(void **state)
{
	char hex[EKS_COMMIT_HEX], merge[EKS_COMMIT_HEX];
	char **ids = NULL;
	size_t count = 0;
	eks_integrity *in;

	(void)state;
	sh("git checkout -q -b side");
	commit2("create", PROTOCOL, protocol_text, LOG, ENTRY_A("120"), hex);
	sh("git checkout -q main");
	commit2("elsewhere", "README.md", "# Pilots\n", NULL, NULL, hex);
	sh("git merge -q --no-commit --no-ff side");
	write_file(LOG, ENTRY_A("90"));
	sh("git add " LOG " && git commit -qm 'merge side'");
	head(merge);

	in = load();
	assert_int_equal(in->rewrites_count, 1);
	assert_string_equal(in->rewrites[0].commit, merge);
	assert_string_equal(in->rewrites[0].path, "observations[neet/molde/t1].n");
	eks_integrity_free(in);

	assert_int_equal(eks_integrity_candidates(&ids, &count, repo, NULL), 0);
	assert_int_equal(count, 1);
	assert_string_equal(ids[0], "pilot");
	eks_strings_free(ids, count);
}

/* ---- protocol changes in merges ------------------------------------------- */

#define REGISTRATION \
	"--- {id: 20251201T000000Z-0000, kind: registration, recorded_at: 2025-12-01T00:00:00Z, " \
	"recorded_by: \"K <k@x>\", protocol_sha256: " \
	"0000000000000000000000000000000000000000000000000000000000000000}\n"

/* A merge resolved by changing a frozen field neither parent changed: a
 * deviation of the merge commit, and the experiment a candidate. */
static void test_integrity_deviation_inside_a_merge(void **state)
{
	char c1[EKS_COMMIT_HEX], merge[EKS_COMMIT_HEX];
	char **ids = NULL;
	size_t count = 0;
	eks_integrity *in;

	(void)state;
	commit2("register", PROTOCOL, protocol_text, LOG, REGISTRATION, c1);
	sh("git checkout -q -b side");
	sh("printf '%%s' '" ENTRY_D "' >> " LOG " && git commit -qam side");
	sh("git checkout -q main");
	sh("printf '%%s' '" ENTRY_C "' >> " LOG " && git commit -qam main");
	sh("git merge -q --no-commit --no-ff side");
	sh("sed -i 's/^title: .*/title: Outreach, NEET and more/' " PROTOCOL
	   " && git add " PROTOCOL " && git commit -qm 'merge side, and retitle'");
	head(merge);

	in = load();
	assert_int_equal(in->registered, 1);
	assert_string_equal(in->registration_commit, c1);
	assert_int_equal(in->deviations_count, 1);
	assert_string_equal(in->deviations[0].commit, merge);
	assert_string_equal(in->deviations[0].path, "title");
	assert_string_equal(in->deviations[0].old_value, "Outreach and NEET");
	assert_string_equal(in->deviations[0].new_value, "Outreach, NEET and more");
	assert_int_equal(in->rewrites_count, 0);
	eks_integrity_free(in);

	assert_int_equal(eks_integrity_candidates(&ids, &count, repo, NULL), 0);
	assert_int_equal(count, 1);
	assert_string_equal(ids[0], "pilot");
	eks_strings_free(ids, count);
}

/* Two branches change the protocol, one with an amendment; git merges
 * them cleanly.  The merge changed nothing itself: the amended change
 * stays an amendment of the branch's commit, not a deviation of the
 * merge, and no change is reported twice. */
static void test_integrity_clean_merge_of_protocol_changes(void **state)
{
	char c1[EKS_COMMIT_HEX], amended[EKS_COMMIT_HEX], deviated[EKS_COMMIT_HEX];
	eks_integrity *in;

	(void)state;
	commit2("register", PROTOCOL, protocol_text, LOG, REGISTRATION, c1);
	sh("git checkout -q -b side");
	sh("sed -i 's/^title: .*/title: Outreach and NEET, amended/' " PROTOCOL
	   " && printf '%%s' '--- {id: 20260110T000000Z-0a0a, kind: amendment, "
	   "recorded_at: 2026-01-10T00:00:00Z, recorded_by: \"K <k@x>\", paths: [title], "
	   "class: minor, reason: a clearer title}\n' >> " LOG
	   " && git commit -qam 'amend the title'");
	assert_int_equal(eks_repo_resolve(amended, repo, "side"), 0);
	sh("git checkout -q main");
	/* a frozen field far from the title, changed without an amendment */
	sh("sed -i 's/{id: t1, label: 12 months}/{id: t1, label: one year}/' " PROTOCOL
	   " && git commit -qam 'relabel t1'");
	head(deviated);
	sh("git merge -q --no-ff --no-edit side");
	sh("grep -q 'amended' " PROTOCOL " && grep -q 'one year' " PROTOCOL);

	in = load();
	assert_int_equal(in->amendments_count, 1);
	assert_string_equal(in->amendments[0].commit, amended);
	assert_string_equal(in->amendments[0].path, "title");
	assert_int_equal(in->deviations_count, 1);
	assert_string_equal(in->deviations[0].commit, deviated);
	assert_string_equal(in->deviations[0].path, "timepoints[t1].label");
	eks_integrity_free(in);
}

/* ---- candidates ------------------------------------------------------------ */

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	eks_buf b = EKS_BUF_INIT;
	char chunk[512];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		eks_buf_put(&b, chunk, n);
	fclose(f);
	return eks_buf_detach(&b);
}

static const char *cache_path(void)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%scandidates", eks_repo_eksdir(repo));
	return path;
}

static void write_cache(const char *text)
{
	FILE *f = fopen(cache_path(), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The candidates at HEAD, joined with ','. */
static char *candidates(void)
{
	eks_buf b = EKS_BUF_INIT;
	char **ids = NULL;
	size_t count = 0, i;

	assert_int_equal(eks_integrity_candidates(&ids, &count, repo, NULL), 0);
	for (i = 0; i < count; i++)
		eks_buf_printf(&b, "%s%s", i ? "," : "", ids[i]);
	for (i = 0; i < count; i++)
		assert_true(eks_integrity_is_candidate(ids, count, ids[i]));
	eks_strings_free(ids, count);
	return eks_buf_detach(&b);
}

static void assert_candidates(const char *expected)
{
	char *got = candidates();

	assert_string_equal(got, expected);
	free(got);
}

static void test_integrity_candidates(void **state)
{
	char hex[EKS_COMMIT_HEX], before[EKS_COMMIT_HEX], unrelated[64];
	char expected[256], *text;
	char **ids = NULL;
	size_t count = 0;

	(void)state;
	commit2("create pilot", PROTOCOL, protocol_text, LOG, ENTRY_A("120") ENTRY_B("a"), hex);
	commit2("create other", "experiments/other/experiment.yaml", "id: other\n",
		"experiments/other/log.yaml", ENTRY_C, hex);
	commit2("rewrite pilot", LOG, ENTRY_A("90") ENTRY_B("a"), NULL, NULL, hex);
	commit2("append to other", "experiments/other/log.yaml", ENTRY_C ENTRY_D, NULL, NULL, hex);

	/* no cache yet: the whole history; only the rewritten log counts */
	unlink(cache_path());
	assert_int_equal(eks_integrity_candidates(&ids, &count, repo, NULL), 0);
	assert_int_equal(count, 1);
	assert_string_equal(ids[0], "pilot");
	assert_true(eks_integrity_is_candidate(ids, count, "pilot"));
	assert_false(eks_integrity_is_candidate(ids, count, "other"));
	assert_false(eks_integrity_is_candidate(ids, count, "pilo"));
	eks_strings_free(ids, count);

	/* the answer is kept with the commit it holds for */
	head(hex);
	text = read_text(cache_path());
	assert_non_null(text);
	snprintf(expected, sizeof(expected), "eksperiment-candidates 1\n%s\npilot\n", hex);
	assert_string_equal(text, expected);
	free(text);
	assert_candidates("pilot");            /* from the cache, same answer */

	/* another commit: walked since the cached one */
	memcpy(before, hex, sizeof(before));
	commit2("create third", "experiments/third/experiment.yaml", "id: third\n",
		"experiments/third/log.yaml", ENTRY_B("x"), hex);
	commit2("rewrite third", "experiments/third/log.yaml", ENTRY_B("y"), NULL, NULL, hex);
	assert_candidates("pilot,third");
	text = read_text(cache_path());
	snprintf(expected, sizeof(expected), "eksperiment-candidates 1\n%s\npilot\nthird\n", hex);
	assert_string_equal(text, expected);
	free(text);
	/* the same as a walk of the whole history */
	assert_int_equal(unlink(cache_path()), 0);
	assert_candidates("pilot,third");

	/* Only the commits since the cached one are walked: what a cache
	 * for an ancestor says is taken as it is (a made-up id shows it),
	 * and pilot, rewritten before that commit, is not found again. */
	snprintf(expected, sizeof(expected), "eksperiment-candidates 1\n%s\ncached-only\n", before);
	write_cache(expected);
	assert_candidates("cached-only,third");

	/* a cache for a commit that is not an ancestor (a branch switch, a
	 * reset) is not used */
	sh_line(unrelated, sizeof(unrelated), "git commit-tree 'HEAD^{tree}' -m unrelated");
	snprintf(expected, sizeof(expected), "eksperiment-candidates 1\n%s\ncached-only\n", unrelated);
	write_cache(expected);
	assert_candidates("pilot,third");

	/* garbage, or anything this program would not have written, is
	 * ignored */
	write_cache("garbage\n");
	assert_candidates("pilot,third");
	snprintf(expected, sizeof(expected), "eksperiment-candidates 2\n%s\ncached-only\n", before);
	write_cache(expected);
	assert_candidates("pilot,third");
	snprintf(expected, sizeof(expected), "eksperiment-candidates 1\n%s\nzz\ncached-only\n", before);
	write_cache(expected);                 /* not sorted */
	assert_candidates("pilot,third");
	snprintf(expected, sizeof(expected), "eksperiment-candidates 1\n%s\nNot/An-Id\n", before);
	write_cache(expected);
	assert_candidates("pilot,third");
	snprintf(expected, sizeof(expected), "eksperiment-candidates 1\n%s\ncached-only", before);
	write_cache(expected);                 /* cut short */
	assert_candidates("pilot,third");
	write_cache("");
	assert_candidates("pilot,third");
	/* and the garbage was replaced by the answer */
	text = read_text(cache_path());
	snprintf(expected, sizeof(expected), "eksperiment-candidates 1\n%s\npilot\nthird\n", hex);
	assert_string_equal(text, expected);
	free(text);
}

static void test_integrity_candidates_protocol_changes(void **state)
{
	char hex[EKS_COMMIT_HEX];

	(void)state;
	commit2("create pilot", PROTOCOL, protocol_text, LOG, ENTRY_A("120"), hex);
	commit2("create other", "experiments/other/experiment.yaml", "id: other\n", NULL, NULL, hex);
	commit2("create gone", "experiments/gone/experiment.yaml", "id: gone\n", NULL, NULL, hex);
	assert_candidates("");
	/* a changed protocol is a candidate; a removed one is not */
	commit2("edit other", "experiments/other/experiment.yaml", "id: other\ntitle: Other\n",
		NULL, NULL, hex);
	commit2("remove gone", "experiments/gone/experiment.yaml", NULL, NULL, NULL, hex);
	assert_candidates("other");
	/* removing a whole log is no append */
	commit2("remove the log", LOG, NULL, NULL, NULL, hex);
	assert_candidates("other,pilot");
}

/* ---- appended logs --------------------------------------------------------- */

/* The blob id of `text`, written to the repository. */
static void blob_of(char hex[EKS_COMMIT_HEX], const char *text)
{
	char cmd[4096];

	write_file("blob.tmp", text);
	snprintf(cmd, sizeof(cmd), "git hash-object -w blob.tmp");
	sh_line(hex, EKS_COMMIT_HEX, cmd);
	assert_int_equal(strlen(hex), 40);
}

static int appended(const char *old_text, const char *new_text)
{
	char a[EKS_COMMIT_HEX], b[EKS_COMMIT_HEX];

	blob_of(a, old_text);
	blob_of(b, new_text);
	return eks_integrity_log_appended(repo, a, b);
}

static void test_integrity_log_appended(void **state)
{
	char a[EKS_COMMIT_HEX];

	(void)state;
	/* a document appended, flow or block style, or several */
	assert_int_equal(appended(ENTRY_A("120"), ENTRY_A("120") ENTRY_C), 1);
	assert_int_equal(appended(ENTRY_A("120"), ENTRY_A("120") "---\nid: x\nkind: note\n"), 1);
	assert_int_equal(appended(ENTRY_A("120"), ENTRY_A("120") ENTRY_C ENTRY_D), 1);
	assert_int_equal(appended("", ENTRY_A("120")), 1);

	/* a change in the middle, an entry inserted before the end, one
	 * removed, the order changed */
	assert_int_equal(appended(ENTRY_A("120") ENTRY_C, ENTRY_A("90") ENTRY_C), 0);
	assert_int_equal(appended(ENTRY_A("120") ENTRY_C, ENTRY_A("120") ENTRY_D ENTRY_C), 0);
	assert_int_equal(appended(ENTRY_A("120") ENTRY_C, ENTRY_C), 0);
	assert_int_equal(appended(ENTRY_A("120") ENTRY_C, ENTRY_C ENTRY_A("120")), 0);

	/* text added to the last entry without a new `---`: a new key, a
	 * longer last line, a line that only looks like a marker */
	assert_int_equal(appended("---\nid: x\nkind: note\n",
				  "---\nid: x\nkind: note\nnote: later\n"), 0);
	assert_int_equal(appended("---\nid: x\nnote: a", "---\nid: x\nnote: ab\n"), 0);
	assert_int_equal(appended("---\nid: x\nnote: |\n  a\n",
				  "---\nid: x\nnote: |\n  a\n---x\n"), 0);
	/* nothing appended */
	assert_int_equal(appended(ENTRY_A("120"), ENTRY_A("120")), 0);

	/* blobs that cannot be read */
	blob_of(a, ENTRY_A("120"));
	assert_int_equal(eks_integrity_log_appended(repo, a,
						    "0123456789012345678901234567890123456789"), 0);
	assert_int_equal(eks_integrity_log_appended(repo, "not hex", a), 0);
	assert_int_equal(eks_integrity_log_appended(repo, NULL, a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_integrity_changed_value_is_a_rewrite,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_rewrite_of_fields_without_data,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_removed_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_reorder_and_reformat_are_no_rewrite,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_merge_that_only_adds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_merge_in_time_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_rewrite_inside_a_merge,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_superseded_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_disclosed_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_merge_changes_the_other_branchs_entry,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_merge_changes_a_log_new_to_the_first_parent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_deviation_inside_a_merge,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_clean_merge_of_protocol_changes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_candidates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_candidates_protocol_changes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_log_appended, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
