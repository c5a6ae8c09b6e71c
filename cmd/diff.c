/*
 * diff.c - `eksperiment diff [<rev> [<rev>]] [-- <id>...] [--format
 * text|json] [--exit-code] [--since-registration <id>]`: the field-level
 * changes of protocols and the entries added to (or rewritten in) logs
 * between two versions of the repository, each change of a frozen field
 * marked as amended, a deviation, or made before registration (SPEC 3,
 * 5).
 *
 * The versions are compared as `git diff` compares them: no revision is
 * HEAD against the work tree, one is that commit against the work tree,
 * two (or A..B) are the first commit against the second, and A...B is
 * the merge base of A and B against B.  --since-registration <id>
 * compares experiment <id> from its registered commit (found from the
 * history when the tag is missing, registration.h) with HEAD or the one
 * revision given.  The comparing itself is diff.h's (eks_protocol_diff,
 * eks_log_diff); this file reads the two sides, decides what each frozen
 * change is, and prints.  The choices are documented in
 * doc/eksperiment-diff.txt.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "eksperiment/diff.h"
#include "eksperiment/history.h"
#include "eksperiment/integrity.h"
#include "eksperiment/registration.h"
#include "view.h"

#define DIFF_WIDTH 78            /* text lines are kept within this */
#define DIFF_SUMMARY_WIDTH 60    /* a log entry's summary is cut here */

#define C_BOLD   "\033[1m"
#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_ALERT  "\033[1;31m"
#define C_DIM    "\033[2m"
#define C_RESET  "\033[0m"

/* What a protocol change is, as reported. */
enum change_status {
	STATUS_CHANGED,          /* not a frozen field: an ordinary change */
	STATUS_AMENDED,          /* frozen, named by an amendment added */
	STATUS_DEVIATION,        /* frozen, after registration, not amended */
	STATUS_NOT_REGISTERED    /* frozen, but not registered at the time */
};

static const char *status_name(enum change_status s)
{
	switch (s) {
	case STATUS_CHANGED:        return "changed";
	case STATUS_AMENDED:        return "amended";
	case STATUS_DEVIATION:      return "deviation";
	case STATUS_NOT_REGISTERED: return "not_registered";
	}
	return "?";
}

/* One file of one side. */
struct version {
	char *data;
	size_t len;
	int present;             /* the file is there */
	char *problem;           /* why it cannot be compared, or NULL */
	eks_yaml_file *yaml;
	eks_log *log;            /* log.yaml: its entries */
	long *entry_of;          /* log.yaml: document -> entry index, or -1 */
};

/* What changed in one experiment. */
struct experiment_diff {
	char *id;
	struct version old_protocol, new_protocol, old_log, new_log;
	int protocol_differs;    /* the bytes of experiment.yaml differ */
	int log_differs;         /* the bytes of log.yaml differ */
	eks_diff *protocol;      /* NULL when not compared */
	enum change_status *status;   /* one per protocol change */
	eks_log_delta *log;      /* NULL when not compared */
	int registered;          /* registered at the new side */
};

struct diff_run {
	eks_repo *repo;
	char from[EKS_COMMIT_HEX];
	char to[EKS_COMMIT_HEX];
	int worktree;            /* the new side is the work tree */
	struct experiment_diff *items;
	size_t count, alloc;
};

/* ---- reading the two sides ------------------------------------------------ */

static void version_release(struct version *v)
{
	free(v->data);
	free(v->problem);
	eks_yaml_file_free(v->yaml);
	eks_log_free(v->log);
	free(v->entry_of);
	memset(v, 0, sizeof(*v));
}

static void experiment_diff_release(struct experiment_diff *e)
{
	free(e->id);
	version_release(&e->old_protocol);
	version_release(&e->new_protocol);
	version_release(&e->old_log);
	version_release(&e->new_log);
	eks_diff_free(e->protocol);
	free(e->status);
	eks_log_delta_free(e->log);
}

static int set_problem(struct version *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int set_problem(struct version *v, const char *fmt, ...)
{
	eks_buf b = EKS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	eks_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (eks_buf_oom(&b)) {
		eks_buf_dispose(&b);
		return eks_error_oom();
	}
	free(v->problem);
	v->problem = eks_buf_detach(&b);
	return 0;
}

/*
 * A file of the work tree, read as the store reads committed files: a
 * symbolic link, something that is not a regular file, and a file over
 * 16 MiB are not read (SPEC 8.2) but reported as the side's problem.
 */
static int read_worktree(struct version *v, const char *workdir, const char *rel)
{
	eks_buf path = EKS_BUF_INIT;
	struct stat st;
	size_t got = 0;
	int fd = -1, rc = 0;

	eks_buf_printf(&path, "%s%s", workdir, rel);
	if (eks_buf_oom(&path)) {
		rc = eks_error_oom();
		goto done;
	}
	if (lstat(eks_buf_cstr(&path), &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = eks_error_set(EKS_EIO, "cannot read '%s': %s", rel, strerror(errno));
		goto done;
	}
	v->present = 1;
	if (S_ISLNK(st.st_mode)) {
		rc = set_problem(v, "it is a symbolic link, which eksperiment does not read");
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = set_problem(v, "it is not a regular file");
		goto done;
	}
	if ((size_t)st.st_size > EKS_YAML_MAX_BYTES) {
		rc = set_problem(v, "it is larger than 16 MiB, the most eksperiment reads");
		goto done;
	}
	fd = open(eks_buf_cstr(&path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = eks_error_set(EKS_EIO, "cannot open '%s': %s", rel, strerror(errno));
		goto done;
	}
	if (!(v->data = malloc((size_t)st.st_size + 1))) {
		rc = eks_error_oom();
		goto done;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, v->data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = eks_error_set(EKS_EIO, "cannot read '%s': %s", rel, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	v->data[got] = '\0';
	v->len = got;
done:
	if (fd >= 0)
		close(fd);
	eks_buf_dispose(&path);
	return rc;
}

static int read_commit(struct version *v, eks_repo *repo, const char *commit,
		       const char *rel)
{
	int rc = eks_repo_read(&v->data, &v->len, repo, commit, rel);

	if (rc == EKS_ENOTFOUND)
		return 0;
	v->present = 1;
	if (rc == EKS_EREFUSED)
		return set_problem(v, "%s", eks_error_last()->message);
	return rc;
}

/* Parse what was read; a file that is not YAML gets a problem.  A log is
 * also read as entries, whose problems do not matter here. */
static int parse_version(struct version *v, const char *rel, int is_log)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	size_t i;
	long k = 0;
	int rc;

	if (!v->present || v->problem || v->yaml)
		return 0;
	rc = eks_yaml_parse(&v->yaml, rel, v->data, v->len, &diags);
	if (rc == EKS_EINVALID) {
		if (diags.count)
			rc = set_problem(v, "it is not valid YAML (line %d, column %d: %s)",
					 diags.items[0].line, diags.items[0].col,
					 diags.items[0].message);
		else
			rc = set_problem(v, "it is not valid YAML");
		goto done;
	}
	if (rc < 0 || !is_log)
		goto done;
	rc = eks_log_parse(&v->log, v->yaml, NULL, &diags);
	if (rc == EKS_EINVALID)
		rc = 0;
	if (rc < 0)
		goto done;
	if (v->yaml->count && !(v->entry_of = calloc(v->yaml->count, sizeof(*v->entry_of)))) {
		rc = eks_error_oom();
		goto done;
	}
	/* eks_log_parse makes one entry of each mapping document, in order. */
	for (i = 0; i < v->yaml->count; i++) {
		const eks_node *doc = v->yaml->documents[i];

		v->entry_of[i] = doc && doc->kind == EKS_NODE_MAP ? k++ : -1;
	}
done:
	eks_diag_list_clear(&diags);
	return rc;
}

/* The log entry read from document `document`, or NULL. */
static const eks_entry *entry_at(const struct version *v, size_t document)
{
	if (!v->log || !v->entry_of || document >= v->yaml->count ||
	    v->entry_of[document] < 0 ||
	    (size_t)v->entry_of[document] >= v->log->entries_count)
		return NULL;
	return &v->log->entries[v->entry_of[document]];
}

static const eks_node *root_of(const struct version *v)
{
	return v->yaml && v->yaml->count ? v->yaml->documents[0] : NULL;
}

static int same_bytes(const struct version *a, const struct version *b)
{
	if (a->present != b->present)
		return 0;
	if (!a->present)
		return 1;
	if (a->problem || b->problem)
		return a->problem && b->problem && !strcmp(a->problem, b->problem);
	return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static int has_registration(const struct version *v)
{
	size_t i;

	for (i = 0; v->log && i < v->log->entries_count; i++)
		if (v->log->entries[i].kind == EKS_ENTRY_REGISTRATION)
			return 1;
	return 0;
}

static int read_side(struct diff_run *run, struct version *v, int new_side,
		     const char *rel)
{
	if (new_side && run->worktree)
		return read_worktree(v, eks_repo_workdir(run->repo), rel);
	return read_commit(v, run->repo, new_side ? run->to : run->from, rel);
}

/* ---- what each frozen change is --------------------------------------------- */

static int paths_overlap(const char *a, const char *b)
{
	return eks_diff_path_covers(a, b) || eks_diff_path_covers(b, a);
}

/*
 * The registration happened between the two sides.  Which frozen changes
 * came after it?  Those that still differ between the protocol as
 * registered and the new side.  *since gets those changes; it stays NULL
 * when the registered protocol cannot be found (then every frozen change
 * counts as after it, the cautious answer), and *none_after is set when
 * the registration is only in the work tree (nothing can be after it).
 */
static int changes_since_registration(eks_diff **since, int *none_after,
				      struct diff_run *run,
				      const struct experiment_diff *e)
{
	eks_integrity *integrity = NULL;
	struct version registered;
	eks_buf rel = EKS_BUF_INIT;
	int rc;

	*since = NULL;
	*none_after = 0;
	memset(&registered, 0, sizeof(registered));
	rc = eks_integrity_load(&integrity, run->repo, run->worktree ? NULL : run->to, e->id);
	if (rc == EKS_ENOTFOUND || (rc == 0 && !integrity->registered)) {
		*none_after = run->worktree;
		rc = 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	eks_buf_printf(&rel, "experiments/%s/experiment.yaml", e->id);
	if (eks_buf_oom(&rel)) {
		rc = eks_error_oom();
		goto done;
	}
	rc = read_commit(&registered, run->repo, integrity->registration_commit,
			 eks_buf_cstr(&rel));
	if (rc == 0)
		rc = parse_version(&registered, eks_buf_cstr(&rel), 0);
	if (rc == 0 && registered.present && !registered.problem)
		rc = eks_protocol_diff(since, root_of(&registered), root_of(&e->new_protocol));
done:
	version_release(&registered);
	eks_buf_dispose(&rel);
	eks_integrity_free(integrity);
	return rc;
}

static int classify(struct diff_run *run, struct experiment_diff *e)
{
	const eks_diff *d = e->protocol;
	eks_diff *since = NULL;
	int registered_before, none_after = 0, rc = 0;
	size_t i, j;

	if (!(e->status = calloc(d->count ? d->count : 1, sizeof(*e->status))))
		return eks_error_oom();
	registered_before = !e->old_log.problem && has_registration(&e->old_log);

	/* Amendment entries appended between the two sides cover changes. */
	for (i = 0; e->log && i < e->log->count; i++) {
		const eks_log_change *c = &e->log->changes[i];
		const eks_entry *entry;

		if (c->kind != EKS_DIFF_ADDED)
			continue;
		entry = entry_at(&e->new_log, c->document);
		if (entry && entry->kind == EKS_ENTRY_AMENDMENT)
			eks_diff_mark_amended(e->protocol,
					      (const char *const *)entry->amendment_paths,
					      entry->amendment_paths_count);
	}

	if (e->registered && !registered_before && eks_diff_frozen_count(d) &&
	    (rc = changes_since_registration(&since, &none_after, run, e)) < 0)
		return rc;

	for (i = 0; i < d->count; i++) {
		const eks_field_change *c = &d->changes[i];
		int after = e->registered;

		if (after && !registered_before) {
			if (none_after) {
				after = 0;
			} else if (since) {
				after = 0;
				for (j = 0; j < since->count && !after; j++)
					after = paths_overlap(c->path, since->changes[j].path);
			}
		}
		if (!c->frozen)
			e->status[i] = STATUS_CHANGED;
		else if (!after)
			e->status[i] = STATUS_NOT_REGISTERED;
		else
			e->status[i] = c->amended ? STATUS_AMENDED : STATUS_DEVIATION;
	}
	eks_diff_free(since);
	return 0;
}

/*
 * Read and compare experiment `id`.  *found tells whether any of its files
 * is on either side; the experiment is added to run->items only when
 * experiment.yaml or log.yaml differ.
 */
static int diff_experiment(struct diff_run *run, const char *id, int *found)
{
	struct experiment_diff e;
	eks_buf protocol_path = EKS_BUF_INIT, log_path = EKS_BUF_INIT;
	const char *pp, *lp;
	int rc = 0;

	memset(&e, 0, sizeof(e));
	*found = 0;
	eks_buf_printf(&protocol_path, "experiments/%s/experiment.yaml", id);
	eks_buf_printf(&log_path, "experiments/%s/log.yaml", id);
	if (eks_buf_oom(&protocol_path) || eks_buf_oom(&log_path) || !(e.id = strdup(id))) {
		rc = eks_error_oom();
		goto done;
	}
	pp = eks_buf_cstr(&protocol_path);
	lp = eks_buf_cstr(&log_path);
	if ((rc = read_side(run, &e.old_protocol, 0, pp)) < 0 ||
	    (rc = read_side(run, &e.new_protocol, 1, pp)) < 0 ||
	    (rc = read_side(run, &e.old_log, 0, lp)) < 0 ||
	    (rc = read_side(run, &e.new_log, 1, lp)) < 0)
		goto done;
	*found = e.old_protocol.present || e.new_protocol.present ||
		 e.old_log.present || e.new_log.present;
	e.protocol_differs = !same_bytes(&e.old_protocol, &e.new_protocol);
	e.log_differs = !same_bytes(&e.old_log, &e.new_log);
	if (!e.protocol_differs && !e.log_differs)
		goto done;

	if (e.protocol_differs &&
	    ((rc = parse_version(&e.old_protocol, pp, 0)) < 0 ||
	     (rc = parse_version(&e.new_protocol, pp, 0)) < 0))
		goto done;
	if ((rc = parse_version(&e.old_log, lp, 1)) < 0 ||
	    (rc = parse_version(&e.new_log, lp, 1)) < 0)
		goto done;
	/* The registration entry of the log says whether the protocol was
	 * registered; when the new log cannot be read, the old one does. */
	e.registered = e.new_log.problem ? has_registration(&e.old_log) :
		       has_registration(&e.new_log);
	if (e.log_differs && !e.old_log.problem && !e.new_log.problem &&
	    (rc = eks_log_diff(&e.log, e.old_log.yaml, e.new_log.yaml)) < 0)
		goto done;
	if (e.protocol_differs && !e.old_protocol.problem && !e.new_protocol.problem) {
		if ((rc = eks_protocol_diff(&e.protocol, root_of(&e.old_protocol),
					    root_of(&e.new_protocol))) < 0 ||
		    (rc = classify(run, &e)) < 0)
			goto done;
	}

	if (run->count == run->alloc) {
		size_t alloc = run->alloc ? run->alloc * 2 : 8;
		struct experiment_diff *grown = realloc(run->items, alloc * sizeof(*grown));

		if (!grown) {
			rc = eks_error_oom();
			goto done;
		}
		run->items = grown;
		run->alloc = alloc;
	}
	run->items[run->count++] = e;
	memset(&e, 0, sizeof(e));
done:
	experiment_diff_release(&e);
	eks_buf_dispose(&protocol_path);
	eks_buf_dispose(&log_path);
	return rc;
}

/* ---- which experiments ------------------------------------------------------ */

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_name(char ***list, size_t *count, size_t *alloc, const char *name)
{
	if (*count == *alloc) {
		size_t n = *alloc ? *alloc * 2 : 16;
		char **grown = realloc(*list, n * sizeof(*grown));

		if (!grown)
			return eks_error_oom();
		*list = grown;
		*alloc = n;
	}
	if (!((*list)[*count] = strdup(name)))
		return eks_error_oom();
	(*count)++;
	return 0;
}

/* The experiment directories of the work tree (a symbolic link is not
 * followed, and a name that is not a valid id is not an experiment). */
static int worktree_experiments(char ***ids, size_t *count, size_t *alloc,
				const char *workdir)
{
	eks_buf path = EKS_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	size_t prefix;
	int rc = 0;

	eks_buf_printf(&path, "%sexperiments/", workdir);
	if (eks_buf_oom(&path))
		return eks_error_oom();
	prefix = path.len;
	if (!(dir = opendir(eks_buf_cstr(&path)))) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = eks_error_set(EKS_EIO, "cannot read 'experiments/': %s", strerror(errno));
		eks_buf_dispose(&path);
		return rc;
	}
	while (rc == 0 && (de = readdir(dir))) {
		if (!eks_experiment_id_valid(de->d_name))
			continue;
		path.len = prefix;
		eks_buf_puts(&path, de->d_name);
		if (eks_buf_oom(&path)) {
			rc = eks_error_oom();
			break;
		}
		if (lstat(eks_buf_cstr(&path), &st) == 0 && S_ISDIR(st.st_mode))
			rc = push_name(ids, count, alloc, de->d_name);
	}
	closedir(dir);
	eks_buf_dispose(&path);
	return rc;
}

/* The experiments to compare, sorted and without repeats. */
static int candidates(char ***ids, size_t *count, struct diff_run *run)
{
	char **committed = NULL, **list = NULL;
	size_t committed_count = 0, n = 0, alloc = 0, i, k;
	int rc;

	*ids = NULL;
	*count = 0;
	if (!run->worktree)
		return eks_repo_changed_experiments(ids, count, run->repo, run->from, run->to);
	if ((rc = eks_repo_experiments(&committed, &committed_count, run->repo, run->from)) < 0)
		return rc;
	for (i = 0; rc == 0 && i < committed_count; i++)
		rc = push_name(&list, &n, &alloc, committed[i]);
	if (rc == 0)
		rc = worktree_experiments(&list, &n, &alloc, eks_repo_workdir(run->repo));
	eks_strings_free(committed, committed_count);
	if (rc < 0) {
		eks_strings_free(list, n);
		return rc;
	}
	if (n > 1)
		qsort(list, n, sizeof(*list), compare_names);
	for (i = k = 0; i < n; i++) {
		if (k && !strcmp(list[k - 1], list[i]))
			free(list[i]);
		else
			list[k++] = list[i];
	}
	*ids = list;
	*count = k;
	return 0;
}

/* ---- text ----------------------------------------------------------------------- */

struct totals {
	size_t experiments, changes, deviations, amended, added, rewritten;
	size_t unreadable;       /* files that could not be compared */
};

static void add_totals(struct totals *t, const struct experiment_diff *e)
{
	size_t i;

	t->experiments++;
	t->unreadable += (e->protocol_differs && !e->protocol) + (e->log_differs && !e->log);
	if (e->protocol) {
		t->changes += e->protocol->count;
		for (i = 0; i < e->protocol->count; i++) {
			t->deviations += e->status[i] == STATUS_DEVIATION;
			t->amended += e->status[i] == STATUS_AMENDED;
		}
	}
	if (e->log) {
		t->added += e->log->added;
		t->rewritten += e->log->changed + e->log->removed;
	}
}

static void put_colored(FILE *out, int color, const char *code, const char *text)
{
	if (color)
		fprintf(out, "%s%s%s", code, text, C_RESET);
	else
		fputs(text, out);
}

/* The note after a change: "(frozen, deviation)" and the like; empty for
 * a plain change.  `registered`: the new side is registered, so a frozen
 * change that is not after the registration was made before it. */
static void status_note(eks_buf *b, enum change_status s, int registered)
{
	switch (s) {
	case STATUS_CHANGED:
		break;
	case STATUS_AMENDED:
		eks_buf_puts(b, "(frozen, amended)");
		break;
	case STATUS_DEVIATION:
		eks_buf_puts(b, "(frozen, deviation)");
		break;
	case STATUS_NOT_REGISTERED:
		eks_buf_puts(b, registered ? "(frozen, before registration)" :
			     "(frozen, not registered yet)");
		break;
	}
}

static const char *status_color(enum change_status s)
{
	switch (s) {
	case STATUS_AMENDED:        return C_YELLOW;
	case STATUS_DEVIATION:      return C_ALERT;
	case STATUS_NOT_REGISTERED: return C_DIM;
	case STATUS_CHANGED:        break;
	}
	return "";
}

/* A value as shown: its text, and "(default)" when it was filled in. */
static void value_text(eks_buf *b, const char *value, int is_default)
{
	eks_buf_puts(b, value ? value : "");
	if (is_default)
		eks_buf_puts(b, " (default)");
}

static void print_note(FILE *out, int color, const eks_buf *note,
		       enum change_status s)
{
	if (!note->len)
		return;
	fputs("   ", out);
	put_colored(out, color, status_color(s), eks_buf_cstr(note));
}

/* A value on lines of its own, after "- " or "+ ", wrapped; a list or
 * mapping (compact JSON) is not wrapped, since a line break inside one
 * of its strings would read as part of the string. */
static void print_block_value(FILE *out, int color, char sign, const char *value)
{
	char prefix[3] = { sign, ' ', '\0' };

	fputs("      ", out);
	if (color)
		fputs(sign == '-' ? C_RED : C_GREEN, out);
	fputs(prefix, out);
	if (*value == '{' || *value == '[')
		fprintf(out, "%s\n", value);
	else
		view_wrap_at(out, value, 8, 8, DIFF_WIDTH);
	if (color)
		fputs(C_RESET, out);
}

static void print_field_change(FILE *out, int color, const eks_field_change *c,
			       enum change_status s, int registered)
{
	eks_buf old_text = EKS_BUF_INIT, new_text = EKS_BUF_INIT, note = EKS_BUF_INIT;
	size_t width;
	int block;

	value_text(&old_text, c->old_value, c->old_default);
	value_text(&new_text, c->new_value, c->new_default);
	status_note(&note, s, registered);
	width = 2 + view_width(c->path) + 2 + (note.len ? 3 + view_width(eks_buf_cstr(&note)) : 0);
	if (c->kind == EKS_DIFF_CHANGED)
		width += view_width(eks_buf_cstr(&old_text)) + 3 + view_width(eks_buf_cstr(&new_text));
	else
		width += 2 + view_width(eks_buf_cstr(c->kind == EKS_DIFF_ADDED ? &new_text : &old_text));
	block = width > DIFF_WIDTH || strchr(eks_buf_cstr(&old_text), '\n') ||
		strchr(eks_buf_cstr(&new_text), '\n');

	fputs("  ", out);
	if (c->kind == EKS_DIFF_ADDED)
		put_colored(out, color, C_GREEN, "+ ");
	else if (c->kind == EKS_DIFF_REMOVED)
		put_colored(out, color, C_RED, "- ");
	fprintf(out, "%s:", c->path);
	if (block) {
		print_note(out, color, &note, s);
		fputc('\n', out);
		if (c->kind != EKS_DIFF_ADDED)
			print_block_value(out, color, '-', eks_buf_cstr(&old_text));
		if (c->kind != EKS_DIFF_REMOVED)
			print_block_value(out, color, '+', eks_buf_cstr(&new_text));
	} else {
		fputc(' ', out);
		if (c->kind != EKS_DIFF_ADDED)
			put_colored(out, color, C_RED, eks_buf_cstr(&old_text));
		if (c->kind == EKS_DIFF_CHANGED)
			fputs(" → ", out);
		if (c->kind != EKS_DIFF_REMOVED)
			put_colored(out, color, C_GREEN, eks_buf_cstr(&new_text));
		print_note(out, color, &note, s);
		fputc('\n', out);
	}
	eks_buf_dispose(&old_text);
	eks_buf_dispose(&new_text);
	eks_buf_dispose(&note);
}

static void print_file_header(FILE *out, int color, const char *id, const char *file,
			      const struct version *old_v, const struct version *new_v)
{
	eks_buf b = EKS_BUF_INIT;

	eks_buf_printf(&b, "experiments/%s/%s", id, file);
	if (!old_v->present)
		eks_buf_puts(&b, " (new file)");
	else if (!new_v->present)
		eks_buf_puts(&b, " (removed)");
	put_colored(out, color, C_BOLD, eks_buf_cstr(&b));
	fputc('\n', out);
	eks_buf_dispose(&b);
}

static void print_problems(FILE *out, int color, const struct version *old_v,
			   const struct version *new_v, const char *what)
{
	eks_buf b = EKS_BUF_INIT;

	if (old_v->problem)
		eks_buf_printf(&b, "  ! the old version cannot be read: %s; %s cannot be compared\n",
			       old_v->problem, what);
	if (new_v->problem)
		eks_buf_printf(&b, "  ! the new version cannot be read: %s; %s cannot be compared\n",
			       new_v->problem, what);
	put_colored(out, color, C_ALERT, eks_buf_cstr(&b));
	eks_buf_dispose(&b);
}

static void print_protocol(FILE *out, int color, const struct experiment_diff *e)
{
	const eks_diff *d = e->protocol;
	const char *title = NULL;
	size_t i, shown = 0;
	int whole;

	print_file_header(out, color, e->id, "experiment.yaml", &e->old_protocol,
			  &e->new_protocol);
	if (!d) {
		print_problems(out, color, &e->old_protocol, &e->new_protocol, "its fields");
		return;
	}
	if (!d->count) {
		fputs("  (comments or layout only: no field changed)\n", out);
		return;
	}
	/* A file that appeared or disappeared is one line, apart from the
	 * changes that need attention (after a registration). */
	whole = !e->old_protocol.present || !e->new_protocol.present;
	for (i = 0; i < d->count; i++) {
		if (whole && e->status[i] != STATUS_DEVIATION && e->status[i] != STATUS_AMENDED)
			continue;
		print_field_change(out, color, &d->changes[i], e->status[i], e->registered);
		shown++;
	}
	if (!whole)
		return;
	for (i = 0; i < d->count; i++)
		if (!strcmp(d->changes[i].path, "title"))
			title = d->changes[i].kind == EKS_DIFF_REMOVED ?
				d->changes[i].old_value : d->changes[i].new_value;
	fputs("  ", out);
	put_colored(out, color, e->new_protocol.present ? C_GREEN : C_RED,
		    e->new_protocol.present ? "+ new protocol" : "- protocol removed");
	if (title)
		fprintf(out, ": %s", title);
	fprintf(out, " (%zu field%s%s)\n", d->count, d->count == 1 ? "" : "s",
		shown ? " in all" : "");
}

/* The document of entry `id` in a version of a log, or NULL. */
static const eks_node *entry_document(const struct version *v, const char *id)
{
	size_t i;

	for (i = 0; id && v->yaml && i < v->yaml->count; i++) {
		const eks_node *n = eks_node_get(v->yaml->documents[i], "id");

		if (n && n->kind == EKS_NODE_SCALAR && n->value && !strcmp(n->value, id))
			return v->yaml->documents[i];
	}
	return NULL;
}

/* The fields of a changed entry, old and new (NULL when none can be
 * compared; free with eks_diff_free). */
static eks_diff *entry_fields(const struct experiment_diff *e, const eks_log_change *c)
{
	eks_diff *fields = NULL;
	const eks_node *now;

	if (c->kind != EKS_DIFF_CHANGED || !c->id || !e->new_log.yaml ||
	    c->document >= e->new_log.yaml->count)
		return NULL;
	now = e->new_log.yaml->documents[c->document];
	if (eks_entry_diff(&fields, entry_document(&e->old_log, c->id), now) < 0)
		return NULL;
	return fields;
}

static void print_log(FILE *out, int color, const struct experiment_diff *e)
{
	const eks_log_delta *d = e->log;
	eks_buf b = EKS_BUF_INIT;
	size_t i;

	print_file_header(out, color, e->id, "log.yaml", &e->old_log, &e->new_log);
	if (!d) {
		print_problems(out, color, &e->old_log, &e->new_log, "its entries");
		return;
	}
	if (!d->count) {
		fputs("  (comments or layout only: no entry changed)\n", out);
		return;
	}
	for (i = 0; i < d->count; i++) {
		const eks_log_change *c = &d->changes[i];
		const eks_entry *entry = c->kind == EKS_DIFF_REMOVED ?
			entry_at(&e->old_log, c->document) : entry_at(&e->new_log, c->document);

		eks_buf_clear(&b);
		if (c->kind == EKS_DIFF_ADDED) {
			fputs("  ", out);
			put_colored(out, color, C_GREEN, "+ ");
			eks_buf_printf(&b, "%s  ", c->id ? c->id : "(entry without an id)");
			if (entry)
				eks_entry_summarise(&b, entry, DIFF_SUMMARY_WIDTH);
			else
				eks_buf_puts(&b, "entry");
			fprintf(out, "%s\n", eks_buf_cstr(&b));
			continue;
		}
		eks_buf_puts(&b, "  ! log rewritten: ");
		if (c->id)
			eks_buf_printf(&b, "entry %s", c->id);
		else
			eks_buf_printf(&b, "an entry without an id (line %d)", c->line);
		if (entry && entry->kind)
			eks_buf_printf(&b, " (%s)", eks_entry_kind_name(entry->kind));
		eks_buf_printf(&b, " %s — logs are append-only\n",
			       c->kind == EKS_DIFF_CHANGED ? "changed" : "removed");
		put_colored(out, color, C_ALERT, eks_buf_cstr(&b));
		{
			eks_diff *fields = entry_fields(e, c);
			size_t k;

			for (k = 0; fields && k < fields->count; k++) {
				const eks_field_change *f = &fields->changes[k];

				fprintf(out, "      %s: %s → %s\n", f->path,
					f->old_value ? f->old_value : "(none)",
					f->new_value ? f->new_value : "(none)");
			}
			eks_diff_free(fields);
		}
	}
	eks_buf_dispose(&b);
}

static void plural(eks_buf *b, size_t n, const char *one, const char *many)
{
	eks_buf_printf(b, "%zu %s", n, n == 1 ? one : many);
}

static void print_summary(FILE *out, int color, const struct totals *t)
{
	eks_buf b = EKS_BUF_INIT;
	int parts = 0;

	plural(&b, t->experiments, "experiment changed", "experiments changed");
	eks_buf_puts(&b, ": ");
	if (t->changes) {
		plural(&b, t->changes, "protocol change", "protocol changes");
		if (t->deviations || t->amended) {
			eks_buf_puts(&b, " (");
			if (t->deviations)
				plural(&b, t->deviations, "deviation", "deviations");
			if (t->amended)
				eks_buf_printf(&b, "%s%zu amended", t->deviations ? ", " : "",
					       t->amended);
			eks_buf_putc(&b, ')');
		}
		parts++;
	}
	if (t->added) {
		eks_buf_puts(&b, parts++ ? ", " : "");
		plural(&b, t->added, "entry added", "entries added");
	}
	if (t->rewritten) {
		eks_buf_puts(&b, parts++ ? ", " : "");
		plural(&b, t->rewritten, "entry rewritten", "entries rewritten");
	}
	if (t->unreadable) {
		eks_buf_puts(&b, parts++ ? ", " : "");
		plural(&b, t->unreadable, "file not compared", "files not compared");
	}
	if (!parts)
		eks_buf_puts(&b, "no field or entry changed");
	put_colored(out, color, t->deviations || t->rewritten || t->unreadable ? C_ALERT : C_BOLD,
		    eks_buf_cstr(&b));
	fputc('\n', out);
	eks_buf_dispose(&b);
}

static void print_text(const struct diff_run *run)
{
	int color = cmd_use_color(stdout);
	struct totals t;
	size_t i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < run->count; i++) {
		const struct experiment_diff *e = &run->items[i];

		if (i)
			putchar('\n');
		if (e->protocol_differs)
			print_protocol(stdout, color, e);
		if (e->log_differs)
			print_log(stdout, color, e);
		add_totals(&t, e);
	}
	if (run->count) {
		putchar('\n');
		print_summary(stdout, color, &t);
	}
}

/* ---- JSON ---------------------------------------------------------------------- */

static void json_problems(eks_buf *j, const struct experiment_diff *e)
{
	const struct {
		const struct version *v;
		const char *what;
	} sides[] = {
		{ &e->old_protocol, "the old experiment.yaml" },
		{ &e->new_protocol, "the new experiment.yaml" },
		{ &e->old_log, "the old log.yaml" },
		{ &e->new_log, "the new log.yaml" },
	};
	size_t i;
	int first = 1;

	eks_buf_putc(j, '[');
	for (i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		eks_buf msg = EKS_BUF_INIT;

		if (!sides[i].v->problem)
			continue;
		if (!first)
			eks_buf_putc(j, ',');
		first = 0;
		eks_buf_printf(&msg, "%s cannot be read: %s", sides[i].what, sides[i].v->problem);
		view_json_string(j, eks_buf_cstr(&msg));
		eks_buf_dispose(&msg);
	}
	eks_buf_putc(j, ']');
}

static void json_protocol(eks_buf *j, const struct experiment_diff *e)
{
	size_t i;

	if (!e->protocol) {
		eks_buf_puts(j, e->protocol_differs ? "null" : "[]");
		return;
	}
	eks_buf_putc(j, '[');
	for (i = 0; i < e->protocol->count; i++) {
		const eks_field_change *c = &e->protocol->changes[i];

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_putc(j, '{');
		view_json_key(j, "path", 1);
		view_json_string(j, c->path);
		view_json_key(j, "kind", 0);
		view_json_string(j, eks_diff_kind_name(c->kind));
		view_json_key(j, "old", 0);
		view_json_string(j, c->old_value);
		view_json_key(j, "new", 0);
		view_json_string(j, c->new_value);
		view_json_key(j, "old_default", 0);
		eks_buf_puts(j, c->old_default ? "true" : "false");
		view_json_key(j, "new_default", 0);
		eks_buf_puts(j, c->new_default ? "true" : "false");
		view_json_key(j, "frozen", 0);
		eks_buf_puts(j, c->frozen ? "true" : "false");
		view_json_key(j, "class", 0);
		view_json_string(j, c->amend_class == EKS_DIFF_CLASS_NONE ? NULL :
				 eks_diff_class_name(c->amend_class));
		view_json_key(j, "status", 0);
		view_json_string(j, status_name(e->status[i]));
		view_json_key(j, "line", 0);
		eks_buf_printf(j, "%d", c->line);
		view_json_key(j, "column", 0);
		eks_buf_printf(j, "%d}", c->col);
	}
	eks_buf_putc(j, ']');
}

static void json_log(eks_buf *j, const struct experiment_diff *e)
{
	eks_buf summary = EKS_BUF_INIT;
	size_t i;

	if (!e->log) {
		eks_buf_puts(j, e->log_differs ? "null" : "[]");
		return;
	}
	eks_buf_putc(j, '[');
	for (i = 0; i < e->log->count; i++) {
		const eks_log_change *c = &e->log->changes[i];
		const eks_entry *entry = c->kind == EKS_DIFF_REMOVED ?
			entry_at(&e->old_log, c->document) : entry_at(&e->new_log, c->document);

		if (i)
			eks_buf_putc(j, ',');
		eks_buf_putc(j, '{');
		view_json_key(j, "kind", 1);
		view_json_string(j, eks_diff_kind_name(c->kind));
		view_json_key(j, "entry", 0);
		view_json_string(j, c->id);
		view_json_key(j, "entry_kind", 0);
		view_json_string(j, entry && entry->kind ? eks_entry_kind_name(entry->kind) : NULL);
		view_json_key(j, "summary", 0);
		eks_buf_clear(&summary);
		if (entry)
			eks_entry_summarise(&summary, entry, 0);
		view_json_string(j, entry ? eks_buf_cstr(&summary) : NULL);
		view_json_key(j, "recorded_at", 0);
		view_json_string(j, entry ? entry->recorded_at : NULL);
		view_json_key(j, "recorded_by", 0);
		view_json_string(j, entry ? entry->recorded_by : NULL);
		view_json_key(j, "line", 0);
		eks_buf_printf(j, "%d", c->line);
		view_json_key(j, "column", 0);
		eks_buf_printf(j, "%d", c->col);
		if (c->kind == EKS_DIFF_CHANGED) {
			eks_diff *fields = entry_fields(e, c);
			size_t k;

			view_json_key(j, "fields", 0);
			eks_buf_putc(j, '[');
			for (k = 0; fields && k < fields->count; k++) {
				const eks_field_change *f = &fields->changes[k];

				eks_buf_puts(j, k ? ",{" : "{");
				view_json_key(j, "path", 1);
				view_json_string(j, f->path);
				view_json_key(j, "old", 0);
				view_json_string(j, f->old_value);
				view_json_key(j, "new", 0);
				view_json_string(j, f->new_value);
				eks_buf_putc(j, '}');
			}
			eks_buf_putc(j, ']');
			eks_diff_free(fields);
		}
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');
	if (eks_buf_oom(&summary))
		j->oom = 1;
	eks_buf_dispose(&summary);
}

static int print_json(const struct diff_run *run)
{
	eks_buf j = EKS_BUF_INIT;
	size_t i;
	int rc;

	eks_buf_putc(&j, '{');
	view_json_key(&j, "from", 1);
	view_json_string(&j, run->from);
	view_json_key(&j, "to", 0);
	view_json_string(&j, run->worktree ? NULL : run->to);
	view_json_key(&j, "experiments", 0);
	eks_buf_putc(&j, '[');
	for (i = 0; i < run->count; i++) {
		const struct experiment_diff *e = &run->items[i];

		if (i)
			eks_buf_putc(&j, ',');
		eks_buf_putc(&j, '{');
		view_json_key(&j, "id", 1);
		view_json_string(&j, e->id);
		view_json_key(&j, "registered", 0);
		eks_buf_puts(&j, e->registered ? "true" : "false");
		view_json_key(&j, "protocol", 0);
		json_protocol(&j, e);
		view_json_key(&j, "log", 0);
		json_log(&j, e);
		view_json_key(&j, "problems", 0);
		json_problems(&j, e);
		eks_buf_putc(&j, '}');
	}
	eks_buf_puts(&j, "]}\n");
	rc = eks_buf_oom(&j) ? EKS_ENOMEM : 0;
	if (rc == 0)
		fputs(eks_buf_cstr(&j), stdout);
	eks_buf_dispose(&j);
	return rc;
}

/* ---- the command ------------------------------------------------------------------ */

static int resolve(char out[EKS_COMMIT_HEX], struct diff_run *run, const char *rev)
{
	int rc = eks_repo_resolve(out, run->repo, rev);
	eks_buf path = EKS_BUF_INIT;
	struct stat st;
	int experiment;

	if (rc != EKS_ENOTFOUND || !eks_experiment_id_valid(rev))
		return rc < 0 ? cmd_fail(rc, NULL) : EXIT_OK;
	/* `diff uu-molde-outreach`: the user meant an experiment. */
	eks_buf_printf(&path, "%sexperiments/%s", eks_repo_workdir(run->repo), rev);
	experiment = !eks_buf_oom(&path) && lstat(eks_buf_cstr(&path), &st) == 0 &&
		     S_ISDIR(st.st_mode);
	eks_buf_dispose(&path);
	if (!experiment)
		return cmd_fail(EKS_ENOTFOUND, NULL);
	cmd_error("unknown revision '%s'; to compare only the experiment '%s', "
		  "write 'eksperiment diff -- %s'", rev, rev, rev);
	return EXIT_USAGE;
}

/*
 * The old side of `diff --since-registration <id>`: the registered commit
 * of `id` in the history of run->to (registration.h: the tag when it is
 * in that history, else the commit that added the registration entry).
 */
static int since_registration(struct diff_run *run, const char *id)
{
	eks_buf path = EKS_BUF_INIT;
	char *data = NULL;
	int rc = eks_registration_commit(run->from, run->repo, run->to, id);

	if (rc != EKS_ENOTFOUND)
		return rc < 0 ? cmd_fail(rc, NULL) : EXIT_OK;
	/* no such experiment, or one that is not registered? */
	eks_buf_printf(&path, "experiments/%s/experiment.yaml", id);
	if (eks_buf_oom(&path))
		return cmd_fail(eks_error_oom(), NULL);
	rc = eks_repo_read(&data, NULL, run->repo, run->to, eks_buf_cstr(&path));
	free(data);
	eks_buf_dispose(&path);
	if (rc == EKS_ENOTFOUND) {
		cmd_error("there is no experiment '%s' at commit %.7s", id, run->to);
		return EXIT_USAGE;
	}
	cmd_error("'%s' is not registered at commit %.7s (its log has no registration "
		  "entry in that history): there is no registration to compare with", id,
		  run->to);
	return EXIT_PROBLEMS;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "exit-code", no_argument, NULL, 'e' },
		{ "since-registration", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_format format = FORMAT_TEXT;
	struct diff_run run;
	char **ids = NULL, **wanted = NULL, *split = NULL;
	const char *revs[2] = { NULL, NULL }, *dots, *since = NULL;
	size_t ids_count = 0, wanted_count = 0, wanted_alloc = 0, nrevs, i, k;
	int opt_argc = argc, exit_on_changes = 0, merge_base = 0, c, rc;
	int exit_code = EXIT_OK;

	memset(&run, 0, sizeof(run));
	/* Everything after "--" is an experiment id (as in git, options
	 * come before it). */
	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--")) {
			opt_argc = (int)i;
			break;
		}
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(opt_argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((exit_code = cmd_parse_format(&format, "diff", optarg,
							  ALLOW_TEXT | ALLOW_JSON)))
				return exit_code;
			break;
		case 'e':
			exit_on_changes = 1;
			break;
		case 's':
			since = optarg;
			break;
		default:
			return cmd_usage("diff", "unknown option or missing value: '%s'",
					 argv[optind - 1]);
		}
	}
	nrevs = (size_t)(opt_argc - optind);
	if (nrevs > 2)
		return cmd_usage("diff", "'diff' compares at most two revisions; "
				 "put experiment ids after '--'");
	for (i = 0; i < nrevs; i++)
		revs[i] = argv[optind + (int)i];
	if (since) {
		/* one experiment, from its registration to one commit */
		if (!eks_experiment_id_valid(since))
			return cmd_usage("diff", "'%s' is not a valid experiment id", since);
		if (nrevs > 1 || (nrevs == 1 && strstr(revs[0], "..")))
			return cmd_usage("diff", "--since-registration compares with one "
					 "revision (default HEAD), not two");
		if (opt_argc < argc)
			return cmd_usage("diff", "--since-registration compares the one "
					 "experiment it names; leave out the ids after '--'");
	}

	for (i = (size_t)opt_argc + 1; i < (size_t)argc; i++) {
		if (!eks_experiment_id_valid(argv[i])) {
			exit_code = cmd_usage("diff", "'%s' is not a valid experiment id", argv[i]);
			goto done;
		}
		for (k = 0; k < wanted_count && strcmp(wanted[k], argv[i]); k++)
			;
		if (k == wanted_count &&
		    push_name(&wanted, &wanted_count, &wanted_alloc, argv[i]) < 0) {
			exit_code = cmd_fail(EKS_ENOMEM, NULL);
			goto done;
		}
	}
	if (since && push_name(&wanted, &wanted_count, &wanted_alloc, since) < 0) {
		exit_code = cmd_fail(EKS_ENOMEM, NULL);
		goto done;
	}
	/* As in git diff, A..B is A B, and A...B is the merge base of A and
	 * B against B; a side left out is HEAD.  `split` is our copy of the
	 * argument, cut in two at the dots. */
	if (!since && nrevs == 1 && (dots = strstr(revs[0], ".."))) {
		size_t at = (size_t)(dots - revs[0]);

		merge_base = dots[2] == '.';
		if (!(split = strdup(revs[0]))) {
			exit_code = cmd_fail(EKS_ENOMEM, NULL);
			goto done;
		}
		split[at] = '\0';
		revs[0] = *split ? split : "HEAD";
		revs[1] = split + at + (merge_base ? 3 : 2);
		if (!*revs[1])
			revs[1] = "HEAD";
		nrevs = 2;
	}

	if ((exit_code = cmd_open_repo(&run.repo)))
		goto done;
	if ((rc = eks_repo_repair(run.repo)) < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	if (since) {
		if ((exit_code = resolve(run.to, &run, nrevs ? revs[0] : "HEAD")) ||
		    (exit_code = since_registration(&run, since)))
			goto done;
	} else {
		if ((exit_code = resolve(run.from, &run, nrevs ? revs[0] : "HEAD")))
			goto done;
		run.worktree = nrevs < 2;
		if (!run.worktree && (exit_code = resolve(run.to, &run, revs[1])))
			goto done;
		if (merge_base &&
		    (rc = eks_repo_merge_base(run.from, run.repo, revs[0], revs[1])) < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
	}

	if (wanted_count) {
		if (wanted_count > 1)
			qsort(wanted, wanted_count, sizeof(*wanted), compare_names);
		for (i = 0; i < wanted_count; i++) {
			int found;

			if ((rc = diff_experiment(&run, wanted[i], &found)) < 0) {
				exit_code = cmd_fail(rc, NULL);
				goto done;
			}
			if (!found) {
				cmd_error("there is no experiment '%s' in either version",
					  wanted[i]);
				exit_code = EXIT_USAGE;
				goto done;
			}
		}
	} else {
		if ((rc = candidates(&ids, &ids_count, &run)) < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
		for (i = 0; i < ids_count; i++) {
			int found;

			if ((rc = diff_experiment(&run, ids[i], &found)) < 0) {
				exit_code = cmd_fail(rc, NULL);
				goto done;
			}
		}
	}

	if (format == FORMAT_JSON) {
		if ((rc = print_json(&run)) < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
	} else {
		print_text(&run);
	}
	if (exit_on_changes && run.count)
		exit_code = EXIT_PROBLEMS;
done:
	for (i = 0; i < run.count; i++)
		experiment_diff_release(&run.items[i]);
	free(run.items);
	eks_strings_free(ids, ids_count);
	eks_strings_free(wanted, wanted_count);
	free(split);
	eks_repo_free(run.repo);
	return exit_code;
}
