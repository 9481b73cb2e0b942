//go:build linux

package nsenter

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/executor"
	"github.com/nsbox/nsbox/nsutil/procfs"
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
	opts        *cli.Options              // where each option was given
	pid         int                       // the target process, 0 when none
	target      *nsutil.Target            // open when pid != 0 and the process exists
	want        uintptr                   // the kinds to enter
	files       map[string]*nsutil.NSFile // by kind name: an explicit file, or /proc/PID/ns/KIND
	viaPidfd    uintptr                   // the kinds entered with setns(pidfd, mask)
	spec        nsutil.TargetSpec         // -t
	rootFD      int                       // -r: the new root, -1 when none
	rootPath    string                    // -r: its path, for messages
	rootTarget  bool                      // -r without a value (in any occurrence): the target's
	wdFD        int                       // -w: the new working directory, -1 when none
	wdPath      string                    // -w: its path, for messages
	wdTarget    bool                      // -w without a value: the target's
	cwdFD       int                       // -r without -w/-W: the caller's cwd, to come back to
	env         []string                  // -e: the target's environment; nil: the caller's
	envDirFD    int                       // -e read late: the target's /proc/PID; else -1
	uid, gid    int
	setUID      bool
	setGID      bool
	gidGiven    bool     // -G: asked for, not only implied by a user namespace
	followUID   bool     // -S follow: the owner of /proc/PID
	followGID   bool     // -G follow
	socketFD    int      // -N: the target's socket, -1 when none
	cgroupProcs *os.File // -c: the target's cgroup.procs, open for writing
}

// newEntry is an entry for the parsed command line g with its options opts, with nothing
// opened yet.
func newEntry(g *grammar, opts *cli.Options) *entry {
	return &entry{g: g, opts: opts, files: map[string]*nsutil.NSFile{}, rootFD: -1, wdFD: -1, cwdFD: -1, socketFD: -1, envDirFD: -1}
}

// run works out the entry, builds the plan and runs it; it returns only on failure. --trace's
// own lines go to stderr.
func run(g *grammar, opts *cli.Options, stderr io.Writer) error {
	e := newEntry(g, opts)
	if err := e.resolve(); err != nil {
		return err
	}
	p := e.plan()
	if e.cgroupProcs != nil {
		if err := joinCgroup(e.cgroupProcs, g.Trace, stderr); err != nil {
			return err
		}
	}
	p.Engine = executor.EngineAuto
	return p.Run()
}

// report prints err on w as nsenter's one-line message and returns the exit status; an
// ambiguous --container adds the candidates, one per line.
func report(w io.Writer, err error) int {
	code := cli.Fail(w, "nsenter", err)
	var step *executor.StepError
	if errors.As(err, &step) {
		code = step.Code // the program could not be run in this process: 126 or 127
	}
	var amb *ambiguousError
	if errors.As(err, &amb) {
		for _, m := range amb.matches {
			fmt.Fprintf(w, "  %s\n", describeContainer(m))
		}
	}
	return code
}

// resolve checks the command line and opens everything nsenter needs before it enters any
// namespace: the target, namespace files, directories; it reads the target's environment and
// credentials. The checks come in util-linux 2.42's order, so that the first error reported is
// the one util-linux reports: first each option where it was given, then the rest.
func (e *entry) resolve() error {
	g := e.g
	steps := []func() error{e.commandLine, e.openTarget, e.followContext, e.enableNamespaces,
		e.allNamespaces, e.targetNamespaces, e.directories, e.environment, e.followCredentials,
		e.cgroup, e.userParent, e.netSocket, e.userCredentials}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if e.want == 0 && !g.All { // -a with nothing to enter runs the program where it is
		return errors.New("no namespace specified")
	}
	if e.target != nil && !e.target.Alive() {
		// What was opened through /proc may belong to a new process that reused the PID.
		return &os.PathError{Op: "cannot open", Path: "/proc/" + strconv.Itoa(e.pid), Err: unix.ESRCH}
	}
	return nil
}

// openTarget opens the target of the last -t (or finds the container of --container). A
// plain PID that does not exist is not an error yet: what needs the target then fails on its
// /proc file, in util-linux's words (`cannot open /proc/999999/ns/net: No such file or
// directory`), and what does not need it runs.
func (e *entry) openTarget() error {
	g := e.g
	switch {
	case g.Target.Set && g.Container != nil:
		return errors.New("mutually exclusive arguments: --target --container")
	case g.Container != nil:
		pid, err := containerInit(*g.Container)
		if err != nil {
			return err
		}
		e.spec = nsutil.TargetSpec{PID: pid}
	case !g.Target.Set:
		return nil
	}
	e.pid = e.spec.PID
	if e.target != nil { // PID:INODE, opened and checked already
		return nil
	}
	t, err := nsutil.OpenTargetSpec(e.spec)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOENT) {
		// A thread ID has no pidfd; its /proc/TID/ns files still show its namespaces.
		if _, serr := os.Stat("/proc/" + strconv.Itoa(e.pid)); serr == nil {
			t, err = &nsutil.Target{PID: e.pid, PidFD: -1}, nil
		}
	}
	if errors.Is(err, unix.ESRCH) {
		return nil // no such process: see above
	}
	if err != nil {
		return err
	}
	e.target = t
	return nil
}

// followContext is -Z: util-linux gives the program the target's SELinux context. Without
// SELinux it does nothing, as in util-linux; with SELinux nsbox refuses it rather than run the
// program in the wrong context.
func (e *entry) followContext() error {
	var fs unix.Statfs_t
	if !e.g.Follow || unix.Statfs("/sys/fs/selinux", &fs) != nil || fs.Type != unix.SELINUX_MAGIC {
		return nil
	}
	if e.pid == 0 {
		return errors.New("no target PID specified for --follow-context")
	}
	return fmt.Errorf("--follow-context: setting the SELinux context of PID %d: %w", e.pid, unix.ENOTSUP)
}

// missingTargetSocket is -N's error for a target that does not exist, util-linux's words.
func (e *entry) missingTargetSocket() error {
	return fmt.Errorf("failed to pidfd_open() for %d: %w", e.pid, unix.ESRCH)
}

// optValue is an option's attached value; getopt hands `-n=FILE` over as "=FILE" and
// util-linux drops the '='.
func optValue(v string) string {
	return strings.TrimPrefix(v, "=")
}

// enableNamespaces enables the kinds given as options (their files are open already).
func (e *entry) enableNamespaces() error {
	for _, k := range nsutil.Kinds {
		if e.opts.Given(k.Long) {
			e.want |= k.Flag
		}
	}
	return nil
}

// openNamespaceValue opens a namespace option's value: :NSID, an ip-netns name (--net), or a
// file.
func openNamespaceValue(value string, k nsutil.Kind) (*nsutil.NSFile, error) {
	if id, isID := strings.CutPrefix(value, ":"); isID {
		n, err := nsutil.ParseNamespaceID(id)
		if err != nil {
			return nil, err
		}
		return nsutil.OpenNamespaceID(n, &k)
	}
	if k.Name == "net" {
		value = netnsPath(value)
	}
	return nsutil.OpenNamespace(value, &k)
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
// namespace). The target's user namespace must be readable, as in util-linux (`stat of
// /proc/PID/ns/user failed: ...`).
func (e *entry) allNamespaces() error {
	if !e.g.All {
		return nil
	}
	if e.pid == 0 {
		// util-linux looks for the user namespace of PID 0.
		_, err := os.Stat("/proc/0/ns/user")
		var pe *os.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("stat of %s failed: %w", pe.Path, pe.Err)
		}
	}
	for _, k := range nsutil.Kinds {
		if e.want&k.Flag != 0 {
			continue
		}
		if _, err := os.Stat(k.ProcPath(0)); err != nil {
			continue // the kernel lacks this kind
		}
		same, err := nsutil.SameNamespace(e.pid, k)
		var pe *os.PathError
		if k.Flag == userFlag && errors.As(err, &pe) {
			return fmt.Errorf("stat of %s failed: %w", pe.Path, pe.Err)
		}
		if err != nil || !same {
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
		if e.pid == 0 {
			return errors.New("no target PID specified")
		}
		var err error
		if f, err = nsutil.OpenNamespace(user.ProcPath(e.pid), &user); err != nil {
			return err
		}
		defer f.Close()
	}
	parent, err := nsutil.ParentUserNamespace(f)
	if err != nil {
		return err
	}
	e.setFile(parent)
	return nil
}

// setFile makes f the namespace file of its kind (replacing one opened before, and the
// target's pidfd for that kind) and enables the kind.
func (e *entry) setFile(f *nsutil.NSFile) {
	if old := e.files[f.Kind.Name]; old != nil && old != f {
		old.Close()
	}
	e.files[f.Kind.Name] = f
	e.want |= f.Kind.Flag
	e.viaPidfd &^= f.Kind.Flag
}

// netSocket is -N FD: the network namespace of the target's socket FD.
func (e *entry) netSocket() error {
	switch {
	case e.socketFD < 0:
		return nil
	case e.pid == 0:
		return errors.New("no target PID specified")
	case e.target == nil:
		return e.missingTargetSocket()
	}
	f, err := nsutil.SocketNamespace(e.target, e.socketFD)
	if err != nil {
		return err
	}
	e.setFile(f)
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
	if (need != 0 || e.socketFD >= 0 || e.g.Parent) && e.pid == 0 {
		return errors.New("no target PID specified")
	}
	if need == 0 {
		return nil
	}
	if e.target != nil && e.target.PidFD >= 0 && pidfdSetns() {
		e.viaPidfd = need
		return nil
	}
	for _, k := range nsutil.Kinds {
		if need&k.Flag == 0 {
			continue
		}
		f, err := nsutil.OpenNamespace(k.ProcPath(e.pid), &k)
		if err != nil {
			return err
		}
		e.files[k.Name] = f
	}
	return nil
}

// directories opens the target's root and working directory for -r and -w without a value,
// before any namespace is entered (as util-linux does; the directories given as values are
// open already); -W is a path resolved after them.
func (e *entry) directories() error {
	var err error
	if e.rootTarget {
		if err = e.openTargetDir("root", &e.rootFD, &e.rootPath); err != nil {
			return err
		}
	}
	if _, wdns := e.wdns(); e.rootFD >= 0 && !e.g.Wd.Set && !wdns && e.want&mountFlag == 0 {
		// Come back to the caller's directory after chroot; entering a mount namespace moves
		// the cwd to its root instead.
		if e.cwdFD, err = unix.Open(".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
			return &os.PathError{Op: "cannot open", Path: "current working directory", Err: err}
		}
	}
	if e.wdTarget {
		return e.openTargetDir("cwd", &e.wdFD, &e.wdPath)
	}
	return nil
}

// openTargetDir opens the target's /proc/PID/NAME directory in place of *fd.
func (e *entry) openTargetDir(name string, fd *int, path *string) error {
	if e.pid == 0 {
		return noTargetFor(name)
	}
	notDir := rootDir
	if name == "cwd" {
		notDir = workDir
	}
	return openDirOccurrence(cli.Occurrence{Value: fmt.Sprintf("/proc/%d/%s", e.pid, name), HasValue: true}, notDir, fd, path, nil)
}

// noTargetFor is util-linux's message for a /proc/PID/NAME file wanted without a target.
func noTargetFor(name string) error {
	return fmt.Errorf("neither filename nor target pid supplied for %s", name)
}

// asOpenError words a failed read of the target's /proc/PID/NAME as util-linux does, which
// opens the file first: `cannot open /proc/PID/NAME: ...`, "No such file or directory" for a
// process that does not exist (nsutil's readers say "No such process").
func asOpenError(err error) error {
	var pe *os.PathError
	if !errors.As(err, &pe) {
		return err
	}
	reason := pe.Err
	if errors.Is(reason, unix.ESRCH) {
		reason = unix.ENOENT
	}
	return &os.PathError{Op: "cannot open", Path: pe.Path, Err: reason}
}

// environment is -e: the program gets the target's environment instead of the caller's. When
// the caller may not read it but will change credentials (a target running as a subordinate
// ID, entered with --user), it is read after the change through the target's /proc/PID,
// opened now (util-linux's fix of its issue #4558, after 2.42).
func (e *entry) environment() error {
	if !e.g.Env {
		return nil
	}
	if e.pid == 0 {
		return noTargetFor("environ")
	}
	env, err := procfs.Environ(e.pid)
	if (errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM)) && e.credentialsChange() {
		dir, derr := unix.Open(fmt.Sprintf("/proc/%d", e.pid), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if derr == nil {
			e.envDirFD = dir
			return nil
		}
	}
	e.env = utilLinuxEnvOrder(env)
	return asOpenError(err)
}

// credentialsChange reports whether the program will run with other credentials than the
// caller's: -S, -G, or a user namespace entered without --preserve-credentials.
func (e *entry) credentialsChange() bool {
	return e.setUID || e.setGID || (e.want&userFlag != 0 || e.g.Parent) && !e.g.Preserve
}

// utilLinuxEnvOrder is the environment util-linux 2.42 gives the program from the target's:
// it sets the variables last to first without overwriting, so the order is reversed and a name
// given twice keeps its last value; an entry without '=' is dropped.
func utilLinuxEnvOrder(env []string) []string {
	out := make([]string, 0, len(env))
	seen := map[string]bool{}
	for i := len(env) - 1; i >= 0; i-- {
		name, _, ok := strings.Cut(env[i], "=")
		if ok && name != "" && !seen[name] {
			seen[name] = true
			out = append(out, env[i])
		}
	}
	return out
}

// followCredentials works out -S/-G follow: the owner of the target's /proc/PID.
func (e *entry) followCredentials() error {
	if e.followUID || e.followGID {
		if e.pid == 0 {
			return noTargetFor("") // util-linux's words: it opens "/proc/PID/"
		}
		uid, gid, err := procfs.Owner(e.pid)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				pe.Path += "/" // util-linux opens "/proc/PID/"
			}
			return asOpenError(err)
		}
		if e.followUID {
			e.uid = uid
		}
		if e.followGID {
			e.gid = gid
		}
	}
	return nil
}

// userCredentials is util-linux's rule for user namespaces: without --preserve-credentials,
// entering one makes the program uid 0, gid 0 (unless -S/-G say otherwise), no supplementary
// groups.
func (e *entry) userCredentials() error {
	if e.want&userFlag != 0 && !e.g.Preserve {
		e.setUID, e.setGID = true, true
	}
	return nil
}

// cgroup is -c: the target's cgroup v2 cgroup.procs, which the program will join.
func (e *entry) cgroup() error {
	if !e.g.Cgjoin {
		return nil
	}
	var fs unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &fs); err != nil || fs.Type != unix.CGROUP2_SUPER_MAGIC {
		return errors.New("--join-cgroup is only supported in cgroup v2")
	}
	if e.pid == 0 {
		return noTargetFor("cgroup")
	}
	path, err := procfs.Cgroup2Path(e.pid)
	if err != nil {
		return asOpenError(err)
	}
	// Opened now, where util-linux opens it; written by joinCgroup.
	e.cgroupProcs, err = os.OpenFile(filepath.Join("/sys/fs/cgroup", path, "cgroup.procs"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("failed to open cgroup.procs: %w", err)
	}
	return nil
}

// joinCgroup moves this process into the cgroup of cgroup.procs; the program and, after a
// fork, its parent stay there.
// With trace, the write is traced on stderr.
func joinCgroup(procs *os.File, trace bool, stderr io.Writer) error {
	pid := strconv.Itoa(os.Getpid())
	_, err := procs.WriteString(pid)
	procs.Close()
	if trace {
		fmt.Fprintf(stderr, "write %s %q = %s\n", procs.Name(), pid, traceResult(err))
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("write cgroup.procs failed: %w", err)
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
