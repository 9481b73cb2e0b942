//go:build linux

package cli

import (
	"io"

	"github.com/alecthomas/kong"
)

// newParser builds the kong parser for an applet the same way for parsing and for what is
// generated from the grammar, so both see one model.
func newParser(spec Spec, grammar any) (*kong.Kong, error) {
	opts := append([]kong.Option{
		kong.Name(spec.Name),
		kong.Description(spec.Description),
		kong.Writers(spec.Stdout, spec.Stderr),
		kong.Exit(func(code int) { panic(exitRequest{code}) }),
		kong.Help(helpPrinter(spec)),
		kong.NoDefaultHelp(),
	}, spec.Options...)
	return kong.New(grammar, opts...)
}

// withWriters is spec with io.Discard for a writer it lacks: the package writes only to the
// writers it is given.
func withWriters(spec Spec) Spec {
	if spec.Stdout == nil {
		spec.Stdout = io.Discard
	}
	if spec.Stderr == nil {
		spec.Stderr = io.Discard
	}
	return spec
}

// Model is the kong model of an applet's grammar, as Parse sees it, for generators and checks
// that read the grammar (shell completions, the man page test). It parses nothing.
func Model(spec Spec, grammar any) (*kong.Application, error) {
	parser, err := newParser(withWriters(spec), grammar)
	if err != nil {
		return nil, err
	}
	return parser.Model, nil
}
