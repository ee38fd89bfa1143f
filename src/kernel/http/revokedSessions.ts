import type { z } from 'zod';
import type { EventContract } from '../contracts/events.js';
import { defineProjection, on } from '../projections/defineProjection.js';

export const REVOKED_SESSIONS = 'revoked_sessions';

/**
 * A module's own replica of ended sessions, fed by identity's public logout event. A module
 * with authenticated routes includes it, so it rejects a logged-out token without asking
 * identity. The contract is passed in because the kernel knows no module.
 */
export function revokedSessions(loggedOut: EventContract<string, z.ZodType<{ sessionId: string }>>) {
  return defineProjection({
    name: REVOKED_SESSIONS,
    version: 1,
    tables: {
      revoked_sessions: (t) => {
        t.string('session_id').primary();
        t.bigInteger('position').notNullable();
      },
    },
    handlers: [
      on(loggedOut, async (e, { db, tables }) => {
        await db(tables.revoked_sessions).insert({ session_id: e.data.sessionId, position: e.position }).onConflict('session_id').ignore();
      }),
    ],
  });
}
