#!/usr/bin/env node
// roomcast-loadtest: parses options, runs the load test with a live progress line on a TTY,
// prints the summary table, writes --json / --html, and sets the exit code (exit-codes.ts).
import { writeFileSync } from 'node:fs';
import { LoadAbortedError } from './abort.js';
import { HelpRequested, parseArgs, UsageError } from './args.js';
import { ExitCode } from './exit-codes.js';
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
    if (err instanceof HelpRequested) {
      // Help is the output asked for: stdout, so `--help | less` works.
      process.stdout.write(err.text);
      return ExitCode.ok;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`roomcast-loadtest: ${err.message}\n(see roomcast-loadtest --help)\n`);
      return ExitCode.usage;
    }
    throw err;
  }
  const tty = process.stdout.isTTY === true && !options.quiet;
  let report;
  try {
    report = await runLoadTest(options, {
      onProgress: tty ? (p) => process.stdout.write(`\r\x1b[2K${progressLine(p)}`) : undefined,
    });
  } catch (err) {
    if (tty) process.stdout.write('\r\x1b[2K');
    if (err instanceof LoadAbortedError) {
      process.stderr.write(`roomcast-loadtest: ${err.message}\n`);
      return ExitCode.noLoad;
    }
    throw err;
  }
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
  if (report.connections_lost >= report.connected) {
    // Every connection died during the run (the relay stopped or crashed): the figures describe
    // a load test that stopped loading, which must not pass as a success.
    process.stderr.write(`roomcast-loadtest: no load: all ${report.connected} connections were closed during the run; the figures cover only the time before (${Object.entries(report.errors).map(([k, v]) => `${k}: ${v}`).join(', ')})\n`);
    return ExitCode.noLoad;
  }
  const failed = report.thresholds.filter((t) => !t.ok);
  if (failed.length > 0) {
    process.stderr.write(`roomcast-loadtest: ${failed.length} of ${report.thresholds.length} thresholds failed: ${failed.map((t) => t.expr).join(', ')}\n`);
    return ExitCode.thresholds;
  }
  return ExitCode.ok;
}

// process.exit, not exitCode: a socket still connecting must not keep a finished run alive
// (stdout and stderr are synchronous for files and pipes on Linux, so nothing is lost).
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`roomcast-loadtest: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(ExitCode.crash);
  },
);
