//go:build linux

package nstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/procfs"
)

// Skip skips the test with reason, except under CI=true, where a test that cannot run fails.
func Skip(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("cannot run under CI: %s", reason)
	}
	t.Skip(reason)
}

// RequireRoot skips (fails under CI) unless the test runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Skip(t, "needs root")
	}
}

// RequireTool skips (fails under CI) unless path exists; scripts/setup (run by make test)
// installs every tool tests use.
func RequireTool(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Skip(t, path+" is not installed (run scripts/setup or apt-get install it)")
	}
}

// ReferenceDir is where scripts/reference-util-linux (run by scripts/setup) installs the newest
// util-linux release's unshare, nsenter and lsns, beside the system's older ones.
const ReferenceDir = "/opt/nsbox-ref/util-linux"

// NewestUtilLinux returns the path of the newest util-linux's command (unshare, nsenter or
// lsns), skipping (failing under CI) when scripts/reference-util-linux has not installed it.
func NewestUtilLinux(t testing.TB, command string) string {
	t.Helper()
	path := filepath.Join(ReferenceDir, "bin", command)
	if _, err := os.Stat(path); err != nil {
		Skip(t, path+" is not installed (run scripts/reference-util-linux)")
	}
	return path
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary returns the nsbox binary under test: $NSBOX_BIN when set (make test sets it to a copy
// of the static bin/nsbox in a directory of its own that it removes afterwards), else one built
// once per test process into a temporary directory. Rootless tests run it as TestUser, so it
// must be reachable by every user: a $NSBOX_BIN that is not (a clone under /root, mode 0700) is
// copied once per test process into a 0755 directory under $TMPDIR.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("NSBOX_BIN"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		if reachable(abs) {
			return abs
		}
		buildOnce.Do(func() { binPath, buildErr = copyReachable(abs) })
		if buildErr != nil {
			t.Fatal(buildErr)
		}
		return binPath
	}
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "nsbox-test-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "nsbox")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/nsbox")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// reachable says whether every user may run the file at path: o+x on it and on every
// directory above it.
func reachable(path string) bool {
	for p := path; ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm()&0o001 == 0 {
			return false
		}
		if p == "/" {
			return true
		}
	}
}

// copyReachable copies the executable at path into a new 0755 directory under $TMPDIR.
func copyReachable(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "nsbox-test-bin")
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, filepath.Base(path))
	return dst, os.WriteFile(dst, data, 0o755)
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

// Applet returns a directory holding symlinks named after every applet, pointing at Binary, so
// tests run `DIR/unshare` exactly as users do.
func Applet(t testing.TB, name string) string {
	t.Helper()
	bin := Binary(t)
	dir := filepath.Join(filepath.Dir(bin), "applets")
	link := filepath.Join(dir, name)
	if target, err := os.Readlink(link); err == nil && target == bin {
		return link
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A link left by an older binary is replaced, atomically: test packages run side by side.
	tmp := fmt.Sprintf("%s.%d", link, os.Getpid())
	_ = os.Remove(tmp)
	if err := os.Symlink(bin, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	// A rootless test user must be able to reach it.
	_ = os.Chmod(filepath.Dir(bin), 0o755)
	_ = os.Chmod(dir, 0o755)
	return link
}

// TestUser is the unprivileged account rootless tests run as. It is made once and kept for
// later runs (scripts/setup makes it before make test runs; README, Reliability): test runs
// started at the same time share it, so none of them may remove it.
const TestUser = "nsboxtest"

// TestUserComment marks the account as the one nsbox's tests made (useradd --comment).
const TestUserComment = "nsbox tests"

// TestUserLock is the lock file that scripts/setup and Unprivileged hold (flock, exclusive)
// while they look for TestUser and make it with its /etc/subuid and /etc/subgid ranges, so
// that test runs started together do not race on creating it.
const TestUserLock = "/run/lock/nsbox-testuser.lock"

// Unprivileged returns the uid and gid of TestUser, creating it (useradd) with /etc/subuid and
// /etc/subgid ranges when missing. It needs root; elsewhere it skips (fails under CI).
func Unprivileged(t testing.TB) (uid, gid int) {
	t.Helper()
	RequireRoot(t)
	if err := os.MkdirAll(filepath.Dir(TestUserLock), 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(TestUserLock, os.O_CREATE|os.O_RDWR|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close() // and with it the lock
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatalf("flock %s: %v", TestUserLock, err)
	}
	u, err := user.Lookup(TestUser)
	if err != nil {
		out, err := exec.Command("useradd", "--create-home", "--shell", "/bin/sh", "--comment", TestUserComment, TestUser).CombinedOutput()
		if err != nil && !strings.Contains(string(out), "already exists") { // made by an older test run
			t.Fatalf("useradd %s: %v\n%s", TestUser, err, out)
		}
		if u, err = user.Lookup(TestUser); err != nil {
			t.Fatal(err)
		}
	}
	ensureSubID(t, "/etc/subuid")
	ensureSubID(t, "/etc/subgid")
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid
}

// ensureSubID gives TestUser a range in path when it has none; the caller holds TestUserLock.
func ensureSubID(t testing.TB, path string) {
	t.Helper()
	data, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, TestUser+":") {
			return
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s:300000:65536\n", TestUser); err != nil {
		t.Fatal(err)
	}
}

// MissingPath returns a path that does not exist, in a new directory every user can search (a
// rootless program gets ENOENT there too, not EACCES), removed by the test's cleanup. Tests use
// it rather than a fixed name such as /nonexistent, which a machine may have.
func MissingPath(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "nsbox-test-missing")
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "nonexistent")
}

// ReplaceMissing returns args with "/nonexistent" in each replaced by missing (a MissingPath),
// so that a test's table can go on spelling the path it means.
func ReplaceMissing(missing string, args ...string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, "/nonexistent", missing)
	}
	return out
}

// AsUser makes cmd run as uid:gid with no supplementary groups.
func AsUser(cmd *exec.Cmd, uid, gid int) *exec.Cmd {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	cmd.Dir = "/"
	return cmd
}

// Result is what a finished command did.
type Result struct {
	Stdout, Stderr string
	Code           int // exit status, or 128+N when killed by signal N
}

// Run runs cmd with a timeout and returns its output and status; it fails the test only when
// the command cannot be started or times out.
func Run(t testing.TB, timeout time.Duration, cmd *exec.Cmd) Result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %q: %v", cmd.Args, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%q did not finish in %v; stderr: %s", cmd.Args, timeout, errb.String())
	}
	return Result{Stdout: out.String(), Stderr: errb.String(), Code: ExitCode(cmd.ProcessState)}
}

// Main is an applet's Main (or the dispatcher's, with the whole argv).
type Main func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// RunMain runs main in this process with args and no input, and returns what it wrote and its
// status: for what needs no process of its own (parsing, usage errors, help). It must not be
// used where main would go on to run a program.
func RunMain(main Main, args ...string) Result {
	var out, errb bytes.Buffer
	code := main(args, strings.NewReader(""), &out, &errb)
	return Result{Stdout: out.String(), Stderr: errb.String(), Code: code}
}

// ExitCode is the shell's view of a process's end: its status, or 128+N for signal N.
func ExitCode(ps *os.ProcessState) int {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// Command is exec.CommandContext with the test's deadline-free context.
func Command(name string, args ...string) *exec.Cmd {
	return exec.CommandContext(context.Background(), name, args...)
}

var (
	selfOnce sync.Once
	selfPath string
	selfErr  error
)

// SelfCopy returns a copy of the running test binary in a directory every user can reach, so
// that a test can re-execute it as the unprivileged TestUser (go test's build directory is 0700).
func SelfCopy(t testing.TB) string {
	t.Helper()
	selfOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			selfErr = err
			return
		}
		dir, err := os.MkdirTemp("", "nsbox-test-self")
		if err == nil {
			err = os.Chmod(dir, 0o755)
		}
		if err != nil {
			selfErr = err
			return
		}
		data, err := os.ReadFile(exe)
		if err != nil {
			selfErr = err
			return
		}
		selfPath = filepath.Join(dir, filepath.Base(exe))
		selfErr = os.WriteFile(selfPath, data, 0o755)
	})
	if selfErr != nil {
		t.Fatal(selfErr)
	}
	return selfPath
}

// CgroupMount finds where a cgroup hierarchy is mounted: fstype "cgroup2", or "cgroup" with the
// given controller option (cgroup v1). It returns "" when there is none.
func CgroupMount(t testing.TB, fstype, option string) string {
	t.Helper()
	mounts, err := procfs.ReadMountinfo(0, procfs.FSType(fstype), func(m *procfs.Mount) bool {
		return option == "" || strings.Contains(","+m.SuperOptions+",", ","+option+",")
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(mounts) == 0 {
		return ""
	}
	return mounts[0].MountPoint
}

// FakeContainerCgroup makes the cgroup rel under mount (named as a container runtime names a
// container's, e.g. system.slice/docker-ID.scope) and returns its directory; a process written
// to its cgroup.procs looks, to nsbox, like that container's. The test's cleanup removes the
// directories it made; register it before starting the processes, so that they are gone first.
func FakeContainerCgroup(t testing.TB, mount, rel string) string {
	t.Helper()
	RequireRoot(t)
	if mount == "" {
		Skip(t, "no such cgroup hierarchy is mounted")
	}
	dir := filepath.Join(mount, rel)
	existing := dir // the deepest directory there already: cleanup stops at it
	for _, err := os.Stat(existing); err != nil && existing != mount; _, err = os.Stat(existing) {
		existing = filepath.Dir(existing)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		Skip(t, "cannot create a cgroup: "+err.Error())
	}
	t.Cleanup(func() {
		for d := dir; d != existing && strings.HasPrefix(d, existing); d = filepath.Dir(d) {
			os.Remove(d)
		}
	})
	return dir
}

// JoinCgroup moves pid into the cgroup directory dir.
func JoinCgroup(t testing.TB, dir string, pid int) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
		t.Fatal(err)
	}
}

// NSLink is the /proc/PID/ns/KIND link of a process ("net:[4026531840]").
func NSLink(t testing.TB, pid int, kind string) string {
	t.Helper()
	link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, kind))
	if err != nil {
		t.Fatal(err)
	}
	return link
}

// NSInode is the inode number of a process's namespace of kind kind, as lsns shows it.
func NSInode(t testing.TB, pid int, kind string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(fmt.Sprintf("/proc/%d/ns/%s", pid, kind), &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}
