import { isIP } from 'node:net';

/**
 * Where the review server may listen and which `Host` headers it answers. Pure functions, so
 * the rules are table-tested without sockets.
 *
 * DNS rebinding works through a host NAME: a page on evil.example re-resolves its own name to
 * the server's address, and the browser then sends `Host: evil.example`. So the check is on the
 * name, not the port: an SSH tunnel from another local port (`ssh -L 9000:127.0.0.1:8123`) sends
 * `Host: localhost:9000`, which is accepted, while any name we do not know is refused.
 */

/** True for an address that only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.split('.')[0] === '127';
  if (isIP(h) === 6) return /^(0{0,4}:){7}0{0,3}1$|^::1$|^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
  return false;
}

/** The name of a Host header without its port (IPv6 keeps no brackets), lowercased; null if malformed. */
export function hostName(header: string): string | null {
  const h = header.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(h);
  if (v6) return isIP(v6[1]!) === 6 && validPort(v6[2]) ? v6[1]! : null;
  const named = /^([a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(h);
  if (named && validPort(named[2])) return named[1]!;
  return null;
}

function validPort(port: string | undefined): boolean {
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

export interface HostPolicy {
  /** Listening on an address other machines can reach (`--allow-remote`). */
  readonly remote: boolean;
  /** Extra DNS names the server may be reached by (`--allow-host`, remote only), lowercased. */
  readonly names: readonly string[];
}

/**
 * Whether to answer a request carrying this `Host` header, whatever its port (a tunnel or a
 * proxy may forward from another one): a loopback name or address always; when serving remotely
 * also any IP literal (a page can only send one as Host when its own origin is that address, i.e.
 * this server) and the names given with `--allow-host`.
 */
export function hostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  if (header === undefined) return false;
  const name = hostName(header);
  if (name === null) return false;
  if (isLoopbackHost(name)) return true;
  if (!policy.remote) return false;
  return isIP(name) !== 0 || policy.names.includes(name);
}

/** The URL authority for a listening address (IPv6 in brackets; a wildcard shown as this machine's loopback). */
export function urlHost(address: string, port: number): string {
  const shown = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
  return isIP(shown) === 6 ? `[${shown}]:${port}` : `${shown}:${port}`;
}
