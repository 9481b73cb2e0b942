//go:build linux && cgo

package nsutil

// The pre-runtime stage lives in preruntime.c: a constructor that runs before the Go runtime
// starts and carries out a Plan when PlanMarker asks it to.

// #cgo CFLAGS: -Wall -O2
import "C"

func init() { preRuntimeLinked = true }
