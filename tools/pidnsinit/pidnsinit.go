//go:build linux

package pidnsinit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/executor"
)

const name = "pidns-init"

type grammar struct {
	Help    cli.HelpFlag    `short:"h"`
	Version cli.VersionFlag `short:"V"`
	cli.ColorFlag
	Subreaper    bool     `short:"s"`
	Pdeathsig    string   `short:"p"`
	Verbose      int      `short:"v" type:"counter"`
	Warn         bool     `short:"w" name:"warn-on-reap"`
	Group        bool     `short:"g" name:"pgroup"`
	ExpectExit   []int    `short:"e" name:"expect-exit"`
	Rewrite      []string `short:"r"`
	Pause        bool     `short:"P"`
	Grace        string
	Program      []string `arg:"" optional:"" passthrough:"partial"`
	expect       [256]bool
	rewrite      map[unix.Signal]unix.Signal
	grace        time.Duration
	pdeathSignal unix.Signal
}

// optionHelp is how --help shows each option and argument (see cli.OptionHelp).
var optionHelp = []cli.OptionHelp{
	{Name: "subreaper", Help: "register as a child subreaper even as PID 1 (fail if it cannot)"},
	{Name: "pdeathsig", PlaceHolder: "signal", Help: "get SIGNAL when the parent dies (PR_SET_PDEATHSIG)"},
	{Name: "verbose", Help: "say more (repeat for more)"},
	{Name: "warn-on-reap", Help: "warn about each process reaped other than the program"},
	{Name: "pgroup", Help: "forward signals to the program's process group"},
	{Name: "expect-exit", PlaceHolder: "code", Help: "exit 0 when the program exits with CODE (repeatable)"},
	{Name: "rewrite", PlaceHolder: "s:r", Help: "forward signal S as R; R=0 drops it (repeatable)"},
	{Name: "pause", Help: "run no program: sleep until INT or TERM, then exit 0"},
	{Name: "grace", PlaceHolder: "duration", Help: "on shutdown, TERM every remaining process, KILL them after DURATION"},
	{Name: "program", Help: "the program and its arguments"},
}

// Command returns the applet's command-line spec and a fresh grammar for kong, for Main and for
// what is generated from the grammar (completions, man page checks).
func Command() (cli.Spec, any) {
	return cli.Spec{
		Name:        name,
		Synopsis:    "[options] [--] program [arguments...]",
		Description: "Run a program as PID 1 (or as a child subreaper): reap zombies, forward signals, exit with its status.",
		Help:        optionHelp,
	}, &grammar{}
}

// early is the signal plumbing set up by init when this process is pidns-init, so that no
// signal can kill it while the rest of start-up runs.
var early *nsutil.InitSignals

func init() {
	if invokedAsPidnsInit(os.Args) {
		lean()
		early = nsutil.CatchInitSignals()
		nameProcess()
	}
}

// nameProcess sets the process name (comm, what ps and top show) to pidns-init: run through a
// file descriptor (unshare --init) or as `nsbox pidns-init`, it would otherwise be the fd
// number or "nsbox".
func nameProcess() {
	comm := []byte(name + "\x00")
	_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&comm[0])), 0, 0, 0)
}

// lean keeps the init's footprint small for a container's whole life. One P means fewer
// threads (each with its stacks). The collector is switched off, with a memory limit as the
// backstop: the loop allocates next to nothing once running, and a collection touches more
// pages (mark bits, work buffers) than the garbage of start-up it would free.
func lean() {
	runtime.GOMAXPROCS(1)
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(memoryLimit)
}

// memoryLimit is the heap size at which the collector runs after all.
const memoryLimit = 32 << 20

// invokedAsPidnsInit reports whether argv runs this applet: `pidns-init ...` or
// `nsbox pidns-init ...`, as the dispatcher decides it.
func invokedAsPidnsInit(argv []string) bool {
	applet, _ := cli.AppletOf(argv)
	return applet == name
}

// Main runs pidns-init with args (without the program name) and returns the exit status. Its
// own messages go to stderr; once the program runs, the init's log lines go to file
// descriptor 2 (see logger).
func Main(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	parsed, _, code, done := cli.ParseCommand(Command, args, stdout, stderr)
	g := parsed.(*grammar)
	if done {
		return code
	}
	if err := g.check(); err != nil {
		cli.UsageError(stderr, name, err.Error())
		return cli.ExitFailure
	}
	signals := early
	if signals == nil { // not caught before main: `nsbox -- pidns-init`
		signals = nsutil.CatchInitSignals()
	}
	g.applyTiniEnv()
	log := &logger{level: 1 + g.Verbose + tiniVerbosity(), signals: signals}
	if err := g.setup(log); err != nil {
		return cli.Fail(stderr, name, err)
	}
	initSpec := g.initSpec(log)
	if !g.Pause {
		path, err := lookPath(g.Program[0])
		if err != nil {
			return startFailure(stderr, g.Program[0], err)
		}
		initSpec.Path = path
	}
	status, err := signals.Run(initSpec)
	if err != nil {
		return startFailure(stderr, g.Program[0], err)
	}
	return g.exitCode(status)
}

// check validates the options and converts their values.
func (g *grammar) check() error {
	switch {
	case g.Pause && len(g.Program) > 0:
		return errors.New("--pause takes no program")
	case !g.Pause && len(g.Program) == 0:
		return errors.New("no program specified")
	}
	for _, code := range g.ExpectExit {
		if code < 0 || code > 255 {
			return fmt.Errorf("invalid exit code: '%d' (0 to 255)", code)
		}
		g.expect[code] = true
	}
	for _, spec := range g.Rewrite {
		from, to, err := parseRewrite(spec)
		if err != nil {
			return err
		}
		if g.rewrite == nil {
			g.rewrite = map[unix.Signal]unix.Signal{}
		}
		g.rewrite[from] = to
	}
	if g.Grace != "" {
		d, err := nsutil.ParseDuration(g.Grace)
		if err != nil {
			return err
		}
		g.grace = d
	}
	if g.Pdeathsig != "" {
		sig, err := nsutil.ParseSignal(g.Pdeathsig)
		if err != nil {
			return err
		}
		g.pdeathSignal = sig
	}
	return nil
}

// parseRewrite parses -r S:R: S a signal that can be caught, R a signal or 0 (drop).
func parseRewrite(spec string) (from, to unix.Signal, err error) {
	s, r, ok := strings.Cut(spec, ":")
	bad := fmt.Errorf("invalid signal rewrite: '%s' (S:R, R=0 drops S)", spec)
	if !ok {
		return 0, 0, bad
	}
	if from, err = nsutil.ParseSignal(s); err != nil || !nsutil.Forwardable(from) && from != unix.SIGURG {
		return 0, 0, bad
	}
	if r == "0" {
		return from, 0, nil
	}
	if to, err = nsutil.ParseSignal(r); err != nil {
		return 0, 0, bad
	}
	return from, to, nil
}

// applyTiniEnv honours tini's environment variables for drop-in use: TINI_SUBREAPER and
// TINI_KILL_PROCESS_GROUP act when they are set at all.
func (g *grammar) applyTiniEnv() {
	if _, ok := os.LookupEnv("TINI_SUBREAPER"); ok {
		g.Subreaper = true
	}
	if _, ok := os.LookupEnv("TINI_KILL_PROCESS_GROUP"); ok {
		g.Group = true
	}
}

// tiniVerbosity is TINI_VERBOSITY read as tini reads it (atoi), as levels above the default.
func tiniVerbosity() int {
	v, ok := os.LookupEnv("TINI_VERBOSITY")
	if !ok {
		return 0
	}
	end := 0
	for end < len(v) && (v[end] >= '0' && v[end] <= '9' || end == 0 && v[end] == '-') {
		end++
	}
	n, _ := strconv.Atoi(v[:end])
	return n - 1
}

// setup does what comes before the child: parent-death signal, child subreaper, chdir.
func (g *grammar) setup(log *logger) error {
	if g.pdeathSignal != 0 {
		if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(g.pdeathSignal), 0, 0, 0); err != nil {
			return os.NewSyscallError("prctl(PR_SET_PDEATHSIG)", err)
		}
	}
	if os.Getpid() != 1 || g.Subreaper {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			if g.Subreaper {
				return fmt.Errorf("cannot register as a child subreaper: %w", err)
			}
			log.printf(1, "not PID 1 and cannot register as a child subreaper: %s: orphans will not be reaped", cli.Message(err))
		} else {
			log.printf(3, "registered as a child subreaper")
		}
	}
	return nil
}

// initSpec turns the options into the reaper's spec.
func (g *grammar) initSpec(log *logger) nsutil.InitSpec {
	return nsutil.InitSpec{
		Argv:         g.Program,
		Env:          os.Environ(),
		Terminal:     stdinIsForegroundTerminal(),
		ProcessGroup: g.Group,
		Rewrite:      g.rewrite,
		Grace:        g.grace,
		OnEvent:      log.eventFunc(g.Warn),
	}
}

// stdinIsForegroundTerminal reports whether fd 0 is this process's controlling terminal and
// its process group is the terminal's foreground group (so handing the terminal to the child
// takes it from no one else, e.g. not from the shell when pidns-init runs in the background).
func stdinIsForegroundTerminal() bool {
	fg, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// exitCode is the shell's view of the program's end, with -e codes mapped to 0.
func (g *grammar) exitCode(ws unix.WaitStatus) int {
	code := ws.ExitStatus()
	if ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	code &= 0xff
	if g.expect[code] {
		return 0
	}
	return code
}

// lookPath finds the program as execvp(3) does: a name with a slash is used as it is, others
// are searched for in $PATH.
func lookPath(program string) (string, error) {
	if strings.Contains(program, "/") {
		return program, nil
	}
	path, err := exec.LookPath(program)
	if err != nil && !errors.Is(err, exec.ErrDot) {
		return "", unix.ENOENT
	}
	return path, nil
}

// startFailure reports on w that the program could not be started, with the exit status
// executor.ExecFailureStatus gives (127 not found, 126 cannot be executed).
func startFailure(w io.Writer, program string, err error) int {
	var errno unix.Errno
	if errors.As(err, &errno) {
		err = errno
	}
	cli.Fail(w, name, fmt.Errorf("failed to execute %s: %w", program, err))
	return executor.ExecFailureStatus(err)
}
