//go:build linux

package cli

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fatih/color"
	"golang.org/x/sys/unix"
)

// openPty opens a pseudo-terminal and returns its terminal side (the master is closed with it
// at the end of the test).
func openPty(t *testing.T) *os.File {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

// openPipe returns the write end of a pipe: a stream that is not a terminal.
func openPipe(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return w
}

// withColorMode sets the mode for one test and restores the default after it.
func withColorMode(t *testing.T, mode string) {
	t.Helper()
	setColorMode(mode)
	t.Cleanup(func() { setColorMode("auto") })
}

func TestUseColorRule(t *testing.T) {
	tty, pipe := openPty(t), openPipe(t)
	tests := []struct {
		mode, noColor, term string
		terminal            bool
		want                bool
	}{
		{"auto", "", "xterm", true, true},
		{"auto", "", "xterm", false, false},
		{"auto", "1", "xterm", true, false},
		{"auto", "", "dumb", true, false},
		{"auto", "", "", true, true},
		{"always", "", "xterm", false, true},
		{"always", "1", "dumb", false, true},
		{"never", "", "xterm", true, false},
	}
	for _, tt := range tests {
		withColorMode(t, tt.mode)
		t.Setenv("NO_COLOR", tt.noColor)
		t.Setenv("TERM", tt.term)
		f := pipe
		if tt.terminal {
			f = tty
		}
		if got := UseColor(f); got != tt.want {
			t.Errorf("mode %s, NO_COLOR=%q, TERM=%q, terminal %v: got %v, want %v",
				tt.mode, tt.noColor, tt.term, tt.terminal, got, tt.want)
		}
	}
}

// TestPaintOverridesFatihDefault checks that Paint decides by our rule, not by fatih/color's
// own start-up guess (stdout a terminal, NO_COLOR), which is wrong for stderr and for --color.
func TestPaintOverridesFatihDefault(t *testing.T) {
	tty, pipe := openPty(t), openPipe(t)
	t.Setenv("TERM", "xterm")
	t.Setenv("NO_COLOR", "")
	saved := color.NoColor
	t.Cleanup(func() { color.NoColor = saved })

	const red, plain = "\x1b[31mx\x1b[0m", "x"
	tests := []struct {
		fatihNoColor bool // what fatih/color guessed at start-up
		mode, stream string
		w            *os.File
		want         string
	}{
		{true, "auto", "a terminal", tty, red},
		{true, "always", "a pipe", pipe, red},
		{false, "never", "a terminal", tty, plain},
		{false, "auto", "a pipe", pipe, plain},
	}
	for _, tc := range tests {
		color.NoColor = tc.fatihNoColor
		withColorMode(t, tc.mode)
		if got := Sprint(Paint(tc.w, color.FgRed), "x"); got != tc.want {
			t.Errorf("%s on %s (fatih/color's NoColor %v): got %q, want %q", tc.mode, tc.stream, tc.fatihNoColor, got, tc.want)
		}
	}
}

// TestErrorPrefixFollowsColor checks that the applet name, written to a terminal, is bold red
// exactly when the rule says so.
func TestErrorPrefixFollowsColor(t *testing.T) {
	tty := openPty(t)
	t.Setenv("TERM", "xterm")
	const red = "\x1b[31;1mlsns\x1b[0;22m"
	tests := []struct {
		mode, noColor string
		want          string
	}{
		{"auto", "", red},
		{"auto", "1", "lsns"},
		{"never", "", "lsns"},
		{"always", "1", red},
	}
	for _, tt := range tests {
		withColorMode(t, tt.mode)
		t.Setenv("NO_COLOR", tt.noColor)
		if got := ErrorPrefix(tty, "lsns"); got != tt.want {
			t.Errorf("mode %s, NO_COLOR=%q: got %q, want %q", tt.mode, tt.noColor, got, tt.want)
		}
	}
}

type colorGrammar struct {
	Help   HelpFlag `short:"h" help:"display this help"`
	Target string   `short:"t" help:"target"`
	Fork   bool     `short:"f" help:"fork"`
	ColorFlag
	Program []string `arg:"" optional:"" passthrough:"partial" help:"program"`
}

// TestParseAppliesColor checks that Parse applies an embedded ColorFlag, abbreviated or not,
// and already for the usage error of the same command line. As util-linux's --color[=when],
// its value is only ever attached: a bare --color means auto, and the next word is the program.
func TestParseAppliesColor(t *testing.T) {
	t.Setenv("TERM", "xterm")
	t.Setenv("NO_COLOR", "")
	tests := []struct {
		args    []string
		want    string   // the colour mode after Parse
		program []string // what is left to run
	}{
		{[]string{"--color=never"}, "never", nil},
		{[]string{"--col=always", "ls"}, "always", []string{"ls"}},
		{[]string{"-f", "--color", "never", "ls"}, "auto", []string{"never", "ls"}},
		{[]string{"--color=never", "--color", "pwd"}, "auto", []string{"pwd"}},
		{[]string{"--color", "--color=always", "pwd"}, "always", []string{"pwd"}},
		{[]string{"--col", "pwd"}, "auto", []string{"pwd"}},
		{[]string{"-t", "5", "--color=never"}, "never", nil},
		{[]string{"-ft", "5", "--color=never", "ls"}, "never", []string{"ls"}},
		{[]string{"ls", "--color=always"}, "auto", []string{"ls", "--color=always"}}, // the program's argument
		{[]string{}, "auto", nil},
	}
	for _, tt := range tests {
		withColorMode(t, "never") // Parse decides anew: what an earlier command line chose is gone
		var out, errb bytes.Buffer
		var g colorGrammar
		_, _, done := Parse(Spec{Name: "tool", Stdout: &out, Stderr: &errb}, &g, tt.args)
		if done {
			t.Errorf("%q: parse failed: %s", tt.args, errb.String())
			continue
		}
		if colorMode != tt.want || !slices.Equal(g.Program, tt.program) {
			t.Errorf("%q: got mode %s and program %q, want %s and %q", tt.args, colorMode, g.Program, tt.want, tt.program)
		}
	}
	for _, tt := range []struct {
		args    []string
		colored bool
	}{
		{[]string{"--color=always", "--bogus"}, true},
		{[]string{"--color=never", "--bogus"}, false},
		{[]string{"--color", "--bogus"}, false}, // auto, and the buffer is no terminal
	} {
		withColorMode(t, "auto")
		var out, errb bytes.Buffer
		Parse(Spec{Name: "tool", Stdout: &out, Stderr: &errb}, &colorGrammar{}, tt.args)
		if got := strings.HasPrefix(errb.String(), "\x1b["); got != tt.colored {
			t.Errorf("%q: got usage error %q, want colored %v", tt.args, errb.String(), tt.colored)
		}
	}
}

// TestColorBadValue checks a --color value that is not a mode: util-linux's line for it
// (lib/colors.c's colormode_or_err, as `dmesg --color=bogus` prints it: no usage hint, status
// 1), modes in any case (`dmesg --color=ALWAYS` colours), and the next word never taken as
// the value.
func TestColorBadValue(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
		mode string
	}{
		{[]string{"--color=bogus"}, "tool: unsupported color mode: 'bogus'\n", ""},
		{[]string{"--colo=", "ls"}, "tool: unsupported color mode: ''\n", ""},
		{[]string{"--color=alway"}, "tool: unsupported color mode: 'alway'\n", ""},
		{[]string{"--color=Always"}, "", "always"},
		{[]string{"--color=NEVER", "ls"}, "", "never"},
		{[]string{"--color", "never"}, "", "auto"},
	} {
		withColorMode(t, "never")
		var out, errb bytes.Buffer
		g := &colorGrammar{}
		_, code, done := Parse(Spec{Name: "tool", Stdout: &out, Stderr: &errb}, g, tt.args)
		if tt.want != "" {
			if !done || code != ExitFailure || errb.String() != tt.want {
				t.Errorf("%q: got done %v, code %d, stderr %q; want done, %d, %q", tt.args, done, code, errb.String(), ExitFailure, tt.want)
			}
			continue
		}
		if done || errb.Len() > 0 || colorMode != tt.mode {
			t.Errorf("%q: got done %v, stderr %q, mode %q; want a parse in mode %q", tt.args, done, errb.String(), colorMode, tt.mode)
		}
	}
}

// TestColorHelp checks that --help shows --color as util-linux shows an optional value.
func TestColorHelp(t *testing.T) {
	var out bytes.Buffer
	_, code, done := Parse(Spec{Name: "tool", Stdout: &out}, &colorGrammar{}, []string{"--help"})
	want := regexp.MustCompile(`(?m)^     --color\[=<when>\] +colorize the output \(auto, always or never\)$`)
	if !done || code != 0 || !want.MatchString(out.String()) {
		t.Errorf("--help: got done %v, code %d, output %q; want it to include %q", done, code, out.String(), want)
	}
}
