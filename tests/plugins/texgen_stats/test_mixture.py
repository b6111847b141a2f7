"""Gaussian mixtures: conditioning against explicit formulas and brute force, EM, k-means++."""

import numpy as np
import pytest
from stats_testing import PATCH, bricks

from texgen_stats.mixture import Mixture, condition, fit_mixture, kmeans_plus_plus, logsumexp
from texgen_stats.model import extract_patches

COV = np.array([[1.0, 0.6, 0.3],
                [0.6, 2.0, -0.5],
                [0.3, -0.5, 1.5]])


def two_component_mixture() -> Mixture:
    other = np.array([[0.5, -0.2, 0.0], [-0.2, 0.8, 0.3], [0.0, 0.3, 1.0]])
    return Mixture(np.array([0.3, 0.7]), np.array([[0.0, 1.0, -1.0], [2.0, -1.0, 0.5]]),
                   np.stack([COV, other]))


def gaussian_log_density(x, mean, cov):
    """log N(x; mean, cov) written out with det and inv, for comparison."""
    diff = x - mean
    return -0.5 * (len(mean) * np.log(2 * np.pi) + np.log(np.linalg.det(cov))
                   + diff @ np.linalg.inv(cov) @ diff)


def test_one_gaussian_conditioned_on_two_dims_matches_the_schur_complement():
    mixture = Mixture(np.array([1.0]), np.array([[0.5, -1.0, 2.0]]), COV[None])
    known, new = np.array([0, 2]), np.array([1])
    x_known = np.array([[1.0, 1.5], [-0.5, 2.5]])
    log_weights, means = condition(mixture, known, new).posterior(x_known)
    s_oo = COV[np.ix_(known, known)]
    s_uo = COV[np.ix_(new, known)]
    for x, mean in zip(x_known, means[:, 0]):
        expected = -1.0 + s_uo @ np.linalg.solve(s_oo, x - np.array([0.5, 2.0]))
        np.testing.assert_allclose(mean, expected, atol=1e-5)
    np.testing.assert_allclose(log_weights, 0.0, atol=1e-12)
    chol = condition(mixture, known, new).chols[0]
    np.testing.assert_allclose(chol @ chol.T, COV[1, 1] - s_uo @ np.linalg.solve(s_oo, s_uo.T),
                               atol=1e-12)


def test_conditional_samples_have_the_conditional_mean_and_covariance():
    mixture = Mixture(np.array([1.0]), np.array([[0.5, -1.0, 2.0]]), COV[None])
    known, new = np.array([1]), np.array([0, 2])
    conditional = condition(mixture, known, new)
    rng = np.random.default_rng(0)
    n = 40000
    draws = conditional.sample(np.full((n, 1), 0.2), rng.random(n), rng.standard_normal((n, 2)))
    gain = COV[np.ix_(new, known)] / COV[1, 1]
    np.testing.assert_allclose(draws.mean(axis=0),
                               np.array([0.5, 2.0]) + gain[:, 0] * (0.2 + 1.0), atol=0.02)
    np.testing.assert_allclose(np.cov(draws.T),
                               COV[np.ix_(new, new)] - gain @ COV[np.ix_(known, new)],
                               atol=0.03)


def test_mixture_posterior_weights_and_means_match_brute_force():
    mixture = two_component_mixture()
    known, new = np.array([0, 2]), np.array([1])
    x_known = np.array([[0.5, -0.5], [1.5, 0.0], [3.0, 1.0]])
    log_weights, means = condition(mixture, known, new).posterior(x_known)
    for n, x in enumerate(x_known):
        logits = [np.log(w) + gaussian_log_density(x, m[known], c[np.ix_(known, known)])
                  for w, m, c in zip(mixture.weights, mixture.means, mixture.covariances)]
        np.testing.assert_allclose(np.exp(log_weights[n]), np.exp(logits) / np.exp(logits).sum(),
                                   atol=1e-6)
        for k, (m, c) in enumerate(zip(mixture.means, mixture.covariances)):
            expected = m[new] + c[np.ix_(new, known)] @ np.linalg.solve(
                c[np.ix_(known, known)], x - m[known])
            np.testing.assert_allclose(means[n, k], expected, atol=1e-5)


def test_mixture_conditional_mean_matches_rejection_sampling():
    # Brute force: draw from the joint mixture, keep draws whose known dims fall in a small
    # box around the conditioning value, average the new dim.
    mixture = two_component_mixture()
    rng = np.random.default_rng(1)
    n = 2_000_000
    component = (rng.random(n) >= mixture.weights[0]).astype(int)
    chols = np.linalg.cholesky(mixture.covariances)
    joint = mixture.means[component] + np.einsum("nij,nj->ni", chols[component],
                                                 rng.standard_normal((n, 3)))
    x = np.array([1.0, 0.0])
    near = np.all(np.abs(joint[:, [0, 2]] - x) < 0.1, axis=1)
    log_weights, means = condition(mixture, np.array([0, 2]), np.array([1])).posterior(x[None])
    expected = (np.exp(log_weights[0]) * means[0, :, 0]).sum()
    assert near.sum() > 2000
    assert abs(joint[near, 1].mean() - expected) < 0.05


def test_noise_conditions_on_noisy_observations():
    mixture = Mixture(np.array([1.0]), np.zeros((1, 3)), COV[None])
    known, new = np.array([0, 2]), np.array([1])
    _, means = condition(mixture, known, new, noise=0.5).posterior(np.array([[1.0, 1.0]]))
    s_oo = COV[np.ix_(known, known)] + 0.5 * np.eye(2)
    np.testing.assert_allclose(means[0, 0], COV[np.ix_(new, known)] @ np.linalg.solve(
        s_oo, [1.0, 1.0]), atol=1e-5)


def test_a_noise_covariance_is_added_to_the_known_block():
    mixture = two_component_mixture()
    known, new = np.array([0, 2]), np.array([1])
    noise = np.array([[0.4, 0.1], [0.1, 0.3]])
    x = np.array([[0.7, -0.4]])
    log_weights, means = condition(mixture, known, new, noise=noise).posterior(x)
    for k in range(2):
        cov, mean = mixture.covariances[k], mixture.means[k]
        s_oo = cov[np.ix_(known, known)] + noise
        gain = cov[np.ix_(new, known)] @ np.linalg.inv(s_oo)
        np.testing.assert_allclose(means[0, k], mean[new] + gain @ (x[0] - mean[known]),
                                   atol=1e-5)
    expected = [np.log(w) + gaussian_log_density(x[0], m[known], c[np.ix_(known, known)] + noise)
                for w, m, c in zip(mixture.weights, mixture.means, mixture.covariances)]
    np.testing.assert_allclose(log_weights[0], expected - logsumexp(np.array(expected), axis=0),
                               atol=1e-5)
    with pytest.raises(ValueError, match=r"noise must be a float or a \(2, 2\) covariance"):
        condition(mixture, known, new, noise=np.eye(3))


def test_weight_noise_sets_the_component_choice_and_noise_the_mean():
    # Brute force per component: weights from N(x; m_o, S_oo + weight_noise), mean and
    # covariance from the Gaussian conditional with S_oo + noise.
    mixture = two_component_mixture()
    known, new = np.array([0, 2]), np.array([1])
    noise, weight_noise = 0.05, np.array([[0.6, 0.2], [0.2, 0.5]])
    x = np.array([[0.7, -0.4]])
    conditional = condition(mixture, known, new, noise=noise, weight_noise=weight_noise)
    log_weights, means = conditional.posterior(x)
    expected = []
    for k, (w, m, c) in enumerate(zip(mixture.weights, mixture.means, mixture.covariances)):
        s_oo = c[np.ix_(known, known)] + noise * np.eye(2)
        gain = c[np.ix_(new, known)] @ np.linalg.inv(s_oo)
        np.testing.assert_allclose(means[0, k], m[new] + gain @ (x[0] - m[known]), atol=1e-5)
        schur = c[np.ix_(new, new)] - gain @ c[np.ix_(known, new)]
        np.testing.assert_allclose(conditional.chols[k] @ conditional.chols[k].T, schur,
                                   atol=1e-9)
        expected.append(np.log(w) + gaussian_log_density(
            x[0], m[known], c[np.ix_(known, known)] + weight_noise))
    np.testing.assert_allclose(log_weights[0], expected - logsumexp(np.array(expected), axis=0),
                               atol=1e-5)
    same = condition(mixture, known, new, noise=noise, weight_noise=noise).posterior(x)
    default = condition(mixture, known, new, noise=noise).posterior(x)
    for a, b in zip(same, default):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert not np.allclose(log_weights, default[0], atol=1e-3)
    with pytest.raises(ValueError, match=r"weight_noise must be a float or a \(2, 2\)"):
        condition(mixture, known, new, noise=noise, weight_noise=np.eye(3))


def test_a_new_dim_that_is_also_known_is_a_noisy_observation_of_it():
    # Brute force: the Gaussian of (x0, x1, x2, z) with z = x1 + e, e ~ N(0, 0.2),
    # conditioned on (x0, z): the same as known dims [0, 1] with noise diag(0, 0.2)
    # (plus a negligible jitter on x0) over new dims [1, 2].
    mixture = Mixture(np.array([1.0]), np.array([[0.5, -1.0, 2.0]]), COV[None])
    joint = np.zeros((4, 4))
    joint[:3, :3] = COV
    joint[3, :3] = joint[:3, 3] = COV[1]
    joint[3, 3] = COV[1, 1] + 0.2
    mean = np.array([0.5, -1.0, 2.0, -1.0])
    observed, drawn, value = [0, 3], [1, 2], np.array([0.2, 0.4])
    gain = joint[np.ix_(drawn, observed)] @ np.linalg.inv(joint[np.ix_(observed, observed)])
    expected_mean = mean[drawn] + gain @ (value - mean[observed])
    expected_cov = joint[np.ix_(drawn, drawn)] - gain @ joint[np.ix_(observed, drawn)]
    conditional = condition(mixture, np.array([0, 1]), np.array([1, 2]),
                            noise=np.diag([1e-12, 0.2]))
    _, means = conditional.posterior(value[None])
    np.testing.assert_allclose(means[0, 0], expected_mean, atol=1e-5)
    np.testing.assert_allclose(conditional.chols[0] @ conditional.chols[0].T, expected_cov,
                               atol=1e-9)


def test_the_mixture_covariance_is_within_plus_between_components():
    mixture = Mixture(np.array([0.5, 0.5]), np.array([[0.0], [2.0]]),
                      np.array([[[1.0]], [[3.0]]]))
    np.testing.assert_allclose(mixture.covariance(), [[2.0 + 1.0]])  # mean of 1, 3; spread 1
    one = Mixture(np.array([1.0]), np.zeros((1, 3)), COV[None])
    np.testing.assert_allclose(one.covariance(), COV)


def test_nothing_known_is_the_marginal():
    mixture = two_component_mixture()
    conditional = condition(mixture, np.array([], int), np.array([2, 0]))
    log_weights, means = conditional.posterior(np.zeros((2, 0)))
    np.testing.assert_allclose(np.exp(log_weights), [[0.3, 0.7]] * 2, atol=1e-12)
    np.testing.assert_allclose(means[0], mixture.means[:, [2, 0]], atol=1e-6)


def test_log_densities_match_the_explicit_formula():
    mixture = two_component_mixture()
    x = np.array([[0.0, 0.0, 0.0], [2.0, -1.0, 1.0]])
    expected = [[np.log(w) + gaussian_log_density(row, m, c) for w, m, c in
                 zip(mixture.weights, mixture.means, mixture.covariances)] for row in x]
    np.testing.assert_allclose(mixture.log_densities(x), expected, atol=1e-5)
    np.testing.assert_allclose(logsumexp(np.array([[-np.inf, -np.inf]]), axis=1), [-np.inf])


def test_em_increases_the_log_likelihood_and_finds_the_clusters():
    rng = np.random.default_rng(2)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    x = np.concatenate([c + rng.normal(0, 0.5, (200, 2)) for c in centres])
    steps = []
    mixture, stats = fit_mixture(x, components=3, iterations=40, tol=0.0, reg=1e-6, seed=3,
                                 progress=lambda i, ll: steps.append((i, ll)))
    history = np.array(stats.log_likelihood)
    assert stats.iterations > 3  # tol 0: runs until a step gains nothing
    assert steps == list(enumerate(stats.log_likelihood, start=1))
    assert np.all(np.diff(history) >= -1e-9), np.diff(history).min()
    found = mixture.means[np.argsort(mixture.means @ [1.0, 10.0])]
    np.testing.assert_allclose(found, centres, atol=0.15)
    np.testing.assert_allclose(np.sort(mixture.weights), [1 / 3] * 3, atol=0.02)
    assert mixture.log_likelihood(x) == pytest.approx(history[-1], abs=1e-3)


def test_em_on_patches_is_monotone_and_stops_at_the_tolerance():
    x = extract_patches(bricks(), PATCH, samples=1500, rng=np.random.default_rng(0))
    _, stats = fit_mixture(x, components=4, iterations=15, tol=0.0, seed=0)
    assert np.all(np.diff(stats.log_likelihood) >= -1e-3 * np.abs(stats.log_likelihood[-1]))
    assert stats.log_likelihood[-1] > stats.log_likelihood[0]
    _, early = fit_mixture(x, components=4, iterations=100, tol=1.0, seed=0)
    assert early.converged and early.iterations < 100


def test_fit_is_deterministic_by_seed():
    x = np.random.default_rng(4).normal(size=(300, 3))
    a, _ = fit_mixture(x, components=3, iterations=5, seed=7)
    b, _ = fit_mixture(x, components=3, iterations=5, seed=7)
    c, _ = fit_mixture(x, components=3, iterations=5, seed=8)
    np.testing.assert_array_equal(a.means, b.means)
    assert not np.array_equal(a.means, c.means)


def test_kmeans_plus_plus_separates_far_clusters():
    x = np.concatenate([np.zeros((50, 2)), np.full((50, 2), 10.0)])
    labels = kmeans_plus_plus(x, 2, np.random.default_rng(0))
    assert len(set(labels[:50])) == 1 and len(set(labels[50:])) == 1
    assert labels[0] != labels[-1]


def test_too_few_samples_is_an_error():
    with pytest.raises(ValueError, match="at least 5 samples"):
        fit_mixture(np.zeros((3, 2)), components=5)
