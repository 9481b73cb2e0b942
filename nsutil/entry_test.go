//go:build linux

package nsutil

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestKernelVersion(t *testing.T) {
	tests := []struct {
		release      string
		major, minor int
		ok           bool
	}{
		{"6.18.0-1-amd64", 6, 18, true},
		{"5.8", 5, 8, true},
		{"5.10.0+", 5, 10, true},
		{"4.19.0-rc1", 4, 19, true},
		{"garbage", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tc := range tests {
		major, minor, ok := kernelVersion(tc.release)
		if ok != tc.ok || ok && (major != tc.major || minor != tc.minor) {
			t.Errorf("kernelVersion(%q) = %d, %d, %v; want %d, %d, %v", tc.release, major, minor, ok, tc.major, tc.minor, tc.ok)
		}
	}
}

func TestProcEntryReaders(t *testing.T) {
	// /proc/PID/environ holds the environment the process started with.
	env, err := ProcEnviron(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if len(env) != len(os.Environ()) || len(env) > 0 && !strings.Contains(env[0], "=") {
		t.Errorf("ProcEnviron(self) = %q, want NAME=value entries", env)
	}
	uid, gid, err := ProcOwner(os.Getpid())
	if err != nil || uid != os.Geteuid() || gid != os.Getegid() {
		t.Errorf("ProcOwner(self) = %d, %d, %v; want %d, %d", uid, gid, err, os.Geteuid(), os.Getegid())
	}
	if path, err := ProcCgroup2Path(os.Getpid()); err != nil || !strings.HasPrefix(path, "/") {
		t.Errorf("ProcCgroup2Path(self) = %q, %v; want a path", path, err)
	}
	for _, read := range []func(int) error{
		func(pid int) error { _, err := ProcEnviron(pid); return err },
		func(pid int) error { _, _, err := ProcOwner(pid); return err },
		func(pid int) error { _, err := ProcCgroup2Path(pid); return err },
	} {
		err := read(999999999)
		var pe *os.PathError
		if !errors.As(err, &pe) || !errors.Is(err, unix.ESRCH) || !strings.Contains(pe.Path, "/proc/999999999") {
			t.Errorf("reading a missing process: %v, want an ESRCH *os.PathError naming /proc/999999999", err)
		}
	}
}
