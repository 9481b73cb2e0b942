//go:build linux

package nsutil

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Target is a process whose namespaces are entered or inspected. When the kernel has pidfds the
// process is held by one, so later steps cannot be fooled by PID reuse.
type Target struct {
	PID   int
	PidFD int // -1 when pidfd_open is not available
}

// OpenTarget opens a pidfd for pid (O_CLOEXEC, as pidfds always are). A missing process is an
// ESRCH *os.PathError naming /proc/PID; a kernel without pidfd_open falls back to /proc checks.
func OpenTarget(pid int) (*Target, error) {
	if pid <= 0 {
		return nil, &os.PathError{Op: "cannot open", Path: "/proc/" + strconv.Itoa(pid), Err: unix.ESRCH}
	}
	fd, err := unix.PidfdOpen(pid, 0)
	switch {
	case err == nil:
		return &Target{PID: pid, PidFD: fd}, nil
	case errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM):
		if _, serr := os.Stat("/proc/" + strconv.Itoa(pid)); serr != nil {
			return nil, &os.PathError{Op: "cannot open", Path: "/proc/" + strconv.Itoa(pid), Err: unix.ESRCH}
		}
		return &Target{PID: pid, PidFD: -1}, nil
	default:
		return nil, &os.PathError{Op: "cannot open", Path: "/proc/" + strconv.Itoa(pid), Err: err}
	}
}

// Alive reports whether the target still exists (and, with a pidfd, is the same process).
func (t *Target) Alive() bool {
	if t.PidFD >= 0 {
		// EPERM: the process exists but the caller may not signal it.
		err := unix.PidfdSendSignal(t.PidFD, 0, nil, 0)
		return err == nil || errors.Is(err, unix.EPERM)
	}
	return unix.Kill(t.PID, 0) == nil || errors.Is(unix.Kill(t.PID, 0), unix.EPERM)
}

// Close releases the pidfd.
func (t *Target) Close() error {
	if t.PidFD >= 0 {
		err := unix.Close(t.PidFD)
		t.PidFD = -1
		return err
	}
	return nil
}

// NSFile is an open namespace file: a /proc/PID/ns link or a bind mount of one.
type NSFile struct {
	FD   int    // O_RDONLY|O_CLOEXEC
	Path string // as given, for messages and traces
	Kind Kind
}

// errNotNamespace is wrapped by OpenNamespace when the file is not a namespace (NS_GET_NSTYPE
// fails with ENOTTY or EINVAL), and errWrongKind when it is one of another kind.
var (
	errNotNamespace = errors.New("not a namespace file")
	errWrongKind    = errors.New("namespace of the wrong kind")
)

// OpenNamespace opens path O_CLOEXEC and checks with NS_GET_NSTYPE that it is a namespace; when
// want is non-nil it must be of that kind. The error names the file and the reason.
func OpenNamespace(path string, want *Kind) (*NSFile, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "cannot open", Path: path, Err: err}
	}
	return checkNamespaceFD(fd, path, want)
}

// checkNamespaceFD is OpenNamespace's check of an open fd, named path in errors; it closes fd
// when the check fails.
func checkNamespaceFD(fd int, path string, want *Kind) (*NSFile, error) {
	kind, err := NamespaceKind(fd)
	if err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EINVAL) {
			return nil, fmt.Errorf("%s: %w", path, errNotNamespace)
		}
		return nil, &os.PathError{Op: "ioctl(NS_GET_NSTYPE)", Path: path, Err: err}
	}
	if want != nil && kind.Flag != want.Flag {
		unix.Close(fd)
		return nil, fmt.Errorf("%s is a %s namespace, not %s: %w", path, kind.Name, want.Name, errWrongKind)
	}
	return &NSFile{FD: fd, Path: path, Kind: kind}, nil
}

// Close closes the namespace file.
func (f *NSFile) Close() error { return unix.Close(f.FD) }

// NamespaceKind asks the kernel which kind of namespace fd refers to.
func NamespaceKind(fd int) (Kind, error) {
	t, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	if err != nil {
		return Kind{}, err
	}
	k, ok := kindByFlag(uintptr(t))
	if !ok {
		return Kind{}, fmt.Errorf("unknown namespace type %#x", t)
	}
	return k, nil
}

// SameNamespace reports whether /proc/PID/ns/KIND of a process is the caller's own namespace.
func SameNamespace(pid int, k Kind) (bool, error) {
	var a, b unix.Stat_t
	if err := unix.Stat(k.ProcPath(pid), &a); err != nil {
		return false, &os.PathError{Op: "stat", Path: k.ProcPath(pid), Err: err}
	}
	if err := unix.Stat(k.ProcPath(0), &b); err != nil {
		return false, &os.PathError{Op: "stat", Path: k.ProcPath(0), Err: err}
	}
	return a.Ino == b.Ino && a.Dev == b.Dev, nil
}
