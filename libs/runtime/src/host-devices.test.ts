import { deviceNumbers, listHostDevices } from './host-devices';

describe('host devices', () => {
  it('decodes dev_t like glibc', () => {
    expect(deviceNumbers(0x0103)).toEqual({ major: 1, minor: 3 });
    expect(deviceNumbers(0x8800)).toEqual({ major: 136, minor: 0 });
  });

  it('lists /dev/null as a character device', async () => {
    const devices = await listHostDevices();
    expect(devices).toContainEqual(expect.objectContaining({ path: '/dev/null', type: 'c', major: 1, minor: 3 }));
    expect(devices.some((d) => d.path.startsWith('/dev/pts/'))).toBe(false);
  });
});
