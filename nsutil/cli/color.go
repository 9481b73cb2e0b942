//go:build linux

package cli

import (
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/fatih/color"
	"golang.org/x/sys/unix"
)

// ColorFlag is the `--color[=when]` option every applet takes, when being auto, always or
// never: one colour rule for all of them (see UseColor). As util-linux's --color (dmesg, cfdisk,
// hexdump...), its value is optional and only ever attached, and a bare --color means auto, so
// that `nsenter -t 1 -a --color pwd` runs pwd. An applet embeds it in its grammar,
//
//	type grammar struct {
//		cli.ColorFlag
//		...
//	}
//
// and Parse applies the choice (setColorMode) before the applet runs, and already while it
// parses, so that even a usage error's prefix follows --color. Output then goes through Paint
// and Sprint; a table pads the plain text and colours it afterwards, so that colour never
// changes a column's width.
type ColorFlag struct {
	Color OptionalValue `name:"color" optvalue:"when" choices:"auto,always,never" invalid:"unsupported color mode"`
}

// colorHelp is how --help shows ColorFlag's option; newParser gives it to every grammar that
// embeds ColorFlag, as it gives them their help table (see OptionHelp).
var colorHelp = OptionHelp{Name: "color", Help: "colorize the output (auto, always or never)"}

var colorMode = "auto"

// setColorMode records the --color choice for later UseColor calls. Parse calls it for
// grammars that embed ColorFlag; calling it again with the same value is harmless.
func setColorMode(mode string) { colorMode = mode }

// colorModes are ColorFlag's values, as its choices tag lists them.
const colorModes = "auto,always,never"

// colorFlag finds ColorFlag's --color among a grammar's flags, or nil.
func colorFlag(flags []*kong.Flag) *kong.Flag {
	for _, f := range flags {
		if f.Name == "color" && f.Tag.Get(ChoicesTag) == colorModes {
			return f
		}
	}
	return nil
}

// colorChoice is the mode --color (flag f) asks for: its attached value, in any case, or auto
// when bare (as util-linux's). ok is false for a value that is not a mode.
func colorChoice(f *kong.Flag, value string, hasValue bool) (mode string, ok bool) {
	if !hasValue {
		return "auto", true
	}
	return choose(f.Tag, value)
}

// applyColorMode sets the colour mode from a parsed grammar's --color, if it was given.
func applyColorMode(flags []*kong.Flag) {
	f := colorFlag(flags)
	if f == nil || !f.Target.IsValid() || !f.Target.CanAddr() {
		return
	}
	if o, ok := f.Target.Addr().Interface().(*OptionalValue); ok && o.Set {
		if mode, ok := colorChoice(f, o.Value, o.HasValue); ok {
			setColorMode(mode)
		}
	}
}

// presetColorMode sets the colour mode from a valid --color or --color=WHEN among the options
// in args (long names already expanded), before kong parses them.
func presetColorMode(flags []*kong.Flag, args []string) {
	f := colorFlag(flags)
	if f == nil {
		return
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--" || arg == "-" || !strings.HasPrefix(arg, "-"):
			return
		case arg == "--color" || strings.HasPrefix(arg, "--color="):
			value, hasValue := strings.CutPrefix(arg, "--color=")
			if mode, ok := colorChoice(f, value, hasValue); ok {
				setColorMode(mode)
			}
		case strings.HasPrefix(arg, "--") && !strings.Contains(arg, "="):
			if takesValue(longFlag(flags, arg[2:])) {
				i++
			}
		case !strings.HasPrefix(arg, "--"):
			for j := 1; j < len(arg); j++ { // a short cluster: the first that takes a value ends it
				if takesValue(shortFlag(flags, rune(arg[j]))) {
					if j == len(arg)-1 {
						i++
					}
					break
				}
			}
		}
	}
}

// UseColor applies nsbox's one colour rule to a stream: never and always are what they say;
// auto colours only a terminal, and not when NO_COLOR is set (non-empty) or TERM is dumb.
func UseColor(w io.Writer) bool {
	switch colorMode {
	case "never":
		return false
	case "always":
		return true
	}
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return IsTerminal(w)
}

// IsTerminal reports whether w is a terminal (an *os.File that is one).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Paint returns a colour for w under the colour rule, or nil when w gets no colour. A nil
// *color.Color is safe to call Sprint on through cli.Sprint.
func Paint(w io.Writer, attrs ...color.Attribute) *color.Color {
	if !UseColor(w) {
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

// ErrorPrefix is the applet name as it starts an error line on w: bold red on a terminal.
func ErrorPrefix(w io.Writer, name string) string {
	return Sprint(Paint(w, color.FgRed, color.Bold), name)
}
