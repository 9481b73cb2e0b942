//go:build linux

package main

import (
	"os"

	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/executor"
	// The pre-runtime C stage that carries out plans, linked explicitly (as runc's main links
	// its nsenter): without it every plan fails with executor.ErrNoCStage.
	_ "github.com/nsbox/nsbox/nsutil/executor/cstage"
)

func main() {
	if os.Getenv(executor.PlanMarker) != "" {
		// The pre-runtime stage consumes the marker; seeing it here means it is not linked in.
		os.Exit(cli.Fail(os.Stderr, "nsbox", executor.ErrNoCStage))
	}
	if os.Getuid() != os.Geteuid() || os.Getgid() != os.Getegid() {
		os.Stderr.WriteString("nsbox: refusing to run set-user-ID or set-group-ID: namespaces are not a privilege boundary for it\n")
		os.Exit(cli.ExitFailure)
	}
	os.Exit(dispatch(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
