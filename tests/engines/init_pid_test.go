//go:build linux

package engines

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// setLastPID makes the host's next PID come after n (/proc/sys/kernel/ns_last_pid).
func setLastPID(t *testing.T, n int) {
	t.Helper()
	if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(n)), 0); err != nil {
		t.Fatal(err)
	}
}

func pidMax(t *testing.T) int {
	data, err := os.ReadFile("/proc/sys/kernel/pid_max")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return n
}

// lowerThanInit lists the processes beside init (in its PID namespace) with a lower PID, and
// how many of them are zombies.
func lowerThanInit(t *testing.T, init int) (live, zombie int) {
	t.Helper()
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", init))
	if err != nil {
		t.Fatal(err)
	}
	for pid := 2; pid < init; pid++ {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); err != nil || l != want {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && strings.HasPrefix(string(stat[i:]), ") Z") {
			zombie++
		} else {
			live++
		}
	}
	return live, zombie
}

// TestInitNotLowestPID: after PIDs wrap, a later exec (and a zombie it leaves) can have lower
// PIDs than the container's init; --container still enters the init (its directory and
// environment, not the exec's). The test forces the order with ns_last_pid: the container is
// started at the top of the PID range, the exec at its bottom.
func TestInitNotLowestPID(t *testing.T) {
	engines(t)
	nsenter := nstest.Applet(t, "nsenter")
	image := env["NSBOX_ENGINES_IMAGE"]
	// the exec: its directory and environment differ from the init's; its child becomes a
	// zombie (sleep does not reap), also below the init
	execArgs := []string{"sh", "-c", "sleep 0 & exec sleep 3600"}
	cases := []struct {
		engine string
		start  func(t *testing.T) container
		exec   func(t *testing.T, c container)
	}{
		{"docker", func(t *testing.T) container {
			return startDocker(t, "nsbox-e-wrap", append([]string{image}, sleepArgs...)...)
		}, func(t *testing.T, c container) {
			must(t, env["NSBOX_ENGINES_DOCKER"], append([]string{"exec", "-d", "-w", "/tmp", "-e", "MARK=exec", c.id}, execArgs...)...)
		}},
		{"podman", func(t *testing.T) container {
			return startPodman(t, false, "nsbox-e-wrap", append([]string{image}, sleepArgs...)...)
		}, func(t *testing.T, c container) {
			must(t, "podman", append([]string{"exec", "-d", "-w", "/tmp", "-e", "MARK=exec", c.id}, execArgs...)...)
		}},
		{"runc", func(t *testing.T) container {
			return startRunc(t, "nsbox-e-wrap", "/docker", strings.Repeat("7a", 32), sleepArgs...)
		}, func(t *testing.T, c container) {
			cmd := exec.Command("runc", append([]string{"exec", "-d", "--cwd", "/tmp", "--env", "MARK=exec", c.name}, execArgs...)...)
			log, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
			if err != nil {
				t.Fatal(err)
			}
			defer log.Close()
			cmd.Stderr = log // a file: the detached process keeps it
			if err := cmd.Run(); err != nil {
				msg, _ := os.ReadFile(log.Name())
				t.Fatalf("runc exec: %v\n%s", err, msg)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.engine, func(t *testing.T) {
			var c container
			arranged := false
			for try := 0; try < 3 && !arranged; try++ {
				if c.remove != nil {
					c.remove()
				}
				setLastPID(t, pidMax(t)-3000)
				c = tc.start(t)
				setLastPID(t, 300)
				tc.exec(t, c)
				time.Sleep(300 * time.Millisecond) // the zombie's sleep 0
				live, zombie := lowerThanInit(t, c.pid)
				arranged = live >= 1 && zombie >= 1
			}
			if !arranged {
				t.Fatalf("%s: could not start an exec and a zombie below init %d", tc.engine, c.pid)
			}
			query := c.name
			if tc.engine == "runc" {
				query = c.id
			}
			res := nstest.Run(t, 30*time.Second, exec.Command(nsenter, "--container="+query, "-a", "-w", "-e",
				"sh", "-c", `echo "[$MARK]"; pwd`))
			if res.Code != 0 || res.Stdout != "[]\n/\n" {
				t.Errorf("nsenter --container=%s -a -w -e: %d %q (stderr %q), want the init's environment and directory %q",
					query, res.Code, res.Stdout, res.Stderr, "[]\n/\n")
			}
		})
	}
}
