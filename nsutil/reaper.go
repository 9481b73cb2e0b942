//go:build linux

package nsutil

import (
	"errors"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nsbox/nsbox/nsutil/procfs"
	"golang.org/x/sys/unix"
)

// The reaper is pidns-init's PID-1 loop. One goroutine owns every wait: it reaps with
// wait4(-1, WNOHANG) each time SIGCHLD arrives, the main child included, so no exit status can
// be stolen by a second waiter (os/exec's Wait is never used). Signals are caught with
// os/signal and forwarded to the child; SIGCHLD has a channel of its own so that a storm of
// exits cannot crowd out a forwarded signal.

// killWait bounds the wait for processes to die after the grace period's SIGKILL.
const killWait = 2 * time.Second

// InitSignals is an init's signal plumbing, set up by CatchInitSignals before anything else.
type InitSignals struct {
	forward  chan os.Signal // every forwardable signal not inherited as ignored
	child    chan os.Signal // SIGCHLD alone: coalescing is harmless, the loop reaps until 0
	selfPipe atomic.Int32   // SIGPIPEs our own writes to a broken stderr raised
}

// Forwardable reports whether an init catches sig to pass it on: every signal from 1 to 64
// but SIGKILL and SIGSTOP (which cannot be caught), SIGCHLD (the init's own), SIGURG (the Go
// runtime preempts goroutines with it and a caught SIGURG cannot be told from those), SIGPROF
// (the runtime's profiler consumes it before os/signal sees it), 32 and 33 (the C library's
// own), and 34 unless siginherit.c caught it before the runtime started.
func Forwardable(sig unix.Signal) bool {
	switch sig {
	case unix.SIGKILL, unix.SIGSTOP, unix.SIGCHLD, unix.SIGURG, unix.SIGPROF, 32, 33:
		return false
	case 34: // caught before the runtime starts, in siginherit.c
		return rtminPipe() >= 0
	}
	return sig >= 1 && sig <= 64
}

// CatchInitSignals starts catching every forwardable signal, so that none of them can kill
// the init (the runtime's default for SIGTERM, SIGPIPE...): call it as early as possible. A
// signal the process inherited as ignored stays ignored (it is neither caught nor forwarded,
// and the child inherits SIG_IGN for it, as with tini); the blocked mask is left alone, and
// the child starts with it.
func CatchInitSignals() *InitSignals {
	s := &InitSignals{forward: make(chan os.Signal, 64), child: make(chan os.Signal, 1)}
	signal.Notify(s.child, unix.SIGCHLD)
	ignored, _ := InheritedSignals()
	var catch []os.Signal
	for sig := unix.Signal(1); sig <= 64; sig++ {
		switch {
		case !Forwardable(sig) || sig == 34:
		case ignored.Has(sig):
			signal.Ignore(sig)
		default:
			catch = append(catch, sig)
		}
	}
	signal.Notify(s.forward, catch...)
	if fd := rtminPipe(); fd >= 0 {
		armRTMin()
		go s.relayRTMin(os.NewFile(uintptr(fd), "rtmin"))
	}
	return s
}

// relayRTMin passes on what siginherit.c's handler for signal 34 writes (the runtime does not
// let os/signal catch that one).
func (s *InitSignals) relayRTMin(pipe *os.File) {
	var buf [16]byte
	for {
		n, err := pipe.Read(buf[:])
		if err != nil {
			return
		}
		for _, sig := range buf[:n] {
			s.forward <- unix.Signal(sig)
		}
	}
}

// ExpectSIGPIPE tells the loop that a write of the init's own got EPIPE, so that the SIGPIPE
// the kernel raised for it is not forwarded to the child.
func (s *InitSignals) ExpectSIGPIPE() { s.selfPipe.Add(1) }

// InitSpec is what an init runs and how it treats signals and shutdown.
type InitSpec struct {
	Path string   // the program to execute; empty to run no child (pause until INT or TERM)
	Argv []string // its arguments, argv[0] included
	Env  []string // its environment

	// Terminal makes the child's process group the foreground group of the controlling
	// terminal on fd 0. The child is always the leader of a process group of its own.
	Terminal bool
	// ProcessGroup forwards signals to the child's process group instead of the child.
	ProcessGroup bool
	// Rewrite maps a received signal to the one forwarded; a mapping to 0 drops it. SIGTTIN
	// and SIGTTOU are dropped unless rewritten.
	Rewrite map[unix.Signal]unix.Signal
	// Grace, when positive, makes shutdown graceful: once the main child has exited, or INT
	// or TERM was received and forwarded, every remaining process (of the PID namespace when
	// the init is its PID 1, else of the init's subtree) gets SIGTERM; what is left after
	// Grace gets SIGKILL.
	Grace time.Duration
	// OnEvent, when set, is told what the loop does (for -v and -w); it runs on the loop.
	OnEvent func(InitEvent)
}

// InitEventKind says what an InitEvent reports.
type InitEventKind int

// The events of an init's loop.
const (
	InitStarted   InitEventKind = iota // the main child started: Pid (0: pausing, no child)
	InitForwarded                      // Signal was forwarded to Pid (negative: a process group)
	InitDropped                        // Signal was received and not forwarded
	InitReaped                         // a process other than the main child was reaped: Pid, Status
	InitExited                         // the main child was reaped: Pid, Status
	InitShutdown                       // Signal was sent to Count remaining processes (Count -1: kill(-1))
	InitWarning                        // Err did not stop the loop
)

// InitEvent is one thing the loop did.
type InitEvent struct {
	Kind   InitEventKind
	Pid    int
	Signal unix.Signal
	Status unix.WaitStatus
	Count  int
	Err    error
}

// StartError is the failure to start the main child; Err is the errno (ENOENT, EACCES...).
type StartError struct {
	Path string
	Err  error
}

func (e *StartError) Error() string { return "failed to execute " + e.Path + ": " + e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// initLoop is the state of one Run.
type initLoop struct {
	spec     *InitSpec
	sig      *InitSignals
	pid1     bool
	main     int // the main child's PID, 0 when there is none (pause)
	status   unix.WaitStatus
	mainDone bool
	orphans  bool // the last reap saw children still running
	shutdown bool // the grace period has begun
	killed   bool // the grace period is over and SIGKILL was sent
	timer    *time.Timer
}

// Run starts the main child (unless spec.Path is empty) and runs the init loop until the main
// child has exited (and, with a grace period, until the remaining processes are gone). It
// returns the main child's wait status; without a child, a zero status once INT or TERM came.
func (s *InitSignals) Run(spec InitSpec) (unix.WaitStatus, error) {
	l := &initLoop{spec: &spec, sig: s, pid1: os.Getpid() == 1}
	if spec.Path != "" {
		pid, err := startChild(&spec)
		if err != nil {
			return 0, err
		}
		l.main = pid
	}
	l.event(InitEvent{Kind: InitStarted, Pid: l.main})
	for _, err := range releaseInherited() {
		l.event(InitEvent{Kind: InitWarning, Err: err})
	}
	for {
		l.reap()
		if l.finished() {
			return l.status, nil
		}
		var expired <-chan time.Time
		if l.timer != nil {
			expired = l.timer.C
		}
		select {
		case <-s.child:
		case sig := <-s.forward:
			l.handle(sig.(syscall.Signal))
		case <-expired:
			l.expire()
		}
	}
}

// releaseInherited makes the init hold nothing of its parent's for the container's whole life,
// as catatonit and dumb-init do, once the child has its own copies: it moves to / (keeping no
// directory, and so no mount, busy) and closes the descriptors above 2 it inherited, such as
// socket-activation listeners (the child keeps them; the init would keep them open after the
// child closed them). What nsbox opens itself is close-on-exec and stays open.
func releaseInherited() (errs []error) {
	if err := unix.Chdir("/"); err != nil {
		errs = append(errs, os.NewSyscallError("chdir /", err))
	}
	var fds []int
	entries, err := os.ReadDir("/proc/self/fd")
	for _, e := range entries {
		if fd, err := strconv.Atoi(e.Name()); err == nil {
			fds = append(fds, fd)
		}
	}
	if err != nil { // a new root without /proc: every descriptor the limit allows
		var lim unix.Rlimit
		max := uint64(1 << 16)
		if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Cur < max {
			max = lim.Cur
		}
		for fd := 3; uint64(fd) < max; fd++ {
			fds = append(fds, fd)
		}
	}
	for _, fd := range fds {
		if fd <= 2 {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			continue // the directory's own descriptor (closed by now), or one of nsbox's
		}
		if err := unix.Close(fd); err != nil {
			errs = append(errs, os.NewSyscallError("close "+strconv.Itoa(fd), err))
		}
	}
	return errs
}

// startChild forks and executes the main child in a process group of its own, with the
// signal mask and ignored signals the init inherited (the runtime resets only the handlers it
// installed; see CatchInitSignals).
func startChild(spec *InitSpec) (int, error) {
	files := make([]uintptr, 3)
	for fd := range files {
		files[fd] = uintptr(fd)
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			files[fd] = ^uintptr(0) // closed in the init: closed in the child
		}
	}
	sys := &syscall.SysProcAttr{Setpgid: true}
	if spec.Terminal {
		sys.Foreground, sys.Ctty = true, 0
	}
	pid, err := syscall.ForkExec(spec.Path, spec.Argv, &syscall.ProcAttr{Env: spec.Env, Files: files, Sys: sys})
	if err != nil {
		return 0, &StartError{Path: spec.Path, Err: err}
	}
	return pid, nil
}

func (l *initLoop) event(e InitEvent) {
	if l.spec.OnEvent != nil {
		l.spec.OnEvent(e)
	}
}

// reap collects every child that has exited, the main child included.
func (l *initLoop) reap() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil: // ECHILD: no child at all
			l.orphans = false
			return
		case pid == 0:
			l.orphans = true
			return
		case pid == l.main && !l.mainDone:
			l.mainDone, l.status = true, ws
			l.event(InitEvent{Kind: InitExited, Pid: pid, Status: ws})
		default:
			l.event(InitEvent{Kind: InitReaped, Pid: pid, Status: ws})
		}
	}
}

// finished reports whether Run may return, starting the grace period when the main child has
// just gone and others remain.
func (l *initLoop) finished() bool {
	switch {
	case !l.mainDone:
		return false
	case l.spec.Grace <= 0 || !l.orphans:
		return true
	case l.killed:
		return false // the kill timer ends it
	}
	if !l.shutdown {
		l.beginShutdown(0)
	}
	return false
}

// handle forwards one received signal, or drops it.
func (l *initLoop) handle(sig unix.Signal) {
	if sig == unix.SIGPIPE && l.sig.selfPipe.Load() > 0 {
		l.sig.selfPipe.Add(-1)
		return
	}
	stop := sig == unix.SIGINT || sig == unix.SIGTERM
	if l.main == 0 { // pause: INT and TERM end it, nothing else is forwarded
		if stop && !l.mainDone {
			l.mainDone = true
		} else {
			l.event(InitEvent{Kind: InitDropped, Signal: sig})
		}
		return
	}
	target, rewritten := l.spec.Rewrite[sig]
	if !rewritten {
		target = sig
		if sig == unix.SIGTTIN || sig == unix.SIGTTOU {
			target = 0
		}
	}
	if target == 0 || l.mainDone {
		l.event(InitEvent{Kind: InitDropped, Signal: sig})
		return
	}
	to := l.main
	if l.spec.ProcessGroup {
		to = -l.main
	}
	if err := unix.Kill(to, target); err != nil {
		l.event(InitEvent{Kind: InitWarning, Err: os.NewSyscallError("kill "+strconv.Itoa(to), err)})
	} else {
		l.event(InitEvent{Kind: InitForwarded, Signal: target, Pid: to})
	}
	if stop && l.spec.Grace > 0 && !l.shutdown {
		l.beginShutdown(to)
	}
}

// beginShutdown sends SIGTERM to every remaining process but spared (which was just sent
// the forwarded signal; negative for a process group) and starts the grace period.
func (l *initLoop) beginShutdown(spared int) {
	l.shutdown = true
	l.signalRemaining(unix.SIGTERM, spared)
	l.timer = time.NewTimer(l.spec.Grace)
}

// expire ends the grace period with SIGKILL, then ends the wait for the killed.
func (l *initLoop) expire() {
	if l.killed {
		if !l.mainDone { // the main child would not die: report it as killed
			l.mainDone, l.status = true, unix.WaitStatus(unix.SIGKILL)
		}
		l.orphans = false
		return
	}
	l.killed = true
	l.signalRemaining(unix.SIGKILL, 0)
	l.timer = time.NewTimer(killWait)
}

// signalRemaining sends sig to every process the init answers for: the PID namespace when it
// is PID 1, else its descendants. spared (a PID, or a process group when negative) is left
// out when the processes can be listed.
func (l *initLoop) signalRemaining(sig unix.Signal, spared int) {
	self := os.Getpid()
	pids, err := Descendants(self)
	if err != nil || (l.pid1 && sig == unix.SIGKILL) {
		if !l.pid1 {
			l.event(InitEvent{Kind: InitWarning, Err: err})
			return
		}
		// kill(-1) from a namespace's init reaches every process of it but the init.
		if err := unix.Kill(-1, sig); err != nil && err != unix.ESRCH {
			l.event(InitEvent{Kind: InitWarning, Err: os.NewSyscallError("kill -1", err)})
		}
		l.event(InitEvent{Kind: InitShutdown, Signal: sig, Count: -1})
		return
	}
	count := 0
	for _, pid := range pids {
		if pid == spared || (spared < 0 && processGroup(pid) == -spared) {
			continue
		}
		if unix.Kill(pid, sig) == nil {
			count++
		}
	}
	l.event(InitEvent{Kind: InitShutdown, Signal: sig, Count: count})
}

// processGroup is pid's process group, or 0.
func processGroup(pid int) int {
	pgid, err := unix.Getpgid(pid)
	if err != nil {
		return 0
	}
	return pgid
}

// ErrForeignProc is returned when /proc does not show the caller's PID namespace (a PID
// namespace made without --mount-proc), so its processes cannot be listed from it.
var ErrForeignProc = errors.New("/proc is not mounted for this PID namespace")

// Descendants lists the processes below pid, read from /proc (every process's parent in
// /proc/N/stat). Processes that vanish while it reads are skipped.
func Descendants(pid int) ([]int, error) {
	if self, err := os.Readlink("/proc/self"); err != nil || self != strconv.Itoa(os.Getpid()) {
		return nil, ErrForeignProc
	}
	pids, err := procfs.PIDs()
	if err != nil {
		return nil, err
	}
	children := map[int][]int{}
	for _, p := range pids {
		if st, err := procfs.ReadStat(p); err == nil {
			children[st.PPID] = append(children[st.PPID], p)
		}
	}
	var out []int
	queue := children[pid]
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		out = append(out, p)
		queue = append(queue, children[p]...)
	}
	return out, nil
}
