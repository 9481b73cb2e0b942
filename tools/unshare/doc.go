//go:build linux

// Package unshare is the unshare applet: it runs a program in new namespaces, as util-linux's
// unshare(1) does, with every option of util-linux 2.41/2.42, plus --init (a PID 1 that reaps
// and forwards signals) and --trace (every namespace step as it happens).
//
//	unshare [options] [program [arguments...]]
//
// Main parses the command line with kong, turns it into an executor.Plan (see plan.go) and runs
// it; the plan's last step executes the program, so on success Main does not return.
package unshare
