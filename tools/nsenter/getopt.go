package nsenter

import (
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
// occurrence, with its value as given (see optValue).
type optionalArg struct {
	nsutil.OptionalValue
	given []occurrence
}

// Decode implements kong.MapperValue.
func (o *optionalArg) Decode(ctx *kong.DecodeContext) error {
	if err := o.OptionalValue.Decode(ctx); err != nil {
		return err
	}
	o.given = append(o.given, occurrence{pos: ctx.Scan.Len(), value: o.Value, hasValue: o.HasValue})
	return nil
}

// seq is the occurrence's place on the command line for cli.FirstFailure: pos counts the
// tokens left after it, so the earlier an option, the smaller its seq.
func (o occurrence) seq() int64 { return -int64(o.pos) }
