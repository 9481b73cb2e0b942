//go:build linux

package lsns

import (
	"errors"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/nsbox/nsbox/nsutil"
	"golang.org/x/sys/unix"
)

// relation indexes namespace.related: a namespace's parent (pid and user kinds) and owner.
const (
	relParent = iota
	relOwner
	relations
)

// process is one /proc/PID as lsns needs it.
type process struct {
	pid, ppid int
	uid       uint32
	ns        []uint64 // inode per nsutil.Kinds index, 0 when unknown or not wanted
	parent    *process // the process whose PID is our PPID, when it was read
	outline   *row     // the last row shown for this process (process trees hang off it)
}

// namespace is one namespace found by any route: process links, open fds, sockets, bind mounts.
type namespace struct {
	ino         uint64
	kind        int        // index into nsutil.Kinds
	procs       []*process // in /proc order
	proc        *process   // lowest PID, nil when no process is in it
	related     [relations]uint64
	relatedNS   [relations]*namespace
	hasRelated  bool   // related was asked of the kernel
	relatedErr  error  // why the kernel could not say (an *nsutil.UnsupportedIoctlError)
	uidFallback uint32 // NS_GET_OWNER_UID, for namespaces without processes
	netnsid     int
	hasNetnsid  bool
	outline     *row // its row in owner and parent trees
}

// scanOptions say what the scan must find out, beyond the namespaces and their processes.
type scanOptions struct {
	types     []bool // by nsutil.Kinds index: the kinds to list
	relations bool   // PNS/ONS shown or filtered, or an owner/parent tree
	netnsid   bool   // NETNSID shown or filtered
}

// scan is the state of one lsns run's discovery.
type scan struct {
	opts     scanOptions
	wanted   int // how many kinds are listed
	procs    []*process
	byPID    map[int]*process
	byIno    map[uint64]*namespace
	list     []*namespace
	mounts   []nsutil.NSFSMount
	nsfsDev  uint64
	querier  *nsutil.NetNSIDQuerier
	fdNS     []heldFD // nsfs fds seen while scanning processes
	sockets  []heldFD // socket fds, one per socket inode
	mountSet map[string]bool
	warnings []string // to print before the table, as util-linux's warnx does
}

// heldFD is an fd of a process that may hold a namespace.
type heldFD struct {
	pid, fd int
	ino     uint64
}

// procResult is what a worker read about one PID.
type procResult struct {
	proc    *process
	nsfds   []heldFD
	sockets []heldFD
}

// discover runs the whole discovery: processes (in parallel), then namespaces held by fds,
// sockets and bind mounts, then what the output needs of each namespace (once per namespace).
func discover(opts scanOptions) (*scan, error) {
	s := &scan{opts: opts, byPID: map[int]*process{}, byIno: map[uint64]*namespace{}}
	for _, w := range opts.types {
		if w {
			s.wanted++
		}
	}
	var err error
	if s.nsfsDev, err = nsutil.NSFSDevice(); err != nil {
		return nil, err
	}
	if s.mounts, err = nsutil.ReadNSFSMounts(); err != nil {
		return nil, err
	}
	s.mountSet = map[string]bool{}
	for _, m := range s.mounts {
		s.mountSet[m.Target] = true
	}
	pids, err := nsutil.ListPIDs()
	if err != nil {
		return nil, err
	}
	s.readProcesses(pids)
	s.addHeldNamespaces()
	for _, m := range s.mounts {
		s.addPersistent(m)
	}
	if err := s.resolve(); err != nil {
		return nil, err
	}
	return s, nil
}

// readProcesses reads every PID with scanWorkers goroutines and merges the results in /proc order.
func (s *scan) readProcesses(pids []int) {
	results := make([]procResult, len(pids))
	workers := min(scanWorkers(), max(1, len(pids)/64))
	var wg sync.WaitGroup
	chunk := (len(pids) + workers - 1) / max(workers, 1)
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(pids))
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir, err := nsutil.OpenProcDir(0)
			if err != nil {
				return
			}
			for i := lo; i < hi; i++ {
				results[i] = s.readProcess(dir, pids[i])
			}
		}()
	}
	wg.Wait()
	seenSock := map[uint64]bool{}
	for _, r := range results {
		if r.proc == nil {
			continue
		}
		s.procs = append(s.procs, r.proc)
		s.byPID[r.proc.pid] = r.proc
		s.fdNS = append(s.fdNS, r.nsfds...)
		for _, sk := range r.sockets {
			if !seenSock[sk.ino] {
				seenSock[sk.ino] = true
				s.sockets = append(s.sockets, sk)
			}
		}
	}
	for _, p := range s.procs {
		for k, ino := range p.ns {
			if ino == 0 {
				continue
			}
			ns := s.byIno[ino]
			if ns == nil {
				ns = s.add(k, ino)
			}
			ns.procs = append(ns.procs, p)
			if ns.proc == nil || p.pid < ns.proc.pid {
				ns.proc = p
			}
		}
	}
}

// scanWorkers is how many goroutines read /proc: two per CPU, since the work is system calls
// and a busy host's scheduler shares the CPUs per thread.
func scanWorkers() int { return 2 * runtime.NumCPU() }

// loadStats reads /proc/PID/stat, on all CPUs, for the processes rows will show: their PPID
// and, through it, their parent process. Only these need it, so the scan itself never reads
// stat. A process gone by now keeps PPID 0 and no parent.
func (s *scan) loadStats(procs []*process) {
	var todo []*process
	for _, p := range procs {
		if p != nil && p.ppid < 0 {
			p.ppid = 0
			todo = append(todo, p)
		}
	}
	var wg sync.WaitGroup
	workers := min(scanWorkers(), max(1, len(todo)/32))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir, err := nsutil.OpenProcDir(0)
			if err != nil {
				return
			}
			for i := w; i < len(todo); i += workers {
				dir.Reset(todo[i].pid)
				if st, err := dir.Stat(); err == nil {
					todo[i].ppid = st.PPID
				}
			}
		}()
	}
	wg.Wait()
	for _, p := range todo {
		p.parent = s.byPID[p.ppid]
	}
}

// readProcess reads one PID: owner, namespace links and fds (stat only later, for the
// processes shown: see loadStats). A process that is gone (or
// turns out unreadable) gives a nil proc and is simply not listed.
func (s *scan) readProcess(dir *nsutil.ProcDir, pid int) procResult {
	dir.Reset(pid)
	var err error
	p := &process{pid: pid, ppid: -1, ns: make([]uint64, len(nsutil.Kinds))}
	if s.wanted >= 3 {
		dir.OpenNS()
		defer dir.CloseNS()
	}
	for k, kind := range nsutil.Kinds {
		if !s.opts.types[k] {
			continue
		}
		if ino, err := dir.LinkInode(kind); err == nil {
			p.ns[k] = ino
		}
	}
	r := procResult{proc: p}
	// A process whose fds cannot be read holds no namespace we can see.
	_ = dir.FDs(func(fd int, target []byte) { s.classifyFD(pid, fd, target, &r) })
	if p.uid, err = dir.UID(); err != nil {
		return procResult{}
	}
	return r
}

// classifyFD notes an fd that may hold a namespace: an nsfs file (by its link "net:[N]", or a
// path that is an nsfs bind mount) or a socket (whose network namespace is asked later).
func (s *scan) classifyFD(pid, fd int, target []byte, r *procResult) {
	if len(target) == 0 {
		return
	}
	if target[0] == '/' {
		if !s.mountSet[string(target)] {
			return
		}
		var st unix.Stat_t
		if unix.Stat("/proc/"+strconv.Itoa(pid)+"/fd/"+strconv.Itoa(fd), &st) == nil && st.Dev == s.nsfsDev {
			r.nsfds = append(r.nsfds, heldFD{pid: pid, fd: fd, ino: st.Ino})
		}
		return
	}
	name, ino, ok := nsutil.ParseNSLinkBytes(target)
	switch {
	case !ok:
	case string(name) == "socket":
		r.sockets = append(r.sockets, heldFD{pid: pid, fd: fd, ino: ino})
	default:
		if _, isKind := kindIndex(string(name)); isKind {
			r.nsfds = append(r.nsfds, heldFD{pid: pid, fd: fd, ino: ino})
		}
	}
}

// kindIndex finds a kind by its /proc/PID/ns name only ("mnt", not "mount").
func kindIndex(name string) (int, bool) {
	for i, k := range nsutil.Kinds {
		if k.Name == name {
			return i, true
		}
	}
	return -1, false
}

// add records a new namespace.
func (s *scan) add(kind int, ino uint64) *namespace {
	ns := &namespace{ino: ino, kind: kind}
	s.byIno[ino] = ns
	s.list = append(s.list, ns)
	return ns
}

// addHeldNamespaces adds the namespaces only open fds and sockets keep alive.
func (s *scan) addHeldNamespaces() {
	for _, h := range s.fdNS {
		if s.byIno[h.ino] != nil {
			continue
		}
		fd, err := unix.Open("/proc/"+strconv.Itoa(h.pid)+"/fd/"+strconv.Itoa(h.fd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		s.addForFD(fd, h.ino)
		unix.Close(fd)
	}
	if !s.wants("net") {
		return
	}
	for _, h := range s.sockets {
		target, err := nsutil.OpenTarget(h.pid)
		if err != nil {
			continue
		}
		ns, err := nsutil.SocketNamespace(target, h.fd)
		target.Close()
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(ns.FD, &st) == nil && s.byIno[st.Ino] == nil {
			s.addForFD(ns.FD, st.Ino)
		}
		ns.Close()
	}
}

func (s *scan) wants(name string) bool {
	k, ok := kindIndex(name)
	return ok && s.opts.types[k]
}

// addPersistent adds a namespace bind-mounted somewhere (`ip netns add`) that nothing else holds.
func (s *scan) addPersistent(m nsutil.NSFSMount) {
	if s.byIno[m.Inode] != nil {
		return
	}
	fd, err := unix.Open(m.Target, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	s.addForFD(fd, m.Inode)
}

// addForFD adds the namespace open on fd, when its kind is listed, with its parent and owner
// namespaces (which, when no process is in them, are found only this way), as util-linux does.
func (s *scan) addForFD(fd int, ino uint64) *namespace {
	kind, err := nsutil.NamespaceKind(fd)
	if err != nil {
		return nil
	}
	k, _ := kindIndex(kind.Name)
	if !s.opts.types[k] {
		return nil
	}
	parentFD, parentIno := relatedFD(fd, unix.NS_GET_PARENT, kind)
	ownerFD, ownerIno := relatedFD(fd, unix.NS_GET_USERNS, kind)
	defer closeIf(parentFD)
	defer closeIf(ownerFD)
	ns := s.add(k, ino)
	ns.related = [relations]uint64{parentIno, ownerIno}
	ns.hasRelated = true
	if kind.Flag == unix.CLONE_NEWUSER {
		if uid, err := nsutil.OwnerUID(fd); err == nil {
			ns.uidFallback = uid
		}
	}
	if parentIno != 0 && parentIno != ino {
		ns.relatedNS[relParent] = s.byIno[parentIno]
		if ns.relatedNS[relParent] == nil && parentFD >= 0 {
			ns.relatedNS[relParent] = s.addForFD(parentFD, parentIno)
			if parentIno == ownerIno {
				ns.relatedNS[relOwner] = ns.relatedNS[relParent]
			}
		}
	}
	if ns.relatedNS[relOwner] == nil && ownerIno != 0 {
		ns.relatedNS[relOwner] = s.byIno[ownerIno]
		if ns.relatedNS[relOwner] == nil && ownerFD >= 0 {
			ns.relatedNS[relOwner] = s.addForFD(ownerFD, ownerIno)
		}
	}
	return ns
}

func closeIf(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}

// relatedFD runs NS_GET_PARENT (pid and user kinds only) or NS_GET_USERNS and returns the
// related namespace's fd and inode; -1 and 0 when the kernel will not say.
func relatedFD(fd int, req uint, kind nsutil.Kind) (int, uint64) {
	if req == unix.NS_GET_PARENT && kind.Flag != unix.CLONE_NEWPID && kind.Flag != unix.CLONE_NEWUSER {
		return -1, 0
	}
	rel, err := unix.IoctlRetInt(fd, req)
	if err != nil {
		return -1, 0
	}
	var st unix.Stat_t
	if err := unix.Fstat(rel, &st); err != nil {
		unix.Close(rel)
		return -1, 0
	}
	return rel, st.Ino
}

// lookupRelations asks the kernel for a namespace's parent and owner; tests replace it to play
// a kernel without the namespace ioctls.
var lookupRelations = nsutil.Relations

// resolve asks, once per namespace and in parallel, what the output needs: parent and owner,
// NETNSID. It then sorts the namespaces by inode. A kernel without the namespace ioctls is an
// error, as in util-linux: see unsupportedIoctls.
func (s *scan) resolve() error {
	if s.opts.netnsid {
		if q, err := nsutil.OpenNetNSIDQuerier(); err == nil {
			s.querier = q
			defer q.Close()
		}
	}
	var todo []*namespace
	for _, ns := range s.list {
		if ns.proc != nil && ((s.opts.relations && !ns.hasRelated) || (s.querier != nil && nsutil.Kinds[ns.kind].Name == "net")) {
			todo = append(todo, ns)
		}
	}
	var mu sync.Mutex // the netlink socket is shared
	workers := min(runtime.NumCPU(), max(1, len(todo)/32))
	var wg sync.WaitGroup
	next := make(chan *namespace)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ns := range next {
				s.resolveOne(ns, &mu)
			}
		}()
	}
	for _, ns := range todo {
		next <- ns
	}
	close(next)
	wg.Wait()
	err := s.unsupportedIoctls(todo)
	sort.Slice(s.list, func(i, j int) bool { return s.list[i].ino < s.list[j].ino })
	return err
}

// unsupportedIoctls reports, as util-linux 2.42 does, a namespace ioctl the kernel does not
// know: ENOTTY is fatal ("Unsupported ioctl NS_GET_USERNS", exit 2, nothing listed); ENOSYS
// (seen under emulators) is a warning, once per ioctl, and the relation shows as 0.
func (s *scan) unsupportedIoctls(resolved []*namespace) error {
	var warned []string
	for _, ns := range resolved {
		var e *nsutil.UnsupportedIoctlError
		if !errors.As(ns.relatedErr, &e) {
			continue
		}
		msg := "Unsupported ioctl " + e.Name
		if e.Errno == unix.ENOTTY {
			return &failure{warnings: warned, msg: msg, code: exitUnsupportedIoctl}
		}
		if !slices.Contains(warned, msg) {
			warned = append(warned, msg)
		}
	}
	s.warnings = warned
	return nil
}

// resolveOne opens the namespace through one of its processes (the lowest PID first; others
// when it has exited) and asks the kernel about it.
func (s *scan) resolveOne(ns *namespace, mu *sync.Mutex) {
	kind := nsutil.Kinds[ns.kind]
	for _, p := range ns.procs {
		fd, err := unix.Open(kind.ProcPath(p.pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil || st.Ino != ns.ino {
			unix.Close(fd) // PID reused by a process elsewhere
			continue
		}
		if s.opts.relations && !ns.hasRelated {
			r, err := lookupRelations(fd, kind)
			if err == nil {
				ns.related = [relations]uint64{r.Parent, r.Owner}
			}
			var unsupported *nsutil.UnsupportedIoctlError
			if errors.As(err, &unsupported) {
				ns.relatedErr = unsupported
			}
			ns.hasRelated = true
		}
		if s.querier != nil && kind.Name == "net" && p == ns.proc {
			mu.Lock()
			id, err := s.querier.Query(fd)
			mu.Unlock()
			if err == nil {
				ns.netnsid, ns.hasNetnsid = id, true
			}
		}
		unix.Close(fd)
		return
	}
}

// connect links every namespace to its parent and owner for the owner and parent trees,
// adding the ancestors that no process is in through the ioctls ("ghost" namespaces).
func (s *scan) connect() {
	snapshot := append([]*namespace(nil), s.list...)
	for _, ns := range snapshot {
		kind := nsutil.Kinds[ns.kind]
		for rel := 0; rel < relations; rel++ {
			if rel == relParent && kind.Flag != unix.CLONE_NEWPID && kind.Flag != unix.CLONE_NEWUSER {
				continue
			}
			id := ns.related[rel]
			if id == 0 {
				continue
			}
			if ns.relatedNS[rel] = s.byIno[id]; ns.relatedNS[rel] == nil {
				ns.relatedNS[rel] = s.ghost(ns, rel)
			}
		}
	}
	sort.Slice(s.list, func(i, j int) bool { return s.list[i].ino < s.list[j].ino })
}

// ghost adds the parent or owner of ns that no process is in, reached from ns's lowest process.
func (s *scan) ghost(ns *namespace, rel int) *namespace {
	if ns.proc == nil {
		return nil
	}
	kind := nsutil.Kinds[ns.kind]
	fd, err := unix.Open(kind.ProcPath(ns.proc.pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	req := uint(unix.NS_GET_PARENT)
	if rel == relOwner {
		req = unix.NS_GET_USERNS
	}
	relFD, ino := relatedFD(fd, req, kind)
	unix.Close(fd)
	if relFD < 0 {
		return nil
	}
	defer unix.Close(relFD)
	if ino != ns.related[rel] {
		return nil
	}
	if known := s.byIno[ino]; known != nil {
		return known
	}
	return s.addForFD(relFD, ino)
}

// nsfsTargets lists the mount points of namespace ns, as util-linux's NSFS column does.
func (s *scan) nsfsTargets(ns *namespace) []string {
	var out []string
	name := nsutil.Kinds[ns.kind].Name
	for _, m := range s.mounts {
		if m.Inode != ns.ino || m.Kind != name {
			continue
		}
		dup := false
		for _, t := range out {
			dup = dup || t == m.Target
		}
		if !dup {
			out = append(out, m.Target)
		}
	}
	return out
}
