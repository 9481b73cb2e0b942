//go:build linux

package discover

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/nsbox/nsbox/nsutil/procfs"
)

// Container identifies a container by what its cgroup path says: the runtime that made it and
// its ID. Name is filled in where the runtime keeps names on disk (docker, podman).
type Container struct {
	Runtime string // "docker", "containerd", "podman", "crio", or "cri" (a kubepods cgroupfs path)
	ID      string // the full ID, lower-case hex
	Name    string
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
	{"libpod-", "podman"},
	{"crio-", "crio"},
}

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
//	/kubepods.slice/.../crio-<id>.scope             cri-o
//
// The innermost component that names a container wins (nested containers).
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
		if isContainerID(part) && i > 0 {
			switch parent := parts[i-1]; {
			case parent == "docker":
				return Container{Runtime: "docker", ID: part}, true
			case strings.HasPrefix(parent, "pod") && i > 1 && strings.HasPrefix(parts[0], "kubepods"):
				return Container{Runtime: "cri", ID: part}, true
			}
		}
	}
	return Container{}, false
}

// isContainerID accepts the 64-hex-digit IDs every one of these runtimes uses.
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

// containerOfCgroups resolves the lines of /proc/PID/cgroup: the cgroup v2 line ("0::/path")
// when it names a container, else the first v1 line that does.
func containerOfCgroups(lines []procfs.Cgroup) (Container, bool) {
	for _, v2 := range []bool{true, false} {
		for _, l := range lines {
			if l.V2() != v2 {
				continue
			}
			if c, ok := containerFromCgroup(l.Path); ok {
				return c, true
			}
		}
	}
	return Container{}, false
}

// ProcessContainer reads /proc/PID/cgroup and resolves the container the process runs in.
func ProcessContainer(pid int) (Container, bool) {
	lines, err := procfs.ReadCgroup(pid)
	if err != nil {
		return Container{}, false
	}
	return containerOfCgroups(lines)
}

// ContainerMatch is a container FindContainers found, with its init: the lowest PID in it.
type ContainerMatch struct {
	Container
	InitPID int
}

// errNoContainer is wrapped when FindContainers finds nothing.
var errNoContainer = errors.New("no such container")

// FindContainers scans /proc/*/cgroup for the containers running on this host and returns
// those whose ID starts with query (at least minPrefix characters; "RUNTIME:PREFIX", as lsns
// prints it, also works) or whose name is query, sorted by ID. Processes that vanish mid-scan
// are skipped.
func FindContainers(query string) ([]ContainerMatch, error) {
	runtime, prefix, hasRuntime := strings.Cut(query, ":")
	if !hasRuntime {
		runtime, prefix = "", query
	}
	prefix = strings.ToLower(prefix)
	byID, err := scanContainers()
	if err != nil {
		return nil, err
	}
	var out []ContainerMatch
	for _, m := range byID {
		if hasRuntime && m.Runtime != runtime {
			continue
		}
		idMatch := len(prefix) >= minPrefix && strings.HasPrefix(m.ID, prefix)
		if !idMatch {
			m.Name = containerName(m.Container)
			if m.Name == "" || m.Name != query {
				continue
			}
		}
		out = append(out, *m)
	}
	if len(out) == 0 {
		if len(prefix) < minPrefix && !hasRuntime {
			return nil, fmt.Errorf("%s: %w (an ID prefix needs at least %d characters)", query, errNoContainer, minPrefix)
		}
		return nil, fmt.Errorf("%s: %w", query, errNoContainer)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	for i := range out {
		if out[i].Name == "" {
			out[i].Name = containerName(out[i].Container)
		}
	}
	return out, nil
}

func scanContainers() (map[string]*ContainerMatch, error) {
	pids, err := procfs.PIDs()
	if err != nil {
		return nil, err
	}
	byID := map[string]*ContainerMatch{}
	for _, pid := range pids {
		c, ok := ProcessContainer(pid)
		if !ok {
			continue
		}
		if m, seen := byID[c.ID]; !seen || pid < m.InitPID {
			byID[c.ID] = &ContainerMatch{Container: c, InitPID: pid}
		}
	}
	return byID, nil
}

// Where runtimes keep their containers' names (rootful installs).
var (
	dockerRoot = "/var/lib/docker/containers"
	podmanDBs  = []string{
		"/var/lib/containers/storage/overlay-containers/containers.json",
		"/run/containers/storage/overlay-containers/containers.json",
	}
)

// containerName reads a container's name from the runtime's state on disk, "" when unknown.
func containerName(c Container) string {
	switch c.Runtime {
	case "docker":
		data, err := os.ReadFile(path.Join(dockerRoot, c.ID, "config.v2.json"))
		if err != nil {
			return ""
		}
		var cfg struct{ Name string }
		if json.Unmarshal(data, &cfg) != nil {
			return ""
		}
		return strings.TrimPrefix(cfg.Name, "/")
	case "podman":
		for _, db := range podmanDBs {
			data, err := os.ReadFile(db)
			if err != nil {
				continue
			}
			var list []struct {
				ID    string   `json:"id"`
				Names []string `json:"names"`
			}
			if json.Unmarshal(data, &list) != nil {
				continue
			}
			for _, e := range list {
				if e.ID == c.ID && len(e.Names) > 0 {
					return e.Names[0]
				}
			}
		}
	}
	return ""
}
