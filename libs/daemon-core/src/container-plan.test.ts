import { daemon, types } from '@berth/proto';
import { planContainer } from './container-plan';

const image = types.Image.fromPartial({
  id: 'sha256:' + 'a'.repeat(64),
  config: { cmd: ['/bin/sh'], env: ['PATH=/bin', 'A=1'], workingDir: '/srv', user: 'berth' },
});

function plan(config: Partial<daemon.ContainerConfig>, host: Partial<daemon.HostConfig> = {}) {
  return planContainer({
    id: 'f'.repeat(64),
    config: daemon.ContainerConfig.fromPartial({ image: 'busybox', ...config }),
    hostConfig: daemon.HostConfig.fromPartial(host),
    image,
    cpuCount: 2,
  });
}

describe('planContainer', () => {
  it('uses the image defaults', () => {
    const { spec, path, args } = plan({});
    expect(spec.args).toEqual(['/bin/sh']);
    expect([path, ...args]).toEqual(['/bin/sh']);
    expect(spec.cwd).toBe('/srv');
    expect(spec.user).toBe('berth');
    expect(spec.hostname).toBe('ffffffffffff');
    expect(spec.networkMode).toBe('none');
  });

  it('lets the user override env, command, user and workdir', () => {
    const { spec } = plan({ cmd: ['echo', 'hi'], env: ['A=2'], user: '0', workingDir: '/' });
    expect(spec.args).toEqual(['echo', 'hi']);
    expect(spec.env).toEqual(['PATH=/bin', 'A=2', 'HOSTNAME=ffffffffffff']);
    expect(spec.user).toBe('0');
  });

  it('drops the image command when --entrypoint is given alone', () => {
    expect(plan({ entrypointSet: true, entrypoint: ['/bin/true'] }).spec.args).toEqual(['/bin/true']);
  });

  it.each([
    [{ entrypointSet: true, entrypoint: [] }, {}, /No command specified/],
    [{ workingDir: 'relative' }, {}, /needs to be an absolute path/],
    [{}, { memory: 1024 }, /Minimum memory limit allowed is 6MB/],
    [{}, { memory: 8 << 20, memorySwap: 4 << 20 }, /memoryswap limit should be larger/],
    [{}, { nanoCpus: 3e9 }, /Range of CPUs is from 0.01 to 2.00/],
    [{}, { networkMode: 'bridge' }, /network bridge not found/],
    [{}, { securityOpt: ['bogus'] }, /invalid --security-opt/],
    [{}, { securityOpt: ['no-new-privileges=maybe'] }, /invalid --security-opt/],
  ])('refuses bad input %#', (config, host, message) => {
    expect(() => plan(config, host)).toThrow(message);
  });

  it('reads security options', () => {
    const { spec } = plan({}, { securityOpt: ['no-new-privileges', 'seccomp=unconfined'], privileged: false });
    expect(spec.security?.noNewPrivileges).toBe(true);
    expect(spec.security?.seccompProfile).toBe('unconfined');
  });
});
