/*
 * help.h - the help pages, generated from the doc/ pages (see doc/help.awk).
 */
#ifndef EKS_HELP_H
#define EKS_HELP_H

struct eks_help_page {
	const char *command;   /* "" for the main page, else the command name */
	const char *page;      /* man page name: eksperiment-validate */
	const char *text;
};

extern const struct eks_help_page eks_help_pages[];

#endif
