// Types for provision.mjs (plain JavaScript so that `node scripts/provision.mjs` runs before any build).
export interface ToolSpec {
  /** Environment variable that overrides the PATH search. */
  env: string;
  /** Program names tried on PATH, in order. */
  names: string[];
  /** Debian package that provides it. */
  aptPackage: string;
}
export type ToolName = 'chromium' | 'redis-server';
export const TOOLS: Record<ToolName, ToolSpec>;

export class ToolMissingError extends Error {}

export interface Probes {
  /** Environment: the tools' variables and PATH. */
  env: Record<string, string | undefined>;
  isRoot: boolean;
  hasAptGet: boolean;
  /** Runs a shell command; returns its exit status. */
  run(command: string): number;
}

export function systemProbes(): Probes;
export function findTool(name: ToolName, probes?: Probes): string | undefined;
export function installCommand(packages: string[], isRoot: boolean): string;
export function requireTool(name: ToolName, probes?: Probes): string;
export function provision(names?: ToolName[], probes?: Probes, log?: (line: string) => void): Record<string, string>;
