import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { invalidArgument } from '@berth/errors';

// sun_path holds 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH = 107;

export interface ContainerPaths {
  bundle: string;
  config: string;
  rootfs: string;
  // What was asked for (the ContainerSpec and what the shim decided), so a restart loses nothing.
  record: string;
  pidFile: string;
  monitorPidFile: string;
  exitFile: string;
  logPath: string;
  socketPath: string;
  execDir: string;
}

export interface ExecPaths {
  dir: string;
  processFile: string;
  pidFile: string;
  monitorPidFile: string;
  exitFile: string;
  logPath: string;
  socketPath: string;
}

// Where the shim keeps everything under stackLayout(root).runtimeDir.
export class RuntimePaths {
  readonly state: string;
  readonly bundles: string;
  readonly exits: string;
  readonly logs: string;
  readonly sockets: string;

  constructor(readonly runtimeDir: string) {
    this.state = join(runtimeDir, 'state');
    this.bundles = join(runtimeDir, 'bundles');
    this.exits = join(runtimeDir, 'exits');
    this.logs = join(runtimeDir, 'logs');
    this.sockets = join(runtimeDir, 'sockets');
  }

  allDirs(): string[] {
    return [this.state, this.bundles, this.exits, this.logs, this.sockets];
  }

  container(id: string): ContainerPaths {
    const bundle = join(this.bundles, id);
    return {
      bundle,
      config: join(bundle, 'config.json'),
      rootfs: join(bundle, 'rootfs'),
      record: join(bundle, 'spec-input.json'),
      pidFile: join(bundle, 'init.pid'),
      monitorPidFile: join(bundle, 'monitor.pid'),
      exitFile: join(this.exits, `${id}.json`),
      logPath: join(this.logs, `${id}.log`),
      socketPath: this.socket(id),
      execDir: join(bundle, 'exec'),
    };
  }

  exec(id: string, execId: string): ExecPaths {
    const dir = join(this.container(id).execDir, execId);
    return {
      dir,
      processFile: join(dir, 'process.json'),
      pidFile: join(dir, 'exec.pid'),
      monitorPidFile: join(dir, 'monitor.pid'),
      exitFile: join(dir, 'exit.json'),
      logPath: join(dir, 'exec.log'),
      socketPath: this.socket(`exec-${execId}`),
    };
  }

  // <id>.sock where it fits in sun_path, else a digest of the id: deterministic either way, so a
  // restarted shim finds the same socket.
  private socket(name: string): string {
    const plain = join(this.sockets, `${name}.sock`);
    if (Buffer.byteLength(plain) <= MAX_SOCKET_PATH) return plain;
    const short = join(this.sockets, `${createHash('sha256').update(name).digest('hex').slice(0, 20)}.sock`);
    if (Buffer.byteLength(short) > MAX_SOCKET_PATH) {
      throw invalidArgument(`the runtime directory ${this.runtimeDir} is too long for unix socket paths`);
    }
    return short;
  }
}
