// Package pidnsinit is the pidns-init applet. (Work in progress: see its issue.)
package pidnsinit

import (
	"errors"
	"os"

	"github.com/nsbox/nsbox/tools/cli"
)

// Main runs pidns-init with args (without the program name) and returns the exit status.
func Main(args []string) int {
	return cli.Fail(os.Stderr, "pidns-init", errors.New("not implemented yet"))
}
