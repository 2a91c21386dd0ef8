// Flash/AIR socket policy files: legacy Flash Player clients open the socket's port, send
// `<policy-file-request/>\0`, and connect for real only if the answer allows the port.
// Served on the TCP port when TCP_FLASH_POLICY=on (PROTOCOL.md appendix A.6).

/** The request a Flash client sends, NUL included. */
export const POLICY_REQUEST = new TextEncoder().encode('<policy-file-request/>\0');

/** The default policy: any domain may connect to the relay's TCP port. */
export function defaultPolicyXml(tcpPort: number): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE cross-domain-policy SYSTEM "http://www.adobe.com/xml/dtds/cross-domain-policy.dtd">',
    '<cross-domain-policy>',
    '  <site-control permitted-cross-domain-policies="master-only"/>',
    `  <allow-access-from domain="*" to-ports="${tcpPort}"/>`,
    '</cross-domain-policy>',
  ].join('\n');
}

/** The bytes sent back: the policy XML (UTF-8) and a terminating NUL. */
export function policyResponse(xml: string): Uint8Array {
  const body = new TextEncoder().encode(xml);
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  return out;
}

/** How far the first bytes of a connection match the policy request. */
export type PolicySniff = 'request' | 'maybe' | 'not';

/** Classifies the first `bytes` received: the whole request, a prefix of it, or something else. */
export function sniffPolicyRequest(bytes: Uint8Array): PolicySniff {
  const n = Math.min(bytes.length, POLICY_REQUEST.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== POLICY_REQUEST[i]) return 'not';
  return bytes.length >= POLICY_REQUEST.length ? 'request' : 'maybe';
}
