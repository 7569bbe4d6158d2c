// An in-process DaemonService for the CLI's tests: a real gRPC server on a temporary unix socket
// whose handlers are whatever a test supplies.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Server } from '@grpc/grpc-js';
import { createServer, listen, shutdown } from '@berth/grpc-kit';
import { daemon } from '@berth/proto';
import type { CliIO } from '../io';
import { runCli } from '../run-cli';

export class FakeDaemon {
  private madeDir: string | undefined;
  private server: Server | undefined;

  // Made on first use, not when the test file is collected: a test run that skips every test of
  // a file (a -t filter) runs no afterAll to remove it.
  get dir(): string {
    this.madeDir ??= mkdtempSync(join(tmpdir(), 'berth-cli-test-'));
    return this.madeDir;
  }

  get host(): string {
    return `unix://${join(this.dir, 'berthd.sock')}`;
  }

  async start(implementation: Partial<daemon.DaemonServiceServer>): Promise<void> {
    this.server = createServer();
    this.server.addService(daemon.DaemonServiceService, implementation as daemon.DaemonServiceServer);
    await listen(this.server, this.host);
  }

  async stop(): Promise<void> {
    if (this.server !== undefined) await shutdown(this.server, 200);
    this.server = undefined;
    if (this.madeDir !== undefined) rmSync(this.madeDir, { recursive: true, force: true });
    this.madeDir = undefined;
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestIO extends CliIO {
  stdin: PassThrough;
  signals: EventEmitter & CliIO['signals'];
  output(): { stdout: string; stderr: string };
}

export function testIO(host: string | undefined, now = Date.parse('2025-01-01T12:00:00Z')): TestIO {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.stdout.push(c));
  stderr.on('data', (c: Buffer) => chunks.stderr.push(c));
  return {
    stdin,
    stdout,
    stderr,
    env: host === undefined ? {} : { BERTH_HOST: host },
    signals: new EventEmitter() as EventEmitter & CliIO['signals'],
    now: () => now,
    output: () => ({ stdout: Buffer.concat(chunks.stdout).toString(), stderr: Buffer.concat(chunks.stderr).toString() }),
  };
}

// Runs the CLI in-process; `input` (when given) is written to stdin and then ended.
export async function berth(host: string | undefined, args: string[], options: { input?: string; io?: TestIO } = {}): Promise<CliRun> {
  const io = options.io ?? testIO(host);
  if (options.input !== undefined) io.stdin.end(options.input);
  const code = await runCli(args, io);
  await new Promise((resolve) => setImmediate(resolve));
  return { code, ...io.output() };
}
