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

var lookupCases = []lookupCase{
	{
		layout: "docker",
		start: func(t *testing.T) container {
			return startDocker(t, "nsbox-e-web", append([]string{env["NSBOX_ENGINES_IMAGE"]}, sleepArgs...)...)
		},
		queries: idQueries,
		column:  func(c container) string { return "docker:" + short(c.id) },
	},
	{
		layout: "podman",
		start: func(t *testing.T) container {
			return startPodman(t, false, "nsbox-e-pweb", append([]string{env["NSBOX_ENGINES_IMAGE"]}, sleepArgs...)...)
		},
		queries: idQueries,
		column:  func(c container) string { return "podman:" + short(c.id) },
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
			for _, feature := range []string{"id", "prefix", "name"} {
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
