/*
 * register.c - `eksperiment register <id> [-m note]`: freeze the protocol
 * (SPEC 5).  The protocol must pass `validate --strict`; its frozen fields
 * are hashed (canonical JSON, SHA-256), the status becomes `registered`, a
 * `registration` entry records the hash, and the commit is tagged
 * eksperiment/<id>/registered.  From then on a change of a frozen field is
 * an amendment (edit -m) or a deviation.  The tag is a convenience (the
 * history is the record, registration.h); a register killed before it is
 * made leaves a mark, and the next write command makes it.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

int cmd_register(int argc, char **argv)
{
	static const struct option options[] = {
		{ "message",      required_argument, NULL, 'm' },
		{ "author",       required_argument, NULL, 'a' },
		{ "lock-timeout", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	const char *id, *note = NULL, *author_flag = NULL;
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	struct write_session w;
	eks_experiment *experiment = NULL;
	eks_protocol *strict_protocol = NULL;
	eks_yaml_file *tree = NULL;
	eks_repo *repo = NULL;
	eks_entry entry;
	eks_file_change changes[2];
	eks_buf protocol = EKS_BUF_INIT, log = EKS_BUF_INIT, message = EKS_BUF_INIT,
		tag = EKS_BUF_INIT;
	char head[EKS_COMMIT_HEX], commit[EKS_COMMIT_HEX], existing[EKS_COMMIT_HEX];
	char entry_id[EKS_ENTRY_ID_SIZE], recorded_at[EKS_TIMESTAMP_SIZE], hash[65];
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
			note = optarg;
			break;
		case 'a':
			author_flag = optarg;
			break;
		case 'L':
			lock_timeout = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end || lock_timeout < 0 || lock_timeout > 3600)
				return cmd_usage("register", "--lock-timeout takes seconds from 0 to 3600");
			break;
		default:
			return cmd_usage("register", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage("register", "'register' needs exactly one experiment id");
	id = argv[optind];
	if (!eks_experiment_id_valid(id))
		return cmd_usage("register", "'%s' is not a valid experiment id", id);
	if (note)
		eks_privacy_scan("-m", note, strlen(note), &diags);
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
	eks_diag_list_clear(&diags);

	/* Only a draft is registered, once. */
	eks_buf_printf(&tag, "eksperiment/%s/registered", id);
	if (experiment->protocol->status != EKS_STATUS_DRAFT) {
		cmd_error("'%s' is %s, not a draft: only a draft can be registered, and only once",
			  id, eks_status_name(experiment->protocol->status));
		exit_code = EXIT_PROBLEMS;
		goto done;
	}
	{
		eks_buf ref = EKS_BUF_INIT;
		eks_buf_printf(&ref, "refs/tags/%s", eks_buf_cstr(&tag));
		rc = eks_repo_resolve(existing, repo, eks_buf_cstr(&ref));
		eks_buf_dispose(&ref);
		if (rc == 0) {
			cmd_error("'%s' was registered before (tag %s on commit %.7s); a registration cannot be repeated",
				  id, eks_buf_cstr(&tag), existing);
			exit_code = EXIT_PROBLEMS;
			goto done;
		}
	}

	/* Complete enough to register: validate --strict. */
	eks_validate_protocol(&strict_protocol, experiment->protocol_path, experiment->protocol_text,
			      experiment->protocol_len, id, 1, &diags);
	eks_diag_promote_warnings(&diags);
	if (eks_diag_count(&diags, EKS_DIAG_ERROR)) {
		cmd_print_diags(stderr, &diags, FORMAT_TEXT);
		cmd_error("'%s' is not complete enough to register; fix the problems above (they are what 'eksperiment validate --strict' reports)", id);
		exit_code = EXIT_PROBLEMS;
		goto done;
	}

	/* The hash of the frozen fields, and the protocol with its new status. */
	rc = eks_yaml_parse(&tree, experiment->protocol_path, experiment->protocol_text,
			    experiment->protocol_len, &diags);
	if (rc == 0)
		rc = eks_protocol_hash(hash, tree->documents[0]);
	if (rc == 0)
		rc = eks_yaml_replace_scalar(&protocol, experiment->protocol_text,
					     experiment->protocol_len,
					     eks_node_get(tree->documents[0], "status"),
					     eks_status_name(EKS_STATUS_REGISTERED));
	if (rc < 0) {
		exit_code = cmd_fail(rc, "cannot register");
		goto done;
	}

	now = time(NULL);
	rc = eks_entry_id_generate(entry_id, now);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	eks_timestamp_format(recorded_at, now);
	entry.id = entry_id;
	entry.kind = EKS_ENTRY_REGISTRATION;
	entry.recorded_at = recorded_at;
	entry.recorded_by = author;
	entry.protocol_sha256 = hash;
	entry.commit_parent = head;
	entry.note = (char *)note;
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
	eks_buf_printf(&message, "register %s\n\nThe protocol is frozen: protocol_sha256 %s.\n", id, hash);
	if (note)
		eks_buf_printf(&message, "\n%s\n", note);
	eks_buf_printf(&message, "\nEntry: %s\n", entry_id);
	/* Marked before the commit, unmarked once tagged: killed in
	 * between, the next write command makes the tag. */
	if ((rc = eks_registration_mark(repo, id)) < 0) {
		exit_code = cmd_fail(rc, "nothing was registered");
		goto done;
	}
	rc = eks_repo_commit_on(commit, repo, head, changes, 2, eks_buf_cstr(&message), author);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		eks_registration_unmark(repo, id);
		goto done;
	}
	if (eks_repo_warning(repo))
		cmd_warning("%s", eks_repo_warning(repo));
	rc = eks_registration_tag(repo, id, commit, hash, author);
	if (rc < 0) {
		/* The registration stands (the commit and its entry); only the
		 * tag is missing: it stays marked, so the next write command
		 * tries again, and git can add it. */
		cmd_warning("registered in commit %.7s, but the tag could not be made: %s; "
			    "the next eksperiment write command makes it, or make it with: "
			    "git tag -a %s %.7s",
			    commit, eks_error_last()->message, eks_buf_cstr(&tag), commit);
		printf("Registered %s: the protocol is frozen (commit %.7s; tag %s not made yet)\n",
		       id, commit, eks_buf_cstr(&tag));
	} else {
		/* Should the mark stay, the next write finds the tag and
		 * removes it. */
		if (eks_registration_unmark(repo, id) < 0)
			cmd_warning("%s", eks_error_last()->message);
		printf("Registered %s: the protocol is frozen (commit %.7s, tag %s)\n", id, commit,
		       eks_buf_cstr(&tag));
	}
	printf("protocol_sha256 %s\n", hash);
	exit_code = EXIT_OK;
done:
	cmd_write_end(&w);
	eks_yaml_file_free(tree);
	eks_protocol_free(strict_protocol);
	eks_diag_list_clear(&diags);
	eks_buf_dispose(&protocol);
	eks_buf_dispose(&log);
	eks_buf_dispose(&message);
	eks_buf_dispose(&tag);
	return exit_code;
}
