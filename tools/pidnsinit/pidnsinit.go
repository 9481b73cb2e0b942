//go:build linux

package pidnsinit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/pidinit"
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
	ExpectExit   []string `short:"e" name:"expect-exit" sep:"none"`
	Rewrite      []string `short:"r" sep:"none"`
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

func init() {
	if pidinit.Active() {
		// This process only parses the command line for the C init (nsutil/pidinit), and
		// exits: a collection would cost more time than the garbage it frees.
		debug.SetGCPercent(-1)
	}
}

// Main parses pidns-init's command line (args, without the program name) and hands the result
// to the C init waiting for it (nsutil/pidinit), or prints help, the version or a usage error
// on stdout and stderr. It returns the exit status, which the init exits with when there is no
// program to run.
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
	g.applyTiniEnv()
	if err := pidinit.Send(g.plan()); err != nil {
		return cli.Fail(stderr, name, err)
	}
	return cli.ExitOK
}

// check validates the options and converts their values.
func (g *grammar) check() error {
	switch {
	case g.Pause && len(g.Program) > 0:
		return errors.New("--pause takes no program")
	case !g.Pause && len(g.Program) == 0:
		return errors.New("no program specified")
	}
	for _, value := range g.ExpectExit {
		code, err := parseExitCode(value)
		if err != nil {
			return err
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

// parseExitCode reads an -e value as the other applets read numbers (nsutil.ParseUint64C:
// decimal, leading white space and '+' allowed) and checks it is an exit status. Whatever it
// refuses (out of range, negative, not a number, empty) is the one usage error.
func parseExitCode(value string) (uint8, error) {
	n, err := nsutil.ParseUint64C(value)
	if err != nil || n > 255 {
		return 0, fmt.Errorf("invalid exit code: '%s' (0 to 255)", value)
	}
	return uint8(n), nil
}

// parseRewrite parses -r S:R: S any signal the init can be sent and take (all but KILL, STOP
// and CHLD, which it reaps on), R a signal or 0 (drop). What it refuses, the empty string
// included, is a usage error worded as dumb-init's.
func parseRewrite(spec string) (from, to unix.Signal, err error) {
	s, r, ok := strings.Cut(spec, ":")
	bad := fmt.Errorf("-r option takes <signal>:<signal>, where the second may be 0 (drop): '%s'", spec)
	if !ok {
		return 0, 0, bad
	}
	if from, err = nsutil.ParseSignal(s); err != nil || from == unix.SIGKILL || from == unix.SIGSTOP || from == unix.SIGCHLD {
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

// plan turns the options into the C init's plan.
func (g *grammar) plan() *pidinit.Plan {
	return &pidinit.Plan{
		Argv:         g.Program,
		Pause:        g.Pause,
		Subreaper:    g.Subreaper,
		ProcessGroup: g.Group,
		WarnOnReap:   g.Warn,
		Verbosity:    1 + g.Verbose + tiniVerbosity(),
		ParentDeath:  g.pdeathSignal,
		Grace:        g.grace,
		Expect:       g.expect,
		Rewrite:      g.rewrite,
		SignalName:   nsutil.SignalName,
		Strerror:     nsutil.Strerror,
	}
}
