/*
 * gitindex.c - git's index file, read and updated in place for the few
 * paths a write changes (see gitindex_internal.h for why and what).
 *
 * The format (gitformat-index(5)):
 *
 *   header    "DIRC", version (2, 3 or 4), number of entries: 32-bit
 *             big-endian each
 *   entries   sorted by path, then stage.  Each: ctime s, ns, mtime s, ns,
 *             dev, ino, mode, uid, gid, size (32 bits each), the object
 *             id (20 bytes), flags (16 bits: assume-valid, extended,
 *             2 bits of stage, 12 bits of path length), in version 3+
 *             16 more bits of flags when "extended" is set, then the path:
 *             versions 2 and 3 NUL-terminated and padded with NULs to a
 *             multiple of 8 bytes (at least one NUL); version 4 as the
 *             number of bytes to drop from the end of the previous
 *             entry's path (a varint as in OFS_DELTA) and the
 *             NUL-terminated rest, without padding
 *   extensions  4-byte signature (uppercase first letter: optional),
 *             32-bit size, data
 *   checksum  SHA-1 of everything before it
 *
 * The cached trees (TREE extension) are a pre-order list of nodes:
 * "<name>\0<entries> <subtrees>\n" followed by the tree id when <entries>
 * is not negative (a negative count marks an invalidated tree); the root
 * has the empty name and each node's <subtrees> children follow it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "eksperiment/error.h"
#include "gitindex_internal.h"
#include "sha1_internal.h"

#define HEADER_SIZE   12
#define FIXED_SIZE    62          /* stat data, object id and flags */
#define F_ASSUME_VALID 0x8000
#define F_EXTENDED    0x4000
#define F_STAGE       0x3000
#define F_NAME_LENGTH 0x0fff
#define MODE_TYPE     0170000
#define MODE_FILE     0100000
#define MODE_LINK     0120000
#define MODE_GITLINK  0160000
#define MAX_IOV       1024        /* POSIX guarantees IOV_MAX >= 16; Linux has 1024 */

typedef struct wanted {
	const char *path;
	size_t len;
	size_t entries;        /* entries with this path, at any stage */
	size_t offset;         /* of its stage-0 entry */
	int stage0;
	int plain;
} wanted;

typedef struct racy_entry {
	size_t offset;
	char *path;
} racy_entry;

typedef struct extension {
	size_t offset;         /* of its signature */
	uint32_t size;         /* of its data */
} extension;

struct eks_gitindex {
	char *path;
	unsigned char *map;
	size_t size;
	struct stat st;        /* of the file that was read */
	uint32_t version;
	wanted *wanted;
	size_t nwanted;
	racy_entry *racy;
	size_t nracy, racy_cap;
	extension *ext;
	size_t next;
	int written;
};

/* A replacement of `len` bytes at `offset` of the old file by `data`. */
typedef struct patch {
	size_t offset;
	size_t len;
	size_t dlen;
	unsigned char data[64];
} patch;

typedef struct patches {
	patch *items;
	size_t count;
} patches;

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int corrupt(const eks_gitindex *ix, const char *why)
{
	return eks_error_set(EKS_ECORRUPT, "cannot use git's index '%s': %s", ix->path, why);
}

/*
 * The varint of version 4 paths (git's varint.c, the OFS_DELTA offset
 * encoding): seven bits a byte, high bit set when more follow, and each
 * continuation adds one before shifting.  0 when it runs past `end` or
 * overflows.
 */
static int get_varint(size_t *out, const unsigned char **p, const unsigned char *end)
{
	const unsigned char *q = *p;
	size_t v;
	unsigned char c;

	if (q >= end)
		return 0;
	c = *q++;
	v = c & 127;
	while (c & 128) {
		if (q >= end || v > (SIZE_MAX >> 8))
			return 0;
		c = *q++;
		v = ((v + 1) << 7) | (c & 127);
	}
	*out = v;
	*p = q;
	return 1;
}

/* Changed no earlier than the index file was written (libgit2's rule,
 * with nanoseconds; git without USE_NSEC compares seconds only, which is
 * stricter and so also served by the smudging). */
static int is_racy(const unsigned char *e, const struct stat *st)
{
	uint32_t sec = get32(e + 8), nsec = get32(e + 12);
	uint32_t isec = (uint32_t)st->st_mtim.tv_sec, insec = (uint32_t)st->st_mtim.tv_nsec;

	return sec > isec || (sec == isec && nsec >= insec);
}

/* Usually none or one; on a file system with coarse times, many. */
static int add_racy(eks_gitindex *ix, size_t offset, const unsigned char *path, size_t len)
{
	if (ix->nracy == ix->racy_cap) {
		size_t cap = ix->racy_cap ? 2 * ix->racy_cap : 8;
		racy_entry *grown = realloc(ix->racy, cap * sizeof(*grown));

		if (!grown)
			return eks_error_oom();
		ix->racy = grown;
		ix->racy_cap = cap;
	}
	if (!(ix->racy[ix->nracy].path = strndup((const char *)path, len)))
		return eks_error_oom();
	ix->racy[ix->nracy++].offset = offset;
	return 0;
}

static int parse_entries(eks_gitindex *ix, uint32_t count, size_t *pos_out)
{
	const unsigned char *map = ix->map;
	size_t end = ix->size - EKS_SHA1_SIZE, pos = HEADER_SIZE;
	char *prev = NULL;          /* version 4: the previous entry's path */
	size_t prev_len = 0, prev_cap = 0, i, k;
	int rc = 0;

	for (i = 0; i < count; i++) {
		const unsigned char *e = map + pos, *name, *nul, *path;
		size_t fixed = FIXED_SIZE, len, size;
		uint16_t flags;
		uint32_t mode;
		unsigned stage;

		if (end - pos < FIXED_SIZE + 1)
			goto truncated;
		flags = get16(e + 60);
		if (flags & F_EXTENDED) {
			if (ix->version < 3) {
				rc = corrupt(ix, "an entry has extended flags in a version 2 index");
				goto done;
			}
			fixed += 2;
			if (end - pos < fixed + 1)
				goto truncated;
		}
		name = e + fixed;
		if (ix->version < 4) {
			if (!(nul = memchr(name, 0, end - pos - fixed)))
				goto truncated;
			len = (size_t)(nul - name);
			if ((flags & F_NAME_LENGTH) != F_NAME_LENGTH &&
			    len != (flags & F_NAME_LENGTH)) {
				rc = corrupt(ix, "an entry's path length does not match its flags");
				goto done;
			}
			size = (fixed + len + 8) & ~(size_t)7;
			if (end - pos < size)
				goto truncated;
			path = name;
		} else {
			const unsigned char *suffix = name;
			size_t strip, slen;

			if (!get_varint(&strip, &suffix, map + end) || strip > prev_len ||
			    !(nul = memchr(suffix, 0, (size_t)(map + end - suffix))))
				goto truncated;
			slen = (size_t)(nul - suffix);
			len = prev_len - strip + slen;
			if (len + 1 > prev_cap) {
				char *grown = realloc(prev, len + 256);

				if (!grown) {
					rc = eks_error_oom();
					goto done;
				}
				prev = grown;
				prev_cap = len + 256;
			}
			memcpy(prev + prev_len - strip, suffix, slen);
			prev[len] = '\0';
			prev_len = len;
			size = (size_t)(nul + 1 - e);
			path = (const unsigned char *)prev;
		}
		stage = (flags & F_STAGE) >> 12;
		mode = get32(e + 24);
		for (k = 0; k < ix->nwanted; k++) {
			wanted *w = &ix->wanted[k];

			if (w->len != len || memcmp(w->path, path, len))
				continue;
			w->entries++;
			if (stage == 0) {
				w->stage0 = 1;
				w->offset = pos;
				w->plain = !(flags & (F_ASSUME_VALID | F_EXTENDED)) &&
					   (mode & MODE_TYPE) == MODE_FILE;
			}
		}
		if (stage == 0 && (mode & MODE_TYPE) != MODE_GITLINK && is_racy(e, &ix->st) &&
		    (rc = add_racy(ix, pos, path, len)) < 0)
			goto done;
		pos += size;
	}
	*pos_out = pos;
	goto done;
truncated:
	rc = corrupt(ix, "an entry runs past the end of the file");
done:
	free(prev);
	return rc;
}

static int parse_extensions(eks_gitindex *ix, size_t pos)
{
	size_t end = ix->size - EKS_SHA1_SIZE;

	while (pos < end) {
		const unsigned char *sig = ix->map + pos;
		extension *grown;
		uint32_t size;

		if (end - pos < 8 || (size = get32(sig + 4)) > end - pos - 8)
			return corrupt(ix, "an extension runs past the end of the file");
		if (sig[0] < 'A' || sig[0] > 'Z') {
			char why[128];

			snprintf(why, sizeof(why), "it uses the extension '%c%c%c%c' (a split "
				 "or sparse index), which eksperiment does not read itself",
				 sig[0], sig[1], sig[2], sig[3]);
			return corrupt(ix, why);
		}
		if (!(grown = realloc(ix->ext, (ix->next + 1) * sizeof(*grown))))
			return eks_error_oom();
		ix->ext = grown;
		grown[ix->next].offset = pos;
		grown[ix->next++].size = size;
		pos += 8 + (size_t)size;
	}
	return 0;
}

static int parse(eks_gitindex *ix)
{
	unsigned char digest[EKS_SHA1_SIZE];
	size_t pos = 0, k;
	int rc;

	if (memcmp(ix->map, "DIRC", 4))
		return corrupt(ix, "it does not start with DIRC");
	ix->version = get32(ix->map + 4);
	if (ix->version < 2 || ix->version > 4)
		return corrupt(ix, "its version is neither 2, 3 nor 4");
	/* Git skips this check when it reads the index; libgit2 makes it. */
	eks_sha1_buffer(digest, ix->map, ix->size - EKS_SHA1_SIZE);
	if (memcmp(digest, ix->map + ix->size - EKS_SHA1_SIZE, EKS_SHA1_SIZE))
		return corrupt(ix, "its checksum does not match its content");
	if ((rc = parse_entries(ix, get32(ix->map + 8), &pos)) < 0 ||
	    (rc = parse_extensions(ix, pos)) < 0)
		return rc;
	for (k = 0; k < ix->nwanted; k++)
		ix->wanted[k].plain = ix->wanted[k].plain && ix->wanted[k].entries == 1;
	return 0;
}

void eks_gitindex_free(eks_gitindex *ix)
{
	size_t i;

	if (!ix)
		return;
	if (ix->map)
		munmap(ix->map, ix->size);
	for (i = 0; i < ix->nracy; i++)
		free(ix->racy[i].path);
	free(ix->racy);
	free(ix->ext);
	free(ix->wanted);
	free(ix->path);
	free(ix);
}

int eks_gitindex_open(eks_gitindex **out, const char *path,
		      const char *const *paths, size_t n)
{
	eks_gitindex *ix = NULL;
	int fd, rc = 0, flags = MAP_PRIVATE;
	size_t i;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		return eks_error_set(EKS_EIO, "cannot read git's index '%s': %s", path,
				     strerror(errno));
	}
	if (!(ix = calloc(1, sizeof(*ix))) || !(ix->path = strdup(path)) ||
	    (n && !(ix->wanted = calloc(n, sizeof(*ix->wanted))))) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < n; i++) {
		ix->wanted[i].path = paths[i];
		ix->wanted[i].len = strlen(paths[i]);
	}
	ix->nwanted = n;
	if (fstat(fd, &ix->st) < 0) {
		rc = eks_error_set(EKS_EIO, "cannot read git's index '%s': %s", path,
				   strerror(errno));
		goto done;
	}
	if (!S_ISREG(ix->st.st_mode) ||
	    (uint64_t)ix->st.st_size < HEADER_SIZE + EKS_SHA1_SIZE ||
	    (uint64_t)ix->st.st_size > SIZE_MAX / 2) {
		rc = corrupt(ix, "it is not a file of a plausible size");
		goto done;
	}
	ix->size = (size_t)ix->st.st_size;
#ifdef MAP_POPULATE
	flags |= MAP_POPULATE;      /* one call instead of a fault per page */
#endif
	ix->map = mmap(NULL, ix->size, PROT_READ, flags, fd, 0);
	if (ix->map == MAP_FAILED) {
		ix->map = NULL;
		rc = eks_error_set(EKS_EIO, "cannot read git's index '%s': %s", path,
				   strerror(errno));
		goto done;
	}
	rc = parse(ix);
done:
	close(fd);
	if (rc < 0) {
		eks_gitindex_free(ix);
		return rc;
	}
	*out = ix;
	return 0;
}

static const wanted *find_wanted(const eks_gitindex *ix, const char *path)
{
	size_t i;

	for (i = 0; ix && i < ix->nwanted; i++)
		if (!strcmp(ix->wanted[i].path, path))
			return &ix->wanted[i];
	return NULL;
}

int eks_gitindex_find(git_oid *id, const eks_gitindex *ix, const char *path)
{
	const wanted *w = find_wanted(ix, path);

	if (!w || !w->stage0)
		return 0;
	git_oid_fromraw(id, ix->map + w->offset + 40);
	return 1;
}

int eks_gitindex_plain(const eks_gitindex *ix, const char *path)
{
	const wanted *w = find_wanted(ix, path);

	return w && w->plain;
}

/* ---- writing ------------------------------------------------------------ */

static patch *patch_add(patches *ps, size_t offset, size_t len)
{
	patch *grown = realloc(ps->items, (ps->count + 1) * sizeof(*grown));

	if (!grown) {
		eks_error_oom();
		return NULL;
	}
	ps->items = grown;
	memset(&grown[ps->count], 0, sizeof(*grown));
	grown[ps->count].offset = offset;
	grown[ps->count].len = len;
	return &grown[ps->count++];
}

static int patch_at(const patches *ps, size_t offset)
{
	size_t i;

	for (i = 0; i < ps->count; i++)
		if (ps->items[i].offset == offset)
			return 1;
	return 0;
}

static int compare_patches(const void *a, const void *b)
{
	const patch *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int entry_patch(patches *ps, const eks_gitindex *ix, size_t offset,
		       const eks_gitindex_change *c)
{
	const unsigned char *old = ix->map + offset;
	patch *p = patch_add(ps, offset, FIXED_SIZE);

	if (!p)
		return EKS_ENOMEM;
	p->dlen = FIXED_SIZE;
	memcpy(p->data, old, FIXED_SIZE);
	if (!c) {
		put32(p->data + 36, 0);     /* smudged: git must look at the content */
		return 0;
	}
	/* 32 bits of each, as git stores them (index_entry_from_stat in store.c) */
	put32(p->data + 0, (uint32_t)c->st.st_ctim.tv_sec);
	put32(p->data + 4, (uint32_t)c->st.st_ctim.tv_nsec);
	put32(p->data + 8, (uint32_t)c->st.st_mtim.tv_sec);
	put32(p->data + 12, (uint32_t)c->st.st_mtim.tv_nsec);
	put32(p->data + 16, (uint32_t)c->st.st_dev);
	put32(p->data + 20, (uint32_t)c->st.st_ino);
	put32(p->data + 24, c->mode);
	put32(p->data + 28, (uint32_t)c->st.st_uid);
	put32(p->data + 32, (uint32_t)c->st.st_gid);
	put32(p->data + 36, (uint32_t)c->st.st_size);
	memcpy(p->data + 40, c->id.id, GIT_OID_RAWSZ);
	return 0;
}

/*
 * Racily clean entries whose work-tree file differs from them: smudge.
 * Content is compared byte for byte (without git's filters), so a file
 * that git would call unchanged after its end-of-line conversion is
 * smudged too; git then reads it once and finds it clean.
 */
static int racy_patches(patches *ps, eks_gitindex *ix, const char *workdir)
{
	size_t i, wlen = strlen(workdir);
	char *full = NULL;
	int rc = 0;

	for (i = 0; i < ix->nracy; i++) {
		const unsigned char *e = ix->map + ix->racy[i].offset;
		uint32_t mode = get32(e + 24);
		size_t plen = strlen(ix->racy[i].path);
		struct stat st;
		git_oid now;
		int smudge = 0;
		char *grown;

		if (patch_at(ps, ix->racy[i].offset))
			continue;               /* rewritten anyway */
		if (!(grown = realloc(full, wlen + plen + 1))) {
			rc = eks_error_oom();
			goto done;
		}
		full = grown;
		memcpy(full, workdir, wlen);
		memcpy(full + wlen, ix->racy[i].path, plen + 1);
		if ((mode & MODE_TYPE) == MODE_LINK)
			smudge = 1;
		else if (lstat(full, &st) < 0 || !S_ISREG(st.st_mode))
			smudge = 0;             /* git sees the deletion or the new type */
		else if (git_odb_hashfile(&now, full, GIT_OBJECT_BLOB) < 0 ||
			 memcmp(now.id, e + 40, GIT_OID_RAWSZ))
			smudge = 1;
		if (smudge && (rc = entry_patch(ps, ix, ix->racy[i].offset, NULL)) < 0)
			goto done;
	}
done:
	free(full);
	return rc;
}

typedef struct tree_node {
	size_t counts;      /* offset of "<entries> <subtrees>\n" */
	size_t end;         /* offset after the node (and its id) */
	long entries;
	long subtrees;
	const unsigned char *name;
	size_t name_len;
} tree_node;

static int parse_count(long *out, const unsigned char **p, const unsigned char *end,
		       int negative_ok, unsigned char stop)
{
	const unsigned char *q = *p;
	long v = 0;
	int neg = 0, digits = 0;

	if (negative_ok && q < end && *q == '-') {
		neg = 1;
		q++;
	}
	while (q < end && *q >= '0' && *q <= '9' && digits < 10) {
		v = v * 10 + (*q++ - '0');
		digits++;
	}
	if (!digits || q >= end || *q != stop)
		return 0;
	*out = neg ? -v : v;
	*p = q + 1;
	return 1;
}

/* The node at `pos` of the extension data [data, data + len). */
static int tree_node_at(tree_node *nd, const unsigned char *data, size_t len, size_t pos)
{
	const unsigned char *end = data + len, *p = data + pos, *nul;

	if (pos >= len || !(nul = memchr(p, 0, len - pos)))
		return 0;
	nd->name = p;
	nd->name_len = (size_t)(nul - p);
	p = nul + 1;
	nd->counts = (size_t)(p - data);
	if (!parse_count(&nd->entries, &p, end, 1, ' ') ||
	    !parse_count(&nd->subtrees, &p, end, 0, '\n'))
		return 0;
	if (nd->entries >= 0) {
		if ((size_t)(end - p) < GIT_OID_RAWSZ)
			return 0;
		p += GIT_OID_RAWSZ;
	}
	nd->end = (size_t)(p - data);
	return 1;
}

/* Skip the node at *pos and all nodes below it. */
static int tree_skip(size_t *pos, const unsigned char *data, size_t len)
{
	size_t need = 1;
	tree_node nd;

	while (need > 0) {
		if (!tree_node_at(&nd, data, len, *pos) || (size_t)nd.subtrees > len)
			return 0;
		*pos = nd.end;
		need += (size_t)nd.subtrees - 1;
	}
	return 1;
}

/* The node of directory `dir` (`dlen` bytes, "" for the root): 1 found,
 * 0 absent, -1 when the extension cannot be read. */
static int tree_find(tree_node *out, const unsigned char *data, size_t len,
		     const char *dir, size_t dlen)
{
	tree_node cur;
	size_t pos, k;
	const char *c = dir;

	if (!tree_node_at(&cur, data, len, 0) || cur.name_len != 0)
		return -1;
	while (c < dir + dlen) {
		const char *slash = memchr(c, '/', (size_t)(dir + dlen - c));
		size_t clen = slash ? (size_t)(slash - c) : (size_t)(dir + dlen - c);
		int found = 0;

		pos = cur.end;
		for (k = 0; k < (size_t)cur.subtrees; k++) {
			tree_node child;

			if (!tree_node_at(&child, data, len, pos))
				return -1;
			if (child.name_len == clen && !memcmp(child.name, c, clen)) {
				cur = child;
				found = 1;
				break;
			}
			if (!tree_skip(&pos, data, len))
				return -1;
		}
		if (!found)
			return 0;
		c += clen + (slash ? 1 : 0);
	}
	*out = cur;
	return 1;
}

static const eks_gitindex_tree *find_dir(const eks_gitindex_tree *dirs, size_t ndirs,
					 const char *dir, size_t dlen)
{
	size_t i;

	for (i = 0; i < ndirs; i++)
		if (strlen(dirs[i].dir) == dlen && !memcmp(dirs[i].dir, dir, dlen))
			return &dirs[i];
	return NULL;
}

/*
 * Patches of the TREE extension `x` for the directories above each
 * changed path.  EKS_GITINDEX_STALE when the extension cannot be read.
 */
static int tree_patches(patches *ps, const eks_gitindex *ix, const extension *x,
			const eks_gitindex_change *changes, size_t n,
			const eks_gitindex_tree *dirs, size_t ndirs)
{
	const unsigned char *data = ix->map + x->offset + 8;
	size_t len = x->size, i, first = ps->count;
	int64_t delta = 0;
	patch *p;

	for (i = 0; i < n; i++) {
		const char *path = changes[i].path, *slash = path;
		size_t dlen = 0;

		for (;;) {
			tree_node nd;
			const eks_gitindex_tree *d;
			int found = tree_find(&nd, data, len, path, dlen);

			if (found < 0)
				return EKS_GITINDEX_STALE;
			if (!found)
				break;
			if (!patch_at(ps, x->offset + 8 + nd.counts)) {
				if (!(p = patch_add(ps, x->offset + 8 + nd.counts, nd.end - nd.counts)))
					return EKS_ENOMEM;
				d = find_dir(dirs, ndirs, path, dlen);
				if (nd.entries >= 0 && d && d->has_old &&
				    !memcmp(data + nd.end - GIT_OID_RAWSZ, d->old_id.id, GIT_OID_RAWSZ)) {
					/* the index held the old tree here: now the new one */
					p->dlen = (size_t)snprintf((char *)p->data, 32, "%ld %ld\n",
								   nd.entries, nd.subtrees);
					memcpy(p->data + p->dlen, d->new_id.id, GIT_OID_RAWSZ);
					p->dlen += GIT_OID_RAWSZ;
				} else {
					p->dlen = (size_t)snprintf((char *)p->data, 32, "-1 %ld\n",
								   nd.subtrees);
				}
			}
			if (!(slash = strchr(path + dlen + (dlen ? 1 : 0), '/')))
				break;
			dlen = (size_t)(slash - path);
		}
	}
	for (i = first; i < ps->count; i++)
		delta += (int64_t)ps->items[i].dlen - (int64_t)ps->items[i].len;
	if (!(p = patch_add(ps, x->offset + 4, 4)))
		return EKS_ENOMEM;
	p->dlen = 4;
	put32(p->data, (uint32_t)((int64_t)x->size + delta));
	return 0;
}

static int write_all(int fd, struct iovec *iov, size_t n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n > MAX_IOV ? MAX_IOV : (int)n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int eks_gitindex_write(eks_gitindex *ix, const eks_gitindex_change *changes, size_t n,
		       const eks_gitindex_tree *dirs, size_t ndirs, const char *workdir)
{
	patches ps = { NULL, 0 };
	struct iovec *iov = NULL;
	unsigned char digest[EKS_SHA1_SIZE], trailer[EKS_SHA1_SIZE];
	char *lock = NULL;
	size_t i, niov = 0, pos = 0, end;
	struct stat now;
	eks_sha1 sha;
	int fd = -1, rc = 0;

	if (ix->written)
		return EKS_GITINDEX_STALE;
	for (i = 0; i < n; i++) {
		const wanted *w = find_wanted(ix, changes[i].path);

		if (!w || !w->plain)
			return eks_error_set(EKS_EUSAGE, "internal error: '%s' cannot be "
					     "updated in place in git's index", changes[i].path);
		if ((rc = entry_patch(&ps, ix, w->offset, &changes[i])) < 0)
			goto done;
	}
	if ((rc = racy_patches(&ps, ix, workdir)) < 0)
		goto done;
	for (i = 0; i < ix->next; i++) {
		const unsigned char *sig = ix->map + ix->ext[i].offset;

		if (!memcmp(sig, "TREE", 4)) {
			if ((rc = tree_patches(&ps, ix, &ix->ext[i], changes, n, dirs,
					       ndirs)) != 0)
				goto done;
		} else if (memcmp(sig, "REUC", 4) && memcmp(sig, "NAME", 4)) {
			/* an optional cache git rebuilds: dropped, as libgit2 does */
			if (!patch_add(&ps, ix->ext[i].offset, 8 + (size_t)ix->ext[i].size)) {
				rc = EKS_ENOMEM;
				goto done;
			}
		}
	}
	qsort(ps.items, ps.count, sizeof(*ps.items), compare_patches);

	/* The new file: the old one with the patches applied, and its SHA-1. */
	if (!(iov = calloc(2 * ps.count + 2, sizeof(*iov)))) {
		rc = eks_error_oom();
		goto done;
	}
	end = ix->size - EKS_SHA1_SIZE;
	eks_sha1_init(&sha);
	for (i = 0; i <= ps.count; i++) {
		size_t upto = i < ps.count ? ps.items[i].offset : end;

		if (upto < pos) {
			rc = eks_error_set(EKS_ERROR, "internal error: overlapping changes "
					   "to git's index");
			goto done;
		}
		if (upto > pos) {
			iov[niov].iov_base = ix->map + pos;
			iov[niov++].iov_len = upto - pos;
			eks_sha1_update(&sha, ix->map + pos, upto - pos);
		}
		if (i == ps.count)
			break;
		if (ps.items[i].dlen) {
			iov[niov].iov_base = ps.items[i].data;
			iov[niov++].iov_len = ps.items[i].dlen;
			eks_sha1_update(&sha, ps.items[i].data, ps.items[i].dlen);
		}
		pos = ps.items[i].offset + ps.items[i].len;
	}
	eks_sha1_final(digest, &sha);
	iov[niov].iov_base = digest;
	iov[niov++].iov_len = EKS_SHA1_SIZE;

	/* As git: take index.lock, make sure the index is still the one we
	 * read (nobody can change it while we hold the lock), write, rename. */
	if (!(lock = malloc(strlen(ix->path) + 6))) {
		rc = eks_error_oom();
		goto done;
	}
	strcat(strcpy(lock, ix->path), ".lock");
	if ((fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0) {
		if (errno == EEXIST)
			rc = eks_error_set(EKS_EGIT, "cannot write git's index: '%s' exists: "
					   "another git command is using the index (when none "
					   "is running any more, remove that file)", lock);
		else
			rc = eks_error_set(EKS_EIO, "cannot create '%s': %s", lock,
					   strerror(errno));
		free(lock);
		lock = NULL;
		goto done;
	}
	if (stat(ix->path, &now) < 0 || !same_file(&now, &ix->st)) {
		rc = EKS_GITINDEX_STALE;
		goto done;
	}
	{
		/* same size, times and inode, but rewritten in place? */
		int rfd = open(ix->path, O_RDONLY | O_CLOEXEC);
		ssize_t got = rfd < 0 ? -1 : pread(rfd, trailer, sizeof(trailer),
						   (off_t)(ix->size - EKS_SHA1_SIZE));

		if (rfd >= 0)
			close(rfd);
		if (got != (ssize_t)sizeof(trailer) ||
		    memcmp(trailer, ix->map + ix->size - EKS_SHA1_SIZE, sizeof(trailer))) {
			rc = EKS_GITINDEX_STALE;
			goto done;
		}
	}
	if (write_all(fd, iov, niov) < 0) {
		rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", lock, strerror(errno));
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = eks_error_set(EKS_EIO, "cannot write '%s': %s", lock, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(lock, ix->path) < 0) {
		rc = eks_error_set(EKS_EIO, "cannot replace '%s': %s", ix->path,
				   strerror(errno));
		goto done;
	}
	free(lock);
	lock = NULL;
	ix->written = 1;
done:
	if (fd >= 0)
		close(fd);
	if (lock) {
		unlink(lock);
		free(lock);
	}
	free(iov);
	free(ps.items);
	return rc;
}
