import { SeccompProfiles } from './seccomp-profiles';

const profile = (name: string): string => JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: [name], action: 'SCMP_ACT_ALLOW' }] });

describe('SeccompProfiles', () => {
  it('parses a custom profile once per distinct text', async () => {
    const profiles = new SeccompProfiles('/nonexistent');
    const a = await profiles.choose(profile('read'));
    const again = await profiles.choose(profile('read'));
    const b = await profiles.choose(profile('write'));
    expect(a).toMatchObject({ mode: 'custom' });
    expect(again.mode === 'custom' && a.mode === 'custom' && again.profile === a.profile).toBe(true);
    expect(b.mode === 'custom' && a.mode === 'custom' && b.profile !== a.profile).toBe(true);
    await expect(profiles.choose('{not json')).rejects.toThrow('invalid seccomp profile');
    await expect(profiles.choose('unconfined')).resolves.toEqual({ mode: 'unconfined' });
  });
});
