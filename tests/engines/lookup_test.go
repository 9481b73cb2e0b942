//go:build linux

package engines

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// A lookup case: one container of one engine layout, the --container queries that must find
// it, and the CONTAINER column lsns must show for its namespaces. The subtests are named
// ENGINE/FEATURE so that each cell of README's engine table is one test.
type lookupCase struct {
	layout  string                       // README's row
	start   func(t *testing.T) container // starts it (removed by the test's cleanup)
	queries func(c container) map[string]string
	column  func(c container) string // lsns's CONTAINER for it
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func idQueries(c container) map[string]string {
	return map[string]string{"id": c.id, "prefix": short(c.id)}
}

func nameQueries(c container) map[string]string {
	q := idQueries(c)
	q["name"] = c.name
	return q
}

// dockerQueries adds docker's canonical "/NAME" and the RUNTIME: forms lsns prints.
func dockerQueries(c container) map[string]string {
	q := nameQueries(c)
	q["canonical-name"] = "/" + c.name
	q["runtime:name"] = "docker:" + c.name
	q["runtime:prefix"] = "docker:" + short(c.id)
	return q
}

func podmanQueries(c container) map[string]string {
	q := nameQueries(c)
	q["runtime:name"] = "podman:" + c.name
	return q
}

// image returns the suite's image and a command that keeps a container up.
func image(args ...string) []string {
	return append([]string{env["NSBOX_ENGINES_IMAGE"]}, args...)
}

// startPod starts a podman pod (its infra container runs the suite's pause image) and a
// container in it.
func startPod(t *testing.T) container {
	t.Helper()
	engines(t)
	must(t, "podman", "pod", "create", "--infra-image", env["NSBOX_ENGINES_PAUSE_IMAGE"], "--name", "nsbox-e-pod")
	t.Cleanup(func() { run(t, "podman", "pod", "rm", "-f", "-t", "0", "nsbox-e-pod") })
	return startPodman(t, false, "nsbox-e-inpod", append([]string{"--pod", "nsbox-e-pod"}, image(sleepArgs...)...)...)
}

var lookupCases = []lookupCase{
	{
		layout:  "docker",
		start:   func(t *testing.T) container { return startDocker(t, "nsbox-e-web", image(sleepArgs...)...) },
		queries: dockerQueries,
		column:  func(c container) string { return "docker:" + short(c.id) },
	},
	{
		layout: "docker --cgroup-parent",
		start: func(t *testing.T) container {
			return startDocker(t, "nsbox-e-cp", append([]string{"--cgroup-parent=/mygroup"}, image(sleepArgs...)...)...)
		},
		queries: dockerQueries,
		column:  func(c container) string { return "docker:" + short(c.id) },
	},
	{
		layout:  "podman",
		start:   func(t *testing.T) container { return startPodman(t, false, "nsbox-e-pweb", image(sleepArgs...)...) },
		queries: podmanQueries,
		column:  func(c container) string { return "podman:" + short(c.id) },
	},
	{
		layout:  "podman pod",
		start:   startPod,
		queries: podmanQueries,
		column:  func(c container) string { return "podman:" + short(c.id) },
	},
	{
		layout:  "podman rootless",
		start:   func(t *testing.T) container { return startPodman(t, true, "nsbox-e-rweb", image(sleepArgs...)...) },
		queries: podmanQueries,
		column:  func(c container) string { return "podman:" + short(c.id) },
	},
	{
		layout: "containerd (ctr)",
		start:  func(t *testing.T) container { return startCtr(t, "nsbox-e-ctr1", "/bin/sleep", "3600") },
		queries: func(c container) map[string]string {
			return map[string]string{"id": c.id, "prefix": "nsbox-e-ct", "name": "containerd:" + c.id}
		},
		column: func(c container) string { return "containerd:" + c.id },
	},
	{
		layout:  "Kubernetes pod (containerd CRI, crictl)",
		start:   startCRI,
		queries: idQueries,
		column:  func(c container) string { return "cri:" + short(c.id) },
	},
	{
		layout: "runc, docker-style cgroup",
		start: func(t *testing.T) container {
			return startRunc(t, "nsbox-e-runc-docker", "/docker", strings.Repeat("5e", 32), sleepArgs...)
		},
		queries: idQueries,
		column:  func(c container) string { return "docker:" + short(c.id) },
	},
	{
		layout: "runc, kubepods cgroup",
		start: func(t *testing.T) container {
			return startRunc(t, "nsbox-e-runc-kube", "/kubepods/besteffort/pod0a1b2c3d-0000-4000-8000-00000000beef",
				strings.Repeat("6b", 32), sleepArgs...)
		},
		queries: idQueries,
		column:  func(c container) string { return "cri:" + short(c.id) },
	},
}

// enteredLinks runs `nsenter --container=QUERY -a readlink /proc/self/ns/...` (the container's
// busybox sh and readlink) and returns what it printed, in nsLinks's form.
func enteredLinks(t *testing.T, nsenter, query string) (string, nstest.Result) {
	t.Helper()
	args := []string{"--container=" + query, "-a", "sh", "-c",
		"for k in mnt uts ipc net pid cgroup; do readlink /proc/self/ns/$k; done"}
	res := nstest.Run(t, 30*time.Second, exec.Command(nsenter, args...))
	return strings.Join(strings.Fields(res.Stdout), " "), res
}

// lsnsColumn is lsns's CONTAINER for the mount namespace of pid.
func lsnsColumn(t *testing.T, lsns string, pid int) string {
	t.Helper()
	res := nstest.Run(t, 30*time.Second, exec.Command(lsns, "-n", "-t", "mnt", "-o", "NS,CONTAINER", "-p", fmt.Sprint(pid)))
	if res.Code != 0 {
		t.Fatalf("lsns -p %d: exit %d: %s", pid, res.Code, res.Stderr)
	}
	f := strings.Fields(res.Stdout)
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

func TestLookup(t *testing.T) {
	engines(t)
	nsenter, lsns := nstest.Applet(t, "nsenter"), nstest.Applet(t, "lsns")
	for _, lc := range lookupCases {
		t.Run(lc.layout, func(t *testing.T) {
			c := lc.start(t)
			want := nsLinks(t, c.pid)
			queries := lc.queries(c)
			for _, feature := range []string{"id", "prefix", "name", "canonical-name", "runtime:name", "runtime:prefix"} {
				q, ok := queries[feature]
				if !ok {
					continue
				}
				t.Run(feature, func(t *testing.T) {
					got, res := enteredLinks(t, nsenter, q)
					if res.Code != 0 || got != want {
						t.Errorf("nsenter --container=%s -a readlink ... = %d %q (stderr %q), want 0 %q (the namespaces of init %d)",
							q, res.Code, got, res.Stderr, want, c.pid)
					}
				})
			}
			t.Run("column", func(t *testing.T) {
				if got, want := lsnsColumn(t, lsns, c.pid), lc.column(c); got != want {
					t.Errorf("lsns CONTAINER of %s's mount namespace = %q, want %q", c.engine, got, want)
				}
			})
		})
	}
}

// TestSeccomp runs nsbox inside a docker container under docker's default seccomp profile,
// which refuses unshare and setns: a plan that needs neither makes neither (`nsenter -t 1 -a`
// has nothing to enter there), and one that needs unshare fails as util-linux does.
func TestSeccomp(t *testing.T) {
	engines(t)
	bin := nstest.Binary(t)
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"nsenter", "-t", "1", "-a", "true"}, 0, ""},
		{[]string{"unshare", "-n", "true"}, 1, "unshare: unshare failed: Operation not permitted\n"},
	} {
		args := append([]string{"run", "--rm", "--network", "none", "--label", "nsbox-engines",
			"-v", bin + ":/nsbox:ro", "--entrypoint", "/nsbox", env["NSBOX_ENGINES_IMAGE"]}, tc.args...)
		res := run(t, env["NSBOX_ENGINES_DOCKER"], args...)
		if res.Code != tc.code || res.Stderr != tc.stderr {
			t.Errorf("docker run ... nsbox %s = %d %q, want %d %q", strings.Join(tc.args, " "), res.Code, res.Stderr, tc.code, tc.stderr)
		}
	}
}

// TestNamesUnreadable: a user who cannot read docker's records is told so, not "no such
// container".
func TestNamesUnreadable(t *testing.T) {
	engines(t)
	c := startDocker(t, "nsbox-e-private", image(sleepArgs...)...)
	uid, gid := nstest.Unprivileged(t)
	res := nstest.Run(t, 30*time.Second, nstest.AsUser(exec.Command(nstest.Applet(t, "nsenter"), "--container="+c.name, "-n", "true"), uid, gid))
	want := "nsenter: --container: " + c.name + ": cannot read " + env["NSBOX_ENGINES_DOCKER_DATA"] + "/containers: Permission denied\n"
	if res.Code != 1 || res.Stderr != want {
		t.Errorf("nsenter --container=%s as %s = %d %q, want 1 %q", c.name, nstest.TestUser, res.Code, res.Stderr, want)
	}
}
