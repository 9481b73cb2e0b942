package cli

import (
	"errors"
	"testing"
)

func TestFirstFailure(t *testing.T) {
	var ran []string
	check := func(name string, fail bool) func() error {
		return func() error {
			ran = append(ran, name)
			if fail {
				return errors.New(name)
			}
			return nil
		}
	}
	tests := []struct {
		checks  []OrderedCheck
		wantErr string
		wantRan string
	}{
		{[]OrderedCheck{{3, check("c", true)}, {1, check("a", false)}, {2, check("b", true)}}, "b", "ab"},
		{[]OrderedCheck{{2, check("x", false)}, {2, check("y", true)}, {1, check("w", false)}}, "y", "wxy"},
		{[]OrderedCheck{{-5, check("early", false)}, {-1, check("late", false)}}, "", "earlylate"},
		{nil, "", ""},
	}
	for _, tc := range tests {
		ran = nil
		err := FirstFailure(tc.checks)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		got := ""
		for _, r := range ran {
			got += r
		}
		if gotErr != tc.wantErr || got != tc.wantRan {
			t.Errorf("FirstFailure: error %q after %q, want %q after %q", gotErr, got, tc.wantErr, tc.wantRan)
		}
	}
}
