/*
 * main.c - the eksperiment command: global options, the command table and
 * dispatch.  Each command is a function in cmd/<name>.c that returns its
 * exit code; main() flushes stdout and checks it, so a full disk is an
 * error and not silence.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "help.h"

const struct cmd_entry cmd_table[] = {
	{ "init",      cmd_init,      "create an eksperiment repository" },
	{ "new",       cmd_new,       "create an experiment from a template" },
	{ "templates", cmd_templates, "list the templates for new experiments" },
	{ "validate",  cmd_validate,  "check experiment files for problems" },
	{ "log",       cmd_log,       "add observations or a note to the trial log" },
	{ "status",    cmd_status,    "move an experiment along its lifecycle" },
	{ "register",  cmd_register,  "freeze the protocol before the trial starts" },
	{ "edit",      cmd_edit,      "change a protocol in your editor and commit it" },
	{ "disclose",  cmd_disclose,  "explain a deviation or a log rewrite, so validate passes" },
	{ "show",      cmd_show,      "one experiment at a glance" },
	{ "history",   cmd_history,   "the timeline of an experiment's commits" },
	{ "diff",      cmd_diff,      "field-level changes of protocols and logs between versions" },
	{ "evaluate",  cmd_evaluate,  "judge the hypotheses on the logged data" },
	{ "power",     cmd_power,     "sample size or power for planning" },
	{ "list",      cmd_list,      "the experiments, a line each" },
	{ "query",     cmd_query,     "find experiments with a filter" },
	{ "sql",       cmd_sql,       "read-only SQL over the index of all experiments" },
	{ "export",    cmd_export,    "all experiments, observations or hypotheses as JSON or CSV" },
	{ "reindex",   cmd_reindex,   "rebuild the index from the repository" },
	{ "help",      cmd_help,      "show the manual of a command" },
	{ NULL, NULL, NULL }
};

const struct cmd_entry *cmd_lookup(const char *name)
{
	const struct cmd_entry *c;

	for (c = cmd_table; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage(FILE *out)
{
	const struct cmd_entry *c;

	fprintf(out, "usage: eksperiment [-C <dir>] [--version] [--help] <command> [<args>]\n\n");
	fprintf(out, "commands:\n");
	for (c = cmd_table; c->name; c++)
		fprintf(out, "   %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'eksperiment help <command>' shows the manual of a command.\n");
}

/* The command closest to `name`, for "did you mean"; NULL if none is close. */
static const char *closest_command(const char *name)
{
	const char *names[64];
	size_t n = 0;
	const struct cmd_entry *c;

	for (c = cmd_table; c->name && n + 1 < sizeof(names) / sizeof(names[0]); c++)
		names[n++] = c->name;
	names[n] = NULL;
	return eks_closest(name, names);
}

int main(int argc, char **argv)
{
	const struct cmd_entry *command;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--version")) {
			printf("eksperiment %s\n", EKS_VERSION);
			return fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
		} else if (cmd_is_help(arg)) {
			cmd_print_help(stdout, "");
			return fflush(stdout) ? EXIT_RUNTIME : EXIT_OK;
		} else if (!strcmp(arg, "-C")) {
			if (i + 1 >= argc) {
				cmd_error("option '-C' needs a directory");
				return EXIT_USAGE;
			}
			if (chdir(argv[++i]) < 0) {
				cmd_error("cannot change to '%s': %s", argv[i], strerror(errno));
				return EXIT_USAGE;
			}
		} else if (!strncmp(arg, "-C", 2)) {
			if (chdir(arg + 2) < 0) {
				cmd_error("cannot change to '%s': %s", arg + 2, strerror(errno));
				return EXIT_USAGE;
			}
		} else {
			cmd_error("unknown option '%s'", arg);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	command = cmd_lookup(argv[i]);
	if (!command) {
		const char *guess = closest_command(argv[i]);

		if (guess)
			cmd_error("'%s' is not a command; did you mean '%s'? See 'eksperiment --help'",
				  argv[i], guess);
		else
			cmd_error("'%s' is not a command; see 'eksperiment --help'", argv[i]);
		return EXIT_USAGE;
	}

	if (argc - i > 1 && cmd_is_help(argv[i + 1]) && command->run != cmd_help) {
		cmd_print_help(stdout, command->name);
		rc = EXIT_OK;
	} else {
		rc = command->run(argc - i, argv + i);
	}

	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			cmd_error("cannot write the output: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return rc;
}
