//go:build linux

package cli

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"
	"github.com/nsbox/nsbox/nsutil"
)

// Version is the nsbox version, set at build time with -ldflags "-X .../nsutil/cli.Version=...".
var Version = "0.1.0-dev"

// Exit statuses shared by the applets.
const (
	ExitOK      = 0
	ExitFailure = 1 // the applet's own error or a usage error
)

// Spec describes an applet's command line.
type Spec struct {
	Name        string        // the applet name: the prefix of every message and the name in Usage:
	Synopsis    string        // what follows the name in Usage:, e.g. "[options] [program [arguments...]]"
	Description string        // one or two sentences under the Usage: line
	Stdout      io.Writer     // where --help and --version go; nil discards them
	Stderr      io.Writer     // where usage errors go; nil discards them
	Options     []kong.Option // extra kong options (Vars, mappers...)
	// Getopt is the reference tool's long options in the order of its getopt_long table:
	// an ambiguous abbreviation lists its possibilities in that order, and one that fits a
	// single reference option means it, even where nsbox's own options fit too.
	Getopt []string
	// Help is how --help shows each option and argument: its help line and value name, kept
	// here rather than in help:"..." and placeholder:"..." struct tags (see OptionHelp); an
	// option not listed keeps its tags'. The flags this package gives every applet (HelpFlag,
	// VersionFlag, ColorFlag) bring their own lines.
	Help []OptionHelp
}

// OptionHelp is how --help shows one option, by its long name, or a positional argument, by its
// name. Kong parses every struct tag rune by rune and interpolates every help and placeholder
// string each time a model is built, which made these strings in the tags a third of what unshare
// spent on its command line (issue 17); so applets keep them in a table, and newParser puts them
// into the model, where --help, completions and the man-page checks read them as any flag's.
type OptionHelp struct {
	Name        string
	PlaceHolder string // the name of an option's value: "pid" shows as `--target <pid>`
	Help        string
}

// VersionFlag is the -V/--version flag every applet embeds, tagged short:"V".
type VersionFlag bool

// BeforeReset prints the version and stops parsing with status 0.
func (v VersionFlag) BeforeReset(app *kong.Kong) error {
	fmt.Fprintf(app.Stdout, "%s from nsbox %s\n", app.Model.Name, Version)
	app.Exit(0)
	return nil
}

type exitRequest struct{ code int }

// Parse parses args (without the program name) into grammar and returns every option
// occurrence, in the order given. When it returns done, the applet must exit with code at once:
// --help or --version was handled (0), or a usage error was reported on stderr (1).
func Parse(spec Spec, grammar any, args []string) (opts *Options, code int, done bool) {
	spec = withWriters(spec)
	stderr := spec.Stderr
	parser, err := newParser(spec, grammar)
	if err != nil {
		// A grammar error is a bug in nsbox, not the user's fault; still, one line and exit 1.
		fmt.Fprintf(stderr, "%s: internal error: %v\n", spec.Name, err)
		return nil, ExitFailure, true
	}
	flags := allFlags(parser.Model.Node)
	opts = &Options{}
	recordOccurrences(flags, opts)
	defer func() {
		if r := recover(); r != nil {
			req, ok := r.(exitRequest)
			if !ok {
				panic(r)
			}
			opts, code, done = nil, req.code, true
			if code != 0 {
				code = ExitFailure
			}
		}
	}()
	var ctx *kong.Context
	setColorMode("auto") // decided anew for each command line, also one parsed in-process
	expanded, err := expandAbbreviations(flags, args, spec.Getopt)
	if err == nil {
		args = expanded
	}
	presetColorMode(flags, args) // so that a usage error follows --color too
	if err == nil {
		ctx, err = parser.Parse(args)
	}
	var choice *choiceError
	if errors.As(err, &choice) { // util-linux's errx, not a usage error
		return nil, Fail(stderr, spec.Name, choice), true
	}
	if err != nil {
		UsageError(stderr, spec.Name, getoptMessage(err))
		return nil, ExitFailure, true
	}
	applyColorMode(flags)
	dropDashDash(ctx)
	return opts, ExitOK, false
}

// dropDashDash removes the "--" kong keeps at the head of a passthrough argument
// (`pidns-init -- ls` runs ls), so applets see the program and its arguments only.
func dropDashDash(ctx *kong.Context) {
	for _, arg := range ctx.Model.Node.Positional {
		if !arg.Passthrough || arg.Target.Kind() != reflect.Slice {
			continue
		}
		if v := arg.Target; v.Len() > 0 && v.Index(0).Kind() == reflect.String && v.Index(0).String() == "--" {
			v.Set(v.Slice(1, v.Len()))
		}
	}
}

// HelpFlag is the -h/--help flag; applets embed it (kong's default is switched off so that the
// help text is util-linux's shape).
type HelpFlag bool

// BeforeReset prints the help and stops with status 0.
func (h HelpFlag) BeforeReset(ctx *kong.Context) error {
	if err := ctx.PrintUsage(false); err != nil {
		return err
	}
	ctx.Exit(0)
	return nil
}

// UsageError prints util-linux's two-line usage error.
func UsageError(w io.Writer, name, msg string) {
	fmt.Fprintf(w, "%s: %s\nTry '%s --help' for more information.\n", ErrorPrefix(w, name), msg, name)
}

// Fail prints `NAME: ERROR` on stderr and returns ExitFailure, for `return cli.Fail(...)`.
func Fail(w io.Writer, name string, err error) int {
	fmt.Fprintf(w, "%s: %s\n", ErrorPrefix(w, name), Message(err))
	return ExitFailure
}

// Message renders err as one line, with the C library's capitalised strerror text for system
// errors ("No such process", not Go's "no such process"), as util-linux prints them.
func Message(err error) string {
	msg := err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		// At the end, or before a kernel-limit hint: "...: operation not supported (pidfs ...)".
		low := errno.Error()
		if strings.HasSuffix(msg, low) {
			msg = strings.TrimSuffix(msg, low) + Strerror(errno)
		} else if i := strings.LastIndex(msg, ": "+low+" ("); i >= 0 {
			msg = msg[:i+2] + Strerror(errno) + msg[i+2+len(low):]
		}
	}
	return strings.ReplaceAll(msg, "\n", " ")
}

// Strerror is errno's description as the C library words it (see nsutil.Strerror).
func Strerror(errno syscall.Errno) string { return nsutil.Strerror(errno) }

// getoptMessage rewords kong's parse errors the way getopt(3) words them.
func getoptMessage(err error) string {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "unknown flag "):
		flag := strings.Fields(strings.TrimPrefix(msg, "unknown flag "))[0]
		flag = strings.TrimSuffix(flag, ",")
		if strings.HasPrefix(flag, "--") {
			return fmt.Sprintf("unrecognized option '%s'", flag)
		}
		return fmt.Sprintf("invalid option -- '%s'", strings.TrimPrefix(flag, "-"))
	case strings.HasPrefix(msg, "unexpected flag argument "):
		return "option doesn't allow an argument: " + strings.TrimPrefix(msg, "unexpected flag argument ")
	case strings.Contains(msg, `but got "EOL"`) || strings.Contains(msg, "but got EOL"):
		flag, _, _ := strings.Cut(msg, ":")
		if strings.HasPrefix(flag, "--") {
			return fmt.Sprintf("option '%s' requires an argument", flag)
		}
		return fmt.Sprintf("option requires an argument -- '%s'", strings.TrimPrefix(flag, "-"))
	}
	return msg
}

// allFlags lists the flags of a grammar's model, for the lookups below (a grammar has a few
// dozen: a linear search costs less than building a map at every start).
func allFlags(node *kong.Node) []*kong.Flag {
	var flags []*kong.Flag
	for _, group := range node.AllFlags(false) {
		flags = append(flags, group...)
	}
	return flags
}

// shortFlag is the flag -r, or nil.
func shortFlag(flags []*kong.Flag, r rune) *kong.Flag {
	for _, f := range flags {
		if f.Short == r {
			return f
		}
	}
	return nil
}

// longFlag is the flag --name, or nil.
func longFlag(flags []*kong.Flag, name string) *kong.Flag {
	for _, f := range flags {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// takesValue reports whether f is a flag whose value is the next word when none is attached.
func takesValue(f *kong.Flag) bool {
	return f != nil && !f.IsBool() && !f.IsCounter()
}

// expandAbbreviations gives long options getopt_long's unique-prefix matching (`--pres` for
// `--preserve-credentials`), up to the first non-option argument or "--", and its messages for
// a long option that is unknown, ambiguous, or given a value it does not take. getopt is the
// reference's long options in its table's order (Spec.Getopt).
func expandAbbreviations(flags []*kong.Flag, args []string, getopt []string) ([]string, error) {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		arg := out[i]
		switch {
		case arg == "--" || arg == "-" || !strings.HasPrefix(arg, "-"):
			return out, nil
		case strings.HasPrefix(arg, "--"):
			name, value, hasValue := strings.Cut(arg[2:], "=")
			f, err := matchLong(flags, name, getopt)
			if err != nil {
				return nil, fmt.Errorf("option '%s' %w", arg, err)
			}
			if f == nil {
				return nil, fmt.Errorf("unrecognized option '%s'", arg)
			}
			out[i] = "--" + f.Name
			// a switch or a counter (-v, -vv: getopt's no_argument), not an optional value
			if hasValue && (f.Target.Kind() == reflect.Bool || f.Tag.Type == "counter") {
				return nil, fmt.Errorf("option '--%s' doesn't allow an argument", f.Name)
			}
			if hasValue {
				out[i] += "=" + value
			} else if takesValue(f) {
				if i+1 == len(out) {
					return nil, fmt.Errorf("option '--%s' requires an argument", f.Name)
				}
				var skip int
				out, skip = attachValue(out, i, "", f)
				i += skip // its value is the next word
			}
		default: // a cluster of short options: the first that takes a value ends it
			for j, r := range arg[1:] {
				f := shortFlag(flags, r)
				if f != nil && f.Tag.Get("attached") == "short" {
					break // getopt's "x::": the rest of the cluster is its value
				}
				if !takesValue(f) {
					continue
				}
				if j+2 == len(arg) {
					if i+1 == len(out) {
						return nil, fmt.Errorf("option requires an argument -- '%c'", r)
					}
					var skip int
					out, skip = attachValue(out, i, arg[:1+j], f)
					i += skip
				}
				break
			}
		}
	}
	return out, nil
}

// attachValue makes the word after out[i], the value of flag f, part of f's option when it
// starts with '-' (`--monotonic -10`, `-S -1`): getopt takes the next word as the value whatever
// it is, kong would read it as an option. The option is out[i], or ends the short-option
// cluster out[i] after its prefix (which is "-" when f stands alone). It returns the words and
// how many words after out[i] the option now takes (0 or 1).
func attachValue(out []string, i int, prefix string, f *kong.Flag) ([]string, int) {
	if !strings.HasPrefix(out[i+1], "-") {
		return out, 1
	}
	long := "--" + f.Name + "=" + out[i+1]
	if prefix == "" || prefix == "-" {
		out[i] = long
		return append(out[:i+1], out[i+2:]...), 0
	}
	out[i], out[i+1] = prefix, long
	return out, 1
}

// matchLong finds the long option name abbreviates. Of several, those the reference has
// (getopt) count, in its order: getopt_long's "is ambiguous; possibilities: ..." error.
func matchLong(flags []*kong.Flag, name string, getopt []string) (*kong.Flag, error) {
	var candidates []*kong.Flag
	for _, f := range flags {
		if f.Name == name {
			return f, nil
		}
		if name != "" && strings.HasPrefix(f.Name, name) {
			candidates = append(candidates, f)
		}
	}
	var known []*kong.Flag
	for _, long := range getopt {
		for _, f := range candidates {
			if f.Name == long {
				known = append(known, f)
			}
		}
	}
	if len(known) > 0 {
		candidates = known
	}
	switch len(candidates) {
	case 0:
		return nil, nil
	case 1:
		return candidates[0], nil
	}
	names := make([]string, len(candidates))
	for i, f := range candidates {
		names[i] = "'--" + f.Name + "'"
	}
	return nil, fmt.Errorf("is ambiguous; possibilities: %s", strings.Join(names, " "))
}
