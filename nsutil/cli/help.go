//go:build linux

package cli

import (
	"fmt"
	"strings"

	"github.com/alecthomas/kong"
)

// helpPrinter prints util-linux's help layout:
//
//	Usage: NAME SYNOPSIS
//
//	DESCRIPTION
//
//	Options:
//	 -n, --net[=<file>]        unshare network namespace
//
// A flag whose value is optional (OptionalValue) names it with the tag
// `optvalue:"file"` and shows as `--net[=<file>]`; enum flags list their choices.
func helpPrinter(spec Spec) kong.HelpPrinter {
	return func(_ kong.HelpOptions, ctx *kong.Context) error {
		w := ctx.Stdout
		fmt.Fprintf(w, "Usage: %s %s\n", spec.Name, spec.Synopsis)
		if spec.Description != "" {
			fmt.Fprintf(w, "\n%s\n", spec.Description)
		}
		var rows [][2]string
		width := 0
		for _, group := range ctx.Model.Node.AllFlags(true) {
			for _, f := range group {
				left := flagSynopsis(f)
				rows = append(rows, [2]string{left, f.Help})
				width = max(width, len(left))
			}
		}
		fmt.Fprintf(w, "\nOptions:\n")
		for _, r := range rows {
			fmt.Fprintf(w, " %-*s  %s\n", width, r[0], r[1])
		}
		fmt.Fprintf(w, "\nFor more details see %s(%s).\n", spec.Name, manSection(spec.Name))
		return nil
	}
}

// flagSynopsis is how a flag is spelled in help and man pages: "-n, --net[=<file>]",
// "-t, --target <pid>", "--propagation slave|shared|private|unchanged".
func flagSynopsis(f *kong.Flag) string {
	var b strings.Builder
	if f.Short != 0 {
		fmt.Fprintf(&b, "-%c, ", f.Short)
	} else {
		b.WriteString("    ")
	}
	b.WriteString("--" + f.Name)
	switch {
	case f.Tag.Get("optvalue") != "":
		fmt.Fprintf(&b, "[=<%s>]", f.Tag.Get("optvalue"))
	case f.IsBool() || f.IsCounter():
	case f.Enum != "":
		b.WriteString(" " + strings.ReplaceAll(f.Enum, ",", "|"))
	default:
		ph := f.PlaceHolder
		if ph == "" {
			ph = strings.ToLower(f.FormatPlaceHolder())
		}
		fmt.Fprintf(&b, " <%s>", ph)
	}
	return b.String()
}

func manSection(name string) string {
	switch name {
	case "lsns", "pidns-init":
		return "8"
	}
	return "1"
}
