//go:build linux

package cli

import (
	"fmt"
	"io"
	"reflect"

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
	parser, err := kong.New(grammar, opts...)
	if err != nil {
		return nil, err
	}
	return parser, setHelp(parser.Model.Node, spec.Help)
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

// setHelp puts the help lines and placeholders of a Spec's table, and those of the flags this
// package gives every applet, into the model, after kong has interpolated the model's strings
// (these are plain text).
func setHelp(node *kong.Node, help []OptionHelp) error {
	values := make(map[string]*kong.Value, len(node.Flags)+len(node.Positional))
	for _, f := range node.Flags {
		values[f.Name] = f.Value
		switch f.Target.Type() {
		case reflect.TypeFor[HelpFlag]():
			applyHelp(f.Value, OptionHelp{Help: "display this help"})
		case reflect.TypeFor[VersionFlag]():
			applyHelp(f.Value, OptionHelp{Help: "display version"})
		}
	}
	for _, p := range node.Positional {
		values[p.Name] = p
	}
	if f := colorFlag(node.Flags); f != nil {
		applyHelp(f.Value, colorHelp)
	}
	for _, h := range help {
		v, ok := values[h.Name]
		switch {
		case !ok:
			return fmt.Errorf("help for %q, which is neither an option nor an argument", h.Name)
		case h.PlaceHolder != "" && v.Flag == nil:
			return fmt.Errorf("a placeholder for %q, which is not an option", h.Name)
		}
		applyHelp(v, h)
	}
	return nil
}

func applyHelp(v *kong.Value, h OptionHelp) {
	if h.PlaceHolder != "" {
		v.Flag.PlaceHolder = h.PlaceHolder
	}
	v.Help, v.OrigHelp = h.Help, h.Help
}
