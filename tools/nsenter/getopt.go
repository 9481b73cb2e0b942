package nsenter

import (
	"sort"

	"github.com/alecthomas/kong"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/tools/cli"
)

// occurrence is one appearance of an option on the command line. util-linux checks (and opens
// the files of) every occurrence where it appears, so `-t abc -t 42` and `--net=/bad
// --net=FILE` fail, though the last one counts when all are good.
type occurrence struct {
	pos      int // command-line tokens left after the option: larger is earlier
	value    string
	hasValue bool
}

// requiredArg is cli.RequiredArg (the next word, whatever it looks like: `-t -5` is the PID
// "-5", which nsenter then rejects by name; Set tells `-S ""` from no -S) that also lists
// every occurrence.
type requiredArg struct {
	cli.RequiredArg
	given []occurrence
}

// Decode implements kong.MapperValue.
func (a *requiredArg) Decode(ctx *kong.DecodeContext) error {
	if err := a.RequiredArg.Decode(ctx); err != nil {
		return err
	}
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
