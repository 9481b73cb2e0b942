//go:build linux

package nsutil

import (
	"strconv"
	"strings"

	"github.com/nsbox/nsbox/nsutil/procfs"
	"golang.org/x/sys/unix"
)

// SignalSet is a set of the signals 1 to 64, bit N-1 standing for signal N, as the SigIgn and
// SigBlk lines of /proc/PID/status print it in hexadecimal.
type SignalSet uint64

// Has reports whether sig is in the set.
func (s SignalSet) Has(sig unix.Signal) bool {
	return sig >= 1 && sig <= 64 && s&(1<<(uint(sig)-1)) != 0
}

// Add returns the set with sig in it.
func (s SignalSet) Add(sig unix.Signal) SignalSet {
	if sig < 1 || sig > 64 {
		return s
	}
	return s | 1<<(uint(sig)-1)
}

// ParseSignalSet parses the hexadecimal mask of a SigIgn/SigBlk/SigCgt line.
func ParseSignalSet(hex string) (SignalSet, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
	return SignalSet(n), err
}

// InheritedSignals returns the signals the process was started with ignored (SIG_IGN) and
// blocked. In a cgo build pidns-init's are recorded by a constructor before the Go runtime
// replaces the inherited dispositions; otherwise they are read from /proc/self/status, where
// only SIGHUP and SIGINT keep an inherited SIG_IGN (the runtime keeps the blocked mask).
func InheritedSignals() (ignored, blocked SignalSet) {
	if ign, blk, ok := inheritedSignals(); ok {
		return ign, blk
	}
	status, err := procfs.ReadStatus(0)
	if err != nil {
		return 0, 0
	}
	ignored, _ = ParseSignalSet(status["SigIgn"])
	blocked, _ = ParseSignalSet(status["SigBlk"])
	return ignored, blocked
}

// PreRuntimeSignals is what the pre-runtime C stage (nsutil/executor/cstage) records before the
// Go runtime starts; the stage hands it over with UsePreRuntimeSignals when it is linked in.
type PreRuntimeSignals interface {
	// Inherited returns the signals inherited ignored and blocked, ok=false when the stage did
	// not record them.
	Inherited() (ignored, blocked SignalSet, ok bool)
	// RTMinPipe is the read end of the pipe the stage's handler for signal 34 writes to, or -1
	// (only pidns-init catches signal 34).
	RTMinPipe() int
	// ArmRTMin installs the stage's handler for signal 34 again.
	ArmRTMin()
}

var preRuntimeSignals PreRuntimeSignals

// UsePreRuntimeSignals records the C stage's signal record; package cstage calls it from its init.
func UsePreRuntimeSignals(s PreRuntimeSignals) { preRuntimeSignals = s }

func inheritedSignals() (ignored, blocked SignalSet, ok bool) {
	if preRuntimeSignals == nil {
		return 0, 0, false
	}
	return preRuntimeSignals.Inherited()
}

// rtminPipe: without the pre-runtime stage signal 34 cannot be caught.
func rtminPipe() int {
	if preRuntimeSignals == nil {
		return -1
	}
	return preRuntimeSignals.RTMinPipe()
}

func armRTMin() {
	if preRuntimeSignals != nil {
		preRuntimeSignals.ArmRTMin()
	}
}
