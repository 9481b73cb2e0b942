//go:build linux

package nsenter

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/nstest"
	"golang.org/x/sys/unix"
)

// refCase is one differential case: ours must give the reference's exit status, stdout and
// stderr, byte for byte.
type refCase struct {
	as   nstest.User
	args []string
	all  bool // util-linux 2.38 agrees with 2.42; else 2.42 only
}

// missingPID is a PID no process has.
const missingPID = "999999"

// checkAgainstReferences runs each case with ours and the references and compares.
func checkAgainstReferences(t *testing.T, dir string, tests []refCase) {
	t.Helper()
	ours := ourNsenter(t)
	for _, tc := range tests {
		refs := []string{newestNsenter(t)}
		if tc.all {
			refs = append(refs, refNsenter)
		}
		got := runAs(t, tc.as, dir, ours, tc.args...)
		for _, ref := range refs {
			want := runAs(t, tc.as, dir, ref, tc.args...)
			if got != want {
				t.Errorf("%q: ours: exit %d, stdout %q, stderr %q; %s: exit %d, stdout %q, stderr %q",
					tc.args, got.Code, got.Stdout, got.Stderr, ref, want.Code, want.Stdout, want.Stderr)
			}
		}
	}
}

// TestMessagesLikeUtilLinux compares messages and exit statuses of bad and odd input with
// util-linux 2.42 (and 2.38 where it agrees): target and number parsing, missing targets,
// options that need a target, option conflicts, root and rootless.
func TestMessagesLikeUtilLinux(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	owner := nstest.User(&[2]int{uid, gid})
	pid := strconv.Itoa(nstest.UnshareTarget(t, nil, "--net", "--uts"))
	rootless := strconv.Itoa(nstest.UnshareTarget(t, owner, "-U", "-r", "-n", "-u"))
	netFile := "--net=/proc/" + pid + "/ns/net"
	tests := []refCase{
		{nil, []string{"-t", missingPID, "-n", "true"}, true},
		{nil, []string{"-t", missingPID, "-t", pid, "-n", "true"}, true}, // the last -t counts
		{nil, []string{"-t", pid, "-t", missingPID, "-n", "true"}, true},
		{nil, []string{"-t", missingPID, netFile, "true"}, true}, // nothing needs the target
		{nil, []string{"-t", missingPID, "-r", netFile, "true"}, true},
		{nil, []string{"-t", missingPID, "-a", "true"}, true},
		{nil, []string{"-t", missingPID, "-e", netFile, "true"}, false},
		{nil, []string{"-t", missingPID, "-S", "follow", netFile, "true"}, false},
		{nil, []string{"-t", missingPID, "--user-parent", "true"}, false},
		{nil, []string{"-t", missingPID, "-N", "3", "true"}, false},
		// Every occurrence of an option is checked where it is given; the last one counts.
		{nil, []string{"-t", "abc", "-t", pid, "-n", "true"}, false},
		{nil, []string{"--net=/nonexistent", "-t", "abc", "true"}, true},
		{nil, []string{"--net=/nonexistent", netFile, "true"}, true},
		{nil, []string{"-S", "abc", "-S", "0", "-t", pid, "-n", "true"}, true},
		{nil, []string{"-r/nonexistent", "-r", "-t", pid, "-n", "true"}, true},
		{nil, []string{"-w/nonexistent", "-W/", "true"}, true},
		{nil, []string{"-W/", "-w/nonexistent", "true"}, false},
		{nil, []string{"-w", "-W/", "-t", "abc", "true"}, false},
		{nil, []string{netFile, "-n", "-t", missingPID, "readlink", "/proc/self/ns/net"}, false},
		{nil, []string{"--net=/nonexistent/netns", "true"}, true},
		{nil, []string{"-t", pid, "--uts=/nonexistent/uts", "true"}, true},
		{nil, []string{"-t", "abc", "-n", "true"}, false},
		{nil, []string{"-t", "0", "-n", "true"}, false},
		{nil, []string{"-t", "2147483648", "-n", "true"}, false},
		{nil, []string{"-t", "-n", "true"}, false},
		{nil, []string{"-t", " +" + pid, "-n", "true"}, false},
		{nil, []string{"-n", "true"}, false},
		{nil, []string{"-t", pid, "true"}, false},
		{nil, []string{netFile, "-r", "true"}, true},
		{nil, []string{netFile, "-w", "true"}, true},
		{nil, []string{netFile, "-e", "true"}, false},
		{nil, []string{netFile, "-c", "true"}, false},
		{nil, []string{netFile, "--user-parent", "true"}, false},
		{nil, []string{netFile, "-N", "3", "true"}, false},
		{nil, []string{"-t", pid, "-n", "-S", "notauid", "true"}, true},
		{nil, []string{"-t", pid, "-n", "-S", "", "true"}, true},
		{nil, []string{"-t", pid, "-n", "-S", " +7", "-G", "-0", "id", "-u", "-g"}, true},
		{nil, []string{"-t", pid, "-n", "-S", "18446744073709551616", "true"}, true},
		{nil, []string{"-t", pid, "-n", "-G", "1x", "true"}, true},
		{nil, []string{"-t", pid, "-n", "-G", "-1", "true"}, false},

		{nil, []string{"-t", pid, "-n", "-S", "4294967295", "true"}, false},
		{nil, []string{"-t", pid, "-n", "-G", "4294967295", "true"}, false},
		{nil, []string{"-t", pid, "-n", "-N", "abc", "true"}, false},
		{nil, []string{"-t", pid, "-n", "-N", "2147483648", "true"}, false},
		{nil, []string{"-t", pid, "-n", "-N", "-1", "readlink", "/proc/self/ns/net"}, false},
		{nil, []string{"-t", pid, "-n", "-w", "-W/", "true"}, false},
		{nil, []string{"-t", pid, "-n", "--wdns=/", "--wd", "true"}, false},
		{nil, []string{"-t", pid, "-n", "/nonexistent/program"}, true},
		{nil, []string{"-t", pid, "-n", "/etc/passwd"}, true},
		{owner, []string{"-t", pid, "-a", "true"}, true},
		{owner, []string{"-t", pid, "-e", "true"}, false},
		{owner, []string{"-t", rootless, "-U", "--preserve-credentials", "-S", "5", "true"}, false},
		{nil, []string{"-t", rootless, "-U", "-G", "5", "true"}, false},
	}
	var fs unix.Statfs_t
	if unix.Statfs("/sys/fs/selinux", &fs) != nil || fs.Type != unix.SELINUX_MAGIC {
		// Without SELinux, -Z does nothing (with it, nsbox refuses -Z).
		tests = append(tests, refCase{nil, []string{"-Z", "-t", pid, "-n", "readlink", "/proc/self/ns/net"}, true},
			refCase{nil, []string{"--follow-context", "true"}, false})
	}
	checkAgainstReferences(t, "", tests)
}

// TestTargetPidfdInode checks util-linux 2.42's -t PID:INODE, root and rootless: the inode of
// the target's pidfd enters its namespaces (through that pidfd); another inode, or a process
// that is gone, fails with 2.42's message and exit 1.
func TestTargetPidfdInode(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	owner := nstest.User(&[2]int{uid, gid})
	target := nstest.UnshareTarget(t, owner, "-U", "-r", "-n", "-u")
	pid := strconv.Itoa(target)
	inode := pidfdInode(t, target)
	spec := fmt.Sprintf("%s:%d", pid, inode)
	want := nsLink(t, target, "net") + "\n" + nsLink(t, target, "uts") + "\n"
	for _, as := range []nstest.User{nil, owner} {
		args := []string{"-t", spec, "-U", "-n", "-u", "--preserve-credentials", "readlink", "/proc/self/ns/net", "/proc/self/ns/uts"}
		for _, bin := range []string{ourNsenter(t), newestNsenter(t)} {
			if res := runAs(t, as, "", bin, args...); res.Code != 0 || res.Stdout != want {
				t.Errorf("%s as %v %q: got %q (exit %d, stderr %q), want %q", bin, as, args, res.Stdout, res.Code, res.Stderr, want)
			}
		}
	}
	res := runAs(t, nil, "", ourNsenter(t), "--trace", "-t", spec, "-n", "true")
	if step := "<pidfd:" + pid + ">, CLONE_NEWNET) = 0"; res.Code != 0 || !strings.Contains(res.Stderr, step) {
		t.Errorf("-t %s --trace: exit %d, stderr %q; want the setns through the pidfd", spec, res.Code, res.Stderr)
	}
	// A process that is gone, reaped, its PID free.
	gone := exec.Command("sleep", "600")
	if err := gone.Start(); err != nil {
		t.Fatal(err)
	}
	goneSpec := fmt.Sprintf("%d:%d", gone.Process.Pid, pidfdInode(t, gone.Process.Pid))
	gone.Process.Kill()
	gone.Wait()
	checkAgainstReferences(t, "", []refCase{
		{nil, []string{"-t", fmt.Sprintf("%s:%d", pid, inode+1), "-n", "true"}, false},
		{owner, []string{"-t", fmt.Sprintf("%s:%d", pid, inode+1), "-n", "true"}, false},
		{nil, []string{"-t", pid + ":" + strconv.FormatUint(math.MaxUint64, 10) + "0", "-n", "true"}, false},
		{nil, []string{"-t", goneSpec, "-n", "true"}, false},
		{nil, []string{"-t", pid + ":0", "-n", "true"}, false},
		{nil, []string{"-t", pid + ":", "-n", "true"}, false},
		{nil, []string{"-t", spec + " ", "-n", "true"}, false},
		{nil, []string{"-t", spec, "-r", "true"}, false},
	})
}

// pidfdInode is the inode of a pidfd of pid.
func pidfdInode(t *testing.T, pid int) uint64 {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	inode, err := nsutil.PidfdInode(fd)
	if err != nil {
		nstest.Skip(t, "pidfds are not pidfs files on this kernel: "+err.Error())
	}
	return inode
}

// TestNamespaceIDValues checks util-linux 2.42's --KIND=:NSID. Opening a namespace by ID needs
// Linux 6.19: there both enter the target's network namespace by its ID; before it both fail
// alike. Bad IDs, and a file whose name starts with ':' (written ./:NAME), as 2.42.
func TestNamespaceIDValues(t *testing.T) {
	nstest.RequireRoot(t)
	target := nstest.UnshareTarget(t, nil, "--net")
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", target))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, err := nsutil.NamespaceID(int(f.Fd()))
	if err != nil {
		nstest.Skip(t, "no namespace IDs (NS_GET_ID) on this kernel: "+err.Error())
	}
	dir := t.TempDir()
	if err := os.Symlink(f.Name(), filepath.Join(dir, ":netns")); err != nil {
		t.Fatal(err)
	}
	byID := fmt.Sprintf("--net=:%d", id)
	checkAgainstReferences(t, dir, []refCase{
		{nil, []string{byID, "readlink", "/proc/self/ns/net"}, false},
		{nil, []string{"-u:" + strconv.FormatUint(math.MaxUint64, 10), "true"}, false},
		{nil, []string{"--net=:abc", "true"}, false},
		{nil, []string{"--net=:", "true"}, false},
		{nil, []string{"--net=:-1", "true"}, false},
		{nil, []string{"--net=:netns", "true"}, false},
		{nil, []string{"--net=./:netns", "readlink", "/proc/self/ns/net"}, true},
	})
	res := runAs(t, nil, "", ourNsenter(t), byID, "readlink", "/proc/self/ns/net")
	if res.Code == 0 && strings.TrimSpace(res.Stdout) != nsLink(t, target, "net") {
		t.Errorf("%s: entered %q, want the target's %s", byID, res.Stdout, nsLink(t, target, "net"))
	}
	if res.Code != 0 {
		t.Logf("%s: %s(opening a namespace by ID needs Linux 6.19)", byID, res.Stderr)
	}
}
