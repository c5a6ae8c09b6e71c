/*
 * blockhash_internal.h - what SHA-1 (sha1.c) and SHA-256 (sha256.c)
 * share: FIPS 180-4 feeds both 512-bit blocks from a stream of bytes and
 * pads the end of the message the same way (5.1.1); only the compression
 * function and the size of the state differ.
 *
 * The functions work on the fields of a hash's context, so each hash
 * keeps its own context type.
 */
#ifndef EKS_BLOCKHASH_INTERNAL_H
#define EKS_BLOCKHASH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Process `nblocks` 64-byte blocks at `p` into `state`. */
typedef void eks_block_compress(uint32_t *state, const unsigned char *p, size_t nblocks);

/* The part of a context the functions below use. */
typedef struct eks_block_stream {
	uint32_t *state;
	uint64_t *length;           /* bytes hashed so far */
	unsigned char *block;       /* 64 bytes: the partial block */
	size_t *used;               /* bytes in `block` */
	eks_block_compress *compress;
} eks_block_stream;

/* Add `len` bytes of `data` (NULL is fine when len is 0). */
void eks_block_update(const eks_block_stream *s, const void *data, size_t len);

/* Pad the message (a 1 bit, zeros, its length in bits as a 64-bit
 * big-endian number), process the last blocks, and write the first
 * `words` words of the state big-endian to `digest`. */
void eks_block_final(unsigned char *digest, size_t words, const eks_block_stream *s);

#endif
