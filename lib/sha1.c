/*
 * sha1.c - SHA-1 as specified in FIPS PUB 180-4, "Secure Hash Standard"
 * (NIST, August 2015), sections 4.1.1 (functions), 4.2.1 (constants),
 * 5.3.1 (initial hash value) and 6.1.2 (computation); the padding of
 * 5.1.1 is shared with SHA-256 in blockhash.c.
 *
 * Written from the standard, plainly: one function per step, no
 * processor-specific code.  Checked against the standard's examples in
 * tests/unit/test_gitindex.c.
 */
#include <string.h>

#include "blockhash_internal.h"
#include "sha1_internal.h"


/* FIPS 180-4, 4.2.1. */
#define K0 0x5a827999u
#define K1 0x6ed9eba1u
#define K2 0x8f1bbcdcu
#define K3 0xca62c1d6u

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

/* FIPS 180-4, 6.1.2: process `nblocks` 512-bit blocks. */
static void compress(uint32_t state[5], const unsigned char *p, size_t nblocks)
{
	uint32_t w[16], a, b, c, d, e, f, k, tmp;
	int t;

	for (; nblocks > 0; nblocks--, p += 64) {
		for (t = 0; t < 16; t++)
			w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
			       (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
		a = state[0]; b = state[1]; c = state[2]; d = state[3]; e = state[4];
		for (t = 0; t < 80; t++) {
			if (t >= 16) {
				/* the schedule W(t), kept in a ring of 16 words */
				tmp = w[(t - 3) & 15] ^ w[(t - 8) & 15] ^
				      w[(t - 14) & 15] ^ w[t & 15];
				w[t & 15] = ROTL(tmp, 1);
			}
			if (t < 20) {
				f = (b & c) | (~b & d);            /* Ch */
				k = K0;
			} else if (t < 40) {
				f = b ^ c ^ d;                     /* Parity */
				k = K1;
			} else if (t < 60) {
				f = (b & c) | (b & d) | (c & d);   /* Maj */
				k = K2;
			} else {
				f = b ^ c ^ d;
				k = K3;
			}
			tmp = ROTL(a, 5) + f + e + k + w[t & 15];
			e = d;
			d = c;
			c = ROTL(b, 30);
			b = a;
			a = tmp;
		}
		state[0] += a; state[1] += b; state[2] += c; state[3] += d; state[4] += e;
	}
}

void eks_sha1_init(eks_sha1 *ctx)
{
	/* FIPS 180-4, 5.3.1. */
	ctx->state[0] = 0x67452301;
	ctx->state[1] = 0xefcdab89;
	ctx->state[2] = 0x98badcfe;
	ctx->state[3] = 0x10325476;
	ctx->state[4] = 0xc3d2e1f0;
	ctx->length = 0;
	ctx->used = 0;
}

/* The context as blockhash.c sees it. */
static eks_block_stream stream_of(eks_sha1 *ctx)
{
	eks_block_stream s = { ctx->state, &ctx->length, ctx->block, &ctx->used, compress };

	return s;
}

void eks_sha1_update(eks_sha1 *ctx, const void *data, size_t len)
{
	eks_block_stream s = stream_of(ctx);

	eks_block_update(&s, data, len);
}

void eks_sha1_final(unsigned char digest[EKS_SHA1_SIZE], eks_sha1 *ctx)
{
	eks_block_stream s = stream_of(ctx);

	eks_block_final(digest, 5, &s);
	memset(ctx, 0, sizeof(*ctx));
}

void eks_sha1_buffer(unsigned char digest[EKS_SHA1_SIZE], const void *data, size_t len)
{
	eks_sha1 ctx;

	eks_sha1_init(&ctx);
	eks_sha1_update(&ctx, data, len);
	eks_sha1_final(digest, &ctx);
}
