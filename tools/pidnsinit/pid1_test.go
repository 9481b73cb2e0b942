//go:build linux

package pidnsinit

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

	"golang.org/x/sys/unix"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// These tests hold pidns-init to what a PID 1 in C gives (nsutil/pidinit): tini's footprint,
// one thread, no PID but its own and the program's, no start-up window, tini's signal
// configuration for the program.

// statusField returns a field of /proc/PID/status ("" when there is none).
func statusField(t *testing.T, pid int, key string) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// children lists pid's children (zombies included: they hold their PID until reaped).
func children(pid int) []string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	return strings.Fields(string(data))
}

// A running pidns-init, as PID 1 of a namespace and as a subreaper: RssAnon within tini's 100 kB,
// one thread, and no process but itself and the program (the command-line parser is gone).
func TestFootprint(t *testing.T) {
	for _, pidns := range []bool{false, true} {
		t.Run(fmt.Sprintf("PID namespace %v", pidns), func(t *testing.T) {
			ready := filepath.Join(t.TempDir(), "ready")
			cmd := initCmd(t, pidns, "sh", "-c", "touch "+ready+"; exec sleep 600")
			r := start(t, cmd)
			waitFile(t, ready)
			init := cmd.Process.Pid
			waitChild(t, init)
			var rss int
			fmt.Sscanf(statusField(t, init, "RssAnon"), "%d", &rss)
			t.Logf("RssAnon of pidns-init: %d kB", rss)
			if rss == 0 || rss > 100 {
				t.Errorf("RssAnon: got %d kB, want at most 100 kB (tini's)", rss)
			}
			if got := statusField(t, init, "Threads"); got != "1" {
				t.Errorf("Threads: got %s, want 1", got)
			}
			if kids := children(init); len(kids) != 1 {
				t.Errorf("children of pidns-init: got %q, want the program alone", kids)
			}
			cmd.Process.Signal(syscall.SIGTERM)
			r.finish()
		})
	}
}

// In a new PID namespace the program is PID 2, as under tini, though the command-line parser's
// threads had PIDs before it: the init starts the namespace's PIDs again (ns_last_pid), as root
// and as an unprivileged user in a user namespace of its own. Where /proc/sys is read-only (as
// container engines mount it) it cannot, and says nothing: the program gets the next PID.
func TestProgramPID(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	nstest.RequireTool(t, "/usr/bin/tini")
	echo := []string{"sh", "-c", "echo $$"}
	tests := []struct {
		name string
		as   nstest.User
		argv []string
	}{
		{"unshare --init", nil, append([]string{nstest.Applet(t, "unshare"), "-fp", "--mount-proc", "--init", "--"}, echo...)},
		{"tini", nil, append([]string{"/usr/bin/unshare", "-fp", "--mount-proc", "/usr/bin/tini", "--"}, echo...)},
		{"rootless unshare --init", &[2]int{uid, gid}, append([]string{nstest.Applet(t, "unshare"), "-r", "-fp", "--mount-proc", "--init", "--"}, echo...)},
		{"rootless tini", &[2]int{uid, gid}, append([]string{"/usr/bin/unshare", "-r", "-fp", "--mount-proc", "/usr/bin/tini", "--"}, echo...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := nstest.RunAs(t, tc.as, 20*time.Second, exec.Command(tc.argv[0], tc.argv[1:]...))
			if res.Code != 0 || res.Stdout != "2\n" || res.Stderr != "" {
				t.Errorf("got status %d, PID %q, stderr %q; want 0, 2, nothing", res.Code, res.Stdout, res.Stderr)
			}
		})
	}
	t.Run("read-only /proc/sys", func(t *testing.T) {
		script := `mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && exec "$@"`
		argv := append([]string{"-fpm", "--mount-proc", "sh", "-c", script, "sh", nstest.Applet(t, "pidns-init"), "--"}, echo...)
		res := run(t, exec.Command("/usr/bin/unshare", argv...))
		pid, _ := strconv.Atoi(strings.TrimSpace(res.Stdout))
		if res.Code != 0 || pid <= 2 || res.Stderr != "" {
			t.Errorf("got status %d, PID %q, stderr %q; want 0, a PID after the parser's, nothing", res.Code, res.Stdout, res.Stderr)
		}
	})
}

// pidsCgroup makes a cgroup with pids.max set to max (cgroup v1's pids hierarchy, else cgroup
// v2 with the pids controller) and returns its cgroup.procs.
func pidsCgroup(t *testing.T, max int) string {
	t.Helper()
	mount := nstest.CgroupMount(t, "cgroup", "pids")
	if mount == "" {
		mount = nstest.CgroupMount(t, "cgroup2", "")
		if ctl, _ := os.ReadFile(filepath.Join(mount, "cgroup.subtree_control")); mount == "" || !strings.Contains(string(ctl), "pids") {
			nstest.Skip(t, "no pids cgroup controller")
		}
	}
	dir := nstest.FakeContainerCgroup(t, mount, fmt.Sprintf("nsbox-test-pids-%d-%d", os.Getpid(), max))
	if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(strconv.Itoa(max)), 0); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "cgroup.procs")
}

// Under a small pids limit (a container's hardening), the program runs and forks as under tini.
// pidns-init needs two PIDs more than tini while it starts: its command-line parser is a Go
// runtime of 4 threads (the main thread, sysmon, the thread that runs the collector's goroutines
// while the main goroutine is locked to the main thread, cgo's template thread), 5 when the
// runtime starts a second thread for those goroutines before the first has gone idle (a race in
// its start-up, about one run in four here), and once in a while 6, when a system call of the
// parser blocks long enough for the runtime to hand its processor to a new thread (seen once
// in a CI run, with a cold binary). So the limit here is 8, for pidns-init's peak of 7 at most;
// the parser is gone before the program runs.
func TestPidsLimit(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireTool(t, "/usr/bin/tini")
	tests := []struct {
		init []string
		max  int
	}{
		{[]string{"/usr/bin/tini", "-s", "--"}, 4},
		{[]string{nstest.Applet(t, "pidns-init"), "--"}, 8},
		{[]string{nstest.Applet(t, "pidns-init"), "-g", "-e", "3", "--"}, 8},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s at %d", filepath.Base(tc.init[0]), tc.max), func(t *testing.T) {
			procs := pidsCgroup(t, tc.max)
			script := `echo $$ > "$0"; exec "$@"`
			args := append([]string{"-c", script, procs}, append(tc.init, "sh", "-c", "sleep 0.2 & wait; echo ok")...)
			for i := 0; i < 3; i++ {
				res := run(t, exec.Command("sh", args...))
				if res.Code != 0 || res.Stdout != "ok\n" {
					t.Fatalf("try %d: got status %d, stdout %q, stderr %.300q; want 0, ok", i, res.Code, res.Stdout, res.Stderr)
				}
			}
		})
	}
}

// begun reports whether an init has passed its first instructions: the signals are blocked, or
// it has a child (during sigtimedwait the kernel shows the mask without the waited-for signals).
func begun(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return true
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "SigBlk:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if n&(1<<(unix.SIGTERM-1)) != 0 {
				return true
			}
		}
	}
	return len(children(pid)) > 0
}

// A SIGTERM sent to a new PID namespace's init at any moment once it runs is forwarded to the
// program: 143 (0 with -e 143), as with tini; the delay after exec is swept from 0.5 ms. A
// signal sent before the init's first instruction is dropped by the kernel (SIG_DFL, to a
// namespace's init), for tini as for pidns-init: such tries are counted, not judged.
func TestStartupWindow(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireTool(t, "/usr/bin/tini")
	applet := nstest.Applet(t, "pidns-init")
	inits := []struct {
		argv []string
		want int
	}{
		{[]string{applet, "--"}, 143},
		{[]string{applet, "-e", "143", "--"}, 0},
		{[]string{"/usr/bin/tini", "--"}, 143},
	}
	delays := []time.Duration{500 * time.Microsecond, 750 * time.Microsecond, time.Millisecond,
		1500 * time.Microsecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond,
		6 * time.Millisecond, 8 * time.Millisecond, 12 * time.Millisecond, 20 * time.Millisecond}
	for _, in := range inits {
		early := 0
		for _, d := range delays {
			for try := 0; try < 3; try++ {
				cmd := exec.Command(in.argv[0], append(in.argv[1:], "sleep", "30")...)
				cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(d)
				judged := begun(cmd.Process.Pid)
				cmd.Process.Signal(syscall.SIGTERM)
				timer := time.AfterFunc(5*time.Second, func() { cmd.Process.Kill() })
				cmd.Wait()
				timer.Stop()
				code := nstest.ExitCode(cmd.ProcessState)
				switch {
				case !judged:
					early++
				case code != in.want:
					t.Errorf("%s: SIGTERM %v after exec: got status %d, want %d", strings.Join(in.argv, " "), d, code, in.want)
				}
			}
		}
		t.Logf("%s: %d of %d signals came before the init's first instruction", in.argv[0], early, 3*len(delays))
		if early > len(delays) {
			t.Errorf("%s: %d of %d signals came before the init began: the sweep judged too little", in.argv[0], early, 3*len(delays))
		}
	}
}

// The program starts with the ignored signals and the mask pidns-init inherited, as with tini
// (tini's sigconf test): the helper sets them up and executes the init.
func TestSignalConfiguration(t *testing.T) {
	nstest.RequireTool(t, "/usr/bin/tini")
	h := helper(t)
	tests := []struct {
		name, ignored, blocked string
		tini                   bool // tini never exits with SIGCHLD ignored: the kernel reaps its child
	}{
		{"INT QUIT USR1 PIPE XFSZ ignored, USR2 RTMIN+1 blocked", "1001206", "400000800", true},
		{"TERM ILL TTIN blocked", "0", "104008", true},
		{"TERM ILL TTIN blocked and ignored", "104008", "104008", true},
		{"all blocked", "0", "ffffffffffffffff", true},
		{"all ignored", "ffffffffffffffff", "0", false},
	}
	show := []string{"grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// What the program sees without an init in between: the helper's settings plus
			// whatever this test inherited itself (GNU make, for one, leaves 32 and 33 ignored).
			direct := run(t, exec.Command(h, append([]string{"sigexec", tc.ignored, tc.blocked, "0"}, show...)...))
			if direct.Code != 0 {
				t.Fatalf("helper without an init: %q, status %d", direct.Stderr, direct.Code)
			}
			inits := [][]string{{nstest.Applet(t, "pidns-init")}}
			if tc.tini {
				inits = append(inits, []string{"/usr/bin/tini", "-s", "--"})
			}
			for _, init := range inits {
				args := append(append([]string{"sigexec", tc.ignored, tc.blocked, "0"}, init...), show...)
				res := run(t, exec.Command(h, args...))
				if res.Code != 0 || res.Stdout != direct.Stdout {
					t.Errorf("%s: got %q (status %d, stderr %q), want %q", init[0], res.Stdout, res.Code, res.Stderr, direct.Stdout)
				}
			}
		})
	}
}

// --grace finds a subreaper's descendants by their parent in /proc/PID/stat, whatever their
// command name holds ("a) S 1 (b" would shift a naive parse to parent 1).
func TestGraceHostileComm(t *testing.T) {
	dir := t.TempDir()
	hostile := filepath.Join(dir, "a) S 1 (b")
	if err := os.Symlink("/bin/sleep", hostile); err != nil {
		t.Fatal(err)
	}
	script := `"$0" 600 & echo $! > "$1"; exit 0`
	res := run(t, initCmd(t, false, "--grace", "5", "sh", "-c", script, hostile, filepath.Join(dir, "pid")))
	if res.Code != 0 {
		t.Fatalf("got status %d, want 0; stderr %q", res.Code, res.Stderr)
	}
	requireGone(t, filepath.Join(dir, "pid"), fmt.Sprintf("the descendant named %q", filepath.Base(hostile)))
}
