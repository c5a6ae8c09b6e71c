/*
 * new.c - `eksperiment new <id> [--template T] [--title T]`: create
 * experiments/<id>/ from a template, check it, and commit it.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static const char log_header[] =
	"# The trial log of this experiment: one YAML document per entry.\n"
	"# Entries are added with 'eksperiment log' and never rewritten.\n";

int cmd_new(int argc, char **argv)
{
	static const struct option options[] = {
		{ "template", required_argument, NULL, 't' },
		{ "title",    required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	const char *template_name = EKS_DEFAULT_TEMPLATE, *title = NULL, *id;
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_buf protocol_path = EKS_BUF_INIT, log_path = EKS_BUF_INIT,
		message = EKS_BUF_INIT, default_title = EKS_BUF_INIT;
	char head[EKS_COMMIT_HEX], *text = NULL, *existing = NULL, *author = NULL;
	eks_file_change changes[2];
	eks_repo *repo = NULL;
	size_t len, existing_len;
	int c, rc, exit_code = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "t:T:", options, NULL)) != -1) {
		switch (c) {
		case 't':
			template_name = optarg;
			break;
		case 'T':
			title = optarg;
			break;
		default:
			return cmd_usage("new", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage("new", "'new' needs exactly one experiment id");
	id = argv[optind];
	if (!eks_experiment_id_valid(id))
		return cmd_usage("new", "'%s' is not a valid experiment id: use 1 to 64 lowercase letters, digits and '-', starting with a letter or digit (for example 'nattilsyn-baerum')", id);
	if (!title) {
		eks_buf_printf(&default_title, "New experiment %s", id);
		title = eks_buf_cstr(&default_title);
	}

	exit_code = cmd_open_repo(&repo);
	if (exit_code)
		goto done;

	eks_buf_printf(&protocol_path, "experiments/%s/experiment.yaml", id);
	eks_buf_printf(&log_path, "experiments/%s/log.yaml", id);
	rc = eks_repo_resolve(head, repo, "HEAD");
	if (rc == 0)
		rc = eks_repo_read(&existing, &existing_len, repo, head, eks_buf_cstr(&protocol_path));
	if (rc == 0) {
		exit_code = cmd_usage("new", "experiment '%s' already exists", id);
		goto done;
	}
	if (rc != EKS_ENOTFOUND) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}

	eks_buf_printf(&message, "%sexperiments/%s", eks_repo_workdir(repo), id);
	if (access(eks_buf_cstr(&message), F_OK) == 0) {
		exit_code = cmd_usage("new", "'experiments/%s' already exists in the work tree (not committed); remove it or choose another id", id);
		goto done;
	}
	eks_buf_clear(&message);

	rc = eks_template_render(&text, &len, cmd_template_dir(), template_name, id, title);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	if (eks_validate_protocol(NULL, eks_buf_cstr(&protocol_path), text, len, id, 0, &diags) < 0 ||
	    eks_diag_count(&diags, EKS_DIAG_ERROR) > 0) {
		cmd_print_diags(stderr, &diags, FORMAT_TEXT);
		cmd_error("nothing was created: the new protocol would not be valid");
		exit_code = EXIT_PROBLEMS;
		goto done;
	}

	changes[0].path = eks_buf_cstr(&protocol_path);
	changes[0].data = text;
	changes[0].len = len;
	changes[1].path = eks_buf_cstr(&log_path);
	changes[1].data = log_header;
	changes[1].len = sizeof(log_header) - 1;
	eks_buf_printf(&message, "new %s: %s\n\nCreated from the template '%s'.\n",
		       id, title, template_name);
	/* As every write command under the lock: first the tags that an
	 * interrupted register left out (the commit takes the lock too; it
	 * is counted). */
	if ((rc = eks_repo_lock(repo, EKS_LOCK_TIMEOUT_DEFAULT)) < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	if (eks_repo_author(&author, repo, NULL) == 0)
		cmd_finish_registrations(repo, author);
	rc = eks_repo_commit(NULL, repo, changes, 2, eks_buf_cstr(&message), NULL);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	printf("Created %s from the template '%s'.\n", eks_buf_cstr(&protocol_path), template_name);
	printf("Next: fill in the protocol in any editor, check it with 'eksperiment validate',\n"
	       "and commit it with git.\n");
done:
	free(author);
	free(text);
	free(existing);
	eks_diag_list_clear(&diags);
	eks_buf_dispose(&protocol_path);
	eks_buf_dispose(&log_path);
	eks_buf_dispose(&message);
	eks_buf_dispose(&default_title);
	eks_repo_free(repo);
	return exit_code;
}
