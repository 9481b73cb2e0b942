// init.c: pidns-init, PID 1 of a PID namespace or a container, in C from its first instruction.
//
// When the binary starts under one of pidns-init's names (pidinit.h), the constructor at the end
// of this file runs before the Go runtime and before any other constructor. It blocks every
// signal, forks, and stays in C as the init. The child returns from the constructor and starts
// the Go runtime, which parses the command line with the applet's kong grammar
// (tools/pidnsinit) and writes the init's configuration, a struct pidinit_plan, to a pipe; or
// prints help, the version or a usage error and exits, and the init exits with its status. So
// the init is one thread and a few pages of memory for a container's whole life, and no signal
// can kill it or be lost between its first instruction and its first wait.
//
// Every signal decision:
// - All 64 signals are blocked from the constructor's first system call to the init's exit
//   (SIGKILL and SIGSTOP cannot be). A blocked signal is queued even when the kernel would
//   drop it for a namespace's init (SIG_DFL, sent from inside), so what comes while Go parses
//   is handled once the program runs.
// - No handler is installed: the init takes signals with sigtimedwait. So the program gets the
//   dispositions pidns-init inherited (an inherited SIG_IGN survives execve, the rest is
//   SIG_DFL), and the signal mask pidns-init inherited, restored in its process before execve.
// - SIGCHLD wakes the init to reap and is never forwarded. Inherited as SIG_IGN it would make
//   the kernel reap the children itself and lose the program's status: the init sets SIG_DFL,
//   and the program gets SIG_IGN back.
// - A signal inherited as SIG_IGN is not forwarded: the program inherits it ignored too.
// - SIGTTIN and SIGTTOU are dropped, as tini drops them: the kernel sends them to a process
//   group that touches the terminal from the background, as the init's is once the program has
//   the foreground; they concern the init, and would stop the program. SIGURG (out-of-band
//   data; Go runtimes preempt with it) and SIGPROF (a profiling timer) concern the process they
//   are sent to as well. 32 and 33 are the C libraries' own (glibc's cancellation and setxid,
//   musl's timer and cancellation). All of them are forwarded when -r names them.
// - A SIGPIPE the init raised itself, writing a message to a broken stderr, is dropped.
// - With --pause there is no program: INT and TERM end the init with status 0, the rest is
//   dropped.
// - Everything else is forwarded to the program (to its process group with -g), as -r rewrites
//   it (-r S:0 drops S). INT and TERM also start the --grace shutdown.
// - SIGKILL and SIGSTOP from the parent namespace end or stop the init; from inside, the
//   kernel ignores them. A fault of the init's own (SIGSEGV and the like, from the CPU) kills
//   it: the kernel unblocks those.

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../executor/cstage/stage.h" // NSBOX_MARKER, nsbox_execvp, nsbox_tini_exec_failure_status
#include "pidinit.h"

#define NAME "pidns-init"
#define KILL_WAIT_NS 2000000000LL // after the grace period's SIGKILL, how long to wait for the dead
#define PLAN_MAX (64 << 20)       // the largest plan read (the program's arguments are in it)

extern char **environ;

// In the child that runs Go: the pipe the plan is written to (nsbox_pidinit_plan_fd in plan.go).
int nsbox_pidinit_plan_fd = -1;

enum { LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

static struct pidinit_plan plan;
static char **argv;                         // the program and its arguments, from the plan
static const char *signame[PIDINIT_NSIG + 1]; // from the plan
static const char *errtext[PIDINIT_NERRNO];     // from the plan
static uint64_t inherited_mask, inherited_ignored;
static int stderr_broken;

static struct {
	pid_t main;       // the program, 0 with --pause
	int status;       // its wait status, once main_done
	int main_done;    // the program was reaped (with --pause: INT or TERM came)
	int orphans;      // the last reap saw children still running
	int shutdown;     // the grace period has begun
	int killed;       // the grace period is over and SIGKILL was sent
	int64_t deadline; // CLOCK_MONOTONIC ns at which the current period ends, 0 for none
} st;

// ---- small helpers ----

static uint64_t bit(int sig) { return 1ull << (sig - 1); }

// The kernel's mask calls, not the C library's: musl and glibc leave out the signals they keep
// for themselves (32 to 34), and pidns-init blocks, and gives back, all 64.
static int set_mask(uint64_t mask, uint64_t *old)
{
	return (int)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, old, sizeof mask);
}

static void to_sigset(uint64_t bits, sigset_t *set)
{
	memset(set, 0, sizeof *set);
	memcpy(set, &bits, sizeof bits);
}

static void vsay(const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof line, NAME ": ");
	n += vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (n > (int)sizeof line - 1)
		n = sizeof line - 1;
	line[n++] = '\n';
	while (write(2, line, n) < 0) {
		if (errno == EINTR)
			continue;
		stderr_broken = 1; // EPIPE: the SIGPIPE it raised is dropped by handle()
		break;
	}
}

// say writes a message at level (LOG_*) when -v/TINI_VERBOSITY ask for it.
static void say(int level, const char *fmt, ...)
{
	if (level > plan.verbosity || stderr_broken)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

// fail writes an error, whatever the verbosity.
static void fail(const char *fmt, ...)
{
	if (stderr_broken)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

// err_text words an errno as the GNU C library does (the plan's texts), else as this one.
static const char *err_text(int err)
{
	return err > 0 && err < PIDINIT_NERRNO && errtext[err] ? errtext[err] : strerror(err);
}

static const char *sig_name(int sig)
{
	return sig >= 1 && sig <= PIDINIT_NSIG && signame[sig] ? signame[sig] : "?";
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// ---- the program ----

// spawn starts the program in a process group of its own, which becomes the terminal's
// foreground group when the init's group is (stdin is the controlling terminal and the init was
// not started in the background).
static pid_t spawn(void)
{
	int terminal = tcgetpgrp(0) == getpgrp();
	pid_t pid = fork();
	if (pid != 0) {
		// The parent sets the group too, so that -g reaches it from the first signal on.
		if (pid > 0)
			setpgid(pid, pid);
		return pid;
	}
	setpgid(0, 0);
	// SIGTTOU is still blocked here, so a group of the session may take the terminal.
	if (terminal && tcsetpgrp(0, getpid()) < 0)
		say(LOG_WARN, "cannot make the program the terminal's foreground: %s", err_text(errno));
	if (inherited_ignored & bit(SIGCHLD))
		signal(SIGCHLD, SIG_IGN);
	set_mask(inherited_mask, NULL);
	nsbox_execvp(argv[0], argv, environ); // searched in PATH as tini's execvp searches
	int err = errno;
	fail("failed to execute %s: %s", argv[0], err_text(err));
	_exit(nsbox_tini_exec_failure_status(err)); // tini's: 127 not found, 126 denied, else 1
}

// first_pid makes the program PID 2 of a new PID namespace, as it is under tini. The kernel
// hands out a namespace's PIDs in turn from the last one given, and the parser's threads took
// 2 to 7 before they went; writing 1 to ns_last_pid starts the turn again. The kernel takes it
// from the namespace's init with CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE) in the user
// namespace that owns it, through any /proc that is mounted (the file is the writer's PID
// namespace's); where it cannot (/proc/sys read-only, as engines mount it, or no capability),
// the program gets the next PID, and nothing is said.
static void first_pid(void)
{
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1", 1) < 0)
		say(LOG_DEBUG, "ns_last_pid: %s", err_text(errno));
	close(fd);
}

// release_inherited leaves nothing of the parent's held by the init for a container's life, once
// the program has its own copies: it moves to / (no directory, and so no mount, kept busy) and
// closes the descriptors above 2 (socket-activation listeners and the like).
static void release_inherited(void)
{
	if (chdir("/") < 0)
		say(LOG_WARN, "chdir /: %s", err_text(errno));
	if (syscall(SYS_close_range, 3, ~0u, 0) == 0)
		return;
	struct rlimit lim; // kernels before 5.9
	int max = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 65536 ? (int)lim.rlim_cur : 65536;
	for (int fd = 3; fd < max; fd++)
		close(fd);
}

// ---- reaping ----

static void describe(int ws, char *buf, size_t len)
{
	if (WIFSIGNALED(ws))
		snprintf(buf, len, "signal %s", sig_name(WTERMSIG(ws)));
	else
		snprintf(buf, len, "status %d", WEXITSTATUS(ws));
}

// reap collects every child that has exited, the program included.
static void reap(void)
{
	for (;;) {
		int ws;
		pid_t pid = waitpid(-1, &ws, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) { // ECHILD: no child at all
			st.orphans = 0;
			return;
		}
		if (pid == 0) {
			st.orphans = 1;
			return;
		}
		if (pid == st.main && !st.main_done) {
			char how[64];
			st.main_done = 1;
			st.status = ws;
			describe(ws, how, sizeof how);
			say(LOG_INFO, "main child exited with %s", how);
		} else {
			say(plan.flags & PIDINIT_WARN_REAP ? LOG_WARN : LOG_DEBUG, "reaped zombie process with pid=%d", pid);
		}
	}
}

// ---- shutdown (--grace) ----

// proc_is_ours reports whether /proc shows the init's PID namespace (a namespace made without
// --mount-proc shows its parent's).
static int proc_is_ours(void)
{
	char link[32], want[32];
	ssize_t n = readlink("/proc/self", link, sizeof link - 1);
	if (n < 0)
		return 0;
	link[n] = 0;
	snprintf(want, sizeof want, "%d", getpid());
	return strcmp(link, want) == 0;
}

// parent_of reads the parent PID from /proc/PID/stat: the field after the state, which follows
// the last ')' so that a hostile comm cannot shift it.
static pid_t parent_of(pid_t pid)
{
	char name[32], buf[512];
	snprintf(name, sizeof name, "/proc/%d/stat", pid);
	int fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *end = strrchr(buf, ')');
	if (!end || end + 4 >= buf + n)
		return -1;
	return (pid_t)strtol(end + 4, NULL, 10);
}

// remaining lists the processes the init answers for: as PID 1 every other process of the
// namespace, else its descendants. The caller frees the list; NULL when /proc cannot say.
static pid_t *remaining(size_t *count)
{
	pid_t self = getpid();
	DIR *dir = proc_is_ours() ? opendir("/proc") : NULL;
	if (!dir)
		return NULL;
	size_t n = 0, cap = 0;
	struct proc { pid_t pid, ppid; int mine; } *procs = NULL;
	struct dirent *e;
	while ((e = readdir(dir))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			void *more = realloc(procs, cap * sizeof *procs);
			if (!more)
				break;
			procs = more;
		}
		procs[n] = (struct proc){(pid_t)pid, parent_of((pid_t)pid), self == 1};
		n++;
	}
	closedir(dir);
	// Not PID 1: mark the descendants, a generation more each pass.
	for (int changed = self != 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			if (procs[i].mine)
				continue;
			int mine = procs[i].ppid == self;
			for (size_t j = 0; !mine && j < n; j++)
				mine = procs[j].mine && procs[j].pid == procs[i].ppid;
			if (mine)
				procs[i].mine = changed = 1;
		}
	}
	pid_t *out = malloc((n ? n : 1) * sizeof *out);
	size_t k = 0;
	for (size_t i = 0; out && i < n; i++)
		if (procs[i].mine)
			out[k++] = procs[i].pid;
	free(procs);
	*count = k;
	return out;
}

// signal_remaining sends sig to every process the init answers for but spared (which was just
// sent the forwarded signal; negative for a process group).
static void signal_remaining(int sig, pid_t spared)
{
	int pid1 = getpid() == 1;
	size_t n = 0;
	pid_t *pids = pid1 && sig == SIGKILL ? NULL : remaining(&n);
	if (!pids) {
		if (!pid1) {
			say(LOG_WARN, "/proc is not mounted for this PID namespace");
			return;
		}
		// kill(-1) from a namespace's init reaches every process of it but the init.
		if (kill(-1, sig) < 0 && errno != ESRCH)
			say(LOG_WARN, "kill -1: %s", err_text(errno));
		say(LOG_INFO, "sent %s to every process of the namespace", sig_name(sig));
		return;
	}
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		if (pids[i] == spared || (spared < 0 && getpgid(pids[i]) == -spared))
			continue;
		if (kill(pids[i], sig) == 0)
			count++;
	}
	free(pids);
	say(LOG_INFO, "sent %s to %d remaining processes", sig_name(sig), count);
}

// begin_shutdown sends SIGTERM to every remaining process but spared and starts the grace period.
static void begin_shutdown(pid_t spared)
{
	st.shutdown = 1;
	signal_remaining(SIGTERM, spared);
	st.deadline = now_ns() + plan.grace_ns;
}

// expire ends the grace period with SIGKILL, then, after KILL_WAIT_NS, the wait for the killed.
static void expire(void)
{
	if (st.killed) {
		if (!st.main_done) { // the program would not die: report it as killed
			st.main_done = 1;
			st.status = SIGKILL;
		}
		st.orphans = 0;
		st.deadline = 0;
		return;
	}
	st.killed = 1;
	signal_remaining(SIGKILL, 0);
	st.deadline = now_ns() + KILL_WAIT_NS;
}

// finished reports whether the init may exit, starting the grace period when the program has
// just gone and others remain.
static int finished(void)
{
	if (!st.main_done)
		return 0;
	if (plan.grace_ns <= 0 || !st.orphans)
		return 1;
	if (!st.shutdown)
		begin_shutdown(0);
	return 0;
}

// ---- signals ----

// target is the signal to forward for sig, 0 to drop it (see the top of this file).
static int target(int sig)
{
	if (plan.rewrite[sig] != PIDINIT_DEFAULT)
		return plan.rewrite[sig];
	switch (sig) {
	case SIGTTIN: case SIGTTOU: case SIGURG: case SIGPROF: case 32: case 33:
		return 0;
	}
	return sig;
}

// handle acts on one signal received (SIGCHLD aside).
static void handle(const siginfo_t *info)
{
	int sig = info->si_signo;
	int stop = sig == SIGINT || sig == SIGTERM;
	if (sig == SIGPIPE && info->si_code == SI_USER && info->si_pid == getpid())
		return; // raised by our own write to a broken stderr
	if (inherited_ignored & bit(sig)) {
		say(LOG_DEBUG, "dropped signal %s (ignored)", sig_name(sig));
		return;
	}
	if (plan.flags & PIDINIT_PAUSE) {
		if (stop && !st.main_done)
			st.main_done = 1;
		else
			say(LOG_DEBUG, "dropped signal %s", sig_name(sig));
		return;
	}
	int to_sig = target(sig);
	if (to_sig == 0 || st.main_done) {
		say(LOG_DEBUG, "dropped signal %s", sig_name(sig));
		return;
	}
	pid_t to = plan.flags & PIDINIT_PGROUP ? -st.main : st.main;
	if (kill(to, to_sig) < 0)
		say(LOG_WARN, "kill %d: %s", to, err_text(errno));
	else
		say(LOG_DEBUG, "passed on signal %s to pid=%d", sig_name(to_sig), to);
	if (stop && plan.grace_ns > 0 && !st.shutdown)
		begin_shutdown(to);
}

// ---- the init ----

static int exit_code(int ws)
{
	int code = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
	code &= 0xff;
	return plan.expect[code] ? 0 : code;
}

static int run_init(void)
{
	int pid1 = getpid() == 1;
	if (plan.pdeathsig && prctl(PR_SET_PDEATHSIG, plan.pdeathsig, 0, 0, 0) < 0) {
		fail("prctl(PR_SET_PDEATHSIG): %s", err_text(errno));
		return 1;
	}
	if (!pid1 || (plan.flags & PIDINIT_SUBREAPER)) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
			if (plan.flags & PIDINIT_SUBREAPER) {
				fail("cannot register as a child subreaper: %s", err_text(errno));
				return 1;
			}
			say(LOG_WARN, "not PID 1 and cannot register as a child subreaper: %s: orphans will not be reaped", err_text(errno));
		} else {
			say(LOG_DEBUG, "registered as a child subreaper");
		}
	}
	if (!(plan.flags & PIDINIT_PAUSE)) {
		if (pid1)
			first_pid();
		st.main = spawn();
		if (st.main < 0) {
			fail("cannot fork: %s", err_text(errno));
			return 1;
		}
		say(LOG_INFO, "spawned child process with pid=%d", st.main);
	} else {
		say(LOG_INFO, "pausing until INT or TERM");
	}
	release_inherited();

	sigset_t all;
	to_sigset(~0ull, &all);
	for (;;) {
		reap();
		if (finished())
			break;
		struct timespec ts, *timeout = NULL;
		if (st.deadline) {
			int64_t left = st.deadline - now_ns();
			if (left <= 0) {
				expire();
				continue;
			}
			ts.tv_sec = left / 1000000000LL;
			ts.tv_nsec = left % 1000000000LL;
			timeout = &ts;
		}
		siginfo_t info;
		int sig = sigtimedwait(&all, &info, timeout);
		if (sig < 0 || sig == SIGCHLD)
			continue; // EAGAIN: the deadline, checked above; EINTR: a stop and continue
		handle(&info);
	}
	return exit_code(st.status);
}

// ---- the plan ----

static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			char *more = cap < PLAN_MAX ? realloc(buf, cap * 2) : NULL;
			if (!more) {
				free(buf);
				return NULL;
			}
			buf = more;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += r;
	}
	*len = n;
	return buf;
}

// take_plan checks and unpacks the plan the Go side wrote; the strings stay in buf.
static int take_plan(char *buf, size_t len)
{
	if (len < sizeof plan)
		return -1;
	memcpy(&plan, buf, sizeof plan);
	char *s = buf + sizeof plan, *end = buf + len;
	if (plan.magic != PIDINIT_MAGIC || plan.strings != len - sizeof plan || (plan.argc < 1 && !(plan.flags & PIDINIT_PAUSE)) ||
	    plan.argc > PLAN_MAX || end[-1] != 0)
		return -1;
	argv = calloc(plan.argc + 1, sizeof *argv);
	if (!argv)
		return -1;
	for (uint32_t i = 0; i < plan.argc + PIDINIT_NSIG + PIDINIT_NERRNO - 1; i++) {
		if (s >= end)
			return -1;
		if (i < plan.argc)
			argv[i] = s;
		else if (i < plan.argc + PIDINIT_NSIG)
			signame[i - plan.argc + 1] = s;
		else
			errtext[i - plan.argc - PIDINIT_NSIG + 1] = s;
		s += strlen(s) + 1;
	}
	for (int sig = 1; sig <= PIDINIT_NSIG; sig++)
		if (plan.rewrite[sig] < PIDINIT_DEFAULT || plan.rewrite[sig] > PIDINIT_NSIG)
			return -1;
	return 0;
}

// ---- starting: which process is pidns-init ----

static const char *base_name(const char *p)
{
	const char *slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

// nsbox_pidinit_is_init reports whether argv0 and argv1 (NULL when there is none) run
// pidns-init. The applet is named as cli.AppletOf names it (nsutil/cli/applet.go; a test in
// cmd/nsbox pins the two): argv0's base name, or, when that starts with "nsbox", argv1 unless
// it is an option. pidns-init runs when that name is one of pidinit_names.
int nsbox_pidinit_is_init(const char *argv0, const char *argv1)
{
	const char *name = base_name(argv0);
	if (strncmp(name, "nsbox", 5) == 0 && argv1 && argv1[0] != '-')
		name = argv1;
	for (const char *n = pidinit_names; *n; n += strlen(n) + 1)
		if (strcmp(name, n) == 0)
			return 1;
	return 0;
}

// second_arg finds argv[1] with argv[0] only (musl passes constructors no argv). The kernel
// lays out the argument strings one after the other, then the environment's, then the
// executable's file name (AT_EXECFN): the string after argv[0]'s is argv[1] unless it is the
// first environment string or that file name. environ is still the kernel's array here: no
// constructor ran before this one.
static const char *second_arg(const char *argv0)
{
	const char *next = argv0 + strlen(argv0) + 1;
	if ((environ && environ[0] == next) || next == (const char *)getauxval(AT_EXECFN))
		return NULL;
	return next;
}

// one_cpu confines the Go child to the CPU it runs on, so that the runtime starts with
// GOMAXPROCS 1 and as few threads as it can: each one counts against a pids limit.
static void one_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;
	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

__attribute__((constructor(101))) static void nsbox_pidinit(void)
{
	const char *argv0 = program_invocation_name;
	// The executor's re-execution (preruntime.c) is never pidns-init.
	if (!argv0 || !*argv0 || getenv(NSBOX_MARKER))
		return;
	const char *name = base_name(argv0);
	const char *argv1 = strncmp(name, "nsbox", 5) == 0 ? second_arg(argv0) : NULL;
	if (!nsbox_pidinit_is_init(argv0, argv1))
		return;
	if (set_mask(~0ull, &inherited_mask) < 0)
		_exit(1);
	for (int sig = 1; sig <= PIDINIT_NSIG; sig++) {
		// The kernel's struct (handler first), as musl's sigaction() refuses 32 to 34.
		struct { void (*handler)(int); unsigned long flags; void (*restorer)(void); uint64_t mask; } sa;
		if (syscall(SYS_rt_sigaction, sig, NULL, &sa, sizeof sa.mask) == 0 && sa.handler == SIG_IGN)
			inherited_ignored |= bit(sig);
	}
	if (inherited_ignored & bit(SIGCHLD))
		signal(SIGCHLD, SIG_DFL); // see the top of this file
	// Run as `nsbox pidns-init`, or through a descriptor (unshare --init), ps would show "nsbox"
	// or the descriptor's number.
	if (argv1 || strcmp(name, NAME) == 0)
		prctl(PR_SET_NAME, NAME, 0, 0, 0);

	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fail("cannot create a pipe: %s", strerror(errno));
		_exit(1);
	}
	pid_t parser = fork();
	if (parser < 0) {
		fail("cannot fork: %s", strerror(errno));
		_exit(1);
	}
	if (parser == 0) { // on to the Go runtime, with what pidns-init inherited
		close(fds[0]);
		if (inherited_ignored & bit(SIGCHLD))
			signal(SIGCHLD, SIG_IGN);
		nsbox_pidinit_plan_fd = fds[1];
		one_cpu();
		set_mask(inherited_mask, NULL);
		return;
	}
	close(fds[1]);
	size_t len = 0;
	char *buf = read_all(fds[0], &len);
	close(fds[0]);
	int ws;
	while (waitpid(parser, &ws, 0) < 0)
		if (errno != EINTR)
			_exit(1);
	if (WIFSIGNALED(ws))
		_exit(128 + WTERMSIG(ws));
	if (WEXITSTATUS(ws) != 0 || len == 0) // a usage error, or help or the version printed
		_exit(WEXITSTATUS(ws));
	if (!buf || take_plan(buf, len) < 0) {
		fail("malformed plan from the command-line parser");
		_exit(1);
	}
	_exit(run_init());
}
