// Preloaded (node --import) into a server under --cpu-prof: V8 writes the profile only when the
// process exits normally, and a SIGTERM's default action skips that. So exit on SIGTERM.
process.once('SIGTERM', () => process.exit(0));
