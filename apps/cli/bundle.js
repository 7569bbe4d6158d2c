'use strict';
// Builds what launch.js (started by bin/berth) runs (by tools/setup.sh and `npm run build`, after tsc):
//   dist/berth.js         the CLI and everything it loads, in one file: Node resolves and reads
//                         one file instead of ~150, and the bundle's lazily required modules
//                         (gRPC, the daemon client) are still evaluated only when first required;
//   dist/berth.inputs     the files it was built from, so that launch.js can tell a bundle that a
//                         later `tsc -b` (or a newer launch.js) has made stale and fall back to
//                         dist/main.js;
//   dist/berth.js.cache   V8's code cache for the bundle, so that a start compiles nothing.
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const esbuild = require('esbuild');

const repo = join(__dirname, '../..');
const dist = join(__dirname, 'dist');
const bundle = join(dist, 'berth.js');

// Node modules that a package requires up front for something a CLI run seldom or never does
// get it on first use instead, each load costing every start a millisecond or so: commander's
// child_process (executable subcommands, which berth never has), grpc-js's zlib (compressed
// messages, which the daemon never sends) and dns (resolving host names: the daemon is a unix
// socket). The packages use them only as `require(...).member`, which the stand-in forwards.
const LAZY_BUILTINS = [
  { builtin: 'child_process', importer: /[\\/]node_modules[\\/]commander[\\/]/ },
  { builtin: 'zlib', importer: /[\\/]node_modules[\\/]@grpc[\\/]grpc-js[\\/]/ },
  { builtin: 'dns', importer: /[\\/]node_modules[\\/]@grpc[\\/]grpc-js[\\/]/ },
];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(child_process|zlib|dns)$/ }, (args) => {
      const builtin = args.path.replace(/^node:/, '');
      const lazy = LAZY_BUILTINS.some((entry) => entry.builtin === builtin && entry.importer.test(args.importer));
      return lazy ? { path: builtin, namespace: 'berth-lazy' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'berth-lazy' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_, name) => require('node:${args.path}')[name] });`,
      loader: 'js',
    }));
  },
};

async function buildBundle() {
  const result = await esbuild.build({
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
    plugins: [lazyBuiltins],
    external: [
      // Loaded only by `system up/down/status`, with its queue and Redis clients; it stays a
      // plain require of the compiled tree.
      '@berth/supervisor',
      // grpc-js loads it only to serve channelz/ORCA, which a client never does.
      '@grpc/proto-loader',
    ],
  });

  // launch.js reads the bundle as latin1, which V8 takes as it is; UTF-8 decoding made a
  // two-byte string of it and cost more than the rest of the read. So the bundle is kept ASCII:
  // the few characters beyond it (in regular expressions, where esbuild leaves them) become \u
  // escapes, which mean the same in strings, regular expressions and identifiers.
  const escaped = readFileSync(bundle, 'utf8').replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // Already in the function that launch.js calls with the module's variables, as Node wraps a
  // module: launch.js hands V8 the file as it reads it, with no copy made to wrap it at each start
  // (a millisecond, most of it page faults on a second ~1 MB string).
  writeFileSync(bundle, `(function (exports, require, module, __filename, __dirname) {${escaped}\n})`);

  // What it was built from, for launch.js to stat at every start, so as few paths as tell it
  // all: each compiled project by its build info (tsc -b rewrites it whenever it emits the
  // project), a project without one by its files, and the package folders of what it took from
  // node_modules (npm writes package files with a fixed old mtime, but a package it (re)installs
  // is a new folder). The stand-in module the plugin made is no file.
  const files = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('berth-lazy:'));
  const stampOf = (input) => {
    const pkg = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
    if (pkg !== undefined) return pkg;
    const buildInfo = `${/^((?:apps|libs)\/[^/]+\/dist)\//.exec(input)?.[1]}/.tsbuildinfo`;
    return existsSync(join(repo, buildInfo)) ? buildInfo : input;
  };
  // And the two files that make and run it: a bundle older than either is of an older form.
  const inputs = [...new Set([...files.map(stampOf), 'apps/cli/bundle.js', 'apps/cli/launch.js'])];
  writeFileSync(join(dist, 'berth.inputs'), `${inputs.join('\n')}\n`);
}

// launch.js writes the code cache at exit whenever it has none for this bundle. The cache holds
// what that run compiled, so the run goes through the command that most wants a quick start,
// `run --rm`, against a stand-in daemon on a scratch socket that answers RunContainer as the
// daemon does (created, ready, output, exit): gRPC loaded, the stream made, frames handled.
async function trainCodeCache() {
  const grpc = require('@grpc/grpc-js');
  const { daemon } = require('@berth/proto');
  const scratch = mkdtempSync(join(tmpdir(), 'berth-bundle-'));
  const server = new grpc.Server();
  server.addService(daemon.DaemonServiceService, {
    runContainer(call) {
      call.once('data', () => {
        call.write({ frame: { $case: 'created', value: { id: 'f'.repeat(64), warnings: [] } } });
        call.write({ frame: { $case: 'ready', value: true } });
        call.write({ frame: { $case: 'output', value: { stream: 1, data: Buffer.from('trained\n'), time: '' } } });
        call.write({ frame: { $case: 'exit', value: { exitCode: 0, oomKilled: false, finishedAt: '' } } });
        call.end();
      });
    },
  });
  try {
    rmSync(`${bundle}.cache`, { force: true });
    const socket = `unix://${join(scratch, 'berthd.sock')}`;
    await new Promise((resolve, reject) => server.bindAsync(socket, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
    // A minute is far beyond what the run takes; a hung one must not hang the build.
    const run = spawn(process.execPath, [join(__dirname, 'launch.js'), '-H', socket, 'run', '--rm', 'trainer', 'true'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let output = '';
    run.stdout.on('data', (chunk) => (output += chunk));
    run.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => run.once('close', resolve));
    if (code !== 0 || output !== 'trained\n') throw new Error(`bundled berth did not run (status ${code}): ${output}`);
  } finally {
    server.forceShutdown();
    rmSync(scratch, { recursive: true, force: true });
  }
}

buildBundle().then(trainCodeCache).catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
