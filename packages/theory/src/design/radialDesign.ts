import { integrate } from "@optex/numerics";
import erfc from "@stdlib/math-base-special-erfc";
import { radialMechanism } from "../several-assets/multiAsset.ts";
import { TheoryError } from "../theoryError.ts";
import { QuadraticProgram, solveQuadraticProgram } from "./qp.ts";

// Is Proposition 7's radial mechanism optimal among all mechanisms with two assets? The designer's
// problem of Section 6 (Condition 3: endowments N(mu_e, sigma_e^2 I), payoffs with covariance
// sigma_pi^2 I), discretised as in basicDesign.ts, with nothing radial assumed (docs/design.md).
//
// In units z = (e - mu_e)/sigma_e, a trader of type z reporting cell l gains U(z, l) = -z.h_l - s_l
// (in units sigma_e^2 sigma_pi^2 / kappa); the objective per trader is
//   alpha E[s] - (1 - alpha) E[z.h] - (N/(N-1)) E|h|^2 / 2 - (1 - alpha) k / 2,
// with the same reduction to interim allocations as in one dimension, component by component.
// Cells are convex polygons tiling the plane (polygonal rings cut by rays), and the mechanism is
// constant on each. U is linear in z, so a constraint holds on a cell once it holds at its vertices
// (for the outermost, unbounded cells: at their inner corners and along their two rays): every
// solution is a feasible mechanism of the continuous problem, and its objective, computed exactly, a
// lower bound on the optimum.

export interface RadialDesignOptions {
  readonly alpha: number;
  readonly traders: number;
  readonly kappa?: number;
  readonly sigmaE?: number;
  readonly sigmaPi?: number;
  /** Rings (about; the outermost ring is split further) and sectors of the grid. */
  readonly rings?: number;
  readonly sectors?: number;
}

export interface RadialDesignSolution {
  readonly assets: 2;
  readonly alpha: number;
  readonly traders: number;
  readonly rings: number;
  readonly sectors: number;
  readonly cells: number;
  /** alpha revenue - (1 - alpha) holding cost per trader (holding cost about mu_e, summed over assets), exactly for the solver's mechanism. */
  readonly objective: number;
  /** Proposition 7's objective (radialMechanism). */
  readonly theoryObjective: number;
  /** (theoryObjective - objective) / (sigma_e^2 sigma_pi^2 / kappa). */
  readonly relativeGap: number;
  /** Largest violation of any incentive or participation constraint, in units of sigma_e^2 sigma_pi^2 / kappa (the solver's tolerance: these are not repaired). */
  readonly maxViolation: number;
  readonly constraintsChecked: number;
  readonly constraintsGiven: number;
  readonly rounds: number;
  /**
   * How far from radial the solution is: the mass-weighted RMS of the allocation's component across
   * the radius (at the cell's mean direction), and of the spread of the radial component over the
   * sectors of a ring, both relative to the RMS allocation.
   */
  readonly tangentialShare: number;
  readonly angularSpread: number;
  /** Mass-weighted RMS distance from Proposition 7's interim allocation -((N-1)/N) v(r) z/r at the cells' means, relative to the RMS allocation. */
  readonly distanceFromProposition7: number;
  readonly solver: { readonly name: string; readonly status: string; readonly proven: boolean; readonly seconds: number };
}

interface Cell {
  readonly mass: number;
  readonly mean: readonly [number, number];
  /** Points where every constraint is imposed, and directions to infinity (outermost ring). */
  readonly vertices: readonly (readonly [number, number])[];
  readonly directions: readonly (readonly [number, number])[];
  readonly ring: number;
  readonly sector: number;
  /** Radii of the ring's inner and outer boundaries at the rays (outer: infinite for the outermost ring). */
  readonly inner: number;
  readonly outer: number;
}

const VIOLATION_TOLERANCE = 1e-7;
const QUAD = { absTol: 1e-16, relTol: 1e-12, maxSubdivisions: 2000 };

/** Solves the discretised two-asset designer's problem and compares it with Proposition 7. */
export async function solveRadialDesign(options: RadialDesignOptions): Promise<RadialDesignSolution> {
  const { alpha, traders: N } = options;
  const kappa = options.kappa ?? 1;
  const sigmaE = options.sigmaE ?? 1;
  const sigmaPi = options.sigmaPi ?? 1;
  const rings = options.rings ?? 12;
  const sectors = options.sectors ?? 16;
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  if (!(Number.isInteger(N) && N >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${N}`);
  if (!(Number.isInteger(rings) && rings >= 2 && rings <= 24)) throw new TheoryError(`rings must be an integer in [2, 24], got ${rings}`);
  if (!(Number.isInteger(sectors) && sectors >= 4 && sectors <= 64))
    throw new TheoryError(`sectors must be an integer in [4, 64], got ${sectors}`);
  const cells = polarCells(rings, sectors);
  const m = cells.length;
  const qp = new QuadraticProgram(3 * m);
  const hx = (c: number) => c;
  const hy = (c: number) => m + c;
  const s = (c: number) => 2 * m + c;
  const quadratic = N / (N - 1);
  for (let c = 0; c < m; c++) {
    const w = m * cells[c]!.mass;
    qp.cost[hx(c)] = (1 - alpha) * w * cells[c]!.mean[0];
    qp.cost[hy(c)] = (1 - alpha) * w * cells[c]!.mean[1];
    qp.cost[s(c)] = -alpha * w;
    qp.hessianDiagonal[hx(c)] = quadratic * w;
    qp.hessianDiagonal[hy(c)] = quadratic * w;
  }
  for (const axis of [hx, hy])
    qp.addRow(
      cells.map((_, c) => axis(c)),
      cells.map((cell) => m * cell.mass),
      0,
      0,
    );
  // U(z, k) - U(z, l) >= 0 at a vertex z; along a direction d to infinity, -(h_k - h_l).d >= 0.
  const incentive = (k: number, l: number, z: readonly [number, number], point: boolean) => {
    const indices = [hx(k), hy(k), hx(l), hy(l)];
    const values = [-z[0], -z[1], z[0], z[1]];
    if (point) {
      indices.push(s(k), s(l));
      values.push(-1, 1);
    }
    return { indices, values };
  };
  const participation = (k: number, z: readonly [number, number], point: boolean) =>
    point ? { indices: [hx(k), hy(k), s(k)], values: [-z[0], -z[1], -1] } : { indices: [hx(k), hy(k)], values: [-z[0], -z[1]] };
  const add = (row: { indices: number[]; values: number[] }) => qp.addRow(row.indices, row.values, 0, Number.POSITIVE_INFINITY);
  const index = (ring: number, sector: number) => ring * sectors + (((sector % sectors) + sectors) % sectors);
  const ringCount = m / sectors;
  for (let k = 0; k < m; k++) {
    const cell = cells[k]!;
    for (const z of cell.vertices) add(participation(k, z, true));
    for (const d of cell.directions) add(participation(k, d, false));
    // Across an edge shared with the next cell of the ring and with the next ring, U is continuous:
    // equal at the edge's two ends (or along its ray, for the outermost cells). The other incentive
    // constraints are added where the solution violates them.
    const equal = (row: { indices: number[]; values: number[] }) => qp.addRow(row.indices, row.values, 0, 0);
    const next = index(cell.ring, cell.sector + 1);
    const t2 = ((cell.sector + 1) * 2 * Math.PI) / sectors;
    const ray = (r: number): [number, number] => [r * Math.cos(t2), r * Math.sin(t2)];
    equal(incentive(k, next, ray(cell.inner), true));
    if (Number.isFinite(cell.outer)) equal(incentive(k, next, ray(cell.outer), true));
    else equal(incentive(k, next, ray(1), false));
    if (cell.ring + 1 < ringCount) {
      const outward = index(cell.ring + 1, cell.sector);
      for (const z of cell.vertices.slice(-2)) equal(incentive(k, outward, z, true));
    }
  }
  let given = qp.rows;
  let rounds = 0;
  let x: Float64Array;
  let status: string;
  let proven = true;
  let seconds = 0;
  let check: { maxViolation: number; checked: number; violated: { indices: number[]; values: number[] }[] };
  for (;;) {
    rounds++;
    const solution = await solveQuadraticProgram(qp);
    x = solution.x;
    status = solution.status;
    proven &&= solution.proven;
    seconds += solution.seconds;
    check = checkAll(cells, x, incentive, participation);
    if (check.violated.length === 0 || rounds >= 20) break;
    for (const row of check.violated) add(row);
    given += check.violated.length;
  }
  // Participation is restored exactly by lowering every transfer by the largest shortfall (incentive
  // constraints do not move); what remains of maxViolation is incentive rows missed at the solver's tolerance.
  let shortfall = 0;
  for (let k = 0; k < m; k++) {
    for (const z of cells[k]!.vertices) shortfall = Math.max(shortfall, x[hx(k)]! * z[0] + x[hy(k)]! * z[1] + x[s(k)]!);
  }
  for (let k = 0; k < m; k++) x[s(k)] = x[s(k)]! - shortfall;
  check = checkAll(cells, x, incentive, participation);
  let Es = 0;
  let Ezh = 0;
  let Eh2 = 0;
  for (let k = 0; k < m; k++) {
    const { mass, mean } = cells[k]!;
    Es += mass * x[s(k)]!;
    Ezh += mass * (mean[0] * x[hx(k)]! + mean[1] * x[hy(k)]!);
    Eh2 += mass * (x[hx(k)]! ** 2 + x[hy(k)]! ** 2);
  }
  const scale = (sigmaE * sigmaE * sigmaPi * sigmaPi) / kappa;
  const standardizedObjective = alpha * Es - (1 - alpha) * Ezh - (quadratic * Eh2) / 2 - (1 - alpha);
  const objective = scale * standardizedObjective;
  const theory = radialMechanism({ assets: 2, traders: N, kappa, sigmaE, sigmaPi, alpha });
  // Shape of the solution, in z units.
  const share = (N - 1) / N;
  const unitV = radialMechanism({ assets: 2, traders: N, kappa: 1, sigmaE: 1, sigmaPi: 1, alpha });
  let tangential = 0;
  let distance = 0;
  const radialBySector: number[][] = Array.from({ length: ringCount }, () => []);
  for (let k = 0; k < m; k++) {
    const { mass, mean, ring } = cells[k]!;
    const r = Math.hypot(mean[0], mean[1]);
    const u = [mean[0] / r, mean[1] / r];
    const radial = x[hx(k)]! * u[0]! + x[hy(k)]! * u[1]!;
    const across = -x[hx(k)]! * u[1]! + x[hy(k)]! * u[0]!;
    tangential += mass * across * across;
    radialBySector[ring]!.push(radial);
    const target = -share * unitV.v(r);
    distance += mass * ((x[hx(k)]! - target * u[0]!) ** 2 + (x[hy(k)]! - target * u[1]!) ** 2);
  }
  let spread = 0;
  for (let ring = 0; ring < ringCount; ring++) {
    const values = radialBySector[ring]!;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const mass = cells[ring * sectors]!.mass;
    for (const value of values) spread += mass * (value - mean) ** 2;
  }
  const rms = Math.sqrt(Eh2) || 1;
  return {
    assets: 2,
    alpha,
    traders: N,
    rings: ringCount,
    sectors,
    cells: m,
    objective,
    theoryObjective: theory.objective,
    relativeGap: (theory.objective - objective) / scale,
    maxViolation: check.maxViolation,
    constraintsChecked: check.checked,
    constraintsGiven: given,
    rounds,
    tangentialShare: Math.sqrt(tangential) / rms,
    angularSpread: Math.sqrt(spread) / rms,
    distanceFromProposition7: Math.sqrt(distance) / rms,
    solver: { name: "HiGHS (active-set QP)", status, proven, seconds },
  };
}

/**
 * Polygonal rings: the vertices of ring boundary j are at radius rho_j and angles 2 pi i / sectors, and
 * a cell is the trapezoid between two consecutive boundaries and two consecutive rays (a triangle at
 * the centre, an unbounded wedge beyond the last boundary). The cells tile the plane and are convex, so
 * constraints at their vertices (and along the wedge's two rays) are exact. (Circular sectors would
 * need enclosing polygons, which overlap their neighbours and force equal allocations on the overlap.)
 * rho_j are the radii with P(|z| > rho) = 1 - j / rings, the outermost split further at probabilities
 * shrinking geometrically down to 1/rings^2. Masses and means are quadratures over the angle of the
 * radial integrals in closed form (1e-12 relative).
 */
function polarCells(rings: number, sectors: number): Cell[] {
  const survival = [1];
  for (let j = 1; j < rings; j++) survival.push(1 - j / rings);
  const ratio = Math.exp(-6 / rings);
  for (let p = survival[survival.length - 1]! * ratio; p >= 1 / (rings * rings); p *= ratio) survival.push(p);
  const bounds = [...survival.map((p) => Math.sqrt(-2 * Math.log(p))), Number.POSITIVE_INFINITY];
  const width = (2 * Math.PI) / sectors;
  const half = width / 2;
  // Radial integrals of the standard bivariate normal density r e^{-r^2/2} / (2 pi): mass, and int r^2 e^{-r^2/2}.
  const tail = (r: number) => (Number.isFinite(r) ? Math.exp((-r * r) / 2) : 0);
  const firstMoment = (r: number) =>
    Number.isFinite(r) ? -r * Math.exp((-r * r) / 2) + Math.sqrt(Math.PI / 2) * (1 - erfc(r / Math.SQRT2)) : Math.sqrt(Math.PI / 2);
  const cells: Cell[] = [];
  for (let ring = 0; ring + 1 < bounds.length; ring++) {
    const a = bounds[ring]!;
    const b = bounds[ring + 1]!;
    // Along the direction at angle phi from the sector's middle, the cell spans radii [a, b] cos(half)/cos(phi).
    const span = (phi: number) => {
      const stretch = Math.cos(half) / Math.cos(phi);
      return [a * stretch, b * stretch] as const;
    };
    const mass =
      integrate(
        (phi) => {
          const [lo, hi] = span(phi);
          return tail(lo) - tail(hi);
        },
        -half,
        half,
        QUAD,
      ).value /
      (2 * Math.PI);
    const radialMean =
      integrate(
        (phi) => {
          const [lo, hi] = span(phi);
          return Math.cos(phi) * (firstMoment(hi) - firstMoment(lo));
        },
        -half,
        half,
        QUAD,
      ).value /
      (2 * Math.PI) /
      mass;
    for (let sector = 0; sector < sectors; sector++) {
      const t1 = sector * width;
      const t2 = t1 + width;
      const at = (r: number, t: number): [number, number] => [r * Math.cos(t), r * Math.sin(t)];
      const vertices: [number, number][] = a === 0 ? [[0, 0]] : [at(a, t1), at(a, t2)];
      const directions: [number, number][] = [];
      if (Number.isFinite(b)) vertices.push(at(b, t1), at(b, t2));
      else directions.push(at(1, t1), at(1, t2));
      cells.push({ mass, mean: at(radialMean, t1 + half), vertices, directions, ring, sector, inner: a, outer: b });
    }
  }
  return cells;
}

type Row = { indices: number[]; values: number[] };

function checkAll(
  cells: readonly Cell[],
  x: Float64Array,
  incentive: (k: number, l: number, z: readonly [number, number], point: boolean) => Row,
  participation: (k: number, z: readonly [number, number], point: boolean) => Row,
) {
  const m = cells.length;
  const value = (row: Row) => row.values.reduce((total, a, j) => total + a * x[row.indices[j]!]!, 0);
  let maxViolation = 0;
  let checked = 0;
  const violated: Row[] = [];
  const note = (row: Row) => {
    checked++;
    const v = value(row);
    if (-v > maxViolation) maxViolation = -v;
    if (-v > VIOLATION_TOLERANCE) violated.push(row);
  };
  for (let k = 0; k < m; k++) {
    const cell = cells[k]!;
    for (const z of cell.vertices) note(participation(k, z, true));
    for (const d of cell.directions) note(participation(k, d, false));
    for (let l = 0; l < m; l++) {
      if (l === k) continue;
      for (const z of cell.vertices) note(incentive(k, l, z, true));
      for (const d of cell.directions) note(incentive(k, l, d, false));
    }
  }
  return { maxViolation, checked, violated };
}
