//go:build linux

package nsutil

import "fmt"

// Steps beyond plan.go's builders that need no new executor operation.

// ExecPath is Exec of the file path (no PATH search) with argv, whose argv[0] may differ from
// path: a login shell is run as "/bin/bash" with argv[0] "-bash".
func (p *Plan) ExecPath(path string, argv []string, env []string) *Plan {
	p.Exec(argv, env)
	s := &p.steps[len(p.steps)-1]
	s.s1 = path
	s.trace = fmt.Sprintf("execve(%q, %s)", path, quoteArgv(argv))
	s.errmsg = "failed to execute " + path
	return p
}

// MarkOptional makes the last step's failure not an error: the plan goes on (util-linux's
// "ignore EINVAL" cases).
func (p *Plan) MarkOptional() *Plan {
	if len(p.steps) > 0 {
		p.steps[len(p.steps)-1].flags |= flagOptional
	}
	return p
}
