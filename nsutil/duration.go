//go:build linux

package nsutil

import (
	"fmt"
	"strconv"
	"time"
)

// ParseDuration parses a duration as the command line takes it: a plain number of seconds
// ("10", "0.5") or a Go duration ("1.5s", "500ms", "2m"). It must not be negative.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("invalid duration: '%s'", s)
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || secs != secs || secs > float64(1<<62)/float64(time.Second) {
			return 0, bad
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 || s == "" || s[0] == '+' || s[0] == '-' && d == 0 {
		return 0, bad
	}
	return d, nil
}
