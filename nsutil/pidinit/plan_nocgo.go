//go:build linux && !cgo

package pidinit

// Active: without cgo there is no C init.
func Active() bool { return false }

// Names are the names that make the binary pidns-init; without cgo only its own.
func Names() []string { return []string{"pidns-init"} }

// Send fails: without cgo there is no C init to hand the plan to.
func Send(p *Plan) error { return ErrNoInit }

// Aliases: without cgo no other name runs pidns-init.
func Aliases() map[string]string { return nil }
