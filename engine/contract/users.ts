import { z } from 'zod';
import { defineCall } from './call.ts';

export const ROLE_NAMES = ['analyst', 'approver', 'admin'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

// eslint-disable-next-line no-control-regex -- control characters are what is refused
const userIdSchema = z.string().trim().min(1, 'a user id').max(256).regex(/^[^\u0000-\u001f\u007f]+$/, 'printable characters only');
// eslint-disable-next-line no-control-regex -- a NUL is what is refused
const displayNameSchema = z.string().max(256).regex(/^[^\u0000]*$/, 'no NUL character');
export const userSchema = z.object({ userId: z.string(), displayName: z.string(), roles: z.array(z.enum(ROLE_NAMES)), createdAt: z.string() });
export type UserDto = z.infer<typeof userSchema>;

export const usersCalls = {
  'users.me': defineCall({
    summary: 'Who is acting (the OS account or $RECON_USER), with their roles; whether the workspace has any user yet.',
    args: z.object({}).strict(),
    result: z.object({ userId: z.string(), displayName: z.string(), roles: z.array(z.enum(ROLE_NAMES)), workspaceHasUsers: z.boolean() }),
  }),
  'users.list': defineCall({
    summary: 'Every user of the workspace with their roles.',
    args: z.object({}).strict(),
    result: z.object({ users: z.array(userSchema) }),
  }),
  'users.add': defineCall({
    summary: 'Admin: adds a user (an OS account name) with roles.',
    args: z.object({ userId: userIdSchema, displayName: displayNameSchema.optional(), roles: z.array(z.enum(ROLE_NAMES)).max(3).default([]) }).strict(),
    result: userSchema,
  }),
  'users.grant': defineCall({
    summary: 'Admin: grants a role. On a workspace with no users, the first user granting themselves becomes its admin.',
    args: z.object({ userId: userIdSchema, role: z.enum(ROLE_NAMES) }).strict(),
    result: z.object({ changed: z.boolean() }),
  }),
  'users.revoke': defineCall({
    summary: 'Admin: revokes a role (never the last admin).',
    args: z.object({ userId: userIdSchema, role: z.enum(ROLE_NAMES) }).strict(),
    result: z.object({ changed: z.boolean() }),
  }),
};
