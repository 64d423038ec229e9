import { describe, expect, it } from 'vitest';
import {
  canonicalHeaderLine,
  canonicalQuery,
  canonicalUri,
  canonicalUriNodeSdk,
  formatSdkDate,
  parseQuery,
  parseSdkDate,
  percentDecode,
  percentEncode,
} from '../../src/signing/canonical-request.js';

describe('percentEncode', () => {
  it('returns the unreserved characters as they are', () => {
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(percentEncode('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
    expect(percentEncode('')).toBe('');
  });

  it('encodes the ASCII neighbours of the unreserved ranges, and keeps unreserved characters after an escape', () => {
    expect(percentEncode('/:@[`{,')).toBe('%2F%3A%40%5B%60%7B%2C');
    expect(percentEncode('a@b~c d')).toBe('a%40b~c%20d');
    expect(percentEncode('\u007f')).toBe('%7F');
  });

  it('encodes non-ASCII as UTF-8 bytes, uppercase hex, keeping unreserved ASCII after it', () => {
    expect(percentEncode('a\u0080')).toBe('a%C2%80');
    expect(percentEncode('a b环c~d/')).toBe('a%20b%E7%8E%AFc~d%2F');
    expect(percentEncode('环')).toBe('%E7%8E%AF');
  });
});

describe('percentDecode', () => {
  it('decodes escapes in either case, and + only when asked', () => {
    expect(percentDecode('a%2Fb%2fc+d', true)).toBe('a/b/c d');
    expect(percentDecode('a%2Fb%2fc+d', false)).toBe('a/b/c+d');
    expect(percentDecode('+', true)).toBe(' ');
    expect(percentDecode('plain', true)).toBe('plain');
  });

  it('keeps a % that is not followed by two hex digits', () => {
    for (const s of ['%', '%4', 'a%4', '%g1', '%1g', '%%41', '%:0', '%0:', '%/0', '%@0', '%G0', '%`0', '%g0']) {
      expect(percentDecode(s, false), s).toBe(s === '%%41' ? '%A' : s);
    }
    expect(percentDecode('%41%4', false)).toBe('A%4');
  });

  it('decodes every hex digit', () => {
    expect(percentDecode('%30%39%41%46%61%66%4a%4A', false)).toBe('09AFafJJ');
    expect(percentDecode('%09%0a%0A', false)).toBe('\t\n\n');
    expect(percentDecode('%00', false)).toBe('\u0000');
  });

  it('reads escaped bytes from 0x80 up as UTF-8 (a lone continuation byte is U+FFFD)', () => {
    expect(percentDecode('%80', false)).toBe('\uFFFD');
    expect(percentDecode('%7F', false)).toBe('\u007f');
  });

  it('decodes UTF-8 escapes, keeping malformed escapes and a trailing % after them, and + as asked', () => {
    expect(percentDecode('%E7%8E%AF+%', true)).toBe('环 %');
    expect(percentDecode('%E7%8E%AF+%', false)).toBe('环+%');
    expect(percentDecode('%E7%8E%AF%4', false)).toBe('环%4');
    expect(percentDecode('%E7%8E%AF%g0%0g%41%4a', false)).toBe('环%g0%0gAJ');
    expect(percentDecode('%FF', false)).toBe('\uFFFD');
    expect(percentDecode('%E7%8E%AFx41%0A', false)).toBe('环x41\n');
  });
});

describe('canonicalUri', () => {
  it('encodes each segment and ends with /', () => {
    expect(canonicalUri('/v2/p/pools')).toBe('/v2/p/pools/');
    expect(canonicalUri('/v2/p/pools/')).toBe('/v2/p/pools/');
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('')).toBe('/');
    expect(canonicalUri('/a b/c:d/环')).toBe('/a%20b/c%3Ad/%E7%8E%AF/');
    expect(canonicalUri('/a b/')).toBe('/a%20b/');
  });

  it('signs an escape as sent (encoded again) or, when asked, decoded first', () => {
    expect(canonicalUri('/a%3Ab/%E7%8E%AF')).toBe('/a%253Ab/%25E7%258E%25AF/');
    expect(canonicalUri('/a%3Ab/%E7%8E%AF', true)).toBe('/a%3Ab/%E7%8E%AF/');
    expect(canonicalUri('/a%2Fb', true)).toBe('/a%2Fb/');
    expect(canonicalUri('/a+b', true)).toBe('/a%2Bb/'); // a + in a path is a plus, not a space
  });
});

describe('canonicalUriNodeSdk', () => {
  it('rebuilds what the Node SDK signs from the wire path', () => {
    // %XX of a non-ASCII byte: once; any other %XX: twice; raw ' ^ |: escaped twice; the rest once
    expect(canonicalUriNodeSdk('/a%20b%E7%8E%AF')).toBe('/a%2520b%E7%8E%AF/');
    expect(canonicalUriNodeSdk("/a'b^c|d")).toBe('/a%2527b%255Ec%257Cd/');
    expect(canonicalUriNodeSdk('/a:b/')).toBe('/a%3Ab/');
    expect(canonicalUriNodeSdk('/%zz%4')).toBe('/%25zz%254/');
    expect(canonicalUriNodeSdk('/%7f%80%e7')).toBe('/%257f%80%E7/');
    expect(canonicalUriNodeSdk('/环𠀀')).toBe('/%E7%8E%AF%F0%A0%80%80/');
    expect(canonicalUriNodeSdk('')).toBe('/');
    expect(canonicalUriNodeSdk('/%80')).toBe('/%80/');
    expect(canonicalUriNodeSdk('/:01/a:0b:0/')).toBe('/%3A01/a%3A0b%3A0/');
    expect(canonicalUriNodeSdk('/a b12/')).toBe('/a%20b12/');
    expect(canonicalUriNodeSdk("/:'")).toBe('/%3A%2527/');
    expect(canonicalUriNodeSdk('/x\udc00^')).toBe('/x%EF%BF%BD%255E/');
    expect(canonicalUriNodeSdk('/\u{10000}\ud800')).toBe('/%F0%90%80%80%EF%BF%BD/'); // U+10000 (D800 DC00), then a lone high surrogate at the end
    expect(canonicalUriNodeSdk('/%4 ')).toBe('/%254%20/');
  });
});

describe('canonical query', () => {
  it('a key without = is a key with an empty value, wherever it is', () => {
    expect(canonicalQuery('a=1&dryrun')).toBe('a=1&dryrun=');
    expect(canonicalQuery('dryrun&a=1')).toBe('a=1&dryrun=');
    expect(canonicalQuery('x&a=1')).toBe('a=1&x=');
    expect(parseQuery('a=1&dryrun')).toEqual([['a', '1'], ['dryrun', '']]);
    expect(canonicalQuery('a+b')).toBe('a%20b=');
    expect(parseQuery('a=&=b&=')).toEqual([['a', ''], ['', 'b'], ['', '']]);
  });

  it('a + in a key or a value is a space; an escaped + is a plus', () => {
    expect(canonicalQuery('a+b=c+d')).toBe('a%20b=c%20d');
    expect(canonicalQuery('a%2Bb=c%2Bd')).toBe('a%2Bb=c%2Bd');
  });

  it('splits at the first =, skips empty pieces, and sorts by key then by value', () => {
    expect(canonicalQuery('b=x=y&&a=2&a=1&')).toBe('a=1&a=2&b=x%3Dy');
    expect(parseQuery('&&')).toEqual([]);
    expect(canonicalQuery('b=1&a=1')).toBe('a=1&b=1');
    expect(canonicalQuery('a=1&b=1')).toBe('a=1&b=1');
    expect(canonicalQuery('k=b&k=a&k=b')).toBe('k=a&k=b&k=b');
    expect(canonicalQuery('k=a')).toBe('k=a');
    expect(canonicalQuery('')).toBe('');
  });
});

describe('canonicalHeaderLine', () => {
  it('trims the value and ends the line', () => {
    expect(canonicalHeaderLine('x-tag', '  a b \t')).toBe('x-tag:a b\n');
  });
});

describe('X-Sdk-Date', () => {
  it('formats a time as YYYYMMDDTHHMMSSZ, dropping milliseconds', () => {
    expect(formatSdkDate(new Date(Date.UTC(2024, 0, 1, 0, 0, 0, 999)))).toBe('20240101T000000Z');
    expect(formatSdkDate(new Date(Date.UTC(2029, 11, 31, 23, 59, 59)))).toBe('20291231T235959Z');
  });

  it.each([
    ['20240101T000000Z', Date.UTC(2024, 0, 1, 0, 0, 0)],
    ['20241231T235959Z', Date.UTC(2024, 11, 31, 23, 59, 59)],
    ['20240229T120000Z', Date.UTC(2024, 1, 29, 12, 0, 0)],
    ['19991119T191919Z', Date.UTC(1999, 10, 19, 19, 19, 19)],
    ['20290909T090909Z', Date.UTC(2029, 8, 9, 9, 9, 9)],
    ['20240930T235900Z', Date.UTC(2024, 8, 30, 23, 59, 0)],
  ])('parses %s', (value, millis) => {
    expect(parseSdkDate(value)).toBe(millis);
  });

  it.each([
    '20240315T101530X', // wrong zone designator
    '20240315X101530Z', // wrong separator
    '20240315t101530Z',
    '20240315T101530z',
    '20240315T101530',
    '20240315T101530ZZ',
    '2024-03-15T10:15:30Z',
    '',
    '20240015T101530Z', // month 0
    '20241315T101530Z', // month 13
    '20240300T101530Z', // day 0
    '20240332T101530Z', // day 32
    '20240230T101530Z', // 30 February
    '20230229T101530Z', // 29 February of a common year
    '20240431T101530Z', // 31 April
    '20240315T241530Z', // hour 24
    '20240315T106030Z', // minute 60
    '20240315T101560Z', // second 60
    '1e030315T101530Z', // Number('1e03') would read 1000
    '0x1f0315T101530Z', // Number('0x1f') would read 31
  ])('refuses %j', (value) => {
    expect(parseSdkDate(value)).toBeNaN();
  });

  it('refuses a non-digit in any digit position, including the codes next to 0 and 9', () => {
    const valid = '20240315T101530Z';
    for (let i = 0; i < 15; i++) {
      if (i === 8) continue;
      // a space or + would still read as a number ('+3', ' 5', '3 ')
      for (const bad of ['/', ':', 'a', ' ', '+']) {
        const value = valid.slice(0, i) + bad + valid.slice(i + 1);
        expect(parseSdkDate(value), value).toBeNaN();
      }
    }
  });
});
