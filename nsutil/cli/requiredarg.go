//go:build linux

package cli

import (
	"fmt"

	"github.com/alecthomas/kong"
)

// RequiredArg is an option's value taken the way getopt takes a required argument: the next
// word, whatever it looks like (`lsns -p -1` is the PID "-1", which the applet then rejects with
// util-linux's message), where kong would refuse a word that starts with '-'.
type RequiredArg struct {
	Value string
	Set   bool // given, perhaps empty (`-p ''`)
}

// Decode implements kong.MapperValue.
func (a *RequiredArg) Decode(ctx *kong.DecodeContext) error {
	t := ctx.Scan.Pop()
	if t.Type == kong.EOLToken {
		return fmt.Errorf("%s: missing value", ctx.Value.Name)
	}
	a.Value, a.Set = fmt.Sprint(t.Value), true
	return nil
}

// String is the value, for help defaults and traces.
func (a RequiredArg) String() string { return a.Value }
