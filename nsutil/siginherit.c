// siginherit.c records, before the Go runtime starts, which signals the process inherited as
// ignored (SIG_IGN) and which as blocked. The runtime installs its own handler on most signals
// at start-up, so by the time Go code runs an inherited SIG_IGN is lost for all but SIGHUP and
// SIGINT; pidns-init needs the original set to pass it on to its child, as tini does.
//
// It only looks when the program is pidns-init (argv[0]'s basename, or `nsbox pidns-init`), so
// the other applets pay nothing but two string compares.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

uint64_t nsbox_inherited_ignored;
uint64_t nsbox_inherited_blocked;
int nsbox_inherited_recorded;

// The Go runtime leaves signal 34 (SIGRTMIN for glibc; musl's SIGSYNCCALL) at SIG_DFL, which
// os/signal cannot catch and which kills the process. For pidns-init a handler installed here
// (kept by the runtime) writes the signal's arrival to a pipe that Go reads and forwards.
int nsbox_rtmin_pipe[2] = {-1, -1};

static void on_rtmin(int sig)
{
	int saved = errno;
	char c = (char)sig;
	(void)!write(nsbox_rtmin_pipe[1], &c, 1);
	errno = saved;
}

static void catch_rtmin(void)
{
	struct sigaction sa;
	if (nsbox_inherited_ignored & (1ull << (34 - 1)))
		return; // inherited as ignored: it stays so, as every other ignored signal
	if (pipe2(nsbox_rtmin_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_rtmin;
	sa.sa_flags = SA_RESTART | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	sigaction(34, &sa, NULL);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int is_pidns_init(int argc, char **argv)
{
	if (argc < 1 || !argv || !argv[0])
		return 0;
	const char *name = base_name(argv[0]);
	if (strcmp(name, "pidns-init") == 0)
		return 1;
	return strncmp(name, "nsbox", 5) == 0 && argc > 1 && argv[1] && strcmp(argv[1], "pidns-init") == 0;
}

__attribute__((constructor)) static void nsbox_record_inherited_signals(int argc, char **argv, char **envp)
{
	(void)envp;
	if (!is_pidns_init(argc, argv))
		return;
	sigset_t blocked;
	if (sigprocmask(SIG_SETMASK, NULL, &blocked) == 0) {
		for (int sig = 1; sig <= 64; sig++)
			if (sigismember(&blocked, sig) == 1)
				nsbox_inherited_blocked |= 1ull << (sig - 1);
	}
	for (int sig = 1; sig <= 64; sig++) {
		struct sigaction sa;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, NULL, &sa) == 0 && !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN)
			nsbox_inherited_ignored |= 1ull << (sig - 1);
	}
	nsbox_inherited_recorded = 1;
	catch_rtmin();
}
