/**
 * The contract between the UI and the engine: every call `name → (args) →
 * result` with its schemas, and every event the host pushes. Electron IPC, the
 * browser host's WebSocket bridge and the renderer's client are all derived
 * from this table, so they cannot drift.
 *
 * To add calls (review decisions, approvals, audit, users, model, sync,
 * export): write `engine/contract/<feature>.ts` exporting `<feature>Calls`
 * built with `defineCall`, spread it into `contract` below, add the names to
 * names.ts (the compiler insists), and implement the handlers in
 * engine/host/handlers/<feature>.ts. Nothing in the transports changes.
 *
 * This folder is imported by the sandboxed renderer and preload: no Node
 * modules here or in anything it imports (contract.test.ts checks).
 */
import type { z } from 'zod';
import { appCalls } from './app.ts';
import { approvalsCalls } from './approvals.ts';
import { auditCalls } from './audit.ts';
import { breaksCalls } from './breaks.ts';
import { definitionsCalls } from './definitions.ts';
import { exportsCalls } from './exports.ts';
import { filesCalls } from './files.ts';
import { inferCalls } from './infer.ts';
import { matchingCalls } from './matching.ts';
import { modelCalls } from './model.ts';
import type { CallName } from './names.ts';
import { reasonsCalls } from './reasons.ts';
import { reviewCalls } from './review.ts';
import { rulesCalls } from './rules.ts';
import { runsCalls } from './runs.ts';
import { seriesCalls } from './series.ts';
import { settingsCalls } from './settings.ts';
import { syncCalls } from './sync.ts';
import { inboxCalls } from './inbox.ts';
import { connectionsCalls } from './connections.ts';
import { tasksCalls } from './tasks.ts';
import { usersCalls } from './users.ts';

export const contract = {
  ...appCalls,
  ...runsCalls,
  ...seriesCalls,
  ...filesCalls,
  ...definitionsCalls,
  ...breaksCalls,
  ...matchingCalls,
  ...reviewCalls,
  ...approvalsCalls,
  ...auditCalls,
  ...usersCalls,
  ...reasonsCalls,
  ...rulesCalls,
  ...modelCalls,
  ...settingsCalls,
  ...syncCalls,
  ...inboxCalls,
  ...connectionsCalls,
  ...inferCalls,
  ...exportsCalls,
  ...tasksCalls,
};

type ContractTable = typeof contract;

// names.ts and the table must list the same calls, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: Same<keyof ContractTable, CallName> = true;
void namesMatch;

/** What a caller passes (defaults may be left out). */
export type CallArgs<K extends CallName> = z.input<ContractTable[K]['args']>;
/** What a handler receives after validation (defaults filled in). */
export type ParsedArgs<K extends CallName> = z.output<ContractTable[K]['args']>;
export type CallResult<K extends CallName> = z.output<ContractTable[K]['result']>;

export * from './approvals.ts';
export * from './audit.ts';
export * from './breaks.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './exports.ts';
export * from './infer.ts';
export * from './matching.ts';
export * from './files.ts';
export * from './ids.ts';
export * from './names.ts';
export * from './model.ts';
export * from './reasons.ts';
export * from './review.ts';
export * from './rules.ts';
export * from './runs.ts';
export * from './series.ts';
export * from './settings.ts';
export * from './sync.ts';
export * from './inbox.ts';
export * from './connections.ts';
export * from './tasks.ts';
export * from './users.ts';
export { HOST_KINDS } from './app.ts';
export { definitionAsWrittenSchema, definitionNameSchema, definitionSchema, FIELD_TYPES, type DefinitionInput, type FieldType } from './definitions.ts';
export type { CallSpec } from './call.ts';
