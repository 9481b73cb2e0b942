//go:build linux && cgo

package nsutil

// The pre-runtime stage lives in preruntime.c: a constructor that runs before the Go runtime
// starts and carries out a Plan when PlanMarker asks it to.

// #cgo CFLAGS: -Wall -O2
// #include <stdint.h>
// #include <sys/auxv.h>
// void nsbox_reignore_signals(void);
// static const char *nsbox_execfn(void) { return (const char *)getauxval(AT_EXECFN); }
import "C"

func init() {
	preRuntimeLinked = true
	reignoreSignals = func() { C.nsbox_reignore_signals() }
	execFn = func() string { return C.GoString(C.nsbox_execfn()) }
}
