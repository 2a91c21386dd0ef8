// Unit tests of tcp/flash-policy.ts: the exact default policy, the NUL-terminated response, and
// how the first bytes of a connection are classified (tcp-policy.test.ts serves it for real).
import { describe, expect, it } from 'vitest';
import { defaultPolicyXml, POLICY_REQUEST, policyResponse, sniffPolicyRequest } from '../src/tcp/flash-policy.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('flash policy', () => {
  it('the default policy allows any domain to the TCP port, and nothing else', () => {
    expect(defaultPolicyXml(8081)).toBe([
      '<?xml version="1.0"?>',
      '<!DOCTYPE cross-domain-policy SYSTEM "http://www.adobe.com/xml/dtds/cross-domain-policy.dtd">',
      '<cross-domain-policy>',
      '  <site-control permitted-cross-domain-policies="master-only"/>',
      '  <allow-access-from domain="*" to-ports="8081"/>',
      '</cross-domain-policy>',
    ].join('\n'));
  });

  it('the response is the UTF-8 XML and one NUL', () => {
    expect([...policyResponse('<a é/>')]).toEqual([...bytes('<a é/>'), 0]);
    expect([...policyResponse('')]).toEqual([0]);
  });

  it('classifies the first bytes: the whole request, a prefix of it, or anything else', () => {
    expect(POLICY_REQUEST).toEqual(bytes('<policy-file-request/>\0'));
    expect(sniffPolicyRequest(POLICY_REQUEST)).toBe('request');
    expect(sniffPolicyRequest(bytes('<policy-file-request/>\0 and more'))).toBe('request');
    expect(sniffPolicyRequest(bytes('<policy-file-request/>'))).toBe('maybe'); // no NUL yet
    expect(sniffPolicyRequest(bytes('<'))).toBe('maybe');
    expect(sniffPolicyRequest(new Uint8Array(0))).toBe('maybe');
    expect(sniffPolicyRequest(bytes('<policy-file-request/>x'))).toBe('not');
    expect(sniffPolicyRequest(bytes('x'))).toBe('not');
    expect(sniffPolicyRequest(bytes('<policy-file-reques!'))).toBe('not');
  });
});
