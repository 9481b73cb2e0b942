//go:build linux

package discover

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/nsbox/nsbox/nsutil/procfs"
)

// ProcessContainer resolves the container process pid runs in: by its cgroup path, with the
// engines' records for the layouts a path alone does not tell (containerd's /NAMESPACE/ID,
// docker --cgroup-parent's /PARENT/ID), and by its parent for a container with no cgroup of its
// own (rootless podman on cgroup v1: its init's parent is conmon).
func ProcessContainer(pid int) (Container, bool) {
	lines, err := procfs.ReadCgroup(pid)
	if err != nil {
		return Container{}, false
	}
	if c, ok := hostState().containerOfCgroups(lines); ok {
		return c, true
	}
	st, err := procfs.ReadStat(pid)
	if err != nil {
		return Container{}, false
	}
	if parent, err := procfs.ReadStat(st.PPID); err == nil && parent.Comm == "conmon" {
		if rec, ok := conmonRecord(cmdlineArgs(st.PPID)); ok {
			return rec.Container, true
		}
	}
	return Container{}, false
}

// engineState is what the engines' records say about the containers of this host, read once
// (a process looks up containers once; lsns asks for many processes).
type engineState struct {
	reader  stateReader
	records []*engineRecord
	byID    map[string]*engineRecord
	// containerd's tasks by their cgroupfs path, /NAMESPACE/ID
	tasks map[string]*engineRecord
}

var (
	hostStateOnce sync.Once
	hostStateVal  *engineState
)

func hostState() *engineState {
	hostStateOnce.Do(func() { hostStateVal = readEngineState() })
	return hostStateVal
}

// readEngineState reads the records of docker (of the dockerd in its pid file), containerd and
// podman's default and configured stores.
func readEngineState() *engineState {
	s := &engineState{byID: map[string]*engineRecord{}, tasks: map[string]*engineRecord{}}
	r := &s.reader
	s.add(r.dockerRecords(r.dockerDataRoot(0)))
	s.add(r.containerdRecords())
	s.add(r.podmanRecords(r.podmanStoresFromConf()))
	return s
}

// add merges records: what one engine records of a container (a docker name) completes what
// another does (containerd's moby task with its init).
func (s *engineState) add(recs []engineRecord) {
	for _, rec := range recs {
		if old, ok := s.byID[rec.ID]; ok {
			if old.Name == "" {
				old.Name = rec.Name
			}
			if old.InitPID == 0 {
				old.InitPID = rec.InitPID
			}
			continue
		}
		r := new(engineRecord)
		*r = rec
		s.records = append(s.records, r)
		s.byID[r.ID] = r
		if r.namespace != "" {
			s.tasks["/"+r.namespace+"/"+r.ID] = r
		}
	}
}

// containerOfCgroups resolves /proc/PID/cgroup's lines: a path that names a container, with the
// runtime the records give an unknown one; else containerd's /NAMESPACE/ID.
func (s *engineState) containerOfCgroups(lines []procfs.Cgroup) (Container, bool) {
	paths := cgroupPaths(lines)
	for _, p := range paths {
		if c, ok := containerFromCgroup(p); ok {
			if rec, ok := s.byID[c.ID]; ok {
				c.Runtime = rec.Runtime
			}
			return c, true
		}
	}
	for _, p := range paths {
		if rec, ok := s.tasks[p]; ok {
			return rec.Container, true
		}
	}
	return Container{}, false
}

// dead reports a process that has exited: a zombie, or one being reaped.
func dead(st procfs.Stat) bool { return st.State == 'Z' || st.State == 'X' || st.State == 'x' }

// ContainerMatch is a container FindContainers found, with its init.
type ContainerMatch struct {
	Container
	InitPID int
}

// errNoContainer is wrapped when FindContainers finds nothing.
var errNoContainer = errors.New("no such container")

// runtimes are the names a query may start with, "RUNTIME:": lsns's CONTAINER prefixes.
var runtimes = []string{"docker", "podman", "containerd", "cri", "crio", unknownRuntime}

// containerQuery is a parsed --container argument.
type containerQuery struct {
	runtime string // "" for any
	text    string
}

func parseContainerQuery(query string) containerQuery {
	if rt, rest, ok := strings.Cut(query, ":"); ok {
		for _, known := range runtimes {
			if rt == known {
				return containerQuery{runtime: rt, text: rest}
			}
		}
	}
	return containerQuery{text: query}
}

// matches reports whether c is what q asks for: its ID, an ID prefix of at least minPrefix
// characters, its name, or docker's canonical "/NAME".
func (q containerQuery) matches(c Container) bool {
	if q.runtime != "" && c.Runtime != q.runtime {
		return false
	}
	switch {
	case q.text == c.ID, c.Name != "" && (q.text == c.Name || q.text == "/"+c.Name):
		return true
	}
	return len(q.text) >= minPrefix && strings.HasPrefix(c.ID, strings.ToLower(q.text))
}

// exact reports a full-ID or name match, which no other container can share.
func (q containerQuery) exact(c Container) bool {
	return (q.runtime == "" || c.Runtime == q.runtime) &&
		(q.text == c.ID || c.Name != "" && (q.text == c.Name || q.text == "/"+c.Name))
}

// looksLikeIDPrefix is a query that can only be meant as an ID prefix, too short to be one.
func (q containerQuery) looksLikeIDPrefix() bool {
	if q.text == "" || len(q.text) >= minPrefix {
		return false
	}
	for _, c := range strings.ToLower(q.text) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// FindContainers returns the running containers that query names, sorted by ID: by ID, ID
// prefix (at least minPrefix characters), name or "/NAME", each optionally after "RUNTIME:"
// as lsns prints it ("docker:web", "podman:3f2a"). Each comes with its init: the PID the engine
// records, while that process is alive and in the container, else the process of the container
// whose parent is outside it (the shim, conmon or runc's caller), preferring PID 1 of its own
// PID namespace and then the oldest, never a zombie.
//
// A full ID or a name found in the engines' records is answered from them; anything else
// (an ID prefix) from the cgroup filesystem's directories and the processes of those that name
// a matching container (treeContainers), and where that cannot tell or finds nothing, from a
// scan of every process's /proc/PID/cgroup (scanContainers), with the same results.
func FindContainers(query string) ([]ContainerMatch, error) {
	return findContainers(query, readEngineState())
}

func findContainers(query string, state *engineState) ([]ContainerMatch, error) {
	q := parseContainerQuery(query)
	var out []ContainerMatch
	for _, rec := range state.records {
		if q.exact(rec.Container) && rec.InitPID > 0 && initAlive(*rec) {
			out = append(out, ContainerMatch{Container: rec.Container, InitPID: rec.InitPID})
		}
	}
	if len(out) == 0 {
		out, _ = treeContainers(state, q)
	}
	if len(out) == 0 {
		var err error
		if out, err = fullScan(state, q); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		var pe *os.PathError
		switch {
		case len(state.reader.denied) > 0 && errors.As(state.reader.denied[0], &pe):
			return nil, &deniedError{query: query, path: pe.Path, err: pe.Err}
		case q.looksLikeIDPrefix():
			return nil, fmt.Errorf("%s: %w (an ID prefix needs at least %d characters)", query, errNoContainer, minPrefix)
		}
		return nil, fmt.Errorf("%s: %w", query, errNoContainer)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// deniedError is a query that found nothing where an engine's records could not be read: the
// permission problem, not "no such container", is what the user needs to know.
type deniedError struct {
	query, path string
	err         error
}

func (e *deniedError) Error() string {
	return fmt.Sprintf("%s: cannot read %s: %v", e.query, e.path, e.err)
}

func (e *deniedError) Unwrap() []error { return []error{errNoContainer, e.err} }

// initAlive checks a recorded init: alive, not a zombie, and in the container (its cgroup
// names the ID, or its parent's command line does: conmon's -c, containerd-shim's -id).
func initAlive(rec engineRecord) bool {
	st, err := procfs.ReadStat(rec.InitPID)
	if err != nil || dead(st) {
		return false
	}
	lines, _ := procfs.ReadCgroup(rec.InitPID)
	for _, l := range lines {
		if strings.Contains(l.Path, rec.ID) {
			return true
		}
	}
	for _, a := range cmdlineArgs(st.PPID) {
		if a == rec.ID {
			return true
		}
	}
	return false
}

// fullScan is scanContainers; a variable so that tests see when it runs.
var fullScan = scanContainers

// member is a process of a container found by the scan.
type member struct {
	pid int
	st  procfs.Stat
}

// scanContainers reads every process's cgroup (and the stat of a container's processes) and
// returns the containers q matches. Only when none does, it reads the others' stat too, for
// what only the process tree tells: conmon's containers (rootless podman, which has no cgroup of
// its own on cgroup v1; podman stores configured elsewhere) and dockerds whose data root the pid
// file does not lead to.
func scanContainers(state *engineState, q containerQuery) ([]ContainerMatch, error) {
	pids, err := procfs.PIDs()
	if err != nil {
		return nil, err
	}
	byID, members, others := scanPIDs(state, pids)
	recs := map[string]engineRecord{}
	if out := matchScanned(state, q, byID, members, recs); len(out) > 0 {
		return out, nil
	}
	conmons := map[int]engineRecord{}
	var orphans []member
	for _, pid := range others {
		st, err := procfs.ReadStat(pid)
		if err != nil {
			continue
		}
		switch st.Comm {
		case "conmon":
			if rec, ok := conmonRecord(cmdlineArgs(pid)); ok {
				recs[rec.ID] = rec
				conmons[pid] = rec
			}
		case "dockerd":
			var r stateReader
			for _, rec := range r.dockerRecords(r.dockerDataRoot(pid)) {
				recs[rec.ID] = rec
			}
		default:
			orphans = append(orphans, member{pid, st})
		}
	}
	// rootless podman on cgroup v1: the init is conmon's child, in no cgroup of its own
	for _, m := range orphans {
		if rec, ok := conmons[m.st.PPID]; ok {
			byID[rec.ID] = rec.Container
			members[rec.ID] = append(members[rec.ID], m)
		}
	}
	return matchScanned(state, q, byID, members, recs), nil
}

// scanPIDs resolves the container of each process of pids by its cgroup lines and reads the
// stat of those in one: the containers by ID (the last process's resolution of each), their
// processes, and the processes in none.
func scanPIDs(state *engineState, pids []int) (byID map[string]Container, members map[string][]member, others []int) {
	byID, members = map[string]Container{}, map[string][]member{}
	for _, pid := range pids {
		lines, err := procfs.ReadCgroup(pid)
		if err != nil {
			continue
		}
		c, ok := state.containerOfCgroups(lines)
		if !ok {
			others = append(others, pid)
			continue
		}
		st, err := procfs.ReadStat(pid)
		if err != nil {
			continue
		}
		byID[c.ID] = c
		members[c.ID] = append(members[c.ID], member{pid, st})
	}
	return byID, members, others
}

// matchScanned completes the scanned containers with the records (names, runtimes, inits) and
// returns those q matches, each with its init.
func matchScanned(state *engineState, q containerQuery, byID map[string]Container, members map[string][]member,
	recs map[string]engineRecord) []ContainerMatch {
	var out []ContainerMatch
	for id, c := range byID {
		rec, ok := recs[id]
		if !ok {
			if r, found := state.byID[id]; found {
				rec, ok = *r, true
			}
		}
		if ok {
			if c.Name == "" {
				c.Name = rec.Name
			}
			if c.Runtime == unknownRuntime {
				c.Runtime = rec.Runtime
			}
		}
		if !q.matches(c) {
			continue
		}
		init := 0
		if ok && rec.InitPID > 0 && isMember(members[id], rec.InitPID) {
			init = rec.InitPID
		} else {
			init = initOf(members[id])
		}
		if init > 0 {
			out = append(out, ContainerMatch{Container: c, InitPID: init})
		}
	}
	return out
}

func isMember(ms []member, pid int) bool {
	for _, m := range ms {
		if m.pid == pid && !dead(m.st) {
			return true
		}
	}
	return false
}

// initOf picks a container's init from its processes when no record names it: a live process
// whose parent is not in the container, preferring one that is PID 1 of its PID namespace
// (a later exec is not; a sandbox made inside the container has its parent inside), then the
// oldest.
func initOf(ms []member) int {
	in := map[int]bool{}
	for _, m := range ms {
		in[m.pid] = true
	}
	best, bestOne := 0, false
	var bestStart uint64
	for _, m := range ms {
		if dead(m.st) || in[m.st.PPID] {
			continue
		}
		one := nsPIDIsOne(m.pid)
		if best == 0 || one && !bestOne || one == bestOne && m.st.Start < bestStart {
			best, bestOne, bestStart = m.pid, one, m.st.Start
		}
	}
	return best
}

// nsPIDIsOne reports whether pid is PID 1 of its own PID namespace (the NSpid line of
// /proc/PID/status ends in 1, below the host's level).
func nsPIDIsOne(pid int) bool {
	status, err := procfs.ReadStatus(pid)
	if err != nil {
		return false
	}
	f := strings.Fields(status["NSpid"])
	return len(f) > 1 && f[len(f)-1] == "1"
}
