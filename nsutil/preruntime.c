// The pre-runtime stage of the nsbox executor.
//
// The Go runtime is multi-threaded before main() runs, and the kernel refuses setns() into user,
// mount and time namespaces, and unshare(CLONE_NEWUSER), to a threaded process; a process that
// joined a PID namespace cannot start threads either. So the Go side of nsbox builds a plan (an
// ordered list of steps), writes it to a memfd and re-executes /proc/self/exe with the marker
// variable _NSBOX_PLAN=<fd>. This constructor runs before the Go runtime starts. It does nothing
// unless the marker is set; when it is, it removes the marker from the environment, reads and
// closes the plan, carries out the steps and ends with execve() or exit(): it never returns to Go.
//
// Each step carries its own trace text and error message, written by the Go side, so the wording
// lives in one place and this file stays a small interpreter.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLAN_MAGIC "NSBOXPL1"
#define MARKER "_NSBOX_PLAN"

// Operations; keep in step with the op* constants in plan.go.
enum {
	OP_UNSHARE = 1,
	OP_SETNS = 2,
	OP_WRITE = 3,
	OP_MOUNT = 4,
	OP_CHROOT = 5,
	OP_CHDIR = 6,
	OP_FCHDIR = 7,
	OP_SETGROUPS = 8,
	OP_SETRESGID = 9,
	OP_SETRESUID = 10,
	OP_KEEPCAPS = 11,
	OP_PRCTL = 12,
	OP_CHECK_PARENT = 13,
	OP_FORK = 14,
	OP_WAIT = 15,
	OP_HELPER_FORK = 16,
	OP_HELPER_RELEASE = 17,
	OP_HELPER_DONE = 18,
	OP_RUN = 19,
	OP_EXEC = 20,
	OP_SETSID = 21,
};

// Step flags; keep in step with plan.go.
enum {
	F_OPTIONAL = 1 << 0,   // a failure is not an error; success marks the step's id done
	F_UNUSED_1 = 1 << 1,
	F_FOLLOW_STOPS = 1 << 2,  // OP_FORK: stop when the child stops, then continue it
	F_FORWARD_SIGS = 1 << 3,  // OP_FORK: forward SIGINT/SIGTERM to the child
	F_BLOCK_SIGS = 1 << 4,    // OP_FORK: ignore SIGINT/SIGTERM in the waiting parent
	F_ENV = 1 << 5,           // OP_EXEC: vec2 is the environment
	F_SUBST_PID = 1 << 6,     // replace "%p" in strings by the main process's PID
	F_EXIT_1 = 1 << 7,        // OP_CHECK_PARENT: exit 1 silently when orphaned
};

// Roles: which process carries out a step.
enum { ROLE_MAIN = 0, ROLE_PARENT = 1, ROLE_HELPER = 2 };

// id: a successful step marks id done. cond > 0: skip the step when cond is done; cond < 0:
// skip it unless -cond is done.
struct step {
	int32_t op, role, flags, id, cond;
	int64_t a, b;
	char *s1, *s2, *trace, *errmsg;
	uint32_t n1, n2;
	char **v1, **v2;
};

// Capabilities, as <linux/capability.h> has them (not every libc's include path has it).
#define CAP_VERSION_3 0x20080522
struct cap_header {
	uint32_t version;
	int pid;
};
struct cap_data {
	uint32_t effective, permitted, inheritable;
};

// errnos: the names strace prints and the GNU C library's wording, so that messages read the
// same whichever libc the static binary is linked with (glibc or musl).
static const struct {
	int num;
	const char *name, *text;
} errnos[] = {
	{EPERM, "EPERM", "Operation not permitted"},
	{ENOENT, "ENOENT", "No such file or directory"},
	{ESRCH, "ESRCH", "No such process"},
	{EINTR, "EINTR", "Interrupted system call"},
	{EIO, "EIO", "Input/output error"},
	{ENXIO, "ENXIO", "No such device or address"},
	{E2BIG, "E2BIG", "Argument list too long"},
	{ENOEXEC, "ENOEXEC", "Exec format error"},
	{EBADF, "EBADF", "Bad file descriptor"},
	{ECHILD, "ECHILD", "No child processes"},
	{EAGAIN, "EAGAIN", "Resource temporarily unavailable"},
	{ENOMEM, "ENOMEM", "Cannot allocate memory"},
	{EACCES, "EACCES", "Permission denied"},
	{EFAULT, "EFAULT", "Bad address"},
	{EBUSY, "EBUSY", "Device or resource busy"},
	{EEXIST, "EEXIST", "File exists"},
	{EXDEV, "EXDEV", "Invalid cross-device link"},
	{ENODEV, "ENODEV", "No such device"},
	{ENOTDIR, "ENOTDIR", "Not a directory"},
	{EISDIR, "EISDIR", "Is a directory"},
	{EINVAL, "EINVAL", "Invalid argument"},
	{ENFILE, "ENFILE", "Too many open files in system"},
	{EMFILE, "EMFILE", "Too many open files"},
	{ENOTTY, "ENOTTY", "Inappropriate ioctl for device"},
	{ETXTBSY, "ETXTBSY", "Text file busy"},
	{ENOSPC, "ENOSPC", "No space left on device"},
	{EROFS, "EROFS", "Read-only file system"},
	{EMLINK, "EMLINK", "Too many links"},
	{EPIPE, "EPIPE", "Broken pipe"},
	{ERANGE, "ERANGE", "Numerical result out of range"},
	{ENAMETOOLONG, "ENAMETOOLONG", "File name too long"},
	{ENOSYS, "ENOSYS", "Function not implemented"},
	{ELOOP, "ELOOP", "Too many levels of symbolic links"},
	{EUSERS, "EUSERS", "Too many users"},
	{EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported"},
	{EOVERFLOW, "EOVERFLOW", "Value too large for defined data type"},
};

static const char *errno_name(int err)
{
	for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
		if (errnos[i].num == err)
			return errnos[i].name;
	return "E?";
}

static const char *errno_text(int err)
{
	for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
		if (errnos[i].num == err)
			return errnos[i].text;
	return strerror(err);
}

static const char *prog = "nsbox";
static int tracing;
static uint64_t done_ids;
static pid_t main_pid;       // the process that forked the helper: what %p means
static pid_t child_pid = -1; // OP_FORK's child, for the parent's signal forwarding
// Helpers waiting for HelperRelease, a stack: HelperRelease lets the newest one run, so a plan
// can fork a helper for later (persistence binds) and then one for sooner (ID maps).
#define MAX_HELPERS 4
static int helper_pipe[MAX_HELPERS];
static pid_t helper_pid[MAX_HELPERS];
static int helpers;

// end_helpers kills and reaps the helpers not released yet, so that a failing plan leaves no
// process behind (not even a zombie for an init that does not reap).
static void end_helpers(void)
{
	for (int h = 0; h < helpers; h++) {
		kill(helper_pid[h], SIGKILL);
		while (waitpid(helper_pid[h], NULL, 0) < 0 && errno == EINTR)
			;
	}
	helpers = 0;
}

static void die(int status, const struct step *s, int err)
{
	const char *msg = s && s->errmsg && *s->errmsg ? s->errmsg : (s ? s->trace : "plan");
	// A message may end in "\n(hint)": the kernel release a limit needs, after the errno's text.
	const char *nl = strchr(msg, '\n');
	int len = nl ? (int)(nl - msg) : (int)strlen(msg);
	const char *sep = nl ? " " : "", *hint = nl ? nl + 1 : "";
	if (err)
		fprintf(stderr, "%s: %.*s: %s%s%s\n", prog, len, msg, errno_text(err), sep, hint);
	else
		fprintf(stderr, "%s: %.*s%s%s\n", prog, len, msg, sep, hint);
	end_helpers();
	_exit(status);
}

static void trace_result(const struct step *s, long ret, int err)
{
	if (!tracing || !s->trace || !*s->trace)
		return;
	if (ret < 0)
		fprintf(stderr, "%s = -1 %s (%s)\n", s->trace, errno_name(err), errno_text(err));
	else
		fprintf(stderr, "%s = %ld\n", s->trace, ret);
}

// ---- reading the plan ----

struct reader {
	const char *p, *end;
};

static int rd_bytes(struct reader *r, void *dst, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return -1;
	memcpy(dst, r->p, n);
	r->p += n;
	return 0;
}

static char *rd_str(struct reader *r, int *bad)
{
	uint32_t n;
	if (rd_bytes(r, &n, sizeof n) < 0 || (size_t)(r->end - r->p) < n) {
		*bad = 1;
		return NULL;
	}
	char *s = malloc(n + 1);
	if (!s) {
		*bad = 1;
		return NULL;
	}
	memcpy(s, r->p, n);
	s[n] = 0;
	r->p += n;
	return s;
}

static char **rd_vec(struct reader *r, uint32_t *count, int *bad)
{
	uint32_t n;
	if (rd_bytes(r, &n, sizeof n) < 0 || n > 1u << 20) {
		*bad = 1;
		return NULL;
	}
	char **v = calloc(n + 1, sizeof *v);
	if (!v) {
		*bad = 1;
		return NULL;
	}
	for (uint32_t i = 0; i < n && !*bad; i++)
		v[i] = rd_str(r, bad);
	*count = n;
	return v;
}

static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			return NULL;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			continue;
		}
		ssize_t got = pread(fd, buf + n, cap - n, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return NULL;
		if (got == 0)
			break;
		n += got;
	}
	*len = n;
	return buf;
}

// ---- helpers for steps ----

// subst replaces each "%p" in s by main_pid.
static char *subst(const char *s)
{
	char pid[24];
	snprintf(pid, sizeof pid, "%d", (int)main_pid);
	size_t n = strlen(s) + 1;
	for (const char *q = s; (q = strstr(q, "%p")); q += 2)
		n += strlen(pid);
	char *out = malloc(n), *w = out;
	if (!out)
		return (char *)s;
	while (*s) {
		if (s[0] == '%' && s[1] == 'p') {
			w = stpcpy(w, pid);
			s += 2;
		} else {
			*w++ = *s++;
		}
	}
	*w = 0;
	return out;
}

static long write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(data);
	ssize_t n = write(fd, data, len);
	int err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static long keep_caps(void)
{
	struct cap_header hdr = {CAP_VERSION_3, 0};
	struct cap_data data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	data[0].inheritable = data[0].permitted;
	data[1].inheritable = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -1;
	uint64_t perm = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	for (int cap = 0; cap < 64; cap++) {
		if (!(perm & (1ull << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EINVAL)
			return -1;
	}
	return 0;
}

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

// exit_like passes on a child's wait status: its exit code, or its fatal signal re-raised on
// ourselves so that our own parent sees 128+N.
static void exit_like(int status)
{
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		sigset_t set;
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), sig);
		_exit(128 + sig);
	}
	_exit(1);
}

static void wait_child(const struct step *s)
{
	int status;
	for (;;) {
		pid_t got = waitpid(child_pid, &status, (s->flags & F_FOLLOW_STOPS) ? WUNTRACED : 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			die(1, s, errno);
		if (WIFSTOPPED(status)) {
			kill(getpid(), SIGSTOP);
			kill(child_pid, SIGCONT);
			continue;
		}
		break;
	}
	if (tracing) {
		if (WIFEXITED(status))
			fprintf(stderr, "%s = exited %d\n", s->trace, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			fprintf(stderr, "%s = killed by signal %d\n", s->trace, WTERMSIG(status));
	}
	exit_like(status);
}

// exec_fd runs the open executable s->a (this binary again, as pidns-init). execveat(fd, "",
// AT_EMPTY_PATH) names the program "/dev/fd/N" to the kernel, and TOMOYO before Linux 6.12 looks
// that name up in the new root: without /dev/fd there the exec fails with ENOENT although the
// file is open (a static binary has no interpreter that could be missing). Then the same file
// is tried by the names that may exist in the new root: /proc/self/fd/N, /proc/self/exe, and
// s->s2 (where the binary is inside the new root) when it is the same file. ENOENT after all
// of them fails with s->s1, which says why, rather than a missing pidns-init.
static void exec_fd(const struct step *s)
{
	int fd = (int)s->a;
	fexecve(fd, s->v1, environ);
	int err = errno;
	if (err != ENOENT)
		die(126, s, err);
	struct stat want;
	if (fstat(fd, &want) < 0)
		die(126, s, err);
	char byfd[32];
	snprintf(byfd, sizeof byfd, "/proc/self/fd/%d", fd);
	const char *names[] = {byfd, "/proc/self/exe", s->s2};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct stat st;
		if (!names[i] || !*names[i] || stat(names[i], &st) < 0 || st.st_dev != want.st_dev ||
		    st.st_ino != want.st_ino)
			continue;
		if (tracing)
			fprintf(stderr, "execve(\"%s\") ...\n", names[i]);
		execve(names[i], s->v1, environ);
	}
	if (tracing)
		fprintf(stderr, "%s = -1 ENOENT (%s)\n", s->trace, errno_text(ENOENT));
	struct step why = *s;
	if (s->s1 && *s->s1)
		why.errmsg = s->s1;
	die(127, &why, err);
}

static void exec_step(const struct step *s)
{
	if (tracing && s->trace && *s->trace)
		fprintf(stderr, "%s ...\n", s->trace);
	if (s->flags & F_ENV)
		environ = s->v2;
	if (s->a >= 0) {
		exec_fd(s);
		return;
	}
	if (strchr(s->s1, '/'))
		execv(s->s1, s->v1);
	else
		execvp(s->s1, s->v1);
	int err = errno;
	die(err == ENOENT ? 127 : 126, s, err);
}

static void run_program(const struct step *s)
{
	pid_t pid = fork();
	if (pid < 0)
		die(1, s, errno);
	if (pid == 0) {
		char **argv = s->v1;
		if (s->flags & F_SUBST_PID)
			for (uint32_t i = 0; i < s->n1; i++)
				argv[i] = subst(argv[i]);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: failed to execute %s: %s\n", prog, argv[0], errno_text(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die(1, s, errno);
	if (tracing && s->trace && *s->trace)
		fprintf(stderr, "%s = %d\n", s->trace, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	// The program has said what went wrong: exit as it did, as util-linux does, adding nothing.
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		_exit(WEXITSTATUS(status));
	if (!WIFEXITED(status))
		die(1, s, 0);
}

// ---- the interpreter ----

static void run_plan(struct step *steps, uint32_t count)
{
	int role = ROLE_MAIN;
	main_pid = getpid();
	for (uint32_t i = 0; i < count; i++) {
		struct step *s = &steps[i];
		if (s->role != role)
			continue;
		if (s->cond > 0 && s->cond < 64 && (done_ids & (1ull << s->cond)))
			continue;
		if (s->cond < 0 && s->cond > -64 && !(done_ids & (1ull << -s->cond)))
			continue;
		if (s->flags & F_SUBST_PID) {
			if (s->s1)
				s->s1 = subst(s->s1);
			if (s->s2)
				s->s2 = subst(s->s2);
			if (s->trace)
				s->trace = subst(s->trace);
			if (s->errmsg)
				s->errmsg = subst(s->errmsg);
		}
		long ret = 0;
		errno = 0;
		switch (s->op) {
		case OP_UNSHARE:
			ret = unshare((int)s->a);
			break;
		case OP_SETNS:
			ret = setns((int)s->a, (int)s->b);
			break;
		case OP_WRITE:
			ret = write_file(s->s1, s->s2);
			break;
		case OP_MOUNT:
			ret = mount(s->s1, s->s2, s->n1 > 0 ? s->v1[0] : NULL, (unsigned long)s->a,
				    s->n1 > 1 ? s->v1[1] : NULL);
			break;
		case OP_CHROOT:
			ret = chroot(s->s1);
			break;
		case OP_CHDIR:
			ret = chdir(s->s1);
			break;
		case OP_FCHDIR:
			ret = fchdir((int)s->a);
			break;
		case OP_SETGROUPS:
			ret = setgroups(0, NULL);
			break;
		case OP_SETRESGID:
			ret = setresgid((gid_t)s->a, (gid_t)s->a, (gid_t)s->a);
			break;
		case OP_SETRESUID:
			ret = setresuid((uid_t)s->a, (uid_t)s->a, (uid_t)s->a);
			break;
		case OP_KEEPCAPS:
			ret = keep_caps();
			break;
		case OP_PRCTL:
			ret = prctl((int)s->a, (unsigned long)s->b, 0, 0, 0);
			break;
		case OP_SETSID:
			ret = setsid();
			break;
		case OP_CHECK_PARENT:
			if (getppid() != (pid_t)main_pid) {
				if (s->flags & F_EXIT_1)
					_exit(1);
				errno = ESRCH;
				ret = -1;
			}
			break;
		case OP_FORK: {
			sigset_t set, old;
			sigemptyset(&set);
			sigaddset(&set, SIGINT);
			sigaddset(&set, SIGTERM);
			sigprocmask(SIG_BLOCK, &set, &old);
			pid_t pid = fork();
			if (pid < 0) {
				ret = -1;
				break;
			}
			if (pid == 0) {
				main_pid = getppid();
				sigprocmask(SIG_SETMASK, &old, NULL);
				// Helpers belong to the parent; their pipes are not ours to hold.
				for (int h = 0; h < helpers; h++)
					close(helper_pipe[h]);
				helpers = 0;
				continue;
			}
			ret = child_pid = pid;
			role = ROLE_PARENT;
			if (s->flags & F_FORWARD_SIGS) {
				struct sigaction sa = {.sa_handler = forward_signal, .sa_flags = SA_RESTART};
				sigemptyset(&sa.sa_mask);
				sigaction(SIGINT, &sa, NULL);
				sigaction(SIGTERM, &sa, NULL);
				sigprocmask(SIG_SETMASK, &old, NULL);
			} else if (!(s->flags & F_BLOCK_SIGS)) {
				sigprocmask(SIG_SETMASK, &old, NULL);
			}
			break;
		}
		case OP_WAIT:
			wait_child(s);
			break;
		case OP_HELPER_FORK: {
			int fds[2];
			if (helpers == MAX_HELPERS) {
				errno = EBUSY;
				ret = -1;
				break;
			}
			if (pipe2(fds, O_CLOEXEC) < 0) {
				ret = -1;
				break;
			}
			pid_t pid = fork();
			if (pid < 0) {
				ret = -1;
				break;
			}
			if (pid == 0) {
				char c;
				close(fds[1]);
				for (int h = 0; h < helpers; h++)
					close(helper_pipe[h]);
				helpers = 0;
				// The helper serves the process that forked it, and dies with it.
				prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
				if (getppid() != main_pid)
					_exit(1);
				if (read(fds[0], &c, 1) != 1)
					_exit(1);
				close(fds[0]);
				role = ROLE_HELPER;
				continue;
			}
			close(fds[0]);
			helper_pipe[helpers] = fds[1];
			helper_pid[helpers++] = pid;
			ret = pid;
			break;
		}
		case OP_HELPER_RELEASE: {
			int status;
			if (helpers == 0)
				break;
			helpers--;
			if (write(helper_pipe[helpers], "", 1) != 1) {
				ret = -1;
				break;
			}
			close(helper_pipe[helpers]);
			while ((ret = waitpid(helper_pid[helpers], &status, 0)) < 0 && errno == EINTR)
				;
			if (ret >= 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
				if (tracing)
					fprintf(stderr, "%s = failed\n", s->trace);
				// The helper has said why. A forked child must not run on without it.
				if (role == ROLE_PARENT && child_pid > 0) {
					kill(child_pid, SIGKILL);
					while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR)
						;
				}
				// Exit as the helper did (a failed newuidmap's status), as util-linux does.
				end_helpers();
				_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
			}
			ret = 0;
			break;
		}
		case OP_HELPER_DONE:
			_exit(0);
		case OP_RUN:
			run_program(s);
			continue;
		case OP_EXEC:
			exec_step(s);
			continue;
		default:
			errno = EINVAL;
			ret = -1;
		}
		int err = errno;
		if (s->op != OP_FORK || ret != 0)
			trace_result(s, ret, err);
		if (ret < 0) {
			if (s->flags & F_OPTIONAL)
				continue;
			die(1, s, err);
		}
		if (s->id > 0 && s->id < 64)
			done_ids |= 1ull << s->id;
	}
	_exit(0);
}

// nsbox_inherited_ignored (siginherit.c) holds the signals ignored when this process started,
// recorded before the Go runtime installs its handlers (which execve turns into SIG_DFL).
extern uint64_t nsbox_inherited_ignored;

// nsbox_reignore_signals ignores again the signals ignored at start, just before a program is
// executed straight from Go (the in-process engine, or the re-execution into this stage), so
// that it gets them ignored as the caller left them.
void nsbox_reignore_signals(void)
{
	for (int sig = 1; sig <= 64; sig++)
		if (nsbox_inherited_ignored & (1ull << (sig - 1)))
			signal(sig, SIG_IGN);
}

__attribute__((constructor)) static void nsbox_preruntime(void)
{
	const char *marker = getenv(MARKER);
	if (!marker)
		return;
	char *end;
	long fd = strtol(marker, &end, 10);
	unsetenv(MARKER);
	if (*marker == 0 || *end != 0 || fd < 0 || fd > 1 << 20) {
		fprintf(stderr, "nsbox: malformed %s\n", MARKER);
		_exit(1);
	}
	if (getuid() != geteuid() || getgid() != getegid()) {
		fprintf(stderr, "nsbox: refusing to run set-user-ID or set-group-ID\n");
		_exit(1);
	}
	size_t len;
	char *buf = read_all((int)fd, &len);
	close((int)fd);
	struct reader r = {buf, buf ? buf + len : NULL};
	char magic[8];
	uint32_t flags, count, nfds;
	int bad = !buf || rd_bytes(&r, magic, 8) < 0 || memcmp(magic, PLAN_MAGIC, 8) != 0 ||
		  rd_bytes(&r, &flags, 4) < 0 || rd_bytes(&r, &nfds, 4) < 0 || nfds > 1024;
	// The fds the plan uses were passed without close-on-exec; no program we run gets them.
	for (uint32_t i = 0; !bad && i < nfds; i++) {
		int32_t pfd;
		if (rd_bytes(&r, &pfd, 4) < 0)
			bad = 1;
		else
			fcntl(pfd, F_SETFD, FD_CLOEXEC);
	}
	char *name = bad ? NULL : rd_str(&r, &bad);
	bad = bad || rd_bytes(&r, &count, 4) < 0 || count > 1u << 16;
	struct step *steps = bad ? NULL : calloc(count ? count : 1, sizeof *steps);
	bad = bad || !steps;
	for (uint32_t i = 0; !bad && i < count; i++) {
		struct step *s = &steps[i];
		bad = rd_bytes(&r, &s->op, 4) < 0 || rd_bytes(&r, &s->role, 4) < 0 ||
		      rd_bytes(&r, &s->flags, 4) < 0 || rd_bytes(&r, &s->id, 4) < 0 ||
		      rd_bytes(&r, &s->cond, 4) < 0 ||
		      rd_bytes(&r, &s->a, 8) < 0 || rd_bytes(&r, &s->b, 8) < 0;
		if (bad)
			break;
		s->s1 = rd_str(&r, &bad);
		if (!bad) s->s2 = rd_str(&r, &bad);
		if (!bad) s->trace = rd_str(&r, &bad);
		if (!bad) s->errmsg = rd_str(&r, &bad);
		if (!bad) s->v1 = rd_vec(&r, &s->n1, &bad);
		if (!bad) s->v2 = rd_vec(&r, &s->n2, &bad);
	}
	if (bad) {
		fprintf(stderr, "nsbox: malformed plan\n");
		_exit(1);
	}
	prog = name;
	tracing = flags & 1;
	run_plan(steps, count);
}
