//go:build linux && cgo

package cstage

// #cgo CFLAGS: -Wall -O2
// #include <stdint.h>
// #include <sys/auxv.h>
// #include "stage.h"
// void nsbox_reignore_signals(void);
// static const char *execfn(void) { return (const char *)getauxval(AT_EXECFN); }
// static int exec_failure_status(int err) { return nsbox_exec_failure_status(err); }
import "C"

import "github.com/nsbox/nsbox/nsutil/executor"

func init() { executor.LinkStage(stage{}) }

// stage is the executor's view of the C stage.
type stage struct{}

func (stage) ReignoreSignals() { C.nsbox_reignore_signals() }

// ExecFn is the path this process was executed by (AT_EXECFN), "" when the kernel gave none.
func (stage) ExecFn() string { return C.GoString(C.execfn()) }

// execFailureStatus is stage.h's nsbox_exec_failure_status, for the test that pins it to
// executor.ExecFailureStatus.
func execFailureStatus(errno int) int { return int(C.exec_failure_status(C.int(errno))) }
