/*
 * index.c - the query index in SQLite (SPEC 4); see eksperiment/index.h.
 *
 * Layout.  Internal tables x_* hold the rows, keyed by a small integer per
 * experiment (x_experiment.key) and the position in the file (seq); the
 * child tables are WITHOUT ROWID with PRIMARY KEY (exp, seq), so the rows
 * of one experiment sit together: deleting or reading them is one range of
 * one b-tree, and a bulk load in experiment order only appends.  The
 * public views of SPEC 4.1 join the experiment id back on.  Observations
 * point at their entry by (exp, entry_seq) instead of repeating its id and
 * time in every row.
 *
 * Files and locks.  index.sqlite is in WAL mode (readers never block the
 * writer and see a consistent snapshot; https://sqlite.org/wal.html) with
 * synchronous=NORMAL: a power cut may lose the last update but never
 * corrupts the file, and a lost update is re-done by the next command.
 * index.sqlite.lock is flock()ed shared by every open handle and
 * exclusively by a full rebuild, which writes index.sqlite.new (journal
 * off: nobody else can see it), removes the old -wal and -shm files and
 * renames the new file into place.  Replacing a WAL database under a
 * reader would be unsafe (a stale -wal file would be replayed into the new
 * one), which is what the shared locks prevent.
 *
 * entries.commit.  Finding the commit that added each entry means walking
 * history, which a rebuild cannot afford at 10 000 experiments.  So the
 * index records what it sees happen: when it moves from a commit to its
 * only child (as after every `log` or hand commit), the entries that are
 * new in the child were added by the child.  Entries it already knew keep
 * their commit while the index moves along one line of history (to a
 * descendant or an ancestor); everything else is NULL (unknown).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "eksperiment/accumulate.h"
#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/evaluate.h"
#include "eksperiment/index.h"
#include "eksperiment/integrity.h"
#include "eksperiment/registration.h"
#include "eksperiment/validate.h"
#include "sqlkind_internal.h"
#include "store_internal.h"

#define BUSY_TIMEOUT_MS (EKS_INDEX_TIMEOUT * 1000)
#define LOCK_POLL_NS (10 * 1000 * 1000)
#define MAX_ATTEMPTS 8          /* snapshots lost to other processes */
#ifndef CACHE_SIZE
#define CACHE_SIZE "-8192"         /* KiB of page cache while building */
#endif

/* What wrote the index: the release and a fingerprint of the sources of
 * the statistics (the Makefile's STATS_ID), since the verdicts it holds
 * are theirs. */
#ifndef EKS_STATS_ID
#define EKS_STATS_ID "unknown"
#endif
#define WRITER EKS_VERSION "+stats." EKS_STATS_ID

/* eks_index_open's internal answer: the index must be built afresh. */
#define NEED_REBUILD 1

/* ---- schema ------------------------------------------------------------ */

static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE x_experiment("
	" key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	" title TEXT, title_nb TEXT, challenge TEXT, phase TEXT, status TEXT,"
	" allocation TEXT, model TEXT, unit TEXT, start_date TEXT, end_date TEXT,"
	" registered_at TEXT, registered_commit TEXT, evidence_level INTEGER,"
	" n_entries INTEGER NOT NULL, last_recorded_at TEXT,"
	" deviations INTEGER NOT NULL, errors INTEGER NOT NULL, multiplicity TEXT);"
	/* eks_index_invalid, on every read, without reading every row */
	"CREATE INDEX x_experiment_invalid ON x_experiment(id) WHERE errors > 0;"
	"CREATE TABLE x_partner(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" name TEXT, role TEXT, kommunenummer TEXT, level TEXT,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	"CREATE TABLE x_arm(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" id TEXT, label TEXT, type TEXT,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	"CREATE TABLE x_intervention(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" id TEXT, name TEXT,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	"CREATE TABLE x_outcome(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" id TEXT, role TEXT, title TEXT, measure TEXT, direction TEXT, unit TEXT,"
	" minimum_effect REAL,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	"CREATE TABLE x_hypothesis(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" id TEXT, outcome_id TEXT, test TEXT, estimator TEXT, method TEXT,"
	" alpha REAL, margin REAL, family TEXT, statement TEXT,"
	/* the comparison, for evaluate */
	" arm TEXT, against TEXT, against_value REAL, timepoint TEXT,"
	" baseline TEXT,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	"CREATE TABLE x_entry(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" id TEXT, kind TEXT, recorded_at TEXT, recorded_by TEXT, commit_id TEXT,"
	" supersedes TEXT, note TEXT,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	"CREATE TABLE x_observation(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" entry_seq INTEGER NOT NULL, outcome_id TEXT, arm_id TEXT,"
	" timepoint_id TEXT, n INTEGER, events INTEGER, mean REAL, sd REAL,"
	" value REAL,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	/* The blobs of an experiment's files (NULL: no such file), apart
	 * from x_experiment so that a scan of that stays short, and whether
	 * some commit up to this one changed its experiment.yaml (not only
	 * created it) or changed its log otherwise than by appending:
	 * eks_integrity_candidates, kept up to date (protocol_changed). */
	"CREATE TABLE x_file(exp INTEGER PRIMARY KEY, protocol_blob TEXT,"
	" log_blob TEXT, protocol_changed INTEGER NOT NULL);"
	/* What eks_index_uncommitted learnt of work-tree files: the stat data
	 * of a file whose content was `blob`, seen at `checked` (seconds). */
	"CREATE TABLE x_worktree(path TEXT PRIMARY KEY, size INTEGER,"
	" mtime INTEGER, ctime INTEGER, ino INTEGER, blob TEXT, checked INTEGER)"
	" WITHOUT ROWID;"
	"CREATE TABLE x_verdict(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" hypothesis_id TEXT, verdict TEXT, estimate REAL, ci_low REAL,"
	" ci_high REAL, p_value REAL, p_adjusted REAL, post_hoc INTEGER,"
	/* the rest of eks_evaluate's result, for evaluate; seq is the
	 * hypothesis's */
	" method TEXT, has_estimate INTEGER, conf_level REAL, has_p INTEGER,"
	" reason TEXT, has_interval INTEGER, ci_tost_low REAL, ci_tost_high REAL,"
	" tost_conf_level REAL, in_family INTEGER, rewritten INTEGER,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	/* the multiplicity family each experiment's p-values were adjusted
	 * over, and the amendments that changed it (SPEC 6.4) */
	"CREATE TABLE x_family(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" hypothesis_id TEXT, registered INTEGER,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	"CREATE TABLE x_family_change(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" commit_id TEXT, hypothesis_id TEXT, added INTEGER,"
	" PRIMARY KEY (exp, seq)) WITHOUT ROWID;"
	/* the groups (arm at a timepoint) each estimate used, in order g */
	"CREATE TABLE x_verdict_group(exp INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" g INTEGER NOT NULL, arm TEXT, timepoint TEXT, has_data INTEGER,"
	" is_count INTEGER, n INTEGER, events INTEGER, mean REAL, sd REAL,"
	" PRIMARY KEY (exp, seq, g)) WITHOUT ROWID;"
	/* The public views, SPEC 4.1: names and columns are a promise. */
	"CREATE VIEW experiments(id, title, title_nb, challenge, phase, status,"
	" allocation, model, unit, start_date, end_date, registered_at,"
	" registered_commit, evidence_level, n_entries, last_recorded_at,"
	" deviations) AS SELECT id, title, title_nb, challenge, phase, status,"
	" allocation, model, unit, start_date, end_date, registered_at,"
	" registered_commit, evidence_level, n_entries, last_recorded_at,"
	" deviations FROM x_experiment;"
	"CREATE VIEW partners(experiment_id, name, role, kommunenummer, level)"
	" AS SELECT e.id, x.name, x.role, x.kommunenummer, x.level"
	" FROM x_partner x JOIN x_experiment e ON e.key = x.exp;"
	"CREATE VIEW arms(experiment_id, id, label, type)"
	" AS SELECT e.id, x.id, x.label, x.type"
	" FROM x_arm x JOIN x_experiment e ON e.key = x.exp;"
	"CREATE VIEW interventions(experiment_id, id, name)"
	" AS SELECT e.id, x.id, x.name"
	" FROM x_intervention x JOIN x_experiment e ON e.key = x.exp;"
	"CREATE VIEW outcomes(experiment_id, id, role, title, measure, direction,"
	" unit, minimum_effect) AS SELECT e.id, x.id, x.role, x.title, x.measure,"
	" x.direction, x.unit, x.minimum_effect"
	" FROM x_outcome x JOIN x_experiment e ON e.key = x.exp;"
	"CREATE VIEW hypotheses(experiment_id, id, outcome_id, test, estimator,"
	" method, alpha, margin, family, statement) AS SELECT e.id, x.id,"
	" x.outcome_id, x.test, x.estimator, x.method, x.alpha, x.margin,"
	" x.family, x.statement"
	" FROM x_hypothesis x JOIN x_experiment e ON e.key = x.exp;"
	"CREATE VIEW observations(experiment_id, entry_id, outcome_id, arm_id,"
	" timepoint_id, n, events, mean, sd, value, recorded_at)"
	" AS SELECT e.id, en.id, x.outcome_id, x.arm_id, x.timepoint_id, x.n,"
	" x.events, x.mean, x.sd, x.value, en.recorded_at"
	" FROM x_observation x JOIN x_experiment e ON e.key = x.exp"
	" JOIN x_entry en ON en.exp = x.exp AND en.seq = x.entry_seq;"
	"CREATE VIEW entries(experiment_id, id, kind, recorded_at, recorded_by,"
	" \"commit\", supersedes, note) AS SELECT e.id, x.id, x.kind,"
	" x.recorded_at, x.recorded_by, x.commit_id, x.supersedes, x.note"
	" FROM x_entry x JOIN x_experiment e ON e.key = x.exp;"
	"CREATE VIEW verdicts(experiment_id, hypothesis_id, verdict, estimate,"
	" ci_low, ci_high, p_value, p_adjusted, post_hoc) AS SELECT e.id,"
	" x.hypothesis_id, x.verdict, x.estimate, x.ci_low, x.ci_high,"
	" x.p_value, x.p_adjusted, x.post_hoc"
	" FROM x_verdict x JOIN x_experiment e ON e.key = x.exp;";

/* The child tables, for deleting an experiment's rows. */
static const char *const child_tables[] = {
	"x_partner", "x_arm", "x_intervention", "x_outcome", "x_hypothesis",
	"x_entry", "x_observation", "x_verdict", "x_verdict_group", "x_file",
	"x_family", "x_family_change"
};
#define CHILD_TABLES (sizeof(child_tables) / sizeof(child_tables[0]))

/* The statements an update uses, prepared once per update. */
enum {
	ST_EXPERIMENT, ST_PARTNER, ST_ARM, ST_INTERVENTION, ST_OUTCOME,
	ST_HYPOTHESIS, ST_ENTRY, ST_OBSERVATION, ST_VERDICT, ST_VERDICT_GROUP, ST_FILE,
	ST_FAMILY, ST_FAMILY_CHANGE,
	ST_FIND_KEY, ST_OLD_COMMITS, ST_OLD_FILE, ST_DELETE_FIRST,
	ST_DELETE_EXPERIMENT = ST_DELETE_FIRST + CHILD_TABLES,
	ST_COUNT
};

static const char *const insert_sql[ST_DELETE_FIRST] = {
	[ST_EXPERIMENT] = ("INSERT INTO x_experiment VALUES"
			   "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
	[ST_PARTNER] = "INSERT INTO x_partner VALUES(?,?,?,?,?,?)",
	[ST_ARM] = "INSERT INTO x_arm VALUES(?,?,?,?,?)",
	[ST_INTERVENTION] = "INSERT INTO x_intervention VALUES(?,?,?,?)",
	[ST_OUTCOME] = "INSERT INTO x_outcome VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_HYPOTHESIS] = "INSERT INTO x_hypothesis VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_ENTRY] = "INSERT INTO x_entry VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_OBSERVATION] = "INSERT INTO x_observation VALUES(?,?,?,?,?,?,?,?,?,?,?)",
	[ST_VERDICT] = "INSERT INTO x_verdict VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_VERDICT_GROUP] = "INSERT INTO x_verdict_group VALUES(?,?,?,?,?,?,?,?,?,?,?)",
	[ST_FILE] = "INSERT INTO x_file VALUES(?,?,?,?)",
	[ST_FAMILY] = "INSERT INTO x_family VALUES(?,?,?,?)",
	[ST_FAMILY_CHANGE] = "INSERT INTO x_family_change VALUES(?,?,?,?,?)",
	[ST_FIND_KEY] = "SELECT key FROM x_experiment WHERE id = ?",
	[ST_OLD_COMMITS] = "SELECT id, commit_id FROM x_entry WHERE exp = ?",
	[ST_OLD_FILE] = "SELECT f.protocol_blob, f.protocol_changed, f.log_blob, e.registered_commit"
			" FROM x_file f JOIN x_experiment e ON e.key = f.exp WHERE f.exp = ?",
};

/* ---- the handle -------------------------------------------------------- */

struct eks_index {
	eks_repo *repo;                 /* borrowed */
	char *path;                     /* .../index.sqlite */
	char *lock_path;                /* .../index.sqlite.lock */
	int lock_fd;
	int lock_mode;                  /* 0, LOCK_SH or LOCK_EX */
	sqlite3 *db;                    /* read-write connection */
	int in_snapshot;                /* db holds a read transaction */
	char commit[EKS_COMMIT_HEX];
	eks_index_update update;
	const char *reason;             /* why a rebuild is needed */
	ino_t seen_ino;                 /* the file open_db looked at (0: none) */
	dev_t seen_dev;
	sqlite3_stmt *st[ST_COUNT];
};

struct eks_rows {
	eks_index *index;
	sqlite3 *db;
	sqlite3_stmt *st;
	int pending;                    /* a step result not handed out yet */
	int has_pending;
	int ro;                         /* runs on the read-only connection */
};

/* ---- errors ------------------------------------------------------------ */

static int code_of(int sqlite_rc)
{
	switch (sqlite_rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return EKS_ECORRUPT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EKS_ELOCKED;
	case SQLITE_NOMEM:
		return EKS_ENOMEM;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return EKS_EIO;
	default:
		return EKS_ESQL;
	}
}

/* Set the last error from SQLite's message (copied at once). */
static int sql_error(sqlite3 *db, int sqlite_rc, const char *what)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(sqlite_rc);
	int code = code_of(sqlite_rc);

	if (code == EKS_ELOCKED)
		return eks_error_set(code, "%s: the index is busy: another eksperiment "
				     "process held it for more than %d seconds",
				     what, EKS_INDEX_TIMEOUT);
	return eks_error_set(code, "%s: %s", what, msg);
}

static int is_damage(int sqlite_rc)
{
	return (sqlite_rc & 0xff) == SQLITE_CORRUPT || (sqlite_rc & 0xff) == SQLITE_NOTADB;
}

static int exec(sqlite3 *db, const char *sql, const char *what)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sql_error(db, rc, what);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the rebuild lock ---------------------------------------------------- */

/* Hold index.sqlite.lock in `mode` (LOCK_SH or LOCK_EX), waiting up to
 * EKS_INDEX_TIMEOUT.  Changing the mode is not atomic (flock may drop the
 * old lock first), which is fine: nothing is assumed across the change. */
static int take_lock(eks_index *idx, int mode)
{
	struct timespec pause = { 0, LOCK_POLL_NS };
	double start = now_seconds();

	if (idx->lock_mode == mode)
		return 0;
	if (idx->lock_fd < 0) {
		idx->lock_fd = open(idx->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (idx->lock_fd < 0)
			return eks_error_set(EKS_EIO, "cannot open '%s': %s",
					     idx->lock_path, strerror(errno));
	}
	if (idx->lock_mode && mode == LOCK_EX) {
		/* Two shared holders that both want to upgrade would wait for
		 * each other forever: let go first. */
		flock(idx->lock_fd, LOCK_UN);
		idx->lock_mode = 0;
	}
	while (flock(idx->lock_fd, mode | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return eks_error_set(EKS_EIO, "cannot lock '%s': %s",
					     idx->lock_path, strerror(errno));
		if (now_seconds() - start >= EKS_INDEX_TIMEOUT)
			return eks_error_set(EKS_ELOCKED, "the index is busy: another "
					     "eksperiment process held '%s' for more "
					     "than %d seconds", idx->lock_path,
					     EKS_INDEX_TIMEOUT);
		nanosleep(&pause, NULL);
	}
	idx->lock_mode = mode;
	return 0;
}

/* ---- connections --------------------------------------------------------- */

static void end_snapshot(eks_index *idx)
{
	if (idx->in_snapshot && idx->db)
		sqlite3_exec(idx->db, "COMMIT", NULL, NULL, NULL);
	idx->in_snapshot = 0;
}

static void finalize_statements(eks_index *idx)
{
	size_t i;

	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(idx->st[i]);
		idx->st[i] = NULL;
	}
}

static void close_db(eks_index *idx)
{
	end_snapshot(idx);
	finalize_statements(idx);
	/* _v2: should rows still be open, the connection goes when they do */
	sqlite3_close_v2(idx->db);
	idx->db = NULL;
}

/* One text value of a query without parameters, copied into `out`
 * ("" when there is no row).  Returns an SQLite code. */
static int query_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	out[0] = '\0';
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const unsigned char *text = sqlite3_column_text(st, 0);
			snprintf(out, size, "%s", text ? (const char *)text : "");
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Open the existing index read-write and check that it can serve: the
 * file exists, SQLite can read it, its format is ours and a build was
 * finished.  NEED_REBUILD (with idx->reason) when not.
 */
static int open_db(eks_index *idx)
{
	char value[64];
	struct stat st;
	int rc;

	idx->seen_ino = 0;
	idx->seen_dev = 0;
	if (stat(idx->path, &st) < 0) {
		idx->reason = "there was no index yet";
		return NEED_REBUILD;
	}
	idx->seen_ino = st.st_ino;
	idx->seen_dev = st.st_dev;
	rc = sqlite3_open_v2(idx->path, &idx->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = sql_error(idx->db, rc, "cannot open the index");
		sqlite3_close(idx->db);
		idx->db = NULL;
		return rc;
	}
	sqlite3_extended_result_codes(idx->db, 0);
	sqlite3_busy_timeout(idx->db, BUSY_TIMEOUT_MS);
	rc = query_text(idx->db, "PRAGMA user_version", value, sizeof(value));
	if (rc == SQLITE_OK && atoi(value) != EKS_INDEX_FORMAT) {
		idx->reason = atoi(value) < EKS_INDEX_FORMAT
			? "the index was made by an older version of eksperiment"
			: "the index was made by a newer version of eksperiment";
		rc = NEED_REBUILD;
		goto fail;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(idx->db, "PRAGMA journal_mode=WAL;"
				  "PRAGMA synchronous=NORMAL;"
				  "PRAGMA foreign_keys=OFF;"
				  /* A small page cache: a query scans each page once,
				   * and every buffer of a larger cache is fresh memory
				   * whose first touch (a page fault) costs more than
				   * reading the page again from the file system's
				   * cache.  At 10 000 experiments a query took 14 ms
				   * with SQLite's default of 2 MB, 6 ms with this. */
				  "PRAGMA cache_size=100;", NULL, NULL, NULL);
	/* The verdicts in it are those of the statistics of the version that
	 * wrote it: another version's are never served (SPEC 4). */
	if (rc == SQLITE_OK) {
		rc = query_text(idx->db, "SELECT value FROM meta WHERE key = 'version'",
				value, sizeof(value));
		if (rc == SQLITE_OK && strcmp(value, WRITER)) {
			idx->reason = "the index was made by another version of eksperiment";
			rc = NEED_REBUILD;
			goto fail;
		}
	}
	if (rc == SQLITE_OK)
		rc = query_text(idx->db, "SELECT value FROM meta WHERE key = 'commit'",
				value, sizeof(value));
	if (is_damage(rc)) {
		idx->reason = "the index was damaged";
		rc = NEED_REBUILD;
		goto fail;
	}
	if (rc != SQLITE_OK) {
		rc = sql_error(idx->db, rc, "cannot read the index");
		goto fail;
	}
	if (strlen(value) != EKS_COMMIT_HEX - 1) {
		idx->reason = "the index was incomplete";
		rc = NEED_REBUILD;
		goto fail;
	}
	return 0;
fail:
	sqlite3_close(idx->db);
	idx->db = NULL;
	return rc;
}

/* ---- binding rows -------------------------------------------------------- */

/*
 * Bind the values of one row to `st` and run it.  `types` has one letter
 * per parameter: k (long long), t (text, NULL binds NULL), o (optional
 * long long: int has, long long value), d (double), p (optional double:
 * int has, double value).  Texts are bound without copying: they must
 * live until the call returns.
 */
static int insert(sqlite3 *db, sqlite3_stmt *st, const char *types, ...)
{
	va_list ap;
	int col = 1, rc = SQLITE_OK;
	const char *t;

	if ((int)strlen(types) != sqlite3_bind_parameter_count(st))
		return eks_error_set(EKS_ESQL, "cannot write to the index: %d values for "
				     "\"%s\"", (int)strlen(types), sqlite3_sql(st));
	va_start(ap, types);
	for (t = types; *t && rc == SQLITE_OK; t++, col++) {
		switch (*t) {
		case 'k':
			rc = sqlite3_bind_int64(st, col, va_arg(ap, long long));
			break;
		case 't': {
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC)
			       : sqlite3_bind_null(st, col);
			break;
		}
		case 'o': {
			int has = va_arg(ap, int);
			long long v = va_arg(ap, long long);
			rc = has ? sqlite3_bind_int64(st, col, v) : sqlite3_bind_null(st, col);
			break;
		}
		case 'd':
		case 'p': {
			int has = *t == 'p' ? va_arg(ap, int) : 1;
			double v = va_arg(ap, double);
			/* NaN would be stored as NULL anyway; say so. */
			rc = has && v == v ? sqlite3_bind_double(st, col, v)
					   : sqlite3_bind_null(st, col);
			break;
		}
		default:
			rc = SQLITE_MISUSE;
		}
	}
	va_end(ap);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_reset(st);
	return rc == SQLITE_OK ? 0 : sql_error(db, rc, "cannot write to the index");
}

/* ---- reading experiments from git --------------------------------------- */

/* The commit-wide state of one update. */
struct update {
	eks_index *idx;
	sqlite3 *db;
	git_repository *git;
	const char *commit;
	git_tree *experiments;          /* experiments/ in `commit`, or NULL */
	int entry_commits;              /* ENTRY_COMMITS_* */
	size_t observations;
	/* experiments whose protocol ever changed after it was created: only
	 * they can have deviations or post-hoc hypotheses (integrity.h);
	 * found on first need, once per update */
	int have_candidates;
	char **candidates;
	size_t candidates_count;
};

/* Free what an update owns. */
static void update_release(struct update *u)
{
	eks_strings_free(u->candidates, u->candidates_count);
	u->candidates = NULL;
	u->candidates_count = 0;
	u->have_candidates = 0;
}

enum {
	ENTRY_COMMITS_NONE,     /* nothing known: all NULL */
	ENTRY_COMMITS_KEEP,     /* same line of history: keep the known ones */
	ENTRY_COMMITS_CHILD     /* one commit forward: new entries are `commit`'s */
};

/* An entry of an experiment before its update, and its commit (NULL:
 * unknown). */
struct known_commit {
	char *id;
	char *commit;
};

static int compare_known(const void *a, const void *b)
{
	return strcmp(((const struct known_commit *)a)->id,
		      ((const struct known_commit *)b)->id);
}

static void known_free(struct known_commit *known, size_t count)
{
	size_t i;

	for (i = 0; known && i < count; i++) {
		free(known[i].id);
		free(known[i].commit);
	}
	free(known);
}

/* The entries indexed for experiment `key`, with their commits, sorted
 * by id. */
static int known_load(struct known_commit **out, size_t *count,
		      struct update *u, long long key)
{
	sqlite3_stmt *st = u->idx->st[ST_OLD_COMMITS];
	struct known_commit *list = NULL;
	size_t n = 0, alloc = 0;
	int rc, src;

	*out = NULL;
	*count = 0;
	sqlite3_bind_int64(st, 1, key);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *commit = (const char *)sqlite3_column_text(st, 1);

		if (!id)
			continue;
		if (n == alloc) {
			struct known_commit *grown;
			alloc = alloc ? alloc * 2 : 16;
			grown = realloc(list, alloc * sizeof(*grown));
			if (!grown) {
				rc = eks_error_oom();
				goto fail;
			}
			list = grown;
		}
		list[n].id = strdup(id);
		list[n].commit = commit ? strdup(commit) : NULL;
		n++;
		if (!list[n - 1].id || (commit && !list[n - 1].commit)) {
			rc = eks_error_oom();
			goto fail;
		}
	}
	sqlite3_reset(st);
	if (src != SQLITE_DONE)
		return known_free(list, n), sql_error(u->db, src, "cannot read the index");
	if (n)
		qsort(list, n, sizeof(*list), compare_known);
	*out = list;
	*count = n;
	return 0;
fail:
	sqlite3_reset(st);
	known_free(list, n);
	return rc;
}

/* The entry `id` as it was indexed before, or NULL when it is new. */
static const struct known_commit *known_find(const struct known_commit *known,
					     size_t count, const char *id)
{
	struct known_commit key = { (char *)id, NULL };

	if (!id || !count)
		return NULL;
	return bsearch(&key, known, count, sizeof(*known), compare_known);
}

/*
 * The blob `name` of the experiment directory `dir`, for parsing.  0 with
 * *blob, EKS_ENOTFOUND when there is no such file; a file eksperiment
 * refuses to read (a symbolic link, a directory, over 16 MiB; SPEC 8.2)
 * is reported in `diags` and also gives EKS_ENOTFOUND.
 */
static int read_blob(git_blob **blob, struct update *u, const git_tree *dir,
		     const char *name, const char *path, eks_diag_list *diags)
{
	const git_tree_entry *e = git_tree_entry_byname(dir, name);

	*blob = NULL;
	if (!e)
		return EKS_ENOTFOUND;
	if (git_tree_entry_filemode(e) == GIT_FILEMODE_LINK) {
		eks_diag_add(diags, EKS_DIAG_ERROR, path, 0, 0,
			     "is a symbolic link; eksperiment reads only regular files");
		return EKS_ENOTFOUND;
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		eks_diag_add(diags, EKS_DIAG_ERROR, path, 0, 0, "is not a file");
		return EKS_ENOTFOUND;
	}
	if (git_blob_lookup(blob, u->git, git_tree_entry_id(e)) < 0)
		return eks_store_git_error(EKS_ECORRUPT, "cannot read a file from git");
	if (git_blob_rawsize(*blob) > EKS_YAML_MAX_BYTES) {
		eks_diag_add(diags, EKS_DIAG_ERROR, path, 0, 0,
			     "is larger than 16 MiB; eksperiment does not read it");
		git_blob_free(*blob);
		*blob = NULL;
		return EKS_ENOTFOUND;
	}
	return 0;
}

/* The blob id of experiments/<id>/log.yaml in `commit`; 0 when found. */
static int log_blob_at(git_oid *out, git_repository *git, git_commit *commit,
		       const char *id)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	char path[128];
	int found = 0;

	if (snprintf(path, sizeof(path), "experiments/%s/log.yaml", id) < (int)sizeof(path) &&
	    git_commit_tree(&tree, commit) == 0 &&
	    git_tree_entry_bypath(&e, tree, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
		git_oid_cpy(out, git_tree_entry_id(e));
		found = 1;
	}
	git_tree_entry_free(e);
	git_tree_free(tree);
	return found ? 0 : -1;
}

/* Whether the blob `oid` holds the text `needle`. */
static int blob_contains(git_repository *git, const git_oid *oid, const char *needle)
{
	git_blob *blob = NULL;
	const char *p;
	size_t size, n = strlen(needle), i;
	int found = 0;

	if (git_blob_lookup(&blob, git, oid) < 0)
		return -1;
	p = git_blob_rawcontent(blob);
	size = (size_t)git_blob_rawsize(blob);
	for (i = 0; !found && n && i + n <= size; i++)
		found = p[i] == needle[0] && !memcmp(p + i, needle, n);
	git_blob_free(blob);
	return found;
}

/*
 * The commit that added the entry `entry_id` to the log of `id`, found
 * cheaply along the first parents of the indexed commit: back past the
 * commits whose parent has the same log (same blob), to the one whose
 * parent has no log, or one without that entry's id in its text (logs
 * are only appended to, SPEC 5).  1 with `out` when found so; 0 when a
 * merge commit (whose other parents may have brought the entry) or
 * something unreadable stops the search: then the history is asked.
 * This is the answer eks_integrity_load gives on a history without
 * merges, without parsing a log: a rebuild of a repository whose
 * experiments were committed registered, without tags, stays as fast as
 * before.
 */
static int entry_added_along_first_parents(char out[EKS_COMMIT_HEX], struct update *u,
					   const char *id, const char *entry_id)
{
	git_commit *c = NULL, *parent = NULL;
	git_oid oid, blob, parent_blob;
	int found = 0;

	if (!entry_id || git_oid_fromstr(&oid, u->commit) < 0 ||
	    git_commit_lookup(&c, u->git, &oid) < 0 || log_blob_at(&blob, u->git, c, id) < 0)
		goto done;
	for (;;) {
		unsigned parents = git_commit_parentcount(c);

		if (parents > 1 || (parents == 1 && git_commit_parent(&parent, c, 0) < 0))
			break;
		if (parents == 0 || log_blob_at(&parent_blob, u->git, parent, id) < 0) {
			found = 1;                  /* the log begins here */
		} else if (!git_oid_equal(&parent_blob, &blob)) {
			int has = blob_contains(u->git, &parent_blob, entry_id);

			if (has < 0)
				break;
			found = !has;               /* the entry begins here */
			blob = parent_blob;
		}
		if (found) {
			git_oid_tostr(out, EKS_COMMIT_HEX, git_commit_id(c));
			break;
		}
		git_commit_free(c);
		c = parent;
		parent = NULL;
	}
done:
	git_commit_free(parent);
	git_commit_free(c);
	git_error_clear();
	return found;
}

/*
 * The registered commit of experiment `id`, whose log has the
 * registration entry `registration`, into `out` (SPEC 5): the commit the
 * tag eksperiment/<id>/registered names.  Without the tag (a plain git
 * push leaves tags behind; a register killed before its tag), the commit
 * that added the registration entry: the index's own record of it (the
 * entry's known commit, or the commit being indexed when the entry is
 * new in it), else the history's (`integrity` when it was read for the
 * deviations, else along the first parents, else eks_registration_commit).
 * "" only when the history has no registration either.
 */
static int registered_commit(char out[EKS_COMMIT_HEX], struct update *u,
			     const char *id, const eks_entry *registration,
			     const eks_integrity *integrity, const char *before,
			     const struct known_commit *known, size_t known_count)
{
	const struct known_commit *seen = known_find(known, known_count, registration->id);
	git_reference *ref = NULL;
	git_object *target = NULL;
	char name[128];
	int rc;

	out[0] = '\0';
	if (snprintf(name, sizeof(name), "refs/tags/" EKS_REGISTRATION_TAG, id)
	    < (int)sizeof(name) &&
	    git_reference_lookup(&ref, u->git, name) == 0 &&
	    git_reference_peel(&target, ref, GIT_OBJECT_COMMIT) == 0)
		git_oid_tostr(out, EKS_COMMIT_HEX, git_object_id(target));
	git_object_free(target);
	git_reference_free(ref);
	git_error_clear();
	if (out[0])
		return 0;

	if (seen && seen->commit) {
		snprintf(out, EKS_COMMIT_HEX, "%s", seen->commit);
		return 0;
	}
	if (!seen && u->entry_commits == ENTRY_COMMITS_CHILD) {
		snprintf(out, EKS_COMMIT_HEX, "%s", u->commit);
		return 0;
	}
	/* one commit on, with the registration entry known before: what
	 * the parent's row said still holds */
	if (seen && before && before[0]) {
		snprintf(out, EKS_COMMIT_HEX, "%s", before);
		return 0;
	}
	if (integrity && integrity->registered) {
		snprintf(out, EKS_COMMIT_HEX, "%s", integrity->registration_commit);
		return 0;
	}
	if (entry_added_along_first_parents(out, u, id, registration->id))
		return 0;
	rc = eks_registration_commit(out, u->idx->repo, u->commit, id);
	if (rc == EKS_ENOTFOUND) {
		/* an entry the history never added (a log rewritten by
		 * hand): no commit to name */
		eks_error_clear();
		out[0] = '\0';
		return 0;
	}
	return rc;
}

/* One experiment as read from git, for insert_experiment. */
struct loaded {
	const char *id;
	eks_protocol *protocol;         /* NULL when it could not be read */
	eks_log *log;                   /* NULL when it could not be read */
	eks_cells *cells;
	eks_evaluation *evaluation;     /* NULL unless the files are valid */
	eks_integrity *integrity;       /* NULL unless the protocol ever changed */
	size_t errors;
	size_t deviations;              /* SPEC 5, from the history */
	char protocol_blob[GIT_OID_HEXSZ + 1];  /* "" when there is none */
	char log_blob[GIT_OID_HEXSZ + 1];
	int protocol_changed;           /* an integrity candidate */
	const char *registered_before;  /* the parent's registered commit, or NULL */
};

/* An experiment as indexed at the parent of the commit being indexed. */
struct previous {
	char protocol_blob[GIT_OID_HEXSZ + 1];  /* "" when there was none */
	char log_blob[GIT_OID_HEXSZ + 1];
	int protocol_changed;
	char registered_commit[EKS_COMMIT_HEX];   /* "" when none */
};

/* The experiment `key` as indexed before (*have 0 when not known). */
static int previous_load(struct previous *prev, int *have, struct update *u, long long key)
{
	sqlite3_stmt *st = u->idx->st[ST_OLD_FILE];
	const unsigned char *blob;
	int src;

	memset(prev, 0, sizeof(*prev));
	*have = 0;
	sqlite3_bind_int64(st, 1, key);
	src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		if ((blob = sqlite3_column_text(st, 0)) != NULL)
			snprintf(prev->protocol_blob, sizeof(prev->protocol_blob), "%s",
				 (const char *)blob);
		prev->protocol_changed = sqlite3_column_int(st, 1) != 0;
		if ((blob = sqlite3_column_text(st, 2)) != NULL)
			snprintf(prev->log_blob, sizeof(prev->log_blob), "%s",
				 (const char *)blob);
		if ((blob = sqlite3_column_text(st, 3)) != NULL)
			snprintf(prev->registered_commit, sizeof(prev->registered_commit), "%s",
				 (const char *)blob);
		*have = 1;
	}
	sqlite3_reset(st);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return sql_error(u->db, src, "cannot read the index");
	return 0;
}

static void loaded_release(struct loaded *l)
{
	eks_evaluation_free(l->evaluation);
	eks_integrity_free(l->integrity);
	eks_cells_free(l->cells);
	eks_log_free(l->log);
	eks_protocol_free(l->protocol);
	memset(l, 0, sizeof(*l));
}

/*
 * The deviations of `l` and its post-hoc hypotheses (SPEC 5), from the
 * history; read only for experiments whose protocol ever changed.  Which
 * those are takes a walk of the whole history (eks_integrity_candidates),
 * except when the index moves to a child of the commit it held
 * (`prev`, the experiment there): then the commit changed the protocol
 * exactly when its blob differs from the parent's, as eks_integrity_candidates
 * decides for each commit, and the answer before still holds.
 */
static int load_integrity(struct loaded *l, struct update *u, const struct previous *prev)
{
	int rc;

	if (prev) {
		l->protocol_changed = prev->protocol_changed ||
			(prev->protocol_blob[0] && l->protocol_blob[0] &&
			 strcmp(prev->protocol_blob, l->protocol_blob) != 0) ||
			(prev->log_blob[0] && strcmp(prev->log_blob, l->log_blob) != 0 &&
			 !eks_integrity_log_appended(u->idx->repo, prev->log_blob,
						     l->log_blob));
	} else {
		if (!u->have_candidates) {
			rc = eks_integrity_candidates(&u->candidates, &u->candidates_count,
						      u->idx->repo, u->commit);
			if (rc < 0)
				return rc;
			u->have_candidates = 1;
		}
		l->protocol_changed = eks_integrity_is_candidate(u->candidates,
								 u->candidates_count, l->id);
	}
	if (!l->protocol_changed)
		return 0;
	rc = eks_integrity_load(&l->integrity, u->idx->repo, u->commit, l->id);
	if (rc == EKS_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	l->deviations = l->integrity->deviations_count;
	return 0;
}

/* Whether the data of hypothesis `id`'s outcome come from a rewritten
 * log entry (SPEC 5). */
static int rewritten(const eks_protocol *p, const eks_integrity *in, const char *id)
{
	size_t i;

	for (i = 0; in && in->rewritten_outcomes_count && i < p->hypotheses_count; i++)
		if (p->hypotheses[i].id && !strcmp(p->hypotheses[i].id, id))
			return eks_integrity_is_rewritten(in, p->hypotheses[i].outcome);
	return 0;
}

/* Whether `log` has a registration entry (superseded or not). */
static int has_registration(const eks_log *log)
{
	size_t i;

	for (i = 0; log && i < log->entries_count; i++)
		if (log->entries[i].kind == EKS_ENTRY_REGISTRATION)
			return 1;
	return 0;
}

/*
 * The verdicts as `evaluate` gives them, with the registered family
 * (SPEC 6.4) and the post-hoc marks (SPEC 5) from l->integrity.  A log
 * whose observations cannot be combined has no verdicts (evaluate leaves
 * the experiment out and says why).
 */
static int load_evaluation(struct loaded *l)
{
	eks_evaluate_options options = EKS_EVALUATE_OPTIONS_INIT;
	const eks_integrity *in = l->integrity;
	size_t i;
	int rc;

	char **unchanged = NULL;
	size_t j;

	if (in && in->registered) {
		options.registered_family = in->family;
		options.registered_family_count = in->family_count;
	} else if (!in && has_registration(l->log)) {
		/* registered, and the protocol never changed since it was
		 * created: the family as registered is the protocol's */
		if (!(unchanged = calloc(l->protocol->hypotheses_count + 1, sizeof(*unchanged))))
			return eks_error_oom();
		for (i = 0, j = 0; i < l->protocol->hypotheses_count; i++) {
			const eks_hypothesis *h = &l->protocol->hypotheses[i];
			if (h->id && h->family != EKS_FAMILY_EXPLORATORY &&
			    h->test == EKS_TEST_SUPERIORITY)
				unchanged[j++] = h->id;
		}
		options.registered_family = unchanged;
		options.registered_family_count = j;
	}
	rc = eks_log_accumulate(&l->cells, l->log);
	if (rc == 0)
		rc = eks_evaluate(&l->evaluation, l->protocol, l->cells, &options);
	free(unchanged);
	if (rc == EKS_ENOMEM)
		return rc;
	if (rc < 0) {
		eks_evaluation_free(l->evaluation);
		l->evaluation = NULL;
		l->errors = 1;
		return 0;
	}
	for (i = 0; in && i < l->evaluation->count; i++) {
		const char *id = l->evaluation->results[i].hypothesis->id;

		l->evaluation->results[i].post_hoc = eks_integrity_is_post_hoc(in, id);
		l->evaluation->results[i].rewritten = rewritten(l->protocol, in, id);
	}
	return 0;
}

/*
 * Read and parse experiments/<id>/ (the tree `tree_id`) the way evaluate
 * does: the same validation, then the verdicts when it is valid.  `prev`:
 * the experiment in the parent commit, when the index held that (see
 * load_integrity), else NULL.
 */
static int load(struct loaded *l, struct update *u, const char *id,
		const git_oid *tree_id, const struct previous *prev)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	git_tree *dir = NULL;
	git_blob *protocol = NULL, *log = NULL;
	char protocol_path[128], log_path[128];
	int rc;

	memset(l, 0, sizeof(*l));
	l->id = id;
	l->registered_before = prev ? prev->registered_commit : NULL;
	snprintf(protocol_path, sizeof(protocol_path), "experiments/%s/experiment.yaml", id);
	snprintf(log_path, sizeof(log_path), "experiments/%s/log.yaml", id);
	if (git_tree_lookup(&dir, u->git, tree_id) < 0)
		return eks_store_git_error(EKS_ECORRUPT, "cannot read an experiment from git");

	rc = read_blob(&protocol, u, dir, "experiment.yaml", protocol_path, &diags);
	if (protocol)
		git_oid_tostr(l->protocol_blob, sizeof(l->protocol_blob), git_blob_id(protocol));
	if (rc == EKS_ENOTFOUND) {
		if (!diags.count)
			eks_diag_add(&diags, EKS_DIAG_ERROR, protocol_path, 0, 0,
				     "is missing");
	} else if (rc < 0) {
		goto done;
	} else {
		rc = eks_validate_protocol(&l->protocol, protocol_path,
					   git_blob_rawcontent(protocol),
					   (size_t)git_blob_rawsize(protocol),
					   id, 0, &diags);
		if (rc == EKS_ENOMEM)
			goto done;
	}
	rc = read_blob(&log, u, dir, "log.yaml", log_path, &diags);
	if (rc < 0 && rc != EKS_ENOTFOUND)
		goto done;
	if (log)
		git_oid_tostr(l->log_blob, sizeof(l->log_blob), git_blob_id(log));
	rc = eks_validate_log(&l->log, log_path,
			      log ? git_blob_rawcontent(log) : "",
			      log ? (size_t)git_blob_rawsize(log) : 0,
			      l->protocol, NULL, &diags);
	if (rc == EKS_ENOMEM)
		goto done;
	l->errors = eks_diag_count(&diags, EKS_DIAG_ERROR);
	if ((rc = load_integrity(l, u, prev)) < 0)
		goto done;
	if (!l->errors && l->protocol && l->log)
		rc = load_evaluation(l);
done:
	eks_diag_list_clear(&diags);
	git_blob_free(protocol);
	git_blob_free(log);
	git_tree_free(dir);
	return rc;
}

/* Delete every row of experiment `key`. */
static int delete_rows(struct update *u, long long key, int with_experiment)
{
	size_t i, n = CHILD_TABLES + (with_experiment ? 1 : 0);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = insert(u->db, u->idx->st[ST_DELETE_FIRST + i], "k", key);
	return rc;
}

/* The entry whose registration counts: the first one not superseded. */
static const eks_entry *registration_of(const eks_log *log)
{
	size_t i;

	for (i = 0; log && i < log->entries_count; i++) {
		const eks_entry *e = &log->entries[i];
		if (e->kind == EKS_ENTRY_REGISTRATION && e->recorded_at &&
		    !eks_log_entry_superseded(log, e->id))
			return e;
	}
	return NULL;
}

static int insert_protocol(struct update *u, long long key, const eks_protocol *p)
{
	eks_index *idx = u->idx;
	size_t i;
	int rc = 0;

	for (i = 0; i < p->partners_count && rc == 0; i++) {
		const eks_partner *x = &p->partners[i];
		rc = insert(u->db, idx->st[ST_PARTNER], "kktttt", key, (long long)i,
			    x->name, x->role, x->kommunenummer, x->level);
	}
	for (i = 0; i < p->arms_count && rc == 0; i++) {
		const eks_arm *x = &p->arms[i];
		rc = insert(u->db, idx->st[ST_ARM], "kkttt", key, (long long)i,
			    x->id, x->label, x->type);
	}
	for (i = 0; i < p->interventions_count && rc == 0; i++) {
		const eks_intervention *x = &p->interventions[i];
		rc = insert(u->db, idx->st[ST_INTERVENTION], "kktt", key, (long long)i,
			    x->id, x->name);
	}
	for (i = 0; i < p->outcomes_count && rc == 0; i++) {
		const eks_outcome *x = &p->outcomes[i];
		rc = insert(u->db, idx->st[ST_OUTCOME], "kkttttttp", key, (long long)i,
			    x->id, x->role, x->title,
			    x->measure ? eks_measure_name(x->measure) : NULL,
			    x->direction ? eks_direction_name(x->direction) : NULL,
			    x->unit, x->has_minimum_effect, x->minimum_effect);
	}
	for (i = 0; i < p->hypotheses_count && rc == 0; i++) {
		const eks_hypothesis *x = &p->hypotheses[i];
		rc = insert(u->db, idx->st[ST_HYPOTHESIS], "kktttttdpttttptt", key,
			    (long long)i, x->id, x->outcome,
			    x->test ? eks_test_name(x->test) : NULL,
			    x->estimator ? eks_estimator_name(x->estimator) : NULL,
			    x->method ? eks_method_name(x->method) : NULL,
			    x->alpha, x->has_margin, x->margin,
			    x->family ? eks_family_name(x->family) : NULL,
			    x->statement, x->arm, x->against,
			    x->has_against_value, x->against_value,
			    x->timepoint, x->baseline);
	}
	return rc;
}

static int insert_log(struct update *u, long long key, const eks_log *log,
		      const struct known_commit *known, size_t known_count)
{
	eks_index *idx = u->idx;
	long long seq = 0;
	size_t i, j, k;
	int rc = 0;

	for (i = 0; i < log->entries_count && rc == 0; i++) {
		const eks_entry *e = &log->entries[i];
		const struct known_commit *before = known_find(known, known_count, e->id);
		const char *commit = NULL;

		if (before)
			commit = before->commit;
		else if (u->entry_commits == ENTRY_COMMITS_CHILD)
			commit = u->commit;
		rc = insert(u->db, idx->st[ST_ENTRY], "kkttttttt", key, (long long)i,
			    e->id, e->kind ? eks_entry_kind_name(e->kind) : NULL,
			    e->recorded_at, e->recorded_by, commit, e->supersedes,
			    e->note);
		for (j = 0; j < e->observations_count && rc == 0; j++) {
			const eks_observation *o = &e->observations[j];
			unsigned f = o->fields;

			if (f & EKS_OBS_VALUES) {
				/* Raw values: one row per value, n NULL. */
				for (k = 0; k < o->values_count && rc == 0; k++, seq++)
					rc = insert(u->db, idx->st[ST_OBSERVATION],
						    "kkktttooppd", key, seq, (long long)i,
						    o->outcome, o->arm, o->timepoint,
						    0, 0LL, 0, 0LL, 0, 0.0, 0, 0.0,
						    o->values[k]);
				u->observations += o->values_count;
				continue;
			}
			rc = insert(u->db, idx->st[ST_OBSERVATION], "kkktttooppt",
				    key, seq++, (long long)i, o->outcome, o->arm,
				    o->timepoint,
				    (f & EKS_OBS_N) != 0, o->n,
				    (f & EKS_OBS_EVENTS) != 0, o->events,
				    (f & EKS_OBS_MEAN) != 0, o->mean,
				    (f & EKS_OBS_SD) != 0, o->sd, (const char *)NULL);
			u->observations++;
		}
	}
	return rc;
}

static int insert_verdicts(struct update *u, long long key, const eks_evaluation *ev,
			   const eks_integrity *in)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < ev->family_size && rc == 0; i++)
		rc = insert(u->db, u->idx->st[ST_FAMILY], "kktk", key, (long long)i,
			    ev->family[i], (long long)(i < ev->family_registered_count));
	for (i = 0; in && i < in->family_changes_count && rc == 0; i++)
		rc = insert(u->db, u->idx->st[ST_FAMILY_CHANGE], "kkttk", key, (long long)i,
			    in->family_changes[i].commit, in->family_changes[i].hypothesis,
			    (long long)in->family_changes[i].added);
	for (i = 0; i < ev->count && rc == 0; i++) {
		const eks_hypothesis_result *r = &ev->results[i];

		size_t g;

		rc = insert(u->db, u->idx->st[ST_VERDICT], "kkttpppppktkdktkpppkk", key, (long long)i,
			    r->hypothesis->id, eks_verdict_name(r->verdict),
			    r->has_estimate, r->estimate,
			    r->has_interval, r->ci_low,
			    r->has_interval, r->ci_high,
			    r->has_p, r->p_value,
			    r->has_p, r->p_adjusted,
			    (long long)(r->post_hoc != 0),
			    r->method, (long long)(r->has_estimate != 0), r->conf_level,
			    (long long)(r->has_p != 0), r->reason,
			    (long long)(r->has_interval != 0),
			    r->has_tost, r->ci_tost_low, r->has_tost, r->ci_tost_high,
			    r->has_tost, r->tost_conf_level,
			    (long long)(r->in_family != 0), (long long)(r->rewritten != 0));
		for (g = 0; g < r->groups_count && rc == 0; g++) {
			const eks_group_result *x = &r->groups[g];

			rc = insert(u->db, u->idx->st[ST_VERDICT_GROUP], "kkkttkkkkdd", key,
				    (long long)i, (long long)g, x->arm, x->timepoint,
				    (long long)(x->has_data != 0), (long long)(x->is_count != 0),
				    x->n, x->events, x->mean, x->sd);
		}
	}
	return rc;
}

/*
 * Insert experiment `l` under `key` (0: a new key).  `known` are the
 * entry commits of its previous rows.
 */
static int insert_experiment(struct update *u, long long key, const struct loaded *l,
			     const struct known_commit *known, size_t known_count)
{
	const eks_protocol *p = l->protocol;
	const eks_entry *registration = registration_of(l->log);
	const char *last = NULL;
	char reg_commit[EKS_COMMIT_HEX] = "";
	sqlite3_stmt *st = u->idx->st[ST_EXPERIMENT];
	size_t i, entries = l->log ? l->log->entries_count : 0;
	int rc;

	for (i = 0; i < entries; i++) {
		const char *at = l->log->entries[i].recorded_at;
		if (at && (!last || strcmp(at, last) > 0))
			last = at;
	}
	if (registration &&
	    (rc = registered_commit(reg_commit, u, l->id, registration, l->integrity,
				    l->registered_before, known, known_count)) < 0)
		return rc;

	rc = insert(u->db, st, "otttttttttttttoktkkt",
		    key != 0, key, l->id,
		    p ? p->title : NULL, p ? p->title_nb : NULL,
		    p ? p->challenge : NULL, p ? p->phase : NULL,
		    p && p->status ? eks_status_name(p->status) : NULL,
		    p ? p->allocation : NULL, p ? p->model : NULL,
		    p ? p->unit : NULL, p ? p->start_date : NULL,
		    p ? p->end_date : NULL,
		    registration ? registration->recorded_at : NULL,
		    reg_commit[0] ? reg_commit : NULL,
		    p && p->evidence_level > 0, (long long)(p ? p->evidence_level : 0),
		    (long long)entries, last, (long long)l->deviations, (long long)l->errors,
		    p && p->multiplicity ? eks_multiplicity_name(p->multiplicity) : NULL);
	if (rc < 0)
		return rc;
	key = sqlite3_last_insert_rowid(u->db);
	if ((rc = insert(u->db, u->idx->st[ST_FILE], "kttk", key,
			 l->protocol_blob[0] ? l->protocol_blob : NULL,
			 l->log_blob[0] ? l->log_blob : NULL,
			 (long long)(l->protocol_changed != 0))) < 0)
		return rc;
	if (p && (rc = insert_protocol(u, key, p)) < 0)
		return rc;
	if (l->log && (rc = insert_log(u, key, l->log, known, known_count)) < 0)
		return rc;
	if (l->evaluation && (rc = insert_verdicts(u, key, l->evaluation, l->integrity)) < 0)
		return rc;
	return 0;
}

/* ---- updating ------------------------------------------------------------- */

static int prepare_statements(eks_index *idx)
{
	eks_buf sql = EKS_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < ST_COUNT && rc == 0; i++) {
		const char *text;

		if (idx->st[i])
			continue;
		eks_buf_clear(&sql);
		if (i < ST_DELETE_FIRST)
			text = insert_sql[i];
		else if (i < ST_DELETE_EXPERIMENT)
			text = (eks_buf_printf(&sql, "DELETE FROM %s WHERE exp = ?",
					       child_tables[i - ST_DELETE_FIRST]), sql.ptr);
		else
			text = "DELETE FROM x_experiment WHERE key = ?";
		if (!text) {
			rc = eks_error_oom();
			break;
		}
		rc = sqlite3_prepare_v3(idx->db, text, -1, SQLITE_PREPARE_PERSISTENT,
					&idx->st[i], NULL);
		if (rc != SQLITE_OK)
			rc = sql_error(idx->db, rc, "cannot prepare the index");
	}
	eks_buf_dispose(&sql);
	return rc;
}

/* The experiments/ tree of `commit` (NULL when it has none). */
static int experiments_tree(git_tree **out, git_repository *git, const char *commit)
{
	git_oid oid;
	git_commit *c = NULL;
	git_tree *root = NULL;
	const git_tree_entry *e;
	int rc = 0;

	*out = NULL;
	if (git_oid_fromstr(&oid, commit) < 0 || git_commit_lookup(&c, git, &oid) < 0)
		return eks_store_git_error(EKS_EGIT, "cannot read the commit to index");
	if (git_commit_tree(&root, c) < 0) {
		rc = eks_store_git_error(EKS_EGIT, "cannot read the commit's tree");
		goto done;
	}
	e = git_tree_entry_byname(root, "experiments");
	if (e && git_tree_entry_type(e) == GIT_OBJECT_TREE &&
	    git_tree_lookup(out, git, git_tree_entry_id(e)) < 0)
		rc = eks_store_git_error(EKS_EGIT, "cannot read experiments/");
done:
	git_tree_free(root);
	git_commit_free(c);
	return rc;
}

/* Re-read experiment `id` (its tree is `tree_id`; NULL: it is gone) and
 * replace its rows.  `key` is its key in the index, 0 when new. */
static int refresh(struct update *u, const char *id, const git_oid *tree_id,
		   long long key)
{
	struct known_commit *known = NULL;
	size_t known_count = 0;
	struct loaded l;
	struct previous prev;
	int rc = 0, have_prev = 0;

	memset(&l, 0, sizeof(l));
	if (key && tree_id && u->entry_commits != ENTRY_COMMITS_NONE &&
	    (rc = known_load(&known, &known_count, u, key)) < 0)
		return rc;
	if (key && tree_id && u->entry_commits == ENTRY_COMMITS_CHILD &&
	    (rc = previous_load(&prev, &have_prev, u, key)) < 0)
		goto done;
	if (tree_id && (rc = load(&l, u, id, tree_id, have_prev ? &prev : NULL)) < 0)
		goto done;
	if (key && (rc = delete_rows(u, key, 1)) < 0)
		goto done;
	if (tree_id) {
		rc = insert_experiment(u, key, &l, known, known_count);
		u->idx->update.reread++;
	} else {
		u->idx->update.removed++;
	}
done:
	loaded_release(&l);
	known_free(known, known_count);
	return rc;
}

static int set_meta(struct update *u)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(u->db, "INSERT OR REPLACE INTO meta VALUES"
				    "('commit', ?), ('format', ?), ('version', ?)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return sql_error(u->db, rc, "cannot write to the index");
	rc = insert(u->db, st, "tkt", u->commit, (long long)EKS_INDEX_FORMAT, WRITER);
	sqlite3_finalize(st);
	return rc;
}

static int count_experiments(eks_index *idx)
{
	char value[32];
	int rc = query_text(idx->db, "SELECT count(*) FROM x_experiment", value, sizeof(value));

	if (rc != SQLITE_OK)
		return sql_error(idx->db, rc, "cannot read the index");
	idx->update.experiments = (size_t)strtoull(value, NULL, 10);
	return 0;
}

/* How much of the entries' commits survives a move from `from` to `to`. */
static int entry_commit_policy(git_repository *git, const char *from, const char *to)
{
	git_oid a, b;
	git_commit *c = NULL;
	int policy = ENTRY_COMMITS_NONE;

	if (git_oid_fromstr(&a, from) < 0 || git_oid_fromstr(&b, to) < 0)
		return policy;
	if (git_commit_lookup(&c, git, &b) == 0 && git_commit_parentcount(c) == 1 &&
	    git_oid_equal(git_commit_parent_id(c, 0), &a))
		policy = ENTRY_COMMITS_CHILD;
	else if (git_graph_descendant_of(git, &b, &a) == 1 ||
		 git_graph_descendant_of(git, &a, &b) == 1)
		policy = ENTRY_COMMITS_KEEP;
	git_commit_free(c);
	git_error_clear();
	return policy;
}

/*
 * Bring the open index to `commit`, re-reading the experiments whose
 * trees differ from the indexed commit's.  NEED_REBUILD when it cannot be
 * done incrementally (damage, an indexed commit that no longer exists).
 */
static int update(eks_index *idx, const char *commit)
{
	struct update u;
	char from[EKS_COMMIT_HEX + 8];
	char **ids = NULL;
	size_t count = 0, i;
	git_oid oid;
	git_commit *old = NULL;
	int rc, src;

	memset(&u, 0, sizeof(u));
	u.idx = idx;
	u.db = idx->db;
	u.git = idx->repo->git;
	u.commit = commit;

	end_snapshot(idx);
	/* Most of the time the index is current: find out without taking
	 * the write lock, so that readers do not queue for it. */
	src = query_text(idx->db, "SELECT value FROM meta WHERE key = 'commit'",
			 from, sizeof(from));
	if (src == SQLITE_OK && !strcmp(from, commit))
		return 0;
	src = sqlite3_exec(idx->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (src == SQLITE_OK)
		src = query_text(idx->db, "SELECT value FROM meta WHERE key = 'commit'",
				 from, sizeof(from));
	if (src != SQLITE_OK) {
		rc = sql_error(idx->db, src, "cannot read the index");
		goto fail;
	}
	if (!strcmp(from, commit)) {
		rc = exec(idx->db, "COMMIT", "cannot read the index");
		goto out;
	}
	if (git_oid_fromstr(&oid, from) < 0 || git_commit_lookup(&old, u.git, &oid) < 0) {
		git_error_clear();
		idx->reason = "the commit it was made for no longer exists";
		rc = NEED_REBUILD;
		goto fail;
	}
	git_commit_free(old);

	if ((rc = eks_repo_changed_experiments(&ids, &count, idx->repo, from, commit)) < 0)
		goto fail;
	if (count) {
		u.entry_commits = entry_commit_policy(u.git, from, commit);
		if ((rc = prepare_statements(idx)) < 0 ||
		    (rc = experiments_tree(&u.experiments, u.git, commit)) < 0)
			goto fail;
	}
	for (i = 0; i < count; i++) {
		sqlite3_stmt *find = idx->st[ST_FIND_KEY];
		const git_tree_entry *e = u.experiments
			? git_tree_entry_byname(u.experiments, ids[i]) : NULL;
		long long key = 0;

		if (e && git_tree_entry_type(e) != GIT_OBJECT_TREE)
			e = NULL;
		sqlite3_bind_text(find, 1, ids[i], -1, SQLITE_STATIC);
		src = sqlite3_step(find);
		if (src == SQLITE_ROW)
			key = sqlite3_column_int64(find, 0);
		sqlite3_reset(find);
		if (src != SQLITE_ROW && src != SQLITE_DONE) {
			rc = sql_error(idx->db, src, "cannot read the index");
			goto fail;
		}
		if (!e && !key)
			continue;
		if ((rc = refresh(&u, ids[i], e ? git_tree_entry_id(e) : NULL, key)) < 0)
			goto fail;
	}
	if ((rc = set_meta(&u)) < 0 ||
	    (rc = exec(idx->db, "COMMIT", "cannot write to the index")) < 0)
		goto fail;
	idx->update.observations += u.observations;
out:
	eks_strings_free(ids, count);
	git_tree_free(u.experiments);
	update_release(&u);
	return rc;
fail:
	if (rc == EKS_ECORRUPT && is_damage(sqlite3_errcode(idx->db))) {
		idx->reason = "the index was damaged";
		rc = NEED_REBUILD;
	}
	sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
	goto out;
}

/* Build a complete index of `commit` in the file `path` (which must not
 * be in use): every experiment, in one transaction. */
static int build_file(eks_index *idx, const char *path, const char *commit)
{
	struct update u;
	size_t i, total;
	int rc, src;

	memset(&u, 0, sizeof(u));
	src = sqlite3_open_v2(path, &idx->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			      SQLITE_OPEN_NOMUTEX, NULL);
	if (src != SQLITE_OK) {
		rc = sql_error(idx->db, src, "cannot create the index");
		goto done;
	}
	sqlite3_extended_result_codes(idx->db, 0);
	/* Nobody else sees this file until it is renamed into place, and a
	 * crash leaves only a file that is thrown away: no journal, no sync
	 * until the end (the caller syncs the finished file). */
	if ((rc = exec(idx->db, "PRAGMA journal_mode=OFF;"
		       "PRAGMA synchronous=OFF;"
		       "PRAGMA cache_size=" CACHE_SIZE ";"
		       "PRAGMA foreign_keys=OFF;", "cannot create the index")) < 0 ||
	    (rc = exec(idx->db, "BEGIN", "cannot create the index")) < 0 ||
	    (rc = exec(idx->db, schema_sql, "cannot create the index")) < 0 ||
	    (rc = prepare_statements(idx)) < 0)
		goto done;

	u.idx = idx;
	u.db = idx->db;
	u.git = idx->repo->git;
	u.commit = commit;
	u.entry_commits = ENTRY_COMMITS_NONE;
	if ((rc = experiments_tree(&u.experiments, u.git, commit)) < 0)
		goto done;
	total = u.experiments ? git_tree_entrycount(u.experiments) : 0;
	for (i = 0; i < total; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(u.experiments, i);

		if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
			continue;
		if ((rc = refresh(&u, git_tree_entry_name(e), git_tree_entry_id(e), 0)) < 0)
			goto done;
	}
	idx->update.observations += u.observations;
	if ((rc = set_meta(&u)) < 0)
		goto done;
	{
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", EKS_INDEX_FORMAT);
		if ((rc = exec(idx->db, pragma, "cannot create the index")) < 0)
			goto done;
	}
	if ((rc = exec(idx->db, "COMMIT", "cannot write the index")) < 0 ||
	    (rc = exec(idx->db, "PRAGMA journal_mode=WAL", "cannot write the index")) < 0)
		goto done;
done:
	git_tree_free(u.experiments);
	update_release(&u);
	finalize_statements(idx);
	if (idx->db && sqlite3_close(idx->db) != SQLITE_OK && rc == 0)
		rc = eks_error_set(EKS_ESQL, "cannot close the new index");
	idx->db = NULL;
	return rc;
}

static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || fsync(fd) < 0)
		rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int unlink_if_there(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return eks_error_set(EKS_EIO, "cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

/*
 * Build the index from scratch for `commit`, under the exclusive lock.
 * When not `forced`, first look whether another process has rebuilt it
 * meanwhile.
 */
static int rebuild(eks_index *idx, const char *commit, int forced)
{
	eks_buf tmp = EKS_BUF_INIT, wal = EKS_BUF_INIT, shm = EKS_BUF_INIT;
	int rc;

	close_db(idx);
	if ((rc = take_lock(idx, LOCK_EX)) < 0)
		goto done;
	if (!forced) {
		/* Another process may have rebuilt it while this one waited
		 * for the lock: a rebuild always puts a new file in place. */
		struct stat st;
		ino_t seen_ino = idx->seen_ino;
		dev_t seen_dev = idx->seen_dev;

		if (stat(idx->path, &st) == 0 &&
		    (st.st_ino != seen_ino || st.st_dev != seen_dev)) {
			rc = open_db(idx);
			if (rc == 0)
				goto relock;
			if (rc < 0)
				goto done;
		}
	}
	idx->update.rebuilt = 1;
	if (!idx->update.reason)
		idx->update.reason = idx->reason ? idx->reason : "a rebuild was asked for";
	eks_buf_printf(&tmp, "%s.new", idx->path);
	eks_buf_printf(&wal, "%s-wal", idx->path);
	eks_buf_printf(&shm, "%s-shm", idx->path);
	if (eks_buf_oom(&tmp) || eks_buf_oom(&wal) || eks_buf_oom(&shm)) {
		rc = eks_error_oom();
		goto done;
	}
	if ((rc = unlink_if_there(tmp.ptr)) < 0 ||
	    (rc = build_file(idx, tmp.ptr, commit)) < 0 ||
	    (rc = sync_file(tmp.ptr)) < 0 ||
	    (rc = unlink_if_there(wal.ptr)) < 0 ||
	    (rc = unlink_if_there(shm.ptr)) < 0)
		goto done;
	if (rename(tmp.ptr, idx->path) < 0) {
		rc = eks_error_set(EKS_EIO, "cannot put the new index in place: %s",
				   strerror(errno));
		goto done;
	}
	if ((rc = open_db(idx)) != 0) {
		if (rc > 0)
			rc = eks_error_set(EKS_ECORRUPT, "the new index cannot be read: %s",
					   idx->reason);
		goto done;
	}
relock:
	rc = take_lock(idx, LOCK_SH);
done:
	if (rc < 0) {
		close_db(idx);
		if (tmp.ptr)
			unlink(tmp.ptr);
	}
	eks_buf_dispose(&tmp);
	eks_buf_dispose(&wal);
	eks_buf_dispose(&shm);
	return rc;
}

/* Start the read transaction whose snapshot the answers come from; 1 when
 * the index is at another commit by then (another process moved it). */
static int start_snapshot(eks_index *idx, const char *commit)
{
	char value[EKS_COMMIT_HEX + 8];
	int src;

	end_snapshot(idx);
	src = sqlite3_exec(idx->db, "BEGIN", NULL, NULL, NULL);
	if (src == SQLITE_OK)
		src = query_text(idx->db, "SELECT value FROM meta WHERE key = 'commit'",
				 value, sizeof(value));
	if (src != SQLITE_OK) {
		sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
		return sql_error(idx->db, src, "cannot read the index");
	}
	idx->in_snapshot = 1;
	if (strcmp(value, commit)) {
		end_snapshot(idx);
		return 1;
	}
	return 0;
}

/* Bring the index to `commit` and hold a snapshot of it. */
static int bring_to(eks_index *idx, const char *commit, int forced)
{
	double start = now_seconds();
	int attempt, rc = 0;

	if (forced && (rc = rebuild(idx, commit, 1)) < 0)
		return rc;
	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		if (!idx->db) {
			rc = open_db(idx);
			if (rc == NEED_REBUILD)
				rc = rebuild(idx, commit, 0);
			if (rc < 0)
				return rc;
		}
		rc = update(idx, commit);
		if (rc == NEED_REBUILD) {
			if ((rc = rebuild(idx, commit, 0)) < 0)
				return rc;
			rc = update(idx, commit);
		}
		if (rc < 0)
			return rc;
		if (rc > 0)
			return eks_error_set(EKS_ECORRUPT, "the index cannot be brought up "
					     "to date: %s", idx->reason);
		rc = start_snapshot(idx, commit);
		if (rc <= 0)
			break;
	}
	if (rc > 0)
		return eks_error_set(EKS_ELOCKED, "the index keeps being moved to other "
				     "commits by other eksperiment processes; try again");
	if (rc == 0)
		rc = count_experiments(idx);
	idx->update.seconds = now_seconds() - start;
	return rc;
}

/* ---- the public functions ---------------------------------------------- */

static int index_new(eks_index **out, eks_repo *repo, const char *commit, int forced)
{
	eks_index *idx;
	eks_buf path = EKS_BUF_INIT, lock = EKS_BUF_INIT;
	int rc;

	*out = NULL;
	if (!commit || strlen(commit) != EKS_COMMIT_HEX - 1)
		return eks_error_set(EKS_EUSAGE, "the index needs a full commit id, not '%s'",
				     commit ? commit : "(null)");
	if (!(idx = calloc(1, sizeof(*idx))))
		return eks_error_oom();
	idx->repo = repo;
	idx->lock_fd = -1;
	snprintf(idx->commit, sizeof(idx->commit), "%s", commit);
	eks_buf_printf(&path, "%sindex.sqlite", eks_repo_eksdir(repo));
	eks_buf_printf(&lock, "%sindex.sqlite.lock", eks_repo_eksdir(repo));
	if (eks_buf_oom(&path) || eks_buf_oom(&lock)) {
		eks_buf_dispose(&path);
		eks_buf_dispose(&lock);
		eks_index_free(idx);
		return eks_error_oom();
	}
	idx->path = eks_buf_detach(&path);
	idx->lock_path = eks_buf_detach(&lock);
	if ((rc = eks_store_mkdirs(eks_repo_eksdir(repo))) < 0 ||
	    (rc = take_lock(idx, LOCK_SH)) < 0 ||
	    (rc = bring_to(idx, commit, forced)) < 0) {
		eks_index_free(idx);
		return rc;
	}
	*out = idx;
	return 0;
}

int eks_index_open(eks_index **out, eks_repo *repo, const char *commit)
{
	return index_new(out, repo, commit, 0);
}

int eks_index_reindex(eks_index **out, eks_repo *repo, const char *commit)
{
	return index_new(out, repo, commit, 1);
}

void eks_index_free(eks_index *idx)
{
	if (!idx)
		return;
	close_db(idx);
	if (idx->lock_fd >= 0)
		close(idx->lock_fd);   /* releases the flock */
	free(idx->path);
	free(idx->lock_path);
	free(idx);
}

const char *eks_index_commit(const eks_index *idx)
{
	return idx->commit;
}

const char *eks_index_path(const eks_index *idx)
{
	return idx->path;
}

const eks_index_update *eks_index_last_update(const eks_index *idx)
{
	return &idx->update;
}

int eks_index_invalid(char ***ids, size_t *count, eks_index *idx)
{
	sqlite3_stmt *st = NULL;
	char **list = NULL;
	size_t n = 0, alloc = 0;
	int rc = 0, src;

	*ids = NULL;
	*count = 0;
	src = sqlite3_prepare_v2(idx->db, "SELECT id FROM x_experiment WHERE errors > 0"
				 " ORDER BY id", -1, &st, NULL);
	if (src != SQLITE_OK)
		return sql_error(idx->db, src, "cannot read the index");
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (n + 1 >= alloc) {
			char **grown;
			alloc = alloc ? alloc * 2 : 8;
			if (!(grown = realloc(list, alloc * sizeof(*grown)))) {
				rc = eks_error_oom();
				goto done;
			}
			list = grown;
		}
		if (!(list[n] = strdup((const char *)sqlite3_column_text(st, 0)))) {
			rc = eks_error_oom();
			goto done;
		}
		n++;
	}
	if (src != SQLITE_DONE) {
		rc = sql_error(idx->db, src, "cannot read the index");
		goto done;
	}
	*ids = list;
	*count = n;
	list = NULL;
	n = 0;
done:
	sqlite3_finalize(st);
	eks_strings_free(list, n);
	return rc;
}

/* ---- answers ------------------------------------------------------------ */

static const char *const export_names[] = { "experiments", "observations", "hypotheses" };

const char *eks_export_what_name(eks_export_what what)
{
	return (unsigned)what < 3 ? export_names[what] : NULL;
}

int eks_export_what_from_name(eks_export_what *out, const char *name)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(name, export_names[i])) {
			*out = (eks_export_what)i;
			return 0;
		}
	}
	return eks_error_set(EKS_EUSAGE, "cannot export '%s'; use experiments, "
			     "observations or hypotheses", name);
}

/* Step `rows` once and keep the result for eks_rows_next. */
static int prefetch(eks_rows *rows)
{
	rows->pending = sqlite3_step(rows->st);
	rows->has_pending = 1;
	return rows->pending;
}

/*
 * Run `sql` (ours, with the query's values bound as ?1..?N) on the
 * read-write connection's snapshot.  When SQLite finds the file damaged
 * before the first row, rebuild it and try once more.
 */
static int select_rows(eks_rows **out, eks_index *idx, const char *sql,
		       const eks_query *filter)
{
	eks_rows *rows;
	int attempt, src = SQLITE_OK;
	size_t i;

	*out = NULL;
	if (!(rows = calloc(1, sizeof(*rows))))
		return eks_error_oom();
	rows->index = idx;
	for (attempt = 0; attempt < 2; attempt++) {
		rows->db = idx->db;
		src = sqlite3_prepare_v2(idx->db, sql, -1, &rows->st, NULL);
		for (i = 0; src == SQLITE_OK && filter && i < filter->params_count; i++)
			src = sqlite3_bind_text(rows->st, (int)i + 1, filter->params[i], -1,
						SQLITE_TRANSIENT);
		if (src == SQLITE_OK)
			src = prefetch(rows);
		if (src == SQLITE_ROW || src == SQLITE_DONE) {
			*out = rows;
			return 0;
		}
		if (!is_damage(src) || attempt)
			break;
		sqlite3_finalize(rows->st);
		rows->st = NULL;
		idx->reason = "the index was damaged";
		if ((src = bring_to(idx, idx->commit, 1)) < 0) {
			eks_rows_free(rows);
			return src;
		}
	}
	{
		int rc = sql_error(idx->db, src, "cannot read the index");
		eks_rows_free(rows);
		return rc;
	}
}

/* Append a copy of `s` to the list (*list, *n). */
static int add_string(char ***list, size_t *n, const char *s)
{
	char **grown = realloc(*list, (*n + 1) * sizeof(*grown));

	if (!grown)
		return eks_error_oom();
	*list = grown;
	if (!(grown[*n] = strdup(s)))
		return eks_error_oom();
	(*n)++;
	return 0;
}

static int compare_string_ptrs(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- verdicts ---------------------------------------------------------------- */

/* A copy of column `col` of `st` owned by `ev` (NULL for SQL NULL). */
static int keep_text(const char **out, eks_evaluations *ev, sqlite3_stmt *st, int col)
{
	const unsigned char *text = sqlite3_column_text(st, col);
	char **grown;

	*out = NULL;
	if (!text)
		return 0;
	if (ev->strings_count == ev->strings_alloc) {
		size_t alloc = ev->strings_alloc ? ev->strings_alloc * 2 : 256;
		if (!(grown = realloc(ev->strings, alloc * sizeof(*grown))))
			return eks_error_oom();
		ev->strings = grown;
		ev->strings_alloc = alloc;
	}
	grown = ev->strings;
	if (!(grown[ev->strings_count] = strdup((const char *)text)))
		return eks_error_oom();
	*out = grown[ev->strings_count++];
	return 0;
}

/* Column `col` as a double; NULL (how NaN is stored) as NaN. */
static double column_real(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

/* The hypotheses, verdicts and groups of experiment `key` into `e`. */
static int read_verdicts(eks_evaluations *ev, eks_evaluated *e, sqlite3_stmt *hyp,
			 sqlite3_stmt *grp, long long key)
{
	long long *seqs = NULL;         /* each row's hypothesis seq */
	size_t alloc = 0;
	int rc = 0, src;

	sqlite3_bind_int64(hyp, 1, key);
	while (rc == 0 && (src = sqlite3_step(hyp)) == SQLITE_ROW) {
		eks_verdict_row *r;

		if (e->count == alloc) {
			eks_verdict_row *grown;
			long long *more;
			alloc = alloc ? alloc * 2 : 4;
			if (!(grown = realloc(e->hypotheses, alloc * sizeof(*grown)))) {
				rc = eks_error_oom();
				break;
			}
			e->hypotheses = grown;
			if (!(more = realloc(seqs, alloc * sizeof(*more)))) {
				rc = eks_error_oom();
				break;
			}
			seqs = more;
		}
		seqs[e->count] = sqlite3_column_int64(hyp, 0);
		r = &e->hypotheses[e->count++];
		memset(r, 0, sizeof(*r));
		if ((rc = keep_text(&r->id, ev, hyp, 1)) < 0 ||
		    (rc = keep_text(&r->outcome, ev, hyp, 2)) < 0 ||
		    (rc = keep_text(&r->test, ev, hyp, 3)) < 0 ||
		    (rc = keep_text(&r->estimator, ev, hyp, 4)) < 0 ||
		    (rc = keep_text(&r->family, ev, hyp, 5)) < 0 ||
		    (rc = keep_text(&r->arm, ev, hyp, 6)) < 0 ||
		    (rc = keep_text(&r->against, ev, hyp, 7)) < 0 ||
		    (rc = keep_text(&r->timepoint, ev, hyp, 9)) < 0 ||
		    (rc = keep_text(&r->baseline, ev, hyp, 10)) < 0 ||
		    (rc = keep_text(&r->method, ev, hyp, 11)) < 0 ||
		    (rc = keep_text(&r->verdict, ev, hyp, 20)) < 0 ||
		    (rc = keep_text(&r->reason, ev, hyp, 21)) < 0)
			break;
		r->has_against_value = sqlite3_column_type(hyp, 8) != SQLITE_NULL;
		r->against_value = sqlite3_column_double(hyp, 8);
		r->has_estimate = sqlite3_column_int(hyp, 12);
		r->estimate = column_real(hyp, 13);
		r->ci_low = column_real(hyp, 14);
		r->ci_high = column_real(hyp, 15);
		r->conf_level = column_real(hyp, 16);
		r->has_p = sqlite3_column_int(hyp, 17);
		r->p_value = column_real(hyp, 18);
		r->p_adjusted = column_real(hyp, 19);
		r->post_hoc = sqlite3_column_int(hyp, 22);
		r->has_interval = sqlite3_column_int(hyp, 23);
		r->has_tost = sqlite3_column_type(hyp, 24) != SQLITE_NULL;
		r->ci_tost_low = column_real(hyp, 24);
		r->ci_tost_high = column_real(hyp, 25);
		r->tost_conf_level = column_real(hyp, 26);
		r->in_family = sqlite3_column_int(hyp, 27);
		r->rewritten = sqlite3_column_int(hyp, 28);
	}
	sqlite3_reset(hyp);
	if (rc == 0 && src != SQLITE_DONE)
		rc = sql_error(sqlite3_db_handle(hyp), src, "cannot read the index");
	if (rc < 0)
		goto done;

	sqlite3_bind_int64(grp, 1, key);
	while (rc == 0 && (src = sqlite3_step(grp)) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(grp, 0);
		eks_verdict_row *r = NULL;
		eks_verdict_group *g;
		size_t i;

		for (i = 0; i < e->count && !r; i++)
			if (seqs[i] == seq)
				r = &e->hypotheses[i];
		if (!r || r->groups_count == sizeof(r->groups) / sizeof(r->groups[0]))
			continue;
		g = &r->groups[r->groups_count++];
		if ((rc = keep_text(&g->arm, ev, grp, 1)) < 0 ||
		    (rc = keep_text(&g->timepoint, ev, grp, 2)) < 0)
			break;
		g->has_data = sqlite3_column_int(grp, 3);
		g->is_count = sqlite3_column_int(grp, 4);
		g->n = sqlite3_column_int64(grp, 5);
		g->events = sqlite3_column_int64(grp, 6);
		g->mean = column_real(grp, 7);
		g->sd = column_real(grp, 8);
	}
	sqlite3_reset(grp);
	if (rc == 0 && src != SQLITE_DONE)
		rc = sql_error(sqlite3_db_handle(grp), src, "cannot read the index");
done:
	free(seqs);
	return rc;
}

/* The family of experiment `key` and the amendments that changed it. */
static int read_family(eks_evaluations *ev, eks_evaluated *e, sqlite3_stmt *fam,
		       sqlite3_stmt *chg, long long key)
{
	size_t alloc = 0;
	int rc = 0, src;

	sqlite3_bind_int64(fam, 1, key);
	while (rc == 0 && (src = sqlite3_step(fam)) == SQLITE_ROW) {
		if (e->family_count == alloc) {
			const char **grown;
			int *flags;
			alloc = alloc ? alloc * 2 : 4;
			if (!(grown = realloc(e->family, alloc * sizeof(*grown)))) {
				rc = eks_error_oom();
				break;
			}
			e->family = grown;
			if (!(flags = realloc(e->family_registered, alloc * sizeof(*flags)))) {
				rc = eks_error_oom();
				break;
			}
			e->family_registered = flags;
		}
		e->family_registered[e->family_count] = sqlite3_column_int(fam, 1);
		rc = keep_text(&e->family[e->family_count++], ev, fam, 0);
	}
	sqlite3_reset(fam);
	if (rc == 0 && src != SQLITE_DONE)
		rc = sql_error(sqlite3_db_handle(fam), src, "cannot read the index");
	if (rc < 0)
		return rc;

	alloc = 0;
	sqlite3_bind_int64(chg, 1, key);
	while (rc == 0 && (src = sqlite3_step(chg)) == SQLITE_ROW) {
		eks_family_change_row *c;

		if (e->family_changes_count == alloc) {
			eks_family_change_row *grown;
			alloc = alloc ? alloc * 2 : 4;
			if (!(grown = realloc(e->family_changes, alloc * sizeof(*grown)))) {
				rc = eks_error_oom();
				break;
			}
			e->family_changes = grown;
		}
		c = &e->family_changes[e->family_changes_count++];
		memset(c, 0, sizeof(*c));
		if ((rc = keep_text(&c->commit, ev, chg, 0)) < 0 ||
		    (rc = keep_text(&c->hypothesis, ev, chg, 1)) < 0)
			break;
		c->added = sqlite3_column_int(chg, 2);
	}
	sqlite3_reset(chg);
	if (rc == 0 && src != SQLITE_DONE)
		rc = sql_error(sqlite3_db_handle(chg), src, "cannot read the index");
	return rc;
}

void eks_evaluations_free(eks_evaluations *ev)
{
	size_t i;

	if (!ev)
		return;
	for (i = 0; i < ev->count; i++) {
		free(ev->experiments[i].hypotheses);
		free(ev->experiments[i].family);
		free(ev->experiments[i].family_registered);
		free(ev->experiments[i].family_changes);
	}
	free(ev->experiments);
	eks_strings_free(ev->strings, ev->strings_count);
	free(ev);
}

int eks_index_evaluations(eks_evaluations **out, eks_index *idx,
			  char *const *ids, size_t ids_count)
{
	static const char hyp_sql[] =
		"SELECT h.seq, h.id, h.outcome_id, h.test, h.estimator, h.family,"
		" h.arm, h.against, h.against_value, h.timepoint, h.baseline,"
		" v.method, v.has_estimate, v.estimate, v.ci_low, v.ci_high,"
		" v.conf_level, v.has_p, v.p_value, v.p_adjusted, v.verdict,"
		" v.reason, v.post_hoc, v.has_interval, v.ci_tost_low, v.ci_tost_high,"
		" v.tost_conf_level, v.in_family, v.rewritten"
		" FROM x_verdict v JOIN x_hypothesis h ON h.exp = v.exp AND h.seq = v.seq"
		" WHERE v.exp = ? ORDER BY v.seq";
	static const char grp_sql[] =
		"SELECT seq, arm, timepoint, has_data, is_count, n, events, mean, sd"
		" FROM x_verdict_group WHERE exp = ? ORDER BY seq, g";
	static const char fam_sql[] =
		"SELECT hypothesis_id, registered FROM x_family WHERE exp = ? ORDER BY seq";
	static const char chg_sql[] =
		"SELECT commit_id, hypothesis_id, added FROM x_family_change"
		" WHERE exp = ? ORDER BY seq";
	sqlite3_stmt *list = NULL, *hyp = NULL, *grp = NULL, *fam = NULL, *chg = NULL;
	eks_evaluations *ev;
	size_t alloc = 0, i = 0;
	int rc = 0, src;

	*out = NULL;
	if (!(ev = calloc(1, sizeof(*ev))))
		return eks_error_oom();
	src = sqlite3_prepare_v2(idx->db, ids
				 ? "SELECT key, id, status, errors, registered_commit, multiplicity"
				   " FROM x_experiment WHERE id = ?"
				 : "SELECT key, id, status, errors, registered_commit, multiplicity"
				   " FROM x_experiment ORDER BY id",
				 -1, &list, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(idx->db, hyp_sql, -1, &hyp, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(idx->db, grp_sql, -1, &grp, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(idx->db, fam_sql, -1, &fam, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(idx->db, chg_sql, -1, &chg, NULL);
	if (src != SQLITE_OK) {
		rc = sql_error(idx->db, src, "cannot read the index");
		goto done;
	}
	for (;;) {
		eks_evaluated *e;

		if (ids) {
			if (i == ids_count)
				break;
			sqlite3_reset(list);
			sqlite3_bind_text(list, 1, ids[i++], -1, SQLITE_STATIC);
		}
		src = sqlite3_step(list);
		if (src == SQLITE_DONE && ids)
			continue;                       /* not in the index */
		if (src == SQLITE_DONE)
			break;
		if (src != SQLITE_ROW) {
			rc = sql_error(idx->db, src, "cannot read the index");
			goto done;
		}
		if (ev->count == alloc) {
			eks_evaluated *grown;
			alloc = alloc ? alloc * 2 : 64;
			if (!(grown = realloc(ev->experiments, alloc * sizeof(*grown)))) {
				rc = eks_error_oom();
				goto done;
			}
			ev->experiments = grown;
		}
		e = &ev->experiments[ev->count++];
		memset(e, 0, sizeof(*e));
		if ((rc = keep_text(&e->id, ev, list, 1)) < 0 ||
		    (rc = keep_text(&e->status, ev, list, 2)) < 0 ||
		    (rc = keep_text(&e->registered_commit, ev, list, 4)) < 0 ||
		    (rc = keep_text(&e->multiplicity, ev, list, 5)) < 0)
			goto done;
		e->has_errors = sqlite3_column_int64(list, 3) > 0;
		if ((rc = read_verdicts(ev, e, hyp, grp, sqlite3_column_int64(list, 0))) < 0 ||
		    (rc = read_family(ev, e, fam, chg, sqlite3_column_int64(list, 0))) < 0)
			goto done;
	}
	*out = ev;
	ev = NULL;
done:
	sqlite3_finalize(list);
	sqlite3_finalize(hyp);
	sqlite3_finalize(grp);
	sqlite3_finalize(fam);
	sqlite3_finalize(chg);
	eks_evaluations_free(ev);
	return rc;
}

/* ---- the work tree --------------------------------------------------------- */

/*
 * Whether the work tree still holds what the indexed commit does costs a
 * read of git's index (20 000 entries: ~40 ms in libgit2) and an lstat of
 * every file, more than a whole query may take.  So the index keeps its
 * own stat data, per file, the way git's index does: x_worktree records
 * (size, mtime, ctime, inode) of a work-tree file together with the blob
 * its content hashed to.  When lstat gives the same data again, the
 * content is that blob without reading it.  As in git ("racy git"), data
 * recorded in the same second the file was last modified are not trusted:
 * a later write in that second could leave them unchanged.
 */

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* The blob the work-tree file `path` (full path `full`, stat `st`) holds,
 * as git would store it, into `hex`; remembered in x_worktree. */
static int worktree_blob(char hex[GIT_OID_HEXSZ + 1], eks_index *idx,
			 sqlite3_stmt *find, sqlite3_stmt *remember, const char *path,
			 const char *full, const struct stat *st, const char *committed)
{
	git_oid oid;

	sqlite3_bind_text(find, 1, path, -1, SQLITE_STATIC);
	if (sqlite3_step(find) == SQLITE_ROW &&
	    sqlite3_column_int64(find, 0) == (long long)st->st_size &&
	    sqlite3_column_int64(find, 1) == ns_of(&st->st_mtim) &&
	    sqlite3_column_int64(find, 2) == ns_of(&st->st_ctim) &&
	    sqlite3_column_int64(find, 3) == (long long)st->st_ino &&
	    (long long)st->st_mtim.tv_sec < sqlite3_column_int64(find, 5) &&
	    sqlite3_column_bytes(find, 4) == GIT_OID_HEXSZ) {
		memcpy(hex, sqlite3_column_text(find, 4), GIT_OID_HEXSZ + 1);
		sqlite3_reset(find);
		return 0;
	}
	sqlite3_reset(find);

	/* The raw bytes first: git's filters (end-of-line conversion) are
	 * looked up only when those differ from the commit. */
	if (git_odb_hashfile(&oid, full, GIT_OBJECT_BLOB) < 0)
		return eks_store_git_error(EKS_EIO, "cannot read a work-tree file");
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &oid);
	if (committed && strcmp(hex, committed) &&
	    git_repository_hashfile(&oid, idx->repo->git, path, GIT_OBJECT_BLOB, NULL) == 0)
		git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &oid);
	git_error_clear();

	/* Remembering is only a saving: a busy or read-only index is fine. */
	if (insert(idx->db, remember, "tkkkktk", path, (long long)st->st_size,
		   ns_of(&st->st_mtim), ns_of(&st->st_ctim), (long long)st->st_ino,
		   hex, (long long)time(NULL)) < 0)
		eks_error_clear();
	return 0;
}

/* Add `path` to `list` when the work-tree file differs from `committed`
 * (a blob id, NULL when the commit has no such file). */
static int check_worktree_file(eks_index *idx, sqlite3_stmt *find, sqlite3_stmt *remember,
			       const char *id, const char *name, const char *committed,
			       char ***list, size_t *n)
{
	char path[256], full[4096], hex[GIT_OID_HEXSZ + 1];
	struct stat st;
	int rc, differs;

	if ((size_t)snprintf(path, sizeof(path), "experiments/%s/%s", id, name) >= sizeof(path) ||
	    (size_t)snprintf(full, sizeof(full), "%s%s", idx->repo->workdir, path) >= sizeof(full))
		return 0;
	if (lstat(full, &st) < 0)
		differs = committed != NULL;            /* deleted (or never there) */
	else if (!S_ISREG(st.st_mode) || !committed)
		differs = 1;                            /* not a file, or not committed */
	else if ((rc = worktree_blob(hex, idx, find, remember, path, full, &st, committed)) < 0)
		return rc;
	else
		differs = strcmp(hex, committed) != 0;
	return differs ? add_string(list, n, path) : 0;
}

/* Add experiments/<name> for each directory under experiments/ in the
 * work tree that is not an experiment of the commit (sorted `known`). */
static int check_worktree_dirs(eks_index *idx, char **known, size_t known_count,
			       char ***list, size_t *n)
{
	char dir[4096], path[4096];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if ((size_t)snprintf(dir, sizeof(dir), "%sexperiments", idx->repo->workdir) >= sizeof(dir) ||
	    !(d = opendir(dir)))
		return 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;

		if (name[0] == '.' ||
		    bsearch(&name, known, known_count, sizeof(*known), compare_string_ptrs))
			continue;
		snprintf(path, sizeof(path), "experiments/%s", name);
		rc = add_string(list, n, path);
	}
	closedir(d);
	return rc;
}

int eks_index_uncommitted(char ***paths, size_t *count, eks_index *idx,
			  char *const *ids, size_t ids_count)
{
	static const char find_sql[] =
		"SELECT size, mtime, ctime, ino, blob, checked FROM x_worktree WHERE path = ?";
	static const char remember_sql[] =
		"INSERT OR REPLACE INTO x_worktree VALUES(?,?,?,?,?,?,?)";
	sqlite3_stmt *list_st = NULL, *find = NULL, *remember = NULL;
	char **found = NULL, **known = NULL;
	size_t nfound = 0, nknown = 0, i = 0;
	int rc = 0, src;

	*paths = NULL;
	*count = 0;
	src = sqlite3_prepare_v2(idx->db, ids
				 ? "SELECT e.id, f.protocol_blob, f.log_blob FROM x_experiment e"
				   " LEFT JOIN x_file f ON f.exp = e.key WHERE e.id = ?"
				 : "SELECT e.id, f.protocol_blob, f.log_blob FROM x_experiment e"
				   " LEFT JOIN x_file f ON f.exp = e.key ORDER BY e.id",
				 -1, &list_st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(idx->db, find_sql, -1, &find, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v2(idx->db, remember_sql, -1, &remember, NULL);
	if (src != SQLITE_OK) {
		rc = sql_error(idx->db, src, "cannot read the index");
		goto done;
	}
	for (;;) {
		char id[128];
		const unsigned char *blob;
		char protocol[GIT_OID_HEXSZ + 1] = "", log[GIT_OID_HEXSZ + 1] = "";

		if (ids) {
			if (i == ids_count)
				break;
			sqlite3_reset(list_st);
			sqlite3_bind_text(list_st, 1, ids[i++], -1, SQLITE_STATIC);
		}
		src = sqlite3_step(list_st);
		if (src == SQLITE_DONE && ids)
			continue;                       /* not an experiment here */
		if (src == SQLITE_DONE)
			break;
		if (src != SQLITE_ROW) {
			rc = sql_error(idx->db, src, "cannot read the index");
			goto done;
		}
		snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(list_st, 0));
		if ((blob = sqlite3_column_text(list_st, 1)) != NULL)
			snprintf(protocol, sizeof(protocol), "%s", (const char *)blob);
		if ((blob = sqlite3_column_text(list_st, 2)) != NULL)
			snprintf(log, sizeof(log), "%s", (const char *)blob);
		if (!ids && (rc = add_string(&known, &nknown, id)) < 0)
			goto done;
		if ((rc = check_worktree_file(idx, find, remember, id, "experiment.yaml",
					      protocol[0] ? protocol : NULL, &found, &nfound)) < 0 ||
		    (rc = check_worktree_file(idx, find, remember, id, "log.yaml",
					      log[0] ? log : NULL, &found, &nfound)) < 0)
			goto done;
	}
	if (!ids && (rc = check_worktree_dirs(idx, known, nknown, &found, &nfound)) < 0)
		goto done;
	if (nfound > 1)
		qsort(found, nfound, sizeof(*found), compare_string_ptrs);
	*paths = found;
	*count = nfound;
	found = NULL;
	nfound = 0;
done:
	sqlite3_finalize(list_st);
	sqlite3_finalize(find);
	sqlite3_finalize(remember);
	eks_strings_free(found, nfound);
	eks_strings_free(known, nknown);
	return rc;
}

int eks_index_experiments(eks_rows **out, eks_index *idx, const eks_query *filter)
{
	eks_buf sql = EKS_BUF_INIT;
	int rc;

	eks_buf_puts(&sql, "SELECT e.* FROM experiments e");
	if (filter && filter->where_sql)
		eks_buf_printf(&sql, " WHERE (%s)", filter->where_sql);
	/* "+": scan the table and sort what matched, rather than visit every
	 * row in id order through the index (most queries match few rows) */
	eks_buf_puts(&sql, " ORDER BY +e.id");
	if (eks_buf_oom(&sql)) {
		eks_buf_dispose(&sql);
		*out = NULL;
		return eks_error_oom();
	}
	rc = select_rows(out, idx, sql.ptr, filter);
	eks_buf_dispose(&sql);
	return rc;
}

int eks_index_export(eks_rows **out, eks_index *idx, eks_export_what what)
{
	static const char *const sql[] = {
		"SELECT * FROM experiments ORDER BY id",
		"SELECT e.id AS experiment_id, en.id AS entry_id, x.outcome_id,"
		" x.arm_id, x.timepoint_id, x.n, x.events, x.mean, x.sd, x.value,"
		" en.recorded_at"
		" FROM x_experiment e JOIN x_observation x ON x.exp = e.key"
		" JOIN x_entry en ON en.exp = x.exp AND en.seq = x.entry_seq"
		" ORDER BY e.id, x.seq",
		"SELECT e.id AS experiment_id, h.id, h.outcome_id, h.test,"
		" h.estimator, h.method, h.alpha, h.margin, h.family, h.statement,"
		" v.verdict, v.estimate, v.ci_low, v.ci_high, v.p_value,"
		" v.p_adjusted, v.post_hoc"
		" FROM x_experiment e JOIN x_hypothesis h ON h.exp = e.key"
		" LEFT JOIN x_verdict v ON v.exp = h.exp AND v.seq = h.seq"
		" ORDER BY e.id, h.seq",
	};

	*out = NULL;
	if ((unsigned)what >= 3)
		return eks_error_set(EKS_EUSAGE, "unknown kind of export");
	return select_rows(out, idx, sql[what], NULL);
}

/* ---- the read-only path of `sql` ------------------------------------------ */

/* PRAGMAs that only report.  Those marked 1 take a table or index name
 * as their argument; the others take none (with a value they would
 * change something). */
static const struct {
	const char *name;
	int takes_name;
} report_pragmas[] = {
	{ "table_info", 1 }, { "table_xinfo", 1 }, { "index_list", 1 },
	{ "index_info", 1 }, { "index_xinfo", 1 }, { "foreign_key_list", 1 },
	{ "table_list", 1 }, { "integrity_check", 1 }, { "quick_check", 1 },
	{ "collation_list", 0 }, { "function_list", 0 }, { "module_list", 0 },
	{ "pragma_list", 0 }, { "database_list", 0 }, { "compile_options", 0 },
	{ "user_version", 0 }, { "schema_version", 0 }, { "application_id", 0 },
	{ "data_version", 0 }, { "encoding", 0 }, { "page_count", 0 },
	{ "page_size", 0 }, { "freelist_count", 0 },
};

/* What the authorizer refused, for the message. */
struct refusal {
	char what[200];
};

/* Remember the first thing refused: `what`, followed by 'name' when
 * given. */
static void refuse(struct refusal *r, const char *what, const char *name)
{
	if (!r || r->what[0])
		return;
	if (name)
		snprintf(r->what, sizeof(r->what), "%s '%s'", what, name);
	else
		snprintf(r->what, sizeof(r->what), "%s", what);
}

/*
 * The authorizer of the read-only connection (https://sqlite.org/c3ref/
 * set_authorizer.html): everything is refused except reading.  It is
 * consulted while a statement is compiled, so a refused statement never
 * runs.
 */
static int authorize(void *data, int action, const char *a1, const char *a2,
		     const char *database, const char *trigger)
{
	struct refusal *r = data;
	size_t i;

	(void)database;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		/* a2 is the function's name */
		if (a2 && !strcasecmp(a2, "load_extension")) {
			refuse(r, "load an extension", NULL);
			return SQLITE_DENY;
		}
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		for (i = 0; a1 && i < sizeof(report_pragmas) / sizeof(report_pragmas[0]); i++)
			if (!strcasecmp(a1, report_pragmas[i].name) &&
			    (!a2 || report_pragmas[i].takes_name))
				return SQLITE_OK;
		if (r && !r->what[0])
			snprintf(r->what, sizeof(r->what), "change the setting '%s' "
				 "(only PRAGMAs that report, such as table_info, "
				 "are allowed)", a1 ? a1 : "");
		return SQLITE_DENY;
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		if (a1 && !strncmp(a1, "sqlite_", 7))
			refuse(r, "change the schema of the index (create, drop or "
			       "alter a table, view, index or trigger)", NULL);
		else
			refuse(r, "write to", a1);
		return SQLITE_DENY;
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		refuse(r, "attach or detach a database", NULL);
		return SQLITE_DENY;
	case SQLITE_TRANSACTION:
	case SQLITE_SAVEPOINT:
		refuse(r, "begin or end a transaction", NULL);
		return SQLITE_DENY;
	default:
		refuse(r, "change the index (create, drop, alter or rebuild "
		       "something)", NULL);
		return SQLITE_DENY;
	}
}

static void close_ro(sqlite3 *ro)
{
	if (!ro)
		return;
	sqlite3_set_authorizer(ro, NULL, NULL);
	sqlite3_exec(ro, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(ro);
}

/* Open a read-only connection with a snapshot at the index's commit;
 * 1 when the index has moved on meanwhile. */
static int open_ro(sqlite3 **out, eks_index *idx, struct refusal *refusal)
{
	char value[EKS_COMMIT_HEX + 8];
	sqlite3 *ro = NULL;
	int src;

	*out = NULL;
	src = sqlite3_open_v2(idx->path, &ro, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (src == SQLITE_OK) {
		sqlite3_extended_result_codes(ro, 0);
		sqlite3_busy_timeout(ro, BUSY_TIMEOUT_MS);
		/* Belt and braces: no extensions, no attached databases, no
		 * schema tricks, even if the authorizer let something by. */
		sqlite3_db_config(ro, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
		sqlite3_db_config(ro, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
		sqlite3_db_config(ro, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
#endif
		sqlite3_limit(ro, SQLITE_LIMIT_ATTACHED, 0);
		src = sqlite3_exec(ro, "BEGIN", NULL, NULL, NULL);
	}
	if (src == SQLITE_OK)
		src = query_text(ro, "SELECT value FROM meta WHERE key = 'commit'",
				 value, sizeof(value));
	if (src != SQLITE_OK) {
		int rc = sql_error(ro, src, "cannot open the index");
		close_ro(ro);
		return rc;
	}
	if (strcmp(value, idx->commit)) {
		close_ro(ro);
		return 1;
	}
	sqlite3_set_authorizer(ro, authorize, refusal);
	*out = ro;
	return 0;
}

/* Whether `tail` holds nothing but spaces, semicolons and comments. */
static int only_comments(const char *tail)
{
	const char *p = tail;

	while (*p) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f' || *p == ';') {
			p++;
		} else if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			if (!end)
				return 1;     /* an unclosed comment runs to the end */
			p = end + 2;
		} else {
			return 0;
		}
	}
	return 1;
}

static int error_offset(sqlite3 *db)
{
#if SQLITE_VERSION_NUMBER >= 3038000
	return sqlite3_error_offset(db);
#else
	(void)db;
	return -1;
#endif
}

int eks_index_sql(eks_rows **out, eks_index *idx, const char *statement,
		  int *offset)
{
	eks_rows *rows = NULL;
	sqlite3 *ro = NULL;
	struct refusal refusal;
	const char *tail = NULL;
	int attempt, rc = 0, src;

	memset(&refusal, 0, sizeof(refusal));
	*out = NULL;
	if (offset)
		*offset = -1;
	if (!statement || only_comments(statement))
		return eks_error_set(EKS_EUSAGE, "no SQL statement given; write one, "
				     "such as SELECT id, status FROM experiments");
	for (attempt = 0; !ro; attempt++) {
		rc = open_ro(&ro, idx, &refusal);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		/* Another process moved the index: bring it back. */
		if (attempt + 1 >= MAX_ATTEMPTS)
			return eks_error_set(EKS_ELOCKED, "the index keeps being moved to "
					     "other commits by other eksperiment "
					     "processes; try again");
		if ((rc = bring_to(idx, idx->commit, 0)) < 0)
			return rc;
	}
	if (!(rows = calloc(1, sizeof(*rows)))) {
		close_ro(ro);
		return eks_error_oom();
	}
	rows->index = idx;
	rows->db = ro;
	rows->ro = 1;
	src = sqlite3_prepare_v2(ro, statement, -1, &rows->st, &tail);
	if (src == SQLITE_AUTH || refusal.what[0]) {
		rc = eks_error_set(EKS_EREFUSED, "refused: eksperiment sql only reads, "
				   "and this statement would %s",
				   refusal.what[0] ? refusal.what : "change the index");
		goto fail;
	}
	/* A write that SQLite rejects before asking the authorizer (a
	 * DELETE from a view, an INSERT into a table that does not exist)
	 * is still a write: refused, whatever else is wrong with it.  Text
	 * that is not SQL at all is a mistake. */
	if (src != SQLITE_OK && code_of(src) == EKS_ESQL &&
	    !eks_sql_is_syntax_error(sqlite3_errmsg(ro)) &&
	    eks_sql_writes(refusal.what, sizeof(refusal.what), statement)) {
		rc = eks_error_set(EKS_EREFUSED, "refused: eksperiment sql only reads, "
				   "and this statement would %s", refusal.what);
		goto fail;
	}
	if (src != SQLITE_OK) {
		if (offset)
			*offset = error_offset(ro);
		rc = code_of(src) == EKS_ESQL
			? eks_error_set(EKS_EUSAGE, "%s", sqlite3_errmsg(ro))
			: sql_error(ro, src, "cannot read the index");
		goto fail;
	}
	if (!rows->st) {
		rc = eks_error_set(EKS_EUSAGE, "no SQL statement given; write one, "
				   "such as SELECT id, status FROM experiments");
		goto fail;
	}
	if (tail && !only_comments(tail)) {
		if (offset)
			*offset = (int)(tail - statement);
		rc = eks_error_set(EKS_EUSAGE, "give one SQL statement at a time; a "
				   "second one starts at byte %d",
				   (int)(tail - statement) + 1);
		goto fail;
	}
	/* VACUUM (INTO) compiles without asking the authorizer; anything
	 * that is not read-only is refused here. */
	if (!sqlite3_stmt_readonly(rows->st)) {
		rc = eks_error_set(EKS_EREFUSED, "refused: eksperiment sql only reads, "
				   "and this statement would write");
		goto fail;
	}
	src = prefetch(rows);
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		rc = eks_rows_next(rows);
		goto fail;
	}
	*out = rows;
	return 0;
fail:
	eks_rows_free(rows);
	return rc;
}

/* ---- rows --------------------------------------------------------------- */

int eks_rows_next(eks_rows *rows)
{
	int src;

	if (rows->has_pending) {
		src = rows->pending;
		rows->has_pending = 0;
	} else {
		src = sqlite3_step(rows->st);
	}
	if (src == SQLITE_ROW)
		return 1;
	if (src == SQLITE_DONE)
		return 0;
	if (src == SQLITE_AUTH)
		return eks_error_set(EKS_EREFUSED, "refused: eksperiment sql only "
				     "reads (%s)", sqlite3_errmsg(rows->db));
	if (rows->ro && code_of(src) == EKS_ESQL)
		return eks_error_set(EKS_EUSAGE, "%s", sqlite3_errmsg(rows->db));
	if (is_damage(src))
		return eks_error_set(EKS_ECORRUPT, "the index is damaged (%s); run "
				     "'eksperiment reindex'", sqlite3_errmsg(rows->db));
	return sql_error(rows->db, src, "cannot read the index");
}

size_t eks_rows_columns(const eks_rows *rows)
{
	return (size_t)sqlite3_column_count(rows->st);
}

const char *eks_rows_name(const eks_rows *rows, size_t column)
{
	const char *name = sqlite3_column_name(rows->st, (int)column);

	return name ? name : "";
}

eks_value_type eks_rows_type(eks_rows *rows, size_t column)
{
	switch (sqlite3_column_type(rows->st, (int)column)) {
	case SQLITE_INTEGER:
		return EKS_VALUE_INTEGER;
	case SQLITE_FLOAT:
		return EKS_VALUE_REAL;
	case SQLITE_NULL:
		return EKS_VALUE_NULL;
	default:
		return EKS_VALUE_TEXT;   /* text, and blobs as text */
	}
}

const char *eks_rows_text(eks_rows *rows, size_t column)
{
	return (const char *)sqlite3_column_text(rows->st, (int)column);
}

long long eks_rows_int(eks_rows *rows, size_t column)
{
	return sqlite3_column_int64(rows->st, (int)column);
}

double eks_rows_real(eks_rows *rows, size_t column)
{
	return sqlite3_column_double(rows->st, (int)column);
}

void eks_rows_free(eks_rows *rows)
{
	if (!rows)
		return;
	sqlite3_finalize(rows->st);
	if (rows->ro)
		close_ro(rows->db);
	free(rows);
}
