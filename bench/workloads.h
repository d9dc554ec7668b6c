/* The workload bodies, written once for every C implementation.
 *
 * Included at the end of an implementation file that has defined:
 *
 *   IMPL_NAME                      "core", "uthash"
 *   BENCH_RUN                      name of the entry point to define
 *   struct imap, struct smap       u64->u64 and string->u64 maps
 *   imap_make(hint) / imap_destroy / imap_len / imap_check
 *   imap_put(m, k, v)              insert or overwrite
 *   imap_get(m, k, &v) -> bool
 *   imap_del(m, k)
 *   imap_sum(m, &count, &keysum, &valsum)   one full iteration
 *   smap_make / smap_destroy / smap_len / smap_put / smap_get
 *
 * All operations are static inline, so each workload loop compiles to
 * direct calls into the map, as a C user's code would.  Like go/main.go,
 * every workload checks its result and exits 1 on a wrong answer.
 */

static void wl_check_full(struct imap *m, const uint64_t *keys, size_t n,
                          const struct bench_args *a)
{
	if (imap_len(m) != n)
		bench_fail(IMPL_NAME, "len %zu, want %zu", imap_len(m), n);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = 0;
		if (!imap_get(m, keys[i], &v) || v != i + 1)
			bench_fail(IMPL_NAME, "key %#llx: got %llu, want %zu",
			           (unsigned long long)keys[i],
			           (unsigned long long)v, i + 1);
	}
	if (a->selfcheck)
		imap_check(m);
}

static struct imap *wl_fill(const uint64_t *keys, size_t n, size_t hint)
{
	struct imap *m = imap_make(hint);
	for (size_t i = 0; i < n; i++)
		imap_put(m, keys[i], i + 1);
	return m;
}

/* W1 (no hint) and W2 (hint n): a fresh map per repetition. */
static void wl_insert(const struct bench_args *a, bool hinted)
{
	size_t n = a->n;
	uint64_t *keys = bench_hit_keys(a->seed, n);
	int64_t reps = bench_reps(a->ops, n);
	uint64_t total = 0;
	for (int64_t r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();
		struct imap *m = imap_make(hinted ? n : 0);
		for (size_t i = 0; i < n; i++)
			imap_put(m, keys[i], i + 1);
		total += bench_now_ns() - t0;
		if (r == reps - 1)
			wl_check_full(m, keys, n, a);
		else if (imap_len(m) != n)
			bench_fail(IMPL_NAME, "%s: len %zu after %zu inserts",
			           a->workload, imap_len(m), n);
		imap_destroy(m);
	}
	bench_report(IMPL_NAME, a->workload, "u64", n, reps * (int64_t)n, total);
	free(keys);
}

/* W3 (every probe hits, random order) and W4 (every probe misses). */
static void wl_lookup(const struct bench_args *a, bool hit)
{
	size_t n = a->n;
	uint64_t *keys = bench_hit_keys(a->seed, n);
	struct imap *m = wl_fill(keys, n, 0);
	uint64_t *probe;
	if (hit) {
		uint32_t *p = bench_perm(a->seed, n);
		probe = bench_xmalloc(n * sizeof *probe);
		for (size_t i = 0; i < n; i++)
			probe[i] = keys[p[i]];
		free(p);
	} else {
		probe = bench_miss_keys(a->seed, n);
	}
	int64_t reps = bench_reps(a->ops, n);
	uint64_t sum = 0, found = 0;
	uint64_t t0 = bench_now_ns();
	for (int64_t r = 0; r < reps; r++) {
		for (size_t i = 0; i < n; i++) {
			uint64_t v = 0;
			found += imap_get(m, probe[i], &v);
			sum += v;
		}
	}
	uint64_t ns = bench_now_ns() - t0;
	uint64_t want = hit ? n : 0, want_sum = hit ? (uint64_t)n * (n + 1) / 2 : 0;
	if (found != want * (uint64_t)reps || sum != want_sum * (uint64_t)reps)
		bench_fail(IMPL_NAME, "%s: found %llu sum %llu, want %llu and %llu (x%lld reps)",
		           a->workload, (unsigned long long)found,
		           (unsigned long long)sum, (unsigned long long)want,
		           (unsigned long long)want_sum, (long long)reps);
	if (a->selfcheck)
		wl_check_full(m, keys, n, a);
	bench_report(IMPL_NAME, a->workload, "u64", n, reps * (int64_t)n, ns);
	imap_destroy(m);
	free(probe);
	free(keys);
}

/* W5: delete all n in random order, then reinsert all n (2n ops). */
static void wl_churn(const struct bench_args *a)
{
	size_t n = a->n;
	uint64_t *keys = bench_hit_keys(a->seed, n);
	uint32_t *p = bench_perm(a->seed, n);
	struct imap *m = wl_fill(keys, n, 0);
	int64_t reps = bench_reps(a->ops, 2 * n);
	uint64_t total = 0;
	for (int64_t r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();
		for (size_t i = 0; i < n; i++)
			imap_del(m, keys[p[i]]);
		size_t mid = imap_len(m);
		for (size_t i = 0; i < n; i++)
			imap_put(m, keys[i], i + 1);
		total += bench_now_ns() - t0;
		if (mid != 0 || imap_len(m) != n)
			bench_fail(IMPL_NAME, "W5: len %zu after deleting all, %zu after reinserting %zu",
			           mid, imap_len(m), n);
	}
	wl_check_full(m, keys, n, a);
	bench_report(IMPL_NAME, "W5", "u64", n, reps * 2 * (int64_t)n, total);
	imap_destroy(m);
	free(p);
	free(keys);
}

/* W6: full iteration, reported per element. */
static void wl_iter(const struct bench_args *a)
{
	size_t n = a->n;
	uint64_t *keys = bench_hit_keys(a->seed, n);
	struct imap *m = wl_fill(keys, n, 0);
	uint64_t want_k = 0;
	for (size_t i = 0; i < n; i++)
		want_k += keys[i];
	int64_t reps = bench_reps(a->ops, n);
	uint64_t cnt = 0, sk = 0, sv = 0;
	uint64_t t0 = bench_now_ns();
	for (int64_t r = 0; r < reps; r++)
		imap_sum(m, &cnt, &sk, &sv);
	uint64_t ns = bench_now_ns() - t0;
	uint64_t R = (uint64_t)reps, nn = n;
	if (cnt != nn * R || sk != want_k * R || sv != nn * (nn + 1) / 2 * R)
		bench_fail(IMPL_NAME, "W6: count %llu keysum %#llx valsum %llu",
		           (unsigned long long)cnt, (unsigned long long)sk,
		           (unsigned long long)sv);
	if (a->selfcheck)
		wl_check_full(m, keys, n, a);
	bench_report(IMPL_NAME, "W6", "u64", n, reps * (int64_t)n, ns);
	imap_destroy(m);
	free(keys);
}

/* W7: string keys of `len` random bytes, insert into a fresh map, then
 * look every key up in random order; the two are timed separately. */
static void wl_strings(const struct bench_args *a, int64_t ops, size_t len)
{
	size_t n = a->n;
	uint8_t *bytes = bench_str_bytes(a->seed, n, len);
	uint32_t *p = bench_perm(a->seed, n);
	int64_t reps = bench_reps(ops, n);
	uint64_t t_ins = 0, t_hit = 0, nn = n;
	for (int64_t r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();
		struct smap *m = smap_make();
		for (size_t i = 0; i < n; i++)
			smap_put(m, bytes + i * len, len, i + 1);
		t_ins += bench_now_ns() - t0;
		if (smap_len(m) != n)
			bench_fail(IMPL_NAME, "W7 str%zu: len %zu after %zu inserts",
			           len, smap_len(m), n);
		uint64_t sum = 0, found = 0;
		uint64_t t1 = bench_now_ns();
		for (size_t i = 0; i < n; i++) {
			uint64_t v = 0;
			found += smap_get(m, bytes + (size_t)p[i] * len, len, &v);
			sum += v;
		}
		t_hit += bench_now_ns() - t1;
		if (found != nn || sum != nn * (nn + 1) / 2)
			bench_fail(IMPL_NAME, "W7 str%zu: found %llu sum %llu", len,
			           (unsigned long long)found, (unsigned long long)sum);
		smap_destroy(m);
	}
	char variant[32];
	snprintf(variant, sizeof variant, "str%zu-insert", len);
	bench_report(IMPL_NAME, "W7", variant, n, reps * (int64_t)n, t_ins);
	snprintf(variant, sizeof variant, "str%zu-hit", len);
	bench_report(IMPL_NAME, "W7", variant, n, reps * (int64_t)n, t_hit);
	free(p);
	free(bytes);
}

int BENCH_RUN(const struct bench_args *a)
{
	const char *w = a->workload;
	if (!strcmp(w, "W1"))
		wl_insert(a, false);
	else if (!strcmp(w, "W2"))
		wl_insert(a, true);
	else if (!strcmp(w, "W3"))
		wl_lookup(a, true);
	else if (!strcmp(w, "W4"))
		wl_lookup(a, false);
	else if (!strcmp(w, "W5"))
		wl_churn(a);
	else if (!strcmp(w, "W6"))
		wl_iter(a);
	else if (!strcmp(w, "W7")) {
		wl_strings(a, a->ops / 2, 8);
		wl_strings(a, a->ops / 2, 16);
	} else
		return 2;
	return 0;
}
