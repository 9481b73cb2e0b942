package nsenter

import (
	"fmt"

	"github.com/alecthomas/kong"
)

// requiredArg is an option's value taken the way getopt takes a required argument: the next
// word, whatever it looks like (`-t -5` is the PID "-5", which nsenter then rejects by name),
// where kong would refuse a word that starts with '-'. Set tells an empty value (`-S ""`) from no -S.
type requiredArg struct {
	Value string
	Set   bool
}

// Decode implements kong.MapperValue.
func (a *requiredArg) Decode(ctx *kong.DecodeContext) error {
	t := ctx.Scan.Pop()
	if t.Type == kong.EOLToken {
		return fmt.Errorf("%s: missing value", ctx.Value.Name)
	}
	*a = requiredArg{Value: fmt.Sprint(t.Value), Set: true}
	return nil
}
