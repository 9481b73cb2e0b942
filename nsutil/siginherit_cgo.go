//go:build linux && cgo

package nsutil

// #include <stdint.h>
// extern uint64_t nsbox_inherited_ignored;
// extern uint64_t nsbox_inherited_blocked;
// extern int nsbox_inherited_recorded;
// extern int nsbox_rtmin_pipe[2];
// extern void nsbox_arm_rtmin(void);
import "C"

// inheritedSignals returns the signal sets siginherit.c recorded before the Go runtime started,
// or ok=false when it did not look (the program is not pidns-init).
func inheritedSignals() (ignored, blocked SignalSet, ok bool) {
	if C.nsbox_inherited_recorded == 0 {
		return 0, 0, false
	}
	return SignalSet(C.nsbox_inherited_ignored), SignalSet(C.nsbox_inherited_blocked), true
}

// rtminPipe is the read end of the pipe siginherit.c's handler for signal 34 writes to, or -1.
func rtminPipe() int { return int(C.nsbox_rtmin_pipe[0]) }

// armRTMin installs siginherit.c's handler for signal 34 again (see nsbox_arm_rtmin).
func armRTMin() { C.nsbox_arm_rtmin() }
