//go:build linux

package executor

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/nsbox/nsbox/nsutil"
	"golang.org/x/sys/unix"
)

// Run carries the plan out: it writes the plan to a memfd and re-executes this binary with
// PlanMarker, so that the pre-runtime stage runs the steps before any Go thread exists. It
// returns only on failure to get that far. Strings must not contain NUL bytes.
//
// With Engine EngineAuto, a plan that InProcess accepts is carried out in this process instead,
// which saves the re-execution; a step that fails there is a *StepError with the message and
// exit status the C stage would have used.
//
// Run refuses every plan (ErrNoCStage) in a binary that does not link the C stage.
func (p *Plan) Run() error {
	for _, s := range p.steps {
		if s.args == nil {
			continue
		}
		for _, str := range s.args.strs() {
			if strings.IndexByte(str, 0) >= 0 {
				return fmt.Errorf("argument contains a NUL byte: %q", str)
			}
		}
	}
	switch {
	case stage == nil:
		return ErrNoCStage
	case p.Engine == EngineInProcess && !p.InProcess():
		return ErrNotInProcess
	case p.Engine == EngineInProcess || (p.Engine == EngineAuto && p.InProcess()):
		return p.runInProcess()
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
	stage.ReignoreSignals()
	err = syscall.Exec("/proc/self/exe", os.Args, env)
	if fn := execFn(); err == syscall.ENOENT && fn != "" {
		err = syscall.Exec(fn, os.Args, env) // no /proc: the path this program was run by
	}
	unix.Close(mfd)
	return &os.PathError{Op: "cannot execute", Path: "/proc/self/exe", Err: err}
}

// execFn is the path this program was executed by (AT_EXECFN, from the C stage), "" when
// unknown: a name for this binary where /proc is not mounted.
func execFn() string {
	if s, ok := stage.(interface{ ExecFn() string }); ok {
		return s.ExecFn()
	}
	return ""
}

// OpenSelf opens this program's executable, close-on-exec, for running it again: through
// /proc/self/exe, or where /proc is not mounted by the path it was run by. It returns the fd
// and the name it was opened by.
func OpenSelf() (int, string, error) {
	fd, err := unix.Open("/proc/self/exe", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT {
		if fn := execFn(); fn != "" {
			if fd, err := unix.Open(fn, unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
				return fd, fn, nil
			}
		}
	}
	if err != nil {
		return -1, "/proc/self/exe", &os.PathError{Op: "cannot open", Path: "/proc/self/exe", Err: err}
	}
	return fd, "/proc/self/exe", nil
}

// maxErrno bounds the errnos whose names and texts the plan carries.
const maxErrno = 255

// encode lays the plan out as stage.h describes it. The plan carries the errnos' names and
// texts (nsutil.Strerror, the GNU C library's wording), so that the C stage prints the same
// words as the Go side and util-linux whichever C library the binary is linked with.
func (p *Plan) encode() []byte {
	var e encoder
	e.b.WriteString(magic)
	var flags uint32
	if p.Trace {
		flags |= planTrace
	}
	e.u32(flags)
	e.u32(uint32(len(p.fds)))
	for _, fd := range p.fds {
		e.u32(uint32(fd))
	}
	e.str(p.Prog)
	var known []unix.Errno
	for n := unix.Errno(1); n <= maxErrno; n++ {
		if unix.ErrnoName(n) != "" {
			known = append(known, n)
		}
	}
	e.u32(uint32(len(known)))
	for _, n := range known {
		e.u32(uint32(n))
		e.str(unix.ErrnoName(n))
		e.str(nsutil.Strerror(n))
	}
	e.u32(uint32(len(p.steps)))
	for _, s := range p.steps {
		e.u32(uint32(s.op))
		e.u32(uint32(s.role))
		e.u32(uint32(s.flags))
		e.u32(uint32(s.id))
		e.u32(uint32(s.cond))
		e.str(s.trace)
		e.str(s.errmsg)
		if s.args != nil {
			s.args.encode(&e)
		}
	}
	return e.b.Bytes()
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

// ExecFailureStatus is the exit status of a tool whose program could not be executed, as
// util-linux's errexec() has it: 127 when execve failed with ENOENT (not found), 126 for any
// other errno (found but cannot be executed), and 1 for an error that carries no errno (the
// program was never tried). The C stage's nsbox_exec_failure_status (cstage/stage.h) is the same
// rule, and a test pins the two.
func ExecFailureStatus(err error) int {
	var errno unix.Errno
	switch {
	case errors.Is(err, unix.ENOENT):
		return exitNotFound
	case errors.As(err, &errno):
		return exitCannotExec
	}
	return 1
}
