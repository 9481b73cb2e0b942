//go:build linux

package nsutil

import "testing"

func TestKernelVersion(t *testing.T) {
	tests := []struct {
		release      string
		major, minor int
		ok           bool
	}{
		{"6.18.0-1-amd64", 6, 18, true},
		{"5.8", 5, 8, true},
		{"5.10.0+", 5, 10, true},
		{"4.19.0-rc1", 4, 19, true},
		{"garbage", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tc := range tests {
		major, minor, ok := kernelVersion(tc.release)
		if ok != tc.ok || ok && (major != tc.major || minor != tc.minor) {
			t.Errorf("kernelVersion(%q) = %d, %d, %v; want %d, %d, %v", tc.release, major, minor, ok, tc.major, tc.minor, tc.ok)
		}
	}
}
