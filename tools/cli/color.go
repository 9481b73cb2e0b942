package cli

import (
	"os"

	"github.com/fatih/color"
	"golang.org/x/sys/unix"
)

// ColorFlag is the `--color[=auto|always|never]` option every applet that colours takes.
type ColorFlag struct {
	Color string `name:"color" enum:"auto,always,never" default:"auto" placeholder:"when" help:"colorize the output (auto, always or never)"`
}

var colorMode = "auto"

// SetColorMode records the --color choice for later UseColor calls.
func SetColorMode(mode string) { colorMode = mode }

// UseColor applies nsbox's one colour rule to a stream: never and always are what they say;
// auto colours only a terminal, and not when NO_COLOR is set (non-empty) or TERM is dumb.
func UseColor(f *os.File) bool {
	switch colorMode {
	case "never":
		return false
	case "always":
		return true
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return IsTerminal(f)
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Paint returns a colour for f under the colour rule, or nil when f gets no colour. A nil
// *color.Color is safe to call Sprint on through cli.Sprint.
func Paint(f *os.File, attrs ...color.Attribute) *color.Color {
	if !UseColor(f) {
		return nil
	}
	c := color.New(attrs...)
	c.EnableColor()
	return c
}

// Sprint colours s with c, or returns s unchanged when c is nil.
func Sprint(c *color.Color, s string) string {
	if c == nil {
		return s
	}
	return c.Sprint(s)
}

// ErrorPrefix is the applet name as it starts an error line: bold red on a terminal.
func ErrorPrefix(name string) string {
	return Sprint(Paint(os.Stderr, color.FgRed, color.Bold), name)
}
