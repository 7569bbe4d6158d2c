// A scripted container engine behind the fake daemon: enough of create/attach/start/wait/kill
// for the CLI's run, start, exec and lifecycle flows. A container's command says what it does:
//   echo WORDS...   prints WORDS to stdout and exits 0
//   warn WORDS...   prints WORDS to stderr and exits 0
//   exit N          exits N
//   cat             copies stdin to stdout until stdin closes, then exits 0
//   sleep           runs until killed, then exits 128 + signal
//   nosuch          fails to start with COMMAND_NOT_FOUND
//   noexec          fails to start with COMMAND_NOT_EXECUTABLE
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { BerthError, ErrorCode, conflict, notFound } from '@berth/errors';
import { bidiStream, unary } from '@berth/grpc-kit';
import { SIGNALS } from '@berth/signals';
import type { daemon, types } from '@berth/proto';

interface FakeContainer {
  id: string;
  request: daemon.CreateContainerRequest;
  status: 'created' | 'running' | 'exited';
  exitCode: number;
  listeners: Array<(frame: types.StdioServerFrame) => void>;
  stdin: Buffer[];
  stdinClosed: boolean;
  exited: Promise<number>;
  exit(code: number): void;
}

export class FakeContainers {
  readonly created: daemon.CreateContainerRequest[] = [];
  readonly removed: string[] = [];
  readonly kills: Array<{ id: string; signal: string }> = [];
  readonly resizes: types.TerminalSize[] = [];
  readonly containers = new Map<string, FakeContainer>();
  private next = 1;

  resolve(ref: string): FakeContainer {
    const found = [...this.containers.values()].find((c) => c.id === ref || c.id.startsWith(ref) || c.request.name === ref);
    if (found === undefined) throw notFound(`No such container: ${ref}`);
    return found;
  }

  private emit(container: FakeContainer, frame: types.StdioServerFrame['frame']): void {
    for (const listener of container.listeners) listener({ frame });
  }

  private output(container: FakeContainer, stream: number, text: string): void {
    this.emit(container, { $case: 'output', value: { stream, data: Buffer.from(text), time: '2025-01-01T00:00:00Z' } });
  }

  private run(container: FakeContainer): void {
    const [command = '', ...args] = container.request.config?.cmd ?? [];
    container.status = 'running';
    switch (command) {
      case 'echo':
        this.output(container, 1, `${args.join(' ')}\n`);
        container.exit(0);
        break;
      case 'warn':
        this.output(container, 2, `${args.join(' ')}\n`);
        container.exit(0);
        break;
      case 'exit':
        container.exit(Number(args[0] ?? 0));
        break;
      default:
        break;
    }
  }

  private pumpStdin(container: FakeContainer): void {
    if (container.request.config?.cmd[0] !== 'cat' || container.status !== 'running') return;
    for (const chunk of container.stdin.splice(0)) this.output(container, 1, chunk.toString());
    if (container.stdinClosed) container.exit(0);
  }

  private create(request: daemon.CreateContainerRequest): daemon.CreateContainerResponse {
    this.created.push(request);
    if (request.config?.image === 'missing') throw notFound('No such image: missing:latest');
    const id = String(this.next++).padStart(64, 'c');
    let exit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    const container: FakeContainer = {
      id,
      request,
      status: 'created',
      exitCode: 0,
      listeners: [],
      stdin: [],
      stdinClosed: false,
      exited,
      exit: (code) => {
        container.status = 'exited';
        container.exitCode = code;
        this.emit(container, { $case: 'exit', value: { exitCode: code, oomKilled: false, finishedAt: '' } });
        exit(code);
      },
    };
    this.containers.set(id, container);
    // run -d starts it in the same step, as the daemon does.
    if (request.start) this.start(id);
    return { id, warnings: [] };
  }

  private start(id: string): void {
    const container = this.resolve(id);
    const command = container.request.config?.cmd[0];
    if (command === 'nosuch') throw new BerthError(ErrorCode.CommandNotFound, 'exec: "nosuch": executable file not found in $PATH');
    if (command === 'noexec') throw new BerthError(ErrorCode.CommandNotExecutable, 'exec: "/etc/passwd": permission denied');
    this.run(container);
    this.pumpStdin(container);
  }

  private stdio(container: FakeContainer, frame: types.StdioClientFrame['frame']): void {
    if (frame?.$case === 'stdin') {
      container.stdin.push(frame.value);
      this.pumpStdin(container);
    } else if (frame?.$case === 'closeStdin') {
      container.stdinClosed = true;
      this.pumpStdin(container);
    } else if (frame?.$case === 'resize') {
      this.resizes.push(frame.value);
    }
  }

  service(): Partial<daemon.DaemonServiceServer> {
    return {
      createContainer: unary(async (request: daemon.CreateContainerRequest) => this.create(request)),
      startContainer: unary(async ({ id }: daemon.ContainerRef) => {
        this.start(id);
        return {};
      }),
      killContainer: unary(async ({ id, signal }: daemon.KillContainerRequest) => {
        const container = this.resolve(id);
        this.kills.push({ id: container.id, signal });
        if (container.status !== 'running') throw conflict(`cannot kill container: ${id}: container ${container.id} is not running`);
        const number = SIGNALS[signal.replace(/^SIG/, '')] ?? 9;
        container.exit(128 + number);
        return {};
      }),
      waitContainer: unary(async ({ id }: daemon.ContainerRef) => ({ exitCode: await this.resolve(id).exited, oomKilled: false, finishedAt: '' })),
      removeContainer: unary(async ({ id }: daemon.RemoveContainerRequest) => {
        const container = this.resolve(id);
        this.containers.delete(container.id);
        this.removed.push(container.id);
        return {};
      }),
      attach: bidiStream(async (call: ServerDuplexStream<types.StdioClientFrame, types.StdioServerFrame>) => {
        let container: FakeContainer | undefined;
        await new Promise<void>((resolve, reject) => {
          call.on('data', (message: types.StdioClientFrame) => {
            const frame = message.frame;
            try {
              if (frame?.$case === 'attach') {
                container = this.resolve(frame.value.id);
                container.listeners.push((out) => {
                  call.write(out);
                  if (out.frame?.$case === 'exit') resolve();
                });
                call.write({ frame: { $case: 'ready', value: true } });
              } else if (container !== undefined) {
                this.stdio(container, frame);
              }
            } catch (err) {
              reject(err);
            }
          });
          call.on('end', () => resolve());
          call.on('cancelled', () => resolve());
        });
      }),
      // As the daemon does: create, say so, start once attached, then pass `ready` and the output.
      runContainer: bidiStream(async (call: ServerDuplexStream<daemon.RunClientFrame, types.StdioServerFrame>) => {
        let container: FakeContainer | undefined;
        await new Promise<void>((resolve, reject) => {
          call.on('data', (message: daemon.RunClientFrame) => {
            const frame = message.frame;
            try {
              if (frame?.$case === 'open' && frame.value.create !== undefined) {
                const created = this.create(frame.value.create);
                call.write({ frame: { $case: 'created', value: created } });
                const attached = this.resolve(created.id);
                const held: types.StdioServerFrame[] = [];
                let live = false;
                attached.listeners.push((out) => {
                  if (!live) return void held.push(out);
                  call.write(out);
                  if (out.frame?.$case === 'exit') resolve();
                });
                this.start(created.id);
                container = attached;
                live = true;
                call.write({ frame: { $case: 'ready', value: true } });
                for (const out of held) call.write(out);
                if (held.some((out) => out.frame?.$case === 'exit')) resolve();
              } else if (container !== undefined && frame?.$case === 'stdio') {
                this.stdio(container, frame.value.frame);
              }
            } catch (err) {
              reject(err);
            }
          });
          call.on('end', () => resolve());
          call.on('cancelled', () => resolve());
        });
      }),
    };
  }
}
