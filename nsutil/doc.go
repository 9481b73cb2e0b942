// Package nsutil is the core every nsbox applet shares: the table of namespace kinds, the kong
// value types for util-linux's optional-argument flags, opening and checking namespace targets,
// the plan of namespace steps and the pre-runtime executor that carries it out, and the namespace
// ioctls that relate namespaces (nsutil/procfs reads /proc; nsutil/discover finds the host's
// namespaces). It knows nothing of flags' spelling or of output formats, and it never prints
// (except the executor's --trace lines, which go to stderr from the C stage).
package nsutil
