// Package lsns is the lsns applet. (Work in progress: see its issue.)
package lsns

import (
	"errors"
	"os"

	"github.com/nsbox/nsbox/tools/cli"
)

// Main runs lsns with args (without the program name) and returns the exit status.
func Main(args []string) int {
	return cli.Fail(os.Stderr, "lsns", errors.New("not implemented yet"))
}
