/* SPDX-License-Identifier: Apache-2.0 */
/* test_shard.c: batch --shard K/N: parsing, the partition's properties, the paths, --push's URLs. */
#include "unit.h"

#include "push.h"
#include "shard.h"

static void
shard_parse_should_take_k_of_n_and_refuse_the_rest(void **state)
{
	static const char *bad[] = { "3/3", "a/b", "0/0", "1", "/4", "1/", "-1/4", "+1/4", "1/4x",
	    " 1/4", "1/ 4", "0/1025", "1/2/3", "99999999999999999999/2", "", "1/0", "2/", "/2", "/",
	    "0/-1", "1/-2", "-1/2", "0x1/2", "1.0/2", "1/2.0", "1//2", "4294967296/4294967297",
	    "0/18446744073709551617", "1\n/2", "1/2\n", "1/2 ", "\xe4\xb8\x80/2" };
	struct shard sh;
	size_t i;

	(void)state;
	assert_int_equal(shard_parse("0/1", &sh), 0);
	assert_int_equal(sh.k, 0);
	assert_int_equal(sh.n, 1);
	assert_int_equal(shard_parse("3/4", &sh), 0);
	assert_int_equal(sh.k, 3);
	assert_int_equal(sh.n, 4);
	assert_int_equal(shard_parse("1023/1024", &sh), 0);
	/* Leading zeros are decimal (as every count ackprof reads), never octal. */
	assert_int_equal(shard_parse("08/010", &sh), 0);
	assert_int_equal(sh.k, 8);
	assert_int_equal(sh.n, 10);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (shard_parse(bad[i], &sh) != -1)
			fail_msg("--shard '%s' was accepted", bad[i]);
}

/* A cluster id of the real shape: c and 32 hex digits, from a fixed generator. */
static void
cluster_id(char out[34], unsigned i, int random)
{
	uint64_t x = random ? (i + 1) * UINT64_C(0x9e3779b97f4a7c15) : i;

	x ^= x >> 29;
	snprintf(out, 34, "c%016llx%016llx", (unsigned long long)(random ? x : 0),
	    (unsigned long long)(random ? x * 31 : i));
}

/* 100 clusters over 4 shards: every cluster in exactly one, each shard 15 to 35. */
static void
shards_should_be_disjoint_complete_and_balanced(void **state)
{
	unsigned n, i, k, count[16];
	int random;
	char id[34];

	(void)state;
	for (random = 0; random < 2; random++)
		for (n = 2; n <= 16; n *= 2) {
			memset(count, 0, sizeof(count));
			for (i = 0; i < 100; i++) {
				cluster_id(id, i, random);
				k = shard_of(id, n);
				assert_true(k < n);
				count[k]++;
			}
			for (k = 0; k < n; k++)
				if (n == 4 && (count[k] < 15 || count[k] > 35))
					fail_msg("%s ids: shard %u of 4 got %u of 100 clusters",
					    random ? "random" : "sequential", k, count[k]);
		}
}

/*
 * The partition of a fleet of targets (1 to 3 pods a cluster, 300 clusters): for every
 * N, each target is in exactly one shard K < N (disjoint, and together the input), a
 * cluster's targets share their shard, and the split of the input read backwards or
 * rotated is the same (each shard's targets, summed as a set, do not move).
 */
#define FLEET 300
static void
targets_should_split_into_disjoint_complete_order_free_shards(void **state)
{
	static const unsigned ns[] = { 1, 2, 3, 4, 7, 16, 1024 };
	static char ids[FLEET][34];
	unsigned cl[FLEET * 3], pod[FLEET * 3], i, j, k, t, nt = 0, ni;
	uint64_t sum[3][16];
	unsigned long in[16], total;

	(void)state;
	for (i = 0; i < FLEET; i++) {
		cluster_id(ids[i], i, 1);
		for (j = 0; j <= i % 3; j++, nt++) {
			cl[nt] = i;
			pod[nt] = j;
		}
	}
	for (ni = 0; ni < sizeof(ns) / sizeof(ns[0]); ni++) {
		unsigned n = ns[ni], order;

		memset(sum, 0, sizeof(sum));
		for (order = 0; order < 3; order++) {
			memset(in, 0, sizeof(in));
			total = 0;
			for (t = 0; t < nt; t++) {
				/* Forwards, backwards, and rotated by a third. */
				unsigned x = order == 0 ? t : order == 1 ? nt - 1 - t : (t + nt / 3) % nt;
				unsigned hits = 0, first = n;

				for (k = 0; k < n; k++)
					if (shard_of(ids[cl[x]], n) == k) {
						hits++;
						first = k;
					}
				if (hits != 1)
					fail_msg("%u shards: target %u/%u is in %u shards", n, cl[x], pod[x], hits);
				if (first != shard_of(ids[cl[x]], n))
					fail_msg("%u shards: the shard of a cluster moved", n);
				total++;
				if (n <= 16) {
					in[first]++;
					sum[order][first] += (uint64_t)cl[x] * 4 + pod[x] + 1;
				}
			}
			assert_int_equal(total, nt);
			if (n <= 16) {
				unsigned long all = 0;

				for (k = 0; k < n; k++)
					all += in[k];
				assert_int_equal(all, nt);
			}
		}
		if (n <= 16 && (memcmp(sum[0], sum[1], sizeof(sum[0])) || memcmp(sum[0], sum[2], sizeof(sum[0]))))
			fail_msg("%u shards: the split depends on the input's order", n);
	}
	/* A cluster's targets: all in the one shard of its id, whatever N. */
	for (t = 1; t < nt; t++)
		if (cl[t] == cl[t - 1])
			for (ni = 0; ni < sizeof(ns) / sizeof(ns[0]); ni++)
				assert_int_equal(shard_of(ids[cl[t]], ns[ni]), shard_of(ids[cl[t - 1]], ns[ni]));
}

/*
 * The shard is a function of the cluster id alone, pinned here: a change re-shards
 * every fleet (state files keyed by shard would then miss their clusters), so it must
 * be deliberate and said in the release notes.
 */
static void
shard_of_should_be_stable_across_runs_and_machines(void **state)
{
	(void)state;
	assert_true(shard_hash("c00000000000000000000000000000001") == UINT64_C(0xaa377ba6dce2a2f7));
	assert_true(shard_hash("c0123456789abcdef0123456789abcdef") == UINT64_C(0x229191a5f1b39930));
	assert_int_equal(shard_of("c00000000000000000000000000000001", 4), 3);
	assert_int_equal(shard_of("c0123456789abcdef0123456789abcdef", 7), 5);
	assert_int_equal(shard_of("c0123456789abcdef0123456789abcdef", 1), 0);
}

static void
shard_path_should_put_k_and_n_in_place_of_their_placeholders(void **state)
{
	struct shard sh = { 2, 8 };
	char *p;
	int had;

	(void)state;
	p = shard_path("/var/lib/ackprof/fleet-%K-of-%N.state", &sh, &had);
	assert_string_equal(p, "/var/lib/ackprof/fleet-2-of-8.state");
	assert_true(had);
	free(p);
	p = shard_path("/x/100%/%k%Q%", &sh, &had);
	assert_string_equal(p, "/x/100%/%k%Q%");
	assert_false(had);
	free(p);
	assert_true(shard_has_placeholder("a%Kb"));
	assert_true(shard_has_placeholder("%N"));
	assert_false(shard_has_placeholder("a%kb"));
}

static void
push_urls_should_be_checked_joined_and_shown_without_a_password(void **state)
{
	static const char *bad[] = { "pushgateway:9091", "ftp://x", "http://", "http:///x",
	    "http://x y", "http://x/?a=b", "http://x/#f", "http://x\"y", "http://x\\y",
	    "http://\xe4\xb8\xad", "http://x\ny" };
	struct shard none = { 0, 0 }, sh = { 3, 4 };
	char err[256], *u;
	size_t i;

	(void)state;
	assert_int_equal(push_check_url("http://127.0.0.1:9091", err, sizeof(err)), 0);
	assert_int_equal(push_check_url("https://u:p@gw.example.com/prefix/", err, sizeof(err)), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (push_check_url(bad[i], err, sizeof(err)) != -1)
			fail_msg("--push '%s' was accepted", bad[i]);
	u = push_url("http://gw:9091//", &none);
	assert_string_equal(u, "http://gw:9091/metrics/job/ackprof");
	free(u);
	u = push_url("https://u:p@gw/prefix", &sh);
	assert_string_equal(u, "https://u:p@gw/prefix/metrics/job/ackprof/shard/3");
	free(u);
	u = push_url_shown("https://user:s3cret@gw:9091/p/metrics/job/ackprof");
	assert_string_equal(u, "https://***@gw:9091/p/metrics/job/ackprof");
	free(u);
	u = push_url_shown("http://gw/a@b");
	assert_string_equal(u, "http://gw/a@b");
	free(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shard_parse_should_take_k_of_n_and_refuse_the_rest),
		cmocka_unit_test(shards_should_be_disjoint_complete_and_balanced),
		cmocka_unit_test(targets_should_split_into_disjoint_complete_order_free_shards),
		cmocka_unit_test(shard_of_should_be_stable_across_runs_and_machines),
		cmocka_unit_test(shard_path_should_put_k_and_n_in_place_of_their_placeholders),
		cmocka_unit_test(push_urls_should_be_checked_joined_and_shown_without_a_password),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
