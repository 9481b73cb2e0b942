package nsenter

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/nstest"
)

// The reference implementation the differential tests compare with.
const refNsenter = "/usr/bin/nsenter"

// user is a uid:gid to run a command as; nil runs it as the test (root).
type user *[2]int

// ourNsenter is the nsbox binary under test, as a symlink named nsenter.
func ourNsenter(t *testing.T) string {
	t.Helper()
	return nstest.Applet(t, "nsenter")
}

// withReferences returns our nsenter and util-linux's: the system's (2.38) and the newest
// release's (2.42, nstest.NewestUtilLinux), for differential tests where all three agree.
func withReferences(t *testing.T) []string {
	t.Helper()
	nstest.RequireTool(t, refNsenter)
	return []string{ourNsenter(t), refNsenter, newestNsenter(t)}
}

// newestNsenter is the newest util-linux release's nsenter, which nsbox follows where the
// releases differ.
func newestNsenter(t *testing.T) string {
	t.Helper()
	return nstest.NewestUtilLinux(t, "nsenter")
}

// startTarget starts cmd (in its own process group, killed at cleanup) and waits until a
// process named sleep appears: cmd itself after exec, or a descendant (unshare --fork). It
// returns that process's PID.
func startTarget(t *testing.T, as user, cmd *exec.Cmd) int {
	t.Helper()
	if as != nil {
		nstest.AsUser(cmd, as[0], as[1])
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

// unshareTarget starts util-linux's unshare with args and a sleep, and returns the sleep's PID.
func unshareTarget(t *testing.T, as user, args ...string) int {
	t.Helper()
	nstest.RequireTool(t, "/usr/bin/unshare")
	return startTarget(t, as, exec.Command("/usr/bin/unshare", append(args, "sleep", "600")...))
}

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

// runAs runs bin with args as the user (nil: root) from directory dir ("" for /).
func runAs(t *testing.T, as user, dir, bin string, args ...string) nstest.Result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if as != nil {
		nstest.AsUser(cmd, as[0], as[1])
	}
	if dir != "" {
		cmd.Dir = dir
	} else {
		cmd.Dir = "/"
	}
	return nstest.Run(t, 60*time.Second, cmd)
}

// nsLink is the /proc/PID/ns/KIND link of a process ("net:[4026531840]").
var nsLink = nstest.NSLink

// showScript is a shell program that prints the ns links of every kind, then uid, gid and
// groups, one per line.
func showScript() string {
	var b strings.Builder
	for _, k := range nsutil.Kinds {
		fmt.Fprintf(&b, "readlink /proc/self/ns/%s; ", k.Name)
	}
	b.WriteString("id -u; id -g; id -G")
	return b.String()
}

// wantLinks is what showScript prints for the namespaces of pid, with the given credentials.
func wantLinks(t *testing.T, pid int, creds string) string {
	t.Helper()
	var lines []string
	for _, k := range nsutil.Kinds {
		lines = append(lines, nsLink(t, pid, k.Name))
	}
	return strings.Join(lines, "\n") + "\n" + creds
}

func kindNames() []string {
	var names []string
	for _, k := range nsutil.Kinds {
		names = append(names, k.Name)
	}
	return names
}
