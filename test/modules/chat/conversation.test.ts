import { NotFoundError } from '../../../src/kernel/host.js';
import { conversation } from '../../../src/modules/chat/conversation.js';
import { ConversationStarted, MessagePosted } from '../../../src/modules/chat/events.js';
import { deciderSpec as spec } from '../../../src/kernel/host.js';

const [ada, bob, eve] = ['a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003'];
const conversationId = 'c0000000-0000-4000-8000-000000000001';
const messageId = 'd0000000-0000-4000-8000-000000000001';
const started = { type: ConversationStarted.type, data: { conversationId, participantIds: [ada, bob], startedBy: ada } };

describe('chat: conversation', () => {
  it('starts with its participants', () => {
    spec(conversation).given([]).when({ kind: 'start', conversationId, participantIds: [ada, bob], startedBy: ada }).then([started]);
  });

  it('a participant posts', () => {
    spec(conversation)
      .given([started])
      .when({ kind: 'post', conversationId, messageId, senderId: bob, text: 'hi' })
      .then([{ type: MessagePosted.type, data: { conversationId, messageId, senderId: bob, text: 'hi' } }]);
  });

  it('someone else may not post', () => {
    spec(conversation).given([started]).when({ kind: 'post', conversationId, messageId, senderId: eve, text: 'hi' }).thenThrows(NotFoundError, /no conversation/);
  });

  it('there is nothing to post to before it starts', () => {
    spec(conversation).given([]).when({ kind: 'post', conversationId, messageId, senderId: ada, text: 'hi' }).thenThrows(NotFoundError, /no conversation/);
  });
});
