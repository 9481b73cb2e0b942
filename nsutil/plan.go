//go:build linux

package nsutil

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Operations of the pre-runtime stage; keep in step with the enum in preruntime.c.
const (
	opUnshare       = 1
	opSetns         = 2
	opWrite         = 3
	opMount         = 4
	opChroot        = 5
	opChdir         = 6
	opFchdir        = 7
	opSetgroups     = 8
	opSetresgid     = 9
	opSetresuid     = 10
	opKeepCaps      = 11
	opPrctl         = 12
	opCheckParent   = 13
	opFork          = 14
	opWait          = 15
	opHelperFork    = 16
	opHelperRelease = 17
	opHelperDone    = 18
	opRun           = 19
	opExec          = 20
	opSetsid        = 21
)

// Step flags; keep in step with preruntime.c.
const (
	flagOptional    = 1 << 0
	flagFollowStops = 1 << 2
	flagForwardSigs = 1 << 3
	flagBlockSigs   = 1 << 4
	flagEnv         = 1 << 5
	flagSubstPID    = 1 << 6
	flagExit1       = 1 << 7
)

// Role says which process carries out a step once the plan has forked.
type Role int32

const (
	// Main is the process that runs the program in the end (after Fork, the child).
	Main Role = 0
	// Parent is the waiting parent after Fork.
	Parent Role = 1
	// Helper is the process HelperFork starts in the original namespaces.
	Helper Role = 2
)

// PlanMarker is the environment variable that asks the pre-runtime stage to carry out a plan.
// It never reaches the program the plan runs.
const PlanMarker = "_NSBOX_PLAN"

type step struct {
	op, flags     int32
	id, cond      int32 // id: marked done on success; cond > 0: skip when done; < 0: skip unless -cond done
	role          Role
	a, b          int64
	s1, s2        string
	trace, errmsg string
	v1, v2        []string
}

// Plan is an ordered list of namespace steps, built in Go and carried out by the pre-runtime C
// stage (see preruntime.c) in a fresh, single-threaded image of this binary. Builder methods
// append steps; Run hands the plan over and never returns on success.
//
// Every step names its trace line (strace-like, for --trace) and the message printed when it
// fails, as `PROG: MESSAGE: strerror`. In a step whose paths or arguments hold "%p", every "%p"
// (in its trace line and message too) is replaced by the main process's PID, which a Helper uses
// to reach /proc/%p/uid_map and the like.
type Plan struct {
	Prog   string // the applet name, prefix of every error line
	Trace  bool   // print each step on stderr as it is carried out
	Engine Engine // how Run carries the plan out (see inprocess.go); EngineReexec by default
	steps  []step
	fds    []int
	role   Role
	ids    int32
}

// NewPlan starts a plan for the applet prog.
func NewPlan(prog string) *Plan { return &Plan{Prog: prog} }

// As makes the following steps belong to role r (Main until changed).
func (p *Plan) As(r Role) *Plan { p.role = r; return p }

// Len is the number of steps so far.
func (p *Plan) Len() int { return len(p.steps) }

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

// UseFD hands fd to the pre-runtime stage: it survives the re-exec and is closed (made
// close-on-exec) before any program runs.
func (p *Plan) UseFD(fd int) {
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
		msg = WithHint(msg, LimitTimeNS)
	}
	return p.add(step{op: opUnshare, a: int64(flags), trace: "unshare(" + FlagNames(flags) + ")", errmsg: msg})
}

// SetnsOpts qualifies a Setns step.
type SetnsOpts struct {
	Label    string // how the fd is shown in traces and errors: a path or "pidfd:42"
	Optional bool   // pass one of util-linux's two passes: failure is not an error
	// Group: steps sharing a non-zero Group count as one; once one succeeds, the rest are
	// skipped (util-linux's two passes over the same namespace).
	Group int32
	// After: run the step only when the group After has succeeded (a pidfd's second pass
	// enters only the user namespace when the first pass entered the rest).
	After int32
}

// Setns adds setns(fd, nstype); nstype may be 0, or a mask of several kinds for a pidfd.
func (p *Plan) Setns(fd int, nstype uintptr, o SetnsOpts) *Plan {
	p.UseFD(fd)
	s := step{op: opSetns, a: int64(fd), b: int64(nstype), id: o.Group, cond: o.Group,
		trace:  fmt.Sprintf("setns(%d<%s>, %s)", fd, o.Label, FlagNames(nstype)),
		errmsg: "reassociate to namespace '" + o.Label + "' failed"}
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
		panic("nsutil: too many step groups in one plan")
	}
	return p.ids
}

// WriteFile adds a write of data to path (a /proc file: uid_map, setgroups, timens_offsets...).
func (p *Plan) WriteFile(path, data, errmsg string) *Plan {
	return p.add(step{op: opWrite, s1: path, s2: data, errmsg: errmsg,
		trace: fmt.Sprintf("write %s %q", path, data), flags: substFlag(path, data)})
}

// Mount adds mount(source, target, fstype, flags, data).
func (p *Plan) Mount(source, target, fstype string, flags uintptr, data, errmsg string) *Plan {
	return p.add(step{op: opMount, s1: source, s2: target, a: int64(flags), v1: []string{fstype, data},
		trace:  fmt.Sprintf("mount(%q, %q, %q, %s, %q)", source, target, fstype, MountFlagNames(flags), data),
		errmsg: errmsg, flags: substFlag(source, target)})
}

// Chroot adds chroot(dir).
func (p *Plan) Chroot(dir string) *Plan {
	return p.add(step{op: opChroot, s1: dir, trace: fmt.Sprintf("chroot(%q)", dir), errmsg: "cannot change root directory to '" + dir + "'"})
}

// Chdir adds chdir(dir).
func (p *Plan) Chdir(dir string) *Plan {
	return p.add(step{op: opChdir, s1: dir, trace: fmt.Sprintf("chdir(%q)", dir), errmsg: "cannot change directory to '" + dir + "'"})
}

// Fchdir adds fchdir(fd); label names the directory in traces and errors.
func (p *Plan) Fchdir(fd int, label string) *Plan {
	p.UseFD(fd)
	return p.add(step{op: opFchdir, a: int64(fd), trace: fmt.Sprintf("fchdir(%d<%s>)", fd, label), errmsg: "cannot change directory to " + label})
}

// ClearGroups adds setgroups(0, NULL). With a non-zero group, it is one of several attempts.
func (p *Plan) ClearGroups(optional bool, group int32) *Plan {
	s := step{op: opSetgroups, id: group, cond: group, trace: "setgroups(0, [])", errmsg: "setgroups failed"}
	if optional {
		s.flags |= flagOptional
	}
	return p.add(s)
}

// SetGID adds setresgid(gid, gid, gid).
func (p *Plan) SetGID(gid int) *Plan {
	return p.add(step{op: opSetresgid, a: int64(gid), trace: fmt.Sprintf("setresgid(%d, %d, %d)", gid, gid, gid), errmsg: "setgid() failed"})
}

// SetUID adds setresuid(uid, uid, uid).
func (p *Plan) SetUID(uid int) *Plan {
	return p.add(step{op: opSetresuid, a: int64(uid), trace: fmt.Sprintf("setresuid(%d, %d, %d)", uid, uid, uid), errmsg: "setuid() failed"})
}

// KeepCaps copies the permitted capabilities into the inheritable and ambient sets, so that
// they survive execve (util-linux's --keep-caps).
func (p *Plan) KeepCaps() *Plan {
	return p.add(step{op: opKeepCaps, trace: "capset(inheritable=permitted), prctl(PR_CAP_AMBIENT_RAISE, ...)", errmsg: "cannot keep capabilities"})
}

// Prctl adds prctl(option, arg); name is the option's name for traces.
func (p *Plan) Prctl(option int, name string, arg uint64) *Plan {
	return p.add(step{op: opPrctl, a: int64(option), b: int64(arg), trace: fmt.Sprintf("prctl(%s, %d)", name, arg), errmsg: "prctl(" + name + ") failed"})
}

// Setsid adds setsid().
func (p *Plan) Setsid() *Plan {
	return p.add(step{op: opSetsid, trace: "setsid()", errmsg: "setsid failed"})
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
	return p.add(step{op: opRun, v1: argv, flags: substFlag(argv...), trace: "run " + quoteArgv(argv), errmsg: errmsg})
}

// Exec adds the final execve of argv[0] (searched in PATH when it has no slash, after every
// other step, so in the new root and mount namespace). A nil env keeps the caller's environment
// (without PlanMarker). Failure exits 127 when the program is not found, else 126.
func (p *Plan) Exec(argv []string, env []string) *Plan {
	s := step{op: opExec, a: -1, s1: argv[0], v1: argv,
		trace:  fmt.Sprintf("execve(%q, %s)", argv[0], quoteArgv(argv)),
		errmsg: "failed to execute " + argv[0]}
	if env != nil {
		s.flags |= flagEnv
		s.v2 = env
	}
	return p.add(s)
}

// ExecFD is Exec through an open executable (fexecve), for running this binary again (as
// pidns-init) from inside a new root. argv[0] is only the name the program sees. The kernel
// names a program run by descriptor /dev/fd/N, and TOMOYO before Linux 6.12 (and the stable
// updates of autumn 2024) looks that name up in the new root, so without /dev/fd there the
// exec fails with ENOENT although nothing is missing. The C stage then tries the same file
// as /proc/self/fd/N, /proc/self/exe and inRoot (the binary's path inside the new root, ""
// when it is not inside); when none names it, the message says so instead of reporting
// argv[0] missing.
func (p *Plan) ExecFD(fd int, label string, argv []string, env []string, inRoot string) *Plan {
	p.Exec(argv, env)
	s := &p.steps[len(p.steps)-1]
	p.UseFD(fd)
	s.a = int64(fd)
	s.trace = fmt.Sprintf("execveat(%d<%s>, %s)", fd, label, quoteArgv(argv))
	s.errmsg = fmt.Sprintf("failed to execute %s (%s)", argv[0], label)
	// s1 is the message for ENOENT, s2 the in-root name (see exec_fd in preruntime.c).
	s.s1 = fmt.Sprintf("failed to execute %s by descriptor: the new root has no /dev/fd or /proc "+
		"to name it by, which TOMOYO before Linux 6.12 needs", argv[0])
	s.s2 = inRoot
	return p
}

func substFlag(strs ...string) int32 {
	for _, s := range strs {
		if strings.Contains(s, "%p") {
			return flagSubstPID
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

// MountFlagNames spells mount flags as "MS_REC|MS_PRIVATE".
func MountFlagNames(flags uintptr) string {
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

// encode lays the plan out as preruntime.c reads it.
func (p *Plan) encode() []byte {
	var b bytes.Buffer
	le := binary.NativeEndian
	u32 := func(v uint32) { b.Write(le.AppendUint32(nil, v)) }
	i64 := func(v int64) { b.Write(le.AppendUint64(nil, uint64(v))) }
	str := func(s string) { u32(uint32(len(s))); b.WriteString(s) }
	vec := func(v []string) {
		u32(uint32(len(v)))
		for _, s := range v {
			str(s)
		}
	}
	b.WriteString("NSBOXPL1")
	var flags uint32
	if p.Trace {
		flags |= 1
	}
	u32(flags)
	u32(uint32(len(p.fds)))
	for _, fd := range p.fds {
		u32(uint32(fd))
	}
	str(p.Prog)
	u32(uint32(len(p.steps)))
	for _, s := range p.steps {
		u32(uint32(s.op))
		u32(uint32(s.role))
		u32(uint32(s.flags))
		u32(uint32(s.id))
		u32(uint32(s.cond))
		i64(s.a)
		i64(s.b)
		str(s.s1)
		str(s.s2)
		str(s.trace)
		str(s.errmsg)
		vec(s.v1)
		vec(s.v2)
	}
	return b.Bytes()
}

// Run carries the plan out: it writes the plan to a memfd and re-executes this binary with
// PlanMarker, so that the pre-runtime stage runs the steps before any Go thread exists. It
// returns only on failure to get that far. Strings must not contain NUL bytes.
//
// With Engine EngineAuto, a plan that InProcess accepts is carried out in this process instead,
// which saves the re-execution; a step that fails there is a *StepError with the message and
// exit status the C stage would have used.
func (p *Plan) Run() error {
	for _, s := range p.steps {
		for _, str := range append([]string{s.s1, s.s2}, append(s.v1, s.v2...)...) {
			if strings.IndexByte(str, 0) >= 0 {
				return fmt.Errorf("argument contains a NUL byte: %q", str)
			}
		}
	}
	switch {
	case p.Engine == EngineInProcess && !p.InProcess():
		return ErrNotInProcess
	case p.Engine == EngineInProcess || (p.Engine == EngineAuto && p.InProcess()):
		return p.runInProcess()
	case !preRuntimeLinked:
		return ErrNoPreRuntime
	}
	mfd, err := unix.MemfdCreate("nsbox-plan", 0)
	if err != nil {
		return os.NewSyscallError("memfd_create", err)
	}
	data := p.encode()
	for len(data) > 0 {
		n, err := unix.Write(mfd, data)
		if err != nil {
			unix.Close(mfd)
			return os.NewSyscallError("write plan", err)
		}
		data = data[n:]
	}
	for _, fd := range p.fds {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
			unix.Close(mfd)
			return fmt.Errorf("fd %d: %w", fd, os.NewSyscallError("fcntl", err))
		}
	}
	env := append(withoutMarker(os.Environ()), PlanMarker+"="+strconv.Itoa(mfd))
	// Signals our caller ignored are handled by the Go runtime now; ignore them again so that
	// the C stage and the program inherit them ignored.
	reignoreSignals()
	err = syscall.Exec("/proc/self/exe", os.Args, env)
	if fn := execFn(); err == syscall.ENOENT && fn != "" {
		err = syscall.Exec(fn, os.Args, env) // no /proc: the path this program was run by
	}
	unix.Close(mfd)
	return &os.PathError{Op: "cannot execute", Path: "/proc/self/exe", Err: err}
}

// OpenSelf opens this program's executable, close-on-exec, for running it again: through
// /proc/self/exe, or where /proc is not mounted by the path it was run by. It returns the fd
// and the name it was opened by.
func OpenSelf() (int, string, error) {
	fd, err := unix.Open("/proc/self/exe", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT {
		if fn := execFn(); fn != "" {
			if fd, err2 := unix.Open(fn, unix.O_RDONLY|unix.O_CLOEXEC, 0); err2 == nil {
				return fd, fn, nil
			}
		}
	}
	if err != nil {
		return -1, "/proc/self/exe", &os.PathError{Op: "cannot open", Path: "/proc/self/exe", Err: err}
	}
	return fd, "/proc/self/exe", nil
}

func withoutMarker(env []string) []string {
	out := env[:0:0]
	for _, e := range env {
		if !strings.HasPrefix(e, PlanMarker+"=") {
			out = append(out, e)
		}
	}
	return out
}
