import { ErrorCode } from '@berth/errors';
import { danglingFilter, labelsMatch, LIST_FILTERS, parseFilterArgs, parseUntil, PRUNE_FILTERS, tagsMatchingReference } from './filters';
import { goPathMatch } from './go-path-match';

describe("Go's path.Match", () => {
  it.each([
    ['busybox', 'busybox', true],
    ['busy*', 'busybox', true],
    ['*', 'alice/app', false],
    ['*/*', 'alice/app', true],
    ['b?sybox', 'busybox', true],
    ['b[a-u]sybox', 'busybox', true],
    ['b[^u]sybox', 'busybox', false],
    ['busybox:1.*', 'busybox:1.36', true],
    ['\\*', '*', true],
    ['busy', 'busybox', false],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(goPathMatch(pattern, name)).toBe(expected);
  });

  it.each(['[', 'a[', '[a-', '\\', '[]', '[]a]', '[a-]'])('refuses the malformed pattern %s', (pattern) => {
    expect(() => goPathMatch(pattern, 'x')).toThrow('syntax error in pattern');
  });
});

describe('image filters', () => {
  it('refuses unknown keys and values without a name, in docker words', () => {
    expect(() => parseFilterArgs(['foo=bar'], LIST_FILTERS)).toThrow("Invalid filter 'foo'");
    expect(() => parseFilterArgs(['until=1h'], LIST_FILTERS)).toThrow("Invalid filter 'until'");
    expect(() => parseFilterArgs(['label'], LIST_FILTERS)).toThrow('bad format of filter');
    expect(parseFilterArgs(['label!=a=b', 'until=1h'], PRUNE_FILTERS).get('label!')).toEqual(['a=b']);
  });

  it('reads dangling as docker does', () => {
    expect(danglingFilter(parseFilterArgs(['dangling=true'], LIST_FILTERS))).toBe(true);
    expect(danglingFilter(parseFilterArgs(['dangling=0'], LIST_FILTERS))).toBe(false);
    expect(danglingFilter(parseFilterArgs([], LIST_FILTERS))).toBeUndefined();
    expect(() => danglingFilter(parseFilterArgs(['dangling=xyz'], LIST_FILTERS))).toThrow("Invalid filter 'dangling=[xyz]'");
  });

  it('matches labels by key, by key and value, and label! as their negation', () => {
    const labels = { a: '1', b: '' };
    expect(labelsMatch(parseFilterArgs(['label=a'], PRUNE_FILTERS), labels)).toBe(true);
    expect(labelsMatch(parseFilterArgs(['label=a=1', 'label=b'], PRUNE_FILTERS), labels)).toBe(true);
    expect(labelsMatch(parseFilterArgs(['label=a=2'], PRUNE_FILTERS), labels)).toBe(false);
    expect(labelsMatch(parseFilterArgs(['label!=a'], PRUNE_FILTERS), labels)).toBe(false);
    expect(labelsMatch(parseFilterArgs(['label!=c'], PRUNE_FILTERS), labels)).toBe(true);
  });

  it('keeps the tags a reference pattern matches by name:tag or by name', () => {
    const tags = ['docker.io/library/busybox:latest', 'docker.io/library/busybox:1.36', 'docker.io/alice/app:v1', '127.0.0.1:5001/x/y:z'];
    const match = (pattern: string): string[] => tagsMatchingReference(parseFilterArgs([`reference=${pattern}`], LIST_FILTERS), tags);
    expect(match('busybox')).toEqual(tags.slice(0, 2));
    expect(match('busybox:1.*')).toEqual([tags[1]]);
    expect(match('*/app')).toEqual([tags[2]]);
    expect(match('*')).toEqual(tags.slice(0, 2));
    expect(match('127.0.0.1:5001/*/*')).toEqual([tags[3]]);
  });

  it('reads until= as a duration, Unix seconds or a time', () => {
    const now = Date.parse('2025-01-02T00:00:00Z');
    expect(parseUntil('24h', now)).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(parseUntil('1h30m', now)).toBe(now - 5_400_000);
    expect(parseUntil('1735689600', now)).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(parseUntil('2025-01-01T00:00:00Z', now)).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(() => parseUntil('xyz', now)).toThrow('failed to parse value as time or duration: "xyz"');
    try {
      parseUntil('xyz', now);
    } catch (err) {
      expect(err).toMatchObject({ code: ErrorCode.InvalidArgument });
    }
  });
});
