import { execFile } from 'node:child_process';
import { ErrorCode, failedPrecondition, internal, isBerthError, notFound } from '@berth/errors';

export type OciStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface OciState {
  status: OciStatus;
  pid: number;
}

// The OCI runtime's command line (runc's, which crun and youki share). Creation is not here: the
// monitor runs `create` so that it becomes the container's parent.
export interface OciRuntime {
  start(id: string): Promise<void>;
  kill(id: string, signal: number): Promise<void>;
  // Undefined when the runtime does not know the container.
  state(id: string): Promise<OciState | undefined>;
  delete(id: string, force: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  pids(id: string): Promise<number[]>;
}

const TIMEOUT_MS = 30_000;

function cleanMessage(stderr: string): string {
  // runc logs as logfmt: level=error msg="..."
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(stderr)?.[1];
  return (msg ?? stderr).replace(/\\"/g, '"').trim();
}

export class RuncCli implements OciRuntime {
  constructor(
    readonly binary: string,
    readonly root: string,
  ) {}

  private run(args: string[], id: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.binary, ['--root', this.root, ...args], { timeout: TIMEOUT_MS, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const message = cleanMessage(stderr) || err.message;
        if (/does not exist|not exist|container not found/i.test(message)) reject(notFound(`no such container: ${id}`));
        else if (/not running|is stopped|container not running/i.test(message)) reject(failedPrecondition(`container ${id} is not running`));
        else reject(internal(`${this.binary} ${args[0]} ${id}: ${message}`));
      });
    });
  }

  async start(id: string): Promise<void> {
    await this.run(['start', id], id);
  }

  async kill(id: string, signal: number): Promise<void> {
    await this.run(['kill', id, String(signal)], id);
  }

  async state(id: string): Promise<OciState | undefined> {
    try {
      const parsed = JSON.parse(await this.run(['state', id], id)) as { status?: string; pid?: number };
      return { status: (parsed.status ?? 'stopped') as OciStatus, pid: parsed.pid ?? 0 };
    } catch (err) {
      if (isBerthError(err, ErrorCode.NotFound)) return undefined;
      throw err;
    }
  }

  async delete(id: string, force: boolean): Promise<void> {
    await this.run(['delete', ...(force ? ['--force'] : []), id], id);
  }

  async pause(id: string): Promise<void> {
    await this.run(['pause', id], id);
  }

  async resume(id: string): Promise<void> {
    await this.run(['resume', id], id);
  }

  async pids(id: string): Promise<number[]> {
    const parsed = JSON.parse(await this.run(['ps', '--format', 'json', id], id)) as unknown;
    return Array.isArray(parsed) ? parsed.filter((p): p is number => typeof p === 'number') : [];
  }
}
