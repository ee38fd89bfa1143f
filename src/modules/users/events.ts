import type { RecordedEventOf } from '../../kernel/index.js';
import { ProfileUpdated } from './contracts.js';

/** Every event of users: ProfileUpdated (public, in contracts.ts), on one stream per profile (`users.profile-<userId>`). */
export const profileEvents = [ProfileUpdated];
export type ProfileEvent = RecordedEventOf<(typeof profileEvents)[number]>;
