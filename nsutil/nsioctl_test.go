//go:build linux

package nsutil

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUnsupportedIoctl: ENOTTY and ENOSYS become an UnsupportedIoctlError naming the request
// and matching the errno; other errors do not.
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
		if !errors.As(err, &u) || u.Name != "NS_GET_USERNS" || !errors.Is(err, tt.err) {
			t.Errorf("unsupportedIoctl(%v) = %#v, want an UnsupportedIoctlError for NS_GET_USERNS wrapping the errno", tt.err, err)
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

// TestOpenRelated: the owner of our user namespace is its parent's answer too, a non-pid,
// non-user kind has no parent, and the related fd is a namespace of the right inode.
func TestOpenRelated(t *testing.T) {
	user, _ := KindByName("user")
	net, _ := KindByName("net")
	fd, err := unix.Open("/proc/self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if rel, ino, err := OpenRelated(fd, net, true); rel != -1 || ino != 0 || err != nil {
		t.Errorf("OpenRelated(net, parent) = %d, %d, %v; want -1, 0, nil", rel, ino, err)
	}
	rel, ino, err := OpenRelated(fd, net, false)
	if err != nil || rel < 0 {
		t.Fatalf("OpenRelated(net, owner) = %d, %d, %v; want an fd", rel, ino, err)
	}
	defer unix.Close(rel)
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/user", &st); err != nil || st.Ino != ino {
		t.Errorf("OpenRelated(net, owner) inode %d, want our user namespace's %d (%v)", ino, st.Ino, err)
	}
	if k, err := NamespaceKind(rel); err != nil || k.Name != user.Name {
		t.Errorf("OpenRelated(net, owner) fd is %v, %v; want a user namespace", k.Name, err)
	}
}
