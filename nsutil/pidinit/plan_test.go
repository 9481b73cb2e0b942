//go:build linux && cgo

package pidinit

import (
	"slices"
	"testing"
)

// The C stage's rule for which process is pidns-init, and the names it reads, which the Go
// dispatcher uses too.
func TestIsInit(t *testing.T) {
	tests := []struct {
		argv0, argv1 string
		want         bool
	}{
		{"pidns-init", "", true}, {"/sbin/pidns-init", "true", true}, {"/usr/libexec/docker/docker-init", "--", true},
		{"podman-init", "", true}, {"/usr/bin/tini", "", true},
		{"/usr/bin/nsbox", "pidns-init", true}, {"nsbox-static", "pidns-init", true},
		{"nsbox", "tini", true}, {"nsbox-static", "docker-init", true},
		{"nsbox", "unshare", false}, {"nsbox", "", false}, {"nsbox", "--list", false}, {"nsbox", "-pidns-init", false}, {"unshare", "pidns-init", false},
		{"catatonit", "", false}, {"pidns-init-old", "", false}, {"tini-static", "", false}, {"", "", false},
	}
	for _, tc := range tests {
		if got := IsInit(tc.argv0, tc.argv1); got != tc.want {
			t.Errorf("IsInit(%q, %q) = %v, want %v", tc.argv0, tc.argv1, got, tc.want)
		}
	}
	if got, want := Names(), []string{"pidns-init", "docker-init", "podman-init", "tini"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
}

// A test process is no init's parser: Send refuses, and no plan fd is open.
func TestSendOutsideTheInit(t *testing.T) {
	if Active() {
		t.Fatal("Active() in a test binary, want false")
	}
	if err := Send(&Plan{}); err != ErrNoInit {
		t.Errorf("Send: got %v, want ErrNoInit", err)
	}
}
