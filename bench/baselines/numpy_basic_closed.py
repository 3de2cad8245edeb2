# Vectorised NumPy Monte Carlo of the basic model with CLOSED FORMS of the virtual type v and of
# the fee's B (no table interpolation): U[-1,1], alpha = 0.5, kappa = 1, mu_pi = 0, N traders
# (argv[1], default 10), truthful virtual-type bids, uniform-price clearing, Proposition 3 fee;
# argv[2]: trader-draws to time (default 4e6, what `optex bench` times optex on).
# Per market it reports what optex's Monte Carlo loop (runChunk in packages/scenarios/src/
# monteCarlo.ts) reports: revenue, holding cost, utility gain and trade volume per trader, and the
# largest exchange imbalance; their means and sums of squared deviations are accumulated over batches
# of markets (Chan's update). Prints "N=<N>: <rate> M trader-draws/s" (the line `optex bench` parses).
#
# Closed forms for U[-1,1] (F(e) = (e+1)/2, f = 1/2, so F/f = e + 1 and (1-F)/f = 1 - e):
#   v(e) = (1+alpha) e + alpha  below eA = -alpha/(1+alpha),
#          0                    on [eA, eB]           (the flat level m = E[v] = 0 by symmetry),
#          (1+alpha) e - alpha  above eB = alpha/(1+alpha);
#   v maps [-1, 1] onto [-1, 1], so v^{-1}(s) = (s + alpha)/(1+alpha) for s > 0 (the upper
#   branch: v^{-1}(0+) = eB) and (s - alpha)/(1+alpha) for s < 0 (v^{-1}(0-) = eA), and
#   int_0^l v^{-1}(s) ds = (l^2/2 + alpha |l|)/(1+alpha)          (|l| <= 1),
#   B(l) = ((N-1)/(N kappa)) [l^2/2 - int_0^l v^{-1}]
#        = ((N-1)/(N kappa)) (alpha/(1+alpha)) (l^2/2 - |l|)      (|l| <= 1);
#   Var[v] = int_{-1}^{eA} ((1+alpha) e + alpha)^2 de = 1/(3 (1+alpha)), so
#   d = Var[v]/(2 N kappa) + B(0) = 1/(6 N kappa (1+alpha)).
# In equilibrium l = -q - kappa p = v(e_i) (up to rounding), inside [-1, 1].
import sys
import time

import numpy as np

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10
alpha, kappa, mu_pi = 0.5, 1.0, 0.0
eA, eB = -alpha / (1 + alpha), alpha / (1 + alpha)
c = -1 / ((N - 1) * kappa)
scale = (N - 1) / (N * kappa)
var_v = 1 / (3 * (1 + alpha))


def v(e):
    return np.where(e < eA, (1 + alpha) * e + alpha, np.where(e > eB, (1 + alpha) * e - alpha, 0.0))


def B(l):
    return scale * alpha / (1 + alpha) * (0.5 * l * l - np.abs(l))


d = var_v / (2 * N * kappa) + B(0.0)


def check_closed_forms():
    """Fails (AssertionError) when a closed form disagrees with its definition computed numerically."""
    # v against its definition e + alpha F/f, 0, e - alpha (1-F)/f on a fine grid.
    e = np.linspace(-1, 1, 2001)
    defined = np.where(e < eA, e + alpha * (e + 1), np.where(e > eB, e - alpha * (1 - e), 0.0))
    assert np.allclose(v(e), defined, rtol=0, atol=1e-15), "v"
    # B against trapezoid tables of int_0^l v^{-1}, one per branch (v^{-1} jumps from eA to eB at
    # 0), with v^{-1} inverted numerically from a table of v on that branch.
    err = []
    for e_lo, e_hi, l_lo, l_hi in ((-1.0, eA, -1.0, 0.0), (eB, 1.0, 0.0, 1.0)):
        grid_e = np.linspace(e_lo, e_hi, 100_001)
        ls = np.linspace(l_lo, l_hi, 100_001)
        vinv = np.interp(ls, v(grid_e), grid_e)
        K = np.concatenate([[0.0], np.cumsum(0.5 * (vinv[1:] + vinv[:-1]) * np.diff(ls))])
        K -= K[-1] if l_hi == 0.0 else K[0]  # K(0) = 0
        table = scale * (0.5 * ls * ls - K)
        points = l_lo + (l_hi - l_lo) * np.array([0.0, 1e-3, 0.05, 0.31, 0.5, 0.73, 0.999, 1.0])
        err.append(np.abs(B(points) - np.interp(points, ls, table)))
    err = np.concatenate(err)
    assert np.all(err < 1e-8), f"B: {err.max():.3g}"
    # Var[v] by quadrature (midpoint rule on 10^6 cells).
    mid = -1 + (np.arange(1_000_000) + 0.5) * 2e-6
    assert abs(np.mean(v(mid) ** 2) - var_v) < 1e-9, "Var[v]"


check_closed_forms()

names = ("revenue", "holding", "gain", "volume")
rng = np.random.default_rng(1)
markets = max(1, int(float(sys.argv[2])) // N) if len(sys.argv) > 2 else 4_000_000 // N
batch = max(1, (1 << 17) // N)  # markets per batch: about 2^17 trader-draws, arrays of 1 MB
count = 0
mean = dict.fromkeys(names, 0.0)
m2 = dict.fromkeys(names, 0.0)
worst_imbalance = 0.0
t = time.perf_counter()
done = 0
while done < markets:
    m = min(batch, markets - done)
    e = rng.uniform(-1, 1, size=(m, N))
    a = kappa * mu_pi - v(e)  # intercepts; slopes kappa
    p = a.sum(axis=1) / (N * kappa)
    q = a - kappa * p[:, None]
    l = -q - kappa * (p[:, None] - mu_pi)
    fee = 0.5 * c * q * q - B(l) + d
    net = q.sum(axis=1)
    absq = np.abs(q).sum(axis=1)
    per_trader = {
        "revenue": (fee.sum(axis=1) + p * net) / N,
        "holding": ((e + q) ** 2).sum(axis=1) / (2 * kappa * N),
        "gain": ((mu_pi - p)[:, None] * q - fee - q * (2 * e + q) / (2 * kappa)).sum(axis=1) / N,
        "volume": absq / N,
    }
    worst_imbalance = max(worst_imbalance, float((np.abs(net) / (1 + absq)).max()))
    total = count + m
    for k in names:
        x = per_trader[k]
        bm = x.mean()
        delta = bm - mean[k]
        m2[k] += ((x - bm) ** 2).sum() + delta * delta * count * m / total
        mean[k] += delta * m / total
    count = total
    done += m
el = time.perf_counter() - t
print(f"N={N}: {markets * N / el / 1e6:.2f} M trader-draws/s")
print("  " + ", ".join(f"{k} {mean[k]:.6f} (sd {np.sqrt(m2[k] / (count - 1)):.4f})" for k in names) + f"; worst imbalance {worst_imbalance:.2e}")
