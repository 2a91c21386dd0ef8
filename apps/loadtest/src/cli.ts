#!/usr/bin/env node
// roomcast-loadtest: parses options, runs the load test with a live progress line on a TTY,
// prints the summary table and writes --json / --html.
import { writeFileSync } from 'node:fs';
import { parseArgs, UsageError } from './args.js';
import { renderHtml } from './html.js';
import { summaryTable } from './report.js';
import { runLoadTest, type ProgressInfo } from './run.js';

function progressLine(p: ProgressInfo): string {
  const p99 = p.p99Ms === null ? '-' : p.p99Ms.toFixed(2);
  return `[${p.phase}] conns ${p.connected}/${p.clients} | sent ${Math.round(p.sentPerSec)}/s | delivered ${Math.round(p.deliveredPerSec)}/s | p99 ${p99} ms | loadgen loop ${(p.elu * 100).toFixed(0)}%`;
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`roomcast-loadtest: ${err.message}\n`);
      return err.message.startsWith('Usage:') ? 0 : 2;
    }
    throw err;
  }
  const tty = process.stdout.isTTY === true && !options.quiet;
  const report = await runLoadTest(options, {
    onProgress: tty ? (p) => process.stdout.write(`\r\x1b[2K${progressLine(p)}`) : undefined,
  });
  if (tty) process.stdout.write('\r\x1b[2K');
  process.stdout.write(`${summaryTable(report)}\n`);
  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`JSON written to ${options.json}\n`);
  }
  if (options.html) {
    writeFileSync(options.html, renderHtml(report));
    process.stdout.write(`HTML report written to ${options.html}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`roomcast-loadtest: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
