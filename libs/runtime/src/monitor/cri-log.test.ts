import { LineAssembler, LineSplitter, MAX_ASSEMBLED_LINE, parseCriLine, timeToNanos } from './cri-log';

const T = '2026-01-02T03:04:05.123456789Z';

describe('parseCriLine', () => {
  it('parses full and partial records, keeping content bytes exactly', () => {
    expect(parseCriLine(Buffer.from(`${T} stdout F hello world`))).toEqual({ time: T, stream: 'stdout', partial: false, content: Buffer.from('hello world') });
    expect(parseCriLine(Buffer.from(`${T} stderr P  two  spaces `))!.content.toString()).toBe(' two  spaces ');
    const binary = Buffer.concat([Buffer.from(`${T} stdout F `), Buffer.from([0xff, 0x00, 0xfe])]);
    expect([...parseCriLine(binary)!.content]).toEqual([0xff, 0x00, 0xfe]);
  });

  it('accepts an empty line with or without the separator', () => {
    expect(parseCriLine(Buffer.from(`${T} stdout F `))!.content.length).toBe(0);
    expect(parseCriLine(Buffer.from(`${T} stdout F`))!.content.length).toBe(0);
  });

  it('rejects what is not a record', () => {
    for (const line of ['', 'garbage', `${T} stdin F x`, `${T} stdout X x`, `${T} stdout Fx`]) {
      expect(parseCriLine(Buffer.from(line))).toBeUndefined();
    }
  });
});

describe('LineAssembler', () => {
  const rec = (stream: 'stdout' | 'stderr', tag: 'F' | 'P', content: string, time = T) =>
    parseCriLine(Buffer.from(`${time} ${stream} ${tag} ${content}`))!;

  it('joins partial records with the full one that ends the line, per stream', () => {
    const asm = new LineAssembler();
    expect(asm.push(rec('stdout', 'P', 'hel'))).toBeUndefined();
    expect(asm.push(rec('stderr', 'F', 'oops'))).toMatchObject({ stream: 'stderr', data: Buffer.from('oops\n') });
    expect(asm.push(rec('stdout', 'P', 'lo '))).toBeUndefined();
    const line = asm.push(rec('stdout', 'F', 'world', '2026-01-02T03:04:06Z'))!;
    expect(line.data.toString()).toBe('hello world\n');
    expect(line.time).toBe('2026-01-02T03:04:06Z');
    expect(asm.flush()).toEqual([]);
  });

  it('hands out an unterminated tail on flush', () => {
    const asm = new LineAssembler();
    asm.push(rec('stdout', 'P', 'prompt> '));
    expect(asm.flush()).toEqual([{ stream: 'stdout', data: Buffer.from('prompt> '), time: T }]);
  });

  it('does not hold an endless line whole', () => {
    const asm = new LineAssembler();
    const piece = 'x'.repeat(16 * 1024);
    let out;
    let pushed = 0;
    while (!(out = asm.push(rec('stdout', 'P', piece)))) pushed++;
    expect(out.data.length).toBeGreaterThanOrEqual(MAX_ASSEMBLED_LINE);
    expect(pushed).toBeLessThan(MAX_ASSEMBLED_LINE / piece.length);
  });
});

describe('LineSplitter', () => {
  it('keeps an unfinished line until its newline arrives', () => {
    const split = new LineSplitter();
    expect(split.push(Buffer.from('a\nb')).map(String)).toEqual(['a']);
    expect(split.push(Buffer.from('c\n\nd')).map(String)).toEqual(['bc', '']);
  });
});

describe('timeToNanos', () => {
  it('keeps nanoseconds and honours offsets', () => {
    expect(timeToNanos('1970-01-01T00:00:01.000000002Z')).toBe(1_000_000_002n);
    expect(timeToNanos('1970-01-01T01:00:00.5+01:00')).toBe(500_000_000n);
    expect(() => timeToNanos('yesterday')).toThrow();
  });
});
