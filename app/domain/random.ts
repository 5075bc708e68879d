/**
 * Seeded randomness for bootstraps and simulations, in integer arithmetic so that a seed gives
 * the same numbers in every JavaScript engine: xoshiro128** (Blackman & Vigna 2018), its four
 * words of state filled from the seed by a Weyl sequence through MurmurHash3's fmix32 finaliser.
 */
export class SeededRandom {
  private readonly state = new Uint32Array(4);

  constructor(seed: number) {
    let weyl = seed >>> 0;
    for (let word = 0; word < 4; word++) {
      weyl = (weyl + 0x9e3779b9) >>> 0;
      let mixed = weyl;
      mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b);
      mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
      this.state[word] = (mixed ^ (mixed >>> 16)) >>> 0;
    }
  }

  /** A generator whose state is given word by word, as the reference implementation takes it. */
  static fromState(words: readonly [number, number, number, number]): SeededRandom {
    const random = new SeededRandom(0);
    random.state.set(words);
    return random;
  }

  /** The next 32-bit output, an integer in [0, 2³²). */
  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotateLeft(Math.imul(s[1], 5), 7), 9) >>> 0;
    const shifted = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= shifted;
    s[3] = rotateLeft(s[3], 11);
    return result;
  }

  /** A double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** An integer in [0, bound), for bound ≤ 2³². */
  nextInt(bound: number): number {
    return Math.floor(this.nextDouble() * bound);
  }

  /**
   * A draw from Binomial(trials, probability): inversion when the mean is small, otherwise
   * Hörmann's (1993) transformed rejection with squeeze (BTRS), so each draw costs O(1) however
   * large `trials` is.
   */
  binomial(trials: number, probability: number): number {
    if (trials <= 0 || probability <= 0) return 0;
    if (probability >= 1) return trials;
    if (probability > 0.5) return trials - this.binomial(trials, 1 - probability);
    return trials * probability < 10
      ? this.binomialByInversion(trials, probability)
      : this.binomialByRejection(trials, probability);
  }

  private binomialByInversion(trials: number, probability: number): number {
    const failure = 1 - probability;
    const odds = probability / failure;
    const step = (trials + 1) * odds;
    for (;;) {
      let mass = failure ** trials;
      let uniform = this.nextDouble();
      let successes = 0;
      while (uniform > mass) {
        uniform -= mass;
        successes++;
        if (successes > trials) break;
        mass *= step / successes - odds;
      }
      if (successes <= trials) return successes;
    }
  }

  private binomialByRejection(trials: number, probability: number): number {
    const failure = 1 - probability;
    const spread = Math.sqrt(trials * probability * failure);
    const b = 1.15 + 2.53 * spread;
    const a = -0.0873 + 0.0248 * b + 0.01 * probability;
    const c = trials * probability + 0.5;
    const acceptBox = 0.92 - 4.2 / b;
    const alpha = (2.83 + 5.1 / b) * spread;
    const logOdds = Math.log(probability / failure);
    const mode = Math.floor((trials + 1) * probability);
    const logModeMass = logFactorial(mode) + logFactorial(trials - mode);
    for (;;) {
      const u = this.nextDouble() - 0.5;
      let v = this.nextDouble();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + c);
      if (k < 0 || k > trials) continue;
      if (us >= 0.07 && v <= acceptBox) return k;
      v = Math.log((v * alpha) / (a / (us * us) + b));
      if (v <= logModeMass - logFactorial(k) - logFactorial(trials - k) + (k - mode) * logOdds) {
        return k;
      }
    }
  }
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

const smallLogFactorials = [
  0, 0, 0.6931471805599453, 1.791759469228055, 3.1780538303479458, 4.787491742782046,
  6.579251212010101, 8.525161361065415, 10.60460290274525, 12.801827480081469,
];

/** ln(k!), exact below 10 and by Stirling's series (error below 10⁻¹²) above. */
function logFactorial(k: number): number {
  if (k < 10) return smallLogFactorials[k];
  const inverse = 1 / (k + 1);
  const inverseSquared = inverse * inverse;
  return (
    (k + 0.5) * Math.log(k + 1) -
    (k + 1) +
    0.9189385332046728 +
    inverse * (1 / 12 - inverseSquared * (1 / 360 - inverseSquared / 1260))
  );
}
