//go:build linux

package discover

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/nsbox/nsbox/nsutil/procfs"
)

// A query that the engines' records do not answer (an ID prefix, above all) needs every
// container of the host that it matches, of any engine, recorded or not. scanContainers finds
// them by reading every process's /proc/PID/cgroup; treeContainers finds the same ones from
// the other side, the cgroup filesystem: it walks the directories of every cgroup hierarchy
// (a few dozen, where there are thousands of processes), keeps those whose path names a
// container the query can match (containerFromCgroup, or a containerd task's /NAMESPACE/ID),
// and reads /proc/PID/cgroup only of the processes their cgroup.procs list. Each of those is
// then resolved exactly as the scan resolves it (scanPIDs), so the matches and their inits are
// the scan's: every process the scan puts in a matching container is in a directory whose path
// names that container, in one of the hierarchies walked.

// initCgroupNS is the inode of the initial cgroup namespace (the kernel's PROC_CGROUP_INIT_INO).
const initCgroupNS = 0xEFFFFFFB

// cgroupHierarchies returns where each cgroup hierarchy of /proc/self/cgroup (the unified one
// and every v1 hierarchy: a process's container is its v2 path's, else the first v1 path's that
// names one) is mounted with the paths /proc/PID/cgroup shows (the mount's root is this
// process's cgroup namespace root), and false when one is not, when /proc is of another PID
// namespace than this process (cgroup.procs lists this process's PIDs), or when this process
// is not in the initial cgroup namespace (/proc can show processes outside its root, as
// "/../PATH", which no walk of the mounts reaches). A variable for tests.
var cgroupHierarchies = func() ([]string, bool) {
	pid, err := procfs.SelfPID()
	if err != nil || pid != os.Getpid() {
		return nil, false
	}
	if d, err := procfs.OpenDir(pid); err != nil {
		return nil, false
	} else if ino, err := d.LinkInode("cgroup"); err != nil || ino != initCgroupNS {
		return nil, false
	}
	self, err := procfs.ReadCgroup(0)
	if err != nil || len(self) == 0 {
		return nil, false
	}
	mounts, err := procfs.ReadMountinfo(0, func(m *procfs.Mount) bool {
		return (m.FSType == "cgroup" || m.FSType == "cgroup2") && m.Root == "/"
	})
	if err != nil {
		return nil, false
	}
	var out []string
	for _, l := range self {
		mount, ok := hierarchyMount(l, mounts)
		if !ok {
			return nil, false
		}
		out = append(out, mount)
	}
	return out, true
}

// hierarchyMount is the mount point of the hierarchy of line l of /proc/self/cgroup: the
// cgroup2 mount for the unified line, else the cgroup mount whose options name every
// controller of the line (a controller, or a name=, belongs to one hierarchy only).
func hierarchyMount(l procfs.Cgroup, mounts []procfs.Mount) (string, bool) {
	if l.V2() {
		for _, m := range mounts {
			if m.FSType == "cgroup2" {
				return m.MountPoint, true
			}
		}
		return "", false
	}
	if l.Controllers == "" {
		return "", false
	}
	for _, m := range mounts {
		if m.FSType != "cgroup" {
			continue
		}
		opts := "," + m.SuperOptions + ","
		all := true
		for _, c := range strings.Split(l.Controllers, ",") {
			all = all && strings.Contains(opts, ","+c+",")
		}
		if all {
			return m.MountPoint, true
		}
	}
	return "", false
}

// mayMatch reports whether q can match the container id, whatever its runtime: by ID, ID
// prefix, or the name the records give it (the only names the scan's matches can carry).
func (s *engineState) mayMatch(q containerQuery, id string) bool {
	if q.text == id || len(q.text) >= minPrefix && strings.HasPrefix(id, strings.ToLower(q.text)) {
		return true
	}
	r := s.byID[id]
	return r != nil && r.Name != "" && (q.text == r.Name || q.text == "/"+r.Name)
}

// treeContainers returns what scanContainers' cgroup pass returns for q (the containers q
// matches, each with its init) by walking the cgroup hierarchies; ok is false when it cannot
// tell (a hierarchy not readable as /proc/PID/cgroup shows it, a cgroup that cannot be read).
// An empty result with ok means the cgroup pass finds nothing either: what is left is the
// scan's process-tree pass (conmon's children without a cgroup of their own, other dockerds).
func treeContainers(state *engineState, q containerQuery) (out []ContainerMatch, ok bool) {
	mounts, ok := cgroupHierarchies()
	if !ok {
		return nil, false
	}
	var dirs []string
	for _, mount := range mounts {
		err := procfs.WalkCgroups(mount, func(p string) {
			if c, ok := containerFromCgroup(p); ok && state.mayMatch(q, c.ID) {
				dirs = append(dirs, filepath.Join(mount, p))
			} else if rec, ok := state.tasks[p]; ok && state.mayMatch(q, rec.ID) {
				dirs = append(dirs, filepath.Join(mount, p))
			}
		})
		if err != nil {
			return nil, false
		}
	}
	seen := map[int]bool{}
	var pids []int
	for _, dir := range dirs {
		procs, err := procfs.ReadCgroupProcs(dir)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENODEV) {
			continue // removed since the walk: its processes are gone or elsewhere
		}
		if err != nil {
			return nil, false
		}
		for _, pid := range procs {
			if !seen[pid] {
				seen[pid] = true
				pids = append(pids, pid)
			}
		}
	}
	// the scan's order (/proc lists PIDs in ascending order): the last process of a
	// container is the one whose cgroup path gives it its runtime
	sort.Ints(pids)
	byID, members, _ := scanPIDs(state, pids)
	return matchScanned(state, q, byID, members, map[string]engineRecord{}), true
}
