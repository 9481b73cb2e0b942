//go:build linux

package cli

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"

	"github.com/alecthomas/kong"
)

// Occurrence is one appearance of an option on the command line, as getopt hands it over.
type Occurrence struct {
	Name     string // the option's long name
	Pos      int    // its place among the options given: 0 is the first
	Value    string // its value as given, "" when none
	HasValue bool   // a value was given (an OptionalValue's may be absent; it may be empty)
}

// Options is every option occurrence of a command line that parsed, in the order given.
// util-linux checks (and acts on) each occurrence where it appears, so `-t abc -t 42` fails
// although the last -t counts when all are good; the grammar's fields keep only what kong keeps
// (the last value, or all of a slice), Options keeps every occurrence with its place.
type Options struct {
	list []Occurrence
}

// of lists the occurrences of the option with long name name, earliest first.
func (o *Options) of(name string) []Occurrence {
	var out []Occurrence
	for _, oc := range o.list {
		if oc.Name == name {
			out = append(out, oc)
		}
	}
	return out
}

// Last is the last occurrence of the option with long name name, the one that counts, if it was
// given.
func (o *Options) Last(name string) (Occurrence, bool) {
	for i := len(o.list) - 1; i >= 0; i-- {
		if o.list[i].Name == name {
			return o.list[i], true
		}
	}
	return Occurrence{}, false
}

// Given reports whether the option with long name name was given.
func (o *Options) Given(name string) bool {
	return slices.ContainsFunc(o.list, func(oc Occurrence) bool { return oc.Name == name })
}

// Checks are what util-linux does as its single getopt pass meets each option: checks (and the
// parsing of values, done once, into what the applet keeps) registered per option, run in
// command-line order, so that of several bad options the first given is the one reported.
type Checks struct {
	opts *Options
	list []check
}

type check struct {
	pos       int
	exclusive bool // a pair's conflict comes before the option's own checks
	run       func() error
}

// Checks starts an empty set of checks over the occurrences o.
func (o *Options) Checks() *Checks { return &Checks{opts: o} }

// Each registers fn for every occurrence of the option with long name name, at its place.
func (c *Checks) Each(name string, fn func(Occurrence) error) {
	for _, oc := range c.opts.of(name) {
		c.list = append(c.list, check{pos: oc.Pos, run: func() error { return fn(oc) }})
	}
}

// Exclusive registers util-linux's check of two options that exclude each other: when both are
// given, "options --A and --B cannot be combined" (A the one given first) fails where the second
// is first given, before that option's own checks.
func (c *Checks) Exclusive(a, b string) {
	as, bs := c.opts.of(a), c.opts.of(b)
	if len(as) == 0 || len(bs) == 0 {
		return
	}
	first, second := as[0], bs[0]
	if second.Pos < first.Pos {
		first, second = second, first
	}
	err := fmt.Errorf("options --%s and --%s cannot be combined", first.Name, second.Name)
	c.list = append(c.list, check{pos: second.Pos, exclusive: true, run: func() error { return err }})
}

// Run runs the checks in command-line order (those of one occurrence in the order registered,
// a conflict first) and returns the first error.
func (c *Checks) Run() error {
	slices.SortStableFunc(c.list, func(a, b check) int {
		if a.pos != b.pos {
			return cmp.Compare(a.pos, b.pos)
		}
		switch {
		case a.exclusive == b.exclusive:
			return 0
		case a.exclusive:
			return -1
		}
		return 1
	})
	for _, ch := range c.list {
		if err := ch.run(); err != nil {
			return err
		}
	}
	return nil
}

// recordOccurrences makes each of a model's flags add each occurrence kong parses to opts.
func recordOccurrences(flags []*kong.Flag, opts *Options) {
	for _, f := range flags {
		f.Value.Mapper = &recorder{inner: f.Value.Mapper, flag: f, opts: opts}
	}
}

// recorder is a flag's kong mapper that also records each occurrence.
type recorder struct {
	inner kong.Mapper
	flag  *kong.Flag
	opts  *Options
}

// Decode implements kong.Mapper.
func (r *recorder) Decode(ctx *kong.DecodeContext, target reflect.Value) error {
	if err := r.inner.Decode(ctx, target); err != nil {
		return err
	}
	if target.CanAddr() && r.flag.Target.CanAddr() && target.Addr().Pointer() == r.flag.Target.Addr().Pointer() {
		return nil // a default applied to the grammar's field, not an occurrence
	}
	oc := Occurrence{Name: r.flag.Name, Pos: len(r.opts.list)}
	if !r.flag.IsCounter() {
		oc.Value, oc.HasValue = occurrenceValue(target)
	}
	r.opts.list = append(r.opts.list, oc)
	return nil
}

// IsBoolFromValue implements kong.BoolMapperExt, as the mapper it wraps says.
func (r *recorder) IsBoolFromValue(v reflect.Value) bool {
	if m, ok := r.inner.(kong.BoolMapperExt); ok && m.IsBoolFromValue(v) {
		return true
	}
	m, ok := r.inner.(kong.BoolMapper)
	return ok && m.IsBool()
}

// occurrenceValue is the value one occurrence decoded into target: an OptionalValue's or
// RequiredArg's, a slice's last element, or the value itself; none for a switch.
func occurrenceValue(target reflect.Value) (string, bool) {
	if target.CanAddr() {
		switch v := target.Addr().Interface().(type) {
		case *OptionalValue:
			return v.Value, v.HasValue
		case *RequiredArg:
			return v.Value, true
		}
	}
	switch target.Kind() {
	case reflect.Bool:
		return "", false
	case reflect.Pointer:
		if target.IsNil() {
			return "", false
		}
		return occurrenceValue(target.Elem())
	case reflect.Slice:
		if n := target.Len(); n > 0 {
			return fmt.Sprint(target.Index(n - 1).Interface()), true
		}
		return "", false
	}
	return fmt.Sprint(target.Interface()), true
}
