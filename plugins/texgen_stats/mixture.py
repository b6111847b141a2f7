"""Gaussian mixtures: k-means++ seeding, EM fitting and Gaussian conditioning.

Arrays: data are float (N, D); a mixture holds float64 weights (K,), means (K, D) and
covariances (K, D, D). The heavy products run in float32 (BLAS is twice as fast there and
the data are pixel values in [0, 1]); factorisations and log-determinants in float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

_LOG_2PI = float(np.log(2.0 * np.pi))
#: Elements of the E-step's (block, K, D) temporary: bounds its memory (16 MiB).
_BLOCK_ELEMENTS = 2**22
#: Responsibilities below this are skipped in the M-step's scatter sums: in patch space
#: (D ~ 100) a sample belongs to one or two components, so this saves most of the work.
_NEGLIGIBLE = 1e-6


@dataclass(frozen=True)
class Mixture:
    """A Gaussian mixture model.

    ``weights`` float64 (K,), non-negative, summing to 1; ``means`` float64 (K, D);
    ``covariances`` float64 (K, D, D), symmetric positive definite.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray

    @property
    def components(self) -> int:
        return self.weights.shape[0]

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def log_densities(self, x: np.ndarray) -> np.ndarray:
        """float64 (N, K): log(weight_k) + log N(x_n; mean_k, cov_k) for data x (N, D)."""
        x = np.asarray(x, np.float32)
        chols = np.linalg.cholesky(self.covariances)
        whitens = np.linalg.inv(chols)
        log_dets = 2.0 * np.log(np.diagonal(chols, axis1=1, axis2=2)).sum(axis=1)
        with np.errstate(divide="ignore"):  # a component with weight 0 is log 0 = -inf
            log_norms = np.log(self.weights) - 0.5 * (self.dim * _LOG_2PI + log_dets)
        # One product whitens x for every component: (x - m_k) W_k' = x W_k' - m_k W_k'.
        # Centring on the data mean first keeps that float32 difference accurate.
        centre = x.mean(axis=0, dtype=np.float64)
        stacked = whitens.transpose(2, 0, 1).reshape(self.dim, -1).astype(np.float32)
        offsets = np.einsum("kd,ked->ke", self.means - centre, whitens)
        out = np.empty((x.shape[0], self.components))
        rows = max(1, _BLOCK_ELEMENTS // (self.components * self.dim))
        for start in range(0, x.shape[0], rows):
            chunk = x[start:start + rows] - centre.astype(np.float32)
            y = (chunk @ stacked).reshape(len(chunk), self.components, self.dim) - offsets
            out[start:start + rows] = log_norms - 0.5 * np.einsum("nkd,nkd->nk", y, y)
        return out

    def log_likelihood(self, x: np.ndarray) -> float:
        """Mean log-likelihood per sample (nats) of data x (N, D)."""
        return float(logsumexp(self.log_densities(x), axis=1).mean())

    def covariance(self) -> np.ndarray:
        """float64 (D, D): the covariance of the whole mixture (within plus between the
        components)."""
        mean = self.weights @ self.means
        spread = self.means - mean
        return np.einsum("k,kij->ij", self.weights, self.covariances) \
            + np.einsum("k,ki,kj->ij", self.weights, spread, spread)


def logsumexp(a: np.ndarray, *, axis: int) -> np.ndarray:
    """log(sum(exp(a))) along ``axis``, without overflow; all -inf gives -inf."""
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(a - top).sum(axis=axis)) + np.squeeze(top, axis=axis)


@dataclass(frozen=True)
class FitStats:
    """How a fit went: ``log_likelihood`` is the mean log-likelihood per sample after each
    EM iteration; ``converged`` says whether the gain fell below the tolerance."""

    iterations: int
    converged: bool
    log_likelihood: list[float] = field(default_factory=list)


def kmeans_plus_plus(x: np.ndarray, components: int, rng: np.random.Generator) -> np.ndarray:
    """int64 (N,): each sample's nearest of ``components`` k-means++ seeds.

    Seeds are data points, the first uniform, each next one drawn with probability
    proportional to the squared distance to the nearest seed so far (Arthur & Vassilvitskii).
    """
    x = np.asarray(x, np.float32)
    n = x.shape[0]
    centres = [x[rng.integers(n)]]
    nearest = np.sum((x - centres[0]) ** 2, axis=1, dtype=np.float64)
    labels = np.zeros(n, np.int64)
    for k in range(1, components):
        total = nearest.sum()
        # All samples equal to a seed already: any point will do as the next seed.
        index = rng.integers(n) if total <= 0 else rng.choice(n, p=nearest / total)
        centres.append(x[index])
        distance = np.sum((x - centres[k]) ** 2, axis=1, dtype=np.float64)
        closer = distance < nearest
        labels[closer] = k
        nearest = np.minimum(nearest, distance)
    return labels


def fit_mixture(x: np.ndarray, *, components: int, iterations: int = 30, reg: float = 1e-4,
                tol: float = 1e-3, seed: int = 0,
                progress: Callable[[int, float], None] | None = None
                ) -> tuple[Mixture, FitStats]:
    """Fit a full-covariance Gaussian mixture to x (N, D) by EM.

    Responsibilities start as the hard k-means++ partition. Each iteration is an M-step
    (every covariance gets ``reg * I`` added, so none collapses onto a flat patch) then an
    E-step, which gives the mean log-likelihood per sample of the new parameters.
    ``progress(iteration, log_likelihood)`` is called after each. Stops after
    ``iterations`` (>= 1) or once an iteration gains less than ``tol`` nats per sample.
    Deterministic for a given ``seed``. Returns the mixture and its ``FitStats``.
    """
    x = np.ascontiguousarray(x, np.float32)
    if x.ndim != 2 or x.shape[0] < components:
        raise ValueError(f"need at least {components} samples of shape (N, D), got {x.shape}")
    rng = np.random.Generator(np.random.PCG64(seed))
    labels = kmeans_plus_plus(x, components, rng)
    responsibilities = np.zeros((x.shape[0], components), np.float32)
    responsibilities[np.arange(x.shape[0]), labels] = 1.0
    history: list[float] = []
    converged = False
    for iteration in range(1, iterations + 1):
        mixture = _maximise(x, responsibilities, reg)
        log_densities = mixture.log_densities(x)
        log_norm = logsumexp(log_densities, axis=1)
        responsibilities = np.exp(log_densities - log_norm[:, None]).astype(np.float32)
        history.append(float(log_norm.mean()))
        if progress is not None:
            progress(iteration, history[-1])
        if len(history) > 1 and history[-1] - history[-2] < tol:
            converged = True
            break
    return mixture, FitStats(len(history), converged, history)


def _maximise(x: np.ndarray, responsibilities: np.ndarray, reg: float) -> Mixture:
    """The M-step: weights, means and regularised covariances from responsibilities (N, K)."""
    dim = x.shape[1]
    # A component nobody claims keeps a finite mean and falls back to reg * I.
    counts = responsibilities.sum(axis=0, dtype=np.float64) + 1e-10
    means = (responsibilities.T.astype(np.float64) @ x) / counts[:, None]
    covariances = np.empty((len(counts), dim, dim))
    for k, count in enumerate(counts):
        rows = np.flatnonzero(responsibilities[:, k] > _NEGLIGIBLE)
        weighted = (x[rows] - means[k].astype(np.float32)) \
            * np.sqrt(responsibilities[rows, k])[:, None]
        scatter = (weighted.T @ weighted).astype(np.float64) / count
        covariances[k] = 0.5 * (scatter + scatter.T) + reg * np.eye(dim)
    return Mixture(counts / counts.sum(), means, covariances)


@dataclass(frozen=True)
class Conditional:
    """A mixture conditioned on the values of some dimensions (``known``), over others (``new``).

    For component k, with o = known and u = new dimensions (the rest marginalised out):
    mean_u|o = mean_u + gain (x_o - mean_o), gain = S_uo S_oo^-1, and covariance
    S_uu - gain S_ou (the Schur complement). The component weights become proportional to
    weight_k N(x_o; mean_o, S_oo'), where S_oo' may carry more noise than the S_oo of the
    gain (``condition``'s ``weight_noise``). Built once per pair of index sets and reused.

    ``factors`` float32 (K * (d_o + d_u), d_o) stacks, per component, the whitening matrix
    L_oo^-1 (S_oo' = L_oo L_oo^T) over the gain, so one matrix product serves the likelihood
    and the mean;
    ``offsets`` float64 (K, d_o + d_u) is the same product applied to mean_o, minus
    (0, mean_u); ``log_norms`` float64 (K,) is log weight_k - log sqrt((2 pi)^d_o |S_oo'|);
    ``chols`` float64 (K, d_u, d_u) factors the conditional covariances.
    """

    known: np.ndarray
    new: np.ndarray
    factors: np.ndarray
    offsets: np.ndarray
    log_norms: np.ndarray
    chols: np.ndarray

    def posterior(self, x_known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For x_known (n, d_o): component log-weights (n, K), normalised, and conditional
        means (n, K, d_u), both float64."""
        components = self.log_norms.shape[0]
        d_o = self.known.size
        projected = np.asarray(x_known, np.float32) @ self.factors.T
        projected = projected.reshape(-1, components, d_o + self.new.size) - self.offsets
        whitened, means = projected[:, :, :d_o], projected[:, :, d_o:]
        logits = self.log_norms - 0.5 * np.einsum("nkd,nkd->nk", whitened, whitened)
        return logits - logsumexp(logits, axis=1)[:, None], means

    def sample(self, x_known: np.ndarray, uniforms: np.ndarray, normals: np.ndarray, *,
               bias: np.ndarray | None = None) -> np.ndarray:
        """Draw the new dimensions given x_known (n, d_o): float64 (n, d_u).

        ``uniforms`` (n,) in [0, 1) pick each sample's component from its posterior weights;
        ``normals`` (n, d_u) standard normal draws shape the Gaussian noise. ``bias``
        (n, K), optional, is added to the posterior log-weights before the component is
        drawn (a guide's preference); the weights are renormalised.
        """
        log_weights, means = self.posterior(x_known)
        if bias is not None:
            log_weights = log_weights + bias
            log_weights -= logsumexp(log_weights, axis=1)[:, None]
        cumulative = np.cumsum(np.exp(log_weights), axis=1)
        chosen = np.minimum((uniforms[:, None] >= cumulative).sum(axis=1),
                            cumulative.shape[1] - 1)
        rows = np.arange(len(chosen))
        return means[rows, chosen] + np.einsum("nij,nj->ni", self.chols[chosen], normals)


def _noise_covariance(noise: float | np.ndarray, d_o: int, name: str) -> np.ndarray:
    """A float (the same variance on each known dimension) or a (d_o, d_o) covariance, as
    the (d_o, d_o) covariance."""
    noise = np.asarray(noise, np.float64)
    noise = noise * np.eye(d_o) if noise.ndim == 0 else noise
    if noise.shape != (d_o, d_o):
        raise ValueError(f"{name} must be a float or a ({d_o}, {d_o}) covariance, got shape "
                         f"{noise.shape}")
    return noise


def _factor(s_oo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whitening matrices L^-1 (K, d_o, d_o) and log determinants (K,) of covariances
    s_oo = L L^T (K, d_o, d_o)."""
    chol = np.linalg.cholesky(s_oo)
    return np.linalg.inv(chol), 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)


def condition(mixture: Mixture, known: np.ndarray, new: np.ndarray, *,
              noise: float | np.ndarray = 0.0,
              weight_noise: float | np.ndarray | None = None) -> Conditional:
    """The ``Conditional`` of ``mixture`` given dimensions ``known``, over ``new``.

    ``known`` and ``new`` are int index arrays into the mixture's D dimensions (``known`` may
    be empty: then this is the marginal over ``new``). ``noise`` treats the known values as
    observed with independent Gaussian noise: a variance >= 0 for each (a float), or a
    (d_o, d_o) symmetric positive semi-definite covariance. S_oo + noise replaces S_oo, so
    the conditional mean follows the known values less slavishly and an unlikely
    combination of them is not extrapolated wildly. A dimension may be both known and new
    when its noise is positive: the known value is then a noisy observation of the value to
    be drawn (a soft constraint). ``weight_noise`` (same forms; default None: ``noise``)
    is the noise assumed when re-weighting the components by the known values' likelihood
    only, so a component can be chosen leniently and then followed closely (a larger
    ``weight_noise`` than ``noise``). All components are factored at once (batched LAPACK).
    """
    known, new = np.asarray(known, np.int64), np.asarray(new, np.int64)
    d_o, d_u = known.size, new.size
    split = weight_noise is not None
    noise = _noise_covariance(noise, d_o, "noise")
    weight_noise = _noise_covariance(weight_noise, d_o, "weight_noise") if split else noise
    cov, means = mixture.covariances, mixture.means
    s_oo = cov[:, known[:, None], known[None, :]]  # (K, d_o, d_o)
    s_uo = cov[:, new[:, None], known[None, :]]    # (K, d_u, d_o)
    s_uu = cov[:, new[:, None], new[None, :]]      # (K, d_u, d_u)
    if d_o:
        whiten, log_dets = _factor(s_oo + weight_noise)
        mean_whiten = _factor(s_oo + noise)[0] if split else whiten
        gain = s_uo @ mean_whiten.transpose(0, 2, 1) @ mean_whiten
    else:
        whiten = np.zeros((mixture.components, 0, 0))
        gain = np.zeros((mixture.components, d_u, 0))
        log_dets = np.zeros(mixture.components)
    factors = np.concatenate([whiten, gain], axis=1)  # (K, d_o + d_u, d_o)
    offsets = np.einsum("kij,kj->ki", factors, means[:, known])
    offsets[:, d_o:] -= means[:, new]
    with np.errstate(divide="ignore"):  # a component with weight 0 is log 0 = -inf
        log_norms = np.log(mixture.weights) - 0.5 * (d_o * _LOG_2PI + log_dets)
    schur = s_uu - gain @ s_uo.transpose(0, 2, 1)
    chols = np.linalg.cholesky(0.5 * (schur + schur.transpose(0, 2, 1)))
    stacked = factors.reshape(mixture.components * (d_o + d_u), d_o).astype(np.float32)
    return Conditional(known, new, stacked, offsets, log_norms, chols)
