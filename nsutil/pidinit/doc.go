//go:build linux

// Package pidinit is the PID-1 machinery of pidns-init. The init itself is C (init.c): whenever
// the binary starts under one of Names, a constructor takes the process over before the Go
// runtime starts, blocks every signal and forks; the parent stays in C as the init, and the
// child runs Go only to parse the command line (tools/pidnsinit) and hand the init a Plan with
// Send. pidinit.h defines the plan for both sides.
package pidinit
