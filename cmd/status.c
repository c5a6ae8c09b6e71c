/*
 * status.c - `eksperiment status <id> <new-status> -m reason`: move an
 * experiment along its lifecycle (SPEC 2.3).  The protocol's `status:` is
 * changed in place (comments and layout kept), a `status` entry is added
 * to the log, and both are committed together.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

int cmd_status(int argc, char **argv)
{
	static const struct option options[] = {
		{ "message",      required_argument, NULL, 'm' },
		{ "author",       required_argument, NULL, 'a' },
		{ "lock-timeout", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	const char *id, *reason = NULL, *author_flag = NULL;
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	struct write_session w;
	eks_experiment *experiment = NULL;
	eks_yaml_file *tree = NULL;
	eks_repo *repo = NULL;
	eks_status from, to;
	eks_entry entry;
	eks_file_change changes[2];
	eks_buf protocol = EKS_BUF_INIT, log = EKS_BUF_INIT, message = EKS_BUF_INIT,
		allowed = EKS_BUF_INIT;
	char head[EKS_COMMIT_HEX], commit[EKS_COMMIT_HEX];
	char entry_id[EKS_ENTRY_ID_SIZE], recorded_at[EKS_TIMESTAMP_SIZE];
	char *author = NULL, *end;
	int c, rc, exit_code, lock_timeout = EKS_LOCK_TIMEOUT_DEFAULT;
	time_t now;

	memset(&entry, 0, sizeof(entry));
	memset(&w, 0, sizeof(w));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:", options, NULL)) != -1) {
		switch (c) {
		case 'm':
			reason = optarg;
			break;
		case 'a':
			author_flag = optarg;
			break;
		case 'L':
			lock_timeout = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end || lock_timeout < 0 || lock_timeout > 3600)
				return cmd_usage("status", "--lock-timeout takes seconds from 0 to 3600");
			break;
		default:
			return cmd_usage("status", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cmd_usage("status", "'status' needs an experiment id and the new status");
	id = argv[optind];
	if (!eks_experiment_id_valid(id))
		return cmd_usage("status", "'%s' is not a valid experiment id", id);
	to = eks_status_from_name(argv[optind + 1]);
	if (to == EKS_STATUS_UNKNOWN)
		return cmd_usage("status", "'%s' is not a status; the statuses are draft, registered, active, suspended, completed, terminated, withdrawn",
				 argv[optind + 1]);
	if (!reason || !*reason)
		return cmd_usage("status", "give the reason for the move with -m \"...\"");
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
	repo = w.repo;
	author = w.author;
	experiment = w.experiment;
	memcpy(head, w.head, sizeof(head));

	from = experiment->protocol->status;
	if (to == EKS_STATUS_REGISTERED) {
		cmd_error("an experiment is registered with 'eksperiment register %s', which also freezes its protocol", id);
		exit_code = EXIT_PROBLEMS;
		goto done;
	}
	if (!eks_status_move_allowed(from, to)) {
		eks_status_describe_moves(&allowed, from);
		cmd_error("'%s' cannot move from %s to %s; allowed moves: %s", id,
			  eks_status_name(from), eks_status_name(to), eks_buf_cstr(&allowed));
		exit_code = EXIT_PROBLEMS;
		goto done;
	}

	/* The protocol with the new status, everything else untouched. */
	rc = eks_yaml_parse(&tree, experiment->protocol_path, experiment->protocol_text,
			    experiment->protocol_len, &diags);
	if (rc == 0)
		rc = eks_yaml_replace_scalar(&protocol, experiment->protocol_text,
					     experiment->protocol_len,
					     eks_node_get(tree->documents[0], "status"),
					     eks_status_name(to));
	if (rc < 0) {
		exit_code = cmd_fail(rc, "cannot change the status in the protocol");
		goto done;
	}

	/* The log with a status entry. */
	now = time(NULL);
	rc = eks_entry_id_generate(entry_id, now);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	eks_timestamp_format(recorded_at, now);
	entry.id = entry_id;
	entry.kind = EKS_ENTRY_STATUS;
	entry.recorded_at = recorded_at;
	entry.recorded_by = author;
	entry.status_from = (char *)eks_status_name(from);
	entry.status_to = (char *)eks_status_name(to);
	entry.status_reason = (char *)reason;
	rc = eks_log_append_entry(&log, experiment->log_text, experiment->log_len, &entry);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}

	changes[0].path = experiment->protocol_path;
	changes[0].data = eks_buf_cstr(&protocol);
	changes[0].len = protocol.len;
	changes[1].path = experiment->log_path;
	changes[1].data = eks_buf_cstr(&log);
	changes[1].len = log.len;
	eks_buf_printf(&message, "status %s: %s -> %s\n\n%s\n\nEntry: %s\n", id,
		       eks_status_name(from), eks_status_name(to), reason, entry_id);
	rc = eks_repo_commit_on(commit, repo, head, changes, 2, eks_buf_cstr(&message), author);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	if (eks_repo_warning(repo))
		cmd_warning("%s", eks_repo_warning(repo));
	printf("%s: %s -> %s (commit %.7s)\n", id, eks_status_name(from), eks_status_name(to), commit);
	exit_code = EXIT_OK;
done:
	cmd_write_end(&w);
	eks_yaml_file_free(tree);
	eks_diag_list_clear(&diags);
	eks_buf_dispose(&protocol);
	eks_buf_dispose(&log);
	eks_buf_dispose(&message);
	eks_buf_dispose(&allowed);
	return exit_code;
}
