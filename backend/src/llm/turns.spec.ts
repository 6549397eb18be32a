import { type ChatTurn } from './llm-provider';
import { alternatingTurns } from './turns';

const user = (content: string): ChatTurn => ({ role: 'user', content });
const assistant = (content: string): ChatTurn => ({ role: 'assistant', content });

describe('alternatingTurns', () => {
  it('keeps a conversation that already alternates from a user turn', () => {
    const turns = [user('Hi'), assistant('Hello.'), user('What is LoreChat?')];

    expect(alternatingTurns(turns, { endWithUser: true })).toEqual(turns);
  });

  it('drops blank turns', () => {
    const turns = [user('Hi'), assistant(' \n\t'), assistant('Hello.'), user(''), user('Why?')];

    expect(alternatingTurns(turns, { endWithUser: true })).toEqual([
      user('Hi'),
      assistant('Hello.'),
      user('Why?'),
    ]);
  });

  it('drops the answers before the first user turn', () => {
    const turns = [assistant('A greeting.'), assistant('Another.'), user('Hi')];

    expect(alternatingTurns(turns, { endWithUser: false })).toEqual([user('Hi')]);
  });

  it('merges consecutive turns of one role with a blank line between them', () => {
    const turns = [
      user('First question.'),
      assistant('   '),
      user('Second question.'),
      assistant('One answer.'),
      assistant('Another answer.'),
      user('Third question.'),
    ];

    expect(alternatingTurns(turns, { endWithUser: true })).toEqual([
      user('First question.\n\nSecond question.'),
      assistant('One answer.\n\nAnother answer.'),
      user('Third question.'),
    ]);
  });

  it('drops a trailing answer only when asked to end with the user', () => {
    const turns = [user('Hi'), assistant('Hello.'), assistant('Anything else?')];

    expect(alternatingTurns(turns, { endWithUser: true })).toEqual([user('Hi')]);
    expect(alternatingTurns(turns, { endWithUser: false })).toEqual([
      user('Hi'),
      assistant('Hello.\n\nAnything else?'),
    ]);
  });

  it('is empty when no user turn is left', () => {
    const turns = [assistant('Only an answer.'), user('  ')];

    expect(alternatingTurns(turns, { endWithUser: false })).toEqual([]);
    expect(alternatingTurns([], { endWithUser: true })).toEqual([]);
  });

  it('leaves the turns it was given untouched', () => {
    const turns = [user('One.'), user('Two.')];

    alternatingTurns(turns, { endWithUser: true });

    expect(turns).toEqual([user('One.'), user('Two.')]);
  });
});
