//go:build linux

package discover

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
	"github.com/nsbox/nsbox/nsutil/procfs"
)

const testID = "3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"

func TestContainerFromCgroup(t *testing.T) {
	tests := []struct {
		path    string
		runtime string // "" = not a container
	}{
		{"/system.slice/docker-" + testID + ".scope", "docker"},
		{"/docker/" + testID, "docker"},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice/cri-containerd-" + testID + ".scope", "containerd"},
		{"/kubepods/burstable/pod0b2c6e6c-1f00-4a5e-9d7e-2b1c4e5f6a7b/" + testID, "cri"},
		{"/kubepods/pod0b2c6e6c/" + testID, "cri"},
		{"/machine.slice/libpod-" + testID + ".scope", "podman"},
		{"/machine.slice/libpod-" + testID + ".scope/container", "podman"},
		{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + testID + ".scope", "podman"},
		{"/libpod_parent/libpod-" + testID, "podman"},
		{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podx.slice/crio-" + testID + ".scope", "crio"},
		{"/machine.slice/libpod-conmon-" + testID + ".scope", ""},
		{"/kubepods.slice/crio-conmon-" + testID + ".scope", ""},
		{"/", ""},
		{"/user.slice/user-0.slice/session-3.scope", ""},
		{"/system.slice/docker.service", ""},
		{"/docker/" + testID[:63], ""},
		{"/docker/" + strings.ToUpper(testID), ""},
		{"/somewhere/" + testID, ""},
	}
	for _, tc := range tests {
		c, ok := containerFromCgroup(tc.path)
		if ok != (tc.runtime != "") || c.Runtime != tc.runtime {
			t.Errorf("containerFromCgroup(%q) = %+v, %v; want runtime %q", tc.path, c, ok, tc.runtime)
			continue
		}
		if ok && (c.ID != testID || c.Short() != tc.runtime+":3f2a1b4c5d6e") {
			t.Errorf("containerFromCgroup(%q) = %+v (short %q), want ID %s", tc.path, c, c.Short(), testID)
		}
	}
}

// cgroupLines splits /proc/PID/cgroup text as procfs.ReadCgroup does.
func cgroupLines(text string) []procfs.Cgroup {
	var out []procfs.Cgroup
	for _, line := range strings.Split(text, "\n") {
		if f := strings.SplitN(line, ":", 3); len(f) == 3 {
			out = append(out, procfs.Cgroup{Hierarchy: f[0], Controllers: f[1], Path: f[2]})
		}
	}
	return out
}

func TestContainerOfCgroups(t *testing.T) {
	v1 := "12:memory:/docker/" + testID + "\n11:cpu,cpuacct:/docker/" + testID + "\n1:name=systemd:/docker/" + testID + "\n0::/\n"
	if c, ok := containerOfCgroups(cgroupLines(v1)); !ok || c.Runtime != "docker" {
		t.Errorf("v1 file: got %+v, %v; want docker", c, ok)
	}
	v2 := "0::/system.slice/docker-" + testID + ".scope\n"
	if c, ok := containerOfCgroups(cgroupLines(v2)); !ok || c.ID != testID {
		t.Errorf("v2 file: got %+v, %v", c, ok)
	}
	if c, ok := containerOfCgroups(cgroupLines("0::/user.slice\n")); ok {
		t.Errorf("host file: got %+v, want none", c)
	}
}

func FuzzContainerFromCgroup(f *testing.F) {
	for _, s := range []string{"/docker/" + testID, "/kubepods/pod/" + testID, "/libpod-conmon-x", "", "//", "/docker/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c, ok := containerFromCgroup(p)
		if ok && (!isContainerID(c.ID) || !strings.Contains(p, c.ID)) {
			t.Fatalf("%q gave %+v", p, c)
		}
	})
}

// TestFindContainers makes fake containers (cgroups named as docker names them, with a sleep
// in each: a v2 systemd-driver scope and a v1 cgroupfs-driver directory) and finds them by
// prefix, by runtime:prefix and by name.
func TestFindContainers(t *testing.T) {
	nstest.RequireRoot(t)
	v2, v1 := nstest.CgroupMount(t, "cgroup2", ""), nstest.CgroupMount(t, "cgroup", "pids")
	if v2 == "" && v1 == "" {
		nstest.Skip(t, "no cgroup hierarchy mounted")
	}
	oldRoot := dockerRoot
	dockerRoot = t.TempDir()
	t.Cleanup(func() { dockerRoot = oldRoot })
	shared := fmt.Sprintf("%04x", os.Getpid()&0xffff) // the prefix both fakes share
	for i, mount := range []string{v2, v1} {
		if mount == "" {
			continue
		}
		// Every prefix the test looks up is this test process's own (its PID in the first
		// four digits), so that test runs side by side find only their own containers.
		id := shared + fmt.Sprintf("%02d%058x", i, os.Getpid())
		rel := "nsbox-test.slice/docker-" + id + ".scope"
		if mount == v1 {
			rel = "nsbox-test/docker/" + id
		}
		pid := nstest.FakeContainer(t, mount, rel)
		name := fmt.Sprintf("web-%d", i)
		os.MkdirAll(filepath.Join(dockerRoot, id), 0o755)
		os.WriteFile(filepath.Join(dockerRoot, id, "config.v2.json"), []byte(`{"Name":"/`+name+`"}`), 0o644)

		if c, ok := ProcessContainer(pid); !ok || c.ID != id {
			t.Errorf("%s: ProcessContainer(%d) = %+v, %v; want %s", mount, pid, c, ok, id)
		}
		for _, q := range []string{id[:6], id[:12], id, "docker:" + id[:6], name} {
			got, err := FindContainers(q)
			if err != nil {
				t.Errorf("%s: FindContainers(%q): %v", mount, q, err)
				continue
			}
			if len(got) != 1 || got[0].ID != id || got[0].InitPID != pid || got[0].Name != name {
				t.Errorf("%s: FindContainers(%q) = %+v, want %s with init %d named %s", mount, q, got, id, pid, name)
			}
		}
		for _, q := range []string{"abc", "podman:" + id[:6], "ffffffffffff", "web-9"} {
			if got, err := FindContainers(q); err == nil {
				t.Errorf("%s: FindContainers(%q) = %+v, want an error", mount, q, got)
			}
		}
	}
	if v2 != "" && v1 != "" {
		// Both fakes share a prefix: ambiguous, and both are returned.
		if got, err := FindContainers(shared); err != nil || len(got) != 2 {
			t.Errorf("FindContainers(%s) = %+v, %v; want both fakes", shared, got, err)
		}
	}
}
