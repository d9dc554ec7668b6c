/* AFL++ fuzz targets with Go's runtime in the loop (GOMAP_GO_IN_LOOP):
 * start AFL++'s fork server before Go's runtime starts.
 *
 * The runtime of gocheck's C archive starts from a constructor, before
 * main, and runs threads of its own (sysmon, the idle M that ran package
 * initialisation, the template thread).  The AFL++ driver's fork server is
 * deferred by default to main, after all constructors, and a child forked
 * there has the runtime's records of those threads but not the threads:
 * the first time the scheduler hands work to one, the child waits for it
 * forever, and afl-fuzz reports every input as a hang.
 *
 * With AFL_EARLY_FORKSERVER=1 afl-compiler-rt starts the fork server from
 * a constructor that runs before the runtime's, and AFL_DRIVER_DONT_DEFER=1
 * keeps the driver from asking for a deferred one; each child then starts
 * its own runtime.  So when AFL++ runs this binary without them (afl-fuzz,
 * afl-tmin, afl-showmap: they all set __AFL_SHM_ID), it re-executes itself
 * with them.  The driver calls LLVMFuzzerInitialize before the fork
 * server's handshake, so AFL++ sees nothing but a slower start. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	if (getenv("__AFL_SHM_ID") == NULL ||
	    (getenv("AFL_EARLY_FORKSERVER") && getenv("AFL_DRIVER_DONT_DEFER")))
		return 0;
	setenv("AFL_EARLY_FORKSERVER", "1", 1);
	setenv("AFL_DRIVER_DONT_DEFER", "1", 1);
	execv("/proc/self/exe", *argv);
	perror("fuzz target: re-executing with AFL_EARLY_FORKSERVER=1");
	return 0;
}
