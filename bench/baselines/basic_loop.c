// Tight C loop of the same Monte Carlo (U[-1,1], alpha=0.5, kappa=1, mu_pi=0): xorshift128+ RNG,
// truthful virtual-type bids, closed-form clearing, Proposition 3 fee via a Hermite table.
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>
static uint64_t s0 = 0x12345678abcdefULL, s1 = 0x0fedcba987654321ULL;
static inline double rnd(void) { uint64_t x = s0, y = s1; s0 = y; x ^= x << 23; s1 = x ^ y ^ (x >> 17) ^ (y >> 26); return ((s1 + y) >> 11) * 0x1.0p-53; }
int main(int argc, char **argv) {
  int N = argc > 1 ? atoi(argv[1]) : 10;
  const double alpha = 0.5, eA = -1.0/3, eB = 1.0/3;
  const int T = 4096; double start = -1, step = 2.0 / T; double *val = malloc((T+1)*sizeof(double)), *der = malloc((T+1)*sizeof(double));
  for (int k = 0; k <= T; k++) { double l = start + k*step; val[k] = sin(l); der[k] = cos(l)*step; }
  double scale = (N-1.0)/N, c = -1.0/(N-1);
  long markets = 20000000 / N;
  double *e = malloc(N*sizeof(double)), *a = malloc(N*sizeof(double));
  double rev = 0, hold = 0, gain = 0, vol = 0;
  struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long m = 0; m < markets; m++) {
    double sa = 0;
    for (int i = 0; i < N; i++) { double x = -1 + 2*rnd(); e[i] = x; double v = x < eA ? x + alpha*(x+1) : x > eB ? x - alpha*(1-x) : 0; a[i] = -v; sa += a[i]; }
    double p = sa / N;
    double r = 0, h = 0, g = 0, w = 0;
    for (int i = 0; i < N; i++) {
      double q = a[i] - p, l = -q - p; double xx = (l - start) / step; int k = (int)xx; if (k >= T) k = T-1; if (k < 0) k = 0; double s = xx - k;
      double v0 = val[k], v1 = val[k+1], d0 = der[k], d1 = der[k+1];
      double B = v0 + s*(d0 + s*(3*(v1-v0) - 2*d0 - d1 + s*(2*(v0-v1) + d0 + d1)));
      double t = p*q + 0.5*c*q*q - scale*B; double pos = e[i] + q;
      r += t; h += pos*pos*0.5; g += -t - q*(2*e[i]+q)*0.5; w += fabs(q);
    }
    rev += r/N; hold += h/N; gain += g/N; vol += w/N;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double el = (t1.tv_sec - t0.tv_sec) + 1e-9*(t1.tv_nsec - t0.tv_nsec);
  printf("N=%d: %.1f M trader-draws/s (checksum %g)\n", N, markets*(double)N/el/1e6, rev+hold+gain+vol);
}
