import { DockerCommand } from './command-kit';
import { FlagError } from './cli-errors';
import type { CliIO } from './io';

const io = { stdout: { write: () => true }, stderr: { write: () => true } } as unknown as CliIO;

function parse(argv: string[], passThrough = false): { args: string[]; proxy: boolean } {
  let seen = { args: [] as string[], proxy: false };
  const cmd = new DockerCommand('attach', io).argument('[args...]').boolOption('--sig-proxy', 'Proxy signals', true);
  if (passThrough) cmd.passThroughOptions();
  cmd.action((args: string[], flags: { sigProxy: boolean }) => {
    seen = { args, proxy: flags.sigProxy };
  });
  const root = new DockerCommand('berth', io).enablePositionalOptions();
  root.addCommand(cmd);
  root.parse(['attach', ...argv], { from: 'user' });
  return seen;
}

describe('boolOption, as pflag bool flags', () => {
  it('defaults and takes a bare flag', () => {
    expect(parse(['c1'])).toEqual({ args: ['c1'], proxy: true });
    expect(parse(['--sig-proxy', 'c1'])).toEqual({ args: ['c1'], proxy: true });
  });

  it('takes =VALUE in any of strconv.ParseBool spellings', () => {
    expect(parse(['--sig-proxy=false', 'c1'])).toEqual({ args: ['c1'], proxy: false });
    expect(parse(['--sig-proxy=0', 'c1']).proxy).toBe(false);
    expect(parse(['--sig-proxy=T', 'c1']).proxy).toBe(true);
    expect(parse(['c1', '--sig-proxy=false']).proxy).toBe(false);
  });

  it('never consumes the next word as a value', () => {
    expect(parse(['--sig-proxy', 'false'])).toEqual({ args: ['false'], proxy: true });
  });

  it('refuses a value that is not a bool, as pflag does', () => {
    expect(() => parse(['--sig-proxy=maybe', 'c1'])).toThrow(FlagError);
    expect(() => parse(['--sig-proxy=maybe', 'c1'])).toThrow('invalid argument "maybe" for "--sig-proxy" flag');
  });

  it('leaves words after the first argument alone when options pass through', () => {
    expect(parse(['c1', 'sh', '--sig-proxy=false'], true)).toEqual({ args: ['c1', 'sh', '--sig-proxy=false'], proxy: true });
    expect(parse(['--', '--sig-proxy=false'])).toEqual({ args: ['--sig-proxy=false'], proxy: true });
  });
});

describe('requireArgs, in docker 28 CLI wording', () => {
  const rule = (min: number, max?: number, given = 5): string => {
    const cmd = new DockerCommand('x', io);
    try {
      cmd.requireArgs(Array.from({ length: given }, () => 'a'), min, max);
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };

  it('words each kind of count as docker does', () => {
    expect(rule(1, 1)).toBe("'x' requires 1 argument");
    expect(rule(2, 2)).toBe("'x' requires 2 arguments");
    expect(rule(6)).toBe("'x' requires at least 6 arguments");
    expect(rule(0, 1)).toBe("'x' requires at most 1 argument");
    expect(rule(1, 2)).toBe("'x' requires at least 1 and at most 2 arguments");
    expect(rule(0, 0)).toBe("'x' accepts no arguments");
    expect(rule(1, 5)).toBe('accepted');
  });
});
