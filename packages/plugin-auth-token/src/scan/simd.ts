/**
 * The candidate search for files, in WebAssembly SIMD: 16 positions at a time, a position is a
 * candidate when it holds `n`, two bytes on `p` and five on `_` (ndpat_'s first, third and
 * last bytes), one compare per byte instead of Buffer#indexOf's memchr restarted at every `p`
 * (~1.4 % of code and log text): ~5× less CPU per MiB. Files are read straight into the
 * module's memory, so nothing is copied. Hand-assembled (no toolchain at build time); the text:
 *
 *   (func (export "find") (param $i i32) (param $end i32) (result i32) (local $m i32)
 *     (block $scalar (loop $simd                       ;; while i + 21 <= end
 *       (br_if $scalar (i32.gt_u (i32.add (local.get $i) (i32.const 21)) (local.get $end)))
 *       (local.tee $m (i8x16.bitmask (v128.and (v128.and
 *          (i8x16.eq (v128.load (local.get $i)) (v128.const i8x16 'n'…))
 *          (i8x16.eq (v128.load offset=5 (local.get $i)) (v128.const i8x16 '_'…)))
 *          (i8x16.eq (v128.load offset=2 (local.get $i)) (v128.const i8x16 'p'…)))))
 *       (if (then (return (i32.add (local.get $i) (i32.ctz (local.get $m))))))
 *       (local.set $i (i32.add (local.get $i) (i32.const 16)))
 *       (br $simd)))
 *     (block $done (loop $tail                          ;; the last < 21 bytes, one at a time
 *       (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 6)) (local.get $end)))
 *       (if (i32.and (i32.eq (i32.load8_u (local.get $i)) (i32.const 110))
 *                    (i32.and (i32.eq (i32.load8_u offset=2 (local.get $i)) (i32.const 112))
 *                             (i32.eq (i32.load8_u offset=5 (local.get $i)) (i32.const 95))))
 *         (then (return (local.get $i))))
 *       (local.set $i (i32.add (local.get $i) (i32.const 1)))
 *       (br $tail)))
 *     (i32.const -1))
 *
 * with the memory imported as e.m. Returns the first candidate at or after i whose `_` is
 * before end, or -1.
 */
/** The little of WebAssembly's JS API used here (the project's lib is ES2023, which has no WebAssembly types; @types/node 22 has none either). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object
  Memory: new (descriptor: {initial: number}) => {buffer: ArrayBuffer}
  Instance: new (module: object, imports: object) => {exports: Record<string, unknown>}
}

const N = 0x6e
const P = 0x70
const UNDERSCORE = 0x5f

const SIMD = 0xfd
const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f, void: 0x40,
  localGet: 0x20, localSet: 0x21, localTee: 0x22, i32Const: 0x41, i32Load8u: 0x2d,
  i32Eq: 0x46, i32GtU: 0x4b, i32Ctz: 0x68, i32Add: 0x6a, i32And: 0x71,
  v128Load: 0x00, v128Const: 0x0c, i8x16Eq: 0x23, v128And: 0x4e, i8x16Bitmask: 0x64,
}
const I = 0
const END = 1
const M = 2

const eqSplat = (offset: number, byte: number) => [
  op.localGet, I, SIMD, op.v128Load, 0, offset,
  SIMD, op.v128Const, ...Array.from({length: 16}, () => byte),
  SIMD, op.i8x16Eq,
]
const byteIs = (offset: number, byte: number) => [op.localGet, I, op.i32Load8u, 0, offset, op.i32Const, ...sleb(byte), op.i32Eq]

const BODY = [
  1, 1, 0x7f, // one local i32 ($m)
  op.block, op.void, op.loop, op.void,
  op.localGet, I, op.i32Const, 21, op.i32Add, op.localGet, END, op.i32GtU, op.brIf, 1,
  ...eqSplat(0, N), ...eqSplat(5, UNDERSCORE), SIMD, op.v128And, ...eqSplat(2, P), SIMD, op.v128And,
  SIMD, op.i8x16Bitmask, op.localTee, M,
  op.if, op.void, op.localGet, I, op.localGet, M, op.i32Ctz, op.i32Add, op.return, op.end,
  op.localGet, I, op.i32Const, 16, op.i32Add, op.localSet, I,
  op.br, 0, op.end, op.end,
  op.block, op.void, op.loop, op.void,
  op.localGet, I, op.i32Const, 6, op.i32Add, op.localGet, END, op.i32GtU, op.brIf, 1,
  ...byteIs(0, N), ...byteIs(2, P), ...byteIs(5, UNDERSCORE), op.i32And, op.i32And,
  op.if, op.void, op.localGet, I, op.return, op.end,
  op.localGet, I, op.i32Const, 1, op.i32Add, op.localSet, I,
  op.br, 0, op.end, op.end,
  op.i32Const, 0x7f, // -1
  op.end,
]

function sleb(value: number): number[] {
  const bytes: number[] = []
  for (;;) {
    const byte = value & 0x7f
    value >>= 7
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...bytes, byte]
    bytes.push(byte | 0x80)
  }
}

function uleb(value: number): number[] {
  const bytes: number[] = []
  do {
    let byte = value & 0x7f
    value >>>= 7
    if (value !== 0) byte |= 0x80
    bytes.push(byte)
  } while (value !== 0)
  return bytes
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content]
const name = (text: string) => [text.length, ...Buffer.from(text, 'latin1')]

const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f]), // type: (i32, i32) -> i32
  ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 0x01]), // import memory e.m (min 1 page)
  ...section(3, [1, 0]), // one function of type 0
  ...section(7, [1, ...name('find'), 0x00, 0]), // export it as find
  ...section(10, [1, ...uleb(BODY.length), ...BODY]),
])

export interface SimdFinder {
  /** The buffer to read into: the module's memory, from offset 0. */
  buffer: Buffer
  /** First candidate index in buffer[from, end), or -1. */
  find(from: number, end: number): number
}

let compiled: object | null | undefined

/** A finder over a buffer of at least `bytes`; undefined where WebAssembly SIMD is not available (Buffer#indexOf is used then). */
export function simdFinder(bytes: number): SimdFinder | undefined {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(MODULE)
    } catch {
      compiled = null
    }
  }
  if (compiled === null) return undefined
  // 21 bytes of slack: the last SIMD loads may look past `end` (never past the memory).
  const memory = new WebAssembly.Memory({initial: Math.ceil((bytes + 32) / 65_536)})
  const instance = new WebAssembly.Instance(compiled, {e: {m: memory}})
  return {buffer: Buffer.from(memory.buffer, 0, bytes), find: instance.exports.find as (from: number, end: number) => number}
}
