import { containerStatus } from './container-status';
import { humanDuration, timeAgo } from './duration';
import { bytesSize, goFormatG, humanSize } from './size';
import { renderTable } from './table';
import { renderTemplate } from './template';
import { ellipsis, goQuote, shortId } from './truncate';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("humanDuration (go-units' HumanDuration)", () => {
  it.each([
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * S, '1 second'],
    [5 * S, '5 seconds'],
    [59 * S, '59 seconds'],
    [60 * S, 'About a minute'],
    [119 * S, 'About a minute'],
    [2 * M, '2 minutes'],
    [59 * M, '59 minutes'],
    [60 * M, 'About an hour'],
    [89 * M, 'About an hour'],
    [90 * M, '2 hours'],
    [3 * H, '3 hours'],
    [47 * H, '47 hours'],
    [2 * D, '2 days'],
    [13 * D, '13 days'],
    [14 * D, '2 weeks'],
    [3 * 7 * D, '3 weeks'],
    [60 * D, '2 months'],
    [4 * 30 * D, '4 months'],
    [2 * 365 * D, '2 years'],
  ])('%d ms is "%s"', (ms, words) => expect(humanDuration(ms)).toBe(words));

  it('says "ago" from an RFC 3339 time, and nothing for the zero time', () => {
    expect(timeAgo('2025-01-01T11:59:55Z', Date.parse('2025-01-01T12:00:00Z'))).toBe('5 seconds ago');
    expect(timeAgo('0001-01-01T00:00:00Z')).toBe('');
  });
});

describe("humanSize (go-units' HumanSizeWithPrecision, 3)", () => {
  it.each([
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [1234, '1.23kB'],
    [4_261_376, '4.26MB'],
    [1_500_000_000, '1.5GB'],
    [999_900, '1e+03kB'],
  ])('%d bytes is %s', (bytes, text) => expect(humanSize(bytes)).toBe(text));

  it('formats like Go %g', () => {
    expect(goFormatG(100, 3)).toBe('100');
    expect(goFormatG(4.2, 3)).toBe('4.2');
    expect(goFormatG(0.00001234, 3)).toBe('1.23e-05');
  });

  it('uses binary units for memory', () => {
    expect(bytesSize(4 * 1024 ** 3)).toBe('4GiB');
    expect(bytesSize(3.823 * 1024 ** 3)).toBe('3.823GiB');
  });
});

describe('tables, truncation and quoting', () => {
  it("pads columns like docker's tabwriter (minwidth 10, padding 3)", () => {
    expect(renderTable([['REPOSITORY', 'TAG', 'SIZE'], ['a', 'latest', '1MB']])).toBe('REPOSITORY   TAG       SIZE\na            latest    1MB\n');
  });

  it('truncates IDs to 12 and text with an ellipsis', () => {
    expect(shortId(`sha256:${'f'.repeat(64)}`)).toBe('f'.repeat(12));
    expect(ellipsis('sh -c while true; do sleep 1; done', 20)).toBe('sh -c while true; d…');
    expect(ellipsis('short', 20)).toBe('short');
    expect(goQuote("sh -c 'x'")).toBe('"sh -c \'x\'"');
  });
});

describe('containerStatus (docker ps STATUS)', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  const base = { running: false, paused: false, oomKilled: false, dead: false, pid: 0, exitCode: 0, error: '', startedAt: '2025-01-01T11:59:57Z', finishedAt: '' };
  it.each([
    [{ ...base, status: 'running' }, 'Up 3 seconds'],
    [{ ...base, status: 'paused', startedAt: '2025-01-01T11:58:30Z' }, 'Up About a minute (Paused)'],
    [{ ...base, status: 'exited', exitCode: 137, finishedAt: '2025-01-01T11:59:58Z' }, 'Exited (137) 2 seconds ago'],
    [{ ...base, status: 'created' }, 'Created'],
    [{ ...base, status: 'dead' }, 'Dead'],
  ])('%j', (state, text) => expect(containerStatus(state, now)).toBe(text));
});

describe('templates', () => {
  const data = { ID: 'abc', State: { ExitCode: 3 }, Config: { Labels: { a: 'b' } }, Args: ['x', 'y'] };
  it.each([
    ['{{.ID}}', 'abc'],
    ['{{.State.ExitCode}}', '3'],
    ['{{json .Config}}', '{"Labels":{"a":"b"}}'],
    ['{{index .Config.Labels "a"}}', 'b'],
    ['{{.Args}}', '[x y]'],
    ['{{join .Args ","}}', 'x,y'],
    ['{{.Config.Labels}}', 'map[a:b]'],
    ['id={{.ID}}\\t{{upper .ID}}', 'id=abc\tABC'],
  ])('%s', (template, out) => expect(renderTemplate(template, data)).toBe(out));

  it('refuses unknown fields', () => {
    expect(() => renderTemplate('{{.Nope}}', data)).toThrow(/can't evaluate field Nope/);
  });
});
