/**
 * Checks MessagePack bytes from a peer before msgpackr decodes them: every declared length fits in the
 * bytes that remain (so a 5-byte header cannot make the decoder allocate an array of 2^32 slots), the
 * nesting is bounded, there is exactly one value, and the only extension types are the plain data that
 * {@link msgpackSerialiser} documents: `undefined`, bigint, Date, Set and typed arrays. Error and RegExp
 * (whose constructors run on peer data) only when opted in; never msgpackr's structured-clone
 * references (cyclic structures), record definitions (decoder state shared between messages) or
 * string bundles.
 *
 * @returns `undefined` for acceptable bytes, else why they are refused.
 * @internal
 */
export function checkPlainMsgpack(bytes: Uint8Array, allowErrorsAndRegExps: boolean): string | undefined {
  const end = bytes.length;
  let pos = 0;
  // Values still to read in each open container, innermost last; the bottom entry is the top level.
  const open: number[] = [1];
  while (open.length > 0) {
    const top = open.length - 1;
    if ((open[top] as number) === 0) {
      open.pop();
      continue;
    }
    open[top] = (open[top] as number) - 1;
    if (pos >= end) return 'it ends before its last value';
    const token = bytes[pos++] as number;
    let length = 0; // bytes of data after the header
    let children = 0; // values inside this one
    if (token <= 0x7f || token >= 0xe0 || token === 0xc0 || token === 0xc2 || token === 0xc3) {
      // fixint, nil, false, true: the token is the value
    } else if (token <= 0x8f) {
      children = 2 * (token & 0x0f);
    } else if (token <= 0x9f) {
      children = token & 0x0f;
    } else if (token <= 0xbf) {
      length = token & 0x1f;
    } else {
      switch (token) {
        case 0xc4:
        case 0xd9:
          length = readUint(bytes, pos, 1);
          pos += 1;
          break;
        case 0xc5:
        case 0xda:
          length = readUint(bytes, pos, 2);
          pos += 2;
          break;
        case 0xc6:
        case 0xdb:
          length = readUint(bytes, pos, 4);
          pos += 4;
          break;
        case 0xca:
          length = 4;
          break;
        case 0xcb:
          length = 8;
          break;
        case 0xcc:
        case 0xd0:
          length = 1;
          break;
        case 0xcd:
        case 0xd1:
          length = 2;
          break;
        case 0xce:
        case 0xd2:
          length = 4;
          break;
        case 0xcf:
        case 0xd3:
          length = 8;
          break;
        case 0xdc:
          children = readUint(bytes, pos, 2);
          pos += 2;
          break;
        case 0xdd:
          children = readUint(bytes, pos, 4);
          pos += 4;
          break;
        case 0xde:
          children = 2 * readUint(bytes, pos, 2);
          pos += 2;
          break;
        case 0xdf:
          children = 2 * readUint(bytes, pos, 4);
          pos += 4;
          break;
        case 0xd4:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8:
        case 0xc7:
        case 0xc8:
        case 0xc9: {
          if (token >= 0xd4) {
            length = 1 << (token - 0xd4);
          } else {
            const size = 1 << (token - 0xc7);
            length = readUint(bytes, pos, size);
            pos += size;
          }
          if (pos >= end) return 'it ends inside an extension header';
          const type = bytes[pos++] as number;
          const refused = extensionRefusal(type, bytes, pos, length, allowErrorsAndRegExps);
          if (refused !== undefined) return refused;
          // Set, Error and RegExp are read from the value after their (ignored) data.
          if (type === 0x73 || type === 0x65 || type === 0x78) children = 1;
          break;
        }
        default:
          return `it has the unused token 0x${token.toString(16)} at byte ${pos - 1}`;
      }
    }
    if (pos > end) return 'it ends inside a length';
    if (length > end - pos) {
      return `a value at byte ${pos} declares ${length} bytes, but only ${end - pos} remain`;
    }
    pos += length;
    if (children > 0) {
      // Every value takes at least one byte: more values than bytes left cannot be real.
      if (children > end - pos) {
        return `a container at byte ${pos} declares ${children} values, but only ${end - pos} bytes remain`;
      }
      if (open.length > MAX_DEPTH) return `it nests deeper than ${MAX_DEPTH} levels`;
      open.push(children);
    }
  }
  if (pos !== end) return `${end - pos} bytes follow its value`;
  return undefined;
}

/** The deepest nesting accepted: msgpackr decodes recursively. */
const MAX_DEPTH = 512;

/** Typed-array codes of msgpackr's extension 0x74 (0 to 10), ArrayBuffer (16) and DataView (17). */
function isTypedArrayCode(code: number): boolean {
  return code <= 10 || code === 16 || code === 17;
}

function extensionRefusal(
  type: number,
  bytes: Uint8Array,
  pos: number,
  length: number,
  allowErrorsAndRegExps: boolean,
): string | undefined {
  switch (type) {
    case 0x00: // undefined
    case 0x42: // bigint
    case 0x73: // Set
    case 0xff: // Date (timestamp)
      return undefined;
    case 0x74: // typed array: a type code, then the elements
      if (length === 0 || pos >= bytes.length || !isTypedArrayCode(bytes[pos] as number)) {
        return 'it has a typed array of an unknown type';
      }
      return undefined;
    case 0x65:
    case 0x78:
      return allowErrorsAndRegExps
        ? undefined
        : `it holds ${type === 0x65 ? 'an Error' : 'a RegExp'}, which this serialiser does not accept`;
    default:
      return `it has the extension type 0x${type.toString(16)}, which this serialiser does not accept`;
  }
}

function readUint(bytes: Uint8Array, pos: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + (bytes[pos + i] ?? 0);
  return value;
}
