//go:build linux

package nsutil

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"golang.org/x/sys/unix"
)

// TargetSpec is a target process as util-linux 2.42 names it: PID[:INODE], where INODE, when
// given, is the inode of the process's pidfd (pidfs), so that a PID reused by another process
// is refused.
type TargetSpec struct {
	PID        int
	PidfdInode uint64 // 0: not given
}

// errInvalidPID is returned by ParseTargetSpec for a value that is not PID[:INODE].
var errInvalidPID = errors.New("invalid PID argument")

// ParseTargetSpec reads PID[:INODE] by util-linux 2.42's rules: PID is a decimal from 1 to
// 2^31-1 (leading white space and '+' allowed); INODE, after ':', a non-zero decimal (a value
// beyond 64 bits matches no pidfd). Anything else is errInvalidPID.
func ParseTargetSpec(s string) (TargetSpec, error) {
	pidText, inodeText, hasInode := strings.Cut(s, ":")
	pid, err := ParseInt32C(pidText)
	if err != nil || pid <= 0 {
		return TargetSpec{}, errInvalidPID
	}
	spec := TargetSpec{PID: int(pid)}
	if !hasInode {
		return spec, nil
	}
	inode, err := ParseUint64C(inodeText)
	switch {
	case err == unix.ERANGE && !strings.Contains(inodeText, "-"):
		inode = math.MaxUint64 // as util-linux: too big is a valid number that matches nothing
	case err != nil || inode == 0:
		return TargetSpec{}, errInvalidPID
	}
	spec.PidfdInode = inode
	return spec, nil
}

// PidfdError is a pidfd that could not be opened or is not the process a PID:INODE target
// names (ESRCH when the inode differs, ENOTSUP when pidfds are not pidfs files).
type PidfdError struct {
	PID int
	Err error
}

// Error is util-linux's line, and for a kernel limit the release that lifts it.
func (e *PidfdError) Error() string {
	msg := fmt.Sprintf("failed to obtain a valid file descriptor for PID %d: %v", e.PID, e.Err)
	switch {
	case errors.Is(e.Err, unix.ENOTSUP): // pidfds are anonymous inodes before pidfs
		msg += " " + LimitPidfs.Hint()
	case errors.Is(e.Err, unix.ENOSYS):
		msg += " " + LimitPidfdOpen.Hint()
	}
	return msg
}

func (e *PidfdError) Unwrap() error { return e.Err }

// OpenTargetSpec opens the target spec names. With an inode it opens a pidfd for the PID and
// checks that the pidfd is a pidfs file with that inode, or returns a *PidfdError; the pidfd
// then stands for the process in every later step. Without one it is OpenTarget(spec.PID).
func OpenTargetSpec(spec TargetSpec) (*Target, error) {
	if spec.PidfdInode == 0 {
		return OpenTarget(spec.PID)
	}
	fd, err := unix.PidfdOpen(spec.PID, 0)
	if err != nil {
		return nil, &PidfdError{PID: spec.PID, Err: err}
	}
	inode, err := PidfdInode(fd)
	if err == nil && inode != spec.PidfdInode {
		err = unix.ESRCH
	}
	if err != nil {
		unix.Close(fd)
		return nil, &PidfdError{PID: spec.PID, Err: err}
	}
	return &Target{PID: spec.PID, PidFD: fd}, nil
}

// PidfdInode is the inode of pidfd, which names its process for the life of the system on a
// kernel with pidfs (Linux 6.9); ENOTSUP when the pidfd is not a pidfs file.
func PidfdInode(pidfd int) (uint64, error) {
	var fs unix.Statfs_t
	if err := unix.Fstatfs(pidfd, &fs); err != nil {
		return 0, err
	}
	if fs.Type != unix.PID_FS_MAGIC {
		return 0, unix.ENOTSUP
	}
	var st unix.Stat_t
	if err := unix.Fstat(pidfd, &st); err != nil {
		return 0, err
	}
	return st.Ino, nil
}
