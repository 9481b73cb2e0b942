//go:build linux

package nsenter

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/nstest"
)

// planFor parses args as nsenter's command line and returns the plan's steps, one trace line
// each, with fd numbers replaced by "N" and PID by "PID".
func planFor(t *testing.T, pid int, args ...string) (string, error) {
	t.Helper()
	spec, g := Command()
	opts, code, done := cli.Parse(spec, g, args)
	if done {
		t.Fatalf("parse %q: exit %d", args, code)
	}
	e := newEntry(g.(*grammar), opts)
	if err := e.resolve(); err != nil {
		return "", err
	}
	out := e.plan().Describe()
	out = regexp.MustCompile(`\(\d+<`).ReplaceAllString(out, "(N<")
	return strings.ReplaceAll(out, strconv.Itoa(pid), "PID"), nil
}

// TestPlanOrder checks the steps' order for the two passes (through the pidfd and through
// files), credentials, the fork for a PID namespace and the directories.
func TestPlanOrder(t *testing.T) {
	if !nsutil.PidfdSetnsSupported() {
		nstest.Skip(t, "these plans enter through a pidfd, which needs Linux 5.8")
	}
	saved := callerHasGroups
	callerHasGroups = func() bool { return true }
	defer func() { callerHasGroups = saved }()
	shell := passwdShellOf(t, os.Getuid()) // the login shell without $SHELL (util-linux 2.42)
	self := os.Getpid()
	pid := strconv.Itoa(self)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-t", pid, "-U", "true"}, `
[0] setgroups(0, [])
[0] setns(N<pidfd:PID>, CLONE_NEWUSER)
[0] setgroups(0, [])
[0] setresgid(0, 0, 0)
[0] setresuid(0, 0, 0)
[0] execve("true", ["true"])`},
		{[]string{"-t", pid, "-n", "-u", "true"}, `
[0] setns(N<pidfd:PID>, CLONE_NEWUTS|CLONE_NEWNET)
[0] execve("true", ["true"])`},
		{[]string{"-t", pid, "-U", "-n", "-p", "true"}, `
[0] setgroups(0, [])
[0] setns(N<pidfd:PID>, CLONE_NEWNET|CLONE_NEWPID)
[0] setns(N<pidfd:PID>, CLONE_NEWUSER)
[0] setns(N<pidfd:PID>, CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWPID)
[0] fork()
[1] wait4(child)
[0] setgroups(0, [])
[0] setresgid(0, 0, 0)
[0] setresuid(0, 0, 0)
[0] execve("true", ["true"])`},
		{[]string{"-t", pid, "-U", "--preserve-credentials", "--keep-caps", "-F", "-p", "true"}, `
[0] setns(N<pidfd:PID>, CLONE_NEWPID)
[0] setns(N<pidfd:PID>, CLONE_NEWUSER)
[0] setns(N<pidfd:PID>, CLONE_NEWUSER|CLONE_NEWPID)
[0] capset(inheritable=permitted), prctl(PR_CAP_AMBIENT_RAISE, ...)
[0] execve("true", ["true"])`},
		{[]string{"--user=/proc/" + pid + "/ns/user", "--net=/proc/" + pid + "/ns/net", "-S", "5", "true"}, `
[0] setgroups(0, [])
[0] setns(N</proc/PID/ns/net>, CLONE_NEWNET)
[0] setns(N</proc/PID/ns/user>, CLONE_NEWUSER)
[0] setns(N</proc/PID/ns/net>, CLONE_NEWNET)
[0] setgroups(0, [])
[0] setresgid(0, 0, 0)
[0] setresuid(5, 5, 5)
[0] execve("true", ["true"])`},
		{[]string{"-t", pid, "-m", "-r", "-W/srv", "-G", "7", "sh"}, `
[0] setns(N<pidfd:PID>, CLONE_NEWNS)
[0] fchdir(N</proc/PID/root>)
[0] chroot(".")
[0] chdir("/")
[0] open("/srv", O_RDONLY), fchdir
[0] setgroups(0, [])
[0] setresgid(7, 7, 7)
[0] execve("sh", ["sh"])`},
		{[]string{"-t", pid, "-u", "-r"}, `
[0] setns(N<pidfd:PID>, CLONE_NEWUTS)
[0] fchdir(N</proc/PID/root>)
[0] chroot(".")
[0] chdir("/")
[0] fchdir(N<the current working directory>)
[0] execve("` + shell + `", ["-` + filepath.Base(shell) + `"])`},
	}
	t.Setenv("SHELL", "")
	for _, tc := range tests {
		got, err := planFor(t, self, tc.args...)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if want := strings.TrimPrefix(tc.want, "\n") + "\n"; got != want {
			t.Errorf("%q: got plan\n%s\nwant\n%s", tc.args, got, want)
		}
	}
}

// TestPlanOrderWithoutPidfd checks the /proc files plan used where setns takes no pidfd: one
// setns per kind, the user namespace only in the second pass.
func TestPlanOrderWithoutPidfd(t *testing.T) {
	savedGroups, savedPidfd := callerHasGroups, pidfdSetns
	callerHasGroups, pidfdSetns = func() bool { return false }, func() bool { return false }
	defer func() { callerHasGroups, pidfdSetns = savedGroups, savedPidfd }()
	self := os.Getpid()
	got, err := planFor(t, self, "-t", strconv.Itoa(self), "-U", "-n", "-u", "-p", "-F", "true")
	if err != nil {
		t.Fatal(err)
	}
	want := `[0] setns(N</proc/PID/ns/uts>, CLONE_NEWUTS)
[0] setns(N</proc/PID/ns/net>, CLONE_NEWNET)
[0] setns(N</proc/PID/ns/pid>, CLONE_NEWPID)
[0] setns(N</proc/PID/ns/user>, CLONE_NEWUSER)
[0] setns(N</proc/PID/ns/uts>, CLONE_NEWUTS)
[0] setns(N</proc/PID/ns/net>, CLONE_NEWNET)
[0] setns(N</proc/PID/ns/pid>, CLONE_NEWPID)
[0] setresgid(0, 0, 0)
[0] setresuid(0, 0, 0)
[0] execve("true", ["true"])
`
	if got != want {
		t.Errorf("got plan\n%s\nwant\n%s", got, want)
	}
}

// TestNetnsPath checks how --net=VALUE finds its file.
func TestNetnsPath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("localfile", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"/proc/1/ns/net", "/proc/1/ns/net"},
		{"./x", "./x"},
		{"nsbox-nonexistent", "/run/netns/nsbox-nonexistent"},
		{"localfile", "localfile"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := netnsPath(tc.in); got != tc.want {
			t.Errorf("netnsPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
