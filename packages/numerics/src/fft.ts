/** In-place radix-2 FFT (length a power of 2); the inverse divides by the length. */
export function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (sign * 2 * Math.PI) / len;
    const halfLen = len >> 1;
    for (let k = 0; k < halfLen; k++) {
      const cr = Math.cos(angle * k);
      const ci = Math.sin(angle * k);
      for (let i = k; i < n; i += len) {
        const j = i + halfLen;
        const tr = re[j]! * cr - im[j]! * ci;
        const ti = re[j]! * ci + im[j]! * cr;
        re[j] = re[i]! - tr;
        im[j] = im[i]! - ti;
        re[i] = re[i]! + tr;
        im[i] = im[i]! + ti;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = re[i]! / n;
      im[i] = im[i]! / n;
    }
  }
}
