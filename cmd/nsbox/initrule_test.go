//go:build linux && cgo

package main

import (
	"testing"

	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/pidinit"
)

// The C stage decides that a process is pidns-init before Go runs (pidinit.IsInit); the
// dispatcher decides with cli.AppletOf and the aliases. The two agree on every argv.
func TestInitRuleIsTheDispatchers(t *testing.T) {
	argvs := [][]string{
		{"pidns-init"}, {"/sbin/pidns-init", "--", "true"}, {"docker-init", "--"}, {"/run/podman-init"},
		{"tini", "-s"}, {"tini-static"}, {"catatonit"}, {"unshare", "pidns-init"},
		{"nsbox", "pidns-init"}, {"/usr/bin/nsbox", "tini", "true"}, {"nsbox-static", "podman-init"},
		{"nsbox"}, {"nsbox", "--list"}, {"nsbox", "-h"}, {"nsbox", "--", "pidns-init"}, {"nsbox", "lsns"},
		{"nsbox", "nsbox"}, {"nsbox", "/sbin/pidns-init"}, {"nsbox", ""},
	}
	for _, argv := range argvs {
		name, _ := cli.AppletOf(argv)
		a, ok := findApplet(name)
		want := ok && a.name == "pidns-init"
		argv1 := ""
		if len(argv) > 1 {
			argv1 = argv[1]
		}
		if got := pidinit.IsInit(argv[0], argv1); got != want {
			t.Errorf("%q: the C stage's IsInit = %v, the dispatcher runs pidns-init: %v", argv, got, want)
		}
	}
}
