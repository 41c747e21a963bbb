// The Node flags the extension starts the language server with; the protocol tests and the
// benchmark start it the same way, so their figures are those of the shipped setup.
// A bounded old space makes V8 collect the re-analysed versions of huge documents promptly.
// An 8 MB young generation without pretenuring: on the 70,000-line benchmark, peak memory about
// 460 MB instead of 476-564 with 16 MB and pretenuring, edit latency unchanged (server/bin/iptables-lint
// uses the same two flags).
export const SERVER_EXEC_ARGV: readonly string[] = ['--max-old-space-size=700', '--max-semi-space-size=8', '--no-allocation-site-pretenuring'];
