# Vectorised NumPy Monte Carlo of the basic model (U[-1,1], alpha=0.5, N traders, kappa=1, mu_pi=0):
# truthful virtual-type bids, uniform-price clearing, Proposition 3 fee via table interpolation.
import numpy as np, time, sys
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10
alpha, kappa = 0.5, 1.0
eA, eB = -alpha/(1+alpha), alpha/(1+alpha)
def v(e):
    return np.where(e < eA, e + alpha*(e+1), np.where(e > eB, e - alpha*(1-e), 0.0))
grid_e = np.linspace(-1, 1, 8193); grid_v = v(grid_e)
ls = np.linspace(-1, 1, 8193)
vinv = np.interp(ls, grid_v, grid_e)
K = np.concatenate([[0], np.cumsum(0.5*(vinv[1:]+vinv[:-1])*np.diff(ls))])
scale = (N-1)/(N*kappa); c = -1/((N-1)*kappa)
Btab = scale*(0.5*ls**2 - K)
d = 0.0
rng = np.random.default_rng(1)
markets = 2_000_000 // N
batch = 100_000 // N * 10
t = time.perf_counter()
rev = hold = 0.0
done = 0
while done < markets:
    m = min(batch, markets - done)
    e = rng.uniform(-1, 1, size=(m, N))
    a = -v(e)                      # intercepts, slope kappa
    p = a.sum(axis=1) / (N*kappa)
    q = a - kappa*p[:, None]
    l = -q - kappa*p[:, None]
    fee = 0.5*c*q*q - np.interp(l, ls, Btab) + d
    T = p[:, None]*q + fee
    rev += T.sum(); hold += ((e+q)**2).sum()/(2*kappa)
    done += m
el = time.perf_counter() - t
print(f"N={N}: {markets*N/el/1e6:.1f} M trader-draws/s")
