import { escapeHtml, formatBytes, html } from './html';
import { Sessions, readCookie } from './session';

describe('ui html', () => {
  it('escapes every interpolated value, arrays included, and keeps nested Html', () => {
    const hostile = `<script>alert("x")</script>' onmouseover='x' \`&`;
    const out = html`<p title="${hostile}">${[hostile, html`<b>${hostile}</b>`]}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).not.toMatch(/' onmouseover/);
    expect(out).toContain('<b>&lt;script&gt;');
    expect(escapeHtml(`"'<>&\``)).toBe('&quot;&#39;&lt;&gt;&amp;&#96;');
    expect(html`${undefined}${null}${false}${0}`.value).toBe('0');
  });

  it('formats sizes as docker does (SI units)', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(2_148_000)).toBe('2.15 MB');
    expect(formatBytes(157_000_000)).toBe('157.0 MB');
  });
});

describe('ui sessions', () => {
  const sessions = new Sessions(Buffer.alloc(32, 7));

  it('round-trips a user and refuses tampering, other keys and expiry', () => {
    const value = sessions.issue('alice', 1_000_000);
    expect(sessions.verify(value, 1_000_000)).toBe('alice');
    const [payload, signature] = value.split('.');
    const forged = Buffer.from(JSON.stringify({ u: 'bob', exp: 9e9 })).toString('base64url');
    expect(sessions.verify(`${forged}.${signature}`, 1_000_000)).toBeUndefined();
    expect(sessions.verify(`${payload}.${signature}x`, 1_000_000)).toBeUndefined();
    expect(new Sessions(Buffer.alloc(32, 8)).verify(value, 1_000_000)).toBeUndefined();
    expect(sessions.verify(value, 1_000_000 + 13 * 3600_000)).toBeUndefined();
    expect(sessions.verify('garbage', 0)).toBeUndefined();
    expect(sessions.verify(undefined)).toBeUndefined();
  });

  it('sets an HttpOnly SameSite=Strict cookie and reads it back', () => {
    const cookie = sessions.setCookie('alice');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const value = cookie.split(';')[0]!.split('=')[1];
    expect(readCookie(`a=b; berth_hub_session=${value}; c=d`, 'berth_hub_session')).toBe(value);
    expect(readCookie(undefined, 'x')).toBeUndefined();
  });
});
