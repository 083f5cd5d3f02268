import { describe, expect, it } from 'vitest';
import { Redactor } from './redact';

const redactor = () =>
  new Redactor({ addresses: true, keepHosts: [], secrets: ['s3cret'], machineNames: [] });

describe('Redactor', () => {
  it("keeps a browser's version in a user agent: Chrome/140.0.0.0 is no address", () => {
    const ua =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36';
    expect(redactor().text(ua)).toBe(ua);
    expect(redactor().text('Chrome/120.0.0.0 Edg/120.0.0.0')).toBe('Chrome/120.0.0.0 Edg/120.0.0.0');
  });

  it('still replaces every address, also one after a slash that is no product', () => {
    const r = redactor();
    const out = r.text(
      'from 10.1.2.3 via proxy/10.1.2.3 to http://198.51.100.9/x and 203.0.113.5:54321, fe80::1',
    );
    expect(out).not.toMatch(/10\.1\.2\.3|198\.51\.100\.9|203\.0\.113\.5|fe80::1/);
    expect(out.match(/ip-[0-9a-f]{6}/g)?.length).toBe(4);
    expect(out).toContain(`via proxy/${r.tokenFor('10.1.2.3')} `);
    expect(out).toMatch(/:54321, ip6-[0-9a-f]{6}$/);
    expect(r.text('a s3cret word')).not.toContain('s3cret');
  });
});
