import type { ModuleContext } from '../../../kernel/index.js';
import { userNamesReplica } from '../../users/contracts.js';

/** chat's own copy of users (users publishes it; it lives in chat's database): who may be a participant, and the names shown beside messages. */
export const usersReplica = userNamesReplica;

/** The participants not known to chat's replica (after letting it catch up once). */
export async function unknownUsers(ctx: ModuleContext, userIds: string[]): Promise<string[]> {
  const missing = async () => {
    const known = new Set((await usersReplica.findMany(ctx, userIds)).map((u) => u.userId));
    return userIds.filter((id) => !known.has(id));
  };
  const first = await missing();
  return first.length === 0 || !(await ctx.catchUp(1000, usersReplica.name)) ? first : missing();
}
