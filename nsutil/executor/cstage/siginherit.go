//go:build linux && cgo

package cstage

// #include <stdint.h>
// extern uint64_t nsbox_inherited_ignored;
// extern uint64_t nsbox_inherited_blocked;
// extern int nsbox_inherited_recorded;
// extern int nsbox_rtmin_pipe[2];
// extern void nsbox_arm_rtmin(void);
import "C"

import "github.com/nsbox/nsbox/nsutil"

func init() { nsutil.UsePreRuntimeSignals(signalRecord{}) }

// signalRecord is siginherit.c's record, for pidns-init's reaper.
type signalRecord struct{}

// Inherited returns the signal sets siginherit.c recorded before the Go runtime started, or
// ok=false when it did not look.
func (signalRecord) Inherited() (ignored, blocked nsutil.SignalSet, ok bool) {
	if C.nsbox_inherited_recorded == 0 {
		return 0, 0, false
	}
	return nsutil.SignalSet(C.nsbox_inherited_ignored), nsutil.SignalSet(C.nsbox_inherited_blocked), true
}

// RTMinPipe is the read end of the pipe siginherit.c's handler for signal 34 writes to, or -1.
func (signalRecord) RTMinPipe() int { return int(C.nsbox_rtmin_pipe[0]) }

// ArmRTMin installs siginherit.c's handler for signal 34 again (see nsbox_arm_rtmin).
func (signalRecord) ArmRTMin() { C.nsbox_arm_rtmin() }
