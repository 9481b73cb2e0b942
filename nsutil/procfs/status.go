//go:build linux

package procfs

import (
	"os"
	"strings"
)

// ReadStatus reads /proc/PID/status (pid 0: /proc/self/status) as its "Key:\tvalue" lines, the
// values without surrounding blanks ("SigIgn" -> "0000000000000006").
func ReadStatus(pid int) (map[string]string, error) {
	data, err := os.ReadFile(path(pid, "status"))
	if err != nil {
		return nil, err
	}
	return parseStatus(string(data)), nil
}

func parseStatus(text string) map[string]string {
	fields := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if key, value, ok := strings.Cut(line, ":"); ok {
			fields[key] = strings.TrimSpace(value)
		}
	}
	return fields
}
