//go:build linux

// Package cstage is the executor's pre-runtime C stage: a constructor (preruntime.c) that runs
// before the Go runtime starts and, when the marker variable asks it to, carries out a Plan in
// a single-threaded process, and the record of the signals the process inherited ignored and
// blocked (siginherit.c). stage.h is the one definition of the operations and flags Go and C
// share.
//
// A main package links the stage with a blank import, as runc's main does with its nsenter:
//
//	import _ "github.com/nsbox/nsbox/nsutil/executor/cstage"
//
// Without it (or in a build without cgo) executor.Plan.Run fails with executor.ErrNoCStage.
package cstage
