/**
 * Seeded PRNG for the fuzzers (sfc32 seeded through splitmix32): every case is a pure function
 * of (run seed, case index), so a failure is replayed with `--case ID` on any machine.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** uniform 32-bit unsigned */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** uniform in [0, 1) */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** uniform integer in [0, n) (n >= 1) */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor(this.float() * n);
  }

  /** uniform integer in [lo, hi] */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  bool(p = 0.5): boolean {
    return this.float() < p;
  }

  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }

  /** index chosen with the given weights */
  weighted(weights: readonly number[]): number {
    let sum = 0;
    for (const w of weights) sum += w;
    let x = this.float() * sum;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** small integers are far more likely: good for counts and lengths */
  smallInt(max: number): number {
    const r = this.float();
    return Math.min(max, Math.floor(Math.pow(r, 3) * (max + 1)));
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }

  /** a value that stresses length and count fields */
  interestingU32(): number {
    return this.pick(INTERESTING_U32);
  }

  interestingU16(): number {
    return this.pick(INTERESTING_U16);
  }

  /** derives an independent generator (for a sub-task) */
  fork(salt: number): Rng {
    return new Rng((this.u32() ^ Math.imul(salt, 0x9e3779b1)) >>> 0);
  }
}

export const INTERESTING_U32: readonly number[] = [
  0, 1, 2, 3, 4, 7, 8, 12, 16, 20, 24, 26, 27, 28, 31, 32, 36, 63, 64, 127, 128, 255, 256, 1023, 1024, 4095, 4096,
  65535, 65536, 65537, 0x7fff, 0x8000, 0xffff, 0x10000, 0x100000, 0x3ffffff, 0x4000000, 0x4000008, 0x7ffffff,
  0x10000000, 0x10000008, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffff0, 0xfffffffc, 0xfffffffe, 0xffffffff,
];

export const INTERESTING_U16: readonly number[] = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 63, 64, 127, 128, 255, 256, 1023, 1024, 1025, 4095, 4096, 4097, 0x7fff,
  0x8000, 0xfffe, 0xffff,
];

/** FNV-1a of a string: stable seeds derived from names */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}
