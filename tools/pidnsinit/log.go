//go:build linux

package pidnsinit

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
)

// Verbosity levels, as tini counts them: 1 (the default) warnings, 2 information, 3 debug.
const (
	levelWarn  = 1
	levelInfo  = 2
	levelDebug = 3
)

// logger writes `pidns-init: ...` lines on stderr up to its level. It writes with write(2)
// directly: when stderr is a broken pipe it stops, and tells the reaper to swallow the SIGPIPE
// the write raised rather than forward it.
type logger struct {
	level   int
	signals *nsutil.InitSignals
	broken  bool
}

func (l *logger) printf(level int, format string, args ...any) {
	if level > l.level || l.broken {
		return
	}
	msg := name + ": " + fmt.Sprintf(format, args...) + "\n"
	for {
		_, err := unix.Write(2, []byte(msg))
		switch err {
		case unix.EINTR:
			continue
		case unix.EPIPE:
			l.broken = true
			l.signals.ExpectSIGPIPE()
		case nil:
		default:
			l.broken = true
		}
		return
	}
}

// eventFunc reports the reaper's events at their levels; warnReaped (-w) makes reaped
// orphans warnings.
func (l *logger) eventFunc(warnReaped bool) func(nsutil.InitEvent) {
	return func(e nsutil.InitEvent) {
		switch e.Kind {
		case nsutil.InitStarted:
			if e.Pid == 0 {
				l.printf(levelInfo, "pausing until INT or TERM")
			} else {
				l.printf(levelInfo, "spawned child process with pid=%d", e.Pid)
			}
		case nsutil.InitForwarded:
			l.printf(levelDebug, "passed on signal %s to pid=%d", nsutil.SignalName(e.Signal), e.Pid)
		case nsutil.InitDropped:
			l.printf(levelDebug, "dropped signal %s", nsutil.SignalName(e.Signal))
		case nsutil.InitReaped:
			level := levelDebug
			if warnReaped {
				level = levelWarn
			}
			l.printf(level, "reaped zombie process with pid=%d", e.Pid)
		case nsutil.InitExited:
			l.printf(levelInfo, "main child exited with %s", describe(e.Status))
		case nsutil.InitShutdown:
			if e.Count < 0 {
				l.printf(levelInfo, "sent %s to every process of the namespace", nsutil.SignalName(e.Signal))
			} else {
				l.printf(levelInfo, "sent %s to %d remaining processes", nsutil.SignalName(e.Signal), e.Count)
			}
		case nsutil.InitWarning:
			l.printf(levelWarn, "%s", cli.Message(e.Err))
		}
	}
}

// describe words a wait status: "status 3" or "signal SIGTERM".
func describe(ws unix.WaitStatus) string {
	if ws.Signaled() {
		return "signal " + nsutil.SignalName(ws.Signal())
	}
	return fmt.Sprintf("status %d", ws.ExitStatus())
}
