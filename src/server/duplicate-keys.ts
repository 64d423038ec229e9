const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** An object or array the scan is inside: an object's keys so far and the last one, or an array's element index. */
interface Container {
  isObject: boolean;
  /** The keys before the last one; most objects in a body are small, so the set is made at the second key. */
  earlier: Set<string> | undefined;
  key: string | undefined;
  index: number;
  /** In an object, whether the next string is a key (after `{` or `,`) rather than a value. */
  expectKey: boolean;
}

/**
 * The first key that appears twice in one object of `json`, as a field path (`tags[1].key`), or undefined.
 * `JSON.parse` keeps the last of duplicate keys silently, so a body could say two things; this scan refuses that.
 * It expects text `JSON.parse` accepted, so it only tracks structure: strings are skipped with `indexOf`, which keeps
 * a 10,000-name body's scan well under its parse time (bench/json-body.ts).
 */
export function findDuplicateKey(json: string): string | undefined {
  const stack: Container[] = [];
  let top: Container | undefined;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(json, i);
      if (top !== undefined && top.expectKey) {
        const key = stringAt(json, i, end);
        if (top.key !== undefined) {
          top.earlier ??= new Set();
          top.earlier.add(top.key);
          if (top.earlier.has(key)) return fieldPath(stack, key);
        }
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      top = { isObject: c === OPEN_OBJECT, earlier: undefined, key: undefined, index: 0, expectKey: c === OPEN_OBJECT };
      stack.push(top);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      top = stack[stack.length - 1];
    } else if (c === COMMA && top !== undefined) {
      if (top.isObject) top.expectKey = true;
      else top.index++;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `open`. */
function closingQuote(json: string, open: number): number {
  let end = json.indexOf('"', open + 1);
  while (escaped(json, end)) end = json.indexOf('"', end + 1);
  return end;
}

function escaped(json: string, at: number): boolean {
  let backslashes = 0;
  while (json.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

function stringAt(json: string, open: number, close: number): string {
  const raw = json.slice(open + 1, close);
  return raw.includes('\\') ? (JSON.parse(json.slice(open, close + 1)) as string) : raw;
}

function fieldPath(stack: Container[], key: string): string {
  let path = '';
  for (const container of stack.slice(0, -1)) {
    path += container.isObject ? (path === '' ? container.key! : `.${container.key!}`) : `[${container.index}]`;
  }
  return path === '' ? key : `${path}.${key}`;
}
