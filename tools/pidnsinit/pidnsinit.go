// Package pidnsinit is the pidns-init applet. (Work in progress: see its issue.)
package pidnsinit

import (
	"errors"
	"os"

	"github.com/nsbox/nsbox/tools/cli"
)

type grammar struct {
	Help    cli.HelpFlag    `short:"h" help:"display this help"`
	Version cli.VersionFlag `short:"V" help:"display version"`
}

// Command returns the applet's command-line spec and a fresh grammar for kong, for Main and for
// what is generated from the grammar (completions, man page checks).
func Command() (cli.Spec, any) {
	return cli.Spec{Name: "pidns-init", Synopsis: "[options]"}, &grammar{}
}

// Main runs pidns-init with args (without the program name) and returns the exit status.
func Main(args []string) int {
	spec, g := Command()
	if _, code, done := cli.Parse(spec, g, args); done {
		return code
	}
	return cli.Fail(os.Stderr, "pidns-init", errors.New("not implemented yet"))
}
