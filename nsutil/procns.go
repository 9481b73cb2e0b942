//go:build linux

package nsutil

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// NSRelations are the namespace ioctl answers about one namespace: its parent (pid and user
// namespaces only), its owning user namespace and, for namespaces no process holds, the UID
// that owns it. A zero inode means the kernel refused to say (EPERM: outside our view).
type NSRelations struct {
	Parent   uint64
	Owner    uint64
	OwnerUID uint32
	HasUID   bool
}

// ErrIoctlUnsupported is wrapped when the kernel lacks a namespace ioctl (ENOTTY/ENOSYS), by an
// *UnsupportedIoctlError that names the request.
var ErrIoctlUnsupported = errors.New("namespace ioctl not supported")

// Relations runs NS_GET_PARENT (pid and user kinds), NS_GET_USERNS and NS_GET_OWNER_UID (user
// kind) on fd, an open namespace of kind k. EPERM leaves a field zero, as util-linux does.
func Relations(fd int, k Kind) (NSRelations, error) {
	var r NSRelations
	if k.Flag == unix.CLONE_NEWPID || k.Flag == unix.CLONE_NEWUSER {
		ino, err := relatedInode(fd, unix.NS_GET_PARENT, "NS_GET_PARENT")
		if err != nil {
			return r, err
		}
		r.Parent = ino
	}
	ino, err := relatedInode(fd, unix.NS_GET_USERNS, "NS_GET_USERNS")
	if err != nil {
		return r, err
	}
	r.Owner = ino
	return r, nil
}

// OwnerUID runs NS_GET_OWNER_UID on fd, an open user namespace: the UID that created it.
func OwnerUID(fd int) (uint32, error) {
	uid, err := unix.IoctlGetUint32(fd, unix.NS_GET_OWNER_UID)
	if err != nil {
		return 0, os.NewSyscallError("ioctl(NS_GET_OWNER_UID)", err)
	}
	return uid, nil
}

func relatedInode(fd int, req uint, name string) (uint64, error) {
	rel, err := unix.IoctlRetInt(fd, req)
	if err != nil {
		if errors.Is(err, unix.EPERM) {
			return 0, nil
		}
		if uerr := unsupportedIoctl(name, err); uerr != nil {
			return 0, uerr
		}
		return 0, os.NewSyscallError("ioctl", err)
	}
	defer unix.Close(rel)
	var st unix.Stat_t
	if err := unix.Fstat(rel, &st); err != nil {
		return 0, os.NewSyscallError("fstat", err)
	}
	return st.Ino, nil
}

// NSFSDevice is the device number of the nsfs filesystem (that of /proc/self/ns/user).
func NSFSDevice() (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/user", &st); err != nil {
		return 0, &os.PathError{Op: "stat", Path: "/proc/self/ns/user", Err: err}
	}
	return st.Dev, nil
}
