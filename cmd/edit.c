/*
 * edit.c - `eksperiment edit <id> [-m reason]`: change a protocol in an
 * editor, as `git commit` asks for its message (SPEC 3).
 *
 * The committed experiment.yaml is copied to .git/eksperiment/
 * edit-<id>-XXXXXX.yaml and $VISUAL, else $EDITOR, else vi is run on it
 * through `sh -c '<editor> "$@"' editor <file>`, so the variable may hold
 * a command with arguments, as with git.  The saved copy is checked like
 * `eksperiment validate` does (identity numbers included); the status may
 * not change (that is `eksperiment status`); and the committed log must
 * still fit the edited protocol.  A copy with problems is opened again
 * when standard input is a terminal; otherwise edit exits 1, commits
 * nothing and keeps the copy.  A good copy is committed on top of the
 * commit it was read from.
 *
 * The repository lock is not held while the editor runs (an editing
 * session may last long, and other commands would wait for it); it is
 * taken for the commit, and the protocol is checked to be unchanged then.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "eksperiment/history.h"

struct edit_options {
	const char *id;
	const char *message;
	const char *file;          /* --file: the new protocol, no editor */
	const char *author;
	int lock_timeout;
};

static int parse_options(struct edit_options *o, int argc, char **argv)
{
	static const struct option options[] = {
		{ "message",      required_argument, NULL, 'm' },
		{ "author",       required_argument, NULL, 'a' },
		{ "lock-timeout", required_argument, NULL, 'L' },
		{ "file",         required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	long t;
	int c;

	memset(o, 0, sizeof(*o));
	o->lock_timeout = EKS_LOCK_TIMEOUT_DEFAULT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:", options, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->message = optarg;
			break;
		case 'a':
			o->author = optarg;
			break;
		case 'F':
			o->file = optarg;
			break;
		case 'L':
			errno = 0;
			t = strtol(optarg, &end, 10);
			if (!*optarg || *end || errno || t < 0 || t > 3600)
				return cmd_usage("edit", "--lock-timeout takes seconds from 0 to 3600");
			o->lock_timeout = (int)t;
			break;
		default:
			return cmd_usage("edit", "unknown option or missing value: '%s'",
					 argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage("edit", "'edit' needs exactly one experiment id");
	o->id = argv[optind];
	if (!eks_experiment_id_valid(o->id))
		return cmd_usage("edit", "'%s' is not a valid experiment id", o->id);
	if (o->message && !*o->message)
		return cmd_usage("edit", "-m needs a text: why the protocol changes");
	return EXIT_OK;
}

/* The editor, as git chooses it: $VISUAL, else $EDITOR, else vi. */
static const char *editor_command(void)
{
	const char *e = getenv("VISUAL");

	if (!e || !*e)
		e = getenv("EDITOR");
	if (!e || !*e)
		e = "vi";
	return e;
}

/*
 * Run the editor on `path` and wait for it.  Like git, the editor gets the
 * terminal to itself: Ctrl-C and Ctrl-\ go to it, and do not end edit.
 * Returns 0 when it exited with status 0, else prints why and returns -1.
 */
static int run_editor(const char *editor, const char *path)
{
	struct sigaction ignore, old_int, old_quit;
	eks_buf script = EKS_BUF_INIT;
	int status = 0, rc = -1;
	pid_t pid, waited;

	eks_buf_printf(&script, "%s \"$@\"", editor);
	if (eks_buf_oom(&script)) {
		cmd_error("out of memory");
		return -1;
	}
	memset(&ignore, 0, sizeof(ignore));
	ignore.sa_handler = SIG_IGN;
	sigemptyset(&ignore.sa_mask);
	fflush(stdout);
	fflush(stderr);
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execl("/bin/sh", "sh", "-c", eks_buf_cstr(&script), "editor", path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		cmd_error("cannot start the editor: %s", strerror(errno));
		goto done;
	}
	do
		waited = waitpid(pid, &status, 0);
	while (waited < 0 && errno == EINTR);
	if (waited < 0) {
		cmd_error("cannot wait for the editor: %s", strerror(errno));
		goto done;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		cmd_error("the editor '%s' could not be started; set VISUAL or EDITOR to an editor that is installed", editor);
	else if (WIFEXITED(status))
		cmd_error("the editor '%s' failed (exit status %d)", editor, WEXITSTATUS(status));
	else
		cmd_error("the editor '%s' was stopped by signal %d", editor,
			  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
done:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	eks_buf_dispose(&script);
	return rc;
}

/* Read a whole file (at most 16 MiB and one byte, so larger files are
 * seen to be too large).  Returns 0 or prints why not and returns -1. */
static int read_whole(eks_buf *out, const char *path)
{
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		cmd_error("cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		eks_buf_put(out, chunk, n);
		if (out->len > EKS_YAML_MAX_BYTES)
			break;
	}
	if (ferror(f) || eks_buf_oom(out)) {
		cmd_error("cannot read '%s': %s", path, ferror(f) ? strerror(errno) : "out of memory");
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int write_whole(int fd, const char *path, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cmd_error("cannot write '%s': %s", path, strerror(errno));
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The copy to edit: .git/eksperiment/edit-<id>-XXXXXX.yaml, or the same
 * name in $TMPDIR when that directory cannot be written.  *path is owned
 * by the caller.
 */
static int make_copy(char **path, eks_repo *repo, const char *id,
		     const char *text, size_t len)
{
	const char *tmpdir = getenv("TMPDIR");
	const char *dirs[2];
	size_t i;

	*path = NULL;
	dirs[0] = eks_repo_eksdir(repo);
	dirs[1] = tmpdir && *tmpdir ? tmpdir : "/tmp";
	for (i = 0; i < 2; i++) {
		eks_buf name = EKS_BUF_INIT;
		int fd;

		if (i == 0 && mkdir(dirs[0], 0777) < 0 && errno != EEXIST)
			continue;
		eks_buf_printf(&name, "%s%sedit-%s-XXXXXX.yaml", dirs[i],
			       dirs[i][strlen(dirs[i]) - 1] == '/' ? "" : "/", id);
		if (eks_buf_oom(&name)) {
			eks_buf_dispose(&name);
			break;
		}
		fd = mkstemps(name.ptr, 5);
		if (fd < 0) {
			eks_buf_dispose(&name);
			continue;
		}
		if (write_whole(fd, name.ptr, text, len) < 0 || close(fd) < 0) {
			unlink(name.ptr);
			eks_buf_dispose(&name);
			return -1;
		}
		*path = eks_buf_detach(&name);
		return 0;
	}
	cmd_error("cannot create a file to edit in '%s' or '%s': %s", dirs[0], dirs[1],
		  strerror(errno));
	return -1;
}

/* Whether `message` would reveal an identity number (SPEC 8.3): problems
 * about a value may quote it, so only the privacy error itself is shown. */
static int reveals_identity_number(const char *message)
{
	eks_diag_list found = EKS_DIAG_LIST_INIT;
	int n = eks_privacy_scan("", message, strlen(message), &found);

	eks_diag_list_clear(&found);
	return n > 0;
}

/* The status scalar of a parsed protocol, or NULL. */
static const eks_node *status_node(const eks_yaml_file *file)
{
	const eks_node *root = file && file->count ? file->documents[0] : NULL;
	const eks_node *status = root && root->kind == EKS_NODE_MAP ?
				 eks_node_get(root, "status") : NULL;

	return status && status->kind == EKS_NODE_SCALAR ? status : NULL;
}

/*
 * Check the edited copy: everything `validate` checks, the status kept,
 * and (when the committed files were clean) the log still fitting the
 * protocol.  Problems go to `diags`; *fields gets the changed top-level
 * fields.
 */
static void check_copy(eks_diag_list *diags, char ***fields, size_t *fields_count,
		       const eks_experiment *e, int committed_clean,
		       const char *copy, const char *text, size_t len)
{
	eks_diag_list local = EKS_DIAG_LIST_INIT, ignored = EKS_DIAG_LIST_INIT;
	eks_yaml_file *before = NULL, *after = NULL;
	eks_protocol *protocol = NULL;
	const eks_node *old_status, *new_status;
	size_t i;

	*fields = NULL;
	*fields_count = 0;
	eks_validate_protocol(&protocol, copy, text, len, e->id, 0, &local);
	/* The validator reported the copy's YAML problems already. */
	eks_yaml_parse(&before, e->protocol_path, e->protocol_text, e->protocol_len, &ignored);
	eks_yaml_parse(&after, copy, text, len, &ignored);
	eks_diag_list_clear(&ignored);

	/* The status is eksperiment status's to change. */
	old_status = status_node(before);
	new_status = status_node(after);
	if (old_status && after &&
	    (!new_status || strcmp(old_status->value, new_status->value)))
		eks_diag_add(&local, EKS_DIAG_ERROR, copy,
			     new_status ? new_status->line : 0, new_status ? new_status->col : 0,
			     "the status cannot be changed with edit: put back 'status: %s' "
			     "and use 'eksperiment status %s <new-status> -m \"reason\"'",
			     old_status->value, e->id);

	/* The log must still fit: an observation of an outcome, arm or
	 * timepoint that the edit removed would make the experiment invalid. */
	if (committed_clean && protocol && !eks_diag_count(&local, EKS_DIAG_ERROR) &&
	    e->log_len) {
		eks_diag_list log_problems = EKS_DIAG_LIST_INIT;

		eks_validate_log(NULL, e->log_path, e->log_text, e->log_len, protocol,
				 e->settings, &log_problems);
		for (i = 0; i < log_problems.count; i++)
			if (log_problems.items[i].severity == EKS_DIAG_ERROR)
				eks_diag_add(&local, EKS_DIAG_ERROR, log_problems.items[i].path,
					     log_problems.items[i].line, log_problems.items[i].col,
					     "%s (the log no longer fits the edited protocol)",
					     log_problems.items[i].message);
		eks_diag_list_clear(&log_problems);
	}

	for (i = 0; i < local.count; i++) {
		const eks_diag *d = &local.items[i];

		if (reveals_identity_number(d->message))
			continue;
		eks_diag_add(diags, d->severity, d->path, d->line, d->col, "%s", d->message);
	}
	if (before && after)
		eks_yaml_changed_keys(fields, fields_count, before->count ? before->documents[0] : NULL,
				      after->count ? after->documents[0] : NULL);
	eks_diag_list_clear(&local);
	eks_yaml_file_free(before);
	eks_yaml_file_free(after);
	eks_protocol_free(protocol);
}

/* Wait for Enter on the terminal; 0 to edit again, -1 to give up. */
static int ask_again(const char *copy)
{
	char line[256];

	fprintf(stderr, "Press Enter to edit again, or Ctrl-C to give up (your copy is kept in '%s'). ",
		copy);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin)) {
		fputc('\n', stderr);
		return -1;
	}
	return 0;
}

static void join_fields(eks_buf *b, char *const *fields, size_t count)
{
	size_t i;

	if (!count) {
		eks_buf_puts(b, "comments or layout only");
		return;
	}
	for (i = 0; i < count; i++)
		eks_buf_printf(b, "%s%s", i ? ", " : "", fields[i]);
}

/* Whether the committed log holds a registration: the protocol is frozen. */
static int is_registered(const eks_experiment *experiment)
{
	size_t i;

	for (i = 0; experiment->log && i < experiment->log->entries_count; i++)
		if (experiment->log->entries[i].kind == EKS_ENTRY_REGISTRATION)
			return 1;
	return 0;
}

/*
 * The frozen fields (SPEC 5) that the edit changes, as paths, and the
 * class an amendment of them needs: major when any of them is major.
 */
static int frozen_changes(char ***paths, size_t *count, int *major,
			  const eks_experiment *experiment, const eks_buf *edited)
{
	eks_diag_list ignored = EKS_DIAG_LIST_INIT;
	eks_yaml_file *before = NULL, *after = NULL;
	eks_diff *diff = NULL;
	size_t i, n = 0;
	int rc;

	*paths = NULL;
	*count = 0;
	*major = 0;
	rc = eks_yaml_parse(&before, experiment->protocol_path, experiment->protocol_text,
			    experiment->protocol_len, &ignored);
	if (rc == 0)
		rc = eks_yaml_parse(&after, experiment->protocol_path, edited->ptr, edited->len,
				    &ignored);
	if (rc == 0)
		rc = eks_protocol_diff(&diff, before->documents[0], after->documents[0]);
	if (rc == 0 && diff->count) {
		*paths = calloc(diff->count, sizeof(char *));
		if (!*paths)
			rc = eks_error_oom();
		for (i = 0; rc == 0 && i < diff->count; i++) {
			if (!diff->changes[i].frozen)
				continue;
			if (!((*paths)[n++] = strdup(diff->changes[i].path)))
				rc = eks_error_oom();
			if (diff->changes[i].amend_class == EKS_DIFF_CLASS_MAJOR)
				*major = 1;
		}
		*count = n;
	}
	eks_diff_free(diff);
	eks_yaml_file_free(before);
	eks_yaml_file_free(after);
	eks_diag_list_clear(&ignored);
	return rc;
}

/* The log with an amendment entry naming `paths`. */
static int log_with_amendment(eks_buf *out, const eks_experiment *experiment,
			      char **paths, size_t count, int major,
			      const char *reason, const char *author)
{
	char entry_id[EKS_ENTRY_ID_SIZE], recorded_at[EKS_TIMESTAMP_SIZE];
	time_t now = time(NULL);
	eks_entry entry;
	int rc;

	rc = eks_entry_id_generate(entry_id, now);
	if (rc < 0)
		return rc;
	eks_timestamp_format(recorded_at, now);
	memset(&entry, 0, sizeof(entry));
	entry.id = entry_id;
	entry.kind = EKS_ENTRY_AMENDMENT;
	entry.recorded_at = recorded_at;
	entry.recorded_by = (char *)author;
	entry.amendment_paths = paths;
	entry.amendment_paths_count = count;
	entry.amendment_class = major ? "major" : "minor";
	entry.amendment_reason = (char *)reason;
	return eks_log_append_entry(out, experiment->log_text, experiment->log_len, &entry);
}

int cmd_edit(int argc, char **argv)
{
	struct edit_options o;
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_experiment *experiment = NULL;
	eks_repo *repo = NULL;
	eks_buf edited = EKS_BUF_INIT, message = EKS_BUF_INIT, changed = EKS_BUF_INIT;
	char head[EKS_COMMIT_HEX], now[EKS_COMMIT_HEX], commit[EKS_COMMIT_HEX];
	char *author = NULL, *copy = NULL, **fields = NULL, **dirty = NULL, **frozen = NULL;
	size_t fields_count = 0, dirty_count = 0, frozen_count = 0, i;
	eks_buf amended_log = EKS_BUF_INIT;
	eks_file_change changes[2];
	int major = 0;
	const char *editor;
	int exit_code, rc, committed_clean, keep = 0, locked = 0;

	exit_code = parse_options(&o, argc, argv);
	if (exit_code)
		return exit_code;
	if (o.message)
		eks_privacy_scan("-m", o.message, strlen(o.message), &diags);
	if (o.author)
		eks_privacy_scan("--author", o.author, strlen(o.author), &diags);
	if (diags.count) {
		cmd_print_diags(stderr, &diags, FORMAT_TEXT);
		exit_code = EXIT_PROBLEMS;
		goto done;
	}

	exit_code = cmd_open_repo(&repo);
	if (exit_code)
		goto done;
	eks_repo_set_lock_timeout(repo, o.lock_timeout);
	rc = eks_repo_repair(repo);
	/* The author is needed for the commit: ask before any editing. */
	if (rc == 0)
		rc = eks_repo_author(&author, repo, o.author);
	if (rc == 0)
		rc = eks_repo_resolve(head, repo, "HEAD");
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	rc = eks_experiment_load(&experiment, repo, head, o.id, &diags);
	eks_diag_list_clear(&diags);
	/* Broken committed files are no reason not to edit: editing may be
	 * how they get fixed. */
	committed_clean = rc == 0;
	if (rc < 0 && rc != EKS_EINVALID) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}

	/* Uncommitted changes to the protocol would be overwritten. */
	rc = eks_repo_dirty_experiments(&dirty, &dirty_count, repo);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	for (i = 0; i < dirty_count; i++) {
		if (!strcmp(dirty[i], experiment->protocol_path)) {
			cmd_error("'%s' has uncommitted changes; commit them ('git commit %s') "
				  "or undo them ('git checkout -- %s') before you edit",
				  dirty[i], dirty[i], dirty[i]);
			exit_code = EXIT_PROBLEMS;
			goto done;
		}
	}

	if (o.file) {
		/* The new protocol is ready in a file (a copy kept by an earlier
		 * edit, or a script's): no editor, and the file is the user's. */
		copy = strdup(o.file);
		if (!copy) {
			exit_code = cmd_fail(eks_error_oom(), NULL);
			goto done;
		}
		keep = 1;
	} else if (make_copy(&copy, repo, o.id, experiment->protocol_text, experiment->protocol_len) < 0) {
		exit_code = EXIT_RUNTIME;
		goto done;
	}
	editor = editor_command();
	for (;;) {
		int failed = o.file ? 0 : run_editor(editor, copy) < 0;

		eks_buf_clear(&edited);
		if (read_whole(&edited, copy) < 0) {
			exit_code = EXIT_RUNTIME;
			keep = 1;
			goto done;
		}
		if (edited.len == experiment->protocol_len &&
		    !memcmp(eks_buf_cstr(&edited), experiment->protocol_text, edited.len)) {
			if (failed) {
				exit_code = EXIT_RUNTIME;
				goto done;
			}
			printf("No changes to %s; nothing was committed.\n", o.id);
			exit_code = EXIT_OK;
			goto done;
		}
		if (failed) {
			cmd_error("nothing was committed; your edited copy is kept in '%s'", copy);
			exit_code = EXIT_RUNTIME;
			keep = 1;
			goto done;
		}

		eks_diag_list_clear(&diags);
		eks_strings_free(fields, fields_count);
		fields = NULL;
		fields_count = 0;
		if (edited.len > EKS_YAML_MAX_BYTES)
			eks_diag_add(&diags, EKS_DIAG_ERROR, copy, 0, 0,
				     "the file is larger than 16 MiB; a protocol is much smaller");
		else
			check_copy(&diags, &fields, &fields_count, experiment, committed_clean,
				   copy, eks_buf_cstr(&edited), edited.len);
		if (!eks_diag_count(&diags, EKS_DIAG_ERROR))
			break;
		eks_diag_sort(&diags);
		cmd_print_diags(stderr, &diags, FORMAT_TEXT);
		if (o.file || !isatty(STDIN_FILENO) || ask_again(copy) < 0) {
			cmd_error("the edited protocol has errors, so nothing was committed; "
				  "your edited copy is kept in '%s'", copy);
			exit_code = EXIT_PROBLEMS;
			keep = 1;
			goto done;
		}
	}
	/* Warnings (if any) are worth seeing, but do not stop the commit. */
	cmd_print_diags(stderr, &diags, FORMAT_TEXT);

	/* After registration a change of a frozen field is an amendment, and
	 * needs its reason (SPEC 5); without one nothing is committed. */
	if (committed_clean && is_registered(experiment)) {
		rc = frozen_changes(&frozen, &frozen_count, &major, experiment, &edited);
		if (rc < 0) {
			exit_code = cmd_fail(rc, NULL);
			keep = 1;
			goto done;
		}
		if (frozen_count && !o.message) {
			eks_buf list = EKS_BUF_INIT;
			join_fields(&list, frozen, frozen_count);
			cmd_error("%s is registered, and this edit changes frozen fields: %s", o.id,
				  eks_buf_cstr(&list));
			cmd_error("a change after registration is an amendment and needs its reason; nothing was committed");
			cmd_error("your edit is kept in '%s'; to record it as an amendment, run:", copy);
			fprintf(stderr, "    eksperiment edit %s --file '%s' -m \"why the protocol changes\"\n",
				o.id, copy);
			eks_buf_dispose(&list);
			exit_code = EXIT_PROBLEMS;
			keep = 1;
			goto done;
		}
		if (frozen_count) {
			rc = log_with_amendment(&amended_log, experiment, frozen, frozen_count, major,
						o.message, author);
			if (rc < 0) {
				exit_code = cmd_fail(rc, NULL);
				keep = 1;
				goto done;
			}
		}
	}

	/* Commit under the lock, on the commit the copy was made from, or
	 * on a newer one that has the very same protocol. */
	keep = 1;
	rc = eks_repo_lock(repo, o.lock_timeout);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		cmd_error("nothing was committed; your edited copy is kept in '%s'", copy);
		goto done;
	}
	locked = 1;
	cmd_finish_registrations(repo, author);
	rc = eks_repo_resolve(now, repo, "HEAD");
	if (rc == 0 && strcmp(now, head)) {
		char *current = NULL;
		size_t current_len = 0;

		rc = eks_repo_read(&current, &current_len, repo, now, experiment->protocol_path);
		if (rc == 0 && (current_len != experiment->protocol_len ||
				memcmp(current, experiment->protocol_text, current_len))) {
			cmd_error("'%s' was changed by commit %.7s while you were editing, so "
				  "nothing was committed; your edited copy is kept in '%s'",
				  experiment->protocol_path, now, copy);
			free(current);
			exit_code = EXIT_RUNTIME;
			goto done;
		}
		free(current);
		memcpy(head, now, sizeof(head));
	}
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		cmd_error("nothing was committed; your edited copy is kept in '%s'", copy);
		goto done;
	}

	join_fields(&changed, fields, fields_count);
	eks_buf_printf(&message, "edit %s: %s\n\nChanged: %s\n", o.id,
		       o.message ? o.message : "protocol updated", eks_buf_cstr(&changed));
	if (frozen_count) {
		eks_buf list = EKS_BUF_INIT;
		join_fields(&list, frozen, frozen_count);
		eks_buf_printf(&message, "Amendment (%s): %s\n", major ? "major" : "minor",
			       eks_buf_cstr(&list));
		eks_buf_dispose(&list);
	}
	changes[0].path = experiment->protocol_path;
	changes[0].data = eks_buf_cstr(&edited);
	changes[0].len = edited.len;
	changes[1].path = experiment->log_path;
	changes[1].data = eks_buf_cstr(&amended_log);
	changes[1].len = amended_log.len;
	rc = eks_repo_commit_on(commit, repo, head, changes, frozen_count ? 2 : 1,
				eks_buf_cstr(&message), author);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		cmd_error("nothing was committed; your edited copy is kept in '%s'", copy);
		goto done;
	}
	keep = 0;
	if (eks_repo_warning(repo))
		cmd_warning("%s", eks_repo_warning(repo));
	printf("Committed the protocol of %s (commit %.7s); changed: %s\n", o.id, commit,
	       eks_buf_cstr(&changed));
	if (frozen_count)
		printf("Recorded a %s amendment of the registered protocol.\n", major ? "major" : "minor");
	if (o.file)
		keep = 1;
	exit_code = EXIT_OK;
done:
	if (locked)
		eks_repo_unlock(repo);
	if (copy && !keep)
		unlink(copy);
	free(copy);
	free(author);
	eks_strings_free(fields, fields_count);
	eks_strings_free(dirty, dirty_count);
	eks_strings_free(frozen, frozen_count);
	eks_buf_dispose(&amended_log);
	eks_experiment_free(experiment);
	eks_diag_list_clear(&diags);
	eks_buf_dispose(&edited);
	eks_buf_dispose(&message);
	eks_buf_dispose(&changed);
	eks_repo_free(repo);
	return exit_code;
}
