//go:build linux

package nsutil

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in   string
		want unix.Signal // 0: an error
	}{
		{"TERM", unix.SIGTERM}, {"SIGTERM", unix.SIGTERM}, {"term", unix.SIGTERM}, {"sigkill", unix.SIGKILL},
		{"15", unix.SIGTERM}, {"9", unix.SIGKILL}, {"64", 64}, {"HUP", unix.SIGHUP}, {"USR1", unix.SIGUSR1},
		{"CHLD", unix.SIGCHLD}, {"CLD", unix.SIGCHLD}, {"IOT", unix.SIGABRT}, {"WINCH", unix.SIGWINCH},
		{"RTMIN", 34}, {"RTMIN+3", 37}, {"SIGRTMIN+30", 64}, {"RTMAX", 64}, {"RTMAX-2", 62}, {"rtmax-30", 34},
		{"", 0}, {"0", 0}, {"65", 0}, {"-1", 0}, {"+9", 0}, {"NOSUCHSIG", 0}, {"SIG", 0}, {"SIGSIGTERM", 0},
		{"RTMIN+31", 0}, {"RTMIN-1", 0}, {"RTMAX+1", 0}, {"RTMIN+", 0}, {"RT", 0}, {"RTMIN+1x", 0}, {" TERM", 0},
	}
	for _, tc := range tests {
		got, err := ParseSignal(tc.in)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseSignal(%q) = %d, want an error", tc.in, got)
			} else if want := "unknown signal: " + tc.in; err.Error() != want {
				t.Errorf("ParseSignal(%q) error = %q, want %q", tc.in, err, want)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestSignalName(t *testing.T) {
	tests := []struct {
		sig  unix.Signal
		want string
	}{
		{unix.SIGTERM, "SIGTERM"}, {unix.SIGKILL, "SIGKILL"}, {34, "SIGRTMIN"}, {37, "SIGRTMIN+3"}, {64, "SIGRTMAX"}, {32, "32"},
	}
	for _, tc := range tests {
		if got := SignalName(tc.sig); got != tc.want {
			t.Errorf("SignalName(%d) = %q, want %q", tc.sig, got, tc.want)
		}
	}
}

// Every signal's name parses back to it.
func TestSignalNameRoundTrip(t *testing.T) {
	for sig := unix.Signal(1); sig <= 64; sig++ {
		name := SignalName(sig)
		if sig == 32 || sig == 33 {
			continue // glibc's private real-time signals have no name
		}
		if got, err := ParseSignal(name); err != nil || got != sig {
			t.Errorf("ParseSignal(SignalName(%d) = %q) = %d, %v", sig, name, got, err)
		}
	}
}

func FuzzParseSignal(f *testing.F) {
	for _, s := range []string{"TERM", "SIGRTMIN+3", "15", "RTMAX-0", "sigCHLD", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := ParseSignal(s)
		if err != nil {
			return
		}
		if sig < 1 || sig > 64 {
			t.Fatalf("ParseSignal(%q) = %d, out of range", s, sig)
		}
		if back, err := ParseSignal(SignalName(sig)); err != nil && sig != 32 && sig != 33 || err == nil && back != sig {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, sig, SignalName(sig), back, err)
		}
	})
}
