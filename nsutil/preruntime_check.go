//go:build linux

package nsutil

import "errors"

// preRuntimeLinked is set when preruntime.c is part of the binary (a cgo build).
var preRuntimeLinked bool

// reignoreSignals ignores again the signals that were ignored when the process started (the Go
// runtime handles them, and execve would reset them to default); a no-op without cgo.
var reignoreSignals = func() {}

// ErrNoPreRuntime is returned by Plan.Run in a binary built without cgo, which has no
// pre-runtime stage to carry the plan out.
var ErrNoPreRuntime = errors.New("this nsbox was built without cgo and cannot change namespaces (build with CGO_ENABLED=1)")

// execFn is the path this program was executed by (AT_EXECFN), "" when unknown: a name for
// this binary where /proc is not mounted.
var execFn = func() string { return "" }
