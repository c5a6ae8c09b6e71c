/*
 * help.c - `eksperiment help [<command>]`: print a command's manual.
 */
#include <string.h>

#include "cmd.h"

int cmd_help(int argc, char **argv)
{
	const struct cmd_entry *command;

	if (argc < 2) {
		cmd_print_help(stdout, "");
		return EXIT_OK;
	}
	if (argc > 2)
		return cmd_usage("help", "'help' takes one command name");
	if (cmd_is_help(argv[1])) {
		cmd_print_help(stdout, "help");
		return EXIT_OK;
	}
	command = cmd_lookup(argv[1]);
	if (!command || cmd_print_help(stdout, command->name) < 0)
		return cmd_usage("help", "there is no command '%s'", argv[1]);
	return EXIT_OK;
}
