//! A reader that re-encodes a byte stream to UTF-8 (UTF-16 JSON lines), so that
//! line splitting and JSON parsing see UTF-8 whatever the file was written in.

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding};

/// Bytes read from the inner reader at a time.
const CHUNK: usize = 64 << 10;

/// Decodes `inner` with an encoding and yields UTF-8. Malformed sequences
/// become U+FFFD (counted in [`Transcode::replaced`]).
pub(crate) struct Transcode<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: Read> Transcode<R> {
    /// `bom`: a byte-order mark may open the stream and is dropped.
    pub(crate) fn new(inner: R, encoding: &'static Encoding, bom: bool) -> Transcode<R> {
        let decoder = if bom {
            encoding.new_decoder_with_bom_removal()
        } else {
            encoding.new_decoder_without_bom_handling()
        };
        Transcode {
            inner,
            decoder,
            input: vec![0; CHUNK],
            out: Vec::new(),
            pos: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.done {
                return Ok(0);
            }
            let n = loop {
                match self.inner.read(&mut self.input) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    r => break r?,
                }
            };
            let last = n == 0;
            let room = self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.out.resize(room, 0);
            let (_, read, written, _) =
                self.decoder
                    .decode_to_utf8(&self.input[..n], &mut self.out, last);
            debug_assert_eq!(read, n, "room for the whole chunk was reserved");
            self.out.truncate(written);
            self.pos = 0;
            self.done = last;
        }
        let k = buf.len().min(self.out.len() - self.pos);
        buf[..k].copy_from_slice(&self.out[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

/// The UTF-16 encoding a JSON stream starting with `head` is written in: a
/// byte-order mark, or `{` / `[` next to a zero byte. `None`: not UTF-16.
pub(crate) fn utf16_json(head: &[u8]) -> Option<(&'static Encoding, bool)> {
    match head {
        [0xFF, 0xFE, ..] => Some((encoding_rs::UTF_16LE, true)),
        [0xFE, 0xFF, ..] => Some((encoding_rs::UTF_16BE, true)),
        [b'{' | b'[', 0, ..] => Some((encoding_rs::UTF_16LE, false)),
        [0, b'{' | b'[', ..] => Some((encoding_rs::UTF_16BE, false)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_streams_become_utf8() {
        let s = "{\"text\":\"café £4\"}\n{\"text\":\"naïve\"}\n".repeat(5000);
        for (enc, bom) in [
            (encoding_rs::UTF_16LE, true),
            (encoding_rs::UTF_16BE, false),
        ] {
            let mut bytes = Vec::new();
            if bom {
                bytes.extend_from_slice(&[0xFF, 0xFE]);
            }
            for u in s.encode_utf16() {
                bytes.extend_from_slice(&if enc == encoding_rs::UTF_16LE {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                });
            }
            assert_eq!(utf16_json(&bytes).map(|x| x.0), Some(enc));
            let mut out = String::new();
            Transcode::new(&bytes[..], enc, bom)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, s);
        }
        assert_eq!(utf16_json(b"{\"a\":1}"), None);
    }
}
