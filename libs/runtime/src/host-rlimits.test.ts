import { parseProcLimits } from './host-rlimits';

const SAMPLE = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max stack size            8388608              unlimited            bytes
Max processes             96365                96365                processes
Max open files            1024                 20000                files
Max nice priority         0                    0
`;

describe('parseProcLimits', () => {
  it('maps rows to RLIMIT names with -1 for unlimited', () => {
    expect(parseProcLimits(SAMPLE)).toEqual([
      { type: 'RLIMIT_CPU', soft: -1, hard: -1 },
      { type: 'RLIMIT_STACK', soft: 8388608, hard: -1 },
      { type: 'RLIMIT_NPROC', soft: 96365, hard: 96365 },
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 },
      { type: 'RLIMIT_NICE', soft: 0, hard: 0 },
    ]);
  });
});
