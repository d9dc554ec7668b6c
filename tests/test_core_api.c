/* The small entry points of gomap.h that no rule of go-map-rules.md is
 * about: status names, the user pointer, the NULL map accepted wherever
 * gomap.h says so, and the dump written to a FILE (trace-format.md, "The
 * structure dump"). */
#include <stdio.h>
#include <string.h>

#include "support/core_helpers.h"

GM_TEST(api__strerror_names_every_status)
{
	GM_EXPECT_STR(gomap_strerror(GOMAP_OK), "ok");
	GM_EXPECT_STR(gomap_strerror(GOMAP_ENOMEM), "out of memory");
	GM_EXPECT_STR(gomap_strerror(GOMAP_EPANIC), "assignment to entry in nil map");
	GM_EXPECT_STR(gomap_strerror(GOMAP_EFATAL), "fatal map error");
	GM_EXPECT_STR(gomap_strerror(GOMAP_EINVAL), "invalid argument");
	GM_EXPECT_STR(gomap_strerror(12345), "unknown status");
}

GM_TEST(api__user_pointer_and_hooks_are_kept)
{
	ct_env e;
	ct_env_init(&e, 7, 0);
	int token;
	e.hooks.user = &token;
	gomap *m = ct_make(&e, "u64", "u64", 0);
	GM_EXPECT(gomap_user(m) == &token);
	GM_EXPECT_EQ_U(gomap_hashkey0(m), GOMAP_DEFAULT_HASHKEY0);
	gomap_destroy(m);
	m = ct_make(NULL, "u64", "u64", 0);
	GM_EXPECT(gomap_user(m) == NULL);
	gomap_destroy(m);
}

/* gomap.h: a NULL map is an empty map to every reader, and destroying or
 * describing it is a no-op. */
GM_TEST(api__null_map_reads_as_empty)
{
	gomap_destroy(NULL);
	GM_EXPECT_EQ_U(gomap_len(NULL), 0);
	gomap_header_view h;
	memset(&h, 0xab, sizeof h);
	gomap_header(NULL, &h);
	GM_EXPECT_EQ_U(h.count, 0);
	GM_EXPECT_EQ_U(h.B, 0);
	GM_EXPECT(h.next_overflow == -1);
	gomap_memstats ms;
	gomap_memstats_get(NULL, &ms);
	GM_EXPECT_EQ_U(ms.total_bytes, 0);
	gomap_textbuf tb = {0};
	gomap_dump_text(NULL, &tb);
	GM_EXPECT_EQ_U(tb.len, 0);
	gomap_textbuf_free(&tb);
	GM_EXPECT_EQ_U(gomap_check(NULL, NULL, 0), 0);
	uint64_t k = 1;
	const void *kk, *ee;
	GM_EXPECT(!gomap_accessK(NULL, &k, &kk, &ee));
	GM_EXPECT_EQ_U(gomap_clear(NULL), GOMAP_OK);
	gomap_iter it;
	gomap_iter_init(NULL, &it);
	GM_EXPECT(it.key == NULL);
	gomap_iter_next(&it);
	GM_EXPECT(it.key == NULL);
}

/* gomap_dump writes exactly the text gomap_dump_text builds, and says so
 * when the stream refuses it. */
GM_TEST(api__dump_to_a_file_is_the_dump_text)
{
	gomap *m = ct_make(NULL, "u64", "u64", 0);
	for (uint64_t k = 0; k < 12; k++)
		ct_put(m, k, k * 10);
	char *want = ct_dump(m);
	FILE *f = tmpfile();
	GM_EXPECT(f != NULL);
	if (f == NULL) {
		free(want);
		gomap_destroy(m);
		return;
	}
	GM_EXPECT_EQ_U(gomap_dump(m, f), 0);
	rewind(f);
	size_t n = strlen(want);
	char *got = calloc(1, n + 2);
	GM_EXPECT_EQ_U(fread(got, 1, n + 1, f), n);
	GM_EXPECT_STR(got, want);
	fclose(f);
	free(got);

	/* a stream opened for reading accepts no byte */
	f = fopen("/dev/null", "r");
	GM_EXPECT(f != NULL);
	if (f) {
		GM_EXPECT(gomap_dump(m, f) == -1);
		fclose(f);
	}
	free(want);
	gomap_destroy(m);
}

/* A key or elem type without a format callback still dumps: its values
 * print as '?'. */
GM_TEST(api__dump_of_a_value_without_format_is_a_question_mark)
{
	gomap_keytype k = gomap_key_u64;
	gomap_elemtype e = gomap_elem_u64;
	k.format = NULL;
	e.format = NULL;
	gomap_type t;
	GM_EXPECT_EQ_U(gomap_type_init(&t, &k, &e), GOMAP_OK);
	gomap *m = ct_make_type(NULL, &t, 0);
	ct_put(m, 5, 6);
	GM_EXPECT(ct_dump_has(m, " th=["));
	GM_EXPECT(ct_dump_has(m, ":?=?\n"));
	gomap_destroy(m);
}

/* trace-format.md: the dump's rand= is the default generator's state; a
 * map drawing from a rand64 hook has none, and prints zeros. */
GM_TEST(api__dump_has_no_generator_state_under_a_rand_hook)
{
	ct_env e;
	ct_env_init(&e, 9, CT_HOOK_RAND);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	ct_put(m, 1, 1);
	GM_EXPECT(ct_dump_has(m, " rand=0x0000000000000000\n"));
	GM_EXPECT_EQ_U(ct_hdr(m).rand_state, 0);
	gomap_destroy(m);
}

GM_TEST_MAIN()
