//go:build linux

package executor

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/nsbox/nsbox/nsutil"
	"golang.org/x/sys/unix"
)

// Role says which process carries out a step once the plan has forked.
type Role int32

const (
	// Main is the process that runs the program in the end (after Fork, the child).
	Main Role = roleMain
	// Parent is the waiting parent after Fork.
	Parent Role = roleParent
	// Helper is the process HelperFork starts in the original namespaces.
	Helper Role = roleHelper
)

// PlanMarker is the environment variable that asks the pre-runtime stage to carry out a plan.
// It never reaches the program the plan runs.
const PlanMarker = marker

// step is one operation of a plan (an op* constant of seam.go) with its arguments.
type step struct {
	op    int32
	flags int32 // flag* constants of seam.go
	// id: marked done when the step succeeds; cond > 0: skip the step when cond is done; cond
	// < 0: skip it unless -cond is done.
	id, cond      int32
	role          Role
	trace, errmsg string
	args          args // nil for the operations without arguments
}

// Plan is an ordered list of namespace steps, built in Go and carried out by the pre-runtime C
// stage (package cstage) in a fresh, single-threaded image of this binary, or, when every step
// allows it, by this process (see InProcess). Builder methods append steps; Run hands the plan
// over and never returns on success.
//
// Every step names its trace line (strace-like, for --trace) and the message printed when it
// fails, as `PROG: MESSAGE: strerror`. In a step whose paths or arguments hold "%p", every "%p"
// (in its trace line and message too) is replaced by the main process's PID, which a Helper uses
// to reach /proc/%p/uid_map and the like.
type Plan struct {
	Prog   string // the applet name, prefix of every error line
	Trace  bool   // print each step on stderr as it is carried out
	Engine Engine // how Run carries the plan out; EngineReexec by default
	steps  []step
	fds    []int
	role   Role
	ids    int32
}

// NewPlan starts a plan for the applet prog.
func NewPlan(prog string) *Plan { return &Plan{Prog: prog} }

// As makes the following steps belong to role r (Main until changed).
func (p *Plan) As(r Role) *Plan { p.role = r; return p }

// Describe lists the steps' trace lines, one per line, for tests and --dry-run style output.
func (p *Plan) Describe() string {
	var b strings.Builder
	for _, s := range p.steps {
		fmt.Fprintf(&b, "[%d] %s\n", s.role, s.trace)
	}
	return b.String()
}

func (p *Plan) add(s step) *Plan {
	s.role = p.role
	p.steps = append(p.steps, s)
	return p
}

// useFD hands fd to the pre-runtime stage: it survives the re-exec and is made close-on-exec
// before any program runs.
func (p *Plan) useFD(fd int) {
	for _, f := range p.fds {
		if f == fd {
			return
		}
	}
	p.fds = append(p.fds, fd)
}

// Unshare adds unshare(flags).
func (p *Plan) Unshare(flags uintptr) *Plan {
	msg := "unshare failed"
	if flags&unix.CLONE_NEWTIME != 0 {
		msg = nsutil.WithHint(msg, nsutil.LimitTimeNS)
	}
	return p.add(step{op: opUnshare, args: unshareArgs{flags: flags},
		trace: "unshare(" + nsutil.FlagNames(flags) + ")", errmsg: msg})
}

// SetnsOpts qualifies a Setns step.
type SetnsOpts struct {
	Label string // how the fd is shown in traces: a path or "pidfd:42"
	// Name is how a failure names the namespace: `reassociate to namespace 'NAME' failed`
	// (util-linux's nsenter says 'ns/net' whatever the file); "" for a pidfd, which enters
	// several at once: `reassociate to namespaces failed`.
	Name     string
	Optional bool // pass one of util-linux's two passes: failure is not an error
	// Group: steps sharing a non-zero Group count as one; once one succeeds, the rest are
	// skipped (util-linux's two passes over the same namespace).
	Group int32
	// After: run the step only when the group After has succeeded (a pidfd's second pass
	// enters only the user namespace when the first pass entered the rest).
	After int32
}

// Setns adds setns(fd, nstype); nstype may be 0, or a mask of several kinds for a pidfd.
func (p *Plan) Setns(fd int, nstype uintptr, o SetnsOpts) *Plan {
	p.useFD(fd)
	s := step{op: opSetns, args: setnsArgs{fd: fd, nstype: nstype}, id: o.Group, cond: o.Group,
		trace:  fmt.Sprintf("setns(%d<%s>, %s)", fd, o.Label, nsutil.FlagNames(nstype)),
		errmsg: "reassociate to namespaces failed"}
	if o.Name != "" {
		s.errmsg = "reassociate to namespace '" + o.Name + "' failed"
	}
	if nstype == 0 {
		s.trace = fmt.Sprintf("setns(%d<%s>, 0)", fd, o.Label)
	}
	if o.Optional {
		s.flags |= flagOptional
	}
	if o.After != 0 {
		s.cond = -o.After
	}
	return p.add(s)
}

// NewGroup returns an id for SetnsOpts.Group and similar one-of-several steps.
func (p *Plan) NewGroup() int32 {
	p.ids++
	if p.ids >= 64 {
		panic("executor: too many step groups in one plan")
	}
	return p.ids
}

// WriteFile adds a write of data to path (a /proc file: uid_map, setgroups, timens_offsets...).
func (p *Plan) WriteFile(path, data, errmsg string) *Plan {
	return p.add(step{op: opWrite, args: writeArgs{path: path, data: data}, errmsg: errmsg,
		trace: fmt.Sprintf("write %s %q", path, data), flags: substFlag(path, data)})
}

// Mount adds mount(source, target, fstype, flags, data).
func (p *Plan) Mount(source, target, fstype string, flags uintptr, data, errmsg string) *Plan {
	return p.add(step{op: opMount, args: mountArgs{source: source, target: target, fstype: fstype, flags: flags, data: data},
		trace:  fmt.Sprintf("mount(%q, %q, %q, %s, %q)", source, target, fstype, mountFlagNames(flags), data),
		errmsg: errmsg, flags: substFlag(source, target)})
}

// Chroot adds chroot(dir).
func (p *Plan) Chroot(dir string) *Plan {
	return p.add(step{op: opChroot, args: pathArgs{path: dir}, trace: fmt.Sprintf("chroot(%q)", dir),
		errmsg: "cannot change root directory to '" + dir + "'"})
}

// Chdir adds chdir(dir).
func (p *Plan) Chdir(dir string) *Plan {
	return p.add(step{op: opChdir, args: pathArgs{path: dir}, trace: fmt.Sprintf("chdir(%q)", dir),
		errmsg: "cannot change directory to '" + dir + "'"})
}

// Fchdir adds fchdir(fd); label names the directory in traces and errors.
func (p *Plan) Fchdir(fd int, label string) *Plan {
	p.useFD(fd)
	return p.add(step{op: opFchdir, args: fdArgs{fd: fd}, trace: fmt.Sprintf("fchdir(%d<%s>)", fd, label),
		errmsg: "cannot change directory to " + label})
}

// ClearGroups adds setgroups(0, NULL). With a non-zero group, it is one of several attempts.
func (p *Plan) ClearGroups(optional bool, group int32) *Plan {
	s := step{op: opSetgroups, id: group, cond: group, trace: "setgroups(0, [])", errmsg: "setgroups failed"}
	if optional {
		s.flags |= flagOptional
	}
	return p.add(s)
}

// UnlessDenied makes the last step, a ClearGroups, succeed where the user namespace the process
// is in denies setgroups(2) (/proc/self/setgroups reads "deny"): there are no supplementary
// groups to drop there, and the trace says so.
func (p *Plan) UnlessDenied() *Plan {
	if n := len(p.steps); n > 0 && p.steps[n-1].op == opSetgroups {
		p.steps[n-1].flags |= flagUnlessDenied
	}
	return p
}

// OpenFchdir opens dir for reading and changes to it, as util-linux's nsenter does for -W:
// openMsg is the message of a failed open, fchdirMsg that of a failed fchdir (dir is not a
// directory).
func (p *Plan) OpenFchdir(dir, openMsg, fchdirMsg string) *Plan {
	return p.add(step{op: opOpenFchdir, args: openFchdirArgs{path: dir, fchdirMsg: fchdirMsg},
		trace: fmt.Sprintf("open(%q, O_RDONLY), fchdir", dir), errmsg: openMsg})
}

// EnvAt makes the environment of the program the "environ" file of the /proc/PID directory
// dirfd (label names it in traces), read at this step: after a credential change, the caller
// may read what it could not before. Entries are set as util-linux's nsenter --env sets them
// (last to first, a name set once, entries without '=' left out). The Exec that follows must
// keep the environment (a nil env).
func (p *Plan) EnvAt(dirfd int, label, errmsg string) *Plan {
	p.useFD(dirfd)
	return p.add(step{op: opEnvAt, args: envAtArgs{dirfd: dirfd},
		trace: fmt.Sprintf("read %s/environ", label), errmsg: errmsg})
}

// Fail adds a step that fails with errmsg and errno's text (the message alone when errno is
// 0): a failure the applet found before the plan runs, reported where its reference meets it,
// so that what fails earlier there (unshare, say) is still reported first. "%p" in errmsg is
// the main process's PID, as in a Mount's. Its trace line is for Describe only: --trace shows
// the failure once, as the message.
func (p *Plan) Fail(errno syscall.Errno, errmsg string) *Plan {
	return p.add(step{op: opFail, args: failArgs{errno: errno}, errmsg: errmsg, flags: substFlag(errmsg),
		trace: fmt.Sprintf("fail(%q, %d)", errmsg, int(errno))})
}

// SetGID adds setresgid(gid, gid, gid).
func (p *Plan) SetGID(gid int) *Plan {
	return p.add(step{op: opSetresgid, args: idArgs{id: gid},
		trace: fmt.Sprintf("setresgid(%d, %d, %d)", gid, gid, gid), errmsg: "setgid() failed"})
}

// SetUID adds setresuid(uid, uid, uid).
func (p *Plan) SetUID(uid int) *Plan {
	return p.add(step{op: opSetresuid, args: idArgs{id: uid},
		trace: fmt.Sprintf("setresuid(%d, %d, %d)", uid, uid, uid), errmsg: "setuid() failed"})
}

// KeepCaps copies the permitted capabilities into the inheritable and ambient sets, so that
// they survive execve (util-linux's --keep-caps).
func (p *Plan) KeepCaps() *Plan {
	return p.add(step{op: opKeepCaps, trace: "capset(inheritable=permitted), prctl(PR_CAP_AMBIENT_RAISE, ...)",
		errmsg: "cannot keep capabilities"})
}

// Prctl adds prctl(option, arg); name is the option's name for traces.
func (p *Plan) Prctl(option int, name string, arg uint64) *Plan {
	return p.add(step{op: opPrctl, args: prctlArgs{option: option, arg: arg},
		trace: fmt.Sprintf("prctl(%s, %d)", name, arg), errmsg: "prctl(" + name + ") failed"})
}

// ExitIfOrphaned exits 1 quietly when the process that forked this one is gone (after setting
// a parent-death signal, this closes the race util-linux's --kill-child has).
func (p *Plan) ExitIfOrphaned() *Plan {
	return p.add(step{op: opCheckParent, flags: flagExit1, trace: "getppid() == parent"})
}

// ForkOpts qualifies Fork.
type ForkOpts struct {
	FollowStops    bool // the parent stops when the child stops, then continues it (nsenter)
	ForwardSignals bool // the parent forwards SIGINT and SIGTERM to the child
	BlockSignals   bool // the parent keeps SIGINT and SIGTERM blocked while it waits
}

// Fork adds fork(): the child goes on with the Main steps, the parent with the Parent steps,
// which must end with Wait.
func (p *Plan) Fork(o ForkOpts) *Plan {
	s := step{op: opFork, trace: "fork()", errmsg: "fork failed"}
	if o.FollowStops {
		s.flags |= flagFollowStops
	}
	if o.ForwardSignals {
		s.flags |= flagForwardSigs
	}
	if o.BlockSignals {
		s.flags |= flagBlockSigs
	}
	return p.add(s)
}

// Wait (a Parent step) waits for the forked child and exits as it did: its exit status, or its
// fatal signal re-raised so that the caller sees 128+N.
func (p *Plan) Wait(o ForkOpts) *Plan {
	s := step{op: opWait, trace: "wait4(child)", errmsg: "waitpid failed"}
	if o.FollowStops {
		s.flags |= flagFollowStops
	}
	return p.add(s)
}

// HelperFork starts a helper process in the current namespaces, which waits until
// HelperRelease and then carries out the Helper steps up to HelperDone. Helpers do what must
// happen from outside the new namespaces: newuidmap, bind-mounting namespace files.
func (p *Plan) HelperFork() *Plan {
	return p.add(step{op: opHelperFork, trace: "fork() helper", errmsg: "fork failed"})
}

// HelperRelease lets the helper run, waits for it, and, if it failed, exits with its status
// (the helper has said why).
func (p *Plan) HelperRelease() *Plan {
	return p.add(step{op: opHelperRelease, trace: "wait4(helper)", errmsg: "helper failed"})
}

// HelperDone ends the helper's steps (a Helper step).
func (p *Plan) HelperDone() *Plan {
	return p.add(step{op: opHelperDone, trace: "exit helper"})
}

// RunProgram runs argv (searched in PATH) and waits. A non-zero exit ends the plan quietly with
// the program's exit status (the program says itself what went wrong; a Helper's status is then
// HelperRelease's); errmsg is printed only when the program is killed by a signal.
func (p *Plan) RunProgram(argv []string, errmsg string) *Plan {
	return p.add(step{op: opRun, args: runArgs{argv: argv}, flags: substFlag(argv...),
		trace: "run " + quoteArgv(argv), errmsg: errmsg})
}

// Exec adds the final execve of argv[0] (searched in PATH when it has no slash, after every
// other step, so in the new root and mount namespace). A nil env keeps the caller's environment
// (without PlanMarker). Failure exits as ExecFailureStatus says.
func (p *Plan) Exec(argv []string, env []string) *Plan {
	return p.exec(-1, argv[0], argv, env, fmt.Sprintf("execve(%q, %s)", argv[0], quoteArgv(argv)))
}

// ExecPath is Exec of the file path (no PATH search) with argv, whose argv[0] may differ from
// path: a login shell is run as "/bin/bash" with argv[0] "-bash".
func (p *Plan) ExecPath(path string, argv []string, env []string) *Plan {
	return p.exec(-1, path, argv, env, fmt.Sprintf("execve(%q, %s)", path, quoteArgv(argv)))
}

// ExecShell is ExecPath of a login shell chosen when the program runs: $SHELL of the
// environment at that point (argv[0] "-" and its base name), else path with argv. It is for a
// program whose environment EnvAt reads.
func (p *Plan) ExecShell(path string, argv []string) *Plan {
	p.exec(-1, path, argv, nil, fmt.Sprintf("execve($SHELL or %q, %s)", path, quoteArgv(argv)))
	p.steps[len(p.steps)-1].flags |= flagShellEnv
	return p
}

// ExecFD is Exec through an open executable (fexecve), for running this binary again (as
// pidns-init) from inside a new root. argv[0] is only the name the program sees. The kernel
// names a program run by descriptor /dev/fd/N, and TOMOYO before Linux 6.12 (and the stable
// updates of autumn 2024) looks that name up in the new root, so without /dev/fd there the
// exec fails with ENOENT although nothing is missing. The C stage then tries the same file as
// alt (its path in the new root, "" when it has none), /proc/self/fd/N and /proc/self/exe;
// when none names it, the message says so instead of calling argv[0] missing.
func (p *Plan) ExecFD(fd int, label string, argv []string, env []string, alt string) *Plan {
	p.useFD(fd)
	p.exec(fd, argv[0], argv, env, fmt.Sprintf("execveat(%d<%s>, %s)", fd, label, quoteArgv(argv)))
	s := &p.steps[len(p.steps)-1]
	a := s.args.(execArgs)
	a.alt = alt
	a.unnamed = fmt.Sprintf("failed to execute %s by descriptor: the new root has no /dev/fd or /proc "+
		"to name it by, which TOMOYO before Linux 6.12 needs", argv[0])
	s.args = a
	s.errmsg = fmt.Sprintf("failed to execute %s (%s)", argv[0], label)
	return p
}

func (p *Plan) exec(fd int, path string, argv, env []string, trace string) *Plan {
	s := step{op: opExec, args: execArgs{fd: fd, path: path, argv: argv, env: env},
		trace: trace, errmsg: "failed to execute " + path}
	if env != nil {
		s.flags |= flagEnv
	}
	return p.add(s)
}

// MarkOptional makes the last step's failure not an error: the plan goes on.
func (p *Plan) MarkOptional() *Plan {
	if len(p.steps) > 0 {
		p.steps[len(p.steps)-1].flags |= flagOptional
	}
	return p
}

// IgnoreEINVAL makes the last step's failure with EINVAL not an error (util-linux's "ignore
// EINVAL" cases); any other failure still ends the plan.
func (p *Plan) IgnoreEINVAL() *Plan {
	if len(p.steps) > 0 {
		p.steps[len(p.steps)-1].flags |= flagEinvalOk
	}
	return p
}

// WithMessage replaces the failure message of the last step (printed as `PROG: MESSAGE:
// strerror`), for an applet whose reference words it differently from the step's default:
// unshare's `cannot change directory to DIR` for a Chdir.
func (p *Plan) WithMessage(errmsg string) *Plan {
	if len(p.steps) > 0 {
		p.steps[len(p.steps)-1].errmsg = errmsg
	}
	return p
}

func substFlag(strs ...string) int32 {
	for _, s := range strs {
		if strings.Contains(s, "%p") {
			return flagSubstPid
		}
	}
	return 0
}

func quoteArgv(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = strconv.Quote(a)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// mountFlagNames spells mount flags as "MS_REC|MS_PRIVATE".
func mountFlagNames(flags uintptr) string {
	names := []struct {
		f uintptr
		n string
	}{
		{unix.MS_REC, "MS_REC"}, {unix.MS_PRIVATE, "MS_PRIVATE"}, {unix.MS_SHARED, "MS_SHARED"},
		{unix.MS_SLAVE, "MS_SLAVE"}, {unix.MS_BIND, "MS_BIND"}, {unix.MS_NOSUID, "MS_NOSUID"},
		{unix.MS_NOEXEC, "MS_NOEXEC"}, {unix.MS_NODEV, "MS_NODEV"}, {unix.MS_RDONLY, "MS_RDONLY"},
	}
	var out []string
	for _, n := range names {
		if flags&n.f != 0 {
			out = append(out, n.n)
			flags &^= n.f
		}
	}
	if flags != 0 || len(out) == 0 {
		out = append(out, fmt.Sprintf("%#x", flags))
	}
	return strings.Join(out, "|")
}
