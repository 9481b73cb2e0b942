//go:build linux

package pidnsinit

import (
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// BenchmarkCommandLine is pidns-init's start-up cost for its kong model and command line (see
// nstest.BenchCommandLine), for scripts/bench's command line.
func BenchmarkCommandLine(b *testing.B) {
	nstest.BenchCommandLine(b, Command, "/bin/true")
}
