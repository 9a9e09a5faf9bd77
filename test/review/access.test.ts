import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostAllowed, hostName, isLoopbackHost, urlHost } from '../../src/review/access.js';

const LOCAL = { remote: false, names: [] };
const REMOTE = { remote: true, names: ['review.ward7.internal'] };

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['128.0.0.1', false],
    ['192.168.1.20', false],
    ['localhost.evil.example', false],
    ['evil-localhost', false],
    ['::2', false],
    ['', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('hostName', () => {
  it.each([
    ['127.0.0.1:8123', '127.0.0.1'],
    ['localhost:9000', 'localhost'],
    ['LocalHost', 'localhost'],
    ['[::1]:8123', '::1'],
    ['[::1]', '::1'],
    ['review.ward7.internal:443', 'review.ward7.internal'],
    ['127.0.0.1:0', null],
    ['127.0.0.1:65536', null],
    ['127.0.0.1:', null],
    ['[::1', null],
    ['[evil]:80', null],
    ['user@127.0.0.1:80', null],
    ['127.0.0.1:80/x', null],
    ['', null],
  ])('%s → %s', (header, expected) => {
    expect(hostName(header)).toBe(expected);
  });
});

describe('hostAllowed', () => {
  it.each([
    // A tunnel or proxy from another local port: the name decides, not the port.
    ['127.0.0.1:8123', LOCAL, true],
    ['127.0.0.1:9000', LOCAL, true],
    ['localhost:9000', LOCAL, true],
    ['[::1]:40001', LOCAL, true],
    ['localhost', LOCAL, true],
    // DNS rebinding: a foreign name that resolves here is still its own name.
    ['evil.example:8123', LOCAL, false],
    ['localhost.evil.example:8123', LOCAL, false],
    ['192.168.1.20:8123', LOCAL, false],
    ['review.ward7.internal:8123', LOCAL, false],
    [undefined, LOCAL, false],
    ['', LOCAL, false],
    // Served remotely: IP literals and the names given with --allow-host.
    ['192.168.1.20:8123', REMOTE, true],
    ['[fd00::5]:8123', REMOTE, true],
    ['review.ward7.internal:8123', REMOTE, true],
    ['REVIEW.WARD7.INTERNAL', REMOTE, true],
    ['localhost:8123', REMOTE, true],
    ['evil.example:8123', REMOTE, false],
    ['ward7.internal:8123', REMOTE, false],
  ] as const)('%s (%j) → %s', (header, policy, expected) => {
    expect(hostAllowed(header, policy)).toBe(expected);
  });

  it('refuses every DNS name that is neither localhost nor allowed, on any port', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 65535 }), (parts, port) => {
        const name = parts.join('.');
        fc.pre(name !== 'localhost' && !REMOTE.names.includes(name));
        expect(hostAllowed(`${name}:${port}`, LOCAL)).toBe(false);
        expect(hostAllowed(`${name}:${port}`, REMOTE)).toBe(false);
      }),
    );
  });
});

describe('urlHost', () => {
  it.each([
    ['127.0.0.1', 8123, '127.0.0.1:8123'],
    ['::1', 8123, '[::1]:8123'],
    ['0.0.0.0', 80, '127.0.0.1:80'],
    ['::', 80, '[::1]:80'],
    ['10.0.0.5', 1, '10.0.0.5:1'],
  ])('%s %d → %s', (address, port, expected) => {
    expect(urlHost(address, port)).toBe(expected);
  });
});
