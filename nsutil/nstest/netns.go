//go:build linux

package nstest

import (
	"os/exec"
	"syscall"
	"testing"
)

// IPNetns makes the persistent network namespace /run/netns/NAME with `ip netns add`, as an
// administrator would, deletes it when the test ends, and returns its inode. It needs root and
// ip(8).
func IPNetns(t testing.TB, name string) uint64 {
	t.Helper()
	RequireRoot(t)
	RequireTool(t, "/usr/sbin/ip")
	if out, err := exec.Command("/usr/sbin/ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() { exec.Command("/usr/sbin/ip", "netns", "delete", name).Run() })
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+name, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}
