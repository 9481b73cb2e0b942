// siginherit.c records, before the Go runtime starts, which signals the process inherited as
// ignored (SIG_IGN) and which as blocked. The runtime installs its own handler on most signals
// at start-up, so by the time Go code runs an inherited SIG_IGN is lost for all but SIGHUP and
// SIGINT. pidns-init needs the original set to pass it on to its child, as tini does, and the
// executor to give it back to the program unshare or nsenter run (nsbox_reignore_signals in
// preruntime.c). Recording costs 64 sigaction calls per start.
//
// Only pidns-init (argv[0]'s basename, or `nsbox pidns-init`) also catches signal 34 here.
// argv[0] comes from program_invocation_name, which glibc and musl both set before
// constructors run.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
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

// The kernel's struct sigaction for rt_sigaction(2): musl's sigaction() refuses 32 to 34,
// the signals it keeps for itself, so the handler is installed with the system call.
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

#define KSA_RESTORER 0x04000000

#if defined(__x86_64__)
// x86-64 returns from a handler through a restorer that calls rt_sigreturn.
void nsbox_restore_rt(void);
__asm__(".text\n.align 16\nnsbox_restore_rt:\n\tmovq $15, %rax\n\tsyscall\n");
#endif

// nsbox_arm_rtmin installs the handler for signal 34. Go calls it again once the runtime runs:
// musl's setrlimit (which the runtime calls at start-up) borrows signal 34 for its
// __synccall and leaves it at SIG_DFL.
void nsbox_arm_rtmin(void)
{
	if (nsbox_rtmin_pipe[1] < 0)
		return;
	struct kernel_sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.handler = on_rtmin;
	sa.flags = SA_RESTART | SA_ONSTACK;
	sa.mask = ~0ull;
#if defined(__x86_64__)
	sa.flags |= KSA_RESTORER;
	sa.restorer = nsbox_restore_rt;
#endif
	syscall(SYS_rt_sigaction, 34, &sa, NULL, sizeof sa.mask);
}

static void catch_rtmin(void)
{
	if (nsbox_inherited_ignored & (1ull << (34 - 1)))
		return; // inherited as ignored: it stays so, as every other ignored signal
	if (pipe2(nsbox_rtmin_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	nsbox_arm_rtmin();
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

// second_arg_is reads the second argument from /proc/self/cmdline (for `nsbox pidns-init`,
// the only case that needs it: musl passes constructors no argv).
static int second_arg_is(const char *want)
{
	char buf[4096];
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	size_t first = strlen(buf) + 1;
	return (ssize_t)first < n && strcmp(buf + first, want) == 0;
}

static int is_pidns_init(void)
{
	const char *path = program_invocation_name;
	if (!path)
		return 0;
	const char *name = base_name(path);
	if (strcmp(name, "pidns-init") == 0)
		return 1;
	return strncmp(name, "nsbox", 5) == 0 && second_arg_is("pidns-init");
}

__attribute__((constructor)) static void nsbox_record_inherited_signals(void)
{
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
	if (is_pidns_init())
		catch_rtmin();
}
