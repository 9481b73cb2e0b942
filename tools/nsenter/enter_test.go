//go:build linux

package nsenter

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/nstest"
)

// TestEnterEachKind enters each kind of a root-made container, by option and by =FILE, with
// ours and util-linux's nsenter, and checks both land in the target's namespace.
func TestEnterEachKind(t *testing.T) {
	nstest.RequireRoot(t)
	target := nstest.UnshareTarget(t, nil, "--user", "--map-root-user", "--mount", "--uts", "--ipc",
		"--net", "--pid", "--fork", "--kill-child", "--cgroup", "--time")
	for _, k := range nsutil.Kinds {
		want := nsLink(t, target, k.Name)
		forms := [][]string{
			{"--" + k.Long},
			{"-" + string(k.Letter)},
			{"--" + k.Long + "=" + k.ProcPath(target)},
			{"-" + string(k.Letter) + k.ProcPath(target)},
		}
		for _, form := range forms {
			args := append([]string{"-t", fmt.Sprint(target)}, form...)
			args = append(args, "readlink", "/proc/self/ns/"+k.Name)
			for _, bin := range withReferences(t) {
				res := runAs(t, nil, "", bin, args...)
				if res.Code != 0 || strings.TrimSpace(res.Stdout) != want {
					t.Errorf("%s %q: got %q (exit %d, stderr %q), want %s", bin, args, res.Stdout, res.Code, res.Stderr, want)
				}
			}
		}
	}
}

// TestAllAndCredentials compares -a, and the credentials a user namespace brings, with
// util-linux on a root-made container.
func TestAllAndCredentials(t *testing.T) {
	nstest.RequireRoot(t)
	target := nstest.UnshareTarget(t, nil, "--user", "--map-root-user", "--mount", "--uts", "--ipc",
		"--net", "--pid", "--fork", "--kill-child", "--cgroup", "--time")
	tests := []struct {
		args  []string
		creds string
	}{
		{[]string{"-a"}, "0\n0\n0\n"},
		{[]string{"--all", "-S", "0", "-G", "0"}, "0\n0\n0\n"},
		{[]string{"-U", "-m", "-u", "-i", "-n", "-p", "-C", "-T"}, "0\n0\n0\n"},
	}
	for _, tc := range tests {
		args := append([]string{"-t", fmt.Sprint(target)}, tc.args...)
		args = append(args, "sh", "-c", showScript())
		want := wantLinks(t, target, tc.creds)
		for _, bin := range withReferences(t) {
			if res := runAs(t, nil, "", bin, args...); res.Code != 0 || res.Stdout != want {
				t.Errorf("%s %q: got %q (exit %d, stderr %q), want %q", bin, tc.args, res.Stdout, res.Code, res.Stderr, want)
			}
		}
	}
}

// TestRootlessContainer is a container its unprivileged owner made with util-linux's
// `unshare -U -r -n -u -m`: root enters it dropping privilege (user namespace last), the owner
// enters it gaining privilege (user namespace first), both as util-linux does.
func TestRootlessContainer(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	owner := nstest.User(&[2]int{uid, gid})
	target := nstest.UnshareTarget(t, owner, "-U", "-r", "-n", "-u", "-m")
	host := os.Getpid()
	mixed := func(kinds ...string) string { // the target's links for kinds, the host's for the rest
		var lines []string
		for _, k := range kindNames() {
			pid := host
			for _, want := range kinds {
				if k == want {
					pid = target
				}
			}
			lines = append(lines, nsLink(t, pid, k))
		}
		return strings.Join(lines, "\n") + "\n0\n0\n0\n"
	}
	tests := []struct {
		name string
		as   nstest.User
		args []string
		want string
	}{
		{"root -U -m -n", nil, []string{"-U", "-m", "-n"}, mixed("user", "mnt", "net")},
		{"root -a", nil, []string{"-a"}, mixed("user", "mnt", "net", "uts")},
		{"owner -U --preserve-credentials", owner, []string{"-U", "--preserve-credentials"}, mixed("user")},
		{"owner -U -n -u -m --preserve-credentials", owner, []string{"-U", "-n", "-u", "-m", "--preserve-credentials"}, mixed("user", "mnt", "net", "uts")},
	}
	for _, tc := range tests {
		args := append([]string{"-t", fmt.Sprint(target)}, tc.args...)
		args = append(args, "sh", "-c", showScript())
		for _, bin := range withReferences(t) {
			if res := runAs(t, tc.as, "", bin, args...); res.Code != 0 || res.Stdout != tc.want {
				t.Errorf("%s: %s: got %q (exit %d, stderr %q), want %q", tc.name, bin, res.Stdout, res.Code, res.Stderr, tc.want)
			}
		}
	}
	// Beyond util-linux (which fails on the shared host cgroup namespace): the owner's -a.
	for _, args := range [][]string{{"-a"}, {"-a", "--preserve-credentials"}} {
		all := append([]string{"-t", fmt.Sprint(target)}, args...)
		all = append(all, "sh", "-c", showScript())
		want := mixed("user", "mnt", "net", "uts")
		if res := runAs(t, owner, "", ourNsenter(t), all...); res.Code != 0 || res.Stdout != want {
			t.Errorf("owner %q: got %q (exit %d, stderr %q), want %q", args, res.Stdout, res.Code, res.Stderr, want)
		}
	}
	// The program sees the fds and environment util-linux's gives it, the owner's way in too.
	var outs []string
	for _, bin := range withReferences(t) {
		cmd := exec.Command(bin, "-t", fmt.Sprint(target), "-U", "-n", "--preserve-credentials", "sh", "-c", "ls /proc/self/fd; env | sort")
		nstest.AsUser(cmd, uid, gid)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "OWNER_VAR=1"}
		res := nstest.Run(t, 60*time.Second, cmd)
		if res.Code != 0 {
			t.Fatalf("%s: exit %d, stderr %q", bin, res.Code, res.Stderr)
		}
		outs = append(outs, res.Stdout)
	}
	if outs[0] != outs[1] || !strings.Contains(outs[0], "OWNER_VAR=1") {
		t.Errorf("owner's program: ours shows\n%s\nutil-linux shows\n%s", outs[0], outs[1])
	}
}
