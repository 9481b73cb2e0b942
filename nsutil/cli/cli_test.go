//go:build linux

package cli

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

type testGrammar struct {
	Help     HelpFlag      `short:"h" help:"display this help"`
	Version  VersionFlag   `short:"V" help:"display version"`
	Preserve bool          `name:"preserve-credentials" help:"keep credentials"`
	Pid      OptionalValue `short:"p" optvalue:"file" help:"pid namespace"`
	Net      OptionalValue `short:"n" optvalue:"file" attached:"short" help:"net namespace"`
	Prop     string        `name:"propagation" enum:"private,shared,slave,unchanged" default:"private" help:"propagation"`
	Target   int           `short:"t" name:"target" help:"target pid"`
	Offset   string        `short:"o" name:"offset" help:"an offset, maybe negative"`
	Program  []string      `arg:"" optional:"" passthrough:"partial"`
}

func parse(args ...string) (g testGrammar, code int, done bool, stdout, stderr string) {
	var out, errb bytes.Buffer
	_, code, done = Parse(Spec{Name: "tool", Synopsis: "[options] [program]", Stdout: &out, Stderr: &errb}, &g, args)
	return g, code, done, out.String(), errb.String()
}

func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		code    int
		done    bool
		stderr  string
		program []string
		check   func(testGrammar) bool
	}{
		{args: []string{"--pres", "ls"}, program: []string{"ls"}, check: func(g testGrammar) bool { return g.Preserve }},
		{args: []string{"--prop=slave"}, check: func(g testGrammar) bool { return g.Prop == "slave" }},
		{args: []string{"--prop", "shared", "x"}, program: []string{"x"}, check: func(g testGrammar) bool { return g.Prop == "shared" }},
		{args: []string{"-t", "42", "ls", "-l", "--pres"}, program: []string{"ls", "-l", "--pres"}, check: func(g testGrammar) bool { return g.Target == 42 && !g.Preserve }},
		{args: []string{"-t42", "-p"}, check: func(g testGrammar) bool { return g.Target == 42 && g.Pid.Set }},
		{args: []string{"--", "-weird"}, program: []string{"-weird"}},
		{args: []string{"-n/run/netns/test", "ls"}, program: []string{"ls"}, check: func(g testGrammar) bool { return g.Net.Value == "/run/netns/test" }},
		{args: []string{"--p"}, code: 1, done: true, stderr: "tool: option '--p' is ambiguous; possibilities: '--preserve-credentials' '--pid' '--propagation'\nTry 'tool --help' for more information.\n"},
		{args: []string{"--p=x"}, code: 1, done: true, stderr: "tool: option '--p=x' is ambiguous; possibilities: '--preserve-credentials' '--pid' '--propagation'\nTry 'tool --help' for more information.\n"},
		{args: []string{"--pres=x"}, code: 1, done: true, stderr: "tool: option '--preserve-credentials' doesn't allow an argument\nTry 'tool --help' for more information.\n"},
		{args: []string{"--bogus=x"}, code: 1, done: true, stderr: "tool: unrecognized option '--bogus=x'\nTry 'tool --help' for more information.\n"},
		{args: []string{"--bogus"}, code: 1, done: true, stderr: "tool: unrecognized option '--bogus'\nTry 'tool --help' for more information.\n"},
		{args: []string{"-x"}, code: 1, done: true, stderr: "tool: invalid option -- 'x'\nTry 'tool --help' for more information.\n"},
		{args: []string{"--propagation", "sideways"}, code: 1, done: true},
		{args: []string{"-t"}, code: 1, done: true, stderr: "tool: option requires an argument -- 't'\nTry 'tool --help' for more information.\n"},
		{args: []string{"--target"}, code: 1, done: true, stderr: "tool: option '--target' requires an argument\nTry 'tool --help' for more information.\n"},
		// getopt takes the next word as a value even when it starts with '-'.
		{args: []string{"--offset", "-10", "ls"}, program: []string{"ls"}, check: func(g testGrammar) bool { return g.Offset == "-10" }},
		{args: []string{"--off", "-", "ls"}, program: []string{"ls"}, check: func(g testGrammar) bool { return g.Offset == "-" }},
		{args: []string{"-o", "-1", "-t", "-2"}, check: func(g testGrammar) bool { return g.Offset == "-1" && g.Target == -2 }},
		{args: []string{"-po", "--pres"}, check: func(g testGrammar) bool { return g.Pid.Set && g.Offset == "--pres" && !g.Preserve }},
		{args: []string{"--help"}, code: 0, done: true},
		{args: []string{"-V"}, code: 0, done: true},
	}
	for _, tc := range tests {
		g, code, done, _, stderr := parse(tc.args...)
		if code != tc.code || done != tc.done {
			t.Errorf("%q: code %d done %v, want %d %v (stderr %q)", tc.args, code, done, tc.code, tc.done, stderr)
		}
		if tc.stderr != "" && stderr != tc.stderr {
			t.Errorf("%q: stderr %q, want %q", tc.args, stderr, tc.stderr)
		}
		if tc.code == 1 && !strings.HasSuffix(stderr, "Try 'tool --help' for more information.\n") {
			t.Errorf("%q: stderr %q lacks the Try line", tc.args, stderr)
		}
		if !done && fmt.Sprint(g.Program) != fmt.Sprint(tc.program) && !(len(g.Program) == 0 && len(tc.program) == 0) {
			t.Errorf("%q: program %q, want %q", tc.args, g.Program, tc.program)
		}
		if tc.check != nil && !done && !tc.check(g) {
			t.Errorf("%q: parsed %+v", tc.args, g)
		}
	}
}

func TestHelpAndVersionText(t *testing.T) {
	_, _, _, out, _ := parse("--help")
	for _, want := range []string{"Usage: tool [options] [program]\n", " -p, --pid[=<file>]", "     --propagation private|shared|slave|unchanged", " -t, --target <int>"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
	if _, _, _, out, _ := parse("--version"); out != "tool from nsbox "+Version+"\n" {
		t.Errorf("--version = %q", out)
	}
}

// TestSpecHelp: a Spec's help table reaches --help and the model; a line for a name the grammar
// lacks is a grammar error.
func TestSpecHelp(t *testing.T) {
	var g testGrammar
	var out bytes.Buffer
	help := []OptionHelp{{Name: "target", PlaceHolder: "pid", Help: "the target from the table"}, {Name: "program", Help: "what to run"}}
	spec := Spec{Name: "tool", Synopsis: "[options]", Stdout: &out, Help: help}
	if _, code, done := Parse(spec, &g, []string{"--help"}); code != 0 || !done {
		t.Fatalf("--help: got %d %v, want 0 true", code, done)
	}
	if want := regexp.MustCompile(`(?m)^ -t, --target <pid> +the target from the table$`); !want.MatchString(out.String()) {
		t.Errorf("--help lacks a line matching %s:\n%s", want, out.String())
	}
	model, err := Model(spec, &testGrammar{})
	if err != nil {
		t.Fatal(err)
	}
	if got := model.Node.Positional[0].Help; got != "what to run" {
		t.Errorf("model's program help: got %q, want %q", got, "what to run")
	}
	for _, bad := range []OptionHelp{{Name: "no-such-option", Help: "x"}, {Name: "program", PlaceHolder: "x"}} {
		spec.Help = append(help[:2:2], bad)
		if _, err := Model(spec, &testGrammar{}); err == nil || !strings.Contains(err.Error(), `"`+bad.Name+`"`) {
			t.Errorf("help table with %+v: got %v, want an error naming %s", bad, err, bad.Name)
		}
	}
}

func TestMessage(t *testing.T) {
	err := &os.PathError{Op: "cannot open", Path: "/proc/999999/ns/net", Err: syscall.ESRCH}
	if got, want := Message(err), "cannot open /proc/999999/ns/net: No such process"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("target: %w", os.NewSyscallError("setns", syscall.EPERM))
	if got, want := Message(wrapped), "target: setns: Operation not permitted"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	// A kernel-limit hint after the errno's text.
	hinted := fmt.Errorf("failed to obtain a valid file descriptor for PID 42: %w (pidfs needs Linux 6.9 or newer)", syscall.ENOTSUP)
	if got, want := Message(hinted), "failed to obtain a valid file descriptor for PID 42: Operation not supported (pidfs needs Linux 6.9 or newer)"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
}

// TestGetoptOrder checks Spec.Getopt: an ambiguous abbreviation lists the reference's options in
// its table's order, and one that fits a single reference option means it, though nsbox's own
// options fit too.
func TestGetoptOrder(t *testing.T) {
	tests := []struct {
		args   []string
		stderr string
		check  func(testGrammar) bool
	}{
		{args: []string{"--p"}, stderr: "tool: option '--p' is ambiguous; possibilities: '--propagation' '--pid'\nTry 'tool --help' for more information.\n"},
		{args: []string{"--pr=slave"}, check: func(g testGrammar) bool { return g.Prop == "slave" }},
	}
	for _, tc := range tests {
		var g testGrammar
		var out, errb bytes.Buffer
		_, _, done := Parse(Spec{Name: "tool", Stdout: &out, Stderr: &errb, Getopt: []string{"propagation", "pid"}}, &g, tc.args)
		if errb.String() != tc.stderr || (tc.check != nil && (done || !tc.check(g))) {
			t.Errorf("%q: stderr %q, grammar %+v; want stderr %q", tc.args, errb.String(), g, tc.stderr)
		}
	}
}

func TestAppletOf(t *testing.T) {
	tests := []struct {
		argv []string
		name string
		args []string
	}{
		{[]string{"/usr/local/bin/unshare", "-n"}, "unshare", []string{"-n"}},
		{[]string{"nsbox", "pidns-init", "--", "ls"}, "pidns-init", []string{"--", "ls"}},
		{[]string{"./bin/nsbox-static", "lsns"}, "lsns", []string{}},
		{[]string{"nsbox", "--list"}, "nsbox", []string{"--list"}},
		{[]string{"nsbox"}, "nsbox", []string{}},
		{[]string{"pidns-init", "nsbox"}, "pidns-init", []string{"nsbox"}},
		{nil, "", nil},
	}
	for _, tc := range tests {
		name, args := AppletOf(tc.argv)
		if name != tc.name || fmt.Sprint(args) != fmt.Sprint(tc.args) {
			t.Errorf("AppletOf(%q) = %q %q, want %q %q", tc.argv, name, args, tc.name, tc.args)
		}
	}
}
