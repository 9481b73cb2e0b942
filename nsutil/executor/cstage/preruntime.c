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

#include "stage.h"

// A step: the fields every operation has, then its arguments (stage.h lists which).
struct step {
	int32_t op, role, flags;
	// id: a successful step marks id done. cond > 0: skip the step when cond is done; cond < 0:
	// skip it unless -cond is done.
	int32_t id, cond;
	char *trace, *errmsg;
	union {
		struct { int64_t flags; } unshare;
		struct { int64_t fd, nstype; } setns;
		struct { char *path, *data; } write;
		struct { char *source, *target, *fstype, *data; int64_t flags; } mount;
		struct { char *path; } dir; // chroot, chdir
		struct { int64_t fd; } fchdir;
		struct { int64_t id; } cred; // setresuid, setresgid
		struct { int64_t option, arg; } prctl;
		struct { char **argv; uint32_t argc; } run;
		struct { int64_t fd; char *path; char **argv, **env; uint32_t argc, envc; char *alt, *unnamed; } exec;
		struct { char *path, *fchdir_errmsg; } open_fchdir;
		struct { int64_t dirfd; } env_at;
		struct { int64_t err; } fail;
	};
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

// The errnos' names (as strace prints them) and texts, which the plan carries from the Go side
// (the GNU C library's wording), so that messages read the same as the Go side's and
// util-linux's whichever C library this binary is linked with (glibc or musl).
struct errno_text {
	uint32_t num;
	char *name, *text;
};
static struct errno_text *errnos;
static uint32_t nerrnos;

static const char *errno_name(int err)
{
	for (uint32_t i = 0; i < nerrnos; i++)
		if (errnos[i].num == (uint32_t)err)
			return errnos[i].name;
	return "E?";
}

static const char *errno_text(int err)
{
	for (uint32_t i = 0; i < nerrnos; i++)
		if (errnos[i].num == (uint32_t)err)
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

// exec_fd runs the open executable s->exec.fd (this binary again, as pidns-init).
// execveat(fd, "", AT_EMPTY_PATH) names the program "/dev/fd/N" to the kernel, and TOMOYO
// before Linux 6.12 looks that name up in the current root: without /dev/fd there the exec
// fails with ENOENT although the file is open (a static binary has no interpreter that could be
// missing). Then the same file is tried by the names that may exist there: s->exec.alt (its
// path in that root), /proc/self/fd/N and /proc/self/exe, each only when it is the same file.
// ENOENT after all of them fails with s->exec.unnamed, which says why, rather than with a
// missing program.
static void exec_fd(const struct step *s)
{
	int fd = (int)s->exec.fd;
	fexecve(fd, s->exec.argv, environ);
	int err = errno;
	struct stat want;
	if (err != ENOENT || fstat(fd, &want) < 0)
		die(nsbox_exec_failure_status(err), s, err);
	char byfd[32];
	snprintf(byfd, sizeof byfd, "/proc/self/fd/%d", fd);
	const char *names[] = {s->exec.alt, byfd, "/proc/self/exe"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct stat st;
		if (!names[i] || !*names[i] || stat(names[i], &st) < 0 || st.st_dev != want.st_dev ||
		    st.st_ino != want.st_ino)
			continue;
		if (tracing)
			fprintf(stderr, "execve(\"%s\") ...\n", names[i]);
		execve(names[i], s->exec.argv, environ);
	}
	if (tracing)
		fprintf(stderr, "%s = -1 %s (%s)\n", s->trace, errno_name(ENOENT), errno_text(ENOENT));
	struct step why = *s;
	if (s->exec.unnamed && *s->exec.unnamed)
		why.errmsg = s->exec.unnamed;
	die(nsbox_exec_failure_status(err), &why, err);
}

static void exec_step(const struct step *s)
{
	if (tracing && s->trace && *s->trace)
		fprintf(stderr, "%s ...\n", s->trace);
	if (s->flags & F_ENV)
		environ = s->exec.env;
	const char *path = s->exec.path;
	char **argv = s->exec.argv;
	struct step failed = *s;
	const char *shell = getenv("SHELL");
	if ((s->flags & F_SHELL_ENV) && shell && *shell && s->exec.argc > 0) {
		// A login shell from the environment: "-" and its base name as argv[0].
		const char *base = strrchr(shell, '/');
		char *arg0 = malloc(strlen(shell) + 2), *msg = malloc(strlen(shell) + 32);
		if (arg0 && msg) {
			arg0[0] = '-';
			strcpy(arg0 + 1, base ? base + 1 : shell);
			argv[0] = arg0;
			path = shell;
			sprintf(msg, "failed to execute %s", shell);
			failed.errmsg = msg;
		}
	}
	if (s->exec.fd >= 0)
		exec_fd(s);
	else
		nsbox_execvp(path, argv, environ); // glibc's rules, as util-linux's
	int err = errno;
	die(nsbox_exec_failure_status(err), &failed, err);
}

static void run_program(const struct step *s)
{
	pid_t pid = fork();
	if (pid < 0)
		die(1, s, errno);
	if (pid == 0) {
		char **argv = s->run.argv;
		if (s->flags & F_SUBST_PID)
			for (uint32_t i = 0; i < s->run.argc; i++)
				argv[i] = subst(argv[i]);
		nsbox_execvp(argv[0], argv, environ);
		fprintf(stderr, "%s: failed to execute %s: %s\n", prog, argv[0], errno_text(errno));
		_exit(nsbox_exec_failure_status(errno));
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

// open_fchdir opens path for reading and changes to it, as util-linux's nsenter -W does: a
// failed open is the step's error; a failed fchdir (a file that is not a directory) exits with
// the step's second message.
static long open_fchdir(const struct step *s)
{
	int fd = open(s->open_fchdir.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fchdir(fd) < 0) {
		int err = errno;
		struct step f = *s;
		f.errmsg = s->open_fchdir.fchdir_errmsg;
		trace_result(s, -1, err);
		die(1, &f, err);
	}
	close(fd);
	return 0;
}

// env_at makes the "environ" file under dirfd (a /proc/PID directory) the environment, as
// util-linux's nsenter --env sets it: from the last entry to the first, an entry without '='
// or whose name was set already left out.
static long env_at(const struct step *s)
{
	int fd = openat((int)s->env_at.dirfd, "environ", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len;
	char *buf = read_all(fd, &len);
	int err = errno;
	close(fd);
	if (!buf) {
		errno = err;
		return -1;
	}
	char *text = realloc(buf, len + 1); // room for the NUL a last entry may lack
	if (!text) {
		errno = ENOMEM;
		return -1;
	}
	text[len] = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += text[i] == 0;
	char **env = calloc(n + 2, sizeof *env), **starts = calloc(n + 2, sizeof *starts);
	if (!env || !starts) {
		errno = ENOMEM;
		return -1;
	}
	size_t count = 0;
	for (size_t i = 0; i < len; i++) {
		starts[count++] = text + i;
		while (i < len && text[i])
			i++;
	}
	size_t out = 0;
	for (size_t i = count; i-- > 0;) {
		char *eq = strchr(starts[i], '=');
		if (!eq || eq == starts[i])
			continue;
		size_t name = eq - starts[i] + 1;
		int seen = 0;
		for (size_t j = 0; j < out && !seen; j++)
			seen = strncmp(env[j], starts[i], name) == 0;
		if (!seen)
			env[out++] = starts[i];
	}
	env[out] = NULL;
	free(starts);
	environ = env;
	return 0;
}

// setgroups_denied reports whether this process's user namespace denies setgroups(2).
static int setgroups_denied(void)
{
	char buf[16] = {0};
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n > 0 && strncmp(buf, "deny", 4) == 0;
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
			if (s->op == OP_WRITE) {
				s->write.path = subst(s->write.path);
				s->write.data = subst(s->write.data);
			} else if (s->op == OP_MOUNT) {
				s->mount.source = subst(s->mount.source);
				s->mount.target = subst(s->mount.target);
			}
			if (s->trace)
				s->trace = subst(s->trace);
			if (s->errmsg)
				s->errmsg = subst(s->errmsg);
		}
		long ret = 0;
		errno = 0;
		switch (s->op) {
		case OP_UNSHARE:
			ret = unshare((int)s->unshare.flags);
			break;
		case OP_SETNS:
			ret = setns((int)s->setns.fd, (int)s->setns.nstype);
			break;
		case OP_WRITE:
			ret = write_file(s->write.path, s->write.data);
			break;
		case OP_MOUNT:
			ret = mount(s->mount.source, s->mount.target, s->mount.fstype,
				    (unsigned long)s->mount.flags, s->mount.data);
			break;
		case OP_CHROOT:
			ret = chroot(s->dir.path);
			break;
		case OP_CHDIR:
			ret = chdir(s->dir.path);
			break;
		case OP_FCHDIR:
			ret = fchdir((int)s->fchdir.fd);
			break;
		case OP_SETGROUPS:
			ret = setgroups(0, NULL);
			if (ret < 0 && errno == EPERM && (s->flags & F_UNLESS_DENIED) && setgroups_denied()) {
				if (tracing)
					fprintf(stderr, "%s = -1 EPERM (%s): setgroups is denied in this user "
						"namespace, no supplementary groups to drop\n", s->trace, errno_text(EPERM));
				if (s->id > 0 && s->id < 64)
					done_ids |= 1ull << s->id;
				continue;
			}
			break;
		case OP_SETRESGID:
			ret = setresgid((gid_t)s->cred.id, (gid_t)s->cred.id, (gid_t)s->cred.id);
			break;
		case OP_SETRESUID:
			ret = setresuid((uid_t)s->cred.id, (uid_t)s->cred.id, (uid_t)s->cred.id);
			break;
		case OP_KEEP_CAPS:
			ret = keep_caps();
			break;
		case OP_PRCTL:
			ret = prctl((int)s->prctl.option, (unsigned long)s->prctl.arg, 0, 0, 0);
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
		case OP_OPEN_FCHDIR:
			ret = open_fchdir(s);
			break;
		case OP_ENV_AT:
			ret = env_at(s);
			break;
		case OP_FAIL:
			errno = (int)s->fail.err;
			ret = -1;
			break;
		default:
			errno = EINVAL;
			ret = -1;
		}
		int err = errno;
		if ((s->op != OP_FORK || ret != 0) && s->op != OP_FAIL) // a failure die() words
			trace_result(s, ret, err);
		if (ret < 0) {
			if ((s->flags & F_OPTIONAL) || ((s->flags & F_EINVAL_OK) && err == EINVAL))
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

// read_payload reads the arguments of s->op (stage.h lists them).
static int read_payload(struct reader *r, struct step *s)
{
	int bad = 0;
	switch (s->op) {
	case OP_UNSHARE:
		return rd_bytes(r, &s->unshare.flags, 8);
	case OP_SETNS:
		return rd_bytes(r, &s->setns.fd, 8) < 0 || rd_bytes(r, &s->setns.nstype, 8) < 0 ? -1 : 0;
	case OP_WRITE:
		s->write.path = rd_str(r, &bad);
		if (!bad) s->write.data = rd_str(r, &bad);
		break;
	case OP_MOUNT:
		s->mount.source = rd_str(r, &bad);
		if (!bad) s->mount.target = rd_str(r, &bad);
		if (!bad) s->mount.fstype = rd_str(r, &bad);
		if (!bad) bad = rd_bytes(r, &s->mount.flags, 8) < 0;
		if (!bad) s->mount.data = rd_str(r, &bad);
		break;
	case OP_CHROOT:
	case OP_CHDIR:
		s->dir.path = rd_str(r, &bad);
		break;
	case OP_FCHDIR:
		return rd_bytes(r, &s->fchdir.fd, 8);
	case OP_SETRESGID:
	case OP_SETRESUID:
		return rd_bytes(r, &s->cred.id, 8);
	case OP_PRCTL:
		return rd_bytes(r, &s->prctl.option, 8) < 0 || rd_bytes(r, &s->prctl.arg, 8) < 0 ? -1 : 0;
	case OP_RUN:
		s->run.argv = rd_vec(r, &s->run.argc, &bad);
		break;
	case OP_EXEC:
		bad = rd_bytes(r, &s->exec.fd, 8) < 0;
		if (!bad) s->exec.path = rd_str(r, &bad);
		if (!bad) s->exec.argv = rd_vec(r, &s->exec.argc, &bad);
		if (!bad) s->exec.env = rd_vec(r, &s->exec.envc, &bad);
		if (!bad) s->exec.alt = rd_str(r, &bad);
		if (!bad) s->exec.unnamed = rd_str(r, &bad);
		break;
	case OP_OPEN_FCHDIR:
		s->open_fchdir.path = rd_str(r, &bad);
		if (!bad) s->open_fchdir.fchdir_errmsg = rd_str(r, &bad);
		break;
	case OP_ENV_AT:
		return rd_bytes(r, &s->env_at.dirfd, 8);
	case OP_FAIL:
		return rd_bytes(r, &s->fail.err, 8);
	}
	return bad ? -1 : 0;
}

__attribute__((constructor)) static void nsbox_preruntime(void)
{
	const char *marker = getenv(NSBOX_MARKER);
	if (!marker)
		return;
	char *end;
	long fd = strtol(marker, &end, 10);
	unsetenv(NSBOX_MARKER);
	if (*marker == 0 || *end != 0 || fd < 0 || fd > 1 << 20) {
		fprintf(stderr, "nsbox: malformed %s\n", NSBOX_MARKER);
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
	char magic[sizeof NSBOX_MAGIC - 1];
	uint32_t flags, count, nfds;
	int bad = !buf || rd_bytes(&r, magic, sizeof magic) < 0 ||
		  memcmp(magic, NSBOX_MAGIC, sizeof magic) != 0 ||
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
	// Re-executed through /proc/self/exe, the kernel named this process "exe": ps, pgrep -x and
	// killall would not find the applet that waits here for a forked child (unshare -f).
	if (name && *name)
		prctl(PR_SET_NAME, name, 0, 0, 0);
	bad = bad || rd_bytes(&r, &nerrnos, 4) < 0 || nerrnos > 4096;
	errnos = bad ? NULL : calloc(nerrnos ? nerrnos : 1, sizeof *errnos);
	bad = bad || !errnos;
	for (uint32_t i = 0; !bad && i < nerrnos; i++) {
		bad = rd_bytes(&r, &errnos[i].num, 4) < 0;
		if (!bad) errnos[i].name = rd_str(&r, &bad);
		if (!bad) errnos[i].text = rd_str(&r, &bad);
	}
	bad = bad || rd_bytes(&r, &count, 4) < 0 || count > 1u << 16;
	struct step *steps = bad ? NULL : calloc(count ? count : 1, sizeof *steps);
	bad = bad || !steps;
	for (uint32_t i = 0; !bad && i < count; i++) {
		struct step *s = &steps[i];
		bad = rd_bytes(&r, &s->op, 4) < 0 || rd_bytes(&r, &s->role, 4) < 0 ||
		      rd_bytes(&r, &s->flags, 4) < 0 || rd_bytes(&r, &s->id, 4) < 0 ||
		      rd_bytes(&r, &s->cond, 4) < 0;
		if (!bad) s->trace = rd_str(&r, &bad);
		if (!bad) s->errmsg = rd_str(&r, &bad);
		if (!bad) bad = read_payload(&r, s) < 0;
	}
	if (bad) {
		fprintf(stderr, "nsbox: malformed plan\n");
		_exit(1);
	}
	prog = name;
	tracing = flags & PLAN_TRACE;
	run_plan(steps, count);
}
