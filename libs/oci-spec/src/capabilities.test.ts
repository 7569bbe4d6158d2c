import { isBerthError } from '@berth/errors';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  capabilitiesFromMask,
  capabilityMask,
  normalizeCapabilities,
} from './capabilities';

describe('capabilities', () => {
  it('the default set is CapEff 00000000a80425fb', () => {
    expect(capabilityMask(DEFAULT_CAPABILITIES).toString(16).padStart(16, '0')).toBe('00000000a80425fb');
  });

  it('knows every capability through CAP_CHECKPOINT_RESTORE (40)', () => {
    expect(ALL_CAPABILITIES).toHaveLength(41);
    expect(ALL_CAPABILITIES[40]).toBe('CAP_CHECKPOINT_RESTORE');
    expect(ALL_CAPABILITIES[24]).toBe('CAP_SYS_RESOURCE');
    expect(capabilityMask(ALL_CAPABILITIES)).toBe((1n << 41n) - 1n);
  });

  it('reads a CapEff mask', () => {
    expect(capabilitiesFromMask('00000000a80425fb')).toEqual(normalizeCapabilities([], [], false).slice().sort(byBit));
    // A host without CAP_SYS_RESOURCE, like this project's CI.
    const host = capabilitiesFromMask('000001fffeffffff');
    expect(host).toHaveLength(40);
    expect(host).not.toContain('CAP_SYS_RESOURCE');
  });

  it('defaults to docker set', () => {
    expect(normalizeCapabilities([], [], false)).toEqual([...DEFAULT_CAPABILITIES]);
  });

  it('adds and drops in any spelling', () => {
    const caps = normalizeCapabilities(['net_admin', 'CAP_SYS_PTRACE'], ['chown', 'CAP_NET_RAW'], false);
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).toContain('CAP_SYS_PTRACE');
    expect(caps).not.toContain('CAP_CHOWN');
    expect(caps).not.toContain('CAP_NET_RAW');
    expect(caps).toHaveLength(DEFAULT_CAPABILITIES.length);
  });

  it('drop ALL keeps only the added ones', () => {
    expect(normalizeCapabilities(['NET_BIND_SERVICE'], ['ALL'], false)).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(normalizeCapabilities([], ['all'], false)).toEqual([]);
  });

  it('add ALL gives everything available but the drops', () => {
    const caps = normalizeCapabilities(['ALL'], ['SYS_ADMIN'], false);
    expect(caps).toHaveLength(40);
    expect(caps).not.toContain('CAP_SYS_ADMIN');
  });

  it('privileged gets everything available, ignoring add/drop', () => {
    expect(normalizeCapabilities([], ['ALL'], true)).toEqual([...ALL_CAPABILITIES]);
    const host = capabilitiesFromMask('000001fffeffffff');
    expect(normalizeCapabilities([], [], true, host)).toEqual(host);
  });

  it('refuses unknown and unavailable capabilities', () => {
    expect(() => normalizeCapabilities(['FOO'], [], false)).toThrow('unknown capability: "CAP_FOO"');
    const host = capabilitiesFromMask('000001fffeffffff');
    expect(() => normalizeCapabilities(['SYS_RESOURCE'], [], false, host)).toThrow(/not available.*CAP_SYS_RESOURCE/);
    try {
      normalizeCapabilities([], ['cap_bogus'], false);
    } catch (err) {
      expect(isBerthError(err, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

function byBit(a: string, b: string): number {
  return ALL_CAPABILITIES.indexOf(a) - ALL_CAPABILITIES.indexOf(b);
}
