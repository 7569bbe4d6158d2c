import { DEFAULT_PATH, defaultEnv } from './env';

describe('defaultEnv', () => {
  it('puts PATH, HOSTNAME and TERM first like docker', () => {
    expect(defaultEnv(['A=1'], true, 'abc')).toEqual([`PATH=${DEFAULT_PATH}`, 'HOSTNAME=abc', 'TERM=xterm', 'A=1']);
    expect(defaultEnv([], false)).toEqual([`PATH=${DEFAULT_PATH}`]);
  });

  it('lets the container override defaults in place', () => {
    expect(defaultEnv(['TERM=vt100', 'PATH=/bin'], true, 'h')).toEqual(['PATH=/bin', 'HOSTNAME=h', 'TERM=vt100']);
  });

  it('removes a variable given without a value', () => {
    expect(defaultEnv(['HOSTNAME', 'X'], false, 'h')).toEqual([`PATH=${DEFAULT_PATH}`]);
  });

  it('is idempotent and keeps values containing =', () => {
    const once = defaultEnv(['A=b=c'], true, 'h');
    expect(defaultEnv(once, true, 'h')).toEqual(once);
    expect(once).toContain('A=b=c');
  });
});
