'use strict';
// Builds what launch.js (started by bin/berth) runs (by tools/setup.sh and `npm run build`, after tsc):
//   dist/berth.js         the CLI and everything it loads, in one file: Node resolves and reads
//                         one file instead of ~150, and the bundle's lazily required modules
//                         (gRPC, the daemon client) are still evaluated only when first required;
//   dist/berth.inputs     the files it was built from, so that launch.js can tell a bundle that a
//                         later `tsc -b` has made stale and fall back to dist/main.js;
//   dist/berth.js.cache   V8's code cache for the bundle, so that a start compiles nothing.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const esbuild = require('esbuild');

const repo = join(__dirname, '../..');
const dist = join(__dirname, 'dist');
const bundle = join(dist, 'berth.js');

const result = esbuild.buildSync({
  absWorkingDir: repo,
  entryPoints: [join(dist, 'main.js')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Less to read at every start; identifiers keep their names, for stack traces and error names.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
  external: [
    // Loaded only by `system up/down/status`, with its queue and Redis clients; it stays a plain
    // require of the compiled tree.
    '@berth/supervisor',
    // grpc-js loads it only to serve channelz/ORCA, which a client never does.
    '@grpc/proto-loader',
  ],
});

// The compiled libs it was built from, and the package folders of what it took from node_modules:
// npm writes package files with a fixed old mtime, but a package it (re)installs is a new folder.
const inputs = [
  ...new Set(Object.keys(result.metafile.inputs).map((input) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? input)),
];
writeFileSync(join(dist, 'berth.inputs'), `${inputs.join('\n')}\n`);

// launch.js writes the code cache at exit whenever it has none for this bundle. The cache holds
// what that run compiled, so the run goes as far as a daemon command can without a daemon: gRPC
// loaded, a channel made, a call started and failed on a socket path that is no socket.
const scratch = mkdtempSync(join(tmpdir(), 'berth-bundle-'));
try {
  rmSync(`${bundle}.cache`, { force: true });
  const notSocket = join(scratch, 'berthd.sock');
  writeFileSync(notSocket, '');
  const run = spawnSync(process.execPath, [join(__dirname, 'launch.js'), '-H', `unix://${notSocket}`, 'ps'], { encoding: 'utf8' });
  if (!run.stderr.includes('Cannot connect')) throw new Error(`bundled berth did not run: ${run.stderr}${run.stdout}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
