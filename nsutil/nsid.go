//go:build linux

package nsutil

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Namespaces by ID (util-linux 2.42's --net=:NSID). Namespaces have 64-bit IDs (ioctl
// NS_GET_ID; Linux 6.18 has it), and a namespace still in use can be opened from its ID
// through an nsfs file handle, which userspace may build itself (uapi linux/nsfs.h,
// linux/fcntl.h, linux/exportfs.h):
//
//	struct nsfs_file_handle { __u64 ns_id; __u32 ns_type; __u32 ns_inum; };  // handle type FILEID_NSFS
//	open_by_handle_at(FD_NSFS_ROOT, handle, O_RDONLY)
//
// ns_type and ns_inum are both 0 (any kind) or both set. Opening needs Linux 6.19: 6.18 takes
// the handle but answers ESTALE, and a kernel without FD_NSFS_ROOT answers EBADF.
const (
	fileidNSFS       = 0xf1 // FILEID_NSFS (not in x/sys)
	nsfsHandleSize   = 16   // NSFS_FILE_HANDLE_SIZE_VER0 (not in x/sys)
	nsIDLabelPrefix  = "nsid:"
	nsIDParseMessage = "failed to parse nsid"
)

// ParseNamespaceID reads a namespace ID (the part after ':' in --net=:NSID) by util-linux's
// rules for unsigned numbers (see ParseUint64C); the error is util-linux's message.
func ParseNamespaceID(s string) (uint64, error) {
	id, err := ParseUint64C(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %s", nsIDParseMessage, s)
	}
	return id, nil
}

// OpenNamespaceID opens the namespace with the 64-bit ID id through an nsfs file handle and,
// when want is non-nil, checks it is of that kind (see OpenNamespace). Its Path is "nsid:ID".
func OpenNamespaceID(id uint64, want *Kind) (*NSFile, error) {
	body := make([]byte, nsfsHandleSize) // ns_type and ns_inum 0: any kind
	binary.NativeEndian.PutUint64(body, id)
	fd, err := unix.OpenByHandleAt(unix.FD_NSFS_ROOT, unix.NewFileHandle(fileidNSFS, body), unix.O_RDONLY|unix.O_CLOEXEC)
	if err == unix.EBADF { // no FD_NSFS_ROOT: the descriptor is not the one at fault
		return nil, fmt.Errorf("cannot open namespace of id %d: nsfs file handles need Linux 6.19: %w", id, unix.ENOTSUP)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot open namespace of id %d: %w", id, err)
	}
	return checkNamespaceFD(fd, nsIDLabelPrefix+strconv.FormatUint(id, 10), want)
}

// NamespaceID is the 64-bit ID of the namespace fd refers to (ioctl NS_GET_ID, Linux 6.18).
func NamespaceID(fd int) (uint64, error) {
	var id uint64
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.NS_GET_ID, uintptr(unsafe.Pointer(&id)))
	if errno != 0 {
		return 0, errno
	}
	return id, nil
}
