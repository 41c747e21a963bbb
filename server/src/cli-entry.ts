// Process entry of the iptables-lint bundle.
import './node20';
import { main } from './cli';

// `iptables-lint check big.rules | head`: once the reader has gone, the rest of the output has
// nowhere to go. Stop quietly with the status the check found, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = main(process.argv.slice(2), process.env, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
