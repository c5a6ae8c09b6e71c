/*
 * sqlkind.c - what kind of SQL statement a text is, from its words alone.
 * See sqlkind_internal.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sqlkind_internal.h"

enum token_type { T_END, T_WORD, T_QUOTED, T_PUNCT, T_OTHER };

struct token {
	enum token_type type;
	const char *start;
	size_t len;
};

static int is_word_char(unsigned char c, int first)
{
	return c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (!first && ((c >= '0' && c <= '9') || c == '$'));
}

/* The next token at *p, as SQLite's tokenizer splits the text: spaces and
 * comments are skipped; strings ('...'), quoted names ("...", `...`,
 * [...]) are one token each; an unclosed one runs to the end. */
static struct token next_token(const char **p)
{
	const char *s = *p;
	struct token t = { T_END, s, 0 };

	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f') {
			s++;
		} else if (s[0] == '-' && s[1] == '-') {
			s += strcspn(s, "\n");
		} else if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");
			s = end ? end + 2 : s + strlen(s);
		} else {
			break;
		}
	}
	t.start = s;
	if (!*s) {
		*p = s;
		return t;
	}
	if (*s == '\'' || *s == '"' || *s == '`' || *s == '[') {
		char close = *s == '[' ? ']' : *s;

		t.type = *s == '\'' ? T_OTHER : T_QUOTED;
		for (s++; *s; s++) {
			if (*s != close)
				continue;
			if (close != ']' && s[1] == close) {    /* '' inside '...' */
				s++;
				continue;
			}
			s++;
			break;
		}
	} else if (is_word_char((unsigned char)*s, 1)) {
		t.type = T_WORD;
		while (*s && is_word_char((unsigned char)*s, 0))
			s++;
	} else {
		t.type = strchr("(),;.=", *s) ? T_PUNCT : T_OTHER;
		s++;
	}
	t.len = (size_t)(s - t.start);
	*p = s;
	return t;
}

static int is_word(const struct token *t, const char *word)
{
	return t->type == T_WORD && strlen(word) == t->len &&
	       !strncasecmp(t->start, word, t->len);
}

static int is_punct(const struct token *t, char c)
{
	return t->type == T_PUNCT && *t->start == c;
}

/* After WITH [RECURSIVE]: skip the common table expressions,
 *     name [(columns)] AS [NOT] [MATERIALIZED] (select) [, ...]
 * and return the token after them, the statement's verb. */
static struct token skip_with(const char **p)
{
	struct token t = next_token(p);
	int depth = 0;

	if (is_word(&t, "RECURSIVE"))
		t = next_token(p);
	for (; t.type != T_END; t = next_token(p)) {
		if (is_punct(&t, '(')) {
			depth++;
		} else if (is_punct(&t, ')')) {
			if (depth > 0 && --depth == 0) {
				struct token after = next_token(p);

				/* a column list is followed by AS, a
				 * definition by ',' or the verb */
				if (!is_punct(&after, ',') && !is_word(&after, "AS"))
					return after;
			}
		} else if (depth == 0 && is_punct(&t, ';')) {
			break;
		}
	}
	t.type = T_END;
	return t;
}

/* The table name at *p ("experiments", "main.x_arm"), unquoted when it
 * is one quoted name, into `out`. */
static void table_name(char *out, size_t size, const char **p)
{
	const char *start, *end;
	struct token t = next_token(p);

	if (t.type != T_WORD && t.type != T_QUOTED) {
		snprintf(out, size, "%s", "");
		return;
	}
	start = t.start;
	end = t.start + t.len;
	for (;;) {
		const char *q = *p;
		struct token dot = next_token(&q), part;

		if (!is_punct(&dot, '.'))
			break;
		part = next_token(&q);
		if (part.type != T_WORD && part.type != T_QUOTED)
			break;
		end = part.start + part.len;
		*p = q;
	}
	if (end - start == (long)t.len && t.type == T_QUOTED && t.len >= 2) {
		start++;
		end--;
	}
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

/* "write to '<the table at *p>'"; 1. */
static int write_to(char *what, size_t size, const char **p)
{
	char name[128];

	table_name(name, sizeof(name), p);
	if (*name)
		snprintf(what, size, "write to '%s'", name);
	else
		snprintf(what, size, "write to the index");
	return 1;
}

int eks_sql_writes(char *what, size_t size, const char *statement)
{
	static const char schema[] = "change the schema of the index (create, "
		"drop or alter a table, view, index or trigger)";
	static const char rebuild[] = "change the index (create, drop, alter or "
		"rebuild something)";
	static const char attach[] = "attach or detach a database";
	static const char transaction[] = "begin or end a transaction";
	static const struct {
		const char *verb;
		const char *does;
	} kinds[] = {
		{ "CREATE", schema }, { "DROP", schema }, { "ALTER", schema },
		{ "VACUUM", rebuild }, { "REINDEX", rebuild }, { "ANALYZE", rebuild },
		{ "ATTACH", attach }, { "DETACH", attach },
		{ "BEGIN", transaction }, { "COMMIT", transaction },
		{ "END", transaction }, { "ROLLBACK", transaction },
		{ "SAVEPOINT", transaction }, { "RELEASE", transaction },
	};
	const char *p = statement ? statement : "";
	struct token t;
	size_t i;

	if (size)
		what[0] = '\0';
	t = next_token(&p);
	if (is_word(&t, "EXPLAIN")) {
		t = next_token(&p);
		if (is_word(&t, "QUERY")) {
			next_token(&p);             /* PLAN */
			t = next_token(&p);
		}
	}
	if (is_word(&t, "WITH"))
		t = skip_with(&p);

	if (is_word(&t, "UPDATE")) {
		/* UPDATE [OR ROLLBACK] t */
		const char *q = p;

		t = next_token(&q);
		if (is_word(&t, "OR")) {
			next_token(&q);
			p = q;
		}
		return write_to(what, size, &p);
	}
	if (is_word(&t, "DELETE") || is_word(&t, "INSERT") || is_word(&t, "REPLACE")) {
		/* DELETE FROM t, INSERT [OR REPLACE] INTO t, REPLACE INTO t */
		do
			t = next_token(&p);
		while (t.type == T_WORD && !is_word(&t, "FROM") && !is_word(&t, "INTO"));
		return write_to(what, size, &p);
	}
	if (is_word(&t, "PRAGMA")) {
		for (t = next_token(&p); t.type != T_END && !is_punct(&t, ';'); t = next_token(&p))
			if (is_punct(&t, '=')) {
				snprintf(what, size, "change a setting (only PRAGMAs "
					 "that report, such as table_info, are allowed)");
				return 1;
			}
		return 0;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (is_word(&t, kinds[i].verb)) {
			snprintf(what, size, "%s", kinds[i].does);
			return 1;
		}
	}
	return 0;
}

int eks_sql_is_syntax_error(const char *message)
{
	return message && (strstr(message, "syntax error") ||
			   !strcmp(message, "incomplete input") ||
			   !strncmp(message, "unrecognized token", 18) ||
			   !strcmp(message, "parser stack overflow"));
}
