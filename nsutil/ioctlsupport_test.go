//go:build linux

package nsutil

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUnsupportedIoctl: ENOTTY and ENOSYS become an UnsupportedIoctlError naming the request
// and matching ErrIoctlUnsupported and the errno; other errors do not.
func TestUnsupportedIoctl(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{unix.ENOTTY, true},
		{unix.ENOSYS, true},
		{unix.EPERM, false},
		{unix.EBADF, false},
	}
	for _, tt := range tests {
		err := unsupportedIoctl("NS_GET_USERNS", tt.err)
		if got := err != nil; got != tt.want {
			t.Errorf("unsupportedIoctl(%v) = %v, want an error: %v", tt.err, err, tt.want)
			continue
		}
		if err == nil {
			continue
		}
		var u *UnsupportedIoctlError
		if !errors.As(err, &u) || u.Name != "NS_GET_USERNS" || !errors.Is(err, ErrIoctlUnsupported) || !errors.Is(err, tt.err) {
			t.Errorf("unsupportedIoctl(%v) = %#v, want an UnsupportedIoctlError for NS_GET_USERNS wrapping ErrIoctlUnsupported and the errno", tt.err, err)
		}
	}
}

// TestRelationsOfOwnUserNamespace: on this kernel, Relations answers for our user namespace.
func TestRelationsOfOwnUserNamespace(t *testing.T) {
	fd, err := unix.Open("/proc/self/ns/user", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var user Kind
	for _, k := range Kinds {
		if k.Flag == unix.CLONE_NEWUSER {
			user = k
		}
	}
	if _, err := Relations(fd, user); err != nil {
		t.Errorf("Relations(own user namespace): %v, want no error", err)
	}
}
