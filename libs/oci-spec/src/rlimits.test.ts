import { RLIM_INFINITY, toPosixRlimits } from './rlimits';

describe('toPosixRlimits', () => {
  it('normalises names and clamps soft to hard', () => {
    expect(toPosixRlimits([{ type: 'nofile', soft: 1048576, hard: 20000 }])).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
    ]);
  });

  it('keeps the last entry per type', () => {
    expect(
      toPosixRlimits([
        { type: 'RLIMIT_NPROC', soft: 1, hard: 2 },
        { type: 'RLIMIT_NPROC', soft: 3, hard: 4 },
      ]),
    ).toEqual([{ type: 'RLIMIT_NPROC', soft: 3, hard: 4 }]);
  });

  it('reads -1 and Infinity as unlimited', () => {
    expect(toPosixRlimits([{ type: 'RLIMIT_CORE', soft: 0, hard: -1 }, { type: 'RLIMIT_STACK', soft: Infinity, hard: Infinity }])).toEqual([
      { type: 'RLIMIT_CORE', soft: 0, hard: RLIM_INFINITY },
      { type: 'RLIMIT_STACK', soft: RLIM_INFINITY, hard: RLIM_INFINITY },
    ]);
  });

  it('refuses unknown types and bad values', () => {
    expect(() => toPosixRlimits([{ type: 'RLIMIT_FOO', soft: 1, hard: 1 }])).toThrow('invalid rlimit type: RLIMIT_FOO');
    expect(() => toPosixRlimits([{ type: 'nofile', soft: -3, hard: 1 }])).toThrow(/invalid RLIMIT_NOFILE value/);
  });
});
