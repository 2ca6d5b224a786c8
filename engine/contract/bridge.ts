import { z } from 'zod';
import type { Reply } from './errors.ts';
import type { ContractEvent } from './events.ts';

/**
 * The browser host's WebSocket protocol. The page offers two subprotocols:
 * BRIDGE_PROTOCOL and `recon.token.<hex>` carrying the per-start token, so
 * the token never appears in a URL the server logs. The server answers with
 * BRIDGE_PROTOCOL only.
 */
export const BRIDGE_PATH = '/bridge';
export const BRIDGE_PROTOCOL = 'recon.v1';
export const TOKEN_PROTOCOL_PREFIX = 'recon.token.';

/** Client → host: one call, answered by a reply with the same id. */
export const bridgeCallSchema = z
  .object({ type: z.literal('call'), id: z.number().int().nonnegative(), name: z.string().max(100), args: z.unknown() })
  .strict();
export type BridgeCall = z.infer<typeof bridgeCallSchema>;

/** Host → client. */
export type BridgeMessage = { type: 'reply'; id: number; reply: Reply<unknown> } | { type: 'event'; event: ContractEvent };
