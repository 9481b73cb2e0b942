//go:build linux

package nstest

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// QuietPIDNS is a PID namespace with its own /proc (and mount namespace) that a test makes, so
// that what it lists or compares there (lsns with util-linux's lsns) is only the processes it
// starts there, not the machine's, which come and go.
type QuietPIDNS struct {
	Init int // its PID 1 (a sleep), as the host sees it
}

// NewQuietPIDNS makes a quiet PID namespace with util-linux's unshare; the test's cleanup ends
// it, and with it every process started in it.
func NewQuietPIDNS(t testing.TB) QuietPIDNS {
	t.Helper()
	RequireRoot(t)
	RequireTool(t, "/usr/bin/unshare")
	RequireTool(t, "/usr/bin/nsenter")
	cmd := exec.Command("/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return QuietPIDNS{Init: childOf(t, cmd.Process.Pid, "sleep")}
}

// childOf waits for the one child of pid to have comm want, and returns its PID.
func childOf(t testing.TB, pid int, want string) int {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if child, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child)); strings.TrimSuffix(string(comm), "\n") == want {
				return child
			}
		}
	}
	t.Fatalf("no child %q of %d", want, pid)
	return 0
}

// Command makes a command that runs argv in the namespace, with its /proc.
func (q QuietPIDNS) Command(argv ...string) *exec.Cmd {
	return exec.Command("/usr/bin/nsenter", append([]string{"-t", strconv.Itoa(q.Init), "-p", "-m", "--"}, argv...)...)
}

// Start starts argv in the namespace, waits until it runs a program whose comm is want, and
// returns its PID as the host sees it and as the namespace does. It ends with the namespace.
func (q QuietPIDNS) Start(t testing.TB, want string, argv ...string) (host, inner int) {
	t.Helper()
	cmd := q.Command(argv...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	host = childOf(t, cmd.Process.Pid, want)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", host))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "NSpid:" {
			inner, _ = strconv.Atoi(f[2])
		}
	}
	if inner == 0 {
		t.Fatalf("process %d is not in the quiet PID namespace:\n%s", host, status)
	}
	return host, inner
}
