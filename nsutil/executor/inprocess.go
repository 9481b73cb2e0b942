//go:build linux

package executor

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Engine chooses how Plan.Run carries a plan out.
type Engine int

const (
	// EngineReexec (the default) re-executes into the pre-runtime C stage.
	EngineReexec Engine = iota
	// EngineAuto runs the plan in this process when InProcess allows, else re-executes. The
	// caller must then take a *StepError's Code as its exit status.
	EngineAuto
	// EngineInProcess runs the steps on one locked OS thread of this process, then execve; Run
	// fails with ErrNotInProcess when the plan needs the C stage.
	EngineInProcess
)

// ErrNotInProcess is returned by Run with EngineInProcess for a plan that needs a
// single-threaded process.
var ErrNotInProcess = errors.New("this plan needs the pre-runtime stage")

// StepError is a step that failed when the plan ran in this process: Error is the line the C
// stage would print after "PROG: ", and Code the exit status it would exit with.
type StepError struct {
	Msg  string
	Err  error // the errno, nil when the message says all
	Code int
}

func (e *StepError) Error() string {
	msg, hint, ok := strings.Cut(e.Msg, "\n") // see WithHint
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if ok {
		msg += " " + hint
	}
	return msg
}

func (e *StepError) Unwrap() error { return e.Err }

// InProcess reports whether the plan can be carried out by this multi-threaded process, from one
// OS thread: only Main steps that the kernel applies to the calling thread (unshare of every
// kind but user and time, which need a single-threaded process or /proc/self of the thread
// group leader; setns of net, uts, ipc and cgroup namespaces; mounts, chroot and chdir in the
// thread's own fs after CLONE_NEWNS), then execve of a path. Anything else (forks, helpers,
// credentials, /proc/self writes, traces) goes to the pre-runtime stage.
func (p *Plan) InProcess() bool {
	if p.Trace {
		return false
	}
	for i, s := range p.steps {
		if s.role != Main || s.id != 0 || s.cond != 0 || s.flags&flagSubstPid != 0 {
			return false
		}
		switch a := s.args.(type) {
		case unshareArgs:
			if a.flags&(unix.CLONE_NEWUSER|unix.CLONE_NEWTIME) != 0 {
				return false
			}
		case setnsArgs:
			// Net, UTS, IPC and cgroup namespaces are per thread; user, mount and time need a
			// single-threaded process (or an fs of its own), pid a fork. The fds are
			// close-on-exec in this process, so the program does not get them.
			if a.nstype == 0 || a.nstype&^threadSetnsKinds != 0 || !closeOnExec(a.fd) {
				return false
			}
		case mountArgs:
		case pathArgs: // chroot, chdir
		case execArgs:
			if a.fd >= 0 || i != len(p.steps)-1 {
				return false
			}
		default:
			return false
		}
	}
	return len(p.steps) > 0 && p.steps[len(p.steps)-1].op == opExec
}

// threadSetnsKinds are the namespaces setns(2) changes for the calling thread alone.
const threadSetnsKinds = unix.CLONE_NEWNET | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWCGROUP

func closeOnExec(fd int) bool {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil && flags&unix.FD_CLOEXEC != 0
}

// runInProcess carries out an InProcess plan on this goroutine's locked OS thread and ends
// with execve from that thread, which takes the thread's namespaces, root and directory into
// the program. It returns only on failure; the thread stays locked (it is in other namespaces
// than the rest of the process) and the caller is expected to exit.
func (p *Plan) runInProcess() error {
	runtime.LockOSThread()
	// CLONE_FS first: chroot, chdir and the mount namespace then belong to this thread alone.
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return &StepError{Msg: "unshare(CLONE_FS) failed", Err: err, Code: 1}
	}
	for _, s := range p.steps {
		var err error
		switch a := s.args.(type) {
		case unshareArgs:
			err = unix.Unshare(int(a.flags))
		case setnsArgs:
			err = unix.Setns(a.fd, int(a.nstype))
		case mountArgs:
			err = unix.Mount(a.source, a.target, a.fstype, a.flags, a.data)
		case pathArgs:
			if s.op == opChroot {
				err = unix.Chroot(a.path)
			} else {
				err = unix.Chdir(a.path)
			}
		case execArgs:
			env := a.env
			if s.flags&flagEnv == 0 {
				env = withoutMarker(os.Environ())
			}
			err = execvp(a.path, a.argv, env)
			return &StepError{Msg: s.errmsg, Err: err, Code: ExecFailureStatus(err)}
		}
		ignored := s.flags&flagOptional != 0 || s.flags&flagEinvalOk != 0 && errors.Is(err, unix.EINVAL)
		if err != nil && !ignored {
			return &StepError{Msg: s.errmsg, Err: err, Code: 1}
		}
	}
	return &StepError{Msg: "plan without execve", Code: 1}
}

// execvp runs file as the C library's execvp does: "" is not found; a name without a slash is
// searched in env's PATH (default /bin:/usr/bin), other PATH entries tried after EACCES; a file
// the kernel cannot execute (ENOEXEC) is run by /bin/sh.
func execvp(file string, argv, env []string) error {
	if file == "" {
		return unix.ENOENT // as the C library's: no file of that name, wherever it looks
	}
	if strings.Contains(file, "/") {
		return execve(file, argv, env)
	}
	path := "/bin:/usr/bin"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	var denied error
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		err := execve(dir+"/"+file, argv, env)
		switch {
		case errors.Is(err, unix.EACCES):
			denied = err
		case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR), errors.Is(err, unix.ESTALE),
			errors.Is(err, unix.ENODEV), errors.Is(err, unix.ETIMEDOUT):
		default:
			return err
		}
	}
	if denied != nil {
		return denied
	}
	return unix.ENOENT
}

func execve(path string, argv, env []string) error {
	stage.ReignoreSignals()
	err := syscall.Exec(path, argv, env)
	if errors.Is(err, unix.ENOEXEC) {
		err = syscall.Exec("/bin/sh", append([]string{"/bin/sh", path}, argv[1:]...), env)
	}
	return err
}

// String names the engine.
func (e Engine) String() string {
	return [...]string{"reexec", "auto", "in-process"}[e]
}
