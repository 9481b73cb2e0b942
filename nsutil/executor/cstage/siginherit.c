// siginherit.c records, before the Go runtime starts, which signals the process inherited as
// ignored (SIG_IGN). The runtime installs its own handler on most signals
// at start-up, so by the time Go code runs an inherited SIG_IGN is lost for all but SIGHUP and
// SIGINT. The executor gives the original set back to the program unshare or nsenter run
// (nsbox_reignore_signals in preruntime.c). Recording costs 64 sigaction calls per start.

#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

uint64_t nsbox_inherited_ignored;

__attribute__((constructor)) static void nsbox_record_inherited_signals(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct sigaction sa;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, NULL, &sa) == 0 && !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN)
			nsbox_inherited_ignored |= 1ull << (sig - 1);
	}
}
