//go:build linux

// Package cli is the flag parsing every nsbox applet shares, and the only package of nsutil that
// imports kong. It owns:
//
//   - parsing under util-linux's conventions (Parse): getopt-style long-option abbreviations,
//     a value taken as the next word whatever it looks like, options that stop at the first
//     non-option, `APPLET: what is wrong` + `Try 'APPLET --help' for more information.` and
//     exit 1 on usage errors;
//   - the flag value types util-linux's options need: OptionalValue (`--net[=FILE]`) and
//     RequiredArg (`-p -1`);
//   - where each option occurred on the command line (Options, Occurrence) and the checks
//     util-linux makes as its single getopt pass meets each option (Checks), so that of several
//     bad options the first given is the one reported;
//   - util-linux-style --help, from the help lines and value names an applet keeps in a table
//     (Spec.Help) rather than in struct tags, which kong would parse and interpolate at every
//     start; --version, one-line error reports (Fail, Message), and the one --color rule
//     (ColorFlag, UseColor);
//   - the kong model of a grammar for what is generated from it (Model, CompleteTag);
//   - the applet an argv runs (AppletOf), for the dispatcher and pidns-init alike.
//
// A grammar's kong model is built in one place, newParser (model.go), for parsing and for what
// is generated from it alike. It writes only to the writers it is given.
package cli
