//go:build linux

package nsenter

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// busyboxRoot makes a directory tree that busybox runs in (the binary and its libraries) with
// a subdirectory /sub, and returns its path.
func busyboxRoot(t *testing.T) string {
	t.Helper()
	nstest.RequireTool(t, "/bin/busybox")
	root := t.TempDir()
	out, err := exec.Command("ldd", "/bin/busybox").Output()
	if err != nil {
		t.Fatalf("ldd /bin/busybox: %v", err)
	}
	files := []string{"/bin/busybox"}
	for _, f := range strings.Fields(string(out)) {
		if strings.HasPrefix(f, "/") {
			files = append(files, f)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A sleep the target helpers recognise by its name.
	if err := os.Symlink("busybox", filepath.Join(root, "bin", "sleep")); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestRootAndWorkingDirectory compares -r, -w and -W, with and without values, with
// util-linux, for a target chrooted into a busybox tree with its cwd in /sub.
func TestRootAndWorkingDirectory(t *testing.T) {
	nstest.RequireRoot(t)
	root := busyboxRoot(t)
	target := nstest.StartTarget(t, nil, exec.Command("/usr/bin/unshare", "--uts", "chroot", root,
		"/bin/busybox", "sh", "-c", "cd /sub && exec /bin/sleep 600"))
	callerDir := t.TempDir() // outside the new root: pwd fails there, ls shows the marker
	if err := os.WriteFile(filepath.Join(callerDir, "caller-marker"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(target)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-r", "-w"}, "/sub"},
		{[]string{"--root", "--wd"}, "/sub"},
		{[]string{"-r", "/bin/busybox", "ls"}, "caller-marker"},
		{[]string{"-r", "-W/sub"}, "/sub"},
		{[]string{"-r", "--wdns=/sub"}, "/sub"},
		{[]string{"-r" + root, "-w" + root + "/sub"}, "/sub"},
		{[]string{"--root=" + root, "--wd=" + callerDir, "/bin/busybox", "ls"}, "caller-marker"},
		{[]string{"-w"}, root + "/sub"},
	}
	for _, tc := range tests {
		args := append([]string{"-t", pid, "-u"}, tc.args...)
		if tc.want != "caller-marker" { // the rest run pwd; in the caller's dir it has no name
			args = append(args, "/bin/busybox", "pwd")
		}
		for _, bin := range withReferences(t) {
			res := runAs(t, nil, callerDir, bin, args...)
			if got := strings.TrimSpace(res.Stdout); res.Code != 0 || got != tc.want {
				t.Errorf("%s %q: got %q (exit %d, stderr %q), want %q", bin, tc.args, got, res.Code, res.Stderr, tc.want)
			}
		}
	}
}

// TestSetuidSetgid compares -S and -G with util-linux, and `follow` (util-linux 2.39) with
// 2.42: it takes the target's owner.
func TestSetuidSetgid(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	target := nstest.UnshareTarget(t, nil, "--uts")
	pid := strconv.Itoa(target)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-S", strconv.Itoa(uid), "-G", strconv.Itoa(gid)}, fmt.Sprintf("%d %d", uid, gid)},
		{[]string{"-G", "4242"}, "0 4242"},
		{[]string{"--setuid=" + strconv.Itoa(uid)}, fmt.Sprintf("%d 0", uid)},
	}
	for _, tc := range tests {
		args := append([]string{"-t", pid, "-u"}, tc.args...)
		args = append(args, "sh", "-c", "echo $(id -u) $(id -g)")
		for _, bin := range withReferences(t) {
			res := runAs(t, nil, "", bin, args...)
			if got := strings.TrimSpace(res.Stdout); res.Code != 0 || got != tc.want {
				t.Errorf("%s %q: got %q (exit %d, stderr %q), want %q", bin, tc.args, got, res.Code, res.Stderr, tc.want)
			}
		}
	}
	owned := nstest.UnshareTarget(t, &[2]int{uid, gid}, "-U", "-r", "-u")
	for _, bin := range []string{ourNsenter(t), newestNsenter(t)} {
		res := runAs(t, nil, "", bin, "-t", strconv.Itoa(owned), "-u", "-S", "follow", "-G", "follow",
			"sh", "-c", "echo $(id -u) $(id -g)")
		if want := fmt.Sprintf("%d %d", uid, gid); res.Code != 0 || strings.TrimSpace(res.Stdout) != want {
			t.Errorf("%s -S follow -G follow: got %q (exit %d, stderr %q), want %q", bin, res.Stdout, res.Code, res.Stderr, want)
		}
	}
}

// TestExitStatus compares the program's exit statuses, passed on by a forking (-p) and a
// non-forking nsenter, with util-linux.
func TestExitStatus(t *testing.T) {
	nstest.RequireRoot(t)
	target := nstest.UnshareTarget(t, nil, "--pid", "--fork", "--kill-child", "--uts")
	pid := strconv.Itoa(target)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"-u", "sh", "-c", "exit 7"}, 7},
		{[]string{"-p", "-u", "sh", "-c", "exit 7"}, 7},
		{[]string{"-p", "sh", "-c", "kill -TERM $$"}, 128 + int(syscall.SIGTERM)},
		{[]string{"-u", "sh", "-c", "kill -KILL $$"}, 128 + int(syscall.SIGKILL)},
		{[]string{"-p", "-F", "sh", "-c", "exit 3"}, 3},
		{[]string{"-u", "/nonexistent/program"}, 127},
		{[]string{"-p", "nonexistent-program-nsbox"}, 127},
		{[]string{"-u", "/etc/passwd"}, 126},
	}
	missing := nstest.MissingPath(t)
	for _, tc := range tests {
		args := append([]string{"-t", pid}, nstest.ReplaceMissing(missing, tc.args...)...)
		for _, bin := range withReferences(t) {
			if res := runAs(t, nil, "", bin, args...); res.Code != tc.want {
				t.Errorf("%s %q: exit %d, want %d (stderr %q)", bin, tc.args, res.Code, tc.want, res.Stderr)
			}
		}
	}
}

// TestProgramSeesCallersFdsAndEnvironment checks that the program gets exactly the fds and
// environment util-linux's nsenter gives it (the caller's, and an extra fd the caller passes),
// with and without a fork.
func TestProgramSeesCallersFdsAndEnvironment(t *testing.T) {
	nstest.RequireRoot(t)
	target := nstest.UnshareTarget(t, nil, "--pid", "--fork", "--kill-child", "--net", "--user", "--map-root-user")
	extra, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	for _, ns := range [][]string{{"-n"}, {"-n", "-p", "-U"}, {"-a"}} {
		var outs []string
		for _, bin := range withReferences(t) {
			args := append([]string{"-t", strconv.Itoa(target)}, ns...)
			cmd := exec.Command(bin, append(args, "sh", "-c", "ls /proc/self/fd; env | sort")...)
			cmd.Env = []string{"PATH=/usr/bin:/bin", "NSBOX_TEST_VAR=x y", "LANG=C"}
			// From /: util-linux's -a enters the shared mount namespace, whose root becomes the
			// cwd; ours skips it (see TestAllSkipsSharedNamespaces).
			cmd.Dir = "/"
			cmd.ExtraFiles = []*os.File{extra}
			res := nstest.Run(t, time.Minute, cmd)
			if res.Code != 0 {
				t.Fatalf("%s %q: exit %d, stderr %q", bin, ns, res.Code, res.Stderr)
			}
			outs = append(outs, res.Stdout)
		}
		if outs[0] != outs[1] {
			t.Errorf("%q: ours shows\n%s\nutil-linux shows\n%s", ns, outs[0], outs[1])
		}
		if !strings.Contains(outs[0], "\n3\n") || !strings.Contains(outs[0], "NSBOX_TEST_VAR=x y") {
			t.Errorf("%q: the caller's fd 3 or environment is missing:\n%s", ns, outs[0])
		}
	}
}

// TestAllSkipsSharedNamespaces checks -a leaves alone the namespaces the caller already
// shares with the target: the cwd stays (util-linux's moves to the shared mount namespace's
// root) and a shared PID namespace means no fork; with nothing to enter the program still runs.
func TestAllSkipsSharedNamespaces(t *testing.T) {
	nstest.RequireRoot(t)
	dir := t.TempDir()
	for _, unshareArgs := range [][]string{{"--net"}, {}} {
		target := nstest.UnshareTarget(t, nil, unshareArgs...)
		res := runAs(t, nil, dir, ourNsenter(t), "--trace", "-t", strconv.Itoa(target), "-a", "sh", "-c", "pwd; readlink /proc/self/ns/net")
		want := dir + "\n" + nsLink(t, target, "net") + "\n"
		if res.Code != 0 || res.Stdout != want || strings.Contains(res.Stderr, "fork") {
			t.Errorf("-a on a target made with unshare %q: got %q (exit %d, stderr %q), want %q and no fork", unshareArgs, res.Stdout, res.Code, res.Stderr, want)
		}
	}
}

// TestTargetEnvironment compares -e (util-linux 2.39) with 2.42: the program gets exactly the
// target's environment (in 2.42's order, reversed), and no program means the target's $SHELL.
func TestTargetEnvironment(t *testing.T) {
	nstest.RequireRoot(t)
	cmd := exec.Command("/usr/bin/unshare", "--uts", "sleep", "600")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TARGET_ONLY=1", "SHELL=/bin/sh"}
	target := nstest.StartTarget(t, nil, cmd)
	for _, bin := range []string{ourNsenter(t), newestNsenter(t)} {
		run := exec.Command(bin, "-t", strconv.Itoa(target), "-u", "-e", "env")
		run.Env = []string{"CALLER_ONLY=1", "PATH=/usr/bin:/bin"}
		res := nstest.Run(t, time.Minute, run)
		if want := "SHELL=/bin/sh\nTARGET_ONLY=1\nPATH=/usr/bin:/bin\n"; res.Code != 0 || res.Stdout != want { // util-linux's order: reversed
			t.Errorf("%s -e env: got %q (exit %d, stderr %q), want %q", bin, res.Stdout, res.Code, res.Stderr, want)
		}
		shell := exec.Command(bin, "-t", strconv.Itoa(target), "-u", "-e")
		shell.Env = []string{"SHELL=/nonexistent/shell"}
		shell.Stdin = strings.NewReader("echo $0 $TARGET_ONLY\n")
		if res := nstest.Run(t, time.Minute, shell); res.Code != 0 || res.Stdout != "-sh 1\n" {
			t.Errorf("%s -e with no program: got %q (exit %d, stderr %q), want the target's shell", bin, res.Stdout, res.Code, res.Stderr)
		}
	}
}

// TestDefaultShell compares the program run when none is given: $SHELL as a login shell
// (with every reference), else, as util-linux 2.42 does, the passwd shell of the user the
// program runs as (2.38 runs /bin/sh): root's, -S's user's, and in a rootless container entered
// by its owner, root's of the container (the owner's uid mapped to 0).
func TestDefaultShell(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	owner := nstest.User(&[2]int{uid, gid})
	target := strconv.Itoa(nstest.UnshareTarget(t, nil, "--uts"))
	rootless := strconv.Itoa(nstest.UnshareTarget(t, owner, "-U", "-r", "-u"))
	home := t.TempDir()
	if err := os.Chmod(home, 0o777); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		as   nstest.User
		env  []string
		args []string
		want string
		all  bool // 2.38 agrees
	}{
		{nil, []string{"SHELL=/bin/bash"}, []string{"-t", target, "-u"}, "-bash", true},
		{nil, nil, []string{"-t", target, "-u"}, "-" + filepath.Base(passwdShellOf(t, 0)), false},
		{nil, []string{"SHELL="}, []string{"-t", target, "-u", "-S", strconv.Itoa(uid)}, "-" + filepath.Base(passwdShellOf(t, uid)), false},
		{owner, nil, []string{"-t", rootless, "-U", "--preserve-credentials"}, "-" + filepath.Base(passwdShellOf(t, 0)), false},
	}
	for _, tc := range tests {
		bins := []string{ourNsenter(t), newestNsenter(t)}
		if tc.all {
			bins = withReferences(t)
		}
		for _, bin := range bins {
			cmd := exec.Command(bin, tc.args...)
			if tc.as != nil {
				nstest.AsUser(cmd, tc.as[0], tc.as[1])
			}
			cmd.Env = append(tc.env, "PATH=/usr/bin:/bin", "HOME="+home) // no profile of root's to run
			cmd.Dir = "/"
			cmd.Stdin = strings.NewReader("echo $0\n")
			if res := nstest.Run(t, time.Minute, cmd); res.Code != 0 || res.Stdout != tc.want+"\n" {
				t.Errorf("%s %q with %q: got %q (exit %d, stderr %q), want %q", bin, tc.args, tc.env, res.Stdout, res.Code, res.Stderr, tc.want)
			}
		}
	}
}

// passwdShellOf is uid's login shell in /etc/passwd, from getent.
func passwdShellOf(t *testing.T, uid int) string {
	t.Helper()
	out, err := exec.Command("getent", "passwd", strconv.Itoa(uid)).Output()
	fields := strings.Split(strings.TrimSpace(string(out)), ":")
	if err != nil || len(fields) != 7 || fields[6] == "" {
		t.Fatalf("getent passwd %d: %q, %v", uid, out, err)
	}
	return fields[6]
}
