//! Spelling-variant folding (British/American and common agent-noun variants).
//!
//! Maps a lowercase word to one canonical spelling so that "advisers" matches
//! "advisors" and "organised" matches "organized". Used for matching only.

use std::borrow::Cow;

/// Whole-word variants that suffix rules cannot derive safely.
const WORDS: &[(&str, &str)] = &[
    ("adviser", "advisor"),
    ("advisers", "advisors"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("licence", "license"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("grey", "gray"),
    ("tyre", "tire"),
    ("tyres", "tires"),
    ("cheque", "check"),
    ("kerb", "curb"),
    ("aluminium", "aluminum"),
    ("whilst", "while"),
    ("amongst", "among"),
    ("towards", "toward"),
    ("judgement", "judgment"),
    ("ageing", "aging"),
    ("catalogue", "catalog"),
    ("dialogue", "dialog"),
    ("analyse", "analyze"),
    ("analysed", "analyzed"),
    ("analysing", "analyzing"),
    ("paralyse", "paralyze"),
    ("travelled", "traveled"),
    ("travelling", "traveling"),
    ("traveller", "traveler"),
    ("travellers", "travelers"),
    ("cancelled", "canceled"),
    ("cancelling", "canceling"),
    ("labelled", "labeled"),
    ("modelling", "modeling"),
    ("modelled", "modeled"),
    ("fuelled", "fueled"),
    ("jewellery", "jewelry"),
    ("pyjamas", "pajamas"),
    ("mum", "mom"),
    ("shia", "shi'ite"),
    ("shiite", "shi'ite"),
];

/// Words ending in -our that are not British spellings of -or words.
const OUR_KEEP: &[&str] = &[
    "four",
    "hour",
    "your",
    "pour",
    "tour",
    "sour",
    "flour",
    "scour",
    "dour",
    "detour",
    "contour",
    "devour",
    "amour",
    "velour",
    "paramour",
    "troubadour",
    "ours",
    "yours",
    "hours",
    "fours",
    "tours",
    "pours",
    "devours",
    "contours",
    "detours",
];

/// Endings of -ise words that are not British spellings of -ize words
/// (advise, rise, precise, revise, promise, surprise, disguise, raise, noise, ...).
const ISE_KEEP: &[&str] = &[
    "wise", "rise", "cise", "vise", "mise", "prise", "guise", "uise", "raise", "noise", "poise",
    "ertise", "chise", "dise", "mpise",
];

/// Canonical spelling of a lowercase word; borrowed when unchanged.
pub fn fold_variant(word: &str) -> Cow<'_, str> {
    if word.len() < 4 || !word.is_ascii() {
        return Cow::Borrowed(word);
    }
    if let Some(&(_, to)) = WORDS.iter().find(|(from, _)| *from == word) {
        return Cow::Borrowed(to);
    }
    // -our → -or (colour, favour, labour, behaviour, honours, neighbouring)
    for (suffix, repl) in [
        ("ours", "ors"),
        ("our", "or"),
        ("oured", "ored"),
        ("ouring", "oring"),
        ("ourite", "orite"),
        ("ourites", "orites"),
        ("ourable", "orable"),
        ("ourhood", "orhood"),
    ] {
        if let Some(stem) = word.strip_suffix(suffix) {
            let base = format!("{stem}our");
            let base_plural = format!("{stem}ours");
            if stem.len() >= 3
                && !OUR_KEEP.contains(&base.as_str())
                && !OUR_KEEP.contains(&base_plural.as_str())
            {
                return Cow::Owned(format!("{stem}{repl}"));
            }
            return Cow::Borrowed(word);
        }
    }
    // -ise/-isation → -ize/-ization (organise, realised, privatisation)
    for (suffix, repl) in [
        ("isation", "ization"),
        ("isations", "izations"),
        ("ise", "ize"),
        ("ises", "izes"),
        ("ised", "ized"),
        ("ising", "izing"),
        ("iser", "izer"),
        ("isers", "izers"),
    ] {
        if let Some(stem) = word.strip_suffix(suffix) {
            let base = format!("{stem}ise");
            if stem.len() >= 3 && !ISE_KEEP.iter().any(|k| base.ends_with(k)) {
                return Cow::Owned(format!("{stem}{repl}"));
            }
            return Cow::Borrowed(word);
        }
    }
    // -tre → -ter (centre, theatre, metres; not "genre")
    for (suffix, repl) in [("tre", "ter"), ("tres", "ters")] {
        if let Some(stem) = word.strip_suffix(suffix) {
            if stem.len() >= 2 && stem.ends_with(|c: char| "aeiouclnp".contains(c)) {
                return Cow::Owned(format!("{stem}{repl}"));
            }
        }
    }
    Cow::Borrowed(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn british_american() {
        for (a, b) in [
            ("advisers", "advisors"),
            ("colour", "color"),
            ("favourite", "favorite"),
            ("neighbouring", "neighboring"),
            ("organised", "organized"),
            ("privatisation", "privatization"),
            ("centre", "center"),
            ("metres", "meters"),
            ("defence", "defense"),
        ] {
            assert_eq!(fold_variant(a), fold_variant(b), "{a} vs {b}");
        }
    }

    #[test]
    fn leaves_non_variants_alone() {
        for w in [
            "hour",
            "four",
            "your",
            "tours",
            "promise",
            "exercise",
            "surprised",
            "raise",
            "genre",
            "otherwise",
        ] {
            assert_eq!(fold_variant(w), w);
        }
    }
}
