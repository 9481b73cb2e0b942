//go:build linux

package nsutil

// WithMessage sets the message printed when the last step fails (`PROG: MSG: strerror`), for an
// applet whose util-linux counterpart words that failure differently from the builder's default
// (unshare's "setuid() failed" where nsenter's is "setuid failed").
func (p *Plan) WithMessage(msg string) *Plan {
	if len(p.steps) > 0 {
		p.steps[len(p.steps)-1].errmsg = msg
	}
	return p
}
