import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { internal } from '@berth/errors';

// A monitor process under way: the first process (which forks the monitor proper and exits) and
// its sync fd, a socketpair (see native/monitor/PROTOCOL.md).
export interface StartedMonitor {
  child: ChildProcess;
  sync: Socket;
}

const SYNC_STDIO = ['ignore', 'ignore', 'ignore', 'pipe'] as const;

export function startMonitor(binary: string, args: readonly string[]): StartedMonitor {
  const child = spawn(binary, args, { stdio: [...SYNC_STDIO] });
  return { child, sync: child.stdio[3] as Socket };
}

// The command line as a standby monitor reads it on its sync fd: its byte count (4 bytes, little
// endian), then each argument NUL-terminated. A NUL inside one would split it, so it is refused,
// as spawn refuses it.
export function standbyCommandLine(args: readonly string[]): Buffer {
  if (args.some((arg) => arg.includes('\0'))) throw internal('a monitor argument holds a NUL byte');
  const body = Buffer.from(args.map((arg) => `${arg}\0`).join(''), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

interface Standby extends StartedMonitor {
  binary: string;
  build: string;
}

// Which build of the binary: a rebuilt monitor is not given a container by a standby of the old.
function buildOf(binary: string): string | undefined {
  try {
    const info = statSync(binary);
    return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return undefined;
  }
}

// How long after a launch its replacement standby starts: the fork of a Node process as big as
// the shim holds the event loop a millisecond or two, which should fall after a short container
// has been reported exited too, and before the next launch.
const REFILL_DELAY_MS = 20;

/*
 * One monitor started ahead of need (`berth-monitor --standby`), waiting on its sync fd for the
 * command line of the next launch. Forking the shim (a Node process of ~80 MB) holds its event
 * loop and delays the monitor on the way to every container's start: launch to rootfs mounted
 * took 2.7 ms (median) that way, 1.6 ms through a standby, which only has to exec itself with
 * the command line it is handed. A standby holds nothing but its fd and exits when that ends
 * (the shim closed it or is gone). A launch with no standby ready (the first, concurrent ones,
 * after a standby died, a rebuilt binary) starts its monitor as before.
 */
export class MonitorStandbys {
  private standby: Standby | undefined;
  private refillTimer: NodeJS.Timeout | undefined;
  // Builds whose standby died without a command line (one that predates --standby, say): they
  // get none again.
  private readonly refused = new Set<string>();
  private closed = false;

  // A standby of this binary's current build given args, or undefined (start one instead).
  // The caller calls refill once its launch is over.
  take(binary: string, args: readonly string[]): StartedMonitor | undefined {
    const frame = standbyCommandLine(args);
    const standby = this.standby;
    this.standby = undefined;
    if (standby === undefined) return undefined;
    if (standby.binary !== binary || standby.build !== buildOf(binary) || !isWaiting(standby)) {
      standby.sync.destroy();
      return undefined;
    }
    standby.child.ref();
    standby.sync.ref();
    standby.sync.write(frame);
    return standby;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.refillTimer);
    this.refillTimer = undefined;
    this.standby?.sync.destroy();
    this.standby = undefined;
  }

  // A new standby soon, unless one waits: after a launch, not during it, whose runtime the fork
  // would slow.
  refill(binary: string): void {
    if (this.closed || this.refillTimer !== undefined || this.standby !== undefined) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.start(binary);
    }, REFILL_DELAY_MS);
    this.refillTimer.unref();
  }

  private start(binary: string): void {
    const build = buildOf(binary);
    if (this.closed || this.standby !== undefined || build === undefined || this.refused.has(build)) return;
    let started: StartedMonitor;
    try {
      started = startMonitor(binary, ['--standby']);
    } catch {
      return;
    }
    const standby: Standby = { ...started, binary, build };
    // Waiting, it must not keep the shim's process alive.
    standby.child.unref();
    standby.sync.unref();
    standby.sync.on('error', () => undefined);
    standby.child.once('error', () => this.drop(standby));
    standby.child.once('exit', (code) => {
      if (this.standby !== standby) return;
      // 2: the command line refused, as a monitor built before --standby refuses it.
      if (code === 2) this.refused.add(build);
      this.drop(standby);
    });
    this.standby = standby;
  }

  private drop(standby: Standby): void {
    if (this.standby === standby) this.standby = undefined;
    standby.sync.destroy();
  }
}

function isWaiting(standby: StartedMonitor): boolean {
  return standby.child.exitCode === null && standby.child.signalCode === null && !standby.sync.destroyed;
}
