//go:build linux

package main

import (
	"testing"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/cli"
)

// TestNamespaceOptionsFollowKinds: unshare and nsenter find their namespace options by
// nsutil.Kinds' long names, so each kind must have its option, spelled as util-linux spells it.
func TestNamespaceOptionsFollowKinds(t *testing.T) {
	for _, name := range []string{"unshare", "nsenter"} {
		a, _ := findApplet(name)
		model, err := cli.Model(a.command())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		short := map[string]rune{}
		for _, group := range model.Node.AllFlags(false) {
			for _, f := range group {
				short[f.Name] = f.Short
			}
		}
		for _, k := range nsutil.Kinds {
			if s, ok := short[k.Long]; !ok || s != rune(k.Letter) {
				t.Errorf("%s: kind %s wants option -%c, --%s; got short %q (found %v)", name, k.Name, k.Letter, k.Long, s, ok)
			}
		}
	}
}

// TestEveryOptionHasHelp: each option of every command has a --help line (applets keep them in
// their Spec's help table, apart from the struct tags, where a missing line would not show).
func TestEveryOptionHasHelp(t *testing.T) {
	for _, c := range pageCommands() { // nsbox itself and every applet
		model, err := cli.Model(c.command())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, group := range model.Node.AllFlags(false) {
			for _, f := range group {
				if f.Help == "" {
					t.Errorf("%s --%s has no help line", c.name, f.Name)
				}
			}
		}
	}
}
