// The Node flags the extension starts the language server with; the protocol tests and the
// benchmark start it the same way, so their figures are those of the shipped setup.
// A bounded old space makes V8 collect the re-analysed versions of huge documents promptly;
// a larger young generation lets the garbage of each analysis die there (fewer, cheaper GCs).
export const SERVER_EXEC_ARGV: readonly string[] = ['--max-old-space-size=700', '--max-semi-space-size=16'];
