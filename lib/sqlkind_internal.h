/*
 * sqlkind_internal.h - what kind of SQL statement a text is, from its
 * words alone, for the refusals of `eksperiment sql` (SPEC 4.1).
 *
 * SQLite's authorizer refuses a write while the statement is compiled,
 * but some writes fail to compile before the authorizer is asked (a
 * DELETE from a view: "cannot modify experiments because it is a
 * view"; a table that does not exist).  Such a statement would still
 * write if it compiled, and `sql` refuses it as such; this module says
 * whether a statement is of a kind that writes.  It does not parse SQL:
 * it reads the words outside strings, quoted names and comments.
 */
#ifndef EKS_SQLKIND_INTERNAL_H
#define EKS_SQLKIND_INTERNAL_H

#include <stddef.h>

/*
 * Whether `statement` is of a kind that writes: INSERT, REPLACE, UPDATE,
 * DELETE (also after WITH ... and EXPLAIN [QUERY PLAN]), CREATE, DROP,
 * ALTER, VACUUM, REINDEX, ANALYZE, ATTACH, DETACH, BEGIN, COMMIT, END,
 * ROLLBACK, SAVEPOINT, RELEASE, or PRAGMA with "= value".  Returns 1 and
 * writes what it would do into `what` ("write to 'experiments'", "attach
 * or detach a database", ...; cut to `size`), else 0 (a SELECT, VALUES,
 * a PRAGMA that reports, or words it cannot tell).
 */
int eks_sql_writes(char *what, size_t size, const char *statement);

/*
 * Whether SQLite's error `message` from compiling a statement says that
 * the text is not SQL at all (a syntax error, incomplete input, a token
 * it does not know), as opposed to SQL that cannot be compiled against
 * this database (no such table, a view that cannot be modified).  Those
 * messages have been SQLite's since 3.0.
 */
int eks_sql_is_syntax_error(const char *message);

#endif
