//go:build linux

package discover

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// treeFixture is a set of fake containers, one of each layout the cgroup walk must resolve as
// the /proc scan does, every ID starting with this test process's own prefix (its PID) so that
// test runs side by side find only their own.
type treeFixture struct {
	prefix                      string // the prefix every ID shares (ambiguous)
	scope, v1, pod, task, par   string // IDs: docker scope (v2), docker cgroupfs (v1 only), podman with a sub-cgroup, containerd /NS/ID, --cgroup-parent
	split2, split1              string // one process: its v2 path names split2, its v1 path split1
	scopeInit, scopeExec, task1 int
}

func makeTreeFixture(t *testing.T) treeFixture {
	t.Helper()
	nstest.RequireRoot(t)
	v2, v1 := nstest.CgroupMount(t, "cgroup2", ""), nstest.CgroupMount(t, "cgroup", "pids")
	if v2 == "" || v1 == "" {
		nstest.Skip(t, "needs a cgroup2 mount and a cgroup v1 pids hierarchy (hybrid)")
	}
	dir := engineFixtures(t)
	p := fmt.Sprintf("%04x", os.Getpid()&0xffff)
	id := func(n int) string { return p + fmt.Sprintf("%02d%058x", n, os.Getpid()) }
	f := treeFixture{prefix: p, scope: id(10), v1: id(11), pod: id(12), par: id(14), split2: id(15), split1: id(16)}
	f.task = fmt.Sprintf("%s-task-%d", p, os.Getpid())
	ns := fmt.Sprintf("nsbox-tree-%d", os.Getpid())
	docker := filepath.Join(dir, "docker", "containers")

	// docker, systemd driver: the init and a later exec in one scope; recorded without a PID
	write(t, filepath.Join(docker, f.scope, "config.v2.json"), `{"Name":"/tree-scope"}`)
	f.scopeInit = nstest.FakeContainer(t, v2, "nsbox-test.slice/docker-"+f.scope+".scope")
	time.Sleep(20 * time.Millisecond) // a later start time than the init's
	f.scopeExec = nstest.UnshareTarget(t, nil)
	nstest.JoinCgroup(t, filepath.Join(v2, "nsbox-test.slice/docker-"+f.scope+".scope"), f.scopeExec)
	// docker, cgroupfs driver, in a v1 hierarchy only: the v2 line does not name it
	write(t, filepath.Join(docker, f.v1, "config.v2.json"), `{"Name":"/tree-v1"}`)
	nstest.FakeContainer(t, v1, "nsbox-test/docker/"+f.v1)
	// podman: its processes in a sub-cgroup of the scope, recorded with a name
	write(t, filepath.Join(dir, "storage", "overlay-containers", "containers.json"), `[{"id":"`+f.pod+`","names":["tree-pod"]}]`)
	nstest.FakeContainer(t, v2, "nsbox-test.slice/libpod-"+f.pod+".scope/container")
	// containerd (ctr run): /NAMESPACE/ID, any ID, known by its task
	f.task1 = nstest.FakeContainer(t, v2, ns+"/"+f.task)
	write(t, filepath.Join(dir, "containerd", ns, f.task, "init.pid"), fmt.Sprint(f.task1))
	// docker --cgroup-parent: a path of no engine, the runtime from the record
	write(t, filepath.Join(docker, f.par, "config.v2.json"), `{"Name":"/tree-parent"}`)
	nstest.FakeContainer(t, v2, "nsbox-tree-parent-"+p+"/"+f.par)
	// one process in two containers' cgroups: the v2 line's wins, split1 has no process
	split1 := nstest.FakeContainerCgroup(t, v1, "nsbox-test/docker/"+f.split1) // removed after the process is gone
	nstest.JoinCgroup(t, split1, nstest.FakeContainer(t, v2, "nsbox-test.slice/docker-"+f.split2+".scope"))
	return f
}

// TestTreeMatchesScan is the differential test: for every kind of query, the cgroup walk
// (treeContainers) returns exactly what the scan of every process's cgroup (scanContainers)
// returns, matches and inits, and finds what it should.
func TestTreeMatchesScan(t *testing.T) {
	f := makeTreeFixture(t)
	state := readEngineState()
	tests := []struct {
		query string
		want  int // how many matches
	}{
		{f.scope, 1}, {f.v1, 1}, {f.pod, 1}, {f.task, 1}, {f.par, 1}, {f.split2, 1},
		{f.scope[:12], 1}, {f.v1[:12], 1}, {f.pod[:7], 1}, {f.par[:12], 1}, {f.task[:6], 1},
		{f.prefix, 6}, {f.prefix + "1", 5}, // ambiguous: every fake, every hex fake
		{"docker:" + f.prefix, 4}, {"podman:" + f.prefix, 1}, {"containerd:" + f.prefix, 1},
		{"cri:" + f.prefix, 0}, {"container:" + f.prefix, 0}, {"docker:" + f.scope[:12], 1},
		{"tree-scope", 1}, {"/tree-scope", 1}, {"docker:tree-v1", 1}, {"tree-pod", 1},
		{"podman:tree-scope", 0}, {"tree-parent", 1}, {f.task, 1},
		{f.split1, 0}, {f.split1[:13], 0}, {"tree-none", 0},
	}
	for _, tc := range tests {
		q := parseContainerQuery(tc.query)
		tree, ok := treeContainers(state, q)
		scan, err := scanContainers(state, q)
		if !ok || err != nil {
			t.Errorf("%s: tree ok %v, scan error %v", tc.query, ok, err)
			continue
		}
		sortMatches(tree)
		sortMatches(scan)
		if !reflect.DeepEqual(tree, scan) {
			t.Errorf("%s: tree %+v, scan %+v", tc.query, tree, scan)
		}
		if len(tree) != tc.want {
			t.Errorf("%s: %d matches %+v, want %d", tc.query, len(tree), tree, tc.want)
		}
	}
	// the inits: the oldest of the scope's two processes, the task's recorded one
	for q, want := range map[string]int{f.scope: f.scopeInit, f.task: f.task1} {
		if got, _ := treeContainers(state, parseContainerQuery(q)); len(got) != 1 || got[0].InitPID != want {
			t.Errorf("%s: %+v, want init %d", q, got, want)
		}
	}
}

func sortMatches(ms []ContainerMatch) {
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
}

// TestTreeFallback: FindContainers answers a prefix from the walk without the full scan, and
// takes the full scan, with the same result, when the walk finds nothing (a tree with no
// containers) or cannot tell (no usable hierarchy).
func TestTreeFallback(t *testing.T) {
	f := makeTreeFixture(t)
	scans := 0
	saved, savedHier := fullScan, cgroupHierarchies
	fullScan = func(s *engineState, q containerQuery) ([]ContainerMatch, error) {
		scans++
		return scanContainers(s, q)
	}
	t.Cleanup(func() { fullScan, cgroupHierarchies = saved, savedHier })
	query := f.scope[:12]
	want, err := FindContainers(query)
	if err != nil || len(want) != 1 || want[0].ID != f.scope || want[0].InitPID != f.scopeInit {
		t.Fatalf("FindContainers(%s) = %+v, %v; want %s, init %d", query, want, err, f.scope, f.scopeInit)
	}
	if scans != 0 {
		t.Errorf("FindContainers(%s) scanned /proc %d times; want the walk alone", query, scans)
	}
	empty := t.TempDir()
	for name, hier := range map[string]func() ([]string, bool){
		"the walk finds nothing": func() ([]string, bool) { return []string{empty}, true },
		"the walk cannot tell":   func() ([]string, bool) { return nil, false },
	} {
		scans = 0
		cgroupHierarchies = hier
		got, err := FindContainers(query)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: FindContainers(%s) = %+v, %v; want %+v", name, query, got, err, want)
		}
		if scans != 1 {
			t.Errorf("%s: %d full scans, want 1", name, scans)
		}
	}
	// no match at all: the scan runs, and the message is the scan's
	cgroupHierarchies = savedHier
	scans = 0
	if _, err := FindContainers(f.split1[:12]); err == nil || err.Error() != f.split1[:12]+": no such container" || scans != 1 {
		t.Errorf("FindContainers(%s): %v after %d full scans; want no such container after 1", f.split1[:12], err, scans)
	}
}

// TestCgroupHierarchies: on this host every hierarchy of /proc/self/cgroup is found mounted.
func TestCgroupHierarchies(t *testing.T) {
	mounts, ok := cgroupHierarchies()
	if !ok || len(mounts) == 0 {
		t.Fatalf("cgroupHierarchies() = %v, %v", mounts, ok)
	}
	for _, m := range mounts {
		if _, err := os.Stat(filepath.Join(m, "cgroup.procs")); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
}
