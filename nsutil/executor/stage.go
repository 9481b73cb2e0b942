//go:build linux

package executor

import "errors"

// Stage is what the pre-runtime C stage gives the executor when it is linked into the binary
// (see package cstage, which cmd/nsbox imports for that alone).
type Stage interface {
	// ReignoreSignals ignores again the signals that were ignored when the process started
	// (the Go runtime handles them, and execve would reset them to default).
	ReignoreSignals()
}

// stage is the linked C stage, nil when the binary has none.
var stage Stage

// LinkStage records the C stage; package cstage calls it from its init.
func LinkStage(s Stage) { stage = s }

// ErrNoCStage is returned by Plan.Run in a binary that does not link the pre-runtime C stage:
// built without cgo, or a main package that does not import nsutil/executor/cstage.
var ErrNoCStage = errors.New("this nsbox has no pre-runtime stage and cannot change namespaces (build with CGO_ENABLED=1 and import nsutil/executor/cstage)")
