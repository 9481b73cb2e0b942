//go:build linux

package nsutil

import (
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
	"golang.org/x/sys/unix"
)

func TestParseUint64C(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		err  error
	}{
		{"0", 0, nil}, {"00012", 12, nil}, {" \t+7", 7, nil}, {"-0", 0, nil},
		{"18446744073709551615", math.MaxUint64, nil},
		{"18446744073709551616", 0, unix.ERANGE}, {"-1", 0, unix.ERANGE}, {" -1x", 0, unix.ERANGE},
		{"", 0, unix.EINVAL}, {" ", 0, unix.EINVAL}, {"+", 0, unix.EINVAL}, {"-", 0, unix.EINVAL},
		{"5 ", 0, unix.EINVAL}, {"1e3", 0, unix.EINVAL}, {"0x10", 0, unix.EINVAL}, {"+-1", 0, unix.EINVAL},
	}
	for _, tc := range tests {
		got, err := ParseUint64C(tc.in)
		if got != tc.want || err != tc.err {
			t.Errorf("ParseUint64C(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseInt32C(t *testing.T) {
	tests := []struct {
		in   string
		want int32
		err  error
	}{
		{"3", 3, nil}, {" +3", 3, nil}, {"-2", -2, nil}, {"-2147483648", math.MinInt32, nil},
		{"2147483647", math.MaxInt32, nil}, {"2147483648", 0, unix.ERANGE},
		{"-2147483649", 0, unix.ERANGE}, {"99999999999999999999x", 0, unix.ERANGE},
		{"", 0, unix.EINVAL}, {"abc", 0, unix.EINVAL}, {"- 3", 0, unix.EINVAL}, {"+-3", 0, unix.EINVAL}, {"3x", 0, unix.EINVAL},
	}
	for _, tc := range tests {
		got, err := ParseInt32C(tc.in)
		if got != tc.want || err != tc.err {
			t.Errorf("ParseInt32C(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseTargetSpec(t *testing.T) {
	tests := []struct {
		in   string
		want TargetSpec
		ok   bool
	}{
		{"42", TargetSpec{PID: 42}, true},
		{" +42", TargetSpec{PID: 42}, true},
		{"42:7", TargetSpec{PID: 42, PidfdInode: 7}, true},
		{"42:+7", TargetSpec{PID: 42, PidfdInode: 7}, true},
		{"42:99999999999999999999", TargetSpec{PID: 42, PidfdInode: math.MaxUint64}, true},
		{"2147483647", TargetSpec{PID: math.MaxInt32}, true},
		{"0", TargetSpec{}, false}, {"-5", TargetSpec{}, false}, {"2147483648", TargetSpec{}, false},
		{"abc", TargetSpec{}, false}, {"", TargetSpec{}, false}, {"42 ", TargetSpec{}, false},
		{"42:", TargetSpec{}, false}, {"42:0", TargetSpec{}, false}, {"42:-1", TargetSpec{}, false},
		{"42:abc", TargetSpec{}, false}, {"42:7 ", TargetSpec{}, false}, {":7", TargetSpec{}, false},
	}
	for _, tc := range tests {
		got, err := ParseTargetSpec(tc.in)
		if got != tc.want || (err == nil) != tc.ok || err != nil && !errors.Is(err, errInvalidPID) {
			t.Errorf("ParseTargetSpec(%q) = %+v, %v; want %+v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestOpenTargetSpec opens this process by PID:INODE: its pidfd's inode gives a target held by
// a pidfd; another inode is ESRCH, a *PidfdError naming the PID.
func TestOpenTargetSpec(t *testing.T) {
	fd, err := unix.PidfdOpen(os.Getpid(), 0)
	if err != nil {
		nstest.Skip(t, "no pidfd_open: "+err.Error())
	}
	inode, err := PidfdInode(fd)
	unix.Close(fd)
	if err != nil {
		nstest.Skip(t, "pidfds are not pidfs files: "+err.Error())
	}
	target, err := OpenTargetSpec(TargetSpec{PID: os.Getpid(), PidfdInode: inode})
	if err != nil || target.PidFD < 0 || !target.Alive() {
		t.Fatalf("OpenTargetSpec(self:%d) = %+v, %v; want a live target with a pidfd", inode, target, err)
	}
	target.Close()
	_, err = OpenTargetSpec(TargetSpec{PID: os.Getpid(), PidfdInode: inode + 1})
	var pe *PidfdError
	if !errors.As(err, &pe) || pe.PID != os.Getpid() || !errors.Is(err, unix.ESRCH) {
		t.Errorf("OpenTargetSpec(self:%d) = %v; want ESRCH in a *PidfdError", inode+1, err)
	}
}

// FuzzParseTargetSpec: an accepted PID[:INODE] has a PID in 1..2^31-1 and, with ':', a
// non-zero inode; a plain decimal is read as strconv reads it.
func FuzzParseTargetSpec(f *testing.F) {
	for _, s := range []string{"42", "42:7", " +42:+7", "0", "42:", "42:0", "2147483648", "42:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseTargetSpec(s)
		if err == nil && (spec.PID < 1 || spec.PID > math.MaxInt32 || strings.Contains(s, ":") != (spec.PidfdInode != 0)) {
			t.Fatalf("ParseTargetSpec(%q) = %+v", s, spec)
		}
		if want, serr := strconv.ParseUint(s, 10, 64); serr == nil {
			if got, err := ParseUint64C(s); err != nil || got != want {
				t.Fatalf("ParseUint64C(%q) = %d, %v; want %d", s, got, err, want)
			}
		}
	})
}
