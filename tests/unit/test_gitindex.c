/*
 * test_gitindex.c - git's index read and updated in place (lib/gitindex.c)
 * and the SHA-1 under it (lib/sha1.c).
 *
 * The indexes are made by the git CLI in a fresh repository per test, and
 * what gitindex.c writes is checked with the git CLI again: git is the
 * judge of its own file format.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <git2.h>

#include "eksperiment/error.h"
#include "gitindex_internal.h"
#include "sha1_internal.h"

static char home[256];
static char dir[512];
static char index_path[600];

/* ---- helpers ------------------------------------------------------------ */

static void write_text(const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Run a shell command in `dir`; its exit status, its output in `out`. */
__attribute__((format(printf, 3, 4)))
static int sh(char *out, size_t size, const char *fmt, ...)
{
	char cmd[4096], line[1024];
	size_t used = 0;
	va_list ap;
	FILE *p;
	int n;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ( ", dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	strncat(cmd, " ) 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (out)
		out[0] = '\0';
	while (fgets(line, sizeof(line), p)) {
		size_t len = strlen(line);

		if (out && used + len < size) {
			memcpy(out + used, line, len + 1);
			used += len;
		}
	}
	return WEXITSTATUS(pclose(p));
}

/* The output of a command that must succeed, without the last newline. */
static const char *sh_out(const char *cmd)
{
	static char out[8192];
	size_t n;

	assert_int_equal(sh(out, sizeof(out), "%s", cmd), 0);
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[n - 1] = '\0';
	return out;
}

static unsigned char *file_bytes(const char *path, size_t *len)
{
	unsigned char *buf = malloc(8 << 20);
	FILE *f = fopen(path, "rb");

	assert_non_null(buf);
	assert_non_null(f);
	*len = fread(buf, 1, 8 << 20, f);
	fclose(f);
	return buf;
}

static void put_file(const char *path, const unsigned char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void hex_of(char out[41], const unsigned char *digest)
{
	int i;

	for (i = 0; i < 20; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

/* A repository with a few committed files and git's cached trees. */
static void make_repository(void)
{
	assert_int_equal(sh(NULL, 0, "git init -q . && mkdir -p d e && echo a > a && "
			    "echo b > d/b && echo c > d/c && echo f > e/f && git add -A && "
			    "git commit -q -m one && git write-tree > /dev/null"), 0);
}

/* The change of `rel` to the content now in the work tree (stored in git). */
static void change_of(eks_gitindex_change *c, const char *rel)
{
	char path[1024], cmd[1200];

	memset(c, 0, sizeof(*c));
	c->path = rel;
	c->mode = GIT_FILEMODE_BLOB;
	snprintf(cmd, sizeof(cmd), "git hash-object -w %s", rel);
	assert_int_equal(git_oid_fromstr(&c->id, sh_out(cmd)), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(lstat(path, &c->st), 0);
}

static char workdir[600];

/* ---- fixture ------------------------------------------------------------ */

static int group_setup(void **state)
{
	char path[512];
	FILE *f;

	snprintf(home, sizeof(home), "/tmp/eks-gitindex-home-XXXXXX");
	if (!mkdtemp(home))
		return -1;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	snprintf(path, sizeof(path), "%s/.gitconfig", home);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs("[user]\n\tname = Kari Nordmann\n\temail = kari@molde.example\n"
	      "[init]\n\tdefaultBranch = main\n", f);
	fclose(f);
	git_libgit2_init();
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[400];

	git_libgit2_shutdown();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/eks-gitindex-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(index_path, sizeof(index_path), "%s/.git/index", dir);
	snprintf(workdir, sizeof(workdir), "%s/", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- SHA-1 -------------------------------------------------------------- */

/* FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values"). */
static void test_gitindex_sha1_known_answers(void **state)
{
	static const struct {
		const char *text;
		const char *hex;
	} known[] = {
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	};
	unsigned char digest[EKS_SHA1_SIZE];
	char hex[41], *million = malloc(1000000);
	size_t i;

	assert_non_null(million);
	memset(million, 'a', 1000000);
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		eks_sha1_buffer(digest, known[i].text, strlen(known[i].text));
		hex_of(hex, digest);
		assert_string_equal(hex, known[i].hex);
	}
	eks_sha1_buffer(digest, million, 1000000);
	hex_of(hex, digest);
	assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(million);
}

/* Any split of the input gives the digest of the whole. */
static void test_gitindex_sha1_pieces_match_one_pass(void **state)
{
	unsigned char data[3000], whole[EKS_SHA1_SIZE], pieces[EKS_SHA1_SIZE];
	size_t i, len, pos;
	int round;

	srand(7);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)rand();
	for (round = 0; round < 300; round++) {
		eks_sha1 ctx;

		len = (size_t)rand() % sizeof(data);
		eks_sha1_buffer(whole, data, len);
		eks_sha1_init(&ctx);
		for (pos = 0; pos < len;) {
			size_t take = (size_t)rand() % 150;

			if (take > len - pos)
				take = len - pos;
			eks_sha1_update(&ctx, data + pos, take);
			pos += take;
		}
		eks_sha1_final(pieces, &ctx);
		assert_memory_equal(whole, pieces, EKS_SHA1_SIZE);
	}
}

/* ---- reading ------------------------------------------------------------ */

static void test_gitindex_missing_file_is_no_index(void **state)
{
	const char *paths[] = { "a" };
	eks_gitindex *ix = (eks_gitindex *)1;

	assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 1), 0);
	assert_null(ix);
	eks_gitindex_free(NULL);
}

static void assert_entry(const eks_gitindex *ix, const char *path, const char *rev)
{
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];

	assert_int_equal(eks_gitindex_find(&id, ix, path), 1);
	git_oid_tostr(hex, sizeof(hex), &id);
	assert_string_equal(hex, sh_out(rev));
}

/* Every version git writes, and the entries a write must leave to libgit2. */
static void test_gitindex_reads_what_git_writes(void **state)
{
	const char *paths[] = { "d/b", "e/f", "nope", "d", "a", "i", "d/c" };
	eks_gitindex *ix = NULL;
	git_oid id;
	int version;

	make_repository();
	for (version = 2; version <= 4; version++) {
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "git update-index --index-version %d", version);
		sh_out(cmd);
		assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 7), 0);
		assert_non_null(ix);
		assert_entry(ix, "d/b", "git rev-parse :d/b");
		assert_entry(ix, "e/f", "git rev-parse :e/f");
		assert_entry(ix, "a", "git rev-parse :a");
		assert_int_equal(eks_gitindex_find(&id, ix, "nope"), 0);
		assert_int_equal(eks_gitindex_find(&id, ix, "d"), 0);     /* a directory */
		assert_int_equal(eks_gitindex_find(&id, ix, "not asked"), 0);
		assert_true(eks_gitindex_plain(ix, "d/b"));
		assert_false(eks_gitindex_plain(ix, "nope"));
		eks_gitindex_free(ix);
	}

	/* Flags: intent-to-add (version 3), skip-worktree, assume-valid. */
	assert_int_equal(sh(NULL, 0, "echo i > i && git add -N i && "
			    "git update-index --skip-worktree e/f --assume-unchanged a"), 0);
	assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 7), 0);
	assert_entry(ix, "i", "git ls-files -s i | cut -d ' ' -f 2");
	assert_false(eks_gitindex_plain(ix, "i"));
	assert_false(eks_gitindex_plain(ix, "e/f"));
	assert_false(eks_gitindex_plain(ix, "a"));
	assert_true(eks_gitindex_plain(ix, "d/b"));
	eks_gitindex_free(ix);

	/* A conflict: stages 1-3, no stage 0. */
	assert_int_equal(sh(NULL, 0, "git update-index --no-skip-worktree e/f "
			    "--no-assume-unchanged a && git rm -q --cached i && rm i && "
			    "git checkout -q -b other && echo other > d/c && git commit -qam other && "
			    "git checkout -q main && echo mine > d/c && git commit -qam mine && "
			    "! git merge -q other"), 0);
	assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 7), 0);
	assert_int_equal(eks_gitindex_find(&id, ix, "d/c"), 0);
	assert_false(eks_gitindex_plain(ix, "d/c"));
	assert_true(eks_gitindex_plain(ix, "d/b"));
	eks_gitindex_free(ix);
}

static void assert_refused(const char *why)
{
	const char *paths[] = { "a" };
	eks_gitindex *ix = (eks_gitindex *)1;

	assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 1), EKS_ECORRUPT);
	assert_null(ix);
	assert_non_null(strstr(eks_error_last()->message, why));
}

/* Rewrite the index with `len` bytes and a correct checksum. */
static void put_index(unsigned char *data, size_t len)
{
	eks_sha1_buffer(data + len - EKS_SHA1_SIZE, data, len - EKS_SHA1_SIZE);
	put_file(index_path, data, len);
}

static void test_gitindex_refuses_what_it_does_not_know(void **state)
{
	unsigned char *good, *bad;
	size_t len;

	make_repository();
	good = file_bytes(index_path, &len);
	bad = malloc(len);

	memcpy(bad, good, len);
	bad[40] ^= 1;                                   /* a changed byte */
	put_file(index_path, bad, len);
	assert_refused("checksum");

	put_file(index_path, good, len - 30);           /* cut short */
	assert_refused("");

	put_file(index_path, good, 20);                 /* not even a header */
	assert_refused("plausible size");

	memcpy(bad, good, len);
	bad[0] = 'X';                                   /* not an index */
	put_index(bad, len);
	assert_refused("DIRC");

	memcpy(bad, good, len);
	bad[7] = 5;                                     /* a future version */
	put_index(bad, len);
	assert_refused("version");

	memcpy(bad, good, len);
	bad[12 + 62 + 1] = 'X';                         /* path longer than its flags say */
	put_index(bad, len);
	assert_refused("path length");

	/* What git itself makes and libgit2 has to deal with: a split index. */
	put_file(index_path, good, len);
	assert_int_equal(sh(NULL, 0, "git update-index --split-index"), 0);
	assert_refused("'link'");
	free(good);
	free(bad);
}

/* ---- writing ------------------------------------------------------------ */

/* The `git ls-files --debug` lines of every path but `except`. */
static char *debug_except(const char *except)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "git ls-files -s --debug | awk '/^[0-9]/ { keep = ($4 != "
		 "\"%s\") } keep'", except);
	return strdup(sh_out(cmd));
}

static void test_gitindex_write_replaces_an_entry_as_git_would(void **state)
{
	const char *paths[] = { "d/b" };
	eks_gitindex_change change;
	eks_gitindex *ix = NULL;
	char *others_before, *others_after, want[512];
	int version;

	make_repository();
	for (version = 2; version <= 4; version++) {
		char cmd[200], text[64];

		/* git writes version 3 only when an entry has extended flags */
		snprintf(cmd, sizeof(cmd), "git reset -q --hard && git update-index "
			 "--%sskip-worktree e/f && git update-index --index-version %d",
			 version == 3 ? "" : "no-", version);
		sh_out(cmd);
		others_before = debug_except("d/b");
		snprintf(text, sizeof(text), "b, version %d\n", version);
		write_text("d/b", text);
		change_of(&change, "d/b");
		assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 1), 0);
		assert_int_equal(eks_gitindex_write(ix, &change, 1, NULL, 0, workdir), 0);
		assert_int_equal(eks_gitindex_write(ix, &change, 1, NULL, 0, workdir),
				 EKS_GITINDEX_STALE);          /* once only */
		eks_gitindex_free(ix);

		/* git reads it (fsck checks its checksum), sees the file as staged
		 * and the work tree as clean, and the other entries as they were */
		assert_int_equal(sh(NULL, 0, "git fsck --no-dangling"), 0);
		assert_string_equal(sh_out("git diff --cached --name-only"), "d/b");
		assert_int_equal(sh(NULL, 0, "git diff --quiet"), 0);
		snprintf(want, sizeof(want), "100644 %s 0\td/b", sh_out("git hash-object d/b"));
		assert_string_equal(sh_out("git ls-files -s d/b"), want);
		snprintf(want, sizeof(want), "  mtime: %ld:%ld", (long)change.st.st_mtim.tv_sec,
			 change.st.st_mtim.tv_nsec);
		assert_string_equal(sh_out("git ls-files --debug d/b | sed -n 3p"), want);
		others_after = debug_except("d/b");
		assert_string_equal(others_after, others_before);
		snprintf(want, sizeof(want), "%d", version);
		assert_string_equal(sh_out("od -An -tu1 -j7 -N1 .git/index | tr -d ' '"), want);
		/* the cached trees above d/b were not said to be anything:
		 * invalidated, so git builds them again */
		assert_int_equal(sh(NULL, 0, "git commit -qm 'd/b' && git status --porcelain | "
				    "grep -q . && exit 1; git fsck --no-dangling"), 0);
		free(others_before);
		free(others_after);
	}
}

/* index.lock of another git command: nothing is written, and the lock
 * is not ours to remove. */
static void test_gitindex_write_leaves_a_held_lock_alone(void **state)
{
	const char *paths[] = { "a" };
	eks_gitindex_change change;
	eks_gitindex *ix = NULL;
	unsigned char *before, *after;
	size_t len_before, len_after;
	char lock[700];

	make_repository();
	write_text("a", "changed\n");
	change_of(&change, "a");
	before = file_bytes(index_path, &len_before);
	assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 1), 0);
	snprintf(lock, sizeof(lock), "%s.lock", index_path);
	put_file(lock, (const unsigned char *)"", 0);
	assert_int_equal(eks_gitindex_write(ix, &change, 1, NULL, 0, workdir), EKS_EGIT);
	assert_non_null(strstr(eks_error_last()->message, "index.lock' exists"));
	assert_int_equal(access(lock, F_OK), 0);
	after = file_bytes(index_path, &len_after);
	assert_int_equal(len_after, len_before);
	assert_memory_equal(after, before, len_before);
	eks_gitindex_free(ix);
	free(before);
	free(after);
}

/* Another program changes the index between reading and writing: its
 * change stays, nothing is written, no lock is left behind. */
static void test_gitindex_write_notices_a_changed_index(void **state)
{
	const char *paths[] = { "a" };
	eks_gitindex_change change;
	eks_gitindex *ix = NULL;
	char lock[700];

	make_repository();
	write_text("a", "changed\n");
	change_of(&change, "a");
	assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 1), 0);
	assert_int_equal(sh(NULL, 0, "echo new > new && git add new"), 0);
	assert_int_equal(eks_gitindex_write(ix, &change, 1, NULL, 0, workdir),
			 EKS_GITINDEX_STALE);
	eks_gitindex_free(ix);
	snprintf(lock, sizeof(lock), "%s.lock", index_path);
	assert_int_equal(access(lock, F_OK), -1);
	assert_string_equal(sh_out("git status --porcelain"), " M a\nA  new");
}

/* The cached trees: the one that was the old tree becomes the new one;
 * one that held something else, or that the caller did not name, is
 * invalidated.  git write-tree trusts valid cached trees, so it shows
 * both a wrong id and a missing invalidation. */
static void test_gitindex_write_updates_the_cached_trees(void **state)
{
	const char *paths[] = { "d/b" };
	eks_gitindex_change change;
	eks_gitindex_tree dirs[2];
	eks_gitindex *ix = NULL;
	char expected[64], cmd[200];

	make_repository();
	write_text("d/b", "b2\n");
	change_of(&change, "d/b");
	/* The trees git would make: a temporary index, from scratch. */
	strcpy(expected, sh_out("GIT_INDEX_FILE=.git/tmp git read-tree HEAD && "
				"GIT_INDEX_FILE=.git/tmp git add d/b && "
				"GIT_INDEX_FILE=.git/tmp git write-tree && rm .git/tmp"));
	memset(dirs, 0, sizeof(dirs));
	dirs[0].dir = "";
	dirs[0].has_old = 1;
	git_oid_fromstr(&dirs[0].old_id, sh_out("git rev-parse HEAD^{tree}"));
	git_oid_fromstr(&dirs[0].new_id, expected);
	dirs[1].dir = "d";
	dirs[1].has_old = 1;
	git_oid_fromstr(&dirs[1].old_id, sh_out("git rev-parse HEAD:d"));
	snprintf(cmd, sizeof(cmd), "git rev-parse %s:d", expected);
	git_oid_fromstr(&dirs[1].new_id, sh_out(cmd));
	assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 1), 0);
	assert_int_equal(eks_gitindex_write(ix, &change, 1, dirs, 2, workdir), 0);
	eks_gitindex_free(ix);
	assert_string_equal(sh_out("git write-tree"), expected);
	assert_string_equal(sh_out("git ls-files -s d/b | cut -d ' ' -f 2"),
			    sh_out("git hash-object d/b"));

	/* Something else staged under d: its cached tree is not the old one
	 * any more, so it is invalidated, not replaced. */
	sh_out("git reset -q --hard && echo x > d/x && git add d/x && git write-tree");
	write_text("d/b", "b3\n");
	change_of(&change, "d/b");
	strcpy(expected, sh_out("GIT_INDEX_FILE=.git/tmp git read-tree HEAD && "
				"GIT_INDEX_FILE=.git/tmp git add d/b d/x && "
				"GIT_INDEX_FILE=.git/tmp git write-tree && rm .git/tmp"));
	assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 1), 0);
	assert_int_equal(eks_gitindex_write(ix, &change, 1, dirs, 2, workdir), 0);
	eks_gitindex_free(ix);
	assert_string_equal(sh_out("git write-tree"), expected);
}

/* Optional extensions git rebuilds (here the untracked cache) are left
 * out, as libgit2 leaves them out; git's answers stay right. */
static void test_gitindex_write_drops_caches_git_rebuilds(void **state)
{
	const char *paths[] = { "a" };
	eks_gitindex_change change;
	eks_gitindex *ix = NULL;

	make_repository();
	assert_int_equal(sh(NULL, 0, "git config core.untrackedCache true && "
			    "echo u > untracked && git status --porcelain > /dev/null && "
			    "grep -q UNTR .git/index"), 0);
	write_text("a", "a2\n");
	change_of(&change, "a");
	assert_int_equal(eks_gitindex_open(&ix, index_path, paths, 1), 0);
	assert_int_equal(eks_gitindex_write(ix, &change, 1, NULL, 0, workdir), 0);
	eks_gitindex_free(ix);
	assert_int_equal(sh(NULL, 0, "grep -q UNTR .git/index"), 1);
	assert_string_equal(sh_out("git status --porcelain"), "M  a\n?? untracked");
	assert_int_equal(sh(NULL, 0, "git fsck --no-dangling"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gitindex_sha1_known_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitindex_sha1_pieces_match_one_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitindex_missing_file_is_no_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitindex_reads_what_git_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitindex_refuses_what_it_does_not_know, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitindex_write_replaces_an_entry_as_git_would, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitindex_write_leaves_a_held_lock_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitindex_write_notices_a_changed_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitindex_write_updates_the_cached_trees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gitindex_write_drops_caches_git_rebuilds, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
