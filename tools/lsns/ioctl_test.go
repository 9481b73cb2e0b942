//go:build linux

package lsns

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil"
	"golang.org/x/sys/unix"
)

// withoutIoctl makes the relations lookup answer as a kernel that lacks NS_GET_USERNS with
// errno, for one test.
func withoutIoctl(t *testing.T, errno unix.Errno) {
	t.Helper()
	saved := relationsOf
	relationsOf = func(int, nsutil.Kind) (nsutil.NSRelations, error) {
		return nsutil.NSRelations{}, &nsutil.UnsupportedIoctlError{Name: "NS_GET_USERNS", Errno: errno}
	}
	t.Cleanup(func() { relationsOf = saved })
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
	code, out, stderr := runArgs("-n", "-o", "NS,PNS,ONS,NPROCS")
	if code != 0 {
		t.Fatalf("lsns -o NS,PNS,ONS,NPROCS: exit %d, stderr %q", code, stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		// A namespace no process is in is read through its fd or bind mount, not replaced here.
		if f := strings.Fields(line); len(f) != 4 || f[3] != "0" && (f[1] != "0" || f[2] != "0") {
			t.Errorf("line %q: want the relations 0 for a namespace with processes", line)
		}
	}
	unsupported := []*nsutil.UnsupportedIoctlError{
		{Name: "NS_GET_USERNS", Errno: unix.ENOSYS}, {Name: "NS_GET_PARENT", Errno: unix.ENOSYS}, {Name: "NS_GET_USERNS", Errno: unix.ENOSYS},
	}
	warnings, err := unsupportedIoctls(unsupported)
	if want := []string{"Unsupported ioctl NS_GET_USERNS", "Unsupported ioctl NS_GET_PARENT"}; err != nil || !slices.Equal(warnings, want) {
		t.Errorf("unsupportedIoctls = %q, %v; want %q", warnings, err, want)
	}
	unsupported[2].Errno = unix.ENOTTY
	if _, err := unsupportedIoctls(unsupported); report(io.Discard, err) != exitUnsupportedIoctl {
		t.Errorf("unsupportedIoctls with ENOTTY: %v, want exit %d", err, exitUnsupportedIoctl)
	}
}
