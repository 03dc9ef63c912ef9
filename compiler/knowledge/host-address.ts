// What DMS accepts as an endpoint's ServerName: a DNS name or an IP address, nothing else. Users paste
// connection strings and `host:port` pairs; each gets a message that says what to write instead.

import { isIP } from 'node:net';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Why `host` is not a bare host name or address, with what to write instead; null when it is one. */
export function hostAddressProblem(host: string, portKey: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    return `it is a URL; write only the host name or address (the port goes in ${portKey})`;
  }
  const withPort = /^\[([^\]]+)\]:(\d+)$/.exec(host) ?? /^([^:]+):(\d+)$/.exec(host);
  if (withPort) return `it includes a port; write "${withPort[1]}" here and ${portKey}: ${withPort[2]}`;
  if (/^\[.*\]$/.test(host) && isIP(host.slice(1, -1)) === 6) {
    return `write the IPv6 address without brackets: "${host.slice(1, -1)}"`;
  }
  if (isIP(host) !== 0) return null;
  if (/\s/.test(host)) return 'it contains white space';
  if (/[/@?#]/.test(host)) return 'it contains "/", "@", "?" or "#": write only the host name or address';
  if (/^[\d.]+$/.test(host)) return 'it is not a valid IPv4 address (four numbers from 0 to 255)';
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253) return 'a DNS name is at most 253 characters';
  const bad = name.split('.').find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return bad === ''
      ? 'it has an empty label (two dots in a row)'
      : `"${bad}" is not a DNS label (letters, digits and inner hyphens, at most 63 characters)`;
  }
  return null;
}
