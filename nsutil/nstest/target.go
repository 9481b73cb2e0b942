//go:build linux

package nstest

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StartTarget starts cmd, as the user as (nil: the test's own), in its own process group killed
// at cleanup, and waits until a process named sleep appears: cmd itself after exec, or a
// descendant (unshare --fork). It returns that process's PID.
func StartTarget(t testing.TB, as User, cmd *exec.Cmd) int {
	t.Helper()
	if as != nil {
		AsUser(cmd, as[0], as[1])
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if pid := findSleep(cmd.Process.Pid, 4); pid != 0 {
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("target %q did not start", cmd.Args)
	return 0
}

// UnshareTarget starts util-linux's /usr/bin/unshare with args and a sleep, as the user as
// (nil: the test's own), and returns the sleep's PID.
func UnshareTarget(t testing.TB, as User, args ...string) int {
	t.Helper()
	RequireTool(t, "/usr/bin/unshare")
	return StartTarget(t, as, exec.Command("/usr/bin/unshare", append(args, "sleep", "600")...))
}

// FakeContainer makes the cgroup rel (named as a container runtime names a container's) under
// mount, starts a sleep in it, in new namespaces when unshareArgs names some (util-linux
// unshare's options), and returns the sleep's PID. Cleanup kills it and removes the cgroup.
func FakeContainer(t testing.TB, mount, rel string, unshareArgs ...string) int {
	t.Helper()
	dir := FakeContainerCgroup(t, mount, rel)
	pid := UnshareTarget(t, nil, unshareArgs...)
	JoinCgroup(t, dir, pid)
	return pid
}

// findSleep is pid, or its descendant (depth levels down at most), that runs sleep, or 0.
func findSleep(pid, depth int) int {
	if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) == "sleep" {
		return pid
	}
	if depth == 0 {
		return 0
	}
	kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	for _, k := range strings.Fields(string(kids)) {
		kid, _ := strconv.Atoi(k)
		if found := findSleep(kid, depth-1); found != 0 {
			return found
		}
	}
	return 0
}

// User is who a test runs a command as: nil is the test's own user (root), else a uid and gid.
type User *[2]int

// RunAs runs cmd as the user as (AsUser: no supplementary groups; from cmd.Dir, or / when it
// is not set) and returns what it did, as Run does.
func RunAs(t testing.TB, as User, timeout time.Duration, cmd *exec.Cmd) Result {
	t.Helper()
	if as != nil {
		dir := cmd.Dir
		AsUser(cmd, as[0], as[1])
		if dir != "" {
			cmd.Dir = dir
		}
	}
	return Run(t, timeout, cmd)
}
