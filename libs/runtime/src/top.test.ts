import { filterPsOutput } from './top';

const PS = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init
root        4242    4200  0 10:01 ?        00:00:00 sleep 1000 with args
root        4243    4242  0 10:01 pts/0    00:00:00 sh -c echo hi
`;

describe('filterPsOutput', () => {
  it("keeps the container's rows and joins the command", () => {
    const result = filterPsOutput(PS, [4242, 4243]);
    expect(result.titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    expect(result.processes.map((p) => p.fields)).toEqual([
      ['root', '4242', '4200', '0', '10:01', '?', '00:00:00', 'sleep 1000 with args'],
      ['root', '4243', '4242', '0', '10:01', 'pts/0', '00:00:00', 'sh -c echo hi'],
    ]);
  });

  it('works with custom columns', () => {
    expect(filterPsOutput('    PID COMMAND\n   4242 sleep\n  99 other\n', [4242]).processes).toEqual([{ fields: ['4242', 'sleep'] }]);
  });

  it('needs a PID column', () => {
    expect(() => filterPsOutput('COMMAND\nsleep\n', [1])).toThrow('PID');
  });
});
