//go:build linux

package nsutil

import (
	"errors"

	"golang.org/x/sys/unix"
)

// UnsupportedIoctlError is what Relations returns when the kernel does not know a namespace
// ioctl (before Linux 4.9, or under emulators): it names the request and wraps both
// ErrIoctlUnsupported and the errno the kernel gave (ENOTTY or ENOSYS), which callers such as
// lsns tell apart.
type UnsupportedIoctlError struct {
	Name  string // the request, as in the kernel headers: "NS_GET_PARENT", "NS_GET_USERNS"
	Errno unix.Errno
}

func (e *UnsupportedIoctlError) Error() string {
	return "unsupported ioctl " + e.Name + ": " + e.Errno.Error()
}

// Unwrap lets errors.Is match ErrIoctlUnsupported and the errno.
func (e *UnsupportedIoctlError) Unwrap() []error { return []error{ErrIoctlUnsupported, e.Errno} }

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
