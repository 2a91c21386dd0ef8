// Programmatic entry of the Tag arena: the bot (tests, load scenario), the config parser, the
// wire format.
export { GameBot, type BotMode, type BotOptions } from './bot/bot.js';
export { parseGameConfig, ConfigError, type GameConfig } from './server/config.js';
export * from './shared/wire.js';
