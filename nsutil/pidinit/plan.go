//go:build linux

package pidinit

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// Plan is what the C init carries out: run the program (or pause), forward signals, reap, exit
// with the program's status.
type Plan struct {
	// Argv is the program and its arguments: argv[0] is executed as execvp(3) does (searched in
	// PATH when it has no slash); empty with Pause.
	Argv []string
	// Pause runs no program: the init sleeps until INT or TERM, then exits 0.
	Pause bool
	// Subreaper registers the init as a child subreaper even as PID 1, and fails if it cannot.
	Subreaper bool
	// ProcessGroup forwards signals to the program's process group instead of the program.
	ProcessGroup bool
	// WarnOnReap makes each orphan reaped a warning.
	WarnOnReap bool
	// Verbosity: 1 warnings (the default), 2 information, 3 debug; below 1 nothing.
	Verbosity int
	// ParentDeath is the signal the init gets when its parent dies, 0 for none.
	ParentDeath unix.Signal
	// Grace, when positive, makes shutdown graceful: once the program has exited, or INT or
	// TERM was forwarded, every remaining process (of the PID namespace when the init is its
	// PID 1, else of its subtree) gets SIGTERM, and what is left after Grace SIGKILL.
	Grace time.Duration
	// Expect holds the exit codes that become 0.
	Expect [256]bool
	// Rewrite maps a signal received to the one forwarded; a mapping to 0 drops it.
	Rewrite map[unix.Signal]unix.Signal
	// SignalName words a signal for the init's messages, Strerror an errno.
	SignalName func(unix.Signal) string
	Strerror   func(unix.Errno) string
}

// ErrNoInit is Send's error in a process that is not the parser of a C init: a binary built
// without cgo, or pidns-init's Main called in-process.
var ErrNoInit = errors.New("the PID-1 stage is not running (the binary needs cgo)")
