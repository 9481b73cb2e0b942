package nstest

import (
	"testing"

	"github.com/nsbox/nsbox/nsutil/cli"
)

// BenchCommandLine measures what an applet's command line costs before the applet does
// anything, a large part of its start-up (issue 17): "model" builds the kong model of the
// grammar command returns (cli.Model), "parse" builds it and parses args, as Main does.
func BenchCommandLine(b *testing.B, command func() (cli.Spec, any), args ...string) {
	b.Run("model", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cli.Model(command()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			spec, grammar := command()
			if _, code, done := cli.Parse(spec, grammar, args); done {
				b.Fatalf("%s %q: exit %d", spec.Name, args, code)
			}
		}
	})
}
