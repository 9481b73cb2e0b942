//go:build linux

// gofloor is the floor under any Go unshare or nsenter: the Go runtime's start-up, then the
// same system calls util-linux makes for `unshare -nui PROGRAM` and `nsenter -t PID -n -u -i
// PROGRAM`, with no option parsing and nothing else. scripts/bench builds it and times it beside
// util-linux, so that the table shows how much of nsbox's ratio the runtime alone costs on the
// machine at hand.
//
//	gofloor unshare PROGRAM [ARG...]
//	gofloor nsenter PID PROGRAM [ARG...]
//
// Built with the tag kongfloor (kong.go), it is the floor under any nsbox that parses with kong:
// the command line is parsed by a kong model of only the options the benchmarked commands use,
// as nsbox's applets spell them, before the same system calls.
//
//	kongfloor unshare -n -u -i PROGRAM [ARG...]
//	kongfloor nsenter -t PID -n -u -i PROGRAM [ARG...]
package main

import (
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

const kinds = unix.CLONE_NEWNET | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC

// parse turns the arguments after the mode into the target PID (nsenter) and the program's
// argv; kong.go replaces it with a kong parse.
var parse = func(mode string, args []string) (pid string, argv []string) {
	if mode == "nsenter" && len(args) > 0 {
		return args[0], args[1:]
	}
	return "", args
}

func main() {
	runtime.LockOSThread()
	if len(os.Args) < 3 {
		fail("usage: gofloor unshare PROGRAM... | gofloor nsenter PID PROGRAM...")
	}
	mode := os.Args[1]
	pidArg, argv := parse(mode, os.Args[2:])
	if len(argv) == 0 {
		fail("no program")
	}
	switch mode {
	case "unshare":
		if err := unix.Unshare(kinds); err != nil {
			fail("unshare: " + err.Error())
		}
	case "nsenter":
		pid, err := strconv.Atoi(pidArg)
		if err != nil {
			fail("not a PID: " + pidArg)
		}
		pidfd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			fail("pidfd_open: " + err.Error())
		}
		if err := unix.Setns(pidfd, kinds); err != nil {
			fail("setns: " + err.Error())
		}
		unix.Close(pidfd)
	default:
		fail("unknown mode " + mode)
	}
	err := unix.Exec(argv[0], argv, os.Environ())
	fail("exec " + argv[0] + ": " + err.Error())
}

func fail(msg string) {
	os.Stderr.WriteString("gofloor: " + msg + "\n")
	os.Exit(1)
}
