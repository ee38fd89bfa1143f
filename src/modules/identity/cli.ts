import { NotFoundError, loadState, type ModuleCliCommand, type ModuleContext } from '../../kernel/index.js';
import { account, accountId, normalizeEmail } from './account.js';
import { handleRoles, type RolesCommand } from './roles.js';

/** The user of an email, from the account's own stream. */
async function userOf(ctx: ModuleContext, email: string): Promise<string> {
  const { state } = await loadState(ctx.events, ctx.events.stream('account', accountId(email)), account);
  if (!state.userId) throw new NotFoundError(`no user with the email ${normalizeEmail(email)}`);
  return state.userId;
}

const roleCommand = (kind: RolesCommand['kind'], name: `${string} ${string}`, description: string, done: (email: string, userId: string, changed: boolean) => string): ModuleCliCommand => ({
  name,
  description,
  args: ['email'],
  async run(ctx, { email }) {
    const userId = await userOf(ctx, email!);
    const { result } = await handleRoles(ctx.events, { kind, userId }, 'cli');
    return done(normalizeEmail(email!), userId, result !== null);
  },
});

/** identity's `seams` commands: operators are made (and unmade) by whoever runs the server. */
export const cli: ModuleCliCommand[] = [
  roleCommand('grant', 'users grant-operator', 'make the user with this email an operator (their next login carries the role)', (email, userId, changed) =>
    changed ? `${email} (${userId}) is an operator now; the role comes with their next login` : `${email} (${userId}) is an operator already`,
  ),
  roleCommand('revoke', 'users revoke-operator', "take the operator role back: every module rejects the user's tokens issued before", (email, userId, changed) =>
    changed ? `${email} (${userId}) is no longer an operator; their tokens are rejected from now on` : `${email} (${userId}) was not an operator`,
  ),
];
