#!/usr/bin/env node
// `pnpm game`: the Tag arena for a newcomer in one command. Starts the relay and the game backend
// (which serves the page) as child processes (stack.ts) and stops both on Ctrl-C. PORT (relay,
// default 8080) and GAME_PORT (page and backend, default 8090) move them.
import { startStack, type Stack } from './stack.js';

const relayPort = Number(process.env.PORT ?? '8080');
const gamePort = Number(process.env.GAME_PORT ?? '8090');

let stack: Stack | undefined;
try {
  stack = await startStack({
    relayPort, gamePort, logLevel: process.env.LOG_LEVEL ?? 'warn',
    onExit: (name, how) => {
      process.stderr.write(`game: the ${name} stopped (${how}); stopping\n`);
      void stack?.stop().then(() => process.exit(1));
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stack?.stop().then(() => process.exit(0)));
  process.stdout.write(`Tag arena: open ${stack.gameUrl} in two tabs (relay on ${stack.relayHttp}). Ctrl-C stops both.\n`);
} catch (err) {
  process.stderr.write(`game: ${(err as Error).message}\n`);
  process.exit(1);
}
