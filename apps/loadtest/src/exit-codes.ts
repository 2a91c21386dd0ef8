// Exit codes of roomcast-loadtest (documented in README.md and --help): scripts and CI read them.

export const ExitCode = {
  /** The run completed and every --threshold held. */
  ok: 0,
  /** An unexpected failure inside the load tester (a bug; the stack trace is on stderr). */
  crash: 1,
  /** Bad options (the message names the option). */
  usage: 2,
  /**
   * No load could be generated: no client connected and joined (nothing listens, HTTP error on
   * upgrade, relay refused the join), or every connection was closed during the run.
   */
  noLoad: 3,
  /** The run completed but at least one --threshold failed (k6 uses 99 for this too). */
  thresholds: 99,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0   the run completed and every --threshold held
  1   unexpected failure of the load tester (stack trace on stderr)
  2   bad options
  3   no load: no client could connect and join, or all connections were lost
      during the run (the reason is on stderr)
  99  a --threshold failed (listed in the summary)`;
