//go:build linux

package nsenter

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nsbox/nsbox/nsutil/discover"
)

// ambiguousError is a --container query that matches several containers.
type ambiguousError struct {
	query   string
	matches []discover.ContainerMatch
}

func (e *ambiguousError) Error() string {
	return fmt.Sprintf("container '%s' is ambiguous: %d containers match", e.query, len(e.matches))
}

// containerInit is --container: the init (lowest PID) of the one container whose ID starts with
// query (at least four characters) or whose name is query.
func containerInit(query string) (int, error) {
	if query == "" {
		return 0, errors.New("--container: a container ID prefix or name is needed")
	}
	matches, err := discover.FindContainers(query)
	if err != nil {
		return 0, fmt.Errorf("--container: %w", err)
	}
	if len(matches) > 1 {
		return 0, &ambiguousError{query: query, matches: matches}
	}
	return matches[0].InitPID, nil
}

// describeContainer is one candidate line: "docker:3f2a1b4c5d6e name (init PID 4242)".
func describeContainer(m discover.ContainerMatch) string {
	parts := []string{m.Short()}
	if m.Name != "" {
		parts = append(parts, m.Name)
	}
	parts = append(parts, fmt.Sprintf("(init PID %d)", m.InitPID))
	return strings.Join(parts, " ")
}
