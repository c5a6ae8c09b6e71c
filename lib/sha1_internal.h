/*
 * sha1_internal.h - SHA-1 (FIPS 180-4), for the checksum that ends git's
 * index file (gitindex.c).
 *
 * libgit2 1.5 has no public plain SHA-1 (git_odb_hash prefixes an object
 * header), so the library carries this one.  It is NOT used for object
 * names, which libgit2 computes (with collision detection); a file
 * checksum guards against torn and corrupted files, not against attacks.
 *
 *   eks_sha1 ctx;
 *   unsigned char digest[EKS_SHA1_SIZE];
 *   eks_sha1_init(&ctx);
 *   eks_sha1_update(&ctx, data, len);     (any number of times)
 *   eks_sha1_final(digest, &ctx);
 *
 * None of these functions can fail; they allocate nothing.
 */
#ifndef EKS_SHA1_INTERNAL_H
#define EKS_SHA1_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define EKS_SHA1_SIZE 20            /* bytes of a digest */

typedef struct eks_sha1 {
	uint32_t state[5];          /* H0..H4 */
	uint64_t length;            /* bytes hashed so far */
	unsigned char block[64];    /* the partial block not yet processed */
	size_t used;                /* bytes in `block` */
} eks_sha1;

/* Start a new hash. */
void eks_sha1_init(eks_sha1 *ctx);

/* Add `len` bytes of `data` (NULL is fine when len is 0). */
void eks_sha1_update(eks_sha1 *ctx, const void *data, size_t len);

/* Finish: write the 20-byte digest.  Initialise again before reuse. */
void eks_sha1_final(unsigned char digest[EKS_SHA1_SIZE], eks_sha1 *ctx);

/* The digest of `len` bytes in one call. */
void eks_sha1_buffer(unsigned char digest[EKS_SHA1_SIZE], const void *data, size_t len);

#endif
