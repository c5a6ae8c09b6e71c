/*
 * disclose.c - `eksperiment disclose <id> [--commit C] -m "why"`: explain
 * a deviation or a log rewrite (SPEC 5).  Neither can be undone; a
 * `disclosure` entry per commit names what it covers and why, and from
 * then on validate reports them as warnings, so CI turns green, while
 * show, history and evaluate keep showing them with the reason.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

int cmd_disclose(int argc, char **argv)
{
	static const struct option options[] = {
		{ "commit",       required_argument, NULL, 'c' },
		{ "message",      required_argument, NULL, 'm' },
		{ "author",       required_argument, NULL, 'a' },
		{ "lock-timeout", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	const char *id, *reason = NULL, *author_flag = NULL, *commit_flag = NULL;
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	struct write_session w;
	eks_disclosure_item *items = NULL;
	size_t items_count = 0, i, deviations = 0, rewrites = 0;
	eks_entry entry;
	eks_file_change change;
	eks_buf log = EKS_BUF_INIT, next = EKS_BUF_INIT, message = EKS_BUF_INIT;
	char commit[EKS_COMMIT_HEX], recorded_at[EKS_TIMESTAMP_SIZE];
	char (*entry_ids)[EKS_ENTRY_ID_SIZE] = NULL;
	char *end;
	int c, rc, exit_code, lock_timeout = EKS_LOCK_TIMEOUT_DEFAULT;
	time_t now;

	memset(&w, 0, sizeof(w));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:c:", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			commit_flag = optarg;
			break;
		case 'm':
			reason = optarg;
			break;
		case 'a':
			author_flag = optarg;
			break;
		case 'L':
			lock_timeout = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end || lock_timeout < 0 || lock_timeout > 3600)
				return cmd_usage("disclose", "--lock-timeout takes seconds from 0 to 3600");
			break;
		default:
			return cmd_usage("disclose", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage("disclose", "'disclose' needs exactly one experiment id");
	id = argv[optind];
	if (!eks_experiment_id_valid(id))
		return cmd_usage("disclose", "'%s' is not a valid experiment id", id);
	if (!reason || !*reason || strspn(reason, " \t\r\n") == strlen(reason))
		return cmd_usage("disclose", "give the reason with -m \"...\": why the protocol or "
				 "the log was changed that way, in words a reviewer can read");
	eks_privacy_scan("-m", reason, strlen(reason), &diags);
	if (author_flag)
		eks_privacy_scan("--author", author_flag, strlen(author_flag), &diags);
	if (eks_diag_count(&diags, EKS_DIAG_ERROR)) {
		cmd_print_diags(stderr, &diags, FORMAT_TEXT);
		exit_code = EXIT_PROBLEMS;
		goto done;
	}

	exit_code = cmd_write_begin(&w, id, author_flag, lock_timeout);
	if (exit_code)
		goto done;
	rc = eks_disclosure_plan(&items, &items_count, w.repo, w.head, id, commit_flag);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}

	/* One disclosure entry per commit, appended in one commit. */
	now = time(NULL);
	eks_timestamp_format(recorded_at, now);
	if (!(entry_ids = calloc(items_count, sizeof(*entry_ids)))) {
		exit_code = cmd_fail(eks_error_oom(), NULL);
		goto done;
	}
	eks_buf_put(&log, w.experiment->log_text, w.experiment->log_len);
	for (i = 0; i < items_count; i++) {
		const eks_disclosure_item *it = &items[i];

		rc = eks_entry_id_generate(entry_ids[i], now);
		/* ids of one second differ in their random part; make sure */
		while (rc == 0 && i > 0 && !strcmp(entry_ids[i], entry_ids[i - 1]))
			rc = eks_entry_id_generate(entry_ids[i], now);
		if (rc < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
		memset(&entry, 0, sizeof(entry));
		entry.id = entry_ids[i];
		entry.kind = EKS_ENTRY_DISCLOSURE;
		entry.recorded_at = recorded_at;
		entry.recorded_by = w.author;
		entry.disclosure_commit = (char *)it->commit;
		entry.disclosure_paths = it->paths;
		entry.disclosure_paths_count = it->paths_count;
		entry.disclosure_entries = it->entries;
		entry.disclosure_entries_count = it->entries_count;
		entry.disclosure_reason = (char *)reason;
		eks_buf_clear(&next);
		rc = eks_log_append_entry(&next, eks_buf_cstr(&log), log.len, &entry);
		if (rc < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
		eks_buf_clear(&log);
		eks_buf_put(&log, next.ptr, next.len);
		deviations += it->paths_count;
		rewrites += it->entries_count;
	}

	change.path = w.experiment->log_path;
	change.data = eks_buf_cstr(&log);
	change.len = log.len;
	eks_buf_printf(&message, "disclose %s: ", id);
	if (deviations)
		eks_buf_printf(&message, "%zu deviation%s", deviations, deviations == 1 ? "" : "s");
	if (deviations && rewrites)
		eks_buf_puts(&message, " and ");
	if (rewrites)
		eks_buf_printf(&message, "%zu log rewrite%s", rewrites, rewrites == 1 ? "" : "s");
	eks_buf_printf(&message, "\n\n%s\n\n", reason);
	for (i = 0; i < items_count; i++)
		eks_buf_printf(&message, "Discloses commit %.7s (\"%s\")\n", items[i].commit,
			       items[i].subject);
	for (i = 0; i < items_count; i++)
		eks_buf_printf(&message, "%sEntry: %s\n", i ? "" : "\n", entry_ids[i]);
	rc = eks_repo_commit_on(commit, w.repo, w.head, &change, 1, eks_buf_cstr(&message),
				w.author);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	if (eks_repo_warning(w.repo))
		cmd_warning("%s", eks_repo_warning(w.repo));
	for (i = 0; i < items_count; i++) {
		const eks_disclosure_item *it = &items[i];
		size_t k;

		printf("Disclosed in %s: commit %.7s (\"%s\")\n", entry_ids[i], it->commit, it->subject);
		for (k = 0; k < it->paths_count; k++)
			printf("  deviation  %s\n", it->paths[k]);
		for (k = 0; k < it->entries_count; k++)
			printf("  rewrite    entry %s\n", it->entries[k]);
	}
	printf("Committed %.7s; 'eksperiment validate' now reports %s as warnings\n", commit,
	       deviations + rewrites == 1 ? "it" : "them");
	exit_code = EXIT_OK;
done:
	cmd_write_end(&w);
	eks_disclosure_items_free(items, items_count);
	free(entry_ids);
	eks_diag_list_clear(&diags);
	eks_buf_dispose(&log);
	eks_buf_dispose(&next);
	eks_buf_dispose(&message);
	return exit_code;
}
