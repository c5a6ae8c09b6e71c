/*
 * blockhash.c - the byte stream and the padding of FIPS 180-4 (section
 * 5.1.1), shared by SHA-1 and SHA-256; see blockhash_internal.h.
 */
#include <string.h>

#include "blockhash_internal.h"

void eks_block_update(const eks_block_stream *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t take;

	if (len == 0)
		return;                 /* data may be NULL */
	*s->length += len;
	if (*s->used > 0) {
		take = 64 - *s->used;
		if (take > len)
			take = len;
		memcpy(s->block + *s->used, p, take);
		*s->used += take;
		p += take;
		len -= take;
		if (*s->used < 64)
			return;
		s->compress(s->state, s->block, 1);
		*s->used = 0;
	}
	if (len >= 64) {
		s->compress(s->state, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	if (len > 0) {
		memcpy(s->block, p, len);
		*s->used = len;
	}
}

void eks_block_final(unsigned char *digest, size_t words, const eks_block_stream *s)
{
	uint64_t bits = *s->length * 8;
	size_t i;

	/* a 1 bit, zeros up to 56 bytes mod 64, then the message length in
	 * bits as a 64-bit big-endian number */
	s->block[(*s->used)++] = 0x80;
	if (*s->used > 56) {
		memset(s->block + *s->used, 0, 64 - *s->used);
		s->compress(s->state, s->block, 1);
		*s->used = 0;
	}
	memset(s->block + *s->used, 0, 56 - *s->used);
	for (i = 0; i < 8; i++)
		s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	s->compress(s->state, s->block, 1);

	for (i = 0; i < words; i++) {
		digest[4 * i] = (unsigned char)(s->state[i] >> 24);
		digest[4 * i + 1] = (unsigned char)(s->state[i] >> 16);
		digest[4 * i + 2] = (unsigned char)(s->state[i] >> 8);
		digest[4 * i + 3] = (unsigned char)s->state[i];
	}
}
