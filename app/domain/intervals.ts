import { estimated, notEstimable, type Estimate } from "./estimate.ts";

export interface Interval {
  lower: number;
  upper: number;
  /** The confidence level, e.g. 0.95. */
  confidence: number;
}

/**
 * Wilson's (1927) score interval for a proportion of `successes` in `trials`, the interval
 * Newcombe (1998) recommends for accuracies: it stays inside [0, 1] and keeps its coverage near
 * the nominal level even for small counts and proportions near 0 or 1.
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  confidence = 0.95,
): Estimate<Interval> {
  if (
    !Number.isInteger(trials) ||
    !Number.isInteger(successes) ||
    !(confidence > 0 && confidence < 1)
  ) {
    return notEstimable("invalid-options");
  }
  if (trials === 0) return notEstimable("no-data");
  if (successes < 0 || successes > trials) return notEstimable("invalid-options");
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const proportion = successes / trials;
  const zSquaredOverTrials = (z * z) / trials;
  const denominator = 1 + zSquaredOverTrials;
  const centre = (proportion + zSquaredOverTrials / 2) / denominator;
  const halfWidth =
    (z * Math.sqrt((proportion * (1 - proportion)) / trials + zSquaredOverTrials / (4 * trials))) /
    denominator;
  return estimated({
    lower: Math.max(0, centre - halfWidth),
    upper: Math.min(1, centre + halfWidth),
    confidence,
  });
}

/** Coefficients of Wichura's (1988) AS 241 (PPND16), highest power first. */
const centralNumerator = [
  2509.0809287301227, 33430.57558358813, 67265.7709270087, 45921.95393154987, 13731.69376550946,
  1971.5909503065513, 133.14166789178438, 3.3871328727963665,
];
const centralDenominator = [
  5226.495278852546, 28729.085735721943, 39307.89580009271, 21213.794301586597, 5394.196021424751,
  687.1870074920579, 42.31333070160091, 1,
];
const nearNumerator = [
  0.0007745450142783414, 0.022723844989269184, 0.2417807251774506, 1.2704582524523684,
  3.6478483247632045, 5.769497221460691, 4.630337846156546, 1.4234371107496835,
];
const nearDenominator = [
  1.0507500716444169e-9, 0.0005475938084995345, 0.015198666563616457, 0.14810397642748008,
  0.6897673349851, 1.6763848301838038, 2.053191626637759, 1,
];
const farNumerator = [
  2.0103343992922881e-7, 2.7115555687434876e-5, 0.0012426609473880784, 0.026532189526576124,
  0.29656057182850487, 1.7848265399172913, 5.463784911164114, 6.657904643501103,
];
const farDenominator = [
  2.0442631033899397e-15, 1.421511758316446e-7, 1.8463183175100548e-5, 0.0007868691311456133,
  0.014875361290850615, 0.1369298809227358, 0.599832206555888, 1,
];

/** The polynomial with `coefficients` (highest power first) at x, by Horner's rule. */
function polynomial(coefficients: readonly number[], x: number): number {
  let value = coefficients[0];
  for (let power = 1; power < coefficients.length; power++) value = value * x + coefficients[power];
  return value;
}

/**
 * The standard normal quantile Φ⁻¹(p) for 0 < p < 1, by Wichura's (1988) algorithm AS 241
 * (PPND16), accurate to about 1 part in 10¹⁶.
 */
export function normalQuantile(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(centralNumerator, r)) / polynomial(centralDenominator, r);
  }
  const r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  const value =
    r <= 5
      ? polynomial(nearNumerator, r - 1.6) / polynomial(nearDenominator, r - 1.6)
      : polynomial(farNumerator, r - 5) / polynomial(farDenominator, r - 5);
  return q < 0 ? -value : value;
}
