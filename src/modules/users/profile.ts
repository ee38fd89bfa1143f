import type { z } from 'zod';
import { NotFoundError, PreconditionFailedError, decideAndAppend, newEvent, type Decider, type ModuleEvents } from '../../kernel/index.js';
import { ProfileUpdated, type profile as profileShape } from './contracts.js';
import type { ProfileEvent } from './events.js';

type ProfileData = z.output<typeof profileShape>;

/**
 * A profile's own stream (`users.profile-<userId>`): its changes. A profile starts from the
 * registration (identity's event, in the profiles view) and has `version` 0 until its first change.
 */
export interface Profile {
  current: ProfileData | null;
  /** Changes so far: the ETag. */
  version: number;
}

export interface UpdateProfile {
  userId: string;
  displayName?: string;
  bio?: string;
  /** The profile as registered (from the view), for a profile never changed. */
  registered: ProfileData | null;
  /** The version the client read (If-Match). */
  ifMatch?: number;
}

export const profile: Decider<Profile, UpdateProfile, ProfileEvent> = {
  initialState: () => ({ current: null, version: 0 }),
  evolve: (_state, event) => ({ current: event.data, version: event.revision + 1 }),
  decide(command, state) {
    const current = state.current ?? command.registered;
    if (!current) throw new NotFoundError(`no user ${command.userId}`);
    if (command.ifMatch !== undefined && command.ifMatch !== state.version) {
      throw new PreconditionFailedError(`If-Match: version ${command.ifMatch} is not the current version ${state.version}`);
    }
    return [newEvent(ProfileUpdated, { userId: current.userId, displayName: command.displayName ?? current.displayName, bio: command.bio ?? current.bio })];
  },
};

/** Decides a change on the profile's stream; a concurrent change is a conflict (409), never a lost update. */
export const handleProfile = (events: ModuleEvents, command: UpdateProfile) => decideAndAppend(events, events.stream('profile', command.userId), profile, command);
