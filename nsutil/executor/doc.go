//go:build linux

// Package executor carries out a Plan: the ordered namespace steps (unshare, setns, ID-map
// writes, mounts, chroot and chdir, credentials and capabilities, forks and helpers, execve)
// that unshare and nsenter build from their command lines.
//
// The Go runtime is multi-threaded before main runs, and the kernel refuses setns into user,
// mount and time namespaces and unshare(CLONE_NEWUSER) to a threaded process. So Run writes the
// plan to a memfd and re-executes this binary, and a C constructor that runs before the Go
// runtime starts (package cstage, which the main package links with a blank import) carries
// the steps out. A plan of per-thread steps only can instead run on one locked OS thread of
// this process (InProcess, EngineAuto).
//
// Go and C share one definition of the plan's layout, operations and flags, cstage/stage.h;
// seam.go is generated from it and TestSeam fails when they differ. The executor never prints:
// the C stage writes the --trace lines and a failed step's message (`PROG: MESSAGE: strerror`,
// with the texts of Go's errnos, which the plan carries) to stderr.
package executor

//go:generate go test -run ^TestSeam$ -update .
