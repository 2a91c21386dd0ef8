// What the core logs through: pino's Logger has this shape (src/log.ts creates one), but the core
// does not import pino, so it depends on nothing outside core/ and the protocol package.
export interface Log {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
