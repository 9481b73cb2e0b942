// Package nsenter is the nsenter applet. (Work in progress: see its issue.)
package nsenter

import (
	"errors"
	"os"

	"github.com/nsbox/nsbox/tools/cli"
)

// Main runs nsenter with args (without the program name) and returns the exit status.
func Main(args []string) int {
	return cli.Fail(os.Stderr, "nsenter", errors.New("not implemented yet"))
}
