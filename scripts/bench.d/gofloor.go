//go:build ignore

// gofloor is the floor under any Go unshare or nsenter: the Go runtime's start-up, then the
// same system calls util-linux makes for `unshare -nui PROGRAM` and `nsenter -t PID -n -u -i
// PROGRAM`, with no option parsing and nothing else. scripts/bench builds it (`go build` of
// this one file) and times it beside util-linux, so that the table shows how much of nsbox's
// ratio the runtime alone costs on the machine at hand.
//
//	gofloor unshare PROGRAM [ARG...]
//	gofloor nsenter PID PROGRAM [ARG...]
package main

import (
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

const kinds = unix.CLONE_NEWNET | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC

func main() {
	runtime.LockOSThread()
	if len(os.Args) < 3 {
		fail("usage: gofloor unshare PROGRAM... | gofloor nsenter PID PROGRAM...")
	}
	argv := os.Args[2:]
	switch os.Args[1] {
	case "unshare":
		if err := unix.Unshare(kinds); err != nil {
			fail("unshare: " + err.Error())
		}
	case "nsenter":
		pid, err := strconv.Atoi(argv[0])
		if err != nil {
			fail("not a PID: " + argv[0])
		}
		pidfd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			fail("pidfd_open: " + err.Error())
		}
		if err := unix.Setns(pidfd, kinds); err != nil {
			fail("setns: " + err.Error())
		}
		unix.Close(pidfd)
		argv = argv[1:]
	default:
		fail("unknown mode " + os.Args[1])
	}
	err := unix.Exec(argv[0], argv, os.Environ())
	fail("exec " + argv[0] + ": " + err.Error())
}

func fail(msg string) {
	os.Stderr.WriteString("gofloor: " + msg + "\n")
	os.Exit(1)
}
