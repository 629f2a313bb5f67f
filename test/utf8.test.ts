import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { utf8Text } from '../src/utf8.js';

const Utf8 = suite('utf8');

const bytes = (text: string) => new TextEncoder().encode(text);

Utf8('ASCII and non-ASCII bytes read as TextDecoder reads them, from any view of a buffer', () => {
  for (const text of ['', '{"elements":[{"pivotValues":["urn:li:sponsoredCreative:1"]}]}', 'Café 東京 🚀', '\u007f\u0080', '\ufeffBOM first']) {
    const encoded = bytes(text);
    assert.is(utf8Text(encoded), new TextDecoder().decode(encoded), JSON.stringify(text));
    assert.is(utf8Text(encoded.buffer.slice(0)), new TextDecoder().decode(encoded), `${JSON.stringify(text)} as an ArrayBuffer`);
    // A view into a larger buffer (a chunk's region): only its own bytes.
    const framed = new Uint8Array(encoded.length + 8);
    framed.set(bytes('[[['), 0);
    framed.set(encoded, 3);
    framed.set(bytes(']]]]]'), 3 + encoded.length);
    assert.is(utf8Text(framed.subarray(3, 3 + encoded.length)), new TextDecoder().decode(encoded), `${JSON.stringify(text)} framed`);
  }
});

Utf8('invalid bytes: U+FFFD by default, thrown with a fatal decoder', () => {
  const invalid = Uint8Array.of(0x61, 0xff, 0x62);
  assert.is(utf8Text(invalid), 'a\ufffdb');
  assert.throws(() => utf8Text(invalid, new TextDecoder('utf-8', { fatal: true })), TypeError);
  assert.is(utf8Text(bytes('plain'), new TextDecoder('utf-8', { fatal: true })), 'plain');
});

Utf8.run();
