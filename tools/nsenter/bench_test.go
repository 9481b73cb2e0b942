//go:build linux

package nsenter

import (
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// BenchmarkCommandLine is nsenter's start-up cost for its kong model and command line (see
// nstest.BenchCommandLine), for scripts/bench's command line.
func BenchmarkCommandLine(b *testing.B) {
	nstest.BenchCommandLine(b, Command, "-t", "1", "-n", "-u", "-i", "/bin/true")
}
