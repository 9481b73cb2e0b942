//go:build linux

package nsutil

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestForwardable(t *testing.T) {
	tests := []struct {
		sig  unix.Signal
		want bool
	}{
		{unix.SIGHUP, true}, {unix.SIGINT, true}, {unix.SIGTERM, true}, {unix.SIGUSR1, true}, {unix.SIGTSTP, true},
		{unix.SIGSEGV, true}, {unix.SIGWINCH, true}, {35, true}, {64, true},
		{0, false}, {unix.SIGKILL, false}, {unix.SIGSTOP, false}, {unix.SIGCHLD, false}, {unix.SIGURG, false},
		{unix.SIGPROF, false}, {32, false}, {33, false}, {65, false},
	}
	for _, tc := range tests {
		if got := Forwardable(tc.sig); got != tc.want {
			t.Errorf("Forwardable(%d) = %v, want %v", tc.sig, got, tc.want)
		}
	}
}

func TestSignalSet(t *testing.T) {
	set, err := ParseSignalSet("0000000001001206\n")
	if err != nil {
		t.Fatal(err)
	}
	for sig := unix.Signal(1); sig <= 64; sig++ {
		want := sig == unix.SIGINT || sig == unix.SIGQUIT || sig == unix.SIGUSR1 || sig == unix.SIGPIPE || sig == unix.SIGXFSZ
		if got := set.Has(sig); got != want {
			t.Errorf("set 0x1001206 Has(%d) = %v, want %v", sig, got, want)
		}
	}
	if got, want := SignalSet(0).Add(64).Add(1).Add(0).Add(65), SignalSet(1<<63|1); got != want {
		t.Errorf("Add: got %#x, want %#x", got, want)
	}
	if _, err := ParseSignalSet("xyz"); err == nil {
		t.Errorf("ParseSignalSet(xyz): got no error, want one")
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"10", 10 * time.Second, false}, {"0.5", 500 * time.Millisecond, false}, {"1.5s", 1500 * time.Millisecond, false},
		{"500ms", 500 * time.Millisecond, false}, {"2m", 2 * time.Minute, false}, {"0", 0, false},
		{"", 0, true}, {"-1", 0, true}, {"-1s", 0, true}, {"+1s", 0, true}, {"x", 0, true}, {"NaN", 0, true},
		{"Inf", 0, true}, {"1e300", 0, true}, {"-0", 0, true}, {"5 s", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseDuration(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error=%v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"10", "0.5", "1h2m", "-1", "NaN", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err == nil && d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, d)
		}
	})
}

// Descendants finds a grandchild through its parent, and nothing of the rest of the system.
func TestDescendants(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 600 & echo $!; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	var grandchild int
	if _, err := fmt.Fscan(out, &grandchild); err != nil {
		t.Fatal(err)
	}
	defer unix.Kill(grandchild, unix.SIGKILL)
	got, err := Descendants(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, cmd.Process.Pid) || !slices.Contains(got, grandchild) {
		t.Errorf("Descendants(self) = %v, want it to hold %d and %d", got, cmd.Process.Pid, grandchild)
	}
	if slices.Contains(got, os.Getpid()) || slices.Contains(got, os.Getppid()) {
		t.Errorf("Descendants(self) = %v, holds self or parent", got)
	}
}
