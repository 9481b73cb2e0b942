//go:build linux

package lsns

import (
	"bytes"
	"testing"

	"github.com/nsbox/nsbox/nsutil"
	"golang.org/x/sys/unix"
)

// withoutIoctl makes the relations lookup answer as a kernel that lacks NS_GET_USERNS with
// errno, for one test.
func withoutIoctl(t *testing.T, errno unix.Errno) {
	t.Helper()
	saved := lookupRelations
	lookupRelations = func(int, nsutil.Kind) (nsutil.NSRelations, error) {
		return nsutil.NSRelations{}, &nsutil.UnsupportedIoctlError{Name: "NS_GET_USERNS", Errno: errno}
	}
	t.Cleanup(func() { lookupRelations = saved })
}

// runArgs runs lsns in-process with args and returns its exit status, stdout and stderr.
func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, nil, &out, &errb)
	return code, out.String(), errb.String()
}

// TestUnsupportedIoctlExit: a kernel without the namespace ioctls (ENOTTY) makes lsns print
// util-linux's "Unsupported ioctl NS_GET_USERNS", list nothing and exit 2, whenever it needs
// parents or owners.
func TestUnsupportedIoctlExit(t *testing.T) {
	withoutIoctl(t, unix.ENOTTY)
	for _, args := range [][]string{{"-o", "NS,ONS"}, {"-Towner"}, {"-l", "-Q", "PNS == 0", "-o", "NS"}} {
		code, out, stderr := runArgs(args...)
		if code != 2 || stderr != "lsns: Unsupported ioctl NS_GET_USERNS\n" || out != "" {
			t.Errorf("lsns %q: exit %d, stderr %q, stdout %q; want 2, %q, nothing", args, code, stderr, out, "lsns: Unsupported ioctl NS_GET_USERNS\n")
		}
	}
	// Without PNS, ONS or an owner/parent tree the ioctls are not needed, and lsns lists.
	if code, out, stderr := runArgs("-o", "NS,TYPE"); code != 0 || out == "" {
		t.Errorf("lsns -o NS,TYPE: exit %d, stderr %q, output %q; want a listing", code, stderr, out)
	}
}

// TestUnsupportedIoctlWarning: ENOSYS (as under some emulators) is only a warning, once, and
// the relations show as 0, as in util-linux.
func TestUnsupportedIoctlWarning(t *testing.T) {
	withoutIoctl(t, unix.ENOSYS)
	types := make([]bool, len(nsutil.Kinds))
	for k := range types {
		types[k] = true
	}
	s, err := discover(scanOptions{types: types, relations: true})
	if err != nil {
		t.Fatalf("discover: %v", err)
	}
	if want := []string{"Unsupported ioctl NS_GET_USERNS"}; len(s.warnings) != 1 || s.warnings[0] != want[0] {
		t.Errorf("warnings %q, want %q", s.warnings, want)
	}
	for _, ns := range s.list {
		if ns.proc != nil && ns.related != [relations]uint64{} {
			t.Errorf("namespace %d: related %v, want zeros", ns.ino, ns.related)
		}
	}
}
