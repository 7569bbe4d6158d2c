import type { OciProcess } from '@berth/oci-spec';
import { RLIM_INFINITY } from '@berth/oci-spec';
import { execProcess } from './exec-process';

const base: OciProcess = {
  terminal: false,
  user: { uid: 1000, gid: 1000, additionalGids: [1000] },
  args: ['sleep', '1000'],
  env: ['PATH=/bin', 'HOSTNAME=box', 'A=1'],
  cwd: '/srv',
  capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: [], ambient: [] },
  rlimits: [{ type: 'RLIMIT_CORE', soft: 0, hard: RLIM_INFINITY }],
  noNewPrivileges: true,
  oomScoreAdj: 0,
};

const open = { id: 'c', args: ['id'], env: ['A=2'], cwd: '', user: '', tty: true, stdin: false, privileged: false, size: { rows: 40, cols: 100 } };

describe('execProcess', () => {
  it("starts from the container's process", () => {
    const result = execProcess(base, open, undefined, ['CAP_KILL', 'CAP_SYS_ADMIN']);
    expect(result.args).toEqual(['id']);
    expect(result.env).toEqual(expect.arrayContaining(['A=2', 'HOSTNAME=box', 'TERM=xterm']));
    expect(result.env).not.toContain('A=1');
    expect(result.cwd).toBe('/srv');
    expect(result.user.uid).toBe(1000);
    expect(result.terminal).toBe(true);
    expect(result.consoleSize).toEqual({ height: 40, width: 100 });
    expect(result.noNewPrivileges).toBe(true);
    expect(result.capabilities.bounding).toEqual(['CAP_KILL']);
  });

  it('gives a privileged exec every capability the shim has, and a resolved user', () => {
    const result = execProcess(base, { ...open, privileged: true, cwd: '/', tty: false }, { uid: 0, gid: 0, additionalGids: [] }, ['CAP_KILL', 'CAP_SYS_ADMIN']);
    expect(result.capabilities.effective).toEqual(['CAP_KILL', 'CAP_SYS_ADMIN']);
    expect(result.user).toEqual({ uid: 0, gid: 0, additionalGids: [0] });
    expect(result.consoleSize).toBeUndefined();
  });
});
