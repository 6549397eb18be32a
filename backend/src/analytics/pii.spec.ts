import { maskPii } from './pii';

describe('maskPii', () => {
  it.each([
    ['Write to jane.doe+shop@example.co.uk please', 'Write to [email] please'],
    ['mail: élodie@exemple.fr.', 'mail: [email].'],
    ['Call me on +44 20 7946 0958 tomorrow', 'Call me on [phone] tomorrow'],
    ['my number is (555) 123-4567', 'my number is [phone]'],
    ['06.12.34.56.78 is my mobile', '[phone] is my mobile'],
    ['+1-202-555-0143', '[phone]'],
    ['both a@b.io and 555 123 4567', 'both [email] and [phone]'],
  ])('masks %j', (text, masked) => {
    expect(maskPii(text)).toBe(masked);
  });

  it.each([
    'How much is the sunset tour for 2 adults?',
    'Is it open on 2026-05-01?',
    'Prices changed between 2019-2024',
    'Order 12345 costs $1,299.00',
    'the 5/1/2026 booking',
    'version 1.2.3 on port 8080',
    'a code like ABC1234567 stays',
  ])('leaves %j alone', (text) => {
    expect(maskPii(text)).toBe(text);
  });
});
