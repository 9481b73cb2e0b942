//go:build linux

package nsutil

import (
	"testing"
	"time"
)

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
