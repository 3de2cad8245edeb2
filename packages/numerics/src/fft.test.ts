import { describe, expect, test } from "vitest";
import { fft } from "./fft.ts";

describe("fft", () => {
  test("matches the direct DFT sum_k x_k e^{-2 pi i j k / n} and inverts to the input", () => {
    const n = 64;
    const re = Float64Array.from({ length: n }, (_, k) => Math.sin(0.3 * k * k) + 0.1 * k);
    const im = Float64Array.from({ length: n }, (_, k) => Math.cos(1.7 * k));
    const [r0, i0] = [Float64Array.from(re), Float64Array.from(im)];
    fft(re, im, false);
    for (let j = 0; j < n; j++) {
      let sr = 0;
      let si = 0;
      for (let k = 0; k < n; k++) {
        const a = (-2 * Math.PI * j * k) / n;
        sr += r0[k]! * Math.cos(a) - i0[k]! * Math.sin(a);
        si += r0[k]! * Math.sin(a) + i0[k]! * Math.cos(a);
      }
      expect(Math.abs(re[j]! - sr)).toBeLessThan(1e-12 * n);
      expect(Math.abs(im[j]! - si)).toBeLessThan(1e-12 * n);
    }
    fft(re, im, true);
    for (let k = 0; k < n; k++) {
      expect(Math.abs(re[k]! - r0[k]!)).toBeLessThan(1e-13 * n);
      expect(Math.abs(im[k]! - i0[k]!)).toBeLessThan(1e-13 * n);
    }
  });
});
