/*
 * validate.c - `eksperiment validate [path...] [--rev R] [--strict]
 * [--format text|json|github]`: check experiment files, for people and CI.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

/* privacy.min_cell of the repository around the current directory, or -1. */
static long repository_min_cell(void)
{
	eks_diag_list ignored = EKS_DIAG_LIST_INIT;
	eks_settings *settings = NULL;
	eks_repo *repo = NULL;
	char cwd[PATH_MAX];
	long min_cell = -1;
	eks_buf path = EKS_BUF_INIT;
	FILE *f;

	if (!getcwd(cwd, sizeof(cwd)) || eks_repo_discover(&repo, cwd) < 0)
		goto done;
	eks_buf_printf(&path, "%seksperiment.yaml", eks_repo_workdir(repo));
	f = fopen(eks_buf_cstr(&path), "rb");
	if (f) {
		char chunk[65536];
		size_t n = fread(chunk, 1, sizeof(chunk), f);
		fclose(f);
		if (eks_validate_settings(&settings, eks_buf_cstr(&path), chunk, n, &ignored) == 0)
			min_cell = settings->min_cell;
	}
done:
	eks_settings_free(settings);
	eks_diag_list_clear(&ignored);
	eks_buf_dispose(&path);
	eks_repo_free(repo);
	return min_cell;
}

/* Keep only the diagnostics about files under one of `paths` (for --rev). */
static void keep_paths(eks_diag_list *diags, char *const *paths, size_t count)
{
	size_t i, j, kept = 0;

	for (i = 0; i < diags->count; i++) {
		eks_diag *d = &diags->items[i];
		int keep = 0;

		for (j = 0; j < count && !keep; j++) {
			const char *p = paths[j];
			size_t len;

			while (p[0] == '.' && p[1] == '/')
				p += 2;
			len = strlen(p);
			while (len > 0 && p[len - 1] == '/')
				len--;
			keep = len == 0 || (!strncmp(d->path, p, len) &&
					    (d->path[len] == '\0' || d->path[len] == '/'));
		}
		if (keep) {
			diags->items[kept++] = *d;
		} else {
			free(d->path);
			free(d->message);
		}
	}
	diags->count = kept;
}

/* Whether `id` is one of the sorted `ids`. */
static int is_listed(char *const *ids, size_t count, const char *id)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (!strcmp(ids[i], id))
			return 1;
	return 0;
}

/* Report the deviations of one experiment: errors, or warnings once
 * disclosed (SPEC 5). */
static void report_deviations(eks_diag_list *diags, const eks_integrity *in)
{
	eks_buf path = EKS_BUF_INIT;
	size_t j;

	eks_buf_printf(&path, "experiments/%s/experiment.yaml", in->id);
	for (j = 0; j < in->deviations_count; j++) {
		const eks_deviation *d = &in->deviations[j];
		const char *how = d->kind == EKS_DIFF_ADDED ? "added" :
				  d->kind == EKS_DIFF_REMOVED ? "removed" : "changed";

		if (d->disclosure_entry)
			eks_diag_add(diags, EKS_DIAG_WARNING, eks_buf_cstr(&path), d->line, d->col,
				     "deviation from the registered protocol: '%s' was %s in commit %.7s (\"%s\") "
				     "without an amendment; disclosed in entry %s: \"%s\"",
				     d->path, how, d->commit, d->subject, d->disclosure_entry,
				     d->disclosure_reason);
		else
			eks_diag_add(diags, EKS_DIAG_ERROR, eks_buf_cstr(&path), d->line, d->col,
				     "deviation from the registered protocol: '%s' was %s in commit %.7s (\"%s\") "
				     "without an amendment naming it; the change stays in the history, so report it with the results "
				     "(amendments are made with 'eksperiment edit %s -m \"reason\"'; "
				     "explain this one with 'eksperiment disclose %s --commit %.7s -m \"why\"')",
				     d->path, how, d->commit, d->subject, in->id, in->id, d->commit);
	}
	eks_buf_dispose(&path);
}

/* Report the log rewrites of one experiment, one problem per entry and
 * commit, naming every field with its old and new value. */
static void report_rewrites(eks_diag_list *diags, const eks_integrity *in)
{
	eks_buf path = EKS_BUF_INIT, what = EKS_BUF_INIT;
	size_t j, k;

	eks_buf_printf(&path, "experiments/%s/log.yaml", in->id);
	for (j = 0; j < in->rewrites_count; j = k) {
		const eks_rewrite *r = &in->rewrites[j];

		eks_buf_clear(&what);
		for (k = j; k < in->rewrites_count &&
			    !strcmp(in->rewrites[k].commit, r->commit) &&
			    !strcmp(in->rewrites[k].entry_id, r->entry_id); k++) {
			const eks_rewrite *f = &in->rewrites[k];

			if (k > j)
				eks_buf_puts(&what, "; ");
			if (f->removed)
				eks_buf_printf(&what, "removed (it was: %s)", f->old_value ? f->old_value : "");
			else if (!f->old_value)
				eks_buf_printf(&what, "%s added: %s", f->path, f->new_value);
			else if (!f->new_value)
				eks_buf_printf(&what, "%s removed (was %s)", f->path, f->old_value);
			else
				eks_buf_printf(&what, "%s %s -> %s", f->path, f->old_value, f->new_value);
		}
		if (r->disclosure_entry)
			eks_diag_add(diags, EKS_DIAG_WARNING, eks_buf_cstr(&path), r->line, r->col,
				     "log rewrite: entry %s was changed after it was committed, in commit %.7s (\"%s\"): %s; "
				     "disclosed in entry %s: \"%s\"",
				     r->entry_id, r->commit, r->subject, eks_buf_cstr(&what),
				     r->disclosure_entry, r->disclosure_reason);
		else
			eks_diag_add(diags, EKS_DIAG_ERROR, eks_buf_cstr(&path), r->line, r->col,
				     "log rewrite: entry %s was changed after it was committed, in commit %.7s (\"%s\"): %s; "
				     "the log is append-only: correct a value with a new entry "
				     "('eksperiment log %s ... --supersedes %s'), and explain this rewrite with "
				     "'eksperiment disclose %s --commit %.7s -m \"why\"'",
				     r->entry_id, r->commit, r->subject, eks_buf_cstr(&what),
				     in->id, r->entry_id, in->id, r->commit);
	}
	eks_buf_dispose(&what);
	eks_buf_dispose(&path);
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/*
 * Report what the history of `commit` says about the experiments: the
 * deviations (SPEC 5) of the registered ones, changes of frozen fields
 * that no amendment named, and the log rewrites of all of them.  Only
 * the experiments eks_integrity_candidates names can have either.
 */
static int add_history_problems(eks_diag_list *diags, eks_repo *repo, const char *commit,
				const eks_check_result *result)
{
	char **candidates = NULL;
	size_t i, candidates_count = 0;
	const char *trace = getenv("EKSPERIMENT_TRACE");
	struct timespec t0, t1, t2;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = eks_integrity_candidates(&candidates, &candidates_count, repo, commit);
	if (rc < 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < candidates_count; i++) {
		const char *id = candidates[i];
		eks_integrity *in = NULL;
		eks_buf path = EKS_BUF_INIT;
		char *data = NULL;
		int present;

		/* an experiment that is no longer there has nothing to check */
		eks_buf_printf(&path, "experiments/%s/experiment.yaml", id);
		present = eks_repo_read(&data, NULL, repo, commit, eks_buf_cstr(&path)) == 0;
		free(data);
		eks_buf_dispose(&path);
		eks_error_clear();
		if (!present)
			continue;
		rc = eks_integrity_load(&in, repo, commit, id);
		if (rc == EKS_ENOTFOUND)
			continue;       /* not committed yet: no history to check */
		if (rc < 0) {
			eks_strings_free(candidates, candidates_count);
			return rc;
		}
		if (is_listed(result->registered, result->registered_count, id))
			report_deviations(diags, in);
		report_rewrites(diags, in);
		eks_integrity_free(in);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if (trace && *trace)
		fprintf(stderr, "eksperiment: trace: history check of %.7s in %.1f ms "
			"(finding the experiments to read: %.1f ms; reading the history of "
			"%zu experiment%s: %.1f ms)\n", commit, ms_between(&t0, &t2),
			ms_between(&t0, &t1), candidates_count, candidates_count == 1 ? "" : "s",
			ms_between(&t1, &t2));
	eks_strings_free(candidates, candidates_count);
	eks_diag_sort(diags);
	return 0;
}

static void print_summary(const eks_check_result *result)
{
	if (!result->errors && !result->warnings) {
		printf("%zu file%s checked, no problems found\n", result->files,
		       result->files == 1 ? "" : "s");
		return;
	}
	printf("%zu error%s and %zu warning%s in %zu file%s checked\n",
	       result->errors, result->errors == 1 ? "" : "s",
	       result->warnings, result->warnings == 1 ? "" : "s",
	       result->files, result->files == 1 ? "" : "s");
}

static void print_json(const eks_check_result *result, const eks_diag_list *diags,
		       const char *revision)
{
	eks_buf json = EKS_BUF_INIT;

	eks_buf_puts(&json, "{\"revision\":");
	if (revision)
		eks_buf_put_json_string(&json, revision);
	else
		eks_buf_puts(&json, "null");
	eks_buf_printf(&json, ",\"files\":%zu,\"errors\":%zu,\"warnings\":%zu,\"problems\":",
		       result->files, result->errors, result->warnings);
	cmd_put_diags_json(&json, diags);
	eks_buf_puts(&json, "}\n");
	fputs(eks_buf_cstr(&json), stdout);
	eks_buf_dispose(&json);
}

int cmd_validate(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rev",    required_argument, NULL, 'r' },
		{ "strict", no_argument,       NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	eks_check_options opts = EKS_CHECK_OPTIONS_INIT;
	eks_check_result result = { 0 };
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	enum cmd_format format = FORMAT_TEXT;
	const char *rev = NULL;
	char commit[EKS_COMMIT_HEX];
	eks_repo *repo = NULL;
	int c, rc, exit_code;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:sf:", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			rev = optarg;
			break;
		case 's':
			opts.strict = 1;
			break;
		case 'f':
			exit_code = cmd_parse_format(&format, "validate", optarg,
						     ALLOW_TEXT | ALLOW_JSON | ALLOW_GITHUB);
			if (exit_code)
				return exit_code;
			break;
		default:
			return cmd_usage("validate", "unknown option or missing value: '%s'",
					 argv[optind - 1]);
		}
	}

	if (rev || optind == argc) {
		exit_code = cmd_open_repo(&repo);
		if (exit_code)
			return exit_code;
	}
	if (rev) {
		rc = eks_repo_resolve(commit, repo, rev);
		if (rc < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
		rc = eks_check_revision(&result, &diags, repo, commit, &opts);
		if (rc >= 0 || rc == EKS_EINVALID) {
			if (optind < argc)
				keep_paths(&diags, argv + optind, (size_t)(argc - optind));
			result.errors = eks_diag_count(&diags, EKS_DIAG_ERROR);
			result.warnings = eks_diag_count(&diags, EKS_DIAG_WARNING);
			rc = result.errors ? EKS_EINVALID : 0;
		}
	} else if (optind == argc) {
		rc = eks_check_worktree(&result, &diags, eks_repo_workdir(repo), &opts);
	} else {
		opts.min_cell = repository_min_cell();
		rc = eks_check_paths(&result, &diags, argv + optind, (size_t)(argc - optind), &opts);
	}

	if (rc < 0 && rc != EKS_EINVALID) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	/* In a repository, the history is checked too: deviations of
	 * registered protocols, rewrites of any log. */
	if (repo && eks_repo_resolve(commit, repo, rev ? rev : "HEAD") == 0) {
		rc = add_history_problems(&diags, repo, commit, &result);
		if (rc < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
		if (rev && optind < argc)
			keep_paths(&diags, argv + optind, (size_t)(argc - optind));
		result.errors = eks_diag_count(&diags, EKS_DIAG_ERROR);
		result.warnings = eks_diag_count(&diags, EKS_DIAG_WARNING);
	}
	eks_error_clear();
	switch (format) {
	case FORMAT_JSON:
		print_json(&result, &diags, rev ? commit : NULL);
		break;
	case FORMAT_GITHUB:
		cmd_print_diags(stdout, &diags, FORMAT_GITHUB);
		break;
	default:
		cmd_print_diags(stdout, &diags, FORMAT_TEXT);
		print_summary(&result);
		break;
	}
	exit_code = result.errors ? EXIT_PROBLEMS : EXIT_OK;
done:
	eks_check_result_release(&result);
	eks_diag_list_clear(&diags);
	eks_repo_free(repo);
	return exit_code;
}
