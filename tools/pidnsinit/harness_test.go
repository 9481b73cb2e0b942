//go:build linux

package pidnsinit

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// helperEnv selects what the re-executed test binary does instead of running tests.
const helperEnv = "PIDNSINIT_TEST_HELPER"

// timeout bounds every command a test runs; generous for a loaded 2-core machine.
const timeout = 2 * time.Minute

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "record" {
		os.Exit(recordSignals())
	}
	os.Exit(m.Run())
}

// recordSignals is the signal recorder child: it catches every signal it can, prints "ready",
// then one line per signal received (its number), and exits 0 when stdin reaches EOF.
// It runs with GODEBUG=asyncpreemptoff=1 so that its own runtime sends itself no SIGURG.
func recordSignals() int {
	c := make(chan os.Signal, 128)
	var all []os.Signal
	for sig := syscall.Signal(1); sig <= 64; sig++ {
		if sig != syscall.SIGKILL && sig != syscall.SIGSTOP && sig < 32 || sig > 34 {
			all = append(all, sig)
		}
	}
	signal.Notify(c, all...)
	eof := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(eof)
	}()
	fmt.Println("ready")
	for {
		select {
		case sig := <-c:
			if sig == syscall.SIGCHLD {
				continue
			}
			fmt.Println(int(sig.(syscall.Signal)))
		case <-eof:
			return 0
		}
	}
}

// recorderCommand is the argv of the signal recorder (for after `pidns-init [options]`).
func recorderCommand(t *testing.T) []string {
	t.Helper()
	return []string{nstest.SelfCopy(t)}
}

// recorderEnv is the environment that makes the test binary the recorder.
func recorderEnv() []string {
	return append(os.Environ(), helperEnv+"=record", "GODEBUG=asyncpreemptoff=1")
}

var (
	helperOnce sync.Once
	helperPath string
	helperErr  error
)

// helper returns testdata/helper.c compiled (orphan storms, starting with a signal setup).
func helper(t *testing.T) string {
	t.Helper()
	nstest.RequireTool(t, "/usr/bin/gcc")
	helperOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pidns-init-helper")
		if err == nil {
			err = os.Chmod(dir, 0o755)
		}
		if err != nil {
			helperErr = err
			return
		}
		helperPath = filepath.Join(dir, "helper")
		out, err := exec.Command("gcc", "-O2", "-Wall", "-o", helperPath, "testdata/helper.c").CombinedOutput()
		if err != nil {
			helperErr = fmt.Errorf("gcc: %v\n%s", err, out)
		}
	})
	if helperErr != nil {
		t.Fatal(helperErr)
	}
	return helperPath
}

// initCmd is the pidns-init applet with args, run as PID 1 of a new PID namespace when pidns
// is set (which needs root), else as a plain process (a child subreaper).
func initCmd(t *testing.T, pidns bool, args ...string) *exec.Cmd {
	t.Helper()
	cmd := nstest.Command(nstest.Applet(t, "pidns-init"), args...)
	if pidns {
		nstest.RequireRoot(t)
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	}
	return cmd
}

// running is a started command whose stdout is read line by line.
type running struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	stdin io.WriteCloser
	errb  strings.Builder
	errw  *lockedWriter
	done  chan struct{}
}

// stderr is what the command has written on stderr so far.
func (r *running) stderr() string {
	r.errw.mu.Lock()
	defer r.errw.mu.Unlock()
	return r.errb.String()
}

// start starts cmd with pipes on stdin and stdout; the test ends it with finish.
func start(t *testing.T, cmd *exec.Cmd) *running {
	t.Helper()
	r := &running{t: t, cmd: cmd, lines: make(chan string, 1024), done: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if r.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	r.errw = &lockedWriter{b: &r.errb}
	cmd.Stderr = r.errw
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %q: %v", cmd.Args, err)
	}
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	return r
}

// next returns the next line of output, failing the test if none comes.
func (r *running) next() string {
	r.t.Helper()
	select {
	case line, ok := <-r.lines:
		if !ok {
			r.t.Fatalf("%q: output ended early; stderr: %s", r.cmd.Args, r.errb.String())
		}
		return line
	case <-time.After(timeout):
		r.t.Fatalf("%q: no output within %v; stderr: %s", r.cmd.Args, timeout, r.errb.String())
	}
	return ""
}

// finish closes stdin, collects the rest of stdout and returns it with the exit status.
func (r *running) finish() (rest []string, code int) {
	r.t.Helper()
	r.stdin.Close()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-r.lines:
			if ok {
				rest = append(rest, line)
				continue
			}
		case <-deadline:
			r.t.Fatalf("%q did not finish within %v", r.cmd.Args, timeout)
		}
		break
	}
	err := r.cmd.Wait()
	close(r.done)
	if err != nil && r.cmd.ProcessState == nil {
		r.t.Fatal(err)
	}
	return rest, nstest.ExitCode(r.cmd.ProcessState)
}

type lockedWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// waitFile waits until path exists (a child's readiness mark).
func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within %v", path, timeout)
}

// waitStderr waits until the command has written want on stderr.
func waitStderr(t *testing.T, r *running, want string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(r.stderr(), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%q did not write %q within %v; stderr: %q", r.cmd.Args, want, timeout, r.stderr())
}

// run runs cmd to its end.
func run(t *testing.T, cmd *exec.Cmd) nstest.Result {
	t.Helper()
	return nstest.Run(t, timeout, cmd)
}

// unsetenv removes key for the rest of the test (t.Setenv restores it afterwards).
func unsetenv(t *testing.T, key string) {
	t.Helper()
	if err := os.Unsetenv(key); err != nil {
		t.Fatal(err)
	}
}
