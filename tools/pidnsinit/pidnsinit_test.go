//go:build linux

package pidnsinit

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// Every -e value that is no exit status (too big for any integer type, negative, not a number,
// empty, junk after the digits, a list) gives the one usage error, worded as for 300, and
// status 1: none reaches kong's own message.
func TestExpectExitInvalid(t *testing.T) {
	values := []string{"300", "256", "99999999999999999999", "18446744073709551616", "-1", "-300",
		"-99999999999999999999", "abc", "", "1x", "0x10", "1,2", " ", "+", "-", "2.5", "1 "}
	for _, value := range values {
		for _, args := range [][]string{{"-e", value, "true"}, {"--expect-exit=" + value, "true"}, {"-e0", "-e", value, "true"}} {
			res := nstest.RunMain(Main, args...)
			want := "pidns-init: invalid exit code: '" + value + "' (0 to 255)\nTry 'pidns-init --help' for more information.\n"
			if res.Code != 1 || res.Stdout != "" || res.Stderr != want {
				t.Errorf("pidns-init %q: got status %d, stdout %q, stderr %q; want 1, \"\", %q", args, res.Code, res.Stdout, res.Stderr, want)
			}
		}
	}
}

func TestParseExitCode(t *testing.T) {
	tests := []struct {
		in      string
		want    uint8
		wantErr bool
	}{
		{"0", 0, false}, {"255", 255, false}, {"143", 143, false}, {"010", 10, false}, {"+5", 5, false},
		{" 7", 7, false}, {"-0", 0, false}, {"256", 0, true}, {"-1", 0, true}, {"99999999999999999999", 0, true},
		{"abc", 0, true}, {"", 0, true}, {"1x", 0, true}, {"0x10", 0, true},
	}
	for _, tc := range tests {
		got, err := parseExitCode(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseExitCode(%q) = %d, %v; want %d, error=%v", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err != nil {
			if want := "invalid exit code: '" + tc.in + "' (0 to 255)"; err.Error() != want {
				t.Errorf("parseExitCode(%q): got error %q, want %q", tc.in, err, want)
			}
		}
	}
}

func TestParseRewrite(t *testing.T) {
	tests := []struct {
		in       string
		from, to unix.Signal
		wantErr  bool
	}{
		{"TERM:QUIT", unix.SIGTERM, unix.SIGQUIT, false}, {"15:3", unix.SIGTERM, unix.SIGQUIT, false},
		{"SIGHUP:0", unix.SIGHUP, 0, false}, {"RTMIN+1:USR1", 35, unix.SIGUSR1, false}, {"TTIN:TTIN", unix.SIGTTIN, unix.SIGTTIN, false},
		{"URG:URG", unix.SIGURG, unix.SIGURG, false}, {"PROF:0", unix.SIGPROF, 0, false}, {"32:33", 32, 33, false},
		{"TERM", 0, 0, true}, {"KILL:TERM", 0, 0, true}, {"STOP:TERM", 0, 0, true}, {"CHLD:TERM", 0, 0, true},
		{"TERM:NOPE", 0, 0, true}, {"", 0, 0, true}, {":", 0, 0, true}, {"TERM:", 0, 0, true}, {"0:TERM", 0, 0, true},
		{"TERM:QUIT:INT", 0, 0, true},
	}
	for _, tc := range tests {
		from, to, err := parseRewrite(tc.in)
		if (err != nil) != tc.wantErr || from != tc.from || to != tc.to {
			t.Errorf("parseRewrite(%q) = %d, %d, %v; want %d, %d, error=%v", tc.in, from, to, err, tc.from, tc.to, tc.wantErr)
		}
	}
}

func TestTiniVerbosity(t *testing.T) {
	tests := []struct {
		value string
		set   bool
		want  int
	}{{"", false, 0}, {"1", true, 0}, {"3", true, 2}, {"0", true, -1}, {"2x", true, 1}, {"x", true, -1}}
	for _, tc := range tests {
		if tc.set {
			t.Setenv("TINI_VERBOSITY", tc.value)
		} else {
			t.Setenv("TINI_VERBOSITY", "")
			unsetenv(t, "TINI_VERBOSITY")
		}
		if got := tiniVerbosity(); got != tc.want {
			t.Errorf("TINI_VERBOSITY=%q (set %v): got %d levels above the default, want %d", tc.value, tc.set, got, tc.want)
		}
	}
}

// FuzzParseRewrite: -r S:R never panics, and what it accepts names a catchable S and an R that
// is a signal or 0.
func FuzzParseRewrite(f *testing.F) {
	for _, s := range []string{"15:0", "TERM:INT", "SIGUSR1:SIGUSR2", "RTMIN+3:1", ":", "9:0", "15", "15:", "x:y", "1:2:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		from, to, err := parseRewrite(spec)
		if err != nil {
			return
		}
		if from <= 0 || from > 64 || to < 0 || to > 64 || from == unix.SIGKILL || from == unix.SIGSTOP || from == unix.SIGCHLD {
			t.Fatalf("parseRewrite(%q) = %d, %d", spec, from, to)
		}
	})
}
