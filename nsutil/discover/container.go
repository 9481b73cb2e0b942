//go:build linux

package discover

import (
	"strings"

	"github.com/nsbox/nsbox/nsutil/procfs"
)

// Container identifies a container by what its cgroup path says: the runtime that made it and
// its ID. Name is filled in where the runtime keeps names on disk (docker, podman).
type Container struct {
	Runtime string // "docker", "containerd", "podman", "crio", "cri" (Kubernetes), or "container"
	ID      string // the full ID: lower-case hex, or any name for containerd (ctr run ID)
	Name    string

	namespace string // containerd's namespace, whose name is a cgroupfs path's first component
}

// shortIDLen is how much of an ID Short shows, as docker ps does.
const shortIDLen = 12

// minPrefix is the shortest ID prefix FindContainers accepts.
const minPrefix = 4

// Short is "RUNTIME:SHORTID", e.g. "docker:3f2a1b4c5d6e" (lsns's CONTAINER column).
func (c Container) Short() string {
	id := c.ID
	if len(id) > shortIDLen {
		id = id[:shortIDLen]
	}
	return c.Runtime + ":" + id
}

// scopePrefixes maps the systemd scope (or cgroupfs directory) prefix each runtime gives a
// container's cgroup to the runtime's name. Conmon's own scopes (libpod-conmon-, crio-conmon-)
// are monitors, not containers, and are not listed.
var scopePrefixes = []struct{ prefix, runtime string }{
	{"docker-", "docker"},
	{"cri-containerd-", "containerd"},
	{"nerdctl-", "containerd"},
	{"libpod-", "podman"},
	{"crio-", "crio"},
}

// unknownRuntime is the runtime of a cgroupfs path that ends in a 64-hex-digit ID under a
// directory no engine names by default (docker --cgroup-parent=/P: /P/ID; nerdctl: /NS/ID),
// until the engines' records say whose it is.
const unknownRuntime = "container"

// containerFromCgroup finds the container a cgroup path belongs to, for the path forms of
// docker, containerd/CRI, podman/libpod and cri-o with the systemd and the cgroupfs drivers, as
// they appear in cgroup v1 and v2 lines of /proc/PID/cgroup:
//
//	/system.slice/docker-<id>.scope                 docker, systemd driver
//	/docker/<id>                                    docker, cgroupfs driver
//	/kubepods.slice/.../cri-containerd-<id>.scope   containerd CRI, systemd driver
//	/kubepods/burstable/pod<uid>/<id>               CRI (containerd or cri-o), cgroupfs driver
//	/machine.slice/libpod-<id>.scope[/container]    podman
//	/libpod_parent/libpod-<id>                      podman, cgroupfs driver
//	/libpod_parent/<podid>/libpod-<id>              podman, in a pod
//	/kubepods.slice/.../crio-<id>.scope             cri-o
//	/system.slice/nerdctl-<id>.scope                nerdctl, systemd driver
//	/<parent>/<id>                                  docker --cgroup-parent, nerdctl: "container"
//
// The innermost component that names a container wins (nested containers). containerd's own
// cgroupfs layout, /<namespace>/<id> with any ID (ctr run), is told from other cgroups only by
// containerd's state: see ProcessContainer.
func containerFromCgroup(cgroupPath string) (Container, bool) {
	parts := strings.Split(strings.Trim(cgroupPath, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		part := parts[i]
		if strings.HasPrefix(part, "libpod-conmon-") || strings.HasPrefix(part, "crio-conmon-") {
			return Container{}, false
		}
		name := strings.TrimSuffix(part, ".scope")
		for _, sp := range scopePrefixes {
			if id, ok := strings.CutPrefix(name, sp.prefix); ok && isContainerID(id) {
				return Container{Runtime: sp.runtime, ID: id}, true
			}
		}
		if !isContainerID(part) {
			continue
		}
		parent := ""
		if i > 0 {
			parent = parts[i-1]
		}
		switch {
		case parent == "docker":
			return Container{Runtime: "docker", ID: part}, true
		case strings.HasPrefix(parent, "pod") && i > 1 && strings.HasPrefix(parts[0], "kubepods"):
			return Container{Runtime: "cri", ID: part}, true
		case i == len(parts)-1:
			return Container{Runtime: unknownRuntime, ID: part}, true
		}
	}
	return Container{}, false
}

// isContainerID accepts the 64-hex-digit IDs every one of these runtimes makes up.
func isContainerID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// cgroupPaths returns the paths of /proc/PID/cgroup's lines: the cgroup v2 line's first, then
// the v1 lines' in order.
func cgroupPaths(lines []procfs.Cgroup) []string {
	var v2, v1 []string
	for _, l := range lines {
		if l.V2() {
			v2 = append(v2, l.Path)
		} else {
			v1 = append(v1, l.Path)
		}
	}
	return append(v2, v1...)
}

// containerOfCgroups resolves the lines of /proc/PID/cgroup by their paths alone: the cgroup v2
// line when it names a container, else the first v1 line that does.
func containerOfCgroups(lines []procfs.Cgroup) (Container, bool) {
	for _, p := range cgroupPaths(lines) {
		if c, ok := containerFromCgroup(p); ok {
			return c, true
		}
	}
	return Container{}, false
}
