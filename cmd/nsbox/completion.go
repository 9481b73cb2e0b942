//go:build linux

package main

import (
	"fmt"
	"io"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/tools/complete"
)

// completionShells are the shells `nsbox --completion=SHELL` writes scripts for.
var completionShells = map[string]func(io.Writer, []*complete.Applet) error{
	"bash": complete.Bash,
	"zsh":  complete.Zsh,
	"fish": complete.Fish,
}

// valueSets are the named value sets of the grammars' `complete:"..."` tags.
func valueSets() complete.ValueSets {
	sets := complete.ValueSets{"signals": signalNames()}
	for _, k := range nsutil.Kinds {
		sets["kinds"] = append(sets["kinds"], k.Name)
	}
	addAppletValueSets(sets)
	return sets
}

// signalNames lists the standard signals by name (SIGHUP ... SIGSYS).
func signalNames() []string {
	var names []string
	for sig := unix.Signal(1); sig < 32; sig++ {
		if name := unix.SignalName(sig); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// completionModels builds the completion model of nsbox itself and then of every applet, or
// only of those named (nsbox or applet names).
func completionModels(only []string) ([]*complete.Applet, error) {
	sets := valueSets()
	var out []*complete.Applet
	add := func(name string, spec cli.Spec, grammar any) error {
		if len(only) > 0 && !slices.Contains(only, name) {
			return nil
		}
		a, err := complete.FromGrammar(spec, grammar, sets)
		if err != nil {
			return err
		}
		out = append(out, a)
		return nil
	}
	if err := add("nsbox", nsboxSpec(), &nsboxGrammar{}); err != nil {
		return nil, err
	}
	for _, a := range applets {
		spec, grammar := a.command()
		if err := add(a.name, spec, grammar); err != nil {
			return nil, err
		}
	}
	for _, name := range only {
		if _, ok := findApplet(name); !ok && name != "nsbox" {
			return nil, fmt.Errorf("unknown applet '%s'", name)
		}
	}
	return out, nil
}

// writeCompletion writes the completion script for shell, for all commands or those named.
func writeCompletion(shell string, only []string, stdout, stderr io.Writer) int {
	gen, ok := completionShells[shell]
	if !ok {
		cli.UsageError(stderr, "nsbox", fmt.Sprintf("unsupported shell '%s' for --completion (bash, zsh or fish)", shell))
		return cli.ExitFailure
	}
	models, err := completionModels(only)
	if err == nil {
		err = gen(stdout, models)
	}
	if err != nil {
		return cli.Fail(stderr, "nsbox", err)
	}
	return cli.ExitOK
}
