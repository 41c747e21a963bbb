// Process entry of the iptables-lint bundle.
import './node20';
import { main } from './cli';

process.exitCode = main(process.argv.slice(2), process.env, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
