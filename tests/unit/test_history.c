/*
 * test_history.c - the timeline of an experiment: which commits are
 * listed, in which order, and what each is said to have done; the YAML
 * comparison and the entry summaries behind it.
 *
 * Each timeline test builds a repository in a fresh temporary directory
 * with eks_repo_commit (and the git CLI for branches and merges); HOME
 * points at a temporary directory whose .gitconfig names the committer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksperiment/buf.h"
#include "eksperiment/diag.h"
#include "eksperiment/error.h"
#include "eksperiment/history.h"
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

static int group_setup(void **state)
{
	char path[512];
	FILE *f;

	snprintf(home, sizeof(home), "/tmp/eks-history-home-XXXXXX");
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
	rm_rf(home);
	return 0;
}

static eks_repo *repo;

static int setup(void **state)
{
	int created = 0;

	snprintf(dir, sizeof(dir), "/tmp/eks-history-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	repo = NULL;
	if (eks_repo_init(&repo, &created, dir, "Pilots", NULL) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
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

static const char protocol_v1[] =
	"schema: eksperiment/v1\n"
	"id: pilot\n"
	"title: A pilot\n"
	"status: active\n"
	"partners:\n"
	"  - {name: Molde kommune, role: lead, kommunenummer: \"1506\"}\n"
	"analysis:\n"
	"  multiplicity: holm\n";

#define ENTRY(id, note) \
	"---\nid: " id "\nkind: note\nrecorded_at: 2026-01-01T00:00:00Z\n" \
	"recorded_by: Kari Nordmann <kari@molde.example>\nnote: " note "\n"

#define OBSERVATION(id) \
	"---\nid: " id "\nkind: observation\nrecorded_at: 2026-01-02T00:00:00Z\n" \
	"recorded_by: Ola <ola@molde.example>\nobservations:\n" \
	"  - {outcome: neet, arm: a, timepoint: t1, n: 10, events: 2}\n" \
	"  - {outcome: neet, arm: b, timepoint: t1, n: 11, events: 3}\n" \
	"  - {outcome: wellbeing, arm: a, timepoint: t1, n: 9, mean: 5, sd: 1}\n"

static eks_history *load(void)
{
	eks_history *h = NULL;

	assert_int_equal(eks_history_load(&h, repo, NULL, "pilot"), 0);
	assert_non_null(h);
	return h;
}

/* ---- comparing YAML ------------------------------------------------------- */

static eks_yaml_file *parse(const char *text)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_yaml_file *f = NULL;

	assert_int_equal(eks_yaml_parse(&f, "t.yaml", text, strlen(text), &diags), 0);
	eks_diag_list_clear(&diags);
	return f;
}

static void assert_keys(const char *before, const char *after, const char *expected)
{
	eks_yaml_file *a = before ? parse(before) : NULL, *b = parse(after);
	eks_buf got = EKS_BUF_INIT;
	char **keys = NULL;
	size_t count = 0, i;

	assert_int_equal(eks_yaml_changed_keys(&keys, &count, a ? a->documents[0] : NULL,
					       b->documents[0]), 0);
	for (i = 0; i < count; i++)
		eks_buf_printf(&got, "%s%s", i ? "," : "", keys[i]);
	assert_string_equal(eks_buf_cstr(&got), expected);
	eks_strings_free(keys, count);
	eks_buf_dispose(&got);
	eks_yaml_file_free(a);
	eks_yaml_file_free(b);
}

static void test_history_changed_keys(void **state)
{
	/* values that changed, in the new file's order, removed keys last */
	assert_keys("a: 1\nb: [x, y]\nc: {d: 1}\ne: gone\n",
		    "c: {d: 2}\nb: [x, y]\na: 1\nf: new\n", "c,f,e");
	/* comments, layout, flow or block style, key order: no change */
	assert_keys("a: {x: 1, y: [1, 2]}\nb: text\n",
		    "# a comment\nb:   text   # here too\na:\n  y:\n    - 1\n    - 2\n  x: 1\n", "");
	/* single or double quotes are the same text; quoted or not is not */
	assert_keys("k: '1506'\nn: \"0301\"\n", "k: \"1506\"\nn: 0301\n", "n");
	/* the many spellings of null are one */
	assert_keys("a: ~\nb: null\nc:\n", "a: null\nb:\nc: ~\n", "");
	/* a list that grows, an element that changes */
	assert_keys("l: [1, 2]\nm: [{id: a, v: 1}]\n", "l: [1, 2, 3]\nm: [{id: a, v: 2}]\n", "l,m");
	/* no old version: every key is new */
	assert_keys(NULL, "a: 1\nb: 2\n", "a,b");
}

static void test_history_nodes_equal(void **state)
{
	eks_yaml_file *a = parse("x: [1, {b: c}]\n"), *b = parse("x: [1, {b: c}]\n");
	eks_yaml_file *c = parse("x: [1, {b: d}]\n");

	assert_true(eks_yaml_nodes_equal(a->documents[0], b->documents[0]));
	assert_false(eks_yaml_nodes_equal(a->documents[0], c->documents[0]));
	assert_false(eks_yaml_nodes_equal(a->documents[0], NULL));
	assert_true(eks_yaml_nodes_equal(NULL, NULL));
	eks_yaml_file_free(a);
	eks_yaml_file_free(b);
	eks_yaml_file_free(c);
}

/* ---- entry summaries ------------------------------------------------------ */

static const char *summary_of(eks_entry *e, size_t width)
{
	static char text[512];
	eks_buf b = EKS_BUF_INIT;

	assert_int_equal(eks_entry_summarise(&b, e, width), 0);
	snprintf(text, sizeof(text), "%s", eks_buf_cstr(&b));
	eks_buf_dispose(&b);
	return text;
}

static void test_history_entry_summaries(void **state)
{
	eks_observation obs[3];
	char *paths[] = { "hypotheses[H1].margin", "analysis.plan" };
	eks_entry e;

	memset(obs, 0, sizeof(obs));
	obs[0].outcome = "neet"; obs[0].timepoint = "t1"; obs[0].arm = "a";
	obs[1].outcome = "neet"; obs[1].timepoint = "t1"; obs[1].arm = "b";
	obs[2].outcome = "wellbeing"; obs[2].timepoint = "t1"; obs[2].arm = "a";
	memset(&e, 0, sizeof(e));
	e.kind = EKS_ENTRY_OBSERVATION;
	e.observations = obs;
	e.observations_count = 3;
	assert_string_equal(summary_of(&e, 0), "3 observations (neet@t1, wellbeing@t1)");
	e.observations_count = 1;
	assert_string_equal(summary_of(&e, 0), "1 observation (neet@t1)");

	memset(&e, 0, sizeof(e));
	e.kind = EKS_ENTRY_STATUS;
	e.status_from = "active";
	e.status_to = "completed";
	e.status_reason = "all data are in";
	assert_string_equal(summary_of(&e, 0), "status active -> completed: all data are in");

	memset(&e, 0, sizeof(e));
	e.kind = EKS_ENTRY_NOTE;
	e.note = "Staff on leave in March, so fewer visits\nSecond line";
	assert_string_equal(summary_of(&e, 0), "note: Staff on leave in March, so fewer visits ...");
	assert_string_equal(summary_of(&e, 14), "note: Staff on leave...");
	e.kind = EKS_ENTRY_ADJUSTMENT;
	e.note = "Lørdagsbesøk";      /* cut in characters, not bytes */
	assert_string_equal(summary_of(&e, 4), "adjustment: Lørd...");
	assert_string_equal(summary_of(&e, 12), "adjustment: Lørdagsbesøk");

	memset(&e, 0, sizeof(e));
	e.kind = EKS_ENTRY_REGISTRATION;
	assert_string_equal(summary_of(&e, 0), "registration");

	memset(&e, 0, sizeof(e));
	e.kind = EKS_ENTRY_AMENDMENT;
	e.amendment_class = "major";
	e.amendment_paths = paths;
	e.amendment_paths_count = 2;
	e.amendment_reason = "too few referrals";
	assert_string_equal(summary_of(&e, 0),
			    "amendment (major) of hypotheses[H1].margin, analysis.plan: too few referrals");
}

static void test_history_disclosure_summary(void **state)
{
	char *paths[] = { "hypotheses[H1].margin" };
	eks_entry e;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.kind = EKS_ENTRY_DISCLOSURE;
	e.disclosure_commit = "3f2a9c1d5e7b8a0f1c2d3e4f5a6b7c8d9e0f1a2b";
	e.disclosure_paths = paths;
	e.disclosure_paths_count = 1;
	e.disclosure_reason = "Margin typed wrong\nSecond line";
	assert_string_equal(summary_of(&e, 0),
			    "disclosure of commit 3f2a9c1: Margin typed wrong ...");
	assert_string_equal(summary_of(&e, 6), "disclosure of commit 3f2a9c1: Margin...");
	e.disclosure_commit = "abc1234";     /* abbreviated already */
	e.disclosure_reason = "Lørdagsbesøk";
	assert_string_equal(summary_of(&e, 4), "disclosure of commit abc1234: Lørd...");
	e.disclosure_commit = NULL;
	e.disclosure_reason = NULL;
	assert_string_equal(summary_of(&e, 0), "disclosure");
}

/* ---- timelines ------------------------------------------------------------ */

static void test_history_lists_changes_newest_first(void **state)
{
	char c1[EKS_COMMIT_HEX], c2[EKS_COMMIT_HEX], c3[EKS_COMMIT_HEX], c4[EKS_COMMIT_HEX];
	char other[EKS_COMMIT_HEX];
	eks_history *h;
	const eks_change *ch;

	commit2("create", PROTOCOL, protocol_v1, LOG, ENTRY("20260101T000000Z-0001", "first"), c1);
	commit2("log", LOG, ENTRY("20260101T000000Z-0001", "first")
		OBSERVATION("20260102T000000Z-0002"), NULL, NULL, c2);
	commit2("elsewhere", "experiments/pilot-2/experiment.yaml", "id: pilot-2\n", NULL, NULL, other);
	commit2("protocol", PROTOCOL, "schema: eksperiment/v1\nid: pilot\ntitle: A pilot\n"
		"status: active\npartners:\n  - {name: Molde kommune, role: lead, kommunenummer: \"1506\"}\n"
		"analysis:\n  multiplicity: bonferroni\nphase: test\n", NULL, NULL, c3);
	commit2("gone", PROTOCOL, NULL, LOG, NULL, c4);

	h = load();
	assert_string_equal(h->id, "pilot");
	assert_int_equal(h->commits_count, 4);
	assert_string_equal(h->commits[0].id, c4);
	assert_string_equal(h->commits[1].id, c3);
	assert_string_equal(h->commits[2].id, c2);
	assert_string_equal(h->commits[3].id, c1);
	assert_string_equal(h->revision, c4);

	/* the first: created, with the entry it came with */
	assert_string_equal(h->commits[3].subject, "create");
	assert_string_equal(h->commits[3].author_name, "Kari Nordmann");
	assert_string_equal(h->commits[3].author_email, "kari@molde.example");
	assert_true(h->commits[3].time > 1600000000);
	assert_int_equal(h->commits[3].parents_count, 1);
	assert_int_equal(h->commits[3].changes_count, 2);
	assert_int_equal(h->commits[3].changes[0].kind, EKS_CHANGE_CREATED);
	ch = &h->commits[3].changes[1];
	assert_int_equal(ch->kind, EKS_CHANGE_ENTRY_ADDED);
	assert_string_equal(ch->entry_id, "20260101T000000Z-0001");
	assert_int_equal(ch->entry_kind, EKS_ENTRY_NOTE);
	assert_string_equal(ch->summary, "note: first");
	assert_string_equal(ch->recorded_by, "Kari Nordmann <kari@molde.example>");

	/* an appended observation entry */
	assert_int_equal(h->commits[2].changes_count, 1);
	ch = &h->commits[2].changes[0];
	assert_int_equal(ch->kind, EKS_CHANGE_ENTRY_ADDED);
	assert_string_equal(ch->entry_id, "20260102T000000Z-0002");
	assert_string_equal(ch->summary, "3 observations (neet@t1, wellbeing@t1)");
	assert_string_equal(ch->recorded_at, "2026-01-02T00:00:00Z");

	/* the protocol: the top-level fields that changed */
	assert_int_equal(h->commits[1].changes_count, 1);
	ch = &h->commits[1].changes[0];
	assert_int_equal(ch->kind, EKS_CHANGE_PROTOCOL);
	assert_false(ch->unreadable);
	assert_int_equal(ch->fields_count, 2);
	assert_string_equal(ch->fields[0], "analysis");
	assert_string_equal(ch->fields[1], "phase");

	/* removed */
	assert_int_equal(h->commits[0].changes_count, 1);
	assert_int_equal(h->commits[0].changes[0].kind, EKS_CHANGE_DELETED);
	eks_history_free(h);
}

static void test_history_flags_a_rewritten_log(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_history *h;

	commit2("create", PROTOCOL, protocol_v1, LOG,
		ENTRY("20260101T000000Z-0001", "first") ENTRY("20260101T000000Z-0002", "second")
		ENTRY("20260101T000000Z-0003", "third"), hex);
	/* the second changed, the first removed, a new one: all at once */
	commit2("rewrite", LOG, ENTRY("20260101T000000Z-0002", "second, changed")
		ENTRY("20260101T000000Z-0003", "third") ENTRY("20260101T000000Z-0004", "fourth"),
		NULL, NULL, hex);
	h = load();
	assert_int_equal(h->commits_count, 2);
	assert_int_equal(h->commits[0].changes_count, 3);
	assert_int_equal(h->commits[0].changes[0].kind, EKS_CHANGE_ENTRY_CHANGED);
	assert_string_equal(h->commits[0].changes[0].entry_id, "20260101T000000Z-0002");
	assert_int_equal(h->commits[0].changes[0].entry_kind, EKS_ENTRY_NOTE);
	assert_null(h->commits[0].changes[0].summary);
	assert_int_equal(h->commits[0].changes[1].kind, EKS_CHANGE_ENTRY_ADDED);
	assert_string_equal(h->commits[0].changes[1].entry_id, "20260101T000000Z-0004");
	assert_int_equal(h->commits[0].changes[2].kind, EKS_CHANGE_ENTRY_REMOVED);
	assert_string_equal(h->commits[0].changes[2].entry_id, "20260101T000000Z-0001");
	eks_history_free(h);
}

static void test_history_text_added_to_the_last_entry_changes_it(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_history *h;

	commit2("create", PROTOCOL, protocol_v1, LOG, ENTRY("20260101T000000Z-0001", "first"), hex);
	commit2("more", LOG, ENTRY("20260101T000000Z-0001", "first") "source: a register\n",
		NULL, NULL, hex);
	/* a log that did not end its last line */
	commit2("no newline", LOG, ENTRY("20260101T000000Z-0001", "first") "source: a register",
		NULL, NULL, hex);
	commit2("then a new entry", LOG, ENTRY("20260101T000000Z-0001", "first")
		"source: a register\n" ENTRY("20260101T000000Z-0002", "second"), NULL, NULL, hex);
	h = load();
	assert_int_equal(h->commits_count, 4);
	/* the old log did not end its line: compared in full, one new entry */
	assert_int_equal(h->commits[0].changes_count, 1);
	assert_int_equal(h->commits[0].changes[0].kind, EKS_CHANGE_ENTRY_ADDED);
	assert_string_equal(h->commits[0].changes[0].entry_id, "20260101T000000Z-0002");
	/* removing the last newline changes nothing that YAML sees */
	assert_int_equal(h->commits[1].changes_count, 0);
	assert_int_equal(h->commits[2].changes_count, 1);
	assert_int_equal(h->commits[2].changes[0].kind, EKS_CHANGE_ENTRY_CHANGED);
	assert_string_equal(h->commits[2].changes[0].entry_id, "20260101T000000Z-0001");
	eks_history_free(h);
}

static void test_history_reads_broken_versions(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_history *h;

	commit2("create", PROTOCOL, protocol_v1, LOG, ENTRY("20260101T000000Z-0001", "first"), hex);
	commit2("broken", PROTOCOL, "id: [unclosed\n", LOG, "kind: [also broken\n", hex);
	commit2("comment", PROTOCOL, "# only a comment\n", NULL, NULL, hex);
	commit2("notes", "experiments/pilot/notes.md", "# Notes\n", NULL, NULL, hex);
	h = load();
	assert_int_equal(h->commits_count, 4);
	assert_int_equal(h->commits[0].changes_count, 1);
	assert_int_equal(h->commits[0].changes[0].kind, EKS_CHANGE_FILE_ADDED);
	assert_string_equal(h->commits[0].changes[0].path, "notes.md");
	/* from broken YAML to an empty file: cannot be compared */
	assert_int_equal(h->commits[1].changes[0].kind, EKS_CHANGE_PROTOCOL);
	assert_true(h->commits[1].changes[0].unreadable);
	assert_int_equal(h->commits[2].changes_count, 2);
	assert_true(h->commits[2].changes[0].unreadable);
	assert_int_equal(h->commits[2].changes[1].kind, EKS_CHANGE_FILE_CHANGED);
	assert_string_equal(h->commits[2].changes[1].path, "log.yaml");
	assert_true(h->commits[2].changes[1].unreadable);
	eks_history_free(h);
}

static void test_history_merges(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_history *h;
	size_t i, merges = 0, mentions = 0;

	commit2("create", PROTOCOL, protocol_v1, LOG, ENTRY("20260101T000000Z-0001", "first"), hex);
	sh("git checkout -q -b side");
	sh("printf -- '---\\nid: 20260201T000000Z-aaaa\\nkind: note\\nrecorded_at: "
	   "2026-02-01T00:00:00Z\\nrecorded_by: A <a@x>\\nnote: side\\n' >> " LOG
	   " && sed -i 's/^title: A pilot/title: The pilot/' " PROTOCOL
	   " && git commit -qam side");
	sh("git checkout -q main");
	sh("printf -- '---\\nid: 20260202T000000Z-bbbb\\nkind: note\\nrecorded_at: "
	   "2026-02-02T00:00:00Z\\nrecorded_by: B <b@x>\\nnote: main\\n' >> " LOG
	   " && git commit -qam main");
	/* resolve by hand: both entries, one after the other */
	sh("git merge -q --no-commit side || true");
	sh("git show side:" LOG " > " LOG " && git show main:" LOG " | tail -6 >> " LOG
	   " && git add " LOG " && git commit -qm merged");
	/* a merge of a branch that did not touch the experiment */
	sh("git checkout -q -b other && mkdir -p experiments/x && echo 'id: x' > "
	   "experiments/x/experiment.yaml && git add experiments && git commit -qm other"
	   " && git checkout -q main && git merge -q --no-ff --no-edit other");

	h = load();
	assert_int_equal(h->commits_count, 4);
	for (i = 0; i < h->commits_count; i++) {
		size_t k;

		if (h->commits[i].parents_count > 1) {
			merges++;
			assert_string_equal(h->commits[i].subject, "merged");
			/* the entries and the title each come from a parent:
			 * nothing of its own */
			assert_int_equal(h->commits[i].changes_count, 0);
		}
		for (k = 0; k < h->commits[i].changes_count; k++)
			if (h->commits[i].changes[k].entry_id &&
			    strstr(h->commits[i].changes[k].entry_id, "-aaaa"))
				mentions++;
	}
	assert_int_equal(merges, 1);
	assert_int_equal(mentions, 1);
	assert_string_equal(h->commits[0].subject, "merged");
	eks_history_free(h);
}

static void test_history_from_a_revision(void **state)
{
	char c1[EKS_COMMIT_HEX], c2[EKS_COMMIT_HEX];
	eks_history *h = NULL;

	commit2("create", PROTOCOL, protocol_v1, NULL, NULL, c1);
	commit2("log", LOG, ENTRY("20260101T000000Z-0001", "first"), NULL, NULL, c2);
	assert_int_equal(eks_history_load(&h, repo, c1, "pilot"), 0);
	assert_int_equal(h->commits_count, 1);
	assert_string_equal(h->commits[0].id, c1);
	assert_string_equal(h->revision, c1);
	eks_history_free(h);
	assert_int_equal(eks_history_load(&h, repo, "HEAD", "pilot"), 0);
	assert_int_equal(h->commits_count, 2);
	/* a log that appears with its first entry: the entry, not the file */
	assert_int_equal(h->commits[0].changes_count, 1);
	assert_int_equal(h->commits[0].changes[0].kind, EKS_CHANGE_ENTRY_ADDED);
	eks_history_free(h);
}

static void test_history_errors(void **state)
{
	char hex[EKS_COMMIT_HEX];
	eks_history *h = NULL;

	commit2("create", PROTOCOL, protocol_v1, NULL, NULL, hex);
	assert_int_equal(eks_history_load(&h, repo, NULL, "nope"), EKS_ENOTFOUND);
	assert_null(h);
	assert_non_null(strstr(eks_error_last()->message, "no experiment 'nope'"));
	assert_int_equal(eks_history_load(&h, repo, "no-such-branch", "pilot"), EKS_ENOTFOUND);
	assert_non_null(strstr(eks_error_last()->message, "no-such-branch"));
	assert_int_equal(eks_history_load(&h, repo, NULL, "../x"), EKS_EUSAGE);
	/* a similar id is another experiment */
	assert_int_equal(eks_history_load(&h, repo, NULL, "pilo"), EKS_ENOTFOUND);
	eks_history_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_changed_keys),
		cmocka_unit_test(test_history_nodes_equal),
		cmocka_unit_test(test_history_entry_summaries),
		cmocka_unit_test(test_history_disclosure_summary),
		cmocka_unit_test_setup_teardown(test_history_lists_changes_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_flags_a_rewritten_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_text_added_to_the_last_entry_changes_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_reads_broken_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_from_a_revision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
