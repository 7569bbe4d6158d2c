import { parseDetachKeys } from './detach-keys';
import { parseEnvFileContent, parseLabels, resolveEnv } from './env';
import { parseLogTime } from './log-time';
import { resolveSecurityOptions } from './security-opt';
import { parseBytes, parseInteger, parseNanoCpus, parseSwapBytes } from './units';

describe("memory sizes (go-units' RAMInBytes)", () => {
  it.each([
    ['4m', 4 * 1024 ** 2],
    ['4M', 4 * 1024 ** 2],
    ['4mb', 4 * 1024 ** 2],
    ['4MiB', 4 * 1024 ** 2],
    ['512k', 512 * 1024],
    ['1.5g', 1.5 * 1024 ** 3],
    ['100', 100],
    ['100b', 100],
    ['2 g', 2 * 1024 ** 3],
  ])('%s is %d bytes', (text, bytes) => expect(parseBytes(text)).toBe(bytes));

  it.each([
    ['4x', "invalid suffix: 'x'"],
    ['4mx', "invalid suffix: 'mx'"],
    ['m', "invalid size: 'm'"],
    ['-4m', "invalid size: '-4m'"],
  ])('refuses %s: %s', (text, message) => expect(() => parseBytes(text)).toThrow(message));

  it('takes -1 as unlimited swap', () => {
    expect(parseSwapBytes('-1')).toBe(-1);
    expect(parseSwapBytes('8m')).toBe(8 * 1024 ** 2);
  });
});

describe('--cpus and integers', () => {
  it('converts CPUs to nano CPUs', () => {
    expect(parseNanoCpus('1.5')).toBe(1_500_000_000);
    expect(parseNanoCpus('0.01')).toBe(10_000_000);
    expect(parseNanoCpus('3/2')).toBe(1_500_000_000);
    expect(() => parseNanoCpus('abc')).toThrow('failed to parse abc as a rational number');
    expect(() => parseNanoCpus('0.0000000001')).toThrow('value is too precise');
  });

  it('parses integers like strconv.ParseInt', () => {
    expect(parseInteger('-1')).toBe(-1);
    expect(() => parseInteger('1.5')).toThrow('strconv.ParseInt: parsing "1.5": invalid syntax');
  });
});

describe('environment and labels', () => {
  const env = { HOME: '/root', EMPTY: '' };

  it('copies bare names from the environment, as docker -e does', () => {
    expect(resolveEnv('A=1', env)).toBe('A=1');
    expect(resolveEnv('HOME', env)).toBe('HOME=/root');
    expect(resolveEnv('MISSING', env)).toBe('MISSING');
    expect(() => resolveEnv('=x', env)).toThrow('invalid environment variable: =x');
  });

  it('reads env files: comments, blank lines, bare names, values kept verbatim', () => {
    const content = '\uFEFF# comment\n\nA=1\n  B=two words  \nHOME\nMISSING\nC=\nD=x=y\r\n';
    expect(parseEnvFileContent(content, env)).toEqual(['A=1', 'B=two words  ', 'HOME=/root', 'C=', 'D=x=y']);
  });

  it('refuses names with whitespace or no name', () => {
    expect(() => parseEnvFileContent('BAD NAME=1\n', env)).toThrow("variable 'BAD NAME' contains whitespaces");
    expect(() => parseEnvFileContent('=1\n', env)).toThrow("no variable name on line '=1'");
  });

  it('parses labels, later ones winning', () => {
    expect(parseLabels(['a=1', 'b', 'a=2', 'c=x=y'])).toEqual({ a: '2', b: '', c: 'x=y' });
  });
});

describe('--security-opt', () => {
  it('reads a seccomp profile file on the client, as docker does', () => {
    const read = jest.fn(() => '{"defaultAction":"SCMP_ACT_ALLOW"}');
    expect(resolveSecurityOptions(['seccomp=/p.json', 'no-new-privileges'], read)).toEqual({
      securityOpt: ['seccomp=/p.json', 'no-new-privileges'],
      seccompProfile: '{"defaultAction":"SCMP_ACT_ALLOW"}',
    });
    expect(read).toHaveBeenCalledWith('/p.json');
  });

  it('leaves unconfined and no-new-privileges to the daemon', () => {
    const read = jest.fn(() => '');
    expect(resolveSecurityOptions(['seccomp=unconfined', 'no-new-privileges=false'], read).seccompProfile).toBe('');
    expect(read).not.toHaveBeenCalled();
  });

  it('says which profile could not be opened', () => {
    expect(() => resolveSecurityOptions(['seccomp=/nonexistent.json'])).toThrow(
      'opening seccomp profile (/nonexistent.json) failed: open /nonexistent.json: no such file or directory',
    );
    expect(() => resolveSecurityOptions(['bogus'])).toThrow('Invalid --security-opt: "bogus"');
  });
});

describe('detach keys', () => {
  it('parses docker key specs', () => {
    expect(parseDetachKeys('ctrl-p,ctrl-q')).toEqual([16, 17]);
    expect(parseDetachKeys('ctrl-@,a,ctrl-[,ctrl-_')).toEqual([0, 97, 27, 31]);
    expect(() => parseDetachKeys('ctrl-1')).toThrow('Invalid detach keys (ctrl-1) provided');
    expect(() => parseDetachKeys('shift-a')).toThrow('Invalid detach keys (shift-a) provided');
  });
});

describe('logs --since and --until', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  it('accepts durations, Unix times and RFC 3339', () => {
    expect(parseLogTime('42m', now)).toBe('2025-01-01T11:18:00.000Z');
    expect(parseLogTime('1h30m', now)).toBe('2025-01-01T10:30:00.000Z');
    expect(parseLogTime('1735732800', now)).toBe('2025-01-01T12:00:00.000Z');
    expect(parseLogTime('2025-01-01T10:00:00Z', now)).toBe('2025-01-01T10:00:00.000Z');
    expect(parseLogTime('', now)).toBe('');
    expect(() => parseLogTime('yesterday', now)).toThrow(/failed to parse value as time or duration/);
  });
});
