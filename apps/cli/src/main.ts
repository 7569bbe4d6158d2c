import { runCli } from '@berth/cli';

// The `berth` executable: run one command and exit with its status.
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`berth: ${String(err)}\n`);
    process.exit(1);
  },
);
