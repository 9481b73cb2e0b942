//go:build linux

package main

import (
	"strconv"
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
				hasColor = hasColor || (f.Name == "color" && f.Tag.Get("optvalue") == "when" && f.Tag.Get(cli.ChoicesTag) == "auto,always,never")
			}
		}
		if !hasColor {
			if len(longs) > 2 {
				t.Errorf("%s has no --color[=auto|always|never]: embed cli.ColorFlag in its grammar", a.name)
			}
			continue
		}
		for _, tt := range []struct {
			color, prefix string
		}{
			{"--color=always", "\x1b[31;1m" + a.name + "\x1b[0;22m: "},
			{"--color=never", a.name + ": "},
			{"--color", a.name + ": "}, // auto, as util-linux's bare --color; stderr is a pipe
		} {
			res := run(t, nstest.Applet(t, a.name), tt.color, "--no-such-option")
			if res.Code != 1 || !strings.HasPrefix(res.Stderr, tt.prefix) {
				t.Errorf("%s %s --no-such-option: got %d %q, want 1 and a line starting %q", a.name, tt.color, res.Code, res.Stderr, tt.prefix)
			}
		}
		// A value that is not a mode: util-linux's line (lib/colors.c, as dmesg prints it), the
		// same for every applet.
		want := a.name + ": unsupported color mode: 'bogus'\n"
		if res := run(t, nstest.Applet(t, a.name), "--color=bogus"); res.Code != 1 || res.Stdout != "" || res.Stderr != want {
			t.Errorf("%s --color=bogus: got %d %q %q, want 1, nothing and %q", a.name, res.Code, res.Stdout, res.Stderr, want)
		}
	}
}

// TestNsenterColorRunsProgram: --color's value is optional and only ever attached, as
// util-linux's --color[=when], so `nsenter -t PID -a --color pwd` runs pwd (it took pwd for the
// colour and failed). Whatever the --color, the program prints what it prints without one; a
// bad value runs nothing.
func TestNsenterColorRunsProgram(t *testing.T) {
	nstest.RequireRoot(t)
	target := strconv.Itoa(nstest.UnshareTarget(t, nil, "--net", "--uts"))
	nsenter := nstest.Applet(t, "nsenter")
	want := run(t, nsenter, "-t", target, "-a", "pwd")
	if want.Code != 0 || want.Stdout == "" || want.Stderr != "" {
		t.Fatalf("nsenter -t %s -a pwd: exit %d, stdout %q, stderr %q", target, want.Code, want.Stdout, want.Stderr)
	}
	for _, color := range [][]string{{"--color"}, {"--color=never"}, {"--color=always"}, {"--color=auto"}, {"--col"}, {"--color", "--"}} {
		args := append(append([]string{"-t", target, "-a"}, color...), "pwd")
		if res := run(t, nsenter, args...); res.Code != 0 || res.Stdout != want.Stdout || res.Stderr != "" {
			t.Errorf("nsenter %q: got %d %q %q, want 0, %q and nothing", args, res.Code, res.Stdout, res.Stderr, want.Stdout)
		}
	}
	res := run(t, nsenter, "-t", target, "-a", "--color=pwd", "pwd")
	wantErr := "nsenter: unsupported color mode: 'pwd'\n"
	if res.Code != 1 || res.Stdout != "" || res.Stderr != wantErr {
		t.Errorf("nsenter -t %s -a --color=pwd pwd: got %d %q %q, want 1, nothing and %q", target, res.Code, res.Stdout, res.Stderr, wantErr)
	}
}
