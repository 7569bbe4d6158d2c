import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(__dirname, '../../..');
const certs = '/some where/extra-ca.pem';

// bin/berth starts Node without NODE_EXTRA_CA_CERTS (its certificates take longer to load than
// the rest of Node's start) and hands the setting to launch.js under another name.
describe('bin/berth', () => {
  let fakeBin: string;

  beforeEach(() => {
    fakeBin = mkdtempSync(join(tmpdir(), 'berth-launch-'));
    writeFileSync(
      join(fakeBin, 'node'),
      '#!/bin/sh\nprintf "extra=%s\\nsaved=%s\\n" "${NODE_EXTRA_CA_CERTS-unset}" "${BERTH_NODE_EXTRA_CA_CERTS-unset}"\nfor arg; do printf "arg=%s\\n" "$arg"; done\n',
    );
    chmodSync(join(fakeBin, 'node'), 0o755);
  });

  afterEach(() => rmSync(fakeBin, { recursive: true, force: true }));

  function runFront(env: NodeJS.ProcessEnv): string[] {
    const result = spawnSync(join(repo, 'bin/berth'), ['run', 'a b', ''], { env: { ...env, PATH: `${fakeBin}:/usr/bin:/bin` }, encoding: 'utf8' });
    expect(result.status).toBe(0);
    return result.stdout.trimEnd().split('\n');
  }

  it('moves NODE_EXTRA_CA_CERTS aside and passes every argument through unchanged', () => {
    expect(runFront({ NODE_EXTRA_CA_CERTS: certs })).toEqual([
      'extra=unset',
      `saved=${certs}`,
      `arg=${repo}/bin/../apps/cli/launch.js`,
      'arg=run',
      'arg=a b',
      'arg=',
    ]);
  });

  it('sets nothing aside when there is nothing to set aside', () => {
    expect(runFront({}).slice(0, 2)).toEqual(['extra=unset', 'saved=unset']);
  });
});

describe('apps/cli/launch.js', () => {
  it('puts NODE_EXTRA_CA_CERTS back, so that what the CLI starts inherits it', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'berth-launch-'));
    try {
      const preload = join(scratch, 'report-env.js');
      writeFileSync(
        preload,
        "process.on('exit', () => process.stderr.write(`\\n${JSON.stringify([process.env.NODE_EXTRA_CA_CERTS, process.env.BERTH_NODE_EXTRA_CA_CERTS ?? null])}`));\n",
      );
      const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
      const result = spawnSync(process.execPath, ['-r', preload, join(repo, 'apps/cli/launch.js'), '--version'], {
        env: { ...env, BERTH_NODE_EXTRA_CA_CERTS: certs },
        encoding: 'utf8',
      });
      expect(result.stdout).toMatch(/^Berth version /);
      expect(JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '')).toEqual([certs, null]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('the bundled CLI', () => {
  // Commands that never reach the daemon (help, version, system, hub) start without gRPC and
  // what it loads (http2, tls, dns); eslint keeps proto values out of everything but the client.
  it('loads no gRPC for --version', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'berth-launch-'));
    try {
      const preload = join(scratch, 'report-modules.js');
      writeFileSync(preload, "process.on('exit', () => process.stderr.write(`\\n${JSON.stringify(process.moduleLoadList)}`));\n");
      const result = spawnSync(process.execPath, ['-r', preload, join(repo, 'apps/cli/launch.js'), '--version'], { encoding: 'utf8' });
      expect(result.stdout).toMatch(/^Berth version /);
      const loaded = JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '[]') as string[];
      expect(loaded).toContain('NativeModule fs');
      expect(loaded).not.toContain('NativeModule http2');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

// launch.js runs dist/berth.js (a function expression, as bundle.js writes it) unless one of the
// files it names in dist/berth.inputs changed since; launch.js names itself there.
describe('launch.js and its bundle', () => {
  let scratch: string;
  let launch: string;
  let bundle: string;
  const run = (): string => spawnSync(process.execPath, [launch], { encoding: 'utf8' }).stdout;
  // File times move in clock ticks: the bundle is dated well clear of launch.js's last change.
  const dateBundle = (offsetMs: number): void => utimesSync(bundle, new Date(Date.now() + offsetMs), new Date(Date.now() + offsetMs));

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'berth-launch-'));
    const dist = join(scratch, 'apps/cli/dist');
    mkdirSync(dist, { recursive: true });
    launch = join(scratch, 'apps/cli/launch.js');
    copyFileSync(join(repo, 'apps/cli/launch.js'), launch);
    writeFileSync(join(dist, 'main.js'), "console.log('compiled tree');\n");
    writeFileSync(join(dist, 'berth.inputs'), 'apps/cli/launch.js\n');
    bundle = join(dist, 'berth.js');
    writeFileSync(bundle, "(function (exports, require, module, __filename, __dirname) {console.log('bundle', typeof require, module.exports === exports)\n})");
    dateBundle(60_000);
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('runs the bundle, given what a module is given', () => {
    expect(run()).toBe('bundle function true\n');
    // And again from the code cache the first run left.
    expect(run()).toBe('bundle function true\n');
  });

  it('runs the compiled tree instead once launch.js is newer than the bundle', () => {
    dateBundle(-60_000);
    expect(run()).toBe('compiled tree\n');
  });
});
