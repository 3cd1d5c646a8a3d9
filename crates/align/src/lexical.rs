//! Lexical alignment: shared k-gram seeds → maximal exact matches → gap-tolerant
//! chains → extended, conflict-free passages. See `DESIGN.md` for the invariants.

use rustc_hash::FxHashMap;

use crate::config::RawAlignConfig;

/// A maximal run of equal keys: `a[i..i+len] == b[j..j+len]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mem {
    pub i: usize,
    pub j: usize,
    pub len: usize,
}

/// A chain of matches, ascending on both sides: one lexical passage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Chain {
    pub mems: Vec<Mem>,
}

impl Chain {
    pub fn i0(&self) -> usize {
        self.mems[0].i
    }
    pub fn j0(&self) -> usize {
        self.mems[0].j
    }
    pub fn i1(&self) -> usize {
        let m = self.mems[self.mems.len() - 1];
        m.i + m.len
    }
    pub fn j1(&self) -> usize {
        let m = self.mems[self.mems.len() - 1];
        m.j + m.len
    }
    pub fn matched(&self) -> usize {
        self.mems.iter().map(|m| m.len).sum()
    }

    /// The part of the chain inside A-token range `[lo, hi)`, if any.
    fn clip_a(&self, lo: usize, hi: usize) -> Option<Chain> {
        let mems: Vec<Mem> = self
            .mems
            .iter()
            .filter_map(|m| {
                let s = m.i.max(lo);
                let e = (m.i + m.len).min(hi);
                (s < e).then(|| Mem {
                    i: s,
                    j: m.j + (s - m.i),
                    len: e - s,
                })
            })
            .collect();
        (!mems.is_empty()).then_some(Chain { mems })
    }
}

/// Keys of one side with masked (boilerplate) tokens replaced by values that match nothing.
pub(crate) struct Keys<'a> {
    pub keys: &'a [u64],
    pub content: &'a [bool],
}

#[inline]
fn mix(h: u64, k: u64) -> u64 {
    (h.rotate_left(23) ^ k).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn gram(keys: &[u64]) -> u64 {
    keys.iter()
        .fold(0x51_7C_C1_B7_27_22_0A_95, |h, &k| mix(h, k))
}

/// No position (end of a list of positions).
const NONE: u32 = u32::MAX;

/// All maximal exact matches of at least `k` tokens holding a content token,
/// sorted by `(i, j)`.
pub(crate) fn find_mems(a: &Keys, b: &Keys, cfg: &RawAlignConfig) -> Vec<Mem> {
    let (ka, kb) = (a.keys, b.keys);
    // texts shorter than a seed are seeded by their whole length
    let k = cfg.seed_len.min(ka.len()).min(kb.len());
    if k == 0 {
        return Vec::new();
    }
    // B's k-grams: per gram hash its first position and count, and per position
    // the next one with the same hash (ascending)
    let n = kb.len() - k + 1;
    let mut heads: FxHashMap<u64, (u32, u32)> =
        FxHashMap::with_capacity_and_hasher(n, Default::default());
    let mut next = vec![NONE; n];
    for j in (0..n).rev() {
        let head = heads.entry(gram(&kb[j..j + k])).or_insert((NONE, 0));
        next[j] = head.0;
        *head = (j as u32, head.1 + 1);
    }
    let mut mems = Vec::new();
    let mut diag_end: FxHashMap<isize, usize> = FxHashMap::default();
    for i in 0..=ka.len() - k {
        let h = gram(&ka[i..i + k]);
        let Some(&(first, count)) = heads.get(&h) else {
            continue;
        };
        if count as usize > cfg.max_seed_occurrences {
            continue;
        }
        let positions = std::iter::successors(Some(first), |&j| {
            Some(next[j as usize]).filter(|&n| n != NONE)
        });
        for j in positions {
            let j = j as usize;
            let d = j as isize - i as isize;
            if diag_end.get(&d).is_some_and(|&e| i < e) {
                continue;
            }
            if ka[i..i + k] != kb[j..j + k] {
                continue; // hash collision
            }
            let mut len = k;
            while i + len < ka.len() && j + len < kb.len() && ka[i + len] == kb[j + len] {
                len += 1;
            }
            diag_end.insert(d, i + len);
            let whole_side = len == ka.len() || len == kb.len();
            if whole_side || a.content[i..i + len].iter().any(|&c| c) {
                mems.push(Mem { i, j, len });
            }
        }
    }
    mems.sort_unstable_by_key(|m| (m.i, m.j));
    mems
}

/// Greedy chaining: each match joins the open chain it continues with the smallest
/// gap (both gaps ≤ `max_gap`, their difference ≤ `max_gap / 2`), else opens a chain.
pub(crate) fn chain(mems: &[Mem], cfg: &RawAlignConfig) -> Vec<Chain> {
    let g = cfg.max_gap;
    let mut open: Vec<Chain> = Vec::new();
    let mut done: Vec<Chain> = Vec::new();
    for &m in mems {
        // retire chains that can no longer be continued
        let mut idx = 0;
        while idx < open.len() {
            if open[idx].i1() + g < m.i {
                done.push(open.swap_remove(idx));
            } else {
                idx += 1;
            }
        }
        let mut best: Option<(usize, usize, Mem)> = None;
        for (ci, c) in open.iter().enumerate() {
            if m.j + m.len <= c.j0() {
                continue;
            }
            let shift = c.i1().saturating_sub(m.i).max(c.j1().saturating_sub(m.j));
            if shift >= m.len {
                continue;
            }
            let t = Mem {
                i: m.i + shift,
                j: m.j + shift,
                len: m.len - shift,
            };
            let (ga, gb) = (t.i - c.i1(), t.j - c.j1());
            if ga > g || gb > g || ga.abs_diff(gb) > g / 2 {
                continue;
            }
            let cost = ga + gb;
            if best.as_ref().is_none_or(|&(bc, _, _)| cost < bc) {
                best = Some((cost, ci, t));
            }
        }
        match best {
            Some((_, ci, t)) => open[ci].mems.push(t),
            None => open.push(Chain { mems: vec![m] }),
        }
    }
    done.extend(open);
    done.sort_unstable_by_key(|c| (c.i0(), c.j0()));
    done
}

/// Extends a chain through small edits at both ends: while the next tokens match,
/// take them; across a mismatch, skip up to two tokens on either side when two
/// matching tokens follow. Extensions stop at masked tokens (they never match).
pub(crate) fn extend(c: &mut Chain, ka: &[u64], kb: &[u64]) {
    const STEPS: [(usize, usize); 6] = [(1, 1), (1, 0), (0, 1), (2, 2), (2, 1), (1, 2)];
    // forward
    let (mut i, mut j) = (c.i1(), c.j1());
    loop {
        if i < ka.len() && j < kb.len() && ka[i] == kb[j] {
            let mut len = 1;
            while i + len < ka.len() && j + len < kb.len() && ka[i + len] == kb[j + len] {
                len += 1;
            }
            push_or_grow(&mut c.mems, Mem { i, j, len });
            i += len;
            j += len;
            continue;
        }
        let next = STEPS.iter().find(|&&(di, dj)| {
            let (x, y) = (i + di, j + dj);
            x + 1 < ka.len() && y + 1 < kb.len() && ka[x] == kb[y] && ka[x + 1] == kb[y + 1]
        });
        match next {
            Some(&(di, dj)) => {
                i += di;
                j += dj;
            }
            None => break,
        }
    }
    // backward
    let (mut i, mut j) = (c.i0(), c.j0());
    let mut front: Vec<Mem> = Vec::new();
    loop {
        if i > 0 && j > 0 && ka[i - 1] == kb[j - 1] {
            let mut len = 1;
            while i > len && j > len && ka[i - 1 - len] == kb[j - 1 - len] {
                len += 1;
            }
            i -= len;
            j -= len;
            front.push(Mem { i, j, len });
            continue;
        }
        let next = STEPS.iter().find(|&&(di, dj)| {
            i >= di + 2 && j >= dj + 2 && {
                let (x, y) = (i - di - 1, j - dj - 1);
                ka[x] == kb[y] && ka[x - 1] == kb[y - 1]
            }
        });
        match next {
            Some(&(di, dj)) => {
                i -= di;
                j -= dj;
            }
            None => break,
        }
    }
    if !front.is_empty() {
        front.reverse();
        let rest = std::mem::take(&mut c.mems);
        let mut mems = front;
        for m in rest {
            push_or_grow(&mut mems, m);
        }
        c.mems = mems;
    }
}

fn push_or_grow(mems: &mut Vec<Mem>, m: Mem) {
    if let Some(last) = mems.last_mut() {
        if last.i + last.len == m.i && last.j + last.len == m.j {
            last.len += m.len;
            return;
        }
    }
    mems.push(m);
}

/// Does the chain pass the passage filters?
pub(crate) fn acceptable(c: &Chain, a: &Keys, b: &Keys, cfg: &RawAlignConfig) -> bool {
    let matched = c.matched();
    let span = (c.i1() - c.i0()).max(c.j1() - c.j0());
    if (matched as f32) < cfg.min_density * span as f32 {
        return false;
    }
    let whole_side = covers_all(c.i0(), c.i1(), a) || covers_all(c.j0(), c.j1(), b);
    if whole_side {
        return true;
    }
    let content: usize = c
        .mems
        .iter()
        .map(|m| a.content[m.i..m.i + m.len].iter().filter(|&&x| x).count())
        .sum();
    let weak_edit = (matched as f32) < EDITED_MIN_SIMILARITY * span as f32;
    matched >= cfg.min_passage_tokens
        && content >= 3
        && !(weak_edit && matched < 2 * cfg.min_passage_tokens)
}

/// An edited passage this loose (matched tokens per token of length) must be twice
/// the minimum length: short, gappy matches are mostly shared stock phrases.
const EDITED_MIN_SIMILARITY: f32 = 0.7;

/// True when `[lo, hi)` holds every token of the side that is not masked.
fn covers_all(lo: usize, hi: usize, side: &Keys) -> bool {
    let first = side.keys.iter().position(|&k| !is_masked(k));
    let last = side.keys.iter().rposition(|&k| !is_masked(k));
    matches!((first, last), (Some(f), Some(l)) if lo <= f && l < hi)
}

/// Masked-token sentinel range: the top 16 bits set to `0xFFFF` / `0xFFFE`.
pub(crate) const MASK_A: u64 = 0xFFFF_0000_0000_0000;
pub(crate) const MASK_B: u64 = 0xFFFE_0000_0000_0000;

#[inline]
pub(crate) fn is_masked(k: u64) -> bool {
    k >> 48 >= 0xFFFE
}

/// Runs the lexical stage: mems → chains → extension → filters → conflict resolution.
/// Returns chains disjoint on A, sorted by A position.
pub(crate) fn lexical_passages(a: &Keys, b: &Keys, cfg: &RawAlignConfig) -> Vec<Chain> {
    let mems = find_mems(a, b, cfg);
    let mut chains = chain(&mems, cfg);
    for c in &mut chains {
        extend(c, a.keys, b.keys);
    }
    chains.retain(|c| acceptable(c, a, b, cfg));
    chains.sort_by(|x, y| {
        y.matched()
            .cmp(&x.matched())
            .then(x.i0().cmp(&y.i0()))
            .then(x.j0().cmp(&y.j0()))
    });
    let mut accepted: Vec<Chain> = Vec::new();
    'next: for c in chains {
        let mut c = c;
        for acc in &accepted {
            if c.i1() <= acc.i0() || acc.i1() <= c.i0() {
                continue;
            }
            // overlap on A: keep the larger remaining piece outside `acc`
            let before = c.clip_a(0, acc.i0());
            let after = c.clip_a(acc.i1(), usize::MAX);
            let pick = match (before, after) {
                (Some(x), Some(y)) => Some(if y.matched() > x.matched() { y } else { x }),
                (x, y) => x.or(y),
            };
            match pick {
                Some(p) => c = p,
                None => continue 'next,
            }
        }
        // clipping against one accepted chain may re-enter another: re-check all
        if accepted
            .iter()
            .any(|acc| c.i0() < acc.i1() && acc.i0() < c.i1())
        {
            continue;
        }
        if acceptable(&c, a, b, cfg) {
            accepted.push(c);
        }
    }
    accepted.sort_unstable_by_key(|c| (c.i0(), c.j0()));
    accepted
}

/// Groups A-consecutive chains whose B ranges lie close together (a reused passage
/// whose sentences were reordered or lightly rewritten in between), so that one
/// reused passage is reported once. Input sorted by A, disjoint on A.
pub(crate) fn group_adjacent(chains: Vec<Chain>, cfg: &RawAlignConfig) -> Vec<Vec<Chain>> {
    let mut groups: Vec<Vec<Chain>> = Vec::new();
    let join_a = cfg.max_gap / 2;
    let near_b = cfg.max_gap * 4;
    for c in chains {
        if let Some(g) = groups.last_mut() {
            let last = &g[g.len() - 1];
            let (b0, b1) = (
                g.iter().map(Chain::j0).min().unwrap_or(0),
                g.iter().map(Chain::j1).max().unwrap_or(0),
            );
            let gap_a = c.i0().saturating_sub(last.i1());
            let dist_b = if c.j0() >= b1 {
                c.j0() - b1
            } else {
                b0.saturating_sub(c.j1())
            };
            if gap_a <= join_a && dist_b <= near_b {
                g.push(c);
                continue;
            }
        }
        groups.push(vec![c]);
    }
    groups
}

/// Token edits between the two sides of a chain: gaps aligned by edit distance on
/// keys, plus substitutions of surface form inside matches.
pub(crate) fn edits(c: &Chain, ka: &[u64], kb: &[u64], fa: &[u64], fb: &[u64]) -> usize {
    let mut total = 0;
    for w in c.mems.windows(2) {
        let (p, q) = (w[0], w[1]);
        total += levenshtein(&ka[p.i + p.len..q.i], &kb[p.j + p.len..q.j]);
    }
    for m in &c.mems {
        total += (0..m.len).filter(|&t| fa[m.i + t] != fb[m.j + t]).count();
    }
    total
}

fn levenshtein(x: &[u64], y: &[u64]) -> usize {
    if x.is_empty() || y.is_empty() {
        return x.len().max(y.len());
    }
    let mut prev: Vec<usize> = (0..=y.len()).collect();
    let mut cur = vec![0; y.len() + 1];
    for (i, xa) in x.iter().enumerate() {
        cur[0] = i + 1;
        for (j, yb) in y.iter().enumerate() {
            let sub = prev[j] + usize::from(xa != yb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[y.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &str) -> Vec<u64> {
        s.split_whitespace()
            .map(|w| w.bytes().fold(7u64, |h, b| h * 31 + b as u64))
            .collect()
    }

    #[test]
    fn levenshtein_basics() {
        assert_eq!(levenshtein(&[1, 2, 3], &[1, 2, 3]), 0);
        assert_eq!(levenshtein(&[1, 2, 3], &[1, 3]), 1);
        assert_eq!(levenshtein(&[1, 2, 3], &[4, 5, 6]), 3);
        assert_eq!(levenshtein(&[], &[4, 5]), 2);
    }

    #[test]
    fn small_edits_stay_one_chain() {
        let a = keys("w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16");
        let b = keys("w1 w2 w3 w4 XX w6 w7 w8 w9 w10 w11 YY ZZ w12 w13 w14 w15 w16");
        let ca = vec![true; a.len()];
        let cb = vec![true; b.len()];
        let (sa, sb) = (
            Keys {
                keys: &a,
                content: &ca,
            },
            Keys {
                keys: &b,
                content: &cb,
            },
        );
        let cfg = RawAlignConfig::default();
        let chains = lexical_passages(&sa, &sb, &cfg);
        assert_eq!(chains.len(), 1);
        assert_eq!((chains[0].i0(), chains[0].i1()), (0, a.len()));
        assert_eq!((chains[0].j0(), chains[0].j1()), (0, b.len()));
        assert_eq!(chains[0].matched(), 15);
    }

    #[test]
    fn reordered_blocks_are_separate_chains() {
        let a = keys("a1 a2 a3 a4 a5 a6 a7 a8 a9 b1 b2 b3 b4 b5 b6 b7 b8 b9");
        let b = keys(
            "b1 b2 b3 b4 b5 b6 b7 b8 b9 q q q q q q q q q q q q q q a1 a2 a3 a4 a5 a6 a7 a8 a9",
        );
        let ca = vec![true; a.len()];
        let cb = vec![true; b.len()];
        let chains = lexical_passages(
            &Keys {
                keys: &a,
                content: &ca,
            },
            &Keys {
                keys: &b,
                content: &cb,
            },
            &RawAlignConfig::default(),
        );
        assert_eq!(chains.len(), 2);
        assert_eq!((chains[0].i0(), chains[0].j0()), (0, 23));
        assert_eq!((chains[1].i0(), chains[1].j0()), (9, 0));
    }
}
