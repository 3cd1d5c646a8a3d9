"""Tests for msrp_vectors.py (needs numpy; skipped without it).
Run: python3 -m unittest discover -s eval -p 'test_msrp_vectors.py'"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None
if np is not None:
    import msrp_vectors as mv
import msrp  # noqa: E402


@unittest.skipIf(np is None, "numpy not installed: skipped")
class Inputs(unittest.TestCase):
    def test_token_stats_are_symmetric_and_ordered(self):
        a, b = [0.9, 0.5, 1.0], [0.7, 0.8]
        s = mv.token_stats(a, b)
        self.assertEqual(s, mv.token_stats(b, a))
        self.assertEqual(len(s), len(mv.TOKEN_STAT_NAMES))
        self.assertAlmostEqual(s[0], 0.75)   # lower mean
        self.assertAlmostEqual(s[1], 0.8)    # higher mean
        self.assertEqual(s[2:], [0.8, 1.0, 0.5, 0.7])
        self.assertEqual(mv.token_stats([], [1.0])[:2], [0.0, 1.0])

    def test_blocks_are_symmetric(self):
        rng = np.random.default_rng(1)
        d = {k: rng.normal(size=(3, 4)) for k in ("u", "v", "umax", "vmax")}
        d["f"], d["tok"] = rng.normal(size=(3, 9)), rng.normal(size=(3, 6))
        swapped = dict(d, u=d["v"], v=d["u"], umax=d["vmax"], vmax=d["umax"])
        b1, b2 = mv.blocks(d), mv.blocks(swapped)
        for k in b1:
            np.testing.assert_array_equal(b1[k], b2[k])


@unittest.skipIf(np is None, "numpy not installed: skipped")
class Fitting(unittest.TestCase):
    def data(self, n=300, d=3, seed=0):
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(n, d)) * [1.0, 3.0, 0.5][:d] + 2.0
        y = (x @ np.array([1.0, -0.5, 2.0][:d]) + rng.normal(size=n) > 2.5).astype(float)
        return x, y

    def test_newton_matches_msrp_fit(self):
        x, y = self.data()
        b, c = msrp.fit_logistic(x.tolist(), y.tolist(), l2=1.0)
        nb, nc = mv.fit_logistic(x, y, 1.0).raw()
        self.assertAlmostEqual(nb, b, places=6)
        np.testing.assert_allclose(nc, c, atol=1e-6)

    def test_penalty_shrinks_and_is_chosen_from_the_grid(self):
        x, y = self.data()
        weak = mv.fit_logistic(x, y, 0.01).w[1:]
        strong = mv.fit_logistic(x, y, 1e4).w[1:]
        self.assertLess(np.abs(strong).sum(), 0.1 * np.abs(weak).sum())
        model, lam, t_in, t_oof, acc, oof = mv.fit_selected(x, y, [0.1, 1e4])
        self.assertIn(lam, (0.1, 1e4))
        self.assertEqual(set(acc), {0.1, 1e4})
        # Separable-ish data: the weak penalty wins, and the fit is good.
        self.assertEqual(lam, 0.1)
        self.assertGreater(mv.accuracy(y, model.score(x), t_in), 0.8)
        self.assertTrue(0.0 < t_oof < 1.0)

    def test_light_inputs_escape_the_large_penalty(self):
        x, y = self.data()
        both = mv.fit_logistic(x, y, 1e4).w[1:]
        light = mv.fit_logistic(x, y, 1e4, light=1).w[1:]
        free = mv.fit_logistic(x, y, 1.0).w[1:]
        # The first input keeps most of its unpenalised weight; the others shrink.
        self.assertGreater(abs(light[0]), 5 * abs(both[0]))
        self.assertLess(abs(light[2]), 0.2 * abs(free[2]))

    def test_stack_scores_are_probabilities(self):
        x, y = self.data(n=200)
        score, t, lam = mv.fit_stack(x[:, :1], x[:, 1:], y, [0.1, 10.0])
        s = score(x[:, :1], x[:, 1:])
        self.assertTrue(np.all((s >= 0) & (s <= 1)))
        self.assertIn(lam, (0.1, 10.0))
        self.assertGreater(mv.accuracy(y, s, t), 0.8)

    def test_mlp_learns_xor(self):
        rng = np.random.default_rng(2)
        x = rng.uniform(-1, 1, size=(600, 2))
        y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(float)
        model, t = mv.fit_mlp(x, y, hidden=16, decay=0.0, lr=0.02, epochs=3000, patience=300)
        self.assertGreater(mv.accuracy(y, model.score(x), t), 0.9)
        # A linear model cannot.
        lin = mv.fit_logistic(x, y, 1.0)
        self.assertLess(mv.accuracy(y, lin.score(x), 0.5), 0.7)


@unittest.skipIf(np is None, "numpy not installed: skipped")
class Table(unittest.TestCase):
    R = {"held_out": {"in": {"accuracy": 0.76543, "f1": 0.84321},
                      "oof": {"accuracy": 0.7612, "f1": 0.8399}, "penalty": 0.1},
         "cv": {"in_accuracy_mean": 0.7493, "in_accuracy_sd": 0.0221,
                "in_f1_mean": 0.83, "in_f1_sd": 0.01,
                "oof_accuracy_mean": 0.745, "oof_accuracy_sd": 0.02,
                "oof_f1_mean": 0.82, "oof_f1_sd": 0.015, "penalties": [0.1, 1.0, 10.0]}}

    def test_rows_have_nine_cells_and_stacking_leaves_the_oof_ones_empty(self):
        full = mv.table_row("base9", 9, self.R)
        self.assertEqual(full, "| base9 | 9 | 0.7654 / 0.8432 | 0.7612 / 0.8399 "
                               "| 0.7493 ± 0.0221 | 0.8300 ± 0.0100 | 0.7450 ± 0.0200 "
                               "| 0.8200 ± 0.0150 | 0.1; 0.1, 1, 10 |")
        stack = mv.table_row("stack", 10, self.R, oof=False)
        self.assertEqual(stack, "| stack | 10 | 0.7654 / 0.8432 | | 0.7493 ± 0.0221 "
                                "| 0.8300 ± 0.0100 | | | 0.1; 0.1, 1, 10 |")


if __name__ == "__main__":
    unittest.main()
