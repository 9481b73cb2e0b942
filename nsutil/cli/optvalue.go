//go:build linux

package cli

import (
	"fmt"
	"strings"

	"github.com/alecthomas/kong"
)

// OptionalValue is the kong value type for util-linux's optional-argument flags such as
// `--net` / `--net=FILE` or `--kill-child` / `--kill-child=SIGNAL`. Given alone it is a boolean
// and short forms bundle (`-nui`). A value is taken only when attached: `--net=FILE`, and, for
// fields tagged `attached:"short"`, getopt's `-nFILE` (the rest of a short-option cluster is the
// value, as with util-linux nsenter's `n::`). A separate word is never the value: `--net FILE`
// leaves FILE as the program to run, exactly as getopt does. A field tagged
// `choices:"auto,always,never" invalid:"unsupported color mode"` takes only those values, in
// any case (ColorFlag's `--color[=when]`); another attached value fails as invalidChoiceTag says.
type OptionalValue struct {
	Set   bool   // the flag was given
	Value string // the attached value, "" when none
	// HasValue reports whether a value was attached (it may be empty: `--net=`).
	HasValue bool
}

// IsBool makes kong treat the flag as a switch that takes no separate argument.
func (o *OptionalValue) IsBool() bool { return true }

// Decode implements kong.MapperValue.
func (o *OptionalValue) Decode(ctx *kong.DecodeContext) error {
	o.Set, o.Value, o.HasValue = true, "", false
	next := ctx.Scan.Peek()
	switch {
	case next.Type == kong.FlagValueToken:
		ctx.Scan.Pop()
		o.Value, o.HasValue = next.String(), true
	case next.Type == kong.ShortFlagTailToken && ctx.Value != nil && ctx.Value.Tag.Get("attached") == "short":
		ctx.Scan.Pop()
		o.Value, o.HasValue = next.String(), true
	}
	if ctx.Value == nil || !o.HasValue {
		return nil
	}
	return checkChoice(ctx.Value, o.Value)
}

// ChoicesTag is the struct tag that lists an OptionalValue's values, comma-separated. Shell
// completions offer them as they offer an enum's.
const ChoicesTag = "choices"

// invalidChoiceTag, beside ChoicesTag, is the words util-linux fails with for a value not
// among the choices (`invalid:"unsupported color mode"`, lib/colors.c's colormode_or_err): the
// line is `NAME: WORDS: 'VALUE'`, with no usage hint, and status 1. Choices match in any case,
// as util-linux's strcasecmp does.
const invalidChoiceTag = "invalid"

// choiceError is an attached value that is not among the flag's choices; its message is the
// whole error line.
type choiceError struct{ msg string }

func (e *choiceError) Error() string { return e.msg }

// checkChoice reports value's not being one of the choices tag of v, if it has one.
func checkChoice(v *kong.Value, value string) error {
	if v.Tag.Get(ChoicesTag) == "" {
		return nil
	}
	if _, ok := choose(v.Tag, value); ok {
		return nil
	}
	return &choiceError{fmt.Sprintf("%s: '%s'", v.Tag.Get(invalidChoiceTag), value)}
}

// choose returns the choice of tag's choices that value names, in any case.
func choose(tag *kong.Tag, value string) (string, bool) {
	for _, c := range strings.Split(tag.Get(ChoicesTag), ",") {
		if value != "" && strings.EqualFold(c, value) {
			return c, true
		}
	}
	return "", false
}

// String shows the flag as it was given, for help defaults and traces.
func (o OptionalValue) String() string {
	if o.HasValue {
		return "=" + o.Value
	}
	return ""
}
