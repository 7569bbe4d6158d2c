import { resolveUser } from './user';

const passwd = `root:x:0:0:root:/root:/bin/sh
# comment
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:App:/home/app:/bin/sh
1234:x:4321:4321::/nonexistent:/bin/false
broken line
`;
const group = `root:x:0:root
bin:x:1:root,daemon
daemon:x:2:root,daemon
wheel:x:10:root,app
app:x:1000:
staff:x:50:app
`;

describe('resolveUser', () => {
  it('defaults to root with its supplementary groups', () => {
    expect(resolveUser('', passwd, group)).toEqual({ uid: 0, gid: 0, additionalGids: [0, 1, 2, 10], home: '/root' });
  });

  it('defaults to 0:0 on an image without passwd or group', () => {
    expect(resolveUser('', undefined, undefined)).toEqual({ uid: 0, gid: 0, additionalGids: [0], home: '/' });
  });

  it('resolves a name to its ids, home and groups', () => {
    expect(resolveUser('app', passwd, group)).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 10, 50], home: '/home/app' });
  });

  it('treats a numeric user as a uid, with or without an entry', () => {
    expect(resolveUser('1000', passwd, group)).toMatchObject({ uid: 1000, gid: 1000, additionalGids: [1000, 10, 50] });
    expect(resolveUser('4242', passwd, group)).toEqual({ uid: 4242, gid: 0, additionalGids: [0], home: '/' });
    // "1234" is a user name in the file, but numbers are always uids.
    expect(resolveUser('1234', passwd, group).uid).toBe(1234);
  });

  it('takes an explicit group by gid or name, without supplementary groups', () => {
    expect(resolveUser('app:50', passwd, group)).toEqual({ uid: 1000, gid: 50, additionalGids: [50], home: '/home/app' });
    expect(resolveUser('1000:staff', passwd, group)).toMatchObject({ uid: 1000, gid: 50, additionalGids: [50] });
    expect(resolveUser('4242:777', undefined, undefined)).toMatchObject({ uid: 4242, gid: 777, additionalGids: [777] });
  });

  it('refuses unknown names like docker', () => {
    expect(() => resolveUser('nobody', passwd, group)).toThrow(
      'unable to find user nobody: no matching entries in passwd file',
    );
    expect(() => resolveUser('nobody', undefined, undefined)).toThrow(/unable to find user nobody/);
    expect(() => resolveUser('app:nogroup', passwd, group)).toThrow(
      'unable to find group nogroup: no matching entries in group file',
    );
  });

  it('refuses ids out of range', () => {
    expect(() => resolveUser('4294967296', passwd, group)).toThrow(/out of range/);
  });
});
