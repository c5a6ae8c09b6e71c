/*
 * cmd.h - what the commands share: the command table entry, option helpers,
 * mapping library codes to exit codes (SPEC 3.2) and printing errors.
 */
#ifndef EKS_CMD_H
#define EKS_CMD_H

#include <stdio.h>
#include "eksperiment.h"

/* Exit codes, SPEC 3.2. */
#define EXIT_OK       0
#define EXIT_PROBLEMS 1   /* the command worked and found problems */
#define EXIT_USAGE    2   /* unknown command or option, bad argument */
#define EXIT_RUNTIME  3   /* not a repository, I/O, corrupt data, lock, git */

struct cmd_entry {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;          /* one line for `eksperiment help` */
};

/* The commands, one function each, in cmd/<name>.c. */
int cmd_init(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_templates(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_disclose(int argc, char **argv);
int cmd_edit(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_power(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_reindex(int argc, char **argv);
int cmd_help(int argc, char **argv);

extern const struct cmd_entry cmd_table[];
const struct cmd_entry *cmd_lookup(const char *name);

/* Print `eksperiment: <message>` on stderr. */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report the library's last error (with `context` prefixed when not NULL)
 * and return the exit code that fits `rc` (SPEC 3.2).
 */
int cmd_fail(int rc, const char *context);

/* The exit code for a library return code. */
int cmd_exit_code(int rc);

/* A usage error of `command`: prints the message and a pointer to help. */
int cmd_usage(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print the help page of `command` ("" for the main page) on `out`;
 * returns 0, or -1 when there is no such page. */
int cmd_print_help(FILE *out, const char *command);

/* True when `arg` is -h or --help. */
int cmd_is_help(const char *arg);

/* Open the repository containing the current directory, or print why not.
 * Returns 0 or an exit code. */
int cmd_open_repo(eks_repo **out);

/*
 * Make the tags that an interrupted register left out (SPEC 5), saying so
 * on stderr; a failure is a warning, for the next write to try again.
 * Write commands call it once they hold the repository lock; without a
 * mark it costs one stat().
 */
void cmd_finish_registrations(eks_repo *repo, const char *author);

/* What a command that changes one experiment works on (status, register). */
struct write_session {
	eks_repo *repo;
	char *author;                   /* "Name <email>" */
	char head[EKS_COMMIT_HEX];      /* the commit the experiment was read from */
	eks_experiment *experiment;     /* valid, as committed in `head` */
	int locked;
};

/*
 * Open the repository, finish a write a killed process left, take the
 * lock, find the author, make the tags an interrupted register left out
 * (cmd_finish_registrations) and read experiment `id` from HEAD, which must be
 * valid (its problems are printed otherwise).  Returns an exit code; the
 * caller calls cmd_write_end in any case.
 */
int cmd_write_begin(struct write_session *w, const char *id, const char *author,
		    int lock_timeout);
void cmd_write_end(struct write_session *w);

/* Output formats shared by several commands. */
enum cmd_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV, FORMAT_GITHUB };
int cmd_parse_format(enum cmd_format *out, const char *command,
		     const char *value, unsigned allowed);
#define ALLOW_TEXT   (1u << FORMAT_TEXT)
#define ALLOW_JSON   (1u << FORMAT_JSON)
#define ALLOW_CSV    (1u << FORMAT_CSV)
#define ALLOW_GITHUB (1u << FORMAT_GITHUB)

/* Whether to colour output on `stream` (a terminal, NO_COLOR unset). */
int cmd_use_color(FILE *stream);

/* Print diagnostics as text (`path:line:col: error: message`) or GitHub
 * annotations.  JSON is done by the caller, which knows the whole document. */
void cmd_print_diags(FILE *out, const eks_diag_list *diags, enum cmd_format format);
void cmd_put_diags_json(eks_buf *json, const eks_diag_list *diags);

/* The directory holding the templates (see doc/eksperiment-new.txt). */
const char *cmd_template_dir(void);

#endif
