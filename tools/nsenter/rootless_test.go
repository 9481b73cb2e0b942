//go:build linux

package nsenter

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// TestAllIntoUnshareR is `nsenter -a` by the owner of a namespace util-linux's `unshare -r`
// made (setgroups denied there), run as a user with a supplementary group, as a normal login
// has: there are no groups to drop in that user namespace, so nsenter says so in --trace and
// goes on, unless -G asks for a group.
func TestAllIntoUnshareR(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	target := nstest.UnshareTarget(t, nstest.User(&[2]int{uid, gid}), "-U", "-r", "-n", "-m")
	run := func(args ...string) nstest.Result {
		cmd := exec.Command(ourNsenter(t), append([]string{"-t", fmt.Sprint(target)}, args...)...)
		cmd.Dir = "/"
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
			Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{uint32(gid), 100}}}
		return nstest.Run(t, 60*time.Second, cmd)
	}
	if res := run("-a", "id", "-u"); res.Code != 0 || res.Stdout != "0\n" || res.Stderr != "" {
		t.Errorf("-a id -u: exit %d, stdout %q, stderr %q; want 0 and \"0\\n\"", res.Code, res.Stdout, res.Stderr)
	}
	const note = "setgroups(0, []) = -1 EPERM (Operation not permitted): setgroups is denied in this user namespace, no supplementary groups to drop\n"
	if res := run("--trace", "-a", "true"); res.Code != 0 || !strings.Contains(res.Stderr, note) {
		t.Errorf("--trace -a: exit %d, stderr %q; want exit 0 and %q", res.Code, res.Stderr, note)
	}
	want := "nsenter: setgroups failed: Operation not permitted\n"
	if res := run("-a", "-G", "0", "true"); res.Code != 1 || res.Stderr != want {
		t.Errorf("-a -G 0: exit %d, stderr %q; want 1 and %q", res.Code, res.Stderr, want)
	}
}

// TestEnvOfSubordinateTarget is util-linux issue #4558 (fixed after 2.42): a target running as
// a subordinate ID, whose /proc/PID/environ its owner may not read until nsenter has entered
// the user namespace and changed credentials. nsenter reads it then, as util-linux now does;
// util-linux 2.42 fails.
func TestEnvOfSubordinateTarget(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	owner := nstest.User(&[2]int{uid, gid})
	target := nstest.UnshareTarget(t, owner, "--map-auto", "--map-current-user", "--setuid=0", "--setgid=0",
		"--", "env", "-i", "FOO=bar", "SHELL=/bin/sh", "PATH=/usr/bin:/bin")
	args := []string{"--user", "--setuid=0", "--setgid=0", fmt.Sprintf("--target=%d", target), "--env", "/usr/bin/env"}
	if res := runAs(t, owner, "", ourNsenter(t), args...); res.Code != 0 || res.Stdout != "PATH=/usr/bin:/bin\nSHELL=/bin/sh\nFOO=bar\n" {
		t.Errorf("%q: exit %d, stdout %q, stderr %q; want the target's environment", args, res.Code, res.Stdout, res.Stderr)
	}
	// Without a program: the login shell of that environment's $SHELL.
	shell := exec.Command(ourNsenter(t), args[:len(args)-1]...)
	nstest.AsUser(shell, uid, gid)
	shell.Stdin = strings.NewReader("echo $0 $FOO\n")
	if res := nstest.Run(t, 60*time.Second, shell); res.Code != 0 || res.Stdout != "-sh bar\n" {
		t.Errorf("%q: exit %d, stdout %q, stderr %q; want the target's $SHELL as a login shell", args[:len(args)-1], res.Code, res.Stdout, res.Stderr)
	}
	want := fmt.Sprintf("nsenter: cannot open /proc/%d/environ: Permission denied\n", target)
	if res := runAs(t, owner, "", newestNsenter(t), args...); res.Code != 1 || res.Stderr != want {
		t.Errorf("util-linux 2.42 %q: exit %d, stderr %q; the test expects %q", args, res.Code, res.Stderr, want)
	}
	// Without a credential change there is no second chance: util-linux's message.
	noChange := []string{"--user", "--preserve-credentials", fmt.Sprintf("--target=%d", target), "--env", "/usr/bin/env"}
	if res := runAs(t, owner, "", ourNsenter(t), noChange...); res.Code != 1 || res.Stderr != want {
		t.Errorf("%q: exit %d, stderr %q; want 1 and %q", noChange, res.Code, res.Stderr, want)
	}
}
