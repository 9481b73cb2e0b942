//go:build linux && cgo

package nsutil

// #include <stdint.h>
// extern uint64_t nsbox_inherited_ignored;
// extern uint64_t nsbox_inherited_blocked;
// extern int nsbox_inherited_recorded;
import "C"

// inheritedSignals returns the signal sets siginherit.c recorded before the Go runtime started,
// or ok=false when it did not run.
func inheritedSignals() (ignored, blocked SignalSet, ok bool) {
	if C.nsbox_inherited_recorded == 0 {
		return 0, 0, false
	}
	return SignalSet(C.nsbox_inherited_ignored), SignalSet(C.nsbox_inherited_blocked), true
}
