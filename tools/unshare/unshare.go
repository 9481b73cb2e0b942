// Package unshare is the unshare applet. (Work in progress: see its issue.)
package unshare

import (
	"errors"
	"os"

	"github.com/nsbox/nsbox/tools/cli"
)

// Main runs unshare with args (without the program name) and returns the exit status.
func Main(args []string) int {
	return cli.Fail(os.Stderr, "unshare", errors.New("not implemented yet"))
}
