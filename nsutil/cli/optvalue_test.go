//go:build linux

package cli

import (
	"testing"

	"github.com/alecthomas/kong"
)

type optGrammar struct {
	Net    OptionalValue `short:"n"`
	UTS    OptionalValue `short:"u" name:"uts"`
	IPC    OptionalValue `short:"i"`
	Mount  OptionalValue `short:"m" attached:"short"`
	Target int           `short:"t"`
	Cmd    []string      `arg:"" optional:"" passthrough:"partial"`
}

func parseOpt(t *testing.T, args ...string) (optGrammar, error) {
	t.Helper()
	var g optGrammar
	p, err := kong.New(&g, kong.Exit(func(int) { t.Fatal("kong tried to exit") }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Parse(args)
	return g, err
}

func TestOptionalValue(t *testing.T) {
	tests := []struct {
		args               []string
		net, uts, ipc, mnt OptionalValue
		cmd                []string
	}{
		{args: []string{"--net"}, net: OptionalValue{Set: true}},
		{args: []string{"--net=/run/netns/x"}, net: OptionalValue{Set: true, Value: "/run/netns/x", HasValue: true}},
		{args: []string{"--net="}, net: OptionalValue{Set: true, HasValue: true}},
		{args: []string{"-nui"}, net: OptionalValue{Set: true}, uts: OptionalValue{Set: true}, ipc: OptionalValue{Set: true}},
		{args: []string{"-n", "ls", "-l"}, net: OptionalValue{Set: true}, cmd: []string{"ls", "-l"}},
		{args: []string{"--net", "/x"}, net: OptionalValue{Set: true}, cmd: []string{"/x"}},
		{args: []string{"-m/proc/1/ns/mnt", "-n"}, mnt: OptionalValue{Set: true, Value: "/proc/1/ns/mnt", HasValue: true}, net: OptionalValue{Set: true}},
		{args: []string{"-nm"}, net: OptionalValue{Set: true}, mnt: OptionalValue{Set: true}},
		{args: []string{"-mn"}, mnt: OptionalValue{Set: true, Value: "n", HasValue: true}},
		{args: []string{"--net=a", "--net"}, net: OptionalValue{Set: true}},
	}
	for _, tc := range tests {
		g, err := parseOpt(t, tc.args...)
		if err != nil {
			t.Errorf("parse %q: %v", tc.args, err)
			continue
		}
		if g.Net != tc.net || g.UTS != tc.uts || g.IPC != tc.ipc || g.Mount != tc.mnt {
			t.Errorf("parse %q = net %+v uts %+v ipc %+v mnt %+v; want %+v %+v %+v %+v", tc.args, g.Net, g.UTS, g.IPC, g.Mount, tc.net, tc.uts, tc.ipc, tc.mnt)
		}
		if len(g.Cmd) != len(tc.cmd) {
			t.Errorf("parse %q: cmd = %q, want %q", tc.args, g.Cmd, tc.cmd)
		}
	}
}

func FuzzOptionalValue(f *testing.F) {
	for _, s := range []string{"-nui", "--net=x", "-m/x", "--net", "-n=", "--=", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		var g optGrammar
		p, err := kong.New(&g, kong.Exit(func(int) {}), kong.Writers(nopWriter{}, nopWriter{}))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = p.Parse([]string{arg})
		if g.Net.Value != "" && !g.Net.HasValue {
			t.Fatalf("%q: value without HasValue", arg)
		}
	})
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
