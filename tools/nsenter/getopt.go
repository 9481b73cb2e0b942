package nsenter

import (
	"fmt"
	"sort"

	"github.com/alecthomas/kong"
	"github.com/nsbox/nsbox/nsutil"
)

// occurrence is one appearance of an option on the command line. util-linux checks (and opens
// the files of) every occurrence where it appears, so `-t abc -t 42` and `--net=/bad
// --net=FILE` fail, though the last one counts when all are good.
type occurrence struct {
	pos      int // command-line tokens left after the option: larger is earlier
	value    string
	hasValue bool
}

// requiredArg is an option's value taken the way getopt takes a required argument: the next
// word, whatever it looks like (`-t -5` is the PID "-5", which nsenter then rejects by name),
// where kong would refuse a word that starts with '-'. Set tells an empty value (`-S ""`) from
// no -S; given lists every occurrence.
type requiredArg struct {
	Value string
	Set   bool
	given []occurrence
}

// Decode implements kong.MapperValue.
func (a *requiredArg) Decode(ctx *kong.DecodeContext) error {
	t := ctx.Scan.Pop()
	if t.Type == kong.EOLToken {
		return fmt.Errorf("%s: missing value", ctx.Value.Name)
	}
	a.Value, a.Set = fmt.Sprint(t.Value), true
	a.given = append(a.given, occurrence{pos: ctx.Scan.Len(), value: a.Value, hasValue: true})
	return nil
}

// optionalArg is nsutil.OptionalValue (`--net`, `--net=FILE`, `-nFILE`) that also lists every
// occurrence.
type optionalArg struct {
	nsutil.OptionalValue
	given []occurrence
}

// Decode implements kong.MapperValue.
func (o *optionalArg) Decode(ctx *kong.DecodeContext) error {
	if err := o.OptionalValue.Decode(ctx); err != nil {
		return err
	}
	o.given = append(o.given, occurrence{pos: ctx.Scan.Len(), value: optValue(o.OptionalValue), hasValue: o.HasValue})
	return nil
}

// optionAction is what util-linux does when it meets an occurrence of an option.
type optionAction struct {
	pos int
	run func() error
}

// runInCommandLineOrder runs the actions in the order their options were given.
func runInCommandLineOrder(actions []optionAction) error {
	sort.SliceStable(actions, func(i, j int) bool { return actions[i].pos > actions[j].pos })
	for _, a := range actions {
		if err := a.run(); err != nil {
			return err
		}
	}
	return nil
}
