//go:build linux

package engines

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// An init is one way of running a container's PID 1 in an engine: nsbox under the engine's own
// init name (docker run --init with dockerd's --init-path at nsbox; podman run --init
// --init-path), or tini or catatonit, the engines' defaults, for comparison.
type initCase struct {
	engine, init string
	// args are the `run` options and image that make the init run PROGRAM (appended after).
	args func() []string
}

func initCases() []initCase {
	image := env["NSBOX_ENGINES_IMAGE"]
	mounted := func(path, at string) []string {
		return []string{"-v", path + ":" + at + ":ro", "--entrypoint", at, image, "--"}
	}
	return []initCase{
		// dockerd runs with --init-path at a copy of nsbox (scripts/engines): /sbin/docker-init.
		{"docker", "nsbox", func() []string { return []string{"--init", image} }},
		{"docker", "tini", func() []string { return mounted("/usr/bin/tini-static", "/sbin/tini") }},
		{"docker", "catatonit", func() []string { return mounted("/usr/bin/catatonit", "/sbin/catatonit") }},
		{"podman", "nsbox", func() []string { return []string{"--init", "--init-path", env["NSBOX_ENGINES_INIT"], image} }},
		{"podman", "tini", func() []string { return []string{"--init", "--init-path", "/usr/bin/tini-static", image} }},
		{"podman", "catatonit", func() []string { return []string{"--init", "--init-path", "/usr/bin/catatonit", image} }},
	}
}

// engineCommand is the engine's client: docker.io's (another docker may be first on PATH) or
// podman.
func engineCommand(engine string) string {
	if engine == "docker" {
		return env["NSBOX_ENGINES_DOCKER"]
	}
	return "podman"
}

// runOptions are the options every test container gets, before the init's.
func runOptions(engine, name string) []string {
	opts := []string{"--label", "nsbox-engines", "--name", name}
	if engine == "docker" {
		opts = append(opts, "--network", "none")
	}
	return opts
}

func removeContainer(t *testing.T, engine, name string) {
	args := []string{"rm", "-f", name}
	if engine == "podman" {
		args = append(args, "-t", "0") // no ten seconds' wait on a PID 1 that ignores SIGTERM
	}
	nstest.Run(t, time.Minute, exec.Command(engineCommand(engine), args...))
}

// TestInitExitStatus: `run --rm` passes on the program's exit status through each init.
func TestInitExitStatus(t *testing.T) {
	engines(t)
	for _, ic := range initCases() {
		for _, code := range []int{0, 3} {
			t.Run(fmt.Sprintf("%s/%s/exit%d", ic.engine, ic.init, code), func(t *testing.T) {
				name := fmt.Sprintf("nsbox-e-exit-%s-%s", ic.engine, ic.init)
				args := append([]string{"run", "--rm"}, runOptions(ic.engine, name)...)
				args = append(append(args, ic.args()...), "sh", "-c", fmt.Sprintf("exit %d", code))
				t.Cleanup(func() { removeContainer(t, ic.engine, name) })
				res := nstest.Run(t, 2*time.Minute, exec.Command(engineCommand(ic.engine), args...))
				if res.Code != code {
					t.Errorf("%s run --init ... sh -c 'exit %d' with %s = %d, want %d\n%s", ic.engine, code, ic.init, res.Code, code, res.Stderr)
				}
			})
		}
	}
}

// zombies counts the zombies in the PID namespace of pid (cgroup.procs and `docker top` do not
// list them).
func zombies(t *testing.T, pid int) int {
	t.Helper()
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if l, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err != nil || l != want {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i:]), ") Z") {
			n++
		}
	}
	return n
}

// orphans makes two orphans that die at once; PID 1 has to reap them.
var orphans = []string{"sh", "-c", "(sleep 0.1 &); (sleep 0.1 &); exec sleep 3600"}

func inspectPid(t *testing.T, engine, name string) int {
	t.Helper()
	pid, err := strconv.Atoi(must(t, engineCommand(engine), "inspect", "-f", "{{.State.Pid}}", name))
	if err != nil || pid <= 0 {
		t.Fatalf("%s inspect %s: no PID (%v)", engine, name, err)
	}
	return pid
}

// waitZombies waits up to two seconds for the number of zombies beside pid to become want, and
// returns the last count.
func waitZombies(t *testing.T, pid, want int) int {
	var n int
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n = zombies(t, pid); n == want {
			break
		}
	}
	return n
}

// TestInitReapsAndStops: each init reaps orphans, and `stop` ends the container with 143
// (SIGTERM passed to the program) about as fast as tini and catatonit do.
func TestInitReapsAndStops(t *testing.T) {
	engines(t)
	// Without an init, the orphans stay zombies: the check below can fail.
	for _, engine := range []string{"docker", "podman"} {
		name := "nsbox-e-noinit-" + engine
		args := append(append([]string{"run", "-d"}, runOptions(engine, name)...), env["NSBOX_ENGINES_IMAGE"])
		must(t, engineCommand(engine), append(args, orphans...)...)
		t.Cleanup(func() { removeContainer(t, engine, name) })
		if n := waitZombies(t, inspectPid(t, engine, name), 2); n != 2 {
			t.Fatalf("%s without --init: %d zombies, want 2 (the test's orphans)", engine, n)
		}
	}
	stopTimes := map[string]time.Duration{}
	for _, ic := range initCases() {
		t.Run(ic.engine+"/"+ic.init, func(t *testing.T) {
			name := fmt.Sprintf("nsbox-e-stop-%s-%s", ic.engine, ic.init)
			args := append(append([]string{"run", "-d"}, runOptions(ic.engine, name)...), ic.args()...)
			must(t, engineCommand(ic.engine), append(args, orphans...)...)
			t.Cleanup(func() { removeContainer(t, ic.engine, name) })
			if n := waitZombies(t, inspectPid(t, ic.engine, name), 0); n != 0 {
				t.Errorf("%s with %s as init: %d zombies, want 0", ic.engine, ic.init, n)
			}
			start := time.Now()
			must(t, engineCommand(ic.engine), "stop", "-t", "10", name)
			took := time.Since(start)
			stopTimes[ic.engine+"/"+ic.init] = took
			code := must(t, engineCommand(ic.engine), "inspect", "-f", "{{.State.ExitCode}}", name)
			if code != "143" {
				t.Errorf("%s stop with %s as init: exit status %s, want 143", ic.engine, ic.init, code)
			}
			t.Logf("%s stop with %s as init: %v", ic.engine, ic.init, took.Round(time.Millisecond))
		})
	}
	for _, engine := range []string{"docker", "podman"} {
		ours := stopTimes[engine+"/nsbox"]
		slowest := max(stopTimes[engine+"/tini"], stopTimes[engine+"/catatonit"])
		if ours == 0 || slowest == 0 {
			continue // a subtest failed and said why
		}
		if ours > 2*slowest+500*time.Millisecond {
			t.Errorf("%s stop with nsbox as init took %v, tini and catatonit at most %v", engine, ours, slowest)
		}
	}
}

// TestInitCtrlC: in `run -it`, Ctrl-C reaches the program (in the terminal's foreground) and
// the container's status is 130, with every init. script(1) gives the client its terminal.
func TestInitCtrlC(t *testing.T) {
	engines(t)
	nstest.RequireTool(t, "/usr/bin/script")
	for _, ic := range initCases() {
		t.Run(ic.engine+"/"+ic.init, func(t *testing.T) {
			name := fmt.Sprintf("nsbox-e-tty-%s-%s", ic.engine, ic.init)
			args := append(append([]string{"run", "--rm", "-it"}, runOptions(ic.engine, name)...), ic.args()...)
			args = append(args, "sleep", "3600")
			t.Cleanup(func() { removeContainer(t, ic.engine, name) })
			line := engineCommand(ic.engine)
			for _, a := range args {
				line += " '" + a + "'"
			}
			cmd := exec.Command("script", "-qfec", line, "/dev/null")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			defer func() {
				if cmd.ProcessState == nil {
					cmd.Process.Kill()
					<-done
				}
			}()
			if !waitSleeping(ic.engine, name, 60*time.Second) {
				t.Fatalf("%s: the container's sleep did not start\n%s", ic.engine, out.String())
			}
			io.WriteString(stdin, "\x03")
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s with %s as init: Ctrl-C did not end the container\n%s", ic.engine, ic.init, out.String())
			}
			if code := nstest.ExitCode(cmd.ProcessState); code != 130 {
				t.Errorf("%s run -it with %s as init, Ctrl-C: exit %d, want 130\n%s", ic.engine, ic.init, code, out.String())
			}
		})
	}
}

// waitSleeping waits for the container name to run sleep (under its init).
func waitSleeping(engine, name string, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, err := exec.Command(engineCommand(engine), "inspect", "-f", "{{.State.Pid}}", name).Output()
		pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		if err != nil || pid <= 0 {
			continue
		}
		children, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		for _, c := range children {
			kids, _ := os.ReadFile(c)
			for _, k := range strings.Fields(string(kids)) {
				if comm, _ := os.ReadFile("/proc/" + k + "/comm"); strings.TrimSpace(string(comm)) == "sleep" {
					return true
				}
			}
		}
	}
	return false
}

// TestCopyIn checks README's ways of putting nsbox into a container: copied through
// /proc/PID/root to /tmp (docker) or /run (podman's exec tmpfs), not /dev/shm (noexec in both);
// bind-mounted at start into a --read-only container.
func TestCopyIn(t *testing.T) {
	engines(t)
	bin := nstest.Binary(t)
	image := env["NSBOX_ENGINES_IMAGE"]
	for _, tc := range []struct {
		engine, dir string
		code        int
	}{
		{"docker", "/tmp", 0},
		{"docker", "/dev/shm", 126},
		{"podman", "/run", 0},
		{"podman", "/dev/shm", 126},
	} {
		t.Run(tc.engine+tc.dir, func(t *testing.T) {
			name := "nsbox-e-copy-" + tc.engine
			args := append(append([]string{"run", "-d"}, runOptions(tc.engine, name)...), image, "sleep", "3600")
			must(t, engineCommand(tc.engine), args...)
			t.Cleanup(func() { removeContainer(t, tc.engine, name) })
			pid := inspectPid(t, tc.engine, name)
			data, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(fmt.Sprintf("/proc/%d/root%s/nsbox", pid, tc.dir), data, 0o755); err != nil {
				t.Fatal(err)
			}
			res := run(t, engineCommand(tc.engine), "exec", name, tc.dir+"/nsbox", "lsns", "-t", "net")
			if res.Code != tc.code {
				t.Errorf("%s exec %s/nsbox lsns = %d, want %d\n%s", tc.engine, tc.dir, res.Code, tc.code, res.Stderr)
			}
		})
	}
	t.Run("docker--read-only", func(t *testing.T) {
		name := "nsbox-e-ro"
		args := append([]string{"run", "--rm", "--read-only"}, runOptions("docker", name)...)
		args = append(args, "-v", bin+":/nsbox:ro", "--entrypoint", "/nsbox", image, "lsns", "-t", "mnt")
		t.Cleanup(func() { removeContainer(t, "docker", name) })
		if res := run(t, engineCommand("docker"), args...); res.Code != 0 || !strings.Contains(res.Stdout, "mnt") {
			t.Errorf("docker run --read-only -v nsbox:/nsbox:ro --entrypoint /nsbox IMAGE lsns = %d %q\n%s", res.Code, res.Stdout, res.Stderr)
		}
	})
}
