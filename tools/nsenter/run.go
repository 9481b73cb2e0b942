package nsenter

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/tools/cli"
	"golang.org/x/sys/unix"
)

const (
	userFlag  = unix.CLONE_NEWUSER
	mountFlag = unix.CLONE_NEWNS
	pidFlag   = unix.CLONE_NEWPID
	netnsDir  = "/run/netns/" // where `ip netns add NAME` keeps NAME
)

// pidfdSetns reports whether setns takes a pidfd (a variable so tests can take the /proc path).
var pidfdSetns = nsutil.PidfdSetnsSupported

// entry is what nsenter has worked out from its command line: which namespaces to enter and
// how, the directories, credentials and environment of the program.
type entry struct {
	g           *grammar
	pid         int                       // the target process, 0 when none
	target      *nsutil.Target            // open when pid != 0
	want        uintptr                   // the kinds to enter
	files       map[string]*nsutil.NSFile // by kind name: an explicit file, or /proc/PID/ns/KIND
	viaPidfd    uintptr                   // the kinds entered with setns(pidfd, mask)
	rootFD      int                       // -r: the new root, -1 when none
	wdFD        int                       // -w: the new working directory, -1 when none
	cwdFD       int                       // -r without -w/-W: the caller's cwd, to come back to
	env         []string                  // -e: the target's environment; nil: the caller's
	uid, gid    int
	setUID      bool
	setGID      bool
	cgroupProcs string // -c: the target's cgroup.procs
}

// newEntry is an entry for the parsed command line g, with nothing opened yet.
func newEntry(g *grammar) *entry {
	return &entry{g: g, files: map[string]*nsutil.NSFile{}, rootFD: -1, wdFD: -1, cwdFD: -1}
}

// run works out the entry, builds the plan and runs it; it returns only on failure.
func run(g *grammar) error {
	e := newEntry(g)
	if err := e.resolve(); err != nil {
		return err
	}
	p := e.plan()
	if e.cgroupProcs != "" {
		if err := joinCgroup(e.cgroupProcs, g.Trace); err != nil {
			return err
		}
	}
	p.Engine = nsutil.EngineAuto
	return p.Run()
}

// report prints err as nsenter's one-line message and returns the exit status; an ambiguous
// --container adds the candidates, one per line.
func report(err error) int {
	code := cli.Fail(os.Stderr, "nsenter", err)
	var step *nsutil.StepError
	if errors.As(err, &step) {
		code = step.Code // the program could not be run in this process: 126 or 127
	}
	var amb *ambiguousError
	if errors.As(err, &amb) {
		for _, m := range amb.matches {
			fmt.Fprintf(os.Stderr, "  %s\n", describeContainer(m))
		}
	}
	return code
}

// resolve checks the command line and opens everything nsenter needs before it enters any
// namespace: the target, namespace files, directories; it reads the target's environment and
// credentials.
func (e *entry) resolve() error {
	g := e.g
	if g.Wd.Set && g.Wdns.Set {
		return errors.New("mutually exclusive arguments: --wd --wdns")
	}
	if g.Wdns.Set && optValue(g.Wdns) == "" {
		return errors.New("--wdns requires a directory")
	}
	steps := []func() error{e.parseTarget, e.explicitNamespaces, e.allNamespaces, e.userParent,
		e.netSocket, e.targetNamespaces, e.directories, e.environment, e.credentials, e.cgroup}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if e.target != nil && !e.target.Alive() {
		// What was opened through /proc may belong to a new process that reused the PID.
		return &os.PathError{Op: "cannot open", Path: "/proc/" + strconv.Itoa(e.pid), Err: unix.ESRCH}
	}
	return nil
}

// parseTarget reads -t PID (or finds the container of --container) and opens the target.
func (e *entry) parseTarget() error {
	g := e.g
	switch {
	case g.Target != "" && g.Container != nil:
		return errors.New("mutually exclusive arguments: --target --container")
	case g.Container != nil:
		pid, err := containerInit(*g.Container)
		if err != nil {
			return err
		}
		e.pid = pid
	case g.Target != "":
		pid, err := strconv.Atoi(string(g.Target))
		if err != nil || pid <= 0 {
			return fmt.Errorf("failed to parse pid: '%s'", g.Target)
		}
		e.pid = pid
	default:
		return nil
	}
	t, err := nsutil.OpenTarget(e.pid)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
		// A thread ID has no pidfd; its /proc/TID/ns files still show its namespaces.
		if _, serr := os.Stat("/proc/" + strconv.Itoa(e.pid)); serr == nil {
			t, err = &nsutil.Target{PID: e.pid, PidFD: -1}, nil
		}
	}
	if errors.Is(err, unix.ESRCH) {
		return missingTarget(g, e.pid, err)
	}
	if err != nil {
		return err
	}
	e.target = t
	return nil
}

// namespaceOption is the grammar's option for kind k: the field tagged `ns:"NAME"`.
// missingTarget names, for a target that does not exist, the first namespace file nsenter
// would have opened (`cannot open /proc/999999/ns/net: No such process`), as util-linux does.
func missingTarget(g *grammar, pid int, err error) error {
	for _, k := range nsutil.Kinds {
		if o := g.namespaceOption(k); o != nil && o.Set && !o.HasValue || g.All {
			return &os.PathError{Op: "cannot open", Path: k.ProcPath(pid), Err: unix.ESRCH}
		}
	}
	return err
}

func (g *grammar) namespaceOption(k nsutil.Kind) *nsutil.OptionalValue {
	v := reflect.ValueOf(g).Elem()
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).Tag.Get("ns") == k.Name {
			return v.Field(i).Addr().Interface().(*nsutil.OptionalValue)
		}
	}
	panic("nsenter: no option for namespace kind " + k.Name)
}

// optValue is an option's attached value; getopt hands `-n=FILE` over as "=FILE" and
// util-linux drops the '='.
func optValue(o nsutil.OptionalValue) string {
	return strings.TrimPrefix(o.Value, "=")
}

// explicitNamespaces enables the kinds given as options and opens the files given with them.
func (e *entry) explicitNamespaces() error {
	for _, k := range nsutil.Kinds {
		opt := e.g.namespaceOption(k)
		if !opt.Set {
			continue
		}
		e.want |= k.Flag
		if !opt.HasValue {
			continue
		}
		path := optValue(*opt)
		if k.Name == "net" {
			path = netnsPath(path)
		}
		f, err := nsutil.OpenNamespace(path, &k)
		if err != nil {
			return err
		}
		e.files[k.Name] = f
	}
	return nil
}

// netnsPath turns an ip-netns name (no '/') into /run/netns/NAME when that exists or no file of
// that name is in the current directory; other paths are left as they are.
func netnsPath(path string) string {
	if path == "" || path == "." || path == ".." || strings.Contains(path, "/") {
		return path
	}
	if _, err := os.Stat(netnsDir + path); err == nil {
		return netnsDir + path
	}
	if _, err := os.Lstat(path); err == nil {
		return path
	}
	return netnsDir + path
}

// allNamespaces is -a: every kind the kernel has, except those the caller already shares with
// the target. util-linux skips only a shared user namespace (setns refuses it) and so fails,
// e.g., when a rootless container's owner shares the host's cgroup namespace with it; entering
// another shared one changes nothing but the cwd (a mount namespace's root) and the fork (a PID
// namespace).
func (e *entry) allNamespaces() error {
	if !e.g.All {
		return nil
	}
	if e.pid == 0 {
		return errors.New("no target PID specified for --all")
	}
	for _, k := range nsutil.Kinds {
		if e.want&k.Flag != 0 {
			continue
		}
		if _, err := os.Stat(k.ProcPath(0)); err != nil {
			continue // the kernel lacks this kind
		}
		if same, err := nsutil.SameNamespace(e.pid, k); err != nil || !same {
			e.want |= k.Flag
		}
	}
	return nil
}

// userParent is --user-parent: the parent of the given or the target's user namespace.
func (e *entry) userParent() error {
	if !e.g.Parent {
		return nil
	}
	user, _ := nsutil.KindByName("user")
	f := e.files[user.Name]
	if f == nil {
		if e.target == nil {
			return errors.New("no target PID specified for --user-parent")
		}
		var err error
		if f, err = nsutil.OpenNamespace(e.target.NamespacePath(user), &user); err != nil {
			return err
		}
	}
	parent, err := nsutil.ParentUserNamespace(f)
	if err != nil {
		return err
	}
	e.files[user.Name] = parent
	e.want |= userFlag
	return nil
}

// netSocket is -N FD: the network namespace of the target's socket FD.
func (e *entry) netSocket() error {
	if e.g.Socket == "" {
		return nil
	}
	fd, err := strconv.Atoi(string(e.g.Socket))
	if err != nil || fd < 0 {
		return fmt.Errorf("failed to parse file descriptor: '%s'", e.g.Socket)
	}
	if e.target == nil {
		return errors.New("no target PID specified for --net-socket")
	}
	f, err := nsutil.SocketNamespace(e.target, fd)
	if err != nil {
		return err
	}
	e.files[f.Kind.Name] = f
	e.want |= f.Kind.Flag
	return nil
}

// targetNamespaces decides how the kinds without a file are entered: through the target's
// pidfd when setns takes one (one call per pass, atomic, safe against PID reuse), else through
// /proc/PID/ns files opened now.
func (e *entry) targetNamespaces() error {
	var need uintptr
	for _, k := range nsutil.Kinds {
		if e.want&k.Flag != 0 && e.files[k.Name] == nil {
			need |= k.Flag
		}
	}
	if e.want == 0 && !e.g.All { // -a with nothing to enter runs the program where it is
		return errors.New("no namespace specified")
	}
	if need == 0 {
		return nil
	}
	if e.target == nil {
		return errors.New("no target PID specified")
	}
	if e.target.PidFD >= 0 && pidfdSetns() {
		e.viaPidfd = need
		return nil
	}
	for _, k := range nsutil.Kinds {
		if need&k.Flag == 0 {
			continue
		}
		f, err := nsutil.OpenNamespace(e.target.NamespacePath(k), &k)
		if err != nil {
			return err
		}
		e.files[k.Name] = f
	}
	return nil
}

// directories opens -r and -w before any namespace is entered (as util-linux does); -W is a path
// resolved after them.
func (e *entry) directories() error {
	var err error
	if e.g.Root.Set {
		if e.rootFD, err = e.openDir(e.g.Root, "root", "--root"); err != nil {
			return err
		}
		if !e.g.Wd.Set && !e.g.Wdns.Set && e.want&mountFlag == 0 {
			// Come back to the caller's directory after chroot; entering a mount namespace
			// moves the cwd to its root instead.
			if e.cwdFD, err = unix.Open(".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
				return &os.PathError{Op: "cannot open", Path: "current working directory", Err: err}
			}
		}
	}
	if e.g.Wd.Set {
		if e.wdFD, err = e.openDir(e.g.Wd, "cwd", "--wd"); err != nil {
			return err
		}
	}
	return nil
}

// openDir opens an option's directory, or the target's /proc/PID/NAME when it has no value.
func (e *entry) openDir(o nsutil.OptionalValue, name, option string) (int, error) {
	path := optValue(o)
	if !o.HasValue {
		if e.target == nil {
			return -1, fmt.Errorf("no target PID specified for %s", option)
		}
		path = fmt.Sprintf("/proc/%d/%s", e.pid, name)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "cannot open", Path: path, Err: err}
	}
	return fd, nil
}

// environment is -e: the program gets the target's environment instead of the caller's.
func (e *entry) environment() error {
	if !e.g.Env {
		return nil
	}
	if e.target == nil {
		return errors.New("no target PID specified for --env")
	}
	env, err := nsutil.ProcEnviron(e.pid)
	e.env = env
	return err
}

// credentials works out -S, -G and util-linux's rule for user namespaces: without
// --preserve-credentials, entering one makes the program uid 0, gid 0, no supplementary groups.
func (e *entry) credentials() error {
	var err error
	if e.g.Setuid != "" {
		if e.uid, err = e.parseID(string(e.g.Setuid), "uid", true); err != nil {
			return err
		}
		e.setUID = true
	}
	if e.g.Setgid != "" {
		if e.gid, err = e.parseID(string(e.g.Setgid), "gid", false); err != nil {
			return err
		}
		e.setGID = true
	}
	if e.want&userFlag != 0 && !e.g.Preserve {
		e.setUID, e.setGID = true, true
	}
	return nil
}

// parseID reads a uid or gid, or "follow": the owner of /proc/PID.
func (e *entry) parseID(s, what string, isUID bool) (int, error) {
	if s == "follow" {
		if e.target == nil {
			return 0, fmt.Errorf("no target PID specified for %s follow", what)
		}
		uid, gid, err := nsutil.ProcOwner(e.pid)
		if isUID {
			return uid, err
		}
		return gid, err
	}
	id, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("failed to parse %s: '%s'", what, s)
	}
	return int(id), nil
}

// cgroup is -c: the target's cgroup v2 cgroup.procs, which the program will join.
func (e *entry) cgroup() error {
	if !e.g.Cgjoin {
		return nil
	}
	if e.target == nil {
		return errors.New("no target PID specified for --join-cgroup")
	}
	var fs unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &fs); err != nil || fs.Type != unix.CGROUP2_SUPER_MAGIC {
		return errors.New("--join-cgroup is only supported in cgroup v2")
	}
	path, err := nsutil.ProcCgroup2Path(e.pid)
	if err != nil {
		return err
	}
	e.cgroupProcs = filepath.Join("/sys/fs/cgroup", path, "cgroup.procs")
	return nil
}

// joinCgroup moves this process into the cgroup of cgroup.procs; the program and, after a
// fork, its parent stay there.
func joinCgroup(procs string, trace bool) error {
	pid := strconv.Itoa(os.Getpid())
	err := os.WriteFile(procs, []byte(pid), 0)
	if trace {
		fmt.Fprintf(os.Stderr, "write %s %q = %s\n", procs, pid, traceResult(err))
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return &os.PathError{Op: "cannot write", Path: procs, Err: err}
	}
	return nil
}

func traceResult(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return fmt.Sprintf("-1 %s (%s)", unix.ErrnoName(errno), cli.Strerror(errno))
	}
	if err != nil {
		return "-1 (" + err.Error() + ")"
	}
	return "0"
}
