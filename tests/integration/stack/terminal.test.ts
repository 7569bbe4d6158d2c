import { spawn } from 'node:child_process';
import { BERTH, busyboxTar, describeIntegration, Stack } from '../harness';

const IMAGE = 'it/busybox:1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs the CLI on a real pseudo-terminal (util-linux `script`), types into it and collects the
// screen output.
function onTerminal(stack: Stack, args: string[]) {
  const command = [BERTH, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', `stty cols 90 rows 25; exec ${command}`, '/dev/null'], {
    env: { ...process.env, BERTH_HOST: stack.host, TERM: 'xterm' },
  });
  let screen = '';
  child.stdout.on('data', (data: Buffer) => (screen += data.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return {
    type: (text: string) => child.stdin.write(text),
    screen: () => screen,
    exited,
    async waitFor(pattern: RegExp, ms = 10_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!pattern.test(screen)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; screen: ${JSON.stringify(screen)}`);
        await sleep(50);
      }
    },
  };
}

describeIntegration('interactive terminals', () => {
  const stack = new Stack();

  beforeAll(async () => {
    stack.up();
    await stack.must(['import', busyboxTar(), IMAGE]);
  }, 120_000);

  afterAll(() => stack.destroy(), 120_000);

  it('gives -it a real terminal with its size, where Ctrl-C reaches the process', async () => {
    const term = onTerminal(stack, ['run', '--rm', '-it', IMAGE, 'sh']);
    await term.waitFor(/\/ # /);
    term.type('tty; stty size\r');
    await term.waitFor(/\/dev\/pts\/0/);
    await term.waitFor(/25 90/);
    term.type('sleep 30\r');
    await sleep(300);
    term.type('\x03');
    term.type('echo after-$((40+2))\r');
    await term.waitFor(/after-42/);
    term.type('exit 3\r');
    expect(await term.exited).toBe(3);
  }, 60_000);

  it('detaches with ctrl-p ctrl-q and leaves the container running', async () => {
    const term = onTerminal(stack, ['run', '-it', '--name', 'detachable', IMAGE, 'sh']);
    await term.waitFor(/\/ # /);
    term.type('\x10\x11');
    expect(await term.exited).toBe(0);
    const [inspect] = JSON.parse(await stack.must(['inspect', 'detachable'])) as Array<{ State: { Running: boolean } }>;
    expect(inspect?.State.Running).toBe(true);
    await stack.must(['rm', '-f', 'detachable']);
  }, 60_000);
});
