//! The store's own consistency check (`whence index check`).

use crate::read::View;
use crate::StoreError;

/// One inconsistency found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What was checked.
    pub check: &'static str,
    /// What is wrong (with a count or the first offending row).
    pub detail: String,
}

/// What [`View::check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    pub problems: Vec<Problem>,
    /// Checks run.
    pub checks: usize,
    /// Documents whose text and boilerplate were decoded (with `full`).
    pub texts_read: u64,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Queries that must return 0 in a consistent index.
const ZERO: &[(&str, &str)] = &[
    ("every document has its text", "SELECT count(*) FROM docs d WHERE NOT EXISTS (SELECT 1 FROM texts t WHERE t.seq = d.seq)"),
    ("every text belongs to a document", "SELECT count(*) FROM texts t WHERE NOT EXISTS (SELECT 1 FROM docs d WHERE d.seq = t.seq)"),
    ("every document has a signature", "SELECT count(*) FROM docs d WHERE NOT EXISTS (SELECT 1 FROM sigs s WHERE s.seq = d.seq)"),
    ("every signature belongs to a document", "SELECT count(*) FROM sigs s WHERE NOT EXISTS (SELECT 1 FROM docs d WHERE d.seq = s.seq)"),
    ("every document has a kept count", "SELECT count(*) FROM docs d WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE k.seq = d.seq)"),
    ("every kept count belongs to a document", "SELECT count(*) FROM kept k WHERE NOT EXISTS (SELECT 1 FROM docs d WHERE d.seq = k.seq)"),
    ("postings point at documents", "SELECT count(*) FROM post p WHERE p.d >= 0 AND NOT EXISTS (SELECT 1 FROM docs d WHERE d.seq = p.d)"),
    ("a frequent hash has no postings", "SELECT count(*) FROM post q, gens, post p WHERE q.d < 0 AND p.g = gens.g AND p.h = q.h AND p.d >= 0"),
    ("band entries point at documents", "SELECT count(*) FROM bands b WHERE NOT EXISTS (SELECT 1 FROM docs d WHERE d.seq = b.d)"),
    ("inverted lists are in live generations", "SELECT (SELECT count(*) FROM post WHERE g NOT IN (SELECT g FROM gens)) + (SELECT count(*) FROM bands WHERE g NOT IN (SELECT g FROM gens)) + (SELECT count(*) FROM lines WHERE g NOT IN (SELECT g FROM gens))"),
    ("one generation is open", "SELECT count(*) != 1 FROM gens WHERE open = 1"),
    ("line counts are positive", "SELECT count(*) FROM (SELECT sum(n) AS n FROM lines GROUP BY s, h) WHERE n < 0"),
    ("line counts belong to sites", "SELECT count(*) FROM lines l WHERE NOT EXISTS (SELECT 1 FROM sites s WHERE s.s = l.s)"),
    ("site document counts", "SELECT count(*) FROM sites s WHERE s.docs != (SELECT count(*) FROM docs d WHERE coalesce(d.site, '') = s.name)"),
    ("every site with documents is counted", "SELECT count(*) FROM (SELECT DISTINCT coalesce(site, '') AS name FROM docs) d WHERE NOT EXISTS (SELECT 1 FROM sites s WHERE s.name = d.name)"),
    ("pairs join an earlier document to a later one", "SELECT count(*) FROM pairs WHERE a >= b"),
    ("pairs point at documents", "SELECT count(*) FROM pairs p WHERE NOT EXISTS (SELECT 1 FROM docs d WHERE d.seq = p.a) OR NOT EXISTS (SELECT 1 FROM docs d WHERE d.seq = p.b)"),
    ("pair ids are below the last one given", "SELECT count(*) FROM pairs WHERE id > coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_pair'), 0)"),
    ("document numbers are below the last one given", "SELECT count(*) FROM docs WHERE seq > coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'max_seq'), -1)"),
];

impl View {
    /// Checks the database file (SQLite's `quick_check`, or the slower
    /// `integrity_check` with `full`) and the index's invariants; with `full`,
    /// also decodes every text, boilerplate list, signature and pair.
    pub fn check(&self, full: bool) -> Result<CheckReport, StoreError> {
        let mut report = CheckReport::default();
        let c = self.conn();
        let pragma = if full {
            "integrity_check"
        } else {
            "quick_check"
        };
        let mut st = c.prepare(&format!("PRAGMA {pragma}"))?;
        let msgs: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        report.checks += 1;
        if msgs != ["ok"] {
            report.problems.push(Problem {
                check: "the database file is sound",
                detail: msgs.join("; "),
            });
        }
        for &(check, sql) in ZERO {
            report.checks += 1;
            let n: i64 = c.query_row(sql, [], |r| r.get(0))?;
            if n != 0 {
                report.problems.push(Problem {
                    check,
                    detail: format!("{n} rows break it"),
                });
            }
        }
        if full {
            report.checks += 1;
            for seq in self.seqs()? {
                report.texts_read += 1;
                let bad = match (self.doc(seq), self.signature(seq)) {
                    (Ok(Some(_)), Ok(Some(_))) => None,
                    (Err(e), _) | (_, Err(e)) => Some(e.to_string()),
                    _ => Some("missing".to_owned()),
                };
                if let Some(detail) = bad {
                    report.problems.push(Problem {
                        check: "documents decode",
                        detail: format!("document {}: {detail}", seq.0),
                    });
                }
            }
            report.checks += 1;
            if let Err(e) = self.for_each_pair(None, None, false, |_| Ok(())) {
                report.problems.push(Problem {
                    check: "pairs decode",
                    detail: e.to_string(),
                });
            }
        }
        Ok(report)
    }
}
