//go:build linux

package executor_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/executor"
	_ "github.com/nsbox/nsbox/nsutil/executor/cstage"
	"github.com/nsbox/nsbox/nsutil/nstest"
	"golang.org/x/sys/unix"
)

// The executor tests re-execute this test binary with testPlanEnv set to a JSON testPlan; the
// child builds the Plan and runs it, so the pre-runtime stage in this binary carries it out.
const testPlanEnv = "NSUTIL_TEST_PLAN"

type testPlan struct {
	Unshare  []string // kind names
	Join     int      // pid whose namespaces to enter (two passes, as nsenter)
	JoinKind []string
	Pidfd    bool // enter through a pidfd
	Maps     bool // write "0 <uid> 1" maps after unshare (rootless -r)
	Fork     bool
	Argv     []string
	Trace    bool
	Engine   executor.Engine // see inprocess_test.go
	EveryOp  bool            // add one step of each operation (see TestExecutorEveryOperation)
	ExecFD   string          // end with ExecFD of this file (see TestExecutorExecFDFallback)
	Alt      string          // ExecFD's other name for the file
	Chroot   string          // chroot before the exec
	FailMsg  string          // a Fail step with this message and FailErr, before the fork
	FailErr  int
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(testPlanEnv); spec != "" {
		os.Unsetenv(testPlanEnv)
		os.Exit(runTestPlan(spec))
	}
	os.Exit(m.Run())
}

func runTestPlan(spec string) int {
	var tp testPlan
	if err := json.Unmarshal([]byte(spec), &tp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	p := executor.NewPlan("nsutil-test")
	p.Trace = tp.Trace
	p.Engine = tp.Engine
	var flags uintptr
	for _, name := range tp.Unshare {
		k, _ := nsutil.KindByName(name)
		flags |= k.Flag
	}
	if flags != 0 {
		uid, gid := os.Geteuid(), os.Getegid()
		p.Unshare(flags)
		if tp.Maps {
			p.WriteFile("/proc/self/setgroups", "deny", "cannot write setgroups")
			p.WriteFile("/proc/self/uid_map", fmt.Sprintf("0 %d 1", uid), "cannot write uid_map")
			p.WriteFile("/proc/self/gid_map", fmt.Sprintf("0 %d 1", gid), "cannot write gid_map")
		}
	}
	if tp.Join != 0 {
		var kinds []nsutil.Kind
		for _, name := range tp.JoinKind {
			k, _ := nsutil.KindByName(name)
			kinds = append(kinds, k)
		}
		if tp.Pidfd {
			t, err := nsutil.OpenTarget(tp.Join)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
			var mask uintptr
			for _, k := range kinds {
				if k.Name != "user" {
					mask |= k.Flag
				}
			}
			label := fmt.Sprintf("pidfd:%d", tp.Join)
			first, user := p.NewGroup(), p.NewGroup()
			p.Setns(t.PidFD, mask, executor.SetnsOpts{Label: label, Optional: true, Group: first})
			all := mask
			for _, k := range kinds {
				all |= k.Flag
			}
			if all != mask { // pass one entered the rest: now the user namespace alone
				p.Setns(t.PidFD, all&^mask, executor.SetnsOpts{Label: label, After: first, Group: user})
			}
			p.Setns(t.PidFD, all, executor.SetnsOpts{Label: label, Group: first})
		} else {
			groups := map[string]int32{}
			files := map[string]*nsutil.NSFile{}
			for _, k := range kinds {
				f, err := nsutil.OpenNamespace(k.ProcPath(tp.Join), &k)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					return 2
				}
				files[k.Name] = f
				groups[k.Name] = p.NewGroup()
			}
			for pass := 0; pass < 2; pass++ {
				for _, k := range kinds {
					if pass == 0 && k.Name == "user" {
						continue
					}
					p.Setns(files[k.Name].FD, k.Flag, executor.SetnsOpts{Label: files[k.Name].Path, Optional: pass == 0, Group: groups[k.Name]})
				}
			}
		}
	}
	if tp.EveryOp {
		if code := addEveryOp(p); code != 0 {
			return code
		}
	}
	if tp.FailMsg != "" {
		p.Fail(syscall.Errno(tp.FailErr), tp.FailMsg)
	}
	if tp.Fork {
		p.Fork(executor.ForkOpts{})
		p.As(executor.Parent).Wait(executor.ForkOpts{}).As(executor.Main)
	}
	if tp.Chroot != "" {
		p.Chroot(tp.Chroot)
	}
	if tp.ExecFD != "" {
		fd, err := unix.Open(tp.ExecFD, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		p.ExecFD(fd, tp.ExecFD, tp.Argv, nil, tp.Alt)
	} else if tp.EveryOp {
		p.ExitIfOrphaned()
		p.ExecPath("/bin/sh", append([]string{"-sh"}, tp.Argv[1:]...), append(os.Environ(), "EVERY_OP=yes"))
	} else {
		p.Exec(tp.Argv, nil)
	}
	if err := p.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return 2
}

// addEveryOp adds a step of each operation that takes arguments, so that every argument
// layout goes through the C stage (after an unshare of a mount namespace).
func addEveryOp(p *executor.Plan) int {
	root, err := os.Open("/")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	p.HelperFork()
	p.As(executor.Helper).RunProgram([]string{"/bin/sh", "-c", "test -d /proc/%p"}, "helper program failed").HelperDone()
	p.As(executor.Main).HelperRelease()
	p.Mount("none", "/", "", unix.MS_REC|unix.MS_PRIVATE, "", "cannot make / private")
	p.Mount("none", "/tmp", "tmpfs", 0, "size=1m", "cannot mount tmpfs")
	p.WriteFile("/proc/%p/comm", "pid %p", "cannot write comm")
	self, err := os.Open(fmt.Sprintf("/proc/%d", os.Getpid()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	p.Fchdir(int(root.Fd()), "/").Chdir("/").OpenFchdir("/tmp", "cannot open /tmp", "cannot fchdir /tmp").Chroot("/")
	p.ClearGroups(false, 0).UnlessDenied().SetGID(0).SetUID(0).KeepCaps()
	p.EnvAt(int(self.Fd()), self.Name(), "cannot read environ")
	p.Prctl(unix.PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG", uint64(unix.SIGKILL))
	return 0
}

func runPlan(t *testing.T, tp testPlan, asUser *[2]int) nstest.Result {
	t.Helper()
	spec, _ := json.Marshal(tp)
	cmd := exec.Command(nstest.SelfCopy(t))
	cmd.Env = append(os.Environ(), testPlanEnv+"="+string(spec))
	if asUser != nil {
		nstest.AsUser(cmd, asUser[0], asUser[1])
	}
	return nstest.Run(t, 20*time.Second, cmd)
}

// readlinksScript prints /proc/self/ns/KIND for each kind, one per line.
func readlinksScript(kinds []string) []string {
	var b strings.Builder
	for _, k := range kinds {
		fmt.Fprintf(&b, "readlink /proc/self/ns/%s; ", k)
	}
	return []string{"/bin/sh", "-c", b.String()}
}

func allKindNames() []string {
	var names []string
	for _, k := range nsutil.Kinds {
		names = append(names, k.Name)
	}
	return names
}

func TestExecutorUnsharesEveryKind(t *testing.T) {
	nstest.RequireRoot(t)
	kinds := allKindNames()
	// pid and time take effect in children: fork after unsharing.
	res := runPlan(t, testPlan{Unshare: kinds, Fork: true, Argv: readlinksScript(kinds)}, nil)
	if res.Code != 0 {
		t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
	}
	got := strings.Fields(res.Stdout)
	if len(got) != len(kinds) {
		t.Fatalf("got %q, want %d links", got, len(kinds))
	}
	for i, k := range kinds {
		if host := nstest.NSLink(t, os.Getpid(), k); got[i] == host {
			t.Errorf("%s: still in the host namespace %s", k, host)
		}
	}
}

func TestExecutorRootlessUserNamespace(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	res := runPlan(t, testPlan{Unshare: []string{"user", "net", "uts", "mnt"}, Maps: true,
		Argv: []string{"/bin/sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u"}}, &[2]int{uid, gid})
	if res.Code != 0 {
		t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
	}
	fields := strings.Fields(res.Stdout)
	want := []string{"0", strconv.Itoa(uid), "1", "0", strconv.Itoa(gid), "1", "deny", "0"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Errorf("maps = %q, want %q", fields, want)
	}
}

func TestExecutorJoinsEveryKind(t *testing.T) {
	nstest.RequireRoot(t)
	target := nstest.UnshareTarget(t, nil, "--user", "--map-root-user", "--mount", "--uts", "--ipc", "--net", "--pid", "--fork", "--kill-child", "--cgroup", "--time")
	kinds := allKindNames()
	for _, pidfd := range []bool{false, true} {
		res := runPlan(t, testPlan{Join: target, JoinKind: kinds, Pidfd: pidfd, Fork: true, Argv: readlinksScript(kinds)}, nil)
		if res.Code != 0 {
			t.Fatalf("pidfd=%v: exit %d, stderr %q", pidfd, res.Code, res.Stderr)
		}
		assertInTargetNamespaces(t, res.Stdout, target, kinds, pidfd)
	}
}

func TestExecutorOwnerJoinsItsUserNamespace(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	user := &[2]int{uid, gid}
	target := nstest.UnshareTarget(t, user, "--user", "--map-root-user", "--net", "--uts", "--mount")
	kinds := []string{"user", "net", "uts", "mnt"}
	for _, pidfd := range []bool{false, true} {
		res := runPlan(t, testPlan{Join: target, JoinKind: kinds, Pidfd: pidfd, Argv: readlinksScript(kinds)}, user)
		if res.Code != 0 {
			t.Fatalf("pidfd=%v: exit %d, stderr %q", pidfd, res.Code, res.Stderr)
		}
		assertInTargetNamespaces(t, res.Stdout, target, kinds, pidfd)
	}
}

// assertInTargetNamespaces checks that readlinksScript's output names target's namespaces.
func assertInTargetNamespaces(t *testing.T, out string, target int, kinds []string, pidfd bool) {
	t.Helper()
	got := strings.Fields(out)
	for i, k := range kinds {
		if want := nstest.NSLink(t, target, k); i >= len(got) || got[i] != want {
			t.Errorf("pidfd=%v: %s = %q, want the target's %s", pidfd, k, got, want)
		}
	}
}

func TestExecutorLeaksNothing(t *testing.T) {
	nstest.RequireRoot(t)
	target := nstest.UnshareTarget(t, nil, "--net")
	res := runPlan(t, testPlan{Join: target, JoinKind: []string{"net"}, Unshare: []string{"uts"},
		Argv: []string{"/bin/sh", "-c", "ls /proc/self/fd; env"}}, nil)
	if res.Code != 0 {
		t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
	}
	if strings.Contains(res.Stdout, executor.PlanMarker) || strings.Contains(res.Stdout, testPlanEnv) {
		t.Errorf("marker leaked into the environment:\n%s", res.Stdout)
	}
	// The program sees exactly the fds the same program sees when the caller runs it directly.
	direct := nstest.Run(t, 10*time.Second, exec.Command("/bin/sh", "-c", "ls /proc/self/fd"))
	if got := fdList(res.Stdout); got != fdList(direct.Stdout) {
		t.Errorf("fds in the program = %v, want %v as without nsbox", got, fdList(direct.Stdout))
	}
}

func fdList(out string) string {
	var fds []string
	for _, line := range strings.Split(out, "\n") {
		if _, err := strconv.Atoi(line); err == nil {
			fds = append(fds, line)
		}
	}
	return strings.Join(fds, ",")
}

func TestExecutorExitStatuses(t *testing.T) {
	nstest.RequireRoot(t)
	tests := []struct {
		argv []string
		fork bool
		want int
	}{
		{[]string{"/bin/sh", "-c", "exit 7"}, false, 7},
		{[]string{"/bin/sh", "-c", "exit 7"}, true, 7},
		{[]string{"/bin/sh", "-c", "kill -TERM $$"}, true, 128 + int(syscall.SIGTERM)},
		{[]string{"/nonexistent/program"}, true, 127},
		{[]string{"nonexistent-program-nsbox"}, false, 127},
		{[]string{"/etc/passwd"}, false, 126},
	}
	missing := nstest.MissingPath(t)
	for _, tc := range tests {
		tc.argv = nstest.ReplaceMissing(missing, tc.argv...)
		res := runPlan(t, testPlan{Unshare: []string{"uts"}, Fork: tc.fork, Argv: tc.argv}, nil)
		if res.Code != tc.want {
			t.Errorf("%q fork=%v: exit %d, want %d (stderr %q)", tc.argv, tc.fork, res.Code, tc.want, res.Stderr)
		}
	}
}

func TestExecutorTraceAndErrors(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	res := runPlan(t, testPlan{Unshare: []string{"net"}, Trace: true, Argv: []string{"true"}}, &[2]int{uid, gid})
	if res.Code != 1 {
		t.Fatalf("exit %d, want 1", res.Code)
	}
	want := "unshare(CLONE_NEWNET) = -1 EPERM (Operation not permitted)\nnsutil-test: unshare failed: Operation not permitted\n"
	if res.Stderr != want {
		t.Errorf("stderr = %q, want %q", res.Stderr, want)
	}
}

// A Fail step ends the plan with its message, errno's text when it has one, and status 1,
// "%p" read as the PID; traced, it adds no line of its own; the program does not run.
func TestExecutorFail(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	tests := []struct {
		msg   string
		errno syscall.Errno
		trace bool
		want  string // PID as /proc/PID/
	}{
		{"mount /proc/%p/ns/net on /x failed", unix.ENOENT, false, "nsutil-test: mount /proc/PID/ns/net on /x failed: No such file or directory\n"},
		{"mount /proc/%p/ns/uts on /x failed", unix.EPERM, true, "nsutil-test: mount /proc/PID/ns/uts on /x failed: Operation not permitted\n"},
		{"cannot bind: it is on a shared mount", 0, true, "nsutil-test: cannot bind: it is on a shared mount\n"},
	}
	pids := regexp.MustCompile(`/proc/[0-9]+/`)
	for _, tc := range tests {
		res := runPlan(t, testPlan{FailMsg: tc.msg, FailErr: int(tc.errno), Trace: tc.trace, Fork: true, Argv: []string{"/bin/echo", "ran"}}, &[2]int{uid, gid})
		if got := pids.ReplaceAllString(res.Stderr, "/proc/PID/"); res.Code != 1 || got != tc.want || res.Stdout != "" {
			t.Errorf("Fail(%d, %q) trace=%v: got %d %q %q, want 1 \"\" %q", tc.errno, tc.msg, tc.trace, res.Code, res.Stdout, res.Stderr, tc.want)
		}
	}
}

func TestExecutorTraceLines(t *testing.T) {
	nstest.RequireRoot(t)
	target := nstest.UnshareTarget(t, nil, "--net")
	res := runPlan(t, testPlan{Unshare: []string{"uts", "ipc"}, Join: target, JoinKind: []string{"net"}, Trace: true, Fork: true, Argv: []string{"true"}}, nil)
	if res.Code != 0 {
		t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
	}
	lines := strings.Split(strings.TrimSuffix(res.Stderr, "\n"), "\n")
	// unshare, pass-one setns, fork (parent), execve (child), wait (parent): order between the
	// two processes varies, so check each line is there.
	for _, re := range []string{
		`^unshare\(CLONE_NEWIPC\|CLONE_NEWUTS\) = 0$`,
		fmt.Sprintf(`^setns\(\d+</proc/%d/ns/net>, CLONE_NEWNET\) = 0$`, target),
		`^fork\(\) = \d+$`,
		`^execve\("true", \["true"\]\) \.\.\.$`,
		`^wait4\(child\) = exited 0$`,
	} {
		if !anyMatch(lines, re) {
			t.Errorf("trace lacks %s:\n%s", re, res.Stderr)
		}
	}
}

// TestExecutorEveryOperation runs a plan with a step of every operation through the C stage
// and checks each one's trace line: a Go and a C layout of some operation's arguments that
// disagree show up as a wrong value or a malformed plan.
func TestExecutorEveryOperation(t *testing.T) {
	nstest.RequireRoot(t)
	res := runPlan(t, testPlan{Unshare: []string{"mnt", "uts"}, EveryOp: true, Fork: true, Trace: true,
		Argv: []string{"/bin/sh", "-c", "echo $0 $EVERY_OP; cat /proc/$PPID/comm; pwd; grep -E '^(CapInh|CapAmb|Groups)' /proc/self/status"}}, nil)
	if res.Code != 0 {
		t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
	}
	lines := strings.Split(strings.TrimSuffix(res.Stderr, "\n"), "\n")
	for _, re := range []string{
		`^unshare\(CLONE_NEWUTS\|CLONE_NEWNS\) = 0$`,
		`^fork\(\) helper = \d+$`,
		`^run \["/bin/sh", "-c", "test -d /proc/\d+"\] = 0$`,
		`^wait4\(helper\) = 0$`,
		`^mount\("none", "/", "", MS_REC\|MS_PRIVATE, ""\) = 0$`,
		`^mount\("none", "/tmp", "tmpfs", 0x0, "size=1m"\) = 0$`,
		`^write /proc/\d+/comm "pid \d+" = 0$`,
		`^chdir\("/"\) = 0$`,
		`^open\("/tmp", O_RDONLY\), fchdir = 0$`,
		`^read /proc/\d+/environ = 0$`,
		`^fchdir\(\d+</>\) = 0$`,
		`^chroot\("/"\) = 0$`,
		`^setgroups\(0, \[\]\) = 0$`,
		`^setresgid\(0, 0, 0\) = 0$`,
		`^setresuid\(0, 0, 0\) = 0$`,
		`^capset\(inheritable=permitted\), prctl\(PR_CAP_AMBIENT_RAISE, \.\.\.\) = 0$`,
		`^prctl\(PR_SET_PDEATHSIG, 9\) = 0$`,
		`^getppid\(\) == parent = 0$`,
		`^execve\("/bin/sh", \["-sh", "-c", .*\]\) \.\.\.$`,
		`^wait4\(child\) = exited 0$`,
	} {
		if !anyMatch(lines, re) {
			t.Errorf("trace lacks %s:\n%s", re, res.Stderr)
		}
	}
	out := strings.Fields(res.Stdout)
	if len(out) < 5 || out[0] != "-sh" || out[1] != "yes" || out[2] != "pid" || out[4] != "/tmp" {
		t.Errorf("program output %q, want -sh yes pid PID /tmp and capability lines", res.Stdout)
	}
	if !regexp.MustCompile(`CapAmb:\t0*[1-9a-f]`).MatchString(res.Stdout) {
		t.Errorf("no ambient capabilities after KeepCaps:\n%s", res.Stdout)
	}
}

func anyMatch(lines []string, re string) bool {
	r := regexp.MustCompile(re)
	for _, l := range lines {
		if r.MatchString(l) {
			return true
		}
	}
	return false
}

// ExecFD falls back to other names for the file when the kernel cannot run it by descriptor
// (ENOENT, as TOMOYO before 6.12 without /dev/fd; here a script whose descriptor is
// close-on-exec, which its interpreter could not open), and with no name left says why.
func TestExecutorExecFDFallback(t *testing.T) {
	nstest.RequireRoot(t)
	dir := t.TempDir()
	script := dir + "/script"
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho ran as $0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := runPlan(t, testPlan{Unshare: []string{"uts"}, ExecFD: script, Alt: script, Argv: []string{"script"}}, nil)
	if res.Code != 0 || res.Stdout != "ran as "+script+"\n" {
		t.Errorf("ExecFD with alt: got %d %q (stderr %q), want it run by its path", res.Code, res.Stdout, res.Stderr)
	}
	// In a root without /proc, /dev/fd or the file, nothing names it.
	empty := t.TempDir()
	res = runPlan(t, testPlan{Unshare: []string{"mnt"}, Chroot: empty, ExecFD: script, Argv: []string{"pidns-init"}}, nil)
	want := "nsutil-test: failed to execute pidns-init by descriptor: the new root has no /dev/fd or /proc to name it by, which TOMOYO before Linux 6.12 needs: No such file or directory\n"
	if res.Code != 127 || res.Stderr != want {
		t.Errorf("ExecFD with no name: got %d (stderr %q), want 127 and %q", res.Code, res.Stderr, want)
	}
}
