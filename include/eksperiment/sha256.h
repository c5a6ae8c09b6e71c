/*
 * sha256.h - SHA-256 (FIPS 180-4), for the protocol hash of SPEC 5.
 *
 * libgit2 1.5 does not expose SHA-256 and no other hashing library is a
 * dependency, so the library carries this small implementation.
 *
 *   eks_sha256 ctx;
 *   unsigned char digest[EKS_SHA256_SIZE];
 *   eks_sha256_init(&ctx);
 *   eks_sha256_update(&ctx, data, len);     (any number of times)
 *   eks_sha256_final(digest, &ctx);
 *
 * None of these functions can fail; they allocate nothing.
 */
#ifndef EKSPERIMENT_SHA256_H
#define EKSPERIMENT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EKS_SHA256_SIZE 32          /* bytes of a digest */
#define EKS_SHA256_HEX_SIZE 65      /* 64 hex digits and the NUL */

typedef struct eks_sha256 {
	uint32_t state[8];          /* H0..H7 */
	uint64_t length;            /* bytes hashed so far */
	unsigned char block[64];    /* the partial block not yet processed */
	size_t used;                /* bytes in `block` */
} eks_sha256;

/* Start a new hash. */
void eks_sha256_init(eks_sha256 *ctx);

/* Add `len` bytes of `data` (NULL is fine when len is 0). */
void eks_sha256_update(eks_sha256 *ctx, const void *data, size_t len);

/* Finish: write the 32-byte digest to `digest`.  The context must be
 * initialised again before it is used for another hash. */
void eks_sha256_final(unsigned char digest[EKS_SHA256_SIZE], eks_sha256 *ctx);

/* The hash of `len` bytes as 64 lowercase hex digits and a NUL, as
 * `sha256sum` prints it. */
void eks_sha256_hex(char out[EKS_SHA256_HEX_SIZE], const void *data,
		    size_t len);

/* A digest as 64 lowercase hex digits and a NUL. */
void eks_sha256_digest_hex(char out[EKS_SHA256_HEX_SIZE],
			   const unsigned char digest[EKS_SHA256_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
