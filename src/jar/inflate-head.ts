// A raw-deflate (RFC 1951) decoder for the first few bytes of an entry only: the class-version check
// reads the 8-byte header of every class in the JAR (120,000 in a fat JAR), and node:zlib costs a new
// native stream per call, ~20 µs each. Decoding 8 bytes needs the block header, the code tables and
// eight symbols. Anything unusual (invalid data, input cut off) returns undefined and the caller falls
// back to node:zlib on the whole entry.

const LEN_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
/** Order of the code-length code lengths in a dynamic block header. */
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code as counts per length and symbols in code order (as zlib's puff.c). */
interface Huffman {
  count: Uint16Array;
  symbol: Uint16Array;
}

function huffman(size: number): Huffman {
  return { count: new Uint16Array(16), symbol: new Uint16Array(size) };
}

// Scratch tables reused by every call: the decoder is synchronous and not re-entrant.
const lenCode = huffman(288);
const distCode = huffman(30);
const clCode = huffman(19);
const lengths = new Uint8Array(320);
const offs = new Uint16Array(16);
let fixedLen: Huffman | undefined;
let fixedDist: Huffman | undefined;

/** Builds h from code lengths [from, from + n) of lengths; false when the code is over-subscribed. */
function build(h: Huffman, from: number, n: number): boolean {
  const count = h.count;
  count.fill(0);
  for (let i = 0; i < n; i++) count[lengths[from + i] as number]++;
  return placeSymbols(h, from, n);
}

/** Completes build once h.count holds the counts per length of lengths [from, from + n). */
function placeSymbols(h: Huffman, from: number, n: number): boolean {
  const count = h.count;
  if (count[0] === n) return true;
  let left = 1;
  for (let len = 1; len < 16; len++) {
    left = (left << 1) - (count[len] as number);
    if (left < 0) return false;
  }
  offs[1] = 0;
  for (let len = 1; len < 15; len++) offs[len + 1] = (offs[len] as number) + (count[len] as number);
  for (let i = 0; i < n; i++) {
    const l = lengths[from + i] as number;
    if (l !== 0) h.symbol[offs[l]++] = i;
  }
  return true;
}

function fixedTables(): [Huffman, Huffman] {
  if (!fixedLen || !fixedDist) {
    for (let i = 0; i < 144; i++) lengths[i] = 8;
    for (let i = 144; i < 256; i++) lengths[i] = 9;
    for (let i = 256; i < 280; i++) lengths[i] = 7;
    for (let i = 280; i < 288; i++) lengths[i] = 8;
    fixedLen = huffman(288);
    build(fixedLen, 0, 288);
    for (let i = 0; i < 30; i++) lengths[i] = 5;
    fixedDist = huffman(30);
    build(fixedDist, 0, 30);
  }
  return [fixedLen, fixedDist];
}

/** 7-bit lookup of the code-length code: (symbol << 3) | length, 0 for unused codes. */
const clTable = new Uint16Array(128);

/** Fills clTable from the code-length code lengths in lengths[0, 19); false if over-subscribed. */
function buildClTable(): boolean {
  if (!build(clCode, 0, 19)) return false;
  clTable.fill(0);
  // Walk the canonical codes in order; store each reversed (deflate sends Huffman codes MSB first).
  let code = 0;
  let index = 0;
  for (let len = 1; len <= 7; len++) {
    const c = clCode.count[len] as number;
    for (let k = 0; k < c; k++) {
      const sym = clCode.symbol[index++] as number;
      let rev = 0;
      for (let b = 0; b < len; b++) rev |= ((code >> b) & 1) << (len - 1 - b);
      for (let fill = rev; fill < 128; fill += 1 << len) clTable[fill] = (sym << 3) | len;
      code++;
    }
    code <<= 1;
  }
  return true;
}

/**
 * inflateHead decodes the first n bytes of the raw deflate stream in buf[start, end) into out (which must
 * hold n bytes) and returns how many it wrote (fewer than n only when the stream ends first), or -1 when
 * the input is cut off or invalid.
 */
/** The input and bit buffer of the current call (one instance: the decoder is not re-entrant). */
class Bits {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  bb = 0;
  bc = 0;
}
const st = new Bits();

/** Ensures at least k bits (k <= 24) in the bit buffer, or returns false at the end of the input. */
function fill(k: number): boolean {
  while (st.bc < k) {
    if (st.pos >= st.end) return false;
    st.bb |= (st.buf[st.pos++] as number) << st.bc;
    st.bc += 8;
  }
  return true;
}

function take(k: number): number {
  const v = st.bb & ((1 << k) - 1);
  st.bb >>>= k;
  st.bc -= k;
  return v;
}

/** Decodes one symbol of h bit by bit (canonical code), or -1 at the end of the input. */
function decode(h: Huffman): number {
  let code = 0;
  let first = 0;
  let index = 0;
  const count = h.count;
  for (let len = 1; len < 16; len++) {
    if (st.bc === 0) {
      if (st.pos >= st.end) return -1;
      st.bb = st.buf[st.pos++] as number;
      st.bc = 8;
    }
    code |= st.bb & 1;
    st.bb >>>= 1;
    st.bc--;
    const c = count[len] as number;
    if (code - c < first) return h.symbol[index + (code - first)] as number;
    index += c;
    first = (first + c) << 1;
    code <<= 1;
  }
  return -1;
}

/**
 * inflateHead decodes the first n bytes of the raw deflate stream in buf[start, end) into out (which must
 * hold n bytes) and returns how many it wrote (fewer than n only when the stream ends first), or -1 when
 * the input is cut off or invalid.
 */
export function inflateHead(buf: Uint8Array, start: number, end: number, out: Uint8Array, n: number): number {
  st.buf = buf;
  st.pos = start;
  st.end = end;
  st.bb = 0;
  st.bc = 0;
  let written = 0;
  for (;;) {
    if (!fill(3)) return -1;
    const last = take(1);
    const type = take(2);
    if (type === 0) {
      // A stored block starts at the next byte boundary; whole bytes already in bb go back.
      st.pos -= st.bc >> 3;
      st.bb = 0;
      st.bc = 0;
      if (st.pos + 4 > end) return -1;
      const len = (buf[st.pos] as number) | ((buf[st.pos + 1] as number) << 8);
      st.pos += 4;
      for (let i = 0; i < len && written < n; i++) {
        if (st.pos >= end) return -1;
        out[written++] = buf[st.pos++] as number;
      }
      if (written >= n) return written;
    } else if (type === 1 || type === 2) {
      let lc: Huffman;
      let dc: Huffman;
      let distLengths = -1;
      let ndist = 0;
      if (type === 1) {
        [lc, dc] = fixedTables();
      } else {
        if (!fill(14)) return -1;
        const nlen = take(5) + 257;
        ndist = take(5) + 1;
        const ncode = take(4) + 4;
        if (nlen > 286 || ndist > 30) return -1;
        for (let i = 0; i < 19; i++) {
          if (i < ncode) {
            if (!fill(3)) return -1;
            lengths[CL_ORDER[i] as number] = take(3);
          } else {
            lengths[CL_ORDER[i] as number] = 0;
          }
        }
        if (!buildClTable()) return -1;
        const total = nlen + ndist;
        // Locals for the hot loop; the literal/length code's counts are gathered on the way.
        const lens = lengths;
        const table = clTable;
        const litCount = lenCode.count;
        litCount.fill(0);
        let pos = st.pos;
        let bb = st.bb;
        let bc = st.bc;
        for (let i = 0; i < total; ) {
          // A code (at most 7 bits) and its extra bits (at most 7) fit in 14 bits.
          while (bc < 14 && pos < end) {
            bb |= (buf[pos++] as number) << bc;
            bc += 8;
          }
          const e = table[bb & 127] as number;
          const l = e & 7;
          if (l === 0 || l > bc) return -1;
          bb >>>= l;
          bc -= l;
          const sym = e >> 3;
          if (sym < 16) {
            if (i < nlen) litCount[sym]++;
            lens[i++] = sym;
            continue;
          }
          let value = 0;
          let rep: number;
          if (sym === 16) {
            if (i === 0 || bc < 2) return -1;
            value = lens[i - 1] as number;
            rep = 3 + (bb & 3);
            bb >>>= 2;
            bc -= 2;
          } else if (sym === 17) {
            if (bc < 3) return -1;
            rep = 3 + (bb & 7);
            bb >>>= 3;
            bc -= 3;
          } else {
            if (bc < 7) return -1;
            rep = 11 + (bb & 127);
            bb >>>= 7;
            bc -= 7;
          }
          if (i + rep > total) return -1;
          if (i < nlen) litCount[value] += Math.min(rep, nlen - i);
          while (rep-- > 0) lens[i++] = value;
        }
        st.pos = pos;
        st.bb = bb;
        st.bc = bc;
        if (!placeSymbols(lenCode, 0, nlen)) return -1;
        // The distance code is built only if a match needs it (lengths past nlen stay put until then).
        distLengths = nlen;
        lc = lenCode;
        dc = distCode;
      }
      for (;;) {
        const sym = decode(lc);
        if (sym < 0) return -1;
        if (sym < 256) {
          out[written++] = sym;
          if (written >= n) return written;
        } else if (sym === 256) {
          break;
        } else {
          const li = sym - 257;
          if (li >= 29) return -1;
          const le = LEN_EXTRA[li] as number;
          if (!fill(le)) return -1;
          const len = (LEN_BASE[li] as number) + take(le);
          if (distLengths >= 0) {
            if (!build(distCode, distLengths, ndist)) return -1;
            distLengths = -1;
          }
          const di = decode(dc);
          if (di < 0 || di >= 30) return -1;
          const de = DIST_EXTRA[di] as number;
          if (!fill(de)) return -1;
          const dist = (DIST_BASE[di] as number) + take(de);
          if (dist > written) return -1;
          for (let i = 0; i < len; i++) {
            out[written] = out[written - dist] as number;
            if (++written >= n) return written;
          }
        }
      }
    } else {
      return -1;
    }
    if (last) return written;
  }
}
