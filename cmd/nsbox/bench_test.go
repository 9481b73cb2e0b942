//go:build linux

package main

import (
	"io"
	"testing"

	"github.com/nsbox/nsbox/nsutil/cli"
)

// benchCommandLines are the command lines scripts/bench times, by applet.
var benchCommandLines = map[string][]string{
	"unshare":    {"-nui", "/bin/true"},
	"nsenter":    {"-t", "1", "-n", "-u", "-i", "/bin/true"},
	"lsns":       {"-t", "net"},
	"pidns-init": {"/bin/true"},
}

// BenchmarkCommandLine is what each applet's command line costs before the applet does
// anything, a large part of its start-up (issue 17): APPLET/model builds the kong model of its
// grammar (cli.Model), APPLET/parse builds it and parses the command line scripts/bench times,
// as the applet's Main does. Allocations are reported, so that a regression shows.
func BenchmarkCommandLine(b *testing.B) {
	for _, a := range applets {
		b.Run(a.name+"/model", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cli.Model(a.command()); err != nil {
					b.Fatal(err)
				}
			}
		})
		args := benchCommandLines[a.name]
		b.Run(a.name+"/parse", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, code, done := cli.ParseCommand(a.command, args, io.Discard, io.Discard); done {
					b.Fatalf("%s %q: exit %d", a.name, args, code)
				}
			}
		})
	}
}
