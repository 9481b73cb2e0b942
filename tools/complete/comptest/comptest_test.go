//go:build linux

package comptest

import (
	"slices"
	"testing"
)

func TestBashWords(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"nsenter --pres", []string{"nsenter", "--pres"}},
		{"nsenter --net=", []string{"nsenter", "--net", "="}},
		{"nsenter --net=/run ", []string{"nsenter", "--net", "=", "/run", ""}},
		{"nsenter -t 1:2", []string{"nsenter", "-t", "1", ":", "2"}},
	}
	for _, tt := range tests {
		if got := bashWords(tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("bashWords(%q): got %q, want %q", tt.line, got, tt.want)
		}
	}
}
