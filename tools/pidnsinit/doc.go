//go:build linux

// Package pidnsinit is the pidns-init applet: PID 1 for a new PID namespace and a container
// init, a drop-in for tini (with dumb-init's -r and catatonit's --pause) that also shuts down
// gracefully with --grace.
//
//	pidns-init [options] [--] program [arguments...]
//	pidns-init --pause
//
// It starts the program in a process group of its own (the terminal's foreground group when
// stdin is the controlling terminal), forwards every signal it can catch to it, reaps every
// zombie of the namespace (or, when it is not PID 1, of its subtree as a child subreaper), and
// exits with the program's status. The init is C (nsutil/pidinit), which has the process from
// its first instruction; this package is its command line, parsed in a child the init waits
// for and handed to it as a pidinit.Plan.
package pidnsinit
