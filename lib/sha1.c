/*
 * sha1.c - SHA-1 as specified in FIPS PUB 180-4, "Secure Hash Standard"
 * (NIST, August 2015), sections 4.1.1 (functions), 4.2.1 (constants),
 * 5.1.1 (padding), 5.3.1 (initial hash value) and 6.1.2 (computation).
 *
 * Written from the standard, plainly: one function per step, no
 * processor-specific code.  Checked against the standard's examples in
 * tests/unit/test_gitindex.c.
 */
#include <string.h>

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

void eks_sha1_update(eks_sha1 *ctx, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t take;

	ctx->length += len;
	if (ctx->used > 0) {
		take = 64 - ctx->used;
		if (take > len)
			take = len;
		memcpy(ctx->block + ctx->used, p, take);
		ctx->used += take;
		p += take;
		len -= take;
		if (ctx->used < 64)
			return;
		compress(ctx->state, ctx->block, 1);
		ctx->used = 0;
	}
	if (len >= 64) {
		compress(ctx->state, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	if (len > 0) {
		memcpy(ctx->block, p, len);
		ctx->used = len;
	}
}

void eks_sha1_final(unsigned char digest[EKS_SHA1_SIZE], eks_sha1 *ctx)
{
	uint64_t bits = ctx->length * 8;
	int i;

	/* FIPS 180-4, 5.1.1: a 1 bit, zeros up to 56 bytes mod 64, then the
	 * message length in bits as a 64-bit big-endian number. */
	ctx->block[ctx->used++] = 0x80;
	if (ctx->used > 56) {
		memset(ctx->block + ctx->used, 0, 64 - ctx->used);
		compress(ctx->state, ctx->block, 1);
		ctx->used = 0;
	}
	memset(ctx->block + ctx->used, 0, 56 - ctx->used);
	for (i = 0; i < 8; i++)
		ctx->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress(ctx->state, ctx->block, 1);

	for (i = 0; i < 5; i++) {
		digest[4 * i] = (unsigned char)(ctx->state[i] >> 24);
		digest[4 * i + 1] = (unsigned char)(ctx->state[i] >> 16);
		digest[4 * i + 2] = (unsigned char)(ctx->state[i] >> 8);
		digest[4 * i + 3] = (unsigned char)ctx->state[i];
	}
	memset(ctx, 0, sizeof(*ctx));
}

void eks_sha1_buffer(unsigned char digest[EKS_SHA1_SIZE], const void *data, size_t len)
{
	eks_sha1 ctx;

	eks_sha1_init(&ctx);
	eks_sha1_update(&ctx, data, len);
	eks_sha1_final(digest, &ctx);
}
