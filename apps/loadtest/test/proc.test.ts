import { describe, expect, it } from 'vitest';
import { cpuPct, parseStatCpuTicks, parseStatusRssBytes, sampleProc } from '../src/proc.js';
import { cursorTimestamp, socketIoUrl } from '../src/adapters.js';

describe('/proc parsing', () => {
  it('reads utime + stime even when the command name has spaces and parentheses', () => {
    const stat = '1234 (node (x) y) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 11 0 100 1000 200';
    expect(parseStatCpuTicks(stat)).toBe(325);
  });

  it('reads VmRSS in bytes', () => {
    expect(parseStatusRssBytes('Name:\tnode\nVmRSS:\t   51200 kB\nThreads: 7\n')).toBe(51200 * 1024);
    expect(parseStatusRssBytes('Name: x\n')).toBe(0);
  });

  it('samples this process and computes CPU%', () => {
    const a = sampleProc(process.pid)!;
    expect(a.rssBytes).toBeGreaterThan(0);
    expect(cpuPct({ cpuUs: 0, rssBytes: 0, atMs: 0 }, { cpuUs: 500_000, rssBytes: 0, atMs: 1000 })).toBe(50);
    expect(sampleProc(0x3fff_fff0)).toBeUndefined();
  });
});

describe('Socket.IO adapter helpers', () => {
  it('builds the engine.io websocket URL', () => {
    expect(socketIoUrl('ws://127.0.0.1:3000/')).toBe('ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket');
    expect(socketIoUrl('ws://127.0.0.1:3000/custom/')).toBe('ws://127.0.0.1:3000/custom/?EIO=4&transport=websocket');
  });

  it('extracts the cursor timestamp without a JSON parse', () => {
    expect(cursorTimestamp('42["c",{"x":10,"y":20,"t":4294967295}]')).toBe(4294967295);
    expect(cursorTimestamp('42["c",{"x":10}]')).toBe(-1);
  });
});
