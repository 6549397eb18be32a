import { splitSentences } from '../src/ui/announcer';

describe('splitSentences', () => {
  it('keeps the sentence still being written apart from the complete ones', () => {
    expect(splitSentences('Run npm start. It listens on port 3000! Then op')).toEqual({
      complete: ['Run npm start.', 'It listens on port 3000!'],
      rest: 'Then op',
    });
  });

  it('needs a space after the full stop, so numbers and file names do not end sentences', () => {
    expect(splitSentences('Version 1.5 uses widget.js')).toEqual({
      complete: [],
      rest: 'Version 1.5 uses widget.js',
    });
  });

  it('ends sentences at line breaks and at Arabic question marks', () => {
    expect(splitSentences('- one\n- two\nهل تعمل؟ نعم')).toEqual({
      complete: ['- one', '- two', 'هل تعمل؟'],
      rest: 'نعم',
    });
  });
});
