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

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // a prefix
		wantStderr string // exact
	}{
		{"options stop at the program", []string{"sh", "-c", `echo "$1"`, "sh", "-v"}, 0, "-v\n", ""},
		{"program options are its own", []string{"ls", "-d", "/"}, 0, "/\n", ""},
		{"dash dash", []string{"-w", "--", "printf", "%s\n", "-e"}, 0, "-e\n", ""},
		{"no program", nil, 1, "", "pidns-init: no program specified\nTry 'pidns-init --help' for more information.\n"},
		{"unknown option", []string{"--bogus", "true"}, 1, "", "pidns-init: unrecognized option '--bogus'\nTry 'pidns-init --help' for more information.\n"},
		{"help", []string{"--help"}, 0, "Usage: pidns-init [options] [--] program [arguments...]", ""},
		{"version", []string{"-V"}, 0, "pidns-init from nsbox ", ""},
		{"program named --", []string{"--", "--", "true"}, 127, "", "pidns-init: failed to execute --: No such file or directory\n"},
		{"not found", []string{"/nonexistent/program"}, 127, "", "pidns-init: failed to execute /nonexistent/program: No such file or directory\n"},
		{"not in PATH", []string{"no-such-program-pidns-init"}, 127, "", "pidns-init: failed to execute no-such-program-pidns-init: No such file or directory\n"},
		{"not executable", []string{"/etc/passwd"}, 126, "", "pidns-init: failed to execute /etc/passwd: Permission denied\n"},
		{"exit code out of range", []string{"-e", "256", "true"}, 1, "", "pidns-init: invalid exit code: '256' (0 to 255)\nTry 'pidns-init --help' for more information.\n"},
		{"exit code beyond 64 bits", []string{"-e", "99999999999999999999", "true"}, 1, "", "pidns-init: invalid exit code: '99999999999999999999' (0 to 255)\nTry 'pidns-init --help' for more information.\n"},
		{"exit code not a number", []string{"--expect-exit=abc", "true"}, 1, "", "pidns-init: invalid exit code: 'abc' (0 to 255)\nTry 'pidns-init --help' for more information.\n"},
		{"empty exit code", []string{"-e", "", "true"}, 1, "", "pidns-init: invalid exit code: '' (0 to 255)\nTry 'pidns-init --help' for more information.\n"},
		{"rewrite without colon", []string{"-r", "TERM", "true"}, 1, "", "pidns-init: -r option takes <signal>:<signal>, where the second may be 0 (drop): 'TERM'\nTry 'pidns-init --help' for more information.\n"},
		{"rewrite of KILL", []string{"-r", "KILL:TERM", "true"}, 1, "", "pidns-init: -r option takes <signal>:<signal>, where the second may be 0 (drop): 'KILL:TERM'\nTry 'pidns-init --help' for more information.\n"},
		{"empty rewrite", []string{"-r", "", "true"}, 1, "", "pidns-init: -r option takes <signal>:<signal>, where the second may be 0 (drop): ''\nTry 'pidns-init --help' for more information.\n"},
		{"two rewrites in one", []string{"-r", "USR1:USR2,HUP:0", "true"}, 1, "", "pidns-init: -r option takes <signal>:<signal>, where the second may be 0 (drop): 'USR1:USR2,HUP:0'\nTry 'pidns-init --help' for more information.\n"},
		{"bad pdeathsig", []string{"-p", "NOPE", "true"}, 1, "", "pidns-init: unknown signal: NOPE\nTry 'pidns-init --help' for more information.\n"},
		{"bad grace", []string{"--grace=-1s", "true"}, 1, "", "pidns-init: invalid duration: '-1s'\nTry 'pidns-init --help' for more information.\n"},
		{"pause with a program", []string{"--pause", "true"}, 1, "", "pidns-init: --pause takes no program\nTry 'pidns-init --help' for more information.\n"},
		{"pdeathsig accepted", []string{"-p", "SIGKILL", "true"}, 0, "", ""},
	}
	missing := nstest.MissingPath(t)
	for _, tc := range tests {
		tc.args, tc.wantStderr = nstest.ReplaceMissing(missing, tc.args...), nstest.ReplaceMissing(missing, tc.wantStderr)[0]
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, initCmd(t, false, tc.args...))
			if res.Code != tc.wantCode {
				t.Errorf("pidns-init %q: got status %d, want %d (stderr %q)", tc.args, res.Code, tc.wantCode, res.Stderr)
			}
			if !strings.HasPrefix(res.Stdout, tc.wantStdout) {
				t.Errorf("pidns-init %q: got stdout %q, want it to start with %q", tc.args, res.Stdout, tc.wantStdout)
			}
			if res.Stderr != tc.wantStderr {
				t.Errorf("pidns-init %q: got stderr %q, want %q", tc.args, res.Stderr, tc.wantStderr)
			}
		})
	}
}

// A program that cannot be executed gives tini's status for its errno (127 not found, 126
// denied, 1 for the rest), found in PATH as tini's execvp finds it (a denied entry is passed
// over, and reported when nothing else is found), a script without #! run by /bin/sh; it is the
// program's status, so -e maps it too.
func TestExecFailure(t *testing.T) {
	nstest.RequireTool(t, "/usr/bin/tini")
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("denied", "", 0o644)
	script := write("script", "echo ran by sh \"$1\"\n", 0o755)
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		want   int
		stderr string // pidns-init's, besides the status; "" for none
	}{
		{"not found", []string{"/nonexistent/program"}, 127, "No such file or directory"},
		{"not in PATH", []string{"no-such-program-pidns-init"}, 127, "No such file or directory"},
		{"not executable", []string{"/etc/passwd"}, 126, "Permission denied"},
		{"a directory", []string{dir}, 126, "Permission denied"},
		{"not executable in PATH", []string{"denied"}, 126, "Permission denied"},
		{"not a directory", []string{"/etc/passwd/x"}, 1, "Not a directory"},
		{"symlink loop", []string{loop}, 1, "Too many levels of symbolic links"},
		{"name too long", []string{"/" + strings.Repeat("x", 300)}, 1, "File name too long"},
		{"name too long in PATH", []string{strings.Repeat("x", 300)}, 1, "File name too long"},
		{"script without #!", []string{script, "arg"}, 0, ""},
		{"script in PATH", []string{"script", "arg"}, 0, ""},
		{"-e 127", []string{"-e", "127", "--", "no-such-program-pidns-init"}, 0, "No such file or directory"},
		{"-e 1", []string{"-e", "1", "--", "/etc/passwd/x"}, 0, "Not a directory"},
	}
	path := "PATH=" + dir + ":" + os.Getenv("PATH")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tini := exec.Command("/usr/bin/tini", append([]string{"-s"}, tc.args...)...)
			tini.Env = append(os.Environ(), path)
			want := run(t, tini)
			init := initCmd(t, false, tc.args...)
			init.Env = append(os.Environ(), path)
			got := run(t, init)
			if got.Code != tc.want || want.Code != tc.want || got.Stdout != want.Stdout {
				t.Errorf("pidns-init %q: status %d, stdout %q; tini: %d, %q; want %d", tc.args, got.Code, got.Stdout, want.Code, want.Stdout, tc.want)
			}
			program := tc.args[len(tc.args)-1]
			if tc.stderr != "" {
				if w := "pidns-init: failed to execute " + program + ": " + tc.stderr + "\n"; got.Stderr != w {
					t.Errorf("stderr: got %q, want %q", got.Stderr, w)
				}
			} else if got.Stderr != "" {
				t.Errorf("stderr: got %q, want nothing", got.Stderr)
			}
		})
	}
}

// Every exit code passes through, and -e N maps exactly N to 0.
func TestExitCodes(t *testing.T) {
	for code := 0; code < 256; code++ {
		script := fmt.Sprintf("exit %d", code)
		if res := run(t, initCmd(t, false, "-e", strconv.Itoa((code+1)%256), "sh", "-c", script)); res.Code != code {
			t.Errorf("pidns-init -e %d sh -c %q: got status %d, want %d", (code+1)%256, script, res.Code, code)
		}
		if res := run(t, initCmd(t, false, "-e", strconv.Itoa(code), "sh", "-c", script)); res.Code != 0 {
			t.Errorf("pidns-init -e %d sh -c %q: got status %d, want 0", code, script, res.Code)
		}
	}
}

// A program killed by signal N gives 128+N, as with tini.
func TestSignalExitCodes(t *testing.T) {
	nstest.RequireTool(t, "/usr/bin/tini")
	for _, sig := range []string{"TERM", "KILL", "SEGV", "USR1"} {
		script := "kill -" + sig + " $$"
		res := run(t, initCmd(t, true, "sh", "-c", script))
		ref := run(t, exec.Command("/usr/bin/tini", "-s", "--", "sh", "-c", script))
		want := 128 + int(unix.SignalNum("SIG"+sig))
		if res.Code != want || ref.Code != want {
			t.Errorf("sh -c %q: got status %d (tini: %d), want %d", script, res.Code, ref.Code, want)
		}
	}
}

// Orphans of the namespace are all reaped, as they exit, while the program runs.
func TestOrphansReaped(t *testing.T) {
	nstest.RequireRoot(t)
	h := helper(t)
	// After the storm the program polls /proc until no zombie is left (or gives up: 9).
	script := h + ` orphans 1000 || exit 8
i=0
while grep -qs '^State:.Z' /proc/[0-9]*/status; do
	i=$((i+1)); [ $i -gt 1200 ] && exit 9; sleep 0.1
done
exit 0`
	res := run(t, exec.Command("/usr/bin/unshare", "-fp", "--mount-proc", "--kill-child", nstest.Applet(t, "pidns-init"), "sh", "-c", script))
	if res.Code != 0 {
		t.Errorf("1000 orphans: got status %d, want 0 (8: storm failed, 9: zombies left); stderr %q", res.Code, res.Stderr)
	}
}

// Not PID 1: pidns-init is the child subreaper, so orphans of its tree come to it; -w tells.
func TestSubreaper(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "ppid")
	// The grandchild waits for its parent to be gone, records its new parent and its own PID,
	// and exits; the program waits until the grandchild has been reaped.
	script := `sh -c 'sh -c "while kill -0 \$1 2>/dev/null; do sleep 0.02; done; echo \$(grep ^PPid: /proc/\$\$/status | cut -f2) \$\$ > ` + out + `.tmp; mv ` + out + `.tmp ` + out + `" sh $$ & exit 0'
while [ ! -e ` + out + ` ]; do sleep 0.02; done
read ppid gpid < ` + out + `
while [ -e /proc/$gpid ]; do sleep 0.02; done
echo $ppid`
	cmd := initCmd(t, false, "-w", "sh", "-c", script)
	res := run(t, cmd)
	if res.Code != 0 {
		t.Fatalf("got status %d, want 0; stderr %q", res.Code, res.Stderr)
	}
	if got, want := strings.TrimSpace(res.Stdout), strconv.Itoa(cmd.Process.Pid); got != want {
		t.Errorf("orphan's parent: got %s, want pidns-init's PID %s", got, want)
	}
	if !strings.Contains(res.Stderr, "pidns-init: reaped zombie process with pid=") {
		t.Errorf("-w: got stderr %q, want a 'reaped zombie process' warning", res.Stderr)
	}
}

// forwardable is every signal pidns-init passes on as it is, but 34, which a Go program (the
// recorder) cannot catch: TestRTMin has it.
func forwardable() []unix.Signal {
	var sigs []unix.Signal
	for sig := unix.Signal(1); sig <= 64; sig++ {
		switch sig {
		case unix.SIGKILL, unix.SIGSTOP, unix.SIGCHLD, unix.SIGURG, unix.SIGPROF, unix.SIGTTIN, unix.SIGTTOU, 32, 33, 34:
			continue
		}
		sigs = append(sigs, sig)
	}
	return sigs
}

// Each forwardable signal sent to pidns-init (as PID 1) reaches the program exactly once;
// SIGURG, SIGPROF (both the Go runtime's), SIGTTIN and SIGTTOU do not.
func TestSignalsForwarded(t *testing.T) {
	cmd := initCmd(t, true, recorderCommand(t)...)
	cmd.Env = recorderEnv()
	r := start(t, cmd)
	if got := r.next(); got != "ready" {
		t.Fatalf("recorder: got %q, want ready", got)
	}
	send := func(sig unix.Signal) {
		if err := unix.Kill(cmd.Process.Pid, sig); err != nil {
			t.Fatal(err)
		}
	}
	for _, sig := range forwardable() {
		send(sig)
		if got, want := r.next(), strconv.Itoa(int(sig)); got != want {
			t.Errorf("sent %v: the program got %s, want %s", sig, got, want)
		}
	}
	for _, dropped := range []unix.Signal{unix.SIGURG, unix.SIGPROF, unix.SIGTTIN, unix.SIGTTOU} {
		send(dropped)
		send(unix.SIGUSR1)
		if got, want := r.next(), strconv.Itoa(int(unix.SIGUSR1)); got != want {
			t.Errorf("sent %v then SIGUSR1: the program got %s first, want %s", dropped, got, want)
		}
	}
	rest, code := r.finish()
	if len(rest) != 0 || code != 0 {
		t.Errorf("at the end: got extra signals %q and status %d, want none and 0", rest, code)
	}
}

// Signal 34 (SIGRTMIN), which the Go runtime leaves uncatchable, is forwarded too, from the
// parent namespace, without killing pidns-init.
func TestRTMin(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := initCmd(t, true, "sh", "-c", "trap 'echo got; exit 0' 34; touch "+ready+"; while :; do sleep 0.02; done")
	r := start(t, cmd)
	waitFile(t, ready)
	unix.Kill(cmd.Process.Pid, 34)
	if got := r.next(); got != "got" {
		t.Errorf("the program printed %q, want got", got)
	}
	if _, code := r.finish(); code != 0 {
		t.Errorf("got status %d, want 0; stderr %q", code, r.errb.String())
	}
}

// -r S:R forwards S as R, and R=0 drops S.
func TestRewrite(t *testing.T) {
	cmd := initCmd(t, true, append([]string{"-r", "USR1:USR2", "-r", "SIGHUP:0"}, recorderCommand(t)...)...)
	cmd.Env = recorderEnv()
	r := start(t, cmd)
	r.next() // ready
	for _, step := range []struct {
		send unix.Signal
		want unix.Signal
	}{{unix.SIGUSR1, unix.SIGUSR2}, {unix.SIGHUP, 0}, {unix.SIGTERM, unix.SIGTERM}} {
		if err := unix.Kill(cmd.Process.Pid, step.send); err != nil {
			t.Fatal(err)
		}
		if step.want == 0 {
			continue // the next step's signal must come first
		}
		if got, want := r.next(), strconv.Itoa(int(step.want)); got != want {
			t.Errorf("sent %v: the program got %s, want %s", step.send, got, want)
		}
	}
	if rest, code := r.finish(); len(rest) != 0 || code != 0 {
		t.Errorf("at the end: got extra signals %q and status %d, want none and 0", rest, code)
	}
}

// A signal pending before pidns-init could start its program is forwarded once it has.
func TestSignalBeforeChild(t *testing.T) {
	h := helper(t)
	usr1 := fmt.Sprintf("%x", 1<<(unix.SIGUSR1-1))
	args := append([]string{"sigexec", "0", usr1, usr1, nstest.Applet(t, "pidns-init")}, recorderCommand(t)...)
	cmd := exec.Command(h, args...)
	cmd.Env = recorderEnv()
	r := start(t, cmd)
	if got := r.next(); got != "ready" {
		t.Fatalf("recorder: got %q, want ready", got)
	}
	if got, want := r.next(), strconv.Itoa(int(unix.SIGUSR1)); got != want {
		t.Errorf("pending SIGUSR1: the program got %s, want %s", got, want)
	}
	if rest, code := r.finish(); len(rest) != 0 || code != 0 {
		t.Errorf("at the end: got extra signals %q and status %d, want none and 0", rest, code)
	}
}

// A signal pidns-init was started with as ignored (SIGHUP under nohup) is still passed on, as
// tini passes it on: the program inherits it ignored but may catch it itself, as the recorder
// does.
func TestIgnoredSignalForwarded(t *testing.T) {
	h := helper(t)
	hup := fmt.Sprintf("%x", 1<<(unix.SIGHUP-1))
	inits := [][]string{{nstest.Applet(t, "pidns-init")}}
	if _, err := os.Stat("/usr/bin/tini"); err == nil {
		inits = append(inits, []string{"/usr/bin/tini", "-s", "--"})
	}
	for _, init := range inits {
		args := append(append([]string{"sigexec", hup, "0", "0"}, init...), recorderCommand(t)...)
		cmd := exec.Command(h, args...)
		cmd.Env = recorderEnv()
		r := start(t, cmd)
		if got := r.next(); got != "ready" {
			t.Fatalf("%s: recorder: got %q, want ready", init[0], got)
		}
		if err := unix.Kill(cmd.Process.Pid, unix.SIGHUP); err != nil {
			t.Fatal(err)
		}
		if got, want := r.next(), strconv.Itoa(int(unix.SIGHUP)); got != want {
			t.Errorf("%s started with SIGHUP ignored: the program got %s, want %s", init[0], got, want)
		}
		if rest, code := r.finish(); len(rest) != 0 || code != 0 {
			t.Errorf("%s: at the end: got extra signals %q and status %d, want none and 0", init[0], rest, code)
		}
	}
}

// -g sends the signals to the program's process group; without it only the program gets them.
func TestProcessGroup(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       string
		wantGrand bool
	}{
		{"child only", nil, "", false},
		{"-g", []string{"-g"}, "", true},
		{"TINI_KILL_PROCESS_GROUP", nil, "TINI_KILL_PROCESS_GROUP=1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			marks, ready := filepath.Join(dir, "marks"), filepath.Join(dir, "ready")
			// With -g the program waits for the grandchild, which must have got TERM too.
			wait := ""
			if tc.wantGrand {
				wait = "wait $g; "
			}
			script := `trap '` + wait + `echo child >> ` + marks + `; exit 0' TERM
sh -c 'trap "echo grandchild >> ` + marks + `; exit 0" TERM; touch ` + ready + `.2; while :; do sleep 0.02; done' &
g=$!
while [ ! -e ` + ready + `.2 ]; do sleep 0.02; done
touch ` + ready + `
while :; do sleep 0.02; done`
			cmd := initCmd(t, true, append(tc.args, "sh", "-c", script)...)
			if tc.env != "" {
				cmd.Env = append(os.Environ(), tc.env)
			}
			r := start(t, cmd)
			waitFile(t, ready)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if _, code := r.finish(); code != 0 {
				t.Errorf("got status %d, want 0; stderr %q", code, r.errb.String())
			}
			data, _ := os.ReadFile(marks)
			if got := strings.Contains(string(data), "grandchild"); got != tc.wantGrand || !strings.Contains(string(data), "child") {
				t.Errorf("got marks %q, want the child's and grandchild's=%v", data, tc.wantGrand)
			}
		})
	}
}

// As PID 1 of a namespace: kill -TERM 1 from inside is forwarded, kill -KILL 1 is ignored,
// TERM from the parent namespace does not kill pidns-init (Go's default exits 2), and a broken
// stderr does not either (SIGPIPE).
func TestPID1(t *testing.T) {
	t.Run("TERM from inside", func(t *testing.T) {
		res := run(t, initCmd(t, true, "sh", "-c", "trap 'exit 3' TERM; kill -TERM 1; while :; do sleep 0.02; done"))
		if res.Code != 3 {
			t.Errorf("got status %d, want 3 (the program's TERM trap)", res.Code)
		}
	})
	t.Run("KILL from inside", func(t *testing.T) {
		res := run(t, initCmd(t, true, "sh", "-c", "kill -KILL 1; echo alive"))
		if res.Code != 0 || res.Stdout != "alive\n" {
			t.Errorf("got status %d, stdout %q; want 0, alive", res.Code, res.Stdout)
		}
	})
	t.Run("TERM from the parent namespace", func(t *testing.T) {
		ready := filepath.Join(t.TempDir(), "ready")
		cmd := initCmd(t, true, "sh", "-c", "trap 'exit 4' TERM; touch "+ready+"; while :; do sleep 0.02; done")
		r := start(t, cmd)
		waitFile(t, ready)
		cmd.Process.Signal(syscall.SIGTERM)
		if _, code := r.finish(); code != 4 {
			t.Errorf("got status %d, want 4 (the program's TERM trap)", code)
		}
	})
	t.Run("broken stderr", func(t *testing.T) {
		cmd := initCmd(t, true, "-vvv", "sh", "-c", "exit 5")
		rd, wr, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		rd.Close()
		cmd.Stderr = wr
		err = cmd.Run()
		wr.Close()
		if cmd.ProcessState == nil {
			t.Fatal(err)
		}
		if code := nstest.ExitCode(cmd.ProcessState); code != 5 {
			t.Errorf("got status %d, want 5", code)
		}
	})
	for _, sig := range []unix.Signal{unix.SIGTERM, unix.SIGINT} {
		t.Run("pause until "+unix.SignalName(sig), func(t *testing.T) {
			cmd := initCmd(t, true, "-vv", "--pause")
			r := start(t, cmd)
			waitStderr(t, r, "pidns-init: pausing until INT or TERM")
			unix.Kill(cmd.Process.Pid, sig)
			if _, code := r.finish(); code != 0 {
				t.Errorf("got status %d, want 0", code)
			}
		})
	}
}

// With --grace, the other processes get TERM when the program exits (one traps it and leaves a
// mark, one ignores it), and what is left gets KILL when the grace period ends.
func TestGrace(t *testing.T) {
	const descendants = `sh -c 'trap "echo term > $DIR/mark; exit 0" TERM; touch $DIR/a; while :; do sleep 0.02; done' &
sh -c 'trap "" TERM; echo $$ > $DIR/b.tmp; mv $DIR/b.tmp $DIR/b; while :; do sleep 0.02; done' &
while [ ! -e $DIR/a ] || [ ! -e $DIR/b ]; do sleep 0.02; done
`
	tests := []struct {
		name     string
		pid1     bool
		mountPID bool // through unshare --mount-proc
		grace    string
		byTERM   bool // pidns-init gets TERM instead of the program exiting by itself
		wantMark bool
		wantCode int
	}{
		{"PID 1, no grace", true, true, "", false, false, 5},
		{"PID 1", true, true, "5s", false, true, 5},
		{"PID 1, foreign /proc, on TERM", true, false, "5s", true, true, 6},
		{"subreaper", false, false, "5s", false, true, 5},
		{"subreaper, on TERM", false, false, "5s", true, true, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			script := "export DIR=" + dir + "\n" + descendants
			if tc.byTERM {
				script += "trap 'exit 6' TERM; touch $DIR/ready; while :; do sleep 0.02; done"
			} else {
				script += "exit 5"
			}
			var args []string
			if tc.grace != "" {
				args = append(args, "--grace", tc.grace)
			}
			args = append(args, "sh", "-c", script)
			var cmd *exec.Cmd
			if tc.mountPID {
				nstest.RequireRoot(t)
				cmd = exec.Command("/usr/bin/unshare", append([]string{"-fp", "--mount-proc", "--kill-child", nstest.Applet(t, "pidns-init")}, args...)...)
			} else {
				cmd = initCmd(t, tc.pid1, args...)
			}
			r := start(t, cmd)
			if tc.byTERM {
				waitFile(t, filepath.Join(dir, "ready"))
				cmd.Process.Signal(syscall.SIGTERM)
			}
			if _, code := r.finish(); code != tc.wantCode {
				t.Errorf("got status %d, want %d; stderr %q", code, tc.wantCode, r.errb.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "mark")); (err == nil) != tc.wantMark {
				t.Errorf("the TERM-trapping descendant's mark: got %v, want it written=%v", err, tc.wantMark)
			}
			if tc.pid1 {
				return // the kernel killed what was left with the namespace
			}
			requireGone(t, filepath.Join(dir, "b"), "the TERM-ignoring descendant")
		})
	}
}

// requireGone fails the test if the process whose PID is in pidFile still runs after the grace
// period (and kills it).
func requireGone(t *testing.T, pidFile, what string) {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if alive(pid) {
		unix.Kill(pid, unix.SIGKILL)
		t.Errorf("%s (%d) is alive after the grace period, want it killed", what, pid)
	}
}

// alive reports whether pid runs (a zombie does not count).
func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	stat := string(data)
	i := strings.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

// Rootless: as PID 1 of a PID namespace an unprivileged user made (in a user namespace),
// pidns-init reaps orphans, passes kill -TERM 1 on, and exits with the program's status.
func TestRootless(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	h := helper(t)
	tests := []struct {
		name   string
		script string
		want   int
	}{
		{"exit status", "exit 42", 42},
		{"orphans", h + " orphans 100 || exit 8; while grep -qs '^State:.Z' /proc/[0-9]*/status; do sleep 0.05; done; exit 0", 0},
		{"kill -TERM 1", "trap 'exit 3' TERM; kill -TERM 1; while :; do sleep 0.02; done", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("/usr/bin/unshare", "-Ufp", "--map-root-user", "--mount-proc", "--kill-child",
				nstest.Applet(t, "pidns-init"), "sh", "-c", tc.script)
			res := run(t, nstest.AsUser(cmd, uid, gid))
			if res.Code != tc.want {
				t.Errorf("got status %d, want %d; stderr %q", res.Code, tc.want, res.Stderr)
			}
		})
	}
}

// -p SIGNAL: when pidns-init's parent dies it gets SIGNAL, which it passes on (tini#213).
func TestPdeathsig(t *testing.T) {
	dir := t.TempDir()
	ready, mark := filepath.Join(dir, "ready"), filepath.Join(dir, "mark")
	program := `trap 'echo got > ` + mark + `; exit 0' USR1; touch ` + ready + `; while :; do sleep 0.02; done`
	// The parent starts pidns-init, waits until its program runs, and exits.
	parent := `"$0" -p USR1 sh -c "$1" & while [ ! -e ` + ready + ` ]; do sleep 0.02; done`
	res := run(t, exec.Command("sh", "-c", parent, nstest.Applet(t, "pidns-init"), program))
	if res.Code != 0 {
		t.Fatalf("parent: got status %d, want 0; stderr %q", res.Code, res.Stderr)
	}
	waitFile(t, mark)
	if data, _ := os.ReadFile(mark); string(data) != "got\n" {
		t.Errorf("the program's mark: got %q, want got", data)
	}
}

// Once the child runs, the init holds nothing of its parent's: it has moved to / (as dumb-init
// does) and closed the descriptors it inherited above 2 (as catatonit does), while the child
// keeps them. The reference inits are held to the half each of them does.
func TestReleasesInherited(t *testing.T) {
	nstest.RequireTool(t, "/usr/bin/catatonit")
	nstest.RequireTool(t, "/usr/bin/dumb-init")
	tests := []struct {
		name              string
		argv              []string
		wantCwd, wantFree bool
	}{
		{"pidns-init", []string{nstest.Applet(t, "pidns-init"), "--", "sleep", "600"}, true, true},
		{"catatonit", []string{"/usr/bin/catatonit", "--", "sleep", "600"}, false, true},
		{"dumb-init", []string{"/usr/bin/dumb-init", "--", "sleep", "600"}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			held := filepath.Join(dir, "held")
			f, err := os.Create(held)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cmd := nstest.Command(tc.argv[0], tc.argv[1:]...)
			cmd.Dir, cmd.ExtraFiles = dir, []*os.File{f} // fd 3, not close-on-exec
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
			init := cmd.Process.Pid
			child := waitChild(t, init)
			if !holds(t, child, held) {
				t.Errorf("the child does not hold %s (fd 3) it inherited", held)
			}
			deadline := time.Now().Add(timeout)
			for {
				cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", init))
				movedDone, freeDone := (cwd == "/") == tc.wantCwd, !holds(t, init, held) == tc.wantFree
				if movedDone && freeDone {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("cwd %q (want / %v), holds %s: %v (want released %v)", cwd, tc.wantCwd, held, holds(t, init, held), tc.wantFree)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// waitChild waits for the first child of pid to have exec'd sleep and returns its PID.
func waitChild(t *testing.T, pid int) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if fields := strings.Fields(string(data)); len(fields) > 0 {
			child, _ := strconv.Atoi(fields[0])
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child)); strings.TrimSpace(string(comm)) == "sleep" {
				return child
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d has no child running sleep after %v", pid, timeout)
	return 0
}

// holds reports whether process pid has path open.
func holds(t *testing.T, pid int, path string) bool {
	t.Helper()
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name())); target == path {
			return true
		}
	}
	return false
}
