//go:build linux

// Package engines tests nsbox against the real container engines of this machine: runc,
// docker, rootful and rootless podman (and podman pods) and containerd's ctr, installed from
// Debian's packages and started by scripts/engines, which also removes everything the tests
// made when they end. Every container a test makes is named nsbox-e-* and labelled
// nsbox-engines, and is removed by the test that made it.
package engines

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// env is what `scripts/engines env` prints: NSBOX_ENGINES_* and podman's configuration files.
var env = map[string]string{}

// lockPath serialises the test processes that use the engines.
const lockPath = "/run/lock/nsbox-engines.lock"

var (
	upOnce sync.Once
	upErr  error
	wentUp bool
)

func script() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "scripts/engines"
	}
	return filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), "scripts", "engines")
}

// engines brings the engines up once per test process (scripts/engines up); a test that cannot
// have them skips, and fails under CI=true.
func engines(t *testing.T) {
	t.Helper()
	nstest.RequireRoot(t)
	bin := nstest.Binary(t)
	upOnce.Do(func() {
		// One test process at a time has the engines (other worktrees run this suite too):
		// the lock is held until the process exits, after down.
		lock, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
		if err == nil {
			err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX)
		}
		if err != nil {
			upErr = fmt.Errorf("lock %s: %w", lockPath, err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		// Files, not pipes: daemons and rootless podman's pause process outlive the script.
		dir, err := os.MkdirTemp("", "nsbox-engines-up")
		if err != nil {
			upErr = err
			return
		}
		defer os.RemoveAll(dir)
		stdout, err1 := os.Create(filepath.Join(dir, "stdout"))
		stderr, err2 := os.Create(filepath.Join(dir, "stderr"))
		if err1 != nil || err2 != nil {
			upErr = fmt.Errorf("%v %v", err1, err2)
			return
		}
		defer stdout.Close()
		defer stderr.Close()
		cmd := exec.CommandContext(ctx, script(), "up")
		cmd.Env = append(os.Environ(), "NSBOX_BIN="+bin)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		err = cmd.Run()
		wentUp = true
		if err != nil {
			msg, _ := os.ReadFile(stderr.Name())
			upErr = fmt.Errorf("scripts/engines up: %v\n%s", err, msg)
			return
		}
		out, _ := os.ReadFile(stdout.Name())
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				env[k] = v
			}
		}
		// podman and crictl read their configuration from the environment.
		for _, k := range []string{"CONTAINERS_CONF", "CONTAINERS_STORAGE_CONF", "CONTAINER_RUNTIME_ENDPOINT", "IMAGE_SERVICE_ENDPOINT"} {
			os.Setenv(k, env[k])
		}
	})
	if upErr != nil {
		nstest.Skip(t, upErr.Error())
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if wentUp && os.Getenv("NSBOX_ENGINES_KEEP") == "" {
		cmd := exec.Command(script(), "down")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "scripts/engines down: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// run runs a command to its end within a minute and returns what it did.
func run(t *testing.T, name string, args ...string) nstest.Result {
	t.Helper()
	return nstest.Run(t, time.Minute, exec.Command(name, args...))
}

// must runs a command that has to succeed and returns its trimmed standard output.
func must(t *testing.T, name string, args ...string) string {
	t.Helper()
	res := run(t, name, args...)
	if res.Code != 0 {
		t.Fatalf("%s %s: exit %d\n%s%s", name, strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
	}
	return strings.TrimSpace(res.Stdout)
}

// rootless returns a command run as the rootless podman user, in its environment.
func rootless(name string, args ...string) *exec.Cmd {
	cmd := exec.Command("setpriv", append([]string{"--reuid=" + env["NSBOX_ENGINES_USER"],
		"--regid=" + env["NSBOX_ENGINES_USER"], "--clear-groups", "env", "-i",
		"HOME=/home/" + env["NSBOX_ENGINES_USER"], "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		"XDG_RUNTIME_DIR=" + env["NSBOX_ENGINES_XDG_RUNTIME_DIR"],
		"CONTAINERS_CONF=" + env["CONTAINERS_CONF"],
		"CONTAINERS_STORAGE_CONF=" + env["NSBOX_ENGINES_ROOTLESS_STORAGE_CONF"], name}, args...)...)
	cmd.Dir = "/"
	// A podman command may start the user's pause process, which keeps its standard streams.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// container is one the tests started, with what the engine says about it.
type container struct {
	engine string // docker, podman, podman-rootless, ctr, runc
	id     string // full ID
	name   string // the engine's name for it ("" for runc and ctr, whose ID is the name)
	pid    int    // its init's PID, as the engine reports it
	remove func()
}

// startDocker runs `docker run -d` with args (options, then image and command).
func startDocker(t *testing.T, name string, args ...string) container {
	t.Helper()
	engines(t)
	docker := env["NSBOX_ENGINES_DOCKER"]
	all := append([]string{"run", "-d", "--network", "none", "--label", "nsbox-engines", "--name", name}, args...)
	id := must(t, docker, all...)
	c := container{engine: "docker", id: id, name: name}
	c.remove = func() { run(t, docker, "rm", "-f", id) }
	t.Cleanup(c.remove)
	c.pid, _ = strconv.Atoi(must(t, docker, "inspect", "-f", "{{.State.Pid}}", id))
	return c
}

// startPodman runs `podman run -d` (as the rootless user when rootless).
func startPodman(t *testing.T, rootlessUser bool, name string, args ...string) container {
	t.Helper()
	engines(t)
	podman := func(a ...string) *exec.Cmd { return exec.Command("podman", a...) }
	c := container{engine: "podman", name: name}
	if rootlessUser {
		podman = func(a ...string) *exec.Cmd { return rootless("podman", a...) }
		c.engine = "podman-rootless"
	}
	all := append([]string{"run", "-d", "--label", "nsbox-engines", "--name", name}, args...)
	res := nstest.Run(t, 2*time.Minute, podman(all...))
	if res.Code != 0 {
		t.Fatalf("podman %s: exit %d\n%s", strings.Join(all, " "), res.Code, res.Stderr)
	}
	c.id = strings.TrimSpace(res.Stdout)
	c.remove = func() { nstest.Run(t, time.Minute, podman("rm", "-f", "-t", "0", c.id)) }
	t.Cleanup(c.remove)
	res = nstest.Run(t, time.Minute, podman("inspect", "-f", "{{.State.Pid}}", c.id))
	c.pid, _ = strconv.Atoi(strings.TrimSpace(res.Stdout))
	return c
}

// startCtr runs `ctr run -d --rootfs` in the suite's containerd namespace; its cgroup is
// /NAMESPACE/ID.
func startCtr(t *testing.T, id string, args ...string) container {
	t.Helper()
	engines(t)
	ns := env["NSBOX_ENGINES_CTRNS"]
	all := append([]string{"-n", ns, "run", "-d", "--rootfs", env["NSBOX_ENGINES_ROOTFS"], id}, args...)
	must(t, "ctr", all...)
	c := container{engine: "ctr", id: id}
	c.remove = func() {
		run(t, "ctr", "-n", ns, "tasks", "kill", "-s", "SIGKILL", id)
		for i := 0; i < 50 && run(t, "ctr", "-n", ns, "tasks", "delete", id).Code != 0; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		run(t, "ctr", "-n", ns, "containers", "delete", id)
	}
	t.Cleanup(c.remove)
	data, err := os.ReadFile(filepath.Join("/run/containerd/io.containerd.runtime.v2.task", ns, id, "init.pid"))
	if err != nil {
		t.Fatal(err)
	}
	c.pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	return c
}

// startCRI makes a Kubernetes pod through containerd's CRI plugin with crictl (host network, so
// no CNI; cgroupfs parent /kubepods/besteffort/pod<uid>, as the kubelet gives it) and starts a
// container in it.
func startCRI(t *testing.T) container {
	t.Helper()
	engines(t)
	crictl := env["NSBOX_ENGINES_CRICTL"]
	dir := t.TempDir()
	uid := "0a1b2c3d-0000-4000-8000-0000000c0ffe"
	pod := filepath.Join(dir, "pod.json")
	ctr := filepath.Join(dir, "container.json")
	writeJSON(t, pod, map[string]any{
		"metadata": map[string]any{"name": "nsbox-e-kube", "namespace": "default", "uid": uid},
		"linux": map[string]any{"cgroup_parent": "/kubepods/besteffort/pod" + uid,
			"security_context": map[string]any{"namespace_options": map[string]any{"network": 2}}},
	})
	writeJSON(t, ctr, map[string]any{
		"metadata": map[string]any{"name": "web"},
		"image":    map[string]any{"image": env["NSBOX_ENGINES_PAUSE_IMAGE"]},
		"command":  []string{"/bin/sleep", "3600"},
	})
	podID := must(t, crictl, "runp", pod)
	t.Cleanup(func() { run(t, crictl, "rmp", "-f", podID) })
	id := must(t, crictl, "create", podID, ctr, pod)
	must(t, crictl, "start", id)
	c := container{engine: "cri", id: id, remove: func() { run(t, crictl, "rm", "-f", id) }}
	t.Cleanup(c.remove)
	data, err := os.ReadFile(filepath.Join("/run/containerd/io.containerd.runtime.v2.task/k8s.io", id, "init.pid"))
	if err != nil {
		t.Fatal(err)
	}
	c.pid, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	return c
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err == nil {
		err = os.WriteFile(path, data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// startRunc runs runc alone (`runc run -d`) as runcID, with the suite's root file system,
// read-only, in the cgroup cgroupsPath/id, running args.
func startRunc(t *testing.T, runcID, cgroupsPath, id string, args ...string) container {
	t.Helper()
	engines(t)
	bundle := t.TempDir()
	must(t, "runc", "spec", "--bundle", bundle)
	specPath := filepath.Join(bundle, "config.json")
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	spec["root"] = map[string]any{"path": env["NSBOX_ENGINES_ROOTFS"], "readonly": true}
	process := spec["process"].(map[string]any)
	process["terminal"] = false
	process["args"] = args
	linux := spec["linux"].(map[string]any)
	linux["cgroupsPath"] = cgroupsPath + "/" + id
	if data, err = json.Marshal(spec); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(specPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// Detached, the container keeps runc's standard streams: /dev/null and a file, never a
	// pipe the test would wait on.
	cmd := exec.Command("runc", "run", "-d", "--bundle", bundle, runcID)
	logPath := filepath.Join(bundle, "stderr")
	stderr, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	err = cmd.Run()
	stderr.Close()
	if err != nil {
		msg, _ := os.ReadFile(logPath)
		t.Fatalf("runc run %s: %v\n%s", runcID, err, msg)
	}
	c := container{engine: "runc", id: id, name: runcID}
	c.remove = func() { run(t, "runc", "delete", "-f", runcID) }
	t.Cleanup(c.remove)
	var state struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal([]byte(must(t, "runc", "state", runcID)), &state); err != nil {
		t.Fatal(err)
	}
	c.pid = state.Pid
	return c
}

// nsLinks reads the namespace links of pid that -a enters, as "mnt:[4026531841] net:[...]".
func nsLinks(t *testing.T, pid int) string {
	t.Helper()
	var links []string
	for _, kind := range []string{"mnt", "uts", "ipc", "net", "pid", "cgroup"} {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, kind))
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	return strings.Join(links, " ")
}

// sleepArgs is the command of a container that stays up for the test.
var sleepArgs = []string{"sleep", "3600"}
