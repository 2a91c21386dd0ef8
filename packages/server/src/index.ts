// @roomcast/server: what a game backend needs beside the relay (Node 20+). Mint tokens for its
// users, steer rooms through the relay's server API, verify the relay's webhooks.
export { mintToken, type RoomAction, type SigningKey, type TokenOptions } from './tokens.js';
export {
  RoomcastApi, RoomcastApiError,
  type ApiClientOptions, type ApiErrorCode, type RoomDetail, type RoomMember, type RoomPage, type RoomSettings, type RoomSummary,
} from './api.js';
export type { SendFileOptions, SentFile } from './files.js';
export type { ApiLimitsAnswer as RelayLimits } from '@roomcast/protocol/server-api';
export {
  verifyWebhook, WebhookVerificationError,
  type HeaderSource, type LeftReason, type RoomcastEvent, type RoomcastWebhook,
} from './webhooks.js';
