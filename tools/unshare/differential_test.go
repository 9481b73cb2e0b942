//go:build linux

package unshare

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

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/nstest"
	"golang.org/x/sys/unix"
)

// Differential tests of what util-linux 2.38 cannot check (its unshare lacks --forward-signals,
// --owner, several ranges...), against util-linux 2.42, the release nsbox follows.

// unshareProcess starts bin with args (as r's user), in a process group of its own, and waits
// until it has a child running comm.
func (r runner) unshareProcess(bin string, args []string, comm string) (cmd *exec.Cmd, child int) {
	r.t.Helper()
	cmd = nstest.Command(bin, args...)
	if r.user != nil {
		nstest.AsUser(cmd, r.user[0], r.user[1])
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() {
		unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
		cmd.Wait()
	})
	return cmd, waitForChild(r.t, cmd.Process.Pid, comm)
}

// waitExit waits for cmd to end and returns its status as a shell shows it. While it waits it
// sends sig to the process again every second: a signal that came before unshare was ready to
// forward it would otherwise be lost (util-linux learns its child's PID only after fork returns).
func waitExit(t *testing.T, cmd *exec.Cmd, sig unix.Signal) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	deadline := time.After(timeout)
	for {
		select {
		case <-done:
			return nstest.ExitCode(cmd.ProcessState)
		case <-deadline:
			unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
			<-done
			t.Fatalf("%q did not end in %v", cmd.Args, timeout)
		case <-time.After(time.Second):
			if sig != 0 {
				cmd.Process.Signal(sig)
			}
		}
	}
}

// TestSignalsMatchUtilLinux: with --forward-signals (2.42) a SIGTERM or SIGINT to unshare
// reaches the child, which dies of it, and unshare re-raises it (128+N), --kill-child or not;
// without it the waiting parent holds SIGTERM back and the child runs on until it ends (here by
// SIGUSR1). Root and rootless, against util-linux 2.42 (and 2.38 without --forward-signals).
func TestSignalsMatchUtilLinux(t *testing.T) {
	tests := []struct {
		opts    string
		sig     unix.Signal // sent to unshare
		forward bool        // the child dies of sig; else SIGUSR1 is sent to the child
		want    int
		old     bool // util-linux 2.38 has the options
	}{
		{opts: "--forward-signals -n", sig: unix.SIGTERM, forward: true, want: 128 + 15},
		{opts: "--forward-signals -n", sig: unix.SIGINT, forward: true, want: 128 + 2},
		{opts: "--forward-signals --kill-child -n", sig: unix.SIGTERM, forward: true, want: 128 + 15},
		{opts: "--forward-signals --kill-child=SIGUSR2 -n", sig: unix.SIGINT, forward: true, want: 128 + 2},
		{opts: "-fn", sig: unix.SIGTERM, want: 128 + int(unix.SIGUSR1), old: true},
		{opts: "-fn", sig: unix.SIGINT, want: 128 + int(unix.SIGUSR1), old: true},
		{opts: "--kill-child -n", sig: unix.SIGTERM, want: 128 + int(unix.SIGUSR1), old: true},
	}
	for _, who := range []runner{asRoot(t), asUser(t)} {
		for _, tc := range tests {
			opts := tc.opts
			if who.user != nil {
				opts += " -r"
			}
			args := append(split(opts), "sleep", "600")
			bins := append([]string{nstest.Applet(t, "unshare")}, references(t, tc.old)...)
			for _, bin := range bins {
				cmd, child := who.unshareProcess(bin, args, "sleep")
				cmd.Process.Signal(tc.sig)
				resend := tc.sig
				if !tc.forward {
					// unshare holds the signal back: the child runs on until it is ended.
					unix.Kill(child, unix.SIGUSR1)
					resend = 0
				}
				if got := waitExit(t, cmd, resend); got != tc.want {
					t.Errorf("%s %s (rootless %v), %v to unshare: exit %d, want %d", bin, opts, who.user != nil, tc.sig, got, tc.want)
				}
			}
		}
	}
}

// TestKillChildMatchesUtilLinux: when unshare dies (SIGKILL), its --kill-child child gets the
// signal asked for (SIGKILL by default) and ends, as util-linux's does; root and rootless.
func TestKillChildMatchesUtilLinux(t *testing.T) {
	for _, who := range []runner{asRoot(t), asUser(t)} {
		for _, opts := range []string{"--kill-child=TERM -n", "--kill-child -n", "--kill-child=SIGINT --forward-signals -n"} {
			if who.user != nil {
				opts += " -r"
			}
			bins := append([]string{nstest.Applet(t, "unshare")}, references(t, !strings.Contains(opts, "forward"))...)
			for _, bin := range bins {
				cmd, child := who.unshareProcess(bin, append(split(opts), "sleep", "600"), "sleep")
				pidfd, err := unix.PidfdOpen(child, 0)
				if err != nil {
					t.Fatal(err)
				}
				cmd.Process.Kill()
				// The child gets its signal when unshare dies: wait for it to end (the pidfd
				// becomes readable).
				fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
				n, err := unix.Poll(fds, int(timeout/time.Millisecond))
				for err == unix.EINTR {
					n, err = unix.Poll(fds, int(timeout/time.Millisecond))
				}
				unix.Close(pidfd)
				if n != 1 || err != nil {
					unix.Kill(child, unix.SIGKILL)
					t.Errorf("%s %s: the child %d outlived unshare (poll %d, %v)", bin, opts, child, n, err)
				}
			}
		}
	}
}

// TestOwnerMatchesUtilLinux: --owner UID:GID (2.42) makes the user namespace belong to UID, as
// util-linux's does, with or without maps.
func TestOwnerMatchesUtilLinux(t *testing.T) {
	r := asRoot(t)
	for _, opts := range []string{"--owner=1001:1001", "--owner=1001:1001 -r", "--owner 1001:1002 --map-users=0:100000:10 --map-groups=0:100000:10"} {
		bins := append([]string{nstest.Applet(t, "unshare")}, references(t, false)...)
		for _, bin := range bins {
			cmd, _ := r.unshareProcess(bin, append(split(opts), "sh", "-c", "sleep 600"), "sleep")
			if got := userNSOwner(t, cmd.Process.Pid); got != 1001 {
				t.Errorf("%s %s: owner of the user namespace = %d, want 1001", bin, opts, got)
			}
		}
	}
}

// userNSOwner is the owner UID of pid's user namespace.
func userNSOwner(t *testing.T, pid int) int {
	t.Helper()
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/user", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	uid, err := nsutil.OwnerUID(fd)
	if err != nil {
		t.Fatal(err)
	}
	return int(uid)
}

// twoRangeSubIDs is an /etc/subuid and /etc/subgid with two ranges for the test user and root,
// so that --map-auto's range and explicit ranges can be mixed without overlapping.
const twoRangeSubIDs = nstest.TestUser + ":100000:65536\n" + nstest.TestUser + ":200000:65536\nroot:100000:65536\nroot:200000:65536\n"

// TestMapOrderMatchesUtilLinux: with --map-users/--map-groups ranges spread over several
// options, --map-auto and --map-subids among them, and a single mapping, ours writes the map
// lines in util-linux 2.42's order (the options' order, the single ID first). Each run sees
// twoRangeSubIDs as /etc/subuid and /etc/subgid, bind-mounted in a mount namespace of its own.
func TestMapOrderMatchesUtilLinux(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	for _, tool := range []string{refUnshare, "/usr/bin/setpriv", "/usr/bin/mount"} {
		nstest.RequireTool(t, tool)
	}
	subids := filepath.Join(t.TempDir(), "subids")
	if err := os.WriteFile(subids, []byte(twoRangeSubIDs), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []string{
		"--map-users=70000:200000:10 --map-auto --map-users=70010:200010:5 --map-groups=70000:200000:10",
		"--map-users=70000:200000:10 --map-users=70010:200010:5 --map-auto",
		"--map-auto --map-users=70000:200000:10 --map-users=70010:200010:5",
		"--map-users=70000:200000:10 --map-auto --map-users=70010:200010:5 -r",
		"--map-groups=70000:200000:10 --map-auto --map-user=5 --map-group=6",
		"--map-subids --map-users=0:200000:10 --map-groups=0:200000:10 -c",
		"--map-groups=0:200000:10 --map-subids --map-users=0:200000:10",
		"--map-users=auto --map-users=70000:200000:10 --map-groups=70000:200000:10 --map-groups=auto",
	}
	for _, rootless := range []bool{false, true} {
		for _, opts := range tests {
			var results []nstest.Result
			bins := append([]string{nstest.Applet(t, "unshare")}, references(t, false)...)
			for _, bin := range bins {
				drop := ""
				if rootless {
					drop = fmt.Sprintf("setpriv --reuid=%d --regid=%d --clear-groups", uid, gid)
				}
				script := "mount --bind \"$0\" /etc/subuid && mount --bind \"$0\" /etc/subgid && exec " + drop + " \"$@\""
				args := append([]string{"-m", "/bin/sh", "-c", script, subids, bin}, withScript(opts, mapsScript)...)
				cmd := nstest.Command(refUnshare, args...)
				cmd.Dir = "/"
				cmd.Env = []string{"HOME=/", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
				results = append(results, nstest.Run(t, timeout, cmd))
			}
			ours, ref := results[0], results[1]
			if ours.Code != 0 || ours.Code != ref.Code || normalize(ours.Stdout) != normalize(ref.Stdout) {
				t.Errorf("%s (rootless %v): got %d %q (stderr %q), want util-linux 2.42's %d %q (stderr %q)",
					opts, rootless, ours.Code, normalize(ours.Stdout), ours.Stderr, ref.Code, normalize(ref.Stdout), ref.Stderr)
			}
		}
	}
}

// TestIDMapHelperFailure: when newuidmap or newgidmap refuses the ranges, or cannot be run,
// unshare prints only the helper's own line (or util-linux's "failed to execute" line), exits
// with its status as util-linux 2.42 does, and leaves no process behind. So does a failure
// after the helper was forked (--owner as an unprivileged user), where util-linux 2.42 leaves
// its helper waiting for ever.
func TestIDMapHelperFailure(t *testing.T) {
	u := asUser(t)
	tests := []struct {
		opts   string
		path   string // PATH, "" for the usual
		noRef  bool   // util-linux leaves a process behind
		code   int
		stderr string
	}{
		{opts: "--map-users=0:1:1 --map-groups=0:100000:1", code: 1, stderr: "newuidmap: uid range [0-1) -> [1-2) not allowed\n"},
		{opts: "--map-groups=0:1:1", code: 1, stderr: "newgidmap: gid range [0-1) -> [1-2) not allowed\n"},
		{opts: "--map-users=0:100000:1 --map-groups=0:1:1", code: 1, stderr: "newgidmap: gid range [0-1) -> [1-2) not allowed\n"},
		{opts: "--map-users=all --map-groups=all", code: 1, stderr: "newuidmap: uid range [0-4294967295) -> [0-4294967295) not allowed\n"},
		{opts: "--map-users=0:100000:1 --map-groups=0:100000:1", path: "/nonexistent", code: 127, stderr: "unshare: failed to execute newuidmap: No such file or directory\n"},
		{opts: "--map-user=3 --owner=1001:1001", noRef: true, code: 1, stderr: "unshare: setgroups failed: Operation not permitted\n"},
	}
	for _, tc := range tests {
		bins := []string{nstest.Applet(t, "unshare")}
		if !tc.noRef {
			bins = append(bins, references(t, false)...)
		}
		for _, bin := range bins {
			cmd := nstest.Command(bin, append(split(tc.opts), "/bin/true")...)
			nstest.AsUser(cmd, u.user[0], u.user[1])
			cmd.SysProcAttr.Setpgid = true
			path := tc.path
			if path == "" {
				path = "/usr/sbin:/usr/bin:/sbin:/bin"
			}
			cmd.Env = []string{"HOME=/", "PATH=" + path}
			res := nstest.Run(t, timeout, cmd)
			if res.Code != tc.code || res.Stderr != tc.stderr {
				t.Errorf("%s %s: got %d %q, want %d %q", bin, tc.opts, res.Code, res.Stderr, tc.code, tc.stderr)
			}
			if left := processGroup(t, cmd.Process.Pid); len(left) > 0 {
				unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
				t.Errorf("%s %s: processes %v left behind", bin, tc.opts, left)
			}
		}
	}
}

// processGroup lists the processes in process group pgid.
func processGroup(t *testing.T, pgid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// Fields after the command name (which may hold blanks): state ppid pgrp ...
		_, rest, _ := strings.Cut(string(stat), ") ")
		if f := strings.Fields(rest); len(f) > 2 && f[2] == strconv.Itoa(pgid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestBinfmtMatchesUtilLinux: --mount-binfmt (2.41) and --load-interp give the program the
// binfmt_misc that util-linux 2.42's gives it, root and rootless, and leave the host's alone.
func TestBinfmtMatchesUtilLinux(t *testing.T) {
	const rule = ":nsbox-unshare-diff:E::nsbxdiff::/bin/true:"
	tests := []struct{ opts, script string }{
		{"--mount-binfmt -fpr", "ls /proc/sys/fs/binfmt_misc; grep -c ' binfmt_misc ' /proc/self/mountinfo"},
		{"-fpr -l " + rule, "head -1 /proc/sys/fs/binfmt_misc/nsbox-unshare-diff"},
		{"-r -l " + rule, "true"}, // no proc of its own to mount binfmt_misc under: refused
	}
	for _, who := range []runner{asRoot(t), asUser(t)} {
		for _, tc := range tests {
			args := withScript(tc.opts, tc.script)
			ours := who.ours(args...)
			for _, bin := range references(t, false) {
				if ref := who.ref(bin, args...); ours.Code != ref.Code || ours.Stdout != ref.Stdout || ours.Stderr != ref.Stderr {
					t.Errorf("%s (rootless %v): got %d %q (stderr %q), want %s's %d %q (stderr %q)",
						tc.opts, who.user != nil, ours.Code, ours.Stdout, ours.Stderr, bin, ref.Code, ref.Stdout, ref.Stderr)
				}
			}
		}
	}
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/nsbox-unshare-diff"); err == nil {
		t.Error("the rule reached the host's binfmt_misc")
	}
}

// runToFiles runs cmd as user u in a process group of its own, its output going to files (not
// pipes, which a process it leaves behind would hold open), waits for it alone, and kills
// what is left of its group. It returns the result and the processes that were left.
func runToFiles(t *testing.T, u runner, cmd *exec.Cmd) (nstest.Result, []int) {
	t.Helper()
	nstest.AsUser(cmd, u.user[0], u.user[1])
	cmd.SysProcAttr.Setpgid = true
	cmd.Env = []string{"HOME=/", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	dir := t.TempDir()
	var files [2]*os.File
	for i, name := range []string{"stdout", "stderr"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files[i] = f
	}
	cmd.Stdout, cmd.Stderr = files[0], files[1]
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
		<-done
		t.Fatalf("%q did not end in %v", cmd.Args, timeout)
	}
	left := processGroup(t, cmd.Process.Pid)
	if len(left) > 0 {
		unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
	}
	var out [2]string
	for i, f := range files {
		data, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(data)
	}
	return nstest.Result{Stdout: out[0], Stderr: out[1], Code: nstest.ExitCode(cmd.ProcessState)}, left
}

// TestPersistFailureOrderMatchesUtilLinux: as an unprivileged user, a namespace file that cannot
// be bound (missing, a directory) fails where util-linux 2.42's bind fails, after unshare: for
// every kind, an unshare the user may not make is reported first ("unshare failed"), and with
// --user (or -r) the bind's own failure (ENOENT for a missing file, EPERM for one that exists,
// as mount(2) refuses the user). Stdout, stderr (PIDs aside) and status match 2.42's, and
// nsbox leaves no process behind (2.42 leaves its bind helper waiting when unshare fails).
// Before the fix, nsbox reported the missing file first, whatever unshare would have said.
func TestPersistFailureOrderMatchesUtilLinux(t *testing.T) {
	u := asUser(t)
	ref := references(t, false)[0]
	dir := privateDir(t, "private")
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	missing, directory := filepath.Join(dir, "missing"), filepath.Join(dir, "dir")
	if err := os.Mkdir(directory, 0o755); err != nil {
		t.Fatal(err)
	}
	file := touch(t, filepath.Join(dir, "file"))
	const denied = "unshare: unshare failed: Operation not permitted\n"
	bind := func(kind, target, reason string) string {
		return "unshare: mount /proc/PID/ns/" + kind + " on " + target + " failed: " + reason + "\n"
	}
	type tc struct {
		opts string
		want string // stderr, PIDs as /proc/PID/; status 1
	}
	var tests []tc
	for _, k := range nsutil.Kinds {
		for _, target := range []string{missing, directory} {
			for _, fork := range []string{"", " -f"} {
				want := denied
				if k.Flag == unix.CLONE_NEWUSER {
					source := k.Name
					reason := "No such file or directory"
					if target == directory {
						reason = "Operation not permitted"
					}
					want = bind(source, target, reason)
				}
				tests = append(tests, tc{"--" + k.Long + "=" + target + fork, want})
			}
		}
	}
	tests = append(tests,
		tc{"-r --net=" + missing, bind("net", missing, "No such file or directory")},
		tc{"-r -f --net=" + missing, bind("net", missing, "No such file or directory")},
		tc{"-r --uts=" + directory, bind("uts", directory, "Operation not permitted")},
		tc{"-r --net=" + file, bind("net", file, "Operation not permitted")},
		tc{"-U --pid=" + missing, bind("pid_for_children", missing, "No such file or directory")},
		tc{"-U --pid=" + file, bind("pid_for_children", file, "Operation not permitted")},
		tc{"-U --mount=" + directory, bind("mnt", directory, "Operation not permitted")},
		tc{"-Um --mount=" + missing, bind("mnt", missing, "No such file or directory")},
		tc{"-U -T --monotonic=5 --time=" + missing, bind("time_for_children", missing, "No such file or directory")},
		tc{"-U --map-users=0:100000:1 --net=" + missing, bind("net", missing, "No such file or directory")},
	)
	for _, tc := range tests {
		// A program that prints nothing: with -f util-linux's runs while its parent binds (and
		// fails), nsbox's never starts.
		args := append(split(tc.opts), "/bin/true")
		ours, left := runToFiles(t, u, nstest.Command(nstest.Applet(t, "unshare"), args...))
		theirs, _ := runToFiles(t, u, nstest.Command(ref, args...))
		if ours.Code != 1 || ours.Stdout != "" || !sameStderr(ours.Stderr, tc.want) {
			t.Errorf("unshare %s: got %d, stdout %q, stderr %q; want 1, \"\", %q", tc.opts, ours.Code, ours.Stdout, ours.Stderr, tc.want)
		}
		if ours.Code != theirs.Code || ours.Stdout != theirs.Stdout || !sameStderr(ours.Stderr, theirs.Stderr) {
			t.Errorf("unshare %s: got %d %q %q, util-linux %s: %d %q %q", tc.opts, ours.Code, ours.Stdout, ours.Stderr, ref, theirs.Code, theirs.Stdout, theirs.Stderr)
		}
		if len(left) > 0 {
			t.Errorf("unshare %s: processes %v left behind", tc.opts, left)
		}
	}
}
