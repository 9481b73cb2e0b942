package unshare

import (
	"fmt"

	"github.com/alecthomas/kong"
	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
)

// orderedOptional is an optional-value option (--kill-child[=SIGNAL]) that remembers when it
// was given.
type orderedOptional struct {
	cli.OptionalValue
	Seq int64
}

// Decode implements kong.MapperValue.
func (o *orderedOptional) Decode(ctx *kong.DecodeContext) error {
	if err := o.OptionalValue.Decode(ctx); err != nil {
		return err
	}
	o.Seq = order.Add(1)
	return nil
}

// firstBadValue checks the option values that util-linux checks while it reads the command line
// and returns the error of the first bad one in command-line order, as getopt's single pass
// reports it (resolve, which works option by option, would find another one first).
func firstBadValue(g *grammar, euid uint32) error {
	var checks []cli.OrderedCheck
	add := func(seq int64, check func() error) { checks = append(checks, cli.OrderedCheck{Seq: seq, Check: check}) }
	for _, a := range g.Setgroups.each() {
		add(a.Seq, func() error { _, err := parseSetgroups(a.Value); return err })
	}
	for _, a := range g.Propagation.each() {
		add(a.Seq, func() error { _, err := parsePropagation(a.Value); return err })
	}
	if g.KillChild.HasValue {
		add(g.KillChild.Seq, func() error { _, err := nsutil.ParseSignal(g.KillChild.Value); return err })
	}
	for _, a := range g.Setuid.each() {
		add(a.Seq, func() error { _, err := parseNumericID(a, "failed to parse uid"); return err })
	}
	for _, a := range g.Setgid.each() {
		add(a.Seq, func() error { _, err := parseNumericID(a, "failed to parse gid"); return err })
	}
	for _, a := range g.Monotonic.each() {
		add(a.Seq, func() error { _, err := parseOffset(a, "monotonic"); return err })
	}
	for _, a := range g.Boottime.each() {
		add(a.Seq, func() error { _, err := parseOffset(a, "boottime"); return err })
	}
	for _, a := range g.Owner.each() {
		add(a.Seq, func() error { _, _, err := parseOwner(a.Value); return err })
	}
	for _, a := range g.MapUser.each() {
		add(a.Seq, func() error { _, err := lookupID(a.Value, true); return err })
	}
	for _, a := range g.MapGroup.each() {
		add(a.Seq, func() error { _, err := lookupID(a.Value, false); return err })
	}
	users := func(spec string) func() error {
		return func() error {
			_, err := idRanges([]string{spec}, "/etc/subuid", "/proc/self/uid_map", euid)
			return err
		}
	}
	groups := func(spec string) func() error {
		return func() error {
			_, err := idRanges([]string{spec}, "/etc/subgid", "/proc/self/gid_map", euid)
			return err
		}
	}
	for i, spec := range g.MapUsers.Values {
		add(g.MapUsers.Seqs[i], users(spec))
	}
	for i, spec := range g.MapGroups.Values {
		add(g.MapGroups.Seqs[i], groups(spec))
	}
	both := func(spec string) func() error {
		return func() error {
			if err := users(spec)(); err != nil {
				return err
			}
			return groups(spec)()
		}
	}
	for _, seq := range g.MapAuto.Seqs {
		add(seq, both("auto"))
	}
	for _, seq := range g.MapSubids.Seqs {
		add(seq, both("subids"))
	}
	return cli.FirstFailure(checks)
}

// parseSetgroups reads --setgroups's value.
func parseSetgroups(s string) (string, error) {
	if s != "allow" && s != "deny" {
		return "", fmt.Errorf("unsupported --setgroups argument '%s'", s)
	}
	return s, nil
}

// parsePropagation reads --propagation's value as mount flags for "/".
func parsePropagation(s string) (uintptr, error) {
	prop, ok := propagations[s]
	if !ok {
		return 0, fmt.Errorf("unsupported propagation mode: %s", s)
	}
	return prop, nil
}
