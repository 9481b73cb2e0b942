//go:build linux

package nsutil

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Real-time signal bounds as the C library sees them (glibc keeps 32 and 33 for itself), which
// is what util-linux's RTMIN/RTMAX names mean.
const (
	sigRTMin = 34
	sigRTMax = 64
)

// signalAliases are the old names util-linux's signal table also accepts.
var signalAliases = map[string]unix.Signal{"IOT": unix.SIGABRT, "CLD": unix.SIGCHLD, "POLL": unix.SIGIO}

// ParseSignal parses a signal as util-linux's kill and unshare --kill-child do: a name with or
// without the SIG prefix, in any case ("TERM", "SIGTERM", "term"), RTMIN, RTMIN+N, RTMAX,
// RTMAX-N, or a number from 1 to 64. The error reads "unknown signal: S".
func ParseSignal(s string) (unix.Signal, error) {
	bad := fmt.Errorf("unknown signal: %s", s)
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > sigRTMax || strings.HasPrefix(s, "+") {
			return 0, bad
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	name = strings.TrimPrefix(name, "SIG")
	if strings.HasPrefix(name, "RT") {
		if sig, ok := parseRealtime(name[2:]); ok {
			return sig, nil
		}
		return 0, bad
	}
	if sig, ok := signalAliases[name]; ok {
		return sig, nil
	}
	if name == "" || strings.HasPrefix(name, "SIG") {
		return 0, bad
	}
	if sig := unix.SignalNum("SIG" + name); sig != 0 {
		return sig, nil
	}
	return 0, bad
}

// parseRealtime parses what follows "RT": "MIN", "MIN+N", "MAX", "MAX-N".
func parseRealtime(s string) (unix.Signal, bool) {
	base, sign := 0, 0
	switch {
	case strings.HasPrefix(s, "MIN"):
		base, sign = sigRTMin, 1
	case strings.HasPrefix(s, "MAX"):
		base, sign = sigRTMax, -1
	default:
		return 0, false
	}
	rest := s[3:]
	if rest == "" {
		return unix.Signal(base), true
	}
	if (sign > 0 && rest[0] != '+') || (sign < 0 && rest[0] != '-') {
		return 0, false
	}
	digits := rest[1:]
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" || len(digits) > 2 {
		return 0, false
	}
	n, _ := strconv.Atoi(digits)
	sig := base + sign*n
	if sig < sigRTMin || sig > sigRTMax {
		return 0, false
	}
	return unix.Signal(sig), true
}

// SignalName names sig as ParseSignal reads it back: "SIGTERM", "SIGRTMIN+3", "SIGRTMAX", or
// the number for a signal with no name.
func SignalName(sig unix.Signal) string {
	switch {
	case sig == sigRTMin:
		return "SIGRTMIN"
	case sig == sigRTMax:
		return "SIGRTMAX"
	case sig > sigRTMin && sig < sigRTMax:
		return fmt.Sprintf("SIGRTMIN+%d", int(sig)-sigRTMin)
	}
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return strconv.Itoa(int(sig))
}
