//go:build linux

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type occurrenceGrammar struct {
	Help    HelpFlag      `short:"h" help:"display this help"`
	Net     OptionalValue `short:"n" optvalue:"file" attached:"short" help:"net"`
	Target  RequiredArg   `short:"t" help:"target"`
	Setuid  string        `short:"S" help:"uid"`
	Fork    bool          `short:"f" help:"fork"`
	Verbose int           `short:"v" type:"counter" help:"more"`
	Maps    []string      `name:"map" sep:"none" help:"map"`
	Ptr     *string       `name:"ptr" help:"pointer"`
	ColorFlag
	Program []string `arg:"" optional:"" passthrough:"partial"`
}

func occurrences(t *testing.T, args ...string) *Options {
	t.Helper()
	var out, errb bytes.Buffer
	opts, _, done := Parse(Spec{Name: "tool", Stdout: &out, Stderr: &errb}, &occurrenceGrammar{}, args)
	if done {
		t.Fatalf("%q: %s", args, errb.String())
	}
	return opts
}

func TestOccurrences(t *testing.T) {
	tests := []struct {
		args []string
		want string // name[=value] of each occurrence, in order
	}{
		{[]string{"-n", "-t", "-1", "--net=x", "-fvv", "-nFILE", "ls", "-f"}, "net target=-1 net=x fork verbose verbose net=FILE"},
		{[]string{"-S", "", "--map", "a,b", "--map=c", "--ptr", "p", "-t7"}, "setuid= map=a,b map=c ptr=p target=7"},
		{[]string{"--net=", "-S", "-5"}, "net= setuid=-5"},
		{[]string{"ls"}, ""}, // --color's default is no occurrence
		{[]string{"--color=never", "--ne"}, "color=never net"},
	}
	for _, tc := range tests {
		opts := occurrences(t, tc.args...)
		var got []string
		for i, oc := range opts.list {
			if oc.Pos != i {
				t.Errorf("%q: occurrence %d has Pos %d", tc.args, i, oc.Pos)
			}
			s := oc.Name
			if oc.HasValue {
				s += "=" + oc.Value
			}
			got = append(got, s)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%q: got occurrences %q, want %q", tc.args, g, tc.want)
		}
	}
	opts := occurrences(t, "-t", "1", "-f", "-t", "2")
	if ts := opts.of("target"); len(ts) != 2 || ts[0].Value != "1" || ts[1].Value != "2" || ts[1].Pos != 2 {
		t.Errorf("Of(target) = %+v, want 1 at 0 and 2 at 2", ts)
	}
	if last, ok := opts.Last("target"); !ok || last.Value != "2" || last.Pos != 2 {
		t.Errorf("Last(target) = %+v, %v; want 2 at 2", last, ok)
	}
	if _, ok := opts.Last("net"); ok {
		t.Errorf("Last(net) found an occurrence of an option not given")
	}
	if !opts.Given("fork") || opts.Given("net") {
		t.Errorf("Given: fork %v net %v, want true false", opts.Given("fork"), opts.Given("net"))
	}
}

func TestChecksRunInCommandLineOrder(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
		wantRan string
	}{
		// The first bad option given is reported, whatever the order checks were registered in.
		{[]string{"-S", "bad", "-t", "bad"}, "setuid bad", "S"},
		{[]string{"-t", "bad", "-S", "bad"}, "target bad", "t"},
		{[]string{"-t", "1", "-S", "2", "-t", "bad"}, "target bad", "tSt"},
		// A conflict fails where the second option of the pair is first given, before its checks.
		{[]string{"-f", "--ptr", "x", "-S", "bad"}, "options --fork and --ptr cannot be combined", ""},
		{[]string{"--ptr", "x", "-t", "1", "-f", "-S", "bad"}, "options --ptr and --fork cannot be combined", "t"},
		{[]string{"-S", "1", "-t", "1"}, "", "St"},
	}
	for _, tc := range tests {
		opts := occurrences(t, tc.args...)
		var ran string
		checks := opts.Checks()
		checks.Each("target", func(oc Occurrence) error {
			ran += "t"
			if oc.Value == "bad" {
				return errors.New("target bad")
			}
			return nil
		})
		checks.Exclusive("fork", "ptr")
		checks.Each("setuid", func(oc Occurrence) error {
			ran += "S"
			if oc.Value == "bad" {
				return fmt.Errorf("setuid %s", oc.Value)
			}
			return nil
		})
		err := checks.Run()
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tc.wantErr || ran != tc.wantRan {
			t.Errorf("%q: error %q after %q, want %q after %q", tc.args, gotErr, ran, tc.wantErr, tc.wantRan)
		}
	}
}

// A counter (-v, -vv) takes no value, as getopt's no_argument options: --verbose=N is getopt's
// error, not kong's "expected a counter".
func TestCounterTakesNoArgument(t *testing.T) {
	for _, args := range [][]string{{"--verbose=abc"}, {"--verbose=3"}, {"--verb=1", "ls"}} {
		var out, errb bytes.Buffer
		_, code, done := Parse(Spec{Name: "tool", Stdout: &out, Stderr: &errb}, &occurrenceGrammar{}, args)
		want := "tool: option '--verbose' doesn't allow an argument\nTry 'tool --help' for more information.\n"
		if !done || code != ExitFailure || errb.String() != want {
			t.Errorf("%q: done %v, status %d, stderr %q; want status %d and %q", args, done, code, errb.String(), ExitFailure, want)
		}
	}
	if opts := occurrences(t, "-vv", "--verbose"); len(opts.of("verbose")) != 3 {
		t.Errorf("-vv --verbose: %d occurrences of verbose, want 3", len(opts.of("verbose")))
	}
}
