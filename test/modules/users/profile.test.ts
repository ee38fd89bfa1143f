import { NotFoundError, PreconditionFailedError, deciderSpec as spec } from '../../../src/kernel/host.js';
import { ProfileUpdated } from '../../../src/modules/users/contracts.js';
import { profile } from '../../../src/modules/users/profile.js';

const userId = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const registered = { userId, displayName: 'Ada', bio: '' };
const changed = (displayName: string, bio: string) => ({ type: ProfileUpdated.type, data: { userId, displayName, bio } });

describe('users: profile', () => {
  it('a first change starts from the profile as registered (version 0)', () => {
    spec(profile).given([]).when({ userId, bio: 'hi', registered, ifMatch: 0 }).then([changed('Ada', 'hi')]);
  });

  it('later changes start from the stream, whatever the view says', () => {
    spec(profile).given([changed('Ada L.', 'hi')]).when({ userId, displayName: 'Ada Lovelace', registered }).then([changed('Ada Lovelace', 'hi')]);
  });

  it('a stale If-Match version is refused; an unknown user is not found', () => {
    spec(profile).given([changed('Ada', 'one')]).when({ userId, bio: 'two', registered, ifMatch: 0 }).thenThrows(PreconditionFailedError, /version 0 is not the current version 1/);
    spec(profile).given([]).when({ userId, bio: 'x', registered: null }).thenThrows(NotFoundError);
  });
});
