//go:build linux

package discover

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/procfs"
	"golang.org/x/sys/unix"
)

// Process is one /proc/PID as discovery saw it.
type Process struct {
	PID     int
	UID     uint32   // the owner of /proc/PID: the effective UID
	NS      []uint64 // namespace inode per nsutil.Kinds index, 0 when unknown or not listed
	PPID    int      // after Load; 0 when the process is gone by then
	Parent  *Process // the process whose PID is PPID, after Load, when it was seen
	Command string   // after Load with commands: the command line as util-linux shows it, else comm
	// what Load has read
	statLoaded, commandLoaded bool
}

// Namespace is one namespace, found by any route.
type Namespace struct {
	Inode     uint64
	Kind      int        // index into nsutil.Kinds
	Procs     []*Process // the processes in it, in /proc order
	Proc      *Process   // the lowest PID in it, nil when no process is in it
	Relations nsutil.NSRelations
	// ParentNS and OwnerNS are the namespaces of Relations when discovered: always for those
	// read through an fd (every one no process is in: they are found through their children);
	// for those processes are in, they are set by Connect.
	ParentNS, OwnerNS *Namespace
	OwnerUID          uint32   // NS_GET_OWNER_UID, for a user namespace no process is in
	NetNSID           int      // with HasNetNSID: the id, or unix.NETNSA_NSID_NOT_ASSIGNED
	HasNetNSID        bool     //
	Mounts            []string // where it is bind-mounted (nsfs mount points), in mountinfo order
	hasRelations      bool     // Relations was asked of the kernel
	throughFD         bool     // read through an open namespace fd, with its ancestors (addForFD)
}

// Options say what to find, beyond the namespaces and their processes.
type Options struct {
	Kinds     []bool // by nsutil.Kinds index: the kinds to list
	Relations bool   // each namespace's parent and owner
	NetNSID   bool   // each network namespace's NETNSID
	// RelationsOf replaces nsutil.Relations, so that tests can play a kernel without the
	// namespace ioctls; nil in real use.
	RelationsOf func(fd int, k nsutil.Kind) (nsutil.NSRelations, error)
}

// Host is what Scan found.
type Host struct {
	Namespaces []*Namespace // sorted by inode
	Processes  []*Process   // in /proc order
	// Unsupported are the namespace ioctls the kernel does not know, one per namespace whose
	// relations could not be read, in the order they were met.
	Unsupported []*nsutil.UnsupportedIoctlError

	opts    Options
	wanted  int // how many kinds are listed
	byPID   map[int]*Process
	byIno   map[uint64]*Namespace
	mounts  []nsfsMount
	nsfsDev uint64
	querier *procfs.NetNSIDQuerier
	fdNS    []heldFD // nsfs fds seen while scanning processes
	sockets []heldFD // socket fds, one per socket inode
}

// nsfsMount is a namespace bind-mounted on a path (`ip netns add`, `unshare --net=FILE`).
type nsfsMount struct {
	kind   string
	ino    uint64
	target string
}

// heldFD is an fd of a process that may hold a namespace.
type heldFD struct {
	pid, fd int
	ino     uint64
}

// procResult is what a worker read about one PID.
type procResult struct {
	proc    *Process
	nsfds   []heldFD
	sockets []heldFD
}

// Scan runs the whole discovery: processes (in parallel), then namespaces held by fds, sockets
// and bind mounts, then what opts asks of each namespace (once per namespace).
func Scan(opts Options) (*Host, error) {
	h := &Host{opts: opts, byPID: map[int]*Process{}, byIno: map[uint64]*Namespace{}}
	if h.opts.RelationsOf == nil {
		h.opts.RelationsOf = nsutil.Relations
	}
	for _, w := range opts.Kinds {
		if w {
			h.wanted++
		}
	}
	var err error
	if h.nsfsDev, err = nsfsDevice(); err != nil {
		return nil, err
	}
	mounts, err := procfs.ReadMountinfo(0, procfs.FSType("nsfs"))
	if err != nil {
		return nil, err
	}
	for _, m := range mounts {
		if kind, ino, ok := procfs.ParseNSLink(m.Root); ok {
			h.mounts = append(h.mounts, nsfsMount{kind: kind, ino: ino, target: m.MountPoint})
		}
	}
	pids, err := procfs.PIDs()
	if err != nil {
		return nil, err
	}
	// Every network namespace gets its NETNSID however it was found; as in util-linux, none
	// shows when the socket cannot be opened.
	if opts.NetNSID {
		if q, err := procfs.OpenNetNSIDQuerier(); err == nil {
			h.querier = q
			defer q.Close()
		}
	}
	h.readProcesses(pids)
	h.addHeldNamespaces()
	for _, m := range h.mounts {
		h.addPersistent(m)
	}
	h.resolve()
	return h, nil
}

// nsfsDevice is the device number of the nsfs filesystem (that of /proc/self/ns/user).
func nsfsDevice() (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/user", &st); err != nil {
		return 0, &os.PathError{Op: "stat", Path: "/proc/self/ns/user", Err: err}
	}
	return st.Dev, nil
}

// Namespace is the namespace of inode ino, nil when none was found.
func (h *Host) Namespace(ino uint64) *Namespace { return h.byIno[ino] }

// eachWithDir calls fn(dir, i) for every i in [0, n), in contiguous runs on up to two goroutines
// per CPU (the work is system calls, and a busy host's scheduler shares the CPUs per thread),
// each with a procfs.Dir of its own; perWorker is the least work worth a goroutine.
func eachWithDir(n, perWorker int, fn func(dir *procfs.Dir, i int)) {
	workers := min(2*runtime.NumCPU(), max(1, n/perWorker))
	chunk := max(1, (n+workers-1)/workers)
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir, err := procfs.OpenDir(0)
			if err != nil {
				return
			}
			for i := lo; i < hi; i++ {
				fn(dir, i)
			}
		}()
	}
	wg.Wait()
}

// readProcesses reads every PID with workers goroutines and merges the results in /proc order.
func (h *Host) readProcesses(pids []int) {
	results := make([]procResult, len(pids))
	eachWithDir(len(pids), 64, func(dir *procfs.Dir, i int) { results[i] = h.readProcess(dir, pids[i]) })
	seenSock := map[uint64]bool{}
	for _, r := range results {
		if r.proc == nil {
			continue
		}
		h.Processes = append(h.Processes, r.proc)
		h.byPID[r.proc.PID] = r.proc
		h.fdNS = append(h.fdNS, r.nsfds...)
		for _, sk := range r.sockets {
			if !seenSock[sk.ino] {
				seenSock[sk.ino] = true
				h.sockets = append(h.sockets, sk)
			}
		}
	}
	for _, p := range h.Processes {
		for k, ino := range p.NS {
			if ino == 0 {
				continue
			}
			ns := h.byIno[ino]
			if ns == nil {
				ns = h.add(k, ino)
			}
			ns.Procs = append(ns.Procs, p)
			if ns.Proc == nil || p.PID < ns.Proc.PID {
				ns.Proc = p
			}
		}
	}
}

// readProcess reads one PID: owner, namespace links and fds (stat only later, for the processes
// asked for: see Load). A process that is gone (or turns out unreadable) gives a nil proc and is
// simply not listed.
func (h *Host) readProcess(dir *procfs.Dir, pid int) procResult {
	dir.Reset(pid)
	var err error
	p := &Process{PID: pid, NS: make([]uint64, len(nsutil.Kinds))}
	if h.wanted >= 3 {
		dir.OpenNS()
		defer dir.CloseNS()
	}
	for k, kind := range nsutil.Kinds {
		if !h.opts.Kinds[k] {
			continue
		}
		if ino, err := dir.LinkInode(kind.Name); err == nil {
			p.NS[k] = ino
		}
	}
	r := procResult{proc: p}
	// A process whose fds cannot be read holds no namespace we can see.
	_ = dir.FDFiles(func(fd int, f procfs.FDFile) { h.classifyFD(pid, fd, f, &r) })
	if p.UID, err = dir.UID(); err != nil {
		return procResult{}
	}
	return r
}

// classifyFD notes an fd that may hold a namespace, as util-linux does: a file on the nsfs
// device (whatever its link reads: "net:[N]", the path of a bind mount, or "/" once that mount
// is gone) or a socket (whose network namespace is asked later).
func (h *Host) classifyFD(pid, fd int, f procfs.FDFile, r *procResult) {
	switch {
	case f.Dev == h.nsfsDev:
		r.nsfds = append(r.nsfds, heldFD{pid: pid, fd: fd, ino: f.Ino})
	case f.Mode&unix.S_IFMT == unix.S_IFSOCK:
		r.sockets = append(r.sockets, heldFD{pid: pid, fd: fd, ino: f.Ino})
	}
}

func fdPath(pid, fd int) string { return "/proc/" + strconv.Itoa(pid) + "/fd/" + strconv.Itoa(fd) }

// add records a new namespace.
func (h *Host) add(kind int, ino uint64) *Namespace {
	ns := &Namespace{Inode: ino, Kind: kind}
	name := nsutil.Kinds[kind].Name
	for _, m := range h.mounts {
		if m.ino == ino && m.kind == name && !slices.Contains(ns.Mounts, m.target) {
			ns.Mounts = append(ns.Mounts, m.target)
		}
	}
	h.byIno[ino] = ns
	h.Namespaces = append(h.Namespaces, ns)
	return ns
}

// addHeldNamespaces adds the namespaces open fds and sockets hold, with their ancestors, as
// util-linux does: each is read through its fd once, whether or not a process is in it.
func (h *Host) addHeldNamespaces() {
	for _, held := range h.fdNS {
		if ns := h.byIno[held.ino]; ns != nil && ns.throughFD {
			continue
		}
		fd, err := unix.Open(fdPath(held.pid, held.fd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		h.addForFD(fd, held.ino)
		unix.Close(fd)
	}
	if k, _ := nsutil.KindIndex("net"); !h.opts.Kinds[k] {
		return
	}
	for _, held := range h.sockets {
		target, err := nsutil.OpenTarget(held.pid)
		if err != nil {
			continue
		}
		ns, err := nsutil.SocketNamespace(target, held.fd)
		target.Close()
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(ns.FD, &st) == nil {
			if known := h.byIno[st.Ino]; known == nil || !known.throughFD {
				h.addForFD(ns.FD, st.Ino)
			}
		}
		ns.Close()
	}
}

// addPersistent adds a namespace bind-mounted somewhere (`ip netns add`) that nothing else holds.
func (h *Host) addPersistent(m nsfsMount) {
	if h.byIno[m.ino] != nil {
		return
	}
	fd, err := unix.Open(m.target, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	h.addForFD(fd, m.ino)
}

// addForFD adds the namespace open on fd, when its kind is listed, with its parent and owner
// namespaces (which, when no process is in them, are found only this way), as util-linux does;
// for a namespace processes are in, it asks its NETNSID and adds the ancestors not seen yet.
func (h *Host) addForFD(fd int, ino uint64) *Namespace {
	kind, err := nsutil.NamespaceKind(fd)
	if err != nil {
		return nil
	}
	k, _ := nsutil.KindIndex(kind.Name)
	if !h.opts.Kinds[k] {
		return nil
	}
	ns := h.byIno[ino]
	if ns != nil && ns.throughFD {
		return ns
	}
	parentFD, parentIno, _ := nsutil.OpenRelated(fd, kind, true)
	ownerFD, ownerIno, _ := nsutil.OpenRelated(fd, kind, false)
	defer closeIf(parentFD)
	defer closeIf(ownerFD)
	if ns == nil {
		ns = h.add(k, ino)
	}
	ns.throughFD = true
	// A namespace processes are in has its relations read through a process (resolve), as
	// util-linux reads them with the process's links (and reports an ioctl the kernel lacks).
	if ns.Proc == nil {
		ns.Relations = nsutil.NSRelations{Parent: parentIno, Owner: ownerIno}
		ns.hasRelations = true
	}
	if kind.Flag == unix.CLONE_NEWUSER {
		if uid, err := nsutil.OwnerUID(fd); err == nil {
			ns.OwnerUID = uid
		}
	}
	if h.querier != nil && kind.Flag == unix.CLONE_NEWNET {
		if id, err := h.querier.Query(fd); err == nil {
			ns.NetNSID, ns.HasNetNSID = id, true
		}
	}
	var parentNS, ownerNS *Namespace
	if parentIno != 0 && parentIno != ino {
		parentNS = h.related(parentFD, parentIno)
		if parentIno == ownerIno {
			ownerNS = parentNS
		}
	}
	if ownerNS == nil && ownerIno != 0 {
		ownerNS = h.related(ownerFD, ownerIno)
	}
	if ns.Proc == nil {
		ns.ParentNS, ns.OwnerNS = parentNS, ownerNS
	}
	return ns
}

// related is the parent or owner (inode ino, open on fd, or -1) of a namespace read through its
// fd: read through fd in turn unless that was done, so that its ancestors are found too, as
// util-linux (which reads every namespace fd before the processes' links) finds them.
func (h *Host) related(fd int, ino uint64) *Namespace {
	if known := h.byIno[ino]; known != nil && (known.throughFD || fd < 0) {
		return known
	}
	if fd < 0 {
		return nil
	}
	return h.addForFD(fd, ino)
}

func closeIf(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}

// resolve asks, once per namespace and in parallel, what the options ask for: parent and owner,
// NETNSID. It then sorts the namespaces by inode.
func (h *Host) resolve() {
	var todo []*Namespace
	for _, ns := range h.Namespaces {
		if ns.Proc != nil && ((h.opts.Relations && !ns.hasRelations) || h.needsNetNSID(ns)) {
			todo = append(todo, ns)
		}
	}
	unsupported := make([]*nsutil.UnsupportedIoctlError, len(todo))
	var mu sync.Mutex // the netlink socket is shared
	n := min(runtime.NumCPU(), max(1, len(todo)/32))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				unsupported[i] = h.resolveOne(todo[i], &mu)
			}
		}()
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, u := range unsupported {
		if u != nil {
			h.Unsupported = append(h.Unsupported, u)
		}
	}
	sort.Slice(h.Namespaces, func(i, j int) bool { return h.Namespaces[i].Inode < h.Namespaces[j].Inode })
}

// needsNetNSID says whether the NETNSID of ns is to be asked still.
func (h *Host) needsNetNSID(ns *Namespace) bool {
	return h.querier != nil && nsutil.Kinds[ns.Kind].Flag == unix.CLONE_NEWNET && !ns.HasNetNSID
}

// resolveOne opens the namespace through one of its processes (the lowest PID first; others
// when it has exited) and asks the kernel about it. It returns the namespace ioctl the kernel
// lacks, if any.
func (h *Host) resolveOne(ns *Namespace, mu *sync.Mutex) *nsutil.UnsupportedIoctlError {
	kind := nsutil.Kinds[ns.Kind]
	var unsupported *nsutil.UnsupportedIoctlError
	for _, p := range ns.Procs {
		fd, err := unix.Open(kind.ProcPath(p.PID), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Fstat(fd, &st) != nil || st.Ino != ns.Inode {
			unix.Close(fd) // PID reused by a process elsewhere
			continue
		}
		if h.opts.Relations && !ns.hasRelations {
			r, err := h.opts.RelationsOf(fd, kind)
			if err == nil {
				ns.Relations = r
			}
			errors.As(err, &unsupported)
			ns.hasRelations = true
		}
		if h.needsNetNSID(ns) && p == ns.Proc {
			mu.Lock()
			id, err := h.querier.Query(fd)
			mu.Unlock()
			if err == nil {
				ns.NetNSID, ns.HasNetNSID = id, true
			}
		}
		unix.Close(fd)
		break
	}
	return unsupported
}

// Connect links every namespace to its parent and owner (ParentNS, OwnerNS) for owner and
// parent trees, adding through the ioctls the ancestors that no process is in.
func (h *Host) Connect() {
	snapshot := append([]*Namespace(nil), h.Namespaces...)
	for _, ns := range snapshot {
		kind := nsutil.Kinds[ns.Kind]
		if id := ns.Relations.Parent; id != 0 && (kind.Flag == unix.CLONE_NEWPID || kind.Flag == unix.CLONE_NEWUSER) {
			if ns.ParentNS = h.byIno[id]; ns.ParentNS == nil {
				ns.ParentNS = h.ghost(ns, true)
			}
		}
		if id := ns.Relations.Owner; id != 0 {
			if ns.OwnerNS = h.byIno[id]; ns.OwnerNS == nil {
				ns.OwnerNS = h.ghost(ns, false)
			}
		}
	}
	sort.Slice(h.Namespaces, func(i, j int) bool { return h.Namespaces[i].Inode < h.Namespaces[j].Inode })
}

// ghost adds the parent (or owner) of ns that no process is in, reached from ns's lowest process.
func (h *Host) ghost(ns *Namespace, parent bool) *Namespace {
	if ns.Proc == nil {
		return nil
	}
	kind := nsutil.Kinds[ns.Kind]
	fd, err := unix.Open(kind.ProcPath(ns.Proc.PID), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	relFD, ino, _ := nsutil.OpenRelated(fd, kind, parent)
	unix.Close(fd)
	if relFD < 0 {
		return nil
	}
	defer unix.Close(relFD)
	want := ns.Relations.Owner
	if parent {
		want = ns.Relations.Parent
	}
	if ino != want {
		return nil
	}
	if known := h.byIno[ino]; known != nil {
		return known
	}
	return h.addForFD(relFD, ino)
}

// Load reads, on all CPUs, what only the processes a caller shows need: PPID and Parent (from
// /proc/PID/stat) and, with commands, Command. Each process is read once however often it is
// passed; a process gone by now keeps PPID 0, no Parent and no Command.
func (h *Host) Load(procs []*Process, commands bool) {
	var todo []*Process
	seen := map[*Process]bool{}
	for _, p := range procs {
		if p != nil && !seen[p] && (!p.statLoaded || commands && !p.commandLoaded) {
			seen[p] = true
			todo = append(todo, p)
		}
	}
	eachWithDir(len(todo), 32, func(dir *procfs.Dir, i int) {
		p := todo[i]
		if !p.statLoaded {
			dir.Reset(p.PID)
			if st, err := dir.Stat(); err == nil {
				p.PPID = st.PPID
			}
		}
		if commands && !p.commandLoaded {
			p.Command = command(p.PID)
		}
	})
	for _, p := range todo {
		p.Parent = h.byPID[p.PPID]
		p.statLoaded, p.commandLoaded = true, p.commandLoaded || commands
	}
}

// command is the command line of pid as util-linux shows it, else its command name.
func command(pid int) string {
	if cmd, err := procfs.ReadCmdline(pid); err == nil && cmd != "" {
		return cmd
	}
	comm, _ := procfs.ReadComm(pid)
	return comm
}
