//! External sort of fixed-size records: sorted runs in memory up to a budget,
//! spilled to anonymous temporary files beyond it, merged by a k-way heap merge.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use rayon::slice::ParallelSliceMut;

use crate::IndexError;

/// A fixed-size, totally ordered record that can be written to and read from bytes.
pub(crate) trait Record: Copy + Ord + Send + Sync {
    const SIZE: usize;
    fn write(&self, out: &mut [u8]);
    fn read(buf: &[u8]) -> Self;
}

impl Record for (u64, u32) {
    const SIZE: usize = 12;
    fn write(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.0.to_le_bytes());
        out[8..12].copy_from_slice(&self.1.to_le_bytes());
    }
    fn read(buf: &[u8]) -> Self {
        let mut h = [0u8; 8];
        h.copy_from_slice(&buf[..8]);
        let mut d = [0u8; 4];
        d.copy_from_slice(&buf[8..12]);
        (u64::from_le_bytes(h), u32::from_le_bytes(d))
    }
}

impl Record for u64 {
    const SIZE: usize = 8;
    fn write(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.to_le_bytes());
    }
    fn read(buf: &[u8]) -> Self {
        let mut h = [0u8; 8];
        h.copy_from_slice(&buf[..8]);
        u64::from_le_bytes(h)
    }
}

/// Accumulates records; sorts them in memory, or in runs on disk beyond `cap` records.
pub(crate) struct ExternalSorter<T: Record> {
    cap: usize,
    buf: Vec<T>,
    runs: Vec<(File, u64)>,
    dir: Option<PathBuf>,
    spilled_bytes: u64,
}

impl<T: Record> ExternalSorter<T> {
    /// A sorter that holds at most `budget_bytes` of records in memory (at least 1024).
    pub(crate) fn new(budget_bytes: usize, dir: Option<PathBuf>) -> Self {
        let cap = (budget_bytes / std::mem::size_of::<T>()).max(1024);
        ExternalSorter {
            cap,
            buf: Vec::new(),
            runs: Vec::new(),
            dir,
            spilled_bytes: 0,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, t: T) -> Result<(), IndexError> {
        if self.buf.len() >= self.cap {
            self.spill()?;
        }
        if self.buf.len() == self.buf.capacity() {
            // Grow by doubling, never past the budget.
            let want = (self.buf.capacity() * 2).clamp(1024, self.cap);
            self.buf.reserve_exact(want - self.buf.len());
        }
        self.buf.push(t);
        Ok(())
    }

    #[cfg(test)]
    pub(crate) fn extend_from_slice(&mut self, ts: &[T]) -> Result<(), IndexError> {
        for &t in ts {
            self.push(t)?;
        }
        Ok(())
    }

    /// True once any run went to disk.
    pub(crate) fn spilled(&self) -> bool {
        !self.runs.is_empty()
    }

    fn spill(&mut self) -> Result<(), IndexError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.buf.par_sort_unstable();
        let file = match &self.dir {
            Some(d) => tempfile::tempfile_in(d),
            None => tempfile::tempfile(),
        }
        .map_err(IndexError::io("creating a spill file"))?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        let mut rec = vec![0u8; T::SIZE];
        for t in &self.buf {
            t.write(&mut rec);
            w.write_all(&rec)
                .map_err(IndexError::io("writing a spill file"))?;
        }
        let mut file = w
            .into_inner()
            .map_err(|e| IndexError::io("writing a spill file")(e.into_error()))?;
        file.seek(SeekFrom::Start(0))
            .map_err(IndexError::io("rewinding a spill file"))?;
        let n = self.buf.len() as u64;
        self.spilled_bytes += n * T::SIZE as u64;
        self.runs.push((file, n));
        self.buf.clear();
        Ok(())
    }

    /// Sorted records, in ascending order: `(stream, bytes spilled, runs)`.
    pub(crate) fn finish(mut self) -> Result<(Sorted<T>, u64, usize), IndexError> {
        if self.runs.is_empty() {
            self.buf.par_sort_unstable();
            return Ok((Sorted::Memory(self.buf, 0), 0, 0));
        }
        self.spill()?;
        self.buf = Vec::new();
        // Readers share a small slice of the budget.
        let per_run =
            ((self.cap * std::mem::size_of::<T>()) / (2 * self.runs.len())).clamp(4096, 1 << 20);
        let mut readers = Vec::with_capacity(self.runs.len());
        let mut heap = BinaryHeap::with_capacity(self.runs.len());
        for (i, (file, n)) in self.runs.into_iter().enumerate() {
            let mut r = RunReader {
                r: BufReader::with_capacity(per_run, file),
                left: n,
                rec: vec![0; T::SIZE],
            };
            if let Some(t) = r.next_rec()? {
                heap.push(Reverse((t, i)));
            }
            readers.push(r);
        }
        let runs = readers.len();
        Ok((Sorted::Merge { readers, heap }, self.spilled_bytes, runs))
    }
}

pub(crate) struct RunReader {
    r: BufReader<File>,
    left: u64,
    rec: Vec<u8>,
}

impl RunReader {
    fn next_rec<T: Record>(&mut self) -> Result<Option<T>, IndexError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.r
            .read_exact(&mut self.rec)
            .map_err(IndexError::io("reading a spill file"))?;
        self.left -= 1;
        Ok(Some(T::read(&self.rec)))
    }
}

/// The sorted output of an [`ExternalSorter`].
pub(crate) enum Sorted<T: Record> {
    /// All records in memory, sorted, and the read position.
    Memory(Vec<T>, usize),
    Merge {
        readers: Vec<RunReader>,
        heap: BinaryHeap<Reverse<(T, usize)>>,
    },
}

impl<T: Record> Sorted<T> {
    /// The next record in ascending order.
    pub(crate) fn next_rec(&mut self) -> Result<Option<T>, IndexError> {
        match self {
            Sorted::Memory(v, pos) => {
                let t = v.get(*pos).copied();
                *pos += 1;
                Ok(t)
            }
            Sorted::Merge { readers, heap } => {
                let Some(Reverse((t, i))) = heap.pop() else {
                    return Ok(None);
                };
                if let Some(n) = readers[i].next_rec()? {
                    heap.push(Reverse((n, i)));
                }
                Ok(Some(t))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain<T: Record>(mut s: Sorted<T>) -> Vec<T> {
        let mut v = Vec::new();
        while let Some(t) = s.next_rec().unwrap() {
            v.push(t);
        }
        v
    }

    #[test]
    fn spilled_and_in_memory_sorts_agree() {
        let data: Vec<(u64, u32)> = (0..20_000u64)
            .map(|i| ((i * 7919) % 1013, (i % 17) as u32))
            .collect();
        let mut small = ExternalSorter::new(1, None); // 1024 records per run
        let mut big = ExternalSorter::new(1 << 30, None);
        small.extend_from_slice(&data).unwrap();
        big.extend_from_slice(&data).unwrap();
        assert!(small.spilled());
        assert!(!big.spilled());
        let (s, bytes, runs) = small.finish().unwrap();
        assert_eq!(runs, 20);
        assert_eq!(bytes, 20_000 * 12);
        let mut want = data.clone();
        want.sort_unstable();
        assert_eq!(drain(s), want);
        assert_eq!(drain(big.finish().unwrap().0), want);
    }
}
