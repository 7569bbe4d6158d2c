import { parseHubConfig } from './config';

describe('parseHubConfig', () => {
  it('reads YAML and JSON', () => {
    expect(parseHubConfig('addr: 127.0.0.1:5050\nroot: /tmp/hub\nallowAnonymousPush: true\ngcGrace: 60\n', 'c.yaml')).toEqual({
      addr: '127.0.0.1:5050',
      root: '/tmp/hub',
      allowAnonymousPush: true,
      gcGrace: 60,
    });
    expect(parseHubConfig('{"redis": "/run/r.sock", "service": "hub", "realm": "http://127.0.0.1:5000/token"}', 'c.json')).toEqual({
      redis: '/run/r.sock',
      service: 'hub',
      realm: 'http://127.0.0.1:5000/token',
    });
    expect(parseHubConfig('', 'empty')).toEqual({});
  });

  it('refuses unknown settings, wrong types and malformed files', () => {
    expect(() => parseHubConfig('adr: x', 'c')).toThrow(/unknown setting "adr"/);
    expect(() => parseHubConfig('allowAnonymousPush: "yes"', 'c')).toThrow(/allowAnonymousPush wants a boolean/);
    expect(() => parseHubConfig('gcGrace: -1', 'c')).toThrow(/whole number/);
    expect(() => parseHubConfig('- a\n- b', 'c')).toThrow(/mapping/);
    expect(() => parseHubConfig('{ addr: ', 'c')).toThrow(/not valid YAML/);
  });
});
