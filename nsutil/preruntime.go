//go:build linux && cgo

package nsutil

// The pre-runtime stage lives in preruntime.c: a constructor that runs before the Go runtime
// starts and carries out a Plan when PlanMarker asks it to.

// #cgo CFLAGS: -Wall -O2
// #include <stdint.h>
// void nsbox_reignore_signals(void);
import "C"

func init() {
	preRuntimeLinked = true
	reignoreSignals = func() { C.nsbox_reignore_signals() }
}
