// Package nsutil is the core every nsbox applet shares: the table of namespace kinds, opening and
// checking namespace targets, the plan of namespace steps and the pre-runtime executor that
// carries it out, and readers for /proc. The flag parsing the applets share is its subpackage
// cli; nsutil itself knows nothing of flags' spelling or of output formats, and it never prints
// (except the executor's --trace lines, which go to stderr from the C stage).
package nsutil
