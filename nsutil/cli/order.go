package cli

import (
	"cmp"
	"slices"
)

// OrderedCheck is what util-linux does with one option value as getopt hands it over: Check
// runs at the value's place on the command line, Seq (larger is later).
type OrderedCheck struct {
	Seq   int64
	Check func() error
}

// FirstFailure runs the checks in command-line order (checks of the same place in the order
// given) and returns the first error: the one util-linux's single pass over the options
// reports, where working option by option would find another first.
func FirstFailure(checks []OrderedCheck) error {
	slices.SortStableFunc(checks, func(a, b OrderedCheck) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, c := range checks {
		if err := c.Check(); err != nil {
			return err
		}
	}
	return nil
}
