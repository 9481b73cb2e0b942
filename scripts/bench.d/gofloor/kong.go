//go:build linux && kongfloor

package main

import (
	"github.com/alecthomas/kong"
)

// unshareFloor and nsenterFloor are the options `unshare -nui` and `nsenter -t P -n -u -i`
// use, spelled as nsbox's grammars spell them, and the program to run.
type unshareFloor struct {
	Net     bool     `short:"n"`
	UTS     bool     `short:"u" name:"uts"`
	IPC     bool     `short:"i" name:"ipc"`
	Program []string `arg:"" optional:"" passthrough:"partial"`
}

type nsenterFloor struct {
	Target  string   `short:"t"`
	Net     bool     `short:"n"`
	UTS     bool     `short:"u" name:"uts"`
	IPC     bool     `short:"i" name:"ipc"`
	Program []string `arg:"" optional:"" passthrough:"partial"`
}

func init() {
	parse = func(mode string, args []string) (string, []string) {
		var u unshareFloor
		var n nsenterFloor
		grammar := any(&u)
		if mode == "nsenter" {
			grammar = &n
		}
		parser, err := kong.New(grammar, kong.Name(mode), kong.NoDefaultHelp())
		if err != nil {
			fail("kong: " + err.Error())
		}
		if _, err := parser.Parse(args); err != nil {
			fail(err.Error())
		}
		if mode == "nsenter" {
			return n.Target, n.Program
		}
		return "", u.Program
	}
}
