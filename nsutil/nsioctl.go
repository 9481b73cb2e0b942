//go:build linux

package nsutil

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// The namespace ioctls (ioctl_ns(2)) that relate one open namespace to others: its parent
// (NS_GET_PARENT, pid and user kinds), its owning user namespace (NS_GET_USERNS), and the UID
// that created a user namespace (NS_GET_OWNER_UID).

// NSRelations are the inodes of a namespace's parent (pid and user namespaces only) and owning
// user namespace. A zero inode means the kernel refused to say (EPERM: outside our view) or, for
// Parent, that the kind has no parent.
type NSRelations struct {
	Parent uint64
	Owner  uint64
}

// UnsupportedIoctlError is what the relation lookups return when the kernel does not know a
// namespace ioctl (before Linux 4.9, or under emulators): it names the request and wraps the
// errno the kernel gave (ENOTTY or ENOSYS), which callers such as lsns tell apart.
type UnsupportedIoctlError struct {
	Name  string // the request, as in the kernel headers: "NS_GET_PARENT", "NS_GET_USERNS"
	Errno unix.Errno
}

func (e *UnsupportedIoctlError) Error() string {
	return "unsupported ioctl " + e.Name + ": " + e.Errno.Error()
}

// Unwrap lets errors.Is match the errno.
func (e *UnsupportedIoctlError) Unwrap() error { return e.Errno }

// unsupportedIoctl returns the UnsupportedIoctlError for err when it says the kernel lacks
// request name, else nil.
func unsupportedIoctl(name string, err error) error {
	for _, errno := range []unix.Errno{unix.ENOTTY, unix.ENOSYS} {
		if errors.Is(err, errno) {
			return &UnsupportedIoctlError{Name: name, Errno: errno}
		}
	}
	return nil
}

// Relations runs NS_GET_PARENT (pid and user kinds) and NS_GET_USERNS on fd, an open namespace
// of kind k. EPERM leaves a field zero, as util-linux does.
func Relations(fd int, k Kind) (NSRelations, error) {
	var r NSRelations
	for _, parent := range []bool{true, false} {
		rel, ino, err := OpenRelated(fd, k, parent)
		if err != nil {
			return r, err
		}
		if rel >= 0 {
			unix.Close(rel)
		}
		if parent {
			r.Parent = ino
		} else {
			r.Owner = ino
		}
	}
	return r, nil
}

// OpenRelated opens the parent (NS_GET_PARENT) or, when parent is false, the owning user
// namespace (NS_GET_USERNS) of fd, an open namespace of kind k, and returns the related
// namespace's fd (O_CLOEXEC, the caller closes it) and inode. It returns -1 and 0 with no error
// when there is none to see: a parent of a kind without parents, or EPERM (outside our view).
func OpenRelated(fd int, k Kind, parent bool) (int, uint64, error) {
	req, name := uint(unix.NS_GET_USERNS), "NS_GET_USERNS"
	if parent {
		if k.Flag != unix.CLONE_NEWPID && k.Flag != unix.CLONE_NEWUSER {
			return -1, 0, nil
		}
		req, name = unix.NS_GET_PARENT, "NS_GET_PARENT"
	}
	rel, err := unix.IoctlRetInt(fd, req)
	if err != nil {
		if errors.Is(err, unix.EPERM) {
			return -1, 0, nil
		}
		if uerr := unsupportedIoctl(name, err); uerr != nil {
			return -1, 0, uerr
		}
		return -1, 0, os.NewSyscallError("ioctl("+name+")", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(rel, &st); err != nil {
		unix.Close(rel)
		return -1, 0, os.NewSyscallError("fstat", err)
	}
	return rel, st.Ino, nil
}

// OwnerUID runs NS_GET_OWNER_UID on fd, an open user namespace: the UID that created it.
func OwnerUID(fd int) (uint32, error) {
	uid, err := unix.IoctlGetUint32(fd, unix.NS_GET_OWNER_UID)
	if err != nil {
		return 0, os.NewSyscallError("ioctl(NS_GET_OWNER_UID)", err)
	}
	return uid, nil
}
