import { notFoundMessage } from './not-found';

describe('notFoundMessage', () => {
  it("tells the visitor the site does not say, in the question's language", () => {
    expect(notFoundMessage('Do you rent paddle boards?')).toMatch(/^I couldn't find that/);
    expect(notFoundMessage('Est-ce que vous louez des planches à pagaie ?')).toMatch(
      /^Je n'ai pas trouvé/,
    );
    expect(notFoundMessage('¿Alquilan tablas de remo?')).toMatch(/^No he podido encontrar/);
    expect(notFoundMessage('Kann man bei Ihnen Paddle-Boards mieten?')).toMatch(/nicht finden/);
  });

  it('falls back to English for a language it has no message in', () => {
    expect(notFoundMessage('Сдаёте ли вы доски для сапсерфинга?')).toMatch(/^I couldn't find/);
  });
});
