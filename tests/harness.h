/* A minimal test harness.  A test file defines tests with GM_TEST(name)
 * and ends with GM_TEST_MAIN(); tests/CMakeLists.txt finds every
 * GM_TEST(name) line and registers one CTest test per name, run as
 * `<file-executable> name`.  A test fails by a failed GM_EXPECT; it must
 * make at least one check, or it fails as assertion-free. */
#ifndef GM_TEST_HARNESS_H
#define GM_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*gm_test_fn)(void);
struct gm_test_entry {
	const char *name;
	gm_test_fn fn;
};

extern int gm_test_failures;
extern long gm_test_checks;

#define GM_MAX_TESTS 512
extern struct gm_test_entry gm_tests[GM_MAX_TESTS];
extern int gm_ntests;

#define GM_TEST(tname)                                                         \
	static void test_##tname(void);                                        \
	__attribute__((constructor)) static void register_##tname(void)        \
	{                                                                      \
		gm_tests[gm_ntests].name = #tname;                             \
		gm_tests[gm_ntests++].fn = test_##tname;                       \
	}                                                                      \
	static void test_##tname(void)

#define GM_EXPECT(cond)                                                        \
	do {                                                                   \
		gm_test_checks++;                                              \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: expected %s\n", __FILE__,      \
			        __LINE__, #cond);                              \
			gm_test_failures++;                                    \
		}                                                              \
	} while (0)

#define GM_EXPECT_EQ_U(a, b)                                                   \
	do {                                                                   \
		unsigned long long gm_a_ = (unsigned long long)(a);            \
		unsigned long long gm_b_ = (unsigned long long)(b);            \
		gm_test_checks++;                                              \
		if (gm_a_ != gm_b_) {                                          \
			fprintf(stderr, "%s:%d: %s == %llu, expected %s == %llu\n", \
			        __FILE__, __LINE__, #a, gm_a_, #b, gm_b_);     \
			gm_test_failures++;                                    \
		}                                                              \
	} while (0)

#define GM_EXPECT_STR(a, b)                                                    \
	do {                                                                   \
		const char *gm_a_ = (a), *gm_b_ = (b);                         \
		gm_test_checks++;                                              \
		if (strcmp(gm_a_, gm_b_) != 0) {                               \
			fprintf(stderr, "%s:%d: %s is\n%s\nexpected\n%s\n",    \
			        __FILE__, __LINE__, #a, gm_a_, gm_b_);         \
			gm_test_failures++;                                    \
		}                                                              \
	} while (0)

#define GM_TEST_MAIN()                                                         \
	int gm_test_failures;                                                  \
	long gm_test_checks;                                                   \
	struct gm_test_entry gm_tests[GM_MAX_TESTS];                           \
	int gm_ntests;                                                         \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		int ran = 0;                                                   \
		for (int t = 0; t < gm_ntests; t++) {                          \
			if (argc > 1 && strcmp(argv[1], gm_tests[t].name) != 0) \
				continue;                                      \
			long before = gm_test_checks;                          \
			int fails = gm_test_failures;                          \
			gm_tests[t].fn();                                      \
			ran++;                                                 \
			if (gm_test_checks == before) {                        \
				fprintf(stderr, "%s: made no check\n",         \
				        gm_tests[t].name);                     \
				gm_test_failures++;                            \
			}                                                      \
			printf("%s %s (%ld checks)\n",                         \
			       gm_test_failures == fails ? "ok  " : "FAIL",    \
			       gm_tests[t].name, gm_test_checks - before);     \
		}                                                              \
		if (ran == 0) {                                                \
			fprintf(stderr, "no test named %s\n",                  \
			        argc > 1 ? argv[1] : "(any)");                 \
			return 2;                                              \
		}                                                              \
		return gm_test_failures ? 1 : 0;                               \
	}

#endif
