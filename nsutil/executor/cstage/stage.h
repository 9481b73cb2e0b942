// stage.h is the one definition of what the Go executor (nsutil/executor) and the pre-runtime C
// stage (preruntime.c) agree on: the marker variable, the plan's magic, the operations, the step
// flags, the roles and the exit status of a program that cannot be executed. The Go constants in
// nsutil/executor/seam.go are generated from this file, and its test fails when they differ
// (regenerate with `go test ./nsutil/executor -run TestSeam -update`).
//
// The plan, as Go writes it and preruntime.c reads it (native byte order; a string is a u32
// length and its bytes, a vector a u32 count and its strings):
//
//	magic[8] u32:plan-flags u32:nfds u32:fd... str:prog
//	u32:nerrnos (u32:errno str:name str:text)...
//	u32:nsteps (u32:op u32:role u32:flags u32:id u32:cond str:trace str:errmsg payload)...
//
// where each operation's payload is the list of fields read by read_payload in preruntime.c and
// written by the step's args type in nsutil/executor/payload.go.

#ifndef NSBOX_STAGE_H
#define NSBOX_STAGE_H

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NSBOX_MARKER "_NSBOX_PLAN"
#define NSBOX_MAGIC "NSBOXPL2"

// Operations.
enum {
	OP_UNSHARE = 1,        // payload: i64 flags
	OP_SETNS = 2,          // payload: i64 fd, i64 nstype
	OP_WRITE = 3,          // payload: str path, str data
	OP_MOUNT = 4,          // payload: str source, str target, str fstype, i64 flags, str data
	OP_CHROOT = 5,         // payload: str path
	OP_CHDIR = 6,          // payload: str path
	OP_FCHDIR = 7,         // payload: i64 fd
	OP_SETGROUPS = 8,      // setgroups(0, NULL)
	OP_SETRESGID = 9,      // payload: i64 id
	OP_SETRESUID = 10,     // payload: i64 id
	OP_KEEP_CAPS = 11,     // inheritable and ambient capabilities from the permitted set
	OP_PRCTL = 12,         // payload: i64 option, i64 arg
	OP_CHECK_PARENT = 13,  // the process that forked this one still lives
	OP_FORK = 14,          // the child goes on with ROLE_MAIN steps, the parent with ROLE_PARENT
	OP_WAIT = 15,          // wait for the child and exit as it did
	OP_HELPER_FORK = 16,   // start a ROLE_HELPER process that waits for OP_HELPER_RELEASE
	OP_HELPER_RELEASE = 17,
	OP_HELPER_DONE = 18,
	OP_RUN = 19,           // payload: vec argv
	OP_EXEC = 20,          // payload: i64 fd (-1: none), str path, vec argv, vec env,
	                       // str alt (another name for fd), str unnamed (ENOENT's message)
	OP_OPEN_FCHDIR = 21,   // payload: str path, str fchdir-errmsg; open(path, O_RDONLY), fchdir
	OP_ENV_AT = 22,        // payload: i64 dirfd; environ = dirfd's "environ" file, util-linux's order
	OP_FAIL = 23,          // payload: i64 errno; fail with the step's message (errno's text unless 0)
};

// Step flags.
enum {
	F_OPTIONAL = 1 << 0,     // a failure is not an error; success marks the step's id done
	F_FOLLOW_STOPS = 1 << 2, // OP_FORK, OP_WAIT: stop when the child stops, then continue it
	F_FORWARD_SIGS = 1 << 3, // OP_FORK: forward SIGINT/SIGTERM to the child
	F_BLOCK_SIGS = 1 << 4,   // OP_FORK: keep SIGINT/SIGTERM blocked in the waiting parent
	F_ENV = 1 << 5,          // OP_EXEC: env is the program's environment
	F_SUBST_PID = 1 << 6,    // replace "%p" in the step's strings by the main process's PID
	F_EXIT_1 = 1 << 7,       // OP_CHECK_PARENT: exit 1 silently when orphaned
	F_UNLESS_DENIED = 1 << 8, // OP_SETGROUPS: EPERM where /proc/self/setgroups is "deny" is no error
	F_EINVAL_OK = 1 << 9,     // a failure with EINVAL is not an error
	F_SHELL_ENV = 1 << 10,    // OP_EXEC: run $SHELL as a login shell when set, else path
};

// Roles: which process carries out a step.
enum {
	ROLE_MAIN = 0,   // the process that runs the program in the end
	ROLE_PARENT = 1, // the waiting parent after OP_FORK
	ROLE_HELPER = 2, // the process OP_HELPER_FORK starts
};

// Plan flags.
enum {
	PLAN_TRACE = 1 << 0, // print each step's trace line on stderr
};

// Exit statuses of a program that could not be executed, as util-linux's errexec() has them.
enum {
	EXIT_NOT_FOUND = 127,
	EXIT_CANNOT_EXEC = 126,
};

// nsbox_exec_failure_status is the exit status after execve failed with err (Go:
// executor.ExecFailureStatus).
static inline int nsbox_exec_failure_status(int err)
{
	return err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}

// nsbox_tini_exec_failure_status is the second table, pidns-init's, as tini's spawn() has it
// (src/tini.c; pidns-init is tini's drop-in): 127 for ENOENT and 126 for EACCES as util-linux,
// but 1 for every other errno (ENOTDIR, ELOOP, ENAMETOOLONG, ETXTBSY, E2BIG, ENOMEM...), where
// util-linux has 126.
static inline int nsbox_tini_exec_failure_status(int err)
{
	return err == ENOENT ? EXIT_NOT_FOUND : err == EACCES ? EXIT_CANNOT_EXEC : 1;
}

// nsbox_execve_or_sh executes path, or, when the kernel cannot (ENOEXEC: a script without #!),
// has /bin/sh run it, as the GNU C library's exec functions do.
static inline int nsbox_execve_or_sh(const char *path, char *const argv[], char *const envp[])
{
	execve(path, argv, envp);
	if (errno != ENOEXEC)
		return -1;
	size_t argc = 0;
	while (argv[argc])
		argc++;
	char **sh = calloc(argc + 2, sizeof *sh);
	if (!sh)
		return -1;
	sh[0] = "/bin/sh";
	sh[1] = (char *)path;
	for (size_t i = 1; i < argc; i++)
		sh[i + 1] = argv[i];
	execve("/bin/sh", sh, envp);
	free(sh);
	return -1;
}

// nsbox_execvp is execvp(3) as the GNU C library (and so util-linux, tini and the in-process
// engine's execvp in Go) has it, whatever C library is linked (musl's runs no /bin/sh): file,
// when it has no slash, is searched in the PATH of envp (default /bin:/usr/bin), passing over a
// directory where it is missing (ENOENT, ENOTDIR, ESTALE, ENODEV, ETIMEDOUT) or denied (EACCES,
// reported if nothing else is found); a file the kernel cannot execute is run by /bin/sh. It
// returns -1 with errno set.
static inline int nsbox_execvp(const char *file, char *const argv[], char *const envp[])
{
	if (!*file) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/'))
		return nsbox_execve_or_sh(file, argv, envp);
	const char *path = "/bin:/usr/bin";
	for (char *const *e = envp; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	size_t flen = strlen(file);
	if (flen > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int denied = 0;
	for (const char *dir = path;; dir++) {
		const char *end = dir;
		while (*end && *end != ':')
			end++;
		size_t dlen = (size_t)(end - dir);
		char buf[PATH_MAX];
		if (dlen + 1 + flen < sizeof buf) {
			memcpy(buf, dir, dlen);
			if (dlen == 0) // an empty entry is the current directory
				buf[dlen++] = '.';
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, file, flen + 1);
			nsbox_execve_or_sh(buf, argv, envp);
			if (errno == EACCES)
				denied = 1;
			else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ENODEV && errno != ETIMEDOUT)
				return -1;
		}
		if (!*end)
			break;
		dir = end;
	}
	errno = denied ? EACCES : ENOENT;
	return -1;
}

#endif
