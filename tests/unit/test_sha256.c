/*
 * test_sha256.c - SHA-256 against the FIPS 180-4 / NIST example vectors
 * and against sha256sum(1) on generated inputs around the block size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eksperiment.h"

static void assert_hex(const char *text, const char *expected)
{
	char hex[EKS_SHA256_HEX_SIZE];

	eks_sha256_hex(hex, text, strlen(text));
	assert_string_equal(hex, expected);
}

/* NIST "SHA256.pdf" examples (csrc.nist.gov, Cryptographic Standards and
 * Guidelines, examples with intermediate values) and the empty string. */
static void test_sha256_nist_vectors(void **state)
{
	(void)state;
	assert_hex("abc",
		   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_hex("",
		   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* 448 bits: the padding needs a second block. */
	assert_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* 896 bits. */
	assert_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		   "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_million_a(void **state)
{
	char *a = malloc(1000000);
	char hex[EKS_SHA256_HEX_SIZE];
	unsigned char digest[EKS_SHA256_SIZE];
	eks_sha256 ctx;
	size_t i;

	(void)state;
	assert_non_null(a);
	memset(a, 'a', 1000000);
	eks_sha256_hex(hex, a, 1000000);
	assert_string_equal(hex,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* The same fed in pieces of awkward sizes. */
	eks_sha256_init(&ctx);
	for (i = 0; i < 1000000; ) {
		size_t n = 1 + (i * 7919) % 157;

		if (n > 1000000 - i)
			n = 1000000 - i;
		eks_sha256_update(&ctx, a + i, n);
		i += n;
	}
	eks_sha256_final(digest, &ctx);
	eks_sha256_digest_hex(hex, digest);
	assert_string_equal(hex,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* Byte-at-a-time and all-at-once agree, and a context can be reused after
 * init. */
static void test_sha256_incremental(void **state)
{
	const char *text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	unsigned char d1[EKS_SHA256_SIZE], d2[EKS_SHA256_SIZE];
	eks_sha256 ctx;
	size_t i;

	(void)state;
	eks_sha256_init(&ctx);
	for (i = 0; text[i]; i++)
		eks_sha256_update(&ctx, text + i, 1);
	eks_sha256_update(&ctx, NULL, 0);
	eks_sha256_final(d1, &ctx);
	eks_sha256_init(&ctx);
	eks_sha256_update(&ctx, text, strlen(text));
	eks_sha256_final(d2, &ctx);
	assert_memory_equal(d1, d2, EKS_SHA256_SIZE);
	assert_int_equal(d1[0], 0x24);
	assert_int_equal(d1[31], 0xc1);
}

/* Generated inputs of lengths around the 55/56/64-byte padding edges,
 * with all byte values, compared with sha256sum(1). */
static void test_sha256_matches_sha256sum(void **state)
{
	static const size_t lengths[] = { 1, 55, 56, 57, 63, 64, 65, 119, 120,
					  127, 128, 129, 1000, 4097 };
	char path[] = "/tmp/eks-sha256-XXXXXX";
	unsigned char data[4097];
	uint32_t x = 2463534242u;
	size_t i, k;
	int fd;

	(void)state;
	if (system("command -v sha256sum >/dev/null 2>&1") != 0)
		skip();
	for (i = 0; i < sizeof(data); i++) {
		/* xorshift32 (Marsaglia 2003) */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	for (k = 0; k < sizeof(lengths) / sizeof(lengths[0]); k++) {
		char hex[EKS_SHA256_HEX_SIZE], cmd[128], line[128] = "";
		FILE *p;

		fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, data, lengths[k]), (ssize_t)lengths[k]);
		close(fd);
		snprintf(cmd, sizeof(cmd), "sha256sum %s", path);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(line, sizeof(line), p));
		pclose(p);
		unlink(path);
		strcpy(path, "/tmp/eks-sha256-XXXXXX");
		eks_sha256_hex(hex, data, lengths[k]);
		line[64] = '\0';
		assert_string_equal(hex, line);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_nist_vectors),
		cmocka_unit_test(test_sha256_million_a),
		cmocka_unit_test(test_sha256_incremental),
		cmocka_unit_test(test_sha256_matches_sha256sum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
