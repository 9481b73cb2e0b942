//go:build linux

package nsutil

// WithMessage replaces the failure message of the last step (printed as `PROG: MESSAGE:
// strerror`), for an applet whose reference words it differently from the step's default:
// unshare's `cannot change directory to DIR` for a Chdir.
func (p *Plan) WithMessage(errmsg string) *Plan {
	if len(p.steps) > 0 {
		p.steps[len(p.steps)-1].errmsg = errmsg
	}
	return p
}
