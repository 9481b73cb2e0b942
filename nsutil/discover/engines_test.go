//go:build linux

package discover

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// engineFixtures points every engine state location at an empty directory of the test (and a
// fake /proc for command lines, unless the test needs the real one) and returns it; the
// engines' records are read afresh.
func engineFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	saved := []struct {
		p   *string
		val string
	}{
		{&dockerPIDFile, filepath.Join(dir, "docker.pid")},
		{&dockerDaemonJSON, filepath.Join(dir, "daemon.json")},
		{&dockerDefaultRoot, filepath.Join(dir, "docker")},
		{&podmanStorageConf, filepath.Join(dir, "storage.conf")},
	}
	for i := range saved {
		old := *saved[i].p
		*saved[i].p = saved[i].val
		p := saved[i].p
		t.Cleanup(func() { *p = old })
	}
	oldTasks, oldStores := containerdTaskDirs, podmanStores
	containerdTaskDirs = []string{filepath.Join(dir, "containerd")}
	podmanStores = []podmanStore{{filepath.Join(dir, "storage"), filepath.Join(dir, "runstorage")}}
	resetHostState()
	t.Cleanup(func() {
		containerdTaskDirs, podmanStores = oldTasks, oldStores
		resetHostState()
	})
	return dir
}

func resetHostState() {
	hostStateVal = nil
	hostStateOnce = sync.Once{}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDockerDataRoot: dockerd's --data-root (and -g), its --config-file's data-root, daemon.json,
// the default. (tests/engines runs a dockerd with --config-file.)
func TestDockerDataRoot(t *testing.T) {
	dir := engineFixtures(t)
	write(t, filepath.Join(dir, "other.json"), `{"data-root": "/srv/from-config-file"}`)
	tests := []struct {
		args []string
		json string // /etc/docker/daemon.json, "" for none
		want string
	}{
		{[]string{"dockerd", "--data-root", "/srv/a"}, "", "/srv/a"},
		{[]string{"dockerd", "--data-root=/srv/b", "--iptables=false"}, "", "/srv/b"},
		{[]string{"dockerd", "-g", "/srv/c"}, `{"data-root": "/srv/ignored"}`, "/srv/c"},
		{[]string{"dockerd", "--config-file", filepath.Join(dir, "other.json")}, `{"data-root": "/srv/ignored"}`, "/srv/from-config-file"},
		{[]string{"dockerd", "--config-file=" + filepath.Join(dir, "other.json")}, "", "/srv/from-config-file"},
		{[]string{"dockerd"}, `{"data-root": "/srv/daemon-json"}`, "/srv/daemon-json"},
		{[]string{"dockerd"}, `{"graph": "/srv/old-graph"}`, "/srv/old-graph"},
		{[]string{"dockerd"}, "", dockerDefaultRoot},
	}
	for _, tc := range tests {
		os.Remove(dockerDaemonJSON)
		if tc.json != "" {
			write(t, dockerDaemonJSON, tc.json)
		}
		var r stateReader
		if got := r.dockerDataRootOf(tc.args); got != tc.want {
			t.Errorf("dockerd %q, daemon.json %q: data root %q, want %q", tc.args, tc.json, got, tc.want)
		}
	}
}

const (
	idA = "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111"
	idB = "bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222"
	idC = "cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333"
)

// TestEngineRecords: docker's config.v2.json (running or not), podman's overlay and vfs
// containers.json with their pidfiles, containerd's init.pid in every namespace, conmon's
// command line.
func TestEngineRecords(t *testing.T) {
	dir := engineFixtures(t)
	write(t, filepath.Join(dir, "docker", "containers", idA, "config.v2.json"),
		`{"Name":"/web","State":{"Running":true,"Pid":4242}}`)
	write(t, filepath.Join(dir, "docker", "containers", idB, "config.v2.json"),
		`{"Name":"/stopped","State":{"Running":false,"Pid":0}}`)
	write(t, filepath.Join(dir, "storage", "overlay-containers", "containers.json"),
		`[{"id":"`+idC+`","names":["pweb"]}]`)
	write(t, filepath.Join(dir, "runstorage", "overlay-containers", idC, "userdata", "pidfile"), "5353")
	vfsID := strings.Repeat("d", 64)
	write(t, filepath.Join(dir, "storage", "vfs-containers", "containers.json"), `[{"id":"`+vfsID+`","names":["vweb"]}]`)
	write(t, filepath.Join(dir, "containerd", "nsbox-e", "web1", "init.pid"), "6464")
	write(t, filepath.Join(dir, "containerd", "moby", idA, "init.pid"), "4242")
	write(t, filepath.Join(dir, "containerd", "k8s.io", strings.Repeat("e", 64), "init.pid"), "7575")

	s := readEngineState()
	want := map[string]engineRecord{
		idA:                     {Container: Container{Runtime: "docker", ID: idA, Name: "web"}, InitPID: 4242},
		idB:                     {Container: Container{Runtime: "docker", ID: idB, Name: "stopped"}},
		idC:                     {Container: Container{Runtime: "podman", ID: idC, Name: "pweb"}, InitPID: 5353},
		vfsID:                   {Container: Container{Runtime: "podman", ID: vfsID, Name: "vweb"}},
		"web1":                  {Container: Container{Runtime: "containerd", ID: "web1", Name: "web1", namespace: "nsbox-e"}, InitPID: 6464},
		strings.Repeat("e", 64): {Container: Container{Runtime: "cri", ID: strings.Repeat("e", 64)}, InitPID: 7575},
	}
	if len(s.records) != len(want) {
		t.Errorf("%d records, want %d: %+v", len(s.records), len(want), s.records)
	}
	for id, w := range want {
		got, ok := s.byID[id]
		if !ok || got.Container != w.Container || got.InitPID != w.InitPID {
			t.Errorf("record %s = %+v, want %+v", id, got, w)
		}
	}
	// containerd's cgroupfs layout, /NAMESPACE/ID, is known by its task
	lines := "9:name=systemd:/nsbox-e/web1\n4:memory:/nsbox-e/web1\n0::/nsbox-e/web1\n"
	if c, ok := s.containerOfCgroups(cgroupLines(lines)); !ok || c.Runtime != "containerd" || c.ID != "web1" {
		t.Errorf("containerOfCgroups(ctr's lines) = %+v, %v; want containerd:web1", c, ok)
	}
	if c, ok := s.containerOfCgroups(cgroupLines("4:memory:/nsbox-e/web2\n0::/nsbox-e/web2\n")); ok {
		t.Errorf("containerOfCgroups(/nsbox-e/web2, no task) = %+v, want none", c)
	}
	// docker --cgroup-parent: a path of no engine, told by the record
	if c, ok := s.containerOfCgroups(cgroupLines("4:memory:/mygroup/" + idA + "\n0::/mygroup/" + idA + "\n")); !ok || c.Runtime != "docker" {
		t.Errorf("containerOfCgroups(/mygroup/ID) = %+v, %v; want docker", c, ok)
	}

	rec, ok := conmonRecord([]string{"/usr/bin/conmon", "--api-version", "1", "-c", idC, "-u", idC, "-r", "/usr/bin/runc",
		"-b", "/home/u/.local/share/containers/storage/vfs-containers/" + idC + "/userdata",
		"-p", filepath.Join(dir, "runstorage", "overlay-containers", idC, "userdata", "pidfile"), "-n", "rootless-web"})
	if !ok || rec.Container != (Container{Runtime: "podman", ID: idC, Name: "rootless-web"}) || rec.InitPID != 5353 {
		t.Errorf("conmonRecord = %+v, %v; want podman %s rootless-web with init 5353", rec, ok, idC)
	}
	// an exec session's conmon: its own -u and -p, and -e
	if rec, ok := conmonRecord([]string{"/usr/bin/conmon", "--api-version", "1", "-c", idC, "-u", idA, "-r", "/usr/bin/runc",
		"-p", "/x/userdata/" + idA + "/exec_pid", "-n", "pweb", "-e"}); ok {
		t.Errorf("conmonRecord(exec session) = %+v, want none", rec)
	}
}

// TestRecordedCgroups resolves /proc/PID/cgroup files recorded from the engines on a hybrid
// cgroup v1/v2 host (cgroupfs driver) and systemd-driver lines, with the records they need.
func TestRecordedCgroups(t *testing.T) {
	dir := engineFixtures(t)
	write(t, filepath.Join(dir, "containerd", "nsbox-e", "nsbox-e-ctr", "init.pid"), "1")
	write(t, filepath.Join(dir, "docker", "containers", idA, "config.v2.json"), `{"Name":"/cp"}`)
	s := readEngineState()
	v1 := func(path string) string {
		var b strings.Builder
		for i, c := range []string{"name=systemd", "pids", "blkio", "freezer", "devices", "memory", "cpuset", "cpuacct", "cpu"} {
			b.WriteString(strings.Join([]string{string(rune('9' - i)), c, path}, ":") + "\n")
		}
		return b.String()
	}
	pod := strings.Repeat("f0", 32)
	tests := []struct {
		name, file  string
		runtime, id string
	}{
		{"docker", v1("/docker/"+idB) + "0::/\n", "docker", idB},
		{"docker --cgroup-parent", v1("/mygroup/"+idA) + "0::/mygroup/" + idA + "\n", "docker", idA},
		{"nerdctl cgroupfs, no record", v1("/default/"+idC) + "0::/default/" + idC + "\n", "container", idC},
		{"podman", v1("/libpod_parent/libpod-"+idB) + "0::/\n", "podman", idB},
		{"podman pod", v1("/libpod_parent/"+pod+"/libpod-"+idB) + "0::/\n", "podman", idB},
		{"podman's conmon", v1("/libpod_parent/conmon") + "0::/\n", "", ""},
		{"ctr", v1("/nsbox-e/nsbox-e-ctr") + "0::/nsbox-e/nsbox-e-ctr\n", "containerd", "nsbox-e-ctr"},
		{"kubepods", v1("/kubepods/besteffort/pod0a1b2c3d-0000-4000-8000-00000000beef/"+idB) + "0::/\n", "cri", idB},
		{"rootless podman, cgroup v1", v1("/") + "0::/\n", "", ""},
		{"host", strings.Replace(v1("/"), "memory:/", "memory:/process_api/7d04b0a20518e8664b349787d1d6ad46", 1) + "0::/\n", "", ""},
		{"docker systemd", "0::/system.slice/docker-" + idB + ".scope\n", "docker", idB},
		{"podman systemd", "0::/machine.slice/libpod-" + idB + ".scope/container\n", "podman", idB},
		{"podman conmon systemd", "0::/machine.slice/libpod-conmon-" + idB + ".scope\n", "", ""},
		{"cri-containerd systemd", "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b_2c3d.slice/cri-containerd-" + idB + ".scope\n", "containerd", idB},
		{"crio systemd", "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b.slice/crio-" + idB + ".scope\n", "crio", idB},
		{"nerdctl systemd", "0::/system.slice/nerdctl-" + idB + ".scope\n", "containerd", idB},
		{"rootless podman systemd", "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + idB + ".scope\n", "podman", idB},
	}
	for _, tc := range tests {
		c, ok := s.containerOfCgroups(cgroupLines(tc.file))
		if ok != (tc.runtime != "") || c.Runtime != tc.runtime || c.ID != tc.id {
			t.Errorf("%s: got %+v, %v; want %q %q", tc.name, c, ok, tc.runtime, tc.id)
		}
	}
}

// TestContainerQuery: ID, prefix, name, /NAME, RUNTIME:…, and when the prefix hint is given.
func TestContainerQuery(t *testing.T) {
	docker := Container{Runtime: "docker", ID: idA, Name: "web"}
	ctr := Container{Runtime: "containerd", ID: "web1", Name: "web1"}
	tests := []struct {
		query string
		c     Container
		want  bool
	}{
		{idA, docker, true},
		{idA[:4], docker, true},
		{strings.ToUpper(idA[:12]), docker, true},
		{idA[:3], docker, false},
		{"web", docker, true},
		{"/web", docker, true},
		{"docker:web", docker, true},
		{"docker:/web", docker, true},
		{"docker:" + idA[:6], docker, true},
		{"podman:web", docker, false},
		{"we", docker, false},
		{"web1", ctr, true},
		{"containerd:web1", ctr, true},
		{"docker:web1", ctr, false},
	}
	for _, tc := range tests {
		if got := parseContainerQuery(tc.query).matches(tc.c); got != tc.want {
			t.Errorf("%q matches %+v = %v, want %v", tc.query, tc.c, got, tc.want)
		}
	}
	for q, want := range map[string]bool{"abc": true, "3f2": true, "web": false, "a": true, "abcd": false, "docker:ab": true, "x": false} {
		if got := parseContainerQuery(q).looksLikeIDPrefix(); got != want {
			t.Errorf("%q looks like a short ID prefix = %v, want %v", q, got, want)
		}
	}
}

// TestFindContainersMessages: the prefix hint only for what looks like one; a record that
// cannot be read for lack of permission is named, not hidden behind "no such container".
func TestFindContainersMessages(t *testing.T) {
	dir := engineFixtures(t)
	for q, want := range map[string]string{
		"abc":          "abc: no such container (an ID prefix needs at least 4 characters)",
		"web":          "web: no such container",
		"nsbox-nope-x": "nsbox-nope-x: no such container",
	} {
		_, err := FindContainers(q)
		if err == nil || err.Error() != want || !errors.Is(err, errNoContainer) {
			t.Errorf("FindContainers(%q) = %v, want %q", q, err, want)
		}
	}
	// What an unprivileged user meets (root reads everything; tests/engines runs it for real).
	root := filepath.Join(dir, "docker", "containers")
	state := readEngineState()
	state.reader.note(&os.PathError{Op: "open", Path: root, Err: syscall.EACCES})
	_, err := findContainers("web", state)
	if !errors.Is(err, fs.ErrPermission) || !errors.Is(err, errNoContainer) || !errors.Is(err, syscall.EACCES) ||
		err.Error() != "web: cannot read "+root+": permission denied" {
		t.Errorf("FindContainers(web) with %s unreadable = %v, want the permission problem", root, err)
	}
}
