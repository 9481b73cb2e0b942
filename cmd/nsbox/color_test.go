//go:build linux

package main

import (
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/nstest"
)

// TestEveryAppletTakesColor checks the one colour rule reaches every applet: each embeds
// cli.ColorFlag (a stub with only --help and --version is let off), and its usage errors
// follow --color.
func TestEveryAppletTakesColor(t *testing.T) {
	for _, a := range applets {
		model, err := cli.Model(a.command())
		if err != nil {
			t.Fatalf("%s: %v", a.name, err)
		}
		var longs []string
		hasColor := false
		for _, group := range model.Node.AllFlags(true) {
			for _, f := range group {
				longs = append(longs, f.Name)
				hasColor = hasColor || (f.Name == "color" && f.Enum == "auto,always,never")
			}
		}
		if !hasColor {
			if len(longs) > 2 {
				t.Errorf("%s has no --color=auto|always|never: embed cli.ColorFlag in its grammar", a.name)
			}
			continue
		}
		for _, tt := range []struct {
			when, prefix string
		}{
			{"always", "\x1b[31;1m" + a.name + "\x1b[0;22m: "},
			{"never", a.name + ": "},
		} {
			res := run(t, nstest.Applet(t, a.name), "--color="+tt.when, "--no-such-option")
			if res.Code != 1 || !strings.HasPrefix(res.Stderr, tt.prefix) {
				t.Errorf("%s --color=%s --no-such-option: got %d %q, want 1 and a line starting %q", a.name, tt.when, res.Code, res.Stderr, tt.prefix)
			}
		}
	}
}
